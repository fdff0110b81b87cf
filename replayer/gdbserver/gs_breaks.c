/* gs_breaks.c - 'Z' and 'z': software and hardware breakpoints (both are
 * control breakpoints at the address) and write, read and access
 * watchpoints (control watchpoints: a range longer than a debug register
 * covers, or unaligned, takes several).  The client counts hits itself;
 * a stop names the point it hit by the address of its Z packet. */
#include "replayer/gdbserver/gs_private.h"

#include <stdio.h>
#include <stdlib.h>

static int find(const struct gs *s, enum gs_ztype type, uint64_t addr, uint64_t kind)
{
	for (int i = 0; i < s->nzp; i++)
		if (s->zp[i].type == type && s->zp[i].addr == addr &&
		    (type <= GS_Z_HW || s->zp[i].kind == kind))
			return i;
	return -1;
}

const struct gs_zpoint *gs_zpoint_find(const struct gs *s, enum gs_ztype type, uint64_t addr,
				       uint64_t kind)
{
	int i = find(s, type, addr, kind);
	return i >= 0 ? &s->zp[i] : NULL;
}

const struct gs_zpoint *gs_zpoint_of(const struct gs *s, int ctl_id)
{
	for (int i = 0; i < s->nzp; i++)
		for (int k = 0; k < s->zp[i].nids; k++)
			if (s->zp[i].ids[k] == ctl_id)
				return &s->zp[i];
	return NULL;
}

bool gs_break_at(const struct gs *s, uint64_t pc)
{
	for (int i = 0; i < s->nzp; i++)
		if (s->zp[i].type <= GS_Z_HW && s->zp[i].addr == pc && s->zp[i].nids > 0)
			return true;
	return false;
}

static void release(struct gs *s, struct gs_zpoint *z)
{
	for (int k = 0; k < z->nids; k++)
		grr_ctl_clear(s->ctl, z->ids[k]);
	z->nids = 0;
}

void gs_zpoints_clear(struct gs *s)
{
	for (int i = 0; i < s->nzp; i++)
		release(s, &s->zp[i]);
	s->nzp = 0;
}

/* The aligned pieces of 1, 2, 4 or 8 bytes that cover [ADDR, ADDR+LEN). */
static int watch_pieces(struct gs *s, struct gs_zpoint *z)
{
	enum grr_watch_kind kind = z->type == GS_Z_WRITE ? GRR_WATCH_WRITE : GRR_WATCH_RW;
	uint64_t at = z->addr, end = z->addr + z->kind;
	while (at < end) {
		uint64_t size = 8;
		while (size > 1 && (at % size || at + size > end))
			size /= 2;
		char spec[64], err[256];
		snprintf(spec, sizeof(spec), "*0x%llx", (unsigned long long)at);
		int id = z->nids < GS_Z_MAX_IDS
				 ? grr_ctl_watch(s->ctl, spec, at, (int)size, kind, err, sizeof(err))
				 : -1;
		if (id < 0)
			return -1;
		z->ids[z->nids++] = id;
		at += size;
	}
	return 0;
}

static int insert(struct gs *s, struct gs_zpoint *z)
{
	if (z->type >= GS_Z_WRITE)
		return z->kind == 0 || z->kind > 32 ? -1 : watch_pieces(s, z);
	char spec[64], err[256];
	snprintf(spec, sizeof(spec), "*0x%llx", (unsigned long long)z->addr);
	int id = grr_ctl_break(s->ctl, spec, false, NULL, err, sizeof(err));
	if (id < 0)
		return -1;
	z->ids[z->nids++] = id;
	return 0;
}

static int add(struct gs *s, struct gs_zpoint *z)
{
	if (s->nzp == s->capzp) {
		int cap = s->capzp ? 2 * s->capzp : 16;
		struct gs_zpoint *n = realloc(s->zp, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		s->zp = n;
		s->capzp = cap;
	}
	if (insert(s, z) < 0) {
		release(s, z);
		return -1;
	}
	s->zp[s->nzp++] = *z;
	return 0;
}

void gs_handle_Z(struct gs *s, const char *args, bool insert_it)
{
	struct gs_zpoint z = { 0 };
	uint64_t type;
	if (gs_hex_u64(&args, &type) < 0 || type > GS_Z_ACCESS || *args++ != ',' ||
	    gs_hex_u64(&args, &z.addr) < 0 || *args++ != ',' || gs_hex_u64(&args, &z.kind) < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	z.type = (enum gs_ztype)type;
	int i = find(s, z.type, z.addr, z.kind);
	if (insert_it) {
		gs_send_str(&s->conn, i >= 0 || add(s, &z) == 0 ? "OK" : "E01");
		return;
	}
	if (i >= 0) {
		release(s, &s->zp[i]);
		s->zp[i] = s->zp[--s->nzp];
	}
	gs_send_str(&s->conn, "OK");
}
