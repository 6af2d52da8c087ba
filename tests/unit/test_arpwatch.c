/*
 * test_arpwatch.c - core/arpwatch.c: the RFC 5227 probe frame octet by
 * octet, the classification and recording rules of nd_arp_frame() on
 * frames built here (replies, duplicates, failover flapping, gratuitous
 * ARP, our own probes, VLAN tags, malformed and truncated frames, a flood
 * of senders), the MAC text forms, and a replay of the captures in
 * fixtures/arp/ (written by fixtures/arp/mkpcaps.py) through libpcap.
 *
 * Every frame is handed over in a heap block of exactly its length, so
 * that ASan reports any read past caplen (make SAN=1).
 *
 * The fixtures are found under the ND_TOP macro when it is defined, else
 * under $ND_TOP (tests/run.sh exports it), else relative to the current
 * directory, which the runner makes the top of the source tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arpwatch.h"

#define NFLOOD		100000

static const uint8_t own_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0xbb, 0x02 };
static const uint8_t mac_c[6] = { 0x02, 0x00, 0x00, 0x00, 0xcc, 0x03 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

/* What one test frame says; the builder lays it out. */
struct fr {
	uint16_t	 op;
	const uint8_t	*sha;
	const char	*spa;
	const uint8_t	*tha;
	const char	*tpa;
	int		 vlan;		/* -1: untagged, else the TCI */
	uint16_t	 htype, ptype;
	uint8_t		 hlen, plen;
};

static uint32_t	ip4(const char *);
static size_t	build(uint8_t *, const struct fr *);
static void	feed(const uint8_t *, size_t, uint64_t, const uint8_t *,
		    struct nd_arp_watch *, size_t, struct nd_arp_stats *);
static void	watch_init(struct nd_arp_watch *, const char *);
static struct fr	reply_fr(const uint8_t *, const char *);
static struct fr	garp_fr(uint16_t, const uint8_t *, const char *);
static void	put16(uint8_t *, uint16_t);
static const char	*fixture(const char *, char *, size_t);
static size_t	replay(const char *, struct nd_arp_watch *, size_t,
		    struct nd_arp_stats *, int *);

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Lays f out as a 60-octet Ethernet frame (plus a tag); returns its size. */
static size_t
build(uint8_t *b, const struct fr *f)
{
	size_t off = 12, hl = f->hlen, pl = f->plen;
	uint32_t a;

	memset(b, 0, 128);
	memcpy(b, f->op == 2 ? f->tha : bcast, 6);
	memcpy(b + 6, f->sha, 6);
	if (f->vlan >= 0) {
		put16(b + off, 0x8100);
		put16(b + off + 2, (uint16_t)f->vlan);
		off += 4;
	}
	put16(b + off, 0x0806);
	off += 2;
	put16(b + off, f->htype);
	put16(b + off + 2, f->ptype);
	b[off + 4] = f->hlen;
	b[off + 5] = f->plen;
	put16(b + off + 6, f->op);
	off += 8;
	/* Longer fields get the address first and zeros after it. */
	memcpy(b + off, f->sha, 6);
	off += hl;
	a = ip4(f->spa);
	memcpy(b + off, &a, 4);
	off += pl;
	memcpy(b + off, f->tha, 6);
	off += hl;
	a = ip4(f->tpa);
	memcpy(b + off, &a, 4);
	off += pl;
	return off < ND_ARP_FRAME_LEN ? ND_ARP_FRAME_LEN : off;
}

static struct fr
reply_fr(const uint8_t *sha, const char *spa)
{
	struct fr f = { 2, sha, spa, own_mac, "10.200.60.10", -1,
	    1, 0x0800, 6, 4 };

	return f;
}

static struct fr
garp_fr(uint16_t op, const uint8_t *sha, const char *ip)
{
	struct fr f = { op, sha, ip, op == 1 ? zero_mac : bcast, ip, -1,
	    1, 0x0800, 6, 4 };

	return f;
}

/* nd_arp_frame() on an exact-size heap copy of the frame. */
static void
feed(const uint8_t *b, size_t len, uint64_t t, const uint8_t *own,
    struct nd_arp_watch *w, size_t nw, struct nd_arp_stats *st)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, b, len);
	nd_arp_frame(copy, len, t, own, w, nw, st);
	free(copy);
}

static void
watch_init(struct nd_arp_watch *w, const char *ip)
{
	memset(w, 0, sizeof(*w));
	w->ip = ip4(ip);
}

/* ---- the probe ---- */

static void
test_probe_frame(void **state)
{
	static const uint8_t want[ND_ARP_FRAME_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* dst broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* src */
		0x08, 0x06,				/* ARP */
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04,	/* Ethernet, IPv4 */
		0x00, 0x01,				/* request */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* sha */
		0x00, 0x00, 0x00, 0x00,			/* spa 0.0.0.0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tha */
		0x0a, 0xc8, 0x3c, 0x3d,			/* tpa 10.200.60.61 */
		/* 18 octets of padding to 60 */
	};
	uint8_t frame[ND_ARP_FRAME_LEN + 4];
	struct nd_arp_watch w;
	struct nd_arp_stats st;

	(void)state;
	memset(frame, 0xa5, sizeof(frame));
	nd_arp_probe_frame(frame, own_mac, ip4("10.200.60.61"));
	assert_memory_equal(frame, want, ND_ARP_FRAME_LEN);
	/* Not one octet past the 60. */
	assert_int_equal(frame[ND_ARP_FRAME_LEN], 0xa5);
	assert_int_equal(frame[ND_ARP_FRAME_LEN + 3], 0xa5);

	/* Our probe, seen on the wire, records nothing even without own. */
	watch_init(&w, "10.200.60.61");
	memset(&st, 0, sizeof(st));
	feed(frame, ND_ARP_FRAME_LEN, 1, NULL, &w, 1, &st);
	feed(frame, ND_ARP_FRAME_LEN, 2, own_mac, &w, 1, &st);
	assert_int_equal(st.frames, 2);
	assert_int_equal(st.arp, 2);
	assert_int_equal(st.other, 2);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(w.nmacs, 0);
	assert_null(w.last);
}

/* ---- recording ---- */

static void
test_single_reply(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w[2];
	struct nd_arp_stats st = { 0 };
	struct fr f = reply_fr(mac_a, "10.200.60.61");
	size_t n = build(b, &f);

	(void)state;
	assert_int_equal(n, 60);
	watch_init(&w[0], "10.200.60.60");
	watch_init(&w[1], "10.200.60.61");
	feed(b, n, 1000, own_mac, w, 2, &st);
	assert_int_equal(st.frames, 1);
	assert_int_equal(st.arp, 1);
	assert_int_equal(st.other, 0);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(w[0].nmacs, 0);
	assert_int_equal(w[1].nmacs, 1);
	assert_memory_equal(w[1].macs[0].mac, mac_a, 6);
	assert_int_equal(w[1].macs[0].replies, 1);
	assert_int_equal(w[1].macs[0].garps, 0);
	assert_int_equal(w[1].macs[0].first_us, 1000);
	assert_int_equal(w[1].macs[0].last_us, 1000);
	assert_int_equal(w[1].changes, 0);
	assert_int_equal(w[1].more_macs, 0);
	assert_ptr_equal(w[1].last, &w[1].macs[0]);

	/* The same MAC again: one entry, two replies, no change. */
	feed(b, n, 2500, own_mac, w, 2, &st);
	assert_int_equal(w[1].nmacs, 1);
	assert_int_equal(w[1].macs[0].replies, 2);
	assert_int_equal(w[1].macs[0].first_us, 1000);
	assert_int_equal(w[1].macs[0].last_us, 2500);
	assert_int_equal(w[1].changes, 0);

	/* Bytes past the ARP packet (an FCS, a long pad) are ignored. */
	feed(b, sizeof(b), 3000, own_mac, w, 2, &st);
	assert_int_equal(w[1].macs[0].replies, 3);
	assert_int_equal(st.arp, 3);
}

static void
test_duplicate(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f;
	size_t n;

	(void)state;
	watch_init(&w, "10.200.60.61");
	f = reply_fr(mac_a, "10.200.60.61");
	n = build(b, &f);
	feed(b, n, 10, own_mac, &w, 1, &st);
	f = reply_fr(mac_b, "10.200.60.61");
	n = build(b, &f);
	feed(b, n, 20, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 2);
	assert_memory_equal(w.macs[0].mac, mac_a, 6);
	assert_memory_equal(w.macs[1].mac, mac_b, 6);
	assert_int_equal(w.macs[0].replies, 1);
	assert_int_equal(w.macs[1].replies, 1);
	assert_int_equal(w.macs[1].first_us, 20);
	assert_int_equal(w.changes, 1);
	assert_ptr_equal(w.last, &w.macs[1]);
	assert_int_equal(st.arp, 2);
	assert_int_equal(st.other, 0);
}

static void
test_flapping(void **state)
{
	const uint8_t *seq[] = { mac_a, mac_a, mac_b, mac_a };
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f;
	size_t i, n;

	(void)state;
	watch_init(&w, "10.200.60.62");
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		f = garp_fr(i % 2 ? 2 : 1, seq[i], "10.200.60.62");
		n = build(b, &f);
		feed(b, n, i * 1000000, own_mac, &w, 1, &st);
	}
	assert_int_equal(w.nmacs, 2);
	assert_int_equal(w.changes, 2);
	assert_ptr_equal(w.last, &w.macs[0]);
	assert_memory_equal(w.last->mac, mac_a, 6);
	assert_int_equal(w.macs[0].garps, 3);
	assert_int_equal(w.macs[1].garps, 1);
	assert_int_equal(w.macs[0].replies + w.macs[1].replies, 0);
	assert_int_equal(w.macs[0].first_us, 0);
	assert_int_equal(w.macs[0].last_us, 3000000);
	assert_int_equal(w.macs[1].first_us, 2000000);
	assert_int_equal(w.macs[1].last_us, 2000000);
}

static void
test_garp(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f;
	size_t n;

	(void)state;
	watch_init(&w, "10.200.60.62");
	/* A gratuitous request and a gratuitous reply both count as garps. */
	f = garp_fr(1, mac_a, "10.200.60.62");
	n = build(b, &f);
	feed(b, n, 1, own_mac, &w, 1, &st);
	f = garp_fr(2, mac_a, "10.200.60.62");
	n = build(b, &f);
	feed(b, n, 2, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 1);
	assert_int_equal(w.macs[0].garps, 2);
	assert_int_equal(w.macs[0].replies, 0);
	assert_int_equal(st.other, 0);

	/* A garp for another address, and an ordinary request, are other. */
	f = garp_fr(1, mac_b, "10.200.60.99");
	n = build(b, &f);
	feed(b, n, 3, own_mac, &w, 1, &st);
	f = garp_fr(1, mac_b, "10.200.60.62");
	f.spa = "10.200.60.99";
	n = build(b, &f);
	feed(b, n, 4, own_mac, &w, 1, &st);
	/* A request from the watched address for someone else: it asks. */
	f = garp_fr(1, mac_b, "10.200.60.62");
	f.tpa = "10.200.60.1";
	n = build(b, &f);
	feed(b, n, 5, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 1);
	assert_int_equal(st.other, 3);
	assert_int_equal(st.arp, 5);

	/* A gratuitous ARP for 0.0.0.0 is a probe, not a claim. */
	f = garp_fr(1, mac_b, "0.0.0.0");
	n = build(b, &f);
	watch_init(&w, "0.0.0.0");
	feed(b, n, 6, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 0);
	assert_int_equal(st.other, 4);
}

static void
test_own_ignored(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f;
	size_t n;

	(void)state;
	watch_init(&w, "10.200.60.61");
	/* Our probe: who-has .61 from us, sender IP 0.0.0.0. */
	f = garp_fr(1, own_mac, "0.0.0.0");
	f.tpa = "10.200.60.61";
	n = build(b, &f);
	feed(b, n, 1, own_mac, &w, 1, &st);
	/* Our own reply or announcement for a watched address. */
	f = reply_fr(own_mac, "10.200.60.61");
	n = build(b, &f);
	feed(b, n, 2, own_mac, &w, 1, &st);
	f = garp_fr(1, own_mac, "10.200.60.61");
	n = build(b, &f);
	feed(b, n, 3, own_mac, &w, 1, &st);
	/* Someone else's RFC 5227 probe for the address is no claim. */
	f = garp_fr(1, mac_b, "0.0.0.0");
	f.tpa = "10.200.60.61";
	n = build(b, &f);
	feed(b, n, 4, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 0);
	assert_null(w.last);
	assert_int_equal(st.frames, 4);
	assert_int_equal(st.arp, 4);
	assert_int_equal(st.other, 4);

	/* Without own, our reply is just a reply. */
	f = reply_fr(own_mac, "10.200.60.61");
	n = build(b, &f);
	feed(b, n, 5, NULL, &w, 1, &st);
	assert_int_equal(w.nmacs, 1);
}

static void
test_unwatched(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f = reply_fr(mac_a, "10.200.60.70");
	size_t n = build(b, &f);

	(void)state;
	watch_init(&w, "10.200.60.61");
	feed(b, n, 1, own_mac, &w, 1, &st);
	/* No watches at all. */
	feed(b, n, 1, own_mac, NULL, 0, &st);
	assert_int_equal(w.nmacs, 0);
	assert_int_equal(st.frames, 2);
	assert_int_equal(st.arp, 2);
	assert_int_equal(st.other, 2);
	assert_int_equal(st.malformed, 0);
}

static void
test_vlan(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f = reply_fr(mac_a, "10.200.60.61");
	size_t n, i;

	(void)state;
	f.vlan = 0x0064;	/* VLAN 100, priority 0 */
	n = build(b, &f);
	assert_int_equal(n, 60);
	watch_init(&w, "10.200.60.61");
	feed(b, n, 7, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 1);
	assert_int_equal(w.macs[0].replies, 1);
	assert_int_equal(st.arp, 1);

	/* The tagged reply cut anywhere: 46 octets hold tag and packet. */
	for (i = 0; i < 46; i++)
		feed(b, i, 8, own_mac, &w, 1, &st);
	assert_int_equal(w.macs[0].replies, 1);
	assert_int_equal(st.other + st.malformed, 46);
	assert_int_equal(st.other, 18);		/* too short for the type */
	feed(b, 46, 9, own_mac, &w, 1, &st);
	assert_int_equal(w.macs[0].replies, 2);

	/* Two tags (QinQ) are not looked into. */
	memmove(b + 16, b + 12, 48);
	put16(b + 12, 0x8100);
	put16(b + 14, 0x00c8);
	feed(b, 64, 10, own_mac, &w, 1, &st);
	assert_int_equal(w.macs[0].replies, 2);
	assert_int_equal(st.other, 19);
}

/* ---- malformed ---- */

static void
test_truncated(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f = reply_fr(mac_a, "10.200.60.61");
	size_t i;

	(void)state;
	(void)build(b, &f);
	watch_init(&w, "10.200.60.61");
	for (i = 0; i <= 41; i++)
		feed(b, i, i, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 0);
	assert_int_equal(st.frames, 42);
	assert_int_equal(st.arp, 0);
	/* Under 14 octets there is no ethertype to call it ARP by. */
	assert_int_equal(st.other, 14);
	assert_int_equal(st.malformed, 28);

	/* 42 octets, unpadded as a sender's own capture shows it, is whole. */
	feed(b, 42, 42, own_mac, &w, 1, &st);
	assert_int_equal(w.nmacs, 1);

	/* NULL with length 0 is an empty frame, not a crash. */
	nd_arp_frame(NULL, 0, 0, own_mac, &w, 1, &st);
	assert_int_equal(st.other, 15);
}

static void
test_bad_fields(void **state)
{
	uint8_t b[128];
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	struct fr f;
	size_t n;

	(void)state;
	watch_init(&w, "10.200.60.61");

	f = reply_fr(mac_a, "10.200.60.61");
	f.hlen = 8;
	n = build(b, &f);
	feed(b, n, 1, own_mac, &w, 1, &st);

	f = reply_fr(mac_a, "10.200.60.61");
	f.plen = 16;
	n = build(b, &f);
	assert_true(n > 60);
	feed(b, n, 2, own_mac, &w, 1, &st);

	f = reply_fr(mac_a, "10.200.60.61");
	f.htype = 6;
	n = build(b, &f);
	feed(b, n, 3, own_mac, &w, 1, &st);

	f = reply_fr(mac_a, "10.200.60.61");
	f.op = 3;
	n = build(b, &f);
	feed(b, n, 4, own_mac, &w, 1, &st);

	f = reply_fr(mac_a, "10.200.60.61");
	f.op = 0;
	n = build(b, &f);
	feed(b, n, 5, own_mac, &w, 1, &st);

	f = reply_fr(mac_a, "10.200.60.61");
	f.ptype = 0x86dd;
	n = build(b, &f);
	feed(b, n, 6, own_mac, &w, 1, &st);

	assert_int_equal(w.nmacs, 0);
	assert_int_equal(st.frames, 6);
	assert_int_equal(st.malformed, 6);
	assert_int_equal(st.arp, 0);
	assert_int_equal(st.other, 0);

	/* The same packet under another ethertype is simply not ARP. */
	f = reply_fr(mac_a, "10.200.60.61");
	n = build(b, &f);
	put16(b + 12, 0x0800);
	feed(b, n, 7, own_mac, &w, 1, &st);
	put16(b + 12, 0x8035);	/* RARP, RFC 903 */
	feed(b, n, 8, own_mac, &w, 1, &st);
	assert_int_equal(st.other, 2);
	assert_int_equal(w.nmacs, 0);
}

/* ---- the table is bounded ---- */

static void
test_flood(void **state)
{
	struct nd_arp_watch *w;
	struct nd_arp_watch guard;
	struct nd_arp_stats st = { 0 };
	uint8_t b[128], mac[6] = { 0x02, 0xf1, 0, 0, 0, 0 };
	struct fr f;
	size_t n, i;

	(void)state;
	/* w[1] is a second watch that must stay exactly as it was. */
	w = calloc(2, sizeof(*w));
	assert_non_null(w);
	watch_init(&w[0], "10.200.60.64");
	watch_init(&w[1], "10.200.60.65");
	memset(w[1].macs, 0x5a, sizeof(w[1].macs));
	guard = w[1];

	f = reply_fr(mac, "10.200.60.64");
	n = build(b, &f);
	for (i = 0; i < NFLOOD; i++) {
		mac[2] = (uint8_t)(i >> 16);
		mac[3] = (uint8_t)(i >> 8);
		mac[4] = (uint8_t)i;
		memcpy(b + 6, mac, 6);
		memcpy(b + 22, mac, 6);
		nd_arp_frame(b, n, i, own_mac, w, 2, &st);
	}
	assert_int_equal(st.frames, NFLOOD);
	assert_int_equal(st.arp, NFLOOD);
	assert_int_equal(w[0].nmacs, ND_ARP_MAX_MACS);
	assert_int_equal(w[0].more_macs, NFLOOD - ND_ARP_MAX_MACS);
	for (i = 0; i < ND_ARP_MAX_MACS; i++) {
		assert_int_equal(w[0].macs[i].mac[4], i);
		assert_int_equal(w[0].macs[i].replies, 1);
		assert_int_equal(w[0].macs[i].first_us, i);
	}
	/* 15 changes inside the table, one into the unkept MACs. */
	assert_int_equal(w[0].changes, ND_ARP_MAX_MACS);
	assert_null(w[0].last);
	assert_memory_equal(&w[1], &guard, sizeof(guard));

	/* A kept MAC speaking after an unkept one is a change again. */
	memcpy(b + 6, w[0].macs[3].mac, 6);
	memcpy(b + 22, w[0].macs[3].mac, 6);
	nd_arp_frame(b, n, NFLOOD, own_mac, w, 2, &st);
	assert_int_equal(w[0].changes, ND_ARP_MAX_MACS + 1);
	assert_ptr_equal(w[0].last, &w[0].macs[3]);
	assert_int_equal(w[0].macs[3].replies, 2);
	assert_int_equal(w[0].nmacs, ND_ARP_MAX_MACS);
	free(w);
}

/* ---- MAC text ---- */

static void
test_mac_text(void **state)
{
	static const char *const bad[] = {
		"", "aa:bb:cc:dd:ee", "gg:bb:cc:dd:ee:ff",
		"aa:bb:cc:dd:ee:ff:00", "aabbccddeeff", "aa:bb:cc:dd:ee:f",
		"aa:bb:cc:dd:ee:fff", "a:bb:cc:dd:ee:ff0", "aa bb cc dd ee ff",
		"aa.bb.cc.dd.ee.ff", "aa:bb-cc:dd:ee:ff", " aa:bb:cc:dd:ee:ff",
		"aa:bb:cc:dd:ee:ff ", "aa:bb:cc:dd:ee:ff\n",
		"aa::bb:cc:dd:ee:f",
		"+a:bb:cc:dd:ee:ff", "0x:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:",
		"aabb.ccdd.eeff", ":", "a",
	};
	uint8_t mac[6], back[6];
	char s[18];
	size_t i;

	(void)state;
	nd_arp_mac_str(mac_c, s);
	assert_string_equal(s, "02:00:00:00:cc:03");
	nd_arp_mac_str(bcast, s);
	assert_string_equal(s, "ff:ff:ff:ff:ff:ff");

	assert_int_equal(nd_arp_mac_parse("AA:bb:0C:dD:ee:FF", mac), 0);
	nd_arp_mac_str(mac, s);
	assert_string_equal(s, "aa:bb:0c:dd:ee:ff");
	assert_int_equal(nd_arp_mac_parse(s, back), 0);
	assert_memory_equal(mac, back, 6);
	assert_int_equal(nd_arp_mac_parse("00-1a-2B-3c-4D-5e", mac), 0);
	nd_arp_mac_str(mac, s);
	assert_string_equal(s, "00:1a:2b:3c:4d:5e");

	/* Every octet value round-trips. */
	for (i = 0; i < 256; i++) {
		memset(mac, (int)i, 6);
		mac[0] = (uint8_t)(255 - i);
		nd_arp_mac_str(mac, s);
		assert_int_equal(strlen(s), 17);
		memset(back, 0, 6);
		assert_int_equal(nd_arp_mac_parse(s, back), 0);
		assert_memory_equal(mac, back, 6);
	}

	/* Rejects leave the output alone. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mac, 0x77, 6);
		if (nd_arp_mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(mac[0], 0x77);
		assert_int_equal(mac[5], 0x77);
	}
	assert_int_equal(nd_arp_mac_parse(NULL, mac), -EINVAL);
}

/* ---- captures ---- */

static const char *
fixture(const char *name, char *buf, size_t size)
{
	const char *top;
	int n;

#ifdef ND_TOP
	top = ND_TOP;
#else
	if ((top = getenv("ND_TOP")) == NULL || top[0] == '\0')
		top = ".";
#endif
	n = snprintf(buf, size, "%s/fixtures/arp/%s", top, name);
	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

/*
 * Feeds every frame of the capture to nd_arp_frame() with our MAC as own;
 * returns the number of frames and the link type in *dlt.  A frame goes
 * through only when the link type is Ethernet, as the probe requires.
 */
static size_t
replay(const char *name, struct nd_arp_watch *w, size_t nw,
    struct nd_arp_stats *st, int *dlt)
{
	char path[4096], eb[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	size_t n = 0;
	uint64_t t;
	int rc;

	p = pcap_open_offline(fixture(name, path, sizeof(path)), eb);
	if (p == NULL)
		fail_msg("%s: %s", path, eb);
	*dlt = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		n++;
		if (*dlt != DLT_EN10MB)
			continue;
		assert_true(h->caplen <= h->len);
		t = (uint64_t)h->ts.tv_sec * 1000000 +
		    (uint64_t)h->ts.tv_usec;
		feed(data, h->caplen, t, own_mac, w, nw, st);
	}
	if (rc != PCAP_ERROR_BREAK)
		fail_msg("%s: %s", path, pcap_geterr(p));
	pcap_close(p);
	return n;
}

#define T0	(1700000000ULL * 1000000)

static void
test_pcap_single(void **state)
{
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	int dlt;

	(void)state;
	watch_init(&w, "10.200.60.61");
	assert_int_equal(replay("single.pcap", &w, 1, &st, &dlt), 1);
	assert_int_equal(dlt, DLT_EN10MB);
	assert_int_equal(st.frames, 1);
	assert_int_equal(st.arp, 1);
	assert_int_equal(w.nmacs, 1);
	assert_memory_equal(w.macs[0].mac, mac_a, 6);
	assert_int_equal(w.macs[0].replies, 1);
	assert_int_equal(w.macs[0].first_us, T0);
	assert_int_equal(w.changes, 0);
}

static void
test_pcap_dup(void **state)
{
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	int dlt;

	(void)state;
	watch_init(&w, "10.200.60.61");
	assert_int_equal(replay("dup.pcap", &w, 1, &st, &dlt), 2);
	assert_int_equal(w.nmacs, 2);
	assert_memory_equal(w.macs[0].mac, mac_a, 6);
	assert_memory_equal(w.macs[1].mac, mac_b, 6);
	assert_int_equal(w.macs[1].first_us, T0 + 412);
	assert_int_equal(w.more_macs, 0);
	assert_int_equal(st.other + st.malformed, 0);
}

static void
test_pcap_flap(void **state)
{
	struct nd_arp_watch w[2];
	struct nd_arp_stats st = { 0 };
	int dlt;

	(void)state;
	watch_init(&w[0], "10.200.60.61");
	watch_init(&w[1], "10.200.60.62");
	assert_int_equal(replay("flap.pcap", w, 2, &st, &dlt), 4);
	assert_int_equal(w[0].nmacs, 0);
	assert_int_equal(w[1].nmacs, 2);
	assert_int_equal(w[1].changes, 2);
	assert_memory_equal(w[1].last->mac, mac_a, 6);
	assert_int_equal(w[1].macs[0].garps, 3);
	assert_int_equal(w[1].macs[1].garps, 1);
	assert_int_equal(w[1].macs[0].last_us - w[1].macs[0].first_us,
	    3000000);
	assert_int_equal(st.arp, 4);
	assert_int_equal(st.other, 0);
}

static void
test_pcap_malformed(void **state)
{
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	int dlt;

	(void)state;
	watch_init(&w, "10.200.60.63");
	assert_int_equal(replay("malformed.pcap", &w, 1, &st, &dlt), 8);
	assert_int_equal(st.frames, 8);
	assert_int_equal(st.malformed, 6);
	assert_int_equal(st.other, 1);
	assert_int_equal(st.arp, 1);
	assert_int_equal(w.nmacs, 1);
	assert_memory_equal(w.macs[0].mac, mac_c, 6);
	assert_int_equal(w.macs[0].replies, 1);
	assert_int_equal(w.macs[0].first_us, T0 + 700000);
}

static void
test_pcap_sll(void **state)
{
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	int dlt;

	(void)state;
	watch_init(&w, "10.200.60.61");
	assert_int_equal(replay("linux-sll.pcap", &w, 1, &st, &dlt), 1);
	assert_int_equal(dlt, DLT_LINUX_SLL);
	assert_int_not_equal(dlt, DLT_EN10MB);
	assert_int_equal(st.frames, 0);
	assert_int_equal(w.nmacs, 0);
}

static void
test_pcap_flood(void **state)
{
	struct nd_arp_watch w;
	struct nd_arp_stats st = { 0 };
	int dlt;
	size_t i;

	(void)state;
	watch_init(&w, "10.200.60.64");
	assert_int_equal(replay("flood.pcap", &w, 1, &st, &dlt), 2000);
	assert_int_equal(st.arp, 2000);
	assert_int_equal(w.nmacs, ND_ARP_MAX_MACS);
	assert_int_equal(w.more_macs, 2000 - ND_ARP_MAX_MACS);
	assert_int_equal(w.changes, ND_ARP_MAX_MACS);
	for (i = 0; i < ND_ARP_MAX_MACS; i++) {
		assert_int_equal(w.macs[i].mac[5], i);
		assert_int_equal(w.macs[i].replies, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_frame),
		cmocka_unit_test(test_single_reply),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_garp),
		cmocka_unit_test(test_own_ignored),
		cmocka_unit_test(test_unwatched),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_mac_text),
		cmocka_unit_test(test_pcap_single),
		cmocka_unit_test(test_pcap_dup),
		cmocka_unit_test(test_pcap_flap),
		cmocka_unit_test(test_pcap_malformed),
		cmocka_unit_test(test_pcap_sll),
		cmocka_unit_test(test_pcap_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
