/*
 * target.h - the target URLs of docs/contracts.md 2 and the probe chain each
 * expands into.  Parsing is pure: no resolution, no I/O.
 */
#ifndef ND_TARGET_H
#define ND_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nd_arena;

struct nd_mc;
struct nd_addrplan;
struct nd_manifests;

/* ND_S_TCP, ND_S_TLS, ...: one per row of schemes.def. */
enum nd_scheme {
#define ND_SCHEME(e, ...) ND_S_##e,
#include "schemes.def"
#undef ND_SCHEME
	ND_S__COUNT
};

/*
 * What only some schemes have, apart: a run of 10,000 tcp:// targets
 * would otherwise keep some 170 unused bytes for each.  Read it as
 * t->x->FIELD (a target without any has every field zero, shared);
 * write it through nd_target_xw(), which gives the target its own.
 */
struct nd_target_x {
	/* tls://, talos://, k8s:// */
	char		*sni;
	char		*ca;
	/* dns:// */
	char		*qname;		/* the NAME path */
	char		*qtype;		/* "A" or "AAAA"; default "A" */
	char		**expect;	/* IP literals, NULL-terminated */
	char		*upstream;	/* IP literal */
	/* arp://, arp+pcap:// */
	char		*iface;		/* arp:// */
	char		*path;		/* a file the target names:
					   arp+pcap://: the capture to replay;
					   machineconfig://: the config file;
					   docker://, tailscale://: the socket
					   (NULL: the default one);
					   unix://, http+unix:// (nd-unix=):
					   the socket to connect to */
	struct nd_addrplan *plan;	/* addrplan://: filled by main */
	struct nd_manifests *manifests;	/* gateway://: the trees --manifests
					   loaded, filled by main */
	size_t		 nmanifests;
	struct nd_mc	**mcs;		/* machineconfig://: its configs, loaded
					   by main before the run (exit 3 on
					   a bad file), NULL-terminated */
	char		**ips;		/* IPv4 literals, NULL-terminated */
	char		**others;	/* tailscale://: the other targets' IP
					   literals, NULL-terminated (inputs.c),
					   so that the probe knows which routes
					   and peers the run needs */
	char		**macs;		/* ?mac=: the expected announcers */
	int		 tries;		/* ?tries=: request rounds, 0 = default */
	int64_t		 window_ms;	/* ?window=: listening after the last
					   round, 0 = default */

	/* http://, https:// (ca above is nd-ca=) */
	char		*request;	/* the URL sent: as written, nd-
					   parameters and their '&' removed */
	char		*reqpath;	/* its path and query: "/x?a=1", or "" */
	char		*connect;	/* nd-connect=: the IP literal to connect
					   to instead of resolving host (port
					   then holds nd-connect's port, if it
					   gave one); NULL: resolve */
	char		*body;		/* nd-body=: text the body must hold */
	struct nd_status_range {
		uint16_t lo, hi;	/* inclusive */
	}		*status;	/* nd-status=; NULL: 200-399 */
	size_t		 nstatus;
};

/*
 * One target as the user wrote it.  All strings are owned by the arena the
 * target was parsed into.  Optional fields are NULL when absent.
 */
struct nd_target {
	/* (Ordered without padding: a run may keep 100,000 targets.) */
	char		*url;		/* the input, verbatim */
	char		*origin;	/* "command line", "netdoctor.yaml:3", ... */
	size_t		 index;		/* input order, for stable ranking */
	char		*host;		/* name or IP literal without brackets;
					   NULL for port:// without ADDR and arp:// */
	enum nd_scheme	 scheme;
	uint16_t	 port;		/* 0 only for arp:// (and dns:// never: 53) */
	bool		 host_is_ip;
	bool		 builtin;	/* the built-in default: nothing was
					   named and nothing discovered */

	/*
	 * Cloudflare Tunnel.  A target made from an ingress rule of
	 * --cloudflared-config is that rule's origin (cf_hostname set); a web
	 * target for a public hostname of that config gets the tunnel's name
	 * too, so fixes can say `cloudflared tunnel info NAME`.  A dns://
	 * target for such a hostname gets the rule that serves it (cf_rule,
	 * no cf_hostname: it is no origin) and the tunnel's name.
	 */
	char		*cf_hostname;	/* the rule's hostname ("*" catch-all) */
	char		*cf_rule;	/* "config.yml:12": where the rule is;
					   dns://: the rule serving qname */
	char		*cf_tunnel;	/* the config's tunnel: name or id */
	bool		 cf_noverify;	/* originRequest.noTLSVerify */
	bool		 cf_port_given;	/* cloudflared://: PORT was written */

	const struct nd_target_x *x;	/* never NULL: see nd_target_new() */
	struct nd_target_x *xown;	/* x once written, else NULL */
};

#define ND_HTTP_STATUS_MAX	16	/* ranges in one nd-status= */
#define ND_HTTP_PATH_MAX	2048	/* bytes of path a web URL may have */

/* A target with no scheme fields yet (t->x is the shared zero one). */
struct nd_target *nd_target_new(struct nd_arena *);

/* t's own scheme fields, to write; allocated at the first call. */
struct nd_target_x *nd_target_xw(struct nd_arena *, struct nd_target *);

/*
 * The IP literal a target connects to without resolving a name:
 * nd-connect's, or the host when it is one; NULL when the host is a name
 * to resolve, the target has no host, or it connects to a unix socket
 * (http+unix://, whose host is only the Host header).
 */
const char *nd_target_ip(const struct nd_target *);

/*
 * The unix socket a target connects to instead of an address (unix://,
 * http+unix://'s nd-unix=), or NULL.
 */
const char *nd_target_unix(const struct nd_target *);

/* Is status one that nd-status= (or its default, 200-399) expects? */
bool	nd_target_status_ok(const struct nd_target *, long status);

/*
 * Parses url into a new target allocated in arena.  origin is copied.  On
 * error returns -EINVAL and writes one line into err: the input, the
 * 1-based column and what is wrong, e.g.
 *   "tcp://127.0.0.1:65536: column 17: port 65536 out of range 1-65535".
 * Never reads past the terminating NUL; rejects URLs over 2048 bytes
 * (4096 for http:// and https://, whose path may take 2048 of them),
 * control characters, unknown schemes, unknown or repeated query keys.
 */
int	nd_target_parse(struct nd_arena *, const char *url, const char *origin,
	    struct nd_target **ret, char *err, size_t errlen);

/*
 * nd_target_parse for a URL the caller put together from parts the user
 * wrote elsewhere (netdoctor.yaml's http: entries): on error err holds
 * only what is wrong, without the URL and the column, and *at is the byte
 * offset in url the error is about, so the caller can name the part.
 */
int	nd_target_parse_at(struct nd_arena *, const char *url,
	    const char *origin, struct nd_target **ret, char *err,
	    size_t errlen, size_t *at);

/* "tcp", "tls", ... as written in URLs. */
const char *nd_scheme_name(enum nd_scheme);

/*
 * The states `wait --for` knows for the scheme besides "ok", as its row
 * writes them ("maintenance=talos.maintenance_mode ..."), or NULL.
 */
const char *nd_scheme_states(enum nd_scheme);

/*
 * Does the scheme talk to a Kubernetes API server (k8s://, gateway+k8s://),
 * with the kubeconfig's CA and credentials?
 */
bool	nd_scheme_kube(enum nd_scheme);

/* A scheme's probes for a target given by address, NULL-terminated. */
const char *const *nd_scheme_chain(enum nd_scheme);

/* "tcp, tls, talos, k8s, https, ...": every name and alias, in order. */
const char *nd_scheme_names(void);

/* The usage lines of every scheme (--help), each after indent. */
void	nd_scheme_usage(FILE *, const char *indent, size_t width);

/*
 * The probe names this target expands into, lowest layer first,
 * NULL-terminated; e.g. {"route","tcp",NULL} for tcp://.  When the host is
 * a name rather than an IP literal, "resolve" comes first.
 */
const char *const *nd_target_chain(const struct nd_target *);

/*
 * A key that is equal for two targets that would check the same thing
 * (scheme, host, port and the parameters), for duplicate detection.
 */
char	*nd_target_key(struct nd_arena *, const struct nd_target *);

/*
 * nd_target_key's text written into buf (cap bytes, NUL-terminated, cut
 * when it does not fit); returns its whole length, as snprintf(3) does.
 * scratch holds what sorting a list of several addresses needs, nothing
 * else: the inventory writes 10,000 keys and keeps none.
 */
size_t	nd_target_key_write(struct nd_arena *scratch,
	    const struct nd_target *, char *buf, size_t cap);

#endif /* ND_TARGET_H */
