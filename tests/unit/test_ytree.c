/*
 * test_ytree.c - the fast YAML reader (core/wire/yfast.c) against libyaml
 * (ytree.c with libyaml_only): for every document here, and every YAML
 * file under $ND_TOP/fixtures and the config fuzz corpus, either the fast
 * reader refuses it, or it builds the same tree node by node (kind, line,
 * plain or quoted, text, order) as libyaml does.  The hand-picked
 * documents also say which side of the line they must fall on, so that
 * the subset does not shrink unnoticed (the benchmark's config must stay
 * fast) nor grow into what libyaml reads differently.  nd_ytree_parse()
 * and nd_ytree_load() must then answer exactly as libyaml alone: the same
 * return code, message and tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "yfast.h"
#include "ytree.h"

static struct nd_arena *arena;

static const struct nd_ytree_opts opts = {
	.max_bytes = 1024 * 1024,
	.max_depth = 16,
	.max_nodes = 100000,
};

/* Which way the fast reader must go. */
enum want {
	FAST,		/* accepted, same tree as libyaml */
	REFUSED,	/* handed to libyaml */
};

struct doc {
	enum want	 want;
	const char	*text;
};

static const struct doc docs[] = {
	/* The benchmark's shape. */
	{ FAST, "version: 1\ntimeout: 5s\ntargets:\n"
	    "  - \"dns://10.200.53.2/bench-0.lab.test?expect=10.200.0.1\"\n"
	    "  - \"dns://10.200.53.2/bench-1.lab.test?expect=10.200.0.2\"\n" },
	{ FAST, "" },
	{ FAST, "\n\n" },
	{ FAST, "# only a comment\n   # and another\n" },
	{ FAST, "a: 1" },
	{ FAST, "a: 1\n" },
	{ FAST, "---\na: 1\n" },
	{ FAST, "--- # start\na: 1\n" },
	{ FAST, "# c\n\n---\n\na: 1\n" },
	{ FAST, "a:\nb:\n" },
	{ FAST, "a:" },
	{ FAST, "a:   \n" },
	{ FAST, "a: # nothing\nb: 2 # two\n" },
	{ FAST, "a: b#c\n" },
	{ FAST, "a: b #c\n" },
	{ FAST, "a: b   \n" },
	{ FAST, "a: b  c   d\n" },
	{ FAST, "a: http://x:8080/p?q=1#frag\n" },
	{ FAST, "a: x:y\n" },
	{ REFUSED, "a: b:\n" },
	{ FAST, "a: -1\nb: -x\n" },
	{ FAST, "a: ~\nb: null\nc: ''\nd: \"\"\n" },
	{ FAST, "a : 1\n" },
	{ FAST, "'a' : 1\n\"b\": 2\n" },
	{ FAST, "a: 1\na: 2\n" },	/* repeated keys stay, in order */
	{ FAST, "- a\n- b\n" },
	{ FAST, "-\n- b\n-\n" },
	{ FAST, "- \n-   # c\n" },
	{ FAST, "-" },
	{ FAST, "- - a\n  - b\n- c\n" },
	{ FAST, "- - - a\n" },
	{ FAST, "- a: 1\n  b: 2\n- c: 3\n" },
	{ FAST, "-   a: 1\n    b:\n      - x\n" },
	{ FAST, "- a:\n  - x\n  - y\n  b: 2\n" },
	{ FAST, "a:\n- x\n- y\nb: 2\n" },
	{ FAST, "a:\n- x\n-\nb:\n" },
	{ FAST, "a:\n- b: 1\n  c: 2\n- d\ne: 3\n" },
	{ FAST, "a:\n  b:\n    c:\n      d: 1\n  e: 2\nf: 3\n" },
	{ FAST, "a:\n    b: 1\n    c: 2\n" },
	{ FAST, "a:\n\n  # c\n  b: 1\n\n" },
	{ FAST, "  a: 1\n  b: 2\n" },
	{ FAST, "a:\n -\n  - x\n" },
	{ FAST, "a: 'it''s'\n" },
	{ FAST, "a: ''''\n" },
	{ FAST, "a: ' spaced  '\n" },
	{ FAST, "a: \"q \\\" b \\\\ s \\/ t\\tn\\n\"\n" },
	{ FAST, "a: \"\\a\\b\\v\\f\\r\\e\\ \"\n" },
	{ FAST, "a: \"\\x41\\x7f\\xe9\\u00e9\\u20ac\\U0001F600\"\n" },
	{ FAST, "a: \"\\N\\_\\L\\P\"\n" },
	{ FAST, "a: \"x\" # c\n" },
	{ FAST, "a: \"#not a comment\"\n" },
	{ FAST, "a: 'x: y'\n" },
	{ FAST, "a: x[y\n" },	/* '[' inside a plain scalar is text */
	{ REFUSED, "a: [x\n" },
	{ FAST, "a: x]y{z}\n" },
	{ FAST, "a: x!y&z*w|v>u\n" },
	{ FAST, "a: ~/x\nb: .5\nc: /p\nd: _u\ne: +1\nf: =x\n" },
	{ FAST, "a: b - c\n" },
	{ FAST, "a: -b c\n" },
	{ FAST, "--a: 1\n" },
	{ FAST, "a:\n  - \"x\"\n  - 'y'\n  - z\n" },
	{ FAST, "a: 1\nb:\n  c: 2\n  d:\n  - 3\n" },

	/* Outside the subset, or errors: libyaml decides. */
	{ REFUSED, "a:\tb\n" },
	{ REFUSED, "a:\n\tb: 1\n" },
	{ REFUSED, "a: 1\r\nb: 2\r\n" },
	{ REFUSED, "a: 1\rb: 2\r" },
	{ REFUSED, "a: \xc3\xa9\n" },
	{ REFUSED, "\xef\xbb\xbf" "a: 1\n" },
	{ REFUSED, "a: \x01\n" },
	{ REFUSED, "a: \x7f\n" },
	{ REFUSED, "a: [1, 2]\n" },
	{ REFUSED, "a: {b: 1}\n" },
	{ REFUSED, "{\"a\": 1}" },
	{ REFUSED, "[1, 2]" },
	{ REFUSED, "a: &x 1\nb: *x\n" },
	{ REFUSED, "a: !!str 1\n" },
	{ REFUSED, "a: |\n  x\n" },
	{ REFUSED, "a: >\n  x\n" },
	{ REFUSED, ".: >\" ?\n" },	/* found by fuzz_ytree */
	{ REFUSED, "a: >-\n" },
	{ REFUSED, "? a\n: 1\n" },
	{ REFUSED, "%YAML 1.1\n---\na: 1\n" },
	{ REFUSED, "a: 1\n---\nb: 2\n" },
	{ REFUSED, "---\na: 1\n...\n" },
	{ REFUSED, "---\n" },
	{ REFUSED, "--- a: 1\n" },
	{ REFUSED, "--- x\n" },
	{ REFUSED, "x\n" },
	{ REFUSED, "'x'\n" },
	{ REFUSED, "a: b\n  c\n" },		/* a multi-line plain scalar */
	{ REFUSED, "a: b\n\n  c\n" },
	{ REFUSED, "a: b\n  # c\n  d\n" },
	{ REFUSED, "- a\n  b\n" },
	{ REFUSED, "- a\n - b\n" },
	{ REFUSED, "a:\n- x\n  y\n" },
	{ REFUSED, "a: \"x\n  y\"\n" },
	{ REFUSED, "a: 'x\n  y'\n" },
	{ REFUSED, "a: \"x\"\n  y\n" },
	{ REFUSED, "a:\n  b\n" },		/* a scalar below its key */
	{ REFUSED, "a:\n  'b'\n" },
	{ REFUSED, "-\n  x\n" },
	{ REFUSED, "a: b: c\n" },
	{ REFUSED, "a: - b\n" },
	{ REFUSED, "a: -\n" },
	{ REFUSED, "a: 1\n b: 2\n" },
	{ REFUSED, "a:\n    b: 1\n  c: 2\n" },
	{ REFUSED, "a: 1\n- b\n" },
	{ REFUSED, "- a\nb: 1\n" },
	{ REFUSED, "  a: 1\nb: 2\n" },
	{ REFUSED, "a:b\n" },
	{ REFUSED, "\"a\":b\n" },
	{ REFUSED, "'a'b: 1\n" },
	{ REFUSED, "a: 'x'y\n" },
	{ REFUSED, "a: \"x\"#c\n" },
	{ REFUSED, "-a\n" },
	{ REFUSED, "- a\n-b\n" },
	{ REFUSED, ": a\n" },
	{ REFUSED, "a: :b\n" },
	{ REFUSED, "a: ?b\n" },
	{ REFUSED, "a: @b\n" },
	{ REFUSED, "a: `b\n" },
	{ REFUSED, "a: %b\n" },
	{ REFUSED, "a: ,b\n" },
	{ REFUSED, "a: \"\\0\"\n" },
	{ REFUSED, "a: \"\\x00\"\n" },
	{ REFUSED, "a: \"\\q\"\n" },
	{ REFUSED, "a: \"\\'\"\n" },
	{ REFUSED, "a: \"\\ud800\"\n" },
	{ REFUSED, "a: \"\\U00110000\"\n" },
	{ REFUSED, "a: \"\\x4\"\n" },
	{ REFUSED, "a: \"\\xg1\"\n" },
	{ REFUSED, "a: \"x\\\n" },
	{ REFUSED, "a: 'x\n" },
};

/* The tree libyaml builds, as text; "rc=N MESSAGE" when it refuses. */
static const char *
libyaml_tree(const char *buf, size_t len)
{
	struct nd_ytree_opts o = opts;
	struct nd_ynode *root = NULL;
	char err[256];
	int rc;

	o.libyaml_only = true;
	rc = nd_ytree_parse(arena, "doc", buf, len, &o, &root, err,
	    sizeof(err));
	if (rc != 0)
		return nd_arena_printf(arena, "rc=%d %s", rc, err);
	return nd_ytree_dump(arena, root);
}

/*
 * Checks one document; returns whether the fast reader accepted it.  Both
 * of its modes are tried: copying the scalars (nd_ytree_parse) and
 * leaving them in a buffer of its own (nd_ytree_load).
 */
static bool
check_doc(const char *name, const char *buf, size_t len)
{
	const char *want = libyaml_tree(buf, len), *got;
	struct nd_ynode *root = (struct nd_ynode *)&arena, *copy_root;
	char *own, err[256];
	int rc, rc2;

	own = nd_arena_alloc(arena, len + 1);
	memcpy(own, buf, len);
	rc = nd_yfast_parse(arena, buf, NULL, len, &opts, &copy_root);
	rc2 = nd_yfast_parse(arena, own, own, len, &opts, &root);
	assert_int_equal(rc, rc2);
	if (rc != 0) {
		assert_int_equal(rc, ND_YFAST_REFUSED);
		/* Refused means untouched. */
		assert_ptr_equal(root, (struct nd_ynode *)&arena);
		assert_memory_equal(own, buf, len);
	} else {
		got = nd_ytree_dump(arena, copy_root);
		if (strcmp(got, want) != 0)
			print_error("%s: fast:\n%s\nlibyaml:\n%s\n", name, got,
			    want);
		assert_string_equal(got, want);
		assert_string_equal(nd_ytree_dump(arena, root), want);
	}
	/* The public entry: whatever path it takes, libyaml's answer. */
	root = NULL;
	rc2 = nd_ytree_parse(arena, "doc", buf, len, &opts, &root, err,
	    sizeof(err));
	got = rc2 != 0 ? nd_arena_printf(arena, "rc=%d %s", rc2, err) :
	    nd_ytree_dump(arena, root);
	assert_string_equal(got, want);
	return rc == 0;
}

static void
test_docs(void **state)
{
	size_t i, wrong = 0;
	bool fast;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		fast = check_doc(nd_arena_printf(arena, "docs[%zu]", i),
		    docs[i].text, strlen(docs[i].text));
		if (fast != (docs[i].want == FAST)) {
			print_error("docs[%zu] %s: \"%s\"\n", i, fast ?
			    "accepted" : "refused", docs[i].text);
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

static void
test_embedded_nul(void **state)
{
	static const char doc[] = "a: 1\n\0b: 2\n";

	(void)state;
	assert_false(check_doc("nul", doc, sizeof(doc) - 1));
}

static int
fast(const char *doc, const struct nd_ytree_opts *o)
{
	struct nd_ynode *root;

	return nd_yfast_parse(arena, doc, NULL, strlen(doc), o, &root);
}

static const char *
parse_err(const char *doc, const struct nd_ytree_opts *o)
{
	struct nd_ynode *root;
	static char err[256];

	assert_int_equal(nd_ytree_parse(arena, "f", doc, strlen(doc), o,
	    &root, err, sizeof(err)), -EINVAL);
	return err;
}

/* The bounds are libyaml's to report: the fast reader refuses. */
static void
test_bounds(void **state)
{
	struct nd_ytree_opts o = opts;

	(void)state;
	o.max_nodes = 5;
	assert_int_equal(fast("a: 1\nb: 2\n", &o), 0);
	assert_int_equal(fast("a: 1\nb: 2\nc:\n", &o), ND_YFAST_REFUSED);
	assert_string_equal(parse_err("a: 1\nb: 2\nc:\n", &o),
	    "f:3: more than 5 values");

	o = opts;
	o.max_depth = 2;
	assert_int_equal(fast("a:\n  b: 1\n", &o), 0);
	assert_int_equal(fast("a:\n  b:\n   - 1\n", &o), ND_YFAST_REFUSED);
	assert_string_equal(parse_err("a:\n  b:\n   - 1\n", &o),
	    "f:3: nesting deeper than 2 levels is not supported");

	o = opts;
	o.multi_doc = true;
	assert_int_equal(fast("a: 1\n", &o), ND_YFAST_REFUSED);
}

/* A long key is no simple key for libyaml. */
static void
test_long_key(void **state)
{
	char *doc;
	size_t n;

	(void)state;
	for (n = 990; n <= 1030; n += 10) {
		doc = nd_arena_alloc(arena, n + 8);
		memset(doc, 'k', n);
		memcpy(doc + n, ": v\n", 5);
		(void)check_doc("long key", doc, n + 4);
	}
}

/* Deep nesting: the fast reader's own bound, then libyaml's. */
static void
test_deep(void **state)
{
	struct nd_ytree_opts o = opts;
	struct nd_ynode *root;
	char *doc, *p, err[256];
	size_t d;

	(void)state;
	o.max_depth = 1000;
	doc = p = nd_arena_alloc(arena, 200 * 200);
	for (d = 0; d < 100; d++) {
		memset(p, ' ', d);
		p += d;
		p += snprintf(p, 16, "k%zu:\n", d);
	}
	assert_int_equal(nd_yfast_parse(arena, doc, NULL, strlen(doc), &o,
	    &root), ND_YFAST_REFUSED);
	assert_int_equal(nd_ytree_parse(arena, "f", doc, strlen(doc), &o,
	    &root, err, sizeof(err)), 0);
	(void)check_doc("deep", doc, strlen(doc));
}

static struct {
	size_t	files, fast;
} walk;

static int
check_file(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	char *buf;
	size_t len;
	size_t n = strlen(path);

	(void)st;
	(void)ftw;
	if (type != FTW_F || !((n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(path + n - 4, ".yml") == 0) ||
	    strstr(path, "corpus/config/") != NULL))
		return 0;
	assert_int_equal(nd_ytree_read_file(arena, path, opts.max_bytes, &buf,
	    &len), 0);
	walk.files++;
	if (check_doc(path, buf, len))
		walk.fast++;
	else if (getenv("ND_YTREE_VERBOSE") != NULL)
		print_message("# refused: %s\n", path);
	return 0;
}

/* Every YAML file of the repository's fixtures and config corpus. */
static void
test_files(void **state)
{
	const char *top = getenv("ND_TOP");
	char *dir;

	(void)state;
	if (top == NULL)
		top = ".";
	dir = nd_arena_printf(arena, "%s/fixtures", top);
	assert_int_equal(nftw(dir, check_file, 16, FTW_PHYS), 0);
	dir = nd_arena_printf(arena, "%s/tests/fuzz/corpus/config", top);
	assert_int_equal(nftw(dir, check_file, 16, FTW_PHYS), 0);
	print_message("# %zu files, %zu read by the fast reader\n",
	    walk.files, walk.fast);
	/*
	 * Flow sequences ("servers: [a, b]") and multi-document streams
	 * are not in the subset: only some of the files are.
	 */
	assert_true(walk.files >= 40);
	assert_true(walk.fast >= 10);
}

/* nd_ytree_load: scalars in the file's buffer, terminated in place. */
static void
test_load(void **state)
{
	static const char doc[] = "a: 1\nb:\n  - \"x\"\n  - 'y''s'\nc: d\n";
	char path[] = "/tmp/nd-test-ytree.XXXXXX", err[256];
	struct nd_ytree_opts o = opts;
	struct nd_ynode *fast, *slow;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, doc, sizeof(doc) - 1),
	    (ssize_t)sizeof(doc) - 1);
	close(fd);
	assert_int_equal(nd_ytree_load(arena, path, &o, &fast, err,
	    sizeof(err)), 0);
	o.libyaml_only = true;
	assert_int_equal(nd_ytree_load(arena, path, &o, &slow, err,
	    sizeof(err)), 0);
	unlink(path);
	assert_string_equal(nd_ytree_dump(arena, fast),
	    nd_ytree_dump(arena, slow));
	assert_string_equal(fast->kids[5]->str, "d");
	assert_string_equal(fast->kids[3]->kids[1]->str, "y's");
}

static int
setup(void **state)
{
	(void)state;
	arena = nd_arena_new();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nd_arena_free(arena);
	arena = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embedded_nul, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
