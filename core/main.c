/*
 * main.c - the only place that exits.  Parses the command line, loads the
 * config, builds the inventory, runs the engine, writes the report, and
 * maps the result to the Monitoring Plugins exit codes (docs/contracts.md 3).
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "arena.h"
#include "cli.h"
#include "http.h"
#include "inputs.h"
#include "options.h"
#include "planprint.h"
#include "session.h"
#include "report.h"
#include "serve.h"
#include "wait.h"
#include "util.h"

/* The progress line: stderr, a terminal only, erased at the end. */
static void
progress_line(size_t done, size_t total, size_t running)
{
	if (done >= total && running == 0) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\rnetdoctor: %zu of %zu probes done, %zu running\033[K",
	    done, total, running);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	/* Many concurrent probes need fds; the soft limit is often 1024. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * glibc maps every block of 128 KiB or more apart and unmaps it on free,
 * then raises that threshold to the size of the block freed; with the
 * heap trimmed past 128 KiB of free space, memory a run gives back is
 * faulted in afresh by its next phase (10 to 30 us a page on a virtual
 * machine, 300 pages for the report model of 10,000 targets).  Fixed
 * thresholds keep blocks under 1 MiB and 2 MiB of free heap for reuse.
 */
static void
tune_malloc(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
}

static int
run(struct nd_arena *a, struct nd_options *o, char *err, size_t len)
{
	struct nd_inputs in;
	struct nd_session ss;
	struct nd_report rep;
	int rc = ND_EXIT_UNKNOWN;

	memset(&ss, 0, sizeof(ss));
	ss.sigfd = -1;
	if (o->cmd == ND_CMD_SERVE) {
		struct nd_config cfg;

		if (o->config != NULL && nd_config_load(a, o->config, &cfg, err,
		    len) < 0)
			return ND_EXIT_UNKNOWN;
		if (nd_serve(a, o, o->config != NULL ? &cfg : NULL, err,
		    len) < 0)
			return ND_EXIT_UNKNOWN;
		return ND_EXIT_OK;
	}
	if (o->cmd == ND_CMD_PROBE && nd_cli_probe_only(a, o, err, len) < 0)
		return ND_EXIT_UNKNOWN;
	if (nd_inputs_load(a, o, &in, err, len) < 0) {
		/* Notes explain an empty discovery; print what there is. */
		if (!o->print_plan)
			nd_inputs_notes(&in, stderr);
		return ND_EXIT_UNKNOWN;
	}
	if (!o->print_plan)
		nd_inputs_notes(&in, stderr);
	if (o->print_plan) {
		nd_plan_print(stdout, &in.inv, o, in.discovered ? "Discovery "
		    "(nothing was named on the command line)" : "Derived",
		    in.disc.nnotes > 0 ? in.disc.notes : NULL, in.disc.nnotes);
		return fflush(stdout) == 0 ? ND_EXIT_OK : ND_EXIT_UNKNOWN;
	}
	if (nd_inputs_creds(a, o, &in, err, len) < 0)
		return ND_EXIT_UNKNOWN;
	/* The inputs are built; the probes allocate in a round arena. */
	nd_arena_trim(a);
	if (o->cmd == ND_CMD_WAIT) {
		rc = nd_wait(a, o, &in, err, len);
		goto out;
	}
	if (nd_session_open(&ss, a, o, &in, err, len) < 0)
		goto out;
	ss.run.progress = o->cmd != ND_CMD_CHECK && isatty(STDERR_FILENO) ?
	    progress_line : NULL;
	if (nd_session_round(&ss, &in.inv, o->budget_ms, false, err, len) < 0)
		goto out;
	/* Interrupted: what finished, the rest cancelled (exit 3). */
	nd_session_report(&ss, &in.inv, false, NULL, NULL, &rep);
	if (nd_report_write(&rep, o->format, o->output, o->color ?
	    ND_REPORT_COLOR : 0, err, len) < 0)
		goto out;
	rc = rep.exit_code;
	err[0] = '\0';
out:
	nd_session_close(&ss);
	return rc;
}

int
main(int argc, char **argv)
{
	struct nd_options o;
	struct nd_arena *a;
	char err[1024] = "";
	int rc;

	signal(SIGPIPE, SIG_IGN);
	tune_malloc();
	a = nd_arena_new();
	if (nd_cli_parse(a, argc, argv, &o, err, sizeof(err)) < 0) {
		nd_one_line(err);
		fprintf(stderr, "netdoctor: %s\n", err);
		fputs("try 'netdoctor --help'\n", stderr);
		nd_arena_free(a);
		exit(ND_EXIT_UNKNOWN);
	}
	switch (o.cmd) {
	case ND_CMD_HELP:
		nd_cli_usage(stdout);
		rc = ND_EXIT_OK;
		break;
	case ND_CMD_VERSION:
		printf("netdoctor %s\n", ND_VERSION);
		rc = ND_EXIT_OK;
		break;
	case ND_CMD_LIST:
		rc = nd_cli_list(stdout) < 0 ? ND_EXIT_UNKNOWN : ND_EXIT_OK;
		break;
	case ND_CMD_EXPLAIN:
		rc = nd_cli_explain(stdout, stderr, o.explain_id) < 0 ?
		    ND_EXIT_UNKNOWN : ND_EXIT_OK;
		break;
	default:
		raise_nofile();
		/* libcurl and c-ares start when a probe first needs them. */
		rc = run(a, &o, err, sizeof(err));
		if (err[0] != '\0') {
			nd_one_line(err);
			fprintf(stderr, "netdoctor: %s\n", err);
		}
		break;
	}
	nd_arena_free(a);
	fflush(stdout);
	exit(rc);
}
