/*
 * loop.h - the one event loop of a run: epoll for fds, a binary heap of
 * timers on a monotonic clock that tests can replace.  Single-threaded; no
 * signals, no sleeping.  Modelled on redis ae (small, explicit ownership):
 * the loop owns no fd and no timer, it only watches them.
 */
#ifndef ND_LOOP_H
#define ND_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct nd_loop;

#define ND_EV_READ	0x1u
#define ND_EV_WRITE	0x2u
#define ND_EV_ERROR	0x4u	/* reported only: EPOLLERR/EPOLLHUP */

typedef void	(*nd_fd_cb)(struct nd_loop *, int fd, unsigned events, void *arg);
typedef void	(*nd_timer_cb)(struct nd_loop *, void *arg);
/* Monotonic time in microseconds. */
typedef uint64_t (*nd_clock_fn)(void *arg);

/*
 * A timer is embedded in its owner's struct; the loop keeps only a pointer
 * to it while armed.  Owners must disarm before freeing.
 */
struct nd_timer {
	uint64_t	 when;		/* monotonic usec */
	size_t		 slot;		/* heap index + 1; 0 = not armed */
	nd_timer_cb	 cb;
	void		*arg;
};

struct nd_loop	*nd_loop_new(void);
void		 nd_loop_free(struct nd_loop *);	/* accepts NULL */

/* Replace the clock (tests).  NULL restores CLOCK_MONOTONIC. */
void		 nd_loop_set_clock(struct nd_loop *, nd_clock_fn, void *arg);
/* Reads the clock now. */
uint64_t	 nd_loop_now(struct nd_loop *);

/*
 * Watch fd for events (ND_EV_READ|ND_EV_WRITE); replaces an earlier watch
 * of the same fd.  events == 0 removes the watch.  Returns 0 or -errno.
 */
int		 nd_loop_fd_set(struct nd_loop *, int fd, unsigned events,
		    nd_fd_cb, void *arg);
/* Stop watching fd; call before close(fd).  Safe if not watched. */
void		 nd_loop_fd_del(struct nd_loop *, int fd);
/*
 * Stop watching fd and close it.  Saves the EPOLL_CTL_DEL: closing the
 * only reference to a file removes it from the epoll set (epoll(7)).  Only
 * for fds the caller owns and never dup()ed.
 */
void		 nd_loop_fd_close(struct nd_loop *, int fd);

void		 nd_timer_init(struct nd_timer *, nd_timer_cb, void *arg);
/* Arm (or re-arm) at an absolute monotonic time in usec. */
void		 nd_timer_arm(struct nd_loop *, struct nd_timer *, uint64_t when);
void		 nd_timer_disarm(struct nd_loop *, struct nd_timer *);
int		 nd_timer_armed(const struct nd_timer *);

/* Number of watched fds plus armed timers. */
size_t		 nd_loop_pending(const struct nd_loop *);

/*
 * Waits at most max_wait_us (and no longer than the next timer), dispatches
 * ready fds, then every timer due.  Returns the number of callbacks run, or
 * -errno if epoll_wait failed for a reason other than EINTR.
 */
int		 nd_loop_run_once(struct nd_loop *, uint64_t max_wait_us);

#endif /* ND_LOOP_H */
