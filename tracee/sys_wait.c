/* sys_wait.c - wait4 and waitid. */
#include "tracee/syscall_private.h"

#include <errno.h>

#define RUSAGE_SIZE  144
#define SIGINFO_SIZE 128
/* waitid writes si_signo, si_errno, si_code, si_pid, si_uid, si_status:
 * the first 28 bytes of the siginfo, even when it fails. */
#define WAITID_FIELDS_SIZE 28

/* wait4(pid, status, options, rusage): status and rusage only when a child
 * was reaped (result > 0); WNOHANG with nothing to reap (0) writes none. */
int grr_sys_out_wait4(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret > 0) {
		sys_emit(&o, c->args[1], 4);
		sys_emit(&o, c->args[3], RUSAGE_SIZE);
	}
	return sys_out_done(&o);
}

/* waitid(idtype, id, infop, options, rusage): rusage when a child was
 * found; the siginfo fields always (zeros when nothing was found, and also
 * after an error such as -ECHILD or -EINTR: the kernel stores them before
 * returning).  On success we save the whole siginfo (the rest is untouched
 * caller memory, saving it is harmless); on error only the fields. */
int grr_sys_out_waitid(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		       void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret >= 0) {
		sys_emit(&o, c->args[2], SIGINFO_SIZE);
		sys_emit(&o, c->args[4], RUSAGE_SIZE);
	} else if (c->ret != -EFAULT) {
		sys_emit(&o, c->args[2], WAITID_FIELDS_SIZE);
	}
	return sys_out_done(&o);
}
