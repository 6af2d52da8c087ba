/*
 * dnsmsg.c - reads one DNS response message (RFC 1035 4.1) with its EDNS
 * OPT record (RFC 6891 6.1) and Extended DNS Errors (RFC 8914) into the
 * fixed-size struct nd_dns_msg.
 *
 * The bytes are whatever a server, or anyone who can spoof one, sent.  So
 * every read is checked against the end of the buffer before it happens;
 * names are followed in a loop whose compression pointers must go strictly
 * backwards (so it ends) and at most DNS_MAX_HOPS times; nothing is
 * allocated; and the result is built on the stack and copied to *ret only
 * once the whole message has been read.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dnsmsg.h"

#define DNS_HDR_LEN	12	/* RFC 1035 4.1.1 */
#define DNS_RR_FIXED	10	/* TYPE CLASS TTL RDLENGTH, RFC 1035 4.1.3 */
#define DNS_NAME_MAX	255	/* octets in wire form, RFC 1035 2.3.4 */
#define DNS_MAX_QD	4	/* see parse_questions() */
#define DNS_MAX_HOPS	128	/* compression pointers followed per name */

#define DNS_T_A		1	/* RFC 1035 3.2.2 */
#define DNS_T_CNAME	5
#define DNS_T_AAAA	28	/* RFC 3596 2.1 */
#define DNS_T_OPT	41	/* RFC 6891 6.1.1 */
#define DNS_C_IN	1	/* RFC 1035 3.2.4 */
#define DNS_OPT_EDE	15	/* RFC 8914 2 */

/* The header's flag bits, RFC 1035 4.1.1 (byte 2, then byte 3). */
#define DNS_F_QR	0x80
#define DNS_F_AA	0x04
#define DNS_F_TC	0x02
#define DNS_F_RD	0x01
#define DNS_F_RA	0x80
#define DNS_RCODE_MASK	0x0f

/* The sections after the question, RFC 1035 4.1. */
enum { SEC_AN, SEC_NS, SEC_AR };

/* A cursor over the message; why is set together with -EBADMSG. */
#define DNS_CHAIN_MAX	8	/* the question and CNAME targets followed */

/* The names an answer may be owned by: the question, then its CNAMEs. */
struct chain {
	char	 name[DNS_CHAIN_MAX][256];
	size_t	 n;
};

struct rd {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 off;		/* the next unread octet */
	const char	*why;
	struct chain	*chain;		/* NULL: no question to judge by */
};

/* The fixed part of one resource record, RFC 1035 4.1.3. */
struct rr {
	uint16_t	 type;
	uint16_t	 class;
	uint32_t	 ttl;
	size_t		 rdoff;		/* where RDATA starts in the message */
	size_t		 rdlen;
	bool		 root;		/* the owner name is the root */
	char		 owner[256];	/* presentation form */
};

/*
 * A name in presentation form being written into a fixed buffer.  A name
 * that does not fit (escapes can quadruple it) is cut between two escapes
 * and ends in "...", which no real name can contain: labels are never
 * empty and a literal dot is written "\.".
 */
struct pres {
	char		*s;		/* NULL: only validate */
	size_t		 size;
	size_t		 n;
	size_t		 keep;		/* a cut point that leaves room for "..." */
	bool		 cut;
};

static int	fail(struct rd *, const char *);
static uint16_t	get16(const uint8_t *);
static uint32_t	get32(const uint8_t *);
static void	pres_put(struct pres *, const char *, size_t);
static void	pres_byte(struct pres *, uint8_t);
static void	pres_end(struct pres *);
static int	read_name(struct rd *, size_t, char *, size_t, bool *);
static bool	at_cut(const struct rd *, const struct nd_dns_msg *);
static int	parse_questions(struct rd *, struct nd_dns_msg *);
static int	read_rr(struct rd *, struct rr *);
static int	take_answer(struct rd *, const struct rr *,
		    struct nd_dns_msg *);
static void	ede_text(char *, size_t, const uint8_t *, size_t);
static int	take_opt(struct rd *, const struct rr *, struct nd_dns_msg *);
static int	parse_section(struct rd *, struct nd_dns_msg *, uint16_t, int);

static int
fail(struct rd *r, const char *why)
{
	r->why = why;
	return -EBADMSG;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
pres_put(struct pres *w, const char *tok, size_t toklen)
{
	if (w->s == NULL || w->cut)
		return;
	if (toklen >= w->size - w->n) {
		w->cut = true;
		return;
	}
	memcpy(w->s + w->n, tok, toklen);
	w->n += toklen;
	if (w->size - w->n > 3)
		w->keep = w->n;
}

/*
 * One label octet the way dig(1) prints it (BIND's dns_name_totext()):
 * the characters that mean something in a zone file behind a backslash,
 * anything outside 0x21..0x7e as \DDD in decimal (RFC 1035 5.1).
 */
static void
pres_byte(struct pres *w, uint8_t c)
{
	char tok[4];
	size_t n = 0;

	switch (c) {
	case '"':
	case '(':
	case ')':
	case '.':
	case ';':
	case '\\':
		tok[n++] = '\\';
		tok[n++] = (char)c;
		break;
	default:
		if (c > 0x20 && c < 0x7f)
			tok[n++] = (char)c;
		else {
			tok[n++] = '\\';
			tok[n++] = (char)('0' + c / 100);
			tok[n++] = (char)('0' + c / 10 % 10);
			tok[n++] = (char)('0' + c % 10);
		}
		break;
	}
	pres_put(w, tok, n);
}

static void
pres_end(struct pres *w)
{
	if (w->s == NULL)
		return;
	if (w->cut) {
		memcpy(w->s + w->keep, "...", 3);
		w->n = w->keep + 3;
	} else if (w->n == 0)
		w->s[w->n++] = '.';	/* the root */
	w->s[w->n] = '\0';
}

/*
 * Reads the name at r->off, whose octets in place (before any pointer)
 * must end by end, and moves r->off past them.  out, when not NULL, gets
 * the presentation form without the final dot ("." for the root); *root,
 * when not NULL, whether the name is the root.
 *
 * RFC 1035 4.1.4: a pointer is two octets 11xxxxxx xxxxxxxx holding an
 * offset from the start of the message.  Each pointer must point before
 * the start of the labels being read (the name's first octet, then the
 * previous pointer's target), so the targets strictly decrease and no loop
 * is possible; DNS_MAX_HOPS bounds the work besides.  A pointer into the
 * header cannot start a name and is refused too.  The 01 label type (the
 * extended labels of RFC 6891 5, deprecated there) and the reserved 10 are
 * refused, and with them any length octet over 63 (RFC 1035 2.3.4).
 */
static int
read_name(struct rd *r, size_t end, char *out, size_t outsz, bool *root)
{
	struct pres w = { out, outsz, 0, 0, false };
	size_t cur = r->off, start = r->off, limit = end, next = 0;
	size_t wire = 1, labels = 0, target, i;
	unsigned int hops = 0;
	bool jumped = false;
	uint8_t c;

	for (;;) {
		if (cur >= limit)
			return fail(r, "a name runs past the end");
		c = r->buf[cur];
		if ((c & 0xc0) == 0xc0) {
			if (limit - cur < 2)
				return fail(r, "a name runs past the end");
			target = (size_t)(c & 0x3f) << 8 | r->buf[cur + 1];
			if (target >= start)
				return fail(r, "a compression pointer does not "
				    "point backwards");
			if (target < DNS_HDR_LEN)
				return fail(r, "a compression pointer points "
				    "into the header");
			if (++hops > DNS_MAX_HOPS)
				return fail(r, "a name has too many "
				    "compression pointers");
			if (!jumped)
				next = cur + 2;
			jumped = true;
			/* The target is earlier in the message, anywhere. */
			limit = r->len;
			start = cur = target;
			continue;
		}
		if ((c & 0xc0) != 0)
			return fail(r, "a label is longer than 63 octets or "
			    "of a reserved type");
		if (c == 0)
			break;
		if (c > limit - cur - 1)
			return fail(r, "a name runs past the end");
		wire += 1 + (size_t)c;
		if (wire > DNS_NAME_MAX)
			return fail(r, "a name is longer than 255 octets");
		if (labels++ > 0)
			pres_put(&w, ".", 1);
		for (i = 1; i <= c; i++)
			pres_byte(&w, r->buf[cur + i]);
		cur += 1 + (size_t)c;
	}
	pres_end(&w);
	r->off = jumped ? next : cur + 1;
	if (root != NULL)
		*root = labels == 0;
	return 0;
}

/*
 * A response with TC set may stop early (RFC 1035 4.1.1, RFC 2181 9); one
 * that stops between two records is read as far as it goes.  Without TC,
 * or cut inside a record, missing records are an error.
 */
static bool
at_cut(const struct rd *r, const struct nd_dns_msg *m)
{
	return m->tc && r->off == r->len;
}

/*
 * RFC 1035 4.1.2.  QDCOUNT is 1 in practice (RFC 9619 asks for exactly
 * one with OPCODE 0); a few are tolerated, more are taken as garbage so a
 * hostile count cannot make us walk the message for nothing.
 */
static int
parse_questions(struct rd *r, struct nd_dns_msg *m)
{
	uint16_t i;

	if (m->qdcount > DNS_MAX_QD)
		return fail(r, "more than 4 questions");
	for (i = 0; i < m->qdcount; i++) {
		if (at_cut(r, m))
			return 0;
		if (read_name(r, r->len, i == 0 ? m->qname : NULL,
		    sizeof(m->qname), NULL) != 0)
			return -EBADMSG;
		if (r->len - r->off < 4)
			return fail(r, "a question runs past the end");
		if (i == 0)
			m->qtype = get16(r->buf + r->off);
		r->off += 4;	/* QTYPE, QCLASS */
	}
	return 0;
}

static int
read_rr(struct rd *r, struct rr *rr)
{
	const uint8_t *p;

	if (read_name(r, r->len, rr->owner, sizeof(rr->owner), &rr->root) != 0)
		return -EBADMSG;
	if (r->len - r->off < DNS_RR_FIXED)
		return fail(r, "a record runs past the end");
	p = r->buf + r->off;
	rr->type = get16(p);
	rr->class = get16(p + 2);
	rr->ttl = get32(p + 4);
	rr->rdlen = get16(p + 8);
	r->off += DNS_RR_FIXED;
	if (rr->rdlen > r->len - r->off)
		return fail(r, "a record's data runs past the end");
	rr->rdoff = r->off;
	r->off += rr->rdlen;
	return 0;
}

/*
 * An answer record: A and AAAA of class IN are kept (their RDATA is
 * class-specific, RFC 1035 3.4.1, RFC 3596 2.2), CNAMEs counted and the
 * first target kept, the rest skipped.
 */
static bool
in_chain(const struct chain *c, const char *name)
{
	size_t i;

	if (c == NULL)
		return true;
	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->name[i], name) == 0)
			return true;
	return false;
}

static int
take_answer(struct rd *r, const struct rr *rr, struct nd_dns_msg *m)
{
	struct nd_dns_addr *a;
	struct rd sub;
	size_t want;

	if ((rr->type == DNS_T_A || rr->type == DNS_T_AAAA ||
	    rr->type == DNS_T_CNAME) && !in_chain(r->chain, rr->owner)) {
		if (m->nforeign++ == 0)
			memcpy(m->foreign, rr->owner, sizeof(m->foreign));
		return 0;
	}
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (rr->class != DNS_C_IN)
			return 0;
		want = rr->type == DNS_T_A ? 4 : 16;
		if (rr->rdlen != want)
			return fail(r, rr->type == DNS_T_A ?
			    "an A record's data is not 4 octets" :
			    "an AAAA record's data is not 16 octets");
		if (m->nanswers == ND_DNS_MAX_ANSWERS) {
			m->nanswers_dropped++;
			return 0;
		}
		a = &m->answers[m->nanswers++];
		a->family = rr->type == DNS_T_A ? AF_INET : AF_INET6;
		memcpy(a->addr, r->buf + rr->rdoff, want);
		/* RFC 2181 8: a TTL with the top bit set means zero. */
		a->ttl = rr->ttl > INT32_MAX ? 0 : rr->ttl;
		if (inet_ntop(a->family, a->addr, a->text,
		    sizeof(a->text)) == NULL)
			a->text[0] = '\0';	/* cannot happen: 46 fits */
		return 0;
	case DNS_T_CNAME:
		/* RFC 1035 3.3.1: the RDATA is exactly one name. */
		m->ncname++;
		sub = *r;
		sub.off = rr->rdoff;
		{
			char target[256];

			if (read_name(&sub, rr->rdoff + rr->rdlen, target,
			    sizeof(target), NULL) != 0)
				return fail(r, sub.why);
			if (m->ncname == 1)
				memcpy(m->cname, target, sizeof(m->cname));
			/* The chain goes on at the target (RFC 1034 3.6.2). */
			if (r->chain != NULL && r->chain->n < DNS_CHAIN_MAX &&
			    !in_chain(r->chain, target))
				memcpy(r->chain->name[r->chain->n++], target,
				    sizeof(target));
		}
		if (sub.off != rr->rdoff + rr->rdlen)
			return fail(r, "a CNAME record's data is longer than "
			    "its name");
		return 0;
	}
	return 0;
}

/*
 * RFC 8914 2: EXTRA-TEXT is UTF-8 for people, not NUL-terminated (some
 * servers send a NUL anyway, dropped here).  It ends up in reports and on
 * terminals, so only printable ASCII survives: other octets become '?',
 * one per UTF-8 sequence rather than one per octet.
 */
static void
ede_text(char *dst, size_t size, const uint8_t *s, size_t n)
{
	size_t i, o = 0;
	bool in_utf8 = false;
	uint8_t c;

	while (n > 0 && s[n - 1] == '\0')
		n--;
	for (i = 0; i < n && o + 1 < size; i++) {
		c = s[i];
		if (c >= 0x80 && c < 0xc0 && in_utf8)
			continue;
		in_utf8 = c >= 0x80;
		dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[o] = '\0';
}

/*
 * RFC 6891 6.1.1-6.1.2: the OPT pseudo-record, owned by the root, appears
 * at most once; its RDATA is a list of {OPTION-CODE, OPTION-LENGTH,
 * OPTION-DATA} that must fill it exactly.  Of the options only EDE
 * (RFC 8914 2: INFO-CODE, then EXTRA-TEXT) is read.
 */
static int
take_opt(struct rd *r, const struct rr *rr, struct nd_dns_msg *m)
{
	const uint8_t *p = r->buf + rr->rdoff;
	size_t o = 0, olen;
	uint16_t code;

	if (!rr->root)
		return fail(r, "an OPT record not owned by the root");
	if (m->has_opt)
		return fail(r, "more than one OPT record");
	m->has_opt = true;
	while (o < rr->rdlen) {
		if (rr->rdlen - o < 4)
			return fail(r, "an EDNS option runs past the end of "
			    "the OPT record");
		code = get16(p + o);
		olen = get16(p + o + 2);
		o += 4;
		if (olen > rr->rdlen - o)
			return fail(r, "an EDNS option runs past the end of "
			    "the OPT record");
		if (code == DNS_OPT_EDE) {
			if (olen < 2)
				return fail(r, "an EDE option without its "
				    "INFO-CODE");
			if (m->nede < ND_DNS_MAX_EDE)
				m->ede[m->nede++] = get16(p + o);
			if (m->ede_text[0] == '\0')
				ede_text(m->ede_text, sizeof(m->ede_text),
				    p + o + 2, olen - 2);
		}
		o += olen;
	}
	return 0;
}

static int
parse_section(struct rd *r, struct nd_dns_msg *m, uint16_t count, int sec)
{
	struct rr rr;
	uint16_t i;

	for (i = 0; i < count; i++) {
		if (at_cut(r, m))
			return 0;
		if (read_rr(r, &rr) != 0)
			return -EBADMSG;
		if (sec == SEC_AN && take_answer(r, &rr, m) != 0)
			return -EBADMSG;
		if (sec == SEC_AR && rr.type == DNS_T_OPT &&
		    take_opt(r, &rr, m) != 0)
			return -EBADMSG;
	}
	return 0;
}

int
nd_dns_parse(const uint8_t *buf, size_t len, struct nd_dns_msg *ret,
    const char **why)
{
	struct nd_dns_msg m;
	struct rd r = { buf, len, 0, NULL, NULL };
	struct chain chain;
	int rv;

	memset(&m, 0, sizeof(m));
	if (buf == NULL || len < DNS_HDR_LEN) {
		rv = fail(&r, "shorter than a DNS header");
		goto out;
	}
	/* RFC 1035 4.1.1. */
	m.id = get16(buf);
	m.qr = (buf[2] & DNS_F_QR) != 0;
	m.aa = (buf[2] & DNS_F_AA) != 0;
	m.tc = (buf[2] & DNS_F_TC) != 0;
	m.rd = (buf[2] & DNS_F_RD) != 0;
	m.ra = (buf[3] & DNS_F_RA) != 0;
	m.rcode = buf[3] & DNS_RCODE_MASK;
	m.qdcount = get16(buf + 4);
	m.ancount = get16(buf + 6);
	m.nscount = get16(buf + 8);
	m.arcount = get16(buf + 10);
	r.off = DNS_HDR_LEN;

	if ((rv = parse_questions(&r, &m)) != 0)
		goto out;
	if (m.qdcount > 0 && m.qname[0] != '\0') {
		memcpy(chain.name[0], m.qname, sizeof(chain.name[0]));
		chain.n = 1;
		r.chain = &chain;
	}
	if ((rv = parse_section(&r, &m, m.ancount, SEC_AN)) != 0)
		goto out;
	if ((rv = parse_section(&r, &m, m.nscount, SEC_NS)) != 0)
		goto out;
	rv = parse_section(&r, &m, m.arcount, SEC_AR);
out:
	if (rv != 0) {
		if (why != NULL)
			*why = r.why;
		return rv;
	}
	if (ret != NULL)
		*ret = m;
	return 0;
}

int
nd_dns_head(const uint8_t *buf, size_t len, struct nd_dns_head *ret,
    const char **why)
{
	struct nd_dns_head h;
	struct rd r = { buf, len, DNS_HDR_LEN, NULL, NULL };

	memset(&h, 0, sizeof(h));
	if (buf == NULL || len < DNS_HDR_LEN) {
		if (why != NULL)
			*why = "shorter than a DNS header";
		return -EBADMSG;
	}
	h.id = get16(buf);
	h.qr = (buf[2] & DNS_F_QR) != 0;
	h.tc = (buf[2] & DNS_F_TC) != 0;
	h.rcode = buf[3] & DNS_RCODE_MASK;
	h.qdcount = get16(buf + 4);
	if (h.qdcount > 0) {
		if (read_name(&r, len, h.qname, sizeof(h.qname), NULL) != 0 ||
		    (len - r.off < 4 && fail(&r, "a question runs past the "
		    "end") != 0)) {
			if (why != NULL)
				*why = r.why;
			return -EBADMSG;
		}
		h.qtype = get16(buf + r.off);
	}
	*ret = h;
	return 0;
}

/* RFC 6895 2.3; the header's four bits cannot name anything past 15. */
const char *
nd_dns_rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", "RCODE11", "RCODE12", "RCODE13", "RCODE14",
		"RCODE15",
	};

	if (rcode < 0 || (size_t)rcode >= sizeof(names) / sizeof(names[0]))
		return "RCODE?";
	return names[rcode];
}
