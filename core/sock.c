/*
 * sock.c - shared socket helpers for probes.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "probe.h"
#include "sock.h"

int
nd_sock_connect(const struct nd_endpoint *ep, int *ret_fd)
{
	int fd;

	*ret_fd = -1;
	if (ep->addrlen == 0)
		return -EDESTADDRREQ;
	fd = socket(ep->addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	if (connect(fd, &ep->addr.sa, ep->addrlen) == 0)
		return 0;
	return errno == EINPROGRESS ? 1 : -errno;
}

int
nd_sock_unix_connect(const char *path, int *ret_fd)
{
	struct sockaddr_un sun;
	size_t n = strlen(path);
	int fd;

	*ret_fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, n);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return 0;
	/* unix(7): a non-blocking connect to a full backlog is EAGAIN. */
	return errno == EAGAIN || errno == EINPROGRESS ? 1 : -errno;
}

int
nd_sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

void
nd_sock_close(struct nd_loop *l, int fd, int abort)
{
	/*
	 * A probe has nothing to say to the peer, and an orderly close would
	 * leave a TIME_WAIT socket on this host per target (5,000 for a
	 * 10,000-target run), holding ephemeral ports the next run needs;
	 * nmap's connect scan closes the same way.
	 */
	static const struct linger abort_close = { .l_onoff = 1,
	    .l_linger = 0 };

	if (fd < 0)
		return;
	if (abort)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close,
		    sizeof(abort_close));
	nd_loop_fd_close(l, fd);
}
