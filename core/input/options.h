/*
 * options.h - what the command line asked for.  Filled by cli.c, read-only
 * for everybody else (one of the two globals-worth of state docs/architecture.md 6
 * allows, passed explicitly instead).
 */
#ifndef ND_OPTIONS_H
#define ND_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "range.h"

enum nd_cmd {
	ND_CMD_NONE,
	ND_CMD_RUN,
	ND_CMD_CHECK,
	ND_CMD_PROBE,
	ND_CMD_WAIT,
	ND_CMD_SERVE,
	ND_CMD_LIST,
	ND_CMD_EXPLAIN,
	ND_CMD_HELP,
	ND_CMD_VERSION,
};

#define ND_DEFAULT_TIMEOUT_MS	5000
#define ND_DEFAULT_BUDGET_MS	10000	/* check: the Nagios plugin rule */
#define ND_DEFAULT_WAIT_MS	(10 * 60 * 1000)	/* wait --timeout */
#define ND_DEFAULT_INTERVAL_MS	2000		/* wait --interval */

struct nd_options {
	enum nd_cmd	 cmd;
	const char	*format;	/* "text" "json" "nagios" "markdown" */
	const char	*output;	/* -o FILE, NULL = stdout */
	const char	*config;	/* -c FILE */
	const char	*talosconfig, *kubeconfig;
	const char	**machine_configs;
	size_t		 nmachine_configs;
	const char	**manifests;	/* --manifests DIR, repeatable */
	size_t		 nmanifests;
	const char	*cloudflared_config;	/* --cloudflared-config F */
	bool		 print_plan;	/* --print-plan: show, send nothing */
	const char *const *urls;	/* TARGET... */
	size_t		 nurls;
	const char	*probe_name;	/* probe NAME TARGET */
	const char	*explain_id;
	int64_t		 timeout_ms;	/* per probe */
	bool		 timeout_set;
	int64_t		 budget_ms;	/* whole run, 0 = none */
	const char	**only, **skip;	/* NULL-terminated probe names */
	struct nd_range	 warn, crit;	/* on TCP connect time, seconds */
	bool		 have_warn, have_crit;
	size_t		 max_inflight;	/* --max-inflight, 0 = derive */
	int64_t		 listen_ms;	/* --listen: passive ARP window */
	const char	*user;		/* --user: drop to it after prepare */
	/* wait */
	const char	*wait_for;	/* --for STATE, NULL = "ok" */
	int64_t		 wait_ms;	/* --timeout: the whole wait */
	int64_t		 interval_ms;	/* --interval */
	const char	*progress;	/* --progress text|json */
	bool		 fail_fast;	/* not --no-fail-fast */
	/* serve */
	const char	*serve_listen;	/* --listen ADDR:PORT */
	size_t		 max_concurrent;	/* 0 = from RLIMIT_NOFILE */
	const char	*allow;		/* --allow CIDR|SCHEME,..., NULL */
	int		 verbose;
	bool		 color;		/* text: ANSI colour */
};

#endif /* ND_OPTIONS_H */
