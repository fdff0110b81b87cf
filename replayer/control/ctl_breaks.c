/* ctl_breaks.c - the user's breakpoints and watchpoints: numbering, hit
 * counts, conditions, and loading them into the replay engine. */
#include "replayer/control/ctl_private.h"

#include <stdlib.h>
#include <string.h>

struct grr_ctl_break *ctl_new_break(struct grr_ctl *c, char *err, size_t errlen)
{
	if (c->nbps == c->capbps) {
		int cap = c->capbps ? 2 * c->capbps : 8;
		struct grr_ctl_break *n = realloc(c->bps, (size_t)cap * sizeof(*n));
		if (!n) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		c->bps = n;
		c->capbps = cap;
	}
	struct grr_ctl_break *b = &c->bps[c->nbps];
	memset(b, 0, sizeof(*b));
	b->slot = -1;
	return b;
}

struct grr_ctl_break *ctl_find_break(struct grr_ctl *c, int id)
{
	for (int i = 0; i < c->nbps; i++)
		if (c->bps[i].id == id)
			return &c->bps[i];
	return NULL;
}

int grr_ctl_break(struct grr_ctl *c, const char *spec, bool temporary, const char *cond,
		  char *err, size_t errlen)
{
	if (cond && *cond && !c->cond_fn) {
		snprintf(err, errlen, "breakpoint conditions need an expression evaluator");
		return -1;
	}
	struct grr_ctl_break *b = ctl_new_break(c, err, errlen);
	if (!b || ctl_break_resolve(c, b, spec, err, errlen) < 0)
		return -1;
	b->temporary = temporary;
	snprintf(b->spec, sizeof(b->spec), "%s", spec);
	snprintf(b->cond, sizeof(b->cond), "%s", cond ? cond : "");
	b->id = c->next_id++;
	c->nbps++;
	if (ctl_sync_engine(c, NULL, 0, true) < 0) {
		c->nbps--;
		snprintf(err, errlen, "cannot set the breakpoint in the replay");
		return -1;
	}
	return b->id;
}

int ctl_break_resolve(struct grr_ctl *c, struct grr_ctl_break *b, const char *spec,
		      char *err, size_t errlen)
{
	int n = grr_symbols_resolve(c->syms, spec, b->locs + b->nlocs,
				    GRR_CTL_MAX_LOCS - b->nlocs, err, errlen);
	if (n < 0)
		return -1;
	for (int i = b->nlocs; i < b->nlocs + n; i++) {
		struct grr_func_info f;
		if (!grr_symbols_func_at(c->syms, b->locs[i].pc, &f)) {
			snprintf(err, errlen, "%s: address 0x%llx is not in the program's code", spec,
				 (unsigned long long)b->locs[i].pc);
			return -1;
		}
	}
	b->nlocs += n;
	return 0;
}

static uint64_t read_value(struct grr_ctl *c, uint64_t addr, int len)
{
	uint64_t v = 0;
	if (grr_replay_read(c->rp, addr, &v, (size_t)len) < 0)
		return 0;
	return v;
}

int grr_ctl_watch(struct grr_ctl *c, const char *spec, uint64_t addr, int len,
		  enum grr_watch_kind kind, char *err, size_t errlen)
{
	int used = 0;
	for (int i = 0; i < c->nbps; i++)
		used += c->bps[i].is_watch;
	if (used >= GRR_REPLAY_MAX_WATCH) {
		snprintf(err, errlen, "all %d hardware watchpoints are in use (clear one first)",
			 GRR_REPLAY_MAX_WATCH);
		return -1;
	}
	if ((len != 1 && len != 2 && len != 4 && len != 8) || addr % (uint64_t)len) {
		snprintf(err, errlen, "a watchpoint covers 1, 2, 4 or 8 bytes aligned to their size "
			 "(0x%llx, %d bytes)", (unsigned long long)addr, len);
		return -1;
	}
	struct grr_ctl_break *b = ctl_new_break(c, err, errlen);
	if (!b)
		return -1;
	b->slot = grr_replay_watch_add(c->rp, addr, len, kind);
	if (b->slot < 0) {
		snprintf(err, errlen, "no free debug register");
		return -1;
	}
	b->is_watch = true;
	b->addr = addr;
	b->len = len;
	b->kind = kind;
	b->last_value = read_value(c, addr, len);
	snprintf(b->spec, sizeof(b->spec), "%s", spec);
	b->id = c->next_id++;
	c->nbps++;
	return b->id;
}

int grr_ctl_condition(struct grr_ctl *c, int id, const char *cond, char *err, size_t errlen)
{
	struct grr_ctl_break *b = ctl_find_break(c, id);
	if (!b) {
		snprintf(err, errlen, "no breakpoint %d", id);
		return -1;
	}
	if (cond && *cond && !c->cond_fn) {
		snprintf(err, errlen, "breakpoint conditions need an expression evaluator");
		return -1;
	}
	snprintf(b->cond, sizeof(b->cond), "%s", cond ? cond : "");
	return 0;
}

static void remove_at(struct grr_ctl *c, int i)
{
	if (c->bps[i].is_watch)
		grr_replay_watch_del(c->rp, c->bps[i].slot);
	memmove(&c->bps[i], &c->bps[i + 1], (size_t)(c->nbps - i - 1) * sizeof(c->bps[0]));
	c->nbps--;
}

int grr_ctl_clear(struct grr_ctl *c, int id)
{
	for (int i = 0; i < c->nbps; i++)
		if (c->bps[i].id == id) {
			remove_at(c, i);
			return ctl_sync_engine(c, NULL, 0, true);
		}
	return -1;
}

int grr_ctl_set_disabled(struct grr_ctl *c, int id, bool disabled)
{
	struct grr_ctl_break *b = ctl_find_break(c, id);
	if (!b)
		return -1;
	b->disabled = disabled;
	if (b->is_watch && !disabled)
		b->last_value = read_value(c, b->addr, b->len);
	return ctl_sync_engine(c, NULL, 0, true);
}

void grr_ctl_clearall(struct grr_ctl *c)
{
	for (int i = c->nbps - 1; i >= 0; i--)
		if (c->bps[i].id > 0)
			remove_at(c, i);
	ctl_sync_engine(c, NULL, 0, true);
}

int grr_ctl_break_named(const struct grr_ctl *c, const char *name)
{
	for (int i = 0; i < c->nbps; i++)
		if (c->bps[i].name[0] && strcmp(c->bps[i].name, name) == 0)
			return c->bps[i].id;
	return 0;
}

int grr_ctl_breakpoints(const struct grr_ctl *c, const struct grr_ctl_break **out)
{
	*out = c->bps;
	return c->nbps;
}

int ctl_sync_engine(struct grr_ctl *c, const uint64_t *extra, int nextra, bool user)
{
	struct grr_replay_pos pos;
	grr_replay_position(c->rp, &pos);
	grr_replay_break_clear(c->rp);
	if (pos.at_end)
		return 0;  /* no process: loaded when there is one again */
	for (int i = 0; user && i < c->nbps; i++)
		for (int k = 0; !c->bps[i].disabled && k < c->bps[i].nlocs; k++)
			if (grr_replay_break_add(c->rp, c->bps[i].locs[k].pc) < 0)
				return -1;
	for (int i = 0; i < nextra; i++)
		if (grr_replay_break_add(c->rp, extra[i]) < 0)
			return -1;
	return 0;
}

int ctl_readd_watches(struct grr_ctl *c)
{
	for (int i = 0; i < c->nbps; i++) {
		struct grr_ctl_break *b = &c->bps[i];
		if (!b->is_watch)
			continue;
		b->slot = grr_replay_watch_add(c->rp, b->addr, b->len, b->kind);
		if (b->slot < 0)
			return -1;
	}
	return 0;
}

void ctl_watch_reset_values(struct grr_ctl *c)
{
	for (int i = 0; i < c->nbps; i++)
		if (c->bps[i].is_watch)
			c->bps[i].last_value = read_value(c, c->bps[i].addr, c->bps[i].len);
}

static bool break_at(const struct grr_ctl_break *b, uint64_t pc)
{
	for (int k = 0; k < b->nlocs; k++)
		if (b->locs[k].pc == pc)
			return true;
	return false;
}

static struct grr_ctl_break *watch_stop(struct grr_ctl *c, const struct grr_replay_stop *at,
					struct grr_ctl_stop *stop, bool count)
{
	for (int i = 0; i < c->nbps; i++) {
		struct grr_ctl_break *b = &c->bps[i];
		if (!b->is_watch || b->slot != at->watch_slot)
			continue;
		uint64_t now = read_value(c, b->addr, b->len);
		uint64_t old = b->last_value;
		b->last_value = now;
		/* a write of the same value is no change (gdb's rule) */
		if (b->disabled || (b->kind == GRR_WATCH_WRITE && now == old))
			return NULL;
		if (count && !ctl_hits_count(c, b, -1))
			return NULL;
		stop->reason = GRR_CTL_WATCHPOINT;
		stop->bp_id = b->id;
		stop->hits = b->hits;
		stop->old_value = old;
		stop->new_value = now;
		return b;
	}
	return NULL;
}

struct grr_ctl_break *ctl_user_stop(struct grr_ctl *c, const struct grr_replay_stop *at,
				    struct grr_ctl_stop *stop, bool count)
{
	memset(stop, 0, sizeof(*stop));
	if (at->why == GRR_STOP_WATCH)
		return watch_stop(c, at, stop, count);
	if (at->why != GRR_STOP_BREAK)
		return NULL;
	struct grr_ctl_break *first = NULL;
	uint32_t keep_tid = c->cur_tid;
	c->cur_tid = at->tid;  /* conditions see the stopped thread */
	bool have_goid = false;
	int64_t goid = -1;
	for (int i = 0; i < c->nbps; i++) {
		struct grr_ctl_break *b = &c->bps[i];
		if (b->is_watch || b->disabled || !break_at(b, at->pc))
			continue;
		if (b->cond[0] && c->cond_fn) {
			char cerr[256] = "";
			int v = c->cond_fn(c->cond_ctx, c, b->cond, cerr, sizeof(cerr));
			if (v == 0)
				continue;
			if (v < 0)
				snprintf(stop->cond_error, sizeof(stop->cond_error),
					 "breakpoint %d: condition '%.80s': %.120s", b->id, b->cond, cerr);
		}
		if (count) {
			if (!have_goid)
				goid = ctl_goid(c, at->tid);
			have_goid = true;
			if (!ctl_hits_count(c, b, goid))
				continue;
		}
		if (!first)
			first = b;
	}
	c->cur_tid = keep_tid;
	if (first) {
		stop->reason = GRR_CTL_BREAKPOINT;
		stop->bp_id = first->id;
		stop->hits = first->hits;
	}
	return first;
}
