/* sys_sched.c - sched_getattr, whose output size is negotiated. */
#include "tracee/syscall_private.h"

/* sched_getattr(pid, attr, usize, flags): the kernel stores
 * min(usize, its sizeof(struct sched_attr)) bytes and puts that size in
 * attr->size (the first u32). */
int grr_sys_out_sched_getattr(const struct grr_syscall_call *c,
			      grr_read_mem_fn rd, void *ctx,
			      struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t usize = c->args[2] & 0xffffffffu;
	uint32_t size;

	sys_out_init(&o, out, max);
	if (c->ret < 0)
		return 0;
	if (sys_blocked(c))
		sys_emit(&o, c->args[1], usize);
	else if (sys_read_u32(rd, ctx, c->args[1], &size) == 0)
		sys_emit(&o, c->args[1], size < usize ? size : usize);
	return sys_out_done(&o);
}
