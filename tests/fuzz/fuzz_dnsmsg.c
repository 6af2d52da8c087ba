/*
 * fuzz_dnsmsg.c - libFuzzer harness for nd_dns_parse() and nd_dns_head()
 * (core/dnsmsg.h).
 *
 * The input is one DNS message, as a server would send it over UDP.
 * Invariants:
 *   - the result is 0 or -EBADMSG, and the same with ret and why NULL;
 *   - failure: *ret untouched, why one non-empty line;
 *   - success: the header fields are the header's octets; the counts of
 *     kept things respect the header's counts and the array sizes; every
 *     string is NUL-terminated in its array and printable ASCII; every
 *     answer's text is inet_ntop() of its address; a message without TC
 *     parses the same with junk appended (trailing octets are ignored);
 *   - nd_dns_head() is 0 or -EBADMSG, and agrees with a successful
 *     nd_dns_parse() on the id, the flags and the first question.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

#include "fuzz_common.h"

#define JUNK_LEN	16

static bool
printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size), i;

	if (n == size)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static void
check_msg(const struct nd_dns_msg *m, const uint8_t *data, size_t size)
{
	const struct nd_dns_addr *a;
	uint8_t want[16];
	char text[INET6_ADDRSTRLEN];
	size_t i;

	FUZZ_CHECK(size >= 12);
	FUZZ_CHECK(m->id == (data[0] << 8 | data[1]));
	FUZZ_CHECK(m->qr == ((data[2] & 0x80) != 0));
	FUZZ_CHECK(m->aa == ((data[2] & 0x04) != 0));
	FUZZ_CHECK(m->tc == ((data[2] & 0x02) != 0));
	FUZZ_CHECK(m->rd == ((data[2] & 0x01) != 0));
	FUZZ_CHECK(m->ra == ((data[3] & 0x80) != 0));
	FUZZ_CHECK(m->rcode == (data[3] & 0x0f));
	FUZZ_CHECK(strncmp(nd_dns_rcode_name(m->rcode), "RCODE?", 6) != 0);
	FUZZ_CHECK(m->qdcount == (data[4] << 8 | data[5]));
	FUZZ_CHECK(m->ancount == (data[6] << 8 | data[7]));
	FUZZ_CHECK(m->nscount == (data[8] << 8 | data[9]));
	FUZZ_CHECK(m->arcount == (data[10] << 8 | data[11]));
	FUZZ_CHECK(m->qdcount <= 4);

	FUZZ_CHECK(printable(m->qname, sizeof(m->qname)));
	if (m->qdcount == 0)
		FUZZ_CHECK(m->qname[0] == '\0' && m->qtype == 0);
	if (!m->tc)
		FUZZ_CHECK((m->qname[0] != '\0') == (m->qdcount > 0));

	FUZZ_CHECK(m->nanswers <= ND_DNS_MAX_ANSWERS);
	FUZZ_CHECK(m->nanswers_dropped == 0 ||
	    m->nanswers == ND_DNS_MAX_ANSWERS);
	FUZZ_CHECK(m->nanswers + m->nanswers_dropped + m->ncname <=
	    m->ancount);
	for (i = 0; i < m->nanswers; i++) {
		a = &m->answers[i];
		FUZZ_CHECK(a->family == AF_INET || a->family == AF_INET6);
		FUZZ_CHECK(a->ttl <= INT32_MAX);
		FUZZ_CHECK(printable(a->text, sizeof(a->text)));
		FUZZ_CHECK(inet_ntop(a->family, a->addr, text,
		    sizeof(text)) != NULL);
		FUZZ_CHECK(strcmp(text, a->text) == 0);
		FUZZ_CHECK(inet_pton(a->family, a->text, want) == 1);
		FUZZ_CHECK(memcmp(want, a->addr,
		    a->family == AF_INET ? 4 : 16) == 0);
	}
	FUZZ_CHECK(printable(m->cname, sizeof(m->cname)));
	FUZZ_CHECK((m->cname[0] != '\0') == (m->ncname > 0));

	FUZZ_CHECK(m->nede <= ND_DNS_MAX_EDE);
	FUZZ_CHECK(m->nede == 0 || m->has_opt);
	FUZZ_CHECK(!m->has_opt || m->arcount > 0);
	FUZZ_CHECK(printable(m->ede_text, sizeof(m->ede_text)));
	FUZZ_CHECK(m->ede_text[0] == '\0' || m->nede > 0);
}

static void
check_same(const struct nd_dns_msg *x, const struct nd_dns_msg *y)
{
	size_t i;

	FUZZ_CHECK(x->id == y->id && x->rcode == y->rcode);
	FUZZ_CHECK(strcmp(x->qname, y->qname) == 0 && x->qtype == y->qtype);
	FUZZ_CHECK(x->nanswers == y->nanswers);
	FUZZ_CHECK(x->nanswers_dropped == y->nanswers_dropped);
	for (i = 0; i < x->nanswers; i++) {
		FUZZ_CHECK(x->answers[i].family == y->answers[i].family);
		FUZZ_CHECK(x->answers[i].ttl == y->answers[i].ttl);
		FUZZ_CHECK(memcmp(x->answers[i].addr, y->answers[i].addr,
		    16) == 0);
	}
	FUZZ_CHECK(x->ncname == y->ncname);
	FUZZ_CHECK(strcmp(x->cname, y->cname) == 0);
	FUZZ_CHECK(x->has_opt == y->has_opt && x->nede == y->nede);
	FUZZ_CHECK(memcmp(x->ede, y->ede, sizeof(x->ede[0]) * x->nede) == 0);
	FUZZ_CHECK(strcmp(x->ede_text, y->ede_text) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nd_dns_msg m, m2, poison;
	struct nd_dns_head h;
	const char *why = NULL;
	uint8_t *longer;
	int rv, hv;

	hv = nd_dns_head(data, size, &h, &why);
	FUZZ_CHECK(hv == 0 || hv == -EBADMSG);
	FUZZ_CHECK(hv == 0 || (why != NULL && why[0] != '\0'));
	FUZZ_CHECK(hv != 0 || printable(h.qname, sizeof(h.qname)));
	why = NULL;

	memset(&poison, 0x5a, sizeof(poison));
	m = poison;
	rv = nd_dns_parse(data, size, &m, &why);
	FUZZ_CHECK(rv == 0 || rv == -EBADMSG);
	FUZZ_CHECK(nd_dns_parse(data, size, NULL, NULL) == rv);
	if (rv != 0) {
		FUZZ_CHECK(why != NULL);
		FUZZ_CHECK(why[0] != '\0' && strchr(why, '\n') == NULL);
		FUZZ_CHECK(memcmp(&m, &poison, sizeof(m)) == 0);
		return 0;
	}
	check_msg(&m, data, size);
	if (m.qname[0] != '\0') {
		FUZZ_CHECK(hv == 0 && h.id == m.id && h.tc == m.tc);
		FUZZ_CHECK(h.rcode == m.rcode && h.qtype == m.qtype);
		FUZZ_CHECK(strcmp(h.qname, m.qname) == 0);
	}

	if (!m.tc) {
		longer = malloc(size + JUNK_LEN);
		FUZZ_CHECK(longer != NULL);
		memcpy(longer, data, size);
		memset(longer + size, 0xc0, JUNK_LEN);
		FUZZ_CHECK(nd_dns_parse(longer, size + JUNK_LEN, &m2,
		    NULL) == 0);
		check_same(&m, &m2);
		free(longer);
	}
	return 0;
}
