/*
 * yfast.h - a fast reader for the block-style YAML that netdoctor's own
 * files are written in, tried by ytree.c before libyaml.
 *
 * libyaml spends some 7,000 instructions per line of a 10,000-target
 * config; this reader a few hundred.  It accepts only a subset (block
 * mappings and sequences by indentation, "- " items, "key: value", plain
 * and quoted one-line scalars, comments, blank lines, one leading "---")
 * and, for a document in it, builds exactly the tree libyaml's events
 * give in ytree.c: the same kinds, text, plain flags, line numbers and
 * order.  Anything else, including every error and every bound reached,
 * is refused, and ytree.c parses the whole buffer with libyaml from
 * scratch, so errors and unusual YAML behave as before.
 */
#ifndef ND_YFAST_H
#define ND_YFAST_H

#include <stddef.h>

struct nd_arena;
struct nd_ynode;
struct nd_ytree_opts;

/* nd_yfast_parse's answer for input outside the subset. */
#define ND_YFAST_REFUSED	1

/*
 * Parses len bytes of buf (buf[len] must be readable: '\0' or the next
 * byte).  own is NULL, or buf itself when buf is the caller's writable
 * copy that lives as long as the arena: scalars then point into it,
 * NUL-terminated in place (only once the whole document is accepted),
 * instead of being copied.  Returns 0 with *ret the root (NULL for no
 * document), or ND_YFAST_REFUSED with *ret untouched, buf unchanged
 * and only dead arena memory spent.  Single documents only
 * (opts->multi_doc is refused).
 */
int	nd_yfast_parse(struct nd_arena *, const char *buf, char *own,
	    size_t len, const struct nd_ytree_opts *, struct nd_ynode **ret);

/* Appends kid to a sequence's or mapping's kids (shared with ytree.c). */
void	nd_ynode_add_kid(struct nd_arena *, struct nd_ynode *parent,
	    struct nd_ynode *kid);

/*
 * The tree as text, one node a line (kind, line, plain or quoted, text
 * with bytes outside printable ASCII as \xNN), so that tests and the
 * fuzz harness compare two trees and show where they differ.  In the
 * arena; NULL for a tree deeper than the fast reader's own bound.
 */
char	*nd_ytree_dump(struct nd_arena *, const struct nd_ynode *root);

#endif /* ND_YFAST_H */
