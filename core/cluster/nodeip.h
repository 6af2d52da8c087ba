/*
 * nodeip.h - what Talos will pick as the kubelet node IP and the etcd
 * advertised address, computed from a machine config (mc.h) and a node's
 * addresses the way Talos does (Talos internal/app/machined/pkg/
 * controllers/k8s/nodeip.go and nodeip_config.go), step by step, so that
 * a wrong pick can be explained before anything is applied.
 */
#ifndef ND_NODEIP_H
#define ND_NODEIP_H

#include <stdbool.h>
#include <stddef.h>

#include "mc.h"		/* struct nd_mc and nd_mc_load(), for callers */

struct nd_arena;

/* The computation for one node. */
struct nd_nodeip {
	char		*node_ip;	/* the first pick per family, or NULL */
	char		*node_ip6;
	char		**candidates;	/* addresses considered */
	char		**excluded;	/* "10.0.0.50 (VIP)", "10.244.1.1 (pod subnet)" */
	char		**trace;	/* the steps, one line each */
	bool		 only_vips;	/* nothing left but excluded VIPs matched */
	char		*etcd_ip;	/* etcd's advertised address, or NULL */
	char		**overlay;	/* picked addresses in 100.64.0.0/10 */
	const char	*ts_addr;	/* the stand-in for the address the
					   tailscale extension adds on
					   tailscale0 at run time, or NULL */
};

/*
 * Computes the node IP Talos would pick for mc from addrs (the node's
 * addresses, CIDR or bare, NULL-terminated; NULL means mc's own static
 * addresses), following Talos: validSubnets (default 0.0.0.0/0 and ::/0)
 * applied in order, a positive subnet adding matches and a "!" one
 * removing them (siderolabs/net FilterIPs), with pod subnets, service
 * subnets and every VIP excluded; etcd: advertisedSubnets when set, else
 * the first routable address, VIPs excluded.  With the tailscale extension
 * (mc->ts_line), the address it adds on tailscale0 is a candidate too.  All strings arena-owned.
 */
void	nd_nodeip_compute(struct nd_arena *, const struct nd_mc *mc,
	    const char *const *addrs, struct nd_nodeip *ret);

#endif /* ND_NODEIP_H */
