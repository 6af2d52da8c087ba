/*
 * test_tlsobs.c - the TLS observer (core/wire/tlsobs.c) fed the messages
 * OpenSSL's message callback passes: only what the peer sent counts, the
 * first record header is kept once, a CertificateRequest is seen by its
 * handshake type, and the last alert's description wins.  The SAN list
 * of a certificate fits its buffer, and says when it was cut.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tlsobs.h"

static void
msg(struct nd_tlsobs *o, int write_p, int type, const void *buf, size_t len)
{
	nd_tlsobs_msg_cb(write_p, TLS1_3_VERSION, type, buf, len, NULL, o);
}

static void
test_certreq_and_alerts(void **state)
{
	static const unsigned char finished[] = { SSL3_MT_FINISHED, 0, 0, 0 };
	static const unsigned char certreq[] = {
		SSL3_MT_CERTIFICATE_REQUEST, 0, 0, 0 };
	static const unsigned char alert_ca[] = { 2, 48 };	/* unknown_ca */
	static const unsigned char alert_req[] = { 2, 116 };
	struct nd_tlsobs o;

	(void)state;
	nd_tlsobs_init(&o);
	assert_false(o.certreq);
	assert_int_equal(o.alert, -1);
	assert_int_equal(o.nfirst, 0);

	/* Ours do not count. */
	msg(&o, 1, SSL3_RT_HANDSHAKE, certreq, sizeof(certreq));
	msg(&o, 1, SSL3_RT_ALERT, alert_ca, sizeof(alert_ca));
	assert_false(o.certreq);
	assert_int_equal(o.alert, -1);

	msg(&o, 0, SSL3_RT_HANDSHAKE, finished, sizeof(finished));
	assert_false(o.certreq);
	msg(&o, 0, SSL3_RT_HANDSHAKE, certreq, 0);	/* empty: ignored */
	assert_false(o.certreq);
	msg(&o, 0, SSL3_RT_HANDSHAKE, certreq, sizeof(certreq));
	assert_true(o.certreq);

	msg(&o, 0, SSL3_RT_ALERT, alert_ca, 1);		/* short: ignored */
	assert_int_equal(o.alert, -1);
	msg(&o, 0, SSL3_RT_ALERT, alert_ca, sizeof(alert_ca));
	assert_int_equal(o.alert, 48);
	msg(&o, 0, SSL3_RT_ALERT, alert_req, sizeof(alert_req));
	assert_int_equal(o.alert, 116);
}

static void
test_first_bytes(void **state)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n";
	static const unsigned char hdr[] = { 0x16, 3, 3, 0, 42 };
	struct nd_tlsobs o;

	(void)state;
	nd_tlsobs_init(&o);
	msg(&o, 1, SSL3_RT_HEADER, hdr, sizeof(hdr));	/* ours */
	assert_int_equal(o.nfirst, 0);
	msg(&o, 0, SSL3_RT_HEADER, http, sizeof(http) - 1);
	assert_int_equal(o.nfirst, sizeof(o.first));	/* bounded */
	assert_memory_equal(o.first, http, sizeof(o.first));
	msg(&o, 0, SSL3_RT_HEADER, hdr, sizeof(hdr));	/* the first stays */
	assert_memory_equal(o.first, "HTTP/", 5);
}

/* A certificate (unsigned: only its extension is read) with n DNS SANs
   "hNNNN.example", and one IP SAN 192.0.2.1 first. */
static X509 *
cert_with_sans(int n)
{
	static const unsigned char ip[4] = { 192, 0, 2, 1 };
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *g;
	X509 *x = X509_new();
	char name[32];
	int i;

	assert_non_null(gens);
	assert_non_null(x);
	g = GENERAL_NAME_new();
	g->type = GEN_IPADD;
	g->d.iPAddress = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(g->d.iPAddress, ip, sizeof(ip));
	sk_GENERAL_NAME_push(gens, g);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "h%04d.example", i);
		g = GENERAL_NAME_new();
		g->type = GEN_DNS;
		g->d.dNSName = ASN1_IA5STRING_new();
		ASN1_STRING_set(g->d.dNSName, name, -1);
		sk_GENERAL_NAME_push(gens, g);
	}
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    0), 1);
	GENERAL_NAMES_free(gens);
	return x;
}

static void
test_sans_whole(void **state)
{
	X509 *x = cert_with_sans(2);
	char out[512];

	(void)state;
	assert_int_equal(nd_tlsobs_sans(x, out, sizeof(out)), 3);
	assert_string_equal(out,
	    "IP:192.0.2.1,DNS:h0000.example,DNS:h0001.example");
	X509_free(x);
	x = X509_new();
	assert_int_equal(nd_tlsobs_sans(x, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	X509_free(x);
}

/* 2,000 names in 512 bytes: the first whole entries, then the count of the
   rest and of all. */
static void
test_sans_cut(void **state)
{
	X509 *x = cert_with_sans(2000);
	char out[512], want[64];
	const char *mark, *last;
	size_t shown = 0;
	const char *s;

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(nd_tlsobs_sans(x, out, sizeof(out)), 2001);
	assert_true(strlen(out) < sizeof(out));
	assert_memory_equal(out, "IP:192.0.2.1,DNS:h0000.example,", 31);
	mark = strstr(out, ",... and ");
	assert_non_null(mark);
	for (s = out; s < mark; s++)
		shown += *s == ':';
	snprintf(want, sizeof(want), ",... and %zu more (2001 names)",
	    2001 - shown);
	assert_string_equal(mark, want);
	/* The last entry shown is whole: hNNNN.example, in order. */
	last = mark - strlen("h0000.example");
	snprintf(want, sizeof(want), "h%04zu.example", shown - 2);
	assert_memory_equal(last, want, strlen(want));
	/* A buffer just over the bound: nothing but the marker fits. */
	assert_int_equal(nd_tlsobs_sans(x, out, 64), 2001);
	assert_string_equal(out, "... and 2001 more (2001 names)");
	X509_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certreq_and_alerts),
		cmocka_unit_test(test_first_bytes),
		cmocka_unit_test(test_sans_whole),
		cmocka_unit_test(test_sans_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
