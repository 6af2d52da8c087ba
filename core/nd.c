/*
 * nd.c - names of the shared enums, and the Nagios state rollup.
 */
#include "nd.h"

const char *
nd_layer_name(enum nd_layer l)
{
	static const char *const names[] = {
		[ND_L_CONFIG] = "config", [ND_L_HOST] = "host",
		[ND_L_LINK] = "link", [ND_L_ROUTE] = "route",
		[ND_L_DNS] = "dns", [ND_L_TCP] = "tcp", [ND_L_TLS] = "tls",
		[ND_L_APP] = "app",
	};

	return (unsigned)l < ND_ARRAY_SIZE(names) ? names[l] : "?";
}

const char *
nd_status_name(enum nd_status s)
{
	static const char *const names[] = {
		[ND_PENDING] = "pending", [ND_RUNNING] = "running",
		[ND_PASS] = "pass", [ND_WARN] = "warn", [ND_FAIL] = "fail",
		[ND_SKIP] = "skip", [ND_ERROR] = "error",
	};

	return (unsigned)s < ND_ARRAY_SIZE(names) ? names[s] : "?";
}

const char *
nd_sev_name(enum nd_sev s)
{
	static const char *const names[] = {
		[ND_SEV_OK] = "ok", [ND_SEV_INFO] = "info",
		[ND_SEV_WARN] = "warning", [ND_SEV_CRIT] = "critical",
		[ND_SEV_UNKNOWN] = "unknown",
	};

	return (unsigned)s < ND_ARRAY_SIZE(names) ? names[s] : "?";
}

const char *
nd_kind_name(enum nd_kind k)
{
	static const char *const names[] = {
		[ND_K_NONE] = "none", [ND_K_REMOTE] = "remote",
		[ND_K_SILENT] = "silent", [ND_K_LOCAL] = "local",
		[ND_K_CONFIG] = "config",
	};

	return (unsigned)k < ND_ARRAY_SIZE(names) ? names[k] : "?";
}

/*
 * monitoring-plugins lib/states.h orders states for rollup as
 * OK < UNKNOWN < WARNING < CRITICAL: a real problem found outranks "could
 * not check something".
 */
int
nd_sev_rank(enum nd_sev s)
{
	switch (s) {
	case ND_SEV_CRIT:
		return 3;
	case ND_SEV_WARN:
		return 2;
	case ND_SEV_UNKNOWN:
		return 1;
	case ND_SEV_OK:
	case ND_SEV_INFO:
		break;
	}
	return 0;
}

enum nd_sev
nd_sev_worse(enum nd_sev a, enum nd_sev b)
{
	return nd_sev_rank(b) > nd_sev_rank(a) ? b : a;
}

enum nd_exit
nd_sev_exit(enum nd_sev s)
{
	switch (s) {
	case ND_SEV_CRIT:
		return ND_EXIT_CRITICAL;
	case ND_SEV_WARN:
		return ND_EXIT_WARNING;
	case ND_SEV_UNKNOWN:
		return ND_EXIT_UNKNOWN;
	case ND_SEV_OK:
	case ND_SEV_INFO:
		break;
	}
	return ND_EXIT_OK;
}
