/*
 * main.c - the only place that exits.  Parses the command line, loads the
 * config, builds the inventory, runs the engine, writes the report, and
 * maps the result to the Monitoring Plugins exit codes (DESIGN.md 4.2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "addrplan.h"
#include "arena.h"
#include "cli.h"
#include "config.h"
#include "creds.h"
#include "discover.h"
#include "dnsq.h"
#include "docker.h"
#include "http.h"
#include "engine.h"
#include "inventory.h"
#include "loop.h"
#include "manifests.h"
#include "mftargets.h"
#include "nodeip.h"
#include "options.h"
#include "planprint.h"
#include "privs.h"
#include "report.h"
#include "target.h"
#include "util.h"

/* talos-in-docker on this host: DESIGN.md 4.1, talos-wire.md 7 */
/* What discovery looked at, on stderr before the report (one screen). */
static void
derived_notes(const struct nd_discovery *d, bool discovered)
{
	size_t i;

	if (discovered)
		fprintf(stderr, "netdoctor: nothing named on the command line; "
		    "looked for:\n");
	for (i = 0; i < d->nnotes; i++) {
		fputs(discovered ? "  " : "netdoctor: ", stderr);
		nd_fputs_safe(d->notes[i], stderr);
		fputc('\n', stderr);
	}
}

/* --manifests DIR...: loaded (exit 3 on a bad file) into targets. */
static int
load_manifests(struct nd_arena *a, const struct nd_options *o,
    const struct nd_config *cfg, struct nd_manifests **ret,
    struct nd_discovery *d, char *err, size_t len)
{
	struct nd_manifests *mfs;
	size_t i;

	if (o->nmanifests == 0)
		return 0;
	mfs = nd_arena_alloc(a, o->nmanifests * sizeof(*mfs));
	for (i = 0; i < o->nmanifests; i++) {
		if (nd_manifests_load(a, o->manifests[i], &mfs[i], err, len) < 0)
			return -1;
		nd_manifests_targets(a, &mfs[i], cfg, d);
	}
	*ret = mfs;
	return 0;
}

/*
 * The URLs the inventory gets: the command line's, then --machine-config
 * F as machineconfig://F, then the derived ones (discovery, --manifests).
 */
static const char *const *
all_urls(struct nd_arena *a, const struct nd_options *o,
    const struct nd_discovery *d, size_t *n)
{
	const char **all = nd_arena_alloc(a, (o->nurls + o->nmachine_configs +
	    d->n + 1) * sizeof(*all));
	size_t i, k = 0;

	for (i = 0; i < o->nurls; i++)
		all[k++] = o->urls[i];
	for (i = 0; i < o->nmachine_configs; i++)
		all[k++] = nd_arena_printf(a, "machineconfig://%s",
		    o->machine_configs[i]);
	for (i = 0; i < d->n; i++)
		all[k++] = d->urls[i];
	*n = k;
	return all;
}

/* The progress line: stderr, a terminal only, erased at the end. */
static void
progress_line(size_t done, size_t total, size_t running)
{
	if (done >= total && running == 0) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\rnetdoctor: %zu of %zu probes done, %zu running\033[K",
	    done, total, running);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	/* Many concurrent probes need fds; the soft limit is often 1024. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* `probe NAME TARGET`: NAME and everything below it in TARGET's chain. */
static int
probe_only(struct nd_arena *a, struct nd_options *o, char *err, size_t len)
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

static int
write_report(const struct nd_report *r, const struct nd_options *o,
    char *err, size_t len)
{
	const struct nd_reporter *rep = nd_reporter_find(o->format);
	char tmp[4096];
	FILE *f = stdout;
	int rc;

	if (o->output != NULL) {
		/* Write aside and rename: a failed run never leaves half a file. */
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", o->output,
		    (long)getpid());
		if ((f = fopen(tmp, "w")) == NULL) {
			snprintf(err, len, "-o %s: %s", o->output,
			    strerror(errno));
			return -errno;
		}
	}
	/* Large reports: a few big writes instead of thousands of 4 KiB ones. */
	(void)setvbuf(f, NULL, _IOFBF, 1 << 18);
	rc = rep->write(f, r);
	if (fflush(f) != 0 && rc == 0)
		rc = -errno;
	if (o->output != NULL) {
		if (fclose(f) != 0 && rc == 0)
			rc = -errno;
		if (rc == 0 && rename(tmp, o->output) < 0)
			rc = -errno;
		if (rc < 0)
			(void)unlink(tmp);
	}
	if (rc < 0)
		snprintf(err, len, "writing the report: %s", strerror(-rc));
	return rc;
}

/*
 * Credentials for the API probes, only when a target needs them:
 * --talosconfig, then netdoctor.yaml, then the usual places (talos-wire.md
 * 4); the same for the kubeconfig.  A file that exists but cannot be used
 * is an error (exit 3): probing with half a config would mislead.
 */
/*
 * Machine configs are input like netdoctor.yaml: a file that cannot be
 * used is an exit-3 error naming the file and line, before anything runs.
 */
static int
load_machine_configs(struct nd_arena *a, struct nd_inventory *inv, char *err,
    size_t len)
{
	struct nd_target *t;
	size_t i;

	for (i = 0; i < inv->ntargets; i++) {
		t = inv->targets[i];
		if (t->scheme != ND_S_MACHINECONFIG)
			continue;
		if (nd_mc_load(a, t->path, &t->mcs, err, len) < 0)
			return -1;
		if (t->mcs[0] == NULL) {
			snprintf(err, len, "%s: no Talos machine config in it (no "
			    "document with version: v1alpha1)", t->path);
			return -1;
		}
	}
	return 0;
}

/*
 * The address plan (addrplan://): every range the inputs name.  Added as
 * a target when there is something to audit beyond Docker's own networks,
 * or filled in when the command line asked for addrplan:// itself.
 */
static int
build_plan(struct nd_arena *a, struct nd_inventory *inv,
    const struct nd_config *cfg, const struct nd_docker *dk,
    const struct nd_manifests *mfs, size_t nmfs, char *err, size_t len)
{
	struct nd_addrplan *plan = nd_arena_alloc(a, sizeof(*plan));
	struct nd_target *t = NULL;
	struct nd_docker fetched;
	const char *sock = NULL;
	bool audit = false;
	size_t i, k;

	nd_addrplan_from_config(a, plan, cfg);
	for (i = 0; i < nmfs; i++)
		nd_addrplan_from_manifests(a, plan, &mfs[i]);
	for (i = 0; i < inv->ntargets; i++) {
		struct nd_target *x = inv->targets[i];

		if (x->scheme == ND_S_ADDRPLAN)
			t = x;
		if (x->scheme == ND_S_DOCKER && sock == NULL)
			sock = x->path != NULL ? x->path :
			    nd_docker_socket(a, err, len);
		for (k = 0; x->mcs != NULL && x->mcs[k] != NULL; k++)
			nd_addrplan_from_mc(a, plan, x->mcs[k]);
	}
	audit = plan->n > 0;
	if (!audit && t == NULL)
		return 0;
	/* Docker's networks: from discovery, or asked now (bounded). */
	if (dk == NULL && sock != NULL && nd_docker_fetch(a, sock,
	    ND_DISCOVER_DOCKER_MS, &fetched, err, len) == 0)
		dk = &fetched;
	if (dk != NULL)
		nd_addrplan_from_docker(a, plan, dk);
	err[0] = '\0';	/* the docker probe reports Docker's errors */
	if (t == NULL) {
		if (nd_target_parse(a, "addrplan://", "the ranges of the other "
		    "targets", &t, err, len) != 0)
			return -1;
		t->index = inv->ntargets;
		inv->targets = nd_arena_grow(a, inv->targets, inv->ntargets,
		    inv->ntargets + 1, sizeof(*inv->targets));
		inv->targets[inv->ntargets++] = t;
	}
	t->plan = plan;
	return 0;
}

static int
load_creds(struct nd_arena *a, const struct nd_options *o,
    const struct nd_config *cfg, const struct nd_inventory *inv,
    struct nd_creds_set *cs, char *err, size_t len)
{
	struct nd_talos_creds *tc;
	struct nd_kube_creds *kc;
	const char *path;
	bool talos = false, kube = false;
	size_t i;

	for (i = 0; i < inv->ntargets; i++) {
		talos |= inv->targets[i]->scheme == ND_S_TALOS;
		kube |= inv->targets[i]->scheme == ND_S_K8S;
	}
	if (talos) {
		path = o->talosconfig != NULL ? o->talosconfig :
		    cfg != NULL && cfg->talosconfig != NULL ? cfg->talosconfig :
		    nd_talosconfig_default(a);
		if (path != NULL) {
			tc = nd_arena_alloc(a, sizeof(*tc));
			if (nd_talos_creds_load(a, path, cfg != NULL ?
			    cfg->talos_context : NULL, tc, err, len) < 0)
				return -EINVAL;
			cs->talos = tc;
		}
	}
	if (kube) {
		path = o->kubeconfig != NULL ? o->kubeconfig :
		    cfg != NULL && cfg->kubeconfig != NULL ? cfg->kubeconfig :
		    nd_kubeconfig_default(a);
		if (path != NULL) {
			kc = nd_arena_alloc(a, sizeof(*kc));
			if (nd_kube_creds_load(a, path, cfg != NULL ?
			    cfg->kube_context : NULL, kc, err, len) < 0)
				return -EINVAL;
			cs->kube = kc;
		}
	}
	return 0;
}

static int
run(struct nd_arena *a, struct nd_options *o, char *err, size_t len)
{
	struct nd_config cfg, *cfgp = NULL;
	struct nd_inventory inv;
	struct nd_loop *loop = NULL;
	struct nd_engine *eng = NULL;
	struct nd_run run;
	struct nd_creds_set creds = { NULL, NULL };
	struct nd_discovery disc;
	bool discovered = false;
	struct nd_manifests *mfs = NULL;
	struct nd_report rep;
	size_t i;
	const char *const *urls = o->urls;
	size_t nurls = o->nurls;
	time_t started = time(NULL);
	int rc;

	if (o->cmd == ND_CMD_PROBE && (rc = probe_only(a, o, err, len)) < 0)
		return ND_EXIT_UNKNOWN;
	if (o->config == NULL && nurls == 0 && o->nmachine_configs == 0 &&
	    access("netdoctor.yaml", F_OK) == 0)
		o->config = "netdoctor.yaml";
	if (o->config != NULL) {
		if (nd_config_load(a, o->config, &cfg, err, len) < 0)
			return ND_EXIT_UNKNOWN;
		cfgp = &cfg;
		if (!o->timeout_set && cfg.timeout_ms > 0)
			o->timeout_ms = cfg.timeout_ms;
	}
	memset(&disc, 0, sizeof(disc));
	if (cfgp == NULL && nurls == 0 && o->nmachine_configs == 0 &&
	    o->nmanifests == 0) {
		nd_discover(a, &disc);
		discovered = true;
	} else if (load_manifests(a, o, cfgp, &mfs, &disc, err, len) < 0)
		return ND_EXIT_UNKNOWN;
	if (disc.nnotes > 0 && !o->print_plan)
		derived_notes(&disc, discovered);
	urls = all_urls(a, o, &disc, &nurls);
	if (nd_inventory_build(a, urls, nurls, cfgp, &inv, err, len) < 0)
		return ND_EXIT_UNKNOWN;
	/* The derived targets come last, one per URL, in order. */
	for (i = 0; i < disc.n && nurls - disc.n + i < inv.ntargets; i++)
		inv.targets[nurls - disc.n + i]->origin = disc.origins[i];
	if (load_machine_configs(a, &inv, err, len) < 0 ||
	    build_plan(a, &inv, cfgp, disc.docker, mfs, o->nmanifests, err,
	    len) < 0)
		return ND_EXIT_UNKNOWN;
	if (inv.ntargets == 0) {
		snprintf(err, len, "nothing to check: %s has no targets",
		    o->config != NULL ? o->config : "the command line");
		return ND_EXIT_UNKNOWN;
	}
	if (o->print_plan) {
		nd_plan_print(stdout, &inv, o, discovered ? "Discovery (nothing "
		    "was named on the command line)" : "Derived", disc.nnotes >
		    0 ? disc.notes : NULL, disc.nnotes);
		return fflush(stdout) == 0 ? ND_EXIT_OK : ND_EXIT_UNKNOWN;
	}
	if (load_creds(a, o, cfgp, &inv, &creds, err, len) < 0)
		return ND_EXIT_UNKNOWN;
	memset(&run, 0, sizeof(run));
	rc = ND_EXIT_UNKNOWN;
	if ((loop = nd_loop_new()) == NULL) {
		snprintf(err, len, "cannot create the event loop: %s",
		    strerror(errno));
		goto out;
	}
	run.arena = a;
	run.loop = loop;
	run.timeout_ms = o->timeout_ms;
	run.budget_ms = o->budget_ms;
	run.max_inflight = o->max_inflight;
	run.listen_ms = o->listen_ms;
	run.only = o->only;
	run.skip = o->skip;
	run.warn = o->have_warn ? &o->warn : NULL;
	run.crit = o->have_crit ? &o->crit : NULL;
	run.creds = &creds;
	run.progress = o->cmd != ND_CMD_CHECK && isatty(STDERR_FILENO) ?
	    progress_line : NULL;
	if ((eng = nd_engine_new(&run)) == NULL) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	if (nd_engine_plan(eng, &inv, err, len) < 0)
		goto out;
	/*
	 * Capture handles are open now (prepare); nothing later needs a
	 * privilege, so none is kept while peers' frames are parsed.
	 */
	if ((nd_engine_prepare(eng) > 0 || o->user != NULL) &&
	    nd_privs_drop(o->user, err, len) < 0)
		goto out;
	if ((rc = nd_engine_run(eng)) < 0) {
		snprintf(err, len, "the run stopped: %s", strerror(-rc));
		rc = ND_EXIT_UNKNOWN;
		goto out;
	}
	nd_report_build(a, eng, &inv, o, started, &rep);
	rc = ND_EXIT_UNKNOWN;
	if (write_report(&rep, o, err, len) < 0)
		goto out;
	rc = rep.exit_code;
	err[0] = '\0';
out:
	nd_engine_free(eng);
	nd_http_free(run.http);
	nd_dnsq_free(run.dnsq);
	nd_loop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	struct nd_options o;
	struct nd_arena *a;
	char err[1024] = "";
	int rc;

	signal(SIGPIPE, SIG_IGN);
	a = nd_arena_new();
	if (nd_cli_parse(a, argc, argv, &o, err, sizeof(err)) < 0) {
		nd_one_line(err);
		fprintf(stderr, "netdoctor: %s\n", err);
		fputs("try 'netdoctor --help'\n", stderr);
		nd_arena_free(a);
		exit(ND_EXIT_UNKNOWN);
	}
	switch (o.cmd) {
	case ND_CMD_HELP:
		nd_cli_usage(stdout);
		rc = ND_EXIT_OK;
		break;
	case ND_CMD_VERSION:
		printf("netdoctor %s\n", ND_VERSION);
		rc = ND_EXIT_OK;
		break;
	case ND_CMD_LIST:
		rc = nd_cli_list(stdout) < 0 ? ND_EXIT_UNKNOWN : ND_EXIT_OK;
		break;
	case ND_CMD_EXPLAIN:
		rc = nd_cli_explain(stdout, stderr, o.explain_id) < 0 ?
		    ND_EXIT_UNKNOWN : ND_EXIT_OK;
		break;
	default:
		raise_nofile();
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS ||
		    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fputs("netdoctor: cannot initialise c-ares\n", stderr);
			rc = ND_EXIT_UNKNOWN;
			break;
		}
		rc = run(a, &o, err, sizeof(err));
		if (err[0] != '\0') {
			nd_one_line(err);
			fprintf(stderr, "netdoctor: %s\n", err);
		}
		curl_global_cleanup();
		ares_library_cleanup();
		break;
	}
	nd_arena_free(a);
	fflush(stdout);
	exit(rc);
}
