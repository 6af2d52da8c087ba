/*
 * docker.c - the Docker Engine API over its unix socket: request setup,
 * bounded bodies, and a defensive parser of the container and network
 * lists (the fields netdoctor uses; every other field is ignored).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "arena.h"
#include "docker.h"
#include "http.h"
#include "nd.h"
#include "netaddr.h"
#include "util.h"

#define DOCKER_SOCK	"/var/run/docker.sock"

const char *
nd_docker_socket(struct nd_arena *a, char *why, size_t whylen)
{
	const char *h = getenv("DOCKER_HOST");

	if (h == NULL || *h == '\0')
		return DOCKER_SOCK;
	if (strncmp(h, "unix://", 7) == 0 && h[7] == '/')
		return nd_arena_strdup(a, h + 7);
	snprintf(why, whylen, "$DOCKER_HOST is %.*s: only a local unix:// "
	    "socket is supported", (int)strcspn(h, "\n\r"), h);
	return NULL;
}

/* CURLOPT_HEADERFUNCTION: keeps the Content-Length (RFC 9110 8.6). */
static size_t
docker_header(char *d, size_t size, size_t n, void *arg)
{
	static const char cl[] = "content-length:";
	curl_off_t *announced = arg;
	size_t len = size * n, i;
	long long v = 0;

	if (len <= sizeof(cl) - 1 || strncasecmp(d, cl, sizeof(cl) - 1) != 0)
		return len;
	for (i = sizeof(cl) - 1; i < len && d[i] == ' '; i++)
		;
	for (; i < len && d[i] >= '0' && d[i] <= '9' &&
	    v < INT64_MAX / 10 - 9; i++)
		v = v * 10 + (d[i] - '0');
	*announced = (curl_off_t)v;
	return len;
}

void
nd_docker_easy(CURL *easy, const char *sock, const char *path,
    struct nd_http_body *buf, long timeout_ms, char *errbuf,
    curl_off_t *announced)
{
	char url[256];

	nd_http_body_init(buf, ND_DOCKER_MAX_BODY);
	*announced = -1;
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, docker_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, announced);
	snprintf(url, sizeof(url), "http://docker/v1.41%s", path);
	curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ?
	    timeout_ms : 1L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "netdoctor/" ND_VERSION);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, nd_http_body_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, buf);
	/* A Content-Length over the bound fails at once (CURLE_FILESIZE_EXCEEDED)
	   instead of waiting for bytes netdoctor would not keep. */
	curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)ND_DOCKER_MAX_BODY);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
	/* Never follow a redirect off the socket. */
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http");
}

/* --- parsing ----------------------------------------------------------- */

/* A copy safe to print on one line (daemon data may hold anything). */
static char *
dsafe(struct nd_arena *a, const char *s)
{
	char *c = nd_arena_strdup(a, s);

	nd_one_line(c);
	return c;
}

struct dparse {
	struct nd_arena	*arena;
	char		*err;
	size_t		 errlen;
	const char	*what;		/* "containers" */
	size_t		 item;
};

static int derr(struct dparse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
derr(struct dparse *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->err, d->errlen, "Docker API %s: item %zu: %s", d->what,
	    d->item, msg);
	return -EINVAL;
}

/* An optional string member; a present non-string is an error. */
static int
dstr(struct dparse *d, json_t *o, const char *key, char **ret)
{
	json_t *v = json_object_get(o, key);

	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return derr(d, "%s: expected a string", key);
	*ret = dsafe(d->arena, json_string_value(v));
	return 0;
}

static int
dport(struct dparse *d, json_t *o, const char *key, unsigned *ret)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	*ret = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 ||
	    n > 65535)
		return derr(d, "%s: expected a port number", key);
	*ret = (unsigned)n;
	return 0;
}

static bool
dvalid_ip(const char *s)
{
	struct nd_pfx p;

	return nd_pfx_parse(s, ND_PFX_ADDR, &p) == 0;
}

/* Labels: an object of strings, or null. */
static int
dlabel(struct dparse *d, json_t *o, const char *key, char **ret)
{
	json_t *l = json_object_get(o, "Labels");

	*ret = NULL;
	if (l == NULL || json_is_null(l))
		return 0;
	if (!json_is_object(l))
		return derr(d, "Labels: expected an object");
	return dstr(d, l, key, ret);
}

static char *
dshort_id(struct dparse *d, const char *id)
{
	return id != NULL ? nd_arena_printf(d->arena, "%.12s", id) : NULL;
}

static int
dcontainer_ports(struct dparse *d, json_t *o, struct nd_dk_container *c)
{
	json_t *ports = json_object_get(o, "Ports"), *p;
	char *type;
	size_t i;
	int rc;

	if (ports == NULL || json_is_null(ports))
		return 0;
	if (!json_is_array(ports))
		return derr(d, "Ports: expected a list");
	if (json_array_size(ports) > 65536 * 4)
		return derr(d, "Ports: more entries than a host has ports");
	c->ports = nd_arena_alloc(d->arena, (json_array_size(ports) + 1) *
	    sizeof(*c->ports));
	json_array_foreach(ports, i, p) {
		struct nd_dk_port *dp = &c->ports[c->nports];

		if (!json_is_object(p))
			return derr(d, "Ports[%zu]: expected an object", i);
		if ((rc = dport(d, p, "PrivatePort", &dp->priv)) != 0 ||
		    (rc = dport(d, p, "PublicPort", &dp->pub)) != 0 ||
		    (rc = dstr(d, p, "IP", &dp->ip)) != 0 ||
		    (rc = dstr(d, p, "Type", &type)) != 0)
			return rc;
		if (dp->ip != NULL && !dvalid_ip(dp->ip))
			return derr(d, "Ports[%zu].IP: not an IP address", i);
		if (dp->pub == 0)
			dp->ip = NULL;
		dp->tcp = type == NULL || strcmp(type, "tcp") == 0;
		c->nports++;
	}
	return 0;
}

static int
dcontainer_nets(struct dparse *d, json_t *o, struct nd_dk_container *c)
{
	json_t *ns = json_object_get(o, "NetworkSettings"), *nets, *n;
	const char *name;
	int rc;

	if (ns == NULL || json_is_null(ns))
		return 0;
	if (!json_is_object(ns))
		return derr(d, "NetworkSettings: expected an object");
	nets = json_object_get(ns, "Networks");
	if (nets == NULL || json_is_null(nets))
		return 0;
	if (!json_is_object(nets))
		return derr(d, "NetworkSettings.Networks: expected an object");
	c->eps = nd_arena_alloc(d->arena, (json_object_size(nets) + 1) *
	    sizeof(*c->eps));
	json_object_foreach(nets, name, n) {
		struct nd_dk_endpoint *e = &c->eps[c->neps];

		if (!json_is_object(n))
			return derr(d, "NetworkSettings.Networks.%.64s: expected "
			    "an object", name);
		e->network = dsafe(d->arena, name);
		if ((rc = dstr(d, n, "IPAddress", &e->ip)) != 0 ||
		    (rc = dstr(d, n, "GlobalIPv6Address", &e->ip6)) != 0)
			return rc;
		if (e->ip != NULL && *e->ip == '\0')
			e->ip = NULL;
		if (e->ip6 != NULL && *e->ip6 == '\0')
			e->ip6 = NULL;
		if ((e->ip != NULL && !dvalid_ip(e->ip)) ||
		    (e->ip6 != NULL && !dvalid_ip(e->ip6)))
			return derr(d, "NetworkSettings.Networks.%.64s: not an "
			    "IP address", name);
		c->neps++;
	}
	return 0;
}

static int
dcontainer(struct dparse *d, json_t *o, struct nd_dk_container *c)
{
	json_t *names;
	char *id, *owned;
	int rc;

	if (!json_is_object(o))
		return derr(d, "expected an object");
	if ((rc = dstr(d, o, "Id", &id)) != 0 ||
	    (rc = dstr(d, o, "Image", &c->image)) != 0 ||
	    (rc = dstr(d, o, "State", &c->state)) != 0 ||
	    (rc = dlabel(d, o, "talos.owned", &owned)) != 0 ||
	    (rc = dlabel(d, o, "talos.cluster.name", &c->talos_cluster)) != 0 ||
	    (rc = dlabel(d, o, "talos.type", &c->talos_type)) != 0 ||
	    (rc = dlabel(d, o, "io.x-k8s.kind.cluster", &c->kind_cluster)) != 0)
		return rc;
	c->id = dshort_id(d, id);
	names = json_object_get(o, "Names");
	if (names != NULL && !json_is_null(names)) {
		json_t *n0;

		if (!json_is_array(names))
			return derr(d, "Names: expected a list");
		n0 = json_array_get(names, 0);
		if (n0 != NULL && !json_is_string(n0))
			return derr(d, "Names[0]: expected a string");
		if (n0 != NULL) {
			const char *s = json_string_value(n0);

			c->name = dsafe(d->arena, s + (*s == '/'));
		}
	}
	if (c->name == NULL)
		c->name = c->id != NULL ? c->id : "(unnamed)";
	c->talos = (owned != NULL && strcmp(owned, "true") == 0) ||
	    (c->image != NULL && strstr(c->image, "siderolabs/talos") != NULL);
	if ((rc = dcontainer_ports(d, o, c)) != 0)
		return rc;
	return dcontainer_nets(d, o, c);
}

static json_t *
dload(struct dparse *d, const char *body, size_t len)
{
	json_error_t je;
	json_t *root;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(d->err, d->errlen, "Docker API %s: not JSON: %s "
		    "(line %d)", d->what, je.text, je.line);
		nd_one_line(d->err);
		return NULL;
	}
	if (!json_is_array(root)) {
		snprintf(d->err, d->errlen, "Docker API %s: expected a list",
		    d->what);
		json_decref(root);
		return NULL;
	}
	if (json_array_size(root) > ND_DOCKER_MAX_ITEMS) {
		snprintf(d->err, d->errlen, "Docker API %s: %zu items, more "
		    "than the %d netdoctor reads", d->what,
		    json_array_size(root), ND_DOCKER_MAX_ITEMS);
		json_decref(root);
		return NULL;
	}
	return root;
}

/*
 * A list of objects, each parsed by one() into an arena object of size
 * bytes: *ret is the NULL-terminated array of them.
 */
static int
dlist(struct dparse *d, const char *body, size_t len, size_t size,
    int (*one)(struct dparse *, json_t *, void *), void ***ret)
{
	void **v;
	json_t *root, *o;
	int rc = 0;

	if ((root = dload(d, body, len)) == NULL)
		return -EINVAL;
	v = nd_arena_alloc(d->arena, (json_array_size(root) + 1) * sizeof(*v));
	json_array_foreach(root, d->item, o) {
		v[d->item] = nd_arena_alloc(d->arena, size);
		if ((rc = one(d, o, v[d->item])) != 0)
			goto out;
	}
	*ret = v;
out:
	json_decref(root);
	if (rc != 0)	/* names and jansson's text quote the input */
		nd_one_line(d->err);
	return rc;
}

static int
dcontainer_any(struct dparse *d, json_t *o, void *c)
{
	return dcontainer(d, o, c);
}

int
nd_docker_parse_containers(struct nd_arena *a, const char *body, size_t len,
    struct nd_dk_container ***ret, char *err, size_t errlen)
{
	struct dparse d = { a, err, errlen, "containers", 0 };

	return dlist(&d, body, len, sizeof(struct nd_dk_container),
	    dcontainer_any, (void ***)ret);
}

static int
dnetwork(struct dparse *d, json_t *o, struct nd_dk_network *n)
{
	json_t *ipam, *cfg, *c, *opts;
	char *id, *br = NULL;
	size_t i, k = 0;
	int rc;

	if (!json_is_object(o))
		return derr(d, "expected an object");
	if ((rc = dstr(d, o, "Name", &n->name)) != 0 ||
	    (rc = dstr(d, o, "Id", &id)) != 0 ||
	    (rc = dstr(d, o, "Driver", &n->driver)) != 0 ||
	    (rc = dlabel(d, o, "talos.cluster.name", &n->talos_cluster)) != 0)
		return rc;
	if (n->name == NULL)
		return derr(d, "Name: missing");
	n->id = dshort_id(d, id);
	opts = json_object_get(o, "Options");
	if (opts != NULL && !json_is_null(opts)) {
		if (!json_is_object(opts))
			return derr(d, "Options: expected an object");
		if ((rc = dstr(d, opts, "com.docker.network.bridge.name",
		    &br)) != 0)
			return rc;
	}
	if (n->driver != NULL && strcmp(n->driver, "bridge") == 0)
		n->bridge = br != NULL ? br : n->id != NULL ?
		    nd_arena_printf(d->arena, "br-%s", n->id) : NULL;
	n->subnets = nd_arena_alloc(d->arena, sizeof(*n->subnets));
	ipam = json_object_get(o, "IPAM");
	if (ipam == NULL || json_is_null(ipam))
		return 0;
	if (!json_is_object(ipam))
		return derr(d, "IPAM: expected an object");
	cfg = json_object_get(ipam, "Config");
	if (cfg == NULL || json_is_null(cfg))
		return 0;
	if (!json_is_array(cfg) || json_array_size(cfg) > 256)
		return derr(d, "IPAM.Config: expected a list");
	n->subnets = nd_arena_alloc(d->arena, (json_array_size(cfg) + 1) *
	    sizeof(*n->subnets));
	json_array_foreach(cfg, i, c) {
		char *s;

		if (!json_is_object(c))
			return derr(d, "IPAM.Config[%zu]: expected an object", i);
		if ((rc = dstr(d, c, "Subnet", &s)) != 0)
			return rc;
		if (s != NULL) {
			struct nd_pfx p;

			if (nd_pfx_parse(s, ND_PFX_CIDR, &p) != 0)
				return derr(d, "IPAM.Config[%zu].Subnet: not a "
				    "subnet", i);
			n->subnets[k++] = s;
		}
	}
	return 0;
}

static int
dnetwork_any(struct dparse *d, json_t *o, void *n)
{
	return dnetwork(d, o, n);
}

int
nd_docker_parse_networks(struct nd_arena *a, const char *body, size_t len,
    struct nd_dk_network ***ret, char *err, size_t errlen)
{
	struct dparse d = { a, err, errlen, "networks", 0 };

	return dlist(&d, body, len, sizeof(struct nd_dk_network), dnetwork_any,
	    (void ***)ret);
}

const char *
nd_docker_message(struct nd_arena *a, const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL), *m;
	const char *ret = NULL;

	if (root != NULL && (m = json_object_get(root, "message")) != NULL &&
	    json_is_string(m))
		ret = nd_arena_printf(a, "%.200s", dsafe(a,
		    json_string_value(m)));
	json_decref(root);
	return ret;
}

/* --- synchronous fetch (discovery) ------------------------------------ */

static int
docker_get(struct nd_arena *a, CURL *easy, const char *sock, const char *path,
    long timeout_ms, struct nd_http_body *buf, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *msg;
	curl_off_t announced;
	long http = 0;
	CURLcode cc;

	curl_easy_reset(easy);
	nd_docker_easy(easy, sock, path, buf, timeout_ms, errbuf, &announced);
	cc = curl_easy_perform(easy);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http);
	if (buf->over || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s: GET %s: the answer is over %u MiB; "
		    "netdoctor stopped reading", sock, path,
		    ND_DOCKER_MAX_BODY >> 20);
		return -EFBIG;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s: GET %s: %s", sock, path,
		    cc == CURLE_OPERATION_TIMEDOUT ? "no answer in time" :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
		return cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
	}
	if (http != 200) {
		msg = nd_docker_message(a, buf->buf, buf->len);
		snprintf(err, errlen, "%s: GET %s: HTTP %ld%s%s", sock, path,
		    http, msg != NULL ? ": " : "", msg != NULL ? msg : "");
		return -EIO;
	}
	return 0;
}

int
nd_docker_fetch(struct nd_arena *a, const char *sock, long timeout_ms,
    struct nd_docker *ret, char *err, size_t errlen)
{
	struct nd_http_body cb = { 0 }, nb = { 0 };
	struct nd_docker d = { sock, NULL, NULL };
	CURL *easy;
	int rc;

	if (nd_http_global_init() < 0 || (easy = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((rc = docker_get(a, easy, sock, "/containers/json", timeout_ms,
	    &cb, err, errlen)) != 0 ||
	    (rc = docker_get(a, easy, sock, "/networks", timeout_ms, &nb, err,
	    errlen)) != 0)
		goto out;
	if ((rc = nd_docker_parse_containers(a, cb.buf, cb.len,
	    &d.containers, err, errlen)) != 0 ||
	    (rc = nd_docker_parse_networks(a, nb.buf, nb.len, &d.networks,
	    err, errlen)) != 0)
		goto out;
	*ret = d;
out:
	curl_easy_cleanup(easy);
	nd_http_body_free(&cb);
	nd_http_body_free(&nb);
	return rc;
}

bool
nd_dk_published(const struct nd_dk_container *c, unsigned priv,
    const char **ip, unsigned *pub)
{
	size_t i;

	for (i = 0; i < c->nports; i++) {
		const struct nd_dk_port *p = &c->ports[i];

		if (p->priv != priv || !p->tcp || p->pub == 0)
			continue;
		*pub = p->pub;
		*ip = p->ip == NULL || strcmp(p->ip, "0.0.0.0") == 0 ||
		    strcmp(p->ip, "::") == 0 ? "127.0.0.1" : p->ip;
		return true;
	}
	return false;
}

bool
nd_dk_exposes(const struct nd_dk_container *c, unsigned priv)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (c->ports[i].priv == priv && c->ports[i].tcp)
			return true;
	return false;
}
