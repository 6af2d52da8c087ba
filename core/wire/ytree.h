/*
 * ytree.h - bounded YAML loading and schema checking shared by config.c
 * (netdoctor.yaml), creds.c (talosconfig, kubeconfig), the machine-config
 * loader and manifests.c (Kubernetes YAML).
 *
 * libyaml's event stream becomes a small tree, refusing what netdoctor has
 * no use for and what makes YAML dangerous to load: aliases (which allow
 * "billion laughs" expansion), nesting past a depth, more nodes than a
 * count, files past a size, and several documents unless asked for (a
 * Talos machine config is a multi-document stream).  The callers then
 * check the tree against their own schema with the typed accessors below,
 * so that every file reports a wrong type, a repeated key or an unknown
 * key in the same words.
 *
 * Ownership: the file's bytes, every node, every kids array and every
 * scalar's text are allocated in the caller's arena and live as long as it;
 * nothing here is freed by the caller, and nothing outlives a call except
 * what the arena holds.  Out-parameters are written only on success.
 */
#ifndef ND_YTREE_H
#define ND_YTREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct nd_arena;

enum nd_ykind {
	ND_Y_SCALAR,
	ND_Y_SEQ,
	ND_Y_MAP,
};

/* A map's kids alternate key, value. */
struct nd_ynode {
	enum nd_ykind	   kind;
	int		   line;	/* 1-based */
	char		  *str;		/* scalars: NUL-free text */
	size_t		   len;
	bool		   plain;	/* unquoted, so "~" and "" mean null */
	struct nd_ynode	 **kids;
	size_t		   n, cap;
};

struct nd_ytree_opts {
	/* Put before the path in errors ("talosconfig: "); NULL for none. */
	const char	*prefix;
	size_t		 max_bytes;	/* of the file */
	size_t		 max_depth;	/* nested sequences and mappings */
	size_t		 max_nodes;	/* scalars, sequences and mappings */
	/*
	 * Never echo the input in errors: no anchor names, no offending
	 * bytes.  For files that hold secrets.
	 */
	bool		 quiet_values;
	/*
	 * Accept several documents ("---" separated).  The root is then
	 * always a sequence made here, not in the file: one kid per document,
	 * in order (an empty document is an empty plain scalar), line 1, no
	 * kids for a file without a document.  It counts toward neither
	 * max_depth nor max_nodes; the documents' nodes count together.
	 */
	bool		 multi_doc;
	/*
	 * Tests only: parse with libyaml alone, without trying the fast
	 * reader of yfast.h first, to compare the two trees.
	 */
	bool		 libyaml_only;
};

/*
 * Reads path and builds its tree.  *ret is the root, NULL for a file
 * without a document (empty, or comments only); with multi_doc, the
 * sequence of documents described above, never NULL.  Returns 0, or a negative
 * errno with one line in err (cleared first):
 *   "[PREFIX]PATH:LINE: what", or "[PREFIX]PATH: what" without a line.
 * -EFBIG for a file over max_bytes, -EINVAL for input refused.
 */
int	nd_ytree_load(struct nd_arena *, const char *path,
	    const struct nd_ytree_opts *, struct nd_ynode **ret, char *err,
	    size_t errlen);

/*
 * The same for len bytes already in memory (an API server's answer:
 * JSON is YAML's flow style), named name in errors where a path would be.
 * The tree holds copies: buf may be freed after the call.
 */
int	nd_ytree_parse(struct nd_arena *, const char *name, const char *buf,
	    size_t len, const struct nd_ytree_opts *, struct nd_ynode **ret,
	    char *err, size_t errlen);

/*
 * Reads all of path into the arena, NUL-terminated (len excludes the
 * NUL).  Returns 0, -errno, -EFBIG when it holds more than max bytes, or
 * -EIO when a regular file grew while it was read.  Writes no message.
 */
int	nd_ytree_read_file(struct nd_arena *, const char *path, size_t max,
	    char **ret_buf, size_t *ret_len);

/*
 * Formats "[prefix]path:line: " (or "[prefix]path: " for line 0) and the
 * message into err, the error format of nd_ytree_load, so that callers
 * checking a tree report in the same shape.  Returns -EINVAL.
 */
int	nd_ytree_verr(char *err, size_t errlen, const char *prefix,
	    const char *path, int line, const char *fmt, va_list ap)
	    __attribute__((format(printf, 6, 0)));

/*
 * The value of key in map (the first, if given twice), or NULL.  For
 * recognising a document before it is checked; checks use nd_yfind().
 */
const struct nd_ynode *nd_ytree_peek(const struct nd_ynode *map,
	    const char *key);

/* Absent (NULL) or a YAML 1.1 null: an empty plain scalar, "~", "null". */
bool	nd_ytree_is_null(const struct nd_ynode *);

/*
 * What a node is, for "must be X, got Y" messages, never its text: "a
 * mapping", "a list", "an empty value" (absent or null), "an empty
 * string" (quoted ''), "a number" (a plain whole number), "a string".
 */
const char *nd_ytree_describe(const struct nd_ynode *);

/* ---- checking a tree against a schema ---- */

/*
 * Longest text of the file an error quotes.  Use as
 *   nd_ycheck_err(ck, line, "'%.*s%s' is not ...", ND_YSHOW(s, len))
 * which prints at most ND_YSHOW_MAX bytes of s, then "..." if cut.
 */
#define ND_YSHOW_MAX	64
#define ND_YSHOW(s, len)	nd_yshow_len(len), (s), nd_yshow_more(len)
int	nd_yshow_len(size_t len);
const char *nd_yshow_more(size_t len);

/*
 * Where a check reports: errors are "[PREFIX]PATH:LINE: [SUBJECT: ]what"
 * (line 0 leaves ":LINE" out), the format of nd_ytree_load.  subject is
 * the object a file of many objects is talking about ("Service x"), or
 * NULL.  With quiet_values (files that hold keys and tokens) the
 * functions here echo nothing from the file but the key names the
 * caller asked for; callers quote values only where they know them to be
 * harmless.  Names built for messages live in the arena.
 */
struct nd_ycheck {
	struct nd_arena	*arena;
	const char	*prefix;
	const char	*path;
	const char	*subject;
	char		*err;
	size_t		 errlen;
	bool		 quiet_values;
};

/* Formats one error line into ck->err; returns -EINVAL. */
int	nd_ycheck_err(const struct nd_ycheck *ck, int line, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/*
 * A key and its value as found in a mapping.  k is NULL when the key is
 * absent; v is NULL when the key is absent or its value is null, so that
 * "not given" is one test.
 */
struct nd_ykv {
	const struct nd_ynode	*k, *v;
};

/* The line to blame for kv: its key's, else map's (0 for a NULL map). */
int	nd_ykv_line(const struct nd_ykv *kv, const struct nd_ynode *map);

/*
 * Names in messages are key paths: where is the path of the mapping
 * ("machine.network", "contexts.lab"), NULL or "" for the top level, and
 * the key is appended after a '.': "machine.network.hostname".  A list
 * item is "NAME[i]".
 *
 * The wording, one for every file:
 *   "NAME: must be WHAT, got DESC"	  a wrong type; see nd_ytree_describe
 *   "NAME: must not be empty"		  '' where a value is required
 *   "NAME: missing"			  a required key absent
 *   "NAME: given twice (first on line N)" a repeated key, on its line
 *   "NAME: must be true or false"
 *   "unknown key 'K' in 'WHERE' (did you mean 'KEY'?)", or "... in the
 *   top level"; "keys must be strings, got DESC in 'WHERE'"
 * Type errors name the key's line, as a block value starts below it.
 */

/*
 * Checks that v is a non-null node of kind; what describes the expected
 * value ("a list of ports"), NULL for "a mapping", "a list", "a string".
 * line is where to blame, 0 for v's own.  Returns 0 or -EINVAL.
 */
int	nd_ywant(const struct nd_ycheck *ck, const struct nd_ynode *v,
	    int line, const char *name, enum nd_ykind kind, const char *what);

/* The same for item i of seq, named "NAME[i]". */
int	nd_ywant_item(const struct nd_ycheck *ck, const struct nd_ynode *seq,
	    size_t i, const char *name, enum nd_ykind kind, const char *what);

/*
 * A non-empty string: v must be a scalar (what as for nd_ywant) and not
 * ''.  *ret is a copy of v's text in ck->arena.
 */
int	nd_ywant_str(const struct nd_ycheck *ck, const struct nd_ynode *v,
	    int line, const char *name, const char *what, char **ret);

/*
 * Finds key in map (NULL or a non-mapping holds no keys).  A key given
 * twice is refused, in every file: YAML says keys are unique, the Go
 * decoders of Talos, kubectl and client-go refuse a repeated key, and a
 * repeat is a typo that would silently drop one of the two settings.
 * Keys the caller does not look up are not checked.
 */
int	nd_yfind(const struct nd_ycheck *ck, const struct nd_ynode *map,
	    const char *where, const char *key, struct nd_ykv *ret);

/*
 * nd_yfind, then checks the value's kind.  An absent or null value is
 * fine (ret->v NULL) unless required.
 */
int	nd_yget(const struct nd_ycheck *ck, const struct nd_ynode *map,
	    const char *where, const char *key, enum nd_ykind kind,
	    bool required, struct nd_ykv *ret);

/*
 * A string.  *ret is NULL when the key is absent, null or '' (an error
 * when required).  ret_kv, if not NULL, gets what nd_yfind found.
 */
int	nd_yget_str(const struct nd_ycheck *ck, const struct nd_ynode *map,
	    const char *where, const char *key, bool required, char **ret,
	    struct nd_ykv *ret_kv);

/*
 * A list of non-empty strings into a NULL-terminated array; *ret is NULL
 * when the key is absent or null, so that "not set" differs from "[]".
 */
int	nd_yget_strlist(const struct nd_ycheck *ck,
	    const struct nd_ynode *map, const char *where, const char *key,
	    char ***ret);

/*
 * A YAML 1.1 boolean (true/false, yes/no, on/off in three cases, plain),
 * which the Go decoders of kubectl and Kubernetes (yaml.v2) accept;
 * false when absent or null.
 */
int	nd_yget_bool(const struct nd_ycheck *ck, const struct nd_ynode *map,
	    const char *where, const char *key, bool *ret);

/* One key of a schema and what to do with its value (NULL: nothing). */
struct nd_ykey {
	const char	*name;
	int		(*fn)(void *ctx, const struct nd_ynode *k,
			    const struct nd_ynode *v);
};

/* The most keys one nd_ywalk schema may list. */
#define ND_YWALK_MAX	16

/*
 * Checks map against keys, a closed schema: every key a string, known,
 * and given once; an unknown key gets the nearest known one as a
 * suggestion.  Calls each key's fn in file order, stopping at the first
 * error.  where names map as above (NULL: the top level).
 */
int	nd_ywalk(const struct nd_ycheck *ck, const struct nd_ynode *map,
	    const char *where, const struct nd_ykey *keys, size_t nkeys,
	    void *ctx);

#endif /* ND_YTREE_H */
