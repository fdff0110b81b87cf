/* value_loc.c - where a variable is at a pc: its DW_AT_location, a DWARF
 * expression or a location list (.debug_loc in DWARF 4, .debug_loclists
 * in DWARF 5; libdwarf reads both), evaluated in a frame: an address, or
 * bytes put together from registers and DW_OP_piece (optimized builds
 * keep values in registers).  When nothing describes the variable at the
 * pc, the reason is Delve's words (val_private.h). */
#include "replayer/inspect/val_private.h"

#include <dwarf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_STACK 16

struct eval {
	Dwarf_Debug dbg;          /* errors belong to it (see dwarf_index.c) */
	const struct gframe_regs *fr;
	int64_t stack[MAX_STACK];
	int sp;
	int reg;                  /* a DW_OP_reg* location, or -1 */
	bool stack_value;
	struct gloc *loc;
	uint64_t size;
	bool pieces;
};

static int unavailable(struct gloc *loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int unavailable(struct gloc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(loc->why, sizeof(loc->why), fmt, ap);
	va_end(ap);
	return -1;
}

static bool reg_value(const struct gframe_regs *fr, int reg, uint8_t *out, size_t *n)
{
	if (!fr->have_regs)
		return false;
	if (reg >= 0 && reg <= 16) {
		memcpy(out, &fr->regs[reg], 8);
		*n = 8;
		return true;
	}
	if (reg >= 17 && reg <= 32 && fr->have_xmm) {
		memcpy(out, fr->xmm[reg - 17], 16);
		*n = 16;
		return true;
	}
	return false;
}

static int push(struct eval *ev, int64_t v)
{
	if (ev->sp == MAX_STACK)
		return unavailable(ev->loc, "DWARF expression stack overflow");
	ev->stack[ev->sp++] = v;
	return 0;
}

/* A DW_OP_piece of N bytes: from the register named before it, the
 * address on the stack, or nothing (optimized away). */
static int piece(struct eval *ev, uint64_t n)
{
	struct gloc *loc = ev->loc;
	ev->pieces = true;
	if (loc->nbytes + n > sizeof(loc->bytes))
		return unavailable(loc, "location of %llu bytes too big",
				   (unsigned long long)(loc->nbytes + n));
	uint8_t *dst = loc->bytes + loc->nbytes;
	if (ev->reg >= 0) {
		uint8_t r[16];
		size_t rn = 0;
		if (!reg_value(ev->fr, ev->reg, r, &rn))
			return unavailable(loc, "register %llu not available", (unsigned long long)ev->reg);
		memcpy(dst, r, n < rn ? n : rn);
	} else if (ev->sp > 0) {
		uint64_t addr = (uint64_t)ev->stack[ev->sp - 1];
		if (ev->stack_value)
			memcpy(dst, &ev->stack[ev->sp - 1], n < 8 ? n : 8);
		else if (!ev->fr->rp || grr_replay_read(ev->fr->rp, addr, dst, n) < 0)
			return unavailable(loc, "could not read %llu bytes at %#llx", (unsigned long long)n,
					   (unsigned long long)addr);
	} else {
		return unavailable(loc, "value optimized away (piece of %llu bytes)", (unsigned long long)n);
	}
	loc->nbytes += n;
	ev->reg = -1;
	ev->sp = 0;
	ev->stack_value = false;
	return 0;
}

static int op(struct eval *ev, Dwarf_Small atom, Dwarf_Unsigned o1, Dwarf_Unsigned o2)
{
	const struct gframe_regs *fr = ev->fr;
	(void)o2;
	if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31)
		return push(ev, atom - DW_OP_lit0);
	if (atom >= DW_OP_reg0 && atom <= DW_OP_reg31) {
		ev->reg = atom - DW_OP_reg0;
		return 0;
	}
	if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
		uint8_t r[16];
		size_t n;
		int reg = atom - DW_OP_breg0;
		if (!reg_value(fr, reg, r, &n))
			return unavailable(ev->loc, "register %llu not available", (unsigned long long)reg);
		uint64_t v;
		memcpy(&v, r, 8);
		return push(ev, (int64_t)v + (int64_t)o1);
	}
	switch (atom) {
	case DW_OP_addr:
	case DW_OP_const1u:
	case DW_OP_const2u:
	case DW_OP_const4u:
	case DW_OP_const8u:
	case DW_OP_constu:
	case DW_OP_const1s:
	case DW_OP_const2s:
	case DW_OP_const4s:
	case DW_OP_const8s:
	case DW_OP_consts:
		return push(ev, (int64_t)o1);
	case DW_OP_call_frame_cfa:
		if (!fr->cfa)
			return unavailable(ev->loc, "frame address unknown");
		return push(ev, (int64_t)fr->cfa);
	case DW_OP_fbreg:
		/* Go's DW_AT_frame_base is DW_OP_call_frame_cfa */
		if (!fr->cfa)
			return unavailable(ev->loc, "frame address unknown");
		return push(ev, (int64_t)fr->cfa + (int64_t)o1);
	case DW_OP_regx:
		ev->reg = (int)o1;
		return 0;
	case DW_OP_bregx: {
		uint8_t r[16];
		size_t n;
		if (!reg_value(fr, (int)o1, r, &n))
			return unavailable(ev->loc, "register %llu not available",
					   (unsigned long long)o1);
		uint64_t v;
		memcpy(&v, r, 8);
		return push(ev, (int64_t)v + (int64_t)o2);
	}
	case DW_OP_plus_uconst:
		if (ev->sp < 1)
			break;
		ev->stack[ev->sp - 1] += (int64_t)o1;
		return 0;
	case DW_OP_plus:
	case DW_OP_minus:
		if (ev->sp < 2)
			break;
		ev->sp--;
		ev->stack[ev->sp - 1] = atom == DW_OP_plus
			? ev->stack[ev->sp - 1] + ev->stack[ev->sp]
			: ev->stack[ev->sp - 1] - ev->stack[ev->sp];
		return 0;
	case DW_OP_deref: {
		if (ev->sp < 1)
			break;
		uint64_t addr = (uint64_t)ev->stack[ev->sp - 1], v = 0;
		if (!fr->rp || grr_replay_read(fr->rp, addr, &v, 8) < 0)
			return unavailable(ev->loc, "could not read 8 bytes at %#llx", (unsigned long long)addr);
		ev->stack[ev->sp - 1] = (int64_t)v;
		return 0;
	}
	case DW_OP_stack_value:
		ev->stack_value = true;
		return 0;
	case DW_OP_piece:
		return piece(ev, o1);
	case DW_OP_nop:
		return 0;
	default:
		return unavailable(ev->loc, "unsupported DWARF operation %#llx", (unsigned long long)atom);
	}
	return unavailable(ev->loc, "malformed DWARF expression");
}

static int run(struct eval *ev, Dwarf_Locdesc_c desc, Dwarf_Unsigned nops)
{
	Dwarf_Error e = NULL;
	if (nops == 0)
		return unavailable(ev->loc, "empty OP stack");
	for (Dwarf_Unsigned i = 0; i < nops; i++) {
		Dwarf_Small atom;
		Dwarf_Unsigned o1, o2, o3, br;
		if (dwarf_get_location_op_value_c(desc, i, &atom, &o1, &o2, &o3, &br, &e) !=
		    DW_DLV_OK) {
			if (e)
				dwarf_dealloc(ev->dbg, e, DW_DLA_ERROR);
			return unavailable(ev->loc, "malformed DWARF expression");
		}
		if (op(ev, atom, o1, o2) < 0)
			return -1;
	}
	struct gloc *loc = ev->loc;
	if (ev->pieces) {
		if (ev->reg >= 0 || ev->sp > 0)
			return piece(ev, ev->size > loc->nbytes ? ev->size - loc->nbytes : 0);
		return 0;
	}
	if (ev->reg >= 0) {
		uint8_t r[16];
		size_t n = 0;
		if (!reg_value(ev->fr, ev->reg, r, &n))
			return unavailable(loc, "register %llu not available", (unsigned long long)ev->reg);
		memcpy(loc->bytes, r, n);
		loc->nbytes = ev->size < n ? ev->size : n;
		return 0;
	}
	if (ev->sp == 0)
		return unavailable(loc, "empty OP stack");
	if (ev->stack_value) {
		memcpy(loc->bytes, &ev->stack[ev->sp - 1], 8);
		loc->nbytes = 8;
		return 0;
	}
	loc->in_memory = true;
	loc->addr = (uint64_t)ev->stack[ev->sp - 1];
	return 0;
}

/* The offset a location list attribute names (for the message). */
static unsigned long long list_offset(Dwarf_Debug dbg, Dwarf_Attribute a)
{
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;
	Dwarf_Unsigned u = 0;
	if (dwarf_global_formref(a, &off, &e) == DW_DLV_OK)
		return off;
	if (e) {
		dwarf_dealloc(dbg, e, DW_DLA_ERROR);
		e = NULL;
	}
	if (dwarf_formudata(a, &u, &e) == DW_DLV_OK)
		return u;
	if (e)
		dwarf_dealloc(dbg, e, DW_DLA_ERROR);
	return 0;
}

int gl_locate(struct gv_session *s, Dwarf_Die var, uint64_t pc, const struct gframe_regs *fr,
	      uint64_t size, struct gloc *loc)
{
	memset(loc, 0, sizeof(*loc));
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	if (dwarf_attr(var, DW_AT_location, &a, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(s->dbg, e, DW_DLA_ERROR);
		return unavailable(loc, "no location attribute Location");
	}
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0;
	if (dwarf_get_loclist_c(a, &head, &count, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(s->dbg, e, DW_DLA_ERROR);
		dwarf_dealloc(s->dbg, a, DW_DLA_ATTR);
		return unavailable(loc, "empty OP stack");
	}
	unsigned int kind = DW_LKIND_unknown;
	dwarf_get_loclist_head_kind(head, &kind, &e);
	int rc = -2;
	for (Dwarf_Unsigned i = 0; i < count && rc == -2; i++) {
		Dwarf_Small lle = 0, source = 0;
		Dwarf_Unsigned rawlo, rawhi, nops = 0, exoff, descoff;
		Dwarf_Bool noaddr = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c desc = NULL;
		if (dwarf_get_locdesc_entry_d(head, i, &lle, &rawlo, &rawhi, &noaddr, &lo, &hi, &nops,
					      &desc, &source, &exoff, &descoff, &e) != DW_DLV_OK) {
			if (e)
				dwarf_dealloc(s->dbg, e, DW_DLA_ERROR);
			e = NULL;
			continue;
		}
		if (kind != DW_LKIND_expression && (noaddr || pc < lo || pc >= hi))
			continue;
		struct eval ev = { .dbg = s->dbg, .fr = fr, .reg = -1, .loc = loc, .size = size };
		rc = run(&ev, desc, nops);
	}
	if (rc == -2)
		rc = unavailable(loc, "could not find loclist entry at %#llx for address %#llx",
				 list_offset(s->dbg, a), (unsigned long long)pc);
	dwarf_loc_head_c_dealloc(head);
	dwarf_dealloc(s->dbg, a, DW_DLA_ATTR);
	return rc;
}
