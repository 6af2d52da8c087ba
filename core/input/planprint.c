/*
 * planprint.c - the plan as text (see planprint.h).  Reads the inventory
 * and the options only; the engine is never built, so not even a name is
 * resolved.
 */
#include <stdbool.h>

#include "engine.h"
#include "inventory.h"
#include "options.h"
#include "planprint.h"
#include "target.h"
#include "util.h"

void
nd_plan_print(FILE *f, const struct nd_inventory *inv,
    const struct nd_options *o, const char *heading,
    const char *const *notes, size_t nnotes)
{
	const char *const *chain;
	size_t i, k, n;

	if (notes != NULL) {
		fprintf(f, "%s:\n", heading);
		for (i = 0; i < nnotes; i++) {
			fputs("  ", f);
			nd_fputs_safe(notes[i], f);
			fputc('\n', f);
		}
		fputc('\n', f);
	}
	fprintf(f, "Plan: %zu target%s (nothing is sent with --print-plan)\n",
	    inv->ntargets, inv->ntargets == 1 ? "" : "s");
	for (i = 0; i < inv->ntargets; i++) {
		const struct nd_target *t = inv->targets[i];

		fputs("  ", f);
		nd_fputs_safe(t->url, f);
		fputs("\n      probes: ", f);
		chain = nd_target_chain(t);
		for (k = 0, n = 0; chain != NULL && chain[k] != NULL; k++) {
			if (!nd_probe_selected(o->only, o->skip, chain[k]))
				continue;
			fprintf(f, "%s%s", n++ ? ", " : "", chain[k]);
		}
		if (n == 0)
			fputs("(none: --only/--skip)", f);
		fputs("\n      from: ", f);
		nd_fputs_safe(t->origin != NULL ? t->origin : "command line", f);
		fputc('\n', f);
	}
}
