/*
 * report.c - assemble the immutable report from a finished engine.
 */
#include <string.h>

#include "arena.h"
#include "engine.h"
#include "inventory.h"
#include "options.h"
#include "probe.h"
#include "report.h"
#include "target.h"

static void
report_targets(struct nd_arena *a, struct nd_probe *const *probes, size_t n,
    const struct nd_inventory *inv, struct nd_report *r)
{
	struct nd_report_target *rt;
	size_t *count, i, j;

	rt = nd_arena_alloc(a, (inv->ntargets + 1) * sizeof(*rt));
	count = nd_arena_alloc(a, (inv->ntargets + 1) * sizeof(*count));
	for (i = 0; i < inv->ntargets; i++)
		rt[i].target = inv->targets[i];
	/* Two passes: count, then fill; shared probes count once per target. */
	for (i = 0; i < n; i++)
		for (j = 0; j < probes[i]->nserved; j++) {
			size_t ti = probes[i]->served[j]->target->index;

			if (ti < inv->ntargets && (j == 0 ||
			    probes[i]->served[j - 1]->target->index != ti))
				count[ti]++;
		}
	for (i = 0; i < inv->ntargets; i++)
		rt[i].probes = nd_arena_alloc(a, (count[i] + 1) *
		    sizeof(*rt[i].probes));
	for (i = 0; i < n; i++) {
		const struct nd_probe *p = probes[i];

		for (j = 0; j < p->nserved; j++) {
			size_t ti = p->served[j]->target->index, k;
			struct nd_report_target *t;

			if (ti >= inv->ntargets || (j > 0 &&
			    p->served[j - 1]->target->index == ti))
				continue;
			t = &rt[ti];
			t->probes[t->nprobes++] = p;
			for (k = 0; k < p->nfindings; k++) {
				const struct nd_finding *f = p->findings[k];

				if (!nd_finding_failing(f))
					continue;
				if (t->worst == NULL ||
				    nd_sev_rank(f->sev) > nd_sev_rank(t->sev)) {
					t->sev = f->sev;
					t->worst = f;
				}
			}
		}
	}
	r->targets = rt;
	r->ntargets = inv->ntargets;
}

void
nd_report_build(struct nd_arena *a, const struct nd_engine *e,
    const struct nd_inventory *inv, const struct nd_options *opts,
    time_t started, struct nd_report *r)
{
	struct nd_cause *causes;
	size_t n, i;
	struct nd_probe *const *probes = nd_engine_probes(e, &n);
	enum nd_sev status = ND_SEV_OK;

	memset(r, 0, sizeof(*r));
	r->version = ND_VERSION;
	r->started = started;
	r->duration_ms = (double)nd_engine_elapsed_us(e) / 1000.0;
	nd_diagnose(a, probes, n, &causes, &r->ncauses);
	r->causes = causes;
	for (i = 0; i < r->ncauses; i++)
		status = nd_sev_worse(status, causes[i].sev);
	/* A probe that could not run leaves the verdict at least UNKNOWN. */
	for (i = 0; i < n; i++)
		if (probes[i]->status == ND_ERROR)
			status = nd_sev_worse(status, ND_SEV_UNKNOWN);
	r->status = status;
	r->exit_code = (int)nd_sev_exit(status);
	r->probes = probes;
	r->nprobes = n;
	r->opts = opts;
	r->max_inflight = nd_engine_max_inflight(e);
	report_targets(a, probes, n, inv, r);
}

const struct nd_reporter *
nd_reporter_find(const char *name)
{
	static const struct nd_reporter *const all[] = {
		&nd_report_text, &nd_report_json, &nd_report_nagios,
		&nd_report_markdown,
	};
	size_t i;

	for (i = 0; i < ND_ARRAY_SIZE(all); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
