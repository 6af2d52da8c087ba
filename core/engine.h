/*
 * engine.h - plans the probe DAG for an inventory and runs it on one loop.
 *
 * Gating: a probe starts only when every probe it needs passed (PASS or
 * WARN); otherwise it ends SKIP with blocked_by naming the first failed
 * need.  Each probe has one deadline (--timeout); `check` adds a budget for
 * the whole run.  At most max_inflight probes run at once, derived from
 * RLIMIT_NOFILE.  The engine knows no probe by name: chains come from the
 * target, ops from the registry.
 */
#ifndef ND_ENGINE_H
#define ND_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"

struct nd_engine;
struct nd_inventory;

struct nd_engine *nd_engine_new(struct nd_run *);
void		 nd_engine_free(struct nd_engine *);	/* accepts NULL */

/* Builds the probe instances.  0 or -errno with a line in err. */
int		 nd_engine_plan(struct nd_engine *, const struct nd_inventory *,
		    char *err, size_t errlen);

/*
 * Calls every planned probe's prepare(); returns how many prepared
 * something (main.c drops privileges after, when that is not 0).
 */
size_t		 nd_engine_prepare(struct nd_engine *);

/* Runs until every probe ended (or the budget ran out).  0 or -errno. */
int		 nd_engine_run(struct nd_engine *);

/*
 * The same without blocking, for several runs on one loop (`netdoctor
 * serve`): returns at once; the owner runs the loop, and done(arg, rc) is
 * called once from a loop callback when every probe ended (rc 0) or
 * nothing can run any more (-EDEADLK, a planning bug).  done may free the
 * engine; nd_engine_cancel() and nd_engine_free() stay safe before it.
 */
typedef void	(*nd_engine_done_fn)(void *arg, int rc);
void		 nd_engine_start(struct nd_engine *, nd_engine_done_fn,
		    void *arg);
/* Whether the run ended (done was called, or is about to be). */
bool		 nd_engine_ended(const struct nd_engine *);

/*
 * Ends every probe still running or waiting with probe.cancelled (ERROR):
 * SIGINT or SIGTERM.  Safe from a loop callback; nd_engine_run() then
 * returns once the loop iteration ends.  What finished keeps its verdict.
 */
void		 nd_engine_cancel(struct nd_engine *);

/* Every instance in plan order (fanned-out ones after their target's). */
struct nd_probe *const *nd_engine_probes(const struct nd_engine *, size_t *n);

/* Wall-clock duration of nd_engine_run (or start to done), in usec. */
uint64_t	 nd_engine_elapsed_us(const struct nd_engine *);
size_t		 nd_engine_max_inflight(const struct nd_engine *);

/* Registry (core/registry.c, from probes/probes.def). */
const struct nd_probe_ops *nd_registry_find(const char *name);
const struct nd_probe_ops *const *nd_registry_all(size_t *n);

/*
 * --only/--skip: whether the probe named name runs (only NULL = every
 * probe).  The engine plans with it and --print-plan shows with it, so the
 * plan printed is the plan run.
 */
bool	nd_probe_selected(const char *const *only, const char *const *skip,
	    const char *name);

#endif /* ND_ENGINE_H */
