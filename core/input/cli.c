/*
 * cli.c - argument parsing, usage, `list` and `explain`.
 *
 * `run` and `check` share every option.  In `check` the Monitoring Plugins
 * reserved letters keep their plugin meaning (docs/monitoring-plugins.md 1): -c is the
 * critical range and -t the plugin's whole time budget; the config file is
 * then --config.  In `run`, -c is the config file and -t the per-probe
 * timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "engine.h"
#include "finding.h"
#include "options.h"
#include "probe.h"
#include "range.h"
#include "report.h"
#include "target.h"
#include "util.h"

enum {
	OPT_FORMAT = 256, OPT_TIMEOUT, OPT_BUDGET, OPT_ONLY, OPT_SKIP,
	OPT_TALOSCONFIG, OPT_KUBECONFIG, OPT_MACHINE_CONFIG, OPT_CONFIG,
	OPT_WARNING, OPT_CRITICAL, OPT_MAX_INFLIGHT, OPT_COLOR, OPT_NO_COLOR,
	OPT_VERSION, OPT_HELP, OPT_LISTEN, OPT_USER, OPT_PRINT_PLAN, OPT_MANIFESTS,
	OPT_FOR, OPT_INTERVAL, OPT_PROGRESS, OPT_NO_FAIL_FAST,
	OPT_MAX_CONCURRENT, OPT_ALLOW,
	OPT_CLOUDFLARED_CONFIG,
};

static const struct option cli_longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "talosconfig", required_argument, NULL, OPT_TALOSCONFIG },
	{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
	{ "machine-config", required_argument, NULL, OPT_MACHINE_CONFIG },
	{ "manifests", required_argument, NULL, OPT_MANIFESTS },
	{ "cloudflared-config", required_argument, NULL,
	  OPT_CLOUDFLARED_CONFIG },
	{ "print-plan", no_argument, NULL, OPT_PRINT_PLAN },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "warning", required_argument, NULL, OPT_WARNING },
	{ "critical", required_argument, NULL, OPT_CRITICAL },
	{ "max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "user", required_argument, NULL, OPT_USER },
	{ "color", no_argument, NULL, OPT_COLOR },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "for", required_argument, NULL, OPT_FOR },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "no-fail-fast", no_argument, NULL, OPT_NO_FAIL_FAST },
	{ "max-concurrent", required_argument, NULL, OPT_MAX_CONCURRENT },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ NULL, 0, NULL, 0 },
};

void
nd_cli_usage(FILE *f)
{
	fputs(
"usage: netdoctor run   [TARGET...] [-c FILE] [--format FMT]\n"
"                       [-o FILE] [--timeout DUR] [--only P,..] [--skip P,..]\n"
"                       [--talosconfig F] [--kubeconfig F] [--machine-config F]...\n"
"                       [--manifests DIR]... [--cloudflared-config F]\n"
"                       [--print-plan]\n"
"                       [-w RANGE] [--critical RANGE] [--max-inflight N]\n"
"                       [--listen DUR] [--user NAME] [-v]\n"
"       netdoctor check [TARGET...] [--config FILE] [-w RANGE] [-c RANGE]\n"
"                       [-t|--budget DUR] [--timeout DUR] ...   (Nagios plugin)\n"
"       netdoctor wait  TARGET... [--for STATE] [--timeout DUR] [--interval DUR]\n"
"                       [--progress text|json] [--no-fail-fast] ...\n"
"                       until each target is in its state (ok; talos://:\n"
"                       maintenance, configured, up; k8s://: ready, up)\n"
"       netdoctor serve [--listen ADDR:PORT] [-c FILE] [--max-concurrent N]\n"
"                       [--allow CIDR|SCHEME,...] [--timeout DUR] [-v]\n"
"                       Prometheus /probe?target=URL[&module=NAME], /metrics\n"
"       netdoctor probe NAME TARGET     one probe and its prerequisites\n"
"       netdoctor list                  probes and finding ids\n"
"       netdoctor explain ID            what a finding means and how to fix it\n"
"       netdoctor --version | --help\n", f);
	/* One line per scheme row, so a new scheme shows up by itself. */
	fputs("\ntargets:\n", f);
	nd_scheme_usage(f, "  ", 78);
	fputs(
"with no target, -c, --machine-config or --manifests, run discovers: the\n"
"talosconfig, the kubeconfig, Docker, else a local Talos-in-Docker default.\n"
"formats (FMT): text, json, nagios, markdown, openmetrics (OpenMetrics 1.0),\n"
"         prometheus (the Prometheus text format 0.0.4).\n"
"durations: 250ms, 5s, 1.5s.  ranges (-w/-c, seconds of TCP connect time):\n"
"         [@][start:][end] as in the Monitoring Plugins guidelines.\n"
"exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (netdoctor could not do its job)\n",
	    f);
}

static const char **
cli_split(struct nd_arena *a, const char *s)
{
	size_t n = 1, i = 0;
	const char *p;
	const char **v;

	for (p = s; *p != '\0'; p++)
		n += *p == ',';
	v = nd_arena_alloc(a, (n + 1) * sizeof(*v));
	for (p = s;;) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (len > 0)
			v[i++] = nd_arena_strndup(a, p, len);
		if (e == NULL)
			break;
		p = e + 1;
	}
	v[i] = NULL;
	return v;
}

/* --only/--skip must name probes this build knows or a scheme uses. */
static int
cli_check_probes(const char **v, const char *opt, char *err, size_t errlen)
{
	size_t i;

	if (v[0] == NULL) {
		snprintf(err, errlen, "%s: no probe named", opt);
		return -EINVAL;
	}
	for (i = 0; v[i] != NULL; i++)
		if (nd_registry_find(v[i]) == NULL) {
			snprintf(err, errlen, "%s: unknown probe '%s' "
			    "(netdoctor list shows the probes)", opt, v[i]);
			return -EINVAL;
		}
	return 0;
}

static int
cli_duration(const char *arg, const char *opt, int64_t *ms, char *err,
    size_t errlen)
{
	if (nd_parse_duration_ms(arg, ms) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a duration (e.g. 250ms, "
		    "5s, 1.5s, 10m)", opt, arg);
		return -EINVAL;
	}
	if (*ms <= 0) {
		snprintf(err, errlen, "%s: must be more than 0", opt);
		return -EINVAL;
	}
	return 0;
}

static int
cli_range(const char *arg, const char *opt, struct nd_range *r, bool *have,
    char *err, size_t errlen)
{
	if (nd_range_parse(arg, r) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a threshold range "
		    "([@][start:][end], e.g. 0.5 or 0:1.5)", opt, arg);
		return -EINVAL;
	}
	*have = true;
	return 0;
}

static enum nd_cmd
cli_command(const char *s)
{
	static const struct { const char *name; enum nd_cmd cmd; } cmds[] = {
		{ "run", ND_CMD_RUN }, { "check", ND_CMD_CHECK },
		{ "probe", ND_CMD_PROBE }, { "wait", ND_CMD_WAIT },
		{ "serve", ND_CMD_SERVE },
		{ "list", ND_CMD_LIST },
		{ "explain", ND_CMD_EXPLAIN }, { "help", ND_CMD_HELP },
		{ "version", ND_CMD_VERSION },
	};
	size_t i;

	for (i = 0; i < ND_ARRAY_SIZE(cmds); i++)
		if (strcmp(s, cmds[i].name) == 0)
			return cmds[i].cmd;
	return ND_CMD_NONE;
}

int
nd_cli_parse(struct nd_arena *a, int argc, char **argv, struct nd_options *o,
    char *err, size_t errlen)
{
	const char **mc = NULL;
	size_t nmc = 0;
	long long n;
	int c, color = -1;
	bool check, wait, serve, interval_set = false;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->timeout_ms = ND_DEFAULT_TIMEOUT_MS;
	if (argc < 2) {
		snprintf(err, errlen, "no command given (run, check, wait, "
		    "serve, probe, list, explain)");
		return -EINVAL;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		o->cmd = ND_CMD_VERSION;
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		o->cmd = ND_CMD_HELP;
		return 0;
	}
	o->cmd = cli_command(argv[1]);
	if (o->cmd == ND_CMD_NONE) {
		snprintf(err, errlen, "unknown command '%s' (run, check, wait, "
		    "serve, probe, list, explain)", argv[1]);
		return -EINVAL;
	}
	check = o->cmd == ND_CMD_CHECK;
	wait = o->cmd == ND_CMD_WAIT;
	serve = o->cmd == ND_CMD_SERVE;
	o->wait_ms = ND_DEFAULT_WAIT_MS;
	o->interval_ms = ND_DEFAULT_INTERVAL_MS;
	o->fail_fast = true;
	if (check) {
		o->format = "nagios";
		o->budget_ms = ND_DEFAULT_BUDGET_MS;
	}
	optind = 2;
	opterr = 0;
	/* The leading ':' makes a missing value ':', not an unknown '?'. */
	while ((c = getopt_long(argc, argv, ":c:o:t:w:vhV", cli_longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (nd_reporter_find(optarg) == NULL) {
				snprintf(err, errlen, "--format: unknown format "
				    "'%s' (%s)", optarg, nd_reporter_names());
				return -EINVAL;
			}
			o->format = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			if (check) {
				if (cli_range(optarg, "-c", &o->crit,
				    &o->have_crit, err, errlen) < 0)
					return -EINVAL;
			} else {
				o->config = optarg;
			}
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case 't':
			if (check) {
				if (cli_duration(optarg, "-t", &o->budget_ms,
				    err, errlen) < 0)
					return -EINVAL;
				break;
			}
			/* FALLTHROUGH */
		case OPT_TIMEOUT:
			/* wait: the whole wait; each probe keeps its default. */
			if (cli_duration(optarg, "--timeout", wait ? &o->wait_ms :
			    &o->timeout_ms, err, errlen) < 0)
				return -EINVAL;
			o->timeout_set = !wait;
			break;
		case OPT_FOR:
		case OPT_INTERVAL:
		case OPT_PROGRESS:
		case OPT_NO_FAIL_FAST:
			if (!wait) {
				snprintf(err, errlen, "%s: only `netdoctor wait` "
				    "takes it", c == OPT_FOR ? "--for" :
				    c == OPT_INTERVAL ? "--interval" :
				    c == OPT_PROGRESS ? "--progress" :
				    "--no-fail-fast");
				return -EINVAL;
			}
			if (c == OPT_FOR)
				o->wait_for = optarg;
			else if (c == OPT_NO_FAIL_FAST)
				o->fail_fast = false;
			else if (c == OPT_PROGRESS) {
				if (strcmp(optarg, "text") != 0 &&
				    strcmp(optarg, "json") != 0) {
					snprintf(err, errlen, "--progress: '%s' is "
					    "not text or json", optarg);
					return -EINVAL;
				}
				o->progress = optarg;
			} else {
				if (cli_duration(optarg, "--interval",
				    &o->interval_ms, err, errlen) < 0)
					return -EINVAL;
				interval_set = true;
			}
			break;
		case OPT_BUDGET:
			if (cli_duration(optarg, "--budget", &o->budget_ms, err,
			    errlen) < 0)
				return -EINVAL;
			break;
		case OPT_ONLY:
			o->only = cli_split(a, optarg);
			if (cli_check_probes(o->only, "--only", err, errlen) < 0)
				return -EINVAL;
			break;
		case OPT_SKIP:
			o->skip = cli_split(a, optarg);
			if (cli_check_probes(o->skip, "--skip", err, errlen) < 0)
				return -EINVAL;
			break;
		case OPT_TALOSCONFIG:
			o->talosconfig = optarg;
			break;
		case OPT_KUBECONFIG:
			o->kubeconfig = optarg;
			break;
		case OPT_MACHINE_CONFIG:
			mc = nd_arena_grow(a, mc, nmc, nmc + 2, sizeof(*mc));
			mc[nmc++] = optarg;
			break;
		case OPT_MANIFESTS:
			o->manifests = nd_arena_grow(a, o->manifests,
			    o->nmanifests, o->nmanifests + 2,
			    sizeof(*o->manifests));
			o->manifests[o->nmanifests++] = optarg;
			break;
		case OPT_CLOUDFLARED_CONFIG:
			o->cloudflared_config = optarg;
			break;
		case OPT_PRINT_PLAN:
			o->print_plan = true;
			break;
		case 'w':
		case OPT_WARNING:
			if (cli_range(optarg, "-w", &o->warn, &o->have_warn,
			    err, errlen) < 0)
				return -EINVAL;
			break;
		case OPT_CRITICAL:
			if (cli_range(optarg, "--critical", &o->crit,
			    &o->have_crit, err, errlen) < 0)
				return -EINVAL;
			break;
		case OPT_MAX_INFLIGHT:
			if (nd_parse_int(optarg, 1, 1000000, &n) < 0) {
				snprintf(err, errlen, "--max-inflight: '%s' is "
				    "not a number from 1 to 1000000", optarg);
				return -EINVAL;
			}
			o->max_inflight = (size_t)n;
			break;
		case OPT_MAX_CONCURRENT:
		case OPT_ALLOW:
			if (!serve) {
				snprintf(err, errlen, "%s: only `netdoctor serve` "
				    "takes it", c == OPT_ALLOW ? "--allow" :
				    "--max-concurrent");
				return -EINVAL;
			}
			if (c == OPT_ALLOW) {
				o->allow = optarg;
			} else if (nd_parse_int(optarg, 1, 100000, &n) < 0) {
				snprintf(err, errlen, "--max-concurrent: '%s' is "
				    "not a number from 1 to 100000", optarg);
				return -EINVAL;
			} else {
				o->max_concurrent = (size_t)n;
			}
			break;
		case OPT_LISTEN:
			/* serve: the address; run: the passive ARP window. */
			if (serve) {
				o->serve_listen = optarg;
				break;
			}
			if (cli_duration(optarg, "--listen", &o->listen_ms, err,
			    errlen) < 0)
				return -EINVAL;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_COLOR:
			color = 1;
			break;
		case OPT_NO_COLOR:
			color = 0;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
		case OPT_HELP:
			o->cmd = ND_CMD_HELP;
			return 0;
		case 'V':
		case OPT_VERSION:
			o->cmd = ND_CMD_VERSION;
			return 0;
		case ':':
			snprintf(err, errlen, "%s needs a value",
			    argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen, "unknown option '%s'",
			    argv[optind - 1]);
			return -EINVAL;
		}
	}
	o->machine_configs = mc;
	o->nmachine_configs = nmc;
	/* The default interval fits a short --timeout; a given one must. */
	if (wait && !interval_set && o->interval_ms > o->wait_ms)
		o->interval_ms = o->wait_ms;
	if (wait && o->interval_ms > o->wait_ms) {
		snprintf(err, errlen, "--interval %lld ms is longer than "
		    "--timeout %lld ms: nothing would be checked twice",
		    (long long)o->interval_ms, (long long)o->wait_ms);
		return -EINVAL;
	}
	if (wait && argc == optind && o->config == NULL &&
	    nmc == 0 && o->nmanifests == 0 && o->cloudflared_config == NULL) {
		snprintf(err, errlen, "wait: name what to wait for, e.g. "
		    "netdoctor wait talos://127.0.0.1:50000 --for maintenance");
		return -EINVAL;
	}
	if (o->cmd == ND_CMD_PROBE) {
		if (argc - optind != 2) {
			snprintf(err, errlen, "probe: needs NAME and TARGET, "
			    "e.g. netdoctor probe tcp tcp://127.0.0.1:6443");
			return -EINVAL;
		}
		o->probe_name = argv[optind++];
	}
	if (o->cmd == ND_CMD_EXPLAIN) {
		if (argc - optind != 1) {
			snprintf(err, errlen, "explain: needs one finding id, "
			    "e.g. netdoctor explain tcp.refused");
			return -EINVAL;
		}
		o->explain_id = argv[optind];
		return 0;
	}
	if ((o->cmd == ND_CMD_LIST || serve) && optind != argc) {
		if (serve) {
			snprintf(err, errlen, "serve: takes no target (Prometheus "
			    "names it: /probe?target=URL)");
			return -EINVAL;
		}
		snprintf(err, errlen, "list: takes no arguments");
		return -EINVAL;
	}
	o->urls = (const char *const *)(argv + optind);
	o->nurls = (size_t)(argc - optind);
	o->color = color >= 0 ? color == 1 :
	    (o->output == NULL && isatty(STDOUT_FILENO) &&
	    getenv("NO_COLOR") == NULL);
	return 0;
}

int
nd_cli_list(FILE *f)
{
	const struct nd_probe_ops *const *ops;
	size_t n, i;

	ops = nd_registry_all(&n);
	fputs("probes (lowest layer first):\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "  %-12s layer %s\n", ops[i]->name,
		    nd_layer_name(ops[i]->layer));
	fputs("\ntarget schemes (the probes each runs; a host name is "
	    "resolved first):\n", f);
	for (i = 0; i < ND_S__COUNT; i++) {
		const char *const *c = nd_scheme_chain(i);

		fprintf(f, "  %-14s", nd_scheme_name(i));
		for (n = 0; c[n] != NULL; n++)
			fprintf(f, "%s%s", n ? ", " : "", c[n]);
		fputc('\n', f);
	}
	fputs("\nfindings (id, default severity, what it means):\n", f);
	for (i = 0; i < ND_F__COUNT; i++) {
		const struct nd_finding_def *d = &nd_finding_defs[i];
		bool built = d->probe[0] == '\0' ||
		    nd_registry_find(d->probe) != NULL;

		fprintf(f, "  %-28s %-8s %s%s\n", d->id, nd_sev_name(d->sev),
		    d->text, built ? "" : "  (probe not built yet)");
	}
	return ferror(f) ? -EIO : 0;
}

/* Prints text as paragraphs wrapped at width columns. */
static void
cli_wrap(FILE *f, const char *s, size_t width)
{
	size_t col = 0;

	while (*s != '\0') {
		size_t w = strcspn(s, " ");

		if (col > 0 && col + 1 + w > width) {
			fputc('\n', f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, w, f);
		col += w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

int
nd_cli_explain(FILE *f, FILE *ferr, const char *id)
{
	const struct nd_finding_def *d = nd_finding_def_by_id(id);
	size_t i, plen;
	const char *dot;
	int close = 0;

	if (d == NULL) {
		fprintf(ferr, "netdoctor: explain: no finding '%s'", id);
		dot = strchr(id, '.');
		plen = dot != NULL ? (size_t)(dot - id) : strlen(id);
		for (i = 0; i < ND_F__COUNT; i++) {
			if (strncmp(nd_finding_defs[i].id, id, plen) != 0)
				continue;
			fprintf(ferr, "%s%s", close++ ? ", " : "; did you mean ",
			    nd_finding_defs[i].id);
		}
		fputs(close ? "?\n" : " (netdoctor list shows all)\n", ferr);
		return -ENOENT;
	}
	fprintf(f, "%s: %s\n\n", d->id, d->text);
	fprintf(f, "  probe:     %s\n", d->probe[0] ? d->probe : "(engine)");
	fprintf(f, "  layer:     %s\n", nd_layer_name(d->layer));
	fprintf(f, "  severity:  %s\n", nd_sev_name(d->sev));
	fprintf(f, "  kind:      %s\n\n", nd_kind_name(d->kind));
	if (d->why[0] != '\0') {
		cli_wrap(f, d->why, 76);
		fputc('\n', f);
	}
	if (d->fix[0] != '\0')
		fprintf(f, "fix: %s\n", d->fix);
	return ferror(f) ? -EIO : 0;
}

/* `probe NAME TARGET`: NAME and everything below it in TARGET's chain. */
int
nd_cli_probe_only(struct nd_arena *a, struct nd_options *o, char *err,
    size_t len)
{
	struct nd_target *t;
	const char *const *chain;
	const char **only;
	size_t i, n;

	if (nd_target_parse(a, o->urls[0], "command line", &t, err, len) < 0)
		return -EINVAL;
	chain = nd_target_chain(t);
	for (n = 0; chain[n] != NULL; n++)
		if (strcmp(chain[n], o->probe_name) == 0)
			break;
	if (chain[n] == NULL) {
		size_t used = (size_t)snprintf(err, len, "probe: %s:// targets "
		    "have no '%s' probe (they have:", nd_scheme_name(t->scheme),
		    o->probe_name);

		for (i = 0; chain[i] != NULL && used < len; i++)
			used += (size_t)snprintf(err + used, len - used, " %s",
			    chain[i]);
		if (used < len)
			snprintf(err + used, len - used, ")");
		return -EINVAL;
	}
	only = nd_arena_alloc(a, (n + 2) * sizeof(*only));
	for (i = 0; i <= n; i++)
		only[i] = chain[i];
	o->only = only;
	o->skip = NULL;
	return 0;
}
