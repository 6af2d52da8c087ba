/*
 * wait.c - `netdoctor wait` (see wait.h).
 *
 * Each round is one engine run over the targets not yet in their state,
 * on the session's loop (the clients and their connections to resolvers
 * stay), followed by the diagnosis.  A target's state is read from the
 * round's report model: "ok" when none of its probes failed, another
 * state when one of its probes has a finding its scheme row names for
 * that state (schemes.def, STATES).  What the user sees of a target is its
 * top-ranked cause, the lowest failing layer once the diagnosis folded
 * the rest under it; a change of it is one progress line.
 *
 * Waiting cannot help when that cause is of kind config (a certificate
 * that does not cover the name, a client certificate another cluster
 * signed, a node-IP conflict): the wait gives up at once with the report,
 * unless the finding is one of the target's states (maintenance mode is
 * on the way to configured) or --no-fail-fast.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "finding.h"
#include "inputs.h"
#include "jsonw.h"
#include "loop.h"
#include "options.h"
#include "report.h"
#include "session.h"
#include "target.h"
#include "util.h"
#include "wait.h"

#define WAIT_MAX_IDS	8

struct wtarget {
	struct nd_target	*t;
	const char		*ids[WAIT_MAX_IDS];	/* the state's findings */
	size_t			 nids;
	const char		*onway;		/* every id of the scheme's states */
	const char		*label;		/* its top cause, "ok", or "-" */
	bool			 reached;
};

struct wstate {
	struct nd_arena		*a;
	const struct nd_options	*o;
	const char		*state;		/* "ok", "maintenance", ... */
	struct wtarget		*w;
	size_t			 n;
	struct nd_loop		*loop;
	uint64_t		 t0;
	bool			 json;		/* --progress json */
};

/* Is id one of the space/comma separated ids in list (after '=')? */
static bool
wait_listed(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p;

	for (p = list; p != NULL && (p = strstr(p, id)) != NULL; p += n)
		if ((p == list || p[-1] == '=' || p[-1] == ',' ||
		    p[-1] == ' ') && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return true;
	return false;
}

/*
 * The finding ids of state in a STATES text ("maintenance=a,b up=c"), or
 * -ENOENT when the text has no such state.
 */
static int
wait_state_ids(struct nd_arena *a, const char *states, const char *state,
    struct wtarget *w)
{
	size_t sl = strlen(state);
	const char *p = states;

	while (p != NULL && *p != '\0') {
		const char *end = p + strcspn(p, " ");

		if ((size_t)(end - p) > sl && strncmp(p, state, sl) == 0 &&
		    p[sl] == '=') {
			const char *q = p + sl + 1;

			while (q < end && w->nids < WAIT_MAX_IDS) {
				size_t l = strcspn(q, ", ");

				if (q + l > end)
					l = (size_t)(end - q);
				w->ids[w->nids++] = nd_arena_strndup(a, q, l);
				q += l + (q[l] == ',');
			}
			return 0;
		}
		p = *end == ' ' ? end + 1 : end;
	}
	return -ENOENT;
}

/* "ok, maintenance, configured, up" for a scheme's states text. */
static const char *
wait_state_names(struct nd_arena *a, const char *states)
{
	char buf[256];
	size_t o = 0;
	const char *p = states;

	o += (size_t)snprintf(buf, sizeof(buf), "ok");
	while (p != NULL && *p != '\0' && o < sizeof(buf)) {
		size_t l = strcspn(p, "=");

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, ", %.*s",
		    (int)l, p);
		p += strcspn(p, " ");
		if (*p == ' ')
			p++;
	}
	return nd_arena_strdup(a, buf);
}

static int
wait_setup(struct wstate *ws, const struct nd_inventory *inv, char *err,
    size_t len)
{
	size_t i;
	int s, known = 0;

	/* A state no scheme knows is a typo, not a mismatch. */
	for (s = 0; s < ND_S__COUNT && strcmp(ws->state, "ok") != 0; s++) {
		struct wtarget tmp = { 0 };

		known |= wait_state_ids(ws->a, nd_scheme_states(s), ws->state,
		    &tmp) == 0;
	}
	if (strcmp(ws->state, "ok") != 0 && !known) {
		snprintf(err, len, "--for %s: not a state (ok: every probe "
		    "passes; talos://: maintenance, configured, up; k8s://: "
		    "ready, up)", ws->state);
		return -EINVAL;
	}
	ws->n = inv->ntargets;
	ws->w = nd_arena_alloc(ws->a, ws->n * sizeof(*ws->w));
	for (i = 0; i < inv->ntargets; i++) {
		struct wtarget *w = &ws->w[i];
		const char *states = nd_scheme_states(inv->targets[i]->scheme);

		w->t = inv->targets[i];
		w->onway = states;
		w->label = "-";
		if (strcmp(ws->state, "ok") != 0 &&
		    wait_state_ids(ws->a, states, ws->state, w) < 0) {
			snprintf(err, len, "--for %s does not fit %s: %s:// "
			    "targets wait for %s", ws->state, w->t->url,
			    nd_scheme_name(w->t->scheme),
			    wait_state_names(ws->a, states));
			return -EINVAL;
		}
	}
	return 0;
}

/* Does cause c concern the target with this URL? */
static bool
wait_touches(const struct nd_report_cause *c, const char *url)
{
	size_t i, j;

	if (strcmp(c->target, url) == 0)
		return true;
	for (i = 0; i < c->nexplains; i++) {
		const struct nd_report_probe *p = c->explains[i];

		if (strcmp(p->target, url) == 0)
			return true;
		for (j = 0; j < p->ntargets; j++)
			if (strcmp(p->targets[j], url) == 0)
				return true;
	}
	return false;
}

/* The end of the wait on stderr: a line, or an object with --progress json. */
static void
wait_end(struct wstate *ws, const char *result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
wait_end(struct wstate *ws, const char *result, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ws->json) {
		struct nd_jw j;

		nd_jw_init(&j, stderr);
		nd_jw_obj(&j);
		nd_jw_kreal(&j, "elapsed_s", (double)(nd_loop_now(ws->loop) -
		    ws->t0) / 1e6, 1);
		nd_jw_kstr(&j, "result", result);
		nd_jw_kstr(&j, "state", ws->state);
		nd_jw_kstr(&j, "message", msg);
		nd_jw_obj_end(&j);
		nd_jw_raw(&j, "\n");
	} else {
		fprintf(stderr, "netdoctor wait: %s\n", msg);
	}
	fflush(stderr);
}

static void
wait_progress(struct wstate *ws, const struct wtarget *w, const char *from)
{
	double el = (double)(nd_loop_now(ws->loop) - ws->t0) / 1e6;

	if (ws->json) {
		struct nd_jw j;

		nd_jw_init(&j, stderr);
		nd_jw_obj(&j);
		nd_jw_kreal(&j, "elapsed_s", el, 1);
		nd_jw_kstr(&j, "target", w->t->url);
		nd_jw_kstr(&j, "from", from);
		nd_jw_kstr(&j, "to", w->label);
		nd_jw_kstr(&j, "state", ws->state);
		nd_jw_key(&j, "reached");
		nd_jw_raw(&j, w->reached ? "true" : "false");
		nd_jw_obj_end(&j);
		nd_jw_raw(&j, "\n");
	} else {
		fprintf(stderr, "%7.1fs ", el);
		nd_fputs_safe(w->t->url, stderr);
		fprintf(stderr, "  %s -> %s", from, w->label);
		if (w->reached)
			fprintf(stderr, "  (reached: %s)", ws->state);
		fputc('\n', stderr);
	}
	fflush(stderr);
}

/*
 * Reads one round's report: which targets reached their state, what each
 * shows now.  Returns the target waiting cannot help, or NULL.
 */
static const struct wtarget *
wait_assess(struct wstate *ws, const struct nd_report *r)
{
	const struct wtarget *stuck = NULL;
	size_t i, j, k, l;

	for (i = 0; i < r->ntargets; i++) {
		const struct nd_report_target *rt = &r->targets[i];
		const struct nd_report_cause *top = NULL;
		struct wtarget *w = NULL;
		const char *was, *hit = NULL;
		bool ok = rt->worst == NULL;

		for (j = 0; j < ws->n && w == NULL; j++)
			if (ws->w[j].t->url == rt->url ||
			    strcmp(ws->w[j].t->url, rt->url) == 0)
				w = &ws->w[j];
		if (w == NULL || w->reached)
			continue;
		for (j = 0; j < rt->nprobes; j++) {
			const struct nd_report_probe *p = rt->probes[j];

			ok &= p->status == ND_PASS || p->status == ND_WARN;
			for (k = 0; k < p->nfindings; k++)
				for (l = 0; l < w->nids; l++)
					if (strcmp(p->findings[k].id,
					    w->ids[l]) == 0)
						hit = w->ids[l];
		}
		for (j = 0; j < r->ncauses && top == NULL; j++)
			if (wait_touches(&r->causes[j], rt->url))
				top = &r->causes[j];
		was = w->label;
		w->reached = w->nids > 0 ? hit != NULL : ok;
		/* What it shows: its top cause, else the state's finding. */
		w->label = top != NULL ? top->id : hit != NULL ? hit :
		    ok ? "ok" : "-";
		if (strcmp(was, w->label) != 0 || w->reached)
			wait_progress(ws, w, was);
		if (!w->reached && top != NULL && ws->o->fail_fast &&
		    stuck == NULL && !wait_listed(w->onway, top->id)) {
			const struct nd_finding_def *d =
			    nd_finding_def_by_id(top->id);

			if (d != NULL && d->kind == ND_K_CONFIG)
				stuck = w;
		}
	}
	return stuck;
}

/* The round's inventory: the targets still waiting, indexed anew. */
static void
wait_pending(struct wstate *ws, struct nd_inventory *inv)
{
	size_t i;

	inv->ntargets = 0;
	for (i = 0; i < ws->n; i++)
		if (!ws->w[i].reached)
			inv->targets[inv->ntargets++] = ws->w[i].t;
	for (i = 0; i < inv->ntargets; i++)
		inv->targets[i]->index = i;
}

static int
wait_report(struct nd_session *ss, struct nd_inventory *inv, bool last,
    const struct nd_options *o, char *err, size_t len)
{
	struct nd_report rep;
	size_t i;

	/* The report's targets are the round's; their indices are its own. */
	for (i = 0; i < inv->ntargets; i++)
		inv->targets[i]->index = i;
	nd_session_report(ss, inv, last, NULL, NULL, &rep);
	return nd_report_write(&rep, o->format, o->output, o->color ?
	    ND_REPORT_COLOR : 0, err, len);
}

int
nd_wait(struct nd_arena *a, const struct nd_options *o,
    const struct nd_inputs *in, char *err, size_t len)
{
	struct wstate ws = { .a = a, .o = o, .state = o->wait_for != NULL ?
	    o->wait_for : "ok", .json = o->progress != NULL &&
	    strcmp(o->progress, "json") == 0 };
	struct nd_inventory cur = { 0 }, last = { 0 };
	struct nd_session ss;
	const struct wtarget *stuck = NULL;
	uint64_t deadline, start;
	size_t i, left = 0;
	int rc = ND_EXIT_UNKNOWN;

	memset(&ss, 0, sizeof(ss));
	ss.sigfd = -1;
	left = in->inv.ntargets;
	if (wait_setup(&ws, &in->inv, err, len) < 0)
		return ND_EXIT_UNKNOWN;
	if (nd_session_open(&ss, a, o, in, err, len) < 0)
		goto out;
	ws.loop = ss.loop;
	ws.t0 = nd_loop_now(ss.loop);
	deadline = ws.t0 + (uint64_t)o->wait_ms * 1000u;
	cur.targets = nd_arena_alloc(a, ws.n * sizeof(*cur.targets));
	last.targets = nd_arena_alloc(a, ws.n * sizeof(*last.targets));
	for (;;) {
		uint64_t now = nd_loop_now(ss.loop);
		int64_t remain_ms = (int64_t)((deadline - now) / 1000u);

		/* A hanging peer cannot stretch a round past the wait. */
		ss.run.timeout_ms = o->timeout_ms < remain_ms ? o->timeout_ms :
		    remain_ms > 0 ? remain_ms : 1;
		start = now;
		wait_pending(&ws, &cur);
		if (nd_session_round(&ss, &cur, 0, true, err, len) < 0)
			goto out;
		if (ss.signo != 0)
			break;
		{
			struct nd_report rep;

			nd_session_report(&ss, &cur, false, NULL, NULL, &rep);
			stuck = wait_assess(&ws, &rep);
		}
		last.ntargets = cur.ntargets;
		memcpy(last.targets, cur.targets, cur.ntargets *
		    sizeof(*cur.targets));
		for (i = 0, left = 0; i < ws.n; i++)
			left += !ws.w[i].reached;
		if (left == 0) {
			wait_end(&ws, "reached", "every target is %s after "
			    "%.1fs", ws.state, (double)(nd_loop_now(ss.loop) -
			    ws.t0) / 1e6);
			rc = ND_EXIT_OK;
			goto out;
		}
		if (stuck != NULL || nd_loop_now(ss.loop) >= deadline)
			break;
		nd_session_sleep(&ss, start + (uint64_t)o->interval_ms * 1000u <
		    deadline ? start + (uint64_t)o->interval_ms * 1000u :
		    deadline);
		if (ss.signo != 0)
			break;
	}
	if (ss.signo != 0)
		wait_end(&ws, "interrupted", "interrupted (%s); the report of "
		    "the last complete round follows", ss.signo == SIGINT ?
		    "SIGINT" : "SIGTERM");
	else if (stuck != NULL)
		wait_end(&ws, "gave_up", "giving up on %s: %s cannot go away "
		    "by waiting (--no-fail-fast waits anyway)", stuck->t->url,
		    stuck->label);
	else
		wait_end(&ws, "timeout", "timed out after %.1fs; %zu of %zu "
		    "target%s not %s", (double)o->wait_ms / 1000.0, left, ws.n,
		    ws.n == 1 ? "" : "s", ws.state);
	if (wait_report(&ss, last.ntargets > 0 || ss.signo == 0 ? &last :
	    &cur, ss.signo != 0, o, err, len) < 0)
		goto out;
	rc = ss.signo != 0 ? ND_EXIT_UNKNOWN : ND_EXIT_CRITICAL;
	err[0] = '\0';
out:
	nd_session_close(&ss);
	return rc;
}
