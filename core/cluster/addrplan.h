/*
 * addrplan.h - the address plan: every range netdoctor knows a use for
 * (LoadBalancer pools and IPs, VIPs, node addresses, pod and service
 * subnets, Docker networks), each with where it was written, so that the
 * addrplan probe can find overlaps between them and host routes that
 * shadow them ("LB pool 172.18.0.0/24 shadowed by the docker bridge
 * route on the host").  Collected by main before the run from what
 * it loaded; the probe adds this host's routes and interfaces.
 */
#ifndef ND_ADDRPLAN_H
#define ND_ADDRPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct nd_arena;
struct nd_config;
struct nd_mc;
struct nd_docker;
struct nd_manifests;

enum nd_claim_role {
	ND_C_LB_POOL,	/* an L2/LoadBalancer pool */
	ND_C_LB_IP,	/* a LoadBalancer IP in use (a Service, a Gateway) */
	ND_C_VIP,	/* a Talos shared VIP */
	ND_C_NODE,	/* a node's address (a /32 or /128) */
	ND_C_NODE_NET,	/* a node's subnet, from its address/prefix */
	ND_C_POD,	/* cluster.network.podSubnets */
	ND_C_SERVICE,	/* cluster.network.serviceSubnets */
	ND_C_DOCKER,	/* a Docker network's subnet */
	ND_C_HOST_NET,	/* a subnet on one of this host's interfaces */
	ND_C_CONTAINER,	/* a Talos or kind node container's address */
};

struct nd_claim {
	enum nd_claim_role role;
	int		 family;	/* AF_INET, AF_INET6 */
	/* The range, inclusive, network byte order (IPv4 in 4 bytes). */
	uint8_t		 first[16], last[16];
	/* As written: "172.18.0.0/16", "192.168.30.60-192.168.30.80". */
	char		*text;
	/* "the LoadBalancer pool", "Docker network kind" */
	char		*what;
	/* Where: "netdoctor.yaml:12", "docker", "this host". */
	char		*source;
	/* ND_C_HOST_NET and ND_C_DOCKER: the interface, else NULL. */
	char		*dev;
};

struct nd_addrplan {
	struct nd_claim	**claims;
	size_t		  n, cap;
};

/*
 * Adds one claim from a CIDR, a bare address or an "A-B" range; input
 * that is none of these is ignored (the loaders already refused it).
 * Identical claims (same role, range and what) are kept once.
 */
void	nd_addrplan_add(struct nd_arena *, struct nd_addrplan *,
	    enum nd_claim_role, const char *text, const char *what,
	    const char *source, const char *dev);

void	nd_addrplan_from_config(struct nd_arena *, struct nd_addrplan *,
	    const struct nd_config *);
void	nd_addrplan_from_mc(struct nd_arena *, struct nd_addrplan *,
	    const struct nd_mc *);
void	nd_addrplan_from_manifests(struct nd_arena *, struct nd_addrplan *,
	    const struct nd_manifests *);
void	nd_addrplan_from_docker(struct nd_arena *, struct nd_addrplan *,
	    const struct nd_docker *);

/* Whether two claims share an address. */
bool	nd_claim_overlaps(const struct nd_claim *, const struct nd_claim *);
/* Whether a contains all of b. */
bool	nd_claim_contains(const struct nd_claim *a, const struct nd_claim *b);
/*
 * Whether range holds addr, both parsed with netaddr.h: a claim's text or
 * an evidence "range" with nd_iprange_parse(), an endpoint with
 * nd_pfx_from_sockaddr() or nd_pfx_parse().
 */
bool	nd_addrplan_range_contains(const struct nd_iprange *range,
	    const struct nd_pfx *addr);
/*
 * The same from text: whether the CIDR, address or "A-B" range text holds
 * ip (an address, or all of a range); false when either does not parse.
 * For callers that still hold text; new code parses once and uses
 * nd_addrplan_range_contains().
 */
bool	nd_addrplan_text_contains(const char *text, const char *ip);
/* "the LoadBalancer pool 192.168.30.60-192.168.30.80 (netdoctor.yaml:12)" */
const char *nd_claim_describe(struct nd_arena *, const struct nd_claim *);

#endif /* ND_ADDRPLAN_H */
