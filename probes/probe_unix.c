/*
 * probe_unix.c - does something accept connections on a unix stream
 * socket?  unix:///PATH, and the layer below http for http+unix:// (the
 * origin of a cloudflared unix: ingress rule).  The socket layer's tcp
 * probe: it says which of the ways a socket file fails it is (none, not
 * a socket, not for this user, left behind by a listener that stopped,
 * a listener that accepts nothing), so that the http probe above it only
 * starts on a socket that answers.
 *
 * A connect to a unix socket never is in progress (unix(7)): it
 * succeeds, fails, or finds the listener's backlog full (EAGAIN).  A full
 * backlog is retried until the deadline, as a blocking client would wait.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"
#include "sock.h"
#include "target.h"

/* A full backlog is asked again this often until the deadline. */
#define UNIX_RETRY_US	(50 * 1000)

struct unix_ctx {
	const char	*path;
	struct nd_timer	 retry;
	unsigned	 tries;
	struct stat	 sb;
};

static void
unix_cancel(struct nd_probe *p)
{
	struct unix_ctx *c = p->ctx;

	nd_timer_disarm(p->run->loop, &c->retry);
}

static void
unix_evidence(struct nd_probe *p, struct nd_finding *f, int err)
{
	struct unix_ctx *c = p->ctx;

	nd_evidence_add(f, "socket", "%s", c->path);
	if (c->sb.st_mode != 0) {
		nd_evidence_add(f, "mode", "%04o", (unsigned)(c->sb.st_mode &
		    07777));
		nd_evidence_add(f, "owner_uid", "%u", (unsigned)c->sb.st_uid);
		nd_evidence_add(f, "owner_gid", "%u", (unsigned)c->sb.st_gid);
	}
	if (err != 0)
		nd_evidence_add(f, "errno", "%s", strerror(err));
}

/*
 * EACCES is a finding, not probe.local_error.  local_error is for what
 * netdoctor itself needs and lacks (a descriptor, a capability), which
 * says nothing about the network.  Here the refusal is the socket's own
 * mode (write permission on it, search permission on its directories),
 * which whoever created the socket chose and which every client meets:
 * cloudflared runs as its own user and gets the same answer unless that
 * user is the owner or in the group the mode admits.  Which user runs
 * cloudflared is not known here, so it is a warning with the mode and
 * owner as evidence; run as that user, the check is exact.
 */
static void
unix_denied(struct nd_probe *p, int err)
{
	struct unix_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_UNIX_PERMISSION_DENIED, "uid %u may not "
	    "connect to %s (%s)%s", (unsigned)geteuid(), c->path,
	    strerror(err), p->target->cf_hostname != NULL ? ": cloudflared "
	    "meets the same refusal unless its user is one the socket's mode "
	    "admits" : "");
	unix_evidence(p, f, err);
	nd_evidence_add(f, "uid", "%u", (unsigned)geteuid());
	if (p->target->cf_rule != NULL)
		nd_evidence_add(f, "config", "%s", p->target->cf_rule);
	/* A warning, but nothing above it can connect either. */
	nd_probe_done(p, ND_FAIL);
}

static void
unix_verdict(struct nd_probe *p, int err)
{
	struct unix_ctx *c = p->ctx;
	uint64_t us = nd_loop_now(p->run->loop) - p->t_start;
	struct nd_finding *f;

	switch (err) {
	case 0:
		f = nd_finding_add(p, ND_F_UNIX_OK, "%s accepted the connection "
		    "in %llu.%03llu ms", c->path, (unsigned long long)(us /
		    1000), (unsigned long long)(us % 1000));
		unix_evidence(p, f, 0);
		nd_probe_measure(p, (double)us / 1e6);
		nd_probe_done(p, ND_PASS);
		return;
	case ENOENT:
	case ENOTDIR:
		f = nd_finding_add(p, ND_F_UNIX_MISSING, "no socket at %s: the "
		    "service that should listen there is not running, or "
		    "listens elsewhere", c->path);
		break;
	case ECONNREFUSED:
		f = nd_finding_add(p, ND_F_UNIX_REFUSED, "%s refuses "
		    "connections: the socket file is there but nothing listens "
		    "on it (left behind by a service that stopped)", c->path);
		break;
	case EPROTOTYPE:
		f = nd_finding_add(p, ND_F_UNIX_NOT_SOCKET, "%s is a datagram "
		    "socket, not a stream socket: no HTTP server listens there",
		    c->path);
		break;
	case EACCES:
	case EPERM:
		unix_denied(p, err);
		return;
	default:
		nd_probe_local_error(p, err, "connect to a unix socket");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	unix_evidence(p, f, err);
	nd_probe_done(p, ND_FAIL);
}

/* One connect; a full backlog is tried again, the rest is the verdict. */
static void
unix_try(struct nd_loop *l, void *arg)
{
	struct nd_probe *p = arg;
	struct unix_ctx *c = p->ctx;
	int fd, rc = nd_sock_unix_connect(c->path, &fd);

	if (fd >= 0)
		nd_sock_close(l, fd, 0);
	c->tries++;
	if (rc == 1) {
		nd_timer_arm(l, &c->retry, nd_loop_now(l) + UNIX_RETRY_US);
		return;
	}
	if (rc < 0 && fd < 0) {
		nd_probe_local_error(p, -rc, "open a unix socket");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	unix_verdict(p, -rc);
}

static int
unix_start(struct nd_probe *p)
{
	struct unix_ctx *c = p->ctx;
	struct nd_finding *f;

	c->path = nd_target_unix(p->target);
	nd_timer_init(&c->retry, unix_try, p);
	if (stat(c->path, &c->sb) < 0) {
		memset(&c->sb, 0, sizeof(c->sb));
		unix_verdict(p, errno);
		return 0;
	}
	if (!S_ISSOCK(c->sb.st_mode)) {
		f = nd_finding_add(p, ND_F_UNIX_NOT_SOCKET, "%s is a %s, not a "
		    "socket: the path names something else", c->path,
		    S_ISDIR(c->sb.st_mode) ? "directory" : S_ISREG(c->sb.st_mode) ?
		    "regular file" : "special file");
		unix_evidence(p, f, 0);
		nd_probe_done(p, ND_FAIL);
		return 0;
	}
	unix_try(p->run->loop, p);
	return 0;
}

static void
unix_expire(struct nd_probe *p)
{
	struct unix_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_UNIX_TIMEOUT, "%s has a listener whose "
	    "backlog stayed full for %lld ms: it accepts no connection (hung, "
	    "or overloaded)", c->path, (long long)p->run->timeout_ms);
	unix_evidence(p, f, EAGAIN);
	nd_evidence_add(f, "tries", "%u", c->tries);
	nd_evidence_add(f, "timeout_ms", "%lld",
	    (long long)p->run->timeout_ms);
	nd_probe_done(p, ND_FAIL);
}

const struct nd_probe_ops nd_probe_unix = {
	.name = "unix",
	.layer = ND_L_TCP,
	.ctx_size = sizeof(struct unix_ctx),
	.start = unix_start,
	.expire = unix_expire,
	.cancel = unix_cancel,
};
