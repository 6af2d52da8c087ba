/*
 * range.c - Monitoring Plugins threshold ranges (monitoring-plugin-guidelines:
 * definitions/01.range_expressions.md); see range.h for the accepted text.
 *
 * The number parser and printer are our own rather than strtod()/printf():
 * both follow LC_NUMERIC, and a plugin run with a decimal-comma locale must
 * still read "0.5" and print "0.5" (Icinga sets LC_NUMERIC=C for this
 * reason, other schedulers do not).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "range.h"

/* Caps that keep every mantissa below 2^53, so parsing is exact. */
#define RANGE_MAX_SIG	15
#define RANGE_MAX_FRAC	15
#define RANGE_2P53	9007199254740992.0

/* Powers of ten up to 1e22 are exact doubles; we need up to 1e15. */
static const double pow10_tab[RANGE_MAX_FRAC + 1] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15,
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads '-'? DIGITS ('.' DIGITS)? at p.  Returns the first byte after the
 * number, or NULL when there is no number or it has too many digits.  The
 * digits are gathered into an integer mantissa m < 10^15 and a count f of
 * fractional digits; m and 10^f are both exact doubles, so the one
 * division below is correctly rounded, and nd_range_format() can find m
 * again.
 */
static const char *
parse_num(const char *p, double *ret)
{
	uint64_t m = 0;
	unsigned int sig = 0, frac = 0, zeros = 0;
	bool neg = false;
	double v;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!is_digit(*p))
		return NULL;
	for (; is_digit(*p); p++) {
		if (m == 0 && *p == '0')
			continue;	/* leading zeros are not significant */
		if (++sig > RANGE_MAX_SIG)
			return NULL;
		m = m * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return NULL;
		/*
		 * Trailing fractional zeros ("1.50") add nothing; count them
		 * and fold them in only when a non-zero digit follows.
		 */
		for (; is_digit(*p); p++) {
			if (*p == '0') {
				zeros++;
				continue;
			}
			if (frac + zeros + 1 > RANGE_MAX_FRAC)
				return NULL;
			sig = m == 0 ? 1 : sig + zeros + 1;
			if (sig > RANGE_MAX_SIG)
				return NULL;
			frac += zeros + 1;
			for (; zeros > 0; zeros--)
				m *= 10;
			m = m * 10 + (uint64_t)(*p - '0');
		}
	}
	v = (double)m / pow10_tab[frac];
	/* "-0" is zero: no "-0" in perfdata. */
	*ret = neg && m != 0 ? -v : v;
	return p;
}

int
nd_range_parse(const char *s, struct nd_range *ret)
{
	struct nd_range r = { 0 };
	const char *p, *colon, *end;
	bool have_start = false;

	if (s == NULL || ret == NULL)
		return -EINVAL;
	p = s;
	if (*p == '@') {
		r.inside = true;
		p++;
	}
	colon = strchr(p, ':');
	if (colon != NULL) {
		if (p == colon) {
			/* ":10" is "0:10" (rule 2; upstream accepts it too). */
		} else if (p[0] == '~' && p + 1 == colon) {
			r.start_inf = true;
		} else if (parse_num(p, &r.start) == colon) {
			have_start = true;
		} else {
			return -EINVAL;
		}
		p = colon + 1;
	}
	if (*p == '\0') {
		/*
		 * Rule 3 makes an omitted end +infinity, but rule 7 wants a
		 * start or an end: "10:" is fine, "", "@", ":" and "~:" are not.
		 */
		if (colon == NULL || !have_start)
			return -EINVAL;
		r.end_inf = true;
	} else {
		end = parse_num(p, &r.end);
		if (end == NULL || *end != '\0')
			return -EINVAL;
	}
	if (!r.start_inf && !r.end_inf && r.start > r.end)
		return -EINVAL;	/* rule 1: start <= end */
	*ret = r;
	return 0;
}

bool
nd_range_alert(const struct nd_range *r, double value)
{
	bool outside;

	if (value != value)
		return true;	/* NaN */
	outside = (!r->start_inf && value < r->start) ||
	    (!r->end_inf && value > r->end);
	return r->inside ? !outside : outside;
}

/*
 * Prints v in fixed notation with the fewest fractional digits (at most
 * 15) that read back to exactly v with parse_num(); values that no such
 * text reaches are rounded to the last scale that fits below 2^53.  out
 * needs 19 bytes: '-', 16 digits, '.', NUL.  Returns the length or
 * -EINVAL.
 */
static int
format_num(double v, char *out)
{
	char digits[20];
	uint64_t r = 0;
	unsigned int p, scale = 0, nd = 0;
	double a;
	int n = 0;

	if (v != v || v >= RANGE_2P53 || v <= -RANGE_2P53)
		return -EINVAL;	/* NaN, infinities, or too big for fixed */
	a = v < 0 ? -v : v;
	for (p = 0; p <= RANGE_MAX_FRAC; p++) {
		double s = a * pow10_tab[p];

		if (s >= RANGE_2P53)
			break;
		/* Not (s + 0.5): near 2^53 that sum itself rounds up. */
		r = (uint64_t)s;
		if (s - (double)r >= 0.5)
			r++;
		scale = p;
		if ((double)r / pow10_tab[p] == a)
			break;
	}
	while (scale > 0 && r % 10 == 0) {
		r /= 10;
		scale--;
	}
	do {
		digits[nd++] = (char)('0' + r % 10);
		r /= 10;
	} while (r != 0 || nd <= scale);	/* "0.05": keep the zeros */
	if (v < 0 && !(nd == 1 && digits[0] == '0'))
		out[n++] = '-';
	while (nd > 0) {
		if (nd == scale)
			out[n++] = '.';
		out[n++] = digits[--nd];
	}
	out[n] = '\0';
	return n;
}

int
nd_range_format(const struct nd_range *r, char *buf, size_t len)
{
	char text[ND_RANGE_TEXT_MAX];
	int n = 0, rc;

	if (r == NULL || buf == NULL)
		return -EINVAL;
	if (r->start_inf && r->end_inf)
		return -EINVAL;	/* "~:" is not a range (rule 7) */
	if (!r->start_inf && !r->end_inf && !(r->start <= r->end))
		return -EINVAL;
	if (r->inside)
		text[n++] = '@';
	if (r->start_inf) {
		text[n++] = '~';
		text[n++] = ':';
	} else if (r->start != 0 || r->end_inf) {
		/* A zero start is omitted, except in "0:" which needs it. */
		if ((rc = format_num(r->start, text + n)) < 0)
			return rc;
		n += rc;
		text[n++] = ':';
	}
	if (!r->end_inf) {
		if ((rc = format_num(r->end, text + n)) < 0)
			return rc;
		n += rc;
	}
	text[n] = '\0';
	if ((size_t)n >= len)
		return -ENOSPC;
	memcpy(buf, text, (size_t)n + 1);
	return n;
}
