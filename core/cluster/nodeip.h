/*
 * nodeip.h - what Talos will pick as the kubelet node IP and the etcd
 * advertised address, computed from a machine config and a node's
 * addresses the way Talos does (talos-wire.md 6), step by step, so that a
 * wrong pick can be explained before anything is applied.
 */
#ifndef ND_NODEIP_H
#define ND_NODEIP_H

#include <stdbool.h>
#include <stddef.h>

struct nd_arena;

/* One Talos machine config (the v1alpha1 document of a multi-doc file). */
struct nd_mc {
	char		*path;
	int		 line;		/* of the v1alpha1 document */
	char		*type;		/* machine.type: controlplane, worker, init */
	char		*hostname;	/* machine.network.hostname, or NULL */
	char		**addresses;	/* static CIDRs: interfaces[].addresses,
					   NULL-terminated, "10.0.0.5/24" */
	char		**vips;		/* interfaces[].vip.ip and
					   interfaces[].vlans[].vip.ip */
	char		**valid_subnets;	/* machine.kubelet.nodeIP
					   .validSubnets, as written ("!" kept) */
	char		**pod_subnets;	/* cluster.network.podSubnets
					   (default 10.244.0.0/16) */
	char		**service_subnets;	/* cluster.network.serviceSubnets
					   (default 10.96.0.0/12) */
	char		*endpoint;	/* cluster.controlPlane.endpoint */
	char		**etcd_subnets;	/* cluster.etcd.advertisedSubnets */
	char		**nameservers;	/* machine.network.nameservers */
	char		**vip_keys;	/* where each of vips comes from,
					   "interfaces[0].vip.ip", parallel */
};

/*
 * Loads every v1alpha1 machine config in path (multi-document YAML as
 * `talosctl gen config` and talhelper write it; other documents are
 * skipped).  Returns 0 with *ret (NULL-terminated array), or a negative
 * errno with one line in err naming the file and line.  Bounded like
 * netdoctor.yaml: size, depth, node count, no aliases.
 */
int	nd_mc_load(struct nd_arena *, const char *path, struct nd_mc ***ret,
	    char *err, size_t errlen);

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
};

/*
 * Computes the node IP Talos would pick for mc from addrs (the node's
 * addresses, CIDR or bare, NULL-terminated; NULL means mc's own static
 * addresses), following Talos: validSubnets (default 0.0.0.0/0 and ::/0)
 * applied in order, a positive subnet adding matches and a "!" one
 * removing them (siderolabs/net FilterIPs), with pod subnets, service
 * subnets and every VIP excluded; etcd: advertisedSubnets when set, else
 * the first routable address, VIPs excluded.  All strings arena-owned.
 */
void	nd_nodeip_compute(struct nd_arena *, const struct nd_mc *mc,
	    const char *const *addrs, struct nd_nodeip *ret);

#endif /* ND_NODEIP_H */
