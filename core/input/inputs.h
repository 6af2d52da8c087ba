/*
 * inputs.h - everything one run reads before it sends anything, gathered
 * in one place: netdoctor.yaml (named, or ./netdoctor.yaml when nothing
 * else is named), discovery when nothing is named at all, --manifests,
 * the targets of every source with their origins, the machine configs
 * the nodeip probe needs, the address plan, and the credentials the API
 * probes need.  A file that cannot be used is an error (exit 3) naming
 * it, before anything runs.
 */
#ifndef ND_INPUTS_H
#define ND_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "creds.h"
#include "discover.h"
#include "inventory.h"

struct nd_arena;
struct nd_options;

struct nd_inputs {
	const struct nd_config	*cfg;		/* NULL: no netdoctor.yaml */
	struct nd_discovery	 disc;		/* derived targets and notes */
	bool			 discovered;	/* nothing was named */
	struct nd_inventory	 inv;
	struct nd_creds_set	 creds;		/* filled by nd_inputs_creds */
};

/*
 * Loads the config, discovers or derives targets, builds the inventory
 * and loads what its targets need (machine configs, the address plan).
 * o->config and o->timeout_ms may be set from what was found.  Returns 0
 * or -errno with one line in err.
 */
int	nd_inputs_load(struct nd_arena *, struct nd_options *,
	    struct nd_inputs *ret, char *err, size_t len);

/*
 * The talosconfig and kubeconfig, only when a target needs them:
 * --talosconfig, then netdoctor.yaml, then the usual places; the same for
 * the kubeconfig.  A file that exists but cannot be used is an error:
 * probing with half a config would mislead.
 */
int	nd_inputs_creds(struct nd_arena *, const struct nd_options *,
	    struct nd_inputs *, char *err, size_t len);

/* What discovery or --manifests looked at, one line each (stderr). */
void	nd_inputs_notes(const struct nd_inputs *, FILE *);

#endif /* ND_INPUTS_H */
