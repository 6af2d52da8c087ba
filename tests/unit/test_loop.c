/*
 * test_loop.c - the event loop's timer heap under an injected clock, and
 * fd dispatch on a pipe (no network).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <unistd.h>

#include "loop.h"

static uint64_t fake_now;

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

struct rec {
	int	order[16];
	int	n;
};

struct tmr {
	struct nd_timer	 t;
	struct rec	*rec;
	int		 id;
};

static void
on_timer(struct nd_loop *l, void *arg)
{
	struct tmr *t = arg;

	(void)l;
	t->rec->order[t->rec->n++] = t->id;
}

static void
test_timers_fire_in_deadline_order(void **state)
{
	struct nd_loop *l = nd_loop_new();
	struct rec rec = { .n = 0 };
	struct tmr t[5];
	static const uint64_t when[5] = { 500, 100, 300, 100, 900 };
	int i;

	(void)state;
	assert_non_null(l);
	nd_loop_set_clock(l, fake_clock, NULL);
	fake_now = 0;
	for (i = 0; i < 5; i++) {
		t[i].rec = &rec;
		t[i].id = i;
		nd_timer_init(&t[i].t, on_timer, &t[i]);
		nd_timer_arm(l, &t[i].t, when[i]);
	}
	assert_int_equal(nd_loop_pending(l), 5);
	/* Nothing is due at t=50. */
	fake_now = 50;
	assert_int_equal(nd_loop_run_once(l, 0), 0);
	assert_int_equal(rec.n, 0);
	/* At 300: the two 100s (either order) and the 300. */
	fake_now = 300;
	assert_int_equal(nd_loop_run_once(l, 0), 3);
	assert_int_equal(rec.n, 3);
	assert_true((rec.order[0] == 1 && rec.order[1] == 3) ||
	    (rec.order[0] == 3 && rec.order[1] == 1));
	assert_int_equal(rec.order[2], 2);
	/* Disarm one still pending; the other fires. */
	nd_timer_disarm(l, &t[0].t);
	assert_false(nd_timer_armed(&t[0].t));
	fake_now = 1000;
	assert_int_equal(nd_loop_run_once(l, 0), 1);
	assert_int_equal(rec.order[3], 4);
	assert_int_equal(nd_loop_pending(l), 0);
	nd_loop_free(l);
}

static void
test_timer_rearm_moves_it(void **state)
{
	struct nd_loop *l = nd_loop_new();
	struct rec rec = { .n = 0 };
	struct tmr a = { .rec = &rec, .id = 1 }, b = { .rec = &rec, .id = 2 };

	(void)state;
	nd_loop_set_clock(l, fake_clock, NULL);
	fake_now = 0;
	nd_timer_init(&a.t, on_timer, &a);
	nd_timer_init(&b.t, on_timer, &b);
	nd_timer_arm(l, &a.t, 100);
	nd_timer_arm(l, &b.t, 200);
	nd_timer_arm(l, &a.t, 300);	/* later than b now */
	assert_int_equal(nd_loop_pending(l), 2);
	fake_now = 250;
	nd_loop_run_once(l, 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.order[0], 2);
	fake_now = 300;
	nd_loop_run_once(l, 0);
	assert_int_equal(rec.order[1], 1);
	nd_loop_free(l);
}

static uint64_t heap_fired[1000];
static size_t heap_nfired;

static void
on_heap_timer(struct nd_loop *l, void *arg)
{
	(void)l;
	heap_fired[heap_nfired++] = ((struct nd_timer *)arg)->when;
}

static void
test_many_timers_heap_order(void **state)
{
	struct nd_loop *l = nd_loop_new();
	static struct nd_timer t[1000];
	size_t i;

	(void)state;
	nd_loop_set_clock(l, fake_clock, NULL);
	fake_now = 0;
	heap_nfired = 0;
	for (i = 0; i < 1000; i++) {
		/* A scrambled order of the deadlines 1..1000. */
		nd_timer_init(&t[i], on_heap_timer, &t[i]);
		nd_timer_arm(l, &t[i], 1 + (i * 389) % 1000);
	}
	/* Disarm every third from the middle of the heap. */
	for (i = 0; i < 1000; i += 3)
		nd_timer_disarm(l, &t[i]);
	assert_int_equal(nd_loop_pending(l), 1000 - 334);
	/* Everything is due at once: the loop pops in heap order. */
	fake_now = 1000;
	assert_int_equal(nd_loop_run_once(l, 0), 666);
	assert_int_equal(heap_nfired, 666);
	for (i = 1; i < heap_nfired; i++)
		assert_true(heap_fired[i - 1] < heap_fired[i]);
	assert_int_equal(nd_loop_pending(l), 0);
	nd_loop_free(l);
}

static int fd_events;

static void
on_fd(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	(void)arg;
	if (ev & ND_EV_READ)
		fd_events++;
	nd_loop_fd_del(l, fd);
}

static void
test_fd_dispatch_and_removal(void **state)
{
	struct nd_loop *l = nd_loop_new();
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	fd_events = 0;
	assert_int_equal(nd_loop_fd_set(l, p[0], ND_EV_READ, on_fd, NULL), 0);
	assert_int_equal(nd_loop_run_once(l, 0), 0);	/* nothing to read */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(nd_loop_run_once(l, 1000000), 1);
	assert_int_equal(fd_events, 1);
	/* The callback removed the watch: no second delivery. */
	assert_int_equal(nd_loop_run_once(l, 0), 0);
	assert_int_equal(nd_loop_pending(l), 0);
	assert_int_equal(nd_loop_fd_set(l, -1, ND_EV_READ, on_fd, NULL),
	    -EBADF);
	close(p[0]);
	close(p[1]);
	nd_loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_timer_rearm_moves_it),
		cmocka_unit_test(test_many_timers_heap_order),
		cmocka_unit_test(test_fd_dispatch_and_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
