/*
 * netaddr.c - address classification.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

const char *
nd_addr_private_range(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->
		    sin_addr.s_addr);

		if ((a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) ||
		    (a >> 16) == (192u << 8 | 168))
			return "RFC 1918 private";
		if ((a >> 22) == (100u << 2 | 1))	/* 100.64.0.0/10 */
			return "RFC 6598 CGNAT";
		return NULL;
	}
	if (sa->sa_family == AF_INET6) {
		const uint8_t *b =
		    ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		if ((b[0] & 0xfe) == 0xfc)		/* fc00::/7 */
			return "RFC 4193 unique local";
	}
	return NULL;
}
