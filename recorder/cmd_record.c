/* cmd_record.c - `grr record`: command-line front end of the recorder. */
#include "recorder/env_screen.h"
#include "recorder/recorder.h"
#include "recorder/trace_dir.h"
#include "tools/commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr record [-o TRACE] [--chaos] [--seed N] [--portable] [--timeout SECS]\n"
		"                  [--keep-env NAME]... [--keep-all-env] [-q] [-v] [--]\n"
		"                  PROGRAM [ARGS...]\n\n"
		"Runs PROGRAM (a Go program for linux/amd64) and records its execution.\n"
		"stdin/stdout/stderr pass through; grr exits with the program's status\n"
		"(128+N if signal N killed it).  The program runs without the environment\n"
		"variables whose names look secret (TOKEN, SECRET, PASSWORD, AUTH, SESSION,\n"
		"..., see docs/commands.md), so that the trace cannot hold them; one line on\n"
		"stderr names them.\n\n"
		"  -o TRACE       write the trace to TRACE (default: a new file in\n"
		"                 $GRR_TRACE_DIR or ~/.local/share/grr, and a latest-trace link)\n"
		"  --chaos        randomize scheduling to make concurrency bugs show up\n"
		"  --seed N       chaos seed (default: random, stored in the trace)\n"
		"  --portable     make the program use baseline x86-64 code paths\n"
		"                 (GODEBUG=cpu.all=off) so the trace replays on any x86-64 CPU\n"
		"  --timeout SECS stop the recording after SECS seconds (trace kept)\n"
		"  --keep-env NAME  pass the variable NAME on although its name looks secret\n"
		"                 (repeatable; the trace then holds its value)\n"
		"  --keep-all-env pass the whole environment on\n"
		"  -q             do not print the line naming the variables withheld\n"
		"  -v             print the trace path and statistics\n");
}

/* Adds GODEBUG=cpu.all=off to ENV (the screened environment, NULL
 * terminated) for --portable (appended to an existing GODEBUG). */
static char **program_env(char **env, int portable)
{
	size_t n = 0;
	while (env[n])
		n++;
	char **out = calloc(n + 2, sizeof(*out));
	if (!out)
		return NULL;
	int have = 0;
	for (size_t i = 0; i < n; i++) {
		out[i] = env[i];
		if (portable && strncmp(env[i], "GODEBUG=", 8) == 0) {
			size_t len = strlen(env[i]) + 16;
			char *v = malloc(len);
			if (v)
				snprintf(v, len, "%s,cpu.all=off", env[i]);
			out[i] = v ? v : env[i];
			have = 1;
		}
	}
	if (portable && !have)
		out[n++] = "GODEBUG=cpu.all=off";
	return out;
}

static int record(struct grr_record_opts *o, const char *output);

int cmd_record(int argc, char **argv)
{
	struct grr_record_opts o = { 0 };
	const char *output = NULL;
	const char **keep = calloc((size_t)argc + 1, sizeof(*keep));
	size_t nkeep = 0;
	bool keep_all = false, quiet = false;
	if (!keep) {
		fprintf(stderr, "grr record: out of memory\n");
		return GRR_EXIT_BAD_INPUT;
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			free(keep);
			return 0;
		} else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			output = argv[++i];
		} else if (strcmp(a, "--chaos") == 0) {
			o.chaos = true;
		} else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
			char *end;
			o.seed = strtoull(argv[++i], &end, 0);
			if (*end || !o.seed) {
				fprintf(stderr, "grr record: --seed needs a non-zero number\n");
				free(keep);
				return GRR_EXIT_USAGE;
			}
			o.chaos = true;
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			char *end;
			o.timeout_s = strtod(argv[++i], &end);
			if (*end || o.timeout_s <= 0) {
				fprintf(stderr, "grr record: --timeout needs a positive number of seconds\n");
				free(keep);
				return GRR_EXIT_USAGE;
			}
		} else if (strcmp(a, "--portable") == 0) {
			o.portable = true;
		} else if ((strcmp(a, "--keep-env") == 0 && i + 1 < argc) ||
			   strncmp(a, "--keep-env=", 11) == 0) {
			const char *name = a[10] == '=' ? a + 11 : argv[++i];
			if (!grr_env_name_valid(name)) {
				fprintf(stderr, "grr record: --keep-env needs a variable name (no '=')\n");
				free(keep);
				return GRR_EXIT_USAGE;
			}
			keep[nkeep++] = name;
		} else if (strcmp(a, "--keep-env") == 0) {
			fprintf(stderr, "grr record: --keep-env needs a variable name\n");
			free(keep);
			return GRR_EXIT_USAGE;
		} else if (strcmp(a, "--keep-all-env") == 0) {
			keep_all = true;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o.verbose = true;
		} else if (a[0] == '-') {
			fprintf(stderr, "grr record: unknown option '%s' (see 'grr record --help')\n", a);
			free(keep);
			return GRR_EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "grr record: no program given (see 'grr record --help')\n");
		free(keep);
		return GRR_EXIT_USAGE;
	}
	o.program = argv[i];
	o.argv = argv + i;
	struct grr_env_screen env;
	if (grr_env_screen(environ, keep, nkeep, keep_all, &env) < 0 ||
	    !(o.envp = program_env(env.envp, o.portable))) {
		fprintf(stderr, "grr record: out of memory\n");
		free(keep);
		return GRR_EXIT_BAD_INPUT;
	}
	free(keep);
	o.env_screened = true;
	o.env_withheld = env.withheld;
	o.env_kept_secret = env.kept_secret;
	if (!quiet)
		grr_env_notice(stderr, "grr record", &env);
	int rc = record(&o, output);
	grr_env_screen_free(&env);
	free(o.envp);
	return rc;
}

/* Records with O into OUTPUT (NULL: a new file in the trace directory). */
static int record(struct grr_record_opts *o, const char *output)
{
	char dir[PATH_MAX], path[PATH_MAX], err[1024];
	if (!output) {
		if (grr_trace_dir(dir, sizeof(dir), err, sizeof(err)) < 0) {
			fprintf(stderr, "grr record: %s\n", err);
			return GRR_EXIT_BAD_INPUT;
		}
		if (grr_trace_new_path(dir, o->program, path, sizeof(path)) < 0) {
			fprintf(stderr, "grr record: %s: cannot create a trace file: %s\n", dir,
				strerror(errno));
			return GRR_EXIT_BAD_INPUT;
		}
		output = path;
	}
	o->output = output;

	struct grr_record_result res;
	if (grr_record(o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "grr record: %s\n", err);
		if (!res.events && output == path)
			unlink(path);
		return GRR_EXIT_BAD_INPUT;
	}
	if (output == path)
		grr_trace_set_latest(dir, path);
	if (o->verbose) {
		fprintf(stderr, "grr: trace written to %s", output);
		if (o->chaos)
			fprintf(stderr, " (chaos seed %llu)", (unsigned long long)res.seed);
		fprintf(stderr, "\n");
	}
	return res.exit_status;
}
