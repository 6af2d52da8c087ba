/*
 * diagnose.c - from findings to ranked root causes (DESIGN.md 2).
 *
 * A failing finding is a root-cause candidate when its probe's
 * prerequisites passed (a skipped probe has no findings, so every failing
 * finding qualifies).  A cause explains the probes its probe blocked.
 * Rules add what one probe cannot see alone: a note on a passing lower
 * probe becomes the cause of a failure above it, and that failure is then
 * explained instead of ranked on its own.  Rank: severity, then how many
 * probes the cause explains, then lower layer first, then confidence, then
 * input order (a stable sort).
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "finding.h"
#include "probe.h"
#include "report.h"
#include "target.h"

/*
 * A note (cause) on a probe that another probe needs, transitively, and a
 * symptom on that other probe: the note explains the symptom.
 */
static const struct diag_rule {
	enum nd_code	cause;
	enum nd_code	symptoms[4];
	size_t		nsymptoms;
} diag_rules[] = {
	/* A private target only the default route covers, then silence. */
	{ ND_F_ROUTE_UNROUTABLE_PRIVATE,
	  { ND_F_TCP_TIMEOUT, ND_F_TCP_HOST_UNREACHABLE }, 2 },
};

struct diag_state {
	struct nd_arena		*arena;
	struct nd_cause		*causes;
	size_t			 ncauses, cap;
	/* findings already explained by a rule: not causes themselves */
	const struct nd_finding	**explained;
	size_t			 nexplained, explained_cap;
};

static struct nd_finding *
diag_find(const struct nd_probe *p, enum nd_code code)
{
	size_t i;

	for (i = 0; i < p->nfindings; i++)
		if (p->findings[i]->def->code == code)
			return p->findings[i];
	return NULL;
}

/* The closest probe p needs (transitively) that carries code. */
static struct nd_finding *
diag_find_below(const struct nd_probe *p, enum nd_code code, int depth)
{
	size_t i;
	struct nd_finding *f;

	if (depth > 16)
		return NULL;
	for (i = 0; i < p->nneeds; i++) {
		if ((f = diag_find(p->needs[i], code)) != NULL)
			return f;
		if ((f = diag_find_below(p->needs[i], code, depth + 1)) != NULL)
			return f;
	}
	return NULL;
}

static struct nd_cause *
diag_cause(struct diag_state *s, const struct nd_finding *f, enum nd_sev sev,
    bool dedupe)
{
	struct nd_cause *c;
	size_t i;

	for (i = 0; dedupe && i < s->ncauses; i++)
		if (s->causes[i].finding == f)
			return &s->causes[i];
	if (s->ncauses == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->causes = nd_arena_grow(s->arena, s->causes, s->ncauses,
		    s->cap, sizeof(*s->causes));
	}
	c = &s->causes[s->ncauses++];
	memset(c, 0, sizeof(*c));
	c->finding = f;
	c->sev = sev;
	c->confidence = f->def->confidence;
	c->layer = f->def->layer;
	c->order = f->probe->target->index * 1000000u + f->probe->index;
	c->fix = nd_fix_expand(s->arena, f);
	return c;
}

static void
diag_explain(struct diag_state *s, struct nd_cause *c, const struct nd_probe *p)
{
	size_t i;

	for (i = 0; i < c->nexplains; i++)
		if (c->explains[i] == p)
			return;
	/* Arrays grow by doubling; the count doubles as the capacity test. */
	if ((c->nexplains & (c->nexplains - 1)) == 0)
		c->explains = nd_arena_grow(s->arena, c->explains,
		    c->nexplains, c->nexplains ? c->nexplains * 2 : 1,
		    sizeof(*c->explains));
	c->explains[c->nexplains++] = p;
}

static bool
diag_is_explained(const struct diag_state *s, const struct nd_finding *f)
{
	size_t i;

	for (i = 0; i < s->nexplained; i++)
		if (s->explained[i] == f)
			return true;
	return false;
}

static void
diag_rules_apply(struct diag_state *s, struct nd_probe *const *probes,
    size_t n)
{
	size_t r, i, j, k;

	for (r = 0; r < ND_ARRAY_SIZE(diag_rules); r++) {
		const struct diag_rule *rule = &diag_rules[r];

		for (i = 0; i < n; i++) {
			const struct nd_probe *p = probes[i];

			for (j = 0; j < p->nfindings; j++) {
				struct nd_finding *sym = p->findings[j];
				struct nd_finding *note;
				struct nd_cause *c;

				for (k = 0; k < rule->nsymptoms; k++)
					if (sym->def->code == rule->symptoms[k])
						break;
				if (k == rule->nsymptoms)
					continue;
				note = diag_find_below(p, rule->cause, 0);
				if (note == NULL)
					continue;
				c = diag_cause(s, note, note->def->sev, true);
				diag_explain(s, c, p);
				if (s->nexplained == s->explained_cap) {
					s->explained_cap = s->explained_cap ?
					    s->explained_cap * 2 : 16;
					s->explained = nd_arena_grow(s->arena,
					    s->explained, s->nexplained,
					    s->explained_cap,
					    sizeof(*s->explained));
				}
				s->explained[s->nexplained++] = sym;
			}
		}
	}
}

static int
diag_cmp(const void *va, const void *vb)
{
	const struct nd_cause *a = va, *b = vb;

	if (nd_sev_rank(a->sev) != nd_sev_rank(b->sev))
		return nd_sev_rank(b->sev) - nd_sev_rank(a->sev);
	if (a->nexplains != b->nexplains)
		return a->nexplains > b->nexplains ? -1 : 1;
	if (a->layer != b->layer)
		return (int)a->layer - (int)b->layer;
	if (a->confidence != b->confidence)
		return b->confidence - a->confidence;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * Links every probe to the causes that explain it directly (its own
 * failing finding, or the probes a rule's cause explained), as chains of
 * nodes, so that each blocked probe finds its causes without a scan.
 */
static void
diag_blocked(struct diag_state *s, struct nd_probe *const *probes, size_t n)
{
	struct node { size_t cause, next; } *node = NULL;
	size_t *head = calloc(n, sizeof(*head)), nnode = 0, cap = 0, i, j, k;

	if (head == NULL)
		abort();	/* LCOV_EXCL_LINE: OutOfMemory */
	for (k = 0; k < s->ncauses; k++) {
		const struct nd_cause *c = &s->causes[k];
		size_t nanchor = c->nexplains ? c->nexplains : 1;

		for (j = 0; j < nanchor; j++) {
			size_t idx = c->nexplains ? c->explains[j]->index :
			    c->finding->probe->index;

			if (idx >= n)
				continue;
			if (nnode + 1 >= cap) {
				cap = cap ? cap * 2 : 64;
				node = realloc(node, cap * sizeof(*node));
				if (node == NULL)
					abort();	/* LCOV_EXCL_LINE */
			}
			/* Node 0 is unused: 0 ends a chain. */
			nnode++;
			node[nnode].cause = k;
			node[nnode].next = head[idx];
			head[idx] = nnode;
		}
	}
	for (i = 0; i < n; i++) {
		const struct nd_probe *p = probes[i];

		if (p->status != ND_SKIP || p->blocked_by == NULL ||
		    p->blocked_by->index >= n)
			continue;
		for (j = head[p->blocked_by->index]; j != 0; j = node[j].next)
			diag_explain(s, &s->causes[node[j].cause], p);
	}
	free(head);
	free(node);
}

void
nd_diagnose(struct nd_arena *arena, struct nd_probe *const *probes, size_t n,
    struct nd_cause **ret, size_t *ret_n)
{
	struct diag_state s = { .arena = arena };
	size_t i, j;

	diag_rules_apply(&s, probes, n);
	for (i = 0; i < n; i++) {
		const struct nd_probe *p = probes[i];

		for (j = 0; j < p->nfindings; j++) {
			const struct nd_finding *f = p->findings[j];

			if (!nd_finding_failing(f) || diag_is_explained(&s, f))
				continue;
			diag_cause(&s, f, f->sev, false);
		}
	}
	diag_blocked(&s, probes, n);
	/* qsort is not stable; `order` is unique, which makes it so. */
	if (s.ncauses > 1)
		qsort(s.causes, s.ncauses, sizeof(*s.causes), diag_cmp);
	for (i = 0; i < s.ncauses; i++)
		s.causes[i].rank = i + 1;
	*ret = s.causes;
	*ret_n = s.ncauses;
}

static const char *
fix_lookup(const struct nd_finding *f, const char *key)
{
	const struct nd_target *t = f->probe->target;
	const char *v = nd_evidence_get(f, key);
	static __thread char port[8];

	if (v != NULL)
		return v;
	if (strcmp(key, "host") == 0 && t->host != NULL)
		return t->host;
	if (strcmp(key, "addr") == 0 && f->probe->ep->addrstr[0] != '\0')
		return f->probe->ep->addrstr;
	if (strcmp(key, "port") == 0 && t->port != 0) {
		snprintf(port, sizeof(port), "%u", t->port);
		return port;
	}
	if (strcmp(key, "url") == 0)
		return t->url;
	if (strcmp(key, "iface") == 0 && t->iface != NULL)
		return t->iface;
	return NULL;
}

const char *
nd_fix_expand(struct nd_arena *a, const struct nd_finding *f)
{
	const char *s = f->def->fix;
	char out[1024], key[32];
	size_t o = 0;

	while (*s != '\0' && o + 1 < sizeof(out)) {
		const char *end, *v;
		size_t klen;

		if (*s != '{' || (end = strchr(s, '}')) == NULL ||
		    (klen = (size_t)(end - s - 1)) == 0 || klen >= sizeof(key)) {
			out[o++] = *s++;
			continue;
		}
		memcpy(key, s + 1, klen);
		key[klen] = '\0';
		if ((v = fix_lookup(f, key)) == NULL) {
			out[o++] = *s++;	/* leave unknown keys visible */
			continue;
		}
		while (*v != '\0' && o + 1 < sizeof(out))
			out[o++] = *v++;
		s = end + 1;
	}
	out[o] = '\0';
	return nd_arena_strdup(a, out);
}
