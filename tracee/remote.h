/* remote.h - making a stopped tracee thread execute one system call on
 * grr's behalf (CRIU's compel does the same): registers and the two code
 * bytes borrowed for the syscall instruction are restored afterwards. */
#ifndef GRR_TRACEE_REMOTE_H
#define GRR_TRACEE_REMOTE_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "tracee/mem.h"

/* Sets REGS up to make syscall NR with ARGS (rax, the six argument
 * registers; orig_rax -1 so that no syscall restart logic applies). */
void grr_remote_set_call(struct user_regs_struct *regs, long nr, const uint64_t args[6]);

/* Runs syscall NR with ARGS in thread TID (stopped, no signal pending);
 * stores its result in *RET.  Returns 0, or -1 if the thread could not be
 * driven. */
int grr_remote_syscall(const struct grr_mem *m, pid_t tid, long nr, const uint64_t args[6],
		       int64_t *ret);

#endif
