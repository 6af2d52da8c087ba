/*
 * serve.h - `netdoctor serve`: an HTTP/1.1 endpoint for Prometheus (the
 * blackbox_exporter's scrape contract) on the project's own event loop.
 *
 *   GET /probe?target=URL[&module=NAME]   one target's chain, as metrics
 *   GET /metrics                          the server's own counters
 *   GET /healthz                          200 "ok"
 *
 * Every scrape is an engine run started with nd_engine_start() on the one
 * loop, so scrapes run concurrently without a thread per request.  The
 * contract (limits, answers, metric names) is in docs/contracts.md 7.
 */
#ifndef ND_SERVE_H
#define ND_SERVE_H

#include <stddef.h>

struct nd_arena;
struct nd_config;
struct nd_options;

/*
 * Serves until SIGINT or SIGTERM, then lets the scrapes in flight finish
 * and returns 0 (exit 0).  cfg is the loaded netdoctor.yaml (its modules:
 * and credentials) or NULL.  Returns -errno with one line in err when it
 * cannot start (the address is taken, a bad --allow, a credentials file
 * that cannot be read).
 */
int	nd_serve(struct nd_arena *, const struct nd_options *,
	    const struct nd_config *cfg, char *err, size_t len);

#endif /* ND_SERVE_H */
