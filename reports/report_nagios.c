/*
 * report_nagios.c - Nagios/Icinga plugin output (docs/monitoring-plugins.md 1):
 *
 *   NETDOCTOR CRITICAL - <top cause summary> | <run perfdata>
 *   \_[CRITICAL] <target>: <its worst finding>
 *   ...
 *   | <per-target connect-time perfdata, one per line>
 *
 * The first line is what Nagios shows; '|' inside text is replaced by a
 * space (monitoring-plugins lib/output.c sanitize_output_insitu); numbers
 * are printed in the C locale (netdoctor never calls setlocale).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

#define NAGIOS_MAX_SUMMARY	200

static void
nagios_text(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++)
		fputc(s[i] == '|' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
		    ' ' : s[i], f);
	if (s[i] != '\0')
		fputs("...", f);
}

static void
nagios_state(char *buf, size_t len, enum nd_sev sev)
{
	const char *n = nd_sev_name(sev == ND_SEV_INFO ? ND_SEV_OK : sev);
	size_t i;

	for (i = 0; i + 1 < len && n[i] != '\0'; i++)
		buf[i] = (char)(n[i] - 'a' + 'A');
	buf[i] = '\0';
}

/* Perfdata labels may hold anything but '=' and '\''. */
static void
nagios_label(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++)
		fputc(*s == '=' || *s == '\'' ? '_' : *s, f);
	fputc('\'', f);
}

static int
nagios_write(FILE *f, const struct nd_report *r, unsigned flags)
{
	char state[16];
	size_t i;

	nagios_state(state, sizeof(state), r->status);
	fprintf(f, "NETDOCTOR %s - ", state);
	if (r->ncauses > 0) {
		nagios_text(f, r->causes[0].summary,
		    NAGIOS_MAX_SUMMARY);
		if (r->ncauses > 1)
			fprintf(f, " (+%zu more cause%s)", r->ncauses - 1,
			    r->ncauses == 2 ? "" : "s");
	} else {
		fprintf(f, "%zu target%s, every layer passed", r->ntargets,
		    r->ntargets == 1 ? "" : "s");
	}
	fprintf(f, " | 'duration'=%.6fs;;;0 'causes'=%zu;;;0 'probes'=%zu;;;0\n",
	    r->duration_ms / 1000.0, r->ncauses, r->nprobes);
	for (i = 0; i < r->ntargets; i++) {
		const struct nd_report_target *t = &r->targets[i];

		nagios_state(state, sizeof(state), t->sev);
		fprintf(f, "\\_[%s] ", state);
		nagios_text(f, t->url, 256);
		fputs(": ", f);
		if (t->worst != NULL)
			nagios_text(f, t->worst->summary, NAGIOS_MAX_SUMMARY);
		else
			fputs("every layer passed", f);
		fputc('\n', f);
	}
	/* Perfdata after the long text (Nagios plugin guidelines 2.6). */
	for (i = 0; i < r->nsamples; i++) {
		const struct nd_report_sample *s = r->samples[i];

		fputs(i ? "\n" : "| ", f);
		nagios_label(f, s->label);
		fprintf(f, "=%.6f%s;%s;%s;%g;%.3f", s->value, s->unit, s->warn,
		    s->crit, s->min, s->max);
	}
	if (r->nsamples > 0)
		fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

const struct nd_reporter nd_report_nagios = {
	.name = "nagios",
	.write = nagios_write,
};
