/*
 * fuzz_cfmetrics.c - libFuzzer harness for what a peer claiming to be
 * cloudflared's metrics server answers (core/wire/cfmetrics.h): /ready's
 * body and the /metrics text.  Invariants: a parsed /ready has a status
 * of 100-599 and 0-1000 connections, a refusal leaves the outputs alone
 * and says why in one NUL-ended line; a gauge read is a number.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cfmetrics.h"

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	long st = -7, rc = -7;
	char why[96];
	double v = -7;
	int r;

	memset(why, 'x', sizeof(why));
	r = nd_cf_ready_parse(s, size, &st, &rc, why, sizeof(why));
	FUZZ_CHECK(strnlen(why, sizeof(why)) < sizeof(why));
	if (r == 0)
		FUZZ_CHECK(st >= 100 && st <= 599 && rc >= 0 && rc <= 1000);
	else
		FUZZ_CHECK(r == -EINVAL && st == -7 && rc == -7 &&
		    why[0] != '\0');
	r = nd_prom_value(s, size, ND_CF_HA_METRIC, &v);
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
	if (r == 0)
		FUZZ_CHECK(!isnan(v));
	else
		FUZZ_CHECK(v == -7);
	r = nd_prom_value(s, size, "x", &v);
	(void)nd_prom_looks_like(s, size);
	free(s);
	return 0;
}
