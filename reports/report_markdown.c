/*
 * report_markdown.c - the report as Markdown, to paste into a bug ticket:
 * the causes as a numbered list, then a table of targets by layer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

/* Table cells must not break the table. */
static void
md_cell(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
	}
}

static int
md_write(FILE *f, const struct nd_report *r, unsigned flags)
{
	size_t i, j, k;

	fprintf(f, "## netdoctor %s: %s\n\n", r->version,
	    nd_sev_name(r->status));
	if (r->ncauses == 0)
		fputs("No problems found: every layer of every target passed.\n",
		    f);
	for (i = 0; i < r->ncauses; i++) {
		const struct nd_report_cause *c = &r->causes[i];
		const struct nd_report_cause *fd = c;

		fprintf(f, "%zu. **%s** `%s` (%s, %s): ", c->rank,
		    nd_sev_name(c->sev), c->id, nd_layer_name(c->layer),
		    c->target);
		md_cell(f, c->summary);
		fputc('\n', f);
		if (fd->nev > 0) {
			fputs("   - evidence:", f);
			for (k = 0; k < fd->nev; k++)
				fprintf(f, " `%s=%s`", fd->ev[k].key,
				    fd->ev[k].value);
			fputc('\n', f);
		}
		if (c->nexplains > 0)
			fprintf(f, "   - explains %zu probe%s, first `%s`\n",
			    c->nexplains, c->nexplains == 1 ? "" : "s",
			    c->explains[0]->id);
		if (c->fix[0] != '\0')
			fprintf(f, "   - fix: `%s`\n", c->fix);
	}
	fputs("\n| target | probe | address | status | finding |\n"
	    "|---|---|---|---|---|\n", f);
	for (i = 0; i < r->ntargets; i++) {
		const struct nd_report_target *t = &r->targets[i];

		for (j = 0; j < t->nprobes; j++) {
			const struct nd_report_probe *p = t->probes[j];

			fputs("| ", f);
			md_cell(f, t->url);
			fprintf(f, " | %s | ", p->name);
			md_cell(f, p->address != NULL ? p->address : "");
			fprintf(f, " | %s | ", nd_status_name(p->status));
			if (p->nfindings > 0)
				md_cell(f, p->findings[0].id);
			fputs(" |\n", f);
		}
	}
	return ferror(f) ? -EIO : 0;
}

const struct nd_reporter nd_report_markdown = {
	.name = "markdown",
	.write = md_write,
};
