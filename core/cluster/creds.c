/*
 * creds.c - reads the client credentials of the API probes from a
 * talosconfig (Talos pkg/machinery/client/config) and from a kubeconfig.
 *
 * Both files are YAML and both are loaded the way config.c loads
 * netdoctor.yaml: ytree.c turns them into a small bounded tree in the arena
 * (no aliases, bounded depth, node count and size), then the few keys
 * netdoctor needs are picked out of it.  Unlike netdoctor.yaml, unknown keys
 * are ignored: both formats belong to other tools and grow new keys, which
 * talosctl and kubectl skip as well.
 *
 * Certificates and keys are checked (pem.c) here, at load time, so that a
 * broken file is reported once, with its line, instead of as a TLS failure
 * per endpoint.  Key material is never echoed: errors name the file, the line
 * and the key, and describe what is wrong in words and offsets only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "creds.h"
#include "pem.h"
#include "ytree.h"

#define CREDS_MAX_BYTES		(1024 * 1024)
#define CREDS_MAX_DEPTH		16
/* Far above any real file; bounds the tree a 1 MiB file can build. */
#define CREDS_MAX_NODES		100000
#define TALOS_MAX_CONTEXTS	64
/* Kubeconfigs merged from many clusters are longer than talosconfigs. */
#define KUBE_MAX_ENTRIES	256
#define TOKEN_MAX		(64 * 1024)
#define NAMES_LISTED		8	/* names listed in "not found" errors */

#define TALOS_RUN_CONFIG	"/var/run/secrets/talos.dev/config"

struct cparse {
	struct nd_ycheck	 ck;
};

/* Names for "not found (contexts: a, b)"; at most NAMES_LISTED shown. */
struct namelist {
	char	buf[NAMES_LISTED * (ND_YSHOW_MAX + 8) + 32];
	size_t	used;
	size_t	n;
};

/* "KIND: PATH:LINE: what", or "KIND: PATH: what" for line 0; -EINVAL. */
#define cerr(cp, ...)	nd_ycheck_err(&(cp)->ck, __VA_ARGS__)

/* ---- files ---- */

/* Reads the file and returns its top-level mapping. */
static int
load_root(struct cparse *cp, struct nd_ynode **ret)
{
	/*
	 * Both files hold keys and tokens, so errors must not quote them:
	 * no anchor names, no offending bytes.
	 */
	const struct nd_ytree_opts opts = {
		.prefix = cp->ck.prefix,
		.max_bytes = CREDS_MAX_BYTES,
		.max_depth = CREDS_MAX_DEPTH,
		.max_nodes = CREDS_MAX_NODES,
		.quiet_values = true,
	};
	struct nd_ynode *root;
	int rc;

	if ((rc = nd_ytree_load(cp->ck.arena, cp->ck.path, &opts, &root,
	    cp->ck.err, cp->ck.errlen)) != 0)
		return rc;
	if (root == NULL)
		return cerr(cp, 0, "empty file");
	if (root->kind != ND_Y_MAP)
		return cerr(cp, root->line, "the top level must be a mapping, "
		    "got %s", nd_ytree_describe(root));
	*ret = root;
	return 0;
}

static void
namelist_add(struct namelist *nl, const char *name, size_t len)
{
	int n;

	if (nl->n++ >= NAMES_LISTED)
		return;
	n = snprintf(nl->buf + nl->used, sizeof(nl->buf) - nl->used,
	    "%s%.*s%s", nl->n > 1 ? ", " : "", ND_YSHOW(name, len));
	if (n > 0 && nl->used + (size_t)n < sizeof(nl->buf))
		nl->used += (size_t)n;
}

static const char *
namelist_str(struct namelist *nl)
{
	if (nl->n == 0)
		return "none";
	if (nl->n > NAMES_LISTED)
		snprintf(nl->buf + nl->used, sizeof(nl->buf) - nl->used,
		    ", ... (%zu in all)", nl->n);
	return nl->buf;
}

/* ---- base64 and PEM ---- */

/*
 * Checks that buf holds PEM of the given kind and stores it in ret.  what
 * names the source ("contexts.lab.ca"); line is where it was given.
 */
static int
pem_check(struct cparse *cp, int line, const char *what, const char *buf,
    size_t len, enum nd_pem_kind kind, struct nd_pem *ret)
{
	char why[160];
	int rc;

	if ((rc = nd_pem_check(cp->ck.arena, buf, len, kind, ret, why,
	    sizeof(why))) != 0)
		cerr(cp, line, "%s: %s", what, why);
	return rc;
}

/*
 * A base64 scalar (talosconfig ca/crt/key, kubeconfig *-data), key in map,
 * named where.key in messages.  *ret_kv gets what was found.
 */
static int
pem_from_b64(struct cparse *cp, const struct nd_ynode *map, const char *where,
    const char *key, enum nd_pem_kind kind, struct nd_pem *ret,
    struct nd_ykv *ret_kv)
{
	char why[160], *s, *buf, *what;
	struct nd_ykv kv;
	size_t len;
	int rc;

	if ((rc = nd_yget_str(&cp->ck, map, where, key, false, &s, &kv)) != 0)
		return rc;
	*ret_kv = kv;
	if (s == NULL) {
		ret->data = NULL;
		ret->len = 0;
		return 0;
	}
	what = nd_arena_printf(cp->ck.arena, "%s.%s", where, key);
	if ((rc = nd_pem_b64_decode(cp->ck.arena, s, kv.v->len,
	    ND_PEM_BLOB_MAX, &buf, &len, why, sizeof(why))) != 0) {
		cerr(cp, kv.v->line, "%s: %s", what, why);
		return rc == -EFBIG ? -EINVAL : rc;
	}
	if (len == 0) {
		ret->data = NULL;
		ret->len = 0;
		return 0;
	}
	return pem_check(cp, kv.v->line, what, buf, len, kind, ret);
}

/*
 * Paths in a kubeconfig are relative to the kubeconfig's directory
 * (client-go's ResolvePaths), not to the working directory.
 */
static char *
kube_path(struct cparse *cp, const char *p)
{
	const char *slash, *path = cp->ck.path;

	if (p[0] == '/' || (slash = strrchr(path, '/')) == NULL)
		return nd_arena_strdup(cp->ck.arena, p);
	return nd_arena_printf(cp->ck.arena, "%.*s/%s",
	    (int)(slash - path), path, p);
}

/* Reads a file named in the kubeconfig; 64 KiB at most. */
static int
read_named(struct cparse *cp, int line, const char *what, const char *p,
    char **ret_buf, size_t *ret_len)
{
	int rc;

	if ((rc = nd_ytree_read_file(cp->ck.arena, p, ND_PEM_BLOB_MAX, ret_buf,
	    ret_len)) == 0)
		return 0;
	if (rc == -EFBIG)
		cerr(cp, line, "%s: '%s' is larger than %d KiB", what, p,
		    ND_PEM_BLOB_MAX / 1024);
	else
		cerr(cp, line, "%s: cannot read '%s': %s", what, p,
		    strerror(-rc));
	return rc;
}

/*
 * kubeconfig's NAME-data / NAME pair: inline base64 or a file.  Inline
 * data wins when both are given, as in client-go's transport.  *ret_line,
 * when wanted, is the line of the key used, 0 when there is none.
 */
static int
kube_pem(struct cparse *cp, const struct nd_ynode *map, const char *where,
    const char *datakey, const char *filekey, enum nd_pem_kind kind,
    struct nd_pem *ret, int *ret_line)
{
	struct nd_pem pem = { NULL, 0 };
	struct nd_ykv data, file;
	char *what, *p, *buf;
	size_t len;
	int rc, line = 0;

	if ((rc = pem_from_b64(cp, map, where, datakey, kind, &pem,
	    &data)) != 0)
		return rc;
	if (pem.len != 0)
		line = data.k->line;
	else {
		if ((rc = nd_yget_str(&cp->ck, map, where, filekey, false, &p,
		    &file)) != 0)
			return rc;
		if (p != NULL) {
			what = nd_arena_printf(cp->ck.arena, "%s.%s", where,
			    filekey);
			p = kube_path(cp, p);
			if ((rc = read_named(cp, file.k->line, what, p, &buf,
			    &len)) != 0)
				return rc;
			what = nd_arena_printf(cp->ck.arena, "%s ('%s')", what,
			    p);
			if ((rc = pem_check(cp, file.k->line, what, buf, len,
			    kind, &pem)) != 0)
				return rc;
			line = file.k->line;
		}
	}
	*ret = pem;
	if (ret_line != NULL)
		*ret_line = line;
	return 0;
}

/*
 * A client certificate and key must come together and belong together;
 * a mismatch would otherwise surface as a handshake failure per endpoint.
 */
static int
check_pair(struct cparse *cp, int line, const char *where,
    const char *crtname, const char *keyname, const struct nd_pem *crt,
    const struct nd_pem *key)
{
	char why[160];
	int rc;

	if (crt->len == 0 && key->len == 0)
		return 0;
	if (key->len == 0)
		return cerr(cp, line, "%s: '%s' is set but '%s' is not (give "
		    "both or neither)", where, crtname, keyname);
	if (crt->len == 0)
		return cerr(cp, line, "%s: '%s' is set but '%s' is not (give "
		    "both or neither)", where, keyname, crtname);
	rc = nd_pem_pair_check(crt, key, why, sizeof(why));
	if (rc == -EINVAL)
		cerr(cp, line, "%s: '%s' and '%s' do not match (%s)", where,
		    crtname, keyname, why);
	else if (rc != 0)
		cerr(cp, line, "%s: %s", where, why);
	return rc;
}

/* ---- talosconfig ---- */

static int
talos_context(struct cparse *cp, const char *name, const struct nd_ynode *key,
    const struct nd_ynode *ctx, struct nd_talos_creds *tc)
{
	struct nd_ykv endpoints, crt, k, dummy;
	char *where, **eps, *tgt;
	size_t n;
	int rc;

	where = nd_arena_printf(cp->ck.arena, "contexts.%.*s%s",
	    ND_YSHOW(name, strlen(name)));
	if ((rc = nd_ywant(&cp->ck, ctx, key->line, where, ND_Y_MAP,
	    NULL)) != 0)
		return rc;
	if ((rc = nd_yget_strlist(&cp->ck, ctx, where, "endpoints",
	    &eps)) != 0 ||
	    (rc = nd_yfind(&cp->ck, ctx, where, "endpoints",
	    &endpoints)) != 0 ||
	    (rc = nd_yget_str(&cp->ck, ctx, where, "target", false, &tgt,
	    NULL)) != 0)
		return rc;
	/*
	 * Old talosconfigs name one endpoint in `target`; talosctl moves it
	 * into endpoints when it loads them, so do the same.
	 */
	for (n = 0; eps != NULL && eps[n] != NULL; n++)
		continue;
	if (tgt != NULL) {
		eps = nd_arena_grow(cp->ck.arena, eps, n, n + 2, sizeof(*eps));
		eps[n++] = tgt;
		eps[n] = NULL;
	}
	if (n == 0)
		return cerr(cp, endpoints.k != NULL ? endpoints.k->line :
		    key->line, "%s.endpoints: no "
		    "endpoints (talosctl would need --endpoints)", where);
	tc->endpoints = eps;
	if ((rc = nd_yget_strlist(&cp->ck, ctx, where, "nodes",
	    &tc->nodes)) != 0)
		return rc;
	if (tc->nodes == NULL)
		tc->nodes = nd_arena_alloc(cp->ck.arena, sizeof(*tc->nodes));

	if ((rc = pem_from_b64(cp, ctx, where, "ca", ND_PEM_CERTS, &tc->ca,
	    &dummy)) != 0 ||
	    (rc = pem_from_b64(cp, ctx, where, "crt", ND_PEM_CERTS, &tc->crt,
	    &crt)) != 0 ||
	    (rc = pem_from_b64(cp, ctx, where, "key", ND_PEM_KEY, &tc->key,
	    &k)) != 0)
		return rc;
	return check_pair(cp, nd_ykv_line(tc->key.len != 0 ? &k : &crt, ctx),
	    where, "crt", "key", &tc->crt, &tc->key);
}

int
nd_talos_creds_load(struct nd_arena *arena, const char *path,
    const char *context, struct nd_talos_creds *ret, char *err,
    size_t errlen)
{
	struct cparse cp = { .ck = { .arena = arena,
	    .prefix = "talosconfig: ", .path = path, .err = err,
	    .errlen = errlen, .quiet_values = true } };
	struct nd_talos_creds tc = { 0 };
	struct namelist nl = { .n = 0 };
	const struct nd_ynode *map, *k;
	struct nd_ynode *root;
	struct nd_ykv cur, ctxs, found = { NULL, NULL };
	const char *name;
	char *filectx;
	size_t i;
	int rc;

	if ((rc = load_root(&cp, &root)) != 0)
		return rc;
	if ((rc = nd_yget_str(&cp.ck, root, NULL, "context", false, &filectx,
	    &cur)) != 0 ||
	    (rc = nd_yget(&cp.ck, root, NULL, "contexts", ND_Y_MAP, false,
	    &ctxs)) != 0)
		return rc;
	if ((map = ctxs.v) == NULL)
		return cerr(&cp, nd_ykv_line(&ctxs, root), "no contexts "
		    "defined ('contexts' is missing or empty)");
	if (map->n / 2 > TALOS_MAX_CONTEXTS)
		return cerr(&cp, ctxs.k->line, "more than %d contexts",
		    TALOS_MAX_CONTEXTS);
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->kids[i];
		if (k->kind != ND_Y_SCALAR)
			return cerr(&cp, k->line, "keys must be strings, "
			    "got %s in 'contexts'", nd_ytree_describe(k));
		namelist_add(&nl, k->str, k->len);
	}
	name = context != NULL ? context : filectx;
	if (name == NULL || *name == '\0')
		return cerr(&cp, nd_ykv_line(&cur, root), "no context "
		    "selected: "
		    "'context' is not set (contexts: %s)", namelist_str(&nl));
	if ((rc = nd_yfind(&cp.ck, map, "contexts", name, &found)) != 0)
		return rc;
	if (found.k == NULL)
		return cerr(&cp, context != NULL ? 0 : nd_ykv_line(&cur, root),
		    "context '%.*s%s' not found (contexts: %s)",
		    ND_YSHOW(name, strlen(name)), namelist_str(&nl));
	if ((rc = talos_context(&cp, name, found.k, found.v, &tc)) != 0)
		return rc;
	tc.path = nd_arena_strdup(arena, path);
	tc.context = nd_arena_strdup(arena, name);
	*ret = tc;
	return 0;
}

/* ---- kubeconfig ---- */

/*
 * Finds the entry named want in one of kubeconfig's named lists
 * (clusters, users, contexts: [{name: N, <body>: {...}}]).  *ret_item is
 * NULL when there is none; all names go to nl for the error.
 */
static int
kube_find(struct cparse *cp, const struct nd_ynode *root, const char *lname,
    const char *want, struct namelist *nl, const struct nd_ynode **ret_item)
{
	const struct nd_ynode *item, *found = NULL;
	struct nd_ykv list, name;
	size_t i;
	int rc;

	if ((rc = nd_yget(&cp->ck, root, NULL, lname, ND_Y_SEQ, false,
	    &list)) != 0)
		return rc;
	*ret_item = NULL;
	if (list.v == NULL)
		return 0;
	if (list.v->n > KUBE_MAX_ENTRIES)
		return cerr(cp, list.k->line, "%s: more than %d entries",
		    lname, KUBE_MAX_ENTRIES);
	for (i = 0; i < list.v->n; i++) {
		item = list.v->kids[i];
		if ((rc = nd_ywant_item(&cp->ck, list.v, i, lname, ND_Y_MAP,
		    NULL)) != 0)
			return rc;
		if ((rc = nd_yfind(&cp->ck, item, nd_arena_printf(cp->ck.arena,
		    "%s[%zu]", lname, i), "name", &name)) != 0)
			return rc;
		if (name.v == NULL || name.v->kind != ND_Y_SCALAR)
			continue;
		namelist_add(nl, name.v->str, name.v->len);
		if (want == NULL || strcmp(name.v->str, want) != 0)
			continue;
		/* client-go refuses duplicate names when it loads the file. */
		if (found != NULL)
			return cerr(cp, item->line, "%s.%.*s%s: given twice "
			    "(first on line %d)", lname,
			    ND_YSHOW(want, strlen(want)), found->line);
		found = item;
	}
	*ret_item = found;
	return 0;
}

/*
 * The body of a found entry ("cluster:" of a clusters[] item), which
 * kubectl's property paths name like the entry: clusters.NAME.
 */
static int
kube_body(struct cparse *cp, const struct nd_ynode *item, const char *where,
    const char *bname, bool nullok, const struct nd_ynode **ret)
{
	struct nd_ykv body;
	int rc;

	if ((rc = nd_yfind(&cp->ck, item, where, bname, &body)) != 0)
		return rc;
	if (body.v == NULL && nullok) {
		*ret = NULL;
		return 0;
	}
	if ((rc = nd_ywant(&cp->ck, body.v, nd_ykv_line(&body, item), where,
	    ND_Y_MAP, NULL)) != 0)
		return rc;
	*ret = body.v;
	return 0;
}

static int
kube_cluster(struct cparse *cp, const char *where, const struct nd_ynode *c,
    struct nd_kube_creds *kc)
{
	struct nd_ykv server, insecure;
	char *s;
	int rc;

	if ((rc = nd_yget_str(&cp->ck, c, where, "server", false,
	    &kc->server, &server)) != 0)
		return rc;
	if (kc->server == NULL)
		return cerr(cp, nd_ykv_line(&server, c), "%s: no 'server' set",
		    where);
	if ((rc = nd_yget_bool(&cp->ck, c, where, "insecure-skip-tls-verify",
	    &kc->insecure)) != 0 ||
	    (rc = nd_yfind(&cp->ck, c, where, "insecure-skip-tls-verify",
	    &insecure)) != 0)
		return rc;
	/* Checked for type only: struct nd_kube_creds has no field for it. */
	if ((rc = nd_yget_str(&cp->ck, c, where, "tls-server-name", false,
	    &s, NULL)) != 0)
		return rc;
	if ((rc = kube_pem(cp, c, where, "certificate-authority-data",
	    "certificate-authority", ND_PEM_CERTS, &kc->ca, NULL)) != 0)
		return rc;
	/* client-go's transport refuses the same combination. */
	if (kc->insecure && kc->ca.len != 0)
		return cerr(cp, nd_ykv_line(&insecure, c), "%s: "
		    "insecure-skip-tls-verify cannot be combined with a "
		    "certificate authority", where);
	return 0;
}

/* A bearer token goes into an HTTP header: no control characters. */
static bool
token_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return len > 0;
}

static int
kube_token(struct cparse *cp, const char *where, const struct nd_ynode *u,
    struct nd_kube_creds *kc)
{
	struct nd_ykv token, file;
	char *what, *s, *p, *buf;
	size_t len, b, e;
	int rc;

	if ((rc = nd_yget_str(&cp->ck, u, where, "token", false, &s,
	    &token)) != 0)
		return rc;
	/* An inline token wins over tokenFile, as in client-go. */
	if (s != NULL) {
		if (!token_ok(s, token.v->len))
			return cerr(cp, token.k->line, "%s.token: contains "
			    "control characters or line breaks", where);
		kc->token = s;
		return 0;
	}
	if ((rc = nd_yget_str(&cp->ck, u, where, "tokenFile", false, &p,
	    &file)) != 0)
		return rc;
	if (p == NULL)
		return 0;
	what = nd_arena_printf(cp->ck.arena, "%s.tokenFile", where);
	p = kube_path(cp, p);
	if ((rc = read_named(cp, file.k->line, what, p, &buf, &len)) != 0)
		return rc;
	/* client-go trims the file's content the same way (TrimSpace). */
	for (b = 0; b < len && strchr(" \t\r\n", buf[b]) != NULL &&
	    buf[b] != '\0'; b++)
		continue;
	for (e = len; e > b && strchr(" \t\r\n", buf[e - 1]) != NULL &&
	    buf[e - 1] != '\0'; e--)
		continue;
	if (e == b)
		return cerr(cp, file.k->line, "%s: '%s' is empty", what, p);
	if (!token_ok(buf + b, e - b))
		return cerr(cp, file.k->line, "%s: '%s' contains control "
		    "characters or line breaks inside the token", what, p);
	kc->token = nd_arena_strndup(cp->ck.arena, buf + b, e - b);
	return 0;
}

static int
kube_user(struct cparse *cp, const char *where, const struct nd_ynode *u,
    struct nd_kube_creds *kc)
{
	struct nd_ykv exec, authp;
	int rc, crtline, keyline;

	if ((rc = nd_yfind(&cp->ck, u, where, "exec", &exec)) != 0 ||
	    (rc = nd_yfind(&cp->ck, u, where, "auth-provider", &authp)) != 0)
		return rc;
	if (exec.v != NULL)
		return cerr(cp, exec.k->line, "%s: exec credential plugins "
		    "are not supported; use a client certificate or token",
		    where);
	if (authp.v != NULL)
		return cerr(cp, authp.k->line, "%s: auth-provider plugins "
		    "are not supported; use a client certificate or token",
		    where);
	if ((rc = kube_pem(cp, u, where, "client-certificate-data",
	    "client-certificate", ND_PEM_CERTS, &kc->crt, &crtline)) != 0 ||
	    (rc = kube_pem(cp, u, where, "client-key-data", "client-key",
	    ND_PEM_KEY, &kc->key, &keyline)) != 0)
		return rc;
	if ((rc = check_pair(cp, keyline != 0 ? keyline : crtline, where,
	    "client-certificate",
	    "client-key", &kc->crt, &kc->key)) != 0)
		return rc;
	return kube_token(cp, where, u, kc);
}

static int
kube_check_header(struct cparse *cp, const struct nd_ynode *root)
{
	struct nd_ykv api, kind;
	int rc;

	/* Both may be missing: client-go defaults them. */
	if ((rc = nd_yfind(&cp->ck, root, NULL, "apiVersion", &api)) != 0 ||
	    (rc = nd_yfind(&cp->ck, root, NULL, "kind", &kind)) != 0)
		return rc;
	if (api.v != NULL && (api.v->kind != ND_Y_SCALAR ||
	    strcmp(api.v->str, "v1") != 0))
		return cerr(cp, api.k->line, "apiVersion: expected 'v1'");
	if (kind.v != NULL && (kind.v->kind != ND_Y_SCALAR ||
	    strcmp(kind.v->str, "Config") != 0))
		return cerr(cp, kind.k->line, "kind: expected 'Config'");
	return 0;
}

/* "KIND.NAME", kubectl's property path of a named entry. */
static char *
entry_name(struct cparse *cp, const char *kind, const char *name)
{
	return nd_arena_printf(cp->ck.arena, "%s.%.*s%s", kind,
	    ND_YSHOW(name, strlen(name)));
}

int
nd_kube_creds_load(struct nd_arena *arena, const char *path,
    const char *context, struct nd_kube_creds *ret, char *err,
    size_t errlen)
{
	struct cparse cp = { .ck = { .arena = arena,
	    .prefix = "kubeconfig: ", .path = path, .err = err,
	    .errlen = errlen, .quiet_values = true } };
	struct nd_kube_creds kc = { 0 };
	struct namelist nlc = { .n = 0 }, nlk = { .n = 0 }, nlu = { .n = 0 };
	const struct nd_ynode *ctxitem, *clitem, *uitem, *ctx, *cl, *u = NULL;
	struct nd_ykv cur, clname, uname;
	char *name, *cn, *un, *where, *cwhere, *uwhere;
	struct nd_ynode *root;
	int rc;

	if ((rc = load_root(&cp, &root)) != 0 ||
	    (rc = kube_check_header(&cp, root)) != 0)
		return rc;
	if ((rc = nd_yget_str(&cp.ck, root, NULL, "current-context", false,
	    &name, &cur)) != 0)
		return rc;
	if (context != NULL)
		name = nd_arena_strdup(arena, context);
	if ((rc = kube_find(&cp, root, "contexts", name, &nlc,
	    &ctxitem)) != 0)
		return rc;
	if (name == NULL || *name == '\0')
		return cerr(&cp, nd_ykv_line(&cur, root), "no context "
		    "selected: "
		    "'current-context' is not set (contexts: %s)",
		    namelist_str(&nlc));
	if (ctxitem == NULL)
		return cerr(&cp, context != NULL ? 0 : nd_ykv_line(&cur, root),
		    "context '%.*s%s' not found (contexts: %s)",
		    ND_YSHOW(name, strlen(name)), namelist_str(&nlc));

	where = entry_name(&cp, "contexts", name);
	if ((rc = kube_body(&cp, ctxitem, where, "context", false,
	    &ctx)) != 0 ||
	    (rc = nd_yget_str(&cp.ck, ctx, where, "cluster", false, &cn,
	    &clname)) != 0 ||
	    (rc = nd_yget_str(&cp.ck, ctx, where, "user", false, &un,
	    &uname)) != 0)
		return rc;
	if (cn == NULL)
		return cerr(&cp, nd_ykv_line(&clname, ctx), "%s: no 'cluster' "
		    "set", where);
	if ((rc = kube_find(&cp, root, "clusters", cn, &nlk, &clitem)) != 0)
		return rc;
	if (clitem == NULL)
		return cerr(&cp, clname.k->line, "%s: cluster '%.*s%s' not "
		    "found (clusters: %s)", where, ND_YSHOW(cn, strlen(cn)),
		    namelist_str(&nlk));
	cwhere = entry_name(&cp, "clusters", cn);
	if ((rc = kube_body(&cp, clitem, cwhere, "cluster", false,
	    &cl)) != 0 ||
	    (rc = kube_cluster(&cp, cwhere, cl, &kc)) != 0)
		return rc;
	/* A context without a user is anonymous, which kubectl allows. */
	if (un != NULL) {
		if ((rc = kube_find(&cp, root, "users", un, &nlu,
		    &uitem)) != 0)
			return rc;
		if (uitem == NULL)
			return cerr(&cp, uname.k->line, "%s: user '%.*s%s' "
			    "not found (users: %s)", where,
			    ND_YSHOW(un, strlen(un)), namelist_str(&nlu));
		uwhere = entry_name(&cp, "users", un);
		if ((rc = kube_body(&cp, uitem, uwhere, "user", true,
		    &u)) != 0)
			return rc;
		if (u != NULL && (rc = kube_user(&cp, uwhere, u, &kc)) != 0)
			return rc;
	}
	kc.path = nd_arena_strdup(arena, path);
	kc.context = nd_arena_strdup(arena, name);
	*ret = kc;
	return 0;
}

/* ---- default locations ---- */

static const char *
existing(struct nd_arena *arena, const char *p)
{
	struct stat st;

	if (p == NULL || *p == '\0' || stat(p, &st) == -1)
		return NULL;
	return nd_arena_strdup(arena, p);
}

/*
 * talosctl's order (pkg/machinery/client/config/path.go): $TALOSCONFIG,
 * then $TALOS_HOME/config when $TALOS_HOME is absolute, else
 * ~/.talos/config, then the in-cluster secret; the first that exists.
 */
const char *
nd_talosconfig_default(struct nd_arena *arena)
{
	const char *env, *home, *p;

	if ((p = existing(arena, getenv("TALOSCONFIG"))) != NULL)
		return p;
	env = getenv("TALOS_HOME");
	home = getenv("HOME");
	if (env != NULL && env[0] == '/')
		p = existing(arena, nd_arena_printf(arena, "%s/config", env));
	else if (home != NULL && *home != '\0')
		p = existing(arena, nd_arena_printf(arena, "%s/.talos/config",
		    home));
	if (p != NULL)
		return p;
	return existing(arena, TALOS_RUN_CONFIG);
}

/*
 * kubectl's: $KUBECONFIG, a colon-separated list, when set and non-empty
 * (kubectl merges its files; netdoctor takes the first that exists), else
 * ~/.kube/config.  A set $KUBECONFIG naming no existing file does not fall
 * back to ~/.kube/config, as with kubectl.
 */
const char *
nd_kubeconfig_default(struct nd_arena *arena)
{
	const char *env, *home, *s, *colon, *p;

	env = getenv("KUBECONFIG");
	if (env != NULL && *env != '\0') {
		for (s = env; *s != '\0'; s = *colon != '\0' ? colon + 1 :
		    colon) {
			colon = strchrnul(s, ':');
			if (colon == s)
				continue;
			p = existing(arena, nd_arena_strndup(arena, s,
			    (size_t)(colon - s)));
			if (p != NULL)
				return p;
		}
		return NULL;
	}
	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		return NULL;
	return existing(arena, nd_arena_printf(arena, "%s/.kube/config",
	    home));
}
