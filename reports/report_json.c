/*
 * report_json.c - the netdoctor.report.v1 JSON report (DESIGN.md 4.4),
 * written with jansson.  Causes and probes are written one object at a
 * time (one per line) so that a run with 10,000 targets does not hold the
 * whole document in memory twice.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "finding.h"
#include "probe.h"
#include "report.h"
#include "target.h"

static json_t *
json_finding_evidence(const struct nd_finding *f)
{
	json_t *ev = json_object();
	size_t i;

	for (i = 0; i < f->nev; i++)
		json_object_set_new(ev, f->ev[i].key,
		    json_string(f->ev[i].value));
	if (f->ndropped > 0)
		json_object_set_new(ev, "evidence_dropped",
		    json_integer((json_int_t)f->ndropped));
	return ev;
}

static json_t *
json_cause(const struct nd_cause *c)
{
	const struct nd_finding *f = c->finding;
	json_t *o = json_object(), *ev = json_array(), *ex = json_array();
	json_t *fix = json_array();
	size_t i;

	json_object_set_new(o, "rank", json_integer((json_int_t)c->rank));
	json_object_set_new(o, "id", json_string(f->def->id));
	json_object_set_new(o, "severity", json_string(nd_sev_name(c->sev)));
	json_object_set_new(o, "confidence",
	    json_real((double)c->confidence / 100.0));
	json_object_set_new(o, "target", json_string(f->probe->target->url));
	json_object_set_new(o, "layer", json_string(nd_layer_name(c->layer)));
	json_object_set_new(o, "summary", json_string(f->summary));
	if (c->fix[0] != '\0')
		json_array_append_new(fix, json_string(c->fix));
	json_object_set_new(o, "fix", fix);
	for (i = 0; i < f->nev; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "probe", json_string(f->probe->ops->name));
		json_object_set_new(e, "key", json_string(f->ev[i].key));
		json_object_set_new(e, "value", json_string(f->ev[i].value));
		json_array_append_new(ev, e);
	}
	json_object_set_new(o, "evidence", ev);
	for (i = 0; i < c->nexplains; i++)
		json_array_append_new(ex, json_string(c->explains[i]->id));
	json_object_set_new(o, "explains", ex);
	return o;
}

static json_t *
json_probe(const struct nd_probe *p)
{
	json_t *o = json_object(), *fs = json_array();
	size_t i;
	bool ran = p->status != ND_SKIP && p->t_start != 0;

	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "probe", json_string(p->ops->name));
	json_object_set_new(o, "target", json_string(p->target->url));
	if (p->nserved > 1) {
		/* A shared instance (one route lookup per destination). */
		json_t *ts = json_array();

		for (i = 0; i < p->nserved; i++)
			json_array_append_new(ts,
			    json_string(p->served[i]->target->url));
		json_object_set_new(o, "targets", ts);
	}
	json_object_set_new(o, "address", p->ep->label[0] != '\0' ?
	    json_string(p->ep->label) : json_null());
	json_object_set_new(o, "layer", json_string(nd_layer_name(p->ops->layer)));
	json_object_set_new(o, "status", json_string(nd_status_name(p->status)));
	json_object_set_new(o, "elapsed_ms", json_real(ran && p->t_end >=
	    p->t_start ? (double)(p->t_end - p->t_start) / 1000.0 : 0.0));
	json_object_set_new(o, "blocked_by", p->blocked_by != NULL ?
	    json_string(p->blocked_by->id) : json_null());
	for (i = 0; i < p->nfindings; i++) {
		const struct nd_finding *f = p->findings[i];
		json_t *fo = json_object();

		json_object_set_new(fo, "id", json_string(f->def->id));
		json_object_set_new(fo, "severity",
		    json_string(nd_sev_name(f->sev)));
		json_object_set_new(fo, "summary", json_string(f->summary));
		json_object_set_new(fo, "evidence", json_finding_evidence(f));
		json_array_append_new(fs, fo);
	}
	json_object_set_new(o, "findings", fs);
	return o;
}

/* Writes one value compactly, then releases it. */
static int
json_put(FILE *f, json_t *v)
{
	int rc = json_dumpf(v, f, JSON_COMPACT | JSON_REAL_PRECISION(6) |
	    JSON_ENSURE_ASCII);

	json_decref(v);
	return rc;
}

static int
json_write(FILE *f, const struct nd_report *r)
{
	char started[32];
	struct tm tm;
	size_t i;
	int rc = 0;

	gmtime_r(&r->started, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("{\n\"schema\": \"netdoctor.report.v1\",\n", f);
	fprintf(f, "\"netdoctor\": \"%s\",\n", r->version);
	fprintf(f, "\"started\": \"%s\",\n", started);
	fprintf(f, "\"duration_ms\": %.3f,\n", r->duration_ms);
	fprintf(f, "\"status\": \"%s\",\n", nd_sev_name(r->status));
	fprintf(f, "\"exit_code\": %d,\n", r->exit_code);
	fputs("\"causes\": [", f);
	for (i = 0; i < r->ncauses && rc == 0; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		rc = json_put(f, json_cause(&r->causes[i]));
	}
	fputs(r->ncauses ? "\n],\n" : "],\n", f);
	fputs("\"probes\": [", f);
	for (i = 0; i < r->nprobes && rc == 0; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		rc = json_put(f, json_probe(r->probes[i]));
	}
	fputs(r->nprobes ? "\n]\n}\n" : "]\n}\n", f);
	if (rc != 0 || ferror(f))
		return -EIO;
	return 0;
}

const struct nd_reporter nd_report_json = {
	.name = "json",
	.write = json_write,
};
