/*
 * report.h - the finished, immutable result of a run: ranked causes,
 * every probe instance with its findings, the overall status.  Reporters
 * (reports/) are pure functions of it.
 */
#ifndef ND_REPORT_H
#define ND_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "nd.h"

struct nd_arena;
struct nd_engine;
struct nd_finding;
struct nd_inventory;
struct nd_options;
struct nd_probe;

struct nd_cause {
	size_t			 rank;		/* 1-based */
	const struct nd_finding	*finding;	/* the root finding */
	enum nd_sev		 sev;
	int			 confidence;	/* percent */
	enum nd_layer		 layer;
	const char		*fix;		/* expanded, "" when none */
	const char		*summary;	/* the finding's, or a merged one */
	const char		*addresses;	/* merged per-address causes:
						   "10.0.0.1, 10.0.0.2"; NULL */
	const struct nd_probe	**explains;	/* probes it explains */
	size_t			 nexplains;
	size_t			 order;		/* input order, for ties */
};

/* The probes that check one target, lowest layer first. */
struct nd_report_target {
	const struct nd_target	*target;
	const struct nd_probe	**probes;
	size_t			 nprobes;
	enum nd_sev		 sev;		/* worst failing finding */
	const struct nd_finding	*worst;		/* its first such finding */
};

struct nd_report {
	const char		*version;
	time_t			 started;	/* wall clock, metadata only */
	double			 duration_ms;
	enum nd_sev		 status;
	int			 exit_code;
	const struct nd_cause	*causes;
	size_t			 ncauses;
	struct nd_probe *const	*probes;
	size_t			 nprobes;
	const struct nd_report_target *targets;
	size_t			 ntargets;
	const struct nd_options	*opts;
	size_t			 max_inflight;
};

/* diagnose.c: causes from the probes' findings, ranked (DESIGN.md 2). */
void	nd_diagnose(struct nd_arena *, struct nd_probe *const *, size_t,
	    struct nd_cause **ret, size_t *ret_n);

/* Expands {key} in the finding's fix template (evidence, then target). */
const char *nd_fix_expand(struct nd_arena *, const struct nd_finding *);

/* report.c */
void	nd_report_build(struct nd_arena *, const struct nd_engine *,
	    const struct nd_inventory *, const struct nd_options *,
	    time_t started, struct nd_report *ret);

/*
 * Reporters.  Each writes the whole report to f and returns 0 or -errno.
 * They print nothing while probes run and read nothing but the report.
 */
struct nd_reporter {
	const char	*name;
	int		(*write)(FILE *, const struct nd_report *);
};

const struct nd_reporter *nd_reporter_find(const char *name);
extern const struct nd_reporter nd_report_text, nd_report_json,
		    nd_report_nagios, nd_report_markdown;

#endif /* ND_REPORT_H */
