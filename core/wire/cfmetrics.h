/*
 * cfmetrics.h - what cloudflared's metrics server says (cloudflared's
 * metrics/metrics.go and metrics/readiness.go): /ready answers 200 when
 * at least one connection to the edge is registered and 503 when none is,
 * with the JSON {"status":200,"readyConnections":4}; /metrics is the
 * Prometheus text format, in which cloudflared_tunnel_ha_connections is
 * the gauge of active connections to the edge (4 by default,
 * --ha-connections).  Pure and bounded: the probe feeds what libcurl
 * read, the fuzzer feeds anything.
 */
#ifndef ND_CFMETRICS_H
#define ND_CFMETRICS_H

#include <stdbool.h>
#include <stddef.h>

#define ND_CF_READY_MAX		(64 * 1024)	/* /ready: a few dozen bytes */
#define ND_CF_METRICS_MAX	(1024 * 1024)	/* /metrics: ~100 KiB seen */
#define ND_CF_HA_METRIC		"cloudflared_tunnel_ha_connections"

/*
 * /ready's body: a JSON object with whole numbers "status" and
 * "readyConnections".  Returns 0 and writes both, or -EINVAL with one
 * line in why (always NUL-terminated when whylen > 0).
 */
int	nd_cf_ready_parse(const char *buf, size_t len, long *status,
	    long *ready, char *why, size_t whylen);

/*
 * The value of the first sample of metric name in a Prometheus text
 * exposition ("name 4", "name{a=\"b\"} 4 1700000000"), looked for in the
 * first ND_CF_METRICS_MAX bytes.  Returns 0 and writes *ret, -ENOENT
 * when no sample of it is there, -EINVAL when its value is no number.
 */
int	nd_prom_value(const char *buf, size_t len, const char *name,
	    double *ret);

/* Does the text look like a Prometheus exposition ("# HELP", "# TYPE")? */
bool	nd_prom_looks_like(const char *buf, size_t len);

#endif /* ND_CFMETRICS_H */
