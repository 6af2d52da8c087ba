/*
 * netaddr.h - IP addresses, prefixes and ranges: one value type, parsed
 * and formatted in one place for every file netdoctor reads (netdoctor.yaml,
 * machine configs, Kubernetes manifests, Docker's answers), and address
 * classification shared by probes and diagnosis.
 *
 * The text forms are strict, as Go's net/netip parsers (which Talos,
 * Cilium and Docker use) are: an address is what inet_pton(3) accepts (no
 * brackets, no zone, no leading zeros in IPv4), a prefix length is
 * decimal without sign, blank or leading zero, at most 32 or 128.
 * Everything here is pure and bounded; out-parameters are written only on
 * success.
 */
#ifndef ND_NETADDR_H
#define ND_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * The most addresses an l2 pool or address list holds (netdoctor.yaml
 * l2.pool, l2.addresses): each one is an ARP target of its own.
 */
#define ND_L2_POOL_MAX		256

/* Longest text nd_pfx_format() writes, NUL included ("ffff:...:1/128"). */
#define ND_PFX_TEXT_MAX		(46 + 4)
/* Longest text nd_iprange_format() writes, NUL included. */
#define ND_IPRANGE_TEXT_MAX	(2 * 46)

/*
 * An address or a prefix: an address is a prefix of full length (/32,
 * /128).  The address is in network byte order, an IPv4 one in a[0..3]
 * with the rest zero, and keeps the host bits it was written with
 * ("10.0.0.5/24"), as Talos does for interface addresses.
 */
struct nd_pfx {
	int		family;		/* AF_INET or AF_INET6 */
	int		bits;		/* 0..32 or 0..128 */
	uint8_t		a[16];
};

/*
 * An inclusive range of addresses of one family, first <= last, both of
 * full length: a pool "A-B", or every address a prefix covers.
 */
struct nd_iprange {
	struct nd_pfx	first, last;
};

/* What nd_pfx_parse() accepts: either or both. */
#define ND_PFX_ADDR	0x1	/* a bare address: a full-length prefix */
#define ND_PFX_CIDR	0x2	/* "address/length" */

/* Parses an address or a prefix.  Returns 0 or -EINVAL. */
int	nd_pfx_parse(const char *s, unsigned flags, struct nd_pfx *ret);

/*
 * The same for the sockaddr of a connection (AF_INET or AF_INET6, as a
 * full-length prefix).  Returns 0 or -EAFNOSUPPORT.
 */
int	nd_pfx_from_sockaddr(const struct sockaddr *, struct nd_pfx *ret);

/*
 * Writes the address alone ("10.0.0.5"), or the prefix ("10.0.0.5/24").
 * Returns the length without the NUL, -EINVAL for a value no parser
 * returns, -ENOSPC when len is too small (ND_PFX_TEXT_MAX suffices); buf
 * is written only on success.
 */
int	nd_addr_format(const struct nd_pfx *, char *buf, size_t len);
int	nd_pfx_format(const struct nd_pfx *, char *buf, size_t len);

/* Orders addresses: IPv4 before IPv6, then numerically; lengths ignored. */
int	nd_addr_cmp(const struct nd_pfx *, const struct nd_pfx *);
bool	nd_pfx_same_addr(const struct nd_pfx *, const struct nd_pfx *);

/* Whether addr's address (its own length ignored) lies in net. */
bool	nd_pfx_contains(const struct nd_pfx *net,
	    const struct nd_pfx *addr);

/* Every address p covers: its network address to its last address. */
void	nd_pfx_span(const struct nd_pfx *p, struct nd_iprange *ret);

/*
 * The next address, in place; false (p unchanged) after the last address
 * of the family.
 */
bool	nd_addr_next(struct nd_pfx *p);

/*
 * Parses "A-B" (two addresses of one family, no blanks), a prefix or a
 * bare address into the range it covers (a prefix's host bits are
 * ignored).  Returns 0, -EINVAL, or -ERANGE when A comes after B.
 */
int	nd_iprange_parse(const char *s, struct nd_iprange *ret);

/*
 * Writes "A-B", or "A" for a range of one address.  Returns as
 * nd_addr_format() (ND_IPRANGE_TEXT_MAX suffices).
 */
int	nd_iprange_format(const struct nd_iprange *, char *buf, size_t len);

/* The number of addresses, UINT64_MAX when there are more. */
uint64_t nd_iprange_size(const struct nd_iprange *);

/* Whether r holds addr's address (its own length ignored). */
bool	nd_iprange_contains(const struct nd_iprange *r,
	    const struct nd_pfx *addr);
/* Whether a and b share an address. */
bool	nd_iprange_overlaps(const struct nd_iprange *a,
	    const struct nd_iprange *b);
/* Whether a holds all of b. */
bool	nd_iprange_covers(const struct nd_iprange *a,
	    const struct nd_iprange *b);

/*
 * An l2 pool, "A-B" of two IPv4 addresses with blanks allowed around the
 * '-': nd_pool_split() checks the syntax and gives both addresses as
 * written; nd_pool_parse() also wants A <= B (else -ERANGE) and at most
 * ND_L2_POOL_MAX addresses (else -E2BIG).  Both return 0 or -EINVAL for
 * text that is no such pair.
 */
int	nd_pool_split(const char *s, struct nd_pfx *ret_a,
	    struct nd_pfx *ret_b);
int	nd_pool_parse(const char *s, struct nd_iprange *ret);

/*
 * The private range sa falls in, or NULL: "RFC 1918 private",
 * "RFC 6598 CGNAT", "RFC 4193 unique local" (read "in the ... range").
 * These are the ranges that Docker bridges, kind, Talos-in-Docker
 * (10.5.0.0/24) and Tailscale use and that a default gateway usually
 * cannot reach.
 */
const char	*nd_addr_private_range(const struct sockaddr *sa);

/*
 * The range of a LAN address family-agnostically (family, 4 or 16 bytes):
 * nd_addr_private_range()'s, or "RFC 3927 link-local" (169.254.0.0/16),
 * "RFC 4291 link-local" (fe80::/10); NULL for any other address.
 */
const char	*nd_addr_lan_range(int family, const uint8_t *addr);

#endif /* ND_NETADDR_H */
