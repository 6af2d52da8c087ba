/*
 * probe_resolve.c - resolve a target's host name the way this host would
 * (/etc/hosts, then the nameservers of /etc/resolv.conf, with c-ares on
 * the loop: core/dnsq.c), and publish every address so that each is
 * probed on its own (the blackbox_exporter "only the first address"
 * complaint, #1512).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dnsq.h"
#include "probe.h"
#include "target.h"

#define RESOLVE_MAX_ADDRS	64

struct resolve_ctx {
	struct nd_dnsq_req	*req;
};

static void
resolve_cancel(struct nd_probe *p)
{
	struct resolve_ctx *c = p->ctx;

	nd_dnsq_cancel(c->req);
	c->req = NULL;
}

static void
resolve_failed(struct nd_probe *p, int status)
{
	struct nd_finding *f;

	if (status == ARES_ENOMEM || status == ARES_EFILE ||
	    status == ARES_ENOTINITIALIZED) {
		nd_probe_local_error(p, status == ARES_ENOMEM ? ENOMEM : EIO,
		    "run the resolver");
		nd_probe_done(p, ND_ERROR);
		return;
	}
	f = nd_finding_add(p, ND_F_RESOLVE_FAILED, "%s did not resolve: %s",
	    p->target->host, ares_strerror(status));
	nd_evidence_add(f, "host", "%s", p->target->host);
	nd_evidence_add(f, "ares_status", "%d", status);
	nd_evidence_add(f, "error", "%s", ares_strerror(status));
	nd_evidence_add(f, "nameservers", "%s",
	    nd_dnsq_system_servers(p->run));
	nd_probe_done(p, ND_FAIL);
}

static void
resolve_on_answer(void *arg, int status, struct ares_addrinfo *ai)
{
	struct nd_probe *p = arg;
	struct resolve_ctx *c = p->ctx;
	const struct ares_addrinfo_node *n;
	struct nd_finding *f;
	char list[512] = "", a[64];
	size_t used = 0, count = 0;

	c->req = NULL;		/* dnsq frees it after this call */
	if (status != ARES_SUCCESS || ai == NULL || ai->nodes == NULL) {
		resolve_failed(p, status != ARES_SUCCESS ? status :
		    ARES_ENODATA);
		if (ai != NULL)
			ares_freeaddrinfo(ai);
		return;
	}
	for (n = ai->nodes; n != NULL && count < RESOLVE_MAX_ADDRS;
	    n = n->ai_next) {
		const void *raw;

		if (n->ai_family == AF_INET)
			raw = &((const struct sockaddr_in *)n->ai_addr)->sin_addr;
		else if (n->ai_family == AF_INET6)
			raw = &((const struct sockaddr_in6 *)n->ai_addr)->
			    sin6_addr;
		else
			continue;
		nd_probe_publish_addr(p, n->ai_addr, n->ai_addrlen);
		inet_ntop(n->ai_family, raw, a, sizeof(a));
		if (used + strlen(a) + 2 < sizeof(list))
			used += (size_t)snprintf(list + used,
			    sizeof(list) - used, "%s%s", count ? "," : "", a);
		count++;
	}
	ares_freeaddrinfo(ai);
	f = nd_finding_add(p, ND_F_RESOLVE_OK, "%s resolved to %s",
	    p->target->host, list);
	nd_evidence_add(f, "addresses", "%s", list);
	nd_evidence_add(f, "count", "%u", p->npub);
	nd_probe_done(p, ND_PASS);
}

static int
resolve_start(struct nd_probe *p)
{
	struct resolve_ctx *c = p->ctx;

	/* The answer may come at once (/etc/hosts): nd_probe_done is fine here. */
	return nd_dnsq_getaddrinfo(p->run, p->target->host, resolve_on_answer,
	    p, &c->req);
}

static void
resolve_expire(struct nd_probe *p)
{
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_RESOLVE_FAILED,
	    "%s did not resolve within %lld ms: no nameserver answered",
	    p->target->host, (long long)p->run->timeout_ms);
	nd_evidence_add(f, "host", "%s", p->target->host);
	nd_evidence_add(f, "error", "timeout");
	nd_evidence_add(f, "nameservers", "%s",
	    nd_dnsq_system_servers(p->run));
	nd_probe_done(p, ND_FAIL);
}

const struct nd_probe_ops nd_probe_resolve = {
	.name = "resolve",
	.layer = ND_L_DNS,
	.ctx_size = sizeof(struct resolve_ctx),
	.fans_out = true,
	.start = resolve_start,
	.expire = resolve_expire,
	.cancel = resolve_cancel,
};
