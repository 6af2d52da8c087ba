/*
 * test_tlsobs.c - the TLS observer (core/wire/tlsobs.c) fed the messages
 * OpenSSL's message callback passes: only what the peer sent counts, the
 * first record header is kept once, a CertificateRequest is seen by its
 * handshake type, and the last alert's description wins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/ssl.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certreq_and_alerts),
		cmocka_unit_test(test_first_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
