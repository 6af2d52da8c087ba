/*
 * test_arena.c - the run's allocator: every allocation zeroed (but the raw
 * ones), aligned and apart from the others, across the switch from
 * malloc'd chunks to the 2 MiB mappings a large run gets, and with
 * objects bigger than a chunk;
 * arrays grown past ARENA_GROW_OWN in chunks of their own, interleaved
 * with other allocations, and a trimmed arena.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "arena.h"

struct rec {
	unsigned char	*p;
	size_t		 n;
};

static void
check_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			fail_msg("byte %zu of %zu not zero", i, n);
}

/* Fill each allocation with its number, then check none was overwritten. */
static void
test_many(void **state)
{
	struct nd_arena *a = nd_arena_new();
	static struct rec r[60000];
	size_t i, j, align, total = 0;
	bool raw;

	(void)state;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		/* Mostly small, some beyond a 64 KiB chunk, one empty. */
		r[i].n = i % 5000 == 4999 ? 100000 + i : i == 7 ? 0 : 1 + i % 300;
		/* Every third one raw: not zeroed, always 16-aligned. */
		raw = i % 3 == 2;
		r[i].p = raw ? nd_arena_alloc_raw(a, r[i].n) :
		    nd_arena_alloc(a, r[i].n);
		assert_non_null(r[i].p);
		/* Aligned as the type of its size needs (arena.c). */
		align = r[i].n & -r[i].n;
		if (raw || align == 0 || align > 16)
			align = 16;
		assert_int_equal((uintptr_t)r[i].p % align, 0);
		if (!raw)
			check_zero(r[i].p, r[i].n);
		memset(r[i].p, (int)(i % 251) + 1, r[i].n);
		total += r[i].n;
	}
	assert_true(total > 8 * 1024 * 1024);	/* well past the switch */
	assert_true(nd_arena_bytes(a) >= total);
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		for (j = 0; j < r[i].n; j++)
			if (r[i].p[j] != (unsigned char)(i % 251 + 1))
				fail_msg("allocation %zu overwritten at %zu", i,
				    j);
	nd_arena_free(a);
	nd_arena_free(NULL);
}

/*
 * Two arrays doubling from 1 to 2^17 elements side by side, with other
 * allocations between the grows (as the engine's dependents and served
 * endpoints): each keeps its elements, its new room is zero, and the
 * other allocations are untouched.  Then the arena is trimmed and grows
 * on in small chunks.
 */
static void
test_grow(void **state)
{
	struct nd_arena *a = nd_arena_new();
	uint32_t *v[2] = { NULL, NULL };
	size_t n = 0, cap = 0, i, k, nside = 0;
	unsigned char *side[64];

	(void)state;
	for (i = 0; i < (1u << 17); i++) {
		if (n == cap) {
			size_t ncap = cap == 0 ? 1 : cap * 2;

			for (k = 0; k < 2; k++) {
				v[k] = nd_arena_grow(a, v[k], n, ncap,
				    sizeof(*v[k]));
				check_zero((unsigned char *)(v[k] + n),
				    (ncap - n) * sizeof(*v[k]));
			}
			cap = ncap;
			side[nside] = nd_arena_alloc(a, 100);
			memset(side[nside++], 0x5a, 100);
			if (nside == 10)
				nd_arena_trim(a);
		}
		v[0][n] = (uint32_t)i;
		v[1][n] = (uint32_t)~i;
		n++;
	}
	for (i = 0; i < n; i++)
		if (v[0][i] != (uint32_t)i || v[1][i] != (uint32_t)~i)
			fail_msg("element %zu lost", i);
	for (k = 0; k < nside; k++)
		for (i = 0; i < 100; i++)
			if (side[k][i] != 0x5a)
				fail_msg("allocation %zu overwritten", k);
	nd_arena_free(a);
}

static void
test_strings(void **state)
{
	struct nd_arena *a = nd_arena_new();
	char big[600];
	char *s;
	size_t i;

	(void)state;
	/* Past the switch first, so these come from a mapping. */
	for (i = 0; i < 2048; i++)
		(void)nd_arena_alloc(a, 1024);
	assert_string_equal(nd_arena_strdup(a, "abc"), "abc");
	assert_null(nd_arena_strdup(a, NULL));
	assert_string_equal(nd_arena_strndup(a, "abcdef", 3), "abc");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = nd_arena_printf(a, "%s-%d", big, 42);
	assert_int_equal(strlen(s), sizeof(big) - 1 + 3);
	assert_string_equal(s + sizeof(big) - 1, "-42");
	nd_arena_free(a);
}

/*
 * Arenas one after the other, as a run makes them (the config's parse
 * tree freed just before the inventory and the probes grow theirs): what
 * each hands out reads as zero whatever the memory held before, past a
 * trim too, in an arena trimmed before it grew or expected large, and
 * in objects big enough for a chunk of their own.  Each round dirties
 * every byte it gets, so a stale byte anywhere shows.
 */
static void
test_reuse(void **state)
{
	struct nd_arena *a;
	unsigned char *p;
	size_t i, n;
	int round;

	(void)state;
	for (round = 0; round < 6; round++) {
		a = nd_arena_new();
		if (round % 3 == 1)
			nd_arena_trim(a);	/* small chunks only */
		if (round % 2 == 1)
			nd_arena_expect(a, 1024 * 1024);	/* huge at once */
		for (i = 0; i < 3000; i++) {
			n = 1 + (i * 7919 + (size_t)round * 131) % 3000;
			/* Big objects: one that fits a huge chunk, then not. */
			if (i == 100 || i == 2000)
				n = 300000 + (size_t)round;
			else if (i == 200)
				n = 2 * 1024 * 1024 - 100;
			else if (i == 300)
				n = 2 * 1024 * 1024 + 100;
			if (i == 1500 && round % 3 == 2)
				nd_arena_trim(a);	/* a huge head, cut */
			p = i % 4 == 3 ? nd_arena_alloc_raw(a, n) :
			    nd_arena_alloc(a, n);
			if (i % 4 != 3)
				check_zero(p, n);
			memset(p, 0xa5, n);
		}
		nd_arena_free(a);
	}
}

/*
 * nd_arena_printf formats the common conversions itself and hands the
 * rest to vsnprintf: either way the text must be what snprintf writes.
 */
#define SAME(...) do {							\
	char want_[1024];						\
									\
	snprintf(want_, sizeof(want_), __VA_ARGS__);			\
	assert_string_equal(nd_arena_printf(a, __VA_ARGS__), want_);	\
} while (0)

static void
test_printf_as_snprintf(void **state)
{
	struct nd_arena *a = nd_arena_new();
	const char *volatile nul = NULL;
	char longs[400];

	(void)state;
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	SAME("plain text, no conversion");
	SAME("%s", "");
	SAME("%s|%s", "a", "tcp://127.0.0.1:20000");
	SAME("%.*s|", 3, "abcdef");
	SAME("%.*s|", -1, "abcdef");
	SAME("%.*s|", 0, "abcdef");
	SAME("%.2s|%.10s|", "abcdef", "abc");
	SAME("%5s|%-5s|%2s|", "ab", "ab", "abcd");
	SAME("%d %d %d %i", 0, -1, INT_MIN, INT_MAX);
	SAME("%u %u %x %X %08x %#x", 0u, UINT_MAX, 0xbeefu, 0xbeefu, 0xbeu,
	    0xbeu);
	SAME("%5d|%-5d|%05d|%05d|", -42, -42, -42, 42);
	SAME("%03llu.%03llu ms", 451ull, 7ull);
	SAME("%hhu %hhd %hu %hd", 300, 200, 70000, 40000);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
	SAME("%lld %llu %llX", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	SAME("%zu %zd %zx", (size_t)SIZE_MAX, (ssize_t)-5, (size_t)255);
	SAME("%jd %ju %td", (intmax_t)-7, (uintmax_t)7, (ptrdiff_t)-9);
	SAME("%c%c|%3c|%-3c|", 'a', 'b', 'c', 'd');
	SAME("100%% %s %%", "sure");
	SAME("%s", nul);		/* glibc's "(null)" */
	SAME("%.3f %g %p", 1.0005, 2.5, (void *)a);	/* not formatted here */
	SAME("%+d % d", 5, 5);
	SAME("%*d|", 6, 42);
	SAME("%s%s", longs, longs);	/* longer than the stack buffer */
	SAME("%.*s%d", 300, longs, 1);
	nd_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_printf_as_snprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
