/*
 * test_jsonw.c - the streaming JSON writer, checked by parsing its output
 * back with jansson: commas, nesting, escaping, invalid UTF-8, numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"

/* open_memstream sets *buf and *len at fclose(). */
static void
capture_begin(FILE **f, char **buf, size_t *len)
{
	*buf = NULL;
	*f = open_memstream(buf, len);
	assert_non_null(*f);
}

static json_t *
parse(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	if (v == NULL)
		fail_msg("not JSON: %s at %d: %s", e.text, e.position, text);
	return v;
}

static void
test_structure_and_commas(void **state)
{
	struct nd_jw w;
	FILE *f;
	char *buf;
	size_t len;
	json_t *v, *a;

	(void)state;
	capture_begin(&f, &buf, &len);
	nd_jw_init(&w, f);
	nd_jw_obj(&w);
	nd_jw_kstr(&w, "a", "x");
	nd_jw_kint(&w, "n", -42);
	nd_jw_kreal(&w, "r", 0.125, 3);
	nd_jw_key(&w, "empty");
	nd_jw_arr(&w);
	nd_jw_arr_end(&w);
	nd_jw_key(&w, "list");
	nd_jw_arr(&w);
	nd_jw_raw(&w, "\n  ");
	nd_jw_obj(&w);
	nd_jw_obj_end(&w);
	nd_jw_raw(&w, "\n  ");
	nd_jw_str(&w, NULL);
	nd_jw_int(&w, 7);
	nd_jw_arr_end(&w);
	nd_jw_kstr(&w, "nul", NULL);
	nd_jw_obj_end(&w);
	fclose(f);
	assert_false(w.error);
	v = parse(buf);
	assert_string_equal(json_string_value(json_object_get(v, "a")), "x");
	assert_int_equal(json_integer_value(json_object_get(v, "n")), -42);
	assert_true(fabs(json_real_value(json_object_get(v, "r")) - 0.125) < 1e-9);
	assert_int_equal(json_array_size(json_object_get(v, "empty")), 0);
	a = json_object_get(v, "list");
	assert_int_equal(json_array_size(a), 3);
	assert_true(json_is_object(json_array_get(a, 0)));
	assert_true(json_is_null(json_array_get(a, 1)));
	assert_int_equal(json_integer_value(json_array_get(a, 2)), 7);
	assert_true(json_is_null(json_object_get(v, "nul")));
	json_decref(v);
	free(buf);
}

static void
test_escaping(void **state)
{
	static const char nasty[] = "q\"b\\s/\n\t\x01\x1f end \xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80";
	struct nd_jw w;
	FILE *f;
	char *buf;
	size_t len;
	json_t *v;

	(void)state;
	capture_begin(&f, &buf, &len);
	nd_jw_init(&w, f);
	nd_jw_obj(&w);
	nd_jw_kstr(&w, "k\"ey", nasty);
	nd_jw_obj_end(&w);
	fclose(f);
	v = parse(buf);
	assert_string_equal(json_string_value(json_object_get(v, "k\"ey")), nasty);
	json_decref(v);
	free(buf);
}

/* The escaping of one byte, one at a time, as RFC 8259 asks. */
static void
ref_byte(FILE *f, unsigned char c)
{
	if (c == '"' || c == '\\')
		fprintf(f, "\\%c", c);
	else if (c < 0x20)
		fprintf(f, "\\u%04x", c);
	else if (c >= 0x80)
		fputs("\\ufffd", f);	/* alone, never valid UTF-8 */
	else
		fputc(c, f);
}

/*
 * Plain text is skipped eight or sixteen bytes a step, the tail as a last
 * step overlapping the one before: every byte value, at every place in
 * and around those steps (two of sixteen and a tail), must come out as
 * the byte-at-a-time rules say.
 */
static void
test_every_byte_every_place(void **state)
{
	char s[40], *buf, *want;
	size_t len, wlen, n, at;
	struct nd_jw w;
	unsigned c;
	FILE *f, *g;

	(void)state;
	for (n = 1; n < sizeof(s); n++) {
		for (at = 0; at < n; at++) {
			for (c = 1; c < 256; c++) {
				memset(s, 'a' + (int)(n % 26), n);
				s[at] = (char)c;
				s[n] = '\0';
				capture_begin(&f, &buf, &len);
				nd_jw_init(&w, f);
				nd_jw_str(&w, s);
				fclose(f);
				capture_begin(&g, &want, &wlen);
				fputc('"', g);
				for (size_t i = 0; i < n; i++)
					ref_byte(g, (unsigned char)s[i]);
				fputc('"', g);
				fclose(g);
				if (strcmp(buf, want) != 0)
					fail_msg("byte 0x%02x at %zu of %zu: %s, "
					    "want %s", c, at, n, buf, want);
				free(buf);
				free(want);
			}
		}
	}
}

/*
 * Numbers are formatted without printf: integers exactly as "%lld" does,
 * reals in fixed point rounded half up, as the writer always did (the
 * report's timings and confidences are compared byte for byte).
 */
static void
test_numbers_exact(void **state)
{
	static const long long iv[] = { 0, 1, -1, 9, 10, -10, 99, 100,
	    1234567890123LL, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1 };
	struct nd_jw w;
	char *buf, *big, want[64];
	size_t len, i;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(iv) / sizeof(iv[0]); i++) {
		capture_begin(&f, &buf, &len);
		nd_jw_init(&w, f);
		nd_jw_int(&w, iv[i]);
		fclose(f);
		snprintf(want, sizeof(want), "%lld", iv[i]);
		assert_string_equal(buf, want);
		free(buf);
	}
	capture_begin(&f, &buf, &len);
	nd_jw_init(&w, f);
	nd_jw_arr(&w);
	nd_jw_real(&w, -0.0, 3);
	nd_jw_real(&w, -0.0004, 3);	/* the sign stays: as before */
	nd_jw_real(&w, -0.0006, 3);
	nd_jw_real(&w, 999999999999.9999, 3);	/* carries into the integer */
	nd_jw_real(&w, -1e12, 1);		/* printf from here on */
	nd_jw_real(&w, 2.675, 2);		/* half up, unlike printf */
	nd_jw_real(&w, 451.879, 3);
	nd_jw_real(&w, 0.1, 7);
	nd_jw_real(&w, 1.5, -1);
	nd_jw_real(&w, 123.456789, 6);
	nd_jw_real(&w, 7, 0);
	nd_jw_real(&w, -INFINITY, 2);
	nd_jw_real(&w, 1e300, 2);	/* longer than any small buffer */
	nd_jw_arr_end(&w);
	fclose(f);
	/* 1e300 with two decimals: 304 characters, as printf writes it. */
	big = malloc(512);
	assert_non_null(big);
	snprintf(big, 512, "[0.000,-0.000,-0.001,1000000000000.000,"
	    "-1000000000000.0,2.68,451.879,0.1000000,2,123.456789,7,null,"
	    "%.2f]", 1e300);
	assert_string_equal(buf, big);
	assert_int_equal(len, 99 + 304 + 1);
	free(big);
	free(buf);
}

/*
 * The writer keeps its own buffer: a document many times its size, with
 * escapes falling on every offset around its edges, comes out whole and in
 * order, and reaches the FILE without a flush once the top level ends.
 */
static void
test_buffer_edges(void **state)
{
	char s[97], *buf, *want;
	size_t len, wlen, i, j;
	struct nd_jw w;
	FILE *f, *g;

	(void)state;
	capture_begin(&f, &buf, &len);
	capture_begin(&g, &want, &wlen);
	nd_jw_init(&w, f);
	nd_jw_arr(&w);
	fputc('[', g);
	for (i = 0; i < 3 * ND_JW_BUF / 50; i++) {
		for (j = 0; j < i % 96; j++)
			s[j] = (char)('a' + (i + j) % 26);
		s[j] = '\0';
		if (j > 0)
			s[(i * 7) % j] = (i & 1) ? '"' : '\x01';
		nd_jw_str(&w, s);
		fputs(i ? ",\"" : "\"", g);
		for (j = 0; s[j] != '\0'; j++)
			ref_byte(g, (unsigned char)s[j]);
		fputc('"', g);
		nd_jw_int(&w, (long long)i * 1000003);
		fprintf(g, ",%lld", (long long)i * 1000003);
	}
	nd_jw_arr_end(&w);
	fputc(']', g);
	fflush(f);		/* the writer's part is done: no nd_jw call */
	fclose(g);
	assert_true(len > 2 * ND_JW_BUF);
	assert_int_equal(len, wlen);
	assert_memory_equal(buf, want, wlen);
	fclose(f);
	free(buf);
	free(want);
}

/* A literal key comes out exactly as the scanned one does. */
static void
test_literal_keys(void **state)
{
	struct nd_jw w;
	char *a, *b;
	size_t alen, blen;
	FILE *f;

	(void)state;
	capture_begin(&f, &a, &alen);
	nd_jw_init(&w, f);
	nd_jw_obj(&w);
	nd_jw_kstr(&w, "id", "x");
	nd_jw_key(&w, "elapsed_ms");
	nd_jw_real(&w, 1.5, 3);
	nd_jw_key(&w, "list");
	nd_jw_arr(&w);
	nd_jw_obj(&w);
	nd_jw_kstr(&w, "k", NULL);
	nd_jw_obj_end(&w);
	nd_jw_arr_end(&w);
	nd_jw_obj_end(&w);
	fclose(f);
	capture_begin(&f, &b, &blen);
	nd_jw_init(&w, f);
	nd_jw_obj(&w);
	nd_jw_kstr_lit(&w, ND_JW_LIT("id"), "x");
	nd_jw_key_lit(&w, ND_JW_LIT("elapsed_ms"));
	nd_jw_real(&w, 1.5, 3);
	nd_jw_key_lit(&w, ND_JW_LIT("list"));
	nd_jw_arr(&w);
	nd_jw_obj(&w);
	nd_jw_kstr_lit(&w, ND_JW_LIT("k"), NULL);
	nd_jw_obj_end(&w);
	nd_jw_arr_end(&w);
	nd_jw_obj_end(&w);
	fclose(f);
	assert_false(w.error);
	assert_string_equal(b, a);
	assert_string_equal(a, "{\"id\":\"x\",\"elapsed_ms\":1.500,"
	    "\"list\":[{\"k\":null}]}");
	free(a);
	free(b);
}

static void
test_invalid_utf8_replaced(void **state)
{
	/* lone continuation, overlong, surrogate, truncated 3-byte, 0xff */
	static const char bad[] = "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82" "e\xff";
	struct nd_jw w;
	FILE *f;
	char *buf;
	size_t len;
	json_t *v;
	const char *s;

	(void)state;
	capture_begin(&f, &buf, &len);
	nd_jw_init(&w, f);
	nd_jw_str(&w, bad);
	fclose(f);
	v = json_loads(buf, JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	s = json_string_value(v);
	/* Every bad byte became U+FFFD (EF BF BD); the ASCII survived. */
	assert_non_null(strstr(s, "a\xef\xbf\xbd" "b"));
	assert_non_null(strstr(s, "e\xef\xbf\xbd"));
	assert_null(strchr(s, '\x80'));
	json_decref(v);
	free(buf);
}

static void
test_non_finite_and_misuse(void **state)
{
	struct nd_jw w;
	FILE *f;
	char *buf;
	size_t len;
	json_t *v;
	int i;

	(void)state;
	capture_begin(&f, &buf, &len);
	nd_jw_init(&w, f);
	nd_jw_arr(&w);
	nd_jw_real(&w, NAN, 3);
	nd_jw_real(&w, INFINITY, 3);
	nd_jw_real(&w, 0.0005, 3);
	nd_jw_real(&w, 1.9996, 3);
	nd_jw_real(&w, -2.5, 1);
	nd_jw_real(&w, 42.0, 0);
	nd_jw_real(&w, 1e13, 2);
	nd_jw_arr_end(&w);
	fclose(f);
	assert_string_equal(buf, "[null,null,0.001,2.000,-2.5,42,"
	    "10000000000000.00]");
	v = parse(buf);
	assert_true(json_is_null(json_array_get(v, 0)));
	assert_true(json_is_null(json_array_get(v, 1)));
	json_decref(v);
	free(buf);

	/* Too deep and too many closes are flagged, not crashes. */
	capture_begin(&f, &buf, &len);
	nd_jw_init(&w, f);
	for (i = 0; i < ND_JW_DEPTH + 4; i++)
		nd_jw_arr(&w);
	assert_true(w.error);
	nd_jw_init(&w, f);
	nd_jw_arr_end(&w);
	assert_true(w.error);
	fclose(f);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure_and_commas),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_every_byte_every_place),
		cmocka_unit_test(test_numbers_exact),
		cmocka_unit_test(test_buffer_edges),
		cmocka_unit_test(test_literal_keys),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_non_finite_and_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
