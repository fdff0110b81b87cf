/* divergence.c - reporting that the replay and the recording disagree:
 * the event, what the trace expected, what the thread did instead, and
 * where it was (pc, function, a short frame-pointer backtrace). */
#include "replayer/rp_private.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rp_fail(struct grr_replay *rp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rp->error, sizeof(rp->error), fmt, ap);
	va_end(ap);
	rp->failed = true;
	return -1;
}

void rp_describe_event(const struct grr_event *ev, char *buf, size_t len)
{
	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER:
		snprintf(buf, len, "syscall entry %s(0x%llx, 0x%llx, 0x%llx, ...)",
			 grr_syscall_name(ev->u.enter.nr),
			 (unsigned long long)ev->u.enter.args[0],
			 (unsigned long long)ev->u.enter.args[1],
			 (unsigned long long)ev->u.enter.args[2]);
		break;
	case GRR_EV_SYSCALL_EXIT:
		snprintf(buf, len, "syscall exit %s = %lld", grr_syscall_name(ev->u.exit.nr),
			 (long long)ev->u.exit.ret);
		break;
	case GRR_EV_SIGNAL:
		snprintf(buf, len, "signal %s", strsignal((int)ev->u.signal.signo));
		break;
	case GRR_EV_RDTSC:
		snprintf(buf, len, "rdtsc at 0x%llx", (unsigned long long)ev->u.rdtsc.pc);
		break;
	case GRR_EV_ANCHOR:
		snprintf(buf, len, "thread stopped at 0x%llx", (unsigned long long)ev->u.anchor.regs[16]);
		break;
	default:
		snprintf(buf, len, "%s", grr_event_kind_name(ev->kind));
	}
}

/* The syscall buffer's divergence trap (tracee/sysbuf.h): the program
 * made a call that is not the next buffered one of the recording. */
static bool describe_sysbuf_mismatch(struct grr_replay *rp, struct rp_thread *t, char *buf,
				     size_t len)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0 || !grr_sysbuf_mismatch_pc(&rp->sb, regs.rip))
		return false;
	/* (what the trap leaves: grr_sysbuf_mismatch_pc) */
	uint64_t nr = 0, rec[4] = { 0 };   /* the record: nr, result, fd, length */
	grr_mem_read(&rp->mem, GRR_SB_NR, &nr, 8);
	grr_mem_read(&rp->mem, regs.r11, rec, sizeof(rec));
	char want[32];
	snprintf(want, sizeof(want), "%s", grr_syscall_name((uint32_t)rec[0]));
	snprintf(buf, len, "syscall %s(%lld, ..., %lld) where the recording made the buffered "
		 "call %s(%lld, ..., %lld)", grr_syscall_name((uint32_t)nr), (long long)regs.rdi,
		 (long long)regs.rdx, want, (long long)rec[2], (long long)rec[3]);
	return true;
}

void rp_describe_stop(struct grr_replay *rp, struct rp_thread *t, const struct grr_stop *st,
		      char *buf, size_t len)
{
	if (rp_sandbox_describe(t, st, buf, len))
		return;
	if (st->kind == GRR_STOP_SYSCALL) {
		struct grr_sysinfo si;
		if (grr_task_sysinfo(t->tid, &si) == 0 && si.op == GRR_SYSINFO_ENTRY) {
			snprintf(buf, len, "syscall entry %s(0x%llx, 0x%llx, 0x%llx, ...)",
				 grr_syscall_name((uint32_t)si.entry.nr),
				 (unsigned long long)si.entry.args[0],
				 (unsigned long long)si.entry.args[1],
				 (unsigned long long)si.entry.args[2]);
			return;
		}
		if (grr_task_sysinfo(t->tid, &si) == 0 && si.op == GRR_SYSINFO_EXIT) {
			snprintf(buf, len, "syscall exit = %lld", (long long)si.exit.rval);
			return;
		}
	}
	if (st->kind == GRR_STOP_SIGNAL && st->sig == SIGILL && describe_sysbuf_mismatch(rp, t, buf, len))
		return;
	grr_stop_describe(st, buf, len);
}

/* A frame-pointer walk: Go on amd64 keeps frame pointers. */
static void backtrace_of(struct grr_replay *rp, const struct user_regs_struct *regs,
			 char *out, size_t len)
{
	char name[256];
	size_t used = 0;
	out[0] = 0;
	/* (a pc in the syscall buffer's page stands for Syscall6) */
	uint64_t pc = grr_sysbuf_caller_pc(&rp->sb, regs->rip), fp = regs->rbp;
	for (int depth = 0; depth < 8 && used + 1 < len; depth++) {
		grr_symtab_describe(rp->have_syms ? &rp->syms : NULL, pc, name, sizeof(name));
		used += (size_t)snprintf(out + used, len - used, "    #%d 0x%llx %s\n", depth,
					 (unsigned long long)pc, name);
		uint64_t frame[2];
		if (!fp || grr_mem_read(&rp->mem, fp, frame, sizeof(frame)) < 0 || !frame[1])
			break;
		pc = frame[1];
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
}

int rp_diverge(struct grr_replay *rp, struct rp_thread *t, const char *actual_fmt, ...)
{
	struct grr_divergence *d = &rp->div;
	memset(d, 0, sizeof(*d));
	d->seq = rp->ev.seq;
	d->tid = rp->ev.tid;
	rp_describe_event(&rp->ev, d->expected, sizeof(d->expected));
	va_list ap;
	va_start(ap, actual_fmt);
	vsnprintf(d->actual, sizeof(d->actual), actual_fmt, ap);
	va_end(ap);
	struct user_regs_struct regs;
	if (t && t->park != RP_GONE && grr_task_getregs(t->tid, &regs) == 0) {
		d->pc = regs.rip;
		grr_symtab_describe(rp->have_syms ? &rp->syms : NULL,
				    grr_sysbuf_caller_pc(&rp->sb, regs.rip), d->where,
				    sizeof(d->where));
		backtrace_of(rp, &regs, d->backtrace, sizeof(d->backtrace));
	}
	rp->diverged = true;
	rp->failed = true;
	snprintf(rp->error, sizeof(rp->error), "replay diverged at event %llu",
		 (unsigned long long)d->seq);
	return -1;
}
