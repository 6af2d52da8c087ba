/*
 * registry.c - the table of built-in probes, expanded from probes/probes.def.
 */
#include <string.h>

#include "engine.h"
#include "probe.h"

#define PROBE(n) extern const struct nd_probe_ops nd_probe_##n;
#include "probes/probes.def"
#undef PROBE

static const struct nd_probe_ops *const registry[] = {
#define PROBE(n) &nd_probe_##n,
#include "probes/probes.def"
#undef PROBE
};

const struct nd_probe_ops *
nd_registry_find(const char *name)
{
	size_t i;

	for (i = 0; i < ND_ARRAY_SIZE(registry); i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

bool
nd_probe_selected(const char *const *only, const char *const *skip,
    const char *name)
{
	const char *const *v;

	if (only != NULL) {
		for (v = only; *v != NULL && strcmp(*v, name) != 0; v++)
			continue;
		if (*v == NULL)
			return false;
	}
	for (v = skip; v != NULL && *v != NULL; v++)
		if (strcmp(*v, name) == 0)
			return false;
	return true;
}

const struct nd_probe_ops *const *
nd_registry_all(size_t *n)
{
	*n = ND_ARRAY_SIZE(registry);
	return registry;
}
