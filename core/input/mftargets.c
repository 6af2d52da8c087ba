/*
 * mftargets.c - the targets --manifests implies (see mftargets.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ares.h>

#include "arena.h"
#include "config.h"
#include "discover.h"
#include "manifests.h"
#include "mftargets.h"

/* A Cilium interface regex that names one interface: "^eth0$", "eth0". */
static const char *
plain_iface(struct nd_arena *a, const char *re)
{
	size_t n;
	const char *p;

	if (*re == '^')
		re++;
	n = strlen(re);
	if (n > 0 && re[n - 1] == '$')
		n--;
	if (n == 0 || n >= 16)
		return NULL;
	for (p = re; p < re + n; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.@", *p) == NULL)
			return NULL;
	return nd_arena_strndup(a, re, n);
}

static bool
listed(char *const *v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* Whether netdoctor.yaml's dns.expect already names host. */
static bool
cfg_expects(const struct nd_config *cfg, const char *host)
{
	size_t i;

	for (i = 0; cfg != NULL && cfg->dns_servers != NULL &&
	    i < cfg->ndns_expect; i++)
		if (strcasecmp(cfg->dns_expect[i].name, host) == 0)
			return true;
	return false;
}

/* The first nameserver c-ares reads from /etc/resolv.conf, or NULL. */
static const char *
system_nameserver(struct nd_arena *a)
{
	struct ares_addr_port_node *list = NULL;
	ares_channel ch;
	char buf[INET6_ADDRSTRLEN];
	const char *ret = NULL;

	if (ares_init(&ch) != ARES_SUCCESS)
		return NULL;
	if (ares_get_servers_ports(ch, &list) == ARES_SUCCESS && list != NULL &&
	    inet_ntop(list->family, &list->addr, buf, sizeof(buf)) != NULL)
		ret = nd_arena_strdup(a, buf);
	ares_free_data(list);
	ares_destroy(ch);
	return ret;
}

/* Every LoadBalancer IPv4 address on one arp:// target. */
static void
arp_targets(struct nd_arena *a, const struct nd_manifests *mf,
    const struct nd_config *cfg, struct nd_discovery *d)
{
	const char *iface = cfg != NULL ? cfg->l2_interface : NULL, *how;
	char *ips = NULL, **seen;
	size_t i, k, n = 0, total = 0;

	how = "l2.interface";
	for (i = 0; iface == NULL && mf->policies[i] != NULL; i++)
		for (k = 0; iface == NULL && mf->policies[i]->interfaces != NULL &&
		    mf->policies[i]->interfaces[k] != NULL; k++)
			if ((iface = plain_iface(a,
			    mf->policies[i]->interfaces[k])) != NULL)
				how = nd_arena_printf(a, "%s's interfaces",
				    mf->policies[i]->name);
	for (i = 0; mf->lbs[i] != NULL; i++)
		for (k = 0; mf->lbs[i]->ips[k] != NULL; k++)
			total++;
	seen = nd_arena_alloc(a, (total + 1) * sizeof(*seen));
	for (i = 0; mf->lbs[i] != NULL; i++)
		for (k = 0; mf->lbs[i]->ips[k] != NULL; k++) {
			char *ip = mf->lbs[i]->ips[k];

			/* l2.addresses already become an arp:// target. */
			if (strchr(ip, ':') != NULL || (cfg != NULL &&
			    listed(cfg->l2_addresses, ip)) || listed(seen, ip))
				continue;
			ips = nd_arena_printf(a, "%s%s%s", ips != NULL ? ips : "",
			    ips != NULL ? "," : "", ip);
			seen[n++] = ip;
		}
	if (n == 0)
		return;
	if (iface == NULL) {
		nd_discovery_note(a, d, "manifests: %zu LoadBalancer IP%s, but "
		    "no interface to ask ARP on (l2.interface in netdoctor.yaml, "
		    "or a plain name in a CiliumL2AnnouncementPolicy): no ARP "
		    "check", n, n == 1 ? "" : "s");
		return;
	}
	nd_discovery_add(a, d, nd_arena_printf(a, "arp://%s/%s", iface, ips),
	    nd_arena_printf(a, "manifests: LoadBalancer IPs, interface from "
	    "%s", how));
}

/* Every route hostname should resolve to its Gateway's addresses. */
static void
dns_targets(struct nd_arena *a, const struct nd_manifests *mf,
    const struct nd_config *cfg, struct nd_discovery *d)
{
	const char *sys = NULL, *const *servers;
	const char *one[2] = { NULL, NULL };
	size_t i, k, s, e;
	char **ips;

	servers = cfg != NULL && cfg->dns_servers != NULL &&
	    cfg->dns_servers[0] != NULL ?
	    (const char *const *)cfg->dns_servers : NULL;
	for (i = 0; mf->routes[i] != NULL; i++) {
		const struct nd_mf_route *r = mf->routes[i];

		ips = nd_manifests_route_ips(a, mf, r);
		for (k = 0; ips[0] != NULL && r->hostnames[k] != NULL; k++) {
			const char *h = r->hostnames[k], *v4 = NULL;
			char *exp = NULL;

			if (strchr(h, '*') != NULL || cfg_expects(cfg, h))
				continue;	/* a wildcard names no record;
						   dns.expect already asks */
			for (e = 0; ips[e] != NULL; e++)
				if (strchr(ips[e], ':') == NULL)
					exp = nd_arena_printf(a, "%s%s%s", exp !=
					    NULL ? exp : "", exp != NULL ? "," :
					    "", v4 = ips[e]);
			if (v4 == NULL)
				continue;
			if (servers == NULL) {
				if (sys == NULL && (sys =
				    system_nameserver(a)) == NULL) {
					nd_discovery_note(a, d, "manifests: no "
					    "dns.servers and no nameserver in "
					    "/etc/resolv.conf: no DNS check");
					return;
				}
				one[0] = sys;
				servers = one;
			}
			for (s = 0; servers[s] != NULL; s++)
				nd_discovery_add(a, d, nd_arena_printf(a,
				    strchr(servers[s], ':') != NULL ?
				    "dns://[%s]/%s?expect=%s" :
				    "dns://%s/%s?expect=%s", servers[s], h, exp),
				    nd_arena_printf(a, "manifests: %s %s/%s (%s)",
				    r->kind, r->ns, r->name, r->src));
		}
	}
}

/*
 * The listener of gw that serves host for a route attached through ref:
 * its sectionName and port, then a hostname that covers host.  When no
 * listener covers host (the Gateway will refuse the route: reason
 * NoMatchingListenerHostname), the listeners on the ref's section and
 * port still say how the Gateway's address answers.  HTTPS wins over
 * HTTP; NULL when the Gateway names no HTTP or HTTPS listener there.
 */
static const struct nd_mf_listener *
web_listener(const struct nd_mf_lb *gw, const struct nd_mf_parentref *ref,
    const char *host)
{
	const struct nd_mf_listener *best = NULL;
	size_t i;
	int pass;

	for (pass = 0; pass < 2 && best == NULL; pass++)
		for (i = 0; gw->listeners[i] != NULL; i++) {
			const struct nd_mf_listener *l = gw->listeners[i];
			bool https;

			if (l->protocol == NULL || (ref->section != NULL &&
			    (l->name == NULL || strcmp(l->name,
			    ref->section) != 0)) || (ref->port != 0 &&
			    l->port != ref->port) || (pass == 0 &&
			    !nd_manifests_host_match(l->hostname, host)))
				continue;
			https = strcmp(l->protocol, "HTTPS") == 0;
			if (https && (best == NULL ||
			    strcmp(best->protocol, "HTTPS") != 0))
				best = l;
			else if (best == NULL && strcmp(l->protocol, "HTTP") == 0)
				best = l;
		}
	return best;
}

/*
 * The first IPv4 address of gw (IPv6 when it has none), as nd-connect
 * writes it with a port: "10.0.0.1:8443", "[fd00::1]:8443".
 */
static const char *
web_connect(struct nd_arena *a, const struct nd_mf_lb *gw, int port,
    int dflt)
{
	const char *ip = NULL;
	size_t i;

	for (i = 0; ip == NULL && gw->ips[i] != NULL; i++)
		if (strchr(gw->ips[i], ':') == NULL)
			ip = gw->ips[i];
	if (ip == NULL && (ip = gw->ips[0]) == NULL)
		return NULL;
	if (port == 0 || port == dflt)
		return ip;
	return nd_arena_printf(a, strchr(ip, ':') != NULL ? "[%s]:%d" :
	    "%s:%d", ip, port);
}

/*
 * The last link of the chain: every HTTPRoute hostname fetched through
 * its Gateway's address with the name as Host and SNI, https:// unless
 * the listener that takes it is HTTP only.
 */
static void
web_targets(struct nd_arena *a, const struct nd_manifests *mf,
    struct nd_discovery *d)
{
	size_t i, j, k;

	for (i = 0; mf->routes[i] != NULL; i++) {
		const struct nd_mf_route *r = mf->routes[i];

		if (strcmp(r->kind, "HTTPRoute") != 0)
			continue;	/* gRPC and TLS passthrough: no GET / */
		for (j = 0; r->refs[j] != NULL; j++) {
			const struct nd_mf_lb *gw = nd_manifests_gateway(mf,
			    r->refs[j]->gw);

			for (k = 0; gw != NULL && r->hostnames[k] != NULL; k++) {
				const char *h = r->hostnames[k], *c;
				const struct nd_mf_listener *l;
				bool https;

				if (strchr(h, '*') != NULL)
					continue;	/* no one name to ask */
				l = web_listener(gw, r->refs[j], h);
				https = l == NULL || strcmp(l->protocol,
				    "HTTPS") == 0;
				if ((c = web_connect(a, gw, l != NULL ? l->port :
				    0, https ? 443 : 80)) == NULL)
					continue;
				nd_discovery_add(a, d, nd_arena_printf(a,
				    "%s://%s/?nd-connect=%s", https ? "https" :
				    "http", h, c), nd_arena_printf(a,
				    "manifests: %s %s/%s via Gateway %s (%s)",
				    r->kind, r->ns, r->name, r->refs[j]->gw,
				    r->src));
			}
		}
	}
}

/* Says what the Gateway API status sections hold, or that none does. */
static void
status_note(struct nd_arena *a, const struct nd_manifests *mf,
    struct nd_discovery *d)
{
	size_t i, with = 0, without = 0;

	for (i = 0; mf->lbs[i] != NULL; i++)
		if (strcmp(mf->lbs[i]->kind, "Gateway") == 0) {
			with += mf->lbs[i]->has_status;
			without += !mf->lbs[i]->has_status;
		}
	for (i = 0; mf->routes[i] != NULL; i++) {
		with += mf->routes[i]->has_status;
		without += !mf->routes[i]->has_status;
	}
	if (with + without == 0)
		return;
	if (with == 0) {
		nd_discovery_note(a, d, "manifests: %zu Gateway API object%s "
		    "without a status section (plain manifests): no Gateway "
		    "status check; give --manifests the output of kubectl get "
		    "gateway,httproute,grpcroute -A -o yaml for one", without,
		    without == 1 ? "" : "s");
		return;
	}
	nd_discovery_note(a, d, "manifests: %zu Gateway API object%s with a "
	    "status section (gateway://)%s", with, with == 1 ? "" : "s",
	    without > 0 ? nd_arena_printf(a, ", %zu without one, not judged",
	    without) : "");
}

void
nd_manifests_targets(struct nd_arena *a, const struct nd_manifests *mf,
    const struct nd_config *cfg, struct nd_discovery *d)
{
	size_t nb = 0, nl = 0, nr = 0;

	while (mf->blocks[nb] != NULL)
		nb++;
	while (mf->lbs[nl] != NULL)
		nl++;
	while (mf->routes[nr] != NULL)
		nr++;
	nd_discovery_note(a, d, "manifests: %zu files, %zu objects: %zu pool "
	    "block%s, %zu LoadBalancer Service%s/Gateway%s, %zu route%s",
	    mf->nfiles, mf->ndocs, nb, nb == 1 ? "" : "s", nl,
	    nl == 1 ? "" : "s", nl == 1 ? "" : "s", nr, nr == 1 ? "" : "s");
	status_note(a, mf, d);
	arp_targets(a, mf, cfg, d);
	dns_targets(a, mf, cfg, d);
	web_targets(a, mf, d);
}
