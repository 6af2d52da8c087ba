/*
 * ytree.c - libyaml's event stream to a bounded tree in the arena (see
 * ytree.h).  The event API is used rather than yaml_parser_load() because
 * the document API resolves aliases silently and has no depth limit in
 * libyaml 0.2.5.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "yfast.h"
#include "ytree.h"

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
	/* Not zeroed: read() writes it, and zeroing touched each page twice. */
	buf = nd_arena_alloc_raw(arena, cap + 1);
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
		    "aliases are not supported", ND_YSHOW_MAX,
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
		nd_ynode_add_kid(b->arena, b->root, node);
	else if (b->depth == 0)
		b->root = node;
	else
		nd_ynode_add_kid(b->arena, b->stack[b->depth - 1], node);
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

static int	parse(struct nd_arena *, const char *, const char *, char *,
		    size_t, const struct nd_ytree_opts *, struct nd_ynode **,
		    char *, size_t);

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
	return parse(arena, path, buf, buf, len, opts, ret, err, errlen);
}

int
nd_ytree_parse(struct nd_arena *arena, const char *name, const char *buf,
    size_t len, const struct nd_ytree_opts *opts, struct nd_ynode **ret,
    char *err, size_t errlen)
{
	return parse(arena, name, buf, NULL, len, opts, ret, err, errlen);
}

/*
 * own is buf when buf is ours (the file read into the arena), so that the
 * fast reader may leave the scalars in it; NULL when it must copy them.
 */
static int
parse(struct nd_arena *arena, const char *name, const char *buf, char *own,
    size_t len, const struct nd_ytree_opts *opts, struct nd_ynode **ret,
    char *err, size_t errlen)
{
	struct ybuild b = { .arena = arena, .opts = opts, .path = name,
	    .err = err, .errlen = errlen };
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > opts->max_bytes)
		return too_big(&b);
	/*
	 * Most files are netdoctor's own block-style YAML, which the fast
	 * reader builds the same tree for at a tenth of libyaml's cost;
	 * anything else it hands back untouched, to be parsed here whole.
	 */
	if (!opts->libyaml_only && nd_yfast_parse(arena, buf, own, len, opts,
	    ret) == 0)
		return 0;
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

/* ---- checking a tree against a schema ---- */

#define KEY_SUGGEST_LEN	32	/* longest key given a "did you mean" */

const char *
nd_ytree_describe(const struct nd_ynode *v)
{
	long long dummy;

	if (nd_ytree_is_null(v))
		return "an empty value";
	switch (v->kind) {
	case ND_Y_SEQ:
		return "a list";
	case ND_Y_MAP:
		return "a mapping";
	case ND_Y_SCALAR:
		break;
	}
	if (v->len == 0)
		return "an empty string";
	if (v->plain && nd_parse_int(v->str, LLONG_MIN, LLONG_MAX,
	    &dummy) == 0)
		return "a number";
	return "a string";
}

int
nd_yshow_len(size_t len)
{
	return (int)(len > ND_YSHOW_MAX ? ND_YSHOW_MAX : len);
}

const char *
nd_yshow_more(size_t len)
{
	return len > ND_YSHOW_MAX ? "..." : "";
}

static int
ck_err(const struct nd_ycheck *ck, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ck_err(const struct nd_ycheck *ck, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = nd_ytree_verr(ck->err, ck->errlen, ck->prefix, ck->path, line,
	    fmt, ap);
	va_end(ap);
	return rc;
}

int
nd_ycheck_err(const struct nd_ycheck *ck, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int rc;

	va_start(ap, fmt);
	if (ck->subject == NULL) {
		rc = nd_ytree_verr(ck->err, ck->errlen, ck->prefix, ck->path,
		    line, fmt, ap);
		va_end(ap);
		return rc;
	}
	msg = nd_arena_vprintf(ck->arena, fmt, ap);
	va_end(ap);
	return ck_err(ck, line, "%s: %s", ck->subject, msg);
}

int
nd_ykv_line(const struct nd_ykv *kv, const struct nd_ynode *map)
{
	if (kv->k != NULL)
		return kv->k->line;
	return map != NULL ? map->line : 0;
}

/* "where.key", or key alone at the top level. */
static const char *
key_name(const struct nd_ycheck *ck, const char *where, const char *key)
{
	if (where == NULL || *where == '\0')
		return key;
	return nd_arena_printf(ck->arena, "%s.%s", where, key);
}

static const char *
default_what(enum nd_ykind kind)
{
	switch (kind) {
	case ND_Y_SEQ:
		return "a list";
	case ND_Y_MAP:
		return "a mapping";
	case ND_Y_SCALAR:
		break;
	}
	return "a string";
}

int
nd_ywant(const struct nd_ycheck *ck, const struct nd_ynode *v, int line,
    const char *name, enum nd_ykind kind, const char *what)
{
	if (v != NULL && v->kind == kind && !nd_ytree_is_null(v))
		return 0;
	if (line <= 0 && v != NULL)
		line = v->line;
	return nd_ycheck_err(ck, line, "%s: must be %s, got %s", name,
	    what != NULL ? what : default_what(kind), nd_ytree_describe(v));
}

int
nd_ywant_item(const struct nd_ycheck *ck, const struct nd_ynode *seq,
    size_t i, const char *name, enum nd_ykind kind, const char *what)
{
	const struct nd_ynode *v = seq->kids[i];

	if (v->kind == kind && !nd_ytree_is_null(v))
		return 0;
	/* The name is built only for the message. */
	return nd_ywant(ck, v, v->line, nd_arena_printf(ck->arena, "%s[%zu]",
	    name, i), kind, what);
}

int
nd_ywant_str(const struct nd_ycheck *ck, const struct nd_ynode *v, int line,
    const char *name, const char *what, char **ret)
{
	int rc;

	if ((rc = nd_ywant(ck, v, line, name, ND_Y_SCALAR, what)) != 0)
		return rc;
	if (v->len == 0)
		return nd_ycheck_err(ck, line > 0 ? line : v->line, "%s: must "
		    "not be empty", name);
	/* A copy: the tree may be in an arena freed before ck->arena. */
	*ret = nd_arena_strndup(ck->arena, v->str, v->len);
	return 0;
}

int
nd_yfind(const struct nd_ycheck *ck, const struct nd_ynode *map,
    const char *where, const char *key, struct nd_ykv *ret)
{
	struct nd_ykv found = { NULL, NULL };
	const struct nd_ynode *k;
	size_t i;

	for (i = 0; map != NULL && map->kind == ND_Y_MAP && i + 1 < map->n;
	    i += 2) {
		k = map->kids[i];
		if (k->kind != ND_Y_SCALAR || strcmp(k->str, key) != 0)
			continue;
		if (found.k != NULL)
			return nd_ycheck_err(ck, k->line, "%s: given twice "
			    "(first on line %d)", key_name(ck, where, key),
			    found.k->line);
		found.k = k;
		found.v = map->kids[i + 1];
	}
	if (nd_ytree_is_null(found.v))
		found.v = NULL;
	*ret = found;
	return 0;
}

int
nd_yget(const struct nd_ycheck *ck, const struct nd_ynode *map,
    const char *where, const char *key, enum nd_ykind kind, bool required,
    struct nd_ykv *ret)
{
	struct nd_ykv kv;
	int rc;

	if ((rc = nd_yfind(ck, map, where, key, &kv)) != 0)
		return rc;
	if (kv.k == NULL && required)
		return nd_ycheck_err(ck, nd_ykv_line(&kv, map), "%s: missing",
		    key_name(ck, where, key));
	if (kv.k != NULL && (kv.v != NULL || required) &&
	    (rc = nd_ywant(ck, kv.v, kv.k->line, key_name(ck, where, key),
	    kind, NULL)) != 0)
		return rc;
	*ret = kv;
	return 0;
}

int
nd_yget_str(const struct nd_ycheck *ck, const struct nd_ynode *map,
    const char *where, const char *key, bool required, char **ret,
    struct nd_ykv *ret_kv)
{
	struct nd_ykv kv;
	char *s = NULL;
	int rc;

	if ((rc = nd_yget(ck, map, where, key, ND_Y_SCALAR, required,
	    &kv)) != 0)
		return rc;
	if (kv.v != NULL && required && (rc = nd_ywant_str(ck, kv.v,
	    kv.k->line, key_name(ck, where, key), NULL, &s)) != 0)
		return rc;
	if (kv.v != NULL && kv.v->len > 0)
		s = kv.v->str;
	*ret = s;
	if (ret_kv != NULL)
		*ret_kv = kv;
	return 0;
}

int
nd_yget_strlist(const struct nd_ycheck *ck, const struct nd_ynode *map,
    const char *where, const char *key, char ***ret)
{
	const struct nd_ynode *v, *e;
	struct nd_ykv kv;
	char **list;
	size_t i;
	int rc;

	if ((rc = nd_yfind(ck, map, where, key, &kv)) != 0)
		return rc;
	if ((v = kv.v) == NULL) {
		*ret = NULL;
		return 0;
	}
	if ((rc = nd_ywant(ck, v, kv.k->line, key_name(ck, where, key),
	    ND_Y_SEQ, "a list of strings")) != 0)
		return rc;
	list = nd_arena_alloc(ck->arena, (v->n + 1) * sizeof(*list));
	for (i = 0; i < v->n; i++) {
		e = v->kids[i];
		if (e->kind != ND_Y_SCALAR || nd_ytree_is_null(e) ||
		    e->len == 0)
			return nd_ycheck_err(ck, e->line, "%s[%zu]: must be a "
			    "non-empty string, got %s",
			    key_name(ck, where, key), i,
			    nd_ytree_describe(e));
		list[i] = e->str;
	}
	list[v->n] = NULL;
	*ret = list;
	return 0;
}

int
nd_yget_bool(const struct nd_ycheck *ck, const struct nd_ynode *map,
    const char *where, const char *key, bool *ret)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
	    "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
	    "No", "NO", "off", "Off", "OFF" };
	struct nd_ykv kv;
	size_t i;
	int rc;

	if ((rc = nd_yfind(ck, map, where, key, &kv)) != 0)
		return rc;
	if (kv.v == NULL) {
		*ret = false;
		return 0;
	}
	if (kv.v->kind == ND_Y_SCALAR && kv.v->plain) {
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcmp(kv.v->str, yes[i]) == 0) {
				*ret = true;
				return 0;
			}
			if (strcmp(kv.v->str, no[i]) == 0) {
				*ret = false;
				return 0;
			}
		}
	}
	return nd_ycheck_err(ck, kv.k->line, "%s: must be true or false",
	    key_name(ck, where, key));
}

/* Edit distance, for "did you mean"; keys are short. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[KEY_SUGGEST_LEN + 1], diag, up, best;

	if (la > KEY_SUGGEST_LEN || lb > KEY_SUGGEST_LEN)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* "the top level" or "'dns'", for the walker's messages. */
static const char *
map_name(const struct nd_ycheck *ck, const char *where)
{
	if (where == NULL || *where == '\0')
		return "the top level";
	return nd_arena_printf(ck->arena, "'%s'", where);
}

static int
unknown_key(const struct nd_ycheck *ck, const struct nd_ynode *k,
    const char *where, const struct nd_ykey *keys, size_t nkeys)
{
	size_t d, best = 0, dist, bestdist = SIZE_MAX;

	/* The key's text may be a secret pasted in the wrong place. */
	if (ck->quiet_values)
		return nd_ycheck_err(ck, k->line, "unknown key in %s",
		    map_name(ck, where));
	for (d = 0; d < nkeys; d++)
		if ((dist = distance(k->str, keys[d].name)) < bestdist) {
			bestdist = dist;
			best = d;
		}
	/* Two edits catch swaps and single typos. */
	if (bestdist <= 2 && k->len > 2)
		return nd_ycheck_err(ck, k->line, "unknown key '%.*s%s' in %s "
		    "(did you mean '%s'?)", ND_YSHOW(k->str, k->len),
		    map_name(ck, where), keys[best].name);
	return nd_ycheck_err(ck, k->line, "unknown key '%.*s%s' in %s",
	    ND_YSHOW(k->str, k->len), map_name(ck, where));
}

int
nd_ywalk(const struct nd_ycheck *ck, const struct nd_ynode *map,
    const char *where, const struct nd_ykey *keys, size_t nkeys, void *ctx)
{
	int seen[ND_YWALK_MAX] = { 0 };
	const struct nd_ynode *k, *v;
	size_t i, d;
	int rc;

	if (nkeys > ND_YWALK_MAX)
		return nd_ycheck_err(ck, map->line, "internal error: more "
		    "than %d keys in %s", ND_YWALK_MAX, map_name(ck, where));
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->kids[i];
		v = map->kids[i + 1];
		if (k->kind != ND_Y_SCALAR)
			return nd_ycheck_err(ck, k->line, "keys must be "
			    "strings, got %s in %s", nd_ytree_describe(k),
			    map_name(ck, where));
		for (d = 0; d < nkeys; d++)
			if (strcmp(k->str, keys[d].name) == 0)
				break;
		if (d == nkeys)
			return unknown_key(ck, k, where, keys, nkeys);
		if (seen[d] != 0)
			return nd_ycheck_err(ck, k->line, "%s: given twice "
			    "(first on line %d)", key_name(ck, where,
			    keys[d].name), seen[d]);
		seen[d] = k->line;
		if (keys[d].fn != NULL && (rc = keys[d].fn(ctx, k, v)) != 0)
			return rc;
	}
	return 0;
}
