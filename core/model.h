/*
 * model.h - builds the report model of reports/report.h from a
 * finished run: the engine's probes, the diagnosis' causes and the
 * targets in input order.  The only module that reads both sides.
 */
#ifndef ND_MODEL_H
#define ND_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct nd_arena;
struct nd_cause;
struct nd_probe;
struct nd_range;
struct nd_report;
struct nd_target;

struct nd_report_input {
	struct nd_probe *const	*probes;	/* plan order */
	size_t			 nprobes;
	const struct nd_cause	*causes;	/* ranked (nd_diagnose) */
	size_t			 ncauses;
	struct nd_target *const	*targets;	/* input order */
	size_t			 ntargets;
	time_t			 started;	/* wall clock */
	uint64_t		 elapsed_us;
	/* Perfdata thresholds and bound: -w/-c (NULL when not given) and
	   the probes' deadline. */
	const struct nd_range	*warn, *crit;
	int64_t			 timeout_ms;
	/* A signal cut the run: what finished is reported, but the check
	   is incomplete, so the status is UNKNOWN whatever was found. */
	bool			 interrupted;
};

void	nd_report_build(struct nd_arena *, const struct nd_report_input *,
	    struct nd_report *ret);

#endif /* ND_MODEL_H */
