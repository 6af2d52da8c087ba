/*
 * test_creds.c - talosconfig (docs/talos.md 4) and kubeconfig loading.
 * Key material is generated at test time with OpenSSL (an Ed25519 key and
 * self-signed certificate as Talos writes them, an EC P-256 pair as kubeadm
 * writes them), files are written with mkstemp(3) under /tmp and removed
 * again.  Every error message is checked for leaked key material: no
 * 8-character piece of any base64 blob, PEM body or token may appear in it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "arena.h"
#include "creds.h"

#define WINDOW		8	/* shortest leak looked for */
#define MAXTMP		32
#define MAXSECRETS	32

static struct nd_arena *arena;
static char err[1024];
static const char *cur;		/* the file under test */

/* Created in order, removed in reverse so that directories are empty. */
static struct {
	char	path[256];
	bool	dir;
} tmps[MAXTMP];
static int ntmps;

static const char *secrets[MAXSECRETS];
static int nsecrets;

/* Generated once for the whole run. */
static EVP_PKEY *ed_key, *ec_key, *ca_key;
static char *ed_crt_pem, *ed_key_pem, *ed_key_talos;
static char *ec_crt_pem, *ec_key_pem, *ca_pem, *enc_key_pem;
static char *b64_ed_crt, *b64_ed_key_talos, *b64_ca, *b64_ec_crt;
static char *b64_ec_key, *b64_ec_key_pkcs8, *b64_enc_key;

static const char token_inline[] = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ";
static const char token_file[] = "file-token-0123456789abcdef";

/* ---- helpers ---- */

static void
add_secret(const char *s)
{
	assert_true(nsecrets < MAXSECRETS);
	secrets[nsecrets++] = s;
}

/*
 * True when msg holds any WINDOW-character piece of a registered secret.
 * PEM header and footer lines ("-----BEGIN ...") are public and skipped;
 * their base64 encodings are not, and are checked with the blobs.
 */
static bool
has_secret(const char *msg)
{
	const char *s, *line, *nl;
	size_t mlen = strlen(msg), llen, i;
	int k;

	for (k = 0; k < nsecrets; k++) {
		for (line = secrets[k]; *line != '\0'; line = nl) {
			s = strchr(line, '\n');
			nl = s != NULL ? s + 1 : line + strlen(line);
			llen = (size_t)((s != NULL ? s : nl) - line);
			if (strncmp(line, "-----", 5) == 0)
				continue;
			for (i = 0; i + WINDOW <= llen; i++)
				if (memmem(msg, mlen, line + i, WINDOW) != NULL)
					return true;
		}
	}
	return false;
}

static void
add_tmp(const char *p, bool dir)
{
	assert_true(ntmps < MAXTMP);
	snprintf(tmps[ntmps].path, sizeof(tmps[ntmps].path), "%s", p);
	tmps[ntmps++].dir = dir;
}

static void
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		assert_true(n > 0);
		data += n;
		len -= (size_t)n;
	}
}

/* A new temporary file holding len bytes of data; returns its path. */
static const char *
tmp_file_len(const char *data, size_t len)
{
	char p[] = "/tmp/nd-creds.XXXXXX";
	int fd;

	fd = mkstemp(p);
	assert_true(fd >= 0);
	write_all(fd, data, len);
	close(fd);
	add_tmp(p, false);
	return tmps[ntmps - 1].path;
}

static const char *
tmp_file(const char *data)
{
	return tmp_file_len(data, strlen(data));
}

static const char *
tmp_dir(void)
{
	char p[] = "/tmp/nd-creds-dir.XXXXXX";

	assert_non_null(mkdtemp(p));
	add_tmp(p, true);
	return tmps[ntmps - 1].path;
}

static const char *
put_file(const char *dir, const char *name, const char *data)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	assert_int_equal(fclose(f), 0);
	add_tmp(p, false);
	return tmps[ntmps - 1].path;
}

static char *
bio_string(BIO *b)
{
	char *p, *s;
	long n;

	n = BIO_get_mem_data(b, &p);
	assert_true(n > 0);
	assert_non_null(s = strndup(p, (size_t)n));
	BIO_free(b);
	return s;
}

static char *
key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_non_null(b);
	/* PKCS#8, "PRIVATE KEY", which is what Talos wraps. */
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	return bio_string(b);
}

static char *
cert_pem(EVP_PKEY *k, const char *cn)
{
	static long serial = 1;
	X509_NAME *name;
	X509 *x;
	BIO *b;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++),
	    1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, k), 1);
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"os:admin", -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	/* Ed25519 signs without a separate digest. */
	assert_true(X509_sign(x, k, EVP_PKEY_get_id(k) == EVP_PKEY_ED25519 ?
	    NULL : EVP_sha256()) > 0);
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	X509_free(x);
	return bio_string(b);
}

static char *
b64(const char *s)
{
	size_t len = strlen(s);
	char *out;

	assert_non_null(out = malloc(4 * ((len + 2) / 3) + 1));
	assert_true(EVP_EncodeBlock((unsigned char *)out,
	    (const unsigned char *)s, (int)len) > 0);
	return out;
}

/* Replaces every from with to; the caller frees. */
static char *
replace(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	assert_non_null(out = malloc(strlen(s) + n * tl + 1));
	for (o = out, p = s; *p != '\0';) {
		if (strncmp(p, from, fl) == 0) {
			memcpy(o, to, tl);
			o += tl;
			p += fl;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static EVP_PKEY *
pem_to_key(const char *pem)
{
	EVP_PKEY *k;
	BIO *b;

	assert_non_null(b = BIO_new_mem_buf(pem, -1));
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return k;
}

/*
 * Checks a failed load: its code, one line naming the file and containing
 * want, and no key material.
 */
static void
check_err(int rc, int want_rc, const char *want)
{
	if (rc != want_rc)
		fail_msg("rc %d, want %d (err: %s)", rc, want_rc, err);
	if (has_secret(err))
		fail_msg("key material in error: %s", err);
	assert_null(strchr(err, '\n'));
	if (strstr(err, cur) == NULL)
		fail_msg("error does not name %s: %s", cur, err);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
}

static int
talos(const char *yaml, const char *context, struct nd_talos_creds *tc)
{
	cur = tmp_file(yaml);
	return nd_talos_creds_load(arena, cur, context, tc, err, sizeof(err));
}

static int
kube(const char *path, const char *context, struct nd_kube_creds *kc)
{
	cur = path;
	return nd_kube_creds_load(arena, cur, context, kc, err, sizeof(err));
}

/* The good talosconfig, with ca/crt/key given by the caller. */
static const char *
talos_yaml(const char *ca, const char *crt, const char *key)
{
	return nd_arena_printf(arena,
	    "context: lab\n"				/* 1 */
	    "contexts:\n"				/* 2 */
	    "  lab:\n"					/* 3 */
	    "    endpoints: [192.0.2.10, \"cp1.lab:50001\"]\n" /* 4 */
	    "    nodes:\n"				/* 5 */
	    "      - 192.0.2.10\n"			/* 6 */
	    "      - 192.0.2.11\n"			/* 7 */
	    "    ca: %s\n"				/* 8 */
	    "    crt: %s\n"				/* 9 */
	    "    key: %s\n"				/* 10 */
	    "    auth: {siderov1: {identity: me@example.com}}\n"
	    "    cluster: lab\n"
	    "    proxy-url: http://proxy:3128\n"
	    "    some-future-key: [1, {a: b}]\n"
	    "  home:\n"
	    "    endpoints:\n"
	    "      - 10.0.0.1\n"
	    "    ca: %s\n"
	    "unknown-top-level: true\n", ca, crt, key, ca);
}

/* ---- fixtures ---- */

static int
group_setup(void **state)
{
	BIO *b;

	(void)state;
	ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (ed_key == NULL || ec_key == NULL || ca_key == NULL)
		return -1;
	ed_crt_pem = cert_pem(ed_key, "talos-admin");
	ed_key_pem = key_pem(ed_key);
	/* What talosctl gen config writes (docs/talos.md 4). */
	ed_key_talos = replace(ed_key_pem, "PRIVATE KEY",
	    "ED25519 PRIVATE KEY");
	ec_crt_pem = cert_pem(ec_key, "kubernetes-admin");
	ec_key_pem = key_pem(ec_key);
	ca_pem = cert_pem(ca_key, "lab-ca");
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PKCS8PrivateKey(b, ec_key, EVP_aes_128_cbc(),
	    "pw", 2, NULL, NULL) != 1)
		return -1;
	enc_key_pem = bio_string(b);

	b64_ed_crt = b64(ed_crt_pem);
	b64_ed_key_talos = b64(ed_key_talos);
	b64_ca = b64(ca_pem);
	b64_ec_crt = b64(ec_crt_pem);
	b64_ec_key = b64(ec_key_pem);
	b64_ec_key_pkcs8 = b64(ec_key_pem);
	b64_enc_key = b64(enc_key_pem);

	add_secret(ed_crt_pem);
	add_secret(ed_key_pem);
	add_secret(ec_crt_pem);
	add_secret(ec_key_pem);
	add_secret(ca_pem);
	add_secret(enc_key_pem);
	add_secret(b64_ed_crt);
	add_secret(b64_ed_key_talos);
	add_secret(b64_ca);
	add_secret(b64_ec_crt);
	add_secret(b64_ec_key);
	add_secret(b64_enc_key);
	add_secret(token_inline);
	add_secret(token_file);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(ed_key);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(ca_key);
	free(ed_crt_pem);
	free(ed_key_pem);
	free(ed_key_talos);
	free(ec_crt_pem);
	free(ec_key_pem);
	free(ca_pem);
	free(enc_key_pem);
	free(b64_ed_crt);
	free(b64_ed_key_talos);
	free(b64_ca);
	free(b64_ec_crt);
	free(b64_ec_key);
	free(b64_ec_key_pkcs8);
	free(b64_enc_key);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	arena = nd_arena_new();
	err[0] = '\0';
	cur = "";
	ntmps = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	while (ntmps > 0) {
		ntmps--;
		if (tmps[ntmps].dir)
			rmdir(tmps[ntmps].path);
		else
			unlink(tmps[ntmps].path);
	}
	nd_arena_free(arena);
	arena = NULL;
	return 0;
}

/* ---- the leak check itself ---- */

static void
test_leak_check_works(void **state)
{
	char msg[128];

	(void)state;
	snprintf(msg, sizeof(msg), "ca: %.8s", b64_ca + 20);
	assert_true(has_secret(msg));
	snprintf(msg, sizeof(msg), "x%.9sy", strchr(ed_key_pem, '\n') + 5);
	assert_true(has_secret(msg));
	snprintf(msg, sizeof(msg), "x%.8s", token_file + 3);
	assert_true(has_secret(msg));
	assert_false(has_secret("contexts.lab.ca: invalid base64"));
	assert_false(has_secret("-----BEGIN PRIVATE KEY-----"));
}

/* ---- talosconfig ---- */

static void
test_talos_good(void **state)
{
	struct nd_talos_creds tc;
	EVP_PKEY *k;

	(void)state;
	assert_int_equal(talos(talos_yaml(b64_ca, b64_ed_crt,
	    b64_ed_key_talos), NULL, &tc), 0);
	assert_string_equal(tc.path, cur);
	assert_string_equal(tc.context, "lab");
	assert_string_equal(tc.endpoints[0], "192.0.2.10");
	assert_string_equal(tc.endpoints[1], "cp1.lab:50001");
	assert_null(tc.endpoints[2]);
	assert_string_equal(tc.nodes[0], "192.0.2.10");
	assert_string_equal(tc.nodes[1], "192.0.2.11");
	assert_null(tc.nodes[2]);
	assert_int_equal(tc.ca.len, strlen(ca_pem));
	assert_string_equal(tc.ca.data, ca_pem);
	assert_string_equal(tc.crt.data, ed_crt_pem);

	/* The key is relabelled to PKCS#8 "PRIVATE KEY", body unchanged. */
	assert_null(strstr(tc.key.data, "ED25519"));
	assert_int_equal(strncmp(tc.key.data, "-----BEGIN PRIVATE KEY-----\n",
	    28), 0);
	assert_int_equal(tc.key.len, strlen(tc.key.data));
	assert_string_equal(tc.key.data, ed_key_pem);
	assert_non_null(k = pem_to_key(tc.key.data));
	assert_int_equal(EVP_PKEY_get_id(k), EVP_PKEY_ED25519);
	assert_int_equal(EVP_PKEY_eq(k, ed_key), 1);
	EVP_PKEY_free(k);

	/* Without the relabelling OpenSSL cannot read Talos' key. */
	k = pem_to_key(ed_key_talos);
	assert_null(k);
}

static void
test_talos_wrapped_base64(void **state)
{
	struct nd_talos_creds tc;
	const char *ca;
	char *folded;
	size_t i, o, len = strlen(b64_ca);

	(void)state;
	/* A literal block scalar with the blob wrapped at 60 columns. */
	folded = nd_arena_alloc(arena, len + len / 60 * 8 + 16);
	o = 0;
	for (i = 0; i < len; i++) {
		if (i % 60 == 0) {
			memcpy(folded + o, "\n      ", 7);
			o += 7;
		}
		folded[o++] = b64_ca[i];
	}
	ca = nd_arena_printf(arena, "|%s", folded);
	assert_int_equal(talos(talos_yaml(ca, b64_ed_crt, b64_ed_key_talos),
	    NULL, &tc), 0);
	assert_string_equal(tc.ca.data, ca_pem);
}

static void
test_talos_context_select(void **state)
{
	struct nd_talos_creds tc, keep = { .path = NULL };
	const char *y = talos_yaml(b64_ca, b64_ed_crt, b64_ed_key_talos);
	char want[512];

	(void)state;
	assert_int_equal(talos(y, "home", &tc), 0);
	assert_string_equal(tc.context, "home");
	assert_string_equal(tc.endpoints[0], "10.0.0.1");
	assert_null(tc.endpoints[1]);
	assert_null(tc.nodes[0]);
	assert_int_equal(tc.crt.len, 0);
	assert_int_equal(tc.key.len, 0);
	assert_null(tc.key.data);
	assert_string_equal(tc.ca.data, ca_pem);

	/* Failure leaves *ret alone. */
	tc = keep;
	check_err(talos(y, "prod", &tc), -EINVAL, "not found");
	snprintf(want, sizeof(want), "talosconfig: %s: context 'prod' not "
	    "found (contexts: lab, home)", cur);
	assert_string_equal(err, want);
	assert_null(tc.path);

	/* The file's own context names a missing one: its line is given. */
	check_err(talos(nd_arena_printf(arena, "context: gone\ncontexts:\n"
	    "  lab:\n    endpoints: [a]\n"), NULL, &tc), -EINVAL, "");
	snprintf(want, sizeof(want), "talosconfig: %s:1: context 'gone' not "
	    "found (contexts: lab)", cur);
	assert_string_equal(err, want);

	check_err(talos("contexts:\n  a:\n    endpoints: [x]\n  b:\n"
	    "    endpoints: [y]\n", NULL, &tc), -EINVAL,
	    "no context selected: 'context' is not set (contexts: a, b)");
	assert_int_equal(talos("contexts:\n  a:\n    endpoints: [x]\n", "a",
	    &tc), 0);

	check_err(talos("context: a\n", NULL, &tc), -EINVAL,
	    "no contexts defined");
	check_err(talos("context: a\ncontexts: [a]\n", NULL, &tc), -EINVAL,
	    ":2: contexts: must be a mapping, got a list");
	check_err(talos("context: a\ncontexts:\n  a:\n    endpoints: [x]\n"
	    "  a:\n    endpoints: [y]\n", NULL, &tc), -EINVAL,
	    ":5: contexts.a: given twice (first on line 3)");
	check_err(talos("context: a\ncontexts:\n  a:\n", NULL, &tc), -EINVAL,
	    ":3: contexts.a: must be a mapping, got an empty value");
}

static void
test_talos_context_limits(void **state)
{
	struct nd_talos_creds tc;
	char *y;
	int i;

	(void)state;
	y = nd_arena_printf(arena, "contexts:\n");
	for (i = 0; i < 10; i++)
		y = nd_arena_printf(arena, "%s  c%d:\n    endpoints: [x]\n", y,
		    i);
	check_err(talos(y, "x", &tc), -EINVAL, "context 'x' not found "
	    "(contexts: c0, c1, c2, c3, c4, c5, c6, c7, ... (10 in all))");

	y = nd_arena_printf(arena, "contexts:\n");
	for (i = 0; i < 65; i++)
		y = nd_arena_printf(arena, "%s  c%d: {endpoints: [x]}\n", y, i);
	check_err(talos(y, "c1", &tc), -EINVAL, ":1: more than 64 contexts");
}

static void
test_talos_endpoints(void **state)
{
	struct nd_talos_creds tc;

	(void)state;
	/* The deprecated single `target` still counts as an endpoint. */
	assert_int_equal(talos("context: a\ncontexts:\n  a:\n"
	    "    target: 192.0.2.7\n", NULL, &tc), 0);
	assert_string_equal(tc.endpoints[0], "192.0.2.7");
	assert_null(tc.endpoints[1]);
	check_err(talos("context: a\ncontexts:\n  a:\n    nodes: [x]\n", NULL,
	    &tc), -EINVAL, ":3: contexts.a.endpoints: no endpoints");
	check_err(talos("context: a\ncontexts:\n  a:\n    endpoints: x\n",
	    NULL, &tc), -EINVAL, ":4: contexts.a.endpoints: must be a list "
	    "of strings, got a string");
	check_err(talos("context: a\ncontexts:\n  a:\n    endpoints:\n"
	    "      - x\n      - [y]\n", NULL, &tc), -EINVAL,
	    ":6: contexts.a.endpoints[1]: must be a non-empty string, got a "
	    "list");
}

static void
test_talos_bad_base64(void **state)
{
	struct nd_talos_creds tc;
	char *bad;

	(void)state;
	/* A character outside the alphabet, in the middle. */
	bad = nd_arena_strdup(arena, b64_ca);
	bad[100] = '*';
	add_secret(bad);
	check_err(talos(talos_yaml(bad, b64_ed_crt, b64_ed_key_talos), NULL,
	    &tc), -EINVAL, ":8: contexts.lab.ca: invalid base64: character "
	    "101 is not in the base64 alphabet");
	nsecrets--;

	/* Truncated: the length is no longer a multiple of 4. */
	bad = nd_arena_strndup(arena, b64_ed_crt, strlen(b64_ed_crt) - 1);
	check_err(talos(talos_yaml(b64_ca, bad, b64_ed_key_talos), NULL,
	    &tc), -EINVAL, ":9: contexts.lab.crt: invalid base64: length ");

	/* Data after the padding, and too much padding. */
	check_err(talos(talos_yaml(b64_ca, b64_ed_crt, "QQ=A"), NULL, &tc),
	    -EINVAL, ":10: contexts.lab.key: invalid base64: data after '=' "
	    "padding at character 4");
	check_err(talos(talos_yaml(b64_ca, b64_ed_crt, "Q==="), NULL, &tc),
	    -EINVAL, ":10: contexts.lab.key: invalid base64: bad '=' padding");
	/* Not a string at all. */
	check_err(talos(talos_yaml("[a, b]", b64_ed_crt, b64_ed_key_talos),
	    NULL, &tc), -EINVAL, ":8: contexts.lab.ca: must be a string, got "
	    "a list");
}

static void
test_talos_not_pem(void **state)
{
	struct nd_talos_creds tc;
	char *garbled;

	(void)state;
	/* "hello, world\n" and three raw DER-ish bytes with a NUL. */
	check_err(talos(talos_yaml("aGVsbG8sIHdvcmxkCg==", b64_ed_crt,
	    b64_ed_key_talos), NULL, &tc), -EINVAL,
	    ":8: contexts.lab.ca: not PEM (no '-----BEGIN' line)");
	check_err(talos(talos_yaml(b64_ca, "MIIA", b64_ed_key_talos), NULL,
	    &tc), -EINVAL, ":9: contexts.lab.crt: not PEM");

	/* PEM, but of the wrong kind. */
	check_err(talos(talos_yaml(b64_ec_key, b64_ed_crt, b64_ed_key_talos),
	    NULL, &tc), -EINVAL, ":8: contexts.lab.ca: no PEM CERTIFICATE "
	    "block");
	check_err(talos(talos_yaml(b64_ca, b64_ed_crt, b64_ed_crt), NULL,
	    &tc), -EINVAL, ":10: contexts.lab.key: no PEM private key block");

	/* A CERTIFICATE block whose DER is not a certificate. */
	garbled = b64("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n"
	    "-----END CERTIFICATE-----\n");
	check_err(talos(talos_yaml(garbled, b64_ed_crt, b64_ed_key_talos),
	    NULL, &tc), -EINVAL, ":8: contexts.lab.ca: invalid certificate (");
	free(garbled);

	/* Encrypted keys are refused, not prompted for. */
	check_err(talos(talos_yaml(b64_ca, b64_ec_crt, b64_enc_key), NULL,
	    &tc), -EINVAL, ":10: contexts.lab.key: encrypted private keys are "
	    "not supported");
}

static void
test_talos_pairs(void **state)
{
	struct nd_talos_creds tc;

	(void)state;
	check_err(talos(talos_yaml(b64_ca, b64_ed_crt, "\"\""), NULL, &tc),
	    -EINVAL, ":9: contexts.lab: 'crt' is set but 'key' is not (give "
	    "both or neither)");
	check_err(talos(talos_yaml(b64_ca, "~", b64_ed_key_talos), NULL, &tc),
	    -EINVAL, ":10: contexts.lab: 'key' is set but 'crt' is not");
	check_err(talos(talos_yaml(b64_ca, b64_ed_crt, b64_ec_key), NULL,
	    &tc), -EINVAL, ":10: contexts.lab: 'crt' and 'key' do not match");
	/* An EC pair (older Talos, or hand-made) needs no relabelling. */
	assert_int_equal(talos(talos_yaml(b64_ca, b64_ec_crt, b64_ec_key),
	    NULL, &tc), 0);
	assert_string_equal(tc.key.data, ec_key_pem);
	/* No ca is allowed: the probe decides what that means. */
	assert_int_equal(talos(talos_yaml("''", b64_ec_crt, b64_ec_key), NULL,
	    &tc), 0);
	assert_int_equal(tc.ca.len, 0);
}

static void
test_talos_yaml_errors(void **state)
{
	struct nd_talos_creds tc;
	char *big;
	size_t n = 1024 * 1024 + 1;

	(void)state;
	check_err(talos("context: lab\ncontexts:\n  lab:\n"
	    "    endpoints: [a, b\n    ca: x\n", NULL, &tc), -EINVAL,
	    "YAML syntax error");
	assert_non_null(strstr(err, ":5: column"));

	check_err(talos("base: &b\n  endpoints: [x]\ncontext: lab\n"
	    "contexts:\n  lab: *b\n", NULL, &tc), -EINVAL,
	    ":1: anchors and aliases are not supported");
	check_err(talos("context: lab\ncontexts:\n  lab: *b\n", NULL, &tc),
	    -EINVAL, ":3: anchors and aliases are not supported");
	check_err(talos("- a\n", NULL, &tc), -EINVAL, ":1: the top level must "
	    "be a mapping, got a list");
	check_err(talos("", NULL, &tc), -EINVAL, ": empty file");
	check_err(talos("context: a\ncontext: b\n", NULL, &tc), -EINVAL,
	    ":2: context: given twice (first on line 1)");

	assert_non_null(big = malloc(n));
	memset(big, '#', n);
	cur = tmp_file_len(big, n);
	free(big);
	check_err(nd_talos_creds_load(arena, cur, NULL, &tc, err,
	    sizeof(err)), -EFBIG, ": file is larger than 1 MiB");

	cur = "/nonexistent/talosconfig";
	check_err(nd_talos_creds_load(arena, cur, NULL, &tc, err,
	    sizeof(err)), -ENOENT, "talosconfig: /nonexistent/talosconfig: "
	    "cannot read: No such file or directory");
}

static void
test_talos_blob_limit(void **state)
{
	struct nd_talos_creds tc;
	char *pem, *blob;
	size_t n = 70 * 1024;

	(void)state;
	assert_non_null(pem = malloc(n + 1));
	memset(pem, 'A', n);
	memcpy(pem, "-----BEGIN CERTIFICATE-----\n", 28);
	pem[n] = '\0';
	blob = b64(pem);
	free(pem);
	check_err(talos(talos_yaml(blob, b64_ed_crt, b64_ed_key_talos), NULL,
	    &tc), -EINVAL, ":8: contexts.lab.ca: decodes to 71680 bytes, more "
	    "than the 64 KiB allowed");
	free(blob);
}

/* ---- kubeconfig ---- */

/*
 * The kubeconfig under test: cluster and user bodies are given by the
 * caller, indented by 4.
 */
static const char *
kube_yaml(const char *dir, const char *cluster, const char *user,
    const char *extra)
{
	const char *y;

	y = nd_arena_printf(arena,
	    "apiVersion: v1\n"				/* 1 */
	    "kind: Config\n"				/* 2 */
	    "preferences: {}\n"				/* 3 */
	    "%s"
	    "clusters:\n"
	    "- name: lab\n"
	    "  cluster:\n"
	    "%s"
	    "    extensions: []\n"
	    "users:\n"
	    "- name: admin\n"
	    "  user:\n"
	    "%s"
	    "contexts:\n"
	    "- name: admin@lab\n"
	    "  context:\n"
	    "    cluster: lab\n"
	    "    user: admin\n"
	    "    namespace: default\n"
	    "- name: ghost\n"
	    "  context: {cluster: lab, user: ghost}\n"
	    "- name: nowhere\n"
	    "  context: {cluster: nowhere, user: admin}\n",
	    extra, cluster, user);
	if (dir == NULL)
		return tmp_file(y);
	return put_file(dir, "config", y);
}

static const char *
cluster_data(void)
{
	return nd_arena_printf(arena,
	    "    server: https://127.0.0.1:6443\n"
	    "    certificate-authority-data: %s\n"
	    "    tls-server-name: kubernetes\n", b64_ca);
}

static const char *
user_data(void)
{
	return nd_arena_printf(arena,
	    "    client-certificate-data: %s\n"
	    "    client-key-data: %s\n", b64_ec_crt, b64_ec_key);
}

static void
test_kube_data(void **state)
{
	struct nd_kube_creds kc;
	EVP_PKEY *k;

	(void)state;
	assert_int_equal(kube(kube_yaml(NULL, cluster_data(), user_data(),
	    "current-context: admin@lab\n"), NULL, &kc), 0);
	assert_string_equal(kc.path, cur);
	assert_string_equal(kc.context, "admin@lab");
	assert_string_equal(kc.server, "https://127.0.0.1:6443");
	assert_false(kc.insecure);
	assert_string_equal(kc.ca.data, ca_pem);
	assert_int_equal(kc.ca.len, strlen(ca_pem));
	assert_string_equal(kc.crt.data, ec_crt_pem);
	assert_string_equal(kc.key.data, ec_key_pem);
	assert_null(kc.token);
	assert_non_null(k = pem_to_key(kc.key.data));
	assert_int_equal(EVP_PKEY_eq(k, ec_key), 1);
	EVP_PKEY_free(k);

	/* An explicit context beats current-context. */
	check_err(kube(kube_yaml(NULL, cluster_data(), user_data(),
	    "current-context: admin@lab\n"), "ghost", &kc), -EINVAL,
	    "contexts.ghost: user 'ghost' not found (users: admin)");
}

static void
test_kube_paths(void **state)
{
	struct nd_kube_creds kc;
	const char *dir, *keyp, *cl, *us;
	char sub[256];

	(void)state;
	dir = tmp_dir();
	snprintf(sub, sizeof(sub), "%s/pki", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	add_tmp(sub, true);
	put_file(dir, "ca.crt", ca_pem);
	put_file(dir, "pki/client.crt", ec_crt_pem);
	keyp = put_file(dir, "client.key", ec_key_pem);

	/* Relative to the kubeconfig's directory, not to the cwd. */
	cl = "    server: https://192.0.2.1:6443\n"
	    "    certificate-authority: ca.crt\n";
	us = nd_arena_printf(arena, "    client-certificate: pki/client.crt\n"
	    "    client-key: %s\n", keyp);
	assert_int_equal(kube(kube_yaml(dir, cl, us,
	    "current-context: admin@lab\n"), NULL, &kc), 0);
	assert_string_equal(kc.ca.data, ca_pem);
	assert_string_equal(kc.crt.data, ec_crt_pem);
	assert_string_equal(kc.key.data, ec_key_pem);
	assert_string_equal(kc.server, "https://192.0.2.1:6443");

	/* Inline data wins over a file, as in client-go. */
	cl = nd_arena_printf(arena, "    server: https://192.0.2.1:6443\n"
	    "    certificate-authority: missing.crt\n"
	    "    certificate-authority-data: %s\n", b64_ca);
	unlink(tmps[--ntmps].path);	/* the old config */
	assert_int_equal(kube(kube_yaml(dir, cl, us,
	    "current-context: admin@lab\n"), NULL, &kc), 0);
	assert_string_equal(kc.ca.data, ca_pem);

	cl = "    server: https://192.0.2.1:6443\n"
	    "    certificate-authority: missing.crt\n";
	unlink(tmps[--ntmps].path);
	check_err(kube(kube_yaml(dir, cl, us, "current-context: admin@lab\n"),
	    NULL, &kc), -ENOENT, ":9: clusters.lab.certificate-authority: "
	    "cannot read '");
	assert_non_null(strstr(err, nd_arena_printf(arena, "%s/missing.crt': "
	    "No such file or directory", dir)));

	/* A file that is not a certificate. */
	cl = "    server: https://192.0.2.1:6443\n"
	    "    certificate-authority: client.key\n";
	unlink(tmps[--ntmps].path);
	check_err(kube(kube_yaml(dir, cl, us, "current-context: admin@lab\n"),
	    NULL, &kc), -EINVAL, nd_arena_printf(arena, ":9: clusters.lab."
	    "certificate-authority ('%s/client.key'): no PEM CERTIFICATE "
	    "block", dir));
}

static void
test_kube_token(void **state)
{
	struct nd_kube_creds kc;
	const char *dir, *us;

	(void)state;
	us = nd_arena_printf(arena, "    token: %s\n", token_inline);
	assert_int_equal(kube(kube_yaml(NULL, "    server: https://h:6443\n"
	    "    insecure-skip-tls-verify: true\n", us,
	    "current-context: admin@lab\n"), NULL, &kc), 0);
	assert_true(kc.insecure);
	assert_int_equal(kc.ca.len, 0);
	assert_int_equal(kc.crt.len, 0);
	assert_string_equal(kc.token, token_inline);

	/* Header injection is refused, without echoing the token. */
	us = nd_arena_printf(arena, "    token: \"%s\\r\\nX: y\"\n",
	    token_inline);
	check_err(kube(kube_yaml(NULL, cluster_data(), us,
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    "users.admin.token: contains control characters");

	/* tokenFile, relative, with its trailing newline stripped. */
	dir = tmp_dir();
	put_file(dir, "token", nd_arena_printf(arena, "%s\n", token_file));
	assert_int_equal(kube(kube_yaml(dir, cluster_data(),
	    "    tokenFile: token\n", "current-context: admin@lab\n"), NULL,
	    &kc), 0);
	assert_string_equal(kc.token, token_file);
	assert_string_equal(kc.ca.data, ca_pem);

	unlink(tmps[--ntmps].path);
	put_file(dir, "empty", "\n");
	check_err(kube(kube_yaml(dir, cluster_data(), "    tokenFile: empty\n",
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    "users.admin.tokenFile: '");
	assert_non_null(strstr(err, "/empty' is empty"));
}

static void
test_kube_exec(void **state)
{
	struct nd_kube_creds kc;
	char want[512];

	(void)state;
	check_err(kube(kube_yaml(NULL, cluster_data(),
	    "    exec:\n"
	    "      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: aws\n", "current-context: admin@lab\n"), NULL,
	    &kc), -EINVAL, "");
	snprintf(want, sizeof(want), "kubeconfig: %s:15: users.admin: exec "
	    "credential plugins are not supported; use a client certificate "
	    "or token", cur);
	assert_string_equal(err, want);
	check_err(kube(kube_yaml(NULL, cluster_data(),
	    "    auth-provider: {name: oidc}\n",
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    "auth-provider plugins are not supported");
}

static void
test_kube_missing(void **state)
{
	struct nd_kube_creds kc;
	char want[512];

	(void)state;
	check_err(kube(kube_yaml(NULL, cluster_data(), user_data(),
	    "current-context: ghost\n"), NULL, &kc), -EINVAL, "");
	snprintf(want, sizeof(want), "kubeconfig: %s:24: contexts.ghost: "
	    "user 'ghost' not found (users: admin)", cur);
	assert_string_equal(err, want);
	check_err(kube(kube_yaml(NULL, cluster_data(), user_data(),
	    "current-context: nowhere\n"), NULL, &kc), -EINVAL,
	    ":26: contexts.nowhere: cluster 'nowhere' not found (clusters: "
	    "lab)");

	/* current-context unset, or naming nothing. */
	check_err(kube(kube_yaml(NULL, cluster_data(), user_data(), ""), NULL,
	    &kc), -EINVAL, "no context selected: 'current-context' is not set "
	    "(contexts: admin@lab, ghost, nowhere)");
	check_err(kube(kube_yaml(NULL, cluster_data(), user_data(),
	    "current-context: prod\n"), NULL, &kc), -EINVAL, ":4: context "
	    "'prod' not found (contexts: admin@lab, ghost, nowhere)");
	assert_int_equal(kube(kube_yaml(NULL, cluster_data(), user_data(), ""),
	    "admin@lab", &kc), 0);
	assert_string_equal(kc.context, "admin@lab");

	check_err(kube(kube_yaml(NULL, "    insecure-skip-tls-verify: true\n",
	    user_data(), "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    "clusters.lab: no 'server' set");
}

static void
test_kube_bad(void **state)
{
	struct nd_kube_creds kc;
	const char *cl, *us;

	(void)state;
	cl = "    server: https://h:6443\n"
	    "    certificate-authority-data: not*base64\n";
	check_err(kube(kube_yaml(NULL, cl, user_data(),
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    ":9: clusters.lab.certificate-authority-data: invalid base64: "
	    "character 4 is not in the base64 alphabet");

	us = nd_arena_printf(arena, "    client-key-data: %s\n", b64_ec_key);
	check_err(kube(kube_yaml(NULL, cluster_data(), us,
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    ":15: users.admin: 'client-key' is set but "
	    "'client-certificate' is not");
	us = nd_arena_printf(arena, "    client-certificate-data: %s\n"
	    "    client-key-data: %s\n", b64_ed_crt, b64_ec_key);
	check_err(kube(kube_yaml(NULL, cluster_data(), us,
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    ":16: users.admin: 'client-certificate' and 'client-key' do not "
	    "match");
	us = nd_arena_printf(arena, "    client-certificate-data: %s\n"
	    "    client-key-data: %s\n", b64_ec_key, b64_ec_key);
	check_err(kube(kube_yaml(NULL, cluster_data(), us,
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    "users.admin.client-certificate-data: no PEM CERTIFICATE block");

	check_err(kube(kube_yaml(NULL, nd_arena_printf(arena, "%s"
	    "    insecure-skip-tls-verify: yes\n", cluster_data()), user_data(),
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    "insecure-skip-tls-verify cannot be combined with a certificate "
	    "authority");
	check_err(kube(kube_yaml(NULL, "    server: https://h:6443\n"
	    "    insecure-skip-tls-verify: maybe\n", user_data(),
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    ":9: clusters.lab.insecure-skip-tls-verify: must be true or "
	    "false");

	/* A repeated key is refused on its line, not resolved silently. */
	check_err(kube(kube_yaml(NULL, nd_arena_printf(arena, "%s"
	    "    server: https://h:6443\n", cluster_data()), user_data(),
	    "current-context: admin@lab\n"), NULL, &kc), -EINVAL,
	    ":11: clusters.lab.server: given twice (first on line 8)");

	cur = tmp_file("apiVersion: v2\nkind: Config\n");
	check_err(nd_kube_creds_load(arena, cur, NULL, &kc, err, sizeof(err)),
	    -EINVAL, ":1: apiVersion: expected 'v1'");
	cur = tmp_file("clusters: {a: b}\ncurrent-context: x\n");
	check_err(nd_kube_creds_load(arena, cur, NULL, &kc, err, sizeof(err)),
	    -EINVAL, "not found (contexts: none)");
}

/* ---- default locations ---- */

static void
test_defaults(void **state)
{
	const char *home, *f;
	char p[512];

	(void)state;
	home = tmp_dir();
	assert_int_equal(setenv("HOME", home, 1), 0);
	unsetenv("TALOSCONFIG");
	unsetenv("TALOS_HOME");
	unsetenv("KUBECONFIG");
	/* The in-cluster path might exist on a Talos host; not here. */
	if (access("/var/run/secrets/talos.dev/config", F_OK) != 0)
		assert_null(nd_talosconfig_default(arena));
	assert_null(nd_kubeconfig_default(arena));

	snprintf(p, sizeof(p), "%s/.talos", home);
	assert_int_equal(mkdir(p, 0700), 0);
	add_tmp(p, true);
	f = put_file(home, ".talos/config", "context: a\n");
	assert_string_equal(nd_talosconfig_default(arena), f);

	/* $TALOS_HOME only counts when absolute. */
	assert_int_equal(setenv("TALOS_HOME", "relative", 1), 0);
	assert_string_equal(nd_talosconfig_default(arena), f);
	assert_int_equal(setenv("TALOS_HOME", home, 1), 0);
	f = put_file(home, "config", "context: b\n");
	assert_string_equal(nd_talosconfig_default(arena), f);

	/* $TALOSCONFIG first, but only when it exists. */
	assert_int_equal(setenv("TALOSCONFIG", "/nonexistent/x", 1), 0);
	assert_string_equal(nd_talosconfig_default(arena), f);
	f = tmp_file("context: c\n");
	assert_int_equal(setenv("TALOSCONFIG", f, 1), 0);
	assert_string_equal(nd_talosconfig_default(arena), f);

	snprintf(p, sizeof(p), "%s/.kube", home);
	assert_int_equal(mkdir(p, 0700), 0);
	add_tmp(p, true);
	f = put_file(home, ".kube/config", "kind: Config\n");
	assert_string_equal(nd_kubeconfig_default(arena), f);
	snprintf(p, sizeof(p), "::/nonexistent/a:%s:%s", cur = tmp_file("x"),
	    f);
	assert_int_equal(setenv("KUBECONFIG", p, 1), 0);
	assert_string_equal(nd_kubeconfig_default(arena), cur);
	/* A set $KUBECONFIG does not fall back, as with kubectl. */
	assert_int_equal(setenv("KUBECONFIG", "/nonexistent/a", 1), 0);
	assert_null(nd_kubeconfig_default(arena));
	assert_int_equal(setenv("KUBECONFIG", "", 1), 0);
	assert_string_equal(nd_kubeconfig_default(arena), f);

	unsetenv("TALOSCONFIG");
	unsetenv("TALOS_HOME");
	unsetenv("KUBECONFIG");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_leak_check_works, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_good, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_wrapped_base64,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_talos_context_select,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_talos_context_limits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_talos_endpoints, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_bad_base64, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_not_pem, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_pairs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_yaml_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_talos_blob_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kube_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kube_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kube_token, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kube_exec, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kube_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kube_bad, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
