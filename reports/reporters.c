/*
 * reporters.c - the output formats by name: --format, -o and the usage
 * text all read this one table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

extern const struct nd_reporter nd_report_text, nd_report_json,
    nd_report_nagios, nd_report_markdown, nd_report_openmetrics,
    nd_report_prometheus;

static const struct nd_reporter *const reporters[] = {
	&nd_report_text, &nd_report_json, &nd_report_nagios,
	&nd_report_markdown, &nd_report_openmetrics, &nd_report_prometheus,
};

const struct nd_reporter *
nd_reporter_find(const char *name)
{
	size_t i;

	for (i = 0; i < ND_ARRAY_SIZE(reporters); i++)
		if (strcmp(reporters[i]->name, name) == 0)
			return reporters[i];
	return NULL;
}

const char *
nd_reporter_names(void)
{
	static char names[128];
	size_t i, o = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < ND_ARRAY_SIZE(reporters) && o < sizeof(names); i++) {
		size_t n = strlen(reporters[i]->name);

		if (o + n + 3 > sizeof(names))
			break;
		if (i > 0) {
			memcpy(names + o, ", ", 2);
			o += 2;
		}
		memcpy(names + o, reporters[i]->name, n);
		o += n;
	}
	names[o] = '\0';
	return names;
}

int
nd_report_write(const struct nd_report *r, const char *format,
    const char *output, unsigned flags, char *err, size_t len)
{
	const struct nd_reporter *rep = nd_reporter_find(format);
	char tmp[4096];
	FILE *f = stdout;
	int rc;

	if (rep == NULL) {
		snprintf(err, len, "unknown format '%s' (%s)", format,
		    nd_reporter_names());
		return -EINVAL;
	}
	if (output != NULL) {
		/* Write aside and rename: a failed run never leaves half a file. */
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", output,
		    (long)getpid());
		if ((f = fopen(tmp, "w")) == NULL) {
			snprintf(err, len, "-o %s: %s", output,
			    strerror(errno));
			return -errno;
		}
	}
	/* Large reports: a few big writes instead of thousands of 4 KiB ones. */
	(void)setvbuf(f, NULL, _IOFBF, 1 << 18);
	rc = rep->write(f, r, flags);
	if (fflush(f) != 0 && rc == 0)
		rc = -errno;
	if (output != NULL) {
		if (fclose(f) != 0 && rc == 0)
			rc = -errno;
		if (rc == 0 && rename(tmp, output) < 0)
			rc = -errno;
		if (rc < 0)
			(void)unlink(tmp);
	}
	if (rc < 0)
		snprintf(err, len, "writing the report: %s", strerror(-rc));
	return rc;
}

bool
nd_report_success(const struct nd_report *r)
{
	return r->status == ND_SEV_OK || r->status == ND_SEV_INFO ||
	    (r->status == ND_SEV_WARN && !r->warning_fails);
}

/*
 * The tls probe's not_after evidence, "2026-11-22T10:00:00Z" (UTC), as
 * Unix seconds.  Returns 0, or -EINVAL for anything else.
 */
int
nd_report_parse_utc(const char *s, long long *ret)
{
	struct tm tm;
	int v[6], i, k;
	const char *p = s;
	static const char seps[] = "--T::Z";
	static const int width[] = { 4, 2, 2, 2, 2, 2 };

	for (i = 0; i < 6; i++) {
		v[i] = 0;
		for (k = 0; k < width[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			v[i] = v[i] * 10 + (*p - '0');
		}
		if (*p++ != seps[i])
			return -EINVAL;
	}
	if (*p != '\0' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*ret = (long long)timegm(&tm);
	return 0;
}

const char *
nd_report_evidence(const struct nd_report_probe *p, const char *key)
{
	size_t i, j;

	for (i = 0; i < p->nfindings; i++)
		for (j = 0; j < p->findings[i].nev; j++)
			if (strcmp(p->findings[i].ev[j].key, key) == 0)
				return p->findings[i].ev[j].value;
	return NULL;
}
