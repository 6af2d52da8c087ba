/*
 * sslload.c - OpenSSL, loaded when the plan first needs it.
 *
 * Mapping libssl and libcrypto costs every process: the dynamic loader
 * reads their symbol tables and relocates 370 KB of libcrypto's data when
 * the process starts, 1.7 MiB of resident memory and some 4 million
 * instructions before anything is sent (a check of one TCP port took
 * 0.68 million without them), for the runs that never open a TLS connection
 * (tcp://, dns://, a Nagios check of a port, 10,000 targets of either).
 * So netdoctor does not link OpenSSL.  As with libcurl and libpcap
 * (curlload.c, pcapload.c, docs/performance.md), this file defines the
 * OpenSSL functions netdoctor calls, with OpenSSL's own prototypes (the
 * compiler checks each definition against the headers); the first call
 * dlopen()s libssl, whose dependencies bring libcrypto, and each
 * definition forwards to the real function.
 *
 * Only a few calls start anything (a TLS context, a PEM buffer); the rest
 * take an object those returned, so the library is loaded by then.  When
 * it cannot be loaded, every function returns its failure value and
 * nd_ssl_load() says so, which the callers that start something ask first.
 *
 * A new OpenSSL function is one row of ND_SSL_FUNCS: the link fails
 * without it (there is no -lssl), which is the reminder.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sslload.h"

/*
 * Loaded RTLD_LOCAL, so OpenSSL's calls into itself do not land on the
 * executable's definitions below, and RTLD_LAZY, so its functions bind on
 * first call as they did when it was linked.
 */
#define ND_SSL_SONAME	"libssl.so.3"

/*
 * F(return type, name, (parameters), (arguments), value when OpenSSL could
 * not be loaded); V(name, (parameters), (arguments)) for void functions.
 */
#define ND_SSL_FUNCS(F, V)						\
	F(const unsigned char *, ASN1_STRING_get0_data,			\
	    (const ASN1_STRING *x), (x), NULL)				\
	F(int, ASN1_STRING_length, (const ASN1_STRING *x), (x), 0)	\
	F(int, ASN1_TIME_to_tm, (const ASN1_TIME *s, struct tm *tm),	\
	    (s, tm), 0)							\
	F(int, BIO_free, (BIO *a), (a), 0)				\
	F(BIO *, BIO_new, (const BIO_METHOD *type), (type), NULL)	\
	F(BIO *, BIO_new_mem_buf, (const void *buf, int len), (buf, len), \
	    NULL)							\
	F(int, BIO_read, (BIO *b, void *data, int dlen), (b, data, dlen), \
	    -1)								\
	F(const BIO_METHOD *, BIO_s_mem, (void), (), NULL)		\
	V(ERR_clear_error, (void), ())					\
	F(unsigned long, ERR_peek_last_error, (void), (), 0)		\
	F(const char *, ERR_reason_error_string, (unsigned long e), (e), \
	    NULL)							\
	V(EVP_PKEY_free, (EVP_PKEY *pkey), (pkey))			\
	F(int, EVP_PKEY_get_base_id, (const EVP_PKEY *pkey), (pkey), 0)	\
	F(int, EVP_PKEY_get_bits, (const EVP_PKEY *pkey), (pkey), 0)	\
	F(int, EVP_PKEY_get_utf8_string_param, (const EVP_PKEY *pkey,	\
	    const char *key_name, char *str, size_t max_buf_sz,		\
	    size_t *out_sz), (pkey, key_name, str, max_buf_sz, out_sz), 0) \
	F(const EVP_MD *, EVP_sha256, (void), (), NULL)			\
	V(GENERAL_NAMES_free, (GENERAL_NAMES *a), (a))			\
	F(const char *, OBJ_nid2sn, (int n), (n), NULL)			\
	F(int, OPENSSL_sk_num, (const OPENSSL_STACK *st), (st), -1)	\
	F(void *, OPENSSL_sk_value, (const OPENSSL_STACK *st, int i),	\
	    (st, i), NULL)						\
	F(EVP_PKEY *, PEM_read_bio_PrivateKey, (BIO *out, EVP_PKEY **x,	\
	    pem_password_cb *cb, void *u), (out, x, cb, u), NULL)	\
	F(X509 *, PEM_read_bio_X509, (BIO *out, X509 **x,		\
	    pem_password_cb *cb, void *u), (out, x, cb, u), NULL)	\
	F(const char *, SSL_CIPHER_get_name, (const SSL_CIPHER *c), (c), \
	    NULL)							\
	F(long, SSL_CTX_ctrl, (SSL_CTX *ctx, int cmd, long larg,	\
	    void *parg), (ctx, cmd, larg, parg), 0)			\
	V(SSL_CTX_free, (SSL_CTX *ctx), (ctx))				\
	F(X509_STORE *, SSL_CTX_get_cert_store, (const SSL_CTX *ctx),	\
	    (ctx), NULL)						\
	F(int, SSL_CTX_load_verify_locations, (SSL_CTX *ctx,		\
	    const char *CAfile, const char *CApath), (ctx, CAfile, CApath), \
	    0)								\
	F(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth), (meth), NULL) \
	F(int, SSL_CTX_set_alpn_protos, (SSL_CTX *ctx,			\
	    const unsigned char *protos, unsigned int protos_len),	\
	    (ctx, protos, protos_len), 1)				\
	F(int, SSL_CTX_set_default_verify_paths, (SSL_CTX *ctx), (ctx), 0) \
	V(SSL_CTX_set_msg_callback, (SSL_CTX *ctx, void (*cb)(int write_p, \
	    int version, int content_type, const void *buf, size_t len,	\
	    SSL *ssl, void *arg)), (ctx, cb))				\
	V(SSL_CTX_set_verify, (SSL_CTX *ctx, int mode,			\
	    SSL_verify_cb callback), (ctx, mode, callback))		\
	F(int, SSL_CTX_up_ref, (SSL_CTX *ctx), (ctx), 0)		\
	F(int, SSL_connect, (SSL *ssl), (ssl), -1)			\
	F(long, SSL_ctrl, (SSL *ssl, int cmd, long larg, void *parg),	\
	    (ssl, cmd, larg, parg), 0)					\
	V(SSL_free, (SSL *ssl), (ssl))					\
	V(SSL_get0_alpn_selected, (const SSL *ssl,			\
	    const unsigned char **data, unsigned int *len), (ssl, data, len)) \
	F(X509 *, SSL_get1_peer_certificate, (const SSL *s), (s), NULL)	\
	F(STACK_OF(X509_NAME) *, SSL_get_client_CA_list, (const SSL *s), \
	    (s), NULL)							\
	F(const SSL_CIPHER *, SSL_get_current_cipher, (const SSL *s), (s), \
	    NULL)							\
	F(int, SSL_get_error, (const SSL *s, int ret_code), (s, ret_code), \
	    SSL_ERROR_SSL)						\
	F(STACK_OF(X509) *, SSL_get_peer_cert_chain, (const SSL *s), (s), \
	    NULL)							\
	F(OSSL_HANDSHAKE_STATE, SSL_get_state, (const SSL *ssl), (ssl),	\
	    TLS_ST_BEFORE)						\
	F(long, SSL_get_verify_result, (const SSL *ssl), (ssl),		\
	    X509_V_ERR_UNSPECIFIED)					\
	F(const char *, SSL_get_version, (const SSL *s), (s), "unknown") \
	F(SSL *, SSL_new, (SSL_CTX *ctx), (ctx), NULL)			\
	F(int, SSL_read, (SSL *ssl, void *buf, int num), (ssl, buf, num), \
	    -1)								\
	F(int, SSL_set_fd, (SSL *s, int fd), (s, fd), 0)		\
	F(const SSL_METHOD *, TLS_client_method, (void), (), NULL)	\
	F(int, X509_NAME_entry_count, (const X509_NAME *name), (name), 0) \
	F(int, X509_NAME_get_text_by_NID, (const X509_NAME *name, int nid, \
	    char *buf, int len), (name, nid, buf, len), -1)		\
	F(int, X509_NAME_print_ex, (BIO *out, const X509_NAME *nm,	\
	    int indent, unsigned long flags), (out, nm, indent, flags), -1) \
	F(int, X509_STORE_add_cert, (X509_STORE *ctx, X509 *x), (ctx, x), \
	    0)								\
	F(int, X509_check_host, (X509 *x, const char *chk, size_t chklen, \
	    unsigned int flags, char **peername),			\
	    (x, chk, chklen, flags, peername), -2)			\
	F(int, X509_check_ip_asc, (X509 *x, const char *ipasc,		\
	    unsigned int flags), (x, ipasc, flags), -2)			\
	F(int, X509_check_private_key, (const X509 *x509,		\
	    const EVP_PKEY *pkey), (x509, pkey), 0)			\
	F(int, X509_cmp_current_time, (const ASN1_TIME *s), (s), 0)	\
	F(int, X509_digest, (const X509 *data, const EVP_MD *type,	\
	    unsigned char *md, unsigned int *len), (data, type, md, len), 0) \
	V(X509_free, (X509 *a), (a))					\
	F(const ASN1_TIME *, X509_get0_notAfter, (const X509 *x), (x), NULL) \
	F(const ASN1_TIME *, X509_get0_notBefore, (const X509 *x), (x),	\
	    NULL)							\
	F(EVP_PKEY *, X509_get0_pubkey, (const X509 *x), (x), NULL)	\
	F(void *, X509_get_ext_d2i, (const X509 *x, int nid, int *crit,	\
	    int *idx), (x, nid, crit, idx), NULL)			\
	F(X509_NAME *, X509_get_issuer_name, (const X509 *a), (a), NULL) \
	F(X509_NAME *, X509_get_subject_name, (const X509 *a), (a), NULL) \
	F(const char *, X509_verify_cert_error_string, (long n), (n),	\
	    "unknown (OpenSSL could not be loaded)")

#define ND_SSL_PTR(ret, name, params, args, none) ret (*name) params;
#define ND_SSL_VPTR(name, params, args) void (*name) params;

static struct {
	int	 state;		/* 0 not tried, 1 loaded, -1 failed */
	void	*dl;
	ND_SSL_FUNCS(ND_SSL_PTR, ND_SSL_VPTR)
} api;

#define ND_SSL_LOAD(ret, name, params, args, none) \
	if ((*(void **)(&api.name) = dlsym(api.dl, #name)) == NULL) \
		goto fail;
#define ND_SSL_VLOAD(name, params, args) ND_SSL_LOAD(void, name, , , )

int
nd_ssl_load(void)
{
	if (api.state != 0)
		return api.state > 0 ? 0 : -ELIBACC;
	api.state = -1;
	if ((api.dl = dlopen(ND_SSL_SONAME, RTLD_LAZY | RTLD_LOCAL)) == NULL)
		return -ELIBACC;
	ND_SSL_FUNCS(ND_SSL_LOAD, ND_SSL_VLOAD)
	api.state = 1;
	return 0;
fail:
	dlclose(api.dl);
	api.dl = NULL;
	return -ELIBACC;
}

#define ND_SSL_DEFINE(ret, name, params, args, none)			\
	ret name params							\
	{								\
		return api.state > 0 || nd_ssl_load() == 0 ?		\
		    api.name args : (none);				\
	}
#define ND_SSL_VDEFINE(name, params, args)				\
	void name params						\
	{								\
		if (api.state > 0 || nd_ssl_load() == 0)		\
			api.name args;					\
	}

ND_SSL_FUNCS(ND_SSL_DEFINE, ND_SSL_VDEFINE)
