/*
 * cfmetrics.c - cloudflared's /ready and /metrics answers (cfmetrics.h).
 *
 * The Prometheus text format (prometheus.io/docs/instrumenting/
 * exposition_formats/): one sample a line, "name[{labels}] value
 * [timestamp]", comments and metadata on lines starting with '#'.  Label
 * values are quoted strings that may hold '}' and escaped quotes, so the
 * label set is skipped quote-aware, never by searching for '}'.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cfmetrics.h"

static void
cf_say(char *why, size_t whylen, const char *s)
{
	if (whylen > 0)
		snprintf(why, whylen, "%s", s);
}

int
nd_cf_ready_parse(const char *buf, size_t len, long *status, long *ready,
    char *why, size_t whylen)
{
	json_t *v, *st, *rc;
	int ret = -EINVAL;

	cf_say(why, whylen, "");
	if (buf == NULL || len == 0) {
		cf_say(why, whylen, "an empty body");
		return -EINVAL;
	}
	if (len > ND_CF_READY_MAX) {
		cf_say(why, whylen, "a body over 64 KiB");
		return -EINVAL;
	}
	/* jansson bounds its own nesting depth; the length is ours. */
	if ((v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		cf_say(why, whylen, "not JSON");
		return -EINVAL;
	}
	if (!json_is_object(v)) {
		cf_say(why, whylen, "JSON, but not an object");
		goto out;
	}
	st = json_object_get(v, "status");
	rc = json_object_get(v, "readyConnections");
	if (!json_is_integer(rc) || !json_is_integer(st)) {
		cf_say(why, whylen, "no whole numbers status and "
		    "readyConnections in the JSON");
		goto out;
	}
	if (json_integer_value(rc) < 0 || json_integer_value(rc) > 1000 ||
	    json_integer_value(st) < 100 || json_integer_value(st) > 599) {
		cf_say(why, whylen, "status or readyConnections out of range");
		goto out;
	}
	*status = (long)json_integer_value(st);
	*ready = (long)json_integer_value(rc);
	ret = 0;
out:
	json_decref(v);
	return ret;
}

/* Past the label set "{...}" at s (s < e, *s == '{'), or NULL. */
static const char *
prom_skip_labels(const char *s, const char *e)
{
	bool quoted = false;

	for (s++; s < e; s++) {
		if (quoted) {
			if (*s == '\\' && s + 1 < e)
				s++;
			else if (*s == '"')
				quoted = false;
		} else if (*s == '"')
			quoted = true;
		else if (*s == '}')
			return s + 1;
	}
	return NULL;
}

int
nd_prom_value(const char *buf, size_t len, const char *name, double *ret)
{
	const char *s = buf, *end, *e, *v;
	size_t n = strlen(name);
	char num[48];
	double d;

	if (buf == NULL || n == 0)
		return -ENOENT;
	if (len > ND_CF_METRICS_MAX)
		len = ND_CF_METRICS_MAX;
	end = buf + len;
	for (; s < end; s = e + 1) {
		size_t k;
		char *stop;

		e = memchr(s, '\n', (size_t)(end - s));
		if (e == NULL)
			e = end;
		if ((size_t)(e - s) <= n || memcmp(s, name, n) != 0)
			continue;
		v = s + n;
		/* The whole name: "x_total" is not a sample of "x". */
		if (*v == '{') {
			if ((v = prom_skip_labels(v, e)) == NULL)
				continue;
		} else if (*v != ' ' && *v != '\t')
			continue;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		for (k = 0; v + k < e && v[k] != ' ' && v[k] != '\t' &&
		    v[k] != '\r'; k++)
			continue;
		if (k == 0 || k >= sizeof(num))
			return -EINVAL;
		memcpy(num, v, k);
		num[k] = '\0';
		d = strtod(num, &stop);
		if (*stop != '\0' || isnan(d))
			return -EINVAL;
		*ret = d;
		return 0;
	}
	return -ENOENT;
}

bool
nd_prom_looks_like(const char *buf, size_t len)
{
	size_t n = len > ND_CF_METRICS_MAX ? ND_CF_METRICS_MAX : len;

	if (buf == NULL)
		return false;
	if (n >= 7 && (memcmp(buf, "# HELP ", 7) == 0 ||
	    memcmp(buf, "# TYPE ", 7) == 0))
		return true;
	return memmem(buf, n, "\n# HELP ", 8) != NULL ||
	    memmem(buf, n, "\n# TYPE ", 8) != NULL;
}
