/*
 * mftargets.h - the targets --manifests implies: one arp:// target for
 * the LoadBalancer IPs of Services and Gateways (each must have exactly
 * one announcer; the interface comes from l2.interface or a plain name in
 * a CiliumL2AnnouncementPolicy), and for every route hostname a dns://
 * target expecting its Gateway's addresses (asked of dns.servers, else of
 * this host's first nameserver) and, for HTTPRoutes, the page itself
 * through the Gateway's address (https://HOST/?nd-connect=IP, http:// when
 * the listener that takes the name is HTTP only): DNS, ARP and the web in
 * one chain.  Each target names the manifest it came from; what cannot be
 * derived is a note.
 */
#ifndef ND_MFTARGETS_H
#define ND_MFTARGETS_H

struct nd_arena;
struct nd_config;
struct nd_discovery;
struct nd_manifests;

void	nd_manifests_targets(struct nd_arena *, const struct nd_manifests *,
	    const struct nd_config *, struct nd_discovery *);

#endif /* ND_MFTARGETS_H */
