/*
 * mc.h - Talos machine configs: the few keys of a multi-document machine
 * config file (as `talosctl gen config` and talhelper write it) that the
 * node-IP computation (nodeip.h) and the address plan need.
 */
#ifndef ND_MC_H
#define ND_MC_H

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
	/*
	 * The tailscale system extension (an ExtensionServiceConfig document
	 * named tailscale, docs/tailscale.md): tailscale0 gets a 100.64.0.0/10
	 * and an fd7a:115c:a1e0::/48 address at run time that no key above
	 * lists.  Only TS_ROUTES and TS_SERVE_CONFIG (and the serve file it
	 * names) are read from it: TS_AUTHKEY and the rest are secrets and
	 * are never copied.
	 */
	int		 ts_line;	/* that document's line; 0: none */
	char		**ts_routes;	/* TS_ROUTES, one prefix each */
	struct nd_mc_tls_port {
		unsigned	 port;
		const char	*how;	/* "\"HTTPS\": true", "TerminateTLS" */
	}		*ts_serve_tls;	/* serve ports where tailscaled ends TLS */
	size_t		 nts_serve_tls;
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

/*
 * A growing NULL-terminated array of arena strings, the shape of every
 * list in struct nd_mc and struct nd_nodeip: for the loader and the
 * node-IP computation.
 */
struct nd_mc_strv {
	char		**v;
	size_t		  n, cap;
};

void	nd_mc_strv_push(struct nd_arena *, struct nd_mc_strv *, char *s);
/* The array; an empty one rather than NULL, so callers can iterate. */
char	**nd_mc_strv_done(struct nd_arena *, struct nd_mc_strv *);

#endif /* ND_MC_H */
