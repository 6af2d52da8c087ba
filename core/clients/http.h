/*
 * http.h - libcurl's multi interface on the run's loop (libraries.md 3):
 * one CURLM per run, its sockets watched through CURLMOPT_SOCKETFUNCTION,
 * its timeout through CURLMOPT_TIMERFUNCTION and one nd_timer.  Probes
 * bring their own configured easy handles and get one completion call.
 */
#ifndef ND_HTTP_H
#define ND_HTTP_H

#include <stdbool.h>

#include <curl/curl.h>

struct nd_run;
struct nd_http;

typedef void	(*nd_http_done_fn)(void *arg, CURLcode);

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

struct nd_probe;
struct nd_pem;

/* What the TLS layer of a libcurl transfer saw (OpenSSL msg callback). */
struct nd_http_tls {
	int		 alert;		/* last alert received, -1 none */
	bool		 certreq;	/* the server asked for a client cert */
	bool		 presented;	/* we had one to give */
};

/*
 * Everything a probe's request to its own endpoint needs, owned by the
 * probe's ctx and released with nd_http_conn_free():
 */
struct nd_http_conn {
	CURL		*easy;
	struct curl_slist *resolve;	/* pins the name to the endpoint */
	struct curl_slist *headers;
	struct nd_http_tls tls;
	char		 errbuf[CURL_ERROR_SIZE];
	bool		 added;
};

/*
 * Prepares conn->easy for https://HOST:PORT/path on the probe's endpoint:
 * pinned to the endpoint's address (CURLOPT_RESOLVE, so SNI and Host keep
 * the name), no certificate verification (the tls probe judges trust),
 * the client certificate and key as in-memory blobs when given (never
 * written anywhere), a timeout at the probe's deadline, and the TLS
 * observer above.  Returns 0 or -errno.
 */
int		 nd_http_conn_init(struct nd_http_conn *, struct nd_probe *,
		    const char *path, const struct nd_pem *crt,
		    const struct nd_pem *key);
/* Starts the transfer; done(arg, result) is called once. */
int		 nd_http_conn_start(struct nd_http_conn *, struct nd_probe *,
		    nd_http_done_fn, void *arg);
/* Removes, cleans up and zeroes; safe on a zeroed or freed conn. */
void		 nd_http_conn_free(struct nd_http_conn *, struct nd_probe *);

#endif /* ND_HTTP_H */
