/* ctl_hits.c - breakpoint hit counts and Delve's hit conditions
 * (condition -hitcount, condition -per-g-hitcount).
 *
 * A count is of the hits since the start of the recording in the current
 * timeline: going back restores the counts saved with the checkpoint the
 * replay restarts from (or zero at the start) and counts again on the
 * way, so a hit condition picks the same hit forward and backward.  Each
 * breakpoint's total is in its hits field; the per-goroutine counts are
 * in c->ghits, one entry per (breakpoint, goroutine) that hit. */
#include "replayer/control/ctl_private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static struct ctl_hits *ghit_find(struct grr_ctl *c, int id, int64_t goid)
{
	for (int i = 0; i < c->nghits; i++)
		if (c->ghits[i].id == id && c->ghits[i].goid == goid)
			return &c->ghits[i];
	if (c->nghits == c->capghits) {
		int cap = c->capghits ? 2 * c->capghits : 16;
		struct ctl_hits *n = realloc(c->ghits, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		c->ghits = n;
		c->capghits = cap;
	}
	c->ghits[c->nghits] = (struct ctl_hits){ id, goid, 0 };
	return &c->ghits[c->nghits++];
}

static bool compare(enum grr_hit_op op, uint64_t n, uint64_t v)
{
	switch (op) {
	case GRR_HIT_EQ: return n == v;
	case GRR_HIT_NE: return n != v;
	case GRR_HIT_GT: return n > v;
	case GRR_HIT_GE: return n >= v;
	case GRR_HIT_LT: return n < v;
	case GRR_HIT_LE: return n <= v;
	case GRR_HIT_MOD: return v != 0 && n % v == 0;
	}
	return true;
}

bool ctl_hits_count(struct grr_ctl *c, struct grr_ctl_break *b, int64_t goid)
{
	b->hits++;
	uint64_t n = b->hits;
	if (!b->is_watch && goid > 0) {
		struct ctl_hits *g = ghit_find(c, b->id, goid);
		if (g && b->hit_per_g)
			n = ++g->hits;
		else if (g)
			g->hits++;
	}
	return !b->hitcond[0] || compare(b->hit_op, n, b->hit_val);
}

int ctl_hits_save(const struct grr_ctl *c, struct ctl_snap *s)
{
	s->nhits = 0;
	s->hits = calloc((size_t)(c->nbps + c->nghits) + 1, sizeof(*s->hits));
	if (!s->hits)
		return -1;
	for (int i = 0; i < c->nbps; i++)
		s->hits[s->nhits++] =
			(struct ctl_hits){ c->bps[i].id, CTL_ALL_GOROUTINES, c->bps[i].hits };
	for (int i = 0; i < c->nghits; i++)
		s->hits[s->nhits++] = c->ghits[i];
	return 0;
}

void ctl_hits_load(struct grr_ctl *c, const struct ctl_snap *s)
{
	c->nghits = 0;
	for (int i = 0; i < c->nbps; i++)
		c->bps[i].hits = 0;
	for (int k = 0; s && k < s->nhits; k++) {
		const struct ctl_hits *h = &s->hits[k];
		if (h->goid != CTL_ALL_GOROUTINES) {
			struct ctl_hits *g = ghit_find(c, h->id, h->goid);
			if (g)
				g->hits = h->hits;
			continue;
		}
		struct grr_ctl_break *b = ctl_find_break(c, h->id);
		if (b)
			b->hits = h->hits;
	}
}

/* "N" or "OP N" (Delve's form; blanks allowed around OP). */
static int parse_hitcond(const char *text, enum grr_hit_op *op, uint64_t *val)
{
	static const struct { const char *s; enum grr_hit_op op; } ops[] = {
		{ "==", GRR_HIT_EQ }, { "!=", GRR_HIT_NE }, { ">=", GRR_HIT_GE },
		{ "<=", GRR_HIT_LE }, { ">", GRR_HIT_GT }, { "<", GRR_HIT_LT },
		{ "%", GRR_HIT_MOD },
	};
	const char *p = text;
	*op = GRR_HIT_EQ;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(p, ops[i].s, strlen(ops[i].s)) == 0) {
			*op = ops[i].op;
			p += strlen(ops[i].s);
			break;
		}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end)
		return -1;
	*val = v;
	return 0;
}

int grr_ctl_hit_condition(struct grr_ctl *c, int id, const char *text, bool per_g, char *err,
			  size_t errlen)
{
	struct grr_ctl_break *b = ctl_find_break(c, id);
	if (!b) {
		snprintf(err, errlen, "no breakpoint %d", id);
		return -1;
	}
	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text) {
		b->hitcond[0] = 0;
		return 0;
	}
	enum grr_hit_op op;
	uint64_t val;
	if (parse_hitcond(text, &op, &val) < 0 || strlen(text) >= sizeof(b->hitcond)) {
		snprintf(err, errlen, "bad hit condition '%s': give N or OP N, OP one of "
			 "== != > >= < <= %%", text);
		return -1;
	}
	if (op == GRR_HIT_MOD && val == 0) {
		snprintf(err, errlen, "bad hit condition '%s': %% 0 divides by zero", text);
		return -1;
	}
	if (per_g && b->is_watch) {
		snprintf(err, errlen, "a watchpoint's hits are not counted per goroutine");
		return -1;
	}
	snprintf(b->hitcond, sizeof(b->hitcond), "%s", text);
	b->hit_op = op;
	b->hit_val = val;
	b->hit_per_g = per_g;
	return 0;
}
