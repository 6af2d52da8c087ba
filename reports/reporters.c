/*
 * reporters.c - the output formats by name: --format, -o and the usage
 * text all read this one table.
 */
#include <string.h>

#include "report.h"

extern const struct nd_reporter nd_report_text, nd_report_json,
    nd_report_nagios, nd_report_markdown;

static const struct nd_reporter *const reporters[] = {
	&nd_report_text, &nd_report_json, &nd_report_nagios,
	&nd_report_markdown,
};

const struct nd_reporter *
nd_reporter_find(const char *name)
{
	size_t i;

	for (i = 0; i < ND_ARRAY_SIZE(reporters); i++)
		if (strcmp(reporters[i]->name, name) == 0)
			return reporters[i];
	return NULL;
}

const char *
nd_reporter_names(void)
{
	static char names[128];
	size_t i, o = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < ND_ARRAY_SIZE(reporters) && o < sizeof(names); i++) {
		size_t n = strlen(reporters[i]->name);

		if (o + n + 3 > sizeof(names))
			break;
		if (i > 0) {
			memcpy(names + o, ", ", 2);
			o += 2;
		}
		memcpy(names + o, reporters[i]->name, n);
		o += n;
	}
	names[o] = '\0';
	return names;
}
