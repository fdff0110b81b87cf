/* ctl_snapshot.c - checkpoints of the replay process (grr_replay_fork),
 * taken automatically while the replay runs forward and by the user, so
 * that going back means forking the nearest earlier one and replaying from
 * there, not from the start of the trace.
 *
 * Automatic ones are taken at event boundaries, at most every
 * c->snap_interval seconds of replay (CTL_SNAP_INTERVAL, or
 * $GRR_CHECKPOINT_INTERVAL); beyond CTL_SNAP_MAX, every other
 * one of the older half is dropped, so they thin out toward the start. */
#include "replayer/control/ctl_private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CTL_SNAP_MAX 24

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ctl_snap_free(struct ctl_snap *s)
{
	grr_replay_close(s->rp);
	free(s->hits);
	memset(s, 0, sizeof(*s));
}

/* A snapshot of the current replay with the breakpoints' hit counts. */
int ctl_snap_take(struct grr_ctl *c, struct ctl_snap *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (ctl_hits_save(c, s) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->rp = grr_replay_fork(c->rp, err, errlen);
	if (!s->rp) {
		free(s->hits);
		s->hits = NULL;
		return -1;
	}
	s->m = c->now;
	return 0;
}

/* Drops every other checkpoint of the older half: recent ones stay dense,
 * old ones thin out. */
static void thin(struct grr_ctl *c)
{
	int keep = 0, half = c->nsnaps / 2;
	for (int i = 0; i < c->nsnaps; i++) {
		if (i < half && i % 2 == 1) {
			ctl_snap_free(&c->snaps[i]);
			continue;
		}
		c->snaps[keep++] = c->snaps[i];
	}
	c->nsnaps = keep;
}

void ctl_snap_maybe(struct grr_ctl *c)
{
	double t = now_sec();
	if (c->last_snap_time == 0) {
		c->last_snap_time = t;
		return;
	}
	if (t - c->last_snap_time < c->snap_interval)
		return;
	struct grr_replay_pos pos;
	grr_replay_position(c->rp, &pos);
	if (pos.at_end || ctl_at_end(c, NULL) ||
	    (c->nsnaps && c->snaps[c->nsnaps - 1].m.seq >= pos.seq))
		return;
	if (c->nsnaps == c->capsnaps) {
		int cap = c->capsnaps ? 2 * c->capsnaps : 8;
		struct ctl_snap *n = realloc(c->snaps, (size_t)cap * sizeof(*n));
		if (!n)
			return;
		c->snaps = n;
		c->capsnaps = cap;
	}
	char err[256];
	struct ctl_moment keep = c->now;
	c->now = (struct ctl_moment){ .seq = pos.seq };
	if (ctl_snap_take(c, &c->snaps[c->nsnaps], err, sizeof(err)) == 0) {
		c->nsnaps++;
		if (c->debug)
			fprintf(stderr, "grr-debug: checkpoint at event %llu (%.1f ms)\n",
				(unsigned long long)pos.seq, 1e3 * (now_sec() - t));
	} else if (c->debug) {
		fprintf(stderr, "grr-debug: no checkpoint at event %llu: %s\n",
			(unsigned long long)pos.seq, err);
	}
	c->now = keep;
	c->last_snap_time = now_sec();
	if (c->nsnaps > CTL_SNAP_MAX)
		thin(c);
}

/* Makes the replay a fresh copy of snapshot S. */
int ctl_snap_restore(struct grr_ctl *c, const struct ctl_snap *s, char *err, size_t errlen)
{
	struct grr_replay *rp = grr_replay_fork(s->rp, err, errlen);
	if (!rp)
		return -1;
	grr_replay_close(c->rp);
	c->rp = rp;
	ctl_set_echo(c, true);  /* (quiet over what the user has seen: below the high water) */
	c->broken = false;
	c->now = s->m;
	c->cur_tid = s->m.mid ? s->m.tid : grr_replay_next_tid(c->rp);
	ctl_hits_load(c, s);
	if (ctl_readd_watches(c) < 0) {
		snprintf(err, errlen, "cannot set the watchpoints again");
		return -1;
	}
	ctl_watch_reset_values(c);
	return 0;
}

/* Whether snapshot S holds the hit count of every breakpoint (it was taken
 * after they were all set): counts then stay counts from the trace start.
 * A front end that counts hits itself needs none. */
static bool knows_all_breaks(const struct grr_ctl *c, const struct ctl_snap *s)
{
	if (c->opts.own_hit_counts)
		return true;
	for (int i = 0; i < c->nbps; i++) {
		int k = 0;
		while (k < s->nhits && (s->hits[k].id != c->bps[i].id ||
					s->hits[k].goid != CTL_ALL_GOROUTINES))
			k++;
		if (k == s->nhits)
			return false;
	}
	return true;
}

int ctl_restart_before(struct grr_ctl *c, uint64_t seq, uint64_t *base, char *err, size_t errlen)
{
	for (int i = c->nsnaps - 1; i >= 0; i--) {
		if (c->snaps[i].m.seq > seq || !knows_all_breaks(c, &c->snaps[i]))
			continue;
		if (ctl_snap_restore(c, &c->snaps[i], err, errlen) == 0) {
			*base = c->snaps[i].m.seq;
			if (c->debug)
				fprintf(stderr, "grr-debug: from the checkpoint at event %llu\n",
					(unsigned long long)*base);
			return 0;
		}
	}
	*base = 0;
	if (c->debug)
		fprintf(stderr, "grr-debug: from the start\n");
	if (ctl_restart_engine(c, err, errlen) < 0)
		return -1;
	ctl_hits_load(c, NULL);
	ctl_watch_reset_values(c);
	return 0;
}
