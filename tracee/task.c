/* task.c - ptrace mechanics on one thread (see task.h). */
#include "tracee/task.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int grr_task_getregs(pid_t tid, struct user_regs_struct *regs)
{
	return ptrace(PTRACE_GETREGS, tid, 0, regs) < 0 ? -1 : 0;
}

int grr_task_setregs(pid_t tid, const struct user_regs_struct *regs)
{
	return ptrace(PTRACE_SETREGS, tid, 0, regs) < 0 ? -1 : 0;
}

int grr_task_getfpregs(pid_t tid, struct user_fpregs_struct *fp)
{
	return ptrace(PTRACE_GETFPREGS, tid, 0, fp) < 0 ? -1 : 0;
}

int grr_task_setfpregs(pid_t tid, const struct user_fpregs_struct *fp)
{
	return ptrace(PTRACE_SETFPREGS, tid, 0, fp) < 0 ? -1 : 0;
}

int grr_task_getsiginfo(pid_t tid, void *siginfo128)
{
	memset(siginfo128, 0, 128);
	return ptrace(PTRACE_GETSIGINFO, tid, 0, siginfo128) < 0 ? -1 : 0;
}

/* Whether one of the siginfos of TID's queue (the shared one with
 * PTRACE_PEEKSIGINFO_SHARED in FLAGS) is a signal outside BLOCKED. */
static bool queue_deliverable(pid_t tid, unsigned flags, uint64_t blocked)
{
	struct { uint64_t off; uint32_t flags; int32_t nr; } a = { 0, flags, 8 };
	uint8_t si[8][128];
	for (;;) {
		long n = ptrace(PTRACE_PEEKSIGINFO, tid, &a, si);
		if (n <= 0)
			return n < 0;   /* (unknown: say yes, the caller anchors) */
		for (long i = 0; i < n; i++) {
			int signo;
			memcpy(&signo, si[i], sizeof(signo));
			if (signo < 1 || signo > 64 || !(blocked & (1ull << (signo - 1))))
				return true;
		}
		a.off += (uint64_t)n;
	}
}

bool grr_task_signal_deliverable(pid_t tid)
{
	uint64_t blocked = 0;
	if (ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof(blocked), &blocked) < 0)
		return true;
	return queue_deliverable(tid, 0, blocked) ||
	       queue_deliverable(tid, PTRACE_PEEKSIGINFO_SHARED, blocked);
}

int grr_task_setsiginfo(pid_t tid, const void *siginfo128)
{
	return ptrace(PTRACE_SETSIGINFO, tid, 0, siginfo128) < 0 ? -1 : 0;
}

int grr_task_sysinfo(pid_t tid, struct grr_sysinfo *info)
{
	memset(info, 0, sizeof(*info));
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(*info), info);
	return n < 0 ? -1 : 0;
}

int grr_task_eventmsg(pid_t tid, unsigned long *msg)
{
	return ptrace(PTRACE_GETEVENTMSG, tid, 0, msg) < 0 ? -1 : 0;
}

int grr_task_resume_syscall(pid_t tid, int sig)
{
	return ptrace(PTRACE_SYSCALL, tid, 0, (void *)(long)sig) < 0 ? -1 : 0;
}

int grr_task_resume_cont(pid_t tid, int sig)
{
	return ptrace(PTRACE_CONT, tid, 0, (void *)(long)sig) < 0 ? -1 : 0;
}

int grr_task_resume_sysemu(pid_t tid, int sig)
{
	return ptrace(PTRACE_SYSEMU, tid, 0, (void *)(long)sig) < 0 ? -1 : 0;
}

int grr_task_resume(pid_t tid, enum grr_resume how, int sig)
{
	switch (how) {
	case GRR_RESUME_SYSEMU: return grr_task_resume_sysemu(tid, sig);
	case GRR_RESUME_CONT:   return grr_task_resume_cont(tid, sig);
	default:                return grr_task_resume_syscall(tid, sig);
	}
}

/* Whether STATUS is a PTRACE_EVENT_SECCOMP stop. */
static bool is_seccomp_stop(int status)
{
	return WIFSTOPPED(status) && (status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8));
}

/* Resumes TID with PTRACE_SYSCALL to its next syscall stop, passing a
 * seccomp stop on the way (the recorder's filter traces the call too). */
static int to_syscall_stop(pid_t tid)
{
	for (;;) {
		int status;
		if (grr_task_resume_syscall(tid, 0) < 0 || waitpid(tid, &status, __WALL) != tid)
			return -1;
		if (is_seccomp_stop(status))
			continue;
		return WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80) ? 0 : -1;
	}
}

int grr_task_run_syscall(pid_t tid)
{
	return to_syscall_stop(tid) == 0 && to_syscall_stop(tid) == 0 ? 0 : -1;
}

int grr_task_singlestep(pid_t tid, int sig)
{
	return ptrace(PTRACE_SINGLESTEP, tid, 0, (void *)(long)sig) < 0 ? -1 : 0;
}

int grr_task_interrupt(pid_t tid)
{
	return ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 ? -1 : 0;
}

int grr_task_kill(pid_t pid, pid_t tid, int sig)
{
	return syscall(SYS_tgkill, pid, tid, sig) < 0 ? -1 : 0;
}

static long debugreg_offset(int n)
{
	return (long)offsetof(struct user, u_debugreg) + n * (long)sizeof(long);
}

int grr_task_set_debugreg(pid_t tid, int n, uint64_t value)
{
	return ptrace(PTRACE_POKEUSER, tid, (void *)debugreg_offset(n),
		      (void *)value) < 0 ? -1 : 0;
}

int grr_task_get_debugreg(pid_t tid, int n, uint64_t *value)
{
	errno = 0;
	long v = ptrace(PTRACE_PEEKUSER, tid, (void *)debugreg_offset(n), 0);
	if (v == -1 && errno)
		return -1;
	*value = (uint64_t)v;
	return 0;
}

void grr_stop_decode(int status, struct grr_stop *st)
{
	memset(st, 0, sizeof(*st));
	if (WIFEXITED(status)) {
		st->kind = GRR_STOP_EXITED;
		st->sig = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		st->kind = GRR_STOP_KILLED;
		st->sig = WTERMSIG(status);
	} else if (WIFSTOPPED(status)) {
		int sig = WSTOPSIG(status);
		int event = (status >> 16) & 0xff;
		if (sig == (SIGTRAP | 0x80)) {
			st->kind = GRR_STOP_SYSCALL;
		} else if (event) {
			st->kind = GRR_STOP_EVENT;
			st->event = event;
			st->sig = sig;
		} else {
			st->kind = GRR_STOP_SIGNAL;
			st->sig = sig;
		}
	}
}

const char *grr_stop_describe(const struct grr_stop *st, char *buf, size_t len)
{
	switch (st->kind) {
	case GRR_STOP_EXITED: snprintf(buf, len, "exited(%d)", st->sig); break;
	case GRR_STOP_KILLED: snprintf(buf, len, "killed(%s)", strsignal(st->sig)); break;
	case GRR_STOP_SYSCALL: snprintf(buf, len, "syscall-stop"); break;
	case GRR_STOP_EVENT: snprintf(buf, len, "ptrace-event(%d)", st->event); break;
	case GRR_STOP_SIGNAL: snprintf(buf, len, "signal(%s)", strsignal(st->sig)); break;
	}
	return buf;
}

pid_t grr_task_tgid(pid_t tid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	pid_t tgid = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* Runs one syscall in a stopped thread whose pc follows a syscall
 * instruction; registers are restored afterwards. */
static int run_syscall_before_pc(pid_t tid, long nr, long a0, long a1)
{
	struct user_regs_struct saved, regs;
	if (grr_task_getregs(tid, &saved) < 0)
		return -1;
	errno = 0;
	long insn = ptrace(PTRACE_PEEKTEXT, tid, (void *)(saved.rip - 2), 0);
	if (errno || (insn & 0xffff) != 0x050f)
		return -1;
	regs = saved;
	regs.rax = (unsigned long long)nr;
	regs.orig_rax = (unsigned long long)-1;
	regs.rdi = (unsigned long long)a0;
	regs.rsi = (unsigned long long)a1;
	regs.rip = saved.rip - 2;
	if (grr_task_setregs(tid, &regs) < 0 || grr_task_run_syscall(tid) < 0)
		return -1;
	return grr_task_setregs(tid, &saved);
}

int grr_task_untrap_tsc(pid_t child)
{
	return run_syscall_before_pc(child, SYS_prctl, PR_SET_TSC, PR_TSC_ENABLE);
}

int grr_task_suspend_seccomp(pid_t tid)
{
	long opts = GRR_PTRACE_OPTIONS | PTRACE_O_SUSPEND_SECCOMP;
	return ptrace(PTRACE_SETOPTIONS, tid, 0, (void *)opts) < 0 ? -1 : 0;
}

int grr_task_release_child(pid_t child)
{
	int rc = grr_task_untrap_tsc(child);
	if (ptrace(PTRACE_DETACH, child, 0, 0) < 0)
		rc = -1;
	return rc;
}
