/*
 * sslload.h - OpenSSL is loaded on first use, not linked (sslload.c).
 */
#ifndef ND_SSLLOAD_H
#define ND_SSLLOAD_H

/*
 * Loads libssl if it is not yet: 0, or -ELIBACC when it cannot be (every
 * OpenSSL function then fails).  What starts TLS work asks first, so the
 * error names the cause rather than "out of memory".
 */
int	nd_ssl_load(void);

#endif /* ND_SSLLOAD_H */
