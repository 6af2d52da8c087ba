/*
 * probe_nodeip.c - the kubelet node IP and etcd address Talos would pick
 * for each machine config in machineconfig://PATH (--machine-config,
 * machine_configs:), computed before anything is applied (core/nodeip.c
 * does the computation the way Talos does, docs/talos.md 6).
 *
 * When the node is this host (one of the config's static addresses, or
 * its hostname, is this host's), the computation uses this host's live
 * addresses instead of the config's, as Talos would.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "nodeip.h"
#include "probe.h"
#include "target.h"
#include "util.h"

/* "a | b | c", bounded, for evidence. */
static const char *
nodeip_join(struct nd_arena *a, char *const *v, const char *sep)
{
	char buf[1024];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; v != NULL && v[i] != NULL && o + 4 < sizeof(buf); i++) {
		size_t n = strlen(v[i]);

		if (o + n + strlen(sep) + 4 >= sizeof(buf)) {
			snprintf(buf + o, sizeof(buf) - o, "%s...", i ? sep : "");
			break;
		}
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i ? sep : "", v[i]);
	}
	return nd_arena_strdup(a, buf);
}

/* This host's IPv4/IPv6 addresses as CIDRs, or NULL if the node is not us. */
static const char **
nodeip_local(struct nd_probe *p, const struct nd_mc *mc)
{
	struct ifaddrs *ifa = NULL, *i;
	const char **v = NULL;
	char host[256] = "";
	size_t n = 0, k;
	bool ours = false;

	if (getifaddrs(&ifa) < 0)
		return NULL;
	if (gethostname(host, sizeof(host) - 1) == 0 && mc->hostname != NULL &&
	    strcmp(host, mc->hostname) == 0)
		ours = true;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		char a[INET6_ADDRSTRLEN], cidr[INET6_ADDRSTRLEN + 16];
		const void *raw;
		int fam, bits = 0;

		if (i->ifa_addr == NULL)
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		raw = fam == AF_INET ?
		    (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		inet_ntop(fam, raw, a, sizeof(a));
		if (strcmp(a, "127.0.0.1") == 0 || strcmp(a, "::1") == 0)
			continue;
		if (i->ifa_netmask != NULL) {
			const uint8_t *m = fam == AF_INET ? (const uint8_t *)
			    &((struct sockaddr_in *)i->ifa_netmask)->sin_addr :
			    (const uint8_t *)&((struct sockaddr_in6 *)
			    i->ifa_netmask)->sin6_addr;

			for (k = 0; k < (fam == AF_INET ? 4u : 16u); k++)
				bits += __builtin_popcount(m[k]);
		}
		snprintf(cidr, sizeof(cidr), "%s/%d", a, bits);
		for (k = 0; mc->addresses != NULL && mc->addresses[k] != NULL;
		    k++)
			if (strncmp(mc->addresses[k], a, strlen(a)) == 0 &&
			    mc->addresses[k][strlen(a)] == '/')
				ours = true;
		v = nd_arena_grow(p->run->arena, v, n, n + 2, sizeof(*v));
		v[n++] = nd_arena_strdup(p->run->arena, cidr);
	}
	freeifaddrs(ifa);
	return ours ? v : NULL;
}

static bool
nodeip_cgnat(const char *ip)
{
	struct in_addr a;

	return inet_pton(AF_INET, ip, &a) == 1 &&
	    (ntohl(a.s_addr) >> 22) == (100u << 2 | 1);	/* 100.64.0.0/10 */
}

/* Whether ip is one of mc's VIPs (never an underlay the node could use). */
static bool
nodeip_is_vip(const struct nd_mc *mc, const char *ip)
{
	size_t i;

	for (i = 0; mc->vips != NULL && mc->vips[i] != NULL; i++)
		if (strcmp(mc->vips[i], ip) == 0)
			return true;
	return false;
}

static void
nodeip_evidence(struct nd_probe *p, struct nd_finding *f,
    const struct nd_mc *mc, const struct nd_nodeip *r, bool local)
{
	struct nd_arena *a = p->run->arena;
	size_t i;

	nd_evidence_add(f, "machine_config", "%s:%d", mc->path, mc->line);
	if (mc->hostname != NULL)
		nd_evidence_add(f, "hostname", "%s", mc->hostname);
	nd_evidence_add(f, "addresses_from", "%s", local ? "this host" :
	    "the machine config");
	nd_evidence_add(f, "valid_subnets", "%s", mc->valid_subnets != NULL ?
	    nodeip_join(a, mc->valid_subnets, ", ") : "(default: all)");
	nd_evidence_add(f, "candidates", "%s", nodeip_join(a, r->candidates,
	    ", "));
	if (r->excluded != NULL && r->excluded[0] != NULL)
		nd_evidence_add(f, "excluded", "%s", nodeip_join(a, r->excluded,
		    ", "));
	if (mc->ts_line > 0)
		nd_evidence_add(f, "tailscale_extension", "ExtensionServiceConfig "
		    "tailscale on line %d: tailscale0 gets a 100.64.0.0/10 "
		    "address from the tailnet at run time that the config does "
		    "not list%s", mc->ts_line, r->ts_addr != NULL ?
		    nd_arena_printf(a, "; %s stands for it", r->ts_addr) : "");
	if (mc->ts_routes != NULL && mc->ts_routes[0] != NULL)
		nd_evidence_add(f, "tailscale_routes", "%s (TS_ROUTES: the "
		    "subnets this node advertises to the tailnet)",
		    nodeip_join(a, mc->ts_routes, ", "));
	/* Numbered keys: evidence is a JSON object in probes[].findings[]. */
	for (i = 0; r->trace != NULL && r->trace[i] != NULL; i++)
		nd_evidence_add(f, nd_arena_printf(a, "step.%zu", i + 1), "%s",
		    r->trace[i]);
}

/*
 * nameservers in 100.64.0.0/10 (MagicDNS is 100.100.100.100) only answer
 * through a Tailscale interface: with none on the node, every lookup
 * times out.  The candidates are the node's addresses.
 */
static void
nodeip_nameservers(struct nd_probe *p, const struct nd_mc *mc,
    const struct nd_nodeip *r, bool local, enum nd_status *st)
{
	struct nd_finding *f;
	size_t i;

	for (i = 0; r->candidates != NULL && r->candidates[i] != NULL; i++)
		if (nodeip_cgnat(r->candidates[i]))
			return;		/* a Tailscale address: it can work */
	for (i = 0; mc->nameservers != NULL && mc->nameservers[i] != NULL; i++)
		if (nodeip_cgnat(mc->nameservers[i]))
			break;
	if (mc->nameservers == NULL || mc->nameservers[i] == NULL)
		return;
	f = nd_finding_add(p, ND_F_NODEIP_OVERLAY_SUBNET, "%s: nameserver %s "
	    "is in the CGNAT/Tailscale range%s, but the node has no address "
	    "there (no Tailscale interface): its DNS lookups will time out",
	    mc->hostname != NULL ? mc->hostname : mc->path, mc->nameservers[i],
	    strcmp(mc->nameservers[i], "100.100.100.100") == 0 ?
	    " (Tailscale MagicDNS)" : "");
	nd_evidence_add(f, "nameservers", "%s", nodeip_join(p->run->arena,
	    mc->nameservers, ", "));
	nodeip_evidence(p, f, mc, r, local);
	if (*st == ND_PASS)
		*st = ND_WARN;
}

/*
 * With no address known (a DHCP node that is not this host), a missing
 * node IP is certain only when every positive validSubnet is one VIP as a
 * host route: nothing DHCP gives can match it.
 */
static bool
nodeip_subnets_only_vips(const struct nd_mc *mc)
{
	char ip[64];
	size_t i, n;
	bool any = false;

	for (i = 0; mc->valid_subnets != NULL && mc->valid_subnets[i] != NULL;
	    i++) {
		const char *s = mc->valid_subnets[i];

		if (s[0] == '!')
			continue;
		n = strcspn(s, "/");
		if (n >= sizeof(ip) || (strcmp(s + n, "/32") != 0 &&
		    strcmp(s + n, "/128") != 0 && s[n] != '\0'))
			return false;
		memcpy(ip, s, n);
		ip[n] = '\0';
		if (!nodeip_is_vip(mc, ip))
			return false;
		any = true;
	}
	return any;
}

/* How an address is said: the extension's stand-in is not a real one. */
static const char *
nodeip_show(struct nd_probe *p, const struct nd_nodeip *r, const char *ip)
{
	if (r->ts_addr != NULL && ip != NULL && strcmp(ip, r->ts_addr) == 0)
		return nd_arena_printf(p->run->arena, "tailscale0's 100.64.0.0/10 "
		    "address (%s stands for it: the tailscale extension adds it "
		    "at run time)", ip);
	return ip;
}

/*
 * The serve config the extension's TS_SERVE_CONFIG names, when it cuts TLS
 * in front of the Kubernetes or Talos API: seen before the node boots.
 */
static void
nodeip_serve(struct nd_probe *p, const struct nd_mc *mc, enum nd_status *st)
{
	const char *name = mc->hostname != NULL ? mc->hostname : mc->path;
	struct nd_finding *f;
	size_t i;

	for (i = 0; i < mc->nts_serve_tls; i++) {
		unsigned port = mc->ts_serve_tls[i].port;

		if (port != 6443 && port != 50000)
			continue;
		f = nd_finding_add(p, ND_F_TAILSCALE_SERVE_TERMINATES_TLS, "%s: "
		    "the tailscale extension's serve config terminates TLS on "
		    "port %u (%s): the %s API's client certificates never reach "
		    "it", name, port, mc->ts_serve_tls[i].how, port == 6443 ?
		    "Kubernetes" : "Talos");
		nd_evidence_add(f, "port", "%u", port);
		nd_evidence_add(f, "handler", "%s", mc->ts_serve_tls[i].how);
		nd_evidence_add(f, "source", "TS_SERVE_CONFIG in the "
		    "ExtensionServiceConfig tailscale (%s, line %d)", mc->path,
		    mc->ts_line);
		if (*st == ND_PASS)
			*st = ND_WARN;
	}
}

static void
nodeip_one(struct nd_probe *p, const struct nd_mc *mc, enum nd_status *st)
{
	const char **local = nodeip_local(p, mc);
	const char *name = mc->hostname != NULL ? mc->hostname : mc->path;
	struct nd_nodeip r;
	struct nd_finding *f;
	size_t i;

	nd_nodeip_compute(p->run->arena, mc, local, &r);
	nodeip_serve(p, mc, st);
	if (local == NULL && (mc->addresses == NULL || mc->addresses[0] ==
	    NULL) && !nodeip_subnets_only_vips(mc)) {
		f = nd_finding_add(p, ND_F_NODEIP_ADDRESSES_UNKNOWN, "%s: no "
		    "static address and not this host (DHCP): the node IP "
		    "depends on the lease", name);
		nodeip_evidence(p, f, mc, &r, false);
		nodeip_nameservers(p, mc, &r, false, st);
		return;
	}
	if (r.node_ip == NULL && r.node_ip6 == NULL) {
		f = nd_finding_add(p, r.only_vips ? ND_F_NODEIP_VIP_EXCLUDED :
		    ND_F_NODEIP_NO_VALID_ADDRESS, r.only_vips ? "%s: "
		    "validSubnets matches only VIPs, which Talos excludes: the "
		    "kubelet gets no node IP (Talos: \"no suitable node IP "
		    "found\")" : "%s: no address matches validSubnets: the "
		    "kubelet gets no node IP", name);
		nodeip_evidence(p, f, mc, &r, local != NULL);
		/* The fix names an address the node could use instead: its
		   own (static or live), else a placeholder (DHCP). */
		for (i = 0; r.candidates != NULL && r.candidates[i] != NULL;
		    i++)
			if (!nodeip_is_vip(mc, r.candidates[i]))
				break;
		nd_evidence_add(f, "node_address", "%s", r.candidates != NULL &&
		    r.candidates[i] != NULL ? r.candidates[i] : "NODE_ADDRESS");
		*st = ND_FAIL;
		return;
	}
	if (r.overlay != NULL && r.overlay[0] != NULL) {
		for (i = 0; r.candidates != NULL && r.candidates[i] != NULL; i++)
			if (!nodeip_cgnat(r.candidates[i]) &&
			    !nodeip_is_vip(mc, r.candidates[i]))
				break;
		f = nd_finding_add(p, ND_F_NODEIP_OVERLAY_SUBNET, "%s: the "
		    "kubelet node IP would be %s, in the CGNAT/Tailscale range"
		    "%s%s", name, nodeip_show(p, &r, r.overlay[0]),
		    r.candidates != NULL &&
		    r.candidates[i] != NULL ? ", while the node also has " : "",
		    r.candidates != NULL && r.candidates[i] != NULL ?
		    r.candidates[i] : "");
		nodeip_evidence(p, f, mc, &r, local != NULL);
		if (*st == ND_PASS)
			*st = ND_WARN;
	}
	nodeip_nameservers(p, mc, &r, local != NULL, st);
	if (r.etcd_ip != NULL && r.node_ip != NULL &&
	    strcmp(r.etcd_ip, r.node_ip) != 0) {
		f = nd_finding_add(p, ND_F_ETCD_SUBNET_MISMATCH, "%s: etcd would "
		    "advertise %s, the kubelet node IP is %s", name,
		    nodeip_show(p, &r, r.etcd_ip), nodeip_show(p, &r,
		    r.node_ip));
		nd_evidence_add(f, "etcd_advertised_subnets", "%s",
		    mc->etcd_subnets != NULL ? nodeip_join(p->run->arena,
		    mc->etcd_subnets, ", ") : "(not set: the first routed "
		    "address)");
		nodeip_evidence(p, f, mc, &r, local != NULL);
		if (*st == ND_PASS)
			*st = ND_WARN;
	}
	f = nd_finding_add(p, ND_F_NODEIP_OK, "%s: the kubelet node IP would "
	    "be %s%s%s", name, r.node_ip != NULL ? r.node_ip : "",
	    r.node_ip != NULL && r.node_ip6 != NULL ? " and " : "",
	    r.node_ip6 != NULL ? r.node_ip6 : "");
	nodeip_evidence(p, f, mc, &r, local != NULL);
	if (r.etcd_ip != NULL)
		nd_evidence_add(f, "etcd_ip", "%s", r.etcd_ip);
}

static int
nodeip_start(struct nd_probe *p)
{
	struct nd_mc **mcs = p->target->x->mcs;
	enum nd_status st = ND_PASS;
	size_t i;

	/* main loaded the configs (a bad file is an exit-3 error there). */
	if (mcs == NULL) {
		nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR, "%s was not loaded",
		    p->target->x->path);
		nd_probe_done(p, ND_ERROR);
		return 0;
	}
	for (i = 0; mcs[i] != NULL; i++)
		nodeip_one(p, mcs[i], &st);
	nd_probe_done(p, st);
	return 0;
}

const struct nd_probe_ops nd_probe_nodeip = {
	.name = "nodeip",
	.layer = ND_L_CONFIG,
	.start = nodeip_start,
};
