/*
 * dnsq.h - DNS queries on the run's loop with c-ares 1.18 (docs/library-notes.md 3):
 * one channel per server (plus one for the system resolver), created on
 * first use and shared by every probe that asks the same server, so 10,000
 * queries to one Pi-hole share one socket and c-ares' id matching.
 */
#ifndef ND_DNSQ_H
#define ND_DNSQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ares.h>

struct nd_run;
struct nd_dnsq;
struct nd_dnsq_req;

/*
 * status is ARES_SUCCESS or an ARES_E* code; abuf/alen the raw answer
 * when one arrived (also for NXDOMAIN, REFUSED, SERVFAIL: the channels use
 * ARES_FLAG_NOCHECKRESP so those are answers, not retries); rtt_us the
 * time from sending the query to this call (not the time it waited).
 */
typedef void	(*nd_dnsq_cb)(void *arg, int status, int timeouts,
		    const uint8_t *abuf, size_t alen, uint64_t rtt_us);

/*
 * Sends one query for name/qtype (class IN) to server (NULL: this host's
 * resolvers from /etc/resolv.conf).  cb runs once, from the loop, unless
 * the request is cancelled first.  Returns 0 and *ret, or -errno.
 */
int		 nd_dnsq_query(struct nd_run *, const struct sockaddr *server,
		    const char *name, int qtype, nd_dnsq_cb cb, void *arg,
		    struct nd_dnsq_req **ret);
/* The callback will not run; safe on NULL and after the callback ran. */
void		 nd_dnsq_cancel(struct nd_dnsq_req *);

/*
 * What arrived from a server that c-ares dropped without a word, since a
 * reply counts only when its id and question match the query (RFC 5452
 * 9.1) and a truncated one is retried over TCP (RFC 7766 5).  Per question
 * (name and type, case-insensitive): wrong_id, other_question, truncated;
 * per server (they cannot be told apart by question): the rest.
 */
struct nd_dnsq_seen {
	unsigned	 wrong_id;	/* the question, with an id not sent */
	unsigned	 other_question;	/* a sent id, another question */
	char		 other[272];	/* the first such: "evil.example A" */
	unsigned	 truncated;	/* its answer with TC=1, over UDP */
	unsigned	 tcp_connects;	/* TCP connections c-ares opened */
	int		 tcp_error;	/* the last TCP error (errno), 0 */
	unsigned	 tcp_closed;	/* TCP connections the server closed */
	unsigned	 garbage;	/* datagrams that are no DNS reply */
	const char	*garbage_why;	/* the first one's reason */
	unsigned	 strays;	/* replies to no question asked */
	size_t		 largest;	/* bytes of the largest such datagram */
};

/* Fills *out for name/qtype asked of server; all zero when nothing odd. */
void		 nd_dnsq_seen(struct nd_run *, const struct sockaddr *server,
		    const char *name, int qtype, struct nd_dnsq_seen *out);

/*
 * This host's way of resolving a name (ares_getaddrinfo on the system
 * channel: /etc/hosts, then the resolv.conf nameservers), A and AAAA.
 * cb owns res (ares_freeaddrinfo) and runs once unless cancelled.
 */
typedef void	(*nd_dnsq_ai_cb)(void *arg, int status,
		    struct ares_addrinfo *res);
int		 nd_dnsq_getaddrinfo(struct nd_run *, const char *name,
		    nd_dnsq_ai_cb cb, void *arg, struct nd_dnsq_req **ret);

/*
 * The channel for server (NULL: system), for callers that need another
 * c-ares call (ares_getaddrinfo).  NULL when it cannot be created.
 */
ares_channel	*nd_dnsq_channel(struct nd_run *, const struct sockaddr *server);

/* The system resolver's nameservers, "a,b,c" (from c-ares' view). */
const char	*nd_dnsq_system_servers(struct nd_run *);

void		 nd_dnsq_free(struct nd_dnsq *);	/* accepts NULL */

#endif /* ND_DNSQ_H */
