/*
 * report_openmetrics.c - the report as Prometheus metrics, for `netdoctor
 * serve`'s /probe answer and for node_exporter's textfile collector
 * (`run --format openmetrics -o FILE`; docs/monitoring.md).
 *
 * Two variants of one exposition:
 *   prometheus    the Prometheus text format 0.0.4 ("Exposition formats"
 *                 in the Prometheus documentation)
 *   openmetrics   OpenMetrics 1.0 (the OpenMetrics specification): the
 *                 same families, ends with "# EOF"
 * Both keep to the subset the two share: gauges only (so no _total or
 * _created suffixes), HELP and TYPE before each family's samples, every
 * family's samples together, label values escaped (\\, \", \n).
 *
 * The names follow the blackbox_exporter where it has one (probe_success,
 * probe_duration_seconds), so its relabel configs and alert rules work
 * unchanged; everything else is netdoctor_*.  Label values come from a
 * bounded set (finding ids, layers, statuses, probe names) plus the
 * target and address the scrape itself named, so a failing target adds a
 * handful of series, not one per error message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "util.h"

/* Escapes a label value: backslash, double quote and line feed. */
static void
om_label_value(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* One label: ,name="value" (the comma only after the first). */
static void
om_label(FILE *f, bool *first, const char *name, const char *value)
{
	fprintf(f, "%s%s=\"", *first ? "" : ",", name);
	om_label_value(f, value);
	fputc('"', f);
	*first = false;
}

static void
om_family(FILE *f, const char *name, const char *help)
{
	/* HELP text here is ours and holds no '\\', '"' or line feed. */
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/*
 * A number in the form both formats read (Go's ParseFloat): up to nine
 * significant digits, exponent notation for the very small.
 */
static void
om_value(FILE *f, double v)
{
	fprintf(f, " %.9g\n", v);
}

static void
om_probe_labels(FILE *f, const struct nd_report_probe *p, bool *first)
{
	om_label(f, first, "probe", p->name);
	om_label(f, first, "target", p->target);
	if (p->address != NULL)
		om_label(f, first, "address", p->address);
}

/*
 * Two causes of one run may share id, severity, layer and target (the
 * same finding on two probes of a target); a series may appear once.
 */
static bool
om_cause_seen(const struct nd_report *r, size_t i)
{
	const struct nd_report_cause *c = &r->causes[i];
	size_t k;

	for (k = 0; k < i; k++) {
		const struct nd_report_cause *o = &r->causes[k];

		if (strcmp(o->id, c->id) == 0 && o->sev == c->sev &&
		    o->layer == c->layer && strcmp(o->target, c->target) == 0)
			return true;
	}
	return false;
}

static int
om_write(FILE *f, const struct nd_report *r, bool openmetrics)
{
	size_t i;
	bool first;
	int64_t na;

	om_family(f, "probe_success", "Whether every target checked is OK "
	    "or only WARNING (1) or not (0).");
	fputs("probe_success", f);
	om_value(f, nd_report_success(r) ? 1 : 0);
	om_family(f, "probe_duration_seconds", "How long the whole run "
	    "took, in seconds.");
	fputs("probe_duration_seconds", f);
	om_value(f, r->duration_ms / 1000.0);
	om_family(f, "netdoctor_status", "The run's exit code: 0 OK, "
	    "1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	fputs("netdoctor_status", f);
	om_value(f, r->exit_code);

	om_family(f, "netdoctor_cause", "A ranked cause of the diagnosis "
	    "(netdoctor explain ID says what it means); 1 while present.");
	for (i = 0; i < r->ncauses; i++) {
		const struct nd_report_cause *c = &r->causes[i];

		if (om_cause_seen(r, i))
			continue;
		first = true;
		fputs("netdoctor_cause{", f);
		om_label(f, &first, "id", c->id);
		om_label(f, &first, "severity", nd_sev_name(c->sev));
		om_label(f, &first, "layer", nd_layer_name(c->layer));
		om_label(f, &first, "target", c->target);
		fputc('}', f);
		om_value(f, 1);
	}

	om_family(f, "netdoctor_probe_status", "Each probe's status "
	    "(pass, warn, fail, skip, error) as a label; 1 for the one it "
	    "ended with.");
	for (i = 0; i < r->nprobes; i++) {
		first = true;
		fputs("netdoctor_probe_status{", f);
		om_probe_labels(f, &r->probes[i], &first);
		om_label(f, &first, "status",
		    nd_status_name(r->probes[i].status));
		fputc('}', f);
		om_value(f, 1);
	}

	om_family(f, "netdoctor_probe_duration_seconds", "How long each "
	    "probe ran, in seconds (0 when it did not run).");
	for (i = 0; i < r->nprobes; i++) {
		first = true;
		fputs("netdoctor_probe_duration_seconds{", f);
		om_probe_labels(f, &r->probes[i], &first);
		fputc('}', f);
		om_value(f, r->probes[i].elapsed_ms / 1000.0);
	}

	om_family(f, "netdoctor_tls_not_after_seconds", "When the leaf "
	    "certificate the tls probe saw expires, in Unix seconds.");
	for (i = 0; i < r->nprobes; i++) {
		const struct nd_report_probe *p = &r->probes[i];
		const char *s = nd_report_evidence(p, "not_after");

		if (strcmp(p->name, "tls") != 0 || s == NULL ||
		    nd_parse_rfc3339(s, &na) < 0)
			continue;
		first = true;
		fputs("netdoctor_tls_not_after_seconds{", f);
		om_label(f, &first, "target", p->target);
		if (p->address != NULL)
			om_label(f, &first, "address", p->address);
		fprintf(f, "} %lld\n", (long long)na);
	}
	if (openmetrics)
		fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}

static int
om_write_prometheus(FILE *f, const struct nd_report *r, unsigned flags)
{
	(void)flags;
	return om_write(f, r, false);
}

static int
om_write_openmetrics(FILE *f, const struct nd_report *r, unsigned flags)
{
	(void)flags;
	return om_write(f, r, true);
}

const struct nd_reporter nd_report_prometheus = {
	.name = "prometheus",
	.write = om_write_prometheus,
};

const struct nd_reporter nd_report_openmetrics = {
	.name = "openmetrics",
	.write = om_write_openmetrics,
};
