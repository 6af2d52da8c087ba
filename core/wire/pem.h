/*
 * pem.h - the checks on client credentials, pure and bounded: standard
 * base64 as talosconfigs and kubeconfig's *-data fields hold it (RFC 4648
 * section 4), PEM certificates and private keys parsed with OpenSSL, and
 * whether a certificate belongs to a key.
 *
 * Key material is never echoed: a reason (why) gives offsets and
 * OpenSSL's static reason strings only, never input bytes, and is one
 * line without the name of the field; the caller adds file, line and key.
 * Output lives in the caller's arena.  Out-parameters are written only on
 * success.
 */
#ifndef ND_PEM_H
#define ND_PEM_H

#include <stddef.h>

struct nd_arena;

/* A PEM blob (NUL-terminated for convenience; len excludes the NUL). */
struct nd_pem {
	char	*data;
	size_t	 len;
};

/* The largest decoded blob or PEM file a credential may be. */
#define ND_PEM_BLOB_MAX		(64 * 1024)

enum nd_pem_kind {
	ND_PEM_CERTS,		/* one or more CERTIFICATE blocks */
	ND_PEM_KEY,		/* one private key */
};

/*
 * Decodes standard base64 with padding, which is what Go's
 * base64.StdEncoding writes.  Blanks and line breaks are skipped anywhere,
 * as YAML block scalars and hand-wrapped files carry them.  *ret is
 * NUL-terminated; *ret NULL and *ret_len 0 mean the text was blank.
 * Returns 0, -EINVAL (invalid base64) or -EFBIG (decodes to more than max
 * bytes), with a reason in why.
 */
int	nd_pem_b64_decode(struct nd_arena *, const char *s, size_t len,
	    size_t max, char **ret, size_t *ret_len, char *why,
	    size_t whylen);

/*
 * Checks that the len bytes at buf are PEM of the given kind: certificates
 * that parse, or one private key that parses and is not encrypted.  A key
 * labelled "ED25519 PRIVATE KEY", as Talos writes it, is relabelled to
 * PKCS#8's "PRIVATE KEY" in a copy.  *ret gets the blob to hand to
 * OpenSSL.  Returns 0, -EINVAL or -ENOMEM, with a reason in why
 * ("not PEM (no '-----BEGIN' line)", "invalid certificate (...)").
 */
int	nd_pem_check(struct nd_arena *, const char *buf, size_t len,
	    enum nd_pem_kind, struct nd_pem *ret, char *why, size_t whylen);

/*
 * Whether crt (its first certificate) is for key, both from
 * nd_pem_check().  Returns 0, -EINVAL when they do not match, or -ENOMEM,
 * with a reason in why.
 */
int	nd_pem_pair_check(const struct nd_pem *crt, const struct nd_pem *key,
	    char *why, size_t whylen);

#endif /* ND_PEM_H */
