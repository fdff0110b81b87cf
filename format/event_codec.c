/* event_codec.c - compact byte encoding of trace events (see docs/trace-format.md). */
#include "format/codec.h"

#include <string.h>

#include "format/chunk.h"
#include "format/slot_codec.h"
#include "format/varint.h"

void grr_ev_state_reset(struct grr_ev_state *st)
{
	st->prev_time = 0;
	st->prev_tsc = 0;
	memset(st->prev_fp, 0, sizeof(st->prev_fp));
}

void grr_ev_scratch_free(struct grr_ev_scratch *sc)
{
	free(sc->writes);
	free(sc->ranges);
	grr_buf_free(&sc->text);
	grr_buf_free(&sc->slots);
	memset(sc, 0, sizeof(*sc));
}

#define FP_WORDS (GRR_FPREGS_SIZE / 8)

/* FXSAVE area: 64 little-endian words, stored as a bitmap of the non-zero
 * words and those words, either as is (mode 0) or XORed with the previous
 * anchor's area in the chunk (mode 1), whichever has fewer non-zero words. */
static int put_fpregs(struct grr_buf *out, struct grr_ev_state *st, const uint8_t *fp)
{
	uint64_t plain[FP_WORDS], delta[FP_WORDS];
	unsigned nplain = 0, ndelta = 0;
	for (int i = 0; i < FP_WORDS; i++) {
		plain[i] = grr_get_le64(fp + 8 * i);
		delta[i] = plain[i] ^ grr_get_le64(st->prev_fp + 8 * i);
		nplain += plain[i] != 0;
		ndelta += delta[i] != 0;
	}
	uint8_t mode = ndelta < nplain;
	const uint64_t *w = mode ? delta : plain;
	uint64_t bitmap = 0;
	for (int i = 0; i < FP_WORDS; i++)
		if (w[i])
			bitmap |= 1ull << i;
	if (grr_buf_u8(out, mode) || grr_buf_varint(out, bitmap))
		return -1;
	for (int i = 0; i < FP_WORDS; i++)
		if (w[i] && grr_buf_le64(out, w[i]))
			return -1;
	memcpy(st->prev_fp, fp, GRR_FPREGS_SIZE);
	return 0;
}

/* Storage 2: varint n, then the n bytes of MW's slots, delta-coded. */
static int put_slots(struct grr_buf *out, const struct grr_mem_write *mw)
{
	struct grr_buf coded = { 0 };
	int rc = grr_slots_encode(&coded, mw->data, (size_t)mw->len) ||
		 grr_buf_u8(out, 2) || grr_buf_varint(out, coded.len) ||
		 grr_buf_put(out, coded.p, coded.len) ? -1 : 0;
	free(coded.p);
	return rc;
}

int grr_event_encode(struct grr_buf *out, struct grr_ev_state *st, const struct grr_event *ev,
		     grr_blob_put_fn put, void *ctx, const char **why)
{
	*why = NULL;
	if (ev->kind < 1 || ev->kind > GRR_EV_KIND_MAX) {
		*why = "unknown event kind";
		return -2;
	}
	if (grr_buf_u8(out, ev->kind) || grr_buf_varint(out, ev->tid) ||
	    grr_buf_varint(out, grr_zigzag((int64_t)(ev->time_ns - st->prev_time))))
		return -1;
	st->prev_time = ev->time_ns;

	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER:
		if (grr_buf_varint(out, ev->u.enter.nr))
			return -1;
		for (int i = 0; i < 6; i++)
			if (grr_buf_varint(out, ev->u.enter.args[i]))
				return -1;
		return 0;
	case GRR_EV_SYSCALL_EXIT:
	case GRR_EV_BUFFERED:
		if (ev->u.exit.nwrites && !ev->u.exit.writes) {
			*why = "syscall exit with writes == NULL";
			return -2;
		}
		if (grr_buf_varint(out, ev->u.exit.nr) ||
		    grr_buf_varint(out, grr_zigzag(ev->u.exit.ret)) ||
		    grr_buf_varint(out, ev->u.exit.nwrites))
			return -1;
		for (uint32_t i = 0; i < ev->u.exit.nwrites; i++) {
			const struct grr_mem_write *mw = &ev->u.exit.writes[i];
			if (mw->len && !mw->data) {
				*why = "memory write with data == NULL";
				return -2;
			}
			if (grr_buf_varint(out, mw->addr) || grr_buf_varint(out, mw->len))
				return -1;
			if (mw->slots && mw->len && mw->len % GRR_SLOT_BYTES == 0) {
				if (put_slots(out, mw))
					return -1;
			} else if (mw->len <= GRR_INLINE_MAX) {
				if (grr_buf_u8(out, 0) || grr_buf_put(out, mw->data, (size_t)mw->len))
					return -1;
			} else {
				struct grr_hash128 id;
				if (put(ctx, mw->data, mw->len, &id))
					return -1;
				if (grr_buf_u8(out, 1) || grr_buf_le64(out, id.h[0]) ||
				    grr_buf_le64(out, id.h[1]))
					return -1;
			}
		}
		return 0;
	case GRR_EV_SIGNAL: {
		size_t n = sizeof(ev->u.signal.siginfo);
		while (n && ev->u.signal.siginfo[n - 1] == 0)
			n--;
		if (grr_buf_varint(out, ev->u.signal.signo) || grr_buf_u8(out, ev->u.signal.how) ||
		    grr_buf_bytes(out, ev->u.signal.siginfo, n))
			return -1;
		return 0;
	}
	case GRR_EV_CLONE:
		return grr_buf_varint(out, ev->u.clone.child_tid) ||
		       grr_buf_varint(out, ev->u.clone.flags) ? -1 : 0;
	case GRR_EV_THREAD_EXIT:
		return grr_buf_varint(out, grr_zigzag(ev->u.thread_exit.status)) ? -1 : 0;
	case GRR_EV_PROCESS_EXIT:
		return grr_buf_u8(out, ev->u.process_exit.how) ||
		       grr_buf_varint(out, grr_zigzag(ev->u.process_exit.status)) ? -1 : 0;
	case GRR_EV_RDTSC:
		if (grr_buf_varint(out, ev->u.rdtsc.pc) ||
		    grr_buf_varint(out, grr_zigzag((int64_t)(ev->u.rdtsc.tsc - st->prev_tsc))) ||
		    grr_buf_varint(out, ev->u.rdtsc.aux) || grr_buf_u8(out, ev->u.rdtsc.is_rdtscp))
			return -1;
		st->prev_tsc = ev->u.rdtsc.tsc;
		return 0;
	case GRR_EV_ANCHOR:
		if (ev->u.anchor.nexcluded && !ev->u.anchor.excluded) {
			*why = "anchor with excluded == NULL";
			return -2;
		}
		for (int i = 0; i < GRR_NREGS; i++)
			if (grr_buf_varint(out, ev->u.anchor.regs[i]))
				return -1;
		if (put_fpregs(out, st, ev->u.anchor.fpregs) ||
		    grr_buf_le64(out, ev->u.anchor.digest) ||
		    grr_buf_varint(out, ev->u.anchor.nexcluded))
			return -1;
		for (uint32_t i = 0; i < ev->u.anchor.nexcluded; i++)
			if (grr_buf_varint(out, ev->u.anchor.excluded[i].addr) ||
			    grr_buf_varint(out, ev->u.anchor.excluded[i].len))
				return -1;
		if (ev->u.anchor.nstack > GRR_ANCHOR_STACK_WORDS) {
			*why = "anchor with too many stack words";
			return -2;
		}
		if (grr_buf_varint(out, ev->u.anchor.nstack))
			return -1;
		for (int i = 0; i < ev->u.anchor.nstack; i++)
			if (grr_buf_varint(out, ev->u.anchor.stack[i]))
				return -1;
		return 0;
	case GRR_EV_NOTE: {
		const char *t = ev->u.note.text ? ev->u.note.text : "";
		return grr_buf_bytes(out, t, strlen(t)) ? -1 : 0;
	}
	}
	return -2;
}

/* ---- decoding ---- */

#define BAD(msg) do { *why = (msg); return -1; } while (0)
#define GETV(var) do { if (grr_varint_get(&q, end, &(var))) BAD("truncated or overlong varint"); } while (0)

static int get_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint64_t v;
	if (grr_varint_get(p, end, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int get_i32(const uint8_t **p, const uint8_t *end, int32_t *out)
{
	uint64_t v;
	if (grr_varint_get(p, end, &v))
		return -1;
	int64_t s = grr_unzigzag(v);
	if (s < INT32_MIN || s > INT32_MAX)
		return -1;
	*out = (int32_t)s;
	return 0;
}

int grr_event_decode(const uint8_t **p, const uint8_t *end, struct grr_ev_state *st,
		     struct grr_event *ev, struct grr_ev_scratch *sc,
		     grr_blob_get_fn get, void *ctx, const char **why)
{
	const uint8_t *q = *p;
	uint64_t v;
	*why = NULL;

	if (q >= end)
		BAD("event data ends early");
	uint8_t kind = *q++;
	if (kind < 1 || kind > GRR_EV_KIND_MAX)
		BAD("unknown event kind (written by a newer grr?)");
	memset(&ev->u, 0, sizeof(ev->u));
	ev->kind = kind;
	if (get_u32(&q, end, &ev->tid))
		BAD("bad thread id");
	GETV(v);
	ev->time_ns = st->prev_time + (uint64_t)grr_unzigzag(v);
	st->prev_time = ev->time_ns;

	switch (kind) {
	case GRR_EV_SYSCALL_ENTER:
		if (get_u32(&q, end, &ev->u.enter.nr))
			BAD("bad syscall number");
		for (int i = 0; i < 6; i++)
			GETV(ev->u.enter.args[i]);
		break;
	case GRR_EV_SYSCALL_EXIT:
	case GRR_EV_BUFFERED: {
		if (get_u32(&q, end, &ev->u.exit.nr))
			BAD("bad syscall number");
		GETV(v);
		ev->u.exit.ret = grr_unzigzag(v);
		uint32_t nw;
		sc->slots.len = 0;
		if (get_u32(&q, end, &nw))
			BAD("bad write count");
		/* every write takes at least 3 bytes: bounds the allocation */
		if (nw > (size_t)(end - q) / 3 || nw > GRR_MAX_WRITES)
			BAD("bad write count");
		if (nw > sc->writes_cap) {
			size_t cap = sc->writes_cap ? sc->writes_cap : 16;
			while (cap < nw)
				cap *= 2;
			struct grr_mem_write *nwp = realloc(sc->writes, cap * sizeof(*nwp));
			if (!nwp)
				return -3;
			sc->writes = nwp;
			sc->writes_cap = cap;
		}
		for (uint32_t i = 0; i < nw; i++) {
			struct grr_mem_write *mw = &sc->writes[i];
			GETV(mw->addr);
			GETV(mw->len);
			mw->slots = 0;
			if (q >= end)
				BAD("memory write ends early");
			uint8_t mode = *q++;
			if (mode == 0) {
				if (mw->len > (uint64_t)(end - q))
					BAD("inline memory write longer than the chunk");
				mw->data = q;
				q += mw->len;
			} else if (mode == 1) {
				if ((size_t)(end - q) < 16)
					BAD("blob reference ends early");
				struct grr_hash128 id = { { grr_get_le64(q), grr_get_le64(q + 8) } };
				q += 16;
				if (mw->len == 0)
					BAD("empty blob reference");
				mw->data = NULL;
				if (get) {
					int rc = get(ctx, id, mw->len, &mw->data);
					if (rc)
						return rc == -3 ? -3 : -2;
				}
			} else if (mode == 2) {
				/* (decoded into sc->slots; pointed at below, once it
				 * no longer moves) */
				uint64_t n;
				GETV(n);
				if (n > (uint64_t)(end - q))
					BAD("coded slots longer than the chunk");
				if (mw->len == 0 || mw->len % GRR_SLOT_BYTES ||
				    mw->len > GRR_SLOTS_MAX)
					BAD("bad length of a slot write");
				size_t at = sc->slots.len;
				if (grr_buf_reserve(&sc->slots, (size_t)mw->len))
					return -3;
				if (grr_slots_decode(q, (size_t)n, sc->slots.p + at, (size_t)mw->len))
					BAD("malformed coded slots");
				sc->slots.len += (size_t)mw->len;
				mw->data = (const uint8_t *)(uintptr_t)(at + 1);   /* offset + 1 */
				mw->slots = 1;
				q += n;
			} else {
				BAD("unknown memory write storage");
			}
		}
		for (uint32_t i = 0; i < nw; i++) {
			struct grr_mem_write *mw = &sc->writes[i];
			if (mw->slots)
				mw->data = sc->slots.p + ((uintptr_t)mw->data - 1);
		}
		ev->u.exit.nwrites = nw;
		ev->u.exit.writes = nw ? sc->writes : NULL;
		break;
	}
	case GRR_EV_SIGNAL:
		if (get_u32(&q, end, &ev->u.signal.signo))
			BAD("bad signal number");
		if (q >= end)
			BAD("signal ends early");
		ev->u.signal.how = *q++;
		GETV(v);
		if (v > sizeof(ev->u.signal.siginfo) || v > (uint64_t)(end - q))
			BAD("bad siginfo length");
		memcpy(ev->u.signal.siginfo, q, (size_t)v);
		q += v;
		break;
	case GRR_EV_CLONE:
		if (get_u32(&q, end, &ev->u.clone.child_tid))
			BAD("bad child thread id");
		GETV(ev->u.clone.flags);
		break;
	case GRR_EV_THREAD_EXIT:
		if (get_i32(&q, end, &ev->u.thread_exit.status))
			BAD("bad exit status");
		break;
	case GRR_EV_PROCESS_EXIT:
		if (q >= end)
			BAD("process exit ends early");
		ev->u.process_exit.how = *q++;
		if (get_i32(&q, end, &ev->u.process_exit.status))
			BAD("bad exit status");
		break;
	case GRR_EV_RDTSC:
		GETV(ev->u.rdtsc.pc);
		GETV(v);
		ev->u.rdtsc.tsc = st->prev_tsc + (uint64_t)grr_unzigzag(v);
		st->prev_tsc = ev->u.rdtsc.tsc;
		if (get_u32(&q, end, &ev->u.rdtsc.aux))
			BAD("bad rdtscp aux");
		if (q >= end)
			BAD("rdtsc ends early");
		ev->u.rdtsc.is_rdtscp = *q++;
		break;
	case GRR_EV_ANCHOR: {
		for (int i = 0; i < GRR_NREGS; i++)
			GETV(ev->u.anchor.regs[i]);
		if (q >= end)
			BAD("anchor ends early");
		uint8_t mode = *q++;
		if (mode > 1)
			BAD("unknown fpregs encoding");
		uint64_t bitmap;
		GETV(bitmap);
		for (int i = 0; i < FP_WORDS; i++) {
			uint64_t w = 0;
			if (bitmap & (1ull << i)) {
				if ((size_t)(end - q) < 8)
					BAD("fpregs end early");
				w = grr_get_le64(q);
				q += 8;
			}
			if (mode)
				w ^= grr_get_le64(st->prev_fp + 8 * i);
			grr_put_le64(ev->u.anchor.fpregs + 8 * i, w);
		}
		memcpy(st->prev_fp, ev->u.anchor.fpregs, GRR_FPREGS_SIZE);
		if ((size_t)(end - q) < 8)
			BAD("anchor digest ends early");
		ev->u.anchor.digest = grr_get_le64(q);
		q += 8;
		uint32_t nx;
		if (get_u32(&q, end, &nx))
			BAD("bad excluded range count");
		if (nx > (size_t)(end - q) / 2 || nx > GRR_MAX_EXCLUDED)
			BAD("bad excluded range count");
		if (nx > sc->ranges_cap) {
			size_t cap = sc->ranges_cap ? sc->ranges_cap : 16;
			while (cap < nx)
				cap *= 2;
			struct grr_range *nr = realloc(sc->ranges, cap * sizeof(*nr));
			if (!nr)
				return -3;
			sc->ranges = nr;
			sc->ranges_cap = cap;
		}
		for (uint32_t i = 0; i < nx; i++) {
			GETV(sc->ranges[i].addr);
			GETV(sc->ranges[i].len);
		}
		ev->u.anchor.nexcluded = nx;
		ev->u.anchor.excluded = nx ? sc->ranges : NULL;
		uint64_t ns;
		GETV(ns);
		if (ns > GRR_ANCHOR_STACK_WORDS)
			BAD("too many anchor stack words");
		ev->u.anchor.nstack = (uint8_t)ns;
		for (uint64_t i = 0; i < ns; i++)
			GETV(ev->u.anchor.stack[i]);
		break;
	}
	case GRR_EV_NOTE:
		GETV(v);
		if (v > (uint64_t)(end - q))
			BAD("note longer than the chunk");
		sc->text.len = 0;
		if (grr_buf_put(&sc->text, q, (size_t)v) || grr_buf_u8(&sc->text, 0))
			return -3;
		ev->u.note.text = (const char *)sc->text.p;
		q += v;
		break;
	}
	*p = q;
	return 0;
}
