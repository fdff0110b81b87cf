/* spawn.c - fork and exec a program under ptrace (see spawn.h). */
#include "tracee/spawn.h"
#include "tracee/task.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLOSE_RANGE_CLOEXEC_ 4u

/* In the child: set up determinism, stop for the tracer, exec.  On failure
 * the errno goes to the parent through the close-on-exec pipe. */
static void child_exec(const struct grr_spawn_opts *o, int errfd)
{
	int err = 0;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);  /* grr blocks some; the program must not */
	if (personality(ADDR_NO_RANDOMIZE) < 0 ||
	    prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		err = errno;
	if (!err && o->cwd && chdir(o->cwd) < 0)
		err = errno;
	if (!err && o->stdio_devnull && setpgid(0, 0) < 0)
		err = errno;
	if (!err && o->stdio_devnull) {
		int fd = open("/dev/null", O_RDWR);
		if (fd < 0) {
			err = errno;
		} else {
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	if (!err && o->isolate) {
		struct rlimit none = { 0, 0 };
		/* (the pipe to the parent is close-on-exec already) */
		if (setrlimit(RLIMIT_CORE, &none) < 0 ||
		    syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC_) < 0)
			err = errno;
	}
	if (!err) {
		raise(SIGSTOP);
		execve(o->path, o->argv, o->envp);
		err = errno;
	}
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

/* From the exec event stop, runs to execve's own syscall-exit stop, so
 * that the next stop is the program's first event. */
static int finish_execve(pid_t pid, char *err, size_t errlen)
{
	int status;
	if (ptrace(PTRACE_SYSCALL, pid, 0, 0) < 0 || waitpid(pid, &status, __WALL) < 0) {
		snprintf(err, errlen, "cannot finish execve: %s", strerror(errno));
		return -1;
	}
	struct grr_stop st;
	grr_stop_decode(status, &st);
	if (st.kind != GRR_STOP_SYSCALL) {
		snprintf(err, errlen, "unexpected stop after execve");
		return -1;
	}
	return 0;
}

/* Waits for the child's self-stop, seizes it, lets it run into execve. */
static int seize_until_exec(pid_t pid, char *err, size_t errlen)
{
	int status;
	if (waitpid(pid, &status, WSTOPPED) < 0 || !WIFSTOPPED(status)) {
		snprintf(err, errlen, "child did not stop before exec");
		return -1;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)GRR_PTRACE_OPTIONS) < 0) {
		snprintf(err, errlen, "ptrace(PTRACE_SEIZE): %s", strerror(errno));
		return -1;
	}
	kill(pid, SIGCONT);
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		struct grr_stop st;
		grr_stop_decode(status, &st);
		if (st.kind == GRR_STOP_EXITED || st.kind == GRR_STOP_KILLED)
			return 1;  /* exec failed; the reason is in the pipe */
		if (st.kind == GRR_STOP_EVENT && st.event == PTRACE_EVENT_EXEC)
			return finish_execve(pid, err, errlen);
		/* SIGSTOP/SIGCONT deliveries and group-stops before exec:
		 * swallow them. */
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) {
			snprintf(err, errlen, "ptrace(PTRACE_CONT): %s", strerror(errno));
			return -1;
		}
	}
}

int grr_spawn(const struct grr_spawn_opts *o, pid_t *pid_out, char *err,
	      size_t errlen)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pipefd[0]), close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_exec(o, pipefd[1]);
	}
	close(pipefd[1]);
	int rc = seize_until_exec(pid, err, errlen);
	if (rc == 1) {
		int child_errno = 0;
		if (read(pipefd[0], &child_errno, sizeof(child_errno)) == sizeof(child_errno))
			snprintf(err, errlen, "%s: %s", o->path, strerror(child_errno));
		else
			snprintf(err, errlen, "%s: could not be executed", o->path);
		rc = -1;
	} else if (rc < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
	}
	close(pipefd[0]);
	if (rc == 0)
		*pid_out = pid;
	return rc;
}
