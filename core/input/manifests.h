/*
 * manifests.h - what netdoctor reads from Kubernetes YAML (--manifests):
 * Cilium LoadBalancer pools and L2 announcement policies, LoadBalancer
 * Services, Gateways and their routes' hostnames, and the Gateway API
 * status sections that `kubectl get gateway,httproute -A -o yaml` shows.
 * From these main derives ARP targets (every LoadBalancer IP must have
 * exactly one announcer), DNS expectations (every route hostname resolves
 * to its Gateway's address), one web target per HTTPRoute hostname (the
 * page through the Gateway's address), the address-plan ranges (the pools)
 * and the gateway:// audit of the status sections.
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

/*
 * One status condition (metav1.Condition as Gateway API uses it): type,
 * "True", "False" or "Unknown", a CamelCase reason and a message; NULL
 * for what the object does not say.
 */
struct nd_mf_cond {
	char	*type, *status, *reason, *message;
	char	*src;		/* "FILE:LINE" of the condition */
};

#define ND_MF_MAX_CONDS		16	/* conditions kept per list */

struct nd_mf_listener {		/* a Gateway's spec.listeners[] */
	char	*name;
	char	*protocol;	/* "HTTP", "HTTPS", "TLS", ... */
	char	*hostname;	/* NULL: every name */
	int	 port;
};

struct nd_mf_lb {		/* a Service of type LoadBalancer, or a Gateway */
	char	*kind;		/* "Service", "Gateway" */
	char	*ns, *name, *src;
	char	**ips;		/* NULL-terminated, never NULL */
	char	*ips_from;	/* "io.cilium/lb-ipam-ips", "status", ... */
	/* Gateways only; lists NULL-terminated, never NULL. */
	struct nd_mf_listener **listeners;
	bool	 has_status;	/* a status section with something in it */
	struct nd_mf_cond **conds;	/* status.conditions */
	size_t	 nstatus_addrs;	/* status.addresses given */
};

/* One of a route's spec.parentRefs that names a Gateway. */
struct nd_mf_parentref {
	char	*gw;		/* "NS/NAME" */
	char	*section;	/* sectionName: one listener, or NULL */
	int	 port;		/* 0: any */
};

/* One status.parents[] entry: what one controller says for one parent. */
struct nd_mf_rparent {
	char	*gw;		/* parentRef as "NS/NAME" */
	char	*section;	/* or NULL */
	char	*controller;	/* controllerName, or NULL */
	char	*src;
	struct nd_mf_cond **conds;
};

struct nd_mf_route {		/* HTTPRoute, GRPCRoute, TLSRoute */
	char	*kind, *ns, *name, *src;
	char	**hostnames;	/* as written; may hold "*.example.com" */
	char	**parents;	/* "NS/NAME" of parent Gateways */
	struct nd_mf_parentref **refs;	/* the same, with section and port */
	bool	 has_status;	/* a status section, even with no parents */
	struct nd_mf_rparent **sparents;	/* status.parents */
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

/*
 * One answer of a Kubernetes API server to a list request, e.g. GET
 * /apis/gateway.networking.k8s.io/v1/gateways: JSON, which is YAML's flow
 * style, read by the same loader as the files.
 */
struct nd_mf_answer {
	const char	*name;	/* the request: errors and src name it */
	const char	*kind;	/* the list kind it must be: "GatewayList" */
	const char	*buf;
	size_t		 len;	/* at most ND_MF_MAX_BYTES */
};

/*
 * Loads n answers into one ret, so that routes and their Gateways from
 * different lists meet; the objects' src is the answer's name.  Returns 0,
 * or a negative errno with one line in err ("NAME: what").
 */
int	nd_manifests_parse(struct nd_arena *, const struct nd_mf_answer *,
	    size_t n, struct nd_manifests *ret, char *err, size_t errlen);

/* The Gateway addresses a route's hostnames should resolve to. */
char	**nd_manifests_route_ips(struct nd_arena *,
	    const struct nd_manifests *, const struct nd_mf_route *);

/* The Gateway named "NS/NAME", or NULL. */
const struct nd_mf_lb *nd_manifests_gateway(const struct nd_manifests *,
	    const char *gw);

/*
 * Does a Gateway API hostname (a listener's or a route's) cover host?
 * nd_hostname_match() (util.h), and NULL (no hostname) covers every name.
 */
bool	nd_manifests_host_match(const char *pattern, const char *host);

/* A condition of type in conds, or NULL. */
const struct nd_mf_cond *nd_manifests_cond(struct nd_mf_cond *const *conds,
	    const char *type);

/* Does any Gateway or route in mf carry a status section? */
bool	nd_manifests_has_status(const struct nd_manifests *);

#endif /* ND_MANIFESTS_H */
