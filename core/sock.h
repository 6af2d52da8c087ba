/*
 * sock.h - the non-blocking TCP connect and abortive close that every
 * connection-owning probe (tcp, tls) shares.
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

/* SO_ERROR of a connecting socket: 0 or the errno. */
int	nd_sock_error(int fd);

/*
 * Stops watching fd and closes it; with abort, the close sends a RST
 * (SO_LINGER 0) so that no TIME_WAIT is left behind on this host.
 */
void	nd_sock_close(struct nd_loop *, int fd, int abort);

#endif /* ND_SOCK_H */
