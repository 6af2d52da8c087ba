/*
 * arpwatch.h - the ARP analysis behind the arp probe, pure and bounded:
 * building RFC 5227 probe frames, and classifying captured frames into
 * per-address records of who answered (live capture and pcap replay use
 * the same code).  No I/O here.
 */
#ifndef ND_ARPWATCH_H
#define ND_ARPWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_ARP_FRAME_LEN	60	/* minimum Ethernet frame, no FCS */
#define ND_ARP_MAX_MACS		16	/* distinct MACs kept per address */

struct nd_arp_mac {
	uint8_t		 mac[6];
	uint32_t	 replies;	/* ARP replies from this MAC */
	uint32_t	 garps;		/* gratuitous ARPs from this MAC */
	uint64_t	 first_us, last_us;	/* capture time stamps */
};

/* One watched IPv4 address (network byte order). */
struct nd_arp_watch {
	uint32_t	 ip;
	struct nd_arp_mac macs[ND_ARP_MAX_MACS];	/* in order of first sight */
	size_t		 nmacs;
	uint32_t	 more_macs;	/* frames from MACs beyond ND_ARP_MAX_MACS */
	uint32_t	 changes;	/* times the answering MAC changed */
	const struct nd_arp_mac *last;	/* the MAC that spoke last */
};

struct nd_arp_stats {
	uint64_t	 frames;	/* every frame looked at */
	uint64_t	 arp;		/* well-formed ARP for IPv4 over Ethernet */
	uint64_t	 malformed;	/* truncated, wrong lengths/types */
	uint64_t	 other;		/* not ARP, or ARP for no watched address */
};

/*
 * Fills frame[ND_ARP_FRAME_LEN] with a broadcast ARP request who-has tip
 * from sha, sender IP 0.0.0.0 (an RFC 5227 probe: no host caches or
 * updates an entry from it), padded with zeros.
 */
void	nd_arp_probe_frame(uint8_t *frame, const uint8_t sha[6], uint32_t tip);

/*
 * Looks at one captured Ethernet frame (caplen bytes at t_us).  An ARP
 * reply whose sender IP is watched, or a gratuitous ARP (request or reply
 * with sender IP == target IP) for a watched address, is recorded for that
 * address; our own probes (sender IP 0.0.0.0, or sha == own when own is
 * not NULL) are not.  Everything else is counted in st.  Never reads past
 * caplen; never allocates.
 */
void	nd_arp_frame(const uint8_t *frame, size_t caplen, uint64_t t_us,
	    const uint8_t *own, struct nd_arp_watch *w, size_t nw,
	    struct nd_arp_stats *st);

/* "aa:bb:cc:dd:ee:ff" into out[18]. */
void	nd_arp_mac_str(const uint8_t mac[6], char *out);
/* Parses "aa:bb:cc:dd:ee:ff" (case-insensitive); 0 or -EINVAL. */
int	nd_arp_mac_parse(const char *s, uint8_t mac[6]);

#endif /* ND_ARPWATCH_H */
