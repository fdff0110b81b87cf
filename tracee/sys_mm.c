/* sys_mm.c - memory-management calls with outputs: mincore, mmap of a file. */
#include "tracee/syscall_private.h"

/* mincore(addr, length, vec): one byte per page of the range. */
int grr_sys_out_mincore(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t len = c->args[1];

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret >= 0)
		sys_emit(&o, c->args[2], len / 4096 + (len % 4096 != 0));
	return sys_out_done(&o);
}

/* mmap of a file: the mapped bytes are the file's, which replay cannot
 * count on, so they are recorded as if the call had written them.  (A
 * blocked mmap never happens: nothing while blocked.) */
int grr_sys_out_mmap(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		     void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret >= 0 && c->ret != SYS_RET_BLOCKED && !(c->args[3] & 0x20 /* MAP_ANONYMOUS */))
		sys_emit(&o, (uint64_t)c->ret, c->args[1]);
	return sys_out_done(&o);
}
