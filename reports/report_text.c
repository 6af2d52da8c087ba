/*
 * report_text.c - the human report: ranked causes first (evidence, what
 * they explain, the fix), then one line per target with a cell per layer.
 * Colour only when the caller asks (ND_REPORT_COLOR: a TTY and no
 * NO_COLOR, decided by cli.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "util.h"

#define TEXT_MAX_CAUSES		20	/* then a per-id summary */
#define TEXT_MAX_EXPLAINS	5

struct text_style {
	const char *red, *yellow, *green, *magenta, *bold, *dim, *off;
};

static const struct text_style text_colour = {
	"\033[31m", "\033[33m", "\033[32m", "\033[35m", "\033[1m", "\033[2m",
	"\033[0m",
};
static const struct text_style text_plain = { "", "", "", "", "", "", "" };

static const char *
text_sev_colour(const struct text_style *s, enum nd_sev sev)
{
	switch (sev) {
	case ND_SEV_CRIT:
		return s->red;
	case ND_SEV_WARN:
		return s->yellow;
	case ND_SEV_UNKNOWN:
		return s->magenta;
	case ND_SEV_OK:
	case ND_SEV_INFO:
		break;
	}
	return s->green;
}

static void
text_upper(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ?
		    src[i] - 'a' + 'A' : src[i]);
	dst[i] = '\0';
}

/* "step.N" evidence: a computation's steps (nodeip), one line each. */
static bool
text_is_step(const char *key)
{
	return strncmp(key, "step.", 5) == 0;
}

static void
text_cause(FILE *f, const struct text_style *s, const struct nd_report_cause *c)
{
	const struct nd_report_cause *fd = c;
	char sev[16];
	size_t i;

	text_upper(sev, sizeof(sev), nd_sev_name(c->sev));
	fprintf(f, "%2zu. %s%-8s%s %s%s%s  [%s] %s\n", c->rank,
	    text_sev_colour(s, c->sev), sev, s->off, s->bold, c->id,
	    s->off, nd_layer_name(c->layer), c->target);
	fputs("    ", f);
	nd_fputs_safe(c->summary, f);
	fputc('\n', f);
	if (fd->nev > 0 || c->addresses != NULL) {
		fprintf(f, "    %sevidence:%s", s->dim, s->off);
		for (i = 0; i < fd->nev; i++) {
			if (text_is_step(fd->ev[i].key))
				continue;
			fprintf(f, " %s=", fd->ev[i].key);
			nd_fputs_safe(fd->ev[i].value, f);
		}
		if (c->addresses != NULL)
			fprintf(f, " addresses=%s", c->addresses);
		fputc('\n', f);
		/* A computation's steps read best one per line, in order. */
		for (i = 0; i < fd->nev; i++) {
			if (!text_is_step(fd->ev[i].key))
				continue;
			fprintf(f, "      %s-%s ", s->dim, s->off);
			nd_fputs_safe(fd->ev[i].value, f);
			fputc('\n', f);
		}
	}
	if (c->nexplains > 0) {
		fprintf(f, "    %sexplains:%s", s->dim, s->off);
		for (i = 0; i < c->nexplains && i < TEXT_MAX_EXPLAINS; i++)
			fprintf(f, "%s %s", i ? "," : "", c->explains[i]->id);
		if (c->nexplains > TEXT_MAX_EXPLAINS)
			fprintf(f, " and %zu more",
			    c->nexplains - TEXT_MAX_EXPLAINS);
		fputc('\n', f);
	}
	if (c->fix[0] != '\0') {
		fprintf(f, "    %sfix:%s ", s->bold, s->off);
		nd_fputs_safe(c->fix, f);
		fputc('\n', f);
	}
}

/* The rest of a long list, counted per finding id. */
static void
text_cause_tail(FILE *f, const struct nd_report *r)
{
	size_t i, j;

	fprintf(f, "    ... and %zu more causes (--format json lists all):",
	    r->ncauses - TEXT_MAX_CAUSES);
	for (i = TEXT_MAX_CAUSES; i < r->ncauses; i++) {
		const char *id = r->causes[i].id;
		size_t n = 0;

		for (j = TEXT_MAX_CAUSES; j < i; j++)
			if (strcmp(r->causes[j].id, id) == 0)
				break;
		if (j < i)
			continue;	/* counted at its first occurrence */
		for (j = i; j < r->ncauses; j++)
			n += strcmp(r->causes[j].id, id) == 0;
		fprintf(f, " %s x%zu", id, n);
	}
	fputc('\n', f);
}

/* One cell: what the probe found, in a word or two. */
static void
text_cell(char *buf, size_t len, const struct nd_report_probe *p)
{
	const struct nd_report_finding *worst = NULL;
	const char *id, *dot;
	size_t i;

	for (i = 0; i < p->nfindings; i++)
		if (p->findings[i].failing && worst == NULL)
			worst = &p->findings[i];
	switch (p->status) {
	case ND_PASS:
	case ND_WARN:
		if (worst != NULL)
			break;
		/* A note that may be a cause (route.unroutable_private). */
		for (i = 0; i < p->nfindings; i++)
			if (p->findings[i].sev == ND_SEV_INFO) {
				id = p->findings[i].id;
				dot = strchr(id, '.');
				snprintf(buf, len, "ok/%s", dot ? dot + 1 : id);
				return;
			}
		if (p->sample != NULL)
			snprintf(buf, len, "ok %.2fms", p->sample->value * 1e3);
		else
			snprintf(buf, len, "ok");
		return;
	case ND_SKIP:
		snprintf(buf, len, "skip");
		return;
	case ND_PENDING:
	case ND_RUNNING:
		snprintf(buf, len, "not run");
		return;
	case ND_FAIL:
	case ND_ERROR:
		break;
	}
	if (worst == NULL) {
		snprintf(buf, len, "%s", nd_status_name(p->status));
		return;
	}
	id = worst->id;
	dot = strchr(id, '.');
	snprintf(buf, len, "%s", dot != NULL ? dot + 1 : id);
}

static int
text_write(FILE *f, const struct nd_report *r, unsigned flags)
{
	const struct text_style *s = (flags & ND_REPORT_COLOR) != 0 ?
	    &text_colour : &text_plain;
	char status[16], cell[64];
	size_t i, j, shown, width = 6;

	text_upper(status, sizeof(status), nd_sev_name(r->status));
	fprintf(f, "netdoctor %s: %s%s%s - %zu target%s, %zu probe%s, "
	    "%.1f ms\n\n", r->version, text_sev_colour(s, r->status), status,
	    s->off, r->ntargets, r->ntargets == 1 ? "" : "s", r->nprobes,
	    r->nprobes == 1 ? "" : "s", r->duration_ms);
	if (r->ncauses == 0) {
		fprintf(f, "No problems found: every layer of every target "
		    "passed.\n\n");
	} else {
		fprintf(f, "%sRoot causes, most likely first%s\n", s->bold,
		    s->off);
		shown = r->ncauses < TEXT_MAX_CAUSES ? r->ncauses :
		    TEXT_MAX_CAUSES;
		for (i = 0; i < shown; i++)
			text_cause(f, s, &r->causes[i]);
		if (r->ncauses > TEXT_MAX_CAUSES)
			text_cause_tail(f, r);
		fputc('\n', f);
	}
	for (i = 0; i < r->ntargets; i++) {
		size_t w = strlen(r->targets[i].url);

		if (w > width)
			width = w;
	}
	if (width > 48)
		width = 48;
	fprintf(f, "%sTargets%s (layer by layer, lowest first)\n", s->bold,
	    s->off);
	for (i = 0; i < r->ntargets; i++) {
		const struct nd_report_target *t = &r->targets[i];

		fprintf(f, "  %s%-*s%s", text_sev_colour(s, t->sev),
		    (int)width, t->url, s->off);
		for (j = 0; j < t->nprobes; j++) {
			text_cell(cell, sizeof(cell), t->probes[j]);
			fprintf(f, "  %s:%s", t->probes[j]->name, cell);
			if (t->probes[j]->per_address != NULL)
				fprintf(f, "@%s", t->probes[j]->per_address);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

const struct nd_reporter nd_report_text = {
	.name = "text",
	.write = text_write,
};
