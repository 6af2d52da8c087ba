/*
 * fuzz_arpwatch.c - libFuzzer harness for nd_arp_frame() and the MAC text
 * forms (core/arpwatch.h).
 *
 * The input is one captured Ethernet frame; our own MAC is fixed (OWN) and
 * four addresses are watched, one of them 0.0.0.0, which must never be
 * recorded (a sender IP of zero is an RFC 5227 probe).  Invariants:
 *   - the frame lands in exactly one of malformed, other or a record, as
 *     an independent reading of the header comment and RFC 826 decides;
 *     st.arp counts it unless it is malformed or not ARP;
 *   - a record is under the first watch with the sender IP, holds the
 *     sender MAC with one reply or one garp at the frame's time, and no
 *     other watch changes; nothing else changes anything but st;
 *   - the same frame again adds one to the same counter, no change;
 *   - 20 more senders for a recorded address fill the table to at most
 *     ND_ARP_MAX_MACS and count the rest in more_macs;
 *   - the probe frame built from the input's octets is 60 octets of a
 *     broadcast request from spa 0.0.0.0 and is never recorded;
 *   - the first 17 input octets as text parse as a MAC exactly when they
 *     are six hex pairs with one kind of separator, and print back as the
 *     same text in lower case; any 6 octets print and parse back.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arpwatch.h"

#include "fuzz_common.h"

#define NW		4
#define NSPAM		20
#define T_US		1700000000000000ULL

static const uint8_t OWN[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* 10.200.60.61, .62, .63 and 0.0.0.0, in network byte order. */
static const uint8_t watched[NW][4] = {
	{ 10, 200, 60, 61 }, { 10, 200, 60, 62 }, { 10, 200, 60, 63 },
	{ 0, 0, 0, 0 },
};

enum verdict { V_OTHER_NOT_ARP, V_MALFORMED, V_OTHER_ARP, V_RECORD };

struct ref {
	enum verdict	 v;
	size_t		 arp;		/* offset of the ARP packet */
	bool		 garp;
	int		 watch;		/* index for V_RECORD */
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The header comment and RFC 826, read independently of arpwatch.c. */
static struct ref
reference(const uint8_t *d, size_t n)
{
	struct ref r = { V_OTHER_NOT_ARP, 0, false, -1 };
	const uint8_t *a, *spa, *tpa;
	size_t type_at = 12;
	int i;

	if (n < 14)
		return r;
	if (be16(d + 12) == 0x8100) {
		if (n < 18)
			return r;
		type_at = 16;
	}
	if (be16(d + type_at) != 0x0806)
		return r;
	r.arp = type_at + 2;
	r.v = V_MALFORMED;
	if (n < r.arp + 28)
		return r;
	a = d + r.arp;
	if (be16(a) != 1 || be16(a + 2) != 0x0800 || a[4] != 6 ||
	    a[5] != 4 || (be16(a + 6) != 1 && be16(a + 6) != 2))
		return r;
	r.v = V_OTHER_ARP;
	spa = a + 14;
	tpa = a + 24;
	if (memcmp(a + 8, OWN, 6) == 0 || memcmp(spa, "\0\0\0\0", 4) == 0)
		return r;
	r.garp = memcmp(spa, tpa, 4) == 0;
	if (!r.garp && be16(a + 6) != 2)
		return r;
	for (i = 0; i < NW; i++)
		if (memcmp(spa, watched[i], 4) == 0) {
			r.v = V_RECORD;
			r.watch = i;
			break;
		}
	return r;
}

static void
init_watches(struct nd_arp_watch *w)
{
	int i;

	memset(w, 0, sizeof(*w) * NW);
	for (i = 0; i < NW; i++)
		memcpy(&w[i].ip, watched[i], 4);
}

static void
fuzz_frame(const uint8_t *data, size_t size)
{
	static struct nd_arp_watch w[NW], before[NW];
	struct nd_arp_stats st = { 0 };
	struct ref r = reference(data, size);
	const struct nd_arp_mac *e;
	struct nd_arp_watch *hit;
	uint8_t *spam;
	size_t distinct, k;
	int i;

	init_watches(w);
	memcpy(before, w, sizeof(w));
	nd_arp_frame(data, size, T_US, OWN, w, NW, &st);

	FUZZ_CHECK(st.frames == 1);
	FUZZ_CHECK(st.malformed == (r.v == V_MALFORMED));
	FUZZ_CHECK(st.other == (r.v == V_OTHER_NOT_ARP || r.v == V_OTHER_ARP));
	FUZZ_CHECK(st.arp == (r.v == V_OTHER_ARP || r.v == V_RECORD));
	for (i = 0; i < NW; i++) {
		if (i == r.watch)
			continue;
		FUZZ_CHECK(memcmp(&w[i], &before[i], sizeof(w[i])) == 0);
	}
	if (r.v != V_RECORD)
		return;

	FUZZ_CHECK(r.watch != NW - 1);	/* never 0.0.0.0 */
	hit = &w[r.watch];
	e = &hit->macs[0];
	FUZZ_CHECK(hit->nmacs == 1 && hit->more_macs == 0);
	FUZZ_CHECK(hit->changes == 0 && hit->last == e);
	FUZZ_CHECK(memcmp(e->mac, data + r.arp + 8, 6) == 0);
	FUZZ_CHECK(e->garps == r.garp && e->replies == !r.garp);
	FUZZ_CHECK(e->first_us == T_US && e->last_us == T_US);

	nd_arp_frame(data, size, T_US + 1, OWN, w, NW, &st);
	FUZZ_CHECK(st.frames == 2 && st.arp == 2);
	FUZZ_CHECK(st.other == 0 && st.malformed == 0);
	FUZZ_CHECK(hit->nmacs == 1 && hit->changes == 0);
	FUZZ_CHECK(e->garps + e->replies == 2);
	FUZZ_CHECK(e->first_us == T_US && e->last_us == T_US + 1);

	/* More senders for the same address, from a copy with a new sha. */
	spam = malloc(size);
	FUZZ_CHECK(spam != NULL);
	memcpy(spam, data, size);
	distinct = 1;
	for (k = 0; k < NSPAM; k++) {
		static const uint8_t base[5] = { 0x0a, 0xf0, 0xf0, 0xf0, 0xf0 };

		memcpy(spam + r.arp + 8, base, 5);
		spam[r.arp + 13] = (uint8_t)k;
		if (memcmp(spam + r.arp + 8, data + r.arp + 8, 6) != 0)
			distinct++;
		nd_arp_frame(spam, size, T_US + 2 + k, OWN, w, NW, &st);
	}
	free(spam);
	FUZZ_CHECK(st.frames == 2 + NSPAM && st.arp == 2 + NSPAM);
	FUZZ_CHECK(hit->nmacs == (distinct < ND_ARP_MAX_MACS ? distinct :
	    ND_ARP_MAX_MACS));
	FUZZ_CHECK(hit->more_macs == distinct - hit->nmacs);
	FUZZ_CHECK(hit->changes <= NSPAM);
	FUZZ_CHECK(hit->last == NULL || (hit->last >= hit->macs &&
	    hit->last < hit->macs + hit->nmacs));
	for (i = 0; i < NW; i++)
		if (i != r.watch)
			FUZZ_CHECK(memcmp(&w[i], &before[i],
			    sizeof(w[i])) == 0);
}

static void
fuzz_probe(const uint8_t *data, size_t size)
{
	static struct nd_arp_watch w[NW], before[NW];
	struct nd_arp_stats st = { 0 };
	uint8_t *frame;
	uint32_t tip;
	size_t i;

	if (size < 10)
		return;
	frame = malloc(ND_ARP_FRAME_LEN);
	FUZZ_CHECK(frame != NULL);
	memcpy(&tip, data + 6, 4);
	nd_arp_probe_frame(frame, data, tip);
	FUZZ_CHECK(memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6) == 0);
	FUZZ_CHECK(memcmp(frame + 6, data, 6) == 0);
	FUZZ_CHECK(memcmp(frame + 12, "\x08\x06\x00\x01\x08\x00\x06\x04"
	    "\x00\x01", 10) == 0);
	FUZZ_CHECK(memcmp(frame + 22, data, 6) == 0);
	FUZZ_CHECK(memcmp(frame + 28, "\0\0\0\0\0\0\0\0\0\0", 10) == 0);
	FUZZ_CHECK(memcmp(frame + 38, &tip, 4) == 0);
	for (i = 42; i < ND_ARP_FRAME_LEN; i++)
		FUZZ_CHECK(frame[i] == 0);

	init_watches(w);
	memcpy(before, w, sizeof(w));
	nd_arp_frame(frame, ND_ARP_FRAME_LEN, T_US, NULL, w, NW, &st);
	FUZZ_CHECK(st.frames == 1 && st.arp == 1 && st.other == 1);
	FUZZ_CHECK(memcmp(w, before, sizeof(w)) == 0);
	free(frame);
}

static bool
ref_mac_text(const char *s, uint8_t *mac)
{
	char sep;
	int i, j;

	if (strlen(s) != 17)
		return false;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return false;
	for (i = 0; i < 6; i++) {
		int v = 0;

		for (j = 0; j < 2; j++) {
			char c = s[i * 3 + j];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v |= c - 'A' + 10;
			else
				return false;
		}
		mac[i] = (uint8_t)v;
		if (i < 5 && s[i * 3 + 2] != sep)
			return false;
	}
	return true;
}

static void
fuzz_mac(const uint8_t *data, size_t size)
{
	uint8_t got[6], want[6], back[6];
	char out[18], *s;
	size_t i;
	bool ok;
	int rc;

	s = fuzz_cstr(data, size < 24 ? size : 24);
	memset(got, 0x77, sizeof(got));
	rc = nd_arp_mac_parse(s, got);
	ok = ref_mac_text(s, want);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK((rc == 0) == ok);
	if (rc == 0) {
		FUZZ_CHECK(memcmp(got, want, 6) == 0);
		nd_arp_mac_str(got, out);
		FUZZ_CHECK(strlen(out) == 17);
		for (i = 0; i < 17; i++) {
			char c = s[i];

			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			if (c == '-')
				c = ':';
			FUZZ_CHECK(out[i] == c);
		}
	} else
		FUZZ_CHECK(memcmp(got, "\x77\x77\x77\x77\x77\x77", 6) == 0);
	free(s);

	if (size >= 6) {
		nd_arp_mac_str(data, out);
		FUZZ_CHECK(out[17] == '\0' && strlen(out) == 17);
		FUZZ_CHECK(nd_arp_mac_parse(out, back) == 0);
		FUZZ_CHECK(memcmp(back, data, 6) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_frame(data, size);
	fuzz_probe(data, size);
	fuzz_mac(data, size);
	return 0;
}
