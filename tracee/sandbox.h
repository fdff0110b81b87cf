/* sandbox.h - the replay sandbox: a seccomp filter in the replayed
 * process that lets into the kernel only the syscalls replay runs for
 * real, and kills the process (SECCOMP_RET_KILL_PROCESS) on any other.
 *
 * Replay emulates every other syscall: the thread stops at its entry
 * (PTRACE_SYSEMU) and the kernel skips it, without asking the filter.  So
 * the filter sees only what reaches the kernel: the calls replay runs for
 * real (address space, threads, signal state, exit), those a debugger's
 * function call runs in its disposable copy (time, futexes, getrandom,
 * ...), grr's own injected ones (the checkpoint fork, userfaultfd), and
 * calls grr cancelled (number -1).  Anything else means a lying trace, a
 * hostile executable or a bug in grr, and ends the process before the
 * call does anything: no file opened, no connection, no child started.
 *
 * The list is written out here, not derived from the syscall table, so
 * that a mistake in the table cannot widen it; grr_sandbox_verdict runs
 * the very filter on a call, which the replayer uses to refuse, before
 * replay starts, a trace that would need anything else (replayer/rp_vet.c).
 *
 *   - always: mprotect munmap brk mremap madvise pkey_mprotect pkey_alloc
 *     pkey_free mseal; rt_sigaction rt_sigprocmask rt_sigreturn
 *     sigaltstack; set_tid_address set_robust_list futex exit exit_group;
 *     sched_yield nanosleep clock_nanosleep clock_gettime gettimeofday
 *     getpid gettid sched_getaffinity getrandom (calls); userfaultfd close
 *     (grr's write tracking)
 *   - mmap: anonymous only (replay maps a file's contents from the trace)
 *   - clone: a thread (CLONE_THREAD, no namespace, CLONE_UNTRACED,
 *     CLONE_PTRACE, CLONE_VFORK or CLONE_PARENT), or grr's checkpoint fork:
 *     exactly CLONE_PARENT|SIGCHLD from the syscall instruction grr puts at
 *     GRR_SANDBOX_FORK_SITE
 *   - clone3: its flags are in memory, which a filter cannot read:
 *     SECCOMP_RET_TRACE hands it to grr, which lets a thread's through
 *     (grr_sandbox_clone3_ok); without a tracer it fails with ENOSYS
 *   - prctl PR_SET_MDWE; arch_prctl ARCH_SET_FS, ARCH_SET_GS and the other
 *     codes replay executes
 *   - any other architecture, x32 numbers, everything else: kill. */
#ifndef GRR_TRACEE_SANDBOX_H
#define GRR_TRACEE_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tracee/digest.h"
#include "tracee/mem.h"

/* The `syscall` instruction through which replay forks its checkpoints
 * (replayer/rp_fork.c), in grr's reserved page. */
#define GRR_SANDBOX_FORK_SITE (GRR_RESERVED_ADDR + GRR_RESERVED_LEN - 0x10)
/* The flags of that fork: the copy is grr's child (CLONE_PARENT), and
 * signals SIGCHLD. */
#define GRR_SANDBOX_FORK_FLAGS 0x8011ull

enum grr_sandbox_verdict {
	GRR_SANDBOX_ALLOW,
	GRR_SANDBOX_TRACE,       /* clone3: grr decides */
	GRR_SANDBOX_KILL,
};

/* What the filter decides for syscall NR with ARGS made from the
 * instruction before IP (the filter run in C). */
enum grr_sandbox_verdict grr_sandbox_verdict(uint32_t nr, const uint64_t args[6], uint64_t ip);

/* Whether clone flags FLAGS make a thread the sandbox allows. */
bool grr_sandbox_thread_flags(uint64_t flags);

/* Whether the clone3 whose struct clone_args (SIZE bytes) is at ADDR in
 * M's process makes such a thread (and asks nothing else: no exit signal,
 * set tid or cgroup). */
bool grr_sandbox_clone3_ok(const struct grr_mem *m, uint64_t addr, uint64_t size);

/* Installs the filter in the stopped thread TID (at its exec stop: the
 * process's only thread; its threads and forks inherit it): no_new_privs,
 * then seccomp(2), the filter written below the stack pointer for the
 * call and the bytes there put back.  0, or -1 with a reason in WHY. */
int grr_sandbox_install(const struct grr_mem *m, pid_t tid, const char **why);

/* The number of instructions of the filter (for tests). */
int grr_sandbox_length(void);

#endif
