/* sys_clone.c - the words clone and clone3 store besides creating the task
 * (the replayer has dedicated code for the task itself).
 *
 * In the parent (result > 0): the child's pidfd (CLONE_PIDFD) or tid
 * (CLONE_PARENT_SETTID) at parent_tid / pidfd.  In the child (result 0):
 * its tid at child_tid (CLONE_CHILD_SETTID), stored before it first runs.
 */
#include "tracee/syscall_private.h"

#include <string.h>

#define CLONE_PIDFD_         0x00001000u
#define CLONE_PARENT_SETTID_ 0x00100000u
#define CLONE_CHILD_SETTID_  0x01000000u

static void emit_clone(struct sys_out *o, const struct grr_syscall_call *c,
		       uint64_t flags, uint64_t pidfd, uint64_t parent_tid,
		       uint64_t child_tid)
{
	bool blocked = sys_blocked(c);

	if (c->ret > 0 || blocked) {
		if (flags & CLONE_PIDFD_)
			sys_emit(o, pidfd, 4);
		/* clone() shares one pointer for both (and refuses both
		 * flags together); report it once. */
		if ((flags & CLONE_PARENT_SETTID_) &&
		    !((flags & CLONE_PIDFD_) && parent_tid == pidfd))
			sys_emit(o, parent_tid, 4);
	}
	if ((c->ret == 0 || blocked) && (flags & CLONE_CHILD_SETTID_))
		sys_emit(o, child_tid, 4);
}

/* clone(flags, stack, parent_tid, child_tid, tls): x86-64 argument order;
 * CLONE_PIDFD stores the pidfd at parent_tid. */
int grr_sys_out_clone(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	emit_clone(&o, c, c->args[0], c->args[2], c->args[2], c->args[3]);
	return sys_out_done(&o);
}

/* clone3(struct clone_args *, size): flags 0, pidfd 8, child_tid 16,
 * parent_tid 24 (all u64). */
int grr_sys_out_clone3(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t a[4];

	sys_out_init(&o, out, max);
	if (c->args[0] == 0 || c->args[1] < sizeof a || rd == NULL ||
	    rd(ctx, c->args[0], a, sizeof a) != 0)
		return 0;
	emit_clone(&o, c, a[0], a[1], a[3], a[2]);
	return sys_out_done(&o);
}
