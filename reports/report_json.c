/*
 * report_json.c - the netdoctor.report.v1 JSON report (docs/contracts.md 5).
 * Streams through core/jsonw.c: one cause or probe per line, nothing held
 * in memory but the report itself.  The lab tests parse it back with jq
 * the output back with jansson.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "jsonw.h"
#include "report.h"

static void
json_cause(struct nd_jw *w, const struct nd_report_cause *c)
{
	size_t i;

	nd_jw_obj(w);
	nd_jw_key_lit(w, ND_JW_LIT("rank"));
	nd_jw_int(w, (long long)c->rank);
	nd_jw_kstr_lit(w, ND_JW_LIT("id"), c->id);
	nd_jw_kstr_lit(w, ND_JW_LIT("severity"), nd_sev_name(c->sev));
	nd_jw_key_lit(w, ND_JW_LIT("confidence"));
	nd_jw_real(w, c->confidence, 2);
	nd_jw_kstr_lit(w, ND_JW_LIT("target"), c->target);
	nd_jw_kstr_lit(w, ND_JW_LIT("layer"), nd_layer_name(c->layer));
	nd_jw_kstr_lit(w, ND_JW_LIT("summary"), c->summary);
	nd_jw_key_lit(w, ND_JW_LIT("fix"));
	nd_jw_arr(w);
	if (c->fix[0] != '\0')
		nd_jw_str(w, c->fix);
	nd_jw_arr_end(w);
	nd_jw_key_lit(w, ND_JW_LIT("evidence"));
	nd_jw_arr(w);
	for (i = 0; i < c->nev; i++) {
		nd_jw_obj(w);
		nd_jw_kstr_lit(w, ND_JW_LIT("probe"), c->probe);
		nd_jw_kstr_lit(w, ND_JW_LIT("key"), c->ev[i].key);
		nd_jw_kstr_lit(w, ND_JW_LIT("value"), c->ev[i].value);
		nd_jw_obj_end(w);
	}
	if (c->addresses != NULL) {
		nd_jw_obj(w);
		nd_jw_kstr_lit(w, ND_JW_LIT("probe"), c->probe);
		nd_jw_kstr_lit(w, ND_JW_LIT("key"), "addresses");
		nd_jw_kstr_lit(w, ND_JW_LIT("value"), c->addresses);
		nd_jw_obj_end(w);
	}
	nd_jw_arr_end(w);
	nd_jw_key_lit(w, ND_JW_LIT("explains"));
	nd_jw_arr(w);
	for (i = 0; i < c->nexplains; i++)
		nd_jw_str(w, c->explains[i]->id);
	nd_jw_arr_end(w);
	nd_jw_obj_end(w);
}

static void
json_probe(struct nd_jw *w, const struct nd_report_probe *p)
{
	size_t i, j;

	nd_jw_obj(w);
	nd_jw_kstr_lit(w, ND_JW_LIT("id"), p->id);
	nd_jw_kstr_lit(w, ND_JW_LIT("probe"), p->name);
	nd_jw_kstr_lit(w, ND_JW_LIT("target"), p->target);
	/* Where the target came from: the command line, FILE:LINE, discovery
	   ("docker container X"), --manifests. */
	nd_jw_kstr_lit(w, ND_JW_LIT("origin"), p->origin);
	if (p->ntargets > 1) {
		/* A shared instance (one route lookup per destination). */
		nd_jw_key_lit(w, ND_JW_LIT("targets"));
		nd_jw_arr(w);
		for (i = 0; i < p->ntargets; i++)
			nd_jw_str(w, p->targets[i]);
		nd_jw_arr_end(w);
	}
	nd_jw_kstr_lit(w, ND_JW_LIT("address"), p->address);
	nd_jw_kstr_lit(w, ND_JW_LIT("layer"), nd_layer_name(p->layer));
	nd_jw_kstr_lit(w, ND_JW_LIT("status"), nd_status_name(p->status));
	nd_jw_key_lit(w, ND_JW_LIT("elapsed_ms"));
	nd_jw_real(w, p->elapsed_ms, 3);
	nd_jw_kstr_lit(w, ND_JW_LIT("blocked_by"), p->blocked_by != NULL ?
	    p->blocked_by->id : NULL);
	nd_jw_key_lit(w, ND_JW_LIT("findings"));
	nd_jw_arr(w);
	for (i = 0; i < p->nfindings; i++) {
		const struct nd_report_finding *f = &p->findings[i];

		nd_jw_obj(w);
		nd_jw_kstr_lit(w, ND_JW_LIT("id"), f->id);
		nd_jw_kstr_lit(w, ND_JW_LIT("severity"), nd_sev_name(f->sev));
		nd_jw_kstr_lit(w, ND_JW_LIT("summary"), f->summary);
		nd_jw_key_lit(w, ND_JW_LIT("evidence"));
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
json_write(FILE *f, const struct nd_report *r, unsigned flags)
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
	nd_jw_kstr_lit(&w, ND_JW_LIT("schema"), "netdoctor.report.v1");
	nd_jw_raw(&w, "\n");
	nd_jw_kstr_lit(&w, ND_JW_LIT("netdoctor"), r->version);
	nd_jw_raw(&w, "\n");
	nd_jw_kstr_lit(&w, ND_JW_LIT("started"), started);
	nd_jw_raw(&w, "\n");
	nd_jw_key_lit(&w, ND_JW_LIT("duration_ms"));
	nd_jw_real(&w, r->duration_ms, 3);
	nd_jw_raw(&w, "\n");
	nd_jw_kstr_lit(&w, ND_JW_LIT("status"), nd_sev_name(r->status));
	nd_jw_raw(&w, "\n");
	nd_jw_key_lit(&w, ND_JW_LIT("exit_code"));
	nd_jw_int(&w, r->exit_code);
	nd_jw_raw(&w, "\n");
	nd_jw_key_lit(&w, ND_JW_LIT("causes"));
	nd_jw_arr(&w);
	for (i = 0; i < r->ncauses; i++) {
		nd_jw_raw(&w, i ? "\n  " : "\n  ");
		json_cause(&w, &r->causes[i]);
	}
	nd_jw_raw(&w, r->ncauses ? "\n" : "");
	nd_jw_arr_end(&w);
	nd_jw_raw(&w, "\n");
	nd_jw_key_lit(&w, ND_JW_LIT("probes"));
	nd_jw_arr(&w);
	for (i = 0; i < r->nprobes; i++) {
		nd_jw_raw(&w, "\n  ");
		json_probe(&w, &r->probes[i]);
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
