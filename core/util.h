/*
 * util.h - small bounded parsers and string helpers (the banned-function
 * list in docs/architecture.md 6 is why these exist).
 */
#ifndef ND_UTIL_H
#define ND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t	nd_strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses a duration: a non-negative decimal number with an optional "ms",
 * "s", "m" or "h" suffix (no suffix means seconds), e.g. "5s", "250ms",
 * "1.5s", "2", "10m"; at most three fractional digits of the unit.
 * Rejects empty strings, signs, other suffixes, and values above 24 h.
 * Writes *ret_ms only on success.  Returns 0 or -EINVAL / -ERANGE.
 */
int	nd_parse_duration_ms(const char *, int64_t *ret_ms);

/* Parses a decimal TCP/UDP port 1..65535 with nothing trailing. */
int	nd_parse_port(const char *, uint16_t *ret_port);

/*
 * Parses a whole decimal number in [min, max] with nothing trailing
 * (strtonum-style, relayd).  Returns 0, -EINVAL or -ERANGE.
 */
int	nd_parse_int(const char *, long long min, long long max,
	    long long *ret);

/*
 * Makes s safe to print as one line: control characters (newlines, tabs,
 * escapes) become '?'.  Messages quote input; input may hold anything.
 */
void	nd_one_line(char *s);

/*
 * Writes s to f with control characters as '?': report text quotes what
 * peers sent (a TLS subject, a readyz line, a gRPC message), and a
 * terminal must not interpret it.
 */
void	nd_fputs_safe(const char *s, FILE *f);

/* The value of a hex digit, or -1. */
int	nd_hexval(int c);

/*
 * s percent-encoded (RFC 3986 2.1) into out, but for the unreserved
 * characters and those in keep, so that a value cannot end a URL's part
 * early or start another; out has room for 3 * strlen(s) + 1 bytes.
 * Returns the length written (out is NUL-terminated).
 */
size_t	nd_pct_encode(char *out, const char *s, const char *keep);

/*
 * The dotted quad of the IPv4 address at a4 (4 bytes, network order),
 * exactly as inet_ntop(AF_INET) writes it, into buf (16 bytes); returns
 * its length.  inet_ntop goes through sprintf: a thousand instructions
 * per address, and a large run labels every endpoint.
 */
size_t	nd_ipv4_ntop(const void *a4, char *buf);

/*
 * The decimal digits of v written backwards, ending just before end;
 * returns where they start (20 bytes at most).  "%llu" without printf,
 * for what a large run writes per target or per probe.
 */
char	*nd_utoa(char *end, unsigned long long v);

/* A 64-bit hash of n bytes, for open-addressing tables (not keyed). */
uint64_t nd_hash(const void *p, size_t n);

/* True when s is an IPv4 or IPv6 literal (no brackets). */
bool	nd_is_ip_literal(const char *s);

/*
 * Checks the len bytes at s as a DNS name: at most 253 characters, labels
 * of 1..63 characters of [A-Za-z0-9_-], one optional trailing dot.
 * Returns NULL when valid, else a static reason with *ret_off set to the
 * offset where the problem starts.
 */
const char *nd_dns_name_problem(const char *s, size_t len, size_t *ret_off);

/*
 * Does a Gateway API hostname cover host?  "*.example.com" covers every
 * name below example.com, however many labels deep, but not example.com
 * itself (gateway-api apis/v1/shared_types.go, type Hostname); otherwise
 * the names are equal.  Case and one trailing dot are ignored (RFC 4343).
 */
bool	nd_hostname_match(const char *pattern, const char *host);

/* True for a plausible interface name: 1..15 bytes of [A-Za-z0-9._@-]. */
bool	nd_is_ifname(const char *s, size_t len);

/*
 * An RFC 3339 time ("2027-05-20T08:14:03Z", fractions and numeric offsets
 * allowed, as Go's time.Time and the tls probe's evidence write it) as
 * Unix seconds.  Returns 0, or -EINVAL; *ret is written only on success.
 */
int	nd_parse_rfc3339(const char *, int64_t *ret);

#endif /* ND_UTIL_H */
