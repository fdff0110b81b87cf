/* value_map.c - the entries of a Go map, read from the runtime's own
 * structures (val_private.h).
 *
 * A map value is a pointer to the runtime's header, whose DWARF type is the
 * map type's DW_AT_type: *hash<K,V> for the classic hash maps (Go 1.23 and
 * earlier) and *map<K,V> for Swiss tables (Go 1.24 and later).  Both are
 * walked through their DWARF types, as Delve does (pkg/proc/mapiter.go):
 *
 *  classic: hash {count, flags, B, ..., buckets, oldbuckets, ...}, 1<<B
 *    buckets bucket<K,V> {tophash [8]uint8, keys [8]K, values [8]V,
 *    overflow *bucket}; while growing, an old bucket not yet evacuated is
 *    read in place of the new buckets it will become.  Keys and values
 *    larger than 128 bytes are stored as pointers.
 *
 *  Swiss: map {used, seed, dirPtr, dirLen, ...}; dirLen 0 means dirPtr is
 *    one group; else dirPtr is [dirLen]*table<K,V>, where a table spanning
 *    several entries of the directory is read at the entry equal to its
 *    index.  table {..., index, groups {data *group, lengthMask}}, group
 *    {ctrl uint64, slots [8]struct{key K; elem V}} (or split: keys [8]K,
 *    elems [8]V); slot i is full when byte i of ctrl has its high bit
 *    clear.  When the DWARF lacks the group type it is computed with Go's
 *    alignment rules. */
#include "replayer/inspect/val_private.h"

#include <string.h>

enum {
	CLASSIC_EMPTY_ONE = 1,        /* emptyRest 0, emptyOne 1 */
	CLASSIC_MIN_TOPHASH = 5,      /* 2..4: evacuated */
	CLASSIC_SAME_SIZE_GROW = 8,   /* hmap.flags sameSizeGrow */
	MAX_MAP_KEY_BYTES = 128,      /* abi.MapMaxKeyBytes, MapMaxElemBytes */
	SWISS_SLOTS = 8,
};

struct gmap_iter {
	struct gv_env *e;
	struct gtype *kt, *vt;        /* the map's key and element types */
	bool swiss, done;
	int64_t count, yielded;
	/* where a key and an element are within a bucket or group, and the
	 * types stored there (a pointer when stored indirectly) */
	struct gtype *kst, *vst;
	uint64_t koff, voff, kstride, vstride;
	int slots, slot;
	uint64_t cur;                 /* the bucket or group being read (0: none) */
	uint8_t ctrl[SWISS_SLOTS];    /* its tophash or ctrl bytes */
	uint64_t visited, max_visit;  /* buckets or groups, against garbage */

	/* classic */
	uint64_t buckets, oldbuckets, nbuckets, oldmask, bidx, bsize;
	uint64_t tophash_off, ovf_off;

	/* Swiss */
	uint64_t dir, dirlen, diridx, prevtab;
	uint64_t tab_index_off, tab_groups_off, groups_data_off, groups_mask_off;
	bool have_index;
	uint64_t gdata, ngroups, gidx, gsize, ctrl_off;
};

static struct gtype *deref_struct(struct gv_session *s, struct gtype *p)
{
	struct gtype *t = p && p->kind == GT_PTR ? gt_elem(s, p) : NULL;
	return t && t->kind == GT_STRUCT ? t : NULL;
}

static struct gtype *field_type(struct gv_session *s, struct gtype *st, const char *name,
				uint64_t *off)
{
	struct gt_field *f = st ? gt_field(st, name) : NULL;
	if (!f)
		return NULL;
	*off = f->off;
	return gt_field_type(s, f);
}

static uint64_t align_of(struct gv_session *s, struct gtype *t, int depth)
{
	if (!t || depth > 16)
		return 1;
	switch (t->kind) {
	case GT_BOOL:
	case GT_INT:
	case GT_UINT:
	case GT_FLOAT:
		return t->size >= 8 ? 8 : t->size ? t->size : 1;
	case GT_COMPLEX:
		return t->size >= 16 ? 8 : 4;
	case GT_ARRAY:
		return align_of(s, gt_elem(s, t), depth + 1);
	case GT_STRUCT: {
		uint64_t a = 1;
		for (int i = 0; i < t->nfields; i++) {
			uint64_t fa = align_of(s, gt_field_type(s, &t->fields[i]), depth + 1);
			if (fa > a)
				a = fa;
		}
		return a;
	}
	default:
		return 8;
	}
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return a ? (x + a - 1) / a * a : x;
}

/* The type stored for KT in a slot: KT, or a pointer to it. */
static struct gtype *stored(struct gv_session *s, struct gtype *kt)
{
	return kt->size > MAX_MAP_KEY_BYTES ? gt_pointer_to(s, kt) : kt;
}

/* ---- classic hash maps ---- */

static int classic_setup(struct gmap_iter *it, struct gtype *h, uint64_t p)
{
	struct gv_env *e = it->e;
	struct gv_session *s = e->s;
	uint64_t off_count = 0, off_flags = 0, off_B = 0, off_b = 0, off_ob = 0;
	struct gtype *bp = field_type(s, h, "buckets", &off_b);
	struct gtype *bt = deref_struct(s, bp);
	if (!field_type(s, h, "count", &off_count) || !field_type(s, h, "B", &off_B) ||
	    !field_type(s, h, "oldbuckets", &off_ob) || !bt)
		return gv_err(e, "malformed map type %s", h->name ? h->name : "?");
	uint64_t count = 0, buckets = 0, oldbuckets = 0;
	uint8_t B = 0, flags = 0;
	if (gv_read_mem(e, p + off_count, &count, 8) < 0 || gv_read_mem(e, p + off_B, &B, 1) < 0 ||
	    gv_read_mem(e, p + off_b, &buckets, 8) < 0 ||
	    gv_read_mem(e, p + off_ob, &oldbuckets, 8) < 0)
		return -1;
	if (field_type(s, h, "flags", &off_flags) && gv_read_mem(e, p + off_flags, &flags, 1) < 0)
		return -1;
	if ((int64_t)count < 0 || B > 40 || (count && !buckets))
		return gv_err(e, "malformed map header at %#llx", (unsigned long long)p);
	uint64_t th_off = 0, k_off = 0, v_off = 0, o_off = 0;
	struct gtype *tht = field_type(s, bt, "tophash", &th_off);
	struct gtype *kat = field_type(s, bt, "keys", &k_off);
	struct gtype *vat = field_type(s, bt, "values", &v_off);
	struct gtype *ot = field_type(s, bt, "overflow", &o_off);
	if (!tht || !kat || !vat || !ot || tht->kind != GT_ARRAY || kat->kind != GT_ARRAY ||
	    vat->kind != GT_ARRAY || tht->count != kat->count || tht->count <= 0 ||
	    tht->count > SWISS_SLOTS || !gt_elem(s, kat) || !gt_elem(s, vat))
		return gv_err(e, "malformed map bucket type %s", bt->name ? bt->name : "?");
	it->count = (int64_t)count;
	it->buckets = buckets;
	it->oldbuckets = oldbuckets;
	it->nbuckets = 1ull << B;
	it->oldmask = (flags & CLASSIC_SAME_SIZE_GROW) || B == 0 ? it->nbuckets - 1
								  : (it->nbuckets >> 1) - 1;
	it->bsize = bt->size;
	it->tophash_off = th_off;
	it->ovf_off = o_off;
	it->slots = (int)tht->count;
	it->kst = gt_elem(s, kat);
	it->vst = gt_elem(s, vat);
	it->koff = k_off;
	it->voff = v_off;
	it->kstride = it->kst->size;
	it->vstride = vat->size ? it->vst->size : 0;
	it->max_visit = it->nbuckets * 8 + count + 1024;
	return 0;
}

/* Whether the old bucket at B has been moved to the new buckets. */
static int classic_evacuated(struct gmap_iter *it, uint64_t b, bool *ev)
{
	uint8_t h0;
	if (gv_read_mem(it->e, b + it->tophash_off, &h0, 1) < 0)
		return -1;
	*ev = h0 > CLASSIC_EMPTY_ONE && h0 < CLASSIC_MIN_TOPHASH;
	return 0;
}

/* Moves to the next bucket: 1, 0 at the end, -1. */
static int classic_next_bucket(struct gmap_iter *it)
{
	uint64_t next = 0;
	if (it->cur && gv_read_mem(it->e, it->cur + it->ovf_off, &next, 8) < 0)
		return -1;
	it->cur = 0;
	if (next) {
		it->cur = next;
	} else {
		while (it->bidx < it->nbuckets) {
			uint64_t b = it->buckets + it->bidx * it->bsize;
			uint64_t bi = it->bidx++;
			if (!it->oldbuckets) {
				it->cur = b;
				break;
			}
			uint64_t oi = bi & it->oldmask;
			uint64_t ob = it->oldbuckets + oi * it->bsize;
			bool ev;
			if (classic_evacuated(it, ob, &ev) < 0)
				return -1;
			if (ev) {
				it->cur = b;
				break;
			}
			if (oi == bi) {
				it->cur = ob;
				break;
			}
		}
		if (!it->cur)
			return 0;
	}
	if (++it->visited > it->max_visit)
		return gv_err(it->e, "map has more buckets than it can");
	if (gv_read_mem(it->e, it->cur + it->tophash_off, it->ctrl, (size_t)it->slots) < 0)
		return -1;
	it->slot = 0;
	return 1;
}

static bool classic_full(struct gmap_iter *it, int i)
{
	return it->ctrl[i] >= CLASSIC_MIN_TOPHASH;
}

/* ---- Swiss tables ---- */

static int swiss_group_layout(struct gmap_iter *it, struct gtype *gt)
{
	struct gv_session *s = it->e->s;
	uint64_t ctrl_off = 0, slots_off = 0, keys_off = 0, elems_off = 0;
	struct gtype *slots = gt ? field_type(s, gt, "slots", &slots_off) : NULL;
	struct gtype *keys = gt ? field_type(s, gt, "keys", &keys_off) : NULL;
	struct gtype *elems = gt ? field_type(s, gt, "elems", &elems_off) : NULL;
	if (gt && field_type(s, gt, "ctrl", &ctrl_off) && slots && slots->kind == GT_ARRAY &&
	    gt_elem(s, slots) && slots->count > 0 && slots->count <= SWISS_SLOTS) {
		struct gtype *st = gt_elem(s, slots);
		uint64_t ko = 0, vo = 0;
		struct gtype *k = field_type(s, st, "key", &ko);
		struct gtype *v = field_type(s, st, "elem", &vo);
		if (k && v) {
			it->ctrl_off = ctrl_off;
			it->slots = (int)slots->count;
			it->kst = k;
			it->vst = v;
			it->koff = slots_off + ko;
			it->voff = slots_off + vo;
			it->kstride = it->vstride = st->size;
			it->gsize = gt->size;
			return 0;
		}
	}
	if (gt && field_type(s, gt, "ctrl", &ctrl_off) && keys && elems && keys->kind == GT_ARRAY &&
	    elems->kind == GT_ARRAY && keys->count == elems->count && keys->count > 0 &&
	    keys->count <= SWISS_SLOTS && gt_elem(s, keys) && gt_elem(s, elems)) {
		it->ctrl_off = ctrl_off;
		it->slots = (int)keys->count;
		it->kst = gt_elem(s, keys);
		it->vst = gt_elem(s, elems);
		it->koff = keys_off;
		it->voff = elems_off;
		it->kstride = it->kst->size;
		it->vstride = it->vst->size;
		it->gsize = gt->size;
		return 0;
	}
	/* computed: struct { ctrl uint64; slots [8]struct { key K; elem V } } */
	struct gtype *k = stored(s, it->kt), *v = stored(s, it->vt);
	uint64_t ka = align_of(s, k, 0), va = align_of(s, v, 0);
	uint64_t sa = ka > va ? ka : va;
	uint64_t vo = round_up(k->size, va);
	/* a struct ending in a zero-size field is padded (cmd/compile) */
	uint64_t end = vo + v->size;
	if (v->size == 0 && end > 0)
		end++;
	uint64_t ssize = round_up(end, sa);
	it->ctrl_off = 0;
	it->slots = SWISS_SLOTS;
	it->kst = k;
	it->vst = v;
	it->koff = 8;
	it->voff = 8 + vo;
	it->kstride = it->vstride = ssize;
	it->gsize = round_up(8 + SWISS_SLOTS * ssize, sa > 8 ? sa : 8);
	return 0;
}

static int swiss_setup(struct gmap_iter *it, struct gtype *m, uint64_t p)
{
	struct gv_env *e = it->e;
	struct gv_session *s = e->s;
	uint64_t off_used = 0, off_dir = 0, off_len = 0;
	struct gtype *dpt = field_type(s, m, "dirPtr", &off_dir);
	if (!field_type(s, m, "used", &off_used) || !dpt || !field_type(s, m, "dirLen", &off_len))
		return gv_err(e, "malformed map type %s", m->name ? m->name : "?");
	/* the table and group types: **table<K,V> -> table -> groups.data */
	struct gtype *tp = dpt->kind == GT_PTR ? gt_elem(s, dpt) : NULL;
	struct gtype *tab = deref_struct(s, tp);
	if (!tab)
		tab = gt_named(s, "internal/runtime/maps.table");
	struct gtype *grt = NULL, *gt = NULL;
	uint64_t data_off = 0, mask_off = 0;
	if (tab) {
		grt = field_type(s, tab, "groups", &it->tab_groups_off);
		it->have_index = field_type(s, tab, "index", &it->tab_index_off) != NULL;
	}
	struct gtype *dt = grt ? field_type(s, grt, "data", &data_off) : NULL;
	if (!grt || !field_type(s, grt, "lengthMask", &mask_off) || !dt)
		return gv_err(e, "malformed map type %s: no table type", m->name ? m->name : "?");
	it->groups_data_off = data_off;
	it->groups_mask_off = mask_off;
	gt = deref_struct(s, dt);
	if (swiss_group_layout(it, gt) < 0)
		return -1;

	uint64_t used = 0, dir = 0, dirlen = 0;
	if (gv_read_mem(e, p + off_used, &used, 8) < 0 || gv_read_mem(e, p + off_dir, &dir, 8) < 0 ||
	    gv_read_mem(e, p + off_len, &dirlen, 8) < 0)
		return -1;
	if (used > (1ull << 40) || (int64_t)dirlen < 0 || dirlen > (1u << 24) || (used && !dir))
		return gv_err(e, "malformed map header at %#llx", (unsigned long long)p);
	it->count = (int64_t)used;
	it->dir = dir;
	it->dirlen = dirlen;
	/* tables never hold more than 1024 slots (maxTableCapacity) and keep
	 * their groups when entries are deleted */
	it->max_visit = (dirlen + 1) * 256 + 1024;
	if (dirlen == 0) {
		/* a small map: one group */
		it->gdata = dir;
		it->ngroups = dir ? 1 : 0;
		it->diridx = 1;
	}
	return 0;
}

/* Moves to the next table of the directory: 1, 0 at the end, -1. */
static int swiss_next_table(struct gmap_iter *it)
{
	struct gv_env *e = it->e;
	while (it->diridx < it->dirlen) {
		uint64_t i = it->diridx++, t = 0;
		if (gv_read_mem(e, it->dir + i * 8, &t, 8) < 0)
			return -1;
		if (!t || t == it->prevtab)
			continue;
		it->prevtab = t;
		if (it->have_index) {
			int64_t index = 0;
			if (gv_read_mem(e, t + it->tab_index_off, &index, 8) < 0)
				return -1;
			if (index != (int64_t)i)
				continue;
		}
		uint64_t data = 0, mask = 0;
		if (gv_read_mem(e, t + it->tab_groups_off + it->groups_data_off, &data, 8) < 0 ||
		    gv_read_mem(e, t + it->tab_groups_off + it->groups_mask_off, &mask, 8) < 0)
			return -1;
		if (!data || mask >= (1u << 16) || ((mask + 1) & mask))
			return gv_err(e, "malformed map table at %#llx", (unsigned long long)t);
		it->gdata = data;
		it->ngroups = mask + 1;
		it->gidx = 0;
		return 1;
	}
	return 0;
}

/* Moves to the next group: 1, 0 at the end, -1. */
static int swiss_next_group(struct gmap_iter *it)
{
	for (;;) {
		if (it->gidx < it->ngroups) {
			it->cur = it->gdata + it->gidx++ * it->gsize;
			if (++it->visited > it->max_visit)
				return gv_err(it->e, "map has more groups than it can");
			if (gv_read_mem(it->e, it->cur + it->ctrl_off, it->ctrl, SWISS_SLOTS) < 0)
				return -1;
			it->slot = 0;
			return 1;
		}
		it->cur = 0;
		int r = swiss_next_table(it);
		if (r <= 0)
			return r;
	}
}

/* ---- the iterator ---- */

struct gmap_iter *gm_begin(struct gv_env *e, const struct gval *v, int64_t *len)
{
	struct gv_session *s = e->s;
	struct gmap_iter *it = ar_alloc(e->ar, sizeof(*it));
	it->e = e;
	*len = 0;
	if (!v->t || v->t->kind != GT_MAP) {
		gv_err(e, "not a map");
		return NULL;
	}
	it->kt = gt_key(s, v->t);
	it->vt = gt_elem(s, v->t);
	struct gtype *impl = gt_impl(s, v->t);
	struct gtype *h = deref_struct(s, impl);
	if (!it->kt || !it->vt || !h) {
		gv_err(e, "malformed map type %s", v->t->name ? v->t->name : "?");
		return NULL;
	}
	uint64_t p = 0;
	if (gv_uint(e, v, &p) < 0)
		return NULL;
	if (!p) {
		it->done = true;
		return it;
	}
	it->swiss = gt_field(h, "buckets") == NULL;
	if ((it->swiss ? swiss_setup(it, h, p) : classic_setup(it, h, p)) < 0)
		return NULL;
	*len = it->count;
	if (it->count == 0)
		it->done = true;
	return it;
}

/* A key or element stored at ADDR as ST, of type T. */
static int entry(struct gmap_iter *it, struct gtype *st, struct gtype *t, uint64_t addr,
		 struct gval *out)
{
	if (st != t && st->kind == GT_PTR && t->kind != GT_PTR) {
		uint64_t p = 0;
		if (gv_read_mem(it->e, addr, &p, 8) < 0)
			return -1;
		if (!p)
			return gv_err(it->e, "nil indirect map entry");
		addr = p;
	}
	*out = gv_at(t, addr);
	return 0;
}

int gm_next(struct gmap_iter *it, struct gval *key, struct gval *val)
{
	if (!it || it->done)
		return 0;
	for (;;) {
		if (!it->cur || it->slot >= it->slots) {
			int r = it->swiss ? swiss_next_group(it) : classic_next_bucket(it);
			if (r <= 0) {
				it->done = true;
				return r;
			}
		}
		int i = it->slot++;
		bool full = it->swiss ? !(it->ctrl[i] & 0x80) : classic_full(it, i);
		if (!full)
			continue;
		uint64_t ka = it->cur + it->koff + (uint64_t)i * it->kstride;
		uint64_t va = it->cur + it->voff + (uint64_t)i * it->vstride;
		if (entry(it, it->kst, it->kt, ka, key) < 0 || entry(it, it->vst, it->vt, va, val) < 0)
			return -1;
		if (++it->yielded >= it->count)
			it->done = true;
		return 1;
	}
}
