/*
 * diagnose.h - from the finished probes to ranked root causes.
 *
 * The diagnosis reads the probes' findings and the typed facts they carry
 * (endpoint addresses, a finding's subject range), never evidence text,
 * and returns causes that point at findings and probes.  core/report.c
 * turns them into the report model; nothing here prints.
 */
#ifndef ND_DIAGNOSE_H
#define ND_DIAGNOSE_H

#include <stddef.h>

#include "nd.h"

struct nd_arena;
struct nd_finding;
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

/*
 * Causes from the probes' findings, ranked: severity, then how many
 * probes a cause explains, then lower layer first, then confidence, then
 * input order.  Everything is allocated in the arena.
 */
void	nd_diagnose(struct nd_arena *, struct nd_probe *const *, size_t,
	    struct nd_cause **ret, size_t *ret_n);

/* Expands {key} in the finding's fix template (evidence, then target). */
const char *nd_fix_expand(struct nd_arena *, const struct nd_finding *);

#endif /* ND_DIAGNOSE_H */
