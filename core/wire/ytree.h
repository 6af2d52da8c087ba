/*
 * ytree.h - bounded YAML loading shared by config.c (netdoctor.yaml) and
 * creds.c (talosconfig, kubeconfig).
 *
 * libyaml's event stream becomes a small tree, refusing what netdoctor has
 * no use for and what makes YAML dangerous to load: aliases (which allow
 * "billion laughs" expansion), nesting past a depth, more nodes than a
 * count, files past a size, and several documents unless asked for (a
 * Talos machine config is a multi-document stream).  The callers then
 * check the tree against their own schema.
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

/* The value of key in map (the first, if given twice), or NULL. */
const struct nd_ynode *nd_ytree_peek(const struct nd_ynode *map,
	    const char *key);

/* Absent (NULL) or a YAML 1.1 null: an empty plain scalar, "~", "null". */
bool	nd_ytree_is_null(const struct nd_ynode *);

#endif /* ND_YTREE_H */
