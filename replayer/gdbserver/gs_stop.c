/* gs_stop.c - stop replies, as rr sends them: T05 at a breakpoint
 * (swbreak:), a watchpoint (watch:/rwatch:/awatch: and the address of its
 * Z packet) or after a step; T00 with replaylog:begin when running
 * backward reaches the start; T09 (a synthetic SIGKILL) when running
 * forward reaches the end of the recording, from where reverse execution
 * still works; T00 after an interrupt or a restart; W (exit status) or X
 * (signal) for a forward resume at the end. */
#include "replayer/gdbserver/gs_private.h"

#include <stdio.h>
#include <string.h>

#define SIG_TRAP 5
#define SIG_KILL 9

static void watch_reason(const struct gs *s, int bp_id, char *out, size_t len)
{
	const struct gs_zpoint *z = gs_zpoint_of(s, bp_id);
	if (!z) {
		out[0] = 0;
		return;
	}
	const char *key = z->type == GS_Z_READ ? "rwatch" : z->type == GS_Z_ACCESS ? "awatch" : "watch";
	snprintf(out, len, "%s:%llx;", key, (unsigned long long)z->addr);
}

/* A forward stop right after a watched access: remember the point. */
static void note_watch(struct gs *s, int bp_id, bool backward)
{
	const struct gs_zpoint *z = gs_zpoint_of(s, bp_id);
	if (backward || !z)
		return;
	s->after_watch = *z;
	s->after_watch.nids = 0;
	s->after_watch_set = true;
}

void gs_report(struct gs *s, const struct grr_ctl_stop *stop, bool backward)
{
	struct gs_stop *st = &s->last;
	memset(st, 0, sizeof(*st));
	st->kind = GS_STOP_SIGNAL;
	st->tid = stop->pos.tid ? stop->pos.tid : gs_query_thread(s);
	s->end_reported = false;
	s->after_watch_set = false;
	switch (stop->reason) {
	case GRR_CTL_BREAKPOINT:
		st->sig = SIG_TRAP;
		snprintf(st->reason, sizeof(st->reason), "%s", s->swbreak ? "swbreak:;" : "");
		break;
	case GRR_CTL_WATCHPOINT:
		st->sig = SIG_TRAP;
		watch_reason(s, stop->bp_id, st->reason, sizeof(st->reason));
		note_watch(s, stop->bp_id, backward);
		break;
	case GRR_CTL_STEPPED:
		st->sig = SIG_TRAP;
		break;
	case GRR_CTL_AT_START:
		st->sig = 0;
		snprintf(st->reason, sizeof(st->reason), "replaylog:begin;");
		break;
	case GRR_CTL_EXITED:
	case GRR_CTL_CUT:
		st->sig = backward ? 0 : SIG_KILL;
		s->end_reported = !backward;
		break;
	case GRR_CTL_ARRIVED:
		st->sig = SIG_TRAP;
		break;
	case GRR_CTL_INTERRUPTED:
		st->sig = 0;
		break;
	}
	gs_send_stop(s, st);
}

void gs_send_stop(struct gs *s, const struct gs_stop *st)
{
	char out[256], id[40];
	if (st->kind != GS_STOP_SIGNAL) {
		int k = snprintf(out, sizeof(out), "%c%02x", st->kind == GS_STOP_EXITED ? 'W' : 'X',
				 st->sig & 0xff);
		if (s->multiprocess)
			snprintf(out + k, sizeof(out) - (size_t)k, ";process:%x", s->pid);
		gs_send_str(&s->conn, out);
		return;
	}
	gs_thread_id(s, st->tid, id, sizeof(id));
	snprintf(out, sizeof(out), "T%02xthread:%s;%s", st->sig & 0xff, id, st->reason);
	gs_send_str(&s->conn, out);
}

void gs_handle_thread_stop_info(struct gs *s, const char *args)
{
	uint32_t tid;
	if (gs_parse_thread(&args, &tid) < 0 || !tid || !gs_thread_alive(s, tid)) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	if (tid == s->last.tid && s->last.kind == GS_STOP_SIGNAL) {
		gs_send_stop(s, &s->last);
		return;
	}
	struct gs_stop other = { .kind = GS_STOP_SIGNAL, .tid = tid };
	gs_send_stop(s, &other);
}
