/* cli_memory.c - the debugger's low-level inspection commands, in Delve's
 * words and formats with gdb's names as aliases: regs, examinemem (x),
 * disassemble (disass), list (l, ls).  They look at the session's
 * selection: goroutine cli->sel_goid and frame cli->sel_frame
 * (cli_stack.c).  Memory and code are read from the replayed process,
 * which never holds the debugger's breakpoints (replayer/rp_break.c puts
 * the int3 bytes in only while a thread runs); instructions are decoded
 * with Capstone in Intel syntax, as Delve prints them. */
#include "replayer/cli/cli.h"
#include "replayer/inspect/stack.h"

#include <capstone/capstone.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#define MAX_EXAMINE (1u << 16)   /* bytes x reads at most */
#define MAX_DISASM (1u << 20)    /* bytes disassemble decodes at most */
#define LIST_CONTEXT 5           /* lines list shows each side, as Delve */

/* ---- arguments ---- */


static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long x = strtoull(s, &end, 0);
	if (*end || errno)
		return false;
	*v = x;
	return true;
}

/* ---- the selection's registers ---- */

/* What is known of the selected frame's registers. */
struct sel_regs {
	bool full;                  /* REGS holds the thread's registers */
	uint32_t tid;               /* that thread */
	struct user_regs_struct regs;
	bool have_frame;
	struct grr_frame frame;     /* the selected frame */
	char why[160];              /* when not full: why only pc/sp/bp */
};

/* The thread of the selected goroutine (0: parked or unknown). */
static uint32_t selected_tid(struct cli *cli, bool *parked)
{
	bool found;
	uint32_t tid = cli_goroutine_thread(cli, cli->sel_goid, &found);
	*parked = found && cli->sel_goid >= 0 && tid == 0;
	return tid;
}

/* The selected frame and as many of its registers as are known; -1 after
 * reporting why none are (QUIET: without reporting). */
static int get_selection(struct cli *cli, struct sel_regs *sr, bool quiet)
{
	memset(sr, 0, sizeof(*sr));
	int want = cli->sel_frame + 1;
	struct grr_frame *fr = malloc((size_t)want * sizeof(*fr));
	if (!fr)
		return cli_error("out of memory");
	char err[512];
	int n = grr_stack(cli->ctl, cli->sel_goid, fr, want, err, sizeof(err));
	if (n > cli->sel_frame) {
		sr->have_frame = true;
		sr->frame = fr[cli->sel_frame];
	}
	free(fr);
	bool parked;
	uint32_t tid = selected_tid(cli, &parked);
	bool innermost = cli->sel_frame == 0 || (sr->have_frame && sr->frame.innermost);
	if (tid && innermost &&
	    grr_replay_get_regs(grr_ctl_replay(cli->ctl), tid, &sr->regs) == 0) {
		sr->full = true;
		sr->tid = tid;
		/* a goroutine on the system stack: its frame 0 is on its own
		 * stack, not where the thread's registers are */
		if (sr->have_frame && sr->frame.pc != sr->regs.rip && cli->sel_goid >= 0)
			sr->full = false;
		if (sr->full)
			return 0;
	}
	if (!sr->have_frame) {
		if (quiet)
			return -1;
		if (n < 0)
			return cli_error("%s", err);
		return cli_error("no thread is stopped here");
	}
	memset(&sr->regs, 0, sizeof(sr->regs));
	sr->regs.rip = sr->frame.pc;
	sr->regs.rsp = sr->frame.sp;
	sr->regs.rbp = sr->frame.bp;
	if (cli->sel_frame > 0 && !sr->frame.innermost)
		snprintf(sr->why, sizeof(sr->why), "frame %d is a caller's: only its pc, sp and bp "
			 "are known", cli->sel_frame);
	else if (parked)
		snprintf(sr->why, sizeof(sr->why), "goroutine %" PRId64 " is not running: only its "
			 "saved pc, sp and bp are known", cli->sel_goid);
	else
		snprintf(sr->why, sizeof(sr->why), "goroutine %" PRId64 " is not on its thread's "
			 "stack: only its pc, sp and bp are known", cli->sel_goid);
	return 0;
}

static int selection_regs(struct cli *cli, struct sel_regs *sr)
{
	return get_selection(cli, sr, false);
}

/* The value of register NAME ("rsp", "$rsp", "pc", "sp"...) of the
 * selection; false if NAME is none or not known there. */
static bool reg_value(const struct sel_regs *sr, const char *name, uint64_t *v)
{
	const struct user_regs_struct *r = &sr->regs;
	const struct { const char *n; unsigned long long v; bool base; } regs[] = {
		{ "rip", r->rip, true }, { "pc", r->rip, true }, { "rsp", r->rsp, true },
		{ "sp", r->rsp, true }, { "rbp", r->rbp, true }, { "bp", r->rbp, true },
		{ "fp", r->rbp, true }, { "rax", r->rax, false }, { "rbx", r->rbx, false },
		{ "rcx", r->rcx, false }, { "rdx", r->rdx, false }, { "rsi", r->rsi, false },
		{ "rdi", r->rdi, false }, { "r8", r->r8, false }, { "r9", r->r9, false },
		{ "r10", r->r10, false }, { "r11", r->r11, false }, { "r12", r->r12, false },
		{ "r13", r->r13, false }, { "r14", r->r14, false }, { "r15", r->r15, false },
		{ "fs_base", r->fs_base, false }, { "gs_base", r->gs_base, false },
		{ "eflags", r->eflags, false }, { "rflags", r->eflags, false },
	};
	if (*name == '$')
		name++;
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (strcasecmp(regs[i].n, name) == 0) {
			if (!sr->full && !regs[i].base)
				return false;
			*v = regs[i].v;
			return true;
		}
	return false;
}

static bool is_reg_name(const char *name)
{
	struct sel_regs sr;
	memset(&sr, 0, sizeof(sr));
	sr.full = true;
	uint64_t v;
	return reg_value(&sr, name, &v);
}

/* ---- addresses: 0x..., 123, $reg, &pkg.var, pkg.var, FUNC, each with an
 * optional +N / -N ---- */

static int parse_address(struct cli *cli, const char *text, uint64_t *addr)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", text);
	char *s = cli_trim(buf);
	if (*s == '*')
		s = cli_trim(s + 1);
	/* a trailing offset: the last '+' or '-' after the first character */
	int64_t off = 0;
	char *op = NULL;
	for (char *p = s + 1; *p; p++)
		if (*p == '+' || *p == '-')
			op = p;
	if (op && *s != '&' && !strchr(s, '.') && !isdigit((unsigned char)*s) && *s != '$')
		op = NULL;
	if (op) {
		uint64_t n;
		char *num = cli_trim(op + 1);
		if (parse_u64(num, &n)) {
			off = *op == '-' ? -(int64_t)n : (int64_t)n;
			*op = 0;
			s = cli_trim(s);
		}
	}
	uint64_t base;
	if (!*s)
		return cli_error("no address given");
	if (*s == '$') {
		struct sel_regs sr;
		if (!is_reg_name(s))
			return cli_error("no register '%s'", s);
		if (selection_regs(cli, &sr) < 0)
			return -1;
		if (!reg_value(&sr, s, &base))
			return cli_error("register %s is not known here (%s)", s + 1, sr.why);
	} else if (isdigit((unsigned char)*s)) {
		if (!parse_u64(s, &base))
			return cli_error("'%s' is not an address", s);
	} else {
		const char *name = *s == '&' ? s + 1 : s;
		const struct grr_symbols *syms = grr_ctl_symbols(cli->ctl);
		struct grr_func_info fi;
		char err[256];
		if (!grr_symbols_global_addr(syms, name, &base)) {
			if (grr_symbols_func_named(syms, name, &fi, err, sizeof(err)) < 0)
				return cli_error("'%s' is not an address, register or package variable",
						 name);
			base = fi.entry;
		}
	}
	*addr = base + (uint64_t)off;
	return 0;
}

/* ---- regs [-a] ---- */

struct reg_line {
	char name[16];
	char value[160];
};

static void add_reg(struct reg_line *l, int *n, const char *name, uint64_t v)
{
	snprintf(l[*n].name, sizeof(l[*n].name), "%s", name);
	snprintf(l[*n].value, sizeof(l[*n].value), "0x%016" PRIx64, v);
	(*n)++;
}

/* Delve's decoding of the flags: "[IF ZF PF IOPL=0]", highest bit first. */
static void flags_text(uint64_t f, char *buf, size_t len)
{
	static const char *const bits[] = { "CF", "", "PF", "", "AF", "", "ZF", "SF", "TF",
					    "IF", "DF", "OF", "", "", "NT", "", "RF", "VM",
					    "AC", "VIF", "VIP", "ID" };
	size_t o = snprintf(buf, len, "[");
	for (int i = (int)(sizeof(bits) / sizeof(bits[0])) - 1; i >= 0; i--)
		if (bits[i][0] && (f >> i) & 1 && o < len)
			o += snprintf(buf + o, len - o, "%s ", bits[i]);
	if (o < len)
		snprintf(buf + o, len - o, "IOPL=%u]", (unsigned)((f >> 12) & 3));
}

static int cmd_regs(struct cli *cli, char *args)
{
	bool all = false;
	char *w;
	while ((w = cli_next_word(&args))) {
		if (strcmp(w, "-a") == 0)
			all = true;
		else
			return cli_error("usage: regs [-a] (unknown argument '%s')", w);
	}
	struct sel_regs sr;
	if (selection_regs(cli, &sr) < 0)
		return -1;
	const struct user_regs_struct *r = &sr.regs;
	struct reg_line *l = calloc(64, sizeof(*l));
	if (!l)
		return cli_error("out of memory");
	int n = 0;
	add_reg(l, &n, "Rip", r->rip);
	add_reg(l, &n, "Rsp", r->rsp);
	if (sr.full) {
		const struct { const char *n; unsigned long long v; } gp[] = {
			{ "Rax", r->rax }, { "Rbx", r->rbx }, { "Rcx", r->rcx }, { "Rdx", r->rdx },
			{ "Rdi", r->rdi }, { "Rsi", r->rsi }, { "Rbp", r->rbp }, { "R8", r->r8 },
			{ "R9", r->r9 }, { "R10", r->r10 }, { "R11", r->r11 }, { "R12", r->r12 },
			{ "R13", r->r13 }, { "R14", r->r14 }, { "R15", r->r15 },
			{ "Orig_rax", r->orig_rax }, { "Cs", r->cs }, { "Rflags", r->eflags },
			{ "Es", r->es }, { "Ss", r->ss }, { "Ds", r->ds }, { "Fs", r->fs },
			{ "Gs", r->gs }, { "Fs_base", r->fs_base }, { "Gs_base", r->gs_base },
		};
		for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
			add_reg(l, &n, gp[i].n, gp[i].v);
			if (strcmp(gp[i].n, "Rflags") == 0) {
				char ft[128];
				flags_text(gp[i].v, ft, sizeof(ft));
				size_t len = strlen(l[n - 1].value);
				snprintf(l[n - 1].value + len, sizeof(l[n - 1].value) - len, "\t%s", ft);
			}
		}
	} else {
		add_reg(l, &n, "Rbp", r->rbp);
	}
	struct user_fpregs_struct fp;
	bool have_fp = all && sr.full &&
		       grr_replay_get_fpregs(grr_ctl_replay(cli->ctl), sr.tid, &fp) == 0;
	if (have_fp) {
		for (int i = 0; i < 8; i++) {
			/* 80-bit x87 registers in 16-byte slots */
			const uint32_t *st = &fp.st_space[i * 4];
			snprintf(l[n].name, sizeof(l[n].name), "ST(%d)", i);
			snprintf(l[n].value, sizeof(l[n].value), "0x%04x%08x%08x", st[2] & 0xffff,
				 st[1], st[0]);
			n++;
		}
		add_reg(l, &n, "Fctrl", fp.cwd);
		add_reg(l, &n, "Fstat", fp.swd);
		add_reg(l, &n, "Ftag", fp.ftw);
		add_reg(l, &n, "Fop", fp.fop);
		add_reg(l, &n, "Fioff", fp.rip);
		add_reg(l, &n, "Fooff", fp.rdp);
		add_reg(l, &n, "MXCSR", fp.mxcsr);
		add_reg(l, &n, "MXCSR_MASK", fp.mxcr_mask);
		for (int i = 0; i < 16; i++) {
			/* the 128-bit value, most significant byte first */
			const uint8_t *b = (const uint8_t *)&fp.xmm_space[i * 4];
			char *v = l[n].value;
			snprintf(l[n].name, sizeof(l[n].name), "XMM%d", i);
			int o = snprintf(v, sizeof(l[n].value), "0x");
			for (int k = 15; k >= 0; k--)
				o += snprintf(v + o, sizeof(l[n].value) - (size_t)o, "%02x", b[k]);
			n++;
		}
	}
	int width = 0;
	for (int i = 0; i < n; i++)
		if ((int)strlen(l[i].name) > width)
			width = (int)strlen(l[i].name);
	for (int i = 0; i < n; i++)
		fprintf(cli->out, "%*s = %s\n", width, l[i].name, l[i].value);
	free(l);
	if (!sr.full)
		fprintf(cli->out, "(%s%s)\n", sr.why, all ? "; no x87/SSE registers" : "");
	else if (all && !have_fp)
		fprintf(cli->out, "(the x87/SSE registers could not be read)\n");
	return 0;
}

/* ---- examinemem [-fmt F] [-count N] [-size S] ADDR | x/NFS ADDR ---- */

static int format_letter(const char *s)
{
	if (!strcmp(s, "hex") || !strcmp(s, "x"))
		return 'x';
	if (!strcmp(s, "dec") || !strcmp(s, "d") || !strcmp(s, "u"))
		return 'd';
	if (!strcmp(s, "oct") || !strcmp(s, "o"))
		return 'o';
	if (!strcmp(s, "bin") || !strcmp(s, "t") || !strcmp(s, "b"))
		return 'b';
	return 0;
}

/* gdb's /NFS: count, format (x d u o t) and size (b h w g), any order
 * after the count.  0 or -1 after reporting the error. */
static int parse_gdb_spec(const char *spec, long *count, int *fmt, int *size)
{
	const char *p = spec;
	if (isdigit((unsigned char)*p)) {
		char *end;
		*count = strtol(p, &end, 10);
		p = end;
	}
	for (; *p; p++) {
		switch (*p) {
		case 'x': *fmt = 'x'; break;
		case 'd': case 'u': *fmt = 'd'; break;
		case 'o': *fmt = 'o'; break;
		case 't': *fmt = 'b'; break;
		case 'b': *size = 1; break;
		case 'h': *size = 2; break;
		case 'w': *size = 4; break;
		case 'g': *size = 8; break;
		default:
			return cli_error("x/%s: unknown format or size letter '%c' (formats x d u o "
					 "t, sizes b h w g)", spec, *p);
		}
	}
	return 0;
}

/* Reads LEN bytes at ADDR; on failure reports the first unreadable
 * address. */
static int read_memory(struct cli *cli, uint64_t addr, uint8_t *buf, size_t len)
{
	struct grr_replay *rp = grr_ctl_replay(cli->ctl);
	if (grr_replay_read(rp, addr, buf, len) == 0)
		return 0;
	uint64_t bad = addr;
	for (size_t i = 0; i < len; i += 4096 - ((addr + i) & 4095)) {
		size_t chunk = 4096 - ((addr + i) & 4095);
		if (chunk > len - i)
			chunk = len - i;
		if (grr_replay_read(rp, addr + i, buf + i, chunk) < 0) {
			bad = addr + i;
			break;
		}
	}
	return cli_error("cannot read memory at 0x%" PRIx64, bad);
}

static void format_item(char *buf, size_t len, int fmt, int size, uint64_t v)
{
	switch (fmt) {
	case 'd': {
		static const int w[] = { 0, 3, 5, 0, 10, 0, 0, 0, 20 };
		snprintf(buf, len, "%*" PRIu64, w[size], v);
		break;
	}
	case 'o':
		snprintf(buf, len, "0%0*" PRIo64, (size * 8 + 2) / 3, v);
		break;
	case 'b': {
		int o = snprintf(buf, len, "0b");
		for (int i = size * 8 - 1; i >= 0 && (size_t)o + 1 < len; i--)
			buf[o++] = (v >> i) & 1 ? '1' : '0';
		buf[o] = 0;
		break;
	}
	default:
		snprintf(buf, len, "0x%0*" PRIx64, size * 2, v);
	}
}

static int cmd_examine(struct cli *cli, char *args)
{
	static const char usage[] = "usage: x [-fmt hex|dec|oct|bin] [-count N] [-size 1|2|4|8] "
				    "ADDR, or x /NFS ADDR";
	int fmt = 'x', size = 1;
	long count = 1;
	bool gdb = false;
	char *w, *addr_text = NULL;
	args = cli_trim(args);
	if (*args == '/') {
		w = cli_next_word(&args);
		gdb = true;
		size = 4;  /* gdb's default unit: a word */
		if (parse_gdb_spec(w + 1, &count, &fmt, &size) < 0)
			return -1;
	}
	while ((w = cli_next_word(&args))) {
		if (!gdb && (strcmp(w, "-fmt") == 0 || strcmp(w, "-count") == 0 ||
			     strcmp(w, "-len") == 0 || strcmp(w, "-size") == 0)) {
			char *v = cli_next_word(&args);
			if (!v)
				return cli_error("%s: %s needs a value", usage, w);
			if (strcmp(w, "-fmt") == 0) {
				if (!(fmt = format_letter(v)))
					return cli_error("unknown format '%s' (hex, dec, oct, bin)", v);
			} else {
				char *end;
				errno = 0;
				long x = strtol(v, &end, 0);
				if (!*v || *end || errno || x <= 0)
					return cli_error("%s: '%s' is not a positive number", w, v);
				if (strcmp(w, "-size") == 0)
					size = (int)x;
				else
					count = x;
			}
		} else {
			/* the rest of the line is the address ($rsp + 8) */
			if (*args) {
				w[strlen(w)] = ' ';
			}
			addr_text = w;
			break;
		}
	}
	if (!addr_text)
		return cli_error("%s", usage);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return cli_error("size must be 1, 2, 4 or 8 bytes, not %d", size);
	if (count < 1 || (unsigned long)count * (unsigned)size > MAX_EXAMINE)
		return cli_error("count must be between 1 and %u bytes / size", MAX_EXAMINE);
	uint64_t addr;
	if (parse_address(cli, addr_text, &addr) < 0)
		return -1;
	size_t len = (size_t)count * (size_t)size;
	uint8_t *buf = malloc(len);
	if (!buf)
		return cli_error("out of memory");
	if (read_memory(cli, addr, buf, len) < 0) {
		free(buf);
		return -1;
	}
	int cols = fmt == 'b' ? 4 : 8;
	char last[32];
	int alen = snprintf(last, sizeof(last), "%" PRIx64, addr + len);
	for (long i = 0; i < count; i++) {
		if (i % cols == 0) {
			if (i)
				fputc('\n', cli->out);
			fprintf(cli->out, "0x%0*" PRIx64 ":", alen, addr + (uint64_t)i * size);
		}
		uint64_t v = 0;
		memcpy(&v, buf + i * size, (size_t)size);  /* little-endian */
		char item[80];
		format_item(item, sizeof(item), fmt, size, v);
		fprintf(cli->out, "   %s", item);
	}
	fputc('\n', cli->out);
	free(buf);
	return 0;
}

/* ---- disassemble [-a START END] [-l LOC] ---- */

/* The pc of the selected frame, or 0 after reporting why none. */
static uint64_t selected_pc(struct cli *cli)
{
	struct sel_regs sr;
	if (selection_regs(cli, &sr) < 0)
		return 0;
	return sr.regs.rip;
}

/* "main.go:27" for PC, or "?". */
static void short_line(struct cli *cli, uint64_t pc, char *buf, size_t len)
{
	struct grr_line_info li;
	if (!grr_symbols_line_at(grr_ctl_symbols(cli->ctl), pc, &li) || !li.file ||
	    strcmp(li.file, "?") == 0) {
		snprintf(buf, len, "?");
		return;
	}
	const char *base = strrchr(li.file, '/');
	snprintf(buf, len, "%s:%d", base ? base + 1 : li.file, li.line);
}

/* The symbol at ADDR: "main.add" at an entry, "main.add+0x12" inside. */
static bool symbolize(struct cli *cli, uint64_t addr, char *buf, size_t len)
{
	struct grr_func_info fi;
	if (!grr_symbols_func_at(grr_ctl_symbols(cli->ctl), addr, &fi) || !fi.name)
		return false;
	if (addr == fi.entry)
		snprintf(buf, len, "%s", fi.name);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, fi.name, addr - fi.entry);
	return true;
}

/* The instruction's text; a direct call or jump to another function says
 * its name as Delve does ("call $main.add"). */
static void insn_text(struct cli *cli, const cs_insn *in, uint64_t lo, uint64_t hi, char *buf,
		      size_t len)
{
	const cs_x86 *x = &in->detail->x86;
	bool branch = false;
	for (int g = 0; g < in->detail->groups_count; g++)
		if (in->detail->groups[g] == CS_GRP_CALL || in->detail->groups[g] == CS_GRP_JUMP)
			branch = true;
	char sym[512];
	if (branch && x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
		uint64_t t = (uint64_t)x->operands[0].imm;
		if ((t < lo || t >= hi || in->id == X86_INS_CALL) &&
		    symbolize(cli, t, sym, sizeof(sym))) {
			snprintf(buf, len, "%s $%s", in->mnemonic, sym);
			return;
		}
	}
	/* rip-relative operands: name the package variable or function */
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP &&
		    op->mem.index == X86_REG_INVALID) {
			uint64_t t = in->address + in->size + (uint64_t)op->mem.disp;
			if (symbolize(cli, t, sym, sizeof(sym)))
				snprintf(buf, len, "%s %s\t# $%s", in->mnemonic, in->op_str, sym);
			else
				snprintf(buf, len, "%s %s\t# 0x%" PRIx64, in->mnemonic, in->op_str, t);
			return;
		}
	}
	snprintf(buf, len, "%s%s%s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
}

static int disassemble_range(struct cli *cli, uint64_t lo, uint64_t hi, uint64_t cur,
			     const char *title)
{
	if (hi <= lo)
		return cli_error("empty range 0x%" PRIx64 "-0x%" PRIx64, lo, hi);
	if (hi - lo > MAX_DISASM)
		return cli_error("range too large (%" PRIu64 " bytes, at most %u)", hi - lo,
				 MAX_DISASM);
	size_t len = hi - lo;
	uint8_t *bytes = malloc(len);
	if (!bytes)
		return cli_error("out of memory");
	if (read_memory(cli, lo, bytes, len) < 0) {
		free(bytes);
		return -1;
	}
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
		free(bytes);
		return cli_error("cannot open the disassembler");
	}
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
	cs_insn *insn = NULL;
	size_t n = cs_disasm(h, bytes, len, lo, 0, &insn);
	free(bytes);
	if (n == 0) {
		cs_close(&h);
		return cli_error("no instruction decodes at 0x%" PRIx64, lo);
	}
	/* columns aligned as Delve's tabwriter does */
	int wloc = 0, wbytes = 0;
	for (size_t i = 0; i < n; i++) {
		char fl[512];
		short_line(cli, insn[i].address, fl, sizeof(fl));
		if ((int)strlen(fl) > wloc)
			wloc = (int)strlen(fl);
		if (insn[i].size * 2 > wbytes)
			wbytes = insn[i].size * 2;
	}
	if (title)
		fprintf(cli->out, "%s\n", title);
	for (size_t i = 0; i < n; i++) {
		char fl[512], hex[64] = "", text[1024];
		short_line(cli, insn[i].address, fl, sizeof(fl));
		for (int k = 0; k < insn[i].size && k < 24; k++)
			snprintf(hex + 2 * k, sizeof(hex) - 2 * (size_t)k, "%02x", insn[i].bytes[k]);
		insn_text(cli, &insn[i], lo, hi, text, sizeof(text));
		fprintf(cli->out, "%-2s  %-*s  0x%" PRIx64 "  %-*s  %s\n",
			insn[i].address == cur ? "=>" : "", wloc, fl, insn[i].address, wbytes, hex,
			text);
	}
	uint64_t end = insn[n - 1].address + insn[n - 1].size;
	cs_free(insn, n);
	cs_close(&h);
	if (end < hi)
		fprintf(cli->out, "(0x%" PRIx64 "-0x%" PRIx64 " does not decode)\n", end, hi);
	return 0;
}

static int disassemble_func(struct cli *cli, uint64_t pc, uint64_t cur)
{
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	struct grr_func_info fi;
	if (!grr_symbols_func_at(s, pc, &fi))
		return cli_error("no function at 0x%" PRIx64 " (use disassemble -a START END)", pc);
	struct grr_line_info li;
	char title[4400];
	if (grr_symbols_line_at(s, fi.entry, &li) && li.file && strcmp(li.file, "?") != 0)
		snprintf(title, sizeof(title), "TEXT %s(SB) %s", fi.name, li.file);
	else
		snprintf(title, sizeof(title), "TEXT %s(SB)", fi.name);
	return disassemble_range(cli, fi.entry, fi.end, cur, title);
}

static int cmd_disassemble(struct cli *cli, char *args)
{
	static const char usage[] = "usage: disassemble [-a START END] [-l LOCATION]";
	char *w = cli_next_word(&args);
	if (!w) {
		uint64_t pc = selected_pc(cli);
		if (!pc)
			return -1;
		/* a caller's pc is a return address: its function is the call's */
		struct sel_regs sr;
		bool caller = cli->sel_frame > 0 && selection_regs(cli, &sr) == 0 && !sr.full;
		return disassemble_func(cli, caller ? pc - 1 : pc, pc);
	}
	struct sel_regs sr;
	uint64_t cur = get_selection(cli, &sr, true) == 0 ? sr.regs.rip : 0;
	if (strcmp(w, "-a") == 0) {
		char *a = cli_next_word(&args), *b = cli_next_word(&args);
		if (!a || !b || *cli_trim(args))
			return cli_error("%s", usage);
		uint64_t lo, hi;
		if (parse_address(cli, a, &lo) < 0 || parse_address(cli, b, &hi) < 0)
			return -1;
		return disassemble_range(cli, lo, hi, cur, NULL);
	}
	if (strcmp(w, "-l") == 0) {
		char *loc = cli_trim(args);
		if (!*loc)
			return cli_error("%s", usage);
		struct grr_location locs[GRR_CTL_MAX_LOCS];
		char err[512];
		int n = grr_symbols_resolve(grr_ctl_symbols(cli->ctl), loc, locs, GRR_CTL_MAX_LOCS,
					    err, sizeof(err));
		if (n < 0)
			return cli_error("%s", err);
		return disassemble_func(cli, locs[0].pc, cur);
	}
	return cli_error("%s", usage);
}

/* ---- list [LOCATION] ---- */

static int print_source(struct cli *cli, const char *file, int line, uint64_t pc, int mark)
{
	char shown[CLI_SRCPATH_LEN];
	FILE *f = cli_source_open(cli, file, shown, sizeof(shown));
	if (!f)
		return cli_error("cannot read source file %s: not here and not packed in the trace "
				 "(config substitute-path FROM TO maps it)", file);
	file = shown;
	int context = cli->list_lines > 0 ? cli->list_lines : LIST_CONTEXT;
	if (pc)
		fprintf(cli->out, "Showing %s:%d (PC: 0x%" PRIx64 ")\n", file, line, pc);
	else
		fprintf(cli->out, "Showing %s:%d\n", file, line);
	int first = line - context < 1 ? 1 : line - context;
	int last = line + context;
	char *text = NULL;
	size_t cap = 0;
	ssize_t got;
	int no = 0;
	bool any = false;
	while ((got = getline(&text, &cap, f)) >= 0) {
		if (++no < first)
			continue;
		if (no > last)
			break;
		if (got > 0 && text[got - 1] == '\n')
			text[got - 1] = 0;
		fprintf(cli->out, "%s%4d:\t%s\n", no == mark ? "=>" : "  ", no, text);
		any = true;
	}
	free(text);
	fclose(f);
	if (!any)
		return cli_error("%s has no line %d (%d lines)", file, line, no);
	return 0;
}

/* The selected frame's source position. */
static bool selected_line(struct cli *cli, uint64_t *pc, struct grr_line_info *li)
{
	struct sel_regs sr;
	if (selection_regs(cli, &sr) < 0)
		return false;
	if (sr.have_frame && sr.frame.file) {
		*pc = sr.frame.pc;
		li->file = sr.frame.file;
		li->line = sr.frame.line;
		return true;
	}
	*pc = sr.regs.rip;
	uint64_t at = cli->sel_frame > 0 && !sr.full && *pc ? *pc - 1 : *pc;
	if (!grr_symbols_line_at(grr_ctl_symbols(cli->ctl), at, li) || !li->file ||
	    strcmp(li->file, "?") == 0) {
		cli_error("no source line at 0x%" PRIx64, *pc);
		return false;
	}
	return true;
}


/* FILE:LINE of a line without code: the file of the nearest line that has
 * code; 0, or -1 if none. */
static int file_of_codeless_line(struct cli *cli, char *spec, int line, const char **file)
{
	char probe[700];
	struct grr_location loc;
	for (int d = 1; d < 200; d++)
		for (int sgn = -1; sgn <= 1; sgn += 2) {
			int l = line + sgn * d;
			if (l < 1)
				continue;
			snprintf(probe, sizeof(probe), "%s:%d", spec, l);
			char e2[256];
			if (grr_symbols_resolve(grr_ctl_symbols(cli->ctl), probe, &loc, 1, e2,
						sizeof(e2)) >= 1 && loc.file) {
				*file = loc.file;
				return 0;
			}
		}
	return -1;
}

/* The line number ending SPEC ("file.go:12"), 0 if it ends otherwise. */
static int spec_line(const char *spec)
{
	const char *colon = strrchr(spec, ':');
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
		return atoi(colon + 1);
	return 0;
}

int cli_listing(struct cli *cli, const char *args, struct cli_listing *ls)
{
	memset(ls, 0, sizeof(*ls));
	struct grr_line_info cur;
	if (!*args) {
		if (!selected_line(cli, &ls->pc, &cur))
			return -1;
		ls->file = cur.file;
		ls->line = ls->mark = cur.line;
		return 0;
	}
	/* the current line, to mark it if it is shown; quietly */
	struct sel_regs sr;
	bool have_cur = get_selection(cli, &sr, true) == 0 && sr.have_frame && sr.frame.file;
	if (have_cur) {
		cur.file = sr.frame.file;
		cur.line = sr.frame.line;
	}
	if (strspn(args, "0123456789") == strlen(args)) {
		/* LINE: in the selected frame's file */
		if (!have_cur)
			return cli_error("no current file for line %s (use list FILE:LINE)", args);
		ls->file = cur.file;
		ls->line = atoi(args);
		ls->mark = ls->line == cur.line ? ls->line : 0;
		return 0;
	}
	char spec[600];
	snprintf(spec, sizeof(spec), "%s", args);
	struct grr_location locs[GRR_CTL_MAX_LOCS];
	char err[512];
	int n = grr_symbols_resolve(grr_ctl_symbols(cli->ctl), spec, locs, GRR_CTL_MAX_LOCS, err,
				    sizeof(err));
	int want = spec_line(spec);
	if (n < 0) {
		/* FILE:LINE of a line without code still lists */
		if (!want)
			return cli_error("%s", err);
		*strrchr(spec, ':') = 0;
		if (file_of_codeless_line(cli, spec, want, &ls->file) < 0)
			return cli_error("%s", err);
		ls->line = want;
		ls->mark = have_cur && !strcmp(cur.file, ls->file) && cur.line == want ? want : 0;
		return 0;
	}
	if (!locs[0].file)
		return cli_error("no source line at %s (0x%" PRIx64 ")", args, locs[0].pc);
	ls->file = locs[0].file;
	ls->mark = have_cur && strcmp(cur.file, locs[0].file) == 0 ? cur.line : 0;
	/* FILE:LINE: that line, even when its code starts on a later one */
	if (want && locs[0].line != want) {
		ls->line = want;
		return 0;
	}
	ls->line = locs[0].line;
	ls->pc = locs[0].pc;
	return 0;
}

static int cmd_list(struct cli *cli, char *args)
{
	struct cli_listing ls;
	if (cli_listing(cli, cli_trim(args), &ls) < 0)
		return -1;
	return print_source(cli, ls.file, ls.line, ls.pc, ls.mark);
}

static const struct cli_command memory_commands[] = {
	{ "regs", "", cmd_regs, "regs [-a]",
	  "Prints the registers of the selected goroutine and frame.\n"
	  "Frame 0 of a goroutine running on a thread: the thread's registers, -a adds\n"
	  "the x87 and SSE ones. A caller's frame, or a goroutine that is not running:\n"
	  "only pc, sp and bp are known (Rip, Rsp, Rbp)." },
	{ "examinemem", "x", cmd_examine,
	  "examinemem [-fmt hex|dec|oct|bin] [-count N] [-size 1|2|4|8] ADDR  |  x /NFS ADDR",
	  "Prints memory at an address.\n"
	  "COUNT items (default 1) of SIZE bytes (default 1) at ADDR, 8 a line.\n"
	  "ADDR: 0x..., a decimal number, a register ($rsp, $rbp, $pc of the selected\n"
	  "frame), a package variable (&main.counter or main.counter) or a function,\n"
	  "each with an optional +N or -N. gdb's form 'x /NFS' takes the count N, the\n"
	  "format F (x d u o t) and the size S (b h w g; default w) after a slash." },
	{ "disassemble", "disass", cmd_disassemble, "disassemble [-a START END] [-l LOCATION]",
	  "Disassembles a function (Intel syntax).\n"
	  "The selected frame's function, or the addresses [START, END), or the function\n"
	  "of LOCATION. '=>' marks the selected frame's pc; direct calls name their\n"
	  "target ($main.add); rip-relative operands show their address." },
	{ "list", "l ls", cmd_list, "list [LOCATION | LINE]",
	  "Shows source lines.\n"
	  "Five lines each side of the selected frame's line, or of LOCATION\n"
	  "(main.apply, file.go:LINE, *0xADDR), or of LINE in the selected frame's\n"
	  "file. '=>' marks the selected frame's line." },
};

const struct cli_table cli_memory_table = {
	"Memory, registers and code", memory_commands,
	sizeof(memory_commands) / sizeof(memory_commands[0])
};
