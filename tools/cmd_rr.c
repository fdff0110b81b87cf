/* cmd_rr.c - grr answering to rr's command line, for the debuggers that
 * drive rr (Delve's `dlv replay`, VS Code's "mode": "replay", GoLand):
 * bin/rr is a link to grr, and grr run under the name rr takes
 *
 *   rr --version
 *   rr record [--print-trace-dir=FD] [--output-trace-dir DIR] PROG ARGS...
 *   rr replay --dbgport=PORT [--onprocess=PID] TRACE
 *
 * A trace directory holds one grr trace (rr's traces are directories).
 * Anything else gets one line naming what is not supported. */
#include "recorder/trace_dir.h"
#include "tools/commands.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The rr version Delve parses (three numbers: rr >= 5.8 selects the
 * command style grr serves). */
#define RR_VERSION "5.9.0"

static int unsupported(const char *what)
{
	fprintf(stderr, "rr (grr %s): unsupported: %s (grr answers rr --version, rr record "
		"[--print-trace-dir=FD] [--output-trace-dir DIR] PROG ARGS, rr replay "
		"--dbgport=PORT [--onprocess=PID] TRACE; see docs/ide.md)\n", GRR_VERSION, what);
	return GRR_EXIT_USAGE;
}

/* Delve reads stdout and stderr together and wants only "rr version
 * X.Y.Z" there: grr's own version only goes to a terminal. */
static int version(void)
{
	printf("rr version %s\n", RR_VERSION);
	if (isatty(STDOUT_FILENO))
		printf("(grr %s, answering as rr)\n", GRR_VERSION);
	return 0;
}

/* A new directory DIR/PROG-N for a recording. */
static int new_trace_dir(const char *prog, char *out, size_t len)
{
	char base[PATH_MAX], err[256];
	if (grr_trace_dir(base, sizeof(base), err, sizeof(err)) < 0) {
		fprintf(stderr, "rr record: %s\n", err);
		return -1;
	}
	const char *name = strrchr(prog, '/');
	name = name ? name + 1 : prog;
	for (int n = 0; n < 1000000; n++) {
		if (snprintf(out, len, "%.3000s/%.200s-%d", base, name, n) >= (int)len)
			break;
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	fprintf(stderr, "rr record: cannot make a trace directory in %s: %s\n", base,
		strerror(errno));
	return -1;
}

/* Tells the one who asked (--print-trace-dir=FD) where the trace goes. */
static void print_trace_dir(int fd, const char *dir)
{
	if (fd < 0)
		return;
	char line[PATH_MAX + 2];
	int n = snprintf(line, sizeof(line), "%s\n", dir);
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "rr record: cannot write the trace directory to fd %d\n", fd);
	close(fd);
}

static int record(int argc, char **argv)
{
	int fd = -1, i = 1;
	const char *outdir = NULL;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--print-trace-dir=", 18) == 0) {
			fd = atoi(a + 18);
		} else if ((strcmp(a, "--output-trace-dir") == 0 || strcmp(a, "-o") == 0) &&
			   i + 1 < argc) {
			outdir = argv[++i];
		} else if (strncmp(a, "--output-trace-dir=", 19) == 0) {
			outdir = a + 19;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else {
			char what[300];
			snprintf(what, sizeof(what), "rr record option '%.200s'", a);
			return unsupported(what);
		}
	}
	if (i >= argc)
		return unsupported("rr record without a program");
	char dir[PATH_MAX], trace[PATH_MAX + 64], err[256];
	if (outdir) {
		snprintf(dir, sizeof(dir), "%s", outdir);
		if (grr_trace_dir_create(dir, err, sizeof(err)) < 0) {
			fprintf(stderr, "rr record: %s\n", err);
			return 1;
		}
	} else if (new_trace_dir(argv[i], dir, sizeof(dir)) < 0) {
		return 1;
	}
	const char *name = strrchr(argv[i], '/');
	snprintf(trace, sizeof(trace), "%s/%s.grr", dir, name ? name + 1 : argv[i]);
	print_trace_dir(fd, dir);
	char **args = calloc((size_t)(argc - i) + 5, sizeof(*args));
	if (!args)
		return 1;
	int n = 0;
	args[n++] = "record";
	args[n++] = "-o";
	args[n++] = trace;
	args[n++] = "--";
	for (int k = i; k < argc; k++)
		args[n++] = argv[k];
	int status = cmd_record(n, args);
	free(args);
	return status;
}

static int replay(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	char port[32] = "";
	if (!args)
		return 1;
	int n = 0;
	args[n++] = "replay";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--dbgport") == 0 && i + 1 < argc) {
			snprintf(port, sizeof(port), "--dbgport=%.20s", argv[++i]);
			args[n++] = port;
		} else if (strncmp(a, "--dbgport=", 10) == 0 || strncmp(a, "--onprocess=", 12) == 0 ||
			   a[0] != '-') {
			args[n++] = argv[i];
		} else {
			free(args);
			char what[300];
			snprintf(what, sizeof(what), "rr replay option '%.200s'", a);
			return unsupported(what);
		}
	}
	bool served = false;
	for (int i = 1; i < n; i++)
		served |= strncmp(args[i], "--dbgport=", 10) == 0;
	int status = served ? cmd_replay(n, args)
			    : unsupported("rr replay without --dbgport (use `grr replay TRACE`)");
	free(args);
	return status;
}

int cmd_rr(int argc, char **argv)
{
	if (argc < 2)
		return unsupported("rr without a command");
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
		return version();
	if (strcmp(argv[1], "record") == 0)
		return record(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return replay(argc - 1, argv + 1);
	char what[300];
	snprintf(what, sizeof(what), "rr command '%.200s'", argv[1]);
	return unsupported(what);
}
