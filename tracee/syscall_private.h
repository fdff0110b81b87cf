/* syscall_private.h - shared by syscalls.c, syscall_table.c and the sys_*.c
 * output handlers.  Not for the recorder or the replayer: they use
 * syscalls.h.
 *
 * Conventions the table and the handlers follow:
 *
 *  - grr_syscall_may_write() calls the same code as grr_syscall_outputs()
 *    with ret set to SYS_RET_BLOCKED ("as if the result were the largest
 *    possible"): handlers then report every range the call could still
 *    write, with sizes bounded by the arguments (and, for in/out length
 *    words such as socklen_t, by the value they hold before the kernel
 *    rewrites them, which is what is in memory while the call blocks).
 *  - In the table, a GRR_OUT_RET buffer whose size_arg is non-zero is
 *    bounded by that argument (times size): read(fd, buf, count) is
 *    RET(1, 2, 1).  The bound caps the result (sanity) and gives the
 *    may-write size.  No RET buffer is bounded by argument 0.
 *  - Every range is capped at SYS_MAX_RANGE bytes, iovec counts at
 *    SYS_MAX_IOV; a failed read of tracee memory drops the ranges that
 *    depended on it, never the whole call.
 */
#ifndef GRR_TRACEE_SYSCALL_PRIVATE_H
#define GRR_TRACEE_SYSCALL_PRIVATE_H

#include "tracee/syscalls.h"

#define SYS_RET_BLOCKED INT64_MAX
#define SYS_MAX_RANGE   (256ull << 20)   /* 256 MiB */
#define SYS_MAX_IOV     1024u            /* IOV_MAX, UIO_MAXIOV */
#define SYS_MAX_MSGS    1024u            /* recvmmsg/sendmmsg vlen */

/* Kernel-internal restart codes a tracer sees at syscall exit. */
#define SYS_ERESTARTSYS          512
#define SYS_ERESTARTNOINTR       513
#define SYS_ERESTARTNOHAND       514
#define SYS_ERESTART_RESTARTBLOCK 516

static inline bool sys_blocked(const struct grr_syscall_call *c)
{
	return c->ret == SYS_RET_BLOCKED;
}

/* Interrupted by a signal (the value the tracer sees, or -EINTR). */
bool sys_interrupted(int64_t ret);

/* Collects ranges; remembers overflow so that the caller returns -1. */
struct sys_out {
	struct grr_mem_range *r;
	int max;
	int n;
	bool overflow;
};

static inline void sys_out_init(struct sys_out *o, struct grr_mem_range *r,
				int max)
{
	o->r = r;
	o->max = max < 0 ? 0 : max;
	o->n = 0;
	o->overflow = false;
}

/* Adds [addr, addr+len): skipped if addr is 0 or len is 0; len capped at
 * SYS_MAX_RANGE and at the end of the address space. */
void sys_emit(struct sys_out *o, uint64_t addr, uint64_t len);
static inline int sys_out_done(const struct sys_out *o)
{
	return o->overflow ? -1 : o->n;
}

/* a * b, saturated at SYS_MAX_RANGE. */
uint64_t sys_mul_cap(uint64_t a, uint64_t b);

int sys_read_u32(grr_read_mem_fn rd, void *ctx, uint64_t addr, uint32_t *v);
int sys_read_u64(grr_read_mem_fn rd, void *ctx, uint64_t addr, uint64_t *v);

/* Emits the buffers of the iovec array at IOV (CNT entries, capped at
 * SYS_MAX_IOV) filled by BYTES bytes in order; all of them in full if
 * BYTES is UINT64_MAX.  Nothing if the array cannot be read. */
void sys_emit_iovec(struct sys_out *o, grr_read_mem_fn rd, void *ctx,
		    uint64_t iov, uint64_t cnt, uint64_t bytes);

/* The regular (table) outputs of row D for call C. */
int sys_table_outputs(const struct grr_syscall_desc *d,
		      const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);

/* Argument-dependent knowledge, for grr_syscall_call_flags() and
 * grr_syscall_policy(). */
bool sys_ioctl_known(uint64_t request);
bool sys_fcntl_known(uint64_t cmd);
bool sys_prctl_known(uint64_t option);
bool sys_arch_prctl_known(uint64_t code);
enum grr_replay_policy sys_prctl_policy(uint64_t option);
enum grr_replay_policy sys_arch_prctl_policy(uint64_t code);


/* Output handlers (sys_*.c), named after the syscall or family. */
int grr_sys_out_iovec(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_recvmsg(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_recvmmsg(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			 void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_sendmmsg(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			 void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_getsockopt(const struct grr_syscall_call *c,
			   grr_read_mem_fn rd, void *ctx,
			   struct grr_mem_range *out, int max);
int grr_sys_out_ioctl(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_poll(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		     void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_select(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_wait4(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_waitid(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_fcntl(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_prctl(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_arch_prctl(const struct grr_syscall_call *c,
			   grr_read_mem_fn rd, void *ctx,
			   struct grr_mem_range *out, int max);
int grr_sys_out_nanosleep(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			  void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_clock_nanosleep(const struct grr_syscall_call *c,
				grr_read_mem_fn rd, void *ctx,
				struct grr_mem_range *out, int max);
int grr_sys_out_mmap(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		     void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_mincore(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_clone(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_clone3(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_capget(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_getgroups(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			  void *ctx, struct grr_mem_range *out, int max);
int grr_sys_out_sched_getattr(const struct grr_syscall_call *c,
			      grr_read_mem_fn rd, void *ctx,
			      struct grr_mem_range *out, int max);
int grr_sys_out_futex(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max);

/* The table (syscall_table.c): GRR_MAX_SYSCALL rows, every one filled. */
extern const struct grr_syscall_desc grr_syscall_table[GRR_MAX_SYSCALL];

#endif
