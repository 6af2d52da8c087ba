/*
 * probe_docker.c - docker://[SOCKET]: asks the Docker Engine API on its
 * unix socket (libcurl on the run's loop) for containers and networks, and
 * checks that every Talos cluster in it publishes its API ports to the
 * host (docs/talos.md 7): a control plane whose 50000 or 6443 is only on
 * its bridge IP is the "TCP to 10.5.0.2 hangs" incident.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "docker.h"
#include "http.h"
#include "probe.h"
#include "target.h"

enum docker_step { DOCKER_CONTAINERS, DOCKER_NETWORKS };

struct docker_ctx {
	const char		*sock;
	CURL			*easy;
	bool			 added;
	enum docker_step	 step;
	struct nd_http_body	 buf;
	char			 errbuf[CURL_ERROR_SIZE];
	curl_off_t		 announced;	/* Content-Length, -1 */
	struct nd_dk_container	**containers;
};

static const unsigned docker_api_ports[] = { 50000, 6443 };

static void
docker_release(struct nd_probe *p)
{
	struct docker_ctx *c = p->ctx;

	nd_http_easy_release(p, &c->easy, &c->added);
	nd_http_body_free(&c->buf);
}

static void
docker_cancel(struct nd_probe *p)
{
	docker_release(p);
}

static struct nd_finding *
docker_error(struct nd_probe *p, const char *why)
{
	struct docker_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_DOCKER_API_ERROR, "Docker at %s: %s",
	    c->sock, why);
	nd_evidence_add(f, "socket", "%s", c->sock);
	nd_evidence_add(f, "request", "%s", c->step == DOCKER_CONTAINERS ?
	    "GET /containers/json" : "GET /networks");
	nd_probe_done(p, ND_FAIL);
	return f;
}

static void docker_done(void *, CURLcode);

/*
 * The deadline passed: what had arrived by then, since "no answer" is
 * wrong for a daemon that is still sending its headers or its body.
 */
static const char *
docker_late(struct nd_probe *p)
{
	struct docker_ctx *c = p->ctx;
	curl_off_t cl = c->announced;
	long hdr = 0, http = 0;

	if (c->easy == NULL)
		return "no answer before the deadline";
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_getinfo(c->easy, CURLINFO_HEADER_SIZE, &hdr);
	if (http != 0 && cl >= 0)
		return nd_arena_printf(p->run->arena, "the answer (HTTP %ld) "
		    "announced %lld bytes, and %zu had arrived at the deadline",
		    http, (long long)cl, c->buf.len);
	if (http != 0 && c->buf.len > 0)
		return nd_arena_printf(p->run->arena, "the answer (HTTP %ld) "
		    "was still arriving at the deadline (%zu bytes so far)",
		    http, c->buf.len);
	if (hdr > 0 || http != 0)
		return nd_arena_printf(p->run->arena, "its headers were still "
		    "arriving at the deadline (%ld bytes of header lines, no "
		    "end of the headers)", hdr);
	return "no answer before the deadline";
}

static int
docker_request(struct nd_probe *p, enum docker_step step)
{
	struct docker_ctx *c = p->ctx;
	uint64_t now = nd_loop_now(p->run->loop), dl = nd_probe_deadline(p);
	struct nd_http *h;
	int rc;

	docker_release(p);
	c->step = step;
	c->errbuf[0] = '\0';
	if (nd_http_global_init() < 0 || (c->easy = curl_easy_init()) == NULL ||
	    (h = nd_http_get(p->run)) == NULL)
		return -ENOMEM;
	nd_docker_easy(c->easy, c->sock, step == DOCKER_CONTAINERS ?
	    "/containers/json" : "/networks", &c->buf,
	    dl > now ? (long)((dl - now) / 1000) : 1, c->errbuf,
	    &c->announced);
	if ((rc = nd_http_add(h, c->easy, docker_done, p)) < 0)
		return rc;
	c->added = true;
	return 0;
}

/* "talos-default-controlplane-1 10.5.0.2 (talos-default)
   127.0.0.1:33291->50000" */
static const char *
docker_describe(struct nd_arena *a, const struct nd_dk_container *k)
{
	const char *s = k->name;
	size_t i;

	for (i = 0; i < k->neps; i++)
		if (k->eps[i].ip != NULL)
			s = nd_arena_printf(a, "%s %s (%s)", s, k->eps[i].ip,
			    k->eps[i].network);
	for (i = 0; i < k->nports; i++)
		if (k->ports[i].pub != 0 && k->ports[i].tcp &&
		    (k->ports[i].ip == NULL || strchr(k->ports[i].ip, ':') ==
		    NULL))
			s = nd_arena_printf(a, "%s %s:%u->%u", s,
			    k->ports[i].ip != NULL ? k->ports[i].ip : "*",
			    k->ports[i].pub, k->ports[i].priv);
	return s;
}

static bool
docker_is_cp(const struct nd_dk_container *k)
{
	return k->talos && ((k->talos_type != NULL &&
	    (strcmp(k->talos_type, "controlplane") == 0 ||
	    strcmp(k->talos_type, "init") == 0)) ||
	    (k->talos_type == NULL && strstr(k->name, "controlplane") != NULL));
}

/*
 * One Talos cluster (containers with the same talos.cluster.name): for
 * each API port, some control plane must publish it.  Only the first does
 * since Talos 1.7, so the others not publishing is normal.
 */
static bool
docker_check_cluster(struct nd_probe *p, struct nd_dk_container **cs,
    const char *cluster)
{
	struct nd_dk_container *first = NULL;
	const char *ip;
	unsigned pub;
	size_t i, k;
	bool ok = true, published;

	for (k = 0; k < sizeof(docker_api_ports) / sizeof(docker_api_ports[0]);
	    k++) {
		published = false;
		first = NULL;
		for (i = 0; cs[i] != NULL; i++) {
			if (!docker_is_cp(cs[i]) || strcmp(cs[i]->talos_cluster !=
			    NULL ? cs[i]->talos_cluster : "", cluster) != 0)
				continue;
			if (first == NULL)
				first = cs[i];
			published |= nd_dk_published(cs[i], docker_api_ports[k],
			    &ip, &pub);
		}
		if (first == NULL || published)
			continue;
		{
			struct nd_finding *f;
			const struct nd_dk_endpoint *ep = first->neps > 0 ?
			    &first->eps[0] : NULL;

			f = nd_finding_add(p, ND_F_DOCKER_PORT_NOT_PUBLISHED,
			    "%s: Talos %s port %u is not published to the host"
			    "%s%s: reachable only inside the Docker network",
			    first->name, docker_api_ports[k] == 50000 ? "API" :
			    "Kubernetes API", docker_api_ports[k],
			    ep != NULL && ep->ip != NULL ? ", only on " : "",
			    ep != NULL && ep->ip != NULL ? ep->ip : "");
			nd_evidence_add(f, "container", "%s", first->name);
			nd_evidence_add(f, "container_id", "%s", first->id);
			if (first->image != NULL)
				nd_evidence_add(f, "image", "%s", first->image);
			nd_evidence_add(f, "cluster", "%s", cluster);
			nd_evidence_add(f, "port", "%u", docker_api_ports[k]);
			nd_evidence_add(f, "exposed", "%s",
			    nd_dk_exposes(first, docker_api_ports[k]) ?
			    "yes (EXPOSE, no -p)" : "no");
			if (ep != NULL && ep->ip != NULL) {
				nd_evidence_add(f, "container_ip", "%s", ep->ip);
				nd_finding_about_ip(f, ep->ip);
				nd_evidence_add(f, "network", "%s", ep->network);
			}
			ok = false;
		}
	}
	return ok;
}

static void
docker_judge(struct nd_probe *p, struct nd_dk_container **cs,
    struct nd_dk_network **ns)
{
	struct nd_arena *a = p->run->arena;
	struct docker_ctx *c = p->ctx;
	struct nd_finding *f;
	const char **seen = NULL;
	size_t i, j, nseen = 0, ncs = 0, ntalos = 0, nnets = 0;
	bool ok = true;

	for (i = 0; cs[i] != NULL; i++) {
		ncs++;
		if (!cs[i]->talos)
			continue;
		ntalos++;
		if (cs[i]->talos_cluster == NULL)
			cs[i]->talos_cluster = "";
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], cs[i]->talos_cluster) == 0)
				break;
		if (j < nseen)
			continue;
		seen = nd_arena_grow(a, seen, nseen, nseen + 1, sizeof(*seen));
		seen[nseen++] = cs[i]->talos_cluster;
		ok &= docker_check_cluster(p, cs, cs[i]->talos_cluster);
	}
	for (i = 0; ns[i] != NULL; i++)
		nnets++;
	if (!ok) {
		nd_probe_done(p, ND_FAIL);
		return;
	}
	f = nd_finding_add(p, ND_F_DOCKER_OK, "Docker at %s: %zu running "
	    "container%s, %zu of them Talos, %zu network%s", c->sock, ncs,
	    ncs == 1 ? "" : "s", ntalos, nnets, nnets == 1 ? "" : "s");
	nd_evidence_add(f, "socket", "%s", c->sock);
	for (i = 0, j = 0; cs[i] != NULL && j < 16; i++)
		if (cs[i]->talos || cs[i]->kind_cluster != NULL ||
		    cs[i]->nports > 0)
			nd_evidence_add(f, nd_arena_printf(a, "container.%zu",
			    ++j), "%s", docker_describe(a, cs[i]));
	for (i = 0, j = 0; ns[i] != NULL && j < 16; i++)
		if (ns[i]->subnets[0] != NULL)
			nd_evidence_add(f, nd_arena_printf(a, "network.%zu", ++j),
			    "%s %s%s%s", ns[i]->name, ns[i]->subnets[0],
			    ns[i]->bridge != NULL ? " on " : "",
			    ns[i]->bridge != NULL ? ns[i]->bridge : "");
	nd_probe_done(p, ND_PASS);
}

static void
docker_done(void *arg, CURLcode cc)
{
	struct nd_probe *p = arg;
	struct docker_ctx *c = p->ctx;
	struct nd_dk_network **ns;
	const char *msg;
	char err[320], why[400];
	long http = 0;
	int rc;

	if (p->status != ND_RUNNING)
		return;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
	if (c->buf.over) {
		snprintf(why, sizeof(why), "the answer is over %u MiB; "
		    "netdoctor stopped reading", ND_DOCKER_MAX_BODY >> 20);
		nd_evidence_add(docker_error(p, why), "body_over_bound", "%u",
		    ND_DOCKER_MAX_BODY);
		return;
	}
	if (cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(why, sizeof(why), "the answer announces %lld bytes "
		    "(Content-Length), over the %u MiB netdoctor reads; it "
		    "did not wait for them", (long long)c->announced,
		    ND_DOCKER_MAX_BODY >> 20);
		nd_evidence_add(docker_error(p, why), "content_length", "%lld",
		    (long long)c->announced);
		return;
	}
	if (cc != CURLE_OK) {
		docker_error(p, cc == CURLE_OPERATION_TIMEDOUT ?
		    docker_late(p) : c->errbuf[0] != '\0' ? c->errbuf :
		    curl_easy_strerror(cc));
		return;
	}
	if (http != 200) {
		msg = nd_docker_message(p->run->arena, c->buf.buf, c->buf.len);
		snprintf(why, sizeof(why), "answered HTTP %ld%s%s", http,
		    msg != NULL ? ": " : "", msg != NULL ? msg : "");
		docker_error(p, why);
		return;
	}
	if (c->step == DOCKER_CONTAINERS) {
		if (nd_docker_parse_containers(p->run->arena, c->buf.buf,
		    c->buf.len, &c->containers, err, sizeof(err)) < 0) {
			docker_error(p, err);
			return;
		}
		if ((rc = docker_request(p, DOCKER_NETWORKS)) < 0) {
			nd_probe_local_error(p, -rc, "start the Docker request");
			nd_probe_done(p, ND_ERROR);
		}
		return;
	}
	if (nd_docker_parse_networks(p->run->arena, c->buf.buf, c->buf.len,
	    &ns, err, sizeof(err)) < 0) {
		docker_error(p, err);
		return;
	}
	docker_judge(p, c->containers, ns);
}

static int
docker_start(struct nd_probe *p)
{
	struct docker_ctx *c = p->ctx;
	char why[256];

	c->sock = p->target->x->path != NULL ? p->target->x->path :
	    nd_docker_socket(p->run->arena, why, sizeof(why));
	if (c->sock == NULL) {
		c->sock = "$DOCKER_HOST";
		docker_error(p, why);
		return 0;
	}
	return docker_request(p, DOCKER_CONTAINERS);
}

static void
docker_expire(struct nd_probe *p)
{
	docker_error(p, docker_late(p));
}

const struct nd_probe_ops nd_probe_docker = {
	.name = "docker",
	.layer = ND_L_HOST,
	.ctx_size = sizeof(struct docker_ctx),
	.start = docker_start,
	.expire = docker_expire,
	.cancel = docker_cancel,
};
