/*
 * inputs.c - the inputs of one run, in one place (see inputs.h).  The
 * order of the targets is the order of the sources: the command line's
 * targets, then --machine-config, then the derived ones (discovery or
 * --manifests), then netdoctor.yaml's targets and sections.  Each target
 * carries its origin from the start, so the report can say where it came
 * from ("netdoctor.yaml:3", "docker container talos-cp-1").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "addrplan.h"
#include "arena.h"
#include "cfconfig.h"
#include "config.h"
#include "creds.h"
#include "discover.h"
#include "docker.h"
#include "inputs.h"
#include "inventory.h"
#include "manifests.h"
#include "mftargets.h"
#include "nodeip.h"
#include "options.h"
#include "target.h"
#include "tsapi.h"
#include "util.h"

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
		if (nd_mc_load(a, t->x->path, &nd_target_xw(a, t)->mcs, err,
		    len) < 0)
			return -1;
		if (t->x->mcs[0] == NULL) {
			snprintf(err, len, "%s: no Talos machine config in it (no "
			    "document with version: v1alpha1)", t->x->path);
			return -1;
		}
	}
	return 0;
}

/*
 * tailscale:// targets: a given path that exists but is not a socket is a
 * mistake in the input (exit 3 naming it); a missing one is the probe's
 * tailscale.not_running.  Each gets the IP literals of the other targets,
 * so that its probe judges the routes and peers the run needs.
 */
static int
prepare_tailscale(struct nd_arena *a, struct nd_inventory *inv, char *err,
    size_t len)
{
	struct nd_target *t;
	struct stat st;
	size_t i, k, n;

	for (i = 0; i < inv->ntargets; i++) {
		t = inv->targets[i];
		if (t->scheme != ND_S_TAILSCALE)
			continue;
		if (t->x->path != NULL && stat(t->x->path, &st) == 0 &&
		    !S_ISSOCK(st.st_mode)) {
			snprintf(err, len, "%s: %s is not a socket (tailscaled's "
			    "LocalAPI socket is %s by default)", t->url,
			    t->x->path, ND_TS_SOCKET);
			return -1;
		}
		nd_target_xw(a, t)->others = nd_arena_alloc(a,
		    (inv->ntargets + 1) * sizeof(*t->x->others));
		for (k = 0, n = 0; k < inv->ntargets; k++)
			if (k != i && inv->targets[k]->host != NULL &&
			    inv->targets[k]->host_is_ip)
				t->x->others[n++] = inv->targets[k]->host;
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
			sock = x->x->path != NULL ? x->x->path :
			    nd_docker_socket(a, err, len);
		for (k = 0; x->x->mcs != NULL && x->x->mcs[k] != NULL; k++)
			nd_addrplan_from_mc(a, plan, x->x->mcs[k]);
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
	nd_target_xw(a, t)->plan = plan;
	return 0;
}

/*
 * The Gateway API audit (gateway://): added when --manifests found an
 * object with a status section, or filled in when the command line asked
 * for gateway:// itself, which with nothing to judge is an error.
 */
static int
build_gateway(struct nd_arena *a, struct nd_inventory *inv,
    struct nd_manifests *mfs, size_t nmfs, char *err, size_t len)
{
	struct nd_target *t = NULL;
	bool any = false;
	size_t i;

	for (i = 0; i < nmfs; i++)
		any |= nd_manifests_has_status(&mfs[i]);
	for (i = 0; i < inv->ntargets; i++)
		if (inv->targets[i]->scheme == ND_S_GATEWAY)
			t = inv->targets[i];
	if (!any) {
		if (t == NULL)
			return 0;
		snprintf(err, len, "gateway://: nothing to judge: no --manifests "
		    "holds a Gateway or route with a status section (kubectl "
		    "get gateway,httproute,grpcroute -A -o yaml >gw.yaml, then "
		    "--manifests gw.yaml)");
		return -1;
	}
	if (t == NULL) {
		if (nd_target_parse(a, "gateway://", "manifests: the Gateway "
		    "API status sections", &t, err, len) != 0)
			return -1;
		t->index = inv->ntargets;
		inv->targets = nd_arena_grow(a, inv->targets, inv->ntargets,
		    inv->ntargets + 1, sizeof(*inv->targets));
		inv->targets[inv->ntargets++] = t;
	}
	nd_target_xw(a, t)->manifests = mfs;
	nd_target_xw(a, t)->nmanifests = nmfs;
	return 0;
}

/*
 * cloudflared:// without a port on this host: the port cloudflared took
 * (the first of 20241-20245 that answers); when none answers, the first,
 * and the tcp probe says nothing listens there.
 */
static void
pick_cloudflared_ports(struct nd_inventory *inv)
{
	size_t i;
	unsigned port;

	for (i = 0; i < inv->ntargets; i++) {
		struct nd_target *t = inv->targets[i];

		if (t->scheme == ND_S_CLOUDFLARED && !t->cf_port_given &&
		    (port = nd_cf_metrics_port(t->host)) != 0)
			t->port = (uint16_t)port;
	}
}

/*
 * The sources' URLs and origins, in order: the command line's targets,
 * --machine-config F as machineconfig://F, then the derived ones.
 */
static size_t
source_urls(struct nd_arena *a, const struct nd_options *o,
    const struct nd_discovery *d, const char ***urls, const char ***origins)
{
	size_t n = o->nurls + o->nmachine_configs + d->n, i, k = 0;
	const char **u = nd_arena_alloc(a, (n + 1) * sizeof(*u));
	const char **w = nd_arena_alloc(a, (n + 1) * sizeof(*w));

	for (i = 0; i < o->nurls; i++, k++) {
		u[k] = o->urls[i];
		w[k] = "command line";
	}
	for (i = 0; i < o->nmachine_configs; i++, k++) {
		u[k] = nd_arena_printf(a, "machineconfig://%s",
		    o->machine_configs[i]);
		w[k] = "command line";
	}
	for (i = 0; i < d->n; i++, k++) {
		u[k] = d->urls[i];
		w[k] = d->origins[i];
	}
	*urls = u;
	*origins = w;
	return k;
}

int
nd_inputs_load(struct nd_arena *a, struct nd_options *o, struct nd_inputs *in,
    char *err, size_t len)
{
	struct nd_config *cfg = NULL;
	struct nd_manifests *mfs = NULL;
	struct nd_cfconfig *cf = NULL;
	const char **urls, **origins;
	size_t n, i;

	memset(in, 0, sizeof(*in));
	if (o->config == NULL && o->nurls == 0 && o->nmachine_configs == 0 &&
	    o->cloudflared_config == NULL && access("netdoctor.yaml", F_OK) == 0)
		o->config = "netdoctor.yaml";
	if (o->config != NULL) {
		cfg = nd_arena_alloc(a, sizeof(*cfg));
		if (nd_config_load(a, o->config, cfg, err, len) < 0)
			return -EINVAL;
		if (!o->timeout_set && cfg->timeout_ms > 0)
			o->timeout_ms = cfg->timeout_ms;
		in->cfg = cfg;
	}
	if (cfg == NULL && o->nurls == 0 && o->nmachine_configs == 0 &&
	    o->nmanifests == 0 && o->cloudflared_config == NULL) {
		nd_discover(a, &in->disc);
		in->discovered = true;
	} else if (load_manifests(a, o, cfg, &mfs, &in->disc, err, len) < 0)
		return -EINVAL;
	/* Each ingress rule's service, checked from this host. */
	if (o->cloudflared_config != NULL) {
		cf = nd_arena_alloc(a, sizeof(*cf));
		if (nd_cfconfig_load(a, o->cloudflared_config, cf, err,
		    len) < 0)
			return -EINVAL;
		nd_cfconfig_targets(a, cf, cfg, &in->disc);
	}
	n = source_urls(a, o, &in->disc, &urls, &origins);
	if (nd_inventory_build(a, urls, origins, n, cfg, &in->inv, err,
	    len) < 0)
		return -EINVAL;
	if (cf != NULL)
		nd_cfconfig_annotate(a, cf, &in->inv);
	pick_cloudflared_ports(&in->inv);
	/* Then every target is the default's; the diagnosis says so. */
	for (i = 0; in->disc.used_default && i < in->inv.ntargets; i++)
		in->inv.targets[i]->builtin = true;
	if (load_machine_configs(a, &in->inv, err, len) < 0 ||
	    prepare_tailscale(a, &in->inv, err, len) < 0 ||
	    build_plan(a, &in->inv, cfg, in->disc.docker, mfs, o->nmanifests,
	    err, len) < 0 ||
	    build_gateway(a, &in->inv, mfs, o->nmanifests, err, len) < 0)
		return -EINVAL;
	if (in->inv.ntargets == 0) {
		snprintf(err, len, "nothing to check: %s has no targets",
		    o->config != NULL ? o->config : "the command line");
		return -EINVAL;
	}
	return 0;
}

int
nd_inputs_creds(struct nd_arena *a, const struct nd_options *o,
    struct nd_inputs *in, char *err, size_t len)
{
	const struct nd_config *cfg = in->cfg;
	const struct nd_inventory *inv = &in->inv;
	struct nd_creds_set *cs = &in->creds;
	struct nd_talos_creds *tc;
	struct nd_kube_creds *kc;
	const char *path;
	bool talos = false, kube = false;
	size_t i;

	for (i = 0; i < inv->ntargets; i++) {
		talos |= inv->targets[i]->scheme == ND_S_TALOS;
		kube |= nd_scheme_kube(inv->targets[i]->scheme);
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

/* What discovery looked at, on stderr before the report (one screen). */
void
nd_inputs_notes(const struct nd_inputs *in, FILE *f)
{
	const struct nd_discovery *d = &in->disc;
	size_t i;

	if (d->nnotes == 0)
		return;
	if (in->discovered)
		fprintf(f, "netdoctor: nothing named on the command line; "
		    "looked for:\n");
	for (i = 0; i < d->nnotes; i++) {
		fputs(in->discovered ? "  " : "netdoctor: ", f);
		nd_fputs_safe(d->notes[i], f);
		fputc('\n', f);
	}
}
