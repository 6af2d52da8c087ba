/*
 * discover.c - the targets of a bare `netdoctor run`, each with its
 * origin, and a note per place looked at (see discover.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "arena.h"
#include "creds.h"
#include "discover.h"
#include "docker.h"
#include "target.h"
#include "tsapi.h"

/* The built-in default: a local Talos-in-Docker setup (docs/talos.md 7). */
static const char *const builtin[] = {
	"talos://127.0.0.1:50000", "k8s://127.0.0.1:6443",
	"port://6443", "port://50000",
};


void
nd_discovery_note(struct nd_arena *a, struct nd_discovery *d,
    const char *fmt, ...)
{
	va_list ap;

	d->notes = nd_arena_grow(a, d->notes, d->nnotes, d->nnotes + 2,
	    sizeof(*d->notes));
	va_start(ap, fmt);
	d->notes[d->nnotes++] = nd_arena_vprintf(a, fmt, ap);
	va_end(ap);
}

void
nd_discovery_add(struct nd_arena *a, struct nd_discovery *d, const char *url,
    char *origin)
{
	struct nd_target *t;
	char err[256];
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->urls[i], url) == 0)
			return;
	if (nd_target_parse(a, url, origin, &t, err, sizeof(err)) != 0) {
		nd_discovery_note(a, d, "%s: skipped: %s", origin, err);
		return;
	}
	d->urls = nd_arena_grow(a, d->urls, d->n, d->n + 2, sizeof(*d->urls));
	d->origins = nd_arena_grow(a, d->origins, d->n, d->n + 2,
	    sizeof(*d->origins));
	d->urls[d->n] = url;
	d->origins[d->n++] = origin;
}

static void
from_talosconfig(struct nd_arena *a, struct nd_discovery *d)
{
	struct nd_talos_creds tc;
	const char *path = nd_talosconfig_default(a), *env;
	char err[320];
	size_t i;

	if (path == NULL) {
		env = getenv("TALOSCONFIG");
		nd_discovery_note(a, d, "talosconfig: none (%s%s, "
		    "~/.talos/config not found)", env != NULL && *env != '\0' ?
		    "$TALOSCONFIG=" : "$TALOSCONFIG unset",
		    env != NULL ? env : "");
		return;
	}
	if (nd_talos_creds_load(a, path, NULL, &tc, err, sizeof(err)) < 0) {
		nd_discovery_note(a, d, "%s: cannot use it: %s", path, err);
		return;
	}
	for (i = 0; tc.endpoints != NULL && tc.endpoints[i] != NULL; i++)
		nd_discovery_add(a, d, nd_arena_printf(a, "talos://%s",
		    tc.endpoints[i]), nd_arena_printf(a, "talosconfig %s "
		    "(context %s)", path, tc.context));
	nd_discovery_note(a, d, "%s: context %s, %zu endpoint%s", path,
	    tc.context, i, i == 1 ? "" : "s");
}

static void
from_kubeconfig(struct nd_arena *a, struct nd_discovery *d)
{
	struct nd_kube_creds kc;
	const char *path = nd_kubeconfig_default(a), *env;
	char err[320];

	if (path == NULL) {
		env = getenv("KUBECONFIG");
		nd_discovery_note(a, d, "kubeconfig: none (%s%s, "
		    "~/.kube/config not found)", env != NULL && *env != '\0' ?
		    "$KUBECONFIG=" : "$KUBECONFIG unset",
		    env != NULL ? env : "");
		return;
	}
	if (nd_kube_creds_load(a, path, NULL, &kc, err, sizeof(err)) < 0) {
		nd_discovery_note(a, d, "%s: cannot use it: %s", path, err);
		return;
	}
	if (kc.server == NULL || strncmp(kc.server, "https://", 8) != 0) {
		nd_discovery_note(a, d, "%s: context %s has no https:// "
		    "server", path, kc.context);
		return;
	}
	nd_discovery_add(a, d, nd_arena_printf(a, "k8s://%s", kc.server + 8),
	    nd_arena_printf(a, "kubeconfig %s (context %s)", path, kc.context));
	nd_discovery_note(a, d, "%s: context %s, server %s", path, kc.context,
	    kc.server);
}

/* "127.0.0.1:33291" or "[::1]:33291" */
static const char *
hostport(struct nd_arena *a, const char *ip, unsigned port)
{
	return nd_arena_printf(a, strchr(ip, ':') != NULL ? "[%s]:%u" :
	    "%s:%u", ip, port);
}

/* Whether the bridge of Docker network name is an interface here. */
static bool
bridge_here(const struct nd_docker *dk, const char *name)
{
	size_t i;

	for (i = 0; dk->networks[i] != NULL; i++)
		if (strcmp(dk->networks[i]->name, name) == 0)
			return dk->networks[i]->bridge != NULL &&
			    if_nametoindex(dk->networks[i]->bridge) != 0;
	return false;
}

/* Whether a control plane of c's Talos cluster publishes 50000. */
static bool
cluster_published(const struct nd_docker *dk, const struct nd_dk_container *c)
{
	const char *ip;
	unsigned pub;
	size_t i;

	for (i = 0; dk->containers[i] != NULL; i++)
		if (dk->containers[i]->talos &&
		    strcmp(dk->containers[i]->talos_cluster != NULL ?
		    dk->containers[i]->talos_cluster : "", c->talos_cluster !=
		    NULL ? c->talos_cluster : "") == 0 &&
		    nd_dk_published(dk->containers[i], 50000, &ip, &pub))
			return true;
	return false;
}

static void
from_docker(struct nd_arena *a, struct nd_discovery *d)
{
	struct nd_docker dk;
	struct stat st;
	const char *sock, *ip;
	char *origin;
	char why[320];
	unsigned pub;
	size_t i, j, ntalos = 0;

	if ((sock = nd_docker_socket(a, why, sizeof(why))) == NULL) {
		nd_discovery_note(a, d, "docker: %s", why);
		return;
	}
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		nd_discovery_note(a, d, "docker: no socket at %s%s", sock,
		    getenv("DOCKER_HOST") == NULL ? " ($DOCKER_HOST unset)" :
		    "");
		return;
	}
	/* The docker probe reports what is wrong with the engine or its
	   Talos containers, whether or not the listing below works. */
	nd_discovery_add(a, d, nd_arena_printf(a, "docker://%s", sock),
	    nd_arena_printf(a, "docker %s", sock));
	if (nd_docker_fetch(a, sock, ND_DISCOVER_DOCKER_MS, &dk, why,
	    sizeof(why)) < 0) {
		nd_discovery_note(a, d, "docker: %s (the docker probe will "
		    "report it)", why);
		return;
	}
	d->docker = nd_arena_alloc(a, sizeof(*d->docker));
	*d->docker = dk;
	for (i = 0; dk.containers[i] != NULL; i++) {
		const struct nd_dk_container *c = dk.containers[i];

		if (!c->talos)
			continue;
		ntalos++;
		origin = nd_arena_printf(a, "docker container %s", c->name);
		if (nd_dk_published(c, 50000, &ip, &pub))
			nd_discovery_add(a, d, nd_arena_printf(a, "talos://%s",
			    hostport(a, ip, pub)), origin);
		if (nd_dk_published(c, 6443, &ip, &pub))
			nd_discovery_add(a, d, nd_arena_printf(a, "k8s://%s",
			    hostport(a, ip, pub)), origin);
		/*
		 * Its bridge IP, through the route probe: always when its
		 * cluster publishes no API (the bridge IP is all there is),
		 * else only when the bridge is on this host, so that a bridge
		 * this host cannot reach (Docker Desktop's VM, rootless
		 * Docker) is no false alarm while the published ports work.
		 * Since Talos 1.7 only the first control plane publishes.
		 */
		for (j = 0; j < c->neps; j++)
			if (c->eps[j].ip != NULL && c->talos_type != NULL &&
			    strcmp(c->talos_type, "worker") != 0 &&
			    (!cluster_published(&dk, c) ||
			    bridge_here(&dk, c->eps[j].network)))
				nd_discovery_add(a, d, nd_arena_printf(a,
				    "talos://%s", hostport(a, c->eps[j].ip,
				    50000)), nd_arena_printf(a, "docker "
				    "container %s on network %s", c->name,
				    c->eps[j].network));
	}
	for (i = 0; dk.containers[i] != NULL; i++)
		continue;
	nd_discovery_note(a, d, "docker: %s: %zu running container%s, %zu "
	    "Talos", sock, i, i == 1 ? "" : "s", ntalos);
}

/* tailscaled's socket: the tailscale probe says what is wrong with it. */
static void
from_tailscale(struct nd_arena *a, struct nd_discovery *d)
{
	struct stat st;

	if (stat(ND_TS_SOCKET, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		nd_discovery_note(a, d, "tailscale: no socket at %s",
		    ND_TS_SOCKET);
		return;
	}
	nd_discovery_add(a, d, "tailscale://", nd_arena_printf(a,
	    "tailscale %s", ND_TS_SOCKET));
	nd_discovery_note(a, d, "tailscale: %s", ND_TS_SOCKET);
}

unsigned
nd_cf_metrics_port(const char *ip)
{
	struct sockaddr_in sin;
	unsigned i;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (ip == NULL || inet_pton(AF_INET, ip, &sin.sin_addr) != 1 ||
	    (ntohl(sin.sin_addr.s_addr) >> 24) != 127)
		return 0;
	for (i = 0; i < ND_CF_METRICS_PORTS; i++) {
		sin.sin_port = htons((uint16_t)(ND_CF_METRICS_PORT0 + i));
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return 0;
		/* Loopback answers a SYN at once: accepted or refused. */
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(fd);
			return ND_CF_METRICS_PORT0 + i;
		}
		close(fd);
	}
	return 0;
}

/* A cloudflared on this host: its metrics server answers on loopback. */
static void
from_cloudflared(struct nd_arena *a, struct nd_discovery *d)
{
	unsigned port = nd_cf_metrics_port("127.0.0.1");

	if (port == 0) {
		nd_discovery_note(a, d, "cloudflared: no metrics server on "
		    "127.0.0.1:%u-%u", ND_CF_METRICS_PORT0,
		    ND_CF_METRICS_PORT0 + ND_CF_METRICS_PORTS - 1);
		return;
	}
	nd_discovery_add(a, d, nd_arena_printf(a, "cloudflared://127.0.0.1:%u",
	    port), nd_arena_printf(a, "cloudflared metrics server on "
	    "127.0.0.1:%u", port));
}

void
nd_discover(struct nd_arena *a, struct nd_discovery *ret)
{
	struct nd_discovery d;
	size_t i;

	memset(&d, 0, sizeof(d));
	nd_discovery_note(a, &d, "./netdoctor.yaml: not found");
	from_talosconfig(a, &d);
	from_kubeconfig(a, &d);
	from_docker(a, &d);
	from_tailscale(a, &d);
	from_cloudflared(a, &d);
	if (d.n == 0) {
		for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
			nd_discovery_add(a, &d, builtin[i], nd_arena_strdup(a,
			    "built-in default (a local Talos-in-Docker "
			    "setup)"));
		nd_discovery_note(a, &d, "found nothing to check: using the "
		    "built-in default of a local Talos-in-Docker setup");
		d.used_default = 1;
	}
	if (d.urls == NULL)
		d.urls = nd_arena_alloc(a, sizeof(*d.urls));
	*ret = d;
}
