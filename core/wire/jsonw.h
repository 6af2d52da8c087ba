/*
 * jsonw.h - a streaming JSON writer for reports (RFC 8259).
 *
 * The report can hold tens of thousands of probes; building it as a
 * jansson tree cost more than the probing itself (0.09 s of 0.4 s for
 * 10,000 targets), so reports stream straight to the FILE.  Commas are
 * placed automatically.  Strings are escaped and invalid UTF-8 is replaced
 * with U+FFFD, so peer-controlled text can never break the document.
 * Numbers use the C locale (netdoctor never calls setlocale).
 *
 * Output is gathered in the writer's own buffer and handed to the FILE in
 * large pieces (a 7 MB report is some 300,000 tokens: stdio's cost per
 * call was a third of the writer's).  A value that ends at the top level,
 * and raw text written there, reach the FILE at once, so callers need no
 * flush; a document abandoned half-way may stay partly unwritten.
 */
#ifndef ND_JSONW_H
#define ND_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ND_JW_DEPTH	16
#define ND_JW_BUF	16384

struct nd_jw {
	FILE	*f;
	size_t	 len;		/* bytes in buf not yet given to f */
	int	 depth;
	bool	 need_comma[ND_JW_DEPTH];
	bool	 after_key;
	bool	 error;		/* nesting misuse; output still written */
	char	 buf[ND_JW_BUF];
};

void	nd_jw_init(struct nd_jw *, FILE *);
void	nd_jw_obj(struct nd_jw *);		/* { */
void	nd_jw_obj_end(struct nd_jw *);		/* } */
void	nd_jw_arr(struct nd_jw *);		/* [ */
void	nd_jw_arr_end(struct nd_jw *);		/* ] */
void	nd_jw_key(struct nd_jw *, const char *);
void	nd_jw_str(struct nd_jw *, const char *);	/* NULL writes null */
void	nd_jw_int(struct nd_jw *, long long);
void	nd_jw_real(struct nd_jw *, double, int decimals);
void	nd_jw_null(struct nd_jw *);
/* Raw text between values (newlines for readability); no comma logic. */
void	nd_jw_raw(struct nd_jw *, const char *);

/* Convenience: "key": value */
void	nd_jw_kstr(struct nd_jw *, const char *key, const char *val);
void	nd_jw_kint(struct nd_jw *, const char *key, long long val);
void	nd_jw_kreal(struct nd_jw *, const char *key, double val, int decimals);

/*
 * The same for a key that is a string literal needing no escaping (the
 * report's own field names): ND_JW_LIT("id") is the key quoted, with its
 * colon, and that length, so it is copied without a scan.  A
 * 10,000-target report has 275,000 keys.
 */
#define ND_JW_LIT(k)	("\"" k "\":"), (sizeof(k) + 2)
void	nd_jw_key_lit(struct nd_jw *, const char *quoted, size_t n);
void	nd_jw_kstr_lit(struct nd_jw *, const char *quoted, size_t n,
	    const char *val);

#endif /* ND_JSONW_H */
