/*
 * netaddr.c - addresses, prefixes and ranges (see netaddr.h), and address
 * classification.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"

/* Longest address text, NUL included (INET6_ADDRSTRLEN). */
#define ADDR_TEXT_MAX	46

static int
full_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* The len bytes at s as a bare address. */
static int
parse_addr(const char *s, size_t len, struct nd_pfx *ret)
{
	char buf[ADDR_TEXT_MAX];
	struct nd_pfx p;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(&p, 0, sizeof(p));
	if (inet_pton(AF_INET, buf, p.a) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p.a) == 1)
		p.family = AF_INET6;
	else
		return -EINVAL;
	p.bits = full_bits(p.family);
	*ret = p;
	return 0;
}

/*
 * A decimal prefix length, no sign and no leading zero (Go's
 * netip.ParsePrefix refuses "/08"), at most max.
 */
static int
parse_bits(const char *s, int max)
{
	int v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

int
nd_pfx_parse(const char *s, unsigned flags, struct nd_pfx *ret)
{
	const char *slash;
	struct nd_pfx p;
	int bits;

	if (s == NULL)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash == NULL && (flags & ND_PFX_ADDR) == 0)
		return -EINVAL;
	if (slash != NULL && (flags & ND_PFX_CIDR) == 0)
		return -EINVAL;
	if (parse_addr(s, slash != NULL ? (size_t)(slash - s) : strlen(s),
	    &p) != 0)
		return -EINVAL;
	if (slash != NULL) {
		if ((bits = parse_bits(slash + 1, p.bits)) < 0)
			return -EINVAL;
		p.bits = bits;
	}
	*ret = p;
	return 0;
}

int
nd_pfx_from_sockaddr(const struct sockaddr *sa, struct nd_pfx *ret)
{
	struct nd_pfx p;

	memset(&p, 0, sizeof(p));
	if (sa->sa_family == AF_INET)
		memcpy(p.a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(p.a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	else
		return -EAFNOSUPPORT;
	p.family = sa->sa_family;
	p.bits = full_bits(p.family);
	*ret = p;
	return 0;
}

static bool
valid(const struct nd_pfx *p)
{
	return (p->family == AF_INET || p->family == AF_INET6) &&
	    p->bits >= 0 && p->bits <= full_bits(p->family);
}

int
nd_addr_format(const struct nd_pfx *p, char *buf, size_t len)
{
	char tmp[ADDR_TEXT_MAX];
	size_t n;

	if (!valid(p) || inet_ntop(p->family, p->a, tmp, sizeof(tmp)) == NULL)
		return -EINVAL;
	if ((n = strlen(tmp)) >= len)
		return -ENOSPC;
	memcpy(buf, tmp, n + 1);
	return (int)n;
}

int
nd_pfx_format(const struct nd_pfx *p, char *buf, size_t len)
{
	char tmp[ND_PFX_TEXT_MAX];
	int n, m;

	if ((n = nd_addr_format(p, tmp, sizeof(tmp))) < 0)
		return n;
	m = snprintf(tmp + n, sizeof(tmp) - (size_t)n, "/%d", p->bits);
	if (m < 0 || (size_t)(n + m) >= sizeof(tmp))
		return -EINVAL;
	if ((size_t)(n + m) >= len)
		return -ENOSPC;
	memcpy(buf, tmp, (size_t)(n + m) + 1);
	return n + m;
}

int
nd_addr_cmp(const struct nd_pfx *x, const struct nd_pfx *y)
{
	int c;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	c = memcmp(x->a, y->a, sizeof(x->a));
	return (c > 0) - (c < 0);
}

bool
nd_pfx_same_addr(const struct nd_pfx *x, const struct nd_pfx *y)
{
	return nd_addr_cmp(x, y) == 0;
}

bool
nd_pfx_contains(const struct nd_pfx *net, const struct nd_pfx *addr)
{
	int full = net->bits / 8, rest = net->bits % 8;
	uint8_t mask;

	if (net->family != addr->family)
		return false;
	if (memcmp(net->a, addr->a, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xffu << (8 - rest));
	return (net->a[full] & mask) == (addr->a[full] & mask);
}

void
nd_pfx_span(const struct nd_pfx *p, struct nd_iprange *ret)
{
	struct nd_iprange r;
	int nbytes = full_bits(p->family) / 8, k, keep;
	uint8_t mask;

	r.first = *p;
	r.last = *p;
	for (k = 0; k < nbytes; k++) {
		keep = p->bits - k * 8;
		mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (uint8_t)(0xffu << (8 - keep));
		r.first.a[k] &= mask;
		r.last.a[k] |= (uint8_t)~mask;
	}
	r.first.bits = r.last.bits = full_bits(p->family);
	*ret = r;
}

bool
nd_addr_next(struct nd_pfx *p)
{
	int k;

	for (k = full_bits(p->family) / 8 - 1; k >= 0; k--)
		if (p->a[k] != 0xff)
			break;
	if (k < 0)
		return false;
	p->a[k]++;
	memset(p->a + k + 1, 0, (size_t)(full_bits(p->family) / 8 - k - 1));
	return true;
}

int
nd_iprange_parse(const char *s, struct nd_iprange *ret)
{
	const char *dash;
	struct nd_iprange r;
	struct nd_pfx p;

	if (s == NULL)
		return -EINVAL;
	if ((dash = strchr(s, '-')) == NULL) {
		if (nd_pfx_parse(s, ND_PFX_ADDR | ND_PFX_CIDR, &p) != 0)
			return -EINVAL;
		nd_pfx_span(&p, ret);
		return 0;
	}
	/* No address has a '-', so the first one splits. */
	if (parse_addr(s, (size_t)(dash - s), &r.first) != 0 ||
	    parse_addr(dash + 1, strlen(dash + 1), &r.last) != 0 ||
	    r.first.family != r.last.family)
		return -EINVAL;
	if (nd_addr_cmp(&r.first, &r.last) > 0)
		return -ERANGE;
	*ret = r;
	return 0;
}

int
nd_iprange_format(const struct nd_iprange *r, char *buf, size_t len)
{
	char tmp[ND_IPRANGE_TEXT_MAX];
	int n, m;

	if (r->first.family != r->last.family ||
	    nd_addr_cmp(&r->first, &r->last) > 0 ||
	    (n = nd_addr_format(&r->first, tmp, sizeof(tmp))) < 0)
		return -EINVAL;
	if (nd_pfx_same_addr(&r->first, &r->last))
		m = 0;
	else {
		tmp[n] = '-';
		if ((m = nd_addr_format(&r->last, tmp + n + 1,
		    sizeof(tmp) - (size_t)n - 1)) < 0)
			return -EINVAL;
		m++;
	}
	if ((size_t)(n + m) >= len)
		return -ENOSPC;
	memcpy(buf, tmp, (size_t)(n + m));
	buf[n + m] = '\0';
	return n + m;
}

uint64_t
nd_iprange_size(const struct nd_iprange *r)
{
	uint64_t hi = 0, lo = 0, d;
	int k, borrow = 0, v;
	uint8_t diff[16];

	/* last - first, byte by byte from the end. */
	for (k = 15; k >= 0; k--) {
		v = (int)r->last.a[k] - (int)r->first.a[k] - borrow;
		borrow = v < 0;
		diff[k] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	for (k = 0; k < 8; k++)
		hi = hi << 8 | diff[k];
	for (k = 8; k < 16; k++)
		lo = lo << 8 | diff[k];
	d = lo;
	if (r->first.family == AF_INET) {
		/* An IPv4 address lives in a[0..3]: the top 32 bits of hi. */
		d = hi >> 32;
		hi = 0;
	}
	if (hi != 0 || d == UINT64_MAX)
		return UINT64_MAX;
	return d + 1;
}

bool
nd_iprange_contains(const struct nd_iprange *r, const struct nd_pfx *addr)
{
	return r->first.family == addr->family &&
	    memcmp(r->first.a, addr->a, 16) <= 0 &&
	    memcmp(addr->a, r->last.a, 16) <= 0;
}

bool
nd_iprange_overlaps(const struct nd_iprange *a, const struct nd_iprange *b)
{
	return a->first.family == b->first.family &&
	    memcmp(a->first.a, b->last.a, 16) <= 0 &&
	    memcmp(b->first.a, a->last.a, 16) <= 0;
}

bool
nd_iprange_covers(const struct nd_iprange *a, const struct nd_iprange *b)
{
	return a->first.family == b->first.family &&
	    memcmp(a->first.a, b->first.a, 16) <= 0 &&
	    memcmp(b->last.a, a->last.a, 16) <= 0;
}

int
nd_pool_split(const char *s, struct nd_pfx *ret_a, struct nd_pfx *ret_b)
{
	const char *dash, *pb;
	struct nd_pfx a, b;
	size_t la;

	if (s == NULL || (dash = strchr(s, '-')) == NULL ||
	    strchr(dash + 1, '-') != NULL)
		return -EINVAL;
	for (la = (size_t)(dash - s); la > 0 && s[la - 1] == ' '; la--)
		continue;
	for (pb = dash + 1; *pb == ' '; pb++)
		continue;
	if (parse_addr(s, la, &a) != 0 || a.family != AF_INET ||
	    parse_addr(pb, strlen(pb), &b) != 0 || b.family != AF_INET)
		return -EINVAL;
	*ret_a = a;
	*ret_b = b;
	return 0;
}

int
nd_pool_parse(const char *s, struct nd_iprange *ret)
{
	struct nd_iprange r;

	if (nd_pool_split(s, &r.first, &r.last) != 0)
		return -EINVAL;
	if (nd_addr_cmp(&r.first, &r.last) > 0)
		return -ERANGE;
	if (nd_iprange_size(&r) > ND_L2_POOL_MAX)
		return -E2BIG;
	*ret = r;
	return 0;
}

const char *
nd_addr_private_range(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->
		    sin_addr.s_addr);

		if ((a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) ||
		    (a >> 16) == (192u << 8 | 168))
			return "RFC 1918 private";
		if ((a >> 22) == (100u << 2 | 1))	/* 100.64.0.0/10 */
			return "RFC 6598 CGNAT";
		return NULL;
	}
	if (sa->sa_family == AF_INET6) {
		const uint8_t *b =
		    ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		if ((b[0] & 0xfe) == 0xfc)		/* fc00::/7 */
			return "RFC 4193 unique local";
	}
	return NULL;
}

const char *
nd_addr_lan_range(int family, const uint8_t *addr)
{
	struct sockaddr_storage ss;
	const char *r;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, addr, 4);
	else if (family == AF_INET6)
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, addr, 16);
	else
		return NULL;
	if ((r = nd_addr_private_range((struct sockaddr *)&ss)) != NULL)
		return r;
	if (family == AF_INET && addr[0] == 169 && addr[1] == 254)
		return "RFC 3927 link-local";
	if (family == AF_INET6 && addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
		return "RFC 4291 link-local";
	return NULL;
}
