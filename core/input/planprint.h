/*
 * planprint.h - `netdoctor run --print-plan`: the targets, the probes each
 * would run (after --only/--skip) and where each target came from, with
 * discovery's notes; nothing is sent.
 */
#ifndef ND_PLANPRINT_H
#define ND_PLANPRINT_H

#include <stddef.h>
#include <stdio.h>

struct nd_inventory;
struct nd_options;

void	nd_plan_print(FILE *, const struct nd_inventory *,
	    const struct nd_options *, const char *heading,
	    const char *const *notes, size_t nnotes);

#endif /* ND_PLANPRINT_H */
