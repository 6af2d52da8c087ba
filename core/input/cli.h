/*
 * cli.h - the command line of docs/contracts.md 2 into struct nd_options.
 */
#ifndef ND_CLI_H
#define ND_CLI_H

#include <stddef.h>
#include <stdio.h>

struct nd_arena;
struct nd_options;

/*
 * Parses argv.  Returns 0, or -EINVAL with one line in err naming the
 * offending argument.  Strings in *o point into argv or the arena.
 */
int	nd_cli_parse(struct nd_arena *, int argc, char **argv,
	    struct nd_options *o, char *err, size_t errlen);

void	nd_cli_usage(FILE *);
int	nd_cli_list(FILE *);
/* 0, or -ENOENT with a line on err naming close ids. */
int	nd_cli_explain(FILE *, FILE *err, const char *id);

/*
 * `probe NAME TARGET`: sets o->only to NAME and everything below it in
 * TARGET's chain.  -EINVAL with one line in err when the chain has no
 * such probe.
 */
int	nd_cli_probe_only(struct nd_arena *, struct nd_options *, char *err,
	    size_t len);

#endif /* ND_CLI_H */
