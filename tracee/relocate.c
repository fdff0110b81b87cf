/* relocate.c - instruction displacement with Capstone (see relocate.h). */
#include "tracee/relocate.h"

#include <capstone/capstone.h>
#include <string.h>

static int open_cs(csh *h)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK)
		return -1;
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	return 0;
}

static bool is_branch(csh h, const cs_insn *in)
{
	return cs_insn_group(h, in, CS_GRP_JUMP) || cs_insn_group(h, in, CS_GRP_CALL);
}

/* Target of a direct branch, or 0 for an indirect one. */
static uint64_t branch_target(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
		return (uint64_t)x->operands[0].imm;
	return 0;
}

static bool is_relative_jump(csh h, const cs_insn *in)
{
	return cs_insn_group(h, in, CS_GRP_JUMP) && branch_target(in) != 0;
}

/* Instructions that cannot run from another address. */
static const char *unmovable(const cs_insn *in)
{
	switch (in->id) {
	case X86_INS_CALL: return "a call would return into the patch";
	case X86_INS_SYSCALL: case X86_INS_INT3: case X86_INS_INT: return "a trap instruction";
	case X86_INS_JRCXZ: case X86_INS_JECXZ: case X86_INS_LOOP: case X86_INS_LOOPE:
	case X86_INS_LOOPNE: return "a short-only branch";
	default: return NULL;
	}
}

/* A repeated string instruction (rep movsq...): a thread can stop in the
 * middle of one, with its pc still on it, and one single step runs only
 * one iteration. So none may be displaced after the patch's first
 * instruction (a thread parked there could not be stepped out) nor lie
 * between a lead and its pc (the steps would not reach the pc). */
static bool is_rep_string(const cs_insn *in)
{
	return grr_rep_string_len(in->bytes, in->size) > 0;
}

/* x86 number of a 64- or 32-bit general register, or -1. */
static int gpr_number(unsigned reg)
{
	static const unsigned r64[16] = {
		X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
		X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 };
	static const unsigned r32[16] = {
		X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP,
		X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
		X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D };
	for (int i = 0; i < 16; i++)
		if (reg == r64[i] || reg == r32[i])
			return i;
	return -1;
}

#define HOT_WINDOW 64   /* bytes either side of pc */

/* The register written most often by the instructions near PC. */
static int hot_register(csh h, const cs_insn *insn, size_t n, uint64_t pc)
{
	int count[16] = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (insn[i].address + HOT_WINDOW < pc || insn[i].address > pc + HOT_WINDOW)
			continue;
		cs_regs rd, wr;
		uint8_t nrd, nwr;
		if (cs_regs_access(h, &insn[i], rd, &nrd, wr, &nwr) != CS_ERR_OK)
			continue;
		for (int k = 0; k < nwr; k++) {
			int g = gpr_number(wr[k]);
			if (g >= 0)
				count[g]++;
		}
	}
	int best = -1;
	for (int g = 0; g < 16; g++)
		if (g != 1 && g != 4 && g != 5 && count[g] && (best < 0 || count[g] > count[best]))
			best = g;
	return best;
}

#define FLAG_SCAN 16    /* instructions looked at for flag liveness */

/* Whether IN may read an arithmetic flag.  Capstone 4's flag tables miss
 * some readers (sbb, for one), so the mnemonic decides too. */
static bool may_read_flags(const cs_insn *in)
{
	static const char *const readers[] = {
		"set", "cmov", "adc", "sbb", "rcl", "rcr", "pushf", "lahf", "j", "loop",
		"cmc", "salc", "into", "adox", "fcmov",
	};
	const uint64_t test = X86_EFLAGS_TEST_OF | X86_EFLAGS_TEST_SF | X86_EFLAGS_TEST_ZF |
			      X86_EFLAGS_TEST_PF | X86_EFLAGS_TEST_CF | X86_EFLAGS_TEST_AF;
	if (in->detail->x86.eflags & test)
		return true;
	for (size_t k = 0; k < sizeof(readers) / sizeof(readers[0]); k++)
		if (strncmp(in->mnemonic, readers[k], strlen(readers[k])) == 0)
			return true;
	return false;
}

/* Whether IN sets all six arithmetic flags, whatever its operands (not
 * inc/dec, which keep CF, nor shifts, which keep them all for a count of
 * 0). */
static bool writes_all_flags(const cs_insn *in)
{
	switch (in->id) {
	case X86_INS_ADD: case X86_INS_SUB: case X86_INS_CMP: case X86_INS_TEST:
	case X86_INS_AND: case X86_INS_OR: case X86_INS_XOR: case X86_INS_NEG:
	case X86_INS_XADD: case X86_INS_CMPXCHG:
		return true;
	default:
		return false;
	}
}

/* Whether the straight-line code from instruction FIRST on sets all
 * arithmetic flags before any instruction may read one (a branch or an
 * unusual instruction ends the scan: live). */
static int flags_dead_at(csh h, const cs_insn *insn, size_t n, size_t first)
{
	for (size_t i = first; i < n && i < first + FLAG_SCAN; i++) {
		if (is_branch(h, &insn[i]) || cs_insn_group(h, &insn[i], CS_GRP_RET) ||
		    cs_insn_group(h, &insn[i], CS_GRP_INT) || unmovable(&insn[i]) ||
		    may_read_flags(&insn[i]))
			return 0;
		if (writes_all_flags(&insn[i]))
			return 1;
	}
	return 0;
}

/* Whether execution never goes on past IN to the next address. */
static bool never_falls_through(csh h, const cs_insn *in)
{
	return cs_insn_group(h, in, CS_GRP_RET) || in->id == X86_INS_JMP ||
	       in->id == X86_INS_UD2 || in->id == X86_INS_INT3;
}

/* Whether IN is a call to an address in the instruction (not computed). */
static bool is_direct_call(const cs_insn *in)
{
	return in->id == X86_INS_CALL && branch_target(in) != 0;
}

int grr_reloc_plan(const uint8_t *code, uint64_t fstart, size_t flen, size_t pad, uint64_t pc,
		   struct grr_reloc *r, const char **why)
{
	csh h;
	if (open_cs(&h) < 0) {
		*why = "capstone unavailable";
		return -1;
	}
	cs_insn *insn;
	size_t n = cs_disasm(h, code, flen, fstart, 0, &insn);
	int rc = -1;
	*why = "pc is not an instruction boundary of its function";
	size_t first = n;
	for (size_t i = 0; i < n; i++)
		if (insn[i].address == pc)
			first = i;
	if (first == n)
		goto out;
	size_t len = 0, i = first;
	for (; i < n && len < GRR_JMP_LEN; i++) {
		/* (a call that is the last one displaced returns after the jump) */
		bool last_call = is_direct_call(&insn[i]) && len + insn[i].size >= GRR_JMP_LEN;
		if (!last_call && (*why = unmovable(&insn[i])) != NULL)
			goto out;
		*why = "a repeated string instruction inside the patch";
		if (i > first && is_rep_string(&insn[i]))
			goto out;
		len += insn[i].size;
	}
	size_t code_len = len;
	/* at the function's end, the padding after a last instruction that
	 * never falls through */
	if (len < GRR_JMP_LEN && i == n && n > 0 && never_falls_through(h, &insn[n - 1]) &&
	    len + pad >= GRR_JMP_LEN)
		len = GRR_JMP_LEN;
	*why = "too close to the end of the function";
	if (len < GRR_JMP_LEN || len > sizeof(r->orig))
		goto out;
	for (size_t k = 0; k < n; k++) {
		if (!is_branch(h, &insn[k]))
			continue;
		uint64_t t = branch_target(&insn[k]);
		if (!t && cs_insn_group(h, &insn[k], CS_GRP_JUMP)) {
			*why = "the function has a computed jump";
			goto out;
		}
		if (t > pc && t < pc + len) {
			*why = "a branch lands inside the patch";
			goto out;
		}
	}
	r->pc = pc;
	r->len = len;
	r->code_len = code_len;
	r->first_len = insn[first].size;
	memcpy(r->orig, code + (pc - fstart), len);
	r->hot_reg = hot_register(h, insn, n, pc);
	r->flags_dead = flags_dead_at(h, insn, n, first);
	rc = 0;
	*why = NULL;
out:
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return rc;
}

/* ---- leads: a trap a few instructions before the pc ---- */

/* The x86 number of the general register holding REG (any width), or -1. */
static int gpr_of(csh h, unsigned reg)
{
	static const char *const names[16][4] = {
		{ "rax", "eax", "ax", "al" }, { "rcx", "ecx", "cx", "cl" },
		{ "rdx", "edx", "dx", "dl" }, { "rbx", "ebx", "bx", "bl" },
		{ "rsp", "esp", "sp", "spl" }, { "rbp", "ebp", "bp", "bpl" },
		{ "rsi", "esi", "si", "sil" }, { "rdi", "edi", "di", "dil" },
		{ "r8", "r8d", "r8w", "r8b" }, { "r9", "r9d", "r9w", "r9b" },
		{ "r10", "r10d", "r10w", "r10b" }, { "r11", "r11d", "r11w", "r11b" },
		{ "r12", "r12d", "r12w", "r12b" }, { "r13", "r13d", "r13w", "r13b" },
		{ "r14", "r14d", "r14w", "r14b" }, { "r15", "r15d", "r15w", "r15b" },
	};
	const char *name = cs_reg_name(h, reg);
	if (!name)
		return -1;
	for (int g = 0; g < 16; g++)
		for (int k = 0; k < 4; k++)
			if (strcmp(name, names[g][k]) == 0)
				return g;
	if (strcmp(name, "ah") == 0) return 0;
	if (strcmp(name, "ch") == 0) return 1;
	if (strcmp(name, "dh") == 0) return 2;
	if (strcmp(name, "bh") == 0) return 3;
	return -1;
}

/* The stack words (bit k: [rsp + 8k, rsp + 8k + 8), k < 32) that IN may
 * write, rsp being unchanged: those of a store at rsp + constant; all of
 * them (0xffffffff) for a store through another register, a push or a
 * string instruction. */
static uint32_t stack_words_stored(const cs_insn *in)
{
	if (in->id == X86_INS_LEA || in->id == X86_INS_NOP)
		return 0;
	const cs_x86 *x = &in->detail->x86;
	if (in->id == X86_INS_PUSH || in->id == X86_INS_PUSHFQ ||
	    x->prefix[0] == X86_PREFIX_REP || x->prefix[0] == X86_PREFIX_REPNE)
		return 0xffffffffu;
	uint32_t words = 0;
	for (int k = 0; k < x->op_count; k++) {
		const cs_x86_op *op = &x->operands[k];
		if (op->type != X86_OP_MEM || !(op->access & CS_AC_WRITE))
			continue;
		if (op->mem.base != X86_REG_RSP || op->mem.index != X86_REG_INVALID ||
		    op->mem.segment != X86_REG_INVALID)
			return 0xffffffffu;
		int64_t lo = op->mem.disp, hi = lo + (op->size ? op->size : 16);
		for (int w = 0; w < 32; w++)
			if (lo < 8 * (w + 1) && hi > 8 * w)
				words |= 1u << w;
	}
	return words;
}

/* Whether execution goes from IN to the next instruction, and only there. */
static bool straight(csh h, const cs_insn *in)
{
	return !is_branch(h, in) && !cs_insn_group(h, in, CS_GRP_RET) &&
	       !cs_insn_group(h, in, CS_GRP_INT) && !cs_insn_group(h, in, CS_GRP_IRET) &&
	       !unmovable(in) && !is_rep_string(in) && in->id != X86_INS_UD2 &&
	       in->id != X86_INS_HLT;
}

int grr_reloc_lead(const uint8_t *code, uint64_t fstart, size_t flen, size_t pad, uint64_t pc,
		   int max_steps, struct grr_lead *lead, const char **why)
{
	csh h;
	if (open_cs(&h) < 0) {
		*why = "capstone unavailable";
		return -1;
	}
	cs_insn *insn;
	size_t n = cs_disasm(h, code, flen, fstart, 0, &insn);
	int rc = -1;
	*why = "pc is not an instruction boundary of its function";
	size_t p = n;
	for (size_t i = 0; i < n; i++)
		if (insn[i].address == pc)
			p = i;
	if (p == n)
		goto out;
	/* the first instruction from which pc is reached straight: none of
	 * (q, p] a branch target */
	size_t lo = p;
	while (lo > 0 && (int)(p - lo) < max_steps && straight(h, &insn[lo - 1]))
		lo--;
	for (size_t k = 0; k < n; k++) {
		uint64_t t = is_branch(h, &insn[k]) ? branch_target(&insn[k]) : 0;
		for (size_t j = lo + 1; t && j <= p; j++)
			if (insn[j].address == t)
				lo = j;
	}
	*why = "no instruction before it leads there straight";
	for (size_t q = p; q-- > lo;) {
		const char *no;
		/* (a goroutine preempted at pc resumes there: the patch must
		 * end before it) */
		if (grr_reloc_plan(code, fstart, flen, pad, insn[q].address, &lead->at, &no) < 0 ||
		    lead->at.pc + lead->at.len > pc)
			continue;
		uint16_t written = 0;
		uint32_t stored = 0;
		for (size_t j = q; j < p; j++) {
			cs_regs rd, wr;
			uint8_t nrd, nwr;
			if (cs_regs_access(h, &insn[j], rd, &nrd, wr, &nwr) != CS_ERR_OK) {
				written = 0xffff;
				break;
			}
			for (int k = 0; k < nwr; k++) {
				int g = gpr_of(h, wr[k]);
				if (g >= 0)
					written |= (uint16_t)(1u << g);
			}
			stored |= stack_words_stored(&insn[j]);
		}
		lead->steps = (int)(p - q);
		lead->kept = (uint16_t)~written;
		lead->stack_kept = written & (1u << 4) ? 0 : ~stored;
		/* the quick test's register must be one the trap may compare */
		if (lead->at.hot_reg >= 0 && !(lead->kept & (1u << lead->at.hot_reg)))
			lead->at.hot_reg = -1;
		rc = 0;
		*why = NULL;
		break;
	}
out:
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return rc;
}

static int put_rel32(uint8_t *out, int64_t rel)
{
	if (rel < INT32_MIN || rel > INT32_MAX)
		return -1;
	int32_t v = (int32_t)rel;
	memcpy(out, &v, 4);
	return 0;
}

/* A relative jump (jmp or jcc, short or near) to TARGET re-encoded as
 * rel32. */
static int emit_jump_to(const cs_insn *in, uint64_t target, uint64_t at, uint8_t *out)
{
	const uint8_t *b = in->bytes;
	int len;
	if (in->id == X86_INS_JMP) {
		out[0] = 0xe9;
		len = 5;
	} else {
		uint8_t cc;
		if (b[0] >= 0x70 && b[0] <= 0x7f)
			cc = b[0] & 0x0f;
		else if (b[0] == 0x0f && b[1] >= 0x80 && b[1] <= 0x8f)
			cc = b[1] & 0x0f;
		else
			return -1;
		out[0] = 0x0f;
		out[1] = (uint8_t)(0x80 | cc);
		len = 6;
	}
	if (put_rel32(out + len - 4, (int64_t)(target - (at + len))) < 0)
		return -1;
	return len;
}

static int emit_jump(const cs_insn *in, uint64_t at, uint8_t *out)
{
	return emit_jump_to(in, branch_target(in), at, out);
}

/* IN's bytes at AT with its rip-relative operand, if any, adjusted;
 * returns its size or -1. */
static int emit_moved(const cs_insn *in, uint64_t at, uint8_t *out)
{
	memcpy(out, in->bytes, in->size);
	const cs_x86 *x = &in->detail->x86;
	for (int k = 0; k < x->op_count; k++) {
		if (x->operands[k].type != X86_OP_MEM || x->operands[k].mem.base != X86_REG_RIP)
			continue;
		uint8_t off = x->encoding.disp_offset;
		uint64_t abs = in->address + in->size + (uint64_t)(int64_t)x->disp;
		if (!off || x->encoding.disp_size != 4 ||
		    put_rel32(out + off, (int64_t)(abs - (at + in->size))) < 0)
			return -1;
		break;
	}
	return in->size;
}

/* A direct call made from AT with the original return address: pushed
 * by hand (lea and two movl, which leave the flags alone), then a jump:
 * the callee returns to the program's code. */
static int emit_call(const cs_insn *in, uint64_t at, uint8_t *out)
{
	uint64_t ret = in->address + in->size;
	uint32_t lo = (uint32_t)ret, hi = (uint32_t)(ret >> 32);
	static const uint8_t lea[5] = { 0x48, 0x8d, 0x64, 0x24, 0xf8 };  /* lea -8(%rsp),%rsp */
	memcpy(out, lea, 5);
	static const uint8_t mov_lo[3] = { 0xc7, 0x04, 0x24 };           /* movl $lo,(%rsp) */
	memcpy(out + 5, mov_lo, 3);
	memcpy(out + 8, &lo, 4);
	static const uint8_t mov_hi[4] = { 0xc7, 0x44, 0x24, 0x04 };     /* movl $hi,4(%rsp) */
	memcpy(out + 12, mov_hi, 4);
	memcpy(out + 16, &hi, 4);
	out[20] = 0xe9;                                                  /* jmp target */
	if (put_rel32(out + 21, (int64_t)(branch_target(in) - (at + 25))) < 0)
		return -1;
	return 25;
}

int grr_reloc_emit(const struct grr_reloc *r, uint64_t at, uint8_t *out)
{
	csh h;
	if (open_cs(&h) < 0)
		return -1;
	cs_insn *insn;
	size_t n = cs_disasm(h, r->orig, r->code_len, r->pc, 0, &insn);
	int used = 0;
	for (size_t i = 0; i < n && used >= 0; i++) {
		const cs_insn *in = &insn[i];
		if (used + 25 > GRR_RELOC_MAX) {
			used = -1;
			break;
		}
		uint64_t here = at + (uint64_t)used;
		int k = is_direct_call(in) ? emit_call(in, here, out + used) :
			is_relative_jump(h, in) ? emit_jump(in, here, out + used) :
			emit_moved(in, here, out + used);
		used = k < 0 ? -1 : used + k;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return n ? used : -1;
}

/* ---- loops run from a copy ---- */

int grr_reloc_loop(const uint8_t *code, uint64_t fstart, size_t flen, uint64_t pc,
		   struct grr_loop *lp)
{
	csh h;
	if (open_cs(&h) < 0)
		return -1;
	cs_insn *insn;
	size_t n = cs_disasm(h, code, flen, fstart, 0, &insn);
	uint64_t head = 0, end = 0;
	/* the innermost backward branch spanning pc */
	for (size_t k = 0; k < n; k++) {
		uint64_t t = is_relative_jump(h, &insn[k]) ? branch_target(&insn[k]) : 0;
		uint64_t e = insn[k].address + insn[k].size;
		if (t && t <= pc && insn[k].address >= pc && t >= fstart &&
		    (!end || e - t < end - head)) {
			head = t;
			end = e;
		}
	}
	int rc = end && end - head <= GRR_LOOP_MAX ? 0 : -1;
	bool boundary = false;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		const cs_insn *in = &insn[k];
		if (in->address == head)
			boundary = true;
		if (in->address < head || in->address >= end)
			continue;
		if (unmovable(in) || cs_insn_group(h, in, CS_GRP_RET) ||
		    cs_insn_group(h, in, CS_GRP_INT) ||
		    (cs_insn_group(h, in, CS_GRP_JUMP) && !branch_target(in)))
			rc = -1;
	}
	if (rc == 0 && boundary) {
		lp->head = head;
		lp->end = end;
		memcpy(lp->code, code + (head - fstart), end - head);
	} else {
		rc = -1;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return rc;
}

int grr_loop_emit(const struct grr_loop *lp, uint64_t from, uint64_t to, uint64_t at,
		  grr_loop_map_fn map, void *ctx, uint8_t *out, size_t max)
{
	csh h;
	if (open_cs(&h) < 0)
		return -1;
	cs_insn *insn;
	size_t n = cs_disasm(h, lp->code, lp->end - lp->head, lp->head, 0, &insn);
	int used = 0;
	uint8_t tmp[32];
	for (size_t i = 0; i < n && used >= 0; i++) {
		const cs_insn *in = &insn[i];
		if (in->address < from || in->address >= to)
			continue;
		uint64_t here = at + (uint64_t)used;
		int k;
		if (is_relative_jump(h, in)) {
			uint64_t t = branch_target(in);
			bool inside = t >= lp->head && t < lp->end;
			k = emit_jump_to(in, inside && map ? map(ctx, t) : t, here, tmp);
		} else {
			k = emit_moved(in, here, tmp);
		}
		if (k < 0 || (size_t)used + (size_t)k > max) {
			used = -1;
			break;
		}
		if (out)
			memcpy(out + used, tmp, (size_t)k);
		used += k;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return used;
}

int grr_loop_size(const struct grr_loop *lp, uint64_t from, uint64_t to)
{
	/* (sizes do not depend on the targets: every branch becomes rel32) */
	return grr_loop_emit(lp, from, to, lp->head, NULL, NULL, NULL, 4 * GRR_LOOP_MAX);
}

/* ---- repeated string instructions ---- */

static bool legacy_or_rex_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 ||
	       b == 0x64 || b == 0x65 || (b >= 0x40 && b <= 0x4f);
}

int grr_rep_string_len(const uint8_t *code, size_t n)
{
	bool rep = false;
	size_t i = 0;
	for (; i < n && i < GRR_REP_PREFIX_MAX; i++) {
		if (code[i] == 0xf2 || code[i] == 0xf3)
			rep = true;
		else if (!legacy_or_rex_prefix(code[i]))
			break;
	}
	if (!rep || i >= n)
		return 0;
	uint8_t op = code[i];
	bool string = (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
		      (op >= 0x6c && op <= 0x6f);
	return string ? (int)i + 1 : 0;
}
