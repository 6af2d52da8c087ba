/*
 * target.c - parses the target URLs of docs/contracts.md 2.
 *
 * The parser works on byte offsets into the verbatim input so that every
 * error can name the column where the problem starts; users paste these
 * URLs from shell history and YAML files, and "column 17" finds a typo
 * faster than "invalid URL".  Nothing here resolves names or touches the
 * network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "arena.h"
#include "arpwatch.h"
#include "nd.h"
#include "target.h"
#include "util.h"

#define URL_MAX		2048	/* longer inputs are refused, not truncated */
#define URL_MAX_WEB	4096	/* a web URL: up to 2 KiB of path + a query */
#define URL_ECHO_MAX	200	/* errors echo URLs up to this long whole, */
#define URL_SHOW	60	/* and only the first 60 bytes of longer ones */
#define ARP_MAX_IPS	256

/* Values echoed in errors are cut too; SHOW(s) feeds a "%.*s%s" pair. */
#define VAL_SHOW	64
#define SHOW(s)		(int)(strlen(s) > VAL_SHOW ? VAL_SHOW : strlen(s)), \
			(s), strlen(s) > VAL_SHOW ? "..." : ""

/* Query keys; a scheme accepts a subset given as a bit mask. */
enum qkey {
	Q_SNI,
	Q_CA,
	Q_EXPECT,
	Q_TYPE,
	Q_UPSTREAM,
	Q_MAC,
	Q_TRIES,
	Q_WINDOW,
	Q_NKEYS,
};

#define QK(k)	(1u << Q_##k)

/* Where the parts of SCHEME://AUTHORITY[/PATH][?QUERY] are in the URL. */
struct uparts {
	size_t	a0, a1;		/* the authority */
	size_t	path0, path1;	/* the path, '/' included; empty: equal */
};

static const char *const qkey_names[Q_NKEYS] = {
	[Q_SNI] = "sni",
	[Q_CA] = "ca",
	[Q_EXPECT] = "expect",
	[Q_TYPE] = "type",
	[Q_UPSTREAM] = "upstream",
	[Q_MAC] = "mac",
	[Q_TRIES] = "tries",
	[Q_WINDOW] = "window",
};

struct tparse {
	struct nd_arena	*arena;
	const char	*url;
	size_t		 len;
	char		*err;
	size_t		 errlen;
	const char	*sname;		/* the scheme as the URL spells it */
	bool		 bare;		/* errors without "URL: column N: " */
	size_t		 erroff;	/* where the error is, in url */
	uint16_t	 defport;	/* its row's */
	/* decoded query values and where each starts in url */
	char		*qval[Q_NKEYS];
	size_t		 qoff[Q_NKEYS];
};

/*
 * A truncating string builder over the caller's err buffer, so that error
 * text is assembled without sprintf(3) and never overflows.
 */
struct sbuf {
	char	*p;
	size_t	 cap, len;
};

static void
sb_putc(struct sbuf *sb, char c)
{
	if (sb->cap == 0)
		return;
	if (sb->len + 1 < sb->cap)
		sb->p[sb->len++] = c;
	sb->p[sb->len] = '\0';
}

static void	sb_vprintf(struct sbuf *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static void
sb_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	int n;

	if (sb->cap == 0 || sb->len + 1 >= sb->cap)
		return;
	n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len)
		sb->len = sb->cap - 1;
	else
		sb->len += (size_t)n;
}

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

/*
 * Writes "<url>: column <off+1>: <what>" (only <what> when bare; off is
 * kept in erroff) and returns -EINVAL.  Control bytes in the echoed URL
 * are escaped so that an error about a stray newline or escape sequence
 * cannot itself corrupt the terminal, and a long URL is cut so that the
 * column and the reason still fit the caller's buffer.
 */
static int
perr(struct tparse *tp, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct tparse *tp, size_t off, const char *fmt, ...)
{
	struct sbuf sb = { tp->err, tp->errlen, 0 };
	size_t i, show = tp->len > URL_ECHO_MAX ? URL_SHOW : tp->len;
	va_list ap;

	tp->erroff = off;
	if (tp->err == NULL || tp->errlen == 0)
		return -EINVAL;
	tp->err[0] = '\0';
	for (i = 0; !tp->bare && i < show; i++) {
		unsigned char c = (unsigned char)tp->url[i];

		if (c < 0x20 || c == 0x7f)
			sb_printf(&sb, "\\x%02x", c);
		else
			sb_putc(&sb, (char)c);
	}
	if (!tp->bare)
		sb_printf(&sb, "%s: column %zu: ", show < tp->len ? "..." : "",
		    off + 1);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *
sub(struct tparse *tp, size_t from, size_t to)
{
	return nd_arena_strndup(tp->arena, tp->url + from, to - from);
}

static size_t
find(const struct tparse *tp, size_t from, size_t to, char c)
{
	const char *p = memchr(tp->url + from, c, to - from);

	return p == NULL ? to : (size_t)(p - tp->url);
}

static int
is_ipv4_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
			return 0;
	return 1;
}

/*
 * inet_pton(AF_INET, s) == 1 without the call (two a dns:// target):
 * four parts of 0-255 in decimal, no leading zeros, nothing else.
 */
static bool
is_ipv4(const char *s)
{
	unsigned val = 0, parts = 0;
	bool digit = false;
	char c;

	while ((c = *s++) != '\0') {
		if (c >= '0' && c <= '9') {
			if (digit && val == 0)
				return false;
			val = val * 10 + (unsigned)(c - '0');
			if (val > 255)
				return false;
			if (!digit && ++parts > 4)
				return false;
			digit = true;
		} else if (c == '.' && digit && parts < 4) {
			val = 0;
			digit = false;
		} else
			return false;
	}
	return parts == 4;
}

static int
ip_family(const char *s)
{
	struct in6_addr a;

	if (is_ipv4(s))
		return AF_INET;
	if (inet_pton(AF_INET6, s, &a) == 1)
		return AF_INET6;
	return 0;
}

/* The port text at [p0, p1), already known to be non-empty. */
static int
parse_port_at(struct tparse *tp, size_t p0, size_t p1, uint16_t *ret)
{
	char buf[16];
	const char *s = buf;
	int rc;

	/* A usual port on the stack, not one string per target. */
	if (p1 - p0 < sizeof(buf)) {
		memcpy(buf, tp->url + p0, p1 - p0);
		buf[p1 - p0] = '\0';
	} else
		s = sub(tp, p0, p1);
	if ((rc = nd_parse_port(s, ret)) == 0)
		return 0;
	if (rc == -ERANGE)
		return perr(tp, p0, "port %.16s%s out of range 1-65535", s,
		    strlen(s) > 16 ? "..." : "");
	return perr(tp, p0, "port '%.16s%s' is not a number", s,
	    strlen(s) > 16 ? "..." : "");
}

/*
 * HOST[:PORT] at [a0, a1).  HOST is an IPv4 literal, an IPv6 literal in
 * brackets (RFC 3986 3.2.2) or a DNS name.  defport 0 means the port is
 * required.
 */
static int
parse_hostport(struct tparse *tp, size_t a0, size_t a1, uint16_t defport,
    struct nd_target *t)
{
	const char *u = tp->url, *why;
	size_t h0, h1, p0 = 0, bad;
	int has_port = 0, rc;

	if (a0 == a1)
		return perr(tp, a0, "missing host");
	if (u[a0] == '[') {
		size_t rb = find(tp, a0, a1, ']'), pct;

		if (rb == a1)
			return perr(tp, a0, "missing ']' after the IPv6 "
			    "address");
		h0 = a0 + 1;
		h1 = rb;
		if (h0 == h1)
			return perr(tp, a0, "empty IPv6 address '[]'");
		/*
		 * A zone (RFC 6874 "%25eth0") only means something with a
		 * link-local address and an interface to send on; the probes
		 * cannot honour it yet, so it is refused rather than ignored.
		 */
		if ((pct = find(tp, h0, h1, '%')) != h1)
			return perr(tp, pct, "IPv6 zone '%.*s' is not "
			    "supported; give the address without it",
			    (int)(h1 - pct < 32 ? h1 - pct : 32), u + pct);
		t->host = sub(tp, h0, h1);
		if (ip_family(t->host) != AF_INET6)
			return perr(tp, h0, "'%.*s%s' is not an IPv6 "
			    "address", SHOW(t->host));
		t->host_is_ip = true;
		if (rb + 1 < a1) {
			if (u[rb + 1] != ':')
				return perr(tp, rb + 1, "expected ':PORT' "
				    "after ']'");
			has_port = 1;
			p0 = rb + 2;
		}
	} else {
		size_t colon = find(tp, a0, a1, ':');

		if (colon < a1 && find(tp, colon + 1, a1, ':') < a1)
			return perr(tp, a0, "an IPv6 address must be in "
			    "brackets, e.g. %s://[::1]:PORT", tp->sname);
		h0 = a0;
		h1 = colon;
		if (h0 == h1)
			return perr(tp, a0, "missing host");
		t->host = sub(tp, h0, h1);
		if (is_ipv4_chars(t->host, h1 - h0)) {
			/* All digits and dots: a name cannot look like that. */
			if (ip_family(t->host) != AF_INET)
				return perr(tp, h0, "'%.*s%s' is not an "
				    "IPv4 address", SHOW(t->host));
			t->host_is_ip = true;
		} else if ((why = nd_dns_name_problem(t->host, h1 - h0,
		    &bad)) != NULL)
			return perr(tp, h0 + bad, "host '%.*s%s': %s",
			    SHOW(t->host), why);
		if (colon < a1) {
			has_port = 1;
			p0 = colon + 1;
		}
	}
	if (has_port) {
		if (p0 == a1)
			return perr(tp, p0, "missing port after ':'");
		if ((rc = parse_port_at(tp, p0, a1, &t->port)) != 0)
			return rc;
	} else if (defport == 0)
		return perr(tp, a1, "missing port (%s://HOST:PORT)",
		    tp->sname);
	else
		t->port = defport;
	return 0;
}

/* Percent-decodes [v0, v1) (RFC 3986 2.1) into a new arena string. */
static int
decode_value(struct tparse *tp, size_t v0, size_t v1, char **ret)
{
	char *out = nd_arena_alloc(tp->arena, v1 - v0 + 1);
	size_t i, n = 0;

	/* The usual value has no escape at all. */
	if (memchr(tp->url + v0, '%', v1 - v0) == NULL) {
		memcpy(out, tp->url + v0, v1 - v0);
		*ret = out;
		return 0;
	}
	for (i = v0; i < v1; i++) {
		int hi, lo, c;

		if (tp->url[i] != '%') {
			out[n++] = tp->url[i];
			continue;
		}
		if (i + 2 >= v1 || (hi = nd_hexval(tp->url[i + 1])) < 0 ||
		    (lo = nd_hexval(tp->url[i + 2])) < 0)
			return perr(tp, i, "bad percent-escape '%.*s' "
			    "(expected %%XX with two hex digits)",
			    (int)(v1 - i < 3 ? v1 - i : 3), tp->url + i);
		c = hi * 16 + lo;
		/* The decoded text must obey the same rule as the raw URL. */
		if (c < 0x20 || c == 0x7f)
			return perr(tp, i, "percent-escape '%.3s' decodes to "
			    "a control character", tp->url + i);
		out[n++] = (char)c;
		i += 2;
	}
	out[n] = '\0';
	*ret = out;
	return 0;
}

/* "sni, ca" for the keys in mask, or NULL when the mask is empty. */
static const char *
qkeys_text(struct tparse *tp, unsigned mask)
{
	char buf[128];
	size_t o = 0;
	int k;

	for (k = 0; k < Q_NKEYS; k++)
		if ((mask & (1u << k)) != 0)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
			    o ? ", " : "", qkey_names[k]);
	return o == 0 ? NULL : nd_arena_strdup(tp->arena, buf);
}

/* The query at [q0, q1): '&'-separated KEY=VALUE with keys from mask. */
static int
parse_query(struct tparse *tp, size_t q0, size_t q1, unsigned mask)
{
	const char *u = tp->url, *keys;
	size_t i0, i1, eq;
	int k, rc;

	if (q0 == q1)
		return perr(tp, q0 - 1, "empty query after '?'");
	for (i0 = q0; i0 <= q1; i0 = i1 + 1) {
		i1 = find(tp, i0, q1, '&');
		if (i0 == i1)
			return perr(tp, i0, "empty query parameter");
		eq = find(tp, i0, i1, '=');
		if (eq == i0)
			return perr(tp, i0, "empty query key");
		for (k = 0; k < Q_NKEYS; k++)
			if (strlen(qkey_names[k]) == eq - i0 &&
			    memcmp(qkey_names[k], u + i0, eq - i0) == 0)
				break;
		if (k == Q_NKEYS || (mask & (1u << k)) == 0) {
			/* Only an error names them (10,000 targets parse). */
			if ((keys = qkeys_text(tp, mask)) == NULL)
				return perr(tp, i0, "unknown query key "
				    "'%.*s' (%s:// takes no query)",
				    (int)(eq - i0 < 32 ? eq - i0 : 32), u + i0,
				    tp->sname);
			return perr(tp, i0, "unknown query key '%.*s' "
			    "(%s:// takes %s)",
			    (int)(eq - i0 < 32 ? eq - i0 : 32), u + i0,
			    tp->sname, keys);
		}
		if (tp->qval[k] != NULL)
			return perr(tp, i0, "repeated query key '%s'",
			    qkey_names[k]);
		if (eq == i1)
			return perr(tp, i0, "query key '%s' has no value "
			    "(%s=VALUE)", qkey_names[k], qkey_names[k]);
		if (eq + 1 == i1)
			return perr(tp, eq + 1, "empty value for '%s'",
			    qkey_names[k]);
		if ((rc = decode_value(tp, eq + 1, i1, &tp->qval[k])) != 0)
			return rc;
		tp->qoff[k] = eq + 1;
	}
	return 0;
}

/* sni= and ca= of tls://, talos:// and k8s://. */
static int
apply_tls(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	const char *why, *sni = tp->qval[Q_SNI];
	size_t bad;

	/*
	 * The server name may be an IP literal: the TLS probe then checks
	 * the certificate's IP SANs, as curl does for https://10.0.0.1/.
	 */
	if (sni != NULL && !nd_is_ip_literal(sni) &&
	    (why = nd_dns_name_problem(sni, strlen(sni), &bad)) != NULL)
		return perr(tp, tp->qoff[Q_SNI], "sni '%.*s%s': %s",
		    SHOW(sni), why);
	nd_target_xw(tp->arena, t)->sni = tp->qval[Q_SNI];
	nd_target_xw(tp->arena, t)->ca = tp->qval[Q_CA];
	return 0;
}

/*
 * Splits a decoded comma list in place (s is the parser's own copy: each
 * ',' becomes the end of an item); items are checked by the caller.
 */
static char **
split_commas(struct tparse *tp, char *s, size_t *ret_n)
{
	size_t n = 1, i;
	char *p, **v;

	for (p = strchr(s, ','); p != NULL; p = strchr(p + 1, ','))
		n++;
	v = nd_arena_alloc(tp->arena, (n + 1) * sizeof(*v));
	for (p = s, i = 0; i < n; i++) {
		v[i] = p;
		p += strcspn(p, ",");
		if (*p == ',')
			*p++ = '\0';
	}
	v[n] = NULL;
	*ret_n = n;
	return v;
}

/* dns://SERVER[:PORT]: the server; the NAME needs the query's type. */
static int
parse_dns(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	return parse_hostport(tp, u->a0, u->a1, tp->defport, t);
}

/*
 * The two query types, shared by every dns:// target rather than one
 * copy each (nothing writes to a target's strings).
 */
static char qtype_a[] = "A", qtype_aaaa[] = "AAAA";

/* dns://SERVER[:PORT]/NAME[?expect=IP,IP&type=A|AAAA&upstream=IP] */
static int
apply_dns(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	struct nd_target_x *x = nd_target_xw(tp->arena, t);
	const char *why, *type = tp->qval[Q_TYPE];
	size_t bad, n, i, off, path0 = u->path0, path1 = u->path1;
	int want, fam;

	if (path0 == path1 || path0 + 1 == path1)
		return perr(tp, path0 == path1 ? path0 : path0 + 1,
		    "missing NAME to query (dns://SERVER/NAME)");
	x->qname = sub(tp, path0 + 1, path1);
	if ((why = nd_dns_name_problem(x->qname, path1 - path0 - 1,
	    &bad)) != NULL)
		return perr(tp, path0 + 1 + bad, "name '%.*s%s': %s",
		    SHOW(x->qname), why);

	if (type == NULL || strcasecmp(type, "A") == 0)
		x->qtype = qtype_a;
	else if (strcasecmp(type, "AAAA") == 0)
		x->qtype = qtype_aaaa;
	else
		return perr(tp, tp->qoff[Q_TYPE], "type '%.*s%s' is not A "
		    "or AAAA", SHOW(type));
	want = x->qtype[1] == '\0' ? AF_INET : AF_INET6;

	if (tp->qval[Q_EXPECT] != NULL) {
		x->expect = split_commas(tp, tp->qval[Q_EXPECT], &n);
		/* Offsets are into the decoded text; exact unless escaped. */
		for (i = 0, off = tp->qoff[Q_EXPECT]; i < n; i++) {
			if (x->expect[i][0] == '\0')
				return perr(tp, off, "empty address in "
				    "expect");
			if ((fam = ip_family(x->expect[i])) == 0)
				return perr(tp, off, "expect '%.*s%s' is "
				    "not an IP address", SHOW(x->expect[i]));
			/*
			 * An A query never answers an IPv6 address, so the
			 * mismatch would only surface later as a bogus
			 * dns.wrong_answer; the default type counts too.
			 */
			if (fam != want)
				return perr(tp, off, "expect %s is %s but "
				    "type is %s%s", x->expect[i],
				    fam == AF_INET ? "IPv4" : "IPv6",
				    x->qtype, type == NULL ?
				    " (the default; add type=AAAA)" : "");
			off += strlen(x->expect[i]) + 1;
		}
	}
	/*
	 * upstream is the address of a reference resolver, not an answer, so
	 * its family need not match type: an AAAA question over IPv4 is
	 * normal.
	 */
	if (tp->qval[Q_UPSTREAM] != NULL) {
		if (ip_family(tp->qval[Q_UPSTREAM]) == 0)
			return perr(tp, tp->qoff[Q_UPSTREAM], "upstream "
			    "'%.*s%s' is not an IP address",
			    SHOW(tp->qval[Q_UPSTREAM]));
		x->upstream = tp->qval[Q_UPSTREAM];
	}
	return 0;
}

/* The /IP[,IP...] path of arp:// and arp+pcap://. */
static int
parse_arp_ips(struct tparse *tp, struct nd_target *t, size_t path0,
    size_t path1)
{
	struct nd_target_x *x;
	const char *u = tp->url;
	size_t i, n, i0, i1;
	struct in6_addr a;

	if (path0 == path1 || path0 + 1 == path1)
		return perr(tp, path0 == path1 ? path0 : path0 + 1,
		    "missing addresses (arp://IFACE/IP[,IP...])");
	for (n = 1, i = path0 + 1; i < path1; i++)
		if (u[i] == ',')
			n++;
	if (n > ARP_MAX_IPS)
		return perr(tp, path0 + 1, "%zu addresses, at most %d",
		    n, ARP_MAX_IPS);
	x = nd_target_xw(tp->arena, t);
	x->ips = nd_arena_alloc(tp->arena, (n + 1) * sizeof(*x->ips));
	for (n = 0, i0 = path0 + 1; i0 <= path1; i0 = i1 + 1, n++) {
		i1 = find(tp, i0, path1, ',');
		if (i0 == i1)
			return perr(tp, i0, "empty address in the list");
		x->ips[n] = sub(tp, i0, i1);
		if (inet_pton(AF_INET, x->ips[n], &a) == 1)
			continue;
		/* ARP is IPv4 only (RFC 826); IPv6 neighbours use NDP. */
		if (ip_family(x->ips[n]) == AF_INET6)
			return perr(tp, i0, "'%.*s%s' is IPv6; arp:// "
			    "checks IPv4 addresses only", SHOW(x->ips[n]));
		return perr(tp, i0, "'%.*s%s' is not an IPv4 address",
		    SHOW(x->ips[n]));
	}
	return 0;
}

/* arp+pcap://FILE/IP[,IP...]: the capture replaces the interface. */
static int
parse_arp_pcap(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	if (u->a0 == u->a1)
		return perr(tp, u->a0, "missing capture file "
		    "(arp+pcap://FILE/IP)");
	nd_target_xw(tp->arena, t)->path = sub(tp, u->a0, u->a1);
	return parse_arp_ips(tp, t, u->path0, u->path1);
}

/* arp://IFACE/IP[,IP...] */
static int
parse_arp(struct tparse *tp, struct nd_target *t, const struct uparts *up)
{
	size_t i, a0 = up->a0, a1 = up->a1;
	const char *u = tp->url;

	{
		if (a0 == a1)
			return perr(tp, a0, "missing interface (arp://IFACE/IP)");
		if (a1 - a0 > 15)
			return perr(tp, a0, "interface name longer than 15 "
			    "characters");
		for (i = a0; i < a1; i++)
			if (!nd_is_ifname(u + i, 1))
				return perr(tp, i, "character not allowed in an "
				    "interface name (letters, digits, '.', '_', "
				    "'-', '@')");
		nd_target_xw(tp->arena, t)->iface = sub(tp, a0, a1);
	}
	return parse_arp_ips(tp, t, up->path0, up->path1);
}

/* ?mac=MAC,MAC: the MACs expected to answer (the L2 announcers). */
static int
apply_arp(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	struct nd_target_x *x = nd_target_xw(tp->arena, t);
	const char *v = tp->qval[Q_MAC];
	size_t n = 1, k = 0, i, off;
	uint8_t mac[6];

	if (tp->qval[Q_TRIES] != NULL) {
		long long tries;

		if (nd_parse_int(tp->qval[Q_TRIES], 1, 10, &tries) < 0)
			return perr(tp, tp->qoff[Q_TRIES], "tries must be a "
			    "number from 1 to 10");
		x->tries = (int)tries;
	}
	if (tp->qval[Q_WINDOW] != NULL && (nd_parse_duration_ms(
	    tp->qval[Q_WINDOW], &x->window_ms) < 0 || x->window_ms < 10 ||
	    x->window_ms > 60000))
		return perr(tp, tp->qoff[Q_WINDOW], "window must be a duration "
		    "from 10ms to 60s");
	if (v == NULL)
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		n += v[i] == ',';
	if (n > 16)
		return perr(tp, tp->qoff[Q_MAC], "%zu MACs, at most 16", n);
	x->macs = nd_arena_alloc(tp->arena, (n + 1) * sizeof(*x->macs));
	for (off = 0; k < n; k++) {
		size_t len = strcspn(v + off, ",");

		x->macs[k] = nd_arena_strndup(tp->arena, v + off, len);
		if (nd_arp_mac_parse(x->macs[k], mac) < 0)
			return perr(tp, tp->qoff[Q_MAC] + off, "'%.*s%s' is not "
			    "a MAC address (aa:bb:cc:dd:ee:ff)",
			    SHOW(x->macs[k]));
		off += len + 1;
	}
	return 0;
}

/* port://[ADDR:]PORT */
static int
parse_port(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	size_t a0 = u->a0, a1 = u->a1;
	int rc;

	if (a0 == a1)
		return perr(tp, a0, "missing port (port://[ADDR:]PORT)");
	if (tp->url[a0] != '[' && find(tp, a0, a1, ':') == a1)
		rc = parse_port_at(tp, a0, a1, &t->port);
	else if ((rc = parse_hostport(tp, a0, a1, 0, t)) == 0 &&
	    !t->host_is_ip)
		return perr(tp, a0, "ADDR must be an IP address "
		    "(port://[ADDR:]PORT)");
	if (rc == 0 && u->path0 < u->path1)
		return perr(tp, u->path0, "port:// takes no path");
	return rc;
}

/* HOST[:PORT] and no path: tcp://, tls://, talos://. */
static int
parse_net(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	int rc;

	if ((rc = parse_hostport(tp, u->a0, u->a1, tp->defport, t)) != 0)
		return rc;
	if (u->path0 < u->path1)
		return perr(tp, u->path0, "%s:// takes no path", tp->sname);
	return 0;
}

/* k8s://, gateway+k8s://: as parse_net, but "https://host:6443/" is how
   kubeconfig writes servers, so a lone '/' is the empty path. */
static int
parse_net_slash(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	int rc;

	if ((rc = parse_hostport(tp, u->a0, u->a1, tp->defport, t)) != 0)
		return rc;
	if (u->path1 - u->path0 > 1)
		return perr(tp, u->path0, "%s:// takes no path (only a "
		    "trailing '/')", tp->sname);
	return 0;
}

/*
 * cloudflared://[HOST[:PORT]][/]: nothing is 127.0.0.1 and cloudflared's
 * default port; whether PORT was written decides whether the inputs may
 * look for the port cloudflared really took.
 */
static int
parse_cloudflared(struct tparse *tp, struct nd_target *t,
    const struct uparts *u)
{
	int rc;

	if (u->a0 == u->a1) {
		t->host = nd_arena_strdup(tp->arena, "127.0.0.1");
		t->host_is_ip = true;
		t->port = tp->defport;
	} else if ((rc = parse_hostport(tp, u->a0, u->a1, tp->defport,
	    t)) != 0)
		return rc;
	else
		t->cf_port_given = find(tp, u->a0, u->a1, ']') < u->a1 ?
		    find(tp, find(tp, u->a0, u->a1, ']'), u->a1, ':') < u->a1 :
		    find(tp, u->a0, u->a1, ':') < u->a1;
	if (u->path1 - u->path0 > 1)
		return perr(tp, u->path0, "%s:// takes no path (the probe asks "
		    "/ready and /metrics)", tp->sname);
	return 0;
}

/* machineconfig://PATH: a file, required. */
static int
parse_path(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	if (u->a0 == u->a1)
		return perr(tp, u->a0, "missing path (%s://PATH)", tp->sname);
	nd_target_xw(tp->arena, t)->path = sub(tp, u->a0, u->a1);
	return 0;
}

/* docker:// and tailscale:// are the default socket ($DOCKER_HOST or
   /var/run/docker.sock; /var/run/tailscale/tailscaled.sock), SCHEME:///PATH
   a given one. */
static int
parse_socket(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	if (u->a0 < u->a1 && tp->url[u->a0] != '/')
		return perr(tp, u->a0, "expected an absolute socket path "
		    "(%s:///PATH) or nothing for the default one", tp->sname);
	nd_target_xw(tp->arena, t)->path = u->a0 < u->a1 ?
	    sub(tp, u->a0, u->a1) : NULL;
	return 0;
}

/* The room sockaddr_un(7) has for a path, its NUL included. */
#define SUN_PATH_ROOM	sizeof(((struct sockaddr_un *)0)->sun_path)

/* A unix socket's path at [p0, p1) of the URL, decoded: absolute, fits. */
static int
unix_path(struct tparse *tp, size_t p0, size_t p1, const char *what,
    char **ret)
{
	int rc;

	if (p0 == p1 || tp->url[p0] != '/')
		return perr(tp, p0, "expected an absolute socket path (%s)",
		    what);
	if ((rc = decode_value(tp, p0, p1, ret)) != 0)
		return rc;
	if (strlen(*ret) >= SUN_PATH_ROOM)
		return perr(tp, p0, "socket path of %zu bytes: a unix socket's "
		    "path has at most %zu (unix(7))", strlen(*ret),
		    SUN_PATH_ROOM - 1);
	return 0;
}

/* unix:///PATH: a stream socket, required. */
static int
parse_unix(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	return unix_path(tp, u->a0, u->a1, "unix:///PATH",
	    &nd_target_xw(tp->arena, t)->path);
}

/* addrplan://, gateway://: nothing after it. */
static int
parse_nothing(struct tparse *tp, struct nd_target *t, const struct uparts *u)
{
	(void)t;
	if (u->a0 < u->a1)
		return perr(tp, u->a0, "%s:// takes nothing after it: it "
		    "audits %s netdoctor was given%s", tp->sname,
		    strcmp(tp->sname, "gateway") == 0 ? "the Gateway API "
		    "status" : "every range", strcmp(tp->sname, "gateway") ==
		    0 ? " (gateway+k8s://HOST[:PORT] reads a cluster's)" : "");
	return 0;
}

/* netdoctor's own query parameters in a web URL (nd-KEY=VALUE). */
enum ndkey { N_CONNECT, N_STATUS, N_BODY, N_CA, N_UNIX, N_NKEYS };

static const char *const ndkey_names[N_NKEYS] = {
	[N_CONNECT] = "nd-connect",
	[N_STATUS] = "nd-status",
	[N_BODY] = "nd-body",
	[N_CA] = "nd-ca",
	[N_UNIX] = "nd-unix",
};

/* A status code or a range of them, "200" or "301-399", at [v0, v1). */
static int
parse_status_item(struct tparse *tp, size_t v0, size_t v1,
    struct nd_status_range *r)
{
	const char *u = tp->url;
	size_t dash = find(tp, v0, v1, '-'), i, part;
	long v[2] = { 0, 0 };

	if (v0 == v1)
		return perr(tp, v0, "empty status in nd-status");
	for (part = 0, i = v0; part < 2; part++) {
		size_t e = part == 0 ? dash : v1, d0 = i;

		if (part == 1 && dash == v1) {
			v[1] = v[0];
			break;
		}
		if (i == e)
			return perr(tp, i, "nd-status: expected a status such "
			    "as 200 or a range such as 301-399");
		for (; i < e; i++) {
			if (u[i] < '0' || u[i] > '9' || i - d0 >= 3)
				return perr(tp, d0, "nd-status: '%.*s' is not "
				    "a status (three digits, 100-599)",
				    (int)(e - d0 < 16 ? e - d0 : 16), u + d0);
			v[part] = v[part] * 10 + (u[i] - '0');
		}
		/* RFC 9110 15: status codes are three digits, 1xx to 5xx. */
		if (v[part] < 100 || v[part] > 599)
			return perr(tp, d0, "nd-status: status %ld out of "
			    "range 100-599", v[part]);
		i = e + 1;
	}
	if (v[1] < v[0])
		return perr(tp, v0, "nd-status: range %ld-%ld runs backwards",
		    v[0], v[1]);
	r->lo = (uint16_t)v[0];
	r->hi = (uint16_t)v[1];
	return 0;
}

/* nd-status=200,301-399 at [v0, v1), raw (digits, '-' and ',' only). */
static int
parse_status(struct tparse *tp, struct nd_target *t, size_t v0, size_t v1)
{
	struct nd_target_x *x;
	size_t i0, i1, n = 1, i;

	for (i = v0; i < v1; i++)
		n += tp->url[i] == ',';
	if (n > ND_HTTP_STATUS_MAX)
		return perr(tp, v0, "nd-status: %zu items, at most %d", n,
		    ND_HTTP_STATUS_MAX);
	x = nd_target_xw(tp->arena, t);
	x->status = nd_arena_alloc(tp->arena, n * sizeof(*x->status));
	for (x->nstatus = 0, i0 = v0; i0 <= v1; i0 = i1 + 1) {
		int rc;

		i1 = find(tp, i0, v1, ',');
		if ((rc = parse_status_item(tp, i0, i1,
		    &x->status[x->nstatus++])) != 0)
			return rc;
	}
	return 0;
}

/*
 * nd-connect=IP[:PORT]: where to connect instead of resolving the host;
 * the host stays the Host header and the TLS server name.  IPv6 is
 * bracketed when a port follows (RFC 3986 3.2.2); a bare IPv6 literal is
 * accepted too, since it cannot be mistaken for one with a port.
 */
static int
parse_connect(struct tparse *tp, struct nd_target *t, size_t v0, size_t v1)
{
	struct nd_target tmp = { 0 };
	char *s = sub(tp, v0, v1);
	size_t col;
	int rc;

	if (ip_family(s) == AF_INET6) {
		nd_target_xw(tp->arena, t)->connect = s;
		return 0;
	}
	col = find(tp, v0, v1, ':');
	if (tp->url[v0] != '[' && !is_ipv4_chars(tp->url + v0, col - v0))
		return perr(tp, v0, "nd-connect '%.*s%s' is not an IP address "
		    "(nd-connect=IP[:PORT], IPv6 in brackets)", SHOW(s));
	if ((rc = parse_hostport(tp, v0, v1, t->port, &tmp)) != 0)
		return rc;
	nd_target_xw(tp->arena, t)->connect = tmp.host;
	t->port = tmp.port;
	return 0;
}

/*
 * The query of a web URL: nd- parameters are netdoctor's, decoded and
 * taken out; everything else belongs to the URL and is kept byte for
 * byte, in order.  Writes the kept query (without '?') to *kept.
 */
static int
parse_web_query(struct tparse *tp, struct nd_target *t, size_t q0, size_t q1,
    char **kept)
{
	const char *u = tp->url;
	char *out = nd_arena_alloc(tp->arena, q1 - q0 + 1);
	size_t i0, i1, eq, o = 0, off[N_NKEYS] = { 0 }, end[N_NKEYS] = { 0 };
	bool seen[N_NKEYS] = { false }, any = false;
	int k, rc;

	for (i0 = q0; i0 <= q1; i0 = i1 + 1) {
		i1 = find(tp, i0, q1, '&');
		eq = find(tp, i0, i1, '=');
		if (eq - i0 < 3 || strncasecmp(u + i0, "nd-", 3) != 0) {
			/* The URL's own: kept, empty parameters too. */
			if (any)
				out[o++] = '&';
			any = true;
			memcpy(out + o, u + i0, i1 - i0);
			o += i1 - i0;
			continue;
		}
		for (k = 0; k < N_NKEYS; k++)
			if (strlen(ndkey_names[k]) == eq - i0 &&
			    strncasecmp(ndkey_names[k], u + i0, eq - i0) == 0)
				break;
		if (k == N_NKEYS)
			return perr(tp, i0, "unknown netdoctor parameter "
			    "'%.*s' (%s:// takes %s, nd-status, nd-body%s)",
			    (int)(eq - i0 < 32 ? eq - i0 : 32), u + i0,
			    tp->sname, t->scheme == ND_S_HTTP_UNIX ? "nd-unix" :
			    "nd-connect", t->scheme == ND_S_HTTPS ? ", nd-ca" :
			    "");
		if (k == N_CA && t->scheme != ND_S_HTTPS)
			return perr(tp, i0, "nd-ca is for https:// (%s:// "
			    "has no certificate to check)", tp->sname);
		if ((k == N_UNIX) != (t->scheme == ND_S_HTTP_UNIX) &&
		    (k == N_UNIX || k == N_CONNECT))
			return perr(tp, i0, k == N_UNIX ? "nd-unix is for "
			    "http+unix:// (http+unix://HOST/?nd-unix=SOCKET)" :
			    "nd-connect is for http:// and https:// "
			    "(http+unix:// connects to its nd-unix socket)");
		if (seen[k])
			return perr(tp, i0, "repeated parameter '%s'",
			    ndkey_names[k]);
		if (eq >= i1 - 1)
			return perr(tp, eq < i1 ? eq + 1 : i1, "empty value "
			    "for '%s' (%s=VALUE)", ndkey_names[k],
			    ndkey_names[k]);
		seen[k] = true;
		off[k] = eq + 1;
		end[k] = i1;
	}
	/* The request looks as if the user had not written nd- at all. */
	out[o] = '\0';
	*kept = out;
	if (seen[N_CONNECT] && (rc = parse_connect(tp, t, off[N_CONNECT],
	    end[N_CONNECT])) != 0)
		return rc;
	if (seen[N_STATUS] && (rc = parse_status(tp, t, off[N_STATUS],
	    end[N_STATUS])) != 0)
		return rc;
	if (seen[N_BODY] && (rc = decode_value(tp, off[N_BODY], end[N_BODY],
	    &nd_target_xw(tp->arena, t)->body)) != 0)
		return rc;
	if (seen[N_CA] && (rc = decode_value(tp, off[N_CA], end[N_CA],
	    &nd_target_xw(tp->arena, t)->ca)) != 0)
		return rc;
	if (seen[N_UNIX] && (rc = unix_path(tp, off[N_UNIX], end[N_UNIX],
	    "nd-unix=/PATH", &nd_target_xw(tp->arena, t)->path)) != 0)
		return rc;
	return 0;
}

/*
 * http://HOST[:PORT][/PATH][?QUERY] and https://: the URL is the user's,
 * so its path and query are kept as written; only what netdoctor cannot
 * send faithfully is refused: a fragment (never sent, RFC 9110 4.2.5),
 * userinfo (credentials in URLs, RFC 9110 4.2.4), an over-long path.
 */
static int
parse_web(struct tparse *tp, struct nd_target *t, const struct uparts *up)
{
	struct nd_target_x *x;
	const char *u = tp->url;
	size_t hash = find(tp, 0, tp->len, '#'), at;
	size_t q0 = up->path1, q1 = tp->len, from;
	char *kept = NULL;
	int rc;

	if (hash < tp->len)
		return perr(tp, hash, "a fragment ('#...') is never sent to "
		    "the server; remove it");
	if ((at = find(tp, up->a0, up->a1, '@')) < up->a1)
		return perr(tp, up->a0, "userinfo ('...@') is not supported: "
		    "netdoctor sends no credentials in URLs");
	if ((rc = parse_hostport(tp, up->a0, up->a1, tp->defport, t)) != 0)
		return rc;
	if (up->path1 - up->path0 > ND_HTTP_PATH_MAX)
		return perr(tp, up->path0 + ND_HTTP_PATH_MAX, "path longer "
		    "than %d bytes", ND_HTTP_PATH_MAX);
	if (q0 < q1 && (rc = parse_web_query(tp, t, q0 + 1, q1, &kept)) != 0)
		return rc;
	/* http+unix:// is sent as http:// over the socket. */
	if (t->scheme == ND_S_HTTP_UNIX && t->x->path == NULL)
		return perr(tp, tp->len, "missing nd-unix=/PATH: the socket "
		    "that %s:// sends its request to", tp->sname);
	from = t->scheme == ND_S_HTTP_UNIX ? up->a0 : 0;
	x = nd_target_xw(tp->arena, t);
	x->request = nd_arena_printf(tp->arena, "%s%.*s%s%s", from > 0 ?
	    "http://" : "", (int)(up->path1 - from), u + from,
	    kept != NULL && kept[0] != '\0' ? "?" : "", kept != NULL ? kept :
	    "");
	x->reqpath = x->request + (from > 0 ? strlen("http://") : 0) +
	    up->path0 - from;
	return 0;
}

/*
 * The scheme table, from schemes.def: everything a scheme means is in its
 * row.  A chain is stored with "resolve" first; targets given by address
 * skip it (nd_target_chain).
 */
enum uform {
	F_AUTHORITY,	/* HOST[:PORT][/PATH][?QUERY] */
	F_WEB,		/* the same; the query is the PARSE hook's */
	F_OPAQUE,	/* everything after :// is one path */
	F_FILE_PATH,	/* FILE/PATH: the file runs up to the last '/' */
};

typedef int scheme_hook(struct tparse *, struct nd_target *,
    const struct uparts *);
struct kbuf;
/* Writes the key after the scheme's name (nd_target_key_write). */
typedef void key_hook(struct kbuf *, const struct nd_target *);

struct scheme_row {
	enum nd_scheme		 scheme;
	const char		*name, *alias, *usage;
	uint16_t		 defport;
	unsigned		 qkeys;
	bool			 resolves;
	const char *const	*chain;
	enum uform		 form;
	scheme_hook		*parse, *apply;
	key_hook		*key;
	const char		*states;
};

static key_hook key_net, key_tls, key_dns, key_arp, key_path, key_web;

#define ND_CHAIN(...)	((const char *const[]){ "resolve", __VA_ARGS__, NULL })
static const struct scheme_row scheme_rows[] = {
#define ND_SCHEME(e, name, alias, usage, port, q, res, chain, form, parse, \
    apply, key, states) \
	{ ND_S_##e, name, alias, usage, port, q, res, chain, F_##form, \
	  parse, apply, key, states },
#include "schemes.def"
#undef ND_SCHEME
};
#undef ND_CHAIN

static const struct scheme_row *
scheme_row(enum nd_scheme s)
{
	return (size_t)s < ND_ARRAY_SIZE(scheme_rows) ? &scheme_rows[s] : NULL;
}

const char *
nd_scheme_names(void)
{
	static char names[256];
	size_t i, o = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < ND_ARRAY_SIZE(scheme_rows); i++) {
		const struct scheme_row *r = &scheme_rows[i];

		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s%s%s",
		    i ? ", " : "", r->name, r->alias ? ", " : "",
		    r->alias ? r->alias : "");
		if (o >= sizeof(names))
			break;
	}
	return names;
}

void
nd_scheme_usage(FILE *f, const char *indent, size_t width)
{
	size_t i, col = 0, w;

	for (i = 0; i < ND_ARRAY_SIZE(scheme_rows); i++) {
		w = strlen(scheme_rows[i].usage);
		if (col > 0 && col + 2 + w > width) {
			fputc('\n', f);
			col = 0;
		}
		if (col == 0) {
			fputs(indent, f);
			col = strlen(indent);
		} else {
			fputs("  ", f);
			col += 2;
		}
		fputs(scheme_rows[i].usage, f);
		col += w;
	}
	if (col > 0)
		fputc('\n', f);
}

/*
 * Is the scheme text at s (n bytes) name, in any case?  Without
 * strlen(3) and strncasecmp(3): every target looks through the rows.
 */
static inline bool
scheme_is(const char *name, const char *s, size_t n)
{
	size_t i;

	if (name == NULL)
		return false;
	/* The names are lowercase; a shorter one stops at its NUL. */
	for (i = 0; i < n; i++)
		if (name[i] != (s[i] >= 'A' && s[i] <= 'Z' ?
		    (char)(s[i] - 'A' + 'a') : s[i]))
			return false;
	return name[n] == '\0';
}

/*
 * The longest URL the scheme takes: web URLs carry a user's path and
 * query, everything else fits the classic 2048 bytes.  Looked up before
 * anything else is checked, so the bound never depends on the rest.
 */
static size_t
url_max(const char *url, size_t len)
{
	const char *sep = memchr(url, ':', len < 32 ? len : 32);
	size_t i, slen;

	if (sep == NULL || (size_t)(sep - url) + 3 > len ||
	    strncmp(sep, "://", 3) != 0)
		return URL_MAX;
	slen = (size_t)(sep - url);
	for (i = 0; i < ND_ARRAY_SIZE(scheme_rows); i++)
		if (scheme_rows[i].form == F_WEB &&
		    scheme_is(scheme_rows[i].name, url, slen))
			return URL_MAX_WEB;
	return URL_MAX;
}

/*
 * How many leading bytes of s (n bytes) are neither a space nor a control
 * character, give or take a word: eight bytes a round, the words with
 * such a byte left to the caller's byte loop.
 */
static size_t
clean_prefix(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
	uint64_t w, d;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		d = w ^ ones * 0x7f;	/* a 0x7f byte becomes zero */
		/* Is a byte below 0x21, or is one zero in d? */
		if ((((w - ones * 0x21) & ~w) | ((d - ones) & ~d)) & highs)
			break;
	}
	return i;
}

static int
target_parse(struct tparse *tp, const char *origin, struct nd_target **ret)
{
	const char *url = tp->url;
	const struct scheme_row *row = NULL;
	struct nd_target *t;
	struct uparts up;
	const char *sep;
	size_t i, slen, q0 = 0;
	int rc, hasq;

	if (url == NULL) {
		tp->url = "";
		return perr(tp, 0, "empty target");
	}
	tp->len = strnlen(url, URL_MAX_WEB + 1);
	/* Every scheme takes URL_MAX bytes: most URLs need no look-up. */
	if (tp->len > URL_MAX && tp->len > url_max(url, tp->len))
		return perr(tp, url_max(url, tp->len), "URL longer than %zu "
		    "bytes", url_max(url, tp->len));
	if (tp->len == 0)
		return perr(tp, 0, "empty target");
	for (i = clean_prefix(url, tp->len); i < tp->len; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c == ' ')
			return perr(tp, i, "space in URL");
		if (c < 0x20 || c == 0x7f)
			return perr(tp, i, "control character 0x%02x in URL",
			    c);
	}
	if ((sep = strstr(url, "://")) == NULL)
		return perr(tp, 0, "missing '://' (a target is "
		    "SCHEME://..., schemes: %s)", nd_scheme_names());
	slen = (size_t)(sep - url);
	if (slen == 0)
		return perr(tp, 0, "missing scheme before '://' (schemes: "
		    "%s)", nd_scheme_names());
	for (i = 0; i < ND_ARRAY_SIZE(scheme_rows) && tp->sname == NULL; i++) {
		row = &scheme_rows[i];
		if (scheme_is(row->name, url, slen))
			tp->sname = row->name;
		else if (scheme_is(row->alias, url, slen))
			tp->sname = row->alias;
	}
	if (tp->sname == NULL)
		return perr(tp, 0, "unknown scheme '%.*s%s' (known: %s)",
		    (int)(slen > 32 ? 32 : slen), url, slen > 32 ? "..." : "",
		    nd_scheme_names());
	tp->defport = row->defport;

	t = nd_target_new(tp->arena);
	t->scheme = row->scheme;

	/* Split SCHEME://AUTHORITY[/PATH][?QUERY] by offsets. */
	up.a0 = slen + 3;
	for (up.a1 = up.a0; up.a1 < tp->len && url[up.a1] != '/' &&
	    url[up.a1] != '?'; up.a1++)
		continue;
	if (row->form == F_OPAQUE)
		up.a1 = tp->len;
	if (row->form == F_FILE_PATH) {
		size_t q = find(tp, up.a0, tp->len, '?');

		for (up.a1 = q; up.a1 > up.a0 && url[up.a1 - 1] != '/'; up.a1--)
			continue;
		up.a1 = up.a1 > up.a0 ? up.a1 - 1 : up.a0;
	}
	up.path0 = up.a1;
	up.path1 = find(tp, up.path0, tp->len, '?');
	hasq = up.path1 < tp->len;
	if (hasq)
		q0 = up.path1 + 1;

	/*
	 * Left to right: the authority and the path first, then the query,
	 * then the checks that need the query, so that the error reported is
	 * the leftmost one in most cases.
	 */
	if ((rc = row->parse(tp, t, &up)) != 0)
		return rc;
	if (hasq && row->form != F_WEB &&
	    (rc = parse_query(tp, q0, tp->len, row->qkeys)) != 0)
		return rc;
	if (row->apply != NULL && (rc = row->apply(tp, t, &up)) != 0)
		return rc;
	t->url = nd_arena_strndup(tp->arena, url, tp->len);
	t->origin = nd_arena_strdup(tp->arena, origin);
	*ret = t;
	return 0;
}

/* The scheme fields of a target that has none: every one zero. */
static const struct nd_target_x target_x_none;

struct nd_target *
nd_target_new(struct nd_arena *a)
{
	struct nd_target *t = nd_arena_alloc(a, sizeof(*t));

	t->x = &target_x_none;
	return t;
}

struct nd_target_x *
nd_target_xw(struct nd_arena *a, struct nd_target *t)
{
	if (t->xown == NULL) {
		t->xown = nd_arena_alloc(a, sizeof(*t->xown));
		t->x = t->xown;
	}
	return t->xown;
}

int
nd_target_parse(struct nd_arena *arena, const char *url, const char *origin,
    struct nd_target **ret, char *err, size_t errlen)
{
	struct tparse tp = { .arena = arena, .url = url, .err = err,
	    .errlen = errlen };

	return target_parse(&tp, origin, ret);
}

int
nd_target_parse_at(struct nd_arena *arena, const char *url,
    const char *origin, struct nd_target **ret, char *err, size_t errlen,
    size_t *at)
{
	struct tparse tp = { .arena = arena, .url = url, .err = err,
	    .errlen = errlen, .bare = true };
	int rc;

	if ((rc = target_parse(&tp, origin, ret)) != 0)
		*at = tp.erroff;
	return rc;
}

const char *
nd_scheme_name(enum nd_scheme s)
{
	const struct scheme_row *r = scheme_row(s);

	return r != NULL ? r->name : "?";
}

const char *
nd_scheme_states(enum nd_scheme s)
{
	const struct scheme_row *r = scheme_row(s);

	return r != NULL ? r->states : NULL;
}

const char *const *
nd_scheme_chain(enum nd_scheme s)
{
	const struct scheme_row *r = scheme_row(s);

	return r != NULL ? r->chain + 1 : NULL;
}

const char *const *
nd_target_chain(const struct nd_target *t)
{
	const struct scheme_row *r = t != NULL ? scheme_row(t->scheme) : NULL;

	if (r == NULL)
		return NULL;
	return r->resolves && t->host != NULL && nd_target_ip(t) == NULL ?
	    r->chain : r->chain + 1;
}

bool
nd_scheme_kube(enum nd_scheme s)
{
	return s == ND_S_K8S || s == ND_S_GATEWAY_K8S;
}

const char *
nd_target_unix(const struct nd_target *t)
{
	return t->scheme == ND_S_UNIX || t->scheme == ND_S_HTTP_UNIX ?
	    t->x->path : NULL;
}

const char *
nd_target_ip(const struct nd_target *t)
{
	if (nd_target_unix(t) != NULL)
		return NULL;
	if (t->x->connect != NULL)
		return t->x->connect;
	return t->host != NULL && t->host_is_ip ? t->host : NULL;
}

bool
nd_target_status_ok(const struct nd_target *t, long status)
{
	size_t i;

	if (t->x->status == NULL)
		return status >= 200 && status <= 399;
	for (i = 0; i < t->x->nstatus; i++)
		if (status >= t->x->status[i].lo &&
		    status <= t->x->status[i].hi)
			return true;
	return false;
}

/*
 * Keys are written into the caller's buffer rather than printed into the
 * arena: the inventory hashes one per target (10,000 in the benchmark)
 * and keeps none.  A kbuf truncates but counts, as snprintf(3) does.
 */
struct kbuf {
	char		*p;
	size_t		 cap, len;
	struct nd_arena	*scratch;	/* for sorting a list, see canon_list */
};

static void
kb_putn(struct kbuf *kb, const char *s, size_t n)
{
	size_t room;

	if (kb->len + 1 < kb->cap) {
		room = kb->cap - kb->len - 1;
		memcpy(kb->p + kb->len, s, n < room ? n : room);
	}
	kb->len += n;
}

static void
kb_putc(struct kbuf *kb, char c)
{
	if (kb->len + 1 < kb->cap)
		kb->p[kb->len] = c;
	kb->len++;
}

static void
kb_puts(struct kbuf *kb, const char *s)
{
	if (s != NULL)
		kb_putn(kb, s, strlen(s));
}

/* "|NAME=" then s, or nothing after the '=' when s is NULL. */
static void
kb_field(struct kbuf *kb, const char *name, const char *s)
{
	kb_putc(kb, '|');
	kb_puts(kb, name);
	kb_putc(kb, '=');
	kb_puts(kb, s);
}

static void
kb_putll(struct kbuf *kb, long long v)
{
	char num[24], *e = num + sizeof(num), *p;

	p = nd_utoa(e, v < 0 ? 0ull - (unsigned long long)v :
	    (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	kb_putn(kb, p, (size_t)(e - p));
}

/*
 * Is s its own canonical form (below)?  Only an IPv6 literal has a ':',
 * and a name is changed only by capitals or a trailing dot; an IPv4
 * literal inet_pton(3) accepts is dotted decimal, four parts, no
 * leading zeros, so it is its own form too.
 */
static bool
canon_is_self(const char *s, size_t *len)
{
	/* Where the scan stops: the end, ':' and the capitals. */
	static const bool stop[256] = {
		['\0'] = true, [':'] = true,
		['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true,
		['E'] = true, ['F'] = true, ['G'] = true, ['H'] = true,
		['I'] = true, ['J'] = true, ['K'] = true, ['L'] = true,
		['M'] = true, ['N'] = true, ['O'] = true, ['P'] = true,
		['Q'] = true, ['R'] = true, ['S'] = true, ['T'] = true,
		['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true,
		['Y'] = true, ['Z'] = true,
	};
	size_t n = 0;

	while (!stop[(unsigned char)s[n]])
		n++;
	*len = n;
	return s[n] == '\0' && !(n > 1 && s[n - 1] == '.');
}

/*
 * inet_ntop(3) form, so "0::1" and "::1" compare equal; names lowercased;
 * "-" for none.
 */
static void
kb_canon_host(struct kbuf *kb, const char *s)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	size_t n, i;

	if (s == NULL) {
		kb_putc(kb, '-');
		return;
	}
	if (canon_is_self(s, &n)) {
		kb_putn(kb, s, n);
		return;
	}
	if (strchr(s, ':') != NULL && inet_pton(AF_INET6, s, &a6) == 1 &&
	    inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) != NULL) {
		kb_puts(kb, buf);
		return;
	}
	/* DNS names are case-insensitive (RFC 4343) and "x." is "x". */
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++)
		kb_putc(kb, s[i] >= 'A' && s[i] <= 'Z' ?
		    (char)(s[i] - 'A' + 'a') : s[i]);
}

/* s in canonical form, as a string of its own in a. */
static const char *
canon_dup(struct nd_arena *a, const char *s)
{
	/* The form is never longer than s or an IPv6 literal's text. */
	struct kbuf kb = { NULL, strlen(s) + INET6_ADDRSTRLEN + 1, 0, a };

	kb.p = nd_arena_alloc(a, kb.cap);
	kb_canon_host(&kb, s);
	return kb.p;
}

/*
 * Canonical, sorted, comma-joined: the order of a list does not matter.
 * Only a list of several items needs room (in kb->scratch) to sort.
 */
static void
kb_canon_list(struct kbuf *kb, char *const *v)
{
	const char **c, *tmp;
	size_t n, i, j;

	if (v == NULL || v[0] == NULL)
		return;
	if (v[1] == NULL) {
		kb_canon_host(kb, v[0]);
		return;
	}
	for (n = 2; v[n] != NULL; n++)
		continue;
	c = nd_arena_alloc(kb->scratch, n * sizeof(*c));
	for (i = 0; i < n; i++)
		c[i] = canon_is_self(v[i], &j) ? v[i] : canon_dup(kb->scratch,
		    v[i]);
	/* Lists are at most a few hundred entries: insertion sort is fine. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(c[j - 1], c[j]) > 0; j--) {
			tmp = c[j];
			c[j] = c[j - 1];
			c[j - 1] = tmp;
		}
	for (i = 0; i < n; i++) {
		if (i > 0)
			kb_putc(kb, ',');
		kb_puts(kb, c[i]);
	}
}

/* "|NAME=" and the list, canonical. */
static void
kb_list(struct kbuf *kb, const char *name, char *const *v)
{
	kb_field(kb, name, NULL);
	kb_canon_list(kb, v);
}

/* "|" and v in decimal; "|" and s (nothing for NULL). */
static void
kb_num(struct kbuf *kb, long long v)
{
	kb_putc(kb, '|');
	kb_putll(kb, v);
}

static void
kb_str(struct kbuf *kb, const char *s)
{
	kb_putc(kb, '|');
	kb_puts(kb, s);
}

/* "|HOST|PORT", the host canonical. */
static void
kb_hostport(struct kbuf *kb, const struct nd_target *t)
{
	kb_putc(kb, '|');
	kb_canon_host(kb, t->host);
	kb_num(kb, t->port);
}

/*
 * Keys, after "SCHEME".  ca and paths are the only free-form fields of
 * the non-web keys (they may hold '|'), so they come last and cannot make
 * two different keys collide.
 */
static void
key_net(struct kbuf *kb, const struct nd_target *t)
{
	kb_hostport(kb, t);
}

static void
key_tls(struct kbuf *kb, const struct nd_target *t)
{
	kb_hostport(kb, t);
	kb_field(kb, "sni", t->x->sni);
	kb_field(kb, "ca", t->x->ca);
}

static void
key_dns(struct kbuf *kb, const struct nd_target *t)
{
	kb_hostport(kb, t);
	kb_puts(kb, "|q=");
	kb_canon_host(kb, t->x->qname);
	kb_field(kb, "t", t->x->qtype != NULL ? t->x->qtype : "A");
	kb_list(kb, "e", t->x->expect);
	kb_puts(kb, "|u=");
	if (t->x->upstream != NULL)
		kb_canon_host(kb, t->x->upstream);
}

static void
key_arp(struct kbuf *kb, const struct nd_target *t)
{
	kb_str(kb, t->x->iface);
	kb_list(kb, "ips", t->x->ips);
	kb_list(kb, "mac", t->x->macs);
	kb_num(kb, t->x->tries);
	kb_num(kb, t->x->window_ms);
	kb_str(kb, t->x->path);
}

static void
key_path(struct kbuf *kb, const struct nd_target *t)
{
	kb_str(kb, t->x->path);
}

/* "|LEN:TEXT": free-form text that no content can make collide. */
static void
kb_lenstr(struct kbuf *kb, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	kb_num(kb, (long long)n);
	kb_putc(kb, ':');
	kb_putn(kb, s != NULL ? s : "", n);
}

/*
 * Web URLs: the path and query are case-sensitive and free-form, like the
 * body and the CA, so each free-form field is written with its length.
 */
static void
key_web(struct kbuf *kb, const struct nd_target *t)
{
	const struct nd_target_x *x = t->x;
	size_t i;

	kb_hostport(kb, t);
	kb_puts(kb, "|c=");
	if (x->connect != NULL)
		kb_canon_host(kb, x->connect);
	kb_puts(kb, "|s=");
	for (i = 0; i < x->nstatus; i++) {
		if (i > 0)
			kb_putc(kb, ',');
		kb_putll(kb, x->status[i].lo);
		kb_putc(kb, '-');
		kb_putll(kb, x->status[i].hi);
	}
	kb_lenstr(kb, x->reqpath);
	kb_lenstr(kb, x->body);
	kb_lenstr(kb, x->ca);
	kb_lenstr(kb, x->path);
}

size_t
nd_target_key_write(struct nd_arena *scratch, const struct nd_target *t,
    char *buf, size_t cap)
{
	const struct scheme_row *r = scheme_row(t->scheme);
	struct kbuf kb = { buf, cap, 0, scratch };

	kb_puts(&kb, r->name);
	r->key(&kb, t);
	if (cap > 0)
		buf[kb.len < cap ? kb.len : cap - 1] = '\0';
	return kb.len;
}

char *
nd_target_key(struct nd_arena *a, const struct nd_target *t)
{
	char buf[256], *p;
	size_t n = nd_target_key_write(a, t, buf, sizeof(buf));

	if (n < sizeof(buf))
		return nd_arena_strndup(a, buf, n);
	p = nd_arena_alloc(a, n + 1);
	(void)nd_target_key_write(a, t, p, n + 1);
	return p;
}
