/*
 * inventory.h - the list of targets one run checks: command-line targets,
 * then the config file's targets, then targets derived from its sections
 * (dns: -> dns://, l2: -> arp://, host_ports: -> port://), duplicates
 * rejected.
 */
#ifndef ND_INVENTORY_H
#define ND_INVENTORY_H

#include <stddef.h>

struct nd_arena;
struct nd_config;
struct nd_target;

struct nd_inventory {
	struct nd_target **targets;	/* arena-owned, in input order */
	size_t		   ntargets;
};

/*
 * Builds the inventory from n URLs, each with its origin (origins NULL:
 * all from the command line), then an optional loaded config's targets
 * and sections (cfg NULL when none).  The config's targets become the
 * inventory's (not copies): one config builds one inventory.  Every target
 * gets its index in input order.  Returns 0, or -EINVAL with one line in err:
 * a bad URL (see nd_target_parse) or
 *   "duplicate target tcp://127.0.0.1:1 (command line and netdoctor.yaml:4)".
 */
int	nd_inventory_build(struct nd_arena *, const char *const *urls,
	    const char *const *origins, size_t n, const struct nd_config *,
	    struct nd_inventory *ret, char *err, size_t errlen);

#endif /* ND_INVENTORY_H */
