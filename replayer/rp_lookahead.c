/* rp_lookahead.c - reading the trace ahead of the replay.
 *
 * After each anchor whose digest it computed from the written pages, the
 * recorder notes how many pages the program had written since the digest
 * before (format/rewrite_note.h).  Replay knows the future: at an anchor,
 * it reads ahead to the next one, and if the program rewrote most of its
 * memory in between, it does not track writes until then (the digest
 * there is a full one; tracking would only have cost the program a fault
 * per page).  Without a note (the recorder's own tracking was paused, or
 * had just begun), the answer for the anchor before stands.  The recorder
 * cannot know any of this in advance; this is one place where replay does
 * less work than recording did. */
#include "replayer/rp_private.h"
#include "format/counter_note.h"
#include "format/rewrite_note.h"
#include "tracee/digester.h"

#include <stdio.h>
#include <string.h>

#define NO_ANCHOR UINT64_MAX

void rp_lookahead_close(struct rp_lookahead *la)
{
	if (la->reader)
		grr_reader_close(la->reader);
	memset(la, 0, sizeof(*la));
}

/* Reads the next event into EV: 1, 0 at the end, -1 on error. */
static int next_event(struct rp_lookahead *la, struct grr_event *ev)
{
	struct grr_error e;
	int r = grr_reader_next(la->reader, ev, &e);
	if (r == 1)
		la->next = ev->seq + 1;
	return r;
}

/* Positions the reader to read the events after event SEQ: where it
 * stands if that is right after SEQ, or after SEQ and the note that
 * follows it when SEQ is the anchor it found last (the usual case: the
 * replay has reached it); elsewhere by a seek. */
static int position(struct grr_replay *rp, struct rp_lookahead *la, uint64_t seq)
{
	struct grr_error e;
	if (!la->reader) {
		la->reader = grr_reader_open(rp->trace, &e);
		if (!la->reader)
			return -1;
		la->next = 0;
	}
	bool after_note = la->known && la->anchor == seq && la->note_read && la->next == seq + 2;
	if (la->next != seq + 1 && !after_note) {
		if (grr_reader_seek(la->reader, seq + 1, &e) < 0)
			return -1;
		la->next = seq + 1;
	}
	return 0;
}

/* Finds the first anchor after event SEQ and whether its note says the
 * program rewrote most of its memory before it. */
static int look(struct grr_replay *rp, struct rp_lookahead *la, uint64_t seq)
{
	if (position(rp, la, seq) < 0)
		return -1;
	struct grr_event ev;
	int r;
	while ((r = next_event(la, &ev)) == 1 && (ev.seq <= seq || ev.kind != GRR_EV_ANCHOR))
		;
	if (r < 0)
		return -1;
	/* (without a note, the previous answer: the recorder writes none
	 * while its own tracking is paused, after it saw most memory
	 * rewritten) */
	la->from = seq;
	la->known = true;
	la->anchor = r == 0 ? NO_ANCHOR : ev.seq;
	if (r == 0)
		return 0;
	uint32_t tid = ev.tid;
	uint64_t written, pages;
	r = next_event(la, &ev);
	la->note_read = r == 1 && ev.kind == GRR_EV_NOTE;
	if (la->note_read && ev.tid == tid &&
	    grr_rewrite_note_parse(ev.u.note.text, &written, &pages))
		la->rewrites = grr_digest_mostly_rewritten(written, pages);
	return r < 0 ? -1 : 0;
}

bool rp_next_anchor_rewrites(struct grr_replay *rp, uint64_t seq)
{
	struct rp_lookahead *la = &rp->ahead;
	if (la->broken)
		return false;
	if (la->known && seq >= la->from && seq < la->anchor)
		return la->rewrites;
	if (look(rp, la, seq) < 0) {
		rp_lookahead_close(la);
		la->broken = true;
		return false;
	}
	if (rp->debug)
		fprintf(rp->opts.err, "grr-debug: next anchor after event %llu: %s\n",
			(unsigned long long)seq,
			la->anchor == NO_ANCHOR ? "none" :
			la->rewrites ? "most memory rewritten before it: no write tracking" :
			"write tracking");
	return la->rewrites;
}

/* ---- the anchor's own counters (format/counter_note.h) ---- */

void rp_anchor_counters_close(struct rp_anchor_counters *c)
{
	if (c->reader)
		grr_reader_close(c->reader);
	memset(c, 0, sizeof(*c));
}

/* Reads the notes right after the anchor at SEQ (of thread TID). */
static int read_counters(struct grr_replay *rp, struct rp_anchor_counters *c, uint64_t seq,
			 uint32_t tid)
{
	struct grr_error e;
	if (!c->reader && !(c->reader = grr_reader_open(rp->trace, &e)))
		return -1;
	if (grr_reader_seek(c->reader, seq + 1, &e) < 0)
		return -1;
	c->seq = seq;
	c->known = true;
	c->have = false;
	struct grr_event ev;
	for (int i = 0; i < 4; i++) {
		int r = grr_reader_next(c->reader, &ev, &e);
		if (r < 0)
			return -1;
		if (r == 0 || ev.kind != GRR_EV_NOTE || ev.tid != tid)
			break;
		if (grr_counter_note_parse(ev.u.note.text, &c->clock, &c->syscalls)) {
			c->have = true;
			break;
		}
	}
	return 0;
}

bool rp_anchor_counters(struct grr_replay *rp, uint64_t seq, uint64_t *clock,
			uint64_t *syscalls)
{
	struct rp_anchor_counters *c = &rp->counters;
	if (c->broken)
		return false;
	if ((!c->known || c->seq != seq) && read_counters(rp, c, seq, rp->ev.tid) < 0) {
		rp_anchor_counters_close(c);
		c->broken = true;
		return false;
	}
	*clock = c->clock;
	*syscalls = c->syscalls;
	return c->have;
}
