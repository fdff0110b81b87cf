/* sys_iovec.c - calls that fill an iovec array: readv, preadv, preadv2,
 * vmsplice (reading from a pipe), process_vm_readv (the local side).
 * All take the array in argument 1 and its length in argument 2; the
 * result (bytes transferred) fills the buffers in order. */
#include "tracee/syscall_private.h"

int grr_sys_out_iovec(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	sys_out_init(&o, out, max);
	if (c->ret > 0)
		sys_emit_iovec(&o, rd, ctx, c->args[1], c->args[2],
			       sys_blocked(c) ? UINT64_MAX : (uint64_t)c->ret);
	return sys_out_done(&o);
}
