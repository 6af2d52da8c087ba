/*
 * fuzz_util.c - libFuzzer harness for the small parsers: durations, ports,
 * whole numbers (core/util.h) and Monitoring Plugins ranges
 * (core/range.h).
 *
 * The input, cut at its first NUL, goes to every parser, each checked
 * against an independent reference implementation of its header comment
 * (accept/reject, -EINVAL versus -ERANGE, the value).  Ranges also make
 * the round trip: format(parse(x)) parses to the same range and formats
 * to the same text again (a fixpoint), a too-short buffer gets -ENOSPC,
 * endpoints alert the way rules 5 and 6 say.  The raw bytes also feed
 * nd_dns_name_problem() and nd_is_ifname() (length-bounded, so the copy
 * they see has no NUL after it), nd_strlcpy(), nd_one_line() and
 * nd_fputs_safe() (control characters become '?', nothing else changes),
 * and, read as two doubles and a flag byte, nd_range_format() of a range
 * set by code.  Addresses (core/wire/netaddr.h), which every loader of
 * untrusted files parses: nd_pfx_parse() with each set of flags against a
 * reference built on inet_pton(3), the round trip through
 * nd_pfx_format(), and nd_iprange_parse() and nd_pool_parse() against
 * references (first <= last, both ends contained, a fixpoint through
 * nd_iprange_format(), the pool bound).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "range.h"
#include "util.h"

#include "fuzz_common.h"

#define DURATION_MAX_MS	86400000LL
#define TWO_P53		9007199254740992.0

static bool
dig(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- durations ---- */

/*
 * "a non-negative decimal number with an optional ms, s, m or h suffix
 * (no suffix means seconds)", at most three fractional digits of the unit
 * that are not zero, at most 24 h.
 */
static int
ref_duration(const char *s, int64_t *ret)
{
	const char *w0 = s, *w1, *f0 = NULL, *f1 = NULL, *p;
	long long unit, whole = 0, frac = 0;
	size_t keep, i;

	if (!dig(*s))
		return -EINVAL;
	for (p = s; dig(*p); p++)
		continue;
	w1 = p;
	if (*p == '.') {
		f0 = ++p;
		if (!dig(*p))
			return -EINVAL;
		for (; dig(*p); p++)
			continue;
		f1 = p;
	}
	if (strcmp(p, "ms") == 0)
		unit = 1, keep = 0;
	else if (strcmp(p, "s") == 0 || *p == '\0')
		unit = 1000, keep = 3;
	else if (strcmp(p, "m") == 0)
		unit = 60000, keep = 3;
	else if (strcmp(p, "h") == 0)
		unit = 3600000, keep = 3;
	else
		return -EINVAL;
	/* Fractional digits beyond a millisecond must all be zero. */
	for (i = 0; f0 != NULL && f0 + i < f1; i++) {
		if (i < keep)
			frac = frac * 10 + (f0[i] - '0');
		else if (f0[i] != '0')
			return -EINVAL;
	}
	for (; i < keep; i++)
		frac *= 10;
	while (w0 + 1 < w1 && *w0 == '0')
		w0++;
	if (w1 - w0 > 12)
		return -ERANGE;
	for (p = w0; p < w1; p++)
		whole = whole * 10 + (*p - '0');
	if (whole * unit + frac * (unit / 1000) > DURATION_MAX_MS)
		return -ERANGE;
	*ret = whole * unit + frac * (unit / 1000);
	return 0;
}

static void
fuzz_duration(const char *s)
{
	int64_t got = -7, want = -7;
	int rc = nd_parse_duration_ms(s, &got);

	FUZZ_CHECK(rc == ref_duration(s, &want));
	if (rc == 0) {
		FUZZ_CHECK(got == want);
		FUZZ_CHECK(got >= 0 && got <= DURATION_MAX_MS);
	} else
		FUZZ_CHECK(got == -7);	/* written only on success */
}

/* ---- whole numbers and ports ---- */

/* [+-]?DIGITS, nothing else; *ret clamped to +-10^20 when larger. */
static bool
ref_number(const char *s, __int128 *ret)
{
	const char *p = s;
	bool neg = false;
	__int128 v = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!dig(*p))
		return false;
	for (; dig(*p); p++)
		if (v < (__int128)100000000000000000LL * 1000)
			v = v * 10 + (*p - '0');
	if (*p != '\0')
		return false;
	*ret = neg ? -v : v;
	return true;
}

static const struct {
	long long min, max;
} int_bounds[] = {
	{ LLONG_MIN, LLONG_MAX },
	{ 0, 100 },
	{ -10, 10 },
	{ 0, INT_MAX },
	{ 1, 65535 },
	{ 5, 0 },		/* min > max: always -EINVAL */
};

static void
fuzz_int(const char *s)
{
	__int128 v = 0;
	bool syntax = ref_number(s, &v);
	long long got;
	size_t i;
	int rc, want;

	for (i = 0; i < sizeof(int_bounds) / sizeof(int_bounds[0]); i++) {
		long long min = int_bounds[i].min, max = int_bounds[i].max;

		got = 42;
		rc = nd_parse_int(s, min, max, &got);
		if (!syntax || min > max)
			want = -EINVAL;
		else if (v < min || v > max)
			want = -ERANGE;
		else
			want = 0;
		FUZZ_CHECK(rc == want);
		if (rc == 0)
			FUZZ_CHECK((__int128)got == v);
		else
			FUZZ_CHECK(got == 42);
	}
}

static void
fuzz_port(const char *s)
{
	uint16_t got = 7;
	__int128 v = 0;
	const char *p;
	int rc = nd_parse_port(s, &got), want;
	bool digits = *s != '\0';

	/* Only digits: no sign, no blanks. */
	for (p = s; *p != '\0'; p++)
		if (!dig(*p))
			digits = false;
	if (!digits)
		want = -EINVAL;
	else {
		FUZZ_CHECK(ref_number(s, &v));
		want = v >= 1 && v <= 65535 ? 0 : -ERANGE;
	}
	FUZZ_CHECK(rc == want);
	if (rc == 0)
		FUZZ_CHECK(got == v && got != 0);
	else
		FUZZ_CHECK(got == 7);
}

/* ---- ranges ---- */

/*
 * A number of range.h: '-'? DIGITS ('.' DIGITS)? filling [p, q), at most
 * 15 significant and 15 fractional digits (trailing fractional zeros and
 * leading zeros do not count).  The value comes from strtod(), which is
 * correctly rounded and, with no setlocale() call, reads '.'.
 */
static bool
ref_num(const char *p, const char *q, double *ret)
{
	const char *s = p, *dot = NULL, *last = NULL, *first = NULL, *c;
	size_t sig = 0, frac = 0;
	char *buf;

	if (p < q && *p == '-')
		p++;
	if (p == q || !dig(*p))
		return false;
	for (c = p; c < q; c++) {
		if (*c == '.' && dot == NULL) {
			dot = c;
			continue;
		}
		if (!dig(*c))
			return false;
		if (*c != '0') {
			if (first == NULL)
				first = c;
			last = c;
		}
	}
	if (dot != NULL && (dot + 1 == q || !dig(dot[1])))
		return false;
	/* Significant: first non-zero digit to the last digit that counts. */
	if (first != NULL) {
		const char *end = dot != NULL && last > dot ? last + 1 :
		    dot != NULL ? dot : q;

		for (c = first; c < end; c++)
			if (c != dot)
				sig++;
		if (dot != NULL && last > dot)
			frac = (size_t)(last - dot);
	}
	if (sig > 15 || frac > 15)
		return false;
	buf = fuzz_cstr((const uint8_t *)s, (size_t)(q - s));
	*ret = strtod(buf, NULL);
	free(buf);
	if (*ret == 0)
		*ret = 0;	/* "-0" is zero */
	return true;
}

static bool
ref_range(const char *s, struct nd_range *r)
{
	const char *p = s, *colon, *end = s + strlen(s);
	bool have_start = false;

	memset(r, 0, sizeof(*r));
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	if ((colon = strchr(p, ':')) != NULL) {
		if (colon == p)
			;			/* ":10" is "0:10" */
		else if (colon == p + 1 && *p == '~')
			r->start_inf = true;
		else if (ref_num(p, colon, &r->start))
			have_start = true;
		else
			return false;
		p = colon + 1;
	}
	if (p == end) {
		if (colon == NULL || !have_start)
			return false;
		r->end_inf = true;
	} else if (!ref_num(p, end, &r->end))
		return false;
	return r->start_inf || r->end_inf || r->start <= r->end;
}

static bool
same_range(const struct nd_range *a, const struct nd_range *b)
{
	return a->inside == b->inside && a->start_inf == b->start_inf &&
	    a->end_inf == b->end_inf &&
	    (a->start_inf || a->start == b->start) &&
	    (a->end_inf || a->end == b->end);
}

static void
check_text(const char *t, int n)
{
	int i;

	FUZZ_CHECK(n > 0 && n < ND_RANGE_TEXT_MAX);
	FUZZ_CHECK((size_t)n == strlen(t));
	for (i = 0; i < n; i++)
		FUZZ_CHECK(strchr("@~:-.0123456789", t[i]) != NULL);
}

static void
check_alerts(const struct nd_range *r)
{
	bool in = r->inside;

	FUZZ_CHECK(nd_range_alert(r, NAN));
	if (!r->start_inf) {
		FUZZ_CHECK(nd_range_alert(r, r->start) == in);
		FUZZ_CHECK(nd_range_alert(r, nextafter(r->start, -INFINITY)) ==
		    !in);
		FUZZ_CHECK(nd_range_alert(r, -INFINITY) == !in);
	} else
		FUZZ_CHECK(nd_range_alert(r, -INFINITY) == in);
	if (!r->end_inf) {
		FUZZ_CHECK(nd_range_alert(r, r->end) == in);
		FUZZ_CHECK(nd_range_alert(r, nextafter(r->end, INFINITY)) ==
		    !in);
		FUZZ_CHECK(nd_range_alert(r, INFINITY) == !in);
	} else
		FUZZ_CHECK(nd_range_alert(r, INFINITY) == in);
}

static void
fuzz_range(const char *s)
{
	struct nd_range got, want, back, untouched;
	char text[ND_RANGE_TEXT_MAX], text2[ND_RANGE_TEXT_MAX];
	char exact[ND_RANGE_TEXT_MAX];
	bool ok = ref_range(s, &want);
	int rc, n, n2;

	memset(&got, 0x5a, sizeof(got));
	memcpy(&untouched, &got, sizeof(got));
	rc = nd_range_parse(s, &got);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK((rc == 0) == ok);
	if (rc != 0) {
		FUZZ_CHECK(memcmp(&got, &untouched, sizeof(got)) == 0);
		return;
	}
	FUZZ_CHECK(same_range(&got, &want));
	FUZZ_CHECK(!(got.start_inf && got.end_inf));
	FUZZ_CHECK(got.start_inf || (isfinite(got.start) &&
	    !(got.start == 0 && signbit(got.start))));
	FUZZ_CHECK(got.end_inf || (isfinite(got.end) &&
	    !(got.end == 0 && signbit(got.end))));
	check_alerts(&got);

	/* The round trip, and the canonical text is a fixpoint. */
	n = nd_range_format(&got, text, sizeof(text));
	check_text(text, n);
	memset(&back, 0, sizeof(back));
	FUZZ_CHECK(nd_range_parse(text, &back) == 0);
	FUZZ_CHECK(same_range(&back, &got));
	n2 = nd_range_format(&back, text2, sizeof(text2));
	FUZZ_CHECK(n2 == n && strcmp(text, text2) == 0);

	/* len counts the NUL: n bytes are too few and leave buf alone. */
	memset(exact, 'Q', sizeof(exact));
	FUZZ_CHECK(nd_range_format(&got, exact, (size_t)n) == -ENOSPC);
	FUZZ_CHECK(exact[0] == 'Q');
	FUZZ_CHECK(nd_range_format(&got, exact, (size_t)n + 1) == n);
	FUZZ_CHECK(strcmp(exact, text) == 0);
}

/* A range set by code: two doubles and a flag byte from the raw input. */
static void
fuzz_range_format(const uint8_t *data, size_t size)
{
	struct nd_range r, back;
	char text[ND_RANGE_TEXT_MAX];
	uint8_t flags;
	bool bad;
	int n;

	if (size < 2 * sizeof(double) + 1)
		return;
	memset(&r, 0, sizeof(r));
	memcpy(&r.start, data, sizeof(double));
	memcpy(&r.end, data + sizeof(double), sizeof(double));
	flags = data[2 * sizeof(double)];
	r.start_inf = (flags & 1) != 0;
	r.end_inf = (flags & 2) != 0;
	r.inside = (flags & 4) != 0;

	bad = (r.start_inf && r.end_inf) ||
	    (!r.start_inf && !(fabs(r.start) < TWO_P53)) ||
	    (!r.end_inf && !(fabs(r.end) < TWO_P53)) ||
	    (!r.start_inf && !r.end_inf && !(r.start <= r.end));
	n = nd_range_format(&r, text, sizeof(text));
	if (bad) {
		FUZZ_CHECK(n == -EINVAL);
		return;
	}
	check_text(text, n);
	/* 16-digit values print but do not parse back; others come close. */
	if (nd_range_parse(text, &back) != 0)
		return;
	FUZZ_CHECK(back.inside == r.inside);
	FUZZ_CHECK(back.start_inf == r.start_inf);
	FUZZ_CHECK(back.end_inf == r.end_inf);
	if (!r.start_inf)
		FUZZ_CHECK(fabs(back.start - r.start) <= 1e-15 +
		    2e-15 * fabs(r.start));
	if (!r.end_inf)
		FUZZ_CHECK(fabs(back.end - r.end) <= 1e-15 +
		    2e-15 * fabs(r.end));
}

/* ---- names ---- */

static bool
ref_dns_name(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > 63)
				return false;
			label = 0;
			continue;
		}
		if (!dig(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') && s[i] != '-' &&
		    s[i] != '_')
			return false;
		label++;
	}
	return true;
}

static bool
ref_ifname(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 15)
		return false;
	for (i = 0; i < len; i++)
		if (!dig(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.' && s[i] != '@')
			return false;
	return true;
}

static void
fuzz_names(const uint8_t *data, size_t size)
{
	char *raw = malloc(size > 0 ? size : 1);
	const char *why;
	size_t off = (size_t)-1;

	FUZZ_CHECK(raw != NULL);
	if (size > 0)
		memcpy(raw, data, size);
	why = nd_dns_name_problem(raw, size, &off);
	FUZZ_CHECK((why == NULL) == ref_dns_name(raw, size));
	if (why != NULL)
		FUZZ_CHECK(why[0] != '\0' && off <= size);
	FUZZ_CHECK(nd_is_ifname(raw, size) == ref_ifname(raw, size));
	free(raw);
}

static void
fuzz_strlcpy(const char *s, size_t dstlen)
{
	char *dst = malloc(dstlen > 0 ? dstlen : 1);
	size_t len = strlen(s), n;

	FUZZ_CHECK(dst != NULL);
	dst[0] = 'Z';
	FUZZ_CHECK(nd_strlcpy(dst, s, dstlen) == len);
	if (dstlen == 0)
		FUZZ_CHECK(dst[0] == 'Z');
	else {
		n = len < dstlen - 1 ? len : dstlen - 1;
		FUZZ_CHECK(memcmp(dst, s, n) == 0 && dst[n] == '\0');
	}
	free(dst);
}

/* Control characters become '?', every other byte stays. */
static void
fuzz_one_line(const char *s)
{
	size_t len = strlen(s), i, n = 0;
	char *t = fuzz_cstr((const uint8_t *)s, len), *out = NULL;
	FILE *f;

	nd_one_line(t);
	FUZZ_CHECK(strlen(t) == len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		FUZZ_CHECK(t[i] == (c < 0x20 || c == 0x7f ? '?' : s[i]));
	}
	f = open_memstream(&out, &n);
	FUZZ_CHECK(f != NULL);
	nd_fputs_safe(s, f);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(n == len && memcmp(out, t, len) == 0);
	free(out);
	free(t);
}

/* ---- addresses, prefixes, ranges, pools ---- */

/* The len bytes at s as an address, by inet_pton alone; family or 0. */
static int
ref_addr(const char *s, size_t len, uint8_t a[16])
{
	char buf[64];

	memset(a, 0, 16);
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, buf, a) == 1)
		return AF_INET6;
	return 0;
}

/* "ADDR" or "ADDR/LEN", LEN digits without a leading zero, <= max. */
static int
ref_pfx(const char *s, unsigned flags, struct nd_pfx *ret)
{
	const char *slash = strchr(s, '/'), *p;
	long bits;

	memset(ret, 0, sizeof(*ret));
	if ((slash == NULL && !(flags & ND_PFX_ADDR)) ||
	    (slash != NULL && !(flags & ND_PFX_CIDR)))
		return -EINVAL;
	ret->family = ref_addr(s, slash != NULL ? (size_t)(slash - s) :
	    strlen(s), ret->a);
	if (ret->family == 0)
		return -EINVAL;
	ret->bits = ret->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 0;
	p = slash + 1;
	if (!dig(*p) || (p[0] == '0' && p[1] != '\0') || strlen(p) > 3)
		return -EINVAL;
	for (bits = 0; dig(*p); p++)
		bits = bits * 10 + (*p - '0');
	if (*p != '\0' || bits > ret->bits)
		return -EINVAL;
	ret->bits = (int)bits;
	return 0;
}

static void
fuzz_pfx(const char *s)
{
	struct nd_pfx p, q, want, poison;
	char buf[ND_PFX_TEXT_MAX];
	unsigned flags;
	int rc, n;

	for (flags = 0; flags <= (ND_PFX_ADDR | ND_PFX_CIDR); flags++) {
		memset(&p, 0x5a, sizeof(p));
		poison = p;
		rc = nd_pfx_parse(s, flags, &p);
		FUZZ_CHECK(rc == ref_pfx(s, flags, &want));
		if (rc != 0) {
			FUZZ_CHECK(rc == -EINVAL);
			FUZZ_CHECK(memcmp(&p, &poison, sizeof(p)) == 0);
			continue;
		}
		FUZZ_CHECK(memcmp(&p, &want, sizeof(p)) == 0);
		/* A fixpoint through the canonical text. */
		n = nd_pfx_format(&p, buf, sizeof(buf));
		FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf));
		FUZZ_CHECK(nd_pfx_parse(buf, ND_PFX_CIDR, &q) == 0);
		FUZZ_CHECK(memcmp(&p, &q, sizeof(p)) == 0);
		FUZZ_CHECK(nd_pfx_format(&p, buf, (size_t)n) == -ENOSPC);
		FUZZ_CHECK(nd_pfx_contains(&p, &p));
	}
}

static void
check_iprange(const struct nd_iprange *r)
{
	char buf[ND_IPRANGE_TEXT_MAX];
	struct nd_iprange q;
	int n;

	FUZZ_CHECK(r->first.family == r->last.family);
	FUZZ_CHECK(nd_addr_cmp(&r->first, &r->last) <= 0);
	FUZZ_CHECK(nd_iprange_contains(r, &r->first));
	FUZZ_CHECK(nd_iprange_contains(r, &r->last));
	FUZZ_CHECK(nd_iprange_covers(r, r) && nd_iprange_overlaps(r, r));
	FUZZ_CHECK(nd_iprange_size(r) >= 1);
	n = nd_iprange_format(r, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf));
	FUZZ_CHECK(nd_iprange_parse(buf, &q) == 0);
	FUZZ_CHECK(memcmp(r, &q, sizeof(q)) == 0);
}

static void
fuzz_iprange(const char *s)
{
	const char *dash = strchr(s, '-');
	struct nd_iprange r, poison;
	struct nd_pfx a, b;
	int rc, want;

	memset(&r, 0x5a, sizeof(r));
	poison = r;
	rc = nd_iprange_parse(s, &r);
	if (dash == NULL)
		want = ref_pfx(s, ND_PFX_ADDR | ND_PFX_CIDR, &a);
	else {
		a.family = ref_addr(s, (size_t)(dash - s), a.a);
		b.family = ref_addr(dash + 1, strlen(dash + 1), b.a);
		want = a.family == 0 || a.family != b.family ? -EINVAL :
		    memcmp(a.a, b.a, 16) > 0 ? -ERANGE : 0;
	}
	FUZZ_CHECK(rc == want);
	if (rc != 0) {
		FUZZ_CHECK(memcmp(&r, &poison, sizeof(r)) == 0);
		return;
	}
	check_iprange(&r);
	if (dash != NULL)
		FUZZ_CHECK(memcmp(r.first.a, a.a, 16) == 0 &&
		    memcmp(r.last.a, b.a, 16) == 0);
	else
		FUZZ_CHECK(nd_pfx_contains(&a, &r.first) &&
		    nd_pfx_contains(&a, &r.last));
}

static void
fuzz_pool(const char *s)
{
	const char *dash = strchr(s, '-'), *pb;
	struct nd_iprange r, poison;
	uint8_t a[16], b[16];
	uint32_t lo, hi;
	size_t la;
	int rc, want = -EINVAL;

	if (dash != NULL && strchr(dash + 1, '-') == NULL) {
		for (la = (size_t)(dash - s); la > 0 && s[la - 1] == ' '; la--)
			continue;
		for (pb = dash + 1; *pb == ' '; pb++)
			continue;
		if (ref_addr(s, la, a) == AF_INET &&
		    ref_addr(pb, strlen(pb), b) == AF_INET) {
			lo = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			    (uint32_t)a[2] << 8 | a[3];
			hi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			    (uint32_t)b[2] << 8 | b[3];
			want = lo > hi ? -ERANGE : hi - lo >= ND_L2_POOL_MAX ?
			    -E2BIG : 0;
		}
	}
	memset(&r, 0x5a, sizeof(r));
	poison = r;
	rc = nd_pool_parse(s, &r);
	FUZZ_CHECK(rc == want);
	if (rc != 0) {
		FUZZ_CHECK(memcmp(&r, &poison, sizeof(r)) == 0);
		return;
	}
	check_iprange(&r);
	FUZZ_CHECK(r.first.family == AF_INET);
	FUZZ_CHECK(nd_iprange_size(&r) <= ND_L2_POOL_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	fuzz_duration(s);
	fuzz_int(s);
	fuzz_port(s);
	fuzz_range(s);
	fuzz_range_format(data, size);
	fuzz_names(data, size);
	fuzz_strlcpy(s, size % 17);
	fuzz_one_line(s);
	fuzz_pfx(s);
	fuzz_iprange(s);
	fuzz_pool(s);
	free(s);
	return 0;
}
