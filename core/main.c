/*
 * main.c - the only place that exits.  Parses the command line, loads the
 * config, builds the inventory, runs the engine, writes the report, and
 * maps the result to the Monitoring Plugins exit codes (DESIGN.md 4.2).
 */
#include <errno.h>
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
#include "diagnose.h"
#include "dnsq.h"
#include "engine.h"
#include "http.h"
#include "inputs.h"
#include "loop.h"
#include "model.h"
#include "options.h"
#include "planprint.h"
#include "privs.h"
#include "report.h"
#include "target.h"
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

/* Run -> diagnosis -> the report model, in that order. */
static void
report(struct nd_arena *a, const struct nd_engine *eng,
    const struct nd_inputs *in, const struct nd_run *run, time_t started,
    struct nd_report *rep)
{
	struct nd_report_input ri = { .started = started,
	    .targets = in->inv.targets, .ntargets = in->inv.ntargets,
	    .warn = run->warn, .crit = run->crit,
	    .timeout_ms = run->timeout_ms };
	struct nd_cause *causes;

	ri.probes = nd_engine_probes(eng, &ri.nprobes);
	ri.elapsed_us = nd_engine_elapsed_us(eng);
	nd_diagnose(a, ri.probes, ri.nprobes, &causes, &ri.ncauses);
	ri.causes = causes;
	nd_report_build(a, &ri, rep);
}

static int
write_report(const struct nd_report *r, const struct nd_options *o,
    char *err, size_t len)
{
	const struct nd_reporter *rep = nd_reporter_find(o->format);
	char tmp[4096];
	FILE *f = stdout;
	int rc;

	if (o->output != NULL) {
		/* Write aside and rename: a failed run never leaves half a file. */
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", o->output,
		    (long)getpid());
		if ((f = fopen(tmp, "w")) == NULL) {
			snprintf(err, len, "-o %s: %s", o->output,
			    strerror(errno));
			return -errno;
		}
	}
	/* Large reports: a few big writes instead of thousands of 4 KiB ones. */
	(void)setvbuf(f, NULL, _IOFBF, 1 << 18);
	rc = rep->write(f, r, o->color ? ND_REPORT_COLOR : 0);
	if (fflush(f) != 0 && rc == 0)
		rc = -errno;
	if (o->output != NULL) {
		if (fclose(f) != 0 && rc == 0)
			rc = -errno;
		if (rc == 0 && rename(tmp, o->output) < 0)
			rc = -errno;
		if (rc < 0)
			(void)unlink(tmp);
	}
	if (rc < 0)
		snprintf(err, len, "writing the report: %s", strerror(-rc));
	return rc;
}

static int
run(struct nd_arena *a, struct nd_options *o, char *err, size_t len)
{
	struct nd_inputs in;
	struct nd_loop *loop = NULL;
	struct nd_engine *eng = NULL;
	struct nd_run run;
	struct nd_report rep;
	time_t started = time(NULL);
	int rc;

	memset(&run, 0, sizeof(run));
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
	rc = ND_EXIT_UNKNOWN;
	if ((loop = nd_loop_new()) == NULL) {
		snprintf(err, len, "cannot create the event loop: %s",
		    strerror(errno));
		goto out;
	}
	run.arena = a;
	run.loop = loop;
	run.timeout_ms = o->timeout_ms;
	run.budget_ms = o->budget_ms;
	run.max_inflight = o->max_inflight;
	run.listen_ms = o->listen_ms;
	run.only = o->only;
	run.skip = o->skip;
	run.warn = o->have_warn ? &o->warn : NULL;
	run.crit = o->have_crit ? &o->crit : NULL;
	run.creds = &in.creds;
	run.progress = o->cmd != ND_CMD_CHECK && isatty(STDERR_FILENO) ?
	    progress_line : NULL;
	if ((eng = nd_engine_new(&run)) == NULL) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	if (nd_engine_plan(eng, &in.inv, err, len) < 0)
		goto out;
	/*
	 * Capture handles are open now (prepare); nothing later needs a
	 * privilege, so none is kept while peers' frames are parsed.
	 */
	if ((nd_engine_prepare(eng) > 0 || o->user != NULL) &&
	    nd_privs_drop(o->user, err, len) < 0)
		goto out;
	if ((rc = nd_engine_run(eng)) < 0) {
		snprintf(err, len, "the run stopped: %s", strerror(-rc));
		rc = ND_EXIT_UNKNOWN;
		goto out;
	}
	report(a, eng, &in, &run, started, &rep);
	rc = ND_EXIT_UNKNOWN;
	if (write_report(&rep, o, err, len) < 0)
		goto out;
	rc = rep.exit_code;
	err[0] = '\0';
out:
	nd_engine_free(eng);
	nd_http_free(run.http);
	nd_dnsq_free(run.dnsq);
	nd_loop_free(loop);
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
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS ||
		    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fputs("netdoctor: cannot initialise c-ares\n", stderr);
			rc = ND_EXIT_UNKNOWN;
			break;
		}
		rc = run(a, &o, err, sizeof(err));
		if (err[0] != '\0') {
			nd_one_line(err);
			fprintf(stderr, "netdoctor: %s\n", err);
		}
		curl_global_cleanup();
		ares_library_cleanup();
		break;
	}
	nd_arena_free(a);
	fflush(stdout);
	exit(rc);
}
