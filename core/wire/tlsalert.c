/*
 * tlsalert.c - TLS alert names and what they mean for client certificates.
 */
#include <stddef.h>

#include "tlsalert.h"

const char *
nd_tls_alert_name(int d)
{
	switch (d) {
	case 0:		return "close_notify";
	case 10:	return "unexpected_message";
	case 20:	return "bad_record_mac";
	case 22:	return "record_overflow";
	case 40:	return "handshake_failure";
	case 42:	return "bad_certificate";
	case 43:	return "unsupported_certificate";
	case 44:	return "certificate_revoked";
	case 45:	return "certificate_expired";
	case 46:	return "certificate_unknown";
	case 47:	return "illegal_parameter";
	case 48:	return "unknown_ca";
	case 49:	return "access_denied";
	case 50:	return "decode_error";
	case 51:	return "decrypt_error";
	case 70:	return "protocol_version";
	case 71:	return "insufficient_security";
	case 80:	return "internal_error";
	case 86:	return "inappropriate_fallback";
	case 90:	return "user_canceled";
	case 109:	return "missing_extension";
	case 110:	return "unsupported_extension";
	case 112:	return "unrecognized_name";
	case 113:	return "bad_certificate_status_response";
	case 115:	return "unknown_psk_identity";
	case 116:	return "certificate_required";
	case 120:	return "no_application_protocol";
	}
	return "alert";
}

/* docs/talos.md 2: what the Go server in apid sends, and why. */
const char *
nd_tls_alert_hint(int d)
{
	switch (d) {
	case 116:
	case 40:
		return "no client certificate was accepted";
	case 48:
		return "the client certificate is signed by a CA the server "
		    "does not trust: another cluster's talosconfig?";
	case 45:
		return "the client certificate has expired";
	case 42:
		return "the client certificate was refused (wrong key usage, "
		    "or not for client auth)";
	case 51:
		return "the client certificate and key do not match";
	}
	return NULL;
}
