/* rec_threads.c - the recorder's table of tracee threads. */
#include "recorder/rec_private.h"

#include <stdlib.h>
#include <string.h>

struct rec_thread *rec_thread_find(struct recorder *r, pid_t tid)
{
	for (int i = 0; i < r->nthreads; i++)
		if (r->threads[i].tid == tid && r->threads[i].state != RT_GONE)
			return &r->threads[i];
	return NULL;
}

/* Note: may move the table; pointers to threads are refreshed by callers
 * through rec_thread_find after adding. */
struct rec_thread *rec_thread_add(struct recorder *r, pid_t tid, enum rec_thread_state st)
{
	for (int i = 0; i < r->nthreads; i++) {
		if (r->threads[i].state == RT_GONE) {
			free(r->threads[i].vfork_stack);
			memset(&r->threads[i], 0, sizeof(r->threads[i]));
			r->threads[i].tid = tid;
			r->threads[i].state = st;
			rec_sched_new_thread(&r->sched, &r->threads[i]);
			return &r->threads[i];
		}
	}
	if (r->nthreads == r->cap_threads) {
		int cap = r->cap_threads ? 2 * r->cap_threads : 16;
		pid_t running = r->running ? r->running->tid : 0;
		struct rec_thread *t = realloc(r->threads, cap * sizeof(*t));
		if (!t)
			return NULL;
		r->threads = t;
		r->cap_threads = cap;
		r->running = running ? rec_thread_find(r, running) : NULL;
	}
	struct rec_thread *t = &r->threads[r->nthreads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->state = st;
	rec_sched_new_thread(&r->sched, t);
	return t;
}

int rec_live_threads(const struct recorder *r)
{
	int n = 0;
	for (int i = 0; i < r->nthreads; i++)
		if (r->threads[i].state != RT_GONE)
			n++;
	return n;
}

void rec_thread_set_ready(struct recorder *r, struct rec_thread *t)
{
	t->state = RT_READY;
	t->ready_since = ++r->sched.ready_counter;
	if (r->running == t)
		r->running = NULL;
	else
		rec_sched_became_ready(r, t);
}

/* While a vfork child runs on the parent's stack until its exec, the other
 * threads wait: what the parent's window (snapshot_vfork_stack in
 * rec_syscall.c) changed is then the child's doing only.  A thread
 * running meanwhile could change its own stack inside that window (a
 * goroutine's stack may lie next to the parent's), and the window logged
 * at the parent's return would hold that thread's stack as it was at some
 * moment of its run, not at its last event, which replay restores at that
 * event (a SIGSEGV in replay).  A child that has not exec'd after
 * REC_VFORK_HOLD_NS no longer holds them. */
#define REC_VFORK_HOLD_NS 50000000ull

uint64_t rec_vfork_hold_until(const struct recorder *r, uint64_t now)
{
	uint64_t until = 0;
	for (int i = 0; i < r->nthreads; i++) {
		const struct rec_thread *t = &r->threads[i];
		if (t->state != RT_GONE && t->vfork_stack && now < t->vfork_ns + REC_VFORK_HOLD_NS &&
		    t->vfork_ns + REC_VFORK_HOLD_NS > until)
			until = t->vfork_ns + REC_VFORK_HOLD_NS;
	}
	return until;
}

bool rec_vfork_child_running(const struct recorder *r)
{
	for (int i = 0; i < r->nthreads; i++)
		if (r->threads[i].state != RT_GONE && r->threads[i].vfork_stack)
			return true;
	return false;
}
