/*
 * model.c - the finished run as the report model (reports/report.h):
 * probes, then causes that point at them, then targets with their probes
 * lowest layer first, then the perfdata samples.  The reporters read the
 * model only; this is the one place that knows both the engine's objects
 * and the model's rows.
 */
#include <string.h>

#include "arena.h"
#include "diagnose.h"
#include "finding.h"
#include "model.h"
#include "probe.h"
#include "range.h"
#include "report.h"
#include "target.h"

/* p's findings, at v (room for them); returns the room after them. */
static struct nd_report_finding *
model_findings(const struct nd_probe *p, struct nd_report_finding *v,
    struct nd_report_probe *rp)
{
	size_t i;

	for (i = 0; i < p->nfindings; i++) {
		const struct nd_finding *f = p->findings[i];

		v[i].id = f->def->id;
		v[i].sev = f->sev;
		v[i].failing = nd_finding_failing(f);
		v[i].summary = f->summary;
		v[i].ev = f->ev;	/* immutable once the run ended */
		v[i].nev = f->nev;
		v[i].ndropped = f->ndropped;
	}
	rp->findings = v;
	rp->nfindings = p->nfindings;
	return v + p->nfindings;
}

/* The ranges every sample carries, formatted once (-w, -c). */
struct model_ranges {
	const char	*warn, *crit;
};

static void
model_sample(struct nd_arena *a, const struct nd_report_input *in,
    const struct model_ranges *mr, const struct nd_probe *p,
    struct nd_report_probe *rp)
{
	struct nd_report_sample *s;

	rp->sample = NULL;
	if (p->measured_s <= 0)
		return;
	s = nd_arena_alloc(a, sizeof(*s));
	s->label = p->ep->label;
	s->value = p->measured_s;
	s->unit = "s";
	s->warn = mr->warn;
	s->crit = mr->crit;
	s->min = 0;
	s->max = (double)in->timeout_ms / 1000.0;
	rp->sample = s;
}

/* Returns how many probes have a sample. */
static size_t
model_probes(struct nd_arena *a, const struct nd_report_input *in,
    struct nd_report_probe *v)
{
	char w[ND_RANGE_TEXT_MAX] = "", c[ND_RANGE_TEXT_MAX] = "";
	struct model_ranges mr;
	struct nd_report_finding *fv;
	size_t i, j, nf = 0, ns = 0;

	if (in->warn != NULL)
		nd_range_format(in->warn, w, sizeof(w));
	if (in->crit != NULL)
		nd_range_format(in->crit, c, sizeof(c));
	mr.warn = nd_arena_strdup(a, w);
	mr.crit = nd_arena_strdup(a, c);
	/* One array for every probe's findings, each probe's a slice. */
	for (i = 0; i < in->nprobes; i++)
		nf += in->probes[i]->nfindings;
	/* Every field is written below: not zeroed first (the rows of
	   10,000 probes are 1.5 MB, touched once rather than twice). */
	fv = nd_arena_alloc_raw(a, (nf + 1) * sizeof(*fv));
	for (i = 0; i < in->nprobes; i++) {
		const struct nd_probe *p = in->probes[i];
		const struct nd_target *t = p->target;
		struct nd_report_probe *rp = &v[i];
		bool ran = p->status != ND_SKIP && p->t_start != 0 &&
		    p->t_end >= p->t_start;

		rp->id = p->id;
		rp->name = p->ops->name;
		rp->target = t->url;
		rp->origin = t->origin != NULL ? t->origin : "command line";
		rp->targets = NULL;
		rp->ntargets = 0;
		if (p->nserved > 1) {
			const char **urls = nd_arena_alloc(a, (p->nserved + 1) *
			    sizeof(*urls));

			for (j = 0; j < p->nserved; j++)
				urls[j] = p->served[j]->target->url;
			rp->targets = urls;
			rp->ntargets = p->nserved;
		}
		rp->address = p->ep->label[0] != '\0' ? p->ep->label : NULL;
		rp->per_address = p->ep->addrlen > 0 && t->host != NULL &&
		    !t->host_is_ip && !p->ops->fans_out ? p->ep->addrstr : NULL;
		rp->layer = p->ops->layer;
		rp->status = p->status;
		rp->elapsed_ms = ran ? (double)(p->t_end - p->t_start) /
		    1000.0 : 0.0;
		/* Plan order is index order: the need is already in v. */
		rp->blocked_by = p->blocked_by != NULL &&
		    p->blocked_by->index < in->nprobes ?
		    &v[p->blocked_by->index] : NULL;
		fv = model_findings(p, fv, rp);
		model_sample(a, in, &mr, p, rp);
		ns += rp->sample != NULL;
	}
	return ns;
}

static void
model_causes(struct nd_arena *a, const struct nd_report_input *in,
    const struct nd_report_probe *probes, struct nd_report_cause *v)
{
	size_t i, j;

	for (i = 0; i < in->ncauses; i++) {
		const struct nd_cause *c = &in->causes[i];
		const struct nd_finding *f = c->finding;
		struct nd_report_cause *rc = &v[i];
		const struct nd_report_probe **ex;

		rc->rank = c->rank;
		rc->id = f->def->id;
		rc->sev = c->sev;
		rc->confidence = (double)c->confidence / 100.0;
		rc->layer = c->layer;
		rc->target = f->probe->target->url;
		rc->probe = f->probe->ops->name;
		rc->summary = c->summary;
		rc->fix = c->fix;
		rc->addresses = c->addresses;
		rc->ev = f->ev;
		rc->nev = f->nev;
		ex = nd_arena_alloc(a, (c->nexplains + 1) * sizeof(*ex));
		for (j = 0; j < c->nexplains; j++)
			ex[j] = &probes[c->explains[j]->index];
		rc->explains = ex;
		rc->nexplains = c->nexplains;
	}
}

/*
 * Each target's probes, lowest layer first (plan order); a shared probe
 * counts once per target it serves.  Two passes: count, then fill.
 */
static void
model_targets(struct nd_arena *a, const struct nd_report_input *in,
    const struct nd_report_probe *probes, struct nd_report_target *rt)
{
	struct nd_probe *const *pv = in->probes;
	const struct nd_report_probe **slice;
	size_t i, j, n, nt = in->ntargets;

	/* nprobes counts first, then fills each target's slice. */
	for (i = 0; i < nt; i++) {
		rt[i].url = in->targets[i]->url;
		rt[i].nprobes = 0;
		rt[i].sev = ND_SEV_OK;
		rt[i].worst = NULL;
	}
	for (i = 0; i < in->nprobes; i++)
		for (j = 0; j < pv[i]->nserved; j++) {
			size_t ti = pv[i]->served[j]->target->index;

			if (ti < nt && (j == 0 ||
			    pv[i]->served[j - 1]->target->index != ti))
				rt[ti].nprobes++;
		}
	/* One array, each target's a slice. */
	for (i = 0, n = 0; i < nt; i++)
		n += rt[i].nprobes;
	slice = nd_arena_alloc_raw(a, (n + 1) * sizeof(*slice));
	for (i = 0; i < nt; i++) {
		rt[i].probes = slice;
		slice += rt[i].nprobes;
		rt[i].nprobes = 0;
	}
	for (i = 0; i < in->nprobes; i++) {
		const struct nd_probe *p = pv[i];
		const struct nd_report_probe *rp = &probes[i];

		for (j = 0; j < p->nserved; j++) {
			size_t ti = p->served[j]->target->index, k;
			struct nd_report_target *t;

			if (ti >= nt || (j > 0 &&
			    p->served[j - 1]->target->index == ti))
				continue;
			t = &rt[ti];
			t->probes[t->nprobes++] = rp;
			for (k = 0; k < rp->nfindings; k++) {
				const struct nd_report_finding *f =
				    &rp->findings[k];

				if (!f->failing)
					continue;
				if (t->worst == NULL ||
				    nd_sev_rank(f->sev) > nd_sev_rank(t->sev)) {
					t->sev = f->sev;
					t->worst = f;
				}
			}
		}
	}
}

void
nd_report_build(struct nd_arena *a, const struct nd_report_input *in,
    struct nd_report *r)
{
	struct nd_report_probe *probes;
	struct nd_report_cause *causes;
	struct nd_report_target *targets;
	const struct nd_report_sample **samples;
	enum nd_sev status = ND_SEV_OK;
	size_t i, ns;

	memset(r, 0, sizeof(*r));
	r->version = ND_VERSION;
	r->started = in->started;
	r->duration_ms = (double)in->elapsed_us / 1000.0;

	/* The rows are written whole by the model_* functions. */
	probes = nd_arena_alloc_raw(a, (in->nprobes + 1) * sizeof(*probes));
	ns = model_probes(a, in, probes);
	causes = nd_arena_alloc(a, (in->ncauses + 1) * sizeof(*causes));
	model_causes(a, in, probes, causes);
	targets = nd_arena_alloc_raw(a, (in->ntargets + 1) *
	    sizeof(*targets));
	model_targets(a, in, probes, targets);
	samples = nd_arena_alloc_raw(a, (ns + 1) * sizeof(*samples));
	for (i = 0, ns = 0; i < in->nprobes; i++)
		if (probes[i].sample != NULL)
			samples[ns++] = probes[i].sample;

	for (i = 0; i < in->ncauses; i++)
		status = nd_sev_worse(status, causes[i].sev);
	/* A probe that could not run leaves the verdict at least UNKNOWN. */
	for (i = 0; i < in->nprobes; i++)
		if (probes[i].status == ND_ERROR)
			status = nd_sev_worse(status, ND_SEV_UNKNOWN);
	if (in->interrupted)
		status = ND_SEV_UNKNOWN;
	r->status = status;
	r->exit_code = (int)nd_sev_exit(status);
	r->causes = causes;
	r->ncauses = in->ncauses;
	r->probes = probes;
	r->nprobes = in->nprobes;
	r->targets = targets;
	r->ntargets = in->ntargets;
	r->samples = samples;
	r->nsamples = ns;
}
