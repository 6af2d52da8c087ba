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

/*
 * 64 KiB: a 6.5 MB report in 100 writes.  Each page of it is a first
 * touch (a fault of 10 to 30 us on a virtual machine) and resident
 * memory; 256 KiB saved 75 writes and cost 48 more faults.
 */
static char obuf[1 << 16];

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
	/*
	 * Large reports: a few big writes instead of thousands of 4 KiB ones.
	 * glibc ignores the size unless it is given the buffer too; one
	 * report is written per process, so one static buffer serves.
	 */
	(void)setvbuf(f, obuf, _IOFBF, sizeof(obuf));
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
