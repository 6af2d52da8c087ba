/*
 * fuzz_common.h - helpers shared by the fuzz harnesses in tests/fuzz/:
 * the invariant macro, a NUL-terminated heap copy of the input (so ASan
 * sees every read past its end) and the checks on a parsed target that
 * fuzz_url.c and fuzz_config.c both apply.
 *
 * Every function is static inline so that each harness compiles alone with
 * the project's warnings (no unused-function noise).
 */
#ifndef ND_FUZZ_COMMON_H
#define ND_FUZZ_COMMON_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"
#include "util.h"

/* libFuzzer's entry point; replay.c calls it too. */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Invariants stay on whatever NDEBUG says. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			    __FILE__, __LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

/* A heap copy of the input with a NUL after it; free() it. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * An error message: non-empty, terminated inside the buffer, one line with
 * no control characters at all (target.c escapes them as \xNN, ytree.c
 * turns them into '?'), so that it cannot break a log line, a Nagios
 * status or a terminal.
 */
static inline void
fuzz_check_err(const char *err, size_t errlen)
{
	size_t n, i;

	FUZZ_CHECK(errlen > 0);
	n = strnlen(err, errlen);
	FUZZ_CHECK(n < errlen);
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(memchr(err, '\n', n) == NULL);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)err[i] >= 0x20 &&
		    (unsigned char)err[i] != 0x7f);
}

static inline bool
fuzz_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

static inline bool
fuzz_is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static inline bool
fuzz_is_ipv6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

/* "aa:bb:cc:dd:ee:ff" or with '-', either case; the separators alike. */
static inline bool
fuzz_is_mac(const char *s)
{
	size_t i;

	if (strlen(s) != 17 || (s[2] != ':' && s[2] != '-'))
		return false;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (s[i] != s[2])
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	}
	return true;
}

static inline bool
fuzz_is_dns_name(const char *s)
{
	size_t off = 0;

	return nd_dns_name_problem(s, strlen(s), &off) == NULL;
}

/* A NULL-terminated list with 1..max entries that all pass ok(). */
static inline size_t
fuzz_check_list(char *const *v, size_t max, bool (*ok)(const char *))
{
	size_t n;

	FUZZ_CHECK(v != NULL);
	for (n = 0; v[n] != NULL; n++) {
		FUZZ_CHECK(n < max);
		FUZZ_CHECK(ok(v[n]));
	}
	FUZZ_CHECK(n > 0);
	return n;
}

/*
 * What target.h promises about a target nd_target_parse() accepted.
 * url is the input it was parsed from (NULL: do not compare).
 */
static inline void
fuzz_check_target(const struct nd_target *t, const char *url,
    const char *origin)
{
	const char *const *chain;
	size_t n;

	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(t->url != NULL);
	FUZZ_CHECK(strlen(t->url) <= (t->scheme == ND_S_HTTP ||
	    t->scheme == ND_S_HTTPS ? 4096u : 2048u));
	FUZZ_CHECK(!fuzz_has_ctl(t->url));
	FUZZ_CHECK(strchr(t->url, ' ') == NULL);
	FUZZ_CHECK(strstr(t->url, "://") != NULL);
	if (url != NULL)
		FUZZ_CHECK(strcmp(t->url, url) == 0);
	FUZZ_CHECK(t->origin != NULL);
	if (origin != NULL)
		FUZZ_CHECK(strcmp(t->origin, origin) == 0);
	FUZZ_CHECK(strcmp(nd_scheme_name(t->scheme), "?") != 0);

	switch (t->scheme) {
	case ND_S_TCP:
	case ND_S_TLS:
	case ND_S_TALOS:
	case ND_S_K8S:
	case ND_S_GATEWAY_K8S:
	case ND_S_DNS:
		FUZZ_CHECK(t->host != NULL && t->host[0] != '\0');
		FUZZ_CHECK(t->port != 0);
		FUZZ_CHECK(t->x->iface == NULL && t->x->path == NULL &&
		    t->x->ips == NULL && t->x->macs == NULL);
		break;
	case ND_S_ARP:
	case ND_S_ARP_PCAP:
		FUZZ_CHECK(t->host == NULL && !t->host_is_ip);
		FUZZ_CHECK(t->port == 0);
		if (t->scheme == ND_S_ARP) {
			FUZZ_CHECK(t->x->iface != NULL && t->x->path == NULL);
			FUZZ_CHECK(nd_is_ifname(t->x->iface,
			    strlen(t->x->iface)));
		} else {
			FUZZ_CHECK(t->x->path != NULL && t->x->iface == NULL);
			FUZZ_CHECK(t->x->path[0] != '\0' &&
			    !fuzz_has_ctl(t->x->path));
			FUZZ_CHECK(strchr(t->x->path, '?') == NULL);
		}
		(void)fuzz_check_list(t->x->ips, 256, fuzz_is_ipv4);
		if (t->x->macs != NULL)
			(void)fuzz_check_list(t->x->macs, 16, fuzz_is_mac);
		break;
	case ND_S_HTTP:
	case ND_S_HTTPS:
		FUZZ_CHECK(t->host != NULL && t->host[0] != '\0');
		FUZZ_CHECK(t->port != 0);
		FUZZ_CHECK(t->x->request != NULL && t->x->reqpath != NULL);
		/* The request is the URL minus nd- parameters: no longer. */
		FUZZ_CHECK(strlen(t->x->request) <= strlen(t->url));
		FUZZ_CHECK(strchr(t->x->request, '#') == NULL);
		FUZZ_CHECK(!fuzz_has_ctl(t->x->request));
		FUZZ_CHECK(strcasestr(t->x->request, "nd-connect=") == NULL ||
		    strcasestr(t->url, "nd-connect=") != NULL);
		if (t->x->connect != NULL)
			FUZZ_CHECK(nd_is_ip_literal(t->x->connect));
		FUZZ_CHECK((t->x->status == NULL) == (t->x->nstatus == 0));
		for (n = 0; n < t->x->nstatus; n++)
			FUZZ_CHECK(t->x->status[n].lo >= 100 &&
			    t->x->status[n].lo <= t->x->status[n].hi &&
			    t->x->status[n].hi <= 599);
		if (t->x->body != NULL)
			FUZZ_CHECK(t->x->body[0] != '\0' &&
			    !fuzz_has_ctl(t->x->body));
		FUZZ_CHECK(t->x->iface == NULL && t->x->path == NULL &&
		    t->x->ips == NULL && t->x->macs == NULL);
		break;
	case ND_S_PORT:
		FUZZ_CHECK(t->port != 0);
		FUZZ_CHECK(t->host == NULL || t->host_is_ip);
		FUZZ_CHECK(t->x->iface == NULL && t->x->path == NULL &&
		    t->x->ips == NULL && t->x->macs == NULL);
		break;
	default:
		/*
		 * A scheme added after this harness: only the generic
		 * checks apply until it learns the new one.
		 */
		break;
	}
	if (t->host != NULL) {
		/* Brackets are stripped; a name is a valid DNS name. */
		FUZZ_CHECK(strchr(t->host, '[') == NULL);
		FUZZ_CHECK(strchr(t->host, ']') == NULL);
		FUZZ_CHECK(t->host_is_ip == nd_is_ip_literal(t->host));
		if (!t->host_is_ip)
			FUZZ_CHECK(fuzz_is_dns_name(t->host));
	}
	if (t->scheme != ND_S_TLS && t->scheme != ND_S_TALOS &&
	    !nd_scheme_kube(t->scheme))
		FUZZ_CHECK(t->x->sni == NULL);
	if (t->scheme != ND_S_TLS && t->scheme != ND_S_TALOS &&
	    !nd_scheme_kube(t->scheme) && t->scheme != ND_S_HTTPS)
		FUZZ_CHECK(t->x->ca == NULL);
	if (t->x->sni != NULL)
		FUZZ_CHECK(nd_is_ip_literal(t->x->sni) ||
		    fuzz_is_dns_name(t->x->sni));
	if (t->x->ca != NULL)
		FUZZ_CHECK(t->x->ca[0] != '\0' && !fuzz_has_ctl(t->x->ca));
	if (t->scheme == ND_S_DNS) {
		FUZZ_CHECK(t->x->qname != NULL &&
		    fuzz_is_dns_name(t->x->qname));
		FUZZ_CHECK(t->x->qtype != NULL);
		FUZZ_CHECK(strcmp(t->x->qtype, "A") == 0 ||
		    strcmp(t->x->qtype, "AAAA") == 0);
		if (t->x->expect != NULL)
			(void)fuzz_check_list(t->x->expect, (size_t)-1,
			    strcmp(t->x->qtype, "A") == 0 ? fuzz_is_ipv4 :
			    fuzz_is_ipv6);
		if (t->x->upstream != NULL)
			FUZZ_CHECK(nd_is_ip_literal(t->x->upstream));
	} else
		FUZZ_CHECK(t->x->qname == NULL && t->x->qtype == NULL &&
		    t->x->expect == NULL && t->x->upstream == NULL);

	/* A unix socket's path: absolute, and it fits sockaddr_un. */
	if (nd_target_unix(t) != NULL)
		FUZZ_CHECK(nd_target_unix(t)[0] == '/' &&
		    strlen(nd_target_unix(t)) < 108 && nd_target_ip(t) == NULL);

	/* "resolve" first exactly when the host is a name to connect to
	   (http+unix://'s host is only its Host header). */
	chain = nd_target_chain(t);
	FUZZ_CHECK(chain != NULL && chain[0] != NULL);
	for (n = 0; chain[n] != NULL; n++)
		FUZZ_CHECK(n < 8);
	FUZZ_CHECK((strcmp(chain[0], "resolve") == 0) ==
	    (t->host != NULL && nd_target_ip(t) == NULL &&
	    nd_target_unix(t) == NULL));
}

#endif /* ND_FUZZ_COMMON_H */
