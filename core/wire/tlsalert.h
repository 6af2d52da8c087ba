/*
 * tlsalert.h - TLS alert names (RFC 8446 6, RFC 5246 7.2).  OpenSSL 3.0's
 * SSL_alert_desc_string_long() says "unknown" for 116, the alert a Go
 * server sends when a TLS 1.3 client brings no certificate.
 */
#ifndef ND_TLSALERT_H
#define ND_TLSALERT_H

/* "certificate_required"; "alert N" for values RFC 8446 does not name. */
const char	*nd_tls_alert_name(int desc);

/* What an alert a server sent about our client certificate means. */
const char	*nd_tls_alert_hint(int desc);

#endif /* ND_TLSALERT_H */
