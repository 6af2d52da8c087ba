/*
 * session.h - what `run`, `check`, `probe` and `wait` share once the
 * inputs are read: one event loop, the run's settings and shared clients,
 * SIGINT/SIGTERM on the loop, and rounds of the engine over an inventory,
 * each ending in a diagnosis and a report model.
 *
 * A round is one plan and one run of the engine.  `run` has one; `wait`
 * has one per interval, over the targets not yet in their state.  The
 * session owns every round's engine until the next round starts (the
 * report of the last complete round stays readable), and frees the last
 * one in nd_session_close().
 */
#ifndef ND_SESSION_H
#define ND_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "inputs.h"
#include "probe.h"
#include "report.h"

struct nd_cause;
struct nd_engine;
struct nd_options;

struct nd_session {
	struct nd_arena		*arena;		/* the inputs' (not a round's) */
	const struct nd_options	*opts;
	struct nd_inputs	 in;
	struct nd_loop		*loop;
	struct nd_run		 run;
	int			 sigfd;		/* SIGINT, SIGTERM; -1 */
	int			 signo;		/* the first one received, 0 */
	bool			 privs_dropped;
	/* The round in progress (or just ended), and the last one that ran
	   to its end, kept for `wait`'s report when a signal cuts a round. */
	struct nd_arena		*round_arena, *last_arena;
	struct nd_engine	*eng, *last_eng;
	time_t			 round_started, last_started;
	bool			 complete;	/* eng ran to its end */
};

/*
 * Creates the loop, fills the run's settings from the options, and puts
 * SIGINT and SIGTERM on the loop: the first one cancels the round in
 * progress (every open probe ends with probe.cancelled) and sets signo; a
 * second one ends the process at once (the default action).  in is the
 * loaded inputs, creds included.  Returns 0 or -errno with a line in err.
 */
int	nd_session_open(struct nd_session *, struct nd_arena *,
	    const struct nd_options *, const struct nd_inputs *in, char *err,
	    size_t len);

/*
 * One round over inv: plans, prepares (then drops privileges once, unless
 * a later round may need them again: keep_privs), runs until every probe
 * ended, the budget (budget_ms, 0: none) passed, or a signal cancelled it.
 * Returns 0 or -errno with a line in err.
 */
int	nd_session_round(struct nd_session *, const struct nd_inventory *inv,
	    int64_t budget_ms, bool keep_privs, char *err, size_t len);

/*
 * A round's diagnosis (its causes, ranked) and report model over inv's
 * targets: the current round's, or with last, the last complete one's
 * (the current one when none completed).  ret_causes may be NULL.
 */
void	nd_session_report(struct nd_session *, const struct nd_inventory *inv,
	    bool last, const struct nd_cause **ret_causes, size_t *ret_ncauses,
	    struct nd_report *ret);

/* Waits on the loop until the monotonic time `until` (usec) or a signal. */
void	nd_session_sleep(struct nd_session *, uint64_t until);

/*
 * SIGINT and SIGTERM back to their default action, unblocked: after the
 * first one was taken from a signalfd, a second one ends the process.
 */
void	nd_signals_default(void);

/* Frees the loop, the clients and the last round.  Accepts a zeroed one. */
void	nd_session_close(struct nd_session *);

#endif /* ND_SESSION_H */
