/* sigframe.c - normalizing signal frames (see sigframe.h). */
#include "tracee/sigframe.h"
#include "tracee/task.h"

#include <stdio.h>
#include <string.h>

/* x86-64 rt_sigframe: pretcode (8), then ucontext: uc_flags (8), uc_link
 * (8), uc_stack (24), then sigcontext; offsets inside sigcontext. */
#define MCONTEXT_OFF 48
#define SC_RSP 120
#define SC_RIP 128
#define SC_EFLAGS 136
#define SC_ERR 152
#define EFLAGS_RF (1ull << 16)
#define SC_TRAPNO 160
#define SC_CR2 176

/* Whether SIG has a handler in thread TID (SigCgt in /proc): only then does
 * the kernel build a frame, and a single step stops at the handler's first
 * instruction.  Without one, a single step would run the thread's next
 * instruction, possibly a syscall the kernel restarts, unseen. */
static bool signal_caught(pid_t tid, int sig)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	unsigned long long caught = 0;
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "SigCgt: %llx", &caught) == 1;
	fclose(f);
	return found && sig >= 1 && sig <= 64 && ((caught >> (sig - 1)) & 1);
}

int grr_sigframe_deliver(const struct grr_mem *m, pid_t tid, int sig, struct grr_sigfix *fix,
			 enum grr_resume how)
{
	fix->pending = false;
	struct user_regs_struct regs;
	(void)m;
	if (sig && signal_caught(tid, sig) && grr_task_getregs(tid, &regs) == 0) {
		fix->pending = true;
		fix->rip = regs.rip;
		fix->rsp = regs.rsp;
		return grr_task_singlestep(tid, sig);
	}
	return grr_task_resume(tid, how, sig);
}

int grr_sigframe_settle(const struct grr_mem *m, pid_t tid, struct grr_sigfix *fix,
			bool stop_is_sigtrap)
{
	if (!fix->pending)
		return 0;
	fix->pending = false;
	struct user_regs_struct regs;
	if (grr_task_getregs(tid, &regs) < 0)
		return stop_is_sigtrap;
	uint64_t mc = regs.rsp + MCONTEXT_OFF;
	uint64_t saved[2];
	if (grr_mem_read(m, mc + SC_RSP, saved, sizeof(saved)) < 0)
		return stop_is_sigtrap;
	/* the frame saves the interrupted rsp and rip, or rip - 2 when the
	 * kernel restarts the syscall the signal interrupted */
	if (saved[0] != fix->rsp || (saved[1] != fix->rip && saved[1] != fix->rip - 2))
		return stop_is_sigtrap;  /* no handler frame (ignored signal) */
	static const uint64_t zero[4];
	grr_mem_write(m, mc + SC_ERR, zero, 16);   /* err, trapno */
	grr_mem_write(m, mc + SC_CR2, zero, 8);
	uint64_t eflags;
	if (grr_mem_read(m, mc + SC_EFLAGS, &eflags, 8) == 0 && (eflags & EFLAGS_RF)) {
		eflags &= ~EFLAGS_RF;
		grr_mem_write(m, mc + SC_EFLAGS, &eflags, 8);
	}
	return stop_is_sigtrap;
}
