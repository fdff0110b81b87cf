/* flaky_run.c - one run of `grr flaky`: a `grr record` child process,
 * waited for, then judged from the trace's last event (see flaky.h). */
#include "recorder/flaky.h"
#include "format/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds the recorder gets beyond its own --timeout before grr flaky
 * stops it (SIGTERM), and then before it kills it. */
#define GRACE_TERM_S 20.0
#define GRACE_KILL_S 10.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the child: `grr record` with the program's output into OUTFD, in its
 * own process group (Ctrl-C reaches grr flaky, which forwards it once). */
static void exec_record(const struct flaky_opts *o, const char *trace, int outfd, uint64_t seed)
{
	size_t n = 0;
	while (o->argv[n])
		n++;
	char **argv = calloc(n + 14 + 2 * o->nkeep_env, sizeof(*argv));
	char seedbuf[32], timebuf[32];
	if (!argv)
		_exit(127);
	size_t k = 0;
	argv[k++] = "grr";
	argv[k++] = "record";
	argv[k++] = "-o";
	argv[k++] = (char *)trace;
	if (seed) {
		snprintf(seedbuf, sizeof(seedbuf), "%llu", (unsigned long long)seed);
		argv[k++] = "--seed";
		argv[k++] = seedbuf;
	}
	if (o->portable)
		argv[k++] = "--portable";
	/* (grr flaky named the variables withheld, once) */
	argv[k++] = "-q";
	for (size_t i = 0; i < o->nkeep_env; i++) {
		argv[k++] = "--keep-env";
		argv[k++] = (char *)o->keep_env[i];
	}
	if (o->keep_all_env)
		argv[k++] = "--keep-all-env";
	if (o->timeout_s > 0) {
		snprintf(timebuf, sizeof(timebuf), "%.3f", o->timeout_s);
		argv[k++] = "--timeout";
		argv[k++] = timebuf;
	}
	argv[k++] = "--";
	for (size_t i = 0; i < n; i++)
		argv[k++] = o->argv[i];
	argv[k] = NULL;

	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || dup2(in, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
		_exit(127);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "grr flaky: cannot run grr record: %s\n", strerror(errno));
	_exit(127);
}

/* Waits for PID; forwards a stop request once; enforces a last-resort
 * deadline.  Returns its wait status. */
static int wait_record(const struct flaky_opts *o, pid_t pid, double t0,
		       volatile sig_atomic_t *stop, void (*tick)(void *), void *ctx)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	bool forwarded = false, termed = false, killed = false;
	double stop_at = 0;
	for (;;) {
		int status;
		pid_t p = waitpid(pid, &status, WNOHANG);
		if (p == pid || (p < 0 && errno != EINTR))
			return p == pid ? status : 127 << 8;   /* (lost: judged a failure of grr) */
		struct timespec ts = { 0, 250000000 };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			*stop = 1;
		double now = now_s();
		if (*stop && !forwarded) {
			kill(pid, SIGINT);   /* grr record stops the program, keeps a trace */
			forwarded = true;
			stop_at = now;
		}
		double limit = o->timeout_s > 0 ? o->timeout_s + GRACE_TERM_S : 0;
		if (!termed && ((limit && now - t0 > limit) || (stop_at && now - stop_at > 5))) {
			kill(pid, SIGTERM);
			termed = true;
			stop_at = now;
		} else if (termed && !killed && now - stop_at > GRACE_KILL_S) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (tick)
			tick(ctx);
	}
}

/* The output's first line matching the regex, into DETAIL. */
static bool output_matches(const struct flaky_opts *o, const char *out, char *detail,
			   size_t len)
{
	FILE *f = fopen(out, "re");
	if (!f)
		return false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool hit = false;
	while (!hit && (n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if (regexec(&o->regex, line, 0, NULL, 0) == 0) {
			hit = true;
			snprintf(detail, len, "%.200s", line);
		}
	}
	free(line);
	fclose(f);
	return hit;
}

int flaky_tail(const char *path, char *buf, size_t len, int lines)
{
	buf[0] = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	off_t size = lseek(fd, 0, SEEK_END);
	size_t want = len - 1;
	off_t from = size > (off_t)want ? size - (off_t)want : 0;
	ssize_t n = size > 0 ? pread(fd, buf, (size_t)(size - from), from) : 0;
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	/* keep the last LINES lines (all of them if the text is shorter) */
	char *p = buf + n;
	for (int k = 0; p > buf; p--)
		if (p[-1] == '\n' && ++k == lines)
			break;
	memmove(buf, p, strlen(p) + 1);
	return 0;
}

/* How the recording ended: its last event, or an error. */
static void judge(const struct flaky_opts *o, const char *trace, const char *out, int wstatus,
		  struct flaky_result *res)
{
	struct grr_error e;
	struct grr_reader *r = grr_reader_open(trace, &e);
	struct grr_event ev;
	uint64_t n = r ? grr_reader_event_count(r) : 0;
	bool ended = n > 0 && grr_reader_seek(r, n - 1, &e) == 0 &&
		     grr_reader_next(r, &ev, &e) == 1 && ev.kind == GRR_EV_PROCESS_EXIT;
	res->events = n;
	int how = ended ? ev.u.process_exit.how : -1, st = ended ? ev.u.process_exit.status : 0;
	grr_reader_close(r);
	int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	res->outcome = FLAKY_ERROR;
	if (how == GRR_EXIT_NORMAL && code == (st & 0xff)) {
		res->status = st;
		res->outcome = st ? FLAKY_EXIT : FLAKY_PASS;
		if (!st && o->have_regex && output_matches(o, out, res->detail, sizeof(res->detail)))
			res->outcome = FLAKY_MATCH;
	} else if (how == GRR_EXIT_SIGNAL && code == 128 + st) {
		res->status = st;
		res->outcome = FLAKY_SIGNAL;
	} else if (how == GRR_EXIT_DETACHED && code == 124 && o->timeout_s > 0) {
		res->outcome = FLAKY_TIMEOUT;
	}
	if (res->outcome != FLAKY_ERROR)
		return;
	/* the recorder's own complaint is the last thing it wrote */
	char tail[512];
	flaky_tail(out, tail, sizeof(tail), 1);
	if (tail[0])
		snprintf(res->detail, sizeof(res->detail), "%s", tail);
	else if (WIFSIGNALED(wstatus))
		snprintf(res->detail, sizeof(res->detail), "grr record was killed by signal %d",
			 WTERMSIG(wstatus));
	else
		snprintf(res->detail, sizeof(res->detail), "grr record exited %d without a "
			 "complete trace", code);
}

int flaky_run(const struct flaky_opts *o, const char *trace, const char *out, uint64_t seed,
	      volatile sig_atomic_t *stop, void (*tick)(void *ctx), void *ctx,
	      struct flaky_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	res->seed = seed;
	int outfd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (outfd < 0) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(outfd);
		return -1;
	}
	if (pid == 0)
		exec_record(o, trace, outfd, seed);
	close(outfd);
	int wstatus = wait_record(o, pid, t0, stop, tick, ctx);
	res->seconds = now_s() - t0;
	if (*stop) {
		res->outcome = FLAKY_INTERRUPTED;
		return 0;
	}
	judge(o, trace, out, wstatus, res);
	return 0;
}

void flaky_describe(const struct flaky_opts *o, const struct flaky_result *res, char *buf,
		    size_t len)
{
	switch (res->outcome) {
	case FLAKY_PASS:
		snprintf(buf, len, "passed");
		break;
	case FLAKY_EXIT:
		snprintf(buf, len, "exit status %d", res->status);
		break;
	case FLAKY_SIGNAL: {
		const char *name = sigabbrev_np(res->status);
		snprintf(buf, len, "killed by signal %d (SIG%s)", res->status, name ? name : "?");
		break;
	}
	case FLAKY_TIMEOUT:
		snprintf(buf, len, "timed out after %g s (stopped there: the trace replays up "
			 "to that moment)", o->timeout_s);
		break;
	case FLAKY_MATCH:
		snprintf(buf, len, "output matched '%s': %s", o->regex_src, res->detail);
		break;
	case FLAKY_INTERRUPTED:
		snprintf(buf, len, "interrupted");
		break;
	case FLAKY_ERROR:
		snprintf(buf, len, "the recording failed: %s", res->detail);
		break;
	}
}
