/*
 * tlsobs.c - the TLS observer: OpenSSL's message callback, inbound only.
 */
#include <string.h>

#include <openssl/ssl.h>

#include "tlsobs.h"

void
nd_tlsobs_init(struct nd_tlsobs *o)
{
	memset(o, 0, sizeof(*o));
	o->alert = -1;
}

void
nd_tlsobs_attach(SSL_CTX *ctx, struct nd_tlsobs *o)
{
	SSL_CTX_set_msg_callback(ctx, nd_tlsobs_msg_cb);
	SSL_CTX_set_msg_callback_arg(ctx, o);
}

/*
 * OpenSSL calls this for each protocol message, and with SSL3_RT_HEADER
 * for each record header.  A handshake message starts with its type
 * (RFC 8446 4, RFC 5246 7.4); the CertificateRequest is seen decrypted in
 * TLS 1.3 too (RFC 8446 4.3.2, RFC 5246 7.4.4).  An alert is two bytes,
 * level then description (RFC 8446 6, RFC 5246 7.2).
 */
void
nd_tlsobs_msg_cb(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	struct nd_tlsobs *o = arg;
	const unsigned char *b = buf;

	(void)version;
	(void)ssl;
	/* A shared context carries no observer; its SSLs each get theirs. */
	if (write_p || o == NULL)
		return;
	if (content_type == SSL3_RT_HEADER && o->nfirst == 0 && len > 0) {
		o->nfirst = len < sizeof(o->first) ? len : sizeof(o->first);
		memcpy(o->first, b, o->nfirst);
	} else if (content_type == SSL3_RT_HANDSHAKE && len > 0 &&
	    b[0] == SSL3_MT_CERTIFICATE_REQUEST) {
		o->certreq = true;
	} else if (content_type == SSL3_RT_ALERT && len >= 2) {
		o->alert = b[1];
	}
}
