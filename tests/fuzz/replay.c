/*
 * replay.c - runs a libFuzzer harness without libFuzzer: every regular
 * file in the directories (or the files) named on the command line goes
 * once through LLVMFuzzerTestOneInput(), in name order, so the corpora
 * replay under gcc with ASan/UBSan as a regression test (make fuzz-replay).
 *
 * usage: replay_TARGET DIR|FILE...
 * Prints "N inputs replayed clean" and exits 0; a failed invariant or sanitizer
 * report aborts instead, and a SIGABRT handler then names the input
 * (run with ASAN_OPTIONS=abort_on_error=1 and UBSAN_OPTIONS=
 * abort_on_error=1 so that sanitizer reports end in abort() too, as
 * fuzz.mk does).  -v or REPLAY_VERBOSE=1 prints every input as it runs.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"

/* Inputs beyond fuzz.mk's -max_len are cut the way libFuzzer would. */
#define REPLAY_MAX_LEN	(1024 * 1024)

static int verbose;
static size_t ninputs;
static const char *volatile current;

static void
on_abort(int sig)
{
	const char *p = current;

	if (p != NULL) {
		/* write(2) only: we are in a signal handler. */
		(void)!write(2, "replay: crashed on input ", 25);
		(void)!write(2, p, strlen(p));
		(void)!write(2, "\n", 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_file(const char *path)
{
	uint8_t *buf;
	size_t len = 0, cap = 4096;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(cap)) == NULL) {
		fclose(f);
		return -1;
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap && cap < REPLAY_MAX_LEN) {
			uint8_t *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap *= 2;
		} else if (len == cap)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* An exact-size copy so that ASan sees reads past the end. */
	{
		uint8_t *exact = malloc(len > 0 ? len : 1);

		if (exact == NULL) {
			free(buf);
			return -1;
		}
		if (len > 0)
			memcpy(exact, buf, len);
		free(buf);
		current = path;
		(void)LLVMFuzzerTestOneInput(exact, len);
		current = NULL;
		free(exact);
	}
	ninputs++;
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	struct stat st;
	int rc = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap == 0 ? 64 : cap * 2;
			if ((nn = realloc(names, cap * sizeof(*names))) ==
			    NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (rc == 0 && (size_t)snprintf(path, sizeof(path), "%s/%s",
		    dir, names[i]) < sizeof(path) && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode))
			rc = run_file(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, rc = 0;

	verbose = getenv("REPLAY_VERBOSE") != NULL;
	signal(SIGABRT, on_abort);
	for (i = 1; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
			continue;
		}
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode))
			rc = run_dir(argv[i]);
		else
			rc = run_file(argv[i]);
	}
	if (rc != 0)
		return 1;
	if (ninputs == 0) {
		fprintf(stderr, "replay: no inputs\n");
		return 1;
	}
	printf("%zu inputs replayed clean\n", ninputs);
	return 0;
}
