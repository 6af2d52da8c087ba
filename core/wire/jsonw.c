/*
 * jsonw.c - streaming JSON writer (see jsonw.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

void
nd_jw_init(struct nd_jw *w, FILE *f)
{
	/* Not the buffer: a writer for one progress line is 16 KiB. */
	memset(w, 0, offsetof(struct nd_jw, buf));
	w->f = f;
}

static void
jw_drain(struct nd_jw *w)
{
	if (w->len > 0)
		fwrite_unlocked(w->buf, 1, w->len, w->f);
	w->len = 0;
}

/* Room for n (at most ND_JW_BUF) more bytes; the caller adds to len. */
static inline char *
jw_room(struct nd_jw *w, size_t n)
{
	if (sizeof(w->buf) - w->len < n)
		jw_drain(w);
	return w->buf + w->len;
}

static inline void
jw_putc(struct nd_jw *w, char c)
{
	*jw_room(w, 1) = c;
	w->len++;
}

static void
jw_put_split(struct nd_jw *w, const char *s, size_t n)
{
	while (n > 0) {
		size_t k;

		if (w->len == sizeof(w->buf))
			jw_drain(w);
		k = sizeof(w->buf) - w->len;
		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
	}
}

static inline void
jw_put(struct nd_jw *w, const void *p, size_t n)
{
	if (sizeof(w->buf) - w->len >= n) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
	} else {
		jw_put_split(w, p, n);
	}
}

/* A value or raw text ended: at the top level it goes out now. */
static inline void
jw_end(struct nd_jw *w)
{
	if (w->depth == 0)
		jw_drain(w);
}

/* Before a value: a comma unless it is the first in its container. */
static inline void
jw_sep(struct nd_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		jw_putc(w, ',');
	w->need_comma[w->depth] = true;
}

static void
jw_open(struct nd_jw *w, char c)
{
	jw_sep(w);
	jw_putc(w, c);
	if (w->depth + 1 >= ND_JW_DEPTH) {
		w->error = true;
		return;
	}
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void
jw_close(struct nd_jw *w, char c)
{
	if (w->depth == 0)
		w->error = true;
	else
		w->depth--;
	jw_putc(w, c);
	jw_end(w);
}

void
nd_jw_obj(struct nd_jw *w)
{
	jw_open(w, '{');
}

void
nd_jw_obj_end(struct nd_jw *w)
{
	jw_close(w, '}');
}

void
nd_jw_arr(struct nd_jw *w)
{
	jw_open(w, '[');
}

void
nd_jw_arr_end(struct nd_jw *w)
{
	jw_close(w, ']');
}

/* Length of a valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
jw_utf8_len(const unsigned char *s)
{
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (s[0] == 0xed && s[1] >= 0xa0)
			return 0;	/* surrogates */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 &&
		    s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* 1 for bytes that can be copied as they are (printable ASCII but " \\). */
static const unsigned char jw_plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,
};

/*
 * Whether the 8 bytes at s are all plain: none with the top bit set, none
 * below 0x20, none equal to '"' or '\\'.  With each byte's top bit forced
 * on, subtracting 0x20 (or 1) never borrows from the next byte, and the
 * top bit stays on exactly where the byte was >= 0x20 (or nonzero): the
 * zero-byte test of "Bit Twiddling Hacks", made exact.
 */
static bool
jw_plain8(const unsigned char *s)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t x, ge20, notq, notb;

	memcpy(&x, s, sizeof(x));
	ge20 = (x | high) - ones * 0x20;
	notq = ((x ^ (ones * '"')) | high) - ones;
	notb = ((x ^ (ones * '\\')) | high) - ones;
	return (x & high) == 0 && (ge20 & notq & notb & high) == high;
}

/*
 * The same for 16 bytes, in vector registers where the target has them
 * (SSE2, NEON): a report's strings are some 6 MB, and this check is most
 * of the writer's work.  Bytes below 0x20 or from 0x80 up are the ones
 * that wrap to 0x60 and above once 0x20 is subtracted.
 */
typedef unsigned char jw_v16 __attribute__((vector_size(16)));

static inline bool
jw_plain16(const unsigned char *s)
{
	jw_v16 x, bad;
	uint64_t h[2];

	memcpy(&x, s, sizeof(x));
	bad = (jw_v16)((x - 0x20) >= 0x60) | (jw_v16)(x == '"') |
	    (jw_v16)(x == '\\');
	memcpy(h, &bad, sizeof(h));
	return (h[0] | h[1]) == 0;
}

/*
 * The rest of a string from s, any bytes: escapes, UTF-8 checks.  The
 * opening quote is written; the closing one is the caller's.
 */
static void
jw_string_slow(struct nd_jw *w, const unsigned char *s,
    const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *run = s;

	while (s < end) {
		size_t n;
		char *o;

		/* Reports are mostly plain ASCII: eight bytes a step. */
		while (end - s >= 8 && jw_plain8(s))
			s += 8;
		if (s == end)
			break;
		if (jw_plain[*s]) {
			s++;
			continue;
		}
		/* Flush the plain run, then the special character. */
		jw_put(w, run, (size_t)(s - run));
		o = jw_room(w, 6);
		if (*s == '"' || *s == '\\') {
			o[0] = '\\';
			o[1] = (char)*s;
			w->len += 2;
			s++;
		} else if (*s < 0x20) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[*s >> 4];
			o[5] = hex[*s & 0xf];
			w->len += 6;
			s++;
		} else if ((n = jw_utf8_len(s)) > 0) {
			jw_put(w, s, n);
			s += n;
		} else {
			memcpy(o, "\\ufffd", 6);	/* invalid UTF-8 byte */
			w->len += 6;
			s++;
		}
		run = s;
	}
	jw_put(w, run, (size_t)(s - run));
}

/*
 * A quoted string.  Nearly every string in a report is short and plain
 * (ids, URLs, addresses): those are copied as they are checked, straight
 * into the buffer; the first byte that needs care hands the rest to
 * jw_string_slow().
 */
static void
jw_string(struct nd_jw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	const unsigned char *end = s + n;
	char *o;

	if (n + 2 > sizeof(w->buf)) {
		jw_putc(w, '"');
		jw_string_slow(w, s, end);
		jw_putc(w, '"');
		return;
	}
	o = jw_room(w, n + 2);
	*o++ = '"';
	if (n >= 16) {
		for (; end - s >= 16; s += 16, o += 16) {
			if (!jw_plain16(s))
				goto slow;
			memcpy(o, s, 16);
		}
		if (s < end) {
			/* The tail as the last 16 bytes, overlapping checked
			   ones. */
			if (!jw_plain16(end - 16))
				goto slow;
			memcpy(o - (16 - (end - s)), end - 16, 16);
			o += end - s;
			s = end;
		}
	} else if (n >= 8) {
		/* Two eight-byte words that overlap. */
		if (!jw_plain8(s) || !jw_plain8(end - 8))
			goto slow;
		memcpy(o, s, 8);
		memcpy(o + n - 8, end - 8, 8);
		o += n;
		s = end;
	}
	for (; s < end; s++) {
		if (!jw_plain[*s])
			goto slow;
		*o++ = (char)*s;
	}
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
	return;
slow:
	w->len = (size_t)(o - w->buf);
	jw_string_slow(w, s, end);
	jw_putc(w, '"');
}

void
nd_jw_key(struct nd_jw *w, const char *k)
{
	jw_sep(w);
	jw_string(w, k);
	jw_putc(w, ':');
	w->after_key = true;
}

void
nd_jw_str(struct nd_jw *w, const char *s)
{
	if (s == NULL) {
		nd_jw_null(w);
		return;
	}
	jw_sep(w);
	jw_string(w, s);
	jw_end(w);
}

/* printf's "%lld" and "%llu", without printf. */
static void
jw_digits(struct nd_jw *w, bool neg, unsigned long long v)
{
	char d[24], *s = nd_utoa(d + sizeof(d), v);

	if (neg)
		*--s = '-';
	jw_put(w, s, (size_t)(d + sizeof(d) - s));
}

void
nd_jw_int(struct nd_jw *w, long long v)
{
	jw_sep(w);
	/* The magnitude in unsigned arithmetic: -LLONG_MIN overflows. */
	jw_digits(w, v < 0, v < 0 ? 0ull - (unsigned long long)v :
	    (unsigned long long)v);
	jw_end(w);
}

void
nd_jw_real(struct nd_jw *w, double v, int decimals)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000 };
	uint64_t scaled, fp;
	char *o;
	int i;

	jw_sep(w);
	/* JSON has no NaN or infinity. */
	if (!isfinite(v)) {
		jw_put(w, "null", 4);
		jw_end(w);
		return;
	}
	/*
	 * Timings are written for every probe: fixed point in integers is
	 * much cheaper than printf's %f and cannot depend on the locale.
	 */
	if (decimals < 0 || decimals > 6 || fabs(v) >= 1e12) {
		char tmp[64];
		int n = snprintf(tmp, sizeof(tmp), "%.*f",
		    decimals < 0 ? 0 : decimals, v);

		if (n >= 0 && (size_t)n < sizeof(tmp)) {
			jw_put(w, tmp, (size_t)n);
		} else {
			/* Hundreds of digits: rare enough for stdio. */
			jw_drain(w);
			fprintf(w->f, "%.*f", decimals < 0 ? 0 : decimals, v);
		}
		jw_end(w);
		return;
	}
	scaled = (uint64_t)(fabs(v) * (double)pow10[decimals] + 0.5);
	/* As before: "-0.000" for a negative that rounds to zero. */
	jw_digits(w, v < 0, scaled / pow10[decimals]);
	if (decimals > 0) {
		fp = scaled % pow10[decimals];
		o = jw_room(w, (size_t)decimals + 1);
		o[0] = '.';
		for (i = decimals; i >= 1; i--) {
			o[i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		w->len += (size_t)decimals + 1;
	}
	jw_end(w);
}

void
nd_jw_null(struct nd_jw *w)
{
	jw_sep(w);
	jw_put(w, "null", 4);
	jw_end(w);
}

void
nd_jw_raw(struct nd_jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
	jw_end(w);
}

void
nd_jw_kstr(struct nd_jw *w, const char *key, const char *val)
{
	nd_jw_key(w, key);
	nd_jw_str(w, val);
}

void
nd_jw_kint(struct nd_jw *w, const char *key, long long val)
{
	nd_jw_key(w, key);
	nd_jw_int(w, val);
}

void
nd_jw_kreal(struct nd_jw *w, const char *key, double val, int decimals)
{
	nd_jw_key(w, key);
	nd_jw_real(w, val, decimals);
}

void
nd_jw_key_lit(struct nd_jw *w, const char *quoted, size_t n)
{
	jw_sep(w);
	jw_put(w, quoted, n);
	w->after_key = true;
}

void
nd_jw_kstr_lit(struct nd_jw *w, const char *quoted, size_t n,
    const char *val)
{
	nd_jw_key_lit(w, quoted, n);
	nd_jw_str(w, val);
}
