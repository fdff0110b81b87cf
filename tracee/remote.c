/* remote.c - a syscall executed inside the tracee (see remote.h). */
#include "tracee/remote.h"
#include "tracee/task.h"

#include <string.h>

void grr_remote_set_call(struct user_regs_struct *regs, long nr, const uint64_t args[6])
{
	regs->rax = (uint64_t)nr;
	regs->orig_rax = (uint64_t)-1;
	regs->rdi = args[0];
	regs->rsi = args[1];
	regs->rdx = args[2];
	regs->r10 = args[3];
	regs->r8 = args[4];
	regs->r9 = args[5];
}

int grr_remote_syscall(const struct grr_mem *m, pid_t tid, long nr, const uint64_t args[6],
		       int64_t *ret)
{
	struct user_regs_struct saved, regs;
	if (grr_task_getregs(tid, &saved) < 0)
		return -1;
	uint8_t code[2];
	static const uint8_t syscall_insn[2] = { 0x0f, 0x05 };
	if (grr_mem_read(m, saved.rip, code, 2) < 0 ||
	    grr_mem_write(m, saved.rip, syscall_insn, 2) < 0)
		return -1;
	regs = saved;
	grr_remote_set_call(&regs, nr, args);
	int rc = -1;
	if (grr_task_setregs(tid, &regs) == 0 && grr_task_run_syscall(tid) == 0 &&
	    grr_task_getregs(tid, &regs) == 0) {
		*ret = (int64_t)regs.rax;
		rc = 0;
	}
	grr_mem_write(m, saved.rip, code, 2);
	if (grr_task_setregs(tid, &saved) < 0)
		rc = -1;
	return rc;
}

int grr_remote_call(const struct grr_mem *m, pid_t tid, long nr, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, uint64_t a4, int64_t *ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, 0 };
	int64_t r;
	if (grr_remote_syscall(m, tid, nr, args, &r) < 0)
		return -1;
	if (ret)
		*ret = r;
	return r < 0 ? -1 : 0;
}
