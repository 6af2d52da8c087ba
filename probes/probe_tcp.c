/*
 * probe_tcp.c - non-blocking connect with one deadline.
 *
 * The verdict comes from SO_ERROR when the socket becomes writable (the
 * kernel's own classification): ECONNREFUSED a RST, EHOSTUNREACH or
 * ENETUNREACH an ICMP unreachable or no ARP answer, and silence until the
 * deadline a timeout.  A socket we cannot even create (EMFILE, no
 * ephemeral port) is netdoctor's problem, never a network verdict.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"
#include "range.h"
#include "sock.h"
#include "target.h"

struct tcp_ctx {
	int	fd;
	bool	open;
	bool	connected;	/* only a connection needs the RST close */
};

static const char *const tcp_needs[] = { "route", "resolve", NULL };

static void
tcp_cancel(struct nd_probe *p)
{
	struct tcp_ctx *c = p->ctx;

	if (!c->open)
		return;
	/* Only an established connection needs the RST (sock.c). */
	nd_sock_close(p->run->loop, c->fd, c->connected);
	c->fd = -1;
	c->open = false;
}

static bool
tcp_local_errno(int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case EADDRNOTAVAIL:	/* no ephemeral port left */
	case EAGAIN:		/* same, for unix-ish paths */
	case EAFNOSUPPORT:
		return true;
	}
	return false;
}

/* -w/-c on the connect time, in seconds (Monitoring Plugins ranges). */
static void
tcp_thresholds(struct nd_probe *p, double secs)
{
	const struct nd_run *run = p->run;
	struct nd_finding *f;
	enum nd_sev sev;
	const struct nd_range *r;
	char range[64];

	if (run->crit != NULL && nd_range_alert(run->crit, secs)) {
		sev = ND_SEV_CRIT;
		r = run->crit;
	} else if (run->warn != NULL && nd_range_alert(run->warn, secs)) {
		sev = ND_SEV_WARN;
		r = run->warn;
	} else {
		return;
	}
	nd_range_format(r, range, sizeof(range));
	f = nd_finding_add(p, ND_F_TCP_SLOW_CONNECT,
	    "connecting to %s took %.6f s, outside the %s range %s",
	    p->ep->label, secs, sev == ND_SEV_CRIT ? "critical" : "warning",
	    range);
	f->sev = sev;
	nd_evidence_add(f, "connect_s", "%.6f", secs);
	nd_evidence_add(f, "range", "%s", range);
}

static void
tcp_verdict(struct nd_probe *p, int err)
{
	uint64_t rtt = nd_loop_now(p->run->loop) - p->t_start;
	const char *label = p->ep->label;
	struct nd_finding *f;

	switch (err) {
	case 0:
		((struct tcp_ctx *)p->ctx)->connected = true;
		/* The source address is the route probe's evidence (src). */
		f = nd_finding_add(p, ND_F_TCP_CONNECTED,
		    "%s accepted the TCP connection in %llu.%03llu ms", label,
		    (unsigned long long)(rtt / 1000),
		    (unsigned long long)(rtt % 1000));
		nd_evidence_add(f, "rtt_us", "%llu", (unsigned long long)rtt);
		nd_facts_set_rtt(p, rtt);
		nd_probe_measure(p, (double)rtt / 1e6);
		tcp_thresholds(p, (double)rtt / 1e6);
		nd_probe_done(p, p->nfindings > 1 ? ND_WARN : ND_PASS);
		return;
	case ECONNREFUSED:
		f = nd_finding_add(p, ND_F_TCP_REFUSED,
		    "%s refused the connection: nothing listens on port %u",
		    label, p->target->port);
		break;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
		/*
		 * A reset that came after the SYN-ACK (a proxy or a full
		 * accept queue that drops what it accepted): the peer's answer,
		 * not this host's failure.
		 */
		f = nd_finding_add(p, ND_F_TCP_REFUSED,
		    "%s reset the connection as it was accepted: something "
		    "listens on port %u but drops the connection at once (%s)",
		    label, p->target->port, strerror(err));
		break;
	case ETIMEDOUT:
		f = nd_finding_add(p, ND_F_TCP_TIMEOUT,
		    "%s did not answer the connection attempt (the kernel gave "
		    "up)", label);
		break;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENONET:
	case EPERM:
	case EACCES:
		f = nd_finding_add(p, ND_F_TCP_HOST_UNREACHABLE,
		    "%s is unreachable: %s", label, strerror(err));
		break;
	default:
		/*
		 * Local failures (tcp_local_errno) and errors we cannot
		 * classify are reported as such, never guessed into a verdict.
		 */
		nd_probe_local_error(p, err, "connect");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	nd_evidence_add(f, "addr", "%s", p->ep->addrstr);
	nd_evidence_add(f, "port", "%u", p->target->port);
	nd_evidence_add(f, "errno", "%d", err);
	nd_evidence_add(f, "elapsed_us", "%llu", (unsigned long long)rtt);
	nd_probe_done(p, ND_FAIL);
}

static void
tcp_on_writable(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	(void)l;
	(void)ev;
	tcp_verdict(arg, nd_sock_error(fd));
}

static int
tcp_start(struct nd_probe *p)
{
	struct tcp_ctx *c = p->ctx;
	int rc = nd_sock_connect(p->ep, &c->fd);

	c->open = c->fd >= 0;
	if (rc == 0 || (rc < 0 && c->open && !tcp_local_errno(-rc))) {
		tcp_verdict(p, -rc);
		return 0;
	}
	if (rc < 0)
		return rc;	/* netdoctor's problem: probe.local_error */
	return nd_loop_fd_set(p->run->loop, c->fd, ND_EV_WRITE,
	    tcp_on_writable, p);
}

static void
tcp_expire(struct nd_probe *p)
{
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_TCP_TIMEOUT,
	    "%s did not answer within %lld ms: no SYN-ACK, no RST, no ICMP",
	    p->ep->label, (long long)p->run->timeout_ms);
	nd_evidence_add(f, "addr", "%s", p->ep->addrstr);
	nd_evidence_add(f, "port", "%u", p->target->port);
	nd_evidence_add(f, "timeout_ms", "%lld",
	    (long long)p->run->timeout_ms);
	nd_probe_done(p, ND_FAIL);
}

const struct nd_probe_ops nd_probe_tcp = {
	.name = "tcp",
	.layer = ND_L_TCP,
	.needs = tcp_needs,
	.ctx_size = sizeof(struct tcp_ctx),
	.start = tcp_start,
	.expire = tcp_expire,
	.cancel = tcp_cancel,
};
