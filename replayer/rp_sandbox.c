/* rp_sandbox.c - the replayer's side of the replay sandbox (tracee/
 * sandbox.h): the clone3 calls the filter hands to grr, and the words
 * for a process the filter killed. */
#include "replayer/rp_private.h"
#include "tracee/sandbox.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define EVENT_SECCOMP 7   /* PTRACE_EVENT_SECCOMP */
#define EVENT_EXIT 6      /* PTRACE_EVENT_EXIT */

int rp_sandbox_stop(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st)
{
	while (st->kind == GRR_STOP_EVENT && st->event == EVENT_SECCOMP) {
		struct user_regs_struct regs;
		if (grr_task_getregs(t->tid, &regs) < 0)
			return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
		/* only clone3 returns SECCOMP_RET_TRACE: a thread's goes on */
		if (regs.orig_rax != SYS_clone3 || !grr_sandbox_clone3_ok(&rp->mem, regs.rdi, regs.rsi))
			return rp_diverge(rp, t, "%s(0x%llx, %llu) creating a process, which the "
					  "replay sandbox refused (nothing ran)",
					  grr_syscall_name((uint32_t)regs.orig_rax),
					  (unsigned long long)regs.rdi, (unsigned long long)regs.rsi);
		if (grr_task_resume_syscall(t->tid, 0) < 0)
			return rp_fail(rp, "cannot resume thread %d", (int)t->tid);
		if (rp_wait(rp, t, st) < 0)
			return -1;
	}
	return 0;
}

/* Whether the filter has killed thread TID: the kernel marks its seccomp
 * mode dead (3) and leaves it a syscall-exit stop, the call skipped and
 * its registers rolled back, before the SIGSYS ends the process. */
static bool filter_killed(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	bool dead = false;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8)) {
			dead = atoi(line + 8) == 3;
			break;
		}
	if (f)
		fclose(f);
	return dead;
}

bool rp_sandbox_describe(struct rp_thread *t, const struct grr_stop *st, char *buf, size_t len)
{
	unsigned long msg = 0;
	int status;
	if (st->kind == GRR_STOP_SYSCALL && !filter_killed(t->tid))
		return false;
	if (st->kind == GRR_STOP_SYSCALL)
		goto killed;
	if (st->kind == GRR_STOP_KILLED && st->sig == SIGSYS) {
		snprintf(buf, len, "killed by the replay sandbox (SIGSYS): a syscall that replay never "
			 "runs for real reached the kernel");
		return true;
	}
	if (st->kind != GRR_STOP_EVENT || st->event != EVENT_EXIT ||
	    grr_task_eventmsg(t->tid, &msg) < 0)
		return false;
	status = (int)msg;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		return false;
killed:;
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		regs.orig_rax = (uint64_t)-1;
	/* (the kernel rolls the registers back to the call's entry) */
	snprintf(buf, len, "killed by the replay sandbox at syscall %s(0x%llx, 0x%llx, 0x%llx, ...) "
		 "from pc 0x%llx: a call that replay never runs for real reached the kernel, "
		 "which refused it",
		 grr_syscall_name((uint32_t)regs.orig_rax), (unsigned long long)regs.rdi,
		 (unsigned long long)regs.rsi, (unsigned long long)regs.rdx,
		 (unsigned long long)regs.rip - 2);
	return true;
}
