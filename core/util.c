/*
 * util.c - small bounded parsers and string helpers.  They exist so that no
 * module reaches for atoi(3) or strcpy(3) (docs/architecture.md 6) and so that every
 * parser in netdoctor rejects the same inputs the same way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "util.h"

/* Durations stop at one day (docs/contracts.md 2.4): longer is surely a typo. */
#define DURATION_MAX_MS	(24LL * 60 * 60 * 1000)

/* RFC 1035 2.3.4: 255 octets on the wire, 253 characters in text form. */
#define DNS_NAME_MAX	253
#define DNS_LABEL_MAX	63

/* IFNAMSIZ is 16 including the NUL (linux/if.h). */
#define IFNAME_MAX	15

size_t
nd_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
nd_parse_duration_ms(const char *s, int64_t *ret_ms)
{
	const char *p = s;
	long long whole = 0, frac = 0, unit, ms;
	int nfrac = 0, keep, overflow = 0;

	if (s == NULL || !is_digit(*p))
		return -EINVAL;
	for (; is_digit(*p); p++) {
		/*
		 * Keep scanning after the value is already too large so that
		 * a syntax error still wins over a range error.
		 */
		if (whole > DURATION_MAX_MS)
			overflow = 1;
		else
			whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		for (; is_digit(*p); p++) {
			if (nfrac < 3)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0')
				frac = -1;	/* finer than a millisecond */
			nfrac++;
		}
	}
	if (strcmp(p, "ms") == 0) {
		unit = 1;
		keep = 0;
	} else if (strcmp(p, "s") == 0 || *p == '\0') {
		unit = 1000;
		keep = 3;
	} else if (strcmp(p, "m") == 0) {
		unit = 60 * 1000;	/* wait --timeout 10m */
		keep = 3;
	} else if (strcmp(p, "h") == 0) {
		unit = 60 * 60 * 1000;
		keep = 3;
	} else
		return -EINVAL;

	/*
	 * Only whole milliseconds can be represented: "1.5ms" and "0.0001s"
	 * would silently round, so they are refused instead.
	 */
	if (frac < 0 || (keep == 0 && frac != 0))
		return -EINVAL;
	if (overflow || whole > DURATION_MAX_MS)
		return -ERANGE;
	if (keep == 3)
		for (; nfrac < 3; nfrac++)
			frac *= 10;
	else
		frac = 0;
	/* frac is in thousandths of the unit. */
	ms = whole * unit + frac * (unit / 1000);
	if (ms > DURATION_MAX_MS)
		return -ERANGE;
	*ret_ms = ms;
	return 0;
}

int
nd_parse_int(const char *s, long long min, long long max, long long *ret)
{
	char *end;
	long long v;

	/* strtoll(3) skips leading blanks; a config value must not have any. */
	if (s == NULL || min > max || (!is_digit(*s) && *s != '-' &&
	    *s != '+'))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
nd_parse_port(const char *s, uint16_t *ret_port)
{
	const char *p;
	long long v;
	int rc;

	/* Only digits: "+80" and "-0" are not ports anyone means to write. */
	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (p = s; *p != '\0'; p++)
		if (!is_digit(*p))
			return -EINVAL;
	if ((rc = nd_parse_int(s, 1, 65535, &v)) != 0)
		return rc;
	*ret_port = (uint16_t)v;
	return 0;
}

size_t
nd_ipv4_ntop(const void *a4, char *buf)
{
	const unsigned char *b = a4;
	char *o = buf;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i > 0)
			*o++ = '.';
		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
	}
	*o = '\0';
	return (size_t)(o - buf);
}

char *
nd_utoa(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

uint64_t
nd_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	/* Eight bytes a round: keys of 10,000 targets are hashed at once. */
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

bool
nd_is_ip_literal(const char *s)
{
	struct in6_addr a6;

	if (s == NULL)
		return false;
	return inet_pton(AF_INET, s, &a6) == 1 ||
	    inet_pton(AF_INET6, s, &a6) == 1;
}

static int
is_label_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

const char *
nd_dns_name_problem(const char *s, size_t len, size_t *ret_off)
{
	size_t i, label = 0, namelen = len;

	if (len == 0) {
		*ret_off = 0;
		return "empty name";
	}
	/* A trailing dot marks the name fully qualified; it is no label. */
	if (s[len - 1] == '.')
		namelen = len - 1;
	for (i = 0; i < namelen; i++) {
		if (s[i] == '.') {
			if (i == label) {
				*ret_off = i;
				return "empty label";
			}
			label = i + 1;
			continue;
		}
		if (!is_label_char(s[i])) {
			*ret_off = i;
			return "character not allowed in a name "
			    "(letters, digits, '-', '_' and '.')";
		}
		if (i - label >= DNS_LABEL_MAX) {
			*ret_off = label;
			return "label longer than 63 characters";
		}
	}
	if (namelen == label) {
		*ret_off = namelen;
		return "empty label";
	}
	if (namelen > DNS_NAME_MAX) {
		*ret_off = DNS_NAME_MAX;
		return "name longer than 253 characters";
	}
	return NULL;
}

bool
nd_is_ifname(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > IFNAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!is_label_char(s[i]) && s[i] != '.' && s[i] != '@')
			return false;
	return true;
}

void
nd_one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
nd_fputs_safe(const char *s, FILE *f)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

int
nd_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
nd_pct_encode(char *out, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL ||
		    strchr(keep, c) != NULL) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return o;
}

bool
nd_hostname_match(const char *pattern, const char *host)
{
	size_t lp = strlen(pattern), lh = strlen(host);

	if (lp > 1 && pattern[lp - 1] == '.')
		lp--;
	if (lh > 1 && host[lh - 1] == '.')
		lh--;
	if (lp < 2 || pattern[0] != '*' || pattern[1] != '.')
		return lp == lh && strncasecmp(pattern, host, lp) == 0;
	/* "*.example.com": host ends in ".example.com" with a label before. */
	pattern++;
	lp--;
	return lh > lp && host[0] != '.' &&
	    strncasecmp(host + lh - lp, pattern, lp) == 0;
}

int
nd_parse_rfc3339(const char *s, int64_t *ret)
{
	struct tm tm;
	const char *p = s;
	int v[6], i, off = 0, oh, om;
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	static const char sep[6] = { '-', '-', 'T', ':', ':', '\0' };
	time_t t;

	/* YYYY-MM-DDTHH:MM:SS, digits counted rather than scanned. */
	for (i = 0; i < 6; i++) {
		int k;

		v[i] = 0;
		for (k = 0; k < width[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			v[i] = v[i] * 10 + (*p - '0');
		}
		if (sep[i] != '\0' && *p++ != sep[i])
			return -EINVAL;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
	    p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9') {
		oh = (p[1] - '0') * 10 + (p[2] - '0');
		om = (p[4] - '0') * 10 + (p[5] - '0');
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
	} else
		return -EINVAL;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	t = timegm(&tm);
	*ret = (int64_t)t - off;
	return 0;
}
