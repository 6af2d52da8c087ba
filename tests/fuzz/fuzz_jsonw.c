/*
 * fuzz_jsonw.c - libFuzzer harness for the streaming JSON writer
 * (core/jsonw.h), every output parsed back with jansson.
 *
 * 1. The input, cut at its first NUL, written with nd_jw_str() must be one
 *    JSON string (json_loads with JSON_DECODE_ANY) whose value is the
 *    input with every byte that does not start a valid UTF-8 sequence
 *    (RFC 3629: no overlongs, surrogates or code points above U+10FFFF)
 *    replaced by U+FFFD; the same as an object key.
 * 2. The raw bytes drive a well-nested sequence of writer calls (objects,
 *    arrays, keys, strings, ints, reals with 0-6 and other decimals, NaN
 *    and infinities, nulls, raw whitespace, the k* helpers) while the
 *    expected document is built as a jansson tree; the output must parse
 *    and equal it (reals within the rounding the decimals allow), with the
 *    writer's error flag clear.
 *
 * A real printed with no decimals and a magnitude of 1e18 or more is
 * valid JSON but beyond jansson's integers, so such reals get 1 decimal.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"

#include "fuzz_common.h"

#define MAX_OPS		2000
#define MAX_NEST	12	/* below ND_JW_DEPTH: misuse is not tested */
#define MAX_REALS	(MAX_OPS + 8)

/* ---- expected string values ---- */

struct sbuf {
	char	*p;
	size_t	 len;
};

/* The value jw_string() must produce for s, as a jansson string decodes. */
static struct sbuf
expected_string(const char *str)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, k, len;
	struct sbuf out;
	uint32_t cp;

	out.p = malloc(3 * n + 1);
	FUZZ_CHECK(out.p != NULL);
	out.len = 0;
	while (i < n) {
		unsigned char c = s[i];

		if (c < 0x80) {
			out.p[out.len++] = (char)c;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			len = 0, cp = 0;
		for (k = 1; len > 0 && k < len; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (len == 0 || cp < min_cp[len] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			memcpy(out.p + out.len, "\xef\xbf\xbd", 3);
			out.len += 3;
			i++;
			continue;
		}
		memcpy(out.p + out.len, s + i, len);
		out.len += len;
		i += len;
	}
	out.p[out.len] = '\0';
	return out;
}

static json_t *
load(const char *text, size_t flags)
{
	json_error_t e;
	json_t *v = json_loads(text, flags, &e);

	if (v == NULL) {
		fprintf(stderr, "not JSON (%s at %d): %s\n", e.text,
		    e.position, text);
		abort();
	}
	return v;
}

/* Part 1: one string, alone and as a key. */
static void
fuzz_string(const char *s)
{
	struct sbuf want = expected_string(s);
	struct nd_jw w;
	char *buf = NULL;
	size_t len = 0;
	json_t *v;
	void *it;
	FILE *f;

	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL);
	nd_jw_init(&w, f);
	nd_jw_str(&w, s);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(!w.error);
	v = load(buf, JSON_DECODE_ANY);
	FUZZ_CHECK(json_is_string(v));
	FUZZ_CHECK(json_string_length(v) == want.len);
	FUZZ_CHECK(memcmp(json_string_value(v), want.p, want.len) == 0);
	json_decref(v);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL);
	nd_jw_init(&w, f);
	nd_jw_obj(&w);
	nd_jw_kstr(&w, s, s);
	nd_jw_obj_end(&w);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(!w.error && w.depth == 0);
	v = load(buf, 0);
	FUZZ_CHECK(json_is_object(v) && json_object_size(v) == 1);
	it = json_object_iter(v);
	FUZZ_CHECK(strcmp(json_object_iter_key(it), want.p) == 0);
	FUZZ_CHECK(json_string_length(json_object_iter_value(it)) ==
	    want.len);
	json_decref(v);
	free(buf);
	free(want.p);
}

/* ---- part 2: documents ---- */

struct cursor {
	const uint8_t	*p;
	size_t		 left;
};

static bool
take(struct cursor *c, void *dst, size_t n)
{
	if (c->left < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

static unsigned
take_byte(struct cursor *c)
{
	uint8_t b = 0;

	(void)take(c, &b, 1);
	return b;
}

/* Up to 31 bytes of the input as a string, NULs left out; free() it. */
static char *
take_str(struct cursor *c)
{
	size_t want = take_byte(c) % 32, i, n = 0;
	char *s = malloc(want + 1);

	FUZZ_CHECK(s != NULL);
	for (i = 0; i < want && c->left > 0; i++) {
		uint8_t b = (uint8_t)take_byte(c);

		if (b != 0)
			s[n++] = (char)b;
	}
	s[n] = '\0';
	return s;
}

/* The tolerance of each expected real, found by its node. */
struct real_tol {
	const json_t	*node;
	double		 tol;
};

struct doc {
	struct nd_jw	 w;
	json_t		*stack[MAX_NEST + 1];	/* expected containers */
	int		 depth;
	unsigned	 nkeys;
	struct real_tol	 reals[MAX_REALS];
	size_t		 nreals;
};

/* Adds v under key (objects) or at the end (arrays) of the expected tree. */
static void
expect_add(struct doc *d, const char *key, json_t *v)
{
	json_t *top = d->stack[d->depth - 1];

	FUZZ_CHECK(v != NULL);
	if (json_is_object(top))
		FUZZ_CHECK(json_object_set_new(top, key, v) == 0);
	else
		FUZZ_CHECK(json_array_append_new(top, v) == 0);
}

/*
 * In an object, picks the next key: generated ("k0", "k1", ...) or, when
 * op has its top bit set, up to 31 bytes of the input.  Nothing is written
 * yet, since the k* helpers write their own key.
 */
struct key {
	char	*raw;		/* as passed to the writer; NULL in arrays */
	char	*want;		/* as jansson must decode it */
};

static struct key
next_key(struct doc *d, struct cursor *c, unsigned op)
{
	struct key k = { NULL, NULL };
	char gen[32];

	if (!json_is_object(d->stack[d->depth - 1]))
		return k;
	if (op & 0x80)
		k.raw = take_str(c);
	else {
		snprintf(gen, sizeof(gen), "k%u", d->nkeys++);
		k.raw = fuzz_cstr((const uint8_t *)gen, strlen(gen));
	}
	k.want = expected_string(k.raw).p;
	return k;
}

/* Writes the key unless a k* helper is going to. */
static void
put_key(struct doc *d, const struct key *k)
{
	if (k->raw != NULL)
		nd_jw_key(&d->w, k->raw);
}

static void
op_real(struct doc *d, struct cursor *c, const struct key *k, bool helper)
{
	double v = 0, t;
	int dec;
	json_t *e;

	(void)take(c, &v, sizeof(v));
	dec = (int)(take_byte(c) % 12) - 2;	/* -2 .. 9 */
	if (dec <= 0 && fabs(v) >= 1e18)
		dec = 1;			/* see the top comment */
	if (helper && k->raw != NULL)
		nd_jw_kreal(&d->w, k->raw, v, dec);
	else {
		put_key(d, k);
		nd_jw_real(&d->w, v, dec);
	}
	if (!isfinite(v)) {
		expect_add(d, k->want, json_null());
		return;
	}
	t = 0.5 * pow(10, -(dec < 0 ? 0 : dec)) * (1 + 1e-9) +
	    fabs(v) * 1e-15 + 1e-300;
	e = json_real(v);
	expect_add(d, k->want, e);
	FUZZ_CHECK(d->nreals < MAX_REALS);
	d->reals[d->nreals].node = e;
	d->reals[d->nreals++].tol = t;
}

static bool
same(const struct doc *d, json_t *want, json_t *got)
{
	const char *k;
	json_t *v;
	size_t i;

	if (got == NULL)
		return false;
	if (json_is_real(want)) {
		/* From the end: a node freed by a duplicate key may have
		 * left its address to a newer one. */
		for (i = d->nreals; i > 0 && d->reals[i - 1].node != want; i--)
			continue;
		FUZZ_CHECK(i > 0);
		return json_is_number(got) && fabs(json_number_value(got) -
		    json_real_value(want)) <= d->reals[i - 1].tol;
	}
	switch (json_typeof(want)) {
	case JSON_OBJECT:
		if (!json_is_object(got) ||
		    json_object_size(got) != json_object_size(want))
			return false;
		json_object_foreach(want, k, v)
			if (!same(d, v, json_object_get(got, k)))
				return false;
		return true;
	case JSON_ARRAY:
		if (!json_is_array(got) ||
		    json_array_size(got) != json_array_size(want))
			return false;
		for (i = 0; i < json_array_size(want); i++)
			if (!same(d, json_array_get(want, i),
			    json_array_get(got, i)))
				return false;
		return true;
	case JSON_STRING:
		return json_is_string(got) &&
		    json_string_length(got) == json_string_length(want) &&
		    memcmp(json_string_value(got), json_string_value(want),
		    json_string_length(want)) == 0;
	case JSON_INTEGER:
		return json_is_integer(got) &&
		    json_integer_value(got) == json_integer_value(want);
	default:
		return got != NULL && json_typeof(got) == json_typeof(want);
	}
}

static void
fuzz_document(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	struct doc *d = calloc(1, sizeof(*d));
	char *buf = NULL, *s;
	size_t len = 0, nops;
	long long iv;
	json_t *got, *root, *e;
	struct key k;
	unsigned op;
	bool helper;
	FILE *f;

	FUZZ_CHECK(d != NULL);
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL);
	nd_jw_init(&d->w, f);
	if (take_byte(&c) & 1) {
		nd_jw_arr(&d->w);
		root = json_array();
	} else {
		nd_jw_obj(&d->w);
		root = json_object();
	}
	d->stack[d->depth++] = root;

	for (nops = 0; c.left > 0 && nops < MAX_OPS; nops++) {
		op = take_byte(&c);
		if (op % 10 == 2) {			/* close */
			if (d->depth > 1) {
				if (json_is_object(d->stack[d->depth - 1]))
					nd_jw_obj_end(&d->w);
				else
					nd_jw_arr_end(&d->w);
				d->depth--;
			}
			continue;
		}
		if (op % 10 == 7) {			/* whitespace */
			nd_jw_raw(&d->w, (op & 0x80) ? "\n  " : "\t");
			continue;
		}
		if ((op % 10 == 0 || op % 10 == 1) && d->depth > MAX_NEST)
			continue;
		k = next_key(d, &c, op);
		helper = (op & 0x40) != 0;
		switch (op % 10) {
		case 0:
		case 1:
			put_key(d, &k);
			if (op % 10 == 0) {
				nd_jw_obj(&d->w);
				e = json_object();
			} else {
				nd_jw_arr(&d->w);
				e = json_array();
			}
			expect_add(d, k.want, e);
			d->stack[d->depth++] = e;
			break;
		case 3:
		case 8:
			s = take_str(&c);
			/* op 8: NULL, which writes null */
			if (helper && k.raw != NULL)
				nd_jw_kstr(&d->w, k.raw, op % 10 == 8 ? NULL :
				    s);
			else {
				put_key(d, &k);
				nd_jw_str(&d->w, op % 10 == 8 ? NULL : s);
			}
			if (op % 10 == 8)
				expect_add(d, k.want, json_null());
			else {
				struct sbuf es = expected_string(s);

				expect_add(d, k.want,
				    json_stringn_nocheck(es.p, es.len));
				free(es.p);
			}
			free(s);
			break;
		case 4:
		case 9:
			iv = 0;
			if (op % 10 == 4)
				(void)take(&c, &iv, sizeof(iv));
			else
				iv = (int8_t)take_byte(&c);
			if (helper && k.raw != NULL)
				nd_jw_kint(&d->w, k.raw, iv);
			else {
				put_key(d, &k);
				nd_jw_int(&d->w, iv);
			}
			expect_add(d, k.want, json_integer(iv));
			break;
		case 5:
			op_real(d, &c, &k, helper);
			break;
		case 6:
			put_key(d, &k);
			nd_jw_null(&d->w);
			expect_add(d, k.want, json_null());
			break;
		}
		free(k.raw);
		free(k.want);
	}
	while (d->depth > 0) {
		if (json_is_object(d->stack[d->depth - 1]))
			nd_jw_obj_end(&d->w);
		else
			nd_jw_arr_end(&d->w);
		d->depth--;
	}
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(!d->w.error && d->w.depth == 0);
	got = load(buf, 0);
	if (!same(d, root, got)) {
		fprintf(stderr, "document differs from the calls: %s\n", buf);
		abort();
	}
	json_decref(got);
	json_decref(root);
	free(buf);
	free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	fuzz_string(s);
	fuzz_document(data, size);
	free(s);
	return 0;
}
