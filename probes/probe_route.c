/*
 * probe_route.c - does this host have a route to the target?
 *
 * Two RTM_GETROUTE requests on one non-blocking rtnetlink socket: a plain
 * one (`ip route get ADDR`: interface, gateway, preferred source) and one
 * with RTM_F_FIB_MATCH (`ip route get fibmatch ADDR`: the table entry that
 * matched, so a private target reached only through the default route can
 * be told apart).  The kernel's errno is the verdict when there is no
 * route: ENETUNREACH no entry, EHOSTUNREACH an `unreachable` route, EINVAL
 * a `blackhole`, EACCES a `prohibit` route (checked on Linux 6.x with
 * iproute2).  One instance serves every target with the same address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>

#include "arena.h"
#include "netaddr.h"
#include "probe.h"
#include "target.h"
#include "util.h"

struct route_ctx {
	struct nl_sock		*sk;
	int			 fd;
	uint32_t		 seq[2];	/* plain, fibmatch */
	bool			 answered[2];
	int			 kerr[2];	/* kernel errno, 0 = route */
	struct rtnl_route	*route[2];
};

static const char *const route_needs[] = { "resolve", NULL };

static int
route_share_key(const struct nd_probe *p, char *buf, size_t len)
{
	if (p->ep->addrlen == 0)
		return -EINVAL;
	nd_strlcpy(buf, p->ep->addrstr, len);
	return 0;
}

static void
route_cancel(struct nd_probe *p)
{
	struct route_ctx *c = p->ctx;
	int i;

	if (c->sk != NULL) {
		nd_loop_fd_del(p->run->loop, c->fd);
		nl_socket_free(c->sk);	/* closes the fd */
		c->sk = NULL;
	}
	for (i = 0; i < 2; i++) {
		if (c->route[i] != NULL)
			rtnl_route_put(c->route[i]);
		c->route[i] = NULL;
	}
}

static int
route_slot(const struct route_ctx *c, uint32_t seq)
{
	return seq == c->seq[0] ? 0 : seq == c->seq[1] ? 1 : -1;
}

static int
route_on_valid(struct nl_msg *msg, void *arg)
{
	struct route_ctx *c = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	int i = route_slot(c, h->nlmsg_seq);

	if (i < 0 || c->answered[i] || h->nlmsg_type != RTM_NEWROUTE)
		return NL_SKIP;
	if (rtnl_route_parse(h, &c->route[i]) < 0)
		c->kerr[i] = EBADMSG;
	c->answered[i] = true;
	return NL_OK;
}

static int
route_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct route_ctx *c = arg;
	int i = route_slot(c, e->msg.nlmsg_seq);

	(void)nla;
	if (i >= 0 && !c->answered[i]) {
		c->kerr[i] = e->error < 0 ? -e->error : e->error;
		c->answered[i] = true;
	}
	return NL_SKIP;
}

static void
route_facts(struct nd_probe *p, const char *oif, const char *gw,
    const char *src)
{
	/* The route probe is the one writer of these facts. */
	nd_facts_set_route(p, oif, gw, src);
}

static void
route_no_route(struct nd_probe *p, int kerr)
{
	const char *addr = p->ep->addrstr;
	struct nd_finding *f;

	switch (kerr) {
	case ENETUNREACH:
		f = nd_finding_add(p, ND_F_ROUTE_NO_ROUTE,
		    "this host has no route to %s: the kernel says "
		    "\"Network is unreachable\"", addr);
		break;
	case EHOSTUNREACH:
		f = nd_finding_add(p, ND_F_ROUTE_NO_ROUTE,
		    "an 'unreachable' route covers %s: the kernel says "
		    "\"No route to host\"", addr);
		nd_evidence_add(f, "route_type", "unreachable");
		break;
	case EINVAL:
		f = nd_finding_add(p, ND_F_ROUTE_BLACKHOLE,
		    "a blackhole route covers %s: packets to it are discarded "
		    "on this host", addr);
		nd_evidence_add(f, "route_type", "blackhole");
		break;
	case EACCES:
		f = nd_finding_add(p, ND_F_ROUTE_BLACKHOLE,
		    "a prohibit route covers %s: the kernel refuses to send "
		    "to it", addr);
		nd_evidence_add(f, "route_type", "prohibit");
		break;
	default:
		nd_probe_local_error(p, kerr, "look up the route");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	nd_evidence_add(f, "addr", "%s", addr);
	nd_evidence_add(f, "errno", "%d", kerr);
	nd_evidence_add(f, "error", "%s", strerror(kerr));
	nd_probe_done(p, ND_FAIL);
}

static void
route_verdict(struct nd_probe *p)
{
	struct route_ctx *c = p->ctx;
	struct rtnl_route *r = c->route[0], *fib = c->route[1];
	struct rtnl_nexthop *nh;
	struct nl_addr *a;
	char oif[IF_NAMESIZE] = "", gw[64] = "", src[64] = "", dst[64] = "";
	const char *range;
	int prefixlen = -1, type;
	struct nd_finding *f;

	if (c->kerr[0] != 0 || r == NULL) {
		route_no_route(p, c->kerr[0] ? c->kerr[0] : EBADMSG);
		return;
	}
	type = rtnl_route_get_type(r);
	if (rtnl_route_get_nnexthops(r) > 0) {
		nh = rtnl_route_nexthop_n(r, 0);
		if_indextoname((unsigned)rtnl_route_nh_get_ifindex(nh), oif);
		if ((a = rtnl_route_nh_get_gateway(nh)) != NULL)
			nl_addr2str(a, gw, sizeof(gw));
	}
	if ((a = rtnl_route_get_pref_src(r)) != NULL)
		nl_addr2str(a, src, sizeof(src));
	if (fib != NULL && c->kerr[1] == 0 &&
	    (a = rtnl_route_get_dst(fib)) != NULL) {
		prefixlen = (int)nl_addr_get_prefixlen(a);
		if (prefixlen == 0)
			nd_strlcpy(dst, "default", sizeof(dst));
		else
			nl_addr2str(a, dst, sizeof(dst));
	}
	route_facts(p, oif, gw, src);

	f = nd_finding_add(p, ND_F_ROUTE_OK, "%s is routed via %s%s%s",
	    p->ep->addrstr, oif[0] ? oif : "?", gw[0] ? " gateway " : "",
	    gw);
	nd_evidence_add(f, "oif", "%s", oif);
	if (gw[0] != '\0')
		nd_evidence_add(f, "gateway", "%s", gw);
	if (src[0] != '\0')
		nd_evidence_add(f, "src", "%s", src);
	if (dst[0] != '\0')
		nd_evidence_add(f, "matched", "%s", dst);
	if (type == RTN_LOCAL)
		nd_evidence_add(f, "route_type", "local");
	/* tailscaled's interface on Linux (tailscale cmd/tailscaled
	   defaultTunName): the path depends on the tailnet, not the LAN. */
	if (strcmp(oif, "tailscale0") == 0)
		nd_evidence_add(f, "via", "tailscale0: Tailscale carries it (a "
		    "subnet route accepted from a peer, or a tailnet address); "
		    "tailscale status shows the peer");

	/*
	 * A private or container-range address that only the default route
	 * covers: the classic "host cannot route to the Docker bridge".  It is
	 * only a note here (a home router does route its own LANs); diagnosis
	 * promotes it when something above times out or is unreachable.
	 */
	range = nd_addr_private_range((const struct sockaddr *)&p->ep->addr);
	if (range != NULL && prefixlen == 0 && gw[0] != '\0') {
		f = nd_finding_add(p, ND_F_ROUTE_UNROUTABLE_PRIVATE,
		    "%s is in the %s range, but this host reaches it only "
		    "through its default gateway %s (%s)", p->ep->addrstr,
		    range, gw, oif);
		f->sev = ND_SEV_INFO;
		nd_evidence_add(f, "addr", "%s", p->ep->addrstr);
		nd_evidence_add(f, "range", "%s", range);
		nd_evidence_add(f, "matched", "default");
		nd_evidence_add(f, "gateway", "%s", gw);
		nd_evidence_add(f, "oif", "%s", oif);
	}
	nd_probe_done(p, ND_PASS);
}

static void
route_on_readable(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_probe *p = arg;
	struct route_ctx *c = p->ctx;
	struct nl_cb *cb;
	int rc;

	(void)l;
	(void)fd;
	(void)ev;
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (cb == NULL) {
		nd_probe_local_error(p, ENOMEM, "read the route");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, route_on_valid, c);
	nl_cb_err(cb, NL_CB_CUSTOM, route_on_error, c);
	/* Two requests share the socket; replies are told apart by seq. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, NULL, NULL);
	rc = nl_recvmsgs(c->sk, cb);
	nl_cb_put(cb);
	if (rc < 0 && rc != -NLE_AGAIN) {
		nd_probe_local_error(p, EIO, "read the route");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	if (c->answered[0] && c->answered[1])
		route_verdict(p);
}

static int
route_send(struct nd_probe *p, int slot, unsigned flags)
{
	struct route_ctx *c = p->ctx;
	const struct sockaddr *sa = (const struct sockaddr *)&p->ep->addr;
	struct rtmsg rtm;
	struct nl_msg *msg;
	const void *raw;
	int alen, rc;

	if (sa->sa_family == AF_INET) {
		raw = &((const struct sockaddr_in *)sa)->sin_addr;
		alen = 4;
	} else {
		raw = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		alen = 16;
	}
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (unsigned char)sa->sa_family;
	rtm.rtm_dst_len = (unsigned char)(alen * 8);
	rtm.rtm_flags = flags;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	if (msg == NULL)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, alen, raw) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	rc = nl_send_auto(c->sk, msg);
	if (rc < 0) {
		rc = -EIO;
		goto out;
	}
	c->seq[slot] = nlmsg_hdr(msg)->nlmsg_seq;
	rc = 0;
out:
	nlmsg_free(msg);
	return rc;
}

static int
route_start(struct nd_probe *p)
{
	struct route_ctx *c = p->ctx;
	int rc;

	if (p->ep->addrlen == 0)
		return -EDESTADDRREQ;
	c->fd = -1;
	c->sk = nl_socket_alloc();
	if (c->sk == NULL)
		return -ENOMEM;
	if (nl_connect(c->sk, NETLINK_ROUTE) < 0)
		return -EMFILE;
	nl_socket_set_nonblocking(c->sk);
	c->fd = nl_socket_get_fd(c->sk);
	if ((rc = route_send(p, 0, 0)) < 0 ||
	    (rc = route_send(p, 1, RTM_F_FIB_MATCH)) < 0)
		return rc;
	return nd_loop_fd_set(p->run->loop, c->fd, ND_EV_READ,
	    route_on_readable, p);
}

static void
route_expire(struct nd_probe *p)
{
	/* The kernel answers at once; a missing answer is our problem. */
	nd_probe_local_error(p, ETIMEDOUT, "get an answer from rtnetlink");
	nd_probe_done(p, ND_ERROR);
}

const struct nd_probe_ops nd_probe_route = {
	.name = "route",
	.layer = ND_L_ROUTE,
	.needs = route_needs,
	.ctx_size = sizeof(struct route_ctx),
	.share_key = route_share_key,
	.start = route_start,
	.expire = route_expire,
	.cancel = route_cancel,
};
