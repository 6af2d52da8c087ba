/*
 * report.h - the report model: the finished, immutable result of a run as
 * plain rows (causes, probes, targets, perfdata samples), and the reporters
 * that print it.  core/report.c builds the model from the engine's probes
 * and the diagnosis; a reporter sees nothing else, so a new output format
 * needs no knowledge of the engine, the probes or the command line.
 *
 * Every string is owned by the arena the model was built in.
 */
#ifndef ND_REPORT_H
#define ND_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "nd.h"

struct nd_report_probe;

/* (Ordered without padding: a report may hold 10,000 of them.) */
struct nd_report_finding {
	const char			*id;		/* "tcp.refused" */
	const char			*summary;
	const struct nd_kv	*ev;
	enum nd_sev			 sev;
	uint32_t			 nev;
	uint32_t			 ndropped;	/* evidence not kept */
	bool				 failing;	/* WARN, CRIT or UNKNOWN */
};

/* A number a probe measured, for perfdata ('label'=value[unit];w;c;min;max). */
struct nd_report_sample {
	const char	*label;		/* "127.0.0.1:6443" */
	double		 value;
	const char	*unit;		/* "s" */
	const char	*warn, *crit;	/* Monitoring Plugins ranges, "" if none */
	double		 min, max;
};

struct nd_report_probe {
	const char			*id;	/* "tcp://127.0.0.1:1#tcp" */
	const char			*name;	/* "tcp" */
	const char			*target;	/* the first target's URL */
	const char			*origin;	/* "command line", ... */
	/* A shared instance serves several targets: all of their URLs. */
	const char *const		*targets;
	size_t				 ntargets;
	const char			*address;	/* "[::1]:6443", NULL */
	/* The bare address when the probe is one of several addresses of a
	   target given by name ("10.0.0.2"), else NULL. */
	const char			*per_address;
	enum nd_layer			 layer;
	enum nd_status			 status;
	double				 elapsed_ms;	/* 0 when it did not run */
	const struct nd_report_probe	*blocked_by;	/* SKIP: the failed need */
	const struct nd_report_finding	*findings;
	size_t				 nfindings;
	/* What it measured (the TCP connect time); NULL when nothing. */
	const struct nd_report_sample	*sample;
};

struct nd_report_cause {
	size_t				 rank;		/* 1-based */
	const char			*id;		/* the root finding's */
	enum nd_sev			 sev;
	enum nd_layer			 layer;
	double				 confidence;	/* 0..1 */
	const char			*target;	/* URL */
	const char			*probe;		/* the probe that saw it */
	const char			*summary;
	const char			*fix;		/* "" when none */
	const struct nd_kv	*ev;
	size_t				 nev;
	/* Merged per-address causes: "10.0.0.1, 10.0.0.2"; NULL. */
	const char			*addresses;
	const struct nd_report_probe	**explains;
	size_t				 nexplains;
};

/* The probes that check one target, lowest layer first. */
struct nd_report_target {
	const char			*url;
	const struct nd_report_probe	**probes;
	size_t				 nprobes;
	enum nd_sev			 sev;		/* worst failing finding */
	const struct nd_report_finding	*worst;		/* its first, or NULL */
};

struct nd_report {
	const char			*version;
	time_t				 started;	/* wall clock */
	double				 duration_ms;
	enum nd_sev			 status;
	int				 exit_code;
	const struct nd_report_cause	*causes;
	size_t				 ncauses;
	const struct nd_report_probe	*probes;
	size_t				 nprobes;
	const struct nd_report_target	*targets;
	size_t				 ntargets;
	/* Every probe's sample, in probe order (Nagios perfdata). */
	const struct nd_report_sample	**samples;
	size_t				 nsamples;
	/*
	 * probe_success counts WARNING as a failure too (a serve module's
	 * `success: ok`); false: OK and WARNING succeed.
	 */
	bool				 warning_fails;
};

/* The value of the first evidence called key in p's findings, or NULL. */
const char	*nd_report_evidence(const struct nd_report_probe *,
		    const char *key);

/* probe_success: the status is OK (or INFO), or WARNING unless
   warning_fails. */
bool		 nd_report_success(const struct nd_report *);

/*
 * Reporters.  Each writes the whole report to f and returns 0 or -errno.
 * They print nothing while probes run and read nothing but the report.
 */
#define ND_REPORT_COLOR	0x1	/* text: ANSI colours (a TTY, no NO_COLOR) */

struct nd_reporter {
	const char	*name;
	int		(*write)(FILE *, const struct nd_report *, unsigned flags);
};

/* The reporter named name ("text", "json", ...), or NULL. */
const struct nd_reporter *nd_reporter_find(const char *name);
/* "text, json, nagios, markdown": for usage and errors. */
const char	*nd_reporter_names(void);

/*
 * Writes the report in format to output, or to stdout when output is
 * NULL.  A file is written aside and renamed, so a failed run never leaves
 * half a report.  Returns 0 or -errno with one line in err.
 */
int		 nd_report_write(const struct nd_report *, const char *format,
		    const char *output, unsigned flags, char *err, size_t len);

#endif /* ND_REPORT_H */
