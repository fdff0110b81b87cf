/* ctl_frame.c - the innermost frame of a stopped thread: where it returns
 * to and the stack pointer after the return.
 *
 * Go on amd64 keeps frame pointers: a function with a frame saves the
 * caller's rbp and points rbp at it in its prologue, so in the body the
 * return address is at rbp+8.  A frameless function (a leaf with no
 * locals) and any function at its entry have it at rsp. */
#include "replayer/control/ctl_private.h"

#include <capstone/capstone.h>
#include <string.h>

/* Whether the prologue of F (entry up to body) sets rbp from rsp. */
static bool sets_frame_pointer(struct grr_ctl *c, const struct grr_func_info *f)
{
	uint8_t code[96];
	size_t len = f->body > f->entry ? f->body - f->entry : 0;
	if (len == 0 || len > sizeof(code) || grr_replay_read(c->rp, f->entry, code, len) < 0)
		return false;
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return false;
	cs_insn *insn;
	size_t n = cs_disasm(h, code, len, f->entry, 0, &insn);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = (insn[i].id == X86_INS_MOV || insn[i].id == X86_INS_LEA) &&
			strncmp(insn[i].op_str, "rbp, ", 5) == 0 && strstr(insn[i].op_str, "rsp");
	cs_free(insn, n);
	cs_close(&h);
	return found;
}

int ctl_frame_return(struct grr_ctl *c, const struct user_regs_struct *regs,
		     uint64_t *ret, uint64_t *cfa)
{
	struct grr_func_info f;
	if (!grr_symbols_func_at(c->syms, regs->rip, &f))
		return -1;
	if (regs->rip >= f.body && regs->rip != f.entry && sets_frame_pointer(c, &f)) {
		*cfa = regs->rbp + 16;
	} else {
		*cfa = regs->rsp + 8;
	}
	return grr_replay_read(c->rp, *cfa - 8, ret, 8);
}

uint64_t ctl_call_before(struct grr_ctl *c, uint64_t ret)
{
	uint8_t code[8];
	if (ret < 8 || grr_replay_read(c->rp, ret - 8, code, 8) < 0)
		return 0;
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return 0;
	uint64_t found = 0;
	for (int k = 2; k <= 7 && !found; k++) {
		cs_insn *insn;
		size_t n = cs_disasm(h, code + 8 - k, (size_t)k, ret - (uint64_t)k, 1, &insn);
		if (n == 1 && insn[0].size == k && insn[0].id == X86_INS_CALL)
			found = ret - (uint64_t)k;
		cs_free(insn, n);
	}
	cs_close(&h);
	return found;
}

bool ctl_is_runtime(const char *func)
{
	return !func || strncmp(func, "runtime.", 8) == 0 || strncmp(func, "internal/", 9) == 0 ||
	       strncmp(func, "runtime/internal/", 17) == 0 || strncmp(func, "sync/atomic.", 12) == 0;
}

/* Inlined calls at PC, innermost first, and how many. */
static int inline_chain(struct grr_ctl *c, uint64_t pc, struct grr_inline_frame *out, int max)
{
	return grr_symbols_inline_frames(c->syms, pc, out, max);
}

bool ctl_same_inline_level(struct grr_ctl *c, uint64_t here, uint64_t pc)
{
	struct grr_inline_frame a[16], b[16];
	int na = inline_chain(c, here, a, 16), nb = inline_chain(c, pc, b, 16);
	if (nb > na)
		return false;  /* inside a call inlined from here: stepped over */
	/* the same inlined calls around both (or a caller of them) */
	for (int k = 0; k < nb; k++)
		if (a[na - nb + k].func != b[k].func)
			return false;
	return true;
}

bool ctl_inlined_from_line(struct grr_ctl *c, uint64_t here, uint64_t pc,
			   const struct grr_line_info *cur, const char **func)
{
	struct grr_inline_frame a[16], b[16];
	int na = inline_chain(c, here, a, 16), nb = inline_chain(c, pc, b, 16);
	if (nb <= na)
		return false;
	const struct grr_inline_frame *call = &b[nb - na - 1];
	*func = call->func;
	return call->call_line == cur->line && call->call_file == cur->file;
}
