/*
 * serve.c - `netdoctor serve` (see serve.h; docs/contracts.md 7).
 *
 * One thread, one loop: the listening socket, every connection, every
 * scrape's probes and the signals are events on it.  A connection is a
 * small state machine:
 *
 *   READ   bytes arrive until a whole request head is there (at most
 *          ND_HTTPREQ_MAX bytes, within CONN_TIMEOUT_US of its first
 *          byte or of the answer before: a client that sends one byte a
 *          second is dropped, and the others never wait for it)
 *   RUN    /probe: an engine run (nd_engine_start) is going; the socket
 *          is not watched
 *   WRITE  the answer goes out; then READ again (keep-alive) or close
 *
 * Bounds: at most max_conns connections (beyond it the oldest idle one is
 * dropped for the new one; with none idle the new one is), at most
 * max_concurrent scrapes (beyond it 503 at once, never a queue), request
 * heads of ND_HTTPREQ_MAX bytes (the buffer is allocated on the first
 * byte, so an idle connection costs its struct only).
 *
 * /probe makes this host connect where a request says, so a target must
 * pass --allow: its scheme among the allowed ones and its address inside
 * an allowed CIDR (loopback unless told otherwise).  A host name passes
 * only when every address is allowed (0.0.0.0/0 and ::/0), since where a
 * name resolves is known only once the probe runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "creds.h"
#include "diagnose.h"
#include "dnsq.h"
#include "engine.h"
#include "http.h"
#include "httpreq.h"
#include "inventory.h"
#include "loop.h"
#include "model.h"
#include "netaddr.h"
#include "options.h"
#include "probe.h"
#include "report.h"
#include "serve.h"
#include "session.h"
#include "target.h"
#include "util.h"

#define CONN_TIMEOUT_US		(10u * 1000000u)
#define CONN_MAX		4096
#define CONCURRENT_MAX		1024
#define FD_RESERVE		64
#define ACCEPT_BURST		64
#define TARGET_MAX		2048	/* a decoded target= */
#define MODULE_NAME_MAX		65
#define ALLOW_MAX		64
#define MIN_DEADLINE_MS		100
#define SCRAPE_SLACK_MS		500	/* under Prometheus' scrape timeout */
#define BUDGET_SLACK_MS		250	/* the run's budget after the deadline */

#define CT_TEXT		"text/plain; version=0.0.4; charset=utf-8"
#define CT_OM		"application/openmetrics-text; version=1.0.0; " \
			"charset=utf-8"
#define CT_PLAIN	"text/plain; charset=utf-8"

/* Why a request got no scrape: /metrics counts them by reason. */
enum serve_err {
	E_BAD_REQUEST,		/* 400: malformed, no target, bad target */
	E_FORBIDDEN,		/* 403: outside --allow */
	E_NOT_FOUND,		/* 404 */
	E_METHOD,		/* 405 */
	E_TOO_LARGE,		/* 414/431 */
	E_OVERLOADED,		/* 503, or a connection dropped at the cap */
	E_TIMEOUT,		/* a client too slow to send its request */
	E_VERSION,		/* 505 */
	E__COUNT
};

static const char *const err_names[E__COUNT] = {
	"bad_request", "forbidden", "not_found", "method_not_allowed",
	"too_large", "overloaded", "client_timeout", "http_version",
};

/* Scrape durations, seconds (the blackbox_exporter's probes mostly sit
   between a millisecond and its 10 s default timeout). */
static const double hist_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 30,
};
#define HIST_N	(sizeof(hist_le) / sizeof(hist_le[0]))

struct module {
	const char		*name;
	int64_t			 timeout_ms;
	const char *const	*only, *const *skip;
	struct nd_creds_set	 creds;
	bool			 warning_fails;
};

struct serve;
struct scrape;

enum conn_state { C_READ, C_RUN, C_WRITE };

struct conn {
	struct serve		*sv;
	int			 fd;
	enum conn_state		 state;
	char			 peer[INET6_ADDRSTRLEN + 8];
	char			*buf;		/* ND_HTTPREQ_MAX, on first byte */
	size_t			 len;
	char			*out;		/* the answer being written */
	size_t			 out_len, out_off;
	bool			 close_after;
	bool			 head_only;	/* HEAD */
	struct nd_timer		 timer;		/* READ/WRITE deadline */
	struct scrape		*scrape;	/* RUN */
	struct conn		*prev, *next;	/* every connection, oldest first */
};

struct scrape {
	struct serve		*sv;
	struct conn		*c;		/* NULL once the client left */
	struct nd_arena		*arena;
	struct nd_run		 run;
	struct nd_engine	*e;
	struct nd_inventory	 inv;
	const struct module	*m;
	const char		*target, *module_name;
	bool			 openmetrics;
	time_t			 started;
	uint64_t		 t0;
};

struct serve {
	const struct nd_options	*o;
	struct nd_arena		*arena;
	struct nd_loop		*loop;
	int			 lfd, sigfd;
	int			 signo;
	bool			 draining;
	char			 listen_name[80];
	struct module		*mods;
	size_t			 nmods;
	struct module		 def;
	bool			 schemes[ND_S__COUNT];
	struct nd_pfx		 cidrs[ALLOW_MAX];
	size_t			 ncidrs;
	bool			 any4, any6;
	char			 allow_text[512];
	size_t			 max_conns, max_concurrent;
	size_t			 nconns, inflight;
	struct conn		*head, *tail;
	/* /metrics */
	unsigned long long	 scrapes_ok, scrapes_failed, scrapes_error;
	unsigned long long	 errors[E__COUNT];
	unsigned long long	 hist[HIST_N + 1];
	double			 hist_sum;
	unsigned long long	 hist_count;
};

static void	conn_close(struct conn *);
static void	conn_on_event(struct nd_loop *, int, unsigned, void *);
static void	conn_process(struct conn *);

/*
 * Closes c from its own timer, right after the current callback: code
 * that answers a request may still hold c (conn_process reads its buffer
 * after dispatching), so it never frees c on the spot.
 */
static void
conn_close_soon(struct conn *c)
{
	struct serve *sv = c->sv;

	c->state = C_WRITE;
	c->close_after = true;
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	nd_loop_fd_del(sv->loop, c->fd);
	nd_timer_arm(sv->loop, &c->timer, nd_loop_now(sv->loop));
}

/* ------------------------------------------------------------ answers */

static const char *
status_text(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Queues an answer and switches to WRITE.  body is copied. */
static void
conn_respond(struct conn *c, int code, const char *ctype, const char *body,
    size_t blen, const char *extra)
{
	struct serve *sv = c->sv;
	char head[512];
	int hl;

	if (sv->draining)
		c->close_after = true;
	hl = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s%s"
	    "Connection: %s\r\n\r\n", code, status_text(code), ctype, blen,
	    extra != NULL ? extra : "", code == 405 ? "Allow: GET, HEAD\r\n" :
	    "", c->close_after ? "close" : "keep-alive");
	if (hl < 0 || (size_t)hl >= sizeof(head)) {
		conn_close_soon(c);
		return;
	}
	if (c->head_only)
		blen = 0;
	free(c->out);
	c->out_len = (size_t)hl + blen;
	c->out_off = 0;
	if ((c->out = malloc(c->out_len)) == NULL) {
		conn_close_soon(c);
		return;
	}
	memcpy(c->out, head, (size_t)hl);
	if (blen > 0)
		memcpy(c->out + hl, body, blen);
	c->state = C_WRITE;
	nd_timer_arm(sv->loop, &c->timer, nd_loop_now(sv->loop) +
	    CONN_TIMEOUT_US);
	if (nd_loop_fd_set(sv->loop, c->fd, ND_EV_WRITE, conn_on_event, c) < 0)
		conn_close_soon(c);
}

/* A refusal: one line saying why, counted under reason. */
static void
conn_refuse(struct conn *c, int code, enum serve_err reason, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
conn_refuse(struct conn *c, int code, enum serve_err reason, const char *fmt,
    ...)
{
	char line[600];
	va_list ap;
	int n;

	c->sv->errors[reason]++;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	nd_one_line(line);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (code == 400 || code == 414 || code == 431 || code == 505)
		c->close_after = true;	/* what follows may not be a request */
	if (c->sv->o->verbose > 0)
		fprintf(stderr, "netdoctor serve: %s %d %.*s", c->peer, code, n,
		    line);
	conn_respond(c, code, CT_PLAIN, line, (size_t)n, NULL);
}

/* ------------------------------------------------------------ connections */

static void
conn_unlink(struct conn *c)
{
	struct serve *sv = c->sv;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		sv->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		sv->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
conn_close(struct conn *c)
{
	struct serve *sv = c->sv;

	/* A scrape in flight finishes on its own; its answer goes nowhere. */
	if (c->scrape != NULL)
		c->scrape->c = NULL;
	nd_timer_disarm(sv->loop, &c->timer);
	nd_loop_fd_close(sv->loop, c->fd);
	conn_unlink(c);
	sv->nconns--;
	free(c->buf);
	free(c->out);
	free(c);
}

static void
conn_timeout(struct nd_loop *l, void *arg)
{
	struct conn *c = arg;

	(void)l;
	if (c->state == C_RUN)
		return;
	/* Half a request after 10 s is a slow client; none is just idle. */
	if (c->state == C_READ && c->len > 0)
		c->sv->errors[E_TIMEOUT]++;
	conn_close(c);
}

static void
conn_read_mode(struct conn *c)
{
	struct serve *sv = c->sv;

	c->state = C_READ;
	nd_timer_arm(sv->loop, &c->timer, nd_loop_now(sv->loop) +
	    CONN_TIMEOUT_US);
	if (nd_loop_fd_set(sv->loop, c->fd, ND_EV_READ, conn_on_event, c) < 0)
		conn_close_soon(c);
}

static void
conn_write(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
		    c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	if (c->close_after) {
		conn_close(c);
		return;
	}
	conn_read_mode(c);
	/* A pipelined request may already be in the buffer. */
	if (c->state == C_READ && c->len > 0)
		conn_process(c);
}

static void
conn_read(struct conn *c)
{
	ssize_t n;

	if (c->buf == NULL && (c->buf = malloc(ND_HTTPREQ_MAX)) == NULL) {
		conn_close(c);
		return;
	}
	if (c->len >= ND_HTTPREQ_MAX) {
		conn_process(c);
		return;
	}
	n = recv(c->fd, c->buf + c->len, ND_HTTPREQ_MAX - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	conn_process(c);
}

static void
conn_on_event(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct conn *c = arg;

	(void)l;
	(void)fd;
	if (c->state == C_WRITE)
		conn_write(c);
	else if (c->state == C_READ)
		conn_read(c);
	else if (ev & ND_EV_ERROR)
		conn_close(c);
}

/* Drops the oldest connection that only waits for a request. */
static bool
conn_evict_idle(struct serve *sv)
{
	struct conn *c;

	for (c = sv->head; c != NULL; c = c->next)
		if (c->state == C_READ) {
			conn_close(c);
			return true;
		}
	return false;
}

static void
on_accept(struct nd_loop *l, int lfd, unsigned ev, void *arg)
{
	struct serve *sv = arg;
	int i;

	(void)l;
	(void)ev;
	for (i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct conn *c;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			/* Out of fds: make room by dropping an idle client. */
			if ((errno == EMFILE || errno == ENFILE) &&
			    conn_evict_idle(sv))
				continue;
			return;
		}
		if (sv->nconns >= sv->max_conns && !conn_evict_idle(sv)) {
			sv->errors[E_OVERLOADED]++;
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->sv = sv;
		c->fd = fd;
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			char a[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(c->peer, sizeof(c->peer), "[%s]:%u", a,
			    ntohs(s6->sin6_port));
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			snprintf(c->peer, sizeof(c->peer), "%s:%u", a,
			    ntohs(s4->sin_port));
		}
		nd_timer_init(&c->timer, conn_timeout, c);
		c->prev = sv->tail;
		if (sv->tail != NULL)
			sv->tail->next = c;
		else
			sv->head = c;
		sv->tail = c;
		sv->nconns++;
		conn_read_mode(c);
	}
}

/* ------------------------------------------------------------ /metrics */

static void
metrics_counter(FILE *f, bool om, const char *name, const char *help)
{
	fprintf(f, "# HELP %s%s %s\n# TYPE %s%s counter\n", name,
	    om ? "" : "_total", help, name, om ? "" : "_total");
}

static void
serve_metrics(struct conn *c, bool om)
{
	struct serve *sv = c->sv;
	char *body = NULL;
	size_t blen = 0, i;
	unsigned long long cum = 0;
	FILE *f = open_memstream(&body, &blen);

	if (f == NULL) {
		conn_close_soon(c);
		return;
	}
	metrics_counter(f, om, "netdoctor_serve_scrapes", "Scrapes of /probe "
	    "that ran, by result: success (probe_success 1), failure "
	    "(probe_success 0), error (netdoctor could not run it).");
	fprintf(f, "netdoctor_serve_scrapes_total{result=\"success\"} %llu\n"
	    "netdoctor_serve_scrapes_total{result=\"failure\"} %llu\n"
	    "netdoctor_serve_scrapes_total{result=\"error\"} %llu\n",
	    sv->scrapes_ok, sv->scrapes_failed, sv->scrapes_error);
	metrics_counter(f, om, "netdoctor_serve_errors", "Requests answered "
	    "without a scrape, or connections dropped, by reason.");
	for (i = 0; i < E__COUNT; i++)
		fprintf(f, "netdoctor_serve_errors_total{reason=\"%s\"} %llu\n",
		    err_names[i], sv->errors[i]);
	fputs("# HELP netdoctor_serve_scrapes_in_flight Scrapes running now.\n"
	    "# TYPE netdoctor_serve_scrapes_in_flight gauge\n", f);
	fprintf(f, "netdoctor_serve_scrapes_in_flight %zu\n", sv->inflight);
	fputs("# HELP netdoctor_serve_connections Client connections open "
	    "now.\n# TYPE netdoctor_serve_connections gauge\n", f);
	fprintf(f, "netdoctor_serve_connections %zu\n", sv->nconns);
	fputs("# HELP netdoctor_serve_max_concurrent Scrapes that may run at "
	    "once (--max-concurrent).\n# TYPE netdoctor_serve_max_concurrent "
	    "gauge\n", f);
	fprintf(f, "netdoctor_serve_max_concurrent %zu\n", sv->max_concurrent);
	fputs("# HELP netdoctor_serve_probe_duration_seconds How long scrapes "
	    "of /probe took.\n# TYPE netdoctor_serve_probe_duration_seconds "
	    "histogram\n", f);
	for (i = 0; i < HIST_N; i++) {
		cum += sv->hist[i];
		fprintf(f, "netdoctor_serve_probe_duration_seconds_bucket"
		    "{le=\"%g%s\"} %llu\n", hist_le[i],
		    om && hist_le[i] == (double)(long long)hist_le[i] ? ".0" :
		    "", cum);
	}
	fprintf(f, "netdoctor_serve_probe_duration_seconds_bucket{le=\"+Inf\"} "
	    "%llu\n", sv->hist_count);
	fprintf(f, "netdoctor_serve_probe_duration_seconds_sum %.9g\n",
	    sv->hist_sum);
	fprintf(f, "netdoctor_serve_probe_duration_seconds_count %llu\n",
	    sv->hist_count);
	if (om)
		fputs("# EOF\n", f);
	if (fclose(f) != 0) {
		free(body);
		conn_close_soon(c);
		return;
	}
	conn_respond(c, 200, om ? CT_OM : CT_TEXT, body, blen, NULL);
	free(body);
}

/* ------------------------------------------------------------ /probe */

static bool
scheme_allowed_by_default(const char *name)
{
	static const char *const def[] = {
		"tcp", "tls", "talos", "k8s", "http", "https", "dns",
	};
	size_t i;

	for (i = 0; i < ND_ARRAY_SIZE(def); i++)
		if (strcmp(def[i], name) == 0)
			return true;
	return false;
}

/* Whether an IP literal is inside --allow; why not in why. */
static bool
addr_allowed(const struct serve *sv, const char *ip)
{
	struct nd_pfx a;
	size_t i;

	if (nd_pfx_parse(ip, ND_PFX_ADDR, &a) != 0)
		return false;
	for (i = 0; i < sv->ncidrs; i++)
		if (nd_pfx_contains(&sv->cidrs[i], &a))
			return true;
	return false;
}

/* 0, or a 403 with the reason already sent. */
static int
target_allowed(struct conn *c, const struct nd_target *t)
{
	struct serve *sv = c->sv;

	if (!sv->schemes[t->scheme]) {
		conn_refuse(c, 403, E_FORBIDDEN, "%s:// targets are not "
		    "allowed here (--allow %s)", nd_scheme_name(t->scheme),
		    sv->allow_text);
		return -1;
	}
	if (t->host != NULL && t->host_is_ip && !addr_allowed(sv, t->host)) {
		conn_refuse(c, 403, E_FORBIDDEN, "%s is outside the allowed "
		    "networks (--allow %s)", t->host, sv->allow_text);
		return -1;
	}
	if (t->host != NULL && !t->host_is_ip && !(sv->any4 && sv->any6)) {
		conn_refuse(c, 403, E_FORBIDDEN, "host names are refused "
		    "unless --allow includes 0.0.0.0/0 and ::/0: where '%s' "
		    "resolves is known only once netdoctor connects; name an "
		    "address", t->host);
		return -1;
	}
	if (t->x->upstream != NULL && !addr_allowed(sv, t->x->upstream)) {
		conn_refuse(c, 403, E_FORBIDDEN, "upstream %s is outside the "
		    "allowed networks (--allow %s)", t->x->upstream,
		    sv->allow_text);
		return -1;
	}
	return 0;
}

static void
scrape_free(struct scrape *s)
{
	if (s == NULL)
		return;
	nd_engine_free(s->e);
	nd_http_free(s->run.http);
	nd_dnsq_free(s->run.dnsq);
	nd_arena_free(s->arena);
	free(s);
}

static void
scrape_done(void *arg, int rc)
{
	struct scrape *s = arg;
	struct serve *sv = s->sv;
	struct conn *c = s->c;
	struct nd_report_input ri = { .started = s->started,
	    .targets = s->inv.targets, .ntargets = s->inv.ntargets,
	    .timeout_ms = s->run.timeout_ms };
	struct nd_cause *causes;
	struct nd_report rep;
	const struct nd_reporter *r;
	char *body = NULL;
	size_t blen = 0, i, k;
	double secs;
	FILE *f;

	sv->inflight--;
	ri.probes = nd_engine_probes(s->e, &ri.nprobes);
	ri.elapsed_us = nd_engine_elapsed_us(s->e);
	ri.interrupted = rc < 0;
	nd_diagnose(s->arena, ri.probes, ri.nprobes, &causes, &ri.ncauses);
	ri.causes = causes;
	nd_report_build(s->arena, &ri, &rep);
	rep.warning_fails = s->m->warning_fails;

	secs = (double)(nd_loop_now(sv->loop) - s->t0) / 1e6;
	for (k = 0; k < HIST_N && secs > hist_le[k]; k++)
		;
	sv->hist[k]++;
	sv->hist_sum += secs;
	sv->hist_count++;
	if (rc < 0 || rep.status == ND_SEV_UNKNOWN)
		sv->scrapes_error++;
	else if (nd_report_success(&rep))
		sv->scrapes_ok++;
	else
		sv->scrapes_failed++;
	if (sv->o->verbose > 0) {
		fprintf(stderr, "netdoctor serve: %s probe target=%s module=%s "
		    "probe_success=%d status=%s causes=", c != NULL ? c->peer :
		    "(gone)", s->target, s->module_name,
		    nd_report_success(&rep) ? 1 : 0, nd_sev_name(rep.status));
		for (i = 0; i < rep.ncauses; i++)
			fprintf(stderr, "%s%s", i ? "," : "", rep.causes[i].id);
		fprintf(stderr, "%s %.3fs\n", rep.ncauses ? "" : "none", secs);
	}
	if (c != NULL) {
		c->scrape = NULL;
		r = nd_reporter_find(s->openmetrics ? "openmetrics" :
		    "prometheus");
		f = open_memstream(&body, &blen);
		if (f == NULL || r == NULL || r->write(f, &rep, 0) < 0 ||
		    fclose(f) != 0) {
			if (f != NULL && body == NULL)
				fclose(f);
			free(body);
			conn_close(c);
		} else {
			conn_respond(c, 200, s->openmetrics ? CT_OM : CT_TEXT,
			    body, blen, NULL);
			free(body);
		}
	}
	/* The engine allows its own free from its done callback. */
	scrape_free(s);
}

static const struct module *
module_find(const struct serve *sv, const char *name)
{
	size_t i;

	for (i = 0; i < sv->nmods; i++)
		if (strcmp(sv->mods[i].name, name) == 0)
			return &sv->mods[i];
	return NULL;
}

static void
serve_probe(struct conn *c, const struct nd_httpreq *rq)
{
	struct serve *sv = c->sv;
	char target[TARGET_MAX], mname[MODULE_NAME_MAX], err[512];
	const char *url;
	const struct module *m = &sv->def;
	struct scrape *s;
	int64_t ms;
	int rc;

	rc = nd_httpreq_param(rq->query, "target", target, sizeof(target));
	if (rc == -ENOENT || rc == 0) {
		conn_refuse(c, 400, E_BAD_REQUEST, "/probe needs a target: "
		    "/probe?target=tcp://127.0.0.1:6443");
		return;
	}
	if (rc < 0) {
		conn_refuse(c, 400, E_BAD_REQUEST, "target: %s",
		    rc == -E2BIG ? "longer than 2047 bytes" :
		    "a bad %-escape or a NUL");
		return;
	}
	rc = nd_httpreq_param(rq->query, "module", mname, sizeof(mname));
	if (rc > 0) {
		if ((m = module_find(sv, mname)) == NULL) {
			conn_refuse(c, 400, E_BAD_REQUEST, "unknown module "
			    "'%s' (modules: in the config)", mname);
			return;
		}
	} else if (rc != -ENOENT && rc != 0) {
		conn_refuse(c, 400, E_BAD_REQUEST, "module: not a module name");
		return;
	}
	if (sv->draining) {
		conn_refuse(c, 503, E_OVERLOADED, "shutting down");
		return;
	}
	if (sv->inflight >= sv->max_concurrent) {
		conn_refuse(c, 503, E_OVERLOADED, "%zu scrapes are running "
		    "(--max-concurrent %zu)", sv->inflight, sv->max_concurrent);
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->arena = nd_arena_new()) == NULL) {
		free(s);
		conn_close_soon(c);
		return;
	}
	s->sv = sv;
	s->m = m;
	s->module_name = m->name;
	s->target = nd_arena_strdup(s->arena, target);
	url = s->target;
	if (nd_inventory_build(s->arena, &url, NULL, 1, NULL, &s->inv, err,
	    sizeof(err)) < 0) {
		scrape_free(s);
		conn_refuse(c, 400, E_BAD_REQUEST, "%s", err);
		return;
	}
	if (target_allowed(c, s->inv.targets[0]) < 0) {
		scrape_free(s);
		return;
	}
	/* Prometheus gives up at its scrape timeout: answer before it. */
	ms = m->timeout_ms;
	if (rq->scrape_timeout > 0 &&
	    (int64_t)(rq->scrape_timeout * 1000) - SCRAPE_SLACK_MS < ms)
		ms = (int64_t)(rq->scrape_timeout * 1000) - SCRAPE_SLACK_MS;
	if (ms < MIN_DEADLINE_MS)
		ms = MIN_DEADLINE_MS;
	s->run.arena = s->arena;
	s->run.loop = sv->loop;
	/*
	 * Each probe gets the deadline and gives its own verdict at it
	 * (tcp.timeout); the budget is the backstop for a chain whose layers
	 * add up, a little later but still inside Prometheus' timeout.
	 */
	s->run.timeout_ms = ms;
	s->run.budget_ms = ms + BUDGET_SLACK_MS;
	s->run.only = m->only;
	s->run.skip = m->skip;
	s->run.creds = &m->creds;
	s->openmetrics = nd_httpreq_wants_openmetrics(rq->accept);
	s->started = time(NULL);
	s->t0 = nd_loop_now(sv->loop);
	if ((s->e = nd_engine_new(&s->run)) == NULL ||
	    nd_engine_plan(s->e, &s->inv, err, sizeof(err)) < 0) {
		scrape_free(s);
		conn_refuse(c, 400, E_BAD_REQUEST, "%s", err);
		return;
	}
	(void)nd_engine_prepare(s->e);
	s->c = c;
	c->scrape = s;
	c->state = C_RUN;
	nd_timer_disarm(sv->loop, &c->timer);
	nd_loop_fd_del(sv->loop, c->fd);
	sv->inflight++;
	nd_engine_start(s->e, scrape_done, s);
}

/* ------------------------------------------------------------ requests */

static bool
path_is(const struct nd_httpreq *rq, const char *p)
{
	return rq->path.n == strlen(p) && memcmp(rq->path.p, p, rq->path.n) == 0;
}

static void
conn_process(struct conn *c)
{
	struct nd_httpreq rq;
	char err[160];
	int rc;

	if (c->state != C_READ)
		return;
	rc = nd_httpreq_parse(c->buf, c->len, &rq, err, sizeof(err));
	if (rc == 0)
		return;
	if (rc < 0) {
		c->len = 0;
		if (rc == -E2BIG)
			conn_refuse(c, strstr(err, "line") != NULL ? 414 : 431,
			    E_TOO_LARGE, "%s", err);
		else if (rc == -EPROTO && strstr(err, "no HTTP version") == NULL)
			conn_refuse(c, 505, E_VERSION, "%s", err);
		else
			conn_refuse(c, 400, E_BAD_REQUEST, "%s", err);
		return;
	}
	c->close_after = !rq.keep_alive;
	c->head_only = rq.method.n == 4 && memcmp(rq.method.p, "HEAD", 4) == 0;
	if (!c->head_only && !(rq.method.n == 3 &&
	    memcmp(rq.method.p, "GET", 3) == 0)) {
		c->len = 0;
		c->close_after = true;	/* a body may follow that we skip */
		conn_refuse(c, 405, E_METHOD, "only GET and HEAD");
		return;
	}
	if (path_is(&rq, "/probe")) {
		serve_probe(c, &rq);
	} else if (path_is(&rq, "/metrics")) {
		serve_metrics(c, nd_httpreq_wants_openmetrics(rq.accept));
	} else if (path_is(&rq, "/healthz")) {
		conn_respond(c, 200, CT_PLAIN, "ok\n", 3, NULL);
	} else if (path_is(&rq, "/")) {
		static const char idx[] = "netdoctor serve: /probe?target=URL"
		    "[&module=NAME], /metrics, /healthz\n";

		conn_respond(c, 200, CT_PLAIN, idx, sizeof(idx) - 1, NULL);
	} else {
		conn_refuse(c, 404, E_NOT_FOUND, "no such path (/probe, "
		    "/metrics, /healthz)");
	}
	/* Whatever came after the head is the next request (pipelining). */
	if (c->len > rq.head_len)
		memmove(c->buf, c->buf + rq.head_len, c->len - rq.head_len);
	c->len -= rq.head_len < c->len ? rq.head_len : c->len;
}

/* ------------------------------------------------------------ setup */

static int
serve_listen(struct serve *sv, const char *spec, char *err, size_t len)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(spec, ':');
	long long port;
	socklen_t sl;
	size_t hl;
	int one = 1, fd;

	if (colon == NULL || nd_parse_int(colon + 1, 0, 65535, &port) < 0) {
		snprintf(err, len, "--listen: '%s' is not ADDR:PORT (e.g. "
		    "127.0.0.1:9116, [::1]:9116)", spec);
		return -EINVAL;
	}
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, len, "--listen: '%s' is not ADDR:PORT", spec);
		return -EINVAL;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		snprintf(err, len, "--listen: '%s' is not an IP address", host);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		snprintf(err, len, "--listen: socket: %s", strerror(errno));
		return -errno;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		int e = errno;

		snprintf(err, len, "--listen %s:%lld: %s", host, port,
		    strerror(e));
		close(fd);
		return -e;
	}
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		port = ntohs(ss.ss_family == AF_INET ? s4->sin_port :
		    s6->sin6_port);
	snprintf(sv->listen_name, sizeof(sv->listen_name),
	    ss.ss_family == AF_INET6 ? "[%s]:%lld" : "%s:%lld", host, port);
	sv->lfd = fd;
	return 0;
}

static int
serve_allow(struct serve *sv, const char *spec, char *err, size_t len)
{
	bool have_cidr = false, have_scheme = false;
	const char *p = spec;
	size_t i, o = 0;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, ',');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char item[64];
		struct nd_pfx pf;

		if (n == 0 || n >= sizeof(item)) {
			snprintf(err, len, "--allow: an empty or overlong item");
			return -EINVAL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (nd_pfx_parse(item, ND_PFX_CIDR | ND_PFX_ADDR, &pf) == 0) {
			if (sv->ncidrs >= ALLOW_MAX) {
				snprintf(err, len, "--allow: more than %d "
				    "networks", ALLOW_MAX);
				return -EINVAL;
			}
			if (!have_cidr)
				sv->ncidrs = 0;
			have_cidr = true;
			sv->cidrs[sv->ncidrs++] = pf;
			if (pf.bits == 0)
				*(pf.family == AF_INET ? &sv->any4 :
				    &sv->any6) = true;
		} else {
			for (i = 0; i < ND_S__COUNT; i++)
				if (strcmp(nd_scheme_name(i), item) == 0)
					break;
			if (i == ND_S__COUNT) {
				snprintf(err, len, "--allow: '%s' is neither a "
				    "network (10.0.0.0/8) nor a scheme (%s)",
				    item, nd_scheme_names());
				return -EINVAL;
			}
			if (!have_scheme)
				memset(sv->schemes, 0, sizeof(sv->schemes));
			have_scheme = true;
			sv->schemes[i] = true;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	/* What --allow now means, for the 403 answers. */
	for (i = 0; i < ND_S__COUNT && o < sizeof(sv->allow_text); i++)
		if (sv->schemes[i])
			o += (size_t)snprintf(sv->allow_text + o,
			    sizeof(sv->allow_text) - o, "%s%s", o ? "," : "",
			    nd_scheme_name(i));
	for (i = 0; i < sv->ncidrs && o < sizeof(sv->allow_text); i++) {
		char t[ND_PFX_TEXT_MAX];

		nd_pfx_format(&sv->cidrs[i], t, sizeof(t));
		o += (size_t)snprintf(sv->allow_text + o,
		    sizeof(sv->allow_text) - o, ",%s", t);
	}
	return 0;
}

static int
module_creds(struct serve *sv, struct module *m, const char *talosconfig,
    const char *talos_ctx, const char *kubeconfig, const char *kube_ctx,
    char *err, size_t len)
{
	if (talosconfig != NULL) {
		struct nd_talos_creds *tc = nd_arena_alloc(sv->arena,
		    sizeof(*tc));

		if (nd_talos_creds_load(sv->arena, talosconfig, talos_ctx, tc,
		    err, len) < 0)
			return -EINVAL;
		m->creds.talos = tc;
	}
	if (kubeconfig != NULL) {
		struct nd_kube_creds *kc = nd_arena_alloc(sv->arena,
		    sizeof(*kc));

		if (nd_kube_creds_load(sv->arena, kubeconfig, kube_ctx, kc, err,
		    len) < 0)
			return -EINVAL;
		m->creds.kube = kc;
	}
	return 0;
}

static int
serve_modules(struct serve *sv, const struct nd_config *cfg, char *err,
    size_t len)
{
	const struct nd_options *o = sv->o;
	const char *tc = o->talosconfig, *kc = o->kubeconfig;
	const char *tctx = NULL, *kctx = NULL;
	size_t i, n = cfg != NULL ? cfg->nmodules : 0;

	if (cfg != NULL) {
		if (tc == NULL)
			tc = cfg->talosconfig;
		if (kc == NULL)
			kc = cfg->kubeconfig;
		tctx = cfg->talos_context;
		kctx = cfg->kube_context;
	}
	sv->def.name = "default";
	sv->def.timeout_ms = o->timeout_set || cfg == NULL ||
	    cfg->timeout_ms == 0 ? o->timeout_ms : cfg->timeout_ms;
	sv->def.only = o->only;
	sv->def.skip = o->skip;
	if (module_creds(sv, &sv->def, tc, tctx, kc, kctx, err, len) < 0)
		return -EINVAL;
	sv->mods = nd_arena_alloc(sv->arena, (n + 1) * sizeof(*sv->mods));
	for (i = 0; i < n; i++) {
		const struct nd_module *cm = &cfg->modules[i];
		struct module *m = &sv->mods[i];

		m->name = cm->name;
		m->timeout_ms = cm->timeout_ms ? cm->timeout_ms :
		    sv->def.timeout_ms;
		m->only = cm->only;
		m->skip = cm->skip;
		m->warning_fails = cm->warning_fails;
		m->creds = sv->def.creds;
		if (module_creds(sv, m, cm->talosconfig, tctx, cm->kubeconfig,
		    kctx, err, len) < 0)
			return -EINVAL;
		/* A module named default replaces the built-in one. */
		if (strcmp(m->name, "default") == 0)
			sv->def = *m;
	}
	sv->nmods = n;
	return 0;
}

static void
serve_limits(struct serve *sv)
{
	struct rlimit rl;
	size_t fds = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fds = (size_t)rl.rlim_cur;
	else if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		fds = 1u << 20;
	fds = fds > FD_RESERVE + 32 ? fds - FD_RESERVE : 32;
	/*
	 * A scrape holds its client's socket and a few of its own (a probe's
	 * socket, a netlink socket, c-ares, libcurl): count eight.  Idle
	 * clients get half of what is left.
	 */
	sv->max_concurrent = sv->o->max_concurrent != 0 ?
	    sv->o->max_concurrent : fds / 8 > CONCURRENT_MAX ? CONCURRENT_MAX :
	    fds / 8 > 0 ? fds / 8 : 1;
	sv->max_conns = fds / 2 > CONN_MAX ? CONN_MAX : fds / 2;
	if (sv->max_conns < sv->max_concurrent + 16)
		sv->max_conns = sv->max_concurrent + 16;
}

static void
on_signal(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct serve *sv = arg;
	struct signalfd_siginfo si;
	struct conn *c, *next;

	(void)ev;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	sv->signo = (int)si.ssi_signo;
	sv->draining = true;
	/* A second signal ends the process at once (the default action). */
	nd_loop_fd_del(l, fd);
	nd_signals_default();
	/* No new clients; the idle ones go now, the scrapes finish. */
	nd_loop_fd_close(l, sv->lfd);
	sv->lfd = -1;
	for (c = sv->head; c != NULL; c = next) {
		next = c->next;
		if (c->state == C_READ)
			conn_close(c);
		else
			c->close_after = true;
	}
}

int
nd_serve(struct nd_arena *a, const struct nd_options *o,
    const struct nd_config *cfg, char *err, size_t len)
{
	struct serve sv;
	sigset_t set;
	size_t i;
	int rc = 0;

	memset(&sv, 0, sizeof(sv));
	sv.o = o;
	sv.arena = a;
	sv.lfd = sv.sigfd = -1;
	for (i = 0; i < ND_S__COUNT; i++)
		sv.schemes[i] = scheme_allowed_by_default(nd_scheme_name(i));
	nd_pfx_parse("127.0.0.0/8", ND_PFX_CIDR, &sv.cidrs[0]);
	nd_pfx_parse("::1/128", ND_PFX_CIDR, &sv.cidrs[1]);
	sv.ncidrs = 2;
	if ((rc = serve_allow(&sv, o->allow, err, len)) < 0 ||
	    (rc = serve_modules(&sv, cfg, err, len)) < 0)
		return rc;
	serve_limits(&sv);
	if ((sv.loop = nd_loop_new()) == NULL) {
		snprintf(err, len, "cannot create the event loop: %s",
		    strerror(errno));
		return -ENOMEM;
	}
	if ((rc = serve_listen(&sv, o->serve_listen != NULL ? o->serve_listen :
	    "127.0.0.1:9116", err, len)) < 0)
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (sv.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    nd_loop_fd_set(sv.loop, sv.sigfd, ND_EV_READ, on_signal, &sv) < 0 ||
	    nd_loop_fd_set(sv.loop, sv.lfd, ND_EV_READ, on_accept, &sv) < 0) {
		rc = -errno;
		snprintf(err, len, "cannot watch the socket or the signals: %s",
		    strerror(errno));
		goto out;
	}
	/* Scripts wait for this line before they scrape. */
	fprintf(stderr, "netdoctor serve: listening on http://%s/ "
	    "(max %zu scrapes at once, %zu connections; allow %s)\n",
	    sv.listen_name, sv.max_concurrent, sv.max_conns, sv.allow_text);
	fflush(stderr);
	while (!sv.draining || sv.nconns > 0 || sv.inflight > 0)
		if ((rc = nd_loop_run_once(sv.loop, 1000000)) < 0) {
			snprintf(err, len, "the event loop failed: %s",
			    strerror(-rc));
			goto out;
		}
	rc = 0;
	if (o->verbose > 0)
		fprintf(stderr, "netdoctor serve: %s: every scrape answered, "
		    "exiting\n", strsignal(sv.signo));
out:
	while (sv.head != NULL)
		conn_close(sv.head);
	if (sv.lfd >= 0)
		nd_loop_fd_close(sv.loop, sv.lfd);
	if (sv.sigfd >= 0) {
		nd_loop_fd_del(sv.loop, sv.sigfd);
		close(sv.sigfd);
	}
	nd_loop_free(sv.loop);
	return rc;
}
