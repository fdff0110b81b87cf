/* rec_sysbuf.c - the syscall buffer while recording (tracee/sysbuf.h).
 *
 * At the exec stop, after the clock page: the page, Syscall6's jump into
 * it and the seccomp filter.  From then on threads run with PTRACE_CONT
 * (rec_continue) and a traced syscall first stops at the filter
 * (PTRACE_EVENT_SECCOMP, handled as its entry stop).  The buffer's third
 * code, which also runs the Go runtime's FUTEX_WAKE calls in-process;
 * not in chaos recordings, whose scheduler acts at a wake (the waker may
 * be held back until others ran).  GRR_NO_SYSBUF=1 keeps every syscall a
 * stop, as before. */
#include "recorder/rec_private.h"
#include "tracee/envflag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code to record with: the newest, or the second as grr 0.2.0 of
 * November 2026 recorded (GRR_SYSBUF_CODE=2: traces that test that
 * replay still runs it). */
static enum grr_sb_version code_version(void)
{
	const char *v = getenv("GRR_SYSBUF_CODE");
	return v && strcmp(v, "2") == 0 ? GRR_SB_V2 : GRR_SB_V3;
}

void rec_sysbuf_setup(struct recorder *r)
{
	const char *why = NULL;
	if (grr_env_flag("GRR_NO_SYSBUF"))
		why = "GRR_NO_SYSBUF is set";
	else if (!r->have_syms)
		why = "the program has no symbol table";
	else if (grr_sysbuf_usable(&r->mem, r->pid, &r->syms, code_version(), &r->sb, &why) &&
		 grr_sysbuf_install(&r->mem, r->pid, &r->sb, true, &why) == 0) {
		/* (the switch first: once the filter is in, the page is used) */
		if (grr_sysbuf_futex_wakes(&r->mem, &r->sb, !r->sched.chaos, &why) == 0 &&
		    grr_sysbuf_filter(&r->mem, r->pid, &r->sb, &why) == 0) {
			r->seccomp = true;
			r->sb_on = true;
			return;
		}
		/* the page is in place (the trace says so): with buffering
		 * off, every call takes its traced syscall */
		if (grr_sysbuf_enable(&r->mem, false) < 0)
			r->sb.active = false;
	}
	if (r->opts->verbose)
		fprintf(stderr, "grr: every syscall stops (%s)\n", why);
}

int rec_sysbuf_drain(struct recorder *r, struct rec_thread *t)
{
	uint8_t *buf;
	struct grr_mem_write w[2];
	uint64_t nrec;
	int n = grr_sysbuf_collect(&r->mem, &r->sb, &buf, w, &nrec);
	if (n < 0) {
		fprintf(stderr, "grr: buffered syscalls lost (thread %d)\n", (int)t->tid);
		errno = EIO;
		return -1;
	}
	if (n == 0)
		return 0;
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.exit.ret = (int64_t)nrec;
	ev.u.exit.nwrites = (uint32_t)n;
	ev.u.exit.writes = w;
	int rc = rec_log(r, &ev, t->tid, GRR_EV_BUFFERED);
	free(buf);
	return rc;
}

/* Whether a thread's vfork child shares the ring now. */
static bool vfork_child_alive(const struct recorder *r)
{
	for (int i = 0; i < r->nthreads; i++)
		if (r->threads[i].sysbuf_off)
			return true;
	return false;
}

int rec_sysbuf_update(struct recorder *r)
{
	if (!r->sb.active || !r->seccomp)
		return 0;
	bool on = !vfork_child_alive(r);
	if (on == r->sb_on)
		return 0;
	if (grr_sysbuf_enable(&r->mem, on) < 0)
		return -1;
	r->sb_on = on;
	return 0;
}
