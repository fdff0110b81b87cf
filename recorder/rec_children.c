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
 * without one.  So the child stays traced.  Where the kernel lets grr
 * (CAP_SYS_ADMIN), the child's filter is suspended while it is attached
 * (PTRACE_O_SUSPEND_SECCOMP, inherited by its own children): it makes
 * no stop.  Elsewhere each such syscall is let go at once: a static Go
 * child (or the program run again) keeps its code in that range, and
 * pays one stop per syscall until it exits.  One that
 * runs a new program (exec) whose code lies outside the range (/bin/sh)
 * makes no such stop, but stays traced too: it may start the program
 * again in turn (`sh -c "... | os.test"`), and that grandchild, under the
 * filter, needs a tracer (ptrace attaches it at its fork).  When the
 * program is gone, those outside the range are stopped and detached
 * rather than waited for (a daemon it left behind); the others are
 * waited for. */
#include "recorder/rec_private.h"
#include "tracee/envflag.h"
#include "tracee/maps.h"
#include "tracee/task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

static int find(const struct recorder *r, pid_t tid)
{
	for (int i = 0; i < r->nchildren; i++)
		if (r->children[i].tid == tid)
			return i;
	return -1;
}

/* The parent process of TID (its PPid), or -1. */
static pid_t parent_of(pid_t tid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	pid_t pp = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &pp) == 1)
			break;
	fclose(f);
	return pp;
}

/* A new child: outside the range if its parent (whose copy it runs) is. */
static int add(struct recorder *r, pid_t tid)
{
	if (r->nchildren == r->cap_children) {
		int cap = r->cap_children ? 2 * r->cap_children : 8;
		struct rec_child *c = realloc(r->children, (size_t)cap * sizeof(*c));
		if (!c)
			return -1;
		r->children = c;
		r->cap_children = cap;
	}
	/* the program's CPUs, not the one grr pinned it to (rec_start.c) */
	if (r->aff.active)
		(void)sched_setaffinity(tid, sizeof(r->aff.saved), &r->aff.saved);
	int p = find(r, parent_of(tid));
	r->children[r->nchildren++] = (struct rec_child){
		.tid = tid, .outside = p >= 0 && r->children[p].outside };
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
	int sig = 0;
	if (i < 0) {
		/* its first stop: the TSC back, its filter suspended where
		 * grr may, then on */
		if (add(r, tid) < 0 || grr_task_untrap_tsc(tid) < 0) {
			if (r->opts->verbose)
				fprintf(stderr, "grr: cannot follow child process %d\n", (int)tid);
		}
		i = find(r, tid);
		/* (where the kernel refuses, each of its calls stops) */
		if (i >= 0 && !grr_env_flag("GRR_NO_SUSPEND_SECCOMP"))
			(void)grr_task_suspend_seccomp(tid);
	} else {
		if (st.kind == GRR_STOP_EVENT && st.event == PTRACE_EVENT_EXEC)
			r->children[i].outside = !code_in_traced_range(r, tid);
		/* a signal for it is delivered; any other stop is let go */
		sig = st.kind == GRR_STOP_SIGNAL ? st.sig : 0;
	}
	if (i >= 0 && r->exited && r->children[i].outside) {
		drop(r, i);
		/* (ESRCH: it has just gone) */
		return ptrace(PTRACE_DETACH, tid, 0, sig) < 0 && errno != ESRCH ? -1 : 0;
	}
	return grr_task_resume_cont(tid, sig);
}

void rec_children_let_go(struct recorder *r)
{
	if (r->children_let_go)
		return;
	r->children_let_go = true;
	for (int i = 0; i < r->nchildren; i++)
		if (r->children[i].outside)
			ptrace(PTRACE_INTERRUPT, r->children[i].tid, 0, 0);
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
