/* ctl_code.c - the program's machine code, decoded with Capstone (read
 * from the replayed process: the debugger's breakpoints are never in it). */
#include "replayer/control/ctl_private.h"

#include <stdlib.h>
#include <string.h>

int ctl_disasm(struct grr_ctl *c, uint64_t lo, uint64_t hi, struct ctl_code *code)
{
	memset(code, 0, sizeof(*code));
	size_t len = hi > lo ? hi - lo : 0;
	if (len == 0 || len > (1u << 20))
		return -1;
	uint8_t *bytes = malloc(len);
	if (!bytes)
		return -1;
	if (grr_replay_read(c->rp, lo, bytes, len) < 0 ||
	    cs_open(CS_ARCH_X86, CS_MODE_64, &code->h) != CS_ERR_OK) {
		free(bytes);
		return -1;
	}
	cs_option(code->h, CS_OPT_DETAIL, CS_OPT_ON);
	code->n = cs_disasm(code->h, bytes, len, lo, 0, &code->insn);
	free(bytes);
	return 0;
}

void ctl_disasm_free(struct ctl_code *code)
{
	if (code->insn)
		cs_free(code->insn, code->n);
	if (code->h)
		cs_close(&code->h);
	memset(code, 0, sizeof(*code));
}

bool ctl_direct_call(const cs_insn *insn, uint64_t *target)
{
	const cs_x86 *x = &insn->detail->x86;
	if (insn->id != X86_INS_CALL || x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return false;
	*target = (uint64_t)x->operands[0].imm;
	return true;
}

int grr_ctl_direct_calls(struct grr_ctl *c, uint64_t lo, uint64_t hi, uint64_t *out, int max)
{
	struct ctl_code code;
	if (ctl_disasm(c, lo, hi, &code) < 0)
		return 0;
	int n = 0;
	for (size_t k = 0; k < code.n && n < max; k++)
		if (ctl_direct_call(&code.insn[k], &out[n]))
			n++;
	ctl_disasm_free(&code);
	return n;
}
