/* access.c - memory accesses ahead of a thread (access.h), with Capstone. */
#include "tracee/access.h"

#include <capstone/capstone.h>
#include <string.h>

static bool open_cs(csh *h)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK)
		return false;
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	return true;
}

/* Instructions whose first operand, when in memory, is read and written. */
static bool modifies_first_operand(unsigned id)
{
	switch (id) {
	case X86_INS_ADD: case X86_INS_ADC: case X86_INS_SUB: case X86_INS_SBB:
	case X86_INS_AND: case X86_INS_OR: case X86_INS_XOR:
	case X86_INS_INC: case X86_INS_DEC: case X86_INS_NEG: case X86_INS_NOT:
	case X86_INS_SHL: case X86_INS_SAL: case X86_INS_SHR: case X86_INS_SAR:
	case X86_INS_ROL: case X86_INS_ROR: case X86_INS_RCL: case X86_INS_RCR:
	case X86_INS_XADD: case X86_INS_CMPXCHG:
		return true;
	default:
		return false;
	}
}

/* The value of 64-bit register REG in REGS; false for one not handled
 * (rsp, rbp, rip and the narrower ones). */
static bool reg_value(unsigned reg, const struct user_regs_struct *r, uint64_t *v)
{
	switch (reg) {
	case X86_REG_RAX: *v = r->rax; return true;
	case X86_REG_RBX: *v = r->rbx; return true;
	case X86_REG_RCX: *v = r->rcx; return true;
	case X86_REG_RDX: *v = r->rdx; return true;
	case X86_REG_RSI: *v = r->rsi; return true;
	case X86_REG_RDI: *v = r->rdi; return true;
	case X86_REG_R8: *v = r->r8; return true;
	case X86_REG_R9: *v = r->r9; return true;
	case X86_REG_R10: *v = r->r10; return true;
	case X86_REG_R11: *v = r->r11; return true;
	case X86_REG_R12: *v = r->r12; return true;
	case X86_REG_R13: *v = r->r13; return true;
	case X86_REG_R14: *v = r->r14; return true;
	case X86_REG_R15: *v = r->r15; return true;
	default: return false;
	}
}

/* Whether memory operand M may be shared: not in the thread's own frame
 * (rsp or rbp) nor thread-local (a segment override). */
static bool shared_operand(const x86_op_mem *m)
{
	return m->segment == X86_REG_INVALID && m->base != X86_REG_RSP &&
	       m->base != X86_REG_RBP && m->base != X86_REG_ESP && m->base != X86_REG_EBP;
}

/* The effective address of memory operand M of instruction IN. */
static bool effective_address(const cs_insn *in, const x86_op_mem *m,
			      const struct user_regs_struct *regs, uint64_t *addr)
{
	uint64_t a = (uint64_t)m->disp, v;
	if (m->base == X86_REG_RIP)
		a += in->address + in->size;
	else if (m->base != X86_REG_INVALID && reg_value(m->base, regs, &v))
		a += v;
	else if (m->base != X86_REG_INVALID)
		return false;
	if (m->index != X86_REG_INVALID) {
		if (!reg_value(m->index, regs, &v))
			return false;
		a += v * (uint64_t)m->scale;
	}
	*addr = a;
	return true;
}

int grr_access_rmw(const uint8_t *code, size_t n, uint64_t pc,
		   const struct user_regs_struct *regs, struct grr_rmw *rmw)
{
	csh h;
	if (!open_cs(&h))
		return -1;
	cs_insn *in;
	int rc = -1;
	if (cs_disasm(h, code, n, pc, 1, &in) != 1)
		goto out_close;
	rc = 0;
	const cs_x86 *x = &in->detail->x86;
	uint64_t addr;
	if (modifies_first_operand(in->id) && x->prefix[0] != X86_PREFIX_LOCK &&
	    x->op_count >= 1 && x->operands[0].type == X86_OP_MEM &&
	    x->operands[0].size > 0 && x->operands[0].size <= GRR_RMW_MAX &&
	    shared_operand(&x->operands[0].mem) &&
	    effective_address(in, &x->operands[0].mem, regs, &addr)) {
		rmw->addr = addr;
		rmw->len = x->operands[0].size;
		rmw->insn_len = in->size;
		rc = 1;
	}
	cs_free(in, 1);
out_close:
	cs_close(&h);
	return rc;
}

/* ---- the frontier of the next accesses ---- */

/* Whether IN reads or writes memory that may be shared. */
static bool is_shared_access(const cs_insn *in)
{
	switch (in->id) {
	case X86_INS_LEA: case X86_INS_NOP: case X86_INS_PREFETCH: case X86_INS_PREFETCHW:
	case X86_INS_PREFETCHT0: case X86_INS_PREFETCHT1: case X86_INS_PREFETCHT2:
	case X86_INS_PREFETCHNTA:
		return false;
	default:
		break;
	}
	const cs_x86 *x = &in->detail->x86;
	for (int k = 0; k < x->op_count; k++)
		if (x->operands[k].type == X86_OP_MEM && shared_operand(&x->operands[k].mem))
			return true;
	return false;
}

/* Target of a direct branch or call, or 0. */
static uint64_t direct_target(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
		return (uint64_t)x->operands[0].imm;
	return 0;
}

/* Instructions a path cannot go past: it stops before them. */
static bool is_barrier(csh h, const cs_insn *in)
{
	if (cs_insn_group(h, in, CS_GRP_RET) || cs_insn_group(h, in, CS_GRP_INT) ||
	    cs_insn_group(h, in, CS_GRP_IRET))
		return true;
	switch (in->id) {
	case X86_INS_SYSCALL: case X86_INS_SYSENTER: case X86_INS_INT3: case X86_INS_HLT:
	case X86_INS_UD2: case X86_INS_RDTSC: case X86_INS_RDTSCP: case X86_INS_CPUID:
		return true;
	default:
		break;
	}
	/* a repeated string instruction: the recorder finishes those first */
	const cs_x86 *x = &in->detail->x86;
	if (x->prefix[0] == X86_PREFIX_REP || x->prefix[0] == X86_PREFIX_REPNE)
		return true;
	/* computed jumps and calls */
	if ((cs_insn_group(h, in, CS_GRP_JUMP) || cs_insn_group(h, in, CS_GRP_CALL)) &&
	    !direct_target(in))
		return true;
	return false;
}

bool grr_access_step_private(const uint8_t *code, size_t n, uint64_t pc)
{
	csh h;
	if (!open_cs(&h))
		return false;
	cs_insn *in;
	bool ok = false;
	if (cs_disasm(h, code, n, pc, 1, &in) == 1) {
		const cs_x86 *x = &in->detail->x86;
		bool rep = x->prefix[0] == X86_PREFIX_REP || x->prefix[0] == X86_PREFIX_REPNE;
		bool ret = cs_insn_group(h, in, CS_GRP_RET);
		bool computed = (cs_insn_group(h, in, CS_GRP_JUMP) || cs_insn_group(h, in, CS_GRP_CALL)) &&
				!direct_target(in);
		/* a return, and a jump or call through a register, go where
		 * the frontier cannot follow but touch only the thread's own
		 * stack; every other barrier stays one */
		ok = !is_shared_access(in) && !rep &&
		     (ret || computed || !is_barrier(h, in)) &&
		     !cs_insn_group(h, in, CS_GRP_INT) && !cs_insn_group(h, in, CS_GRP_IRET);
		cs_free(in, 1);
	}
	cs_close(&h);
	return ok;
}

struct walk {
	csh h;
	grr_code_read_fn read;
	grr_code_ok_fn ok;
	void *ctx;
	uint64_t pc;
	int max_insns;
	uint64_t *out;
	int nout, max_out;
	bool fail;
	uint64_t seen[64];       /* branch targets already walked */
	int nseen;
};

static void add_stop(struct walk *w, uint64_t addr)
{
	for (int i = 0; i < w->nout; i++)
		if (w->out[i] == addr)
			return;
	if (w->nout == w->max_out) {
		w->fail = true;
		return;
	}
	w->out[w->nout++] = addr;
}

/* Whether ADDR was walked from already (and marks it). */
static bool seen_before(struct walk *w, uint64_t addr)
{
	for (int i = 0; i < w->nseen; i++)
		if (w->seen[i] == addr)
			return true;
	if (w->nseen == (int)(sizeof(w->seen) / sizeof(w->seen[0]))) {
		w->fail = true;
		return true;
	}
	w->seen[w->nseen++] = addr;
	return false;
}

/* Walks one path from ADDR, having run BUDGET instructions fewer. */
static void walk_from(struct walk *w, uint64_t addr, int budget)
{
	while (!w->fail) {
		if (addr == w->pc && budget < w->max_insns) {
			w->fail = true;   /* a loop without an access back to pc */
			return;
		}
		if (budget <= 0 || !w->ok(w->ctx, addr)) {
			add_stop(w, addr);
			return;
		}
		uint8_t code[16];
		size_t n = w->read(w->ctx, addr, code, sizeof(code));
		cs_insn *in;
		if (n == 0 || cs_disasm(w->h, code, n, addr, 1, &in) != 1) {
			add_stop(w, addr);
			return;
		}
		bool stop = is_shared_access(in) || is_barrier(w->h, in);
		uint64_t target = direct_target(in), next = addr + in->size;
		bool jump = cs_insn_group(w->h, in, CS_GRP_JUMP);
		bool call = cs_insn_group(w->h, in, CS_GRP_CALL);
		bool uncond = in->id == X86_INS_JMP;
		cs_free(in, 1);
		if (stop) {
			if (addr != w->pc)
				add_stop(w, addr);
			else
				w->fail = true;   /* (the caller checked pc first) */
			return;
		}
		budget--;
		if (call && !w->ok(w->ctx, target)) {
			add_stop(w, addr);   /* into code not to follow: at the call */
			return;
		}
		if (call) {
			addr = target;
			continue;
		}
		if (jump && !w->ok(w->ctx, target)) {
			add_stop(w, addr);   /* into grr's pages: stop at the jump */
			return;
		}
		if (jump && !uncond && !seen_before(w, target))
			walk_from(w, target, budget);
		addr = jump && uncond ? target : next;
	}
}

int grr_access_frontier(grr_code_read_fn read, grr_code_ok_fn ok, void *ctx, uint64_t pc,
			int max_insns, uint64_t *out, int max_out)
{
	struct walk w = { .read = read, .ok = ok, .ctx = ctx, .pc = pc,
			  .max_insns = max_insns, .out = out, .max_out = max_out };
	if (!open_cs(&w.h))
		return 0;
	uint8_t code[16];
	size_t n = read(ctx, pc, code, sizeof(code));
	cs_insn *in;
	bool here = true;
	if (n && cs_disasm(w.h, code, n, pc, 1, &in) == 1) {
		here = is_shared_access(in) || is_barrier(w.h, in);
		cs_free(in, 1);
	}
	if (!here)
		walk_from(&w, pc, max_insns);
	cs_close(&w.h);
	return here || w.fail ? 0 : w.nout;
}
