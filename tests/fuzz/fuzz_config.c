/*
 * fuzz_config.c - libFuzzer harness for nd_config_load() (docs/contracts.md 4).
 *
 * nd_config_load() takes a path, so the input goes into a memfd that is
 * opened again through /proc/self/fd/N: no file system litter, no
 * clean-up.  $HOME is fixed so that "~/" expands the same on every run.
 * Invariants:
 *   - success: every field holds what config.h promises (IP literals,
 *     IPv4 only for l2, ports 1-65535, timeout 1 ms..24 h, interface names,
 *     a pool "A-B" with A <= B of at most 256 addresses, never both pool
 *     and addresses, targets sane with origin "PATH:LINE", no duplicate
 *     dns.expect names);
 *   - failure: a negative errno, *ret untouched, err one non-empty line
 *     starting with the path;
 *   - a short or empty err buffer is never overrun and gets a prefix of
 *     the same message.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "target.h"
#include "util.h"

#include "fuzz_common.h"

static int memfd = -1;
static char path[64];

static void
init_once(void)
{
	if (memfd != -1)
		return;
	memfd = memfd_create("nd-fuzz-config", MFD_CLOEXEC);
	FUZZ_CHECK(memfd != -1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	FUZZ_CHECK(setenv("HOME", "/home/fuzz", 1) == 0);
}

static void
put_input(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	FUZZ_CHECK(ftruncate(memfd, 0) == 0);
	while (off < size) {
		n = pwrite(memfd, data + off, size - off, (off_t)off);
		FUZZ_CHECK(n > 0);
		off += (size_t)n;
	}
}

/* A NULL-terminated list, possibly empty, whose entries pass ok(). */
static size_t
list_len(char *const *v, bool (*ok)(const char *))
{
	size_t n;

	for (n = 0; v[n] != NULL; n++)
		FUZZ_CHECK(ok(v[n]));
	return n;
}

static bool
is_ip(const char *s)
{
	return nd_is_ip_literal(s);
}

static bool
is_nonempty(const char *s)
{
	return s[0] != '\0';
}

static bool
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* "A-B": two IPv4 addresses, A <= B, at most 256 of them. */
static void
check_pool(const char *pool)
{
	const char *dash = strchr(pool, '-');
	char a[32], b[32];
	struct in_addr ia, ib;
	uint32_t ua, ub;

	FUZZ_CHECK(dash != NULL && (size_t)(dash - pool) < sizeof(a));
	FUZZ_CHECK(strlen(dash + 1) < sizeof(b));
	memcpy(a, pool, (size_t)(dash - pool));
	a[dash - pool] = '\0';
	snprintf(b, sizeof(b), "%s", dash + 1);
	FUZZ_CHECK(inet_pton(AF_INET, a, &ia) == 1);
	FUZZ_CHECK(inet_pton(AF_INET, b, &ib) == 1);
	ua = ntohl(ia.s_addr);
	ub = ntohl(ib.s_addr);
	FUZZ_CHECK(ua <= ub && ub - ua < 256);
}

static void
check_config(const struct nd_config *c)
{
	size_t i, j, plen = strlen(path);

	FUZZ_CHECK(c->path != NULL && strcmp(c->path, path) == 0);

	FUZZ_CHECK(c->ntargets == 0 || c->targets != NULL);
	for (i = 0; i < c->ntargets; i++) {
		const struct nd_target *t = c->targets[i];

		fuzz_check_target(t, NULL, NULL);
		FUZZ_CHECK(strncmp(t->origin, path, plen) == 0);
		FUZZ_CHECK(t->origin[plen] == ':');
		FUZZ_CHECK(t->origin[plen + 1] >= '1' &&
		    t->origin[plen + 1] <= '9');
	}
	/* http: entries are web targets their URL stands for. */
	FUZZ_CHECK(c->nhttp == 0 || c->http != NULL);
	for (i = 0; i < c->nhttp; i++) {
		const struct nd_target *t = c->http[i];

		fuzz_check_target(t, NULL, NULL);
		FUZZ_CHECK(t->scheme == ND_S_HTTP || t->scheme == ND_S_HTTPS);
		FUZZ_CHECK(strncmp(t->origin, path, plen) == 0);
	}

	FUZZ_CHECK(c->talosconfig == NULL || c->talosconfig[0] != '\0');
	FUZZ_CHECK(c->talos_context == NULL || c->talos_context[0] != '\0');
	FUZZ_CHECK(c->kubeconfig == NULL || c->kubeconfig[0] != '\0');
	FUZZ_CHECK(c->kube_context == NULL || c->kube_context[0] != '\0');

	if (c->dns_servers != NULL)
		(void)list_len(c->dns_servers, is_ip);
	FUZZ_CHECK(c->dns_upstream == NULL ||
	    nd_is_ip_literal(c->dns_upstream));
	FUZZ_CHECK(c->ndns_expect == 0 || c->dns_expect != NULL);
	for (i = 0; i < c->ndns_expect; i++) {
		const struct nd_dns_expect *e = &c->dns_expect[i];

		FUZZ_CHECK(e->name != NULL && fuzz_is_dns_name(e->name));
		FUZZ_CHECK(e->line >= 1);
		FUZZ_CHECK(list_len(e->ips, is_ip) >= 1);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(!same_name(c->dns_expect[j].name, e->name));
	}

	if (c->l2_interface != NULL)
		FUZZ_CHECK(nd_is_ifname(c->l2_interface,
		    strlen(c->l2_interface)));
	FUZZ_CHECK(c->l2_addresses == NULL || c->l2_pool == NULL);
	if (c->l2_addresses != NULL)
		(void)fuzz_check_list(c->l2_addresses, 256, fuzz_is_ipv4);
	if (c->l2_pool != NULL) {
		check_pool(c->l2_pool);
		FUZZ_CHECK(c->l2_pool_line >= 1);
	} else
		FUZZ_CHECK(c->l2_pool_line == 0);
	if (c->l2_interface != NULL || c->l2_addresses != NULL ||
	    c->l2_pool != NULL)
		FUZZ_CHECK(c->l2_line >= 1);
	FUZZ_CHECK(c->l2_line >= 0);

	if (c->machine_configs != NULL)
		(void)list_len(c->machine_configs, is_nonempty);

	FUZZ_CHECK(c->nhost_ports == 0 || (c->host_ports != NULL &&
	    c->host_port_lines != NULL));
	for (i = 0; i < c->nhost_ports; i++) {
		FUZZ_CHECK(c->host_ports[i] != 0);
		FUZZ_CHECK(c->host_port_lines[i] >= 1);
	}

	FUZZ_CHECK(c->timeout_ms >= 0 && c->timeout_ms <= 86400000);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_arena *a;
	struct nd_config c, pristine;
	char err[1024], *small;
	size_t smalllen = size % 40, n, plen;
	int rc;

	init_once();
	put_input(data, size);
	plen = strlen(path);

	a = nd_arena_new();
	memset(&c, 0x5a, sizeof(c));
	memcpy(&pristine, &c, sizeof(c));
	memset(err, 'x', sizeof(err));
	rc = nd_config_load(a, path, &c, err, sizeof(err));
	if (rc == 0) {
		FUZZ_CHECK(err[0] == '\0');
		check_config(&c);
	} else {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(memcmp(&c, &pristine, sizeof(c)) == 0);
		fuzz_check_err(err, sizeof(err));
		FUZZ_CHECK(strncmp(err, path, plen) == 0);
		FUZZ_CHECK(err[plen] == ':');
	}
	nd_arena_free(a);

	/* Again into a short heap buffer that ASan watches. */
	a = nd_arena_new();
	small = malloc(smalllen > 0 ? smalllen : 1);
	FUZZ_CHECK(small != NULL);
	memset(small, 'Z', smalllen > 0 ? smalllen : 1);
	FUZZ_CHECK(nd_config_load(a, path, &c, small, smalllen) == rc);
	if (smalllen == 0)
		FUZZ_CHECK(small[0] == 'Z');
	else {
		n = strnlen(small, smalllen);
		FUZZ_CHECK(n < smalllen);
		if (rc != 0)
			FUZZ_CHECK(strncmp(small, err, n) == 0);
	}
	free(small);
	nd_arena_free(a);
	return 0;
}
