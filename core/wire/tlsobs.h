/*
 * tlsobs.h - what the server side of a TLS connection showed, as seen
 * through OpenSSL's message callback (SSL_CTX_set_msg_callback(3)): the
 * first bytes it sent, whether it sent a CertificateRequest, and its last
 * alert.  One observer for the tls probe's own handshake and for the
 * libcurl transfers of the talos and k8s probes, so both read the
 * handshake the same way.
 */
#ifndef ND_TLSOBS_H
#define ND_TLSOBS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/types.h>

struct nd_tlsobs {
	bool		 certreq;	/* a CertificateRequest arrived */
	int		 alert;		/* last alert description received,
					   -1 none */
	unsigned char	 first[16];	/* first bytes of the first record
					   received: what a non-TLS peer sent */
	size_t		 nfirst;
};

/* Nothing seen yet. */
void		 nd_tlsobs_init(struct nd_tlsobs *);

/*
 * Makes every SSL created from ctx from now on report to obs (the SSL
 * keeps the callback and argument its SSL_CTX had at SSL_new()).  obs must
 * outlive those SSLs.
 */
void		 nd_tlsobs_attach(SSL_CTX *, struct nd_tlsobs *obs);

/* The callback itself, for SSL_set_msg_callback(); arg is the observer. */
void		 nd_tlsobs_msg_cb(int write_p, int version, int content_type,
		    const void *buf, size_t len, SSL *ssl, void *arg);

/*
 * The certificate's subjectAltName DNS and IP entries as
 * "DNS:a,DNS:b,IP:192.0.2.1" in out (len bytes, NUL-terminated).  A list
 * that does not fit is cut after the last whole entry that does and says
 * so: "DNS:a,DNS:b,... and 1937 more (1939 names)", never a silent cut.
 * Returns how many names the certificate has (DNS and IP), shown or not.
 * len must be at least 64.
 */
size_t		 nd_tlsobs_sans(X509 *, char *out, size_t len);

#endif /* ND_TLSOBS_H */
