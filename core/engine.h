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

#include <stddef.h>
#include <stdint.h>

struct nd_arena;
struct nd_creds_set;
struct nd_engine;
struct nd_http;
struct nd_dnsq;
struct nd_inventory;
struct nd_loop;
struct nd_options;
struct nd_probe;
struct nd_probe_ops;

/* Everything one run shares; probes reach it through p->run. */
struct nd_run {
	struct nd_arena		*arena;
	struct nd_loop		*loop;
	const struct nd_options	*opts;
	struct nd_engine	*engine;
	/*
	 * Optional: called about every 200 ms while a run takes longer than
	 * half a second (done, total, running), and once with done == total
	 * at the end.  main.c draws the progress line with it.
	 */
	void			(*progress)(size_t, size_t, size_t);
	/* Shared clients, created on first use, freed by main.c. */
	struct nd_http		*http;		/* libcurl multi (core/http.c) */
	struct nd_dnsq		*dnsq;		/* c-ares channels (core/dnsq.c) */
	const struct nd_creds_set *creds;	/* talosconfig, kubeconfig */
};

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

/* Every instance in plan order (fanned-out ones after their target's). */
struct nd_probe *const *nd_engine_probes(const struct nd_engine *, size_t *n);

/* Wall-clock duration of nd_engine_run, in usec. */
uint64_t	 nd_engine_elapsed_us(const struct nd_engine *);
size_t		 nd_engine_max_inflight(const struct nd_engine *);

/* Registry (core/registry.c, from probes/probes.def). */
const struct nd_probe_ops *nd_registry_find(const char *name);
const struct nd_probe_ops *const *nd_registry_all(size_t *n);

#endif /* ND_ENGINE_H */
