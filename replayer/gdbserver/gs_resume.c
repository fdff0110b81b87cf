/* gs_resume.c - running: vCont (c, C, s, S), the old c and s packets,
 * rr's reverse packets bc and bs, and the interrupt byte while running.
 *
 * Only one thread runs at a time in a replay, the one the next recorded
 * event belongs to.  A step asked for that thread (or any) is one
 * instruction of it; a step asked for another thread continues instead,
 * as rr does: the asked thread cannot move before the running one does.
 * Signals the client asks to deliver are ignored: the replay delivers
 * the recorded ones.  A forward run watches the connection on a second
 * thread, which asks control to stop (grr_ctl_interrupt) when the client
 * sends 0x03 or goes away.
 *
 * A continue whose thread stands on a breakpoint it has not executed yet
 * (a step ended there, or the client set it there) stops at once, as a
 * breakpoint hit, without moving: what a live process does (the int3
 * traps first) and what rr does.  Delve's `next` relies on it: it steps
 * off its breakpoint with vCont;s, then continues to the temporary
 * breakpoints it set, one of which may be where the step ended.  To go
 * on from a breakpoint, clients take it out and step first. */
#include "replayer/gdbserver/gs_private.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef int (*ctl_run)(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);

struct watcher {
	struct gs *s;
	int wake[2];
	pthread_t th;
	bool running;
};

static void *watch(void *arg)
{
	struct watcher *w = arg;
	if (gs_wait_interrupt(&w->s->conn, w->wake[0]))
		grr_ctl_interrupt(w->s->ctl);
	return NULL;
}

static void watch_start(struct watcher *w, struct gs *s)
{
	w->s = s;
	w->running = pipe(w->wake) == 0 && pthread_create(&w->th, NULL, watch, w) == 0;
}

static void watch_stop(struct watcher *w)
{
	if (!w->running)
		return;
	if (write(w->wake[1], "x", 1) < 0)
		perror("grr gdbserver: wake");
	pthread_join(w->th, NULL);
	close(w->wake[0]);
	close(w->wake[1]);
	w->running = false;
}

static void failed(struct gs *s, const char *what, const char *err)
{
	fprintf(stderr, "grr: %s: %s\n", what, err);
	gs_send_str(&s->conn, "E01");
}

/* A forward resume at the end of the recording, once its T09 is out:
 * the program's exit, as W (status) or X (signal). */
static void report_exit(struct gs *s, const struct grr_ctl_pos *pos)
{
	struct gs_stop *st = &s->last;
	st->tid = pos->tid;
	st->reason[0] = 0;
	if (pos->cut_short || pos->exit_status > 128) {
		st->kind = GS_STOP_KILLED;
		st->sig = pos->cut_short ? 9 : pos->exit_status - 128;
	} else {
		st->kind = GS_STOP_EXITED;
		st->sig = pos->exit_status;
	}
	gs_send_stop(s, st);
}

/* After vRun: the first resume stops at once where the restart went. */
static bool restart_stop(struct gs *s)
{
	if (!s->restart_stop)
		return false;
	s->restart_stop = false;
	struct grr_ctl_pos pos;
	grr_ctl_where(s->ctl, &pos);
	struct gs_stop *st = &s->last;
	memset(st, 0, sizeof(*st));
	st->tid = pos.tid ? pos.tid : gs_query_thread(s);
	st->sig = pos.at_end ? 9 : 0;
	s->end_reported = pos.at_end;
	gs_send_stop(s, st);
	return true;
}

/* The thread that runs next stands on a breakpoint: report its hit
 * without running (the header). */
static bool on_break(struct gs *s)
{
	struct grr_replay *rp = grr_ctl_replay(s->ctl);
	uint32_t tid = grr_replay_next_tid(rp);
	struct user_regs_struct regs;
	if (!tid || grr_replay_get_regs(rp, tid, &regs) < 0 || !gs_break_at(s, regs.rip))
		return false;
	struct grr_ctl_stop stop = { .reason = GRR_CTL_BREAKPOINT };
	grr_ctl_where(s->ctl, &stop.pos);
	stop.pos.tid = tid;
	stop.pos.pc = regs.rip;
	struct gs_zpoint after = s->after_watch;  /* not moved: still after it */
	bool after_set = s->after_watch_set;
	gs_report(s, &stop, false);
	s->after_watch = after;
	s->after_watch_set = after_set;
	return true;
}

static void run_forward(struct gs *s, ctl_run op)
{
	if (restart_stop(s))
		return;
	struct grr_ctl_pos pos;
	grr_ctl_where(s->ctl, &pos);
	if (pos.at_end && s->end_reported) {
		report_exit(s, &pos);
		return;
	}
	if (op == grr_ctl_continue && !pos.at_end && on_break(s))
		return;
	struct grr_ctl_stop stop;
	char err[512];
	struct watcher w = { 0 };
	watch_start(&w, s);
	int rc = op(s->ctl, &stop, err, sizeof(err));
	watch_stop(&w);
	if (rc < 0)
		failed(s, "running forward", err);
	else
		gs_report(s, &stop, false);
}

/* The thread a step is for: the one each action names, or any. */
static bool steps_running_thread(struct gs *s, uint32_t tid)
{
	uint32_t next = grr_replay_next_tid(grr_ctl_replay(s->ctl));
	return tid == 0 || tid == next || next == 0;
}

void gs_handle_vcont(struct gs *s, const char *args)
{
	if (strcmp(args, "?") == 0) {
		gs_send_str(&s->conn, "vCont;c;C;s;S");
		return;
	}
	bool step = false;
	for (const char *p = args; *p == ';';) {
		char action = p[1];
		p += 2;
		if (action == 'C' || action == 'S')
			p += strspn(p, "0123456789abcdefABCDEF");
		uint32_t tid = 0;
		if (*p == ':') {
			p++;
			if (gs_parse_thread(&p, &tid) < 0) {
				gs_send_str(&s->conn, "E01");
				return;
			}
		}
		if ((action == 's' || action == 'S') && steps_running_thread(s, tid))
			step = true;
		else if (action != 'c' && action != 'C' && action != 's' && action != 'S') {
			gs_send_str(&s->conn, "E01");
			return;
		}
	}
	run_forward(s, step ? grr_ctl_stepi : grr_ctl_continue);
}

void gs_handle_resume(struct gs *s, bool step)
{
	run_forward(s, step && steps_running_thread(s, s->c_tid) ? grr_ctl_stepi : grr_ctl_continue);
}

static void at_start(struct gs *s)
{
	struct gs_stop *st = &s->last;
	memset(st, 0, sizeof(*st));
	st->tid = gs_query_thread(s);
	snprintf(st->reason, sizeof(st->reason), "replaylog:begin;");
	s->end_reported = false;
	gs_send_stop(s, st);
}

/* A reverse-continue from right after a watched access (the last
 * forward stop, the point still set) meets that access first: back over
 * it, and stop there, before it, as rr does. */
static bool back_over_watch(struct gs *s)
{
	const struct gs_zpoint *z = NULL;
	if (s->after_watch_set)
		z = gs_zpoint_find(s, s->after_watch.type, s->after_watch.addr, s->after_watch.kind);
	if (!z || z->nids == 0)
		return false;
	struct grr_ctl_stop stop;
	char err[512];
	if (grr_ctl_reverse_stepi(s->ctl, &stop, err, sizeof(err)) < 0)
		return false;
	stop.reason = GRR_CTL_WATCHPOINT;
	stop.bp_id = z->ids[0];
	gs_report(s, &stop, true);
	return true;
}

void gs_handle_reverse(struct gs *s, bool step)
{
	s->restart_stop = false;
	struct grr_ctl_pos pos;
	grr_ctl_where(s->ctl, &pos);
	if (!step && back_over_watch(s))
		return;
	struct grr_ctl_stop stop;
	char err[512];
	int rc = step ? grr_ctl_reverse_stepi(s->ctl, &stop, err, sizeof(err))
		      : grr_ctl_reverse_continue(s->ctl, &stop, err, sizeof(err));
	if (rc < 0 && step && pos.seq == 0 && !grr_ctl_broken(s->ctl)) {
		at_start(s);  /* the first instruction: nothing before it */
		return;
	}
	if (rc < 0) {
		failed(s, step ? "reverse-stepi" : "reverse-continue", err);
		return;
	}
	if (stop.reason == GRR_CTL_WATCHPOINT) {
		/* rr's rule: backward, a watchpoint stops before the write */
		struct grr_ctl_stop before;
		if (grr_ctl_reverse_stepi(s->ctl, &before, err, sizeof(err)) == 0)
			stop.pos = before.pos;
	}
	gs_report(s, &stop, true);
}
