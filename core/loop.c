/*
 * loop.c - epoll + timer heap.
 *
 * Callbacks may add or remove other watches and timers.  Each watch carries
 * a generation number, and the epoll cookie holds it, so an event for an fd
 * that a previous callback in the same batch removed (and maybe reused) is
 * dropped instead of delivered to the wrong owner (redis ae.c's "check if
 * the event is still valid" problem).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_MAX_EVENTS	1024

struct loop_watch {
	nd_fd_cb	 cb;
	void		*arg;
	unsigned	 events;	/* 0 = not watched */
	uint32_t	 gen;
};

/*
 * The heap keeps each timer's deadline next to its pointer, so sifting
 * compares without touching the timers themselves: with thousands of
 * probes the timers are scattered over memory and every pointer chase
 * was a cache miss.
 */
struct loop_slot {
	uint64_t		 when;
	struct nd_timer		*t;
};

struct nd_loop {
	int			 epfd;
	struct loop_watch	*watch;		/* indexed by fd */
	size_t			 nwatch_cap;
	size_t			 nwatched;
	struct loop_slot	*heap;
	size_t			 nheap, heap_cap;
	nd_clock_fn		 clock;
	void			*clock_arg;
};

static uint64_t
loop_monotonic(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct nd_loop *
nd_loop_new(void)
{
	struct nd_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->clock = loop_monotonic;
	return l;
}

void
nd_loop_free(struct nd_loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l->watch);
	free(l->heap);
	free(l);
}

void
nd_loop_set_clock(struct nd_loop *l, nd_clock_fn fn, void *arg)
{
	l->clock = fn != NULL ? fn : loop_monotonic;
	l->clock_arg = arg;
}

uint64_t
nd_loop_now(struct nd_loop *l)
{
	return l->clock(l->clock_arg);
}

static int
loop_watch_reserve(struct nd_loop *l, int fd)
{
	size_t ncap;
	struct loop_watch *w;

	if ((size_t)fd < l->nwatch_cap)
		return 0;
	ncap = l->nwatch_cap ? l->nwatch_cap : 64;
	while (ncap <= (size_t)fd)
		ncap *= 2;
	w = realloc(l->watch, ncap * sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	memset(w + l->nwatch_cap, 0, (ncap - l->nwatch_cap) * sizeof(*w));
	l->watch = w;
	l->nwatch_cap = ncap;
	return 0;
}

int
nd_loop_fd_set(struct nd_loop *l, int fd, unsigned events, nd_fd_cb cb,
    void *arg)
{
	struct epoll_event ev;
	struct loop_watch *w;
	int op, rc;

	if (fd < 0)
		return -EBADF;
	if (events == 0) {
		nd_loop_fd_del(l, fd);
		return 0;
	}
	if ((rc = loop_watch_reserve(l, fd)) < 0)
		return rc;
	w = &l->watch[fd];
	op = w->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	memset(&ev, 0, sizeof(ev));
	ev.events = (events & ND_EV_READ ? EPOLLIN : 0) |
	    (events & ND_EV_WRITE ? EPOLLOUT : 0);
	if (op == EPOLL_CTL_ADD)
		w->gen++;
	ev.data.u64 = ((uint64_t)w->gen << 32) | (uint32_t)fd;
	if (epoll_ctl(l->epfd, op, fd, &ev) < 0)
		return -errno;
	if (op == EPOLL_CTL_ADD)
		l->nwatched++;
	w->cb = cb;
	w->arg = arg;
	w->events = events;
	return 0;
}

void
nd_loop_fd_del(struct nd_loop *l, int fd)
{
	struct loop_watch *w;

	if (fd < 0 || (size_t)fd >= l->nwatch_cap)
		return;
	w = &l->watch[fd];
	if (w->events == 0)
		return;
	/* The fd may already be closed by its owner; ignore the error. */
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->events = 0;
	w->cb = NULL;
	w->arg = NULL;
	w->gen++;
	l->nwatched--;
}

void
nd_loop_fd_close(struct nd_loop *l, int fd)
{
	struct loop_watch *w;

	if (fd < 0)
		return;
	if ((size_t)fd < l->nwatch_cap && (w = &l->watch[fd])->events != 0) {
		w->events = 0;
		w->cb = NULL;
		w->arg = NULL;
		w->gen++;
		l->nwatched--;
	}
	close(fd);
}

/* Heap of timers ordered by `when`; a timer's slot is its index + 1. */
static void
heap_set(struct nd_loop *l, size_t i, struct loop_slot s)
{
	l->heap[i] = s;
	s.t->slot = i + 1;
}

static void
heap_up(struct nd_loop *l, size_t i)
{
	struct loop_slot s = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p].when <= s.when)
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, s);
}

static void
heap_down(struct nd_loop *l, size_t i)
{
	struct loop_slot s = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1].when < l->heap[c].when)
			c++;
		if (s.when <= l->heap[c].when)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, s);
}

void
nd_timer_init(struct nd_timer *t, nd_timer_cb cb, void *arg)
{
	t->when = 0;
	t->slot = 0;
	t->cb = cb;
	t->arg = arg;
}

int
nd_timer_armed(const struct nd_timer *t)
{
	return t->slot != 0;
}

void
nd_timer_disarm(struct nd_loop *l, struct nd_timer *t)
{
	size_t i;

	if (t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	l->nheap--;
	if (i == l->nheap)
		return;
	heap_set(l, i, l->heap[l->nheap]);
	if (i > 0 && l->heap[(i - 1) / 2].when > l->heap[i].when)
		heap_up(l, i);
	else
		heap_down(l, i);
}

void
nd_timer_arm(struct nd_loop *l, struct nd_timer *t, uint64_t when)
{
	nd_timer_disarm(l, t);
	if (l->nheap == l->heap_cap) {
		size_t ncap = l->heap_cap ? l->heap_cap * 2 : 64;
		struct loop_slot *h = realloc(l->heap, ncap * sizeof(*h));

		if (h == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
		l->heap = h;
		l->heap_cap = ncap;
	}
	t->when = when;
	l->nheap++;
	heap_set(l, l->nheap - 1, (struct loop_slot){ when, t });
	heap_up(l, l->nheap - 1);
}

size_t
nd_loop_pending(const struct nd_loop *l)
{
	return l->nwatched + l->nheap;
}

static int
loop_run_timers(struct nd_loop *l)
{
	uint64_t now = nd_loop_now(l);
	int n = 0;

	/*
	 * A callback may arm a timer that is already due; it runs in the next
	 * round so one iteration cannot spin forever.
	 */
	while (l->nheap > 0 && l->heap[0].when <= now) {
		struct nd_timer *t = l->heap[0].t;

		nd_timer_disarm(l, t);
		t->cb(l, t->arg);
		n++;
		if (n > 100000)
			break;
	}
	return n;
}

int
nd_loop_run_once(struct nd_loop *l, uint64_t max_wait_us)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	uint64_t now, wait = max_wait_us;
	int i, n, ran = 0, timeout_ms;

	if (l->nheap > 0) {
		now = nd_loop_now(l);
		if (l->heap[0].when <= now)
			wait = 0;
		else if (l->heap[0].when - now < wait)
			wait = l->heap[0].when - now;
	}
	/* Round up so a timer 300 us away does not cause a busy loop. */
	timeout_ms = wait > 3600000000u ? 3600000 : (int)((wait + 999) / 1000);
	n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
		struct loop_watch *w;
		unsigned what = 0;

		if ((size_t)fd >= l->nwatch_cap)
			continue;
		w = &l->watch[fd];
		if (w->events == 0 || w->gen != gen)
			continue;	/* removed by an earlier callback */
		if (evs[i].events & EPOLLIN)
			what |= ND_EV_READ;
		if (evs[i].events & EPOLLOUT)
			what |= ND_EV_WRITE;
		if (evs[i].events & (EPOLLERR | EPOLLHUP))
			what |= ND_EV_ERROR;
		w->cb(l, fd, what, w->arg);
		ran++;
	}
	ran += loop_run_timers(l);
	return ran;
}
