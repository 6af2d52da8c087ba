/*
 * session.c - the loop, the signals and the rounds that `run` and `wait`
 * share (see session.h).
 *
 * Signals come through a signalfd on the loop rather than a handler: the
 * first SIGINT or SIGTERM is an ordinary loop event that cancels the
 * round in progress, so the report of what finished is still written (a
 * handler could do nothing of the sort safely).  The signals are then
 * unblocked with their default action, so a second one ends the process
 * at once, as a user who presses Ctrl-C twice expects.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "arena.h"
#include "diagnose.h"
#include "dnsq.h"
#include "engine.h"
#include "http.h"
#include "tlsctx.h"
#include "loop.h"
#include "model.h"
#include "options.h"
#include "privs.h"
#include "session.h"

void
nd_signals_default(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void
session_on_signal(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_session *s = arg;
	struct signalfd_siginfo si;
	int signo;

	(void)ev;
	memset(&si, 0, sizeof(si));
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	signo = (int)si.ssi_signo;
	if (s->signo == 0)
		s->signo = signo;
	nd_loop_fd_del(l, fd);
	nd_signals_default();
	nd_engine_cancel(s->eng);
}

int
nd_session_open(struct nd_session *s, struct nd_arena *a,
    const struct nd_options *o, const struct nd_inputs *in, char *err,
    size_t len)
{
	sigset_t set;

	memset(s, 0, sizeof(*s));
	s->sigfd = -1;
	s->arena = a;
	s->opts = o;
	s->in = *in;
	if ((s->loop = nd_loop_new()) == NULL) {
		snprintf(err, len, "cannot create the event loop: %s",
		    strerror(errno));
		return -errno;
	}
	s->run.loop = s->loop;
	s->run.timeout_ms = o->timeout_ms;
	s->run.budget_ms = o->budget_ms;
	s->run.max_inflight = o->max_inflight;
	s->run.listen_ms = o->listen_ms;
	s->run.only = o->only;
	s->run.skip = o->skip;
	s->run.warn = o->have_warn ? &o->warn : NULL;
	s->run.crit = o->have_crit ? &o->crit : NULL;
	s->run.creds = &s->in.creds;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == 0 &&
	    (s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) >= 0 &&
	    nd_loop_fd_set(s->loop, s->sigfd, ND_EV_READ, session_on_signal,
	    s) < 0) {
		close(s->sigfd);
		s->sigfd = -1;
	}
	if (s->sigfd < 0)
		nd_signals_default();	/* no signalfd: default action */
	return 0;
}

static void
session_free_round(struct nd_engine **eng, struct nd_arena **arena)
{
	nd_engine_free(*eng);
	nd_arena_free(*arena);
	*eng = NULL;
	*arena = NULL;
}

int
nd_session_round(struct nd_session *s, const struct nd_inventory *inv,
    int64_t budget_ms, bool keep_privs, char *err, size_t len)
{
	int rc;

	/* The round before becomes the last complete one, if it was. */
	if (s->eng != NULL && s->complete) {
		session_free_round(&s->last_eng, &s->last_arena);
		s->last_eng = s->eng;
		s->last_arena = s->round_arena;
		s->last_started = s->round_started;
		s->eng = NULL;
		s->round_arena = NULL;
	}
	session_free_round(&s->eng, &s->round_arena);
	s->complete = false;
	s->round_started = time(NULL);
	if ((s->round_arena = nd_arena_new()) == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	/* 10,000 targets fill some 11 MB: a large round starts large. */
	nd_arena_expect(s->round_arena, inv->ntargets * 1024);
	s->run.arena = s->round_arena;
	s->run.budget_ms = budget_ms;
	if ((s->eng = nd_engine_new(&s->run)) == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	if ((rc = nd_engine_plan(s->eng, inv, err, len)) < 0)
		return rc;
	/*
	 * Capture handles are open now (prepare); nothing later in this round
	 * needs a privilege, so none is kept while peers' frames are parsed.
	 */
	if ((nd_engine_prepare(s->eng) > 0 || s->opts->user != NULL) &&
	    !s->privs_dropped && !keep_privs) {
		if ((rc = nd_privs_drop(s->opts->user, err, len)) < 0)
			return rc;
		s->privs_dropped = true;
	}
	if (s->signo != 0)
		nd_engine_cancel(s->eng);
	if ((rc = nd_engine_run(s->eng)) < 0) {
		snprintf(err, len, "the run stopped: %s", strerror(-rc));
		return rc;
	}
	s->complete = s->signo == 0;
	return 0;
}

void
nd_session_report(struct nd_session *s, const struct nd_inventory *inv,
    bool last, const struct nd_cause **ret_causes, size_t *ret_ncauses,
    struct nd_report *rep)
{
	bool use_last = last && !s->complete && s->last_eng != NULL;
	struct nd_engine *e = use_last ? s->last_eng : s->eng;
	struct nd_arena *a = use_last ? s->last_arena : s->round_arena;
	struct nd_report_input ri = {
	    .interrupted = !use_last && !s->complete && s->signo != 0,
	    .started = use_last ? s->last_started : s->round_started,
	    .targets = inv->targets, .ntargets = inv->ntargets,
	    .warn = s->run.warn, .crit = s->run.crit,
	    .timeout_ms = s->run.timeout_ms };
	struct nd_cause *causes;

	ri.probes = nd_engine_probes(e, &ri.nprobes);
	ri.elapsed_us = nd_engine_elapsed_us(e);
	/* The probes are done growing it: no new huge chunk for the model. */
	nd_arena_trim(a);
	nd_diagnose(a, ri.probes, ri.nprobes, &causes, &ri.ncauses);
	ri.causes = causes;
	if (ret_causes != NULL) {
		*ret_causes = causes;
		*ret_ncauses = ri.ncauses;
	}
	if (rep != NULL)
		nd_report_build(a, &ri, rep);
}

void
nd_session_sleep(struct nd_session *s, uint64_t until)
{
	uint64_t now;

	while (s->signo == 0 && (now = nd_loop_now(s->loop)) < until)
		if (nd_loop_run_once(s->loop, until - now) < 0)
			break;
}

void
nd_session_close(struct nd_session *s)
{
	session_free_round(&s->eng, &s->round_arena);
	session_free_round(&s->last_eng, &s->last_arena);
	nd_http_free(s->run.http);
	nd_dnsq_free(s->run.dnsq);
	nd_tlsctx_free(s->run.tlsctx);
	s->run.http = NULL;
	s->run.dnsq = NULL;
	s->run.tlsctx = NULL;
	if (s->sigfd >= 0) {
		if (s->loop != NULL)
			nd_loop_fd_del(s->loop, s->sigfd);
		close(s->sigfd);
		s->sigfd = -1;
	}
	nd_loop_free(s->loop);
	s->loop = NULL;
}
