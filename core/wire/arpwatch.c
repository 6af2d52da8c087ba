/*
 * arpwatch.c - builds RFC 5227 probe frames and sorts captured Ethernet
 * frames into per-address records of who answered for an IPv4 address
 * (RFC 826 ARP over Ethernet II, optionally behind one IEEE 802.1Q tag).
 *
 * The frames are whatever is on the wire, so every field is read only
 * after the length it needs has been checked against caplen, and records
 * live in the caller's fixed arrays: a flood of senders fills the table
 * of ND_ARP_MAX_MACS and is then only counted.  Nothing is allocated and
 * nothing is written outside w[0..nw) and *st.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arpwatch.h"
#include "util.h"

#define ETH_ALEN	6
#define ETH_HDR_LEN	14	/* dst, src, type */
#define ETH_TYPE_OFF	12
#define VLAN_TAG_LEN	4	/* TPID 0x8100 and TCI, IEEE 802.1Q 9.3 */

#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806	/* RFC 826 */
#define ETHERTYPE_VLAN	0x8100	/* IEEE 802.1Q */

/* The ARP packet for IPv4 over Ethernet, RFC 826 "Packet format". */
#define ARP_HRD_ETHER	1	/* ar$hrd, RFC 826 and IANA "Hardware Types" */
#define ARP_OP_REQUEST	1	/* ar$op, RFC 826 */
#define ARP_OP_REPLY	2
#define ARP_HLEN	6
#define ARP_PLEN	4
#define ARP_OFF_HRD	0
#define ARP_OFF_PRO	2
#define ARP_OFF_HLN	4
#define ARP_OFF_PLN	5
#define ARP_OFF_OP	6
#define ARP_OFF_SHA	8
#define ARP_OFF_SPA	14
#define ARP_OFF_THA	18
#define ARP_OFF_TPA	24
#define ARP_LEN		28


/* What one well-formed ARP frame says, in wire order. */
struct arp_pkt {
	uint16_t	 op;
	const uint8_t	*sha;
	uint32_t	 spa;		/* network byte order */
	uint32_t	 tpa;		/* network byte order */
};

enum arp_kind { ARP_NOT, ARP_BAD, ARP_OK };

static uint16_t	get16(const uint8_t *);
static void	incr32(uint32_t *);
static enum arp_kind	parse(const uint8_t *, size_t, struct arp_pkt *);
static struct nd_arp_watch	*find_watch(struct nd_arp_watch *, size_t,
		    uint32_t);
static void	record(struct nd_arp_watch *, const uint8_t *, bool,
		    uint64_t);

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The per-MAC counters are 32 bits wide; a capture long enough to reach
 * the top should read "at least this many", not wrap to a small number.
 */
static void
incr32(uint32_t *n)
{
	if (*n < UINT32_MAX)
		(*n)++;
}

/*
 * Reads the Ethernet II header, at most one 802.1Q tag, and the ARP
 * packet behind it into *p.  ARP_NOT: not ARP (or too short to tell),
 * ARP_BAD: an ARP ethertype with a packet that is truncated or is not
 * IPv4 over Ethernet, ARP_OK: *p is filled.  Bytes after the 28 ARP
 * octets (the padding to 60, an FCS) are ignored.
 */
static enum arp_kind
parse(const uint8_t *frame, size_t caplen, struct arp_pkt *p)
{
	const uint8_t *a;
	size_t off = ETH_TYPE_OFF;
	uint16_t type, op;

	if (frame == NULL || caplen < ETH_HDR_LEN)
		return ARP_NOT;
	type = get16(frame + off);
	if (type == ETHERTYPE_VLAN) {
		/* Only one tag: stacked tags (QinQ) are not ARP we watch. */
		off += VLAN_TAG_LEN;
		if (caplen < off + 2)
			return ARP_NOT;
		type = get16(frame + off);
	}
	if (type != ETHERTYPE_ARP)
		return ARP_NOT;
	off += 2;
	if (caplen - off < ARP_LEN)
		return ARP_BAD;
	a = frame + off;

	/*
	 * RFC 826 lets ar$hln and ar$pln describe any hardware and protocol;
	 * the offsets above hold only for 6-octet MACs and 4-octet IPv4
	 * addresses, so anything else is not a frame we can read.
	 */
	if (get16(a + ARP_OFF_HRD) != ARP_HRD_ETHER ||
	    get16(a + ARP_OFF_PRO) != ETHERTYPE_IP ||
	    a[ARP_OFF_HLN] != ARP_HLEN || a[ARP_OFF_PLN] != ARP_PLEN)
		return ARP_BAD;
	op = get16(a + ARP_OFF_OP);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return ARP_BAD;

	p->op = op;
	p->sha = a + ARP_OFF_SHA;
	memcpy(&p->spa, a + ARP_OFF_SPA, sizeof(p->spa));
	memcpy(&p->tpa, a + ARP_OFF_TPA, sizeof(p->tpa));
	return ARP_OK;
}

/* The first watch for ip; a caller that lists an address twice gets one. */
static struct nd_arp_watch *
find_watch(struct nd_arp_watch *w, size_t nw, uint32_t ip)
{
	size_t i;

	for (i = 0; i < nw; i++)
		if (w[i].ip == ip)
			return &w[i];
	return NULL;
}

/*
 * Records that mac spoke for w at t_us.  A change is a frame whose MAC
 * differs from the one before it, so that a failover A, B, A counts 2.
 * w->last == NULL while w->nmacs > 0 means the previous frame came from a
 * MAC the table had no room for: switching to or from such a MAC is a
 * change, but which unkept MAC spoke cannot be remembered, so changes
 * among unkept MACs are not counted (more_macs shows them).
 */
static void
record(struct nd_arp_watch *w, const uint8_t *mac, bool garp, uint64_t t_us)
{
	struct nd_arp_mac *e = NULL;
	bool spoke_before = w->nmacs > 0;
	size_t i;

	for (i = 0; i < w->nmacs && i < ND_ARP_MAX_MACS; i++)
		if (memcmp(w->macs[i].mac, mac, ETH_ALEN) == 0) {
			e = &w->macs[i];
			break;
		}
	if (e == NULL && w->nmacs < ND_ARP_MAX_MACS) {
		e = &w->macs[w->nmacs++];
		memset(e, 0, sizeof(*e));
		memcpy(e->mac, mac, ETH_ALEN);
		e->first_us = t_us;
	}
	if (e == NULL) {
		incr32(&w->more_macs);
		if (w->last != NULL)
			incr32(&w->changes);
		w->last = NULL;
		return;
	}

	if (garp)
		incr32(&e->garps);
	else
		incr32(&e->replies);
	e->last_us = t_us;
	if (spoke_before && w->last != e)
		incr32(&w->changes);
	w->last = e;
}

void
nd_arp_probe_frame(uint8_t *frame, const uint8_t sha[6], uint32_t tip)
{
	uint8_t *a = frame + ETH_HDR_LEN;

	memset(frame, 0, ND_ARP_FRAME_LEN);
	/* Broadcast, as RFC 5227 2.1.1 says probes are. */
	memset(frame, 0xff, ETH_ALEN);
	memcpy(frame + ETH_ALEN, sha, ETH_ALEN);
	frame[ETH_TYPE_OFF] = ETHERTYPE_ARP >> 8;
	frame[ETH_TYPE_OFF + 1] = ETHERTYPE_ARP & 0xff;

	a[ARP_OFF_HRD + 1] = ARP_HRD_ETHER;
	a[ARP_OFF_PRO] = ETHERTYPE_IP >> 8;
	a[ARP_OFF_PRO + 1] = ETHERTYPE_IP & 0xff;
	a[ARP_OFF_HLN] = ARP_HLEN;
	a[ARP_OFF_PLN] = ARP_PLEN;
	a[ARP_OFF_OP + 1] = ARP_OP_REQUEST;
	memcpy(a + ARP_OFF_SHA, sha, ETH_ALEN);
	/*
	 * RFC 5227 2.1.1: the sender IP is all zeros so that no host adds
	 * or updates a cache entry for us, and the target hardware address
	 * is ignored and should be zero.  Both are left from the memset.
	 */
	memcpy(a + ARP_OFF_TPA, &tip, sizeof(tip));
}

void
nd_arp_frame(const uint8_t *frame, size_t caplen, uint64_t t_us,
    const uint8_t *own, struct nd_arp_watch *w, size_t nw,
    struct nd_arp_stats *st)
{
	struct nd_arp_watch *hit;
	struct arp_pkt p;
	bool garp;

	st->frames++;
	switch (parse(frame, caplen, &p)) {
	case ARP_NOT:
		st->other++;
		return;
	case ARP_BAD:
		st->malformed++;
		return;
	case ARP_OK:
		break;
	}
	st->arp++;

	/*
	 * Our own frames say nothing about who owns the address.  A sender
	 * IP of 0.0.0.0 is an RFC 5227 probe (ours or another host's DAD),
	 * which claims no address.
	 */
	if ((own != NULL && memcmp(p.sha, own, ETH_ALEN) == 0) ||
	    p.spa == 0) {
		st->other++;
		return;
	}
	/*
	 * Gratuitous ARP (RFC 5227 2.3 announcements, RFC 5944 4.6): the
	 * sender announces its own address as the target, as a request or
	 * a reply.  Other requests only ask and prove nothing about the
	 * target; other replies answer for their sender IP.
	 */
	garp = p.spa == p.tpa;
	if (!garp && p.op != ARP_OP_REPLY) {
		st->other++;
		return;
	}
	if ((hit = find_watch(w, nw, p.spa)) == NULL) {
		st->other++;
		return;
	}
	record(hit, p.sha, garp, t_us);
}

void
nd_arp_mac_str(const uint8_t mac[6], char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < ETH_ALEN; i++) {
		out[i * 3] = hex[mac[i] >> 4];
		out[i * 3 + 1] = hex[mac[i] & 0x0f];
		out[i * 3 + 2] = i + 1 < ETH_ALEN ? ':' : '\0';
	}
}

/*
 * Exactly six pairs of hex digits and five separators, all ':' or all
 * '-' (the IEEE 802 canonical form); no blanks, no single-digit octets,
 * nothing after.  Reads at most 18 bytes of s.
 */
int
nd_arp_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[ETH_ALEN];
	char sep;
	size_t i;
	int hi, lo;

	if (s == NULL)
		return -EINVAL;
	sep = s[0] != '\0' && s[1] != '\0' ? s[2] : '\0';
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < ETH_ALEN; i++) {
		if ((hi = nd_hexval(s[i * 3])) < 0 ||
		    (lo = nd_hexval(s[i * 3 + 1])) < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		if (s[i * 3 + 2] != (i + 1 < ETH_ALEN ? sep : '\0'))
			return -EINVAL;
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}
