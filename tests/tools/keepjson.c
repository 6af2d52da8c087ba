/*
 * keepjson.c - the ND_BIN that tests/run.sh gives the tests, so that every
 * JSON report a test makes is validated against
 * schema/netdoctor.report.v1.json at the end (tests/check/schema.sh).
 *
 *   ND_REAL_BIN=./netdoctor ND_JSON_DIR=DIR keepjson ARGS...
 *
 * Without `--format json` (or `--format=json`) among ARGS, it execs the
 * real binary: same pid, same signals, nothing in between.  With it, it
 * runs the real binary as its child with stdout through a pipe, passes
 * every byte on as it arrives and keeps a copy, passes SIGINT, SIGTERM
 * and SIGHUP on to the child, and when the child is gone writes the copy
 * (or the -o FILE the child wrote) to DIR/report.XXXXXX.json with the
 * command line beside it (.args).  It exits as the child did.
 *
 * A wrapper in C rather than bash: a bash started in the background
 * cannot trap the SIGINT it inherited ignored, and a tee after exec would
 * race the test that reads the file as soon as the pid it waited for is
 * gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEEP_MAX	(16u << 20)	/* a report larger than this is not kept */

static volatile sig_atomic_t child_pid;

static void
forward(int signo)
{
	if (child_pid > 0)
		(void)kill((pid_t)child_pid, signo);
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads path (the -o FILE) into *buf; 0 or -1. */
static int
slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, n = 0;
	char *b = NULL;
	int rc = -1;

	if (f == NULL)
		return -1;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap >= KEEP_MAX)
				goto out;
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(b, cap)) == NULL)
				goto out;
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = 0;
out:
	free(b);
	fclose(f);
	return rc;
}

static void
keep(const char *dir, const char *buf, size_t len, int argc, char **argv)
{
	char path[4096], args[4200];
	int fd, i;
	FILE *f;

	if (dir == NULL || *dir == '\0' || len == 0)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/report.XXXXXX.json",
	    dir) >= sizeof(path))
		return;
	if ((fd = mkstemps(path, 5)) < 0)
		return;
	(void)write_all(fd, buf, len);
	close(fd);
	snprintf(args, sizeof(args), "%s.args", path);
	if ((f = fopen(args, "w")) == NULL)
		return;
	for (i = 1; i < argc; i++)
		fprintf(f, "%s%s", i > 1 ? " " : "", argv[i]);
	fputc('\n', f);
	fclose(f);
}

int
main(int argc, char **argv)
{
	const char *real = getenv("ND_REAL_BIN"), *out = NULL;
	char *copy = NULL, chunk[65536];
	size_t len = 0, cap = 0;
	bool json = false;
	struct sigaction sa;
	int i, pfd[2], status;
	pid_t pid;

	if (real == NULL || *real == '\0') {
		fputs("keepjson: ND_REAL_BIN is not set\n", stderr);
		return 125;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format=json") == 0 ||
		    (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
		    strcmp(argv[i + 1], "json") == 0))
			json = true;
		if ((strcmp(argv[i], "-o") == 0 ||
		    strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			out = argv[i + 1];
	}
	if (!json) {
		execv(real, argv);
		perror("keepjson: exec");
		return 126;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return 125;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((pid = fork()) < 0)
		return 125;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(125);
		execv(real, argv);
		_exit(126);
	}
	child_pid = pid;
	close(pfd[1]);
	for (;;) {
		ssize_t n = read(pfd[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		(void)write_all(STDOUT_FILENO, chunk, (size_t)n);
		if (out == NULL && len + (size_t)n <= KEEP_MAX) {
			if (len + (size_t)n > cap) {
				char *nc;

				cap = (len + (size_t)n) * 2;
				if ((nc = realloc(copy, cap)) == NULL)
					continue;
				copy = nc;
			}
			memcpy(copy + len, chunk, (size_t)n);
			len += (size_t)n;
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	if (out != NULL) {
		free(copy);
		copy = NULL;
		len = 0;
		if (strcmp(out, "-") != 0)
			(void)slurp(out, &copy, &len);
	}
	keep(getenv("ND_JSON_DIR"), copy, len, argc, argv);
	free(copy);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}
