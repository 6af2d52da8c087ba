/*
 * yfast.c - the fast reader for block-style YAML (see yfast.h).
 *
 * One pass over the lines with an explicit stack of the open mappings
 * and sequences, each with the column of its keys or dashes: a line
 * closes the collections deeper than its column and must then sit
 * exactly at the column of the innermost one left, as libyaml's indent
 * stack requires.  What the tree must match, from libyaml 0.2.5's scanner
 * and parser as ytree.c turns their events into nodes:
 *   - a collection's line is the line of its first key or dash;
 *   - a missing value ("key:" or "-" with nothing after it on the line nor
 *     a deeper collection below) is an empty plain scalar on the line of
 *     its ':' or '-';
 *   - a sequence may sit at its key's column ("key:\n- a"): libyaml's
 *     indentless sequence, which ends at the first line there that is not
 *     a "- " item;
 *   - a plain scalar ends at ": ", at " #" or at the end of its line, and
 *     would continue on a following line indented deeper than its
 *     collection: such a line, even a blank line before it, is refused,
 *     as is any line deeper than a finished scalar;
 *   - a simple key must fit in 1024 bytes on one line.
 * Everything not listed in yfast.h is refused rather than interpreted,
 * byte by byte: only '\n' and printable ASCII are read at all.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "yfast.h"
#include "ytree.h"

/*
 * The deepest nesting read here; deeper documents (or a smaller
 * opts->max_depth reached) go to libyaml, which reports the bound.
 */
#define YF_STACK	64
/* libyaml drops a simple key more than 1024 bytes long; keep clear. */
#define YF_KEY_MAX	1000

enum yf_pend {
	YF_PEND_NONE,
	YF_PEND_KEY,		/* "key:" waits for its value */
	YF_PEND_DASH,		/* "-" waits for its item */
};

/* An open mapping or sequence. */
struct yf_level {
	struct nd_ynode	*node;
	size_t		 col;		/* of its keys or dashes */
	bool		 indentless;	/* a sequence at its key's column */
};

struct yf {
	struct nd_arena			*arena;
	const struct nd_ytree_opts	*opts;
	const char			*buf;
	char				*own;	/* buf, writable, or NULL */
	const char			*bol;	/* start of the current line */
	struct nd_ynode			*root;
	size_t				 nnodes;
	struct yf_level			 lv[YF_STACK];
	size_t				 depth;
	enum yf_pend			 pend;
	size_t				 pend_col;	/* its collection's */
	int				 pend_line;
	/* After a scalar that ends a line, no line may be deeper than this. */
	bool				 has_cont;
	size_t				 cont_col;
};

/* A scalar as found on its line, before its node is made. */
struct yf_scalar {
	const char	*raw;		/* text, inside the quotes if quoted */
	size_t		 rawlen;
	const char	*end;		/* the byte after it (and its quote) */
	char		 quote;		/* '\0' for plain */
	bool		 escaped;	/* "\" escapes or '' inside: decode */
};

/* What follows a scalar on its line. */
enum yf_after {
	YF_AFTER_END,		/* nothing, or a comment */
	YF_AFTER_COLON,		/* ": " or ':' at the end: it is a key */
	YF_AFTER_BAD,
};

void
nd_ynode_add_kid(struct nd_arena *arena, struct nd_ynode *parent,
    struct nd_ynode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap == 0 ? 8 : parent->cap * 2;
		parent->kids = nd_arena_grow(arena, parent->kids, parent->n,
		    parent->cap, sizeof(*parent->kids));
	}
	parent->kids[parent->n++] = kid;
}

/*
 * Only '\n' and printable ASCII: no tab (indentation or not), no CR, no
 * NUL, nothing libyaml's reader would check as UTF-8 or refuse.  Eight
 * bytes at a time, with carry-free byte tests (each byte's 0x80 bit
 * says it holds what is looked for), as this reads the whole file.
 */
#define ONES	0x0101010101010101ull
#define HIGH	0x8080808080808080ull
#define LOW7	0x7f7f7f7f7f7f7f7full

/* 0x80 in each byte of w that is zero. */
static uint64_t
zero_bytes(uint64_t w)
{
	return ~(((w & LOW7) + LOW7) | w | LOW7);
}

static bool
plain_ascii(const char *buf, size_t len)
{
	uint64_t w, bad = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, buf + i, 8);
		/* '\n' becomes '*' (0x0a | 0x20): allowed like the rest. */
		w |= zero_bytes(w ^ (ONES * '\n')) >> 2;
		/* Past 0x7e, 0x7f itself, or below 0x20. */
		bad |= w | zero_bytes(w ^ (ONES * 0x7f)) |
		    ~(((w & LOW7) + ONES * (0x80 - 0x20)) | w);
	}
	for (; i < len; i++)
		bad |= (unsigned char)buf[i] >= 0x7f ||
		    ((unsigned char)buf[i] < 0x20 && buf[i] != '\n') ? HIGH : 0;
	return (bad & HIGH) == 0;
}

/* "-" followed by a space or the end of the line: a sequence item. */
static bool
is_dash(const char *p, const char *eol)
{
	return *p == '-' && (p + 1 == eol || p[1] == ' ');
}

/*
 * A plain scalar may start here.  Every YAML indicator is refused but
 * '-' before a non-blank ("-1"); the rest would be flow collections,
 * anchors, aliases, tags, block scalars, directives or reserved.
 */
static bool
plain_start(const char *p, const char *eol)
{
	unsigned char c = (unsigned char)*p;

	if (c == '-')
		return p + 1 < eol && p[1] != ' ';
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("_./~+=$^()<;\\", c) != NULL;
}

/* A scalar starting at p, ending on this line; false to refuse. */
static bool
scan_scalar(const char *p, const char *eol, struct yf_scalar *s)
{
	const char *q, *last;

	s->escaped = false;
	s->quote = *p;
	if (*p == '"') {
		/* Most have no escape: two memchr() find the end then. */
		if ((q = memchr(p + 1, '"', (size_t)(eol - p - 1))) == NULL)
			return false;
		if (memchr(p + 1, '\\', (size_t)(q - p - 1)) != NULL) {
			s->escaped = true;
			for (q = p + 1; q < eol && *q != '"'; q++)
				if (*q == '\\' && ++q == eol)
					return false;
		}
	} else if (*p == '\'') {
		for (q = p + 1; q < eol; q++)
			if (*q == '\'') {
				if (q + 1 == eol || q[1] != '\'')
					break;
				s->escaped = true;
				q++;
			}
	} else {
		if (!plain_start(p, eol))
			return false;
		s->quote = '\0';
		/* libyaml's plain scalar in block context. */
		for (q = last = p; q < eol; q++) {
			if (*q == ' ')
				continue;
			if (*q == '#' && q[-1] == ' ')
				break;
			if (*q == ':' && (q + 1 == eol || q[1] == ' '))
				break;
			last = q + 1;
		}
		s->raw = p;
		s->rawlen = (size_t)(last - p);
		s->end = last;
		return true;
	}
	if (q == eol)
		return false;	/* a quoted scalar going on to the next line */
	s->raw = p + 1;
	s->rawlen = (size_t)(q - p - 1);
	s->end = q + 1;
	return true;
}

static enum yf_after
after_scalar(const char *e, const char *eol, const char **next)
{
	const char *q;

	for (q = e; q < eol && *q == ' '; q++)
		continue;
	if (q == eol || (*q == '#' && q > e))
		return YF_AFTER_END;
	if (*q == ':' && (q + 1 == eol || q[1] == ' ')) {
		*next = q + 1;
		return YF_AFTER_COLON;
	}
	return YF_AFTER_BAD;
}

/* v as UTF-8 at out; returns the bytes written. */
static size_t
put_utf8(char *out, uint32_t v)
{
	if (v < 0x80) {
		out[0] = (char)v;
		return 1;
	}
	if (v < 0x800) {
		out[0] = (char)(0xc0 | (v >> 6));
		out[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	if (v < 0x10000) {
		out[0] = (char)(0xe0 | (v >> 12));
		out[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		out[2] = (char)(0x80 | (v & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (v >> 18));
	out[1] = (char)(0x80 | ((v >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((v >> 6) & 0x3f));
	out[3] = (char)(0x80 | (v & 0x3f));
	return 4;
}

/*
 * One escape after a backslash at *pp (libyaml's table); advances *pp
 * past it.  Returns the bytes written to out, 0 to refuse: an unknown
 * escape, a NUL (ytree.c refuses it with its own message), a surrogate
 * or a code point past Unicode.
 */
static size_t
unescape(const char **pp, const char *end, char *out)
{
	static const char simple[] = "abtnvfre \"/\\";
	static const char value[] = "\a\b\t\n\v\f\r\x1b \"/\\";
	const char *p = *pp, *hit;
	size_t ndig, i;
	uint32_t v = 0;

	if ((hit = strchr(simple, *p)) != NULL && *p != '\0') {
		*out = value[hit - simple];
		*pp = p + 1;
		return 1;
	}
	switch (*p) {
	case 'N':
		v = 0x85;
		break;
	case '_':
		v = 0xa0;
		break;
	case 'L':
		v = 0x2028;
		break;
	case 'P':
		v = 0x2029;
		break;
	case 'x':
	case 'u':
	case 'U':
		ndig = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
		if ((size_t)(end - p - 1) < ndig)
			return 0;
		for (i = 1; i <= ndig; i++) {
			if (p[i] >= '0' && p[i] <= '9')
				v = v << 4 | (uint32_t)(p[i] - '0');
			else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
				v = v << 4 | (uint32_t)((p[i] | 0x20) - 'a' + 10);
			else
				return 0;
		}
		if (v == 0 || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
			return 0;
		p += ndig;
		break;
	default:
		return 0;
	}
	*pp = p + 1;
	return put_utf8(out, v);
}

/* The decoded text of an escaped quoted scalar, in the arena, or NULL. */
static char *
decode(struct yf *yf, const struct yf_scalar *s, size_t *ret_len)
{
	const char *p = s->raw, *end = s->raw + s->rawlen;
	size_t n = 0, k;
	char *out;

	/* The longest growth is "\L" (2 bytes) to 3 bytes. */
	out = nd_arena_alloc_raw(yf->arena, 2 * s->rawlen + 1);
	while (p < end) {
		if (s->quote == '\'' && *p == '\'') {
			out[n++] = '\'';
			p += 2;
		} else if (s->quote == '"' && *p == '\\') {
			p++;
			if ((k = unescape(&p, end, out + n)) == 0)
				return NULL;
			n += k;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
	*ret_len = n;
	return out;
}

static struct nd_ynode *
new_node(struct yf *yf, enum nd_ykind kind, int line)
{
	struct nd_ynode *node;

	if (++yf->nnodes > yf->opts->max_nodes)
		return NULL;
	node = nd_arena_alloc(yf->arena, sizeof(*node));
	node->kind = kind;
	node->line = line;
	return node;
}

/* Adds node to the innermost collection, or makes it the root. */
static bool
attach(struct yf *yf, struct nd_ynode *node)
{
	if (node == NULL)
		return false;
	if (yf->depth > 0)
		nd_ynode_add_kid(yf->arena, yf->lv[yf->depth - 1].node, node);
	else if (yf->root == NULL)
		yf->root = node;
	else
		return false;	/* a second node at the top: not ours */
	return true;
}

/* Opens a collection at col; false past the bounds. */
static bool
open_level(struct yf *yf, enum nd_ykind kind, size_t col, bool indentless,
    int line)
{
	struct nd_ynode *node;

	if (yf->depth == YF_STACK || yf->depth >= yf->opts->max_depth)
		return false;
	if (!attach(yf, node = new_node(yf, kind, line)))
		return false;
	yf->lv[yf->depth].node = node;
	yf->lv[yf->depth].col = col;
	yf->lv[yf->depth].indentless = indentless;
	yf->depth++;
	return true;
}

/*
 * A scalar's node.  Text without escapes stays where it is in a buffer
 * of our own (terminated once the document is accepted), else a copy.
 */
static bool
add_scalar(struct yf *yf, const struct yf_scalar *s, int line)
{
	struct nd_ynode *node;

	if ((node = new_node(yf, ND_Y_SCALAR, line)) == NULL)
		return false;
	node->plain = s->quote == '\0';
	node->len = s->rawlen;
	if (s->escaped)
		node->str = decode(yf, s, &node->len);
	else if (yf->own != NULL)
		node->str = yf->own + (s->raw - yf->buf);
	else
		node->str = nd_arena_strndup(yf->arena, s->raw, s->rawlen);
	return node->str != NULL && attach(yf, node);
}

/* The empty plain scalar of a "key:" or "-" with nothing after it. */
static bool
add_empty(struct yf *yf)
{
	struct nd_ynode *node;

	yf->pend = YF_PEND_NONE;
	if ((node = new_node(yf, ND_Y_SCALAR, yf->pend_line)) == NULL)
		return false;
	node->plain = true;
	node->str = nd_arena_strndup(yf->arena, "", 0);
	return attach(yf, node);
}

static void
pend(struct yf *yf, enum yf_pend what, int line)
{
	yf->pend = what;
	yf->pend_col = yf->lv[yf->depth - 1].col;
	yf->pend_line = line;
}

/* A scalar ended the line: a deeper line would continue it. */
static void
ended(struct yf *yf)
{
	yf->has_cont = true;
	yf->cont_col = yf->lv[yf->depth - 1].col;
}

/*
 * The entries of one line from q (column col) on, the innermost open
 * collection being at col unless open asks for a new one there.  A loop,
 * not recursion, for "- - a" and "- key: value".
 */
static bool
line_entries(struct yf *yf, const char *q, const char *eol, size_t col,
    int line, bool open, bool indentless)
{
	struct yf_scalar s;
	const char *next;
	enum yf_after after;

	for (;;) {
		if (open && !open_level(yf, is_dash(q, eol) ? ND_Y_SEQ :
		    ND_Y_MAP, col, indentless, line))
			return false;
		open = indentless = false;
		if (yf->lv[yf->depth - 1].node->kind == ND_Y_SEQ) {
			if (!is_dash(q, eol))
				return false;
			for (q++; q < eol && *q == ' '; q++)
				continue;
			if (q == eol || *q == '#') {
				pend(yf, YF_PEND_DASH, line);
				return true;
			}
			/* The item starts a collection of its own here? */
			col = (size_t)(q - yf->bol);
			if (is_dash(q, eol)) {
				open = true;
				continue;
			}
			if (!scan_scalar(q, eol, &s))
				return false;
			after = after_scalar(s.end, eol, &next);
			if (after == YF_AFTER_COLON) {
				open = true;
				continue;
			}
			if (after != YF_AFTER_END || !add_scalar(yf, &s, line))
				return false;
			ended(yf);
			return true;
		}
		if (!scan_scalar(q, eol, &s) ||
		    after_scalar(s.end, eol, &next) != YF_AFTER_COLON ||
		    next - q > YF_KEY_MAX || !add_scalar(yf, &s, line))
			return false;
		for (q = next; q < eol && *q == ' '; q++)
			continue;
		if (q == eol || *q == '#') {
			pend(yf, YF_PEND_KEY, line);
			return true;
		}
		/* "key: - a" and "a: b: c" are errors for libyaml. */
		if (is_dash(q, eol) || !scan_scalar(q, eol, &s) ||
		    after_scalar(s.end, eol, &next) != YF_AFTER_END ||
		    !add_scalar(yf, &s, line))
			return false;
		ended(yf);
		return true;
	}
}

/* One line with content at q, column col. */
static bool
do_line(struct yf *yf, const char *q, const char *eol, size_t col, int line)
{
	const struct yf_level *top;
	bool dash = is_dash(q, eol), open = false, indentless = false;

	if (yf->has_cont && col > yf->cont_col)
		return false;
	yf->has_cont = false;
	if (yf->pend != YF_PEND_NONE) {
		if (col > yf->pend_col) {
			yf->pend = YF_PEND_NONE;
			open = true;
		} else if (yf->pend == YF_PEND_KEY && col == yf->pend_col &&
		    dash) {
			yf->pend = YF_PEND_NONE;
			open = indentless = true;
		} else if (!add_empty(yf))
			return false;
	}
	if (!open) {
		while (yf->depth > 0) {
			top = &yf->lv[yf->depth - 1];
			if (top->col < col || (top->col == col &&
			    (!top->indentless || dash)))
				break;
			yf->depth--;
		}
		if (yf->depth == 0)
			open = true;	/* the root; attach() refuses a second */
		else if (yf->lv[yf->depth - 1].col != col)
			return false;
	}
	return line_entries(yf, q, eol, col, line, open, indentless);
}

/* Blanks, then the end of the line or a comment. */
static bool
blank_rest(const char *p, const char *eol)
{
	if (p < eol && *p != ' ')
		return false;
	while (p < eol && *p == ' ')
		p++;
	return p == eol || *p == '#';
}

/*
 * The scalars point into own, not yet terminated (the document might
 * have been refused and handed to libyaml whole): now they are.  A walk
 * without recursion, the tree being at most YF_STACK deep.  Empty and
 * decoded scalars are terminated already; writing again is harmless.
 */
static void
terminate(struct nd_ynode *root)
{
	struct nd_ynode *stk[YF_STACK], *k;
	size_t idx[YF_STACK], d = 1;

	if (root == NULL)
		return;
	stk[0] = root;
	idx[0] = 0;
	while (d > 0) {
		if (idx[d - 1] == stk[d - 1]->n) {
			d--;
			continue;
		}
		k = stk[d - 1]->kids[idx[d - 1]++];
		if (k->kind == ND_Y_SCALAR)
			k->str[k->len] = '\0';
		else {
			stk[d] = k;
			idx[d++] = 0;
		}
	}
}

int
nd_yfast_parse(struct nd_arena *arena, const char *buf, char *own,
    size_t len, const struct nd_ytree_opts *opts, struct nd_ynode **ret)
{
	struct yf yf = { .arena = arena, .opts = opts, .buf = buf,
	    .own = own };
	const char *p, *q, *eol, *end = buf + len;
	bool doc_start = false;
	int line = 0;

	if (opts->multi_doc || !plain_ascii(buf, len))
		return ND_YFAST_REFUSED;
	for (p = buf; p < end; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		for (q = p; q < eol && *q == ' '; q++)
			continue;
		if (q == eol || *q == '#')
			continue;
		/* "---" once before any content; no other marker. */
		if (q == p && eol - q >= 3 && (memcmp(q, "---", 3) == 0 ||
		    memcmp(q, "...", 3) == 0)) {
			if (doc_start || yf.root != NULL || *q != '-' ||
			    !blank_rest(q + 3, eol))
				return ND_YFAST_REFUSED;
			doc_start = true;
			continue;
		}
		yf.bol = p;
		if (!do_line(&yf, q, eol, (size_t)(q - p), line))
			return ND_YFAST_REFUSED;
	}
	if (yf.pend != YF_PEND_NONE && !add_empty(&yf))
		return ND_YFAST_REFUSED;
	/* "---" alone is an empty document, with a line of libyaml's. */
	if (doc_start && yf.root == NULL)
		return ND_YFAST_REFUSED;
	if (own != NULL)
		terminate(yf.root);
	*ret = yf.root;
	return 0;
}

static void
dump_node(FILE *f, const struct nd_ynode *n, size_t depth)
{
	size_t i;

	fprintf(f, "%*s%c %d", (int)(2 * depth), "", n->kind == ND_Y_MAP ?
	    'M' : n->kind == ND_Y_SEQ ? 'S' : n->plain ? 'P' : 'Q', n->line);
	if (n->kind != ND_Y_SCALAR) {
		fprintf(f, " n=%zu\n", n->n);
		return;
	}
	fprintf(f, " len=%zu \"", n->len);
	for (i = 0; i < n->len; i++)
		if ((unsigned char)n->str[i] < 0x20 ||
		    (unsigned char)n->str[i] >= 0x7f || n->str[i] == '\\' ||
		    n->str[i] == '"')
			fprintf(f, "\\x%02x", (unsigned char)n->str[i]);
		else
			fputc(n->str[i], f);
	fputs(n->str[n->len] == '\0' ? "\"\n" : "\" UNTERMINATED\n", f);
}

char *
nd_ytree_dump(struct nd_arena *arena, const struct nd_ynode *root)
{
	const struct nd_ynode *stk[YF_STACK], *n = root;
	size_t idx[YF_STACK], d = 0, memlen = 0;
	char *mem = NULL, *ret = NULL;
	FILE *f;

	if ((f = open_memstream(&mem, &memlen)) == NULL)
		return NULL;
	if (n == NULL)
		fputs("no document\n", f);
	while (n != NULL) {
		dump_node(f, n, d);
		if (n->kind != ND_Y_SCALAR) {
			if (d == YF_STACK)
				goto out;
			stk[d] = n;
			idx[d++] = 0;
		}
		for (n = NULL; n == NULL && d > 0; )
			if (idx[d - 1] < stk[d - 1]->n)
				n = stk[d - 1]->kids[idx[d - 1]++];
			else
				d--;
	}
	if (fflush(f) == 0)
		ret = nd_arena_strndup(arena, mem, memlen);
out:
	fclose(f);
	free(mem);
	return ret;
}
