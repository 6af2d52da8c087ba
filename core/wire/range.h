/*
 * range.h - Monitoring Plugins threshold ranges, the -w/-c arguments of
 * `netdoctor check` and the warn/crit fields of its perfdata.
 *
 * Syntax and meaning follow monitoring-plugin-guidelines:
 * definitions/01.range_expressions.md: `[@][start:][end]`, start <= end,
 * a start of 0 may be omitted, an omitted end is +infinity, `~` as start
 * is -infinity; without `@` a value alerts when it is OUTSIDE
 * [start, end], with `@` when it is INSIDE, endpoints included both ways;
 * an expression must give at least a start or an end, so "", "@", ":" and
 * "~:" are rejected.
 *
 * Numbers are plain decimals: an optional '-', digits, optionally '.' and
 * more digits, at most 15 significant and 15 fractional digits (so every
 * accepted value is exact to print back).  No '+', exponent, inf, nan,
 * blanks or locale decimal comma: parsing and formatting never consult
 * LC_NUMERIC, which Icinga sets and users override.  Like the upstream C
 * implementation (monitoring-plugins lib/utils_base.c), ":10" is read as
 * "0:10".
 */
#ifndef ND_RANGE_H
#define ND_RANGE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest text nd_range_format() writes, terminating NUL included. */
#define ND_RANGE_TEXT_MAX	48

struct nd_range {
	double	start, end;
	bool	start_inf;	/* start is -infinity (`~`); start unused */
	bool	end_inf;	/* end is +infinity (omitted); end unused */
	bool	inside;		/* `@`: alert inside the range, not outside */
};

/*
 * Parses a range expression.  Writes *ret only on success.  Returns 0 or
 * -EINVAL (NULL, empty, bad syntax, start > end, too many digits).
 */
int	nd_range_parse(const char *s, struct nd_range *ret);

/*
 * True when value exceeds the threshold, i.e. the check should go to the
 * state this range guards.  A NaN value always alerts: a metric netdoctor
 * could not compute must not pass for a good one.
 */
bool	nd_range_alert(const struct nd_range *, double value);

/*
 * Writes the canonical text of a range ("10", "10:", "~:10", "@10:20",
 * "0:" for [0, +inf)) for perfdata, in fixed notation as the output
 * guidelines ask.  Every range nd_range_parse() returns reads back the
 * same; a value set by code that is no short decimal (1.0 / 3) is rounded
 * to 15 fractional digits.  Returns the length (without the NUL), -EINVAL
 * for NaN, start > end, both ends infinite or a magnitude of 2^53 or more,
 * -ENOSPC when len is too small (ND_RANGE_TEXT_MAX always suffices); buf
 * is written only on success.
 */
int	nd_range_format(const struct nd_range *, char *buf, size_t len);

#endif /* ND_RANGE_H */
