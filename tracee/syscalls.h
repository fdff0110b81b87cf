/* syscalls.h - what grr knows about each x86-64 Linux system call.
 *
 * One row per syscall (syscall_table.c, strace's style): its name, how many
 * arguments it takes, what it writes into the process (output buffers and
 * how their sizes are found), what the replayer does with it, and whether
 * it may block.  Irregular syscalls (ioctl, recvmsg, readv, ...) have a
 * small handler each in sys_*.c.
 *
 * Used by the recorder (which bytes to save after a syscall returns, which
 * ranges a blocked syscall may still write) and by the replayer (emulate or
 * execute).  Knows nothing of ptrace: tracee memory is read through a
 * callback.
 */
#ifndef GRR_TRACEE_SYSCALLS_H
#define GRR_TRACEE_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What replay does with a syscall. */
enum grr_replay_policy {
	GRR_REPLAY_EMULATE = 0,  /* skip it; set the recorded result, write the
				    recorded memory */
	GRR_REPLAY_EXECUTE,      /* run it for real (address space, threads,
				    signal state); its result must match */
	GRR_REPLAY_SPECIAL,      /* the replayer has dedicated code (mmap of a
				    file, clone, exit, execve, ...) */
};

/* Row flags. */
#define GRR_SYS_MAY_BLOCK   0x01u  /* may wait indefinitely in the kernel */
#define GRR_SYS_MM          0x02u  /* changes the address space */
#define GRR_SYS_THREAD      0x04u  /* creates or ends threads/processes */
#define GRR_SYS_SIGNAL      0x08u  /* changes signal state or sends signals */
#define GRR_SYS_NO_RETURN   0x10u  /* exit, exit_group, successful execve */
#define GRR_SYS_UNKNOWN     0x80u  /* no row: recorded conservatively */

/* How the size of one output buffer is found. */
enum grr_out_size {
	GRR_OUT_NONE = 0,
	GRR_OUT_FIXED,       /* size bytes */
	GRR_OUT_ARG,         /* value of argument size_arg, times size (0 = 1) */
	GRR_OUT_RET,         /* result value, times size (0 = 1); nothing if
				the result is negative */
	GRR_OUT_ARG_DEREF32, /* the u32 stored at the pointer in argument
				size_arg, read after the call (socklen_t) */
};

struct grr_sys_out {
	uint8_t arg;         /* which argument (0-5) holds the buffer pointer */
	uint8_t kind;        /* enum grr_out_size */
	uint8_t size_arg;    /* argument for GRR_OUT_ARG/ARG_DEREF32 */
	uint32_t size;       /* fixed size, or element size */
};

struct grr_syscall_call {
	uint32_t nr;
	uint64_t args[6];
	int64_t ret;         /* result; ignored by grr_syscall_may_write */
};

struct grr_mem_range {
	uint64_t addr;
	uint64_t len;
};

/* Reads LEN bytes of tracee memory at ADDR into BUF; returns 0 or -1. */
typedef int (*grr_read_mem_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/* Computes, for a call given with its result, the ranges the kernel wrote.
 * Fills at most MAX ranges into OUT and returns how many (ranges of zero
 * length are left out, NULL pointers are skipped).  Returns -1 if more
 * than MAX would be needed. */
typedef int (*grr_sys_outputs_fn)(const struct grr_syscall_call *c,
				  grr_read_mem_fn rd, void *ctx,
				  struct grr_mem_range *out, int max);

struct grr_syscall_desc {
	const char *name;
	uint8_t nargs;
	uint8_t policy;               /* enum grr_replay_policy */
	uint8_t flags;                /* GRR_SYS_* */
	struct grr_sys_out out[3];    /* regular output buffers */
	grr_sys_outputs_fn outputs;   /* irregular: replaces out[] */
};

#define GRR_MAX_SYSCALL 512

/* The row for NR; a row with GRR_SYS_UNKNOWN and name "syscall_NNN" for
 * numbers grr has no row for.  Never NULL. */
const struct grr_syscall_desc *grr_syscall_desc(uint32_t nr);
const char *grr_syscall_name(uint32_t nr);
/* Looks a syscall up by name; -1 if unknown. */
int grr_syscall_by_name(const char *name);

/* Ranges written by the completed call C (uses the table or the handler). */
int grr_syscall_outputs(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			void *ctx, struct grr_mem_range *out, int max);
/* Ranges the call might still write while it is blocked in the kernel
 * (sizes from arguments, as if the result were the largest possible). */
int grr_syscall_may_write(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			  void *ctx, struct grr_mem_range *out, int max);

/* The row's flags for this particular call, plus GRR_SYS_UNKNOWN when the
 * row is known but this call's request is not (an ioctl request, fcntl
 * command, prctl option or arch_prctl code grr has no description for). */
unsigned grr_syscall_call_flags(const struct grr_syscall_call *c);

/* Policy for this particular call: a few syscalls depend on arguments
 * (mmap of a file vs anonymous, clone of a thread vs of a process, fcntl
 * F_SETLK vs F_GETFL ...). */
enum grr_replay_policy grr_syscall_policy(const struct grr_syscall_call *c);

#endif
