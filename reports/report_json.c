/*
 * report_json.c - the netdoctor.report.v1 JSON report (DESIGN.md 4.4).
 * Streams through core/jsonw.c: one cause or probe per line, nothing held
 * in memory but the report itself.  tests/unit/test_report_json.c parses
 * the output back with jansson.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "finding.h"
#include "jsonw.h"
#include "probe.h"
#include "report.h"
#include "target.h"

static void
json_cause(struct nd_jw *w, const struct nd_cause *c)
{
	const struct nd_finding *f = c->finding;
	size_t i;

	nd_jw_obj(w);
	nd_jw_kint(w, "rank", (long long)c->rank);
	nd_jw_kstr(w, "id", f->def->id);
	nd_jw_kstr(w, "severity", nd_sev_name(c->sev));
	nd_jw_kreal(w, "confidence", (double)c->confidence / 100.0, 2);
	nd_jw_kstr(w, "target", f->probe->target->url);
	nd_jw_kstr(w, "layer", nd_layer_name(c->layer));
	nd_jw_kstr(w, "summary", c->summary);
	nd_jw_key(w, "fix");
	nd_jw_arr(w);
	if (c->fix[0] != '\0')
		nd_jw_str(w, c->fix);
	nd_jw_arr_end(w);
	nd_jw_key(w, "evidence");
	nd_jw_arr(w);
	for (i = 0; i < f->nev; i++) {
		nd_jw_obj(w);
		nd_jw_kstr(w, "probe", f->probe->ops->name);
		nd_jw_kstr(w, "key", f->ev[i].key);
		nd_jw_kstr(w, "value", f->ev[i].value);
		nd_jw_obj_end(w);
	}
	if (c->addresses != NULL) {
		nd_jw_obj(w);
		nd_jw_kstr(w, "probe", f->probe->ops->name);
		nd_jw_kstr(w, "key", "addresses");
		nd_jw_kstr(w, "value", c->addresses);
		nd_jw_obj_end(w);
	}
	nd_jw_arr_end(w);
	nd_jw_key(w, "explains");
	nd_jw_arr(w);
	for (i = 0; i < c->nexplains; i++)
		nd_jw_str(w, c->explains[i]->id);
	nd_jw_arr_end(w);
	nd_jw_obj_end(w);
}

static void
json_probe(struct nd_jw *w, const struct nd_probe *p)
{
	bool ran = p->status != ND_SKIP && p->t_start != 0 &&
	    p->t_end >= p->t_start;
	size_t i, j;

	nd_jw_obj(w);
	nd_jw_kstr(w, "id", p->id);
	nd_jw_kstr(w, "probe", p->ops->name);
	nd_jw_kstr(w, "target", p->target->url);
	/* Where the target came from: the command line, FILE:LINE, discovery
	   ("docker container X"), --manifests. */
	nd_jw_kstr(w, "origin", p->target->origin != NULL ? p->target->origin :
	    "command line");
	if (p->nserved > 1) {
		/* A shared instance (one route lookup per destination). */
		nd_jw_key(w, "targets");
		nd_jw_arr(w);
		for (i = 0; i < p->nserved; i++)
			nd_jw_str(w, p->served[i]->target->url);
		nd_jw_arr_end(w);
	}
	nd_jw_kstr(w, "address", p->ep->label[0] != '\0' ? p->ep->label :
	    NULL);
	nd_jw_kstr(w, "layer", nd_layer_name(p->ops->layer));
	nd_jw_kstr(w, "status", nd_status_name(p->status));
	nd_jw_kreal(w, "elapsed_ms", ran ?
	    (double)(p->t_end - p->t_start) / 1000.0 : 0.0, 3);
	nd_jw_kstr(w, "blocked_by", p->blocked_by != NULL ?
	    p->blocked_by->id : NULL);
	nd_jw_key(w, "findings");
	nd_jw_arr(w);
	for (i = 0; i < p->nfindings; i++) {
		const struct nd_finding *f = p->findings[i];

		nd_jw_obj(w);
		nd_jw_kstr(w, "id", f->def->id);
		nd_jw_kstr(w, "severity", nd_sev_name(f->sev));
		nd_jw_kstr(w, "summary", f->summary);
		nd_jw_key(w, "evidence");
		nd_jw_obj(w);
		for (j = 0; j < f->nev; j++)
			nd_jw_kstr(w, f->ev[j].key, f->ev[j].value);
		if (f->ndropped > 0)
			nd_jw_kint(w, "evidence_dropped",
			    (long long)f->ndropped);
		nd_jw_obj_end(w);
		nd_jw_obj_end(w);
	}
	nd_jw_arr_end(w);
	nd_jw_obj_end(w);
}

static int
json_write(FILE *f, const struct nd_report *r)
{
	struct nd_jw w;
	char started[32];
	struct tm tm;
	size_t i;

	gmtime_r(&r->started, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	nd_jw_init(&w, f);
	nd_jw_obj(&w);
	nd_jw_raw(&w, "\n");
	nd_jw_kstr(&w, "schema", "netdoctor.report.v1");
	nd_jw_raw(&w, "\n");
	nd_jw_kstr(&w, "netdoctor", r->version);
	nd_jw_raw(&w, "\n");
	nd_jw_kstr(&w, "started", started);
	nd_jw_raw(&w, "\n");
	nd_jw_kreal(&w, "duration_ms", r->duration_ms, 3);
	nd_jw_raw(&w, "\n");
	nd_jw_kstr(&w, "status", nd_sev_name(r->status));
	nd_jw_raw(&w, "\n");
	nd_jw_kint(&w, "exit_code", r->exit_code);
	nd_jw_raw(&w, "\n");
	nd_jw_key(&w, "causes");
	nd_jw_arr(&w);
	for (i = 0; i < r->ncauses; i++) {
		nd_jw_raw(&w, i ? "\n  " : "\n  ");
		json_cause(&w, &r->causes[i]);
	}
	nd_jw_raw(&w, r->ncauses ? "\n" : "");
	nd_jw_arr_end(&w);
	nd_jw_raw(&w, "\n");
	nd_jw_key(&w, "probes");
	nd_jw_arr(&w);
	for (i = 0; i < r->nprobes; i++) {
		nd_jw_raw(&w, "\n  ");
		json_probe(&w, r->probes[i]);
	}
	nd_jw_raw(&w, r->nprobes ? "\n" : "");
	nd_jw_arr_end(&w);
	nd_jw_raw(&w, "\n");
	nd_jw_obj_end(&w);
	nd_jw_raw(&w, "\n");
	return w.error || ferror(f) ? -EIO : 0;
}

const struct nd_reporter nd_report_json = {
	.name = "json",
	.write = json_write,
};
