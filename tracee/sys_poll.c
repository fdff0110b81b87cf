/* sys_poll.c - poll, ppoll, select, pselect6.
 *
 * poll/ppoll store revents into every pollfd after waiting, also when the
 * wait ended with a signal (-EINTR / -ERESTARTNOHAND): the whole array is
 * reported (the kernel rewrites only revents, fd and events are unchanged,
 * so saving them is harmless).  ppoll, select and pselect6 store the time
 * left into their timeout whatever the result (the kernel's
 * poll_select_finish), except when the timeout could not be read (-EFAULT).
 * select/pselect6 store the fd sets only on success (result >= 0).
 */
#include "tracee/syscall_private.h"

#include <errno.h>

#define NR_POLL     7
#define NR_SELECT   23
#define NR_PPOLL    271
#define NR_PSELECT6 270
#define POLLFD_SIZE 8
#define MAX_NFDS    (1u << 20)   /* fs.nr_open's ceiling */

/* poll(fds, nfds, timeout) / ppoll(fds, nfds, tsp, sigmask, sigsetsize) */
int grr_sys_out_poll(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		     void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t nfds = c->args[1];

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (nfds > MAX_NFDS)
		nfds = MAX_NFDS;
	if (c->ret >= 0 || sys_interrupted(c->ret))
		sys_emit(&o, c->args[0], nfds * POLLFD_SIZE);
	if (c->nr == NR_PPOLL && c->ret != -EFAULT)
		sys_emit(&o, c->args[2], 16);
	return sys_out_done(&o);
}

/* select(nfds, readfds, writefds, exceptfds, timeval *) /
 * pselect6(nfds, readfds, writefds, exceptfds, timespec *, sigmask data *).
 * Each set is (nfds + 63) / 64 longs.  The kernel silently lowers nfds to
 * the size of the fd table; we do not know it, so for a huge nfds the
 * ranges may be larger than what was written (harmless). */
int grr_sys_out_select(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t nfds = c->args[0] & 0xffffffffu;   /* int */

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (nfds > MAX_NFDS)
		nfds = MAX_NFDS;
	if (c->ret >= 0) {
		uint64_t setsize = (nfds + 63) / 64 * 8;
		for (int i = 1; i <= 3; i++)
			sys_emit(&o, c->args[i], setsize);
	}
	if (c->ret != -EFAULT)
		sys_emit(&o, c->args[4], 16);  /* timeval or timespec */
	return sys_out_done(&o);
}
