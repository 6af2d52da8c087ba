/*
 * netaddr.h - address classification shared by probes and diagnosis.
 */
#ifndef ND_NETADDR_H
#define ND_NETADDR_H

#include <sys/socket.h>

/*
 * The private range sa falls in, or NULL: "RFC 1918 private",
 * "RFC 6598 CGNAT", "RFC 4193 unique local" (read "in the ... range").  These are the ranges that
 * Docker bridges, kind, Talos-in-Docker (10.5.0.0/24) and Tailscale use and
 * that a default gateway usually cannot reach.
 */
const char	*nd_addr_private_range(const struct sockaddr *sa);

#endif /* ND_NETADDR_H */
