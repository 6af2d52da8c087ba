/*
 * http.c - libcurl multi_socket on nd_loop.
 *
 * curl_multi_socket_action() is only ever called from our own fd and
 * timer callbacks, never from inside a curl callback
 * (CURLMOPT_TIMERFUNCTION(3): do not call libcurl from within it).
 * Completions are collected with curl_multi_info_read() after each
 * action, and each is delivered once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "creds.h"
#include "engine.h"
#include "http.h"
#include "loop.h"
#include "probe.h"
#include "target.h"

struct http_xfer {
	nd_http_done_fn	 done;
	void		*arg;
	bool		 active;
};

struct nd_http {
	struct nd_loop	*loop;
	CURLM		*multi;
	struct nd_timer	 tmr;
};

static void http_check_done(struct nd_http *);

static void
http_on_fd(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_http *h = arg;
	int running, flags = 0;

	(void)l;
	if (ev & ND_EV_READ)
		flags |= CURL_CSELECT_IN;
	if (ev & ND_EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	if (ev & ND_EV_ERROR)
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	http_check_done(h);
}

static void
http_on_timer(struct nd_loop *l, void *arg)
{
	struct nd_http *h = arg;
	int running;

	(void)l;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_done(h);
}

static int
http_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct nd_http *h = userp;
	unsigned ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		nd_loop_fd_del(h->loop, s);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= ND_EV_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= ND_EV_WRITE;
	return nd_loop_fd_set(h->loop, s, ev, http_on_fd, h) < 0 ? -1 : 0;
}

static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct nd_http *h = userp;

	(void)multi;
	if (timeout_ms < 0)
		nd_timer_disarm(h->loop, &h->tmr);
	else
		nd_timer_arm(h->loop, &h->tmr, nd_loop_now(h->loop) +
		    (uint64_t)timeout_ms * 1000u);
	return 0;
}

static void
http_check_done(struct nd_http *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct http_xfer *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
		if (x == NULL || !x->active)
			continue;
		x->active = false;
		/* The callback may remove (and free) this easy handle. */
		x->done(x->arg, m->data.result);
	}
}

int
nd_http_global_init(void)
{
	static int done;

	/*
	 * libcurl's global init starts OpenSSL and every library it was built
	 * with; a run that asks nothing over HTTP (a Nagios check of one TCP
	 * port) does not pay for it.  Once per process, cleaned up at exit.
	 */
	if (done == 0) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -ENOMEM;
		done = 1;
		(void)atexit(curl_global_cleanup);
	}
	return 0;
}

struct nd_http *
nd_http_get(struct nd_run *run)
{
	struct nd_http *h = run->http;

	if (h != NULL)
		return h;
	if (nd_http_global_init() < 0 || (h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = run->loop;
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		return NULL;
	}
	nd_timer_init(&h->tmr, http_on_timer, h);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	/* Each probe measures its own connection: no reuse across probes. */
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
	run->http = h;
	return h;
}

void
nd_http_free(struct nd_http *h)
{
	if (h == NULL)
		return;
	nd_timer_disarm(h->loop, &h->tmr);
	curl_multi_cleanup(h->multi);
	free(h);
}

int
nd_http_add(struct nd_http *h, CURL *easy, nd_http_done_fn done, void *arg)
{
	struct http_xfer *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return -ENOMEM;
	x->done = done;
	x->arg = arg;
	x->active = true;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(h->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
		return -EIO;
	}
	return 0;
}

void
nd_http_remove(struct nd_http *h, CURL *easy)
{
	struct http_xfer *x = NULL;

	if (h == NULL || easy == NULL)
		return;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, &x);
	if (x == NULL)
		return;
	curl_multi_remove_handle(h->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	free(x);
}

void
nd_http_body_init(struct nd_http_body *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

/* Room for need bytes, doubling from 16 KiB but never past max + 1. */
static int
http_body_grow(struct nd_http_body *b, size_t need)
{
	size_t cap = b->cap != 0 ? b->cap : 16384;
	char *p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->buf, cap)) == NULL)
		return -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

size_t
nd_http_body_write(char *data, size_t size, size_t n, void *arg)
{
	struct nd_http_body *b = arg;
	size_t len = size * n, take = b->max - b->len;

	/* libcurl passes size 1 (CURLOPT_WRITEFUNCTION(3)): no overflow. */
	b->arrived += len;
	if (take > len)
		take = len;
	if (take > 0) {
		if (http_body_grow(b, b->len + take + 1) < 0)
			return 0;
		memcpy(b->buf + b->len, data, take);
		b->len += take;
		b->buf[b->len] = '\0';
	}
	if (take < len) {
		/* Anything but len makes libcurl fail with CURLE_WRITE_ERROR. */
		b->over = true;
		return 0;
	}
	return len;
}

const char *
nd_http_body_str(const struct nd_http_body *b)
{
	return b->buf != NULL ? b->buf : "";
}

void
nd_http_body_free(struct nd_http_body *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/*
 * libcurl calls this with the connection's SSL_CTX before it creates the
 * SSL (CURLOPT_SSL_CTX_FUNCTION(3)): the observer then sees the handshake.
 */
static CURLcode
http_sslctx_cb(CURL *easy, void *sslctx, void *arg)
{
	(void)easy;
	nd_tlsobs_attach(sslctx, arg);
	return CURLE_OK;
}

int
nd_http_conn_init(struct nd_http_conn *c, struct nd_probe *p,
    const char *path, const struct nd_pem *crt, const struct nd_pem *key)
{
	const struct nd_target *t = p->target;
	const struct nd_endpoint *ep = p->ep;
	bool v6 = ep->addr.sa.sa_family == AF_INET6;
	char url[512], pin[320];
	const char *name;
	uint64_t now = nd_loop_now(p->run->loop), dl = nd_probe_deadline(p);
	long left_ms = dl > now ? (long)((dl - now) / 1000) : 1;

	memset(c, 0, sizeof(*c));
	nd_tlsobs_init(&c->tls);
	if ((c->easy = curl_easy_init()) == NULL)
		return -ENOMEM;
	/* A name (the host, or ?sni=) goes in the URL for SNI and Host. */
	name = t->x->sni != NULL ? t->x->sni : !t->host_is_ip ? t->host : NULL;
	if (name == NULL) {
		snprintf(url, sizeof(url), "https://%s%s%s:%u%s", v6 ? "[" : "",
		    ep->addrstr, v6 ? "]" : "", t->port, path);
	} else {
		snprintf(url, sizeof(url), "https://%s:%u%s", name, t->port,
		    path);
		snprintf(pin, sizeof(pin), "%s:%u:%s%s%s", name, t->port,
		    v6 ? "[" : "", ep->addrstr, v6 ? "]" : "");
		if ((c->resolve = curl_slist_append(NULL, pin)) == NULL)
			return -ENOMEM;
		curl_easy_setopt(c->easy, CURLOPT_RESOLVE, c->resolve);
	}
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, left_ms > 0 ? left_ms : 1);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "netdoctor/" ND_VERSION);
	curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c->easy, CURLOPT_SSL_CTX_FUNCTION, http_sslctx_cb);
	curl_easy_setopt(c->easy, CURLOPT_SSL_CTX_DATA, &c->tls);
	if (crt != NULL && key != NULL && crt->len > 0 && key->len > 0) {
		struct curl_blob cb = { crt->data, crt->len, CURL_BLOB_COPY };
		struct curl_blob kb = { key->data, key->len, CURL_BLOB_COPY };

		curl_easy_setopt(c->easy, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(c->easy, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c->easy, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(c->easy, CURLOPT_SSLKEYTYPE, "PEM");
		c->presented = true;
	}
	return 0;
}

int
nd_http_conn_kube(struct nd_http_conn *c, struct nd_probe *p,
    const char *path, struct nd_http_body *body, bool *authed)
{
	const struct nd_creds_set *cs = p->run->creds;
	const struct nd_kube_creds *kc = cs != NULL ? cs->kube : NULL;
	int rc;

	rc = nd_http_conn_init(c, p, path, kc != NULL ? &kc->crt : NULL,
	    kc != NULL ? &kc->key : NULL);
	if (rc < 0)
		return rc;
	*authed = c->presented;
	if (kc != NULL && kc->token != NULL) {
		/* The token lives only in this header list, never in a report. */
		char *h = nd_arena_printf(p->run->arena,
		    "Authorization: Bearer %s", kc->token);

		c->headers = curl_slist_append(NULL, h);
		explicit_bzero(h, strlen(h));
		if (c->headers == NULL)
			return -ENOMEM;
		curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
		*authed = true;
	}
	curl_easy_setopt(c->easy, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, nd_http_body_write);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, body);
	return 0;
}

int
nd_http_conn_start(struct nd_http_conn *c, struct nd_probe *p,
    nd_http_done_fn done, void *arg)
{
	struct nd_http *h = nd_http_get(p->run);
	int rc;

	if (h == NULL)
		return -ENOMEM;
	if ((rc = nd_http_add(h, c->easy, done, arg)) < 0)
		return rc;
	c->added = true;
	return 0;
}

void
nd_http_easy_release(struct nd_probe *p, CURL **easy, bool *added)
{
	if (*easy != NULL) {
		if (*added)
			nd_http_remove(p->run->http, *easy);
		curl_easy_cleanup(*easy);
	}
	*easy = NULL;
	*added = false;
}

void
nd_http_conn_free(struct nd_http_conn *c, struct nd_probe *p)
{
	nd_http_easy_release(p, &c->easy, &c->added);
	curl_slist_free_all(c->resolve);
	curl_slist_free_all(c->headers);
	c->resolve = NULL;
	c->headers = NULL;
}

static int
http_on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct nd_h2_seen *seen = arg;
	char line[160];
	const char *g;

	(void)easy;
	if (type != CURLINFO_TEXT || size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if ((g = strstr(line, "GOAWAY, error=")) != NULL &&
	    sscanf(g, "GOAWAY, error=%ld, last_stream=%lu", &seen->goaway,
	    &seen->goaway_last) < 1)
		seen->goaway = -1;
	if ((g = strstr(line, " was not closed cleanly: ")) != NULL &&
	    (g = strstr(g, "(err ")) != NULL &&
	    sscanf(g, "(err %ld)", &seen->rst) != 1)
		seen->rst = -1;
	return 0;
}

void
nd_h2_watch(CURL *easy, bool tls, struct nd_h2_seen *seen)
{
	seen->goaway = seen->rst = -1;
	seen->goaway_last = 0;
	if (!tls)
		return;
	curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, http_on_debug);
	curl_easy_setopt(easy, CURLOPT_DEBUGDATA, seen);
	curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
}

/* RFC 9113 7. */
const char *
nd_h2_error_name(long code)
{
	static const char *const names[] = {
		"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR",
		"FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
		"FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL",
		"COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
		"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
	};

	return code >= 0 && (size_t)code < sizeof(names) / sizeof(names[0]) ?
	    names[code] : "an unknown code";
}
