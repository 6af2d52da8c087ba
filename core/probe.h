/*
 * probe.h - what a probe is (curl's type/instance split): one const
 * struct nd_probe_ops per probes/probe_X.c, and the engine's instances of
 * it, one per endpoint (target address) unless the ops share instances.
 *
 * Life of an instance: the engine calls start() once every probe it needs
 * passed; the probe arms fds/timers on run->loop and ends with exactly one
 * nd_probe_done().  If the probe's deadline passes first the engine calls
 * expire(), which must end the probe with its own verdict (tcp.timeout).
 * cancel() releases everything the ctx owns; the engine calls it exactly
 * once, right after the probe ended (by itself, by expire, or by the run's
 * budget), so a probe never frees its resources in its own callbacks.
 * A probe that was prepared but never started (skipped, cancelled, or its
 * engine freed first) gets its one cancel() too, when it ends without
 * starting: cancel() must accept a ctx that only prepare() filled.
 */
#ifndef ND_PROBE_H
#define ND_PROBE_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "finding.h"
#include "loop.h"
#include "nd.h"
#include "range.h"

struct nd_arena;
struct nd_creds_set;
struct nd_dnsq;
struct nd_engine;
struct nd_http;
struct nd_target;
struct nd_probe;
struct nd_tls_facts;
struct nd_tlsctx;

/*
 * Everything one run shares, as probes see it (p->run).  main.c fills the
 * settings from the command line and the config before planning; the
 * engine and the probes only read them.  Nothing here is the CLI's own
 * structure: a probe never sees options it has no use for.
 */
struct nd_run {
	struct nd_arena		*arena;
	struct nd_loop		*loop;
	struct nd_engine	*engine;	/* opaque to probes */

	/* Settings. */
	int64_t			 timeout_ms;	/* each probe's deadline */
	int64_t			 budget_ms;	/* the whole run, 0 = none */
	size_t			 max_inflight;	/* 0 = from RLIMIT_NOFILE */
	int64_t			 listen_ms;	/* arp: passive window, 0 = off */
	const char *const	*only;		/* probes to run, NULL = all */
	const char *const	*skip;		/* probes not to run */
	/* tcp: -w/-c ranges on the connect time, in seconds. */
	const struct nd_range	*warn, *crit;	/* NULL when not given */

	/*
	 * Optional: called about every 200 ms while a run takes longer than
	 * half a second (done, total, running), and once with done == total
	 * at the end.  main.c draws the progress line with it.
	 */
	void			(*progress)(size_t, size_t, size_t);
	/*
	 * Optional: where the engine finds a probe by name (the registry,
	 * probes/probes.def, when NULL).  The engine's unit test binds the
	 * real chains to probes of its own with it.
	 */
	const struct nd_probe_ops *(*find_ops)(const char *name);

	/* Shared clients, created on first use, freed by the run's owner. */
	struct nd_http		*http;		/* libcurl multi (clients/http.c) */
	struct nd_dnsq		*dnsq;		/* c-ares channels (clients/dnsq.c) */
	struct nd_tlsctx	*tlsctx;	/* TLS contexts (clients/tlsctx.c) */
	const struct nd_creds_set *creds;	/* talosconfig, kubeconfig */
};

struct nd_probe_ops {
	const char	 *name;		/* "tcp": CLI, JSON and chain name */
	enum nd_layer	  layer;
	const char *const *needs;	/* probe names it needs when present in
					   the target's chain; NULL-terminated.
					   NULL: the probe below it in the chain */
	size_t		  ctx_size;	/* the engine zero-allocates p->ctx */
	/*
	 * At most this many instances run at once; 0: only the engine's
	 * max_inflight.  For probes whose pending state is large (a TLS
	 * handshake holds some 40 KiB until the peer answers): the others
	 * wait in plan order, their deadline not started yet.
	 */
	size_t		  inflight_max;
	/*
	 * The probe resolves names: instead of one instance per address it
	 * runs once per target and publishes addresses with
	 * nd_probe_publish_addr(); the rest of the chain then runs per address.
	 */
	bool		  fans_out;
	/*
	 * Optional: instances with equal keys are one instance that serves
	 * every endpoint asking for it (one route lookup per destination,
	 * not per target).  Writes a NUL-terminated key; 0 on success.
	 */
	int		(*share_key)(const struct nd_probe *, char *, size_t);
	/*
	 * Optional, before any probe starts: open what needs privileges
	 * (a capture handle), so that main.c can drop them before touching
	 * peers' data.  Returns 0, or a final status (the probe recorded its
	 * finding) that the probe ends with when its turn comes.
	 */
	int		(*prepare)(struct nd_probe *);
	/* Optional: this probe's own deadline in ms (default --timeout). */
	int64_t		(*deadline_ms)(const struct nd_probe *);
	int		(*start)(struct nd_probe *);	/* 0 or -errno */
	void		(*expire)(struct nd_probe *);
	void		(*cancel)(struct nd_probe *);
};

/*
 * One address of one target.  For a target given by name there is one
 * endpoint per resolved address; for an IP literal exactly one.
 */
struct nd_endpoint {
	const struct nd_target	*target;
	union {				/* port set when the target has one */
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
	} addr;
	socklen_t		 addrlen;	/* 0: no address (arp://, port://) */
	/*
	 * Arena strings, never NULL.  Not arrays: a run keeps one endpoint
	 * per target, and 10,000 fixed-size buffers were 3 MB.
	 */
	const char		*addrstr;	/* "::1", "" */
	const char		*label;		/* "[::1]:6443", "name:6443",
						   "unix:/run/app.sock" */
	/* Facts handed upward; each field has one writer (named). */
	struct {
		/* route; NULL until it ran (shared by what it serves) */
		const struct nd_route_facts *route;
		uint64_t rtt_us;	/* tcp */
		struct nd_tls_facts *tls;	/* tls; NULL until it ran */
	} facts;
};

/* What the route probe found (written by route only). */
struct nd_route_facts {
	char	oif[16];		/* IF_NAMESIZE */
	char	gateway[INET6_ADDRSTRLEN];	/* "" on-link */
	char	src[INET6_ADDRSTRLEN];
};

/* What the tls probe saw, for the probes above it (written by tls only). */
struct nd_tls_facts {
	char	version[16];		/* "TLSv1.3" */
	char	alpn[32];		/* "h2", "" when none */
	char	cn[128];		/* leaf subject CN */
	bool	issuer_empty;		/* Talos maintenance CA (docs/talos.md 1) */
	bool	certreq;		/* a CertificateRequest arrived */
	bool	client_rejected;	/* ...and the anonymous client was cut */
	char	ca_names[256];		/* CAs the CertificateRequest named */
	char	key[24];		/* "ED25519", "EC P-256", "RSA 2048" */
};

struct nd_probe {
	const struct nd_probe_ops *ops;
	struct nd_run		*run;
	const struct nd_target	*target;	/* the first target served */
	struct nd_endpoint	*ep;		/* the first endpoint served */
	char			*id;		/* "tcp://127.0.0.1:1#tcp" */
	void			*ctx;
	/*
	 * A run keeps one instance per target, and all of them until the
	 * report is written: counts are 32 bits, and what only the engine
	 * uses while the run goes (the dependents, the deadline, the queue)
	 * is the engine's own, freed when the run ends.
	 */
	enum nd_status		 status;
	uint32_t		 index;		/* plan order */
	uint32_t		 nfindings;
	uint32_t		 npub;		/* fans_out: addresses published */
	uint32_t		 nneeds, nserved;
	uint64_t		 t_start, t_end;	/* monotonic usec */
	struct nd_finding	**findings;	/* grows by doubling */
	const struct nd_probe	*blocked_by;	/* SKIP: the failed need */
	double			 measured_s;	/* nd_probe_measure(); 0: none */
	/* The DAG, which diagnosis walks too (set by the engine). */
	struct nd_probe		**needs;
	/* Every endpoint it serves; &ep (no array) while only the first. */
	struct nd_endpoint	**served;
};

/* Ends the probe (exactly once).  status is ND_PASS/WARN/FAIL/ERROR. */
void	nd_probe_done(struct nd_probe *, enum nd_status);

/* The probe's deadline (monotonic usec); 0 once the run ended. */
uint64_t nd_probe_deadline(const struct nd_probe *);

/* fans_out probes: one more address to probe (port taken from target). */
void	nd_probe_publish_addr(struct nd_probe *, const struct sockaddr *,
	    socklen_t);

/*
 * The time the probe measured, in seconds (the TCP connect time): the
 * Nagios perfdata and the text report's "ok 0.12ms" come from it.
 */
void	nd_probe_measure(struct nd_probe *, double seconds);

/* Records a local failure (probe.local_error) with errno evidence. */
struct nd_finding *nd_probe_local_error(struct nd_probe *, int err,
	    const char *what);

/*
 * Facts a probe hands to the probes above it, written into every endpoint
 * the probe serves (a shared route lookup serves several targets).  Each
 * has one writer: the probe named in struct nd_endpoint.
 */
void	nd_facts_set_route(struct nd_probe *, const char *oif,
	    const char *gateway, const char *src);
void	nd_facts_set_rtt(struct nd_probe *, uint64_t rtt_us);
void	nd_facts_set_tls(struct nd_probe *, struct nd_tls_facts *);

#endif /* ND_PROBE_H */
