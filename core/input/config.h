/*
 * config.h - netdoctor.yaml v1 (docs/contracts.md 4), parsed with libyaml.
 *
 * Every error names the file, the line and the key; unknown keys are errors
 * because a typo must not silently disable a check.  Anchors/aliases are
 * refused, files over 1 MiB and nesting deeper than 16 are refused.
 */
#ifndef ND_CONFIG_H
#define ND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_arena;
struct nd_target;

struct nd_dns_expect {
	char		*name;
	char		**ips;		/* NULL-terminated IP literals */
	int		 line;
};

/*
 * A module of `netdoctor serve` (modules: in netdoctor.yaml): how a
 * /probe?module=NAME scrape runs its target.
 */
struct nd_module {
	char		 *name;
	int		  line;
	int64_t		  timeout_ms;		/* 0: serve's default */
	const char	**only, **skip;		/* NULL-terminated; NULL: unset */
	char		 *talosconfig, *kubeconfig;	/* NULL: the top level's */
	/* success: ok (WARNING is then a failed probe) or warning. */
	bool		  warning_fails;
};

struct nd_config {
	char		 *path;
	/* targets: parsed target URLs; each target's origin is "PATH:LINE" */
	struct nd_target **targets;
	size_t		  ntargets;
	/* http: each entry as its http(s):// target, origin "PATH:LINE" */
	struct nd_target **http;
	size_t		  nhttp;
	/* talos: / kubernetes: */
	char		 *talosconfig, *talos_context;
	char		 *kubeconfig, *kube_context;
	/* dns: */
	char		**dns_servers;		/* NULL-terminated IP literals */
	char		 *dns_upstream;
	struct nd_dns_expect *dns_expect;
	size_t		  ndns_expect;
	/* l2: */
	char		 *l2_interface;
	char		**l2_addresses;		/* NULL-terminated IPv4 literals */
	char		 *l2_pool;		/* "A-B", both IPv4, A <= B */
	int		  l2_line;		/* of "l2:"; 0 when absent */
	int		  l2_pool_line;
	/* machine_configs: */
	char		**machine_configs;	/* NULL-terminated paths */
	/* host_ports: */
	uint16_t	 *host_ports;
	int		 *host_port_lines;	/* line of each port */
	size_t		  nhost_ports;
	/* timeout: (0 when absent) */
	int64_t		  timeout_ms;
	/* modules: (serve) */
	struct nd_module *modules;
	size_t		  nmodules;
};

/*
 * Loads path into *ret (fields allocated in arena).  Returns 0, or a
 * negative errno with one line in err such as
 *   "netdoctor.yaml:7: unknown key 'tagrets' in the top level"
 *   "netdoctor.yaml:3: column 9: YAML syntax error: did not find expected key"
 *   "/etc/x.yaml: cannot read: No such file or directory"
 * *ret is written only on success.
 */
int	nd_config_load(struct nd_arena *, const char *path,
	    struct nd_config *ret, char *err, size_t errlen);

#endif /* ND_CONFIG_H */
