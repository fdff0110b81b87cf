/* rec_children.c - processes the program starts (os/exec, fork).
 *
 * They run for real and are not recorded: what the program sees of them
 * (pipes, wait4 results) is in its own syscalls.  ptrace attaches each
 * at its creation (PTRACE_O_TRACEFORK/VFORK), so that grr can give it the
 * TSC back (the program's RDTSC trapping is inherited).
 *
 * Without the syscall buffer's seccomp filter, the child is then detached.
 * With it, the child has inherited the filter too, which hands its
 * syscalls from the program's code to a tracer, and fails them (ENOSYS)
 * without one.  So the child stays traced, each such syscall let go at
 * once, until it runs a new program (exec) whose code lies outside that
 * range: then it is detached.  A static Go child (or the program run
 * again) keeps its code there, and stays traced, paying one stop per
 * syscall, until it exits. */
#include "recorder/rec_private.h"
#include "tracee/maps.h"
#include "tracee/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

static int find(const struct recorder *r, pid_t tid)
{
	for (int i = 0; i < r->nchildren; i++)
		if (r->children[i] == tid)
			return i;
	return -1;
}

static int add(struct recorder *r, pid_t tid)
{
	if (r->nchildren == r->cap_children) {
		int cap = r->cap_children ? 2 * r->cap_children : 8;
		pid_t *c = realloc(r->children, (size_t)cap * sizeof(*c));
		if (!c)
			return -1;
		r->children = c;
		r->cap_children = cap;
	}
	r->children[r->nchildren++] = tid;
	return 0;
}

static void drop(struct recorder *r, int i)
{
	r->children[i] = r->children[--r->nchildren];
}

/* Whether the new program of TID has code where the filter traces. */
static bool code_in_traced_range(const struct recorder *r, pid_t tid)
{
	/* (a dynamically linked program's filter traces every call) */
	if (r->sb.trace_all)
		return true;
	struct grr_mapping *maps;
	int n = grr_maps_read(tid, &maps);
	if (n < 0)
		return true;
	bool in = false;
	for (int i = 0; i < n && !in; i++)
		in = (maps[i].prot & PROT_EXEC) &&
		     grr_mapping_overlaps(&maps[i], GRR_SB_ADDR, r->sb.text_end);
	grr_maps_free(maps, n);
	return in;
}

static void release(struct recorder *r, pid_t tid)
{
	if (grr_task_release_child(tid) < 0 && r->opts->verbose)
		fprintf(stderr, "grr: could not release child process %d\n", (int)tid);
}

int rec_child_stop(struct recorder *r, pid_t tid, int status)
{
	int i = find(r, tid);
	if (r->debug)
		fprintf(stderr, "grr-debug: child %d%s status 0x%x\n", (int)tid,
			i < 0 ? " (new)" : "", status);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (i >= 0)
			drop(r, i);
		return 0;
	}
	if (!r->seccomp) {
		release(r, tid);
		return 0;
	}
	struct grr_stop st;
	grr_stop_decode(status, &st);
	if (i < 0) {
		/* its first stop: the TSC back, then on */
		if (add(r, tid) < 0 || grr_task_untrap_tsc(tid) < 0) {
			if (r->opts->verbose)
				fprintf(stderr, "grr: cannot follow child process %d\n", (int)tid);
		}
		return grr_task_resume_cont(tid, 0);
	}
	if (st.kind == GRR_STOP_EVENT && st.event == PTRACE_EVENT_EXEC &&
	    !code_in_traced_range(r, tid)) {
		drop(r, i);
		return ptrace(PTRACE_DETACH, tid, 0, 0) < 0 ? -1 : 0;
	}
	/* a signal for it is delivered; any other stop is let go */
	int sig = st.kind == GRR_STOP_SIGNAL ? st.sig : 0;
	return grr_task_resume_cont(tid, sig);
}

bool rec_child_known(const struct recorder *r, pid_t tid)
{
	return find(r, tid) >= 0;
}

void rec_children_free(struct recorder *r)
{
	free(r->children);
	r->children = NULL;
	r->nchildren = r->cap_children = 0;
}
