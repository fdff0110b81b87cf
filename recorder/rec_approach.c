/* rec_approach.c - chaos mode runs a preempted thread on to its next
 * access of shared memory before the switch (tracee/access.h).
 *
 * An interrupt stops a thread just after the instruction that was
 * executing, and that is mostly the slow one: a memory read-modify-write
 * like `incq counter` (the whole of `counter++`).  A switch there, or
 * anywhere between two accesses of shared memory, is the same as one
 * right before the next access; so the thread is let run to there (one
 * breakpoint on each path, one more stop), and the switch happens before
 * a load, a store, or a read-modify-write that rec_split.c may cut. */
#include "recorder/rec_private.h"
#include "tracee/access.h"
#include "tracee/task.h"

#include <signal.h>
#include <sys/wait.h>

#define APPROACH_INSNS 32   /* instructions a path is followed for */
#define APPROACH_STOPS 16   /* breakpoints at most */

static size_t read_code(void *ctx, uint64_t addr, uint8_t *buf, size_t len)
{
	struct recorder *r = ctx;
	return grr_mem_read_partial(&r->mem, addr, buf, len);
}

/* The program's own code: a function of its symbol table, outside grr's
 * pages. */
static bool code_ok(void *ctx, uint64_t addr)
{
	return rec_program_code(ctx, addr);
}

int rec_approach_access(struct recorder *r, struct rec_thread *t,
			struct user_regs_struct *regs, int *status)
{
	uint64_t at[APPROACH_STOPS];
	uint8_t orig[APPROACH_STOPS];
	/* a vfork child shares the code and runs on its own: it could meet
	 * the breakpoints; the thread stays where it is */
	if (rec_vfork_child_running(r))
		return 0;
	int n = grr_access_frontier(read_code, code_ok, r, regs->rip, APPROACH_INSNS, at,
				    APPROACH_STOPS);
	static const uint8_t int3 = 0xcc;
	int set = 0;
	for (; set < n; set++)
		if (grr_mem_read(&r->mem, at[set], &orig[set], 1) < 0 ||
		    grr_mem_write(&r->mem, at[set], &int3, 1) < 0)
			break;
	int rc = 0;
	if (set == n && n > 0) {
		rc = -1;
		if (rec_continue(r, t, 0) == 0 && waitpid(t->tid, status, __WALL) >= 0) {
			struct user_regs_struct now;
			rc = 1;   /* another stop came first: the caller handles it */
			if (WIFSTOPPED(*status) && WSTOPSIG(*status) == SIGTRAP &&
			    (*status >> 16) == 0 && grr_task_getregs(t->tid, &now) == 0) {
				for (int i = 0; i < n && rc == 1; i++) {
					if (now.rip != at[i] + 1)
						continue;
					now.rip = at[i];
					*regs = now;
					rc = grr_task_setregs(t->tid, regs) < 0 ? -1 : 0;
				}
			}
		}
	}
	while (set-- > 0)
		if (grr_mem_write(&r->mem, at[set], &orig[set], 1) < 0)
			rc = -1;
	return rc;
}
