/*
 * report_nagios.c - Nagios/Icinga plugin output (docs/monitoring-plugins.md 1):
 *
 *   NETDOCTOR CRITICAL - <top cause summary> | <run perfdata> <per layer>
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
#include <time.h>

#include "report.h"
#include "util.h"

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

/*
 * One label per layer, the same whatever the targets (an Icinga graph
 * keeps its name): the worst value over the targets, so several targets
 * show as the slowest connect and the nearest expiry.  The per-target
 * labels stay after the long text.
 */
static void
nagios_layers(FILE *f, const struct nd_report *r)
{
	const struct nd_report_sample *tcp = NULL;
	double tls = -1, dns = -1, days = 0, max = 0;
	bool have_days = false;
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		const struct nd_report_probe *p = &r->probes[i];
		const char *na;
		int64_t t;
		bool ran = p->status == ND_PASS || p->status == ND_WARN;

		if (p->sample != NULL) {
			max = p->sample->max;
			if (strcmp(p->name, "tcp") == 0 && (tcp == NULL ||
			    p->sample->value > tcp->value))
				tcp = p->sample;
		}
		if (ran && strcmp(p->name, "tls") == 0 &&
		    p->elapsed_ms / 1000.0 > tls)
			tls = p->elapsed_ms / 1000.0;
		if (ran && strcmp(p->name, "dns") == 0 &&
		    p->elapsed_ms / 1000.0 > dns)
			dns = p->elapsed_ms / 1000.0;
		if (strcmp(p->name, "tls") == 0 &&
		    (na = nd_report_evidence(p, "not_after")) != NULL &&
		    nd_parse_rfc3339(na, &t) == 0) {
			double d = (double)(t - (long long)now) / 86400.0;

			if (!have_days || d < days)
				days = d;
			have_days = true;
		}
	}
	if (tcp != NULL)
		fprintf(f, " 'tcp_connect'=%.6fs;%s;%s;0;%.3f", tcp->value,
		    tcp->warn, tcp->crit, tcp->max);
	if (tls >= 0)
		fprintf(f, " 'tls_handshake'=%.6fs;;;0;%.3f", tls, max);
	if (dns >= 0)
		fprintf(f, " 'dns_query'=%.6fs;;;0;%.3f", dns, max);
	if (have_days)
		fprintf(f, " 'cert_days'=%.1f;;;;", days);
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
	fprintf(f, " | 'duration'=%.6fs;;;0 'causes'=%zu;;;0 'probes'=%zu;;;0",
	    r->duration_ms / 1000.0, r->ncauses, r->nprobes);
	nagios_layers(f, r);
	fputc('\n', f);
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
	/*
	 * Perfdata after the long text (Nagios plugin guidelines 2.6).  No
	 * space after the '|': Icinga 2 (2.13) keeps it as part of the first
	 * label there ("' '127.0.0.1:6443''"); Nagios trims it either way.
	 */
	for (i = 0; i < r->nsamples; i++) {
		const struct nd_report_sample *s = r->samples[i];

		fputs(i ? "\n" : "|", f);
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
