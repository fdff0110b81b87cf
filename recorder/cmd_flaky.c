/* cmd_flaky.c - `grr flaky`: records a program again and again until it
 * fails, keeps (and packs) the traces of the failing runs, deletes the
 * others, and says how to replay what it kept (see flaky.h). */
#include "recorder/env_screen.h"
#include "recorder/flaky.h"
#include "recorder/trace_dir.h"
#include "tools/commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_RUNS 100
#define DEFAULT_KEEP 1
#define DEFAULT_TIMEOUT_S 600.0
#define TAIL_LINES 10
#define PLAIN_PROGRESS_S 5.0   /* progress lines when not on a terminal */

/* Exit statuses besides 0 (no run failed), 1 (failures captured), 2. */
#define EXIT_RECORD_FAILED 125
#define EXIT_INTERRUPTED 130

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr flaky [--runs N] [--timeout D] [--chaos] [--keep K] [--match REGEX]\n"
		"                 [-o DIR] [--portable] [--keep-env NAME]... [--keep-all-env]\n"
		"                 [--no-pack] [-q] [--] PROGRAM [ARGS...]\n"
		"\n"
		"Records PROGRAM again and again until a run fails: a non-zero exit status,\n"
		"death by a signal, a run longer than the timeout (stopped there; its trace\n"
		"replays up to that moment), or output matching REGEX.  The traces of the\n"
		"failing runs are kept, with the run's output beside them (TRACE minus .grr,\n"
		"plus .out), and packed so that they replay on another machine; the other\n"
		"runs' traces and output are deleted.  A summary says how each kept run\n"
		"failed and how to replay it.  The program's stdin is /dev/null.  Like grr\n"
		"record, it withholds the environment variables whose names look secret.\n"
		"\n"
		"  --runs N       at most N runs (default %d)\n"
		"  --keep K       stop after K failing runs, keeping their traces (default %d)\n"
		"  --timeout D    a run longer than D fails (D: seconds, or with a unit:\n"
		"                 500ms, 30s, 2m, 1h; 0: no limit; default 10m)\n"
		"  --chaos        randomized scheduling, a new chaos seed for every run\n"
		"  --match REGEX  a run whose output has a line matching REGEX (POSIX\n"
		"                 extended) fails, even if it exits 0\n"
		"  -o DIR         keep traces in DIR (default: where grr record puts them)\n"
		"  --portable     record with GODEBUG=cpu.all=off (see grr record --help)\n"
		"  --keep-env NAME  pass NAME on although its name looks secret (repeatable)\n"
		"  --keep-all-env pass the whole environment on\n"
		"  --no-pack      do not embed the executable in the kept traces\n"
		"  -q, --quiet    no progress line\n"
		"\n"
		"Example, a test binary:\n"
		"  go test -c -o pkg.test ./pkg\n"
		"  grr flaky -- ./pkg.test -test.run 'TestX$' -test.count=1\n"
		"\n"
		"Exit status: 0 every run passed, 1 failing runs were captured, 2 usage\n"
		"error, 125 a recording failed (grr's error, e.g. not a Go program),\n"
		"130 interrupted.\n",
		DEFAULT_RUNS, DEFAULT_KEEP);
}

/* "30", "30s", "500ms", "2m", "1h" -> seconds. */
static int parse_duration(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v != v)
		return -1;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		*out = v;
	else if (!strcmp(end, "ms"))
		*out = v / 1000;
	else if (!strcmp(end, "m"))
		*out = v * 60;
	else if (!strcmp(end, "h"))
		*out = v * 3600;
	else
		return -1;
	return *out <= 1e9 ? 0 : -1;
}

static int parse_count(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 1000000000)
		return -1;
	*out = v;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t new_seed(void)
{
	uint64_t s = 0;
	if (getrandom(&s, sizeof(s), 0) != sizeof(s))
		s = (uint64_t)time(NULL) * 6364136223846793005ull ^ (uint64_t)getpid();
	return s ? s : 1;
}

/* A path as a shell needs it quoted. */
static void put_quoted(FILE *f, const char *a)
{
	bool plain = *a != 0;
	for (const char *p = a; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%",
			    *p))
			plain = false;
	if (plain) {
		fputs(a, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = a; *p; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}

struct kept {
	int run;
	struct flaky_result res;
	char trace[PATH_MAX];
	char out[PATH_MAX + 8];
	char pack[PATH_MAX + 600];   /* "packed", or why not */
};

struct progress {
	bool tty, quiet;
	long runs;
	long done;                /* runs finished */
	long failed;
	double t0;
	double last_shown;        /* when the line was last written */
	long last_done;
	bool line_shown;          /* a \r line is on the terminal */
};

static void progress_clear(struct progress *p)
{
	if (p->line_shown) {
		fputs("\r\033[K", stderr);
		p->line_shown = false;
	}
}

static void progress_show(void *ctx)
{
	struct progress *p = ctx;
	if (p->quiet)
		return;
	double t = now_s() - p->t0;
	bool changed = p->done != p->last_done;
	if (p->tty) {
		/* at most 10 times a second, or when a run ended */
		if (!changed && p->line_shown && t - p->last_shown < 0.1)
			return;
		fprintf(stderr, "\rgrr flaky: %ld/%ld runs, %ld failed, %.1f s\033[K", p->done,
			p->runs, p->failed, t);
		p->line_shown = true;
	} else if (t - p->last_shown >= PLAIN_PROGRESS_S && (changed || p->done == 0)) {
		fprintf(stderr, "grr flaky: %ld/%ld runs, %ld failed, %.1f s\n", p->done, p->runs,
			p->failed, t);
	} else {
		return;
	}
	p->last_shown = t;
	p->last_done = p->done;
	fflush(stderr);
}

/* DIR/NAME-N.grr -> DIR/NAME-N.out */
static void out_path(const char *trace, char *out, size_t len)
{
	size_t n = strlen(trace);
	if (n > 4 && !strcmp(trace + n - 4, ".grr"))
		snprintf(out, len, "%.*s.out", (int)(n - 4), trace);
	else
		snprintf(out, len, "%s.out", trace);
}

static void keep_run(struct kept *k, bool pack)
{
	if (!pack) {
		snprintf(k->pack, sizeof(k->pack), "not packed: --no-pack");
		return;
	}
	char summary[PATH_MAX + 256], err[PATH_MAX + 512];
	if (grr_pack(k->trace, NULL, summary, sizeof(summary), err, sizeof(err)) == 0)
		snprintf(k->pack, sizeof(k->pack), "packed");
	else
		snprintf(k->pack, sizeof(k->pack), "not packed: %s", err);
}

static void print_kept(const struct flaky_opts *o, const struct kept *k)
{
	char how[700];
	flaky_describe(o, &k->res, how, sizeof(how));
	printf("\nrun %d: %s", k->run, how);
	if (k->res.seed)
		printf(" (chaos seed %llu)", (unsigned long long)k->res.seed);
	printf("\n  trace:   %s (%s)\n", k->trace, k->pack);
	char tail[4096];
	if (flaky_tail(k->out, tail, sizeof(tail), TAIL_LINES) == 0 && tail[0]) {
		printf("  output:  %s; its last lines:\n", k->out);
		for (char *line = tail, *next; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = 0;
			printf("    | %s\n", line);
		}
	} else {
		printf("  output:  %s (empty)\n", k->out);
	}
	printf("  replay:  grr replay --autopilot ");
	put_quoted(stdout, k->trace);
	printf("\n");
}

static const char *outcome_word(enum flaky_outcome oc)
{
	switch (oc) {
	case FLAKY_EXIT: return "non-zero exit";
	case FLAKY_SIGNAL: return "killed by a signal";
	case FLAKY_TIMEOUT: return "timed out";
	case FLAKY_MATCH: return "output matched";
	default: return "other";
	}
}

static int flaky(int argc, char **argv, struct flaky_opts *op);

int cmd_flaky(int argc, char **argv)
{
	struct flaky_opts o = { 0 };
	const char **keep = calloc((size_t)argc + 1, sizeof(*keep));
	if (!keep) {
		fprintf(stderr, "grr flaky: out of memory\n");
		return EXIT_RECORD_FAILED;
	}
	o.keep_env = keep;
	int rc = flaky(argc, argv, &o);
	free(keep);
	return rc;
}

static int flaky(int argc, char **argv, struct flaky_opts *op)
{
	struct flaky_opts o = *op;
	long runs = DEFAULT_RUNS, keep = DEFAULT_KEEP;
	o.timeout_s = DEFAULT_TIMEOUT_S;
	const char *outdir = NULL;
	bool pack = true, quiet = false;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--runs") && more) {
			if (parse_count(argv[++i], &runs)) {
				fprintf(stderr, "grr flaky: --runs needs a positive number\n");
				return GRR_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--keep") && more) {
			if (parse_count(argv[++i], &keep)) {
				fprintf(stderr, "grr flaky: --keep needs a positive number\n");
				return GRR_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--timeout") && more) {
			if (parse_duration(argv[++i], &o.timeout_s)) {
				fprintf(stderr, "grr flaky: --timeout needs a duration such as 30, 30s, "
					"500ms, 2m (0: none)\n");
				return GRR_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--match") && more) {
			o.regex_src = argv[++i];
		} else if (!strcmp(a, "-o") && more) {
			outdir = argv[++i];
		} else if (!strcmp(a, "--chaos")) {
			o.chaos = true;
		} else if (!strcmp(a, "--portable")) {
			o.portable = true;
		} else if ((!strcmp(a, "--keep-env") && more) || !strncmp(a, "--keep-env=", 11)) {
			const char *name = a[10] == '=' ? a + 11 : argv[++i];
			if (!grr_env_name_valid(name)) {
				fprintf(stderr, "grr flaky: --keep-env needs a variable name (no '=')\n");
				return GRR_EXIT_USAGE;
			}
			o.keep_env[o.nkeep_env++] = name;
		} else if (!strcmp(a, "--keep-env")) {
			fprintf(stderr, "grr flaky: --keep-env needs a variable name\n");
			return GRR_EXIT_USAGE;
		} else if (!strcmp(a, "--keep-all-env")) {
			o.keep_all_env = true;
		} else if (!strcmp(a, "--no-pack")) {
			pack = false;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (a[0] == '-') {
			fprintf(stderr, "grr flaky: unknown option '%s' (see 'grr flaky --help')\n", a);
			return GRR_EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "grr flaky: no program given (see 'grr flaky --help')\n");
		return GRR_EXIT_USAGE;
	}
	o.argv = argv + i;
	if (o.regex_src) {
		int rc = regcomp(&o.regex, o.regex_src, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char why[256];
			regerror(rc, &o.regex, why, sizeof(why));
			fprintf(stderr, "grr flaky: --match '%s': %s\n", o.regex_src, why);
			return GRR_EXIT_USAGE;
		}
		o.have_regex = true;
	}

	char dir[PATH_MAX], err[PATH_MAX + 512];
	int rc = outdir ? grr_trace_dir_create(outdir, err, sizeof(err))
			: grr_trace_dir(dir, sizeof(dir), err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "grr flaky: %s\n", err);
		if (o.have_regex)
			regfree(&o.regex);
		return EXIT_RECORD_FAILED;
	}
	/* absolute, for the latest-trace link and the replay commands */
	char given[PATH_MAX];
	snprintf(given, sizeof(given), "%s", outdir ? outdir : dir);
	if (!realpath(given, dir)) {
		fprintf(stderr, "grr flaky: %s: %s\n", given, strerror(errno));
		if (o.have_regex)
			regfree(&o.regex);
		return EXIT_RECORD_FAILED;
	}

	/* each recording withholds the same variables: named once, here */
	struct grr_env_screen env;
	if (grr_env_screen(environ, o.keep_env, o.nkeep_env, o.keep_all_env, &env) == 0) {
		grr_env_notice(stderr, "grr flaky", &env);
		grr_env_screen_free(&env);
	}
	if (keep > runs)
		keep = runs;   /* (so that the table below stays small) */
	struct kept *kept = calloc((size_t)keep, sizeof(*kept));
	if (!kept) {
		fprintf(stderr, "grr flaky: out of memory\n");
		return EXIT_RECORD_FAILED;
	}
	/* signals come through sigtimedwait (flaky_run.c): a stop request
	 * ends the run in progress and the loop */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);

	struct progress pg = { .tty = isatty(2) == 1, .quiet = quiet, .runs = runs, .t0 = now_s() };
	volatile sig_atomic_t stop = 0;
	long done = 0, nfail = 0;
	long by_outcome[FLAKY_ERROR + 1] = { 0 };
	int status = 0;
	struct flaky_result res = { 0 };
	for (long run = 1; run <= runs && nfail < keep && !stop; run++) {
		struct timespec zero = { 0, 0 };
		int sig = sigtimedwait(&block, NULL, &zero);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			stop = 1;
			break;
		}
		char trace[PATH_MAX], out[PATH_MAX + 8];
		if (grr_trace_new_path(dir, o.argv[0], trace, sizeof(trace)) < 0) {
			progress_clear(&pg);
			fprintf(stderr, "grr flaky: %s: cannot create a trace file: %s\n", dir,
				strerror(errno));
			status = EXIT_RECORD_FAILED;
			break;
		}
		out_path(trace, out, sizeof(out));
		progress_show(&pg);
		if (flaky_run(&o, trace, out, o.chaos ? new_seed() : 0, &stop, progress_show, &pg,
			      &res, err, sizeof(err)) < 0) {
			progress_clear(&pg);
			fprintf(stderr, "grr flaky: %s\n", err);
			unlink(trace);
			status = EXIT_RECORD_FAILED;
			break;
		}
		if (res.outcome == FLAKY_PASS || res.outcome == FLAKY_INTERRUPTED ||
		    res.outcome == FLAKY_ERROR) {
			if (res.outcome == FLAKY_ERROR) {
				char how[700];
				flaky_describe(&o, &res, how, sizeof(how));
				progress_clear(&pg);
				fprintf(stderr, "grr flaky: run %ld: %s\n", run, how);
				status = EXIT_RECORD_FAILED;
			}
			unlink(trace);
			unlink(out);
			if (res.outcome != FLAKY_PASS)
				break;
			pg.done = ++done;
			continue;
		}
		pg.done = ++done;
		struct kept *k = &kept[nfail++];
		pg.failed = nfail;
		by_outcome[res.outcome]++;
		k->run = (int)run;
		k->res = res;
		snprintf(k->trace, sizeof(k->trace), "%s", trace);
		snprintf(k->out, sizeof(k->out), "%s", out);
		keep_run(k, pack);
		if (nfail == 1)
			grr_trace_set_latest(dir, trace);
		if (!quiet) {
			char how[700];
			flaky_describe(&o, &res, how, sizeof(how));
			progress_clear(&pg);
			fprintf(stderr, "grr flaky: run %ld failed: %s; trace %s\n", run, how, trace);
		}
	}
	progress_clear(&pg);
	bool interrupted = stop;

	double secs = now_s() - pg.t0;
	printf("grr flaky: %ld run%s in %.1f s", done, done == 1 ? "" : "s", secs);
	if (nfail) {
		printf(": %ld passed, %ld failed (", done - nfail, nfail);
		const char *sep = "";
		for (int oc = FLAKY_EXIT; oc <= FLAKY_MATCH; oc++)
			if (by_outcome[oc]) {
				printf("%s%ld %s", sep, by_outcome[oc], outcome_word(oc));
				sep = ", ";
			}
		printf(")");
	} else if (done) {
		printf(", all passed; no trace kept");
	}
	if (interrupted)
		printf(" (interrupted)");
	else if (status == EXIT_RECORD_FAILED)
		printf(" (stopped: a recording failed)");
	printf("\n");
	for (long k = 0; k < nfail; k++)
		print_kept(&o, &kept[k]);
	fflush(stdout);
	sigprocmask(SIG_SETMASK, &old, NULL);   /* (after the summary) */
	free(kept);
	if (o.have_regex)
		regfree(&o.regex);
	if (nfail)
		return 1;
	if (interrupted)
		return EXIT_INTERRUPTED;
	return status;
}
