/*
 * probe_arp.c - who answers ARP for the addresses behind arp://IFACE/IPS:
 * nobody, exactly one MAC (and is it an expected announcer), or several.
 * Cilium L2 announcements answer for a LoadBalancer IP from exactly one
 * node, the lease holder; arping -D stops at the first reply and cannot
 * see a second owner (docs/library-notes.md 5), so this probe collects every reply
 * for a whole window.
 *
 * libpcap on the loop (pcap_get_selectable_fd, immediate mode: without it
 * TPACKET_V3 holds replies back for a whole block timeout, docs/library-notes.md 5).
 * Requests are RFC 5227 probes (sender IP 0.0.0.0), so no peer caches or
 * updates an entry because of us.  The capture handle is opened in
 * prepare(), before any probe runs, so that main.c can drop CAP_NET_RAW
 * before the first frame from a peer is read.
 *
 * --listen DUR sends nothing and records gratuitous ARP and replies for
 * the addresses for DUR: an announcer change during a failover shows as
 * arp.duplicate_ip with the timeline.  arp+pcap://FILE/IPS runs the same
 * analysis (core/arpwatch.c) over a capture file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "arena.h"
#include "arpwatch.h"
#include "probe.h"
#include "target.h"
#include "util.h"

#define ARP_TRIES		3	/* requests per address (?tries=) */
#define ARP_SPACING_US		100000u	/* between rounds of requests */
#define ARP_WINDOW_US		500000u	/* after the last round (?window=) */
#define ARP_MAX_PCAP_FRAMES	10000000u

struct arp_ctx {
	pcap_t			*pc;
	int			 fd;
	uint8_t			 mac[6];	/* ours */
	struct nd_arp_watch	*w;
	size_t			 nw;
	struct nd_arp_stats	 st;
	struct nd_timer		 tmr;
	int			 rounds;	/* sent so far */
	int			 tries;
	uint64_t		 t0;		/* capture start, usec */
	uint64_t		 window_end;
	bool			 passive;
	char			 err[PCAP_ERRBUF_SIZE];
};

static void
arp_cancel(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;

	nd_timer_disarm(p->run->loop, &c->tmr);
	if (c->pc != NULL) {
		nd_loop_fd_del(p->run->loop, c->fd);
		pcap_close(c->pc);	/* closes the fd */
		c->pc = NULL;
	}
}

static int64_t
arp_deadline_ms(const struct nd_probe *p)
{
	const struct nd_run *o = p->run;
	const struct nd_target_x *x = p->target->x;
	int64_t w = o->listen_ms > 0 ? o->listen_ms : x->window_ms +
	    (int64_t)(x->tries > 0 ? x->tries : ARP_TRIES) *
	    (ARP_SPACING_US / 1000);

	/* A listening window longer than --timeout must fit its deadline. */
	return w + 1000 > o->timeout_ms ? w + 1000 : o->timeout_ms;
}

/* Interface facts: exists, up, carrier, and which IPv4 subnets it has. */
static enum nd_status
arp_check_link(struct nd_probe *p)
{
	const char *ifn = p->target->x->iface;
	struct ifaddrs *ifa = NULL, *i;
	struct nd_finding *f;
	unsigned flags = 0;
	bool found = false;
	size_t k;

	if (getifaddrs(&ifa) < 0) {
		nd_probe_local_error(p, errno, "list the interfaces");
		return ND_ERROR;
	}
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (strcmp(i->ifa_name, ifn) == 0) {
			found = true;
			flags = i->ifa_flags;
		}
	if (!found) {
		f = nd_finding_add(p, ND_F_LINK_MISSING, "there is no interface "
		    "%s on this host", ifn);
		nd_evidence_add(f, "iface", "%s", ifn);
		freeifaddrs(ifa);
		return ND_FAIL;
	}
	if (!(flags & IFF_UP) || !(flags & IFF_RUNNING)) {
		f = nd_finding_add(p, !(flags & IFF_UP) ? ND_F_LINK_DOWN :
		    ND_F_LINK_NO_CARRIER, !(flags & IFF_UP) ? "interface %s is "
		    "down" : "interface %s is up but has no carrier", ifn);
		nd_evidence_add(f, "iface", "%s", ifn);
		freeifaddrs(ifa);
		return ND_FAIL;
	}
	for (k = 0; p->target->x->ips[k] != NULL; k++) {
		struct in_addr want;
		bool inside = false;

		inet_pton(AF_INET, p->target->x->ips[k], &want);
		for (i = ifa; i != NULL; i = i->ifa_next) {
			uint32_t a, m;

			if (strcmp(i->ifa_name, ifn) != 0 || i->ifa_addr == NULL ||
			    i->ifa_addr->sa_family != AF_INET ||
			    i->ifa_netmask == NULL)
				continue;
			a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
			m = ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr;
			inside |= (a & m) == (want.s_addr & m);
		}
		if (!inside) {
			f = nd_finding_add(p, ND_F_LINK_OUTSIDE_SUBNET,
			    "%s is outside every IPv4 subnet of %s",
			    p->target->x->ips[k], ifn);
			nd_evidence_add(f, "ip", "%s", p->target->x->ips[k]);
			nd_finding_about_ip(f, p->target->x->ips[k]);
			nd_evidence_add(f, "iface", "%s", ifn);
		}
	}
	freeifaddrs(ifa);
	return ND_PENDING;
}

static int
arp_own_mac(const char *ifn, uint8_t mac[6])
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	nd_strlcpy(ifr.ifr_name, ifn, sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		rc = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return rc;
}

static void
arp_watches(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;
	size_t n;

	for (n = 0; p->target->x->ips[n] != NULL; n++)
		;
	c->w = nd_arena_alloc(p->run->arena, n * sizeof(*c->w));
	c->nw = n;
	for (n = 0; n < c->nw; n++)
		inet_pton(AF_INET, p->target->x->ips[n], &c->w[n].ip);
}

/* Opens the capture: the one step that needs CAP_NET_RAW. */
static int
arp_prepare(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;
	struct bpf_program prog;
	struct nd_finding *f;
	enum nd_status st;
	int rc;

	c->fd = -1;
	arp_watches(p);
	if (p->target->x->path != NULL) {
		c->pc = pcap_open_offline(p->target->x->path, c->err);
		if (c->pc == NULL) {
			f = nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR, "cannot "
			    "read the capture %s: %s", p->target->x->path,
			    c->err);
			nd_evidence_add(f, "file", "%s", p->target->x->path);
			return ND_ERROR;
		}
		return 0;
	}
	if ((st = arp_check_link(p)) != ND_PENDING)
		return st;
	if ((rc = arp_own_mac(p->target->x->iface, c->mac)) < 0) {
		nd_probe_local_error(p, -rc, "read the interface's MAC");
		return ND_ERROR;
	}
	if ((c->pc = pcap_create(p->target->x->iface, c->err)) == NULL)
		goto fail;
	pcap_set_snaplen(c->pc, 128);
	pcap_set_promisc(c->pc, 0);
	pcap_set_immediate_mode(c->pc, 1);
	rc = pcap_activate(c->pc);
	if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
		f = nd_finding_add(p, ND_F_PROBE_NEEDS_PRIVILEGE, "capturing ARP "
		    "on %s needs CAP_NET_RAW, which netdoctor does not have: "
		    "nothing was tested", p->target->x->iface);
		nd_evidence_add(f, "capability", "CAP_NET_RAW");
		nd_evidence_add(f, "pcap", "%s", pcap_geterr(c->pc));
		pcap_close(c->pc);
		c->pc = NULL;
		return ND_ERROR;
	}
	if (rc < 0)
		goto fail;
	if (pcap_datalink(c->pc) != DLT_EN10MB) {
		f = nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR, "%s is not an "
		    "Ethernet interface (%s): ARP does not apply",
		    p->target->x->iface, pcap_datalink_val_to_name(
		    pcap_datalink(c->pc)));
		nd_evidence_add(f, "datalink", "%d", pcap_datalink(c->pc));
		return ND_ERROR;
	}
	if (pcap_compile(c->pc, &prog, "arp", 1, PCAP_NETMASK_UNKNOWN) < 0)
		goto fail;
	rc = pcap_setfilter(c->pc, &prog);
	pcap_freecode(&prog);
	if (rc < 0 || pcap_setnonblock(c->pc, 1, c->err) < 0 ||
	    (c->fd = pcap_get_selectable_fd(c->pc)) < 0)
		goto fail;
	return 0;
fail:
	f = nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR, "cannot capture on %s: "
	    "%s", p->target->x->iface, c->pc != NULL ? pcap_geterr(c->pc) :
	    c->err);
	nd_evidence_add(f, "iface", "%s", p->target->x->iface);
	return ND_ERROR;
}

static void
arp_on_frame(u_char *arg, const struct pcap_pkthdr *h, const u_char *frame)
{
	struct nd_probe *p = (struct nd_probe *)arg;
	struct arp_ctx *c = p->ctx;
	uint64_t t = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

	if (c->t0 == 0)
		c->t0 = t;
	nd_arp_frame(frame, h->caplen, t >= c->t0 ? t - c->t0 : 0,
	    p->target->x->path != NULL ? NULL : c->mac, c->w, c->nw, &c->st);
}

static void
arp_macs_text(const struct nd_arp_watch *w, char *out, size_t len,
    bool times)
{
	size_t i, o = 0;
	char m[18];

	out[0] = '\0';
	for (i = 0; i < w->nmacs && o + 96 < len; i++) {
		nd_arp_mac_str(w->macs[i].mac, m);
		o += (size_t)snprintf(out + o, len - o, times ?
		    "%s%s (%u replies, %u gratuitous, first %.0f ms, last %.0f "
		    "ms)" : "%s%s", i ? ", " : "", m, w->macs[i].replies,
		    w->macs[i].garps, (double)w->macs[i].first_us / 1000.0,
		    (double)w->macs[i].last_us / 1000.0);
	}
	if (w->more_macs > 0 && o + 40 < len)
		snprintf(out + o, len - o, " and %u frames from more MACs",
		    w->more_macs);
}

static bool
arp_expected(const struct nd_probe *p, const uint8_t mac[6])
{
	uint8_t m[6];
	size_t i;

	for (i = 0; p->target->x->macs[i] != NULL; i++)
		if (nd_arp_mac_parse(p->target->x->macs[i], m) == 0 &&
		    memcmp(m, mac, 6) == 0)
			return true;
	return false;
}

static void
arp_verdict(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;
	const char *where = p->target->x->iface != NULL ? p->target->x->iface :
	    p->target->x->path;
	enum nd_status st = ND_PASS;
	char macs[1024], m[18];
	struct nd_finding *f;
	size_t i;

	for (i = 0; i < c->nw; i++) {
		const struct nd_arp_watch *w = &c->w[i];
		const char *ip = p->target->x->ips[i];

		if (w->nmacs == 0) {
			f = nd_finding_add(p, ND_F_ARP_NO_RESPONDER, "nobody "
			    "answers ARP for %s on %s", ip, where);
			st = ND_FAIL;
		} else if (w->nmacs > 1 || w->more_macs > 0) {
			arp_macs_text(w, macs, sizeof(macs), false);
			f = nd_finding_add(p, ND_F_ARP_DUPLICATE_IP, "%zu%s MACs "
			    "answer ARP for %s on %s: %s", w->nmacs,
			    w->more_macs ? "+" : "", ip, where, macs);
			arp_macs_text(w, macs, sizeof(macs), true);
			nd_evidence_add(f, "macs", "%s", macs);
			/* Answers alternate when we ask; only unasked ones count. */
			if (c->passive || p->target->x->path != NULL)
				nd_evidence_add(f, "announcer_changes", "%u",
				    w->changes);
			st = ND_FAIL;
		} else if (p->target->x->macs != NULL &&
		    !arp_expected(p, w->macs[0].mac)) {
			nd_arp_mac_str(w->macs[0].mac, m);
			f = nd_finding_add(p, ND_F_ARP_UNEXPECTED_RESPONDER,
			    "%s answers ARP for %s, but it is not one of the "
			    "expected announcers", m, ip);
			nd_evidence_add(f, "mac", "%s", m);
			if (st == ND_PASS)
				st = ND_WARN;
		} else {
			nd_arp_mac_str(w->macs[0].mac, m);
			f = nd_finding_add(p, ND_F_ARP_OK, "%s answers ARP for %s "
			    "on %s", m, ip, where);
			arp_macs_text(w, macs, sizeof(macs), true);
			nd_evidence_add(f, "macs", "%s", macs);
		}
		nd_evidence_add(f, "ip", "%s", ip);
		nd_finding_about_ip(f, ip);
		nd_evidence_add(f, "iface", "%s", where);
		nd_evidence_add(f, "mode", "%s", p->target->x->path != NULL ?
		    "capture file" : c->passive ? "passive" : "active");
		nd_evidence_add(f, "requests_sent", "%d", c->passive ? 0 :
		    c->rounds);
	}
	/* Counted, never kept: what a flood or garbage looked like. */
	f = p->nfindings > 0 ? p->findings[p->nfindings - 1] : NULL;
	if (f != NULL) {
		nd_evidence_add(f, "frames", "%llu",
		    (unsigned long long)c->st.frames);
		if (c->st.malformed > 0)
			nd_evidence_add(f, "malformed_frames", "%llu",
			    (unsigned long long)c->st.malformed);
	}
	nd_probe_done(p, st);
}

static void
arp_send_round(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;
	uint8_t frame[ND_ARP_FRAME_LEN];
	size_t i;

	for (i = 0; i < c->nw; i++) {
		nd_arp_probe_frame(frame, c->mac, c->w[i].ip);
		/* A full send buffer drops a request; the next round retries. */
		(void)pcap_inject(c->pc, frame, sizeof(frame));
	}
	c->rounds++;
}

static void
arp_on_timer(struct nd_loop *l, void *arg)
{
	struct nd_probe *p = arg;
	struct arp_ctx *c = p->ctx;
	uint64_t now = nd_loop_now(l);

	if (p->status != ND_RUNNING)
		return;
	if (!c->passive && c->rounds < c->tries) {
		arp_send_round(p);
		nd_timer_arm(l, &c->tmr, c->rounds < c->tries ?
		    now + ARP_SPACING_US : c->window_end);
		return;
	}
	/* The window ended: read what is left, then judge. */
	pcap_dispatch(c->pc, -1, arp_on_frame, (u_char *)p);
	arp_verdict(p);
}

static void
arp_on_readable(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_probe *p = arg;
	struct arp_ctx *c = p->ctx;
	int n;

	(void)l;
	(void)fd;
	(void)ev;
	/* Bounded per wake-up so that a flood cannot starve the loop. */
	n = pcap_dispatch(c->pc, 10000, arp_on_frame, (u_char *)p);
	if (n == PCAP_ERROR) {
		nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR, "the capture on %s "
		    "failed: %s", p->target->x->iface, pcap_geterr(c->pc));
		nd_probe_done(p, ND_ERROR);
	}
}

static void
arp_replay(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned n = 0;
	int rc;

	/* Captures of other link types cannot hold Ethernet ARP. */
	if (pcap_datalink(c->pc) != DLT_EN10MB) {
		nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR, "%s is a %s capture, "
		    "not Ethernet: ARP frames cannot be read from it",
		    p->target->x->path, pcap_datalink_val_to_name(
		    pcap_datalink(c->pc)));
		nd_probe_done(p, ND_ERROR);
		return;
	}
	while (n++ < ARP_MAX_PCAP_FRAMES &&
	    (rc = pcap_next_ex(c->pc, &h, &d)) == 1)
		arp_on_frame((u_char *)p, h, d);
	arp_verdict(p);
}

static int
arp_start(struct nd_probe *p)
{
	struct arp_ctx *c = p->ctx;
	struct nd_loop *l = p->run->loop;
	const struct nd_run *o = p->run;
	uint64_t now = nd_loop_now(l), dl = nd_probe_deadline(p);
	int rc;

	nd_timer_init(&c->tmr, arp_on_timer, p);
	if (p->target->x->path == NULL) {
		struct timeval tv;

		/* pcap time stamps are wall clock: times count from here. */
		gettimeofday(&tv, NULL);
		c->t0 = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	}
	if (p->target->x->path != NULL) {
		arp_replay(p);
		return 0;
	}
	if ((rc = nd_loop_fd_set(l, c->fd, ND_EV_READ, arp_on_readable, p)) < 0)
		return rc;
	c->passive = o->listen_ms > 0;
	c->tries = p->target->x->tries > 0 ? p->target->x->tries : ARP_TRIES;
	c->window_end = c->passive ? now + (uint64_t)o->listen_ms * 1000u :
	    now + (uint64_t)(c->tries - 1) * ARP_SPACING_US +
	    (p->target->x->window_ms > 0 ?
	    (uint64_t)p->target->x->window_ms * 1000u :
	    ARP_WINDOW_US);
	if (c->window_end + 50000 > dl)
		c->window_end = dl > now + 50000 ? dl - 50000 : now;
	if (c->passive) {
		nd_timer_arm(l, &c->tmr, c->window_end);
		return 0;
	}
	arp_send_round(p);
	nd_timer_arm(l, &c->tmr, c->rounds < c->tries ? now + ARP_SPACING_US :
	    c->window_end);
	return 0;
}

static void
arp_expire(struct nd_probe *p)
{
	/* The window is inside the deadline; a late timer still judges. */
	arp_verdict(p);
}

const struct nd_probe_ops nd_probe_arp = {
	.name = "arp",
	.layer = ND_L_LINK,
	.ctx_size = sizeof(struct arp_ctx),
	.prepare = arp_prepare,
	.deadline_ms = arp_deadline_ms,
	.start = arp_start,
	.expire = arp_expire,
	.cancel = arp_cancel,
};
