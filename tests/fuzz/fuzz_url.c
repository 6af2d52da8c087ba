/*
 * fuzz_url.c - libFuzzer harness for nd_target_parse() (docs/contracts.md 2).
 *
 * The input, cut at its first NUL, is one target URL.  Invariants:
 *   - success: every field is sane for the scheme (fuzz_check_target()),
 *     nd_target_key() is stable, and the same URL with its scheme in
 *     upper case parses to the same key (RFC 3986 3.1);
 *   - failure: -EINVAL, *ret untouched, err is one non-empty line that
 *     starts with the escaped URL (cut to 60 bytes + "..." beyond 200)
 *     and ": column N: " with 1 <= N <= strlen + 1;
 *   - a short or empty err buffer is never overrun and holds a prefix of
 *     the full message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "target.h"
#include "util.h"

#include "fuzz_common.h"

#define ORIGIN		"fuzz:1"
#define URL_MAX		4096	/* web URLs; 2048 for the rest */
#define ECHO_MAX	200
#define ECHO_SHOW	60

static struct nd_target *const untouched = (struct nd_target *)0x5a5a5a5a;

/* Checks that err is "<echo of url>: column N: <reason>". */
static void
check_message(const char *url, const char *err)
{
	size_t len = strnlen(url, URL_MAX + 1), show, i;
	char echo[ECHO_MAX * 4 + 8], *end;
	unsigned long col;
	const char *p;
	size_t n = 0;

	show = len > ECHO_MAX ? ECHO_SHOW : len;
	for (i = 0; i < show; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(echo + n, sizeof(echo) - n,
			    "\\x%02x", c);
		else
			echo[n++] = (char)c;
	}
	if (show < len) {
		memcpy(echo + n, "...", 3);
		n += 3;
	}
	echo[n] = '\0';
	FUZZ_CHECK(strncmp(err, echo, n) == 0);
	p = err + n;
	FUZZ_CHECK(strncmp(p, ": column ", 9) == 0);
	p += 9;
	FUZZ_CHECK(*p >= '1' && *p <= '9');
	col = strtoul(p, &end, 10);
	FUZZ_CHECK(col >= 1 && col <= len + 1);
	FUZZ_CHECK(strncmp(end, ": ", 2) == 0);
	FUZZ_CHECK(end[2] != '\0');
}

/* The same URL with the scheme upper-cased must mean the same target. */
static void
check_scheme_case(struct nd_arena *a, const char *url, const char *key,
    enum nd_scheme scheme)
{
	struct nd_target *t = NULL;
	char *up, err[1024];
	size_t i;

	up = nd_arena_strdup(a, url);
	for (i = 0; up[i] != '\0' && up[i] != ':'; i++)
		up[i] = (char)toupper((unsigned char)up[i]);
	FUZZ_CHECK(nd_target_parse(a, up, ORIGIN, &t, err, sizeof(err)) == 0);
	fuzz_check_target(t, up, ORIGIN);
	FUZZ_CHECK(t->scheme == scheme);
	FUZZ_CHECK(strcmp(nd_target_key(a, t), key) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_arena *a = nd_arena_new();
	struct nd_target *t = untouched, *t2 = untouched;
	char *url = fuzz_cstr(data, size), err[1024], *small, *key;
	size_t smalllen = size % 48, n;
	int rc, rc2;

	memset(err, 'x', sizeof(err));
	rc = nd_target_parse(a, url, ORIGIN, &t, err, sizeof(err));
	if (rc == 0) {
		fuzz_check_target(t, url, ORIGIN);
		key = nd_target_key(a, t);
		FUZZ_CHECK(key != NULL && key[0] != '\0');
		FUZZ_CHECK(strcmp(nd_target_key(a, t), key) == 0);
		check_scheme_case(a, url, key, t->scheme);
	} else {
		FUZZ_CHECK(rc == -EINVAL);
		FUZZ_CHECK(t == untouched);
		fuzz_check_err(err, sizeof(err));
		check_message(url, err);
	}

	/* Again into a short heap buffer that ASan watches. */
	small = malloc(smalllen > 0 ? smalllen : 1);
	FUZZ_CHECK(small != NULL);
	memset(small, 'Z', smalllen > 0 ? smalllen : 1);
	rc2 = nd_target_parse(a, url, ORIGIN, &t2, small, smalllen);
	FUZZ_CHECK(rc2 == rc);
	if (rc != 0) {
		FUZZ_CHECK(t2 == untouched);
		if (smalllen == 0)
			FUZZ_CHECK(small[0] == 'Z');
		else {
			n = strnlen(small, smalllen);
			FUZZ_CHECK(n < smalllen);
			FUZZ_CHECK(strncmp(small, err, n) == 0);
		}
		/* No buffer at all must work too. */
		FUZZ_CHECK(nd_target_parse(a, url, ORIGIN, &t2, NULL, 0) ==
		    rc);
	}
	free(small);
	free(url);
	nd_arena_free(a);
	return 0;
}
