/* sym_prologue.c - where a function's body starts (struct sym_func.body)
 * and where its morestack stub lies (.stub).
 *
 * A Go function on amd64 starts with a stack check and a frame setup:
 *
 *   cmp rsp, [r14+0x10] ; jbe STUB        (or lea r12,[rsp-N]; cmp r12,..;
 *                                           or mov r12,rsp; sub r12,N; jb;
 *                                           cmp r12,..; jbe, for big frames)
 *   push rbp ; mov rbp, rsp ; sub rsp, N  (Go >= 1.21; add rsp,-0x80
 *                                           for a 0x80-byte frame)
 *   sub rsp, N ; mov [rsp+N-8], rbp ; lea rbp, [rsp+N-8]   (older Go)
 *
 * and STUB, at the end of the function, calls runtime.morestack and jumps
 * back to the entry.  Go marks prologue_end in the line table: right after
 * the jbe in Go 1.19, after mov rbp,rsp in Go 1.26, on the entry row of a
 * function with a frame but no stack check (Go 1.19 -N -l), and not at all
 * in a frameless leaf.  Delve's `break FUNC` uses that pc, which is still
 * on the `func` line with the frame half built; the debugger's frame
 * unwinding (rbp-based once past body) and `break FUNC` showing the first
 * line of the body want the pc after the whole prologue.  So:
 *
 *   P = the prologue_end row's pc, else the entry;
 *   S = the end of the run of the instructions above from the entry;
 *   X = max(P, S);
 *   body = the first row at or after X, reached from X without a jump,
 *          call or return, that is off the `func` line (DW_AT_decl_line,
 *          the parameters' line, pclntab's startLine, or the entry row's
 *          line when there is a prologue) and is either a statement or the
 *          function's own code (not inside an inlined call: Go's inline
 *          mark on the call line before an inlined body is not is_stmt);
 *          else the first statement reached that way; else X.
 *          Without DWARF (pclntab), rows from another file than the
 *          function's count as inlined code.
 *
 * A frameless leaf whose first row is already a body line gets body ==
 * entry, as with Delve; one that starts by spilling its arguments on the
 * `func` line (-N -l) gets its first body line. */
#include "replayer/symbols/sym_private.h"

#include <capstone/capstone.h>

#define MAX_PROLOGUE_INSNS 12
#define MAX_STRAIGHT_BYTES 256

static bool is_reg(const cs_x86_op *op, x86_reg r)
{
	return op->type == X86_OP_REG && op->reg == r;
}

static bool is_mem_base(const cs_x86_op *op, x86_reg base)
{
	return op->type == X86_OP_MEM && op->mem.base == base && op->mem.index == X86_REG_INVALID;
}

/* Whether INSN belongs to a Go prologue (see above); a stack check's
 * jump records its target in *STUB.  AFTER_CHECK: the previous
 * instruction was a stack-check cmp or sub r12. */
static bool prologue_insn(const cs_insn *insn, bool after_check, uint64_t *stub, bool *check)
{
	const cs_x86 *x = &insn->detail->x86;
	const cs_x86_op *a = &x->operands[0], *b = &x->operands[1];
	*check = false;
	switch (insn->id) {
	case X86_INS_CMP:
		*check = x->op_count == 2 && (is_reg(a, X86_REG_RSP) || is_reg(a, X86_REG_R12)) &&
			 is_mem_base(b, X86_REG_R14);
		return *check;
	case X86_INS_JBE:
	case X86_INS_JB:
		if (!after_check || x->op_count != 1 || a->type != X86_OP_IMM)
			return false;
		*stub = (uint64_t)a->imm;
		return true;
	case X86_INS_LEA:
		return x->op_count == 2 && (is_reg(a, X86_REG_R12) || is_reg(a, X86_REG_RBP)) &&
		       is_mem_base(b, X86_REG_RSP);
	case X86_INS_MOV:
		return x->op_count == 2 &&
		       (((is_reg(a, X86_REG_R12) || is_reg(a, X86_REG_RBP)) && is_reg(b, X86_REG_RSP)) ||
			(is_mem_base(a, X86_REG_RSP) && is_reg(b, X86_REG_RBP)));
	case X86_INS_SUB:
		if (x->op_count != 2 || b->type != X86_OP_IMM)
			return false;
		*check = is_reg(a, X86_REG_R12);
		return is_reg(a, X86_REG_RSP) || *check;
	case X86_INS_ADD:
		/* Go 1.26 writes sub rsp,0x80 as add rsp,-0x80 (imm8) */
		return x->op_count == 2 && is_reg(a, X86_REG_RSP) && b->type == X86_OP_IMM &&
		       b->imm < 0;
	case X86_INS_PUSH:
		return x->op_count == 1 && is_reg(a, X86_REG_RBP);
	default:
		return false;
	}
}

/* The end of the prologue instructions at F's entry; sets F->stub. */
static uint64_t skip_prologue(csh h, cs_insn *insn, struct sym_elf *e, struct sym_func *f)
{
	size_t len = f->end - f->entry;
	const uint8_t *code = sym_elf_code(e, f->entry, &len);
	if (!code)
		return f->entry;
	uint64_t addr = f->entry, end = f->entry;
	bool after_check = false;
	for (int i = 0; i < MAX_PROLOGUE_INSNS && cs_disasm_iter(h, &code, &len, &addr, insn); i++) {
		uint64_t stub = 0;
		bool check;
		if (!prologue_insn(insn, after_check, &stub, &check))
			break;
		if (stub > f->entry && stub < f->end && stub < f->stub)
			f->stub = stub;
		after_check = check;
		end = addr;
	}
	return end;
}

/* The start of the first jump, call, return or trap at or after FROM
 * (FROM + MAX_STRAIGHT_BYTES at most, and not past END): the code up to
 * there runs straight through. */
static uint64_t straight_until(csh h, cs_insn *insn, struct sym_elf *e, uint64_t from,
			       uint64_t end)
{
	if (end - from > MAX_STRAIGHT_BYTES)
		end = from + MAX_STRAIGHT_BYTES;
	size_t len = end - from;
	const uint8_t *code = sym_elf_code(e, from, &len);
	if (!code)
		return from;
	uint64_t addr = from;
	while (addr < end) {
		uint64_t at = addr;
		if (!cs_disasm_iter(h, &code, &len, &addr, insn))
			return at;
		for (uint8_t g = 0; g < insn->detail->groups_count; g++) {
			uint8_t grp = insn->detail->groups[g];
			if (grp == CS_GRP_JUMP || grp == CS_GRP_CALL || grp == CS_GRP_RET ||
			    grp == CS_GRP_INT || grp == CS_GRP_IRET)
				return at;
		}
	}
	return end;
}

static void body_of(const struct grr_symbols *s, csh h, cs_insn *insn, struct sym_elf *e,
		    struct sym_func *f)
{
	const struct grr_line_row *rows = s->rows + f->row_first;
	const uint8_t *flags = s->row_flags + f->row_first;
	uint64_t p = f->entry;
	for (size_t i = 0; i < f->nrows; i++) {
		if (flags[i] & SYM_ROW_PROLOGUE_END) {
			p = rows[i].pc;
			break;
		}
	}
	uint64_t x = skip_prologue(h, insn, e, f);
	/* no declared line (Go 1.19 function without parameters, pclntab
	 * before Go 1.20): a prologue is on the `func` line */
	if (!f->decl_line && f->nrows && rows[0].pc == f->entry &&
	    (x > f->entry || p > f->entry)) {
		f->decl_file = rows[0].file;
		f->decl_line = rows[0].line;
	}
	if (p > x)
		x = p;
	if (x >= f->end)
		x = f->entry;
	f->body = x;
	uint64_t limit = straight_until(h, insn, e, x, f->stub);

	/* the first row of the body proper: off the `func` line, and a
	 * statement or the function's own code (the call line's inline mark
	 * before an inlined body, a loop's setup before its first jump) */
	for (size_t i = 0; i < f->nrows && rows[i].pc <= limit; i++) {
		const struct grr_line_row *r = &rows[i];
		if (r->pc < x || (r->line == f->decl_line && r->file == f->decl_file))
			continue;
		/* pclntab has no is_stmt and no inlined ranges here: code from
		 * another file than the function's is taken as inlined */
		bool own = s->lines_from_pclntab ? !f->decl_file || r->file == f->decl_file
						 : !sym_inl_innermost(s, f, r->pc);
		if ((r->is_stmt && !s->lines_from_pclntab) || own) {
			f->body = r->pc;
			return;
		}
	}
	/* else the first statement (possibly on the `func` line) */
	for (size_t i = 0; i < f->nrows && rows[i].pc <= limit; i++) {
		if (rows[i].pc >= x && rows[i].is_stmt) {
			f->body = rows[i].pc;
			return;
		}
	}
}

int sym_prologue_finish(struct grr_symbols *s, struct sym_elf *e)
{
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -1;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *insn = cs_malloc(h);
	if (!insn) {
		cs_close(&h);
		return -1;
	}
	for (size_t i = 0; i < s->nfuncs; i++)
		body_of(s, h, insn, e, &s->funcs[i]);
	cs_free(insn, 1);
	cs_close(&h);
	return 0;
}
