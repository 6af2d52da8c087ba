/*
 * ytree.c - libyaml's event stream to a bounded tree in the arena (see
 * ytree.h).  The event API is used rather than yaml_parser_load() because
 * the document API resolves aliases silently and has no depth limit in
 * libyaml 0.2.5.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "arena.h"
#include "util.h"
#include "ytree.h"

#define SHOW_MAX	64	/* longest anchor name echoed in an error */
#define MIB		(1024 * 1024)

/* Not an errno: a regular file grew while it was read. */
#define READ_CHANGED	1

struct ybuild {
	struct nd_arena			*arena;
	const struct nd_ytree_opts	*opts;
	const char			*path;
	char				*err;
	size_t				 errlen;
	struct nd_ynode			*root;
	struct nd_ynode			**stack;	/* max_depth entries */
	size_t				 depth;
	size_t				 nnodes;
	int				 ndocs;
};

int
nd_ytree_verr(char *err, size_t errlen, const char *prefix, const char *path,
    int line, const char *fmt, va_list ap)
{
	int n;

	if (err == NULL || errlen == 0)
		return -EINVAL;
	if (prefix == NULL)
		prefix = "";
	if (line > 0)
		n = snprintf(err, errlen, "%s%s:%d: ", prefix, path, line);
	else
		n = snprintf(err, errlen, "%s%s: ", prefix, path);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	/*
	 * Quoted values come from the file: a newline in one must not start a
	 * second line in a log or a Nagios status (found by fuzz_config).
	 */
	nd_one_line(err);
	return -EINVAL;
}

static int
berr(struct ybuild *b, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
berr(struct ybuild *b, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = nd_ytree_verr(b->err, b->errlen, b->opts->prefix, b->path, line,
	    fmt, ap);
	va_end(ap);
	return rc;
}

bool
nd_ytree_is_null(const struct nd_ynode *v)
{
	return v == NULL || (v->kind == ND_Y_SCALAR && v->plain &&
	    (v->len == 0 || strcmp(v->str, "~") == 0 ||
	    strcmp(v->str, "null") == 0 || strcmp(v->str, "Null") == 0 ||
	    strcmp(v->str, "NULL") == 0));
}

/* ---- the file ---- */

/*
 * A regular file's size is known, so one that is too large is refused
 * before a byte is read.  Anything else (a pipe, /dev/fd/N) is read up to
 * one byte more than allowed, so that over-long input is detected rather
 * than truncated.  Returns 0, -errno, -EFBIG or READ_CHANGED.
 */
static int
read_bounded(struct nd_arena *arena, const char *path, size_t max,
    char **ret_buf, size_t *ret_len)
{
	struct stat st;
	size_t cap, len = 0;
	ssize_t n;
	char *buf;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -errno;
	if (fstat(fd, &st) == -1) {
		rc = -errno;
		goto out;
	}
	/* Refused here rather than by read(), before a max-sized buffer. */
	if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		rc = -EFBIG;
		goto out;
	}
	/* The extra byte of a regular file's cap shows that it grew. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : max + 1;
	buf = nd_arena_alloc(arena, cap + 1);
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		rc = -EFBIG;
		goto out;
	}
	if (len == cap) {
		rc = READ_CHANGED;
		goto out;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	rc = 0;
out:
	close(fd);
	return rc;
}

int
nd_ytree_read_file(struct nd_arena *arena, const char *path, size_t max,
    char **ret_buf, size_t *ret_len)
{
	int rc;

	rc = read_bounded(arena, path, max, ret_buf, ret_len);
	return rc == READ_CHANGED ? -EIO : rc;
}

/* The limit in the unit it was most likely written in. */
static int
too_big(struct ybuild *b)
{
	size_t max = b->opts->max_bytes;

	if (max >= MIB && max % MIB == 0)
		berr(b, 0, "file is larger than %zu MiB", max / MIB);
	else if (max >= 1024 && max % 1024 == 0)
		berr(b, 0, "file is larger than %zu KiB", max / 1024);
	else
		berr(b, 0, "file is larger than %zu bytes", max);
	return -EFBIG;
}

/* ---- events to tree ---- */

static int
yaml_error(struct ybuild *b, const yaml_parser_t *p, const char *buf,
    size_t len)
{
	const char *problem = p->problem != NULL ? p->problem : "unknown error";
	size_t i, line = 1, col = 1;

	/* libyaml's problem and context strings are static text. */
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		berr(b, 0, "out of memory while parsing YAML");
		return -ENOMEM;
	case YAML_READER_ERROR:
		/* The reader reports a byte offset, not a mark. */
		for (i = 0; i < p->problem_offset && i < len; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		/* The offending byte may be a piece of a secret. */
		if (p->problem_value != -1 && !b->opts->quiet_values)
			return berr(b, (int)line, "column %zu: invalid YAML "
			    "input: %s (byte 0x%02x)", col, problem,
			    (unsigned)p->problem_value & 0xffu);
		return berr(b, (int)line, "column %zu: invalid YAML input: %s",
		    col, problem);
	default:
		break;
	}
	if (p->context != NULL)
		return berr(b, (int)p->problem_mark.line + 1, "column %d: "
		    "YAML syntax error: %s (%s at line %d)",
		    (int)p->problem_mark.column + 1, problem, p->context,
		    (int)p->context_mark.line + 1);
	return berr(b, (int)p->problem_mark.line + 1, "column %d: YAML syntax "
	    "error: %s", (int)p->problem_mark.column + 1, problem);
}

static void
add_kid(struct nd_arena *arena, struct nd_ynode *parent,
    struct nd_ynode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap == 0 ? 8 : parent->cap * 2;
		parent->kids = nd_arena_grow(arena, parent->kids, parent->n,
		    parent->cap, sizeof(*parent->kids));
	}
	parent->kids[parent->n++] = kid;
}

/* Handles one event; the caller deletes it. */
static int
on_event(struct ybuild *b, const yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + 1;
	const yaml_char_t *anchor = NULL;
	struct nd_ynode *node;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1 && !b->opts->multi_doc)
			return berr(b, line, "more than one YAML document; "
			    "multiple documents are not supported");
		return 0;
	case YAML_ALIAS_EVENT:
		/* Aliases allow "billion laughs" expansion. */
		return berr(b, line, "anchors and aliases are not supported");
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return 0;
	default:
		return 0;
	}
	/* An anchor's name is the user's text, so quiet files hide it. */
	if (anchor != NULL && b->opts->quiet_values)
		return berr(b, line, "anchors and aliases are not supported");
	if (anchor != NULL)
		return berr(b, line, "anchor '&%.*s' refused: anchors and "
		    "aliases are not supported", SHOW_MAX,
		    (const char *)anchor);
	if (++b->nnodes > b->opts->max_nodes)
		return berr(b, line, "more than %zu values",
		    b->opts->max_nodes);

	node = nd_arena_alloc(b->arena, sizeof(*node));
	node->line = line;
	if (ev->type == YAML_SCALAR_EVENT) {
		node->kind = ND_Y_SCALAR;
		node->len = ev->data.scalar.length;
		/* A "\0" escape in a quoted scalar would cut C strings. */
		if (memchr(ev->data.scalar.value, '\0', node->len) != NULL)
			return berr(b, line, "NUL character in a value");
		node->str = nd_arena_strndup(b->arena,
		    (const char *)ev->data.scalar.value, node->len);
		node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	} else
		node->kind = ev->type == YAML_SEQUENCE_START_EVENT ?
		    ND_Y_SEQ : ND_Y_MAP;

	if (b->depth == 0 && b->opts->multi_doc)
		add_kid(b->arena, b->root, node);
	else if (b->depth == 0)
		b->root = node;
	else
		add_kid(b->arena, b->stack[b->depth - 1], node);
	if (node->kind != ND_Y_SCALAR) {
		if (b->depth == b->opts->max_depth)
			return berr(b, line, "nesting deeper than %zu levels "
			    "is not supported", b->opts->max_depth);
		b->stack[b->depth++] = node;
	}
	return 0;
}

static int
build_tree(struct ybuild *b, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser)) {
		berr(b, 0, "out of memory while parsing YAML");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_error(b, &parser, buf, len);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(b, &ev);
		yaml_event_delete(&ev);
		if (rc != 0)
			goto out;
	}
out:
	yaml_parser_delete(&parser);
	return rc;
}

int
nd_ytree_load(struct nd_arena *arena, const char *path,
    const struct nd_ytree_opts *opts, struct nd_ynode **ret, char *err,
    size_t errlen)
{
	struct ybuild b = { .arena = arena, .opts = opts, .path = path,
	    .err = err, .errlen = errlen };
	size_t len = 0;
	char *buf = NULL;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rc = read_bounded(arena, path, opts->max_bytes, &buf, &len);
	if (rc == -EFBIG)
		return too_big(&b);
	if (rc == READ_CHANGED) {
		berr(&b, 0, "cannot read: file changed while being read");
		return -EIO;
	}
	if (rc != 0) {
		berr(&b, 0, "cannot read: %s", strerror(-rc));
		return rc;
	}
	b.stack = nd_arena_alloc(arena, opts->max_depth * sizeof(*b.stack));
	if (opts->multi_doc) {
		b.root = nd_arena_alloc(arena, sizeof(*b.root));
		b.root->kind = ND_Y_SEQ;
		b.root->line = 1;
	}
	if ((rc = build_tree(&b, buf, len)) != 0)
		return rc;
	*ret = b.root;
	return 0;
}

const struct nd_ynode *
nd_ytree_peek(const struct nd_ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != ND_Y_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == ND_Y_SCALAR &&
		    strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}
