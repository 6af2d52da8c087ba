/*
 * jsonw.c - streaming JSON writer (see jsonw.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "jsonw.h"

/*
 * One report is written by one thread: skip stdio's per-call locking
 * (glibc's _unlocked variants), which showed in profiles of large reports.
 */
#define fputc(c, f)		fputc_unlocked((c), (f))
#define fwrite(p, s, n, f)	fwrite_unlocked((p), (s), (n), (f))
#define fputs(s, f)		fputs_unlocked((s), (f))

void
nd_jw_init(struct nd_jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Before a value: a comma unless it is the first in its container. */
static void
jw_sep(struct nd_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		fputc(',', w->f);
	w->need_comma[w->depth] = true;
}

static void
jw_open(struct nd_jw *w, int c)
{
	jw_sep(w);
	fputc(c, w->f);
	if (w->depth + 1 >= ND_JW_DEPTH) {
		w->error = true;
		return;
	}
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void
jw_close(struct nd_jw *w, int c)
{
	if (w->depth == 0)
		w->error = true;
	else
		w->depth--;
	fputc(c, w->f);
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

static void
jw_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + strlen(str);
	const unsigned char *run = s;

	fputc('"', f);
	while (s < end) {
		size_t n;

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
		fwrite(run, 1, (size_t)(s - run), f);
		if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s, f);
			s++;
		} else if (*s < 0x20) {
			fprintf(f, "\\u%04x", *s);
			s++;
		} else if ((n = jw_utf8_len(s)) > 0) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);	/* invalid UTF-8 byte */
			s++;
		}
		run = s;
	}
	fwrite(run, 1, (size_t)(s - run), f);
	fputc('"', f);
}

void
nd_jw_key(struct nd_jw *w, const char *k)
{
	jw_sep(w);
	jw_string(w->f, k);
	fputc(':', w->f);
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
	jw_string(w->f, s);
}

void
nd_jw_int(struct nd_jw *w, long long v)
{
	jw_sep(w);
	fprintf(w->f, "%lld", v);
}

void
nd_jw_real(struct nd_jw *w, double v, int decimals)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000 };
	uint64_t scaled, ip, fp;
	char frac[8];
	int i;

	jw_sep(w);
	/* JSON has no NaN or infinity. */
	if (!isfinite(v)) {
		fputs("null", w->f);
		return;
	}
	/*
	 * Timings are written for every probe: fixed point in integers is
	 * much cheaper than printf's %f and cannot depend on the locale.
	 */
	if (decimals < 0 || decimals > 6 || fabs(v) >= 1e12) {
		fprintf(w->f, "%.*f", decimals < 0 ? 0 : decimals, v);
		return;
	}
	if (v < 0) {
		fputc('-', w->f);
		v = -v;
	}
	scaled = (uint64_t)(v * (double)pow10[decimals] + 0.5);
	ip = scaled / pow10[decimals];
	fp = scaled % pow10[decimals];
	fprintf(w->f, "%llu", (unsigned long long)ip);
	if (decimals == 0)
		return;
	for (i = decimals - 1; i >= 0; i--) {
		frac[i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	fputc('.', w->f);
	fwrite(frac, 1, (size_t)decimals, w->f);
}

void
nd_jw_null(struct nd_jw *w)
{
	jw_sep(w);
	fputs("null", w->f);
}

void
nd_jw_raw(struct nd_jw *w, const char *s)
{
	fputs(s, w->f);
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
