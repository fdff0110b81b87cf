/* sys_futex.c - futex(uaddr, op, val, timeout/val2, uaddr2, val3).
 *
 * FUTEX_WAIT/WAKE (all the Go runtime uses) write nothing.  FUTEX_WAKE_OP
 * applies its operation to *uaddr2; the PI operations store owner/waiter
 * bits into the futex word (*uaddr, or *uaddr2 for the requeue-to-PI
 * ones), also when they fail after having queued (timeout, signal). */
#include "tracee/syscall_private.h"

#include <errno.h>

#define FUTEX_CMD(op) ((op) & ~(uint64_t)(128 | 256))
enum {
	FX_WAKE_OP = 5, FX_LOCK_PI = 6, FX_UNLOCK_PI = 7, FX_TRYLOCK_PI = 8,
	FX_WAIT_REQUEUE_PI = 11, FX_CMP_REQUEUE_PI = 12, FX_LOCK_PI2 = 13,
};

int grr_sys_out_futex(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	switch (FUTEX_CMD(c->args[1] & 0xffffffffu)) {
	case FX_WAKE_OP:
		if (c->ret >= 0)
			sys_emit(&o, c->args[4], 4);
		break;
	case FX_LOCK_PI:
	case FX_UNLOCK_PI:
	case FX_TRYLOCK_PI:
	case FX_LOCK_PI2:
		if (c->ret != -EFAULT)
			sys_emit(&o, c->args[0], 4);
		break;
	case FX_WAIT_REQUEUE_PI:
	case FX_CMP_REQUEUE_PI:
		if (c->ret != -EFAULT)
			sys_emit(&o, c->args[4], 4);
		break;
	default:
		break;
	}
	return sys_out_done(&o);
}
