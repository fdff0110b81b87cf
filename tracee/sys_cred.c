/* sys_cred.c - credential getters with irregular outputs: capget,
 * getgroups. */
#include "tracee/syscall_private.h"

#include <errno.h>

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u
#define CAP_DATA_SIZE 12   /* struct __user_cap_data_struct */

/* capget(hdr, data).  An unknown hdr->version makes the kernel store its
 * preferred version there and fail with -EINVAL (or succeed when data is
 * NULL); with a known one it fills 1 (v1) or 2 (v2, v3) data structs. */
int grr_sys_out_capget(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint32_t version;

	sys_out_init(&o, out, max);
	if (sys_blocked(c)) {
		sys_emit(&o, c->args[0], 4);
		sys_emit(&o, c->args[1], 2 * CAP_DATA_SIZE);
	} else if (c->ret == -EINVAL || (c->ret == 0 && c->args[1] == 0)) {
		sys_emit(&o, c->args[0], 4);
	} else if (c->ret == 0 &&
		   sys_read_u32(rd, ctx, c->args[0], &version) == 0) {
		if (version == CAP_V1)
			sys_emit(&o, c->args[1], CAP_DATA_SIZE);
		else if (version == CAP_V2 || version == CAP_V3)
			sys_emit(&o, c->args[1], 2 * CAP_DATA_SIZE);
	}
	return sys_out_done(&o);
}

/* getgroups(size, list): with size 0 it only counts; otherwise it stores
 * result gid_t's. */
int grr_sys_out_getgroups(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			  void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t size = c->args[0] & 0xffffffffu;   /* int */
	uint64_t n = sys_blocked(c) ? size : (uint64_t)c->ret;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret > 0 && size != 0 && size <= INT32_MAX)
		sys_emit(&o, c->args[1], sys_mul_cap(n < size ? n : size, 4));
	return sys_out_done(&o);
}
