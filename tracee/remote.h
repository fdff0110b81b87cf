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

/* The same for NR(A0, ..., A4), as a success: 0 if the thread ran it and
 * it returned a non-negative result, else -1; the result in *RET (when
 * RET is not NULL and the call ran). */
int grr_remote_call(const struct grr_mem *m, pid_t tid, long nr, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, uint64_t a4, int64_t *ret);

#endif
