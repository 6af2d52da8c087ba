/*
 * probe_ports.c - is a port this setup must publish (6443, 50000, 80, 443)
 * free on this host, or does something already listen on it, and what?
 * (the "6443 is taken by a kind cluster" case of a Talos-in-Docker
 * deploy that then fails to publish its ports).
 *
 * Listening TCP sockets come from sock_diag through libnl-idiag
 * (docs/library-notes.md 4.3.3: its request is the legacy inet_diag one, so one dump
 * returns IPv4 and IPv6 sockets whatever family is asked, and sport is in
 * network byte order).  The owner is found by matching the socket's inode
 * against /proc/PID/fd links, where /proc lets us read them.  The dump is
 * one netlink request answered by the kernel at once, not network I/O.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/cache.h>
#include <netlink/idiag/idiagnl.h>
#include <netlink/idiag/msg.h>
#include <netlink/netlink.h>

#include "probe.h"
#include "target.h"
#include "util.h"

#define PORTS_MAX_PROCS	65536	/* /proc entries looked at, at most */
#define PORTS_MAX_FDS	65536	/* fds per process looked at, at most */

struct ports_owner {
	long	pid;
	char	comm[64];
};

/* The process holding socket inode ino, by /proc/PID/fd; 0 if unknown. */
static int
ports_owner(unsigned long ino, struct ports_owner *o)
{
	char want[48], path[64], link[64];
	DIR *proc = opendir("/proc");
	struct dirent *d;
	unsigned nproc = 0;
	int found = 0;

	if (proc == NULL)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	while (!found && (d = readdir(proc)) != NULL &&
	    nproc++ < PORTS_MAX_PROCS) {
		long long pid;
		struct dirent *f;
		unsigned nfd = 0;
		DIR *fds;

		if (nd_parse_int(d->d_name, 1, 1LL << 30, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%lld/fd", pid);
		if ((fds = opendir(path)) == NULL)
			continue;	/* another user's process: /proc says no */
		while ((f = readdir(fds)) != NULL && nfd++ < PORTS_MAX_FDS) {
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%lld/fd/%.16s", pid,
			    f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				found = 1;
				break;
			}
		}
		closedir(fds);
		if (found) {
			FILE *c;

			o->pid = (long)pid;
			snprintf(path, sizeof(path), "/proc/%lld/comm", pid);
			o->comm[0] = '\0';
			if ((c = fopen(path, "r")) != NULL) {
				if (fgets(o->comm, sizeof(o->comm), c) != NULL)
					o->comm[strcspn(o->comm, "\n")] = '\0';
				fclose(c);
			}
			nd_one_line(o->comm);
		}
	}
	closedir(proc);
	return found;
}

/* Would a bind to want (NULL: any address) collide with this one? */
static int
ports_collides(const struct nd_probe *p, const char *bound)
{
	const char *want = p->target->host;

	if (want == NULL || strcmp(bound, "0.0.0.0") == 0 ||
	    strcmp(bound, "::") == 0)
		return 1;
	return strcmp(bound, want) == 0 || strcmp(want, "0.0.0.0") == 0 ||
	    strcmp(want, "::") == 0;
}

static int
ports_start(struct nd_probe *p)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nd_finding *f = NULL;
	char addr[INET6_ADDRSTRLEN + 8];
	int rc = 0;

	if (sk == NULL)
		return -ENOMEM;
	if (idiagnl_connect(sk) < 0) {
		rc = -EPROTONOSUPPORT;
		goto out;
	}
	/* One dump: the family argument is ignored (docs/library-notes.md 4.3.3). */
	if (idiagnl_msg_alloc_cache(sk, AF_INET, 1 << TCP_LISTEN, &cache) < 0) {
		rc = -EIO;
		goto out;
	}
	for (obj = nl_cache_get_first(cache); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		struct idiagnl_msg *m = (struct idiagnl_msg *)obj;
		struct ports_owner o = { 0, "" };
		struct nl_addr *src = idiagnl_msg_get_src(m);

		if (ntohs(idiagnl_msg_get_sport(m)) != p->target->port)
			continue;
		addr[0] = '\0';
		if (src != NULL)
			inet_ntop(idiagnl_msg_get_family(m),
			    nl_addr_get_binary_addr(src), addr, sizeof(addr));
		if (!ports_collides(p, addr))
			continue;
		if (ports_owner(idiagnl_msg_get_inode(m), &o))
			f = nd_finding_add(p, ND_F_HOST_PORT_IN_USE, "port %u is "
			    "already in use on this host: %s (pid %ld) listens "
			    "on %s", p->target->port, o.comm, o.pid, addr);
		else
			f = nd_finding_add(p, ND_F_HOST_PORT_IN_USE, "port %u is "
			    "already in use on this host: something listens on "
			    "%s (its process is not visible to this user)",
			    p->target->port, addr);
		nd_evidence_add(f, "port", "%u", p->target->port);
		nd_evidence_add(f, "address", "%s", addr);
		if (o.pid > 0) {
			nd_evidence_add(f, "pid", "%ld", o.pid);
			nd_evidence_add(f, "command", "%s", o.comm);
		}
		nd_evidence_add(f, "inode", "%u", idiagnl_msg_get_inode(m));
		break;		/* one owner names the problem */
	}
	if (f == NULL) {
		f = nd_finding_add(p, ND_F_HOST_PORT_FREE, "port %u is free on "
		    "this host%s%s", p->target->port, p->target->host ?
		    " for " : "", p->target->host ? p->target->host : "");
		nd_evidence_add(f, "port", "%u", p->target->port);
	}
	nd_probe_done(p, f->def->code == ND_F_HOST_PORT_FREE ? ND_PASS :
	    ND_FAIL);
out:
	if (cache != NULL)
		nl_cache_free(cache);
	nl_socket_free(sk);
	return rc;
}

const struct nd_probe_ops nd_probe_ports = {
	.name = "ports",
	.layer = ND_L_HOST,
	.start = ports_start,
};
