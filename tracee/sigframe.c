/* sigframe.c - normalizing signal frames (see sigframe.h). */
#include "tracee/sigframe.h"
#include "tracee/task.h"

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

/* Whether the kernel may turn the thread back to a syscall instruction as
 * it delivers (a syscall interrupted with -ERESTART*): single-stepping would
 * then run that syscall unseen. */
static bool may_restart(const struct grr_mem *m, const struct user_regs_struct *regs)
{
	int64_t rax = (int64_t)regs->rax;
	uint8_t prev[2];
	if (rax != -512 && rax != -513 && rax != -514 && rax != -516)
		return false;
	return grr_mem_read(m, regs->rip - 2, prev, 2) < 0 || (prev[0] == 0x0f && prev[1] == 0x05);
}

int grr_sigframe_deliver(const struct grr_mem *m, pid_t tid, int sig, struct grr_sigfix *fix)
{
	fix->pending = false;
	struct user_regs_struct regs;
	uint8_t insn[2];
	if (sig && grr_task_getregs(tid, &regs) == 0 && !may_restart(m, &regs) &&
	    grr_mem_read(m, regs.rip, insn, 2) == 0 && !(insn[0] == 0x0f && insn[1] == 0x05)) {
		fix->pending = true;
		fix->rip = regs.rip;
		fix->rsp = regs.rsp;
		return grr_task_singlestep(tid, sig);
	}
	return grr_task_resume_syscall(tid, sig);
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
	if (saved[0] != fix->rsp || saved[1] != fix->rip)
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
