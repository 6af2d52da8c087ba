/*
 * creds.h - credentials for the API probes, read from a talosconfig
 * (Talos pkg/machinery/client/config) and a kubeconfig.  Key material
 * stays in memory, in the arena, and is handed to libcurl/OpenSSL as
 * blobs; it never appears in a report, an error message or a log.
 */
#ifndef ND_CREDS_H
#define ND_CREDS_H

#include <stdbool.h>
#include <stddef.h>

#include "pem.h"	/* struct nd_pem */

struct nd_arena;

struct nd_talos_creds {
	char		*path;		/* the file it came from */
	char		*context;	/* the context used */
	char		**endpoints;	/* NULL-terminated, as written */
	char		**nodes;	/* NULL-terminated, may be empty */
	struct nd_pem	 ca;		/* PEM CERTIFICATE(s); len 0 if absent */
	struct nd_pem	 crt;		/* PEM CERTIFICATE; len 0 if absent */
	struct nd_pem	 key;		/* PEM, header normalised to
					   "PRIVATE KEY" (PKCS#8) when Talos
					   wrote "ED25519 PRIVATE KEY" */
};

struct nd_kube_creds {
	char		*path;
	char		*context;	/* the context used */
	char		*server;	/* "https://127.0.0.1:6443" */
	bool		 insecure;	/* insecure-skip-tls-verify */
	struct nd_pem	 ca;		/* certificate-authority-data, or the
					   file named by certificate-authority */
	struct nd_pem	 crt;		/* client-certificate(-data) */
	struct nd_pem	 key;		/* client-key(-data) */
	char		*token;		/* bearer token, NULL if none */
};

/*
 * Loads a talosconfig.  context NULL means the file's `context:`.  Returns
 * 0, or a negative errno with one line in err naming the file, and the
 * line and key where it applies, e.g.
 *   "talosconfig: ~/.talos/config:7: contexts.lab.ca: invalid base64"
 *   "talosconfig: x.yaml: context 'prod' not found (contexts: lab, home)"
 * The line never contains key material.  *ret is written only on success.
 */
int	nd_talos_creds_load(struct nd_arena *, const char *path,
	    const char *context, struct nd_talos_creds *ret, char *err,
	    size_t errlen);

/* Same for a kubeconfig; context NULL means current-context. */
int	nd_kube_creds_load(struct nd_arena *, const char *path,
	    const char *context, struct nd_kube_creds *ret, char *err,
	    size_t errlen);

/*
 * Where to look when the command line and netdoctor.yaml name no file
 * (talosctl's lookup order, Talos pkg/machinery/client/config/path.go;
 * kubectl's for kubeconfig: the first entry of $KUBECONFIG, else
 * ~/.kube/config).  Returns an arena string naming an existing file, or
 * NULL when there is none.
 */
const char *nd_talosconfig_default(struct nd_arena *);
const char *nd_kubeconfig_default(struct nd_arena *);


/* What one run has loaded; either may be NULL. */
struct nd_creds_set {
	const struct nd_talos_creds	*talos;
	const struct nd_kube_creds	*kube;
};

#endif /* ND_CREDS_H */
