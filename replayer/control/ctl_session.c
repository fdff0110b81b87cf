/* ctl_session.c - a debugging session over one trace: opening it,
 * starting the replay over, where it stands, checkpoints. */
#include "replayer/control/ctl_private.h"

#include <stdlib.h>
#include <string.h>

struct grr_ctl *grr_ctl_open(const char *trace, const struct grr_ctl_opts *o,
			     char *err, size_t errlen)
{
	if (strlen(trace) >= PATH_MAX) {
		snprintf(err, errlen, "%s: path too long", trace);
		return NULL;
	}
	struct grr_ctl *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	strcpy(c->trace, trace);
	c->opts = *o;
	c->next_id = 1;
	c->next_cp = 1;
	c->debug = getenv("GRR_DEBUG_CTL") != NULL;
	const char *iv = getenv("GRR_CHECKPOINT_INTERVAL");
	c->snap_interval = iv && *iv ? atof(iv) : CTL_SNAP_INTERVAL;
	if (ctl_restart_engine(c, err, errlen) < 0) {
		grr_ctl_close(c);
		return NULL;
	}
	c->syms = grr_symbols_open(grr_replay_program(c->rp), err, errlen);
	if (!c->syms) {
		grr_ctl_close(c);
		return NULL;
	}
	c->have_goid_off = grr_symbols_member_offset(c->syms, "runtime.g", "goid", &c->goid_off);
	uint64_t stack_off, hi_off;
	c->have_stack_hi_off =
		grr_symbols_member_offset(c->syms, "runtime.g", "stack", &stack_off) &&
		grr_symbols_member_offset(c->syms, "runtime.stack", "hi", &hi_off);
	c->stack_hi_off = c->have_stack_hi_off ? stack_off + hi_off : 0;
	ctl_failure_breaks(c);
	return c;
}

void grr_ctl_close(struct grr_ctl *c)
{
	if (!c)
		return;
	grr_replay_close(c->rp);
	grr_symbols_close(c->syms);
	for (int i = 0; i < c->nsnaps; i++)
		ctl_snap_free(&c->snaps[i]);
	for (int i = 0; i < c->ncps; i++)
		ctl_snap_free(&c->cps[i].snap);
	free(c->snaps);
	free(c->bps);
	free(c->ghits);
	free(c->cps);
	free(c);
}

struct grr_replay *grr_ctl_replay(struct grr_ctl *c) { return c->view ? c->view : c->rp; }
void grr_ctl_view(struct grr_ctl *c, struct grr_replay *rp) { c->view = rp; }
const struct grr_symbols *grr_ctl_symbols(const struct grr_ctl *c) { return c->syms; }
bool grr_ctl_broken(const struct grr_ctl *c) { return c->broken; }
uint32_t grr_ctl_current_tid(const struct grr_ctl *c) { return c->cur_tid; }

void grr_ctl_set_cond_eval(struct grr_ctl *c, grr_ctl_cond_fn fn, void *ctx)
{
	c->cond_fn = fn;
	c->cond_ctx = ctx;
}

/* A fresh replay at the program's first instruction, output off. */
int ctl_restart_engine(struct grr_ctl *c, char *err, size_t errlen)
{
	grr_replay_close(c->rp);
	c->rp = NULL;
	struct grr_replay_opts ro = { .quiet = true, .out = c->opts.out, .err = c->opts.err };
	c->rp = grr_replay_open(c->trace, &ro, err, errlen);
	if (!c->rp) {
		c->broken = true;
		return -1;
	}
	c->broken = false;
	memset(&c->now, 0, sizeof(c->now));
	c->cur_tid = grr_replay_next_tid(c->rp);
	if (ctl_readd_watches(c) < 0) {
		snprintf(err, errlen, "cannot set the watchpoints again");
		return -1;
	}
	return 0;
}

int ctl_engine_error(struct grr_ctl *c, char *err, size_t errlen)
{
	c->broken = true;
	const struct grr_divergence *d = grr_replay_divergence(c->rp);
	if (d)
		snprintf(err, errlen, "replay diverged at event %llu (thread %u): expected %s, got %s",
			 (unsigned long long)d->seq, d->tid, d->expected, d->actual);
	else
		snprintf(err, errlen, "replay failed: %s", grr_replay_error(c->rp));
	return -1;
}

void ctl_set_echo(struct grr_ctl *c, bool on)
{
	struct grr_replay_pos pos;
	grr_replay_position(c->rp, &pos);
	bool echo = on && !c->opts.quiet && pos.seq >= c->high_water;
	grr_replay_set_quiet(c->rp, !echo);
}

void grr_ctl_where(struct grr_ctl *c, struct grr_ctl_pos *pos)
{
	ctl_position(c, pos);
}

int grr_ctl_goto(struct grr_ctl *c, uint64_t seq, struct grr_ctl_stop *stop,
		 char *err, size_t errlen)
{
	uint64_t total = grr_replay_event_count(c->rp);
	if (total && seq > total) {
		snprintf(err, errlen, "event %llu is past the end of the trace (%llu events)",
			 (unsigned long long)seq, (unsigned long long)total);
		return -1;
	}
	struct ctl_moment m = { .seq = seq };
	if (ctl_reach(c, &m, err, errlen) < 0)
		return -1;
	if (ctl_sync_engine(c, NULL, 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	uint32_t tid;
	if (!ctl_at_end(c, &tid))
		tid = grr_replay_next_tid(c->rp);
	return ctl_stop_here(c, tid, false, GRR_CTL_ARRIVED, stop);
}

int grr_ctl_checkpoint(struct grr_ctl *c, const char *note, char *err, size_t errlen)
{
	if (c->broken) {
		snprintf(err, errlen, "the replay failed; restart first");
		return -1;
	}
	if (c->ncps == c->capcps) {
		int cap = c->capcps ? 2 * c->capcps : 8;
		struct ctl_checkpoint *n = realloc(c->cps, (size_t)cap * sizeof(*n));
		if (!n) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->cps = n;
		c->capcps = cap;
	}
	struct ctl_checkpoint *cp = &c->cps[c->ncps];
	memset(cp, 0, sizeof(*cp));
	cp->m = c->now;
	if (cp->m.mid && !cp->m.have_digest && grr_replay_digest(c->rp, &cp->m.digest) == 0)
		cp->m.have_digest = true;
	char why[256];
	if (ctl_snap_take(c, &cp->snap, why, sizeof(why)) < 0)
		cp->snap.rp = NULL;  /* restart re-executes to it instead */
	cp->snap.m = cp->m;
	cp->id = c->next_cp++;
	snprintf(cp->note, sizeof(cp->note), "%s", note ? note : "");
	c->ncps++;
	return cp->id;
}

int grr_ctl_checkpoints(const struct grr_ctl *c, struct grr_ctl_checkpoint_info *out, int max)
{
	int n = 0;
	for (int i = 0; i < c->ncps && n < max; i++, n++) {
		const struct ctl_checkpoint *cp = &c->cps[i];
		out[n].id = cp->id;
		snprintf(out[n].note, sizeof(out[n].note), "%s", cp->note);
		memset(&out[n].pos, 0, sizeof(out[n].pos));
		out[n].pos.seq = cp->m.seq;
		out[n].pos.tid = cp->m.tid;
		out[n].pos.pc = cp->m.mid ? cp->m.regs.rip : 0;
		out[n].pos.goid = -1;
	}
	return n;
}

int grr_ctl_checkpoint_delete(struct grr_ctl *c, int id)
{
	for (int i = 0; i < c->ncps; i++) {
		if (c->cps[i].id != id)
			continue;
		ctl_snap_free(&c->cps[i].snap);
		memmove(&c->cps[i], &c->cps[i + 1], (size_t)(c->ncps - i - 1) * sizeof(c->cps[0]));
		c->ncps--;
		return 0;
	}
	return -1;
}

int grr_ctl_restart(struct grr_ctl *c, int id, struct grr_ctl_stop *stop,
		    char *err, size_t errlen)
{
	struct ctl_moment m = { 0 };
	const struct ctl_checkpoint *cp = NULL;
	if (id != 0) {
		int i = 0;
		while (i < c->ncps && c->cps[i].id != id)
			i++;
		if (i == c->ncps) {
			snprintf(err, errlen, "no checkpoint %d (see 'checkpoints')", id);
			return -1;
		}
		cp = &c->cps[i];
		m = cp->m;
	}
	if (id == 0 && ctl_restart_engine(c, err, errlen) < 0)
		return -1;
	if (cp && cp->snap.rp) {
		if (ctl_snap_restore(c, &cp->snap, err, errlen) < 0)
			return -1;
	} else if (cp && ctl_reach(c, &m, err, errlen) < 0) {
		return -1;
	}
	if (ctl_sync_engine(c, NULL, 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	if (id == 0)
		ctl_hits_load(c, NULL);
	uint32_t tid = m.mid || m.held ? m.tid : grr_replay_next_tid(c->rp);
	struct ctl_moment keep = c->now;
	int rc = ctl_stop_here(c, tid, m.mid, GRR_CTL_ARRIVED, stop);
	if (id != 0)
		c->now = keep;  /* ctl_reach's moment, digest included */
	return rc;
}
