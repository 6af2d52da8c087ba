/*
 * cfconfig.h - cloudflared's config.yml (--cloudflared-config FILE): the
 * tunnel's name, and for every ingress rule its hostname, path and
 * service, and the target that checks the service from this host.
 * cloudflared matches rules top to bottom and refuses a config whose last
 * rule does not match everything; so does this loader, naming the line.
 * The credentials file is named in the config but never opened: it holds
 * the tunnel's secret.
 */
#ifndef ND_CFCONFIG_H
#define ND_CFCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct nd_arena;
struct nd_config;
struct nd_discovery;
struct nd_inventory;

struct nd_cf_rule {
	int		 line;		/* the rule's first line */
	char		*hostname;	/* NULL: any host */
	char		*path;		/* a regex, NULL: any path */
	char		*service;	/* as written */
	char		*target;	/* the URL that checks it, NULL: none */
	const char	*none_why;	/* why there is none (http_status:) */
	const char	*note;		/* what the target leaves unchecked */
	bool		 noverify;	/* originRequest.noTLSVerify */
	char		*server_name;	/* originRequest.originServerName */
};

struct nd_cfconfig {
	char		*path;
	char		*tunnel;	/* name or id, NULL when absent */
	struct nd_cf_rule *rules;
	size_t		 nrules;
};

/*
 * Loads and checks path.  Returns 0, or -errno with one line in err:
 * "PATH:LINE: what" (YAML errors, an unknown key in an ingress rule, a
 * service that is no URL, no catch-all last rule).
 */
int	nd_cfconfig_load(struct nd_arena *, const char *path,
	    struct nd_cfconfig *ret, char *err, size_t errlen);

/*
 * Adds every rule's target (origin "PATH:LINE (ingress HOST)"), and with
 * netdoctor.yaml's dns.servers (cfg may be NULL) dns://SERVER/HOSTNAME for
 * every public hostname that is no wildcard and not in dns.expect.
 */
void	nd_cfconfig_targets(struct nd_arena *, const struct nd_cfconfig *,
	    const struct nd_config *, struct nd_discovery *);

/*
 * After the inventory is built: marks each rule's target as that rule's
 * origin (cf_hostname, cf_rule, cf_noverify) and gives every target the
 * tunnel's name (cf_tunnel) when it is a web URL for one of the config's
 * hostnames, or a cloudflared:// or origin target.  A dns:// target whose
 * name is a public hostname of the config gets the first matching rule's
 * place (cf_rule) and the tunnel: the dns probe's split-horizon note.
 */
void	nd_cfconfig_annotate(struct nd_arena *, const struct nd_cfconfig *,
	    struct nd_inventory *);

#endif /* ND_CFCONFIG_H */
