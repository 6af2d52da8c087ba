/*
 * nd.h - vocabulary shared by every module: layers, statuses, severities,
 * finding kinds.  Nothing here allocates or does I/O.
 */
#ifndef ND_H
#define ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_VERSION	"0.1.0"

/* Lower layers explain the ones above them; the order is the ranking order. */
enum nd_layer {
	ND_L_CONFIG,
	ND_L_HOST,
	ND_L_LINK,
	ND_L_ROUTE,
	ND_L_DNS,
	ND_L_TCP,
	ND_L_TLS,
	ND_L_APP,
};

/* A probe instance's life; PASS/WARN/FAIL/SKIP/ERROR are final. */
enum nd_status {
	ND_PENDING,
	ND_RUNNING,
	ND_PASS,
	ND_WARN,
	ND_FAIL,
	ND_SKIP,
	ND_ERROR,
};

/*
 * Severity of a finding.  The numeric order is NOT the Nagios rollup order
 * (monitoring-plugins lib/states.h: OK < UNKNOWN < WARNING < CRITICAL); use
 * nd_sev_worse() to combine.
 */
enum nd_sev {
	ND_SEV_OK,
	ND_SEV_INFO,
	ND_SEV_WARN,
	ND_SEV_CRIT,
	ND_SEV_UNKNOWN,
};

/*
 * Why a finding happened.  LOCAL means netdoctor or this host could not do
 * the job and never becomes a network verdict (relayd's ERROR vs FAIL vs
 * TIMEOUT split).
 */
enum nd_kind {
	ND_K_NONE,	/* a healthy observation */
	ND_K_REMOTE,	/* the peer said no (RST, alert, error status) */
	ND_K_SILENT,	/* the path ate it (timeout) */
	ND_K_LOCAL,	/* this host or netdoctor */
	ND_K_CONFIG,	/* a static conflict in configuration */
};

/* Exit codes are the Monitoring Plugins ones (docs/contracts.md 3). */
enum nd_exit {
	ND_EXIT_OK = 0,
	ND_EXIT_WARNING = 1,
	ND_EXIT_CRITICAL = 2,
	ND_EXIT_UNKNOWN = 3,
};

/* One key/value pair of evidence (findings and the report model). */
struct nd_kv {
	const char	*key;
	const char	*value;
};

const char	*nd_layer_name(enum nd_layer);
const char	*nd_status_name(enum nd_status);
const char	*nd_sev_name(enum nd_sev);
const char	*nd_kind_name(enum nd_kind);

/* Rollup rank: OK < UNKNOWN < WARNING < CRITICAL (INFO counts as OK). */
int		 nd_sev_rank(enum nd_sev);
enum nd_sev	 nd_sev_worse(enum nd_sev, enum nd_sev);
enum nd_exit	 nd_sev_exit(enum nd_sev);

#define ND_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* ND_H */
