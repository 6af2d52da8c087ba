/*
 * finding.c - the findings table and recording findings on probes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "arena.h"
#include "finding.h"
#include "probe.h"
#include "util.h"

const struct nd_finding_def nd_finding_defs[ND_F__COUNT] = {
#define ND_FINDING(e, i, pr, l, s, k, c, t, w, f) \
	[ND_F_##e] = { .code = ND_F_##e, .id = i, .probe = pr, .layer = l, \
	    .sev = s, .kind = k, .confidence = c, .text = t, .why = w, .fix = f },
#include "findings.def"
#undef ND_FINDING
};

const struct nd_finding_def *
nd_finding_def_by_id(const char *id)
{
	size_t i;

	for (i = 0; i < ND_F__COUNT; i++)
		if (strcmp(nd_finding_defs[i].id, id) == 0)
			return &nd_finding_defs[i];
	return NULL;
}

struct nd_finding *
nd_finding_add(struct nd_probe *p, enum nd_code code, const char *fmt, ...)
{
	struct nd_arena *a = p->run->arena;
	struct nd_finding *f = nd_arena_alloc(a, sizeof(*f));
	va_list ap;

	f->def = &nd_finding_defs[code];
	f->sev = f->def->sev;
	f->probe = p;
	va_start(ap, fmt);
	f->summary = nd_arena_vprintf(a, fmt, ap);
	va_end(ap);
	/*
	 * Most probes record one finding.  The array doubles, so the count
	 * doubles as the capacity test: full when it is 0 or a power of 2.
	 */
	if ((p->nfindings & (p->nfindings - 1)) == 0)
		p->findings = nd_arena_grow(a, p->findings, p->nfindings,
		    p->nfindings ? p->nfindings * 2 : 1, sizeof(*p->findings));
	p->findings[p->nfindings++] = f;
	return f;
}

void
nd_evidence_add(struct nd_finding *f, const char *key, const char *fmt, ...)
{
	struct nd_arena *a = f->probe->run->arena;
	va_list ap;

	if (f->nev == ND_EVIDENCE_MAX) {
		f->ndropped++;
		return;
	}
	/* Capacity doubles from 4 at each power of two (most hold 2-5). */
	if (f->nev == 0 || (f->nev >= 4 && (f->nev & (f->nev - 1)) == 0))
		f->ev = nd_arena_grow(a, f->ev, f->nev,
		    f->nev == 0 ? 4 : f->nev * 2, sizeof(*f->ev));
	f->ev[f->nev].key = key;
	va_start(ap, fmt);
	f->ev[f->nev].value = nd_arena_vprintf(a, fmt, ap);
	va_end(ap);
	f->nev++;
}

const char *
nd_evidence_get(const struct nd_finding *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nev; i++)
		if (strcmp(f->ev[i].key, key) == 0)
			return f->ev[i].value;
	return NULL;
}

void
nd_finding_about_ip(struct nd_finding *f, const char *ip)
{
	uint8_t a[16];

	if (ip == NULL)
		return;
	if (inet_pton(AF_INET, ip, a) == 1)
		nd_finding_about_range(f, AF_INET, a, a);
	else if (inet_pton(AF_INET6, ip, a) == 1)
		nd_finding_about_range(f, AF_INET6, a, a);
}

static struct nd_subject *
finding_subject(struct nd_finding *f)
{
	if (f->subject == NULL)
		f->subject = nd_arena_alloc(f->probe->run->arena,
		    sizeof(*f->subject));
	return f->subject;
}

void
nd_finding_about_range(struct nd_finding *f, int family, const uint8_t *first,
    const uint8_t *last)
{
	struct nd_subject *s;
	size_t n = family == AF_INET ? 4 : 16;

	if (family != AF_INET && family != AF_INET6)
		return;
	/* The names, if any, stay: a finding may be about both. */
	s = finding_subject(f);
	memset(s->first, 0, sizeof(s->first));
	memset(s->last, 0, sizeof(s->last));
	s->family = family;
	memcpy(s->first, first, n);
	memcpy(s->last, last, n);
}

bool
nd_subject_covers(const struct nd_subject *s, const struct sockaddr *sa)
{
	const uint8_t *a;
	size_t n;

	if (s == NULL || s->family == 0 || sa == NULL ||
	    sa->sa_family != s->family)
		return false;
	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		n = 4;
	} else {
		a = (const uint8_t *)&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;
		n = 16;
	}
	/* Network byte order compares like the numbers it holds. */
	return memcmp(s->first, a, n) <= 0 && memcmp(a, s->last, n) <= 0;
}

bool
nd_subject_equal(const struct nd_subject *a, const struct nd_subject *b)
{
	return a != NULL && b != NULL && a->family != 0 &&
	    a->family == b->family &&
	    memcmp(a->first, b->first, sizeof(a->first)) == 0 &&
	    memcmp(a->last, b->last, sizeof(a->last)) == 0;
}

void
nd_finding_about_names(struct nd_finding *f, char *const *names)
{
	struct nd_arena *a = f->probe->run->arena;
	char **v;
	size_t n = 0, i;

	while (names != NULL && names[n] != NULL)
		n++;
	if (n == 0)
		return;
	v = nd_arena_alloc(a, (n + 1) * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = nd_arena_strdup(a, names[i]);
	finding_subject(f)->names = v;
}

bool
nd_subject_names(const struct nd_subject *s, const char *host)
{
	char *const *n;

	if (s == NULL)
		return false;
	for (n = s->names; host != NULL && n != NULL && *n != NULL; n++)
		if (nd_hostname_match(*n, host))
			return true;
	return false;
}
