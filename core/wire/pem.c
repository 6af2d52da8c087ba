/*
 * pem.c - base64, PEM and key-pair checks with OpenSSL (see pem.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "arena.h"
#include "pem.h"
#include "sslload.h"

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool
b64_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The output length is counted from the input and the padding, not taken
 * from OpenSSL's EVP_DecodeBlock, which counts padding as zero bytes.
 */
int
nd_pem_b64_decode(struct nd_arena *arena, const char *s, size_t len,
    size_t max, char **ret, size_t *ret_len, char *why, size_t whylen)
{
	size_t i, n = 0, pad = 0, outlen, o = 0, q = 0;
	uint32_t acc = 0;
	unsigned char c;
	char *out;
	int v;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (b64_space(c))
			continue;
		n++;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0) {
			snprintf(why, whylen, "invalid base64: data after "
			    "'=' padding at character %zu", i + 1);
			return -EINVAL;
		}
		if (b64_value(c) < 0) {
			snprintf(why, whylen, "invalid base64: character %zu "
			    "is not in the base64 alphabet", i + 1);
			return -EINVAL;
		}
	}
	if (n == 0) {
		*ret = NULL;
		*ret_len = 0;
		return 0;
	}
	if (n % 4 != 0) {
		snprintf(why, whylen, "invalid base64: length %zu is not a "
		    "multiple of 4 (truncated, or padding missing)", n);
		return -EINVAL;
	}
	if (pad > 2) {
		snprintf(why, whylen, "invalid base64: bad '=' padding");
		return -EINVAL;
	}
	outlen = n / 4 * 3 - pad;
	if (outlen > max) {
		snprintf(why, whylen, "decodes to %zu bytes, more than the "
		    "%zu KiB allowed", outlen, max / 1024);
		return -EFBIG;
	}
	out = nd_arena_alloc(arena, outlen + 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (b64_space(c) || c == '=')
			continue;
		v = b64_value(c);
		acc = acc << 6 | (uint32_t)v;
		if (++q == 4) {
			out[o++] = (char)(acc >> 16 & 0xff);
			out[o++] = (char)(acc >> 8 & 0xff);
			out[o++] = (char)(acc & 0xff);
			acc = 0;
			q = 0;
		}
	}
	/* The last group: 2 or 3 characters before the padding. */
	if (q == 2)
		out[o++] = (char)(acc >> 4 & 0xff);
	else if (q == 3) {
		out[o++] = (char)(acc >> 10 & 0xff);
		out[o++] = (char)(acc >> 2 & 0xff);
	}
	out[o] = '\0';
	*ret = out;
	*ret_len = o;
	return 0;
}

/*
 * Talos writes its PKCS#8 Ed25519 keys under the label "ED25519 PRIVATE
 * KEY" (siderolabs/crypto x509/x509.go), which OpenSSL does not know; the
 * DER inside is plain PKCS#8, OpenSSL's "PRIVATE KEY".  Only the labels
 * change.
 */
static char *
pem_relabel(struct nd_arena *arena, const char *buf, size_t len,
    size_t *ret_len)
{
	static const struct {
		const char	*from, *to;
	} map[] = {
		{ "-----BEGIN ED25519 PRIVATE KEY-----",
		    "-----BEGIN PRIVATE KEY-----" },
		{ "-----END ED25519 PRIVATE KEY-----",
		    "-----END PRIVATE KEY-----" },
	};
	size_t i = 0, o = 0, m, fl = 0, tl;
	char *out;

	out = nd_arena_alloc(arena, len + 1);
	while (i < len) {
		for (m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
			fl = strlen(map[m].from);
			if (len - i >= fl && memcmp(buf + i, map[m].from,
			    fl) == 0)
				break;
		}
		if (m == sizeof(map) / sizeof(map[0])) {
			out[o++] = buf[i++];
			continue;
		}
		tl = strlen(map[m].to);
		memcpy(out + o, map[m].to, tl);
		o += tl;
		i += fl;
	}
	out[o] = '\0';
	*ret_len = o;
	return out;
}

/*
 * Encrypted keys are refused rather than prompted for: the default
 * callback would read a passphrase from the terminal.
 */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* OpenSSL's reason for the last error: static text, never input. */
static const char *
ssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r != NULL ? r : "unknown error";
}

static bool
ssl_no_start_line(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}


int
nd_pem_check(struct nd_arena *arena, const char *in, size_t len,
    enum nd_pem_kind kind, struct nd_pem *ret, char *why, size_t whylen)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	X509 *x;
	size_t ncerts = 0;
	char *buf;
	int rc;

	if (memchr(in, '\0', len) != NULL ||
	    memmem(in, len, "-----BEGIN ", 11) == NULL) {
		snprintf(why, whylen, "not PEM (no '-----BEGIN' line)");
		return -EINVAL;
	}
	if (kind == ND_PEM_KEY) {
		/* OpenSSL 3 says only "unsupported" for a certificate here. */
		if (memmem(in, len, "PRIVATE KEY-----", 16) == NULL) {
			snprintf(why, whylen, "no PEM private key block");
			return -EINVAL;
		}
		buf = pem_relabel(arena, in, len, &len);
	} else
		buf = nd_arena_strndup(arena, in, len);
	if ((rc = nd_ssl_load()) < 0) {
		snprintf(why, whylen, "OpenSSL could not be loaded: %s",
		    strerror(-rc));
		goto out;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		snprintf(why, whylen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (kind == ND_PEM_CERTS) {
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) !=
		    NULL) {
			X509_free(x);
			ncerts++;
		}
		/* Running out of blocks is the normal end of the loop. */
		if (ncerts == 0 && ssl_no_start_line()) {
			snprintf(why, whylen, "no PEM CERTIFICATE block");
			rc = -EINVAL;
			goto out;
		}
		if (!ssl_no_start_line()) {
			snprintf(why, whylen, "invalid certificate (%s)",
			    ssl_reason());
			rc = -EINVAL;
			goto out;
		}
	} else {
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		if (pkey == NULL) {
			if (memmem(buf, len, "ENCRYPTED", 9) != NULL)
				snprintf(why, whylen, "encrypted private keys "
				    "are not supported");
			else if (ssl_no_start_line())
				snprintf(why, whylen, "no PEM private key "
				    "block");
			else
				snprintf(why, whylen, "invalid private key "
				    "(%s)", ssl_reason());
			rc = -EINVAL;
			goto out;
		}
	}
	ret->data = buf;
	ret->len = len;
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
nd_pem_pair_check(const struct nd_pem *crt, const struct nd_pem *key,
    char *why, size_t whylen)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	X509 *x = NULL;
	int rc;

	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(crt->data, (int)crt->len)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		goto nomem;
	BIO_free(bio);
	if ((bio = BIO_new_mem_buf(key->data, (int)key->len)) == NULL ||
	    (pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) == NULL)
		goto nomem;
	if (X509_check_private_key(x, pkey) != 1) {
		snprintf(why, whylen, "the certificate is not for this key");
		rc = -EINVAL;
	} else
		rc = 0;
	goto out;
nomem:
	/* Both parsed in nd_pem_check already: only memory can fail here. */
	snprintf(why, whylen, "out of memory");
	rc = -ENOMEM;
out:
	EVP_PKEY_free(pkey);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}
