/*
 * connect_loop.c - the bare baseline for the TCP benchmark: non-blocking
 * connects to 127.0.0.1:FIRST..LAST on one epoll, as many in flight as the
 * fd limit allows, counting connected and refused.  No parsing, no report:
 * what the kernel costs.  Sockets are closed with a RST (SO_LINGER 0), as
 * netdoctor and nmap -sT close theirs, so all three do the same kernel work.
 * Usage: connect_loop FIRST LAST
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[1024];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct rlimit rl;
	long first, last, next, inflight = 0, cap, ok = 0, refused = 0, other = 0;
	int ep, i, n;

	if (argc != 3)
		return 2;
	first = strtol(argv[1], NULL, 10);
	last = strtol(argv[2], NULL, 10);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	cap = (long)rl.rlim_cur - 64 > 8192 ? 8192 : (long)rl.rlim_cur - 64;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ep = epoll_create1(0);
	for (next = first; next <= last || inflight > 0;) {
		while (next <= last && inflight < cap) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

			sa.sin_port = htons((unsigned short)next++);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
			    errno == EINPROGRESS) {
				ev.events = EPOLLOUT;
				ev.data.fd = fd;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				inflight++;
			} else {
				errno == ECONNREFUSED ? refused++ : other++;
				close(fd);
			}
		}
		n = epoll_wait(ep, evs, 1024, 1000);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd, err = 0;
			socklen_t len = sizeof(err);

			struct linger lg = { 1, 0 };

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			err == 0 ? ok++ : err == ECONNREFUSED ? refused++ : other++;
			close(fd);
			inflight--;
		}
	}
	printf("connected %ld refused %ld other %ld\n", ok, refused, other);
	return 0;
}
