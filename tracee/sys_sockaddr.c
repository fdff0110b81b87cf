/* sys_sockaddr.c - socket calls with an in/out length word.
 *
 * accept, accept4, recvfrom, getsockname and getpeername are regular rows
 * in the table: the address buffer is DEREF (its length is the socklen_t
 * the kernel stored after the call, at most 128: a sockaddr_storage) plus
 * the socklen_t itself.  When the caller's buffer was smaller than the
 * address, the kernel wrote only the caller's capacity but stored the full
 * length; the range then goes past what was written (saving those extra
 * bytes of the caller's memory is harmless).  While the call blocks the
 * word still holds the capacity, the exact bound.
 *
 * getsockopt needs a handler: some options (SO_PEERSEC, SO_PEERGROUPS)
 * store the length they need into optlen and fail with -ERANGE.
 */
#include "tracee/syscall_private.h"

#include <errno.h>

/* getsockopt(fd, level, optname, optval, optlen *) */
int grr_sys_out_getsockopt(const struct grr_syscall_call *c,
			   grr_read_mem_fn rd, void *ctx,
			   struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint32_t len;

	sys_out_init(&o, out, max);
	if (c->ret >= 0) {
		if (c->args[3] != 0 &&
		    sys_read_u32(rd, ctx, c->args[4], &len) == 0)
			sys_emit(&o, c->args[3], len);
		sys_emit(&o, c->args[4], 4);
	} else if (c->ret == -ERANGE) {
		sys_emit(&o, c->args[4], 4);
	}
	return sys_out_done(&o);
}
