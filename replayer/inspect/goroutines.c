/* goroutines.c - the goroutines of the replayed program and the threads
 * that run them (docs/go-runtime.md, "Goroutines and stacks").
 *
 * Every goroutine ever created is in runtime.allgs (dead ones are kept
 * for reuse and skipped here).  A thread's current g is in its TLS, 8
 * bytes below fs_base; when that is the M's g0 (the system stack:
 * systemstack, mcall, the scheduler) or gsignal (a signal handler), the
 * goroutine the thread runs is m.curg.  A goroutine not found that way
 * but running or in a syscall is matched by its M's procid, the thread's
 * tid: grr replays with the recorded tids, so that is the tid
 * grr_replay_threads lists. */
#include "replayer/inspect/stack_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 1024
#define MAX_GOROUTINES (1u << 22)

static struct grr_replay *rp_of(struct grr_ctl *c) { return grr_ctl_replay(c); }

static bool rd64(struct grr_ctl *c, uint64_t addr, uint64_t *v)
{
	return addr && grr_replay_read(rp_of(c), addr, v, 8) == 0;
}

/* What thread TID runs: *G its goroutine (0: none), from its TLS. */
static bool thread_g(struct grr_ctl *c, const struct rt_layout *L, uint32_t tid, uint64_t *g)
{
	uint64_t tls = 0, m = 0;
	*g = 0;
	if (!grr_ctl_thread_g(c, tid, &tls))
		return false;
	*g = tls;
	if (L->have_m_gs && rd64(c, tls + L->g_m, &m) && m) {
		uint64_t g0 = 0, gsignal = 0, curg = 0;
		rd64(c, m + L->m_g0, &g0);
		rd64(c, m + L->m_gsignal, &gsignal);
		if (tls == g0 || tls == gsignal)
			*g = rd64(c, m + L->m_curg, &curg) ? curg : 0;
	}
	return true;
}

struct thread_map {
	uint32_t tids[MAX_THREADS];
	uint64_t gs[MAX_THREADS];   /* what each runs (0: no goroutine) */
	int n;
};

static void map_threads(struct grr_ctl *c, const struct rt_layout *L, struct thread_map *tm)
{
	tm->n = grr_replay_threads(rp_of(c), tm->tids, MAX_THREADS);
	if (tm->n > MAX_THREADS)
		tm->n = MAX_THREADS;
	for (int i = 0; i < tm->n; i++)
		if (!thread_g(c, L, tm->tids[i], &tm->gs[i]))
			tm->gs[i] = 0;
}

/* Reads the runtime.g at G into O (thread not set).  false if unreadable. */
static bool read_g(struct grr_ctl *c, const struct rt_layout *L, uint64_t g, struct gr_g *o)
{
	uint64_t offs[] = { L->g_goid + 8, L->g_status + (uint64_t)L->status_size,
			    L->g_waitreason + 1, L->g_m + 8, L->g_gopc + 8, L->g_startpc + 8,
			    L->g_stack_lo + 8, L->g_stack_hi + 8, L->g_sched_pc + 8,
			    L->g_sched_sp + 8, L->g_sched_bp + 8 };
	uint64_t span = 0;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (offs[i] > span)
			span = offs[i];
	uint8_t buf[2048];
	if (span > sizeof(buf) || !g || grr_replay_read(rp_of(c), g, buf, span) < 0)
		return false;
#define FIELD(off, dst) memcpy(&(dst), buf + (off), sizeof(dst))
	memset(o, 0, sizeof(*o));
	o->pub.g = g;
	FIELD(L->g_goid, o->pub.goid);
	uint64_t st = 0;
	memcpy(&st, buf + L->g_status, (size_t)L->status_size);
	uint32_t status = (uint32_t)st;
	if (gstatus_is_dead(L, status))
		o->pub.status = "dead";
	else
		o->pub.status = gstatus_name(L, status);
	if (!o->pub.status)
		o->pub.status = "unknown";
	if (L->have_waitreason && strcmp(o->pub.status, "waiting") == 0)
		gstatus_wait_reason(c, L, buf[L->g_waitreason], o->pub.wait_reason,
				    sizeof(o->pub.wait_reason));
	if (L->have_gopc)
		FIELD(L->g_gopc, o->pub.gopc);
	if (L->have_startpc)
		FIELD(L->g_startpc, o->pub.startpc);
	FIELD(L->g_stack_lo, o->stack_lo);
	FIELD(L->g_stack_hi, o->stack_hi);
	FIELD(L->g_sched_pc, o->sched_pc);
	FIELD(L->g_sched_sp, o->sched_sp);
	FIELD(L->g_sched_bp, o->sched_bp);
#undef FIELD
	o->pub.pc = o->sched_pc;
	o->pub.sp = o->sched_sp;
	o->pub.bp = o->sched_bp;
	return true;
}

/* Puts O on thread TID: where it stands is that thread's registers. */
static void on_thread(struct grr_ctl *c, struct gr_g *o, uint32_t tid)
{
	struct user_regs_struct regs;
	if (grr_replay_get_regs(rp_of(c), tid, &regs) < 0)
		return;
	o->pub.tid = tid;
	o->on_thread = true;
	o->pub.pc = grr_replay_program_pc(rp_of(c), regs.rip);
	o->pub.sp = regs.rsp;
	o->pub.bp = regs.rbp;
}

/* The thread of O: the one whose TLS says it runs O, or else, when O is
 * running or in a syscall, the one whose tid is its M's procid. */
static void find_thread(struct grr_ctl *c, const struct rt_layout *L, const struct thread_map *tm,
			struct gr_g *o)
{
	for (int i = 0; i < tm->n; i++)
		if (tm->gs[i] == o->pub.g) {
			on_thread(c, o, tm->tids[i]);
			return;
		}
	if (!L->have_procid || (strcmp(o->pub.status, "running") != 0 &&
				strcmp(o->pub.status, "syscall") != 0))
		return;
	uint64_t m = 0, procid = 0;
	if (!rd64(c, o->pub.g + L->g_m, &m) || !m || !rd64(c, m + L->m_procid, &procid))
		return;
	for (int i = 0; i < tm->n; i++)
		if (tm->tids[i] == procid && tm->gs[i] == 0) {
			on_thread(c, o, tm->tids[i]);
			return;
		}
}

int gr_read(struct grr_ctl *c, uint64_t g, uint32_t tid, struct gr_g *out, char *err,
	    size_t errlen)
{
	const struct rt_layout *L = rt_layout_get(c, err, errlen);
	if (!L)
		return -1;
	if (!read_g(c, L, g, out) || strcmp(out->pub.status, "dead") == 0) {
		snprintf(err, errlen, "the goroutine at 0x%llx is gone", (unsigned long long)g);
		return -1;
	}
	if (tid)
		on_thread(c, out, tid);
	return 0;
}

/* The g pointers of runtime.allgs (malloc'd), their count in *N. */
static uint64_t *all_gs(struct grr_ctl *c, const struct rt_layout *L, uint64_t *n, char *err,
			size_t errlen)
{
	uint64_t slice[2];
	if (grr_replay_read(rp_of(c), L->allgs, slice, sizeof(slice)) < 0) {
		snprintf(err, errlen, "cannot read runtime.allgs");
		return NULL;
	}
	*n = slice[1];
	if (*n > MAX_GOROUTINES) {
		snprintf(err, errlen, "runtime.allgs looks damaged (%llu goroutines)",
			 (unsigned long long)*n);
		return NULL;
	}
	uint64_t *gs = malloc((*n ? *n : 1) * 8);
	if (!gs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (*n && grr_replay_read(rp_of(c), slice[0], gs, *n * 8) < 0) {
		free(gs);
		snprintf(err, errlen, "cannot read runtime.allgs");
		return NULL;
	}
	return gs;
}

static int by_goid(const void *a, const void *b)
{
	const struct grr_goroutine *x = a, *y = b;
	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

static int not_started(char *err, size_t errlen)
{
	snprintf(err, errlen, "no goroutines yet (the Go runtime has not started)");
	return -1;
}

bool gr_process_gone(struct grr_ctl *c, char *err, size_t errlen)
{
	struct grr_ctl_pos pos;
	grr_ctl_where(c, &pos);
	if (!pos.no_process)
		return false;
	snprintf(err, errlen, "the program has exited (event %llu): go back with restart, goto "
		 "or a reverse command", (unsigned long long)pos.seq);
	return true;
}

int grr_goroutines(struct grr_ctl *c, struct grr_goroutine **out, char *err, size_t errlen)
{
	*out = NULL;
	if (gr_process_gone(c, err, errlen))
		return -1;
	const struct rt_layout *L = rt_layout_get(c, err, errlen);
	if (!L)
		return -1;
	uint64_t n;
	uint64_t *gs = all_gs(c, L, &n, err, errlen);
	if (!gs)
		return -1;
	if (n == 0) {
		free(gs);
		return not_started(err, errlen);
	}
	struct thread_map *tm = malloc(sizeof(*tm));
	struct grr_goroutine *res = calloc(n, sizeof(*res));
	if (!tm || !res) {
		free(tm);
		free(res);
		free(gs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	map_threads(c, L, tm);
	int k = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct gr_g g;
		if (!read_g(c, L, gs[i], &g) || strcmp(g.pub.status, "dead") == 0)
			continue;
		find_thread(c, L, tm, &g);
		res[k++] = g.pub;
	}
	free(tm);
	free(gs);
	qsort(res, (size_t)k, sizeof(*res), by_goid);
	*out = res;
	return k;
}

int gr_find(struct grr_ctl *c, int64_t goid, struct gr_g *out, uint32_t *tid, char *err,
	    size_t errlen)
{
	const struct rt_layout *L = rt_layout_get(c, err, errlen);
	if (!L)
		return -1;
	struct thread_map *tm = malloc(sizeof(*tm));
	if (!tm) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	map_threads(c, L, tm);
	int rc = 0;
	*tid = 0;
	if (goid < 0) {
		uint32_t cur = grr_ctl_current_tid(c);
		*tid = cur;
		uint64_t g = 0;
		for (int i = 0; i < tm->n; i++)
			if (tm->tids[i] == cur)
				g = tm->gs[i];
		if (g && read_g(c, L, g, out) && strcmp(out->pub.status, "dead") != 0 &&
		    out->pub.goid > 0) {
			on_thread(c, out, cur);
			rc = 1;
		}
		free(tm);
		return rc;
	}
	uint64_t n;
	uint64_t *gs = all_gs(c, L, &n, err, errlen);
	if (!gs) {
		free(tm);
		return -1;
	}
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		if (read_g(c, L, gs[i], out) && out->pub.goid == goid &&
		    strcmp(out->pub.status, "dead") != 0) {
			find_thread(c, L, tm, out);
			*tid = out->pub.tid;
			rc = 1;
		}
	}
	free(gs);
	free(tm);
	return rc;
}
