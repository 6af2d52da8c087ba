/*
 * sock.h - the non-blocking TCP connect and abortive close that every
 * connection-owning probe (tcp, tls) shares, and the unix-socket connect
 * of the probes that judge a socket (unix, tailscale).
 */
#ifndef ND_SOCK_H
#define ND_SOCK_H

struct nd_endpoint;
struct nd_loop;

/*
 * Starts a non-blocking connect to ep.  Returns 0 when connected at once,
 * 1 when in progress (wait for writable, then nd_sock_error()), or -errno
 * when the socket could not be created or the connect failed outright
 * (the errno is then the verdict: ECONNREFUSED, ENETUNREACH...).  *ret_fd
 * is set whenever a socket exists (also on a connect error), else -1.
 */
int	nd_sock_connect(const struct nd_endpoint *, int *ret_fd);

/*
 * A non-blocking connect to the unix stream socket at path.  A unix
 * connect never is in progress: it succeeds (0), or the listener's
 * backlog is full (1: EAGAIN, try again later), or it fails with -errno
 * (ENOENT, ECONNREFUSED, EACCES, EPROTOTYPE...).  As nd_sock_connect(),
 * *ret_fd is set whenever a socket exists (also on a connect error), so
 * *ret_fd < 0 with an error means no socket could be made here.
 */
int	nd_sock_unix_connect(const char *path, int *ret_fd);

/* SO_ERROR of a connecting socket: 0 or the errno. */
int	nd_sock_error(int fd);

/*
 * Stops watching fd and closes it; with abort, the close sends a RST
 * (SO_LINGER 0) so that no TIME_WAIT is left behind on this host.
 */
void	nd_sock_close(struct nd_loop *, int fd, int abort);

#endif /* ND_SOCK_H */
