/*
 * finding.h - the findings table (findings.def) and the findings a probe
 * records.  A finding is an observation with a stable id, a severity and
 * bounded evidence (key/value strings); it lives in the run's arena.
 */
#ifndef ND_FINDING_H
#define ND_FINDING_H

#include <stdint.h>

#include "nd.h"

enum nd_code {
#define ND_FINDING(e, id, probe, layer, sev, kind, conf, text, why, fix) ND_F_##e,
#include "findings.def"
#undef ND_FINDING
	ND_F__COUNT
};

struct nd_finding_def {
	enum nd_code	 code;
	const char	*id;		/* "tcp.refused": API, never renamed */
	const char	*probe;		/* producing probe, "" for the engine */
	enum nd_layer	 layer;
	enum nd_sev	 sev;		/* default severity */
	enum nd_kind	 kind;
	int		 confidence;	/* percent */
	const char	*text, *why, *fix;
};

extern const struct nd_finding_def nd_finding_defs[ND_F__COUNT];

/* Looks an id up; NULL when unknown. */
const struct nd_finding_def *nd_finding_def_by_id(const char *id);

#define ND_EVIDENCE_MAX	32	/* per finding; more are counted, not kept */

struct nd_probe;
struct sockaddr;

/*
 * The address or range a finding is about, as a value rather than
 * evidence text, so that the diagnosis can match it against the addresses
 * other probes tested (an unpublished container's IP, a shadowed range,
 * an ARP address).  family 0: the finding names none.
 */
struct nd_subject {
	int		 family;		/* AF_INET, AF_INET6 or 0 */
	uint8_t		 first[16], last[16];	/* inclusive, network order;
						   IPv4 in the first 4 */
	/*
	 * Host names it is about (an HTTPRoute's hostnames, which may hold
	 * "*.example.com"), NULL-terminated, arena-owned; NULL: none.
	 */
	char *const	*names;
};

struct nd_finding {
	const struct nd_finding_def *def;
	struct nd_probe	*probe;		/* the probe that recorded it */
	char		*summary;	/* one line, specific to this target */
	struct nd_kv	*ev;		/* arena-owned, grows to ND_EVIDENCE_MAX */
	enum nd_sev	 sev;		/* may differ from def->sev */
	uint32_t	 nev;
	uint32_t	 ndropped;	/* evidence over ND_EVIDENCE_MAX */
	/*
	 * What it is about; NULL: nothing (most findings, so it is not kept
	 * in each of them).  Set with nd_finding_about_*().
	 */
	struct nd_subject *subject;
};

/* Severity of the first finding-table match, for status rollups. */
static inline int
nd_finding_failing(const struct nd_finding *f)
{
	return f->sev == ND_SEV_WARN || f->sev == ND_SEV_CRIT ||
	    f->sev == ND_SEV_UNKNOWN;
}

/*
 * Records a finding on probe p with the table's default severity and a
 * summary built from fmt.  Never fails (arena allocation).
 */
struct nd_finding *nd_finding_add(struct nd_probe *p, enum nd_code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds one evidence pair; the value is formatted and copied. */
void		 nd_evidence_add(struct nd_finding *, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Evidence value for key, or NULL. */
const char	*nd_evidence_get(const struct nd_finding *, const char *key);

/* Sets the subject to one IP literal; anything else leaves it unset. */
void		 nd_finding_about_ip(struct nd_finding *, const char *ip);
/* Sets the subject to an inclusive range (family AF_INET or AF_INET6). */
void		 nd_finding_about_range(struct nd_finding *, int family,
		    const uint8_t *first, const uint8_t *last);
/* Sets the host names of the subject (copied into the run's arena). */
void		 nd_finding_about_names(struct nd_finding *,
		    char *const *names);
/* The subject functions take NULL as a subject about nothing. */
/* Does one of the subject's names cover host (nd_hostname_match)? */
bool		 nd_subject_names(const struct nd_subject *, const char *host);
/* Is the address sa inside the subject? */
bool		 nd_subject_covers(const struct nd_subject *,
		    const struct sockaddr *);
/* Do two subjects name the same range? */
bool		 nd_subject_equal(const struct nd_subject *,
		    const struct nd_subject *);

#endif /* ND_FINDING_H */
