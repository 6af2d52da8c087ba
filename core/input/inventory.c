/*
 * inventory.c - the targets of one run, in the order the user gave them:
 * command line, the config file's targets:, then targets derived from its
 * dns:, l2: and host_ports: sections.  That order is the tie-break of the
 * ranking (docs/contracts.md 5.3), so it must be stable.
 *
 * Derived targets are built as structs rather than by printing and
 * re-parsing a URL: an l2 pool of 256 addresses does not fit in the
 * 2048-byte limit that protects user input, and the config loader has
 * already checked every field.  Their url is still the equivalent URL, so
 * reports and duplicate messages read the same as for typed targets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "inventory.h"
#include "netaddr.h"
#include "target.h"
#include "util.h"

/*
 * Far above a home lab (the benchmark checks 10,000 targets); bounds what
 * one 1 MiB config (host_ports alone) could otherwise ask for.
 */
#define INVENTORY_MAX	100000
#define L2_POOL_MAX	ND_L2_POOL_MAX

struct inv {
	struct nd_arena		*arena;
	const struct nd_config	*cfg;
	struct nd_target	**v;
	size_t			  n, cap;
	char			 *err;
	size_t			  errlen;
};

static int
ierr(struct inv *iv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
ierr(struct inv *iv, const char *fmt, ...)
{
	va_list ap;

	if (iv->err != NULL && iv->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(iv->err, iv->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int
push(struct inv *iv, struct nd_target *t)
{
	if (iv->n == INVENTORY_MAX)
		return ierr(iv, "more than %d targets", INVENTORY_MAX);
	if (iv->n == iv->cap) {
		iv->cap = iv->cap == 0 ? 16 : iv->cap * 2;
		iv->v = nd_arena_grow(iv->arena, iv->v, iv->n, iv->cap,
		    sizeof(*iv->v));
	}
	iv->v[iv->n++] = t;
	return 0;
}

static const char *
cfg_path(const struct inv *iv)
{
	return iv->cfg->path != NULL ? iv->cfg->path : "config";
}

static char *
origin_at(struct inv *iv, int line)
{
	if (line <= 0)
		return nd_arena_strdup(iv->arena, cfg_path(iv));
	return nd_arena_printf(iv->arena, "%s:%d", cfg_path(iv), line);
}

/* "a,b,c" from a NULL-terminated list. */
static char *
join(struct nd_arena *a, char *const *v)
{
	size_t i, len = 1, off = 0;
	char *out;

	for (i = 0; v[i] != NULL; i++)
		len += strlen(v[i]) + 1;
	out = nd_arena_alloc(a, len);
	for (i = 0; v[i] != NULL; i++) {
		size_t l = strlen(v[i]);

		if (i > 0)
			out[off++] = ',';
		memcpy(out + off, v[i], l);
		off += l;
	}
	out[off] = '\0';
	return out;
}

static int
is_v6(const char *ip)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, ip, &a) == 1;
}

/*
 * One dns:// target for server and the expect addresses of one family;
 * type follows the family because an A query never returns IPv6.
 */
static int
add_dns_one(struct inv *iv, const struct nd_dns_expect *e, const char *server,
    char **ips, bool v6)
{
	const char *up = iv->cfg->dns_upstream;
	struct nd_target *t = nd_target_new(iv->arena);
	struct nd_target_x *x;
	bool sv6 = is_v6(server);
	char *upq = NULL;

	t->scheme = ND_S_DNS;
	t->host = nd_arena_strdup(iv->arena, server);
	t->host_is_ip = true;
	t->port = 53;
	x = nd_target_xw(iv->arena, t);
	x->qname = e->name;
	x->qtype = nd_arena_strdup(iv->arena, v6 ? "AAAA" : "A");
	x->expect = ips;
	x->upstream = nd_arena_strdup(iv->arena, up);
	if (up != NULL)
		upq = nd_arena_printf(iv->arena, "&upstream=%s", up);
	t->url = nd_arena_printf(iv->arena, "dns://%s%s%s/%s?expect=%s%s%s",
	    sv6 ? "[" : "", server, sv6 ? "]" : "", e->name,
	    join(iv->arena, ips), v6 ? "&type=AAAA" : "",
	    upq != NULL ? upq : "");
	t->origin = origin_at(iv, e->line);
	return push(iv, t);
}

static int
add_dns(struct inv *iv)
{
	const struct nd_config *c = iv->cfg;
	char **v4, **v6;
	size_t i, j, n, n4, n6;
	int rc;

	/*
	 * Without dns.servers there is nothing to ask here.  Checking the
	 * names against the system resolver is the DNS probe's job (its own
	 * issue), not a target this file can name.
	 */
	if (c->dns_servers == NULL || c->dns_servers[0] == NULL)
		return 0;
	for (i = 0; i < c->ndns_expect; i++) {
		const struct nd_dns_expect *e = &c->dns_expect[i];

		for (n = 0; e->ips != NULL && e->ips[n] != NULL; n++)
			continue;
		v4 = nd_arena_alloc(iv->arena, (n + 1) * sizeof(*v4));
		v6 = nd_arena_alloc(iv->arena, (n + 1) * sizeof(*v6));
		for (n4 = n6 = j = 0; j < n; j++) {
			if (is_v6(e->ips[j]))
				v6[n6++] = e->ips[j];
			else
				v4[n4++] = e->ips[j];
		}
		for (j = 0; c->dns_servers[j] != NULL; j++) {
			if (n4 > 0 && (rc = add_dns_one(iv, e,
			    c->dns_servers[j], v4, false)) != 0)
				return rc;
			if (n6 > 0 && (rc = add_dns_one(iv, e,
			    c->dns_servers[j], v6, true)) != 0)
				return rc;
		}
	}
	return 0;
}

/* The addresses of "A-B"; the loader already checked the syntax. */
static int
expand_pool(struct inv *iv, const char *pool, char ***ret)
{
	const struct nd_config *c = iv->cfg;
	char buf[ND_PFX_TEXT_MAX], **ips;
	struct nd_iprange r;
	struct nd_pfx a;
	size_t i, n;
	int rc;

	if ((rc = nd_pool_parse(pool, &r)) == -EINVAL)
		return ierr(iv, "%s: l2.pool: '%s' is not a range A-B",
		    origin_at(iv, c->l2_pool_line), pool);
	if (rc != 0)
		return ierr(iv, "%s: l2.pool: '%s' must be 1 to %d addresses",
		    origin_at(iv, c->l2_pool_line), pool, ND_L2_POOL_MAX);
	n = (size_t)nd_iprange_size(&r);
	ips = nd_arena_alloc(iv->arena, (n + 1) * sizeof(*ips));
	for (a = r.first, i = 0; i < n; i++) {
		if (nd_addr_format(&a, buf, sizeof(buf)) < 0)
			return ierr(iv, "l2.pool: cannot format an address");
		ips[i] = nd_arena_strdup(iv->arena, buf);
		nd_addr_next(&a);
	}
	ips[i] = NULL;
	*ret = ips;
	return 0;
}

static int
add_l2(struct inv *iv)
{
	const struct nd_config *c = iv->cfg;
	struct nd_target *t;
	char **ips = NULL;
	size_t n;
	int rc;

	if (c->l2_line == 0 && c->l2_interface == NULL &&
	    c->l2_addresses == NULL && c->l2_pool == NULL)
		return 0;
	if (c->l2_interface == NULL)
		return ierr(iv, "%s: l2: 'interface' is required (the "
		    "interface to send ARP requests on)",
		    origin_at(iv, c->l2_line));
	if (c->l2_addresses != NULL)
		ips = c->l2_addresses;
	else if (c->l2_pool != NULL) {
		if ((rc = expand_pool(iv, c->l2_pool, &ips)) != 0)
			return rc;
	} else
		return ierr(iv, "%s: l2: give 'addresses' or 'pool' to check",
		    origin_at(iv, c->l2_line));
	for (n = 0; ips[n] != NULL; n++)
		continue;
	if (n == 0 || n > L2_POOL_MAX)
		return ierr(iv, "%s: l2: %zu addresses, expected 1 to %d",
		    origin_at(iv, c->l2_line), n, L2_POOL_MAX);
	t = nd_target_new(iv->arena);
	t->scheme = ND_S_ARP;
	nd_target_xw(iv->arena, t)->iface = c->l2_interface;
	nd_target_xw(iv->arena, t)->ips = ips;
	t->url = nd_arena_printf(iv->arena, "arp://%s/%s", c->l2_interface,
	    join(iv->arena, ips));
	t->origin = origin_at(iv, c->l2_line);
	return push(iv, t);
}

static int
add_ports(struct inv *iv)
{
	const struct nd_config *c = iv->cfg;
	struct nd_target *t;
	size_t i;
	int rc;

	for (i = 0; i < c->nhost_ports; i++) {
		if (c->host_ports[i] == 0)
			return ierr(iv, "%s: host_ports: 0 is not a port",
			    cfg_path(iv));
		t = nd_target_new(iv->arena);
		t->scheme = ND_S_PORT;
		t->port = c->host_ports[i];
		t->url = nd_arena_printf(iv->arena, "port://%u", t->port);
		t->origin = origin_at(iv, c->host_port_lines != NULL ?
		    c->host_port_lines[i] : 0);
		if ((rc = push(iv, t)) != 0)
			return rc;
	}
	return 0;
}

/* A key of up to this many bytes is written on the stack. */
#define KEY_STACK	512

/* t's key and its length: in buf when it fits, else in scratch. */
static const char *
key_of(struct nd_arena *scratch, const struct nd_target *t, char *buf,
    size_t *len)
{
	*len = nd_target_key_write(scratch, t, buf, KEY_STACK);
	return *len < KEY_STACK ? buf : nd_target_key(scratch, t);
}

static int
dup_found(struct inv *iv, size_t first, size_t second)
{
	const struct nd_target *a = iv->v[first], *b = iv->v[second];

	if (strcmp(a->url, b->url) == 0)
		return ierr(iv, "duplicate target %s (%s and %s)", a->url,
		    a->origin, b->origin);
	return ierr(iv, "duplicate target %s (%s and %s, where it is written "
	    "%s)", a->url, a->origin, b->origin, b->url);
}

/*
 * Two targets that check the same thing would be probed and ranked twice.
 * The keys go into an open-addressing table in input order, so the pair
 * reported is the one a reader meets first: the earliest second
 * occurrence, with the first occurrence of its key.  A slot holds the
 * hash's high half and the index + 1 (0: empty); the key is written on
 * the stack and not kept (10,000 printed keys cost 1 MB of fresh pages).
 */
static int
check_duplicates(struct inv *iv)
{
	char kb[KEY_STACK], kb2[KEY_STACK];
	const uint64_t hi = ~(uint64_t)UINT32_MAX;
	struct nd_arena *scratch;
	const char *key, *other;
	uint64_t *slot, h;
	size_t i, j, p, mask, len, olen;
	int rc = 0;

	if (iv->n < 2)
		return 0;
	/* At most two thirds full: short probe runs. */
	for (mask = 15; mask + 1 < iv->n + iv->n / 2; mask = mask * 2 + 1)
		continue;
	slot = calloc(mask + 1, sizeof(*slot));
	if (slot == NULL)
		return ierr(iv, "out of memory checking %zu targets", iv->n);
	/* Only lists of several addresses and long keys need it. */
	scratch = nd_arena_new();
	for (i = 0; i < iv->n; i++) {
		key = key_of(scratch, iv->v[i], kb, &len);
		h = nd_hash(key, len);	/* equal hashes: keys compared */
		for (p = h & mask; slot[p] != 0; p = (p + 1) & mask) {
			if ((slot[p] & hi) != (h & hi))
				continue;
			j = (size_t)(slot[p] & UINT32_MAX) - 1;
			other = key_of(scratch, iv->v[j], kb2, &olen);
			if (olen == len && memcmp(other, key, len) == 0) {
				rc = dup_found(iv, j, i);
				goto out;
			}
		}
		slot[p] = (h & hi) | (uint64_t)(i + 1);
	}
out:
	free(slot);
	nd_arena_free(scratch);
	return rc;
}

/* machine_configs: -> machineconfig://PATH (the nodeip probe). */
static int
add_machine_configs(struct inv *iv)
{
	const struct nd_config *c = iv->cfg;
	struct nd_target *t;
	size_t i;
	int rc;

	for (i = 0; c->machine_configs != NULL && c->machine_configs[i] != NULL;
	    i++) {
		t = nd_target_new(iv->arena);
		t->scheme = ND_S_MACHINECONFIG;
		nd_target_xw(iv->arena, t)->path = c->machine_configs[i];
		t->url = nd_arena_printf(iv->arena, "machineconfig://%s",
		    t->x->path);
		t->origin = nd_arena_strdup(iv->arena, cfg_path(iv));
		if ((rc = push(iv, t)) != 0)
			return rc;
	}
	return 0;
}

int
nd_inventory_build(struct nd_arena *arena, const char *const *urls,
    const char *const *origins, size_t n, const struct nd_config *cfg,
    struct nd_inventory *ret, char *err, size_t errlen)
{
	struct inv iv = { .arena = arena, .cfg = cfg, .err = err,
	    .errlen = errlen };
	struct nd_target *t;
	size_t i, cap;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* Room for what is known now: one array, not a doubling series. */
	cap = n + (cfg != NULL ? cfg->ntargets + cfg->nhttp +
	    cfg->nhost_ports : 0);
	if (cap > 16) {
		iv.cap = cap < INVENTORY_MAX ? cap : INVENTORY_MAX;
		iv.v = nd_arena_grow(arena, NULL, 0, iv.cap, sizeof(*iv.v));
	}
	for (i = 0; i < n; i++) {
		if ((rc = nd_target_parse(arena, urls[i], origins != NULL &&
		    origins[i] != NULL ? origins[i] : "command line", &t,
		    err, errlen)) != 0 || (rc = push(&iv, t)) != 0)
			return rc;
	}
	if (cfg != NULL) {
		/*
		 * The config's own targets, not copies (10,000 targets are
		 * 2.7 MB): the inventory writes their index and main fills
		 * what the run needs into them.  http: entries come after
		 * targets:.
		 */
		for (i = 0; i < cfg->ntargets + cfg->nhttp; i++) {
			t = i < cfg->ntargets ? cfg->targets[i] :
			    cfg->http[i - cfg->ntargets];
			if ((rc = push(&iv, t)) != 0)
				return rc;
		}
		if ((rc = add_dns(&iv)) != 0 || (rc = add_l2(&iv)) != 0 ||
		    (rc = add_ports(&iv)) != 0 ||
		    (rc = add_machine_configs(&iv)) != 0)
			return rc;
	}
	if ((rc = check_duplicates(&iv)) != 0)
		return rc;
	for (i = 0; i < iv.n; i++)
		iv.v[i]->index = i;
	ret->targets = iv.v;
	ret->ntargets = iv.n;
	return 0;
}
