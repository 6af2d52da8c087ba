/*
 * test_range.c - threshold ranges against the five-row table and rules of
 * monitoring-plugin-guidelines: definitions/01.range_expressions.md
 * (quoted in docs/monitoring-plugins.md 1.4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "range.h"

struct probe_case {
	double	value;
	bool	alert;
};

/* Parses expr (which must be valid) and checks every value against it. */
static void
check_values(const char *expr, const struct probe_case *c, size_t n)
{
	struct nd_range r;
	size_t i;

	assert_int_equal(nd_range_parse(expr, &r), 0);
	for (i = 0; i < n; i++) {
		if (nd_range_alert(&r, c[i].value) != c[i].alert) {
			print_error("range '%s', value %.17g: expected %s\n",
			    expr, c[i].value, c[i].alert ? "alert" : "ok");
			fail();
		}
	}
}

#define CHECK(expr, cases) \
	check_values((expr), (cases), sizeof(cases) / sizeof((cases)[0]))

/* Table row 1: `10` exceeds if x < 0 or x > 10; plus the guideline vectors. */
static void
test_row_end_only(void **state)
{
	static const struct probe_case c[] = {
		{ 10, false }, { 11, true }, { 0, false }, { -1, true },
		{ -0.001, true }, { 5, false }, { 10.001, true },
		{ 9.999, false }, { 1e300, true }, { -1e300, true },
	};
	struct nd_range r;

	(void)state;
	CHECK("10", c);
	assert_int_equal(nd_range_parse("10", &r), 0);
	assert_false(r.start_inf);
	assert_false(r.end_inf);
	assert_false(r.inside);
	assert_true(r.start == 0);
	assert_true(r.end == 10);
}

/* Row 2: `10:` exceeds if x < 10 (end omitted = +infinity). */
static void
test_row_start_only(void **state)
{
	static const struct probe_case c[] = {
		{ 9.999, true }, { 10, false }, { 10.001, false },
		{ 1e300, false }, { -1, true }, { 0, true },
	};
	struct nd_range r;

	(void)state;
	CHECK("10:", c);
	assert_int_equal(nd_range_parse("10:", &r), 0);
	assert_true(r.end_inf);
	assert_false(r.start_inf);
	assert_true(r.start == 10);
}

/* Row 3: `~:10` exceeds if x > 10 (`~` = -infinity). */
static void
test_row_neg_inf(void **state)
{
	static const struct probe_case c[] = {
		{ -1e300, false }, { -1, false }, { 10, false },
		{ 10.001, true }, { 11, true },
	};
	struct nd_range r;

	(void)state;
	CHECK("~:10", c);
	assert_int_equal(nd_range_parse("~:10", &r), 0);
	assert_true(r.start_inf);
	assert_false(r.end_inf);
}

/* Row 4: `10:20` exceeds if x < 10 or x > 20, endpoints inclusive. */
static void
test_row_start_end(void **state)
{
	static const struct probe_case c[] = {
		{ 9.99, true }, { 10, false }, { 15, false }, { 20, false },
		{ 20.01, true }, { 0, true }, { -15, true },
	};

	(void)state;
	CHECK("10:20", c);
}

/* Row 5: `@10:20` exceeds if 10 <= x <= 20. */
static void
test_row_inside(void **state)
{
	static const struct probe_case c[] = {
		{ 9.99, false }, { 10, true }, { 15, true }, { 20, true },
		{ 20.01, false }, { -15, false },
	};
	struct nd_range r;

	(void)state;
	CHECK("@10:20", c);
	assert_int_equal(nd_range_parse("@10:20", &r), 0);
	assert_true(r.inside);
}

/* `@10` alerts inside 0..10 (rules 2 and 6 together). */
static void
test_inside_end_only(void **state)
{
	static const struct probe_case c[] = {
		{ -1, false }, { -0.001, false }, { 0, true }, { 5, true },
		{ 10, true }, { 10.5, false },
	};

	(void)state;
	CHECK("@10", c);
}

static void
test_inside_open(void **state)
{
	static const struct probe_case up[] = {
		{ 9, false }, { 10, true }, { 1e300, true },
	};
	static const struct probe_case down[] = {
		{ -1e300, true }, { 10, true }, { 10.5, false },
	};

	(void)state;
	CHECK("@10:", up);
	CHECK("@~:10", down);
}

static void
test_negative(void **state)
{
	static const struct probe_case c[] = {
		{ -10.5, true }, { -10, false }, { -7, false }, { -5, false },
		{ -4.99, true }, { 0, true },
	};
	static const struct probe_case below[] = {
		{ -6, true }, { -5, false }, { 100, false },
	};
	static const struct probe_case upto[] = {
		{ -3, false }, { -2.5, false }, { -2.4, true },
	};
	struct nd_range r;

	(void)state;
	CHECK("-10:-5", c);
	CHECK("-5:", below);
	CHECK("~:-2.5", upto);
	assert_int_equal(nd_range_parse("-10:-5", &r), 0);
	assert_true(r.start == -10);
	assert_true(r.end == -5);
}

static void
test_fraction(void **state)
{
	static const struct probe_case c[] = {
		{ 0.49, true }, { 0.5, false }, { 1, false }, { 1.5, false },
		{ 1.51, true },
	};
	struct nd_range r;

	(void)state;
	CHECK("0.5:1.5", c);
	/* Parsing is correctly rounded: the same doubles as the C literals. */
	assert_int_equal(nd_range_parse("0.1:123.456", &r), 0);
	assert_true(r.start == 0.1);
	assert_true(r.end == 123.456);
	assert_int_equal(nd_range_parse("-0.3:0.000000000000001", &r), 0);
	assert_true(r.start == -0.3);
	assert_true(r.end == 0.000000000000001);
	assert_int_equal(nd_range_parse("99999999999999.9", &r), 0);
	assert_true(r.end == 99999999999999.9);
}

/* Spellings the grammar allows beyond the table. */
static void
test_valid_other(void **state)
{
	static const char *const ok[] = {
		"0", "0:", ":10", "5:5", "-0", "007", "1.50", "10.000000000000000",
		"123456789012345", "0.000000000000001", "~:0", "@0", "@-1:-1",
		"-1:0",
	};
	struct nd_range r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (nd_range_parse(ok[i], &r) != 0) {
			print_error("rejected valid range '%s'\n", ok[i]);
			fail();
		}
	}
	/* ":10" is "0:10", like upstream's parse_range_string(). */
	assert_int_equal(nd_range_parse(":10", &r), 0);
	assert_false(r.start_inf);
	assert_true(r.start == 0);
	assert_true(r.end == 10);
	/* "-0" is a plain zero. */
	assert_int_equal(nd_range_parse("-0", &r), 0);
	assert_false(nd_range_alert(&r, 0));
	assert_true(nd_range_alert(&r, 0.001));
}

static void
test_invalid(void **state)
{
	static const char *const bad[] = {
		/* from the brief and rule 7 */
		"", "@", ":", "~:", "20:10", "abc", "1e3", "10:20:30", "--1",
		" 10",
		/* more edges */
		"@~:", "@:", "10 ", "10: ", "+5", ".5", "5.", "1.", "~", "~10",
		"10:~", "~:~", "@@10", "1,5", "0,5:1", "inf", "nan", "-inf",
		"0x10", "10::", "::", "-", "-:5", "1e", "10:1e3", "-5:-10",
		"1.5:1.4", "\t10", "10\n", "1234567890123456",
		"0.1234567890123456", "0.0000000000000001", "1:2:",
	};
	struct nd_range r, before;
	size_t i;

	(void)state;
	memset(&before, 0xa5, sizeof(before));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(&r, &before, sizeof(r));
		if (nd_range_parse(bad[i], &r) != -EINVAL) {
			print_error("accepted invalid range '%s'\n", bad[i]);
			fail();
		}
		/* Out-parameters are written only on success. */
		assert_memory_equal(&r, &before, sizeof(r));
	}
	assert_int_equal(nd_range_parse(NULL, &r), -EINVAL);
	assert_int_equal(nd_range_parse("10", NULL), -EINVAL);
}

/* A NaN metric must not pass for a good one, with or without `@`. */
static void
test_nan_alerts(void **state)
{
	struct nd_range r;
	double nan = NAN;

	(void)state;
	assert_int_equal(nd_range_parse("10", &r), 0);
	assert_true(nd_range_alert(&r, nan));
	assert_int_equal(nd_range_parse("@10", &r), 0);
	assert_true(nd_range_alert(&r, nan));
}

static void
test_format_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
	} c[] = {
		{ "10", "10" }, { "10:", "10:" }, { "~:10", "~:10" },
		{ "10:20", "10:20" }, { "@10:20", "@10:20" }, { "@10", "@10" },
		{ "0:10", "10" }, { ":10", "10" }, { "0:", "0:" },
		{ "@0:", "@0:" }, { "-0", "0" }, { "-0:5", "5" }, { "007", "7" },
		{ "1.50", "1.5" }, { "-10:-5", "-10:-5" },
		{ "0.5:1.5", "0.5:1.5" }, { "0.05", "0.05" },
		{ "-0.3:0.000000000000001", "-0.3:0.000000000000001" },
		{ "123456789012345", "123456789012345" },
		{ "99999999999999.9", "99999999999999.9" },
		{ "0.1:123.456", "0.1:123.456" }, { "~:-2.5", "~:-2.5" },
		{ "@~:0", "@~:0" }, { "10.000000000000000", "10" },
		{ "-123.456:-0.001", "-123.456:-0.001" },
	};
	char buf[ND_RANGE_TEXT_MAX];
	struct nd_range r, back;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(nd_range_parse(c[i].in, &r), 0);
		n = nd_range_format(&r, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(c[i].out));
		assert_string_equal(buf, c[i].out);
		assert_int_equal(nd_range_parse(buf, &back), 0);
		assert_true(back.start_inf == r.start_inf);
		assert_true(back.end_inf == r.end_inf);
		assert_true(back.inside == r.inside);
		assert_true(r.start_inf || back.start == r.start);
		assert_true(r.end_inf || back.end == r.end);
	}
}

static void
test_format_errors(void **state)
{
	struct nd_range r = { 0 };
	char buf[ND_RANGE_TEXT_MAX];
	char small[6];

	(void)state;
	/* -ENOSPC leaves the buffer alone; exactly enough room works. */
	assert_int_equal(nd_range_parse("@10:20", &r), 0);
	memset(small, 'x', sizeof(small));
	assert_int_equal(nd_range_format(&r, small, sizeof(small)), -ENOSPC);
	assert_memory_equal(small, "xxxxxx", sizeof(small));
	assert_int_equal(nd_range_format(&r, buf, 7), 6);
	assert_string_equal(buf, "@10:20");
	assert_int_equal(nd_range_format(&r, buf, 0), -ENOSPC);

	/* Ranges nd_range_parse() never returns. */
	r = (struct nd_range){ .start_inf = true, .end_inf = true };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct nd_range){ .start = 20, .end = 10 };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct nd_range){ .start = NAN, .end = 10 };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct nd_range){ .start = 1, .end_inf = true };
	r.start = NAN;
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct nd_range){ .end = 1e300 };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(nd_range_format(NULL, buf, sizeof(buf)), -EINVAL);

	/* Values set by code are rounded, still in fixed notation. */
	r = (struct nd_range){ .end = 1.0 / 3 };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "0.333333333333333");
	r = (struct nd_range){ .start = -9007199254740991.0,
	    .end = 9007199254740991.0, .inside = true };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)),
	    (int)strlen("@-9007199254740991:9007199254740991"));
	assert_string_equal(buf, "@-9007199254740991:9007199254740991");
	r = (struct nd_range){ .end = 1e-20 };
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "0");
}

/*
 * A decimal-comma LC_NUMERIC must change nothing.  Skipped when the host
 * has no such locale (Debian containers ship only C and C.UTF-8).
 */
static void
test_locale_independent(void **state)
{
	static const char *const names[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "nl_BE.UTF-8",
		"de_DE", "fr_FR",
	};
	char buf[ND_RANGE_TEXT_MAX];
	struct nd_range r;
	const char *got = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && got == NULL; i++)
		got = setlocale(LC_NUMERIC, names[i]);
	if (got == NULL)
		skip();
	assert_int_equal(nd_range_parse("0.5:1.5", &r), 0);
	assert_true(r.start == 0.5);
	assert_int_equal(nd_range_parse("0,5:1", &r), -EINVAL);
	assert_int_equal(nd_range_parse("@0.25:2.75", &r), 0);
	assert_int_equal(nd_range_format(&r, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "@0.25:2.75");
	setlocale(LC_NUMERIC, "C");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_end_only),
		cmocka_unit_test(test_row_start_only),
		cmocka_unit_test(test_row_neg_inf),
		cmocka_unit_test(test_row_start_end),
		cmocka_unit_test(test_row_inside),
		cmocka_unit_test(test_inside_end_only),
		cmocka_unit_test(test_inside_open),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_fraction),
		cmocka_unit_test(test_valid_other),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_nan_alerts),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_locale_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
