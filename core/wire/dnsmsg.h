/*
 * dnsmsg.h - a bounded, defensive reader for one DNS response message
 * (RFC 1035 4.1, EDNS RFC 6891, Extended DNS Errors RFC 8914), for the
 * verdicts the dns probe needs: rcode and flags, the A/AAAA answers with
 * their TTLs, CNAMEs, and EDE codes (Pi-hole's "Blocked" is EDE 15).
 * The input is whatever a server or an attacker sent.
 */
#ifndef ND_DNSMSG_H
#define ND_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_DNS_MAX_ANSWERS	64	/* more are counted, not kept */
#define ND_DNS_MAX_EDE		4

struct nd_dns_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	uint32_t	 ttl;
	char		 text[46];	/* inet_ntop form */
};

struct nd_dns_msg {
	uint16_t	 id;
	bool		 qr, aa, tc, rd, ra;
	int		 rcode;		/* 0..15 (the header's 4 bits) */
	uint16_t	 qdcount, ancount, nscount, arcount;
	char		 qname[256];	/* presentation form, "" if none */
	uint16_t	 qtype;
	struct nd_dns_addr answers[ND_DNS_MAX_ANSWERS];	/* A and AAAA */
	size_t		 nanswers;
	size_t		 nanswers_dropped;
	size_t		 ncname;	/* CNAME records in the answer */
	char		 cname[256];	/* the first CNAME target */
	/*
	 * Answer records owned by a name that is neither the question nor a
	 * CNAME target of its chain: ignored (RFC 1034 3.6.2; what resolvers
	 * do against cache poisoning), counted, the first owner kept.
	 */
	size_t		 nforeign;
	char		 foreign[256];
	bool		 has_opt;	/* an EDNS OPT record */
	uint16_t	 ede[ND_DNS_MAX_EDE];	/* EDE info-codes */
	size_t		 nede;
	char		 ede_text[128];	/* the first EDE's extra text */
};

/*
 * Parses buf[0..len).  Returns 0, or -EBADMSG with a static reason in *why:
 * shorter than a header, a name that runs past the end, a compression
 * pointer loop or one pointing forward, a label or name over the RFC 1035
 * limits (63, 255), counts that promise more records than the bytes hold,
 * an rdata length past the end.  *ret is written only on success.
 * Answers are kept only when their owner is the question's name or a CNAME
 * target reached from it (names compare case-insensitively, RFC 4343).
 */
int	nd_dns_parse(const uint8_t *buf, size_t len, struct nd_dns_msg *ret,
	    const char **why);

/* A message's header and first question, for matching it to a query. */
struct nd_dns_head {
	uint16_t	 id;
	bool		 qr, tc;
	int		 rcode;
	uint16_t	 qdcount;
	char		 qname[256];	/* presentation form, "" if none */
	uint16_t	 qtype;
};

/*
 * Reads only the header and the first question of buf[0..len) (a query or
 * a response), with nd_dns_parse()'s bounds.  Returns 0, or -EBADMSG with
 * a static reason in *why; *ret is written only on success.
 */
int	nd_dns_head(const uint8_t *buf, size_t len, struct nd_dns_head *ret,
	    const char **why);

/* "NOERROR", "NXDOMAIN", ... (RFC 6895 2.3); "RCODE<n>" otherwise. */
const char *nd_dns_rcode_name(int rcode);

#endif /* ND_DNSMSG_H */
