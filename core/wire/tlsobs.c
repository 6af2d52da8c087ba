/*
 * tlsobs.c - the TLS observer: OpenSSL's message callback, inbound only.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

/* Room kept for the marker: ",... and N more (M names)" with 20-digit N, M. */
#define SANS_MARK	64

size_t
nd_tlsobs_sans(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL);
	size_t o = 0, shown = 0, total = 0, need;
	bool cut = false;
	int i;

	out[0] = '\0';
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char ip[INET6_ADDRSTRLEN] = "";
		const char *v = NULL;

		if (g->type == GEN_DNS)
			v = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
		else if (g->type == GEN_IPADD &&
		    (g->d.iPAddress->length == 4 || g->d.iPAddress->length == 16))
			v = inet_ntop(g->d.iPAddress->length == 4 ? AF_INET :
			    AF_INET6, g->d.iPAddress->data, ip, sizeof(ip));
		if (v == NULL)
			continue;
		total++;
		/*
		 * Once one entry does not fit, none after it is shown either:
		 * the list stays in the certificate's order and ends with the
		 * marker, so a reader knows it is not the whole list.
		 */
		need = strlen(v) + 5;	/* ",DNS:" or ",IP:" */
		if (cut || o + need + SANS_MARK >= len) {
			cut = true;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s:%s", o ? "," : "",
		    g->type == GEN_DNS ? "DNS" : "IP", v);
		shown++;
	}
	GENERAL_NAMES_free(gens);
	if (cut && len > o)
		snprintf(out + o, len - o, "%s... and %zu more (%zu names)",
		    o ? "," : "", total - shown, total);
	return total;
}
