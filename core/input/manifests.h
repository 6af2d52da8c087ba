/*
 * manifests.h - what netdoctor reads from Kubernetes YAML (--manifests):
 * Cilium LoadBalancer pools and L2 announcement policies, LoadBalancer
 * Services, Gateways and their routes' hostnames.  From these main derives
 * ARP targets (every LoadBalancer IP must have exactly one announcer), DNS
 * expectations (every route hostname resolves to its Gateway's address)
 * and address-plan ranges (the pools).
 *
 * These are other people's manifests: unknown kinds and fields are
 * skipped; a field netdoctor reads with the wrong type, or an address
 * that does not parse, is an error naming the file and line.  Everything
 * is bounded (files, bytes, depth, nodes, objects) and arena-owned.
 */
#ifndef ND_MANIFESTS_H
#define ND_MANIFESTS_H

#include <stdbool.h>
#include <stddef.h>

struct nd_arena;

#define ND_MF_MAX_FILES		1000
#define ND_MF_MAX_DEPTH		8	/* directory levels below the root */
#define ND_MF_MAX_BYTES		(4u * 1024 * 1024)	/* one file */
#define ND_MF_MAX_TOTAL		(64u * 1024 * 1024)	/* all files */
#define ND_MF_MAX_OBJECTS	10000

struct nd_mf_block {		/* one CiliumLoadBalancerIPPool block */
	char	*pool;		/* metadata.name */
	char	*src;		/* "FILE:LINE" of the block */
	char	*range;		/* "A-B" or a CIDR, for the address plan */
	bool	 disabled;	/* the pool's spec.disabled */
};

struct nd_mf_policy {		/* CiliumL2AnnouncementPolicy */
	char	*name, *src;
	char	**interfaces;	/* spec.interfaces, regexes as written */
	bool	 lb_ips;	/* spec.loadBalancerIPs */
};

struct nd_mf_lb {		/* a Service of type LoadBalancer, or a Gateway */
	char	*kind;		/* "Service", "Gateway" */
	char	*ns, *name, *src;
	char	**ips;		/* NULL-terminated, never NULL */
	char	*ips_from;	/* "io.cilium/lb-ipam-ips", "status", ... */
};

struct nd_mf_route {		/* HTTPRoute, GRPCRoute, TLSRoute */
	char	*kind, *ns, *name, *src;
	char	**hostnames;	/* as written; may hold "*.example.com" */
	char	**parents;	/* "NS/NAME" of parent Gateways */
};

struct nd_manifests {
	struct nd_mf_block	**blocks;	/* each NULL-terminated */
	struct nd_mf_policy	**policies;
	struct nd_mf_lb		**lbs;
	struct nd_mf_route	**routes;
	size_t			  nfiles, ndocs;
};

/*
 * Loads path, a file or a directory walked recursively (sorted, *.yaml and
 * *.yml, hidden entries and symlinked directories skipped).  Returns 0, or
 * a negative errno with one line in err ("PATH:LINE: what").
 */
int	nd_manifests_load(struct nd_arena *, const char *path,
	    struct nd_manifests *ret, char *err, size_t errlen);

/* The Gateway addresses a route's hostnames should resolve to. */
char	**nd_manifests_route_ips(struct nd_arena *,
	    const struct nd_manifests *, const struct nd_mf_route *);

#endif /* ND_MANIFESTS_H */
