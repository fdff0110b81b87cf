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

int grr_reloc_plan(const uint8_t *code, uint64_t fstart, size_t flen, uint64_t pc,
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
		if ((*why = unmovable(&insn[i])) != NULL)
			goto out;
		len += insn[i].size;
	}
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
	memcpy(r->orig, code + (pc - fstart), len);
	rc = 0;
	*why = NULL;
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

/* A relative jump (jmp or jcc, short or near) re-encoded as rel32. */
static int emit_jump(const cs_insn *in, uint64_t at, uint8_t *out)
{
	uint64_t target = branch_target(in);
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

int grr_reloc_emit(const struct grr_reloc *r, uint64_t at, uint8_t *out)
{
	csh h;
	if (open_cs(&h) < 0)
		return -1;
	cs_insn *insn;
	size_t n = cs_disasm(h, r->orig, r->len, r->pc, 0, &insn);
	int used = 0;
	for (size_t i = 0; i < n && used >= 0; i++) {
		const cs_insn *in = &insn[i];
		if (used + 16 > GRR_RELOC_MAX) {
			used = -1;
			break;
		}
		uint64_t here = at + (uint64_t)used;
		if (is_relative_jump(h, in)) {
			int k = emit_jump(in, here, out + used);
			used = k < 0 ? -1 : used + k;
			continue;
		}
		memcpy(out + used, in->bytes, in->size);
		const cs_x86 *x = &in->detail->x86;
		bool riprel = false;
		for (int k = 0; k < x->op_count; k++)
			if (x->operands[k].type == X86_OP_MEM && x->operands[k].mem.base == X86_REG_RIP)
				riprel = true;
		if (riprel) {
			uint8_t off = x->encoding.disp_offset;
			uint64_t abs = in->address + in->size + (uint64_t)(int64_t)x->disp;
			if (!off || x->encoding.disp_size != 4 ||
			    put_rel32(out + used + off, (int64_t)(abs - (here + in->size))) < 0) {
				used = -1;
				break;
			}
		}
		used += in->size;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return n ? used : -1;
}
