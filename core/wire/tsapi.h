/*
 * tsapi.h - what tailscaled's LocalAPI says, from the JSON it serves on
 * its unix socket (docs/tailscale.md): GET /localapi/v0/status
 * (tailscale ipn/ipnstate/ipnstate.go Status), /localapi/v0/prefs
 * (ipn/prefs.go Prefs) and /localapi/v0/serve-config (ipn/serve.go
 * ServeConfig).  Only the fields netdoctor uses are read; every other one
 * is ignored, so a newer tailscaled with more fields still parses.
 *
 * Pure and bounded: bytes in, arena values or one line of error out (the
 * tailscale probe, the machine-config loader for TS_SERVE_CONFIG, the
 * unit tests and fuzz_tsapi all call the same functions).
 */
#ifndef ND_TSAPI_H
#define ND_TSAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct nd_arena;

/* tailscaled's socket on Linux (tailscale paths/paths.go). */
#define ND_TS_SOCKET		"/var/run/tailscale/tailscaled.sock"
/* What the LocalAPI requires as Host (tailscale client/local/local.go). */
#define ND_TS_HOST		"local-tailscaled.sock"
/* MagicDNS's resolver (tailscale net/tsaddr: TailscaleServiceIP). */
#define ND_TS_MAGICDNS		"100.100.100.100"

/* A status of a large tailnet is a few MiB; past this it is refused. */
#define ND_TS_MAX_BODY		(16u * 1024 * 1024)
#define ND_TS_MAX_PEERS		20000	/* peers kept from one status */
#define ND_TS_MAX_PREFIXES	1024	/* addresses or routes per list */
#define ND_TS_MAX_PORTS		256	/* serve TCP handlers kept */

/* A prefix as tailscaled wrote it, and parsed. */
struct nd_ts_pfx {
	char		*s;
	struct nd_pfx	 p;
};

/* One PeerStatus (Self or a Peer map value). */
struct nd_ts_peer {
	char		*name;		/* DNSName without the final '.', else
					   HostName, else "?" */
	char		*os;
	struct nd_ts_pfx *ips;		/* TailscaleIPs */
	size_t		 nips;
	struct nd_ts_pfx *allowed;	/* AllowedIPs */
	size_t		 nallowed;
	struct nd_ts_pfx *primary;	/* PrimaryRoutes */
	size_t		 nprimary;
	bool		 has_primary;	/* the field was there */
	char		*cur_addr;	/* CurAddr: "" = no direct path */
	char		*relay;		/* Relay: the DERP region */
	bool		 online, active, expired;
	int64_t		 key_expiry;	/* KeyExpiry, Unix seconds; 0: none */
};

struct nd_ts_status {
	char		*backend_state;	/* "Running", "NeedsLogin", ... */
	char		*version;
	bool		 has_auth_url;	/* AuthURL non-empty (never kept:
					   a login link is a credential) */
	struct nd_ts_peer self;
	bool		 has_self;
	char		**health;	/* NULL-terminated, one line each */
	char		*tailnet;	/* CurrentTailnet.Name, or NULL */
	bool		 magicdns;	/* CurrentTailnet.MagicDNSEnabled */
	struct nd_ts_peer *peers;
	size_t		 npeers;
};

struct nd_ts_prefs {
	bool		 route_all;	/* RouteAll: --accept-routes */
	bool		 corp_dns;	/* CorpDNS: --accept-dns */
	bool		 want_running;
	bool		 logged_out;
	struct nd_ts_pfx *advertise;	/* AdvertiseRoutes */
	size_t		 nadvertise;
	char		*exit_node_id;	/* ExitNodeID, NULL when "" */
};

/* One TCPPortHandler of a serve config. */
struct nd_ts_tcp {
	unsigned	 port;
	bool		 https;		/* "HTTPS": tailscaled terminates TLS */
	bool		 http;
	char		*forward;	/* TCPForward, or NULL */
	char		*terminate_tls;	/* TerminateTLS (an SNI name), or NULL */
	char		*where;		/* "serve config", "Services.svc:x",
					   "Foreground.<id>" */
};

struct nd_ts_serve {
	struct nd_ts_tcp *tcp;
	size_t		 ntcp;
};

/*
 * Parse one body each.  Return 0, or -EINVAL with one line in err
 * ("Tailscale LocalAPI status: Peer: expected an object") for a body
 * that is not what tailscaled sends.  Wrong types are errors, unknown
 * fields are ignored, values are never quoted in errors.  serve accepts
 * `null` (no serve config).  Arena-owned results.
 */
int	nd_ts_parse_status(struct nd_arena *, const char *body, size_t len,
	    struct nd_ts_status *ret, char *err, size_t errlen);
int	nd_ts_parse_prefs(struct nd_arena *, const char *body, size_t len,
	    struct nd_ts_prefs *ret, char *err, size_t errlen);
int	nd_ts_parse_serve(struct nd_arena *, const char *body, size_t len,
	    struct nd_ts_serve *ret, char *err, size_t errlen);

/* Whether a serve handler makes tailscaled terminate TLS on its port. */
bool	nd_ts_tcp_terminates_tls(const struct nd_ts_tcp *);

/* Whether p is in a list (same address and length). */
bool	nd_ts_pfx_in(const struct nd_ts_pfx *p, const struct nd_ts_pfx *v,
	    size_t n);

#endif /* ND_TSAPI_H */
