/*
 * docker.h - what the Docker Engine API says about containers and
 * networks, read over its unix socket with libcurl (docs/talos.md 7: how
 * `talosctl cluster create` lays out Talos in Docker).
 *
 * Two users: discovery (core/discover.c), which asks synchronously before
 * a run to turn Talos containers into targets, and the docker probe, which
 * asks on the run's loop.  Both use the same request setup and the same
 * bounded, defensive parser, so they cannot disagree about a container.
 */
#ifndef ND_DOCKER_H
#define ND_DOCKER_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

struct nd_arena;
struct nd_http_body;

/* Bodies past this are refused (a daemon with thousands of containers
   answers in a few MiB; memory stays bounded whatever it sends). */
#define ND_DOCKER_MAX_BODY	(32u * 1024 * 1024)
/* Containers and networks kept from one answer. */
#define ND_DOCKER_MAX_ITEMS	20000

struct nd_dk_port {
	char		*ip;		/* host address, NULL: unpublished */
	unsigned	 priv;		/* container port */
	unsigned	 pub;		/* host port, 0 when unpublished */
	bool		 tcp;
};

struct nd_dk_endpoint {
	char		*network;	/* NetworkSettings.Networks key */
	char		*ip;		/* IPv4, NULL when none */
	char		*ip6;		/* GlobalIPv6Address, or NULL */
};

struct nd_dk_container {
	char		*id;		/* the first 12 hex digits */
	char		*name;		/* without the leading '/' */
	char		*image;
	char		*state;		/* "running", "exited", ... */
	char		*talos_cluster;	/* label talos.cluster.name */
	char		*talos_type;	/* label talos.type */
	bool		 talos;		/* label talos.owned=true, or the
					   siderolabs/talos image */
	char		*kind_cluster;	/* label io.x-k8s.kind.cluster */
	struct nd_dk_port *ports;
	size_t		 nports;
	struct nd_dk_endpoint *eps;
	size_t		 neps;
};

struct nd_dk_network {
	char		*name;
	char		*id;		/* the first 12 hex digits */
	char		*driver;
	char		*bridge;	/* the host interface of a bridge network:
					   the bridge.name option, else "br-"
					   + the id's first 12 digits */
	char		**subnets;	/* IPAM.Config[].Subnet, NULL-ended */
	char		*talos_cluster;	/* label talos.cluster.name */
};

struct nd_docker {
	const char	*socket;
	struct nd_dk_container **containers;	/* NULL-terminated */
	struct nd_dk_network **networks;	/* NULL-terminated */
};

/*
 * The socket to use: $DOCKER_HOST when it is unix://PATH, else
 * /var/run/docker.sock.  NULL with a reason in why when $DOCKER_HOST
 * names something else (tcp://, ssh://): netdoctor speaks only to a local
 * socket.
 */
const char	*nd_docker_socket(struct nd_arena *, char *why, size_t whylen);

/*
 * Prepares easy for GET http://docker/v1.41PATH on sock, the body going
 * to buf, with a timeout of timeout_ms.  buf must hold nothing (zeroed or
 * freed); it is bounded here to ND_DOCKER_MAX_BODY, its user frees it
 * with nd_http_body_free() and reads buf->over as "the answer was too
 * big".  API 1.41 is the oldest answer every Docker since 20.10 gives and
 * has every field used here.  *announced gets the Content-Length when
 * one arrives (-1 before): libcurl forgets it when it refuses a length
 * over the bound (CURLE_FILESIZE_EXCEEDED).
 */
void		 nd_docker_easy(CURL *easy, const char *sock, const char *path,
		    struct nd_http_body *buf, long timeout_ms, char *errbuf,
		    curl_off_t *announced);

/*
 * Parsers for GET /containers/json and GET /networks bodies.  Return 0,
 * or -EINVAL with one line in err ("containers: item 3: Ports: expected
 * a list") for a body that is not what the Engine API sends.  Wrong
 * types are errors, unknown fields are ignored.  Arena-owned results.
 */
int		 nd_docker_parse_containers(struct nd_arena *, const char *body,
		    size_t len, struct nd_dk_container ***ret, char *err,
		    size_t errlen);
int		 nd_docker_parse_networks(struct nd_arena *, const char *body,
		    size_t len, struct nd_dk_network ***ret, char *err,
		    size_t errlen);

/*
 * The daemon's {"message": ...} of an error answer, or NULL: bounded to
 * one safe line.
 */
const char	*nd_docker_message(struct nd_arena *, const char *body,
		    size_t len);

/*
 * Asks sock for containers and networks, one request after the other,
 * each within timeout_ms (for discovery, before any probe runs).
 * Returns 0, or -errno with one line in err.
 */
int		 nd_docker_fetch(struct nd_arena *, const char *sock,
		    long timeout_ms, struct nd_docker *ret, char *err,
		    size_t errlen);

/*
 * The host side of container port priv/tcp: fills *ip ("127.0.0.1" for
 * a wildcard binding, which is reachable there) and *pub.  false when
 * the port is not published.
 */
bool		 nd_dk_published(const struct nd_dk_container *, unsigned priv,
		    const char **ip, unsigned *pub);

/* Whether c exposes priv/tcp at all (published or not). */
bool		 nd_dk_exposes(const struct nd_dk_container *, unsigned priv);

#endif /* ND_DOCKER_H */
