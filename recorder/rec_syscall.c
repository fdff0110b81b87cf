/* rec_syscall.c - syscall entry and exit stops.
 *
 * Entry: log the call, note what it may write while blocked, and let the
 * thread into the kernel.  A call that may block gives up the right to run
 * user code at once; a fast one keeps it for a short grace period so that
 * the common case costs no thread switch.
 * Exit: log the result and every byte the kernel wrote (syscall table).
 * rseq registrations are refused (ENOSYS): the kernel would write the
 * current CPU into the program's memory whenever the thread is scheduled,
 * which no log can reproduce; glibc then asks for the CPU by syscall. */
#include "recorder/rec_private.h"
#include "tracee/task.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define MAX_OUT_RANGES 64

/* Warns once per syscall (and, for requests such as ioctl's, once per
 * syscall and first argument-dependent request seen). */
static void warn_unknown(struct recorder *r, const struct grr_syscall_call *c)
{
	if (c->nr < GRR_MAX_SYSCALL && r->unknown_warned[c->nr])
		return;
	if (c->nr < GRR_MAX_SYSCALL)
		r->unknown_warned[c->nr] = true;
	bool request = !(grr_syscall_desc(c->nr)->flags & GRR_SYS_UNKNOWN);
	if (request)
		fprintf(stderr, "grr: warning: the program called %s with a request grr does not "
			"know (0x%llx); recorded conservatively, it may not replay\n",
			grr_syscall_name(c->nr), (unsigned long long)c->args[1]);
	else
		fprintf(stderr, "grr: warning: the program made syscall %s (%u), which grr does "
			"not know; it is recorded without its memory effects and may not replay\n",
			grr_syscall_name(c->nr), c->nr);
	rec_log_note(r, 0, "unknown %s %s (%u)", request ? "request of" : "syscall",
		     grr_syscall_name(c->nr), c->nr);
}

/* Flags of a clone-family call, for clone3 read from struct clone_args. */
static uint64_t clone_flags(struct recorder *r, const struct grr_syscall_call *c)
{
	if (c->nr == SYS_clone)
		return c->args[0];
	if (c->nr == SYS_clone3) {
		uint64_t flags = 0;
		if (grr_mem_read(&r->mem, c->args[0], &flags, 8) < 0)
			return 0;
		return flags;
	}
	if (c->nr == SYS_vfork)
		return CLONE_VM | CLONE_VFORK;
	return 0;
}

/* A child made with CLONE_VM but not CLONE_THREAD (os/exec's vfork) runs
 * untraced on the parent's stack: below its stack pointer, and in the
 * frames above it, whose locals it keeps using until it execs.  Replay
 * creates no child, so remember that area to log what the child changed
 * there. */
static void snapshot_vfork_stack(struct recorder *r, struct rec_thread *t, uint64_t sp)
{
	free(t->vfork_stack);
	t->vfork_stack = malloc(REC_VFORK_BELOW + REC_VFORK_ABOVE);
	if (!t->vfork_stack)
		return;
	t->vfork_sp = sp;
	t->vfork_ns = rec_now_ns();
	/* (less above sp where the stack's mapping ends) */
	t->vfork_len = grr_mem_read_partial(&r->mem, sp - REC_VFORK_BELOW, t->vfork_stack,
					    REC_VFORK_BELOW + REC_VFORK_ABOVE);
	if (t->vfork_len < REC_VFORK_BELOW) {
		free(t->vfork_stack);
		t->vfork_stack = NULL;
	}
}

/* Cancels the call at this entry stop: the kernel skips it and the thread
 * sees -ENOSYS (the kernel's preset result). */
static int cancel_call(struct rec_thread *t)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return -1;
	regs.orig_rax = (unsigned long long)-1;
	return grr_task_setregs(t->tid, &regs);
}

static bool refused(const struct grr_syscall_call *c)
{
	return c->nr == SYS_rseq;
}

static int on_entry(struct recorder *r, struct rec_thread *t, const struct grr_sysinfo *si)
{
	struct grr_syscall_call *c = &t->call;
	memset(c, 0, sizeof(*c));
	c->nr = (uint32_t)si->entry.nr;
	memcpy(c->args, si->entry.args, sizeof(c->args));
	t->in_syscall = true;
	t->stop_rip = si->instruction_pointer;
	t->stop_rsp = si->stack_pointer;

	if (grr_syscall_call_flags(c) & GRR_SYS_UNKNOWN)
		warn_unknown(r, c);

	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.enter.nr = c->nr;
	memcpy(ev.u.enter.args, c->args, sizeof(c->args));
	if (rec_log(r, &ev, t->tid, GRR_EV_SYSCALL_ENTER) < 0)
		return -1;
	if (refused(c) && cancel_call(t) < 0)
		return -1;

	uint64_t cf = clone_flags(r, c);
	/* a new process gets a copy of the code, a new program none of it:
	 * the synchronization sites' breakpoints go first */
	if ((cf && !(cf & CLONE_THREAD)) || c->nr == SYS_fork || c->nr == SYS_execve ||
	    c->nr == SYS_execveat)
		rec_syncpt_disarm(r);
	if ((cf & CLONE_VM) && !(cf & CLONE_THREAD)) {
		snapshot_vfork_stack(r, t, si->stack_pointer);
		/* the child shares the ring: no buffering until it execs
		 * (for good, if the parent does not wait for that) */
		t->sysbuf_off = true;
		t->sysbuf_off_vfork = cf & CLONE_VFORK;
		if (rec_sysbuf_update(r) < 0)
			return -1;
	}
	/* all the thread buffered is collected (at this stop), and replay
	 * consumes it before it gets here: the ring starts over */
	if (r->sb.active && r->running == t && grr_sysbuf_rewind(&r->mem, &r->sb) < 0)
		return -1;

	t->nmaywrite = grr_syscall_may_write(c, grr_mem_read_cb, &r->mem, t->maywrite,
					     REC_MAX_MAYWRITE);
	if (t->nmaywrite < 0)
		t->nmaywrite = 0;

	t->state = RT_IN_KERNEL;
	uint64_t grace = rec_sched_grace_ns(r, t, c);
	if (grace == 0 || r->running != t) {
		if (r->running == t)
			r->running = NULL;
	} else {
		r->grace_end_ns = rec_now_ns() + grace;
	}
	return rec_continue(r, t, 0);
}

/* Appends the vfork child's changes around the parent's stack pointer. */
static int vfork_stack_write(struct recorder *r, struct rec_thread *t,
			     struct grr_mem_write *w, uint8_t **buf)
{
	uint8_t *now = malloc(t->vfork_len);
	uint64_t base = t->vfork_sp - REC_VFORK_BELOW;
	int found = 0;
	if (now && grr_mem_read(&r->mem, base, now, t->vfork_len) == 0) {
		size_t lo = 0, hi = t->vfork_len;
		while (lo < hi && now[lo] == t->vfork_stack[lo])
			lo++;
		while (hi > lo && now[hi - 1] == t->vfork_stack[hi - 1])
			hi--;
		if (lo < hi) {
			*w = (struct grr_mem_write){ .addr = base + lo, .len = hi - lo,
						     .data = now + lo };
			*buf = now;
			found = 1;
		}
	}
	if (!found)
		free(now);
	free(t->vfork_stack);
	t->vfork_stack = NULL;
	return found;
}

/* The CPUs the program may run on, as sched_getaffinity tells it (the Go
 * runtime sizes GOMAXPROCS from it), written over the kernel's answer
 * before it is logged: grr pins the program to one CPU (rec_start.c), and
 * the program is told the ones it would have had; chaos mode may show
 * its own number instead.  More processors than the machine has means
 * more threads running goroutines at once, which chaos scheduling then
 * interleaves. */
static int shown_cpus(struct recorder *r, const struct grr_syscall_call *c)
{
	int n = r->sched.cpus;
	if (c->nr != SYS_sched_getaffinity || c->ret <= 0 || c->ret > 1024 ||
	    (c->args[0] && !rec_thread_find(r, (pid_t)c->args[0])))
		return 0;
	uint8_t mask[1024];
	memset(mask, 0, (size_t)c->ret);
	if (n) {
		for (int i = 0; i < n && i < 8 * c->ret; i++)
			mask[i / 8] |= (uint8_t)(1u << (i % 8));
	} else if (r->aff.active) {
		size_t k = (size_t)c->ret < sizeof(r->aff.saved) ? (size_t)c->ret : sizeof(r->aff.saved);
		memcpy(mask, &r->aff.saved, k);
	} else {
		return 0;
	}
	return grr_mem_write(&r->mem, c->args[2], mask, (size_t)c->ret);
}

static int on_exit_stop(struct recorder *r, struct rec_thread *t, const struct grr_sysinfo *si)
{
	struct grr_syscall_call *c = &t->call;
	c->ret = si->exit.rval;
	if (shown_cpus(r, c) < 0)
		return -1;
	t->in_syscall = false;
	t->nmaywrite = 0;
	t->stop_rip = si->instruction_pointer;
	t->stop_rsp = si->stack_pointer;

	struct grr_mem_range ranges[MAX_OUT_RANGES];
	int n = grr_syscall_outputs(c, grr_mem_read_cb, &r->mem, ranges, MAX_OUT_RANGES - 1);
	if (n < 0)
		n = 0;
	struct grr_mem_write writes[MAX_OUT_RANGES];
	uint8_t *bufs[MAX_OUT_RANGES] = { 0 };
	int nw = 0;
	struct rec_file_map fmap = { 0 };
	int ref = rec_file_ref_write(r, t, c, &writes[0], &fmap);
	if (ref < 0)
		return -1;
	if (ref)
		nw = n = 1;   /* (a mapping's output is its one range) */
	for (int i = nw; i < n; i++) {
		uint8_t *b = malloc(ranges[i].len ? ranges[i].len : 1);
		if (!b)
			continue;
		size_t got = grr_mem_read_partial(&r->mem, ranges[i].addr, b, ranges[i].len);
		if (got == 0) {
			free(b);
			continue;
		}
		bufs[nw] = b;
		writes[nw] = (struct grr_mem_write){ .addr = ranges[i].addr, .len = got,
						     .data = b };
		nw++;
	}
	if (t->vfork_stack && c->ret >= 0 && nw < MAX_OUT_RANGES &&
	    vfork_stack_write(r, t, &writes[nw], &bufs[nw]))
		nw++;
	/* (no child, or it is done with the memory) */
	free(t->vfork_stack);
	t->vfork_stack = NULL;
	if (t->sysbuf_off && t->sysbuf_off_vfork) {
		t->sysbuf_off = false;
		if (rec_sysbuf_update(r) < 0)
			return -1;
	}

	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.exit.nr = c->nr;
	ev.u.exit.ret = c->ret;
	ev.u.exit.nwrites = (uint32_t)nw;
	ev.u.exit.writes = writes;
	int rc = rec_log(r, &ev, t->tid, GRR_EV_SYSCALL_EXIT);
	for (int i = 0; i < nw; i++)
		free(bufs[i]);
	rec_file_map_release(&fmap);
	if (rc < 0 || rec_note_input(r, t->tid, c) < 0)
		return -1;

	if (r->running == t && !rec_sched_switch_at_syscall(r))
		return rec_continue(r, t, 0) < 0 ? -1 :
		       (t->state = RT_RUNNING, 0);
	rec_thread_set_ready(r, t);
	return 0;
}

int rec_on_syscall_stop(struct recorder *r, struct rec_thread *t)
{
	struct grr_sysinfo si;
	if (grr_task_sysinfo(t->tid, &si) < 0)
		return -1;
	/* the kernel's vDSO falling back to a syscall inside a clock read:
	 * its result is in the clock page's value, replay never makes it;
	 * a buffered call (the thread was let go with PTRACE_SYSCALL): its
	 * record is in the syscall buffer */
	if (grr_clockpage_record_only(&r->cp, si.instruction_pointer) ||
	    grr_sysbuf_untraced_pc(&r->sb, si.instruction_pointer))
		return rec_continue(r, t, 0);
	if (si.op == GRR_SYSINFO_ENTRY || si.op == GRR_SYSINFO_SECCOMP)
		return on_entry(r, t, &si);
	if (si.op == GRR_SYSINFO_EXIT)
		return on_exit_stop(r, t, &si);
	return rec_continue(r, t, 0);
}
