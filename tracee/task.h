/* task.h - ptrace mechanics on one thread of a traced process.
 *
 * Thin, explicit wrappers: every function returns 0 on success and -1 with
 * errno set on failure.  Nothing here knows about traces or scheduling. */
#ifndef GRR_TRACEE_TASK_H
#define GRR_TRACEE_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* Options every grr tracee gets: syscall stops marked with 0x80, thread
 * clones followed, exec and exit reported, tracee killed if grr dies,
 * seccomp filters' SECCOMP_RET_TRACE reported (the recorder's syscall
 * buffer, tracee/sysbuf.h).  Process-creating clones (fork, vfork,
 * os/exec) are caught so that grr can undo the inherited RDTSC trapping in
 * the child and detach it, or keep it until it runs a program the
 * inherited filter does not trace (recorder/rec_children.c). */
#define GRR_PTRACE_OPTIONS \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
	 PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK | \
	 PTRACE_O_TRACEVFORK | PTRACE_O_TRACESECCOMP)

/* Mirror of the kernel's struct ptrace_syscall_info (linux/ptrace.h clashes
 * with sys/ptrace.h). */
struct grr_sysinfo {
	uint8_t op;                /* 1 entry, 2 exit, 3 seccomp, 0 none */
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct { uint64_t nr; uint64_t args[6]; } entry;
		struct { int64_t rval; uint8_t is_error; } exit;
		struct { uint64_t nr; uint64_t args[6]; uint32_t ret_data; } seccomp;
	};
};
#define GRR_SYSINFO_ENTRY 1
#define GRR_SYSINFO_EXIT  2
#define GRR_SYSINFO_SECCOMP 3

/* How a thread is let go: to its next syscall stop (PTRACE_SYSCALL), to
 * the entry of its next syscall, which is not run (PTRACE_SYSEMU), or to
 * its next stop of any other kind (PTRACE_CONT: under the recorder's
 * seccomp filter, a traced syscall's entry is such a stop). */
enum grr_resume { GRR_RESUME_SYSCALL, GRR_RESUME_SYSEMU, GRR_RESUME_CONT };
int grr_task_resume(pid_t tid, enum grr_resume how, int sig);
/* Runs the syscall that stopped TID is set up to make (registers, and a
 * syscall instruction at its pc): resumes it to the call's entry stop and
 * on to its exit stop, passing the seccomp stop that the recorder's filter
 * may add.  0 or -1. */
int grr_task_run_syscall(pid_t tid);

int grr_task_getregs(pid_t tid, struct user_regs_struct *regs);
int grr_task_setregs(pid_t tid, const struct user_regs_struct *regs);
int grr_task_getfpregs(pid_t tid, struct user_fpregs_struct *fp);
int grr_task_setfpregs(pid_t tid, const struct user_fpregs_struct *fp);
int grr_task_getsiginfo(pid_t tid, void *siginfo128);
/* Whether the stopped thread TID has a signal queued (for it, or for its
 * process) that its mask does not block: one the kernel will deliver as
 * soon as it resumes, before it runs any instruction.  True when it
 * cannot tell. */
bool grr_task_signal_deliverable(pid_t tid);
int grr_task_setsiginfo(pid_t tid, const void *siginfo128);
int grr_task_sysinfo(pid_t tid, struct grr_sysinfo *info);
int grr_task_eventmsg(pid_t tid, unsigned long *msg);
/* Resumes to the next syscall stop (or other stop), delivering SIG. */
int grr_task_resume_syscall(pid_t tid, int sig);
int grr_task_resume_cont(pid_t tid, int sig);
/* PTRACE_SYSEMU: the next syscall stops at its entry and is not run. */
int grr_task_resume_sysemu(pid_t tid, int sig);
int grr_task_singlestep(pid_t tid, int sig);
/* Asks a running, seized thread to stop (PTRACE_INTERRUPT). */
int grr_task_interrupt(pid_t tid);
/* Sends SIG to thread TID of process PID (tgkill). */
int grr_task_kill(pid_t pid, pid_t tid, int sig);
/* Debug registers DR0-DR7 via PTRACE_POKEUSER/PEEKUSER. */
int grr_task_set_debugreg(pid_t tid, int n, uint64_t value);
int grr_task_get_debugreg(pid_t tid, int n, uint64_t *value);

/* A child process of the tracee (fork/vfork), auto-attached and stopped at
 * its first stop: re-enables RDTSC in it (PR_SET_TSC is inherited) by
 * running prctl through its own syscall instruction, then detaches it.
 * Returns 0 or -1. */
int grr_task_release_child(pid_t child);
/* The first half of that: RDTSC back, the child stays attached. */
int grr_task_untrap_tsc(pid_t child);
/* Suspends the seccomp filters of the attached, stopped TID for as long
 * as it stays attached (PTRACE_O_SUSPEND_SECCOMP, on top of the usual
 * options; inherited by the processes it starts, which ptrace attaches
 * too): its syscalls then make no seccomp stop, and none fails for want
 * of a tracer.  The kernel allows it to a tracer with CAP_SYS_ADMIN (and
 * with CONFIG_CHECKPOINT_RESTORE): 0, or -1 (EPERM, EINVAL) elsewhere. */
int grr_task_suspend_seccomp(pid_t tid);
/* The thread group id of TID (from /proc), or -1. */
pid_t grr_task_tgid(pid_t tid);

/* The kind of stop a wait status describes. */
enum grr_stop_kind {
	GRR_STOP_EXITED,        /* WIFEXITED: thread/process gone */
	GRR_STOP_KILLED,        /* WIFSIGNALED */
	GRR_STOP_SYSCALL,       /* syscall entry or exit (SIGTRAP|0x80) */
	GRR_STOP_EVENT,         /* PTRACE_EVENT_* (clone, exec, exit, stop) */
	GRR_STOP_SIGNAL,        /* signal-delivery-stop */
};
struct grr_stop {
	enum grr_stop_kind kind;
	int sig;                /* signal (delivery), exit code, or kill signal */
	int event;              /* PTRACE_EVENT_* for GRR_STOP_EVENT */
};
void grr_stop_decode(int status, struct grr_stop *st);
const char *grr_stop_describe(const struct grr_stop *st, char *buf, size_t len);

#endif
