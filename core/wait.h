/*
 * wait.h - `netdoctor wait`: run the targets' chains every --interval
 * until each target is in the state asked for (--for), give up early when
 * waiting cannot help (a cause of kind config), and say why when the
 * state never comes (the ranked report of the last round).
 *
 * Exit codes: 0 every target reached its state; 2 timed out or gave up
 * (after the report); 3 bad usage, netdoctor could not run, or a signal
 * interrupted the wait (after the report of the last complete round).
 */
#ifndef ND_WAIT_H
#define ND_WAIT_H

#include <stddef.h>

struct nd_arena;
struct nd_inputs;
struct nd_options;

/* in: loaded inputs, credentials included.  Returns the exit code. */
int	nd_wait(struct nd_arena *, const struct nd_options *,
	    const struct nd_inputs *in, char *err, size_t len);

#endif /* ND_WAIT_H */
