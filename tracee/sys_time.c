/* sys_time.c - sleeps that report the time left: nanosleep and
 * clock_nanosleep write their remaining time only when a signal cut the
 * sleep short, i.e. on an error (-EINTR, or -ERESTART_RESTARTBLOCK as a
 * tracer sees it at syscall exit), never on success. */
#include "tracee/syscall_private.h"

#define TIMER_ABSTIME_FLAG 1
#define TIMESPEC_SIZE 16

/* nanosleep(req, rem) */
int grr_sys_out_nanosleep(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			  void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (sys_blocked(c) || sys_interrupted(c->ret))
		sys_emit(&o, c->args[1], TIMESPEC_SIZE);
	return sys_out_done(&o);
}

/* clock_nanosleep(clock, flags, req, rem): no rem for an absolute sleep. */
int grr_sys_out_clock_nanosleep(const struct grr_syscall_call *c,
				grr_read_mem_fn rd, void *ctx,
				struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if ((c->args[1] & TIMER_ABSTIME_FLAG) == 0 &&
	    (sys_blocked(c) || sys_interrupted(c->ret)))
		sys_emit(&o, c->args[3], TIMESPEC_SIZE);
	return sys_out_done(&o);
}
