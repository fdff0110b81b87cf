/* value_vars.c - the arguments and local variables a frame sees, as Delve
 * finds them: the DW_TAG_formal_parameter and DW_TAG_variable children of
 * the function's DIE and of its lexical blocks that contain the pc; for an
 * inlined frame, those of its DW_TAG_inlined_subroutine (named through
 * DW_AT_abstract_origin), and for the physical frame none of its inlined
 * calls'.  A local is visible from the line after its DW_AT_decl_line;
 * "&x" (a variable moved to the heap) is shown as x; the compiler's own
 * (.dict, .closureptr, #yield...) are left out (val_private.h). */
#include "replayer/inspect/val_private.h"

#include <dwarf.h>
#include <stdio.h>
#include <string.h>
#include <sys/user.h>

struct vwalk {
	struct gv_ctx *c;
	struct arena *ar;
	uint64_t pc;
	int target;               /* inline depth of the frame */
	int line;                 /* the frame's current line */
	struct gframe_regs fr;
	struct gvar_info *v;
	int n, cap;
};

static bool compiler_name(const char *n)
{
	return strcmp(n, ".dict") == 0 || strcmp(n, ".closureptr") == 0 ||
	       strncmp(n, "#yield", 6) == 0 || strncmp(n, "&#yield", 7) == 0;
}

static void add_var(struct vwalk *w, Dwarf_Die die, Dwarf_Half tag, int depth)
{
	struct gv_session *s = w->c->s;
	Dwarf_Debug dbg = s->dbg;
	Dwarf_Die origin = NULL;
	Dwarf_Off ooff;
	Dwarf_Error e = NULL;
	if (dw_ref(dbg, die, DW_AT_abstract_origin, &ooff) &&
	    dwarf_offdie_b(dbg, ooff, 1, &origin, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(dbg, e, DW_DLA_ERROR);
		origin = NULL;
	}
	Dwarf_Die named = origin ? origin : die;
	const char *name = dw_name(die);
	if (!name)
		name = dw_name(named);
	Dwarf_Off toff = 0;
	if (!dw_ref(dbg, die, DW_AT_type, &toff))
		dw_ref(dbg, named, DW_AT_type, &toff);
	Dwarf_Unsigned decl = 0;
	bool has_decl = dw_udata(dbg, die, DW_AT_decl_line, &decl) ||
			dw_udata(dbg, named, DW_AT_decl_line, &decl);
	struct gtype *t = gt_get(s, toff);
	bool visible = tag == DW_TAG_formal_parameter || !has_decl || w->line <= 0 ||
		       w->line >= (int)decl + 1;
	if (!name || compiler_name(name) || !t || !visible) {
		if (origin)
			dwarf_dealloc(dbg, origin, DW_DLA_DIE);
		return;
	}
	if (w->n == w->cap) {
		int cap = w->cap ? w->cap * 2 : 16;
		struct gvar_info *nv = ar_alloc(w->ar, (size_t)cap * sizeof(*nv));
		if (w->n)
			memcpy(nv, w->v, (size_t)w->n * sizeof(*nv));
		w->v = nv;
		w->cap = cap;
	}
	struct gvar_info *v = &w->v[w->n++];
	v->name = ar_strdup(w->ar, name);
	v->t = t;
	v->is_arg = tag == DW_TAG_formal_parameter;
	v->depth = v->is_arg && depth <= 1 ? 0 : depth;
	v->decl_line = (int)decl;
	v->have_loc = gl_locate(s, die, w->pc, &w->fr, t->size, &v->loc) == 0;
	if (name[0] == '&' && name[1] && t->kind == GT_PTR) {
		/* escaped to the heap: the variable is what the pointer points to */
		v->name = ar_strdup(w->ar, name + 1);
		struct gtype *el = gt_elem(s, t);
		if (el)
			v->t = el;
		if (v->have_loc) {
			uint64_t p = 0;
			if (v->loc.in_memory) {
				if (grr_replay_read(w->c->rp, v->loc.addr, &p, 8) < 0)
					p = 0;
			} else {
				memcpy(&p, v->loc.bytes, 8);
			}
			memset(&v->loc, 0, sizeof(v->loc));
			if (p) {
				v->loc.in_memory = true;
				v->loc.addr = p;
			} else {
				v->have_loc = false;
				snprintf(v->loc.why, sizeof(v->loc.why),
					 "no address for escaped variable");
			}
		}
	}
	if (origin)
		dwarf_dealloc(dbg, origin, DW_DLA_DIE);
}

static void walk(struct vwalk *w, Dwarf_Die die, int inl, int depth)
{
	struct gv_session *s = w->c->s;
	Dwarf_Die child = NULL, next;
	Dwarf_Error e = NULL;
	if (dwarf_child(die, &child, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(s->dbg, e, DW_DLA_ERROR);
		return;
	}
	for (;;) {
		Dwarf_Half tag = dw_tag(child);
		if ((tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) && inl == w->target)
			add_var(w, child, tag, depth);
		else if (tag == DW_TAG_lexical_block && dw_die_has_pc(s, child, w->pc))
			walk(w, child, inl, depth + 1);
		else if (tag == DW_TAG_inlined_subroutine && inl < w->target &&
			 dw_die_has_pc(s, child, w->pc))
			walk(w, child, inl + 1, inl + 1 == w->target ? 1 : depth + 1);
		int r = dwarf_siblingof_b(s->dbg, child, 1, &next, &e);
		dwarf_dealloc(s->dbg, child, DW_DLA_DIE);
		if (r != DW_DLV_OK) {
			if (e)
				dwarf_dealloc(s->dbg, e, DW_DLA_ERROR);
			break;
		}
		child = next;
	}
}

/* The registers of the frame, in DWARF's numbering. */
static void frame_regs(struct gv_ctx *c, struct gframe_regs *fr)
{
	memset(fr, 0, sizeof(*fr));
	fr->rp = c->rp;
	fr->cfa = c->fr.cfa;
	if (!c->fr.innermost || !c->fr.tid)
		return;
	struct user_regs_struct r;
	if (grr_replay_get_regs(c->rp, c->fr.tid, &r) < 0)
		return;
	uint64_t v[17] = { r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
			   r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip };
	memcpy(fr->regs, v, sizeof(v));
	fr->have_regs = true;
	struct user_fpregs_struct fp;
	if (grr_replay_get_fpregs(c->rp, c->fr.tid, &fp) == 0) {
		memcpy(fr->xmm, fp.xmm_space, sizeof(fr->xmm));
		fr->have_xmm = true;
	}
}

int gv_frame_vars(struct gv_ctx *c, struct arena *ar, struct gvar_info **out, char *err,
		  size_t errlen)
{
	struct vwalk w = { .c = c, .ar = ar };
	w.pc = c->fr.caller ? c->fr.pc - 1 : c->fr.pc;
	const struct gi_func *f = gi_func_at(c->s, w.pc);
	if (!f) {
		snprintf(err, errlen, "no debugging information for the code at %#llx",
			 (unsigned long long)c->fr.pc);
		return -1;
	}
	struct grr_inline_frame inl[32];
	int ninl = grr_symbols_inline_frames(c->syms, w.pc, inl, 32);
	w.target = c->fr.inline_depth > ninl ? ninl : c->fr.inline_depth;
	struct grr_line_info li;
	if (w.target == ninl)
		w.line = grr_symbols_line_at(c->syms, w.pc, &li) ? li.line : 0;
	else
		w.line = inl[ninl - w.target - 1].call_line;
	frame_regs(c, &w.fr);
	Dwarf_Die die;
	Dwarf_Error e = NULL;
	if (dwarf_offdie_b(c->s->dbg, f->off, 1, &die, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(c->s->dbg, e, DW_DLA_ERROR);
		snprintf(err, errlen, "cannot read the DWARF of %s", f->name);
		return -1;
	}
	walk(&w, die, 0, 1);
	dwarf_dealloc(c->s->dbg, die, DW_DLA_DIE);
	/* stable sort by depth, then declaration line (Delve's order) */
	for (int i = 1; i < w.n; i++) {
		struct gvar_info x = w.v[i];
		int j = i;
		while (j > 0 && (w.v[j - 1].depth > x.depth ||
				 (w.v[j - 1].depth == x.depth && w.v[j - 1].decl_line > x.decl_line))) {
			w.v[j] = w.v[j - 1];
			j--;
		}
		w.v[j] = x;
	}
	*out = w.v;
	return w.n;
}
