/*
 * http.h - libcurl's multi interface on the run's loop (libcurl-multi(3),
 * curl_multi_socket_action(3)): one CURLM per run, its sockets watched
 * through CURLMOPT_SOCKETFUNCTION, its timeout through
 * CURLMOPT_TIMERFUNCTION and one nd_timer.  Probes bring their own
 * configured easy handles and get one completion call.
 */
#ifndef ND_HTTP_H
#define ND_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "tlsobs.h"

struct nd_run;
struct nd_http;

typedef void	(*nd_http_done_fn)(void *arg, CURLcode);

/* libcurl's global init, on first use (0 or -ENOMEM). */
int		 nd_http_global_init(void);

/* Created on first use, freed with the run (nd_http_free). */
struct nd_http	*nd_http_get(struct nd_run *);
void		 nd_http_free(struct nd_http *);	/* accepts NULL */

/*
 * Starts easy on the run's multi handle; done(arg, result) is called once
 * from the loop when the transfer ends.  The caller keeps ownership of
 * easy and must nd_http_remove() it (done or not) before cleaning it up.
 * Returns 0 or -errno.
 */
int		 nd_http_add(struct nd_http *, CURL *easy, nd_http_done_fn,
		    void *arg);
/* Stops watching easy; safe if it was never added or already finished. */
void		 nd_http_remove(struct nd_http *, CURL *easy);

/*
 * A response body kept in memory up to a bound.  Give libcurl
 * nd_http_body_write as CURLOPT_WRITEFUNCTION and the body as
 * CURLOPT_WRITEDATA.  The buffer grows as data arrives but never past max
 * bytes (plus a NUL after the last byte kept, so a text body reads as a
 * string).  Past the bound the callback keeps what fits, sets over and
 * returns 0, which libcurl turns into CURLE_WRITE_ERROR: a peer that sends
 * gigabytes, or never stops, costs max bytes and no more time.
 */
struct nd_http_body {
	char		*buf;		/* NULL until a byte is kept */
	size_t		 len;		/* bytes kept, at most max */
	size_t		 cap;		/* bytes allocated, at most max + 1 */
	size_t		 max;		/* the bound */
	size_t		 arrived;	/* bytes delivered, kept or not */
	bool		 over;		/* more than max arrived: aborted */
};

/* An empty body bounded to max bytes; body must hold nothing (zeroed or
   freed). */
void		 nd_http_body_init(struct nd_http_body *, size_t max);
/*
 * The CURLOPT_WRITEFUNCTION; arg is the struct nd_http_body.  Returns
 * size * n, or 0 to abort: over the bound (over is set) or out of memory
 * (over is not).
 */
size_t		 nd_http_body_write(char *data, size_t size, size_t n,
		    void *arg);
/* The bytes kept as a string: "" when none were. */
const char	*nd_http_body_str(const struct nd_http_body *);
/* Frees and zeroes (max too); accepts a zeroed body. */
void		 nd_http_body_free(struct nd_http_body *);

/*
 * HTTP/2 frames libcurl 7.88 has no API for: a GOAWAY (RFC 9113 6.8) and
 * a stream reset (RST_STREAM, 6.4), with their error codes (7).  It only
 * logs them: "recveived GOAWAY, error=%d, last_stream=%u" (lib/http2.c,
 * the typo fixed later) and "HTTP/2 stream %u was not closed cleanly: %s
 * (err %u)", so its verbose text is where they are read.
 */
struct nd_h2_seen {
	long		 goaway;	/* GOAWAY's error code, -1 none */
	unsigned long	 goaway_last;	/* its last stream id */
	long		 rst;		/* RST_STREAM's error code, -1 none */
};

/*
 * Clears seen and, over TLS (where alone netdoctor offers HTTP/2,
 * CURL_HTTP_VERSION_2TLS), makes easy report into it
 * (CURLOPT_DEBUGFUNCTION, CURLOPT_VERBOSE): a plain request keeps libcurl
 * quiet.  seen must outlive the transfer.
 */
void		 nd_h2_watch(CURL *easy, bool tls, struct nd_h2_seen *seen);
/* "NO_ERROR" ... "HTTP_1_1_REQUIRED"; "an unknown code" past them. */
const char	*nd_h2_error_name(long code);

struct nd_probe;
struct nd_pem;

/*
 * Everything a probe's request to its own endpoint needs, owned by the
 * probe's ctx and released with nd_http_conn_free():
 */
struct nd_http_conn {
	CURL		*easy;
	struct curl_slist *resolve;	/* pins the name to the endpoint */
	struct curl_slist *headers;
	struct nd_tlsobs tls;		/* what the TLS layer saw */
	bool		 presented;	/* we had a client cert to give */
	char		 errbuf[CURL_ERROR_SIZE];
	bool		 added;
};

/*
 * Prepares conn->easy for https://HOST:PORT/path on the probe's endpoint:
 * pinned to the endpoint's address (CURLOPT_RESOLVE, so SNI and Host keep
 * the name), no certificate verification (the tls probe judges trust),
 * the client certificate and key as in-memory blobs when given (never
 * written anywhere; presented says so), a timeout at the probe's deadline,
 * and the TLS observer (tlsobs.h) on conn->tls.  Returns 0 or -errno.
 */
int		 nd_http_conn_init(struct nd_http_conn *, struct nd_probe *,
		    const char *path, const struct nd_pem *crt,
		    const struct nd_pem *key);
/*
 * nd_http_conn_init for a GET to the Kubernetes API server (k8s://,
 * gateway+k8s://) with the kubeconfig's credentials, if the run has one:
 * its client certificate, or its bearer token in a header that lives only
 * in conn->headers.  HTTP/2 when TLS offers it, as client-go.  The answer
 * goes into body, which the caller has initialised with its bound.
 * *authed says whether credentials went out.  Returns 0 or -errno.
 */
int		 nd_http_conn_kube(struct nd_http_conn *, struct nd_probe *,
		    const char *path, struct nd_http_body *, bool *authed);
/* Starts the transfer; done(arg, result) is called once. */
int		 nd_http_conn_start(struct nd_http_conn *, struct nd_probe *,
		    nd_http_done_fn, void *arg);
/*
 * A probe's own transfer, ended: out of the run's multi if it was added,
 * cleaned up, *easy NULL and *added false.  Safe to call again.
 */
void		 nd_http_easy_release(struct nd_probe *, CURL **easy,
		    bool *added);

/* Removes, cleans up and zeroes; safe on a zeroed or freed conn. */
void		 nd_http_conn_free(struct nd_http_conn *, struct nd_probe *);

#endif /* ND_HTTP_H */
