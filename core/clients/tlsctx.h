/*
 * tlsctx.h - the TLS client contexts of a run, one per trust source,
 * shared by every tls probe that judges against the same anchors.
 * Building an SSL_CTX costs OpenSSL 3 about 0.2 ms and loading the system
 * store (ca-certificates, some 140 roots) about 40 ms: per probe, a
 * thousand https:// targets would spend seconds of CPU on it.
 */
#ifndef ND_TLSCTX_H
#define ND_TLSCTX_H

#include <stdbool.h>

#include <openssl/types.h>

struct nd_run;
struct nd_tlsctx;

/*
 * Fills a new context for key (trust anchors and all); returns 0, or
 * -errno, which is remembered for that key like a context.  *have_ca says
 * whether trust can be judged with it.
 */
typedef int	nd_tlsctx_setup_fn(SSL_CTX *, void *arg, bool *have_ca);

/*
 * The run's context for key ("ca=/etc/ca.pem", "system", ...), built with
 * setup on first use.  On success *ret holds a new reference (free it with
 * SSL_CTX_free) and *have_ca the setup's answer; returns 0 or the setup's
 * -errno (-ENOMEM when out of memory).
 */
int		 nd_tlsctx_get(struct nd_run *, const char *key,
		    nd_tlsctx_setup_fn *, void *arg, SSL_CTX **ret,
		    bool *have_ca);
void		 nd_tlsctx_free(struct nd_tlsctx *);	/* accepts NULL */

#endif /* ND_TLSCTX_H */
