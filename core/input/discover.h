/*
 * discover.h - what a bare `netdoctor run` checks (docs/contracts.md 2): the
 * talosconfig, then the kubeconfig (env and default paths, current
 * context), then Docker (Talos containers become targets), and otherwise
 * the built-in default of a local Talos-in-Docker setup.  Every step
 * leaves a note, so the user sees in one screen what was looked at and
 * what was not found.  Nothing is sent to the network here; only the
 * Docker socket is asked (a local file).
 */
#ifndef ND_DISCOVER_H
#define ND_DISCOVER_H

#include <stddef.h>

struct nd_arena;
struct nd_docker;

struct nd_discovery {
	const char	**urls;		/* targets, NULL-terminated */
	char		**origins;	/* where each came from, parallel */
	size_t		  n;
	const char	**notes;	/* what was checked, one line each */
	size_t		  nnotes;
	int		  used_default;	/* nothing found: the built-in set */
	struct nd_docker *docker;	/* what Docker listed, or NULL */
};

/* Docker gets this long to answer during discovery. */
#define ND_DISCOVER_DOCKER_MS	2000

/*
 * cloudflared's metrics server: the first of ip's ports 20241-20245 that
 * accepts a TCP connection (the addresses cloudflared tries in turn when
 * --metrics names none; cloudflared's metrics/config.go), or 0.  Only a
 * loopback ip is looked at (a connect on loopback is answered at once);
 * anything else is 0.
 */
#define ND_CF_METRICS_PORT0	20241
#define ND_CF_METRICS_PORTS	5
unsigned nd_cf_metrics_port(const char *ip);

/* Never fails: what cannot be used is a note.  Arena-owned. */
void	nd_discover(struct nd_arena *, struct nd_discovery *ret);

/*
 * Adds url with its origin unless it is there already or does not parse
 * (then a note says why); adds a note.  For every source of derived
 * targets (discovery, --manifests).
 */
void	nd_discovery_add(struct nd_arena *, struct nd_discovery *,
	    const char *url, char *origin);
void	nd_discovery_note(struct nd_arena *, struct nd_discovery *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* ND_DISCOVER_H */
