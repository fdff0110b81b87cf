/* gs_regs.c - registers: 'g' (all, in target.xml's order), 'p' (one),
 * 'P' and 'G' (writes: refused, as rr refuses them outside a diversion,
 * except gdb's orig_rax write on a restart, taken and ignored).  A
 * thread stopped in grr's syscall buffer page is shown at the program's
 * patched syscall, as in a core file. */
#include "replayer/gdbserver/gs_private.h"

#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#define REGS_MAX 1024          /* bytes of every register in 'g' order */
#define XSAVE_MAX 16384
#define XSAVE_HEADER 512       /* xstate_bv, in the XSAVE header */
#define XSTATE_AVX (1u << 2)

/* Where the AVX upper halves are in the (standard) XSAVE area. */
static size_t avx_offset(void)
{
	unsigned a, b, c, d;
	if (__get_cpuid_count(0xd, 2, &a, &b, &c, &d) && b)
		return b;
	return 576;
}

/* The full x87 tag word from FXSAVE's abridged one: per physical
 * register, 3 empty, else valid (0), zero (1) or special (2). */
static uint16_t full_tag(const struct user_fpregs_struct *fp)
{
	int top = (fp->swd >> 11) & 7;
	uint16_t tag = 0;
	for (int p = 0; p < 8; p++) {
		int t = 3;
		if (fp->ftw & (1u << p)) {
			const uint8_t *st = (const uint8_t *)fp->st_space + 16 * ((p - top) & 7);
			uint64_t mant;
			uint16_t exp;
			memcpy(&mant, st, 8);
			memcpy(&exp, st + 8, 2);
			exp &= 0x7fff;
			if (exp == 0x7fff)
				t = 2;
			else if (exp == 0)
				t = mant ? 2 : 1;
			else
				t = mant >> 63 ? 0 : 2;
		}
		tag |= (uint16_t)(t << (2 * p));
	}
	return tag;
}

static size_t put(uint8_t *buf, size_t k, const void *v, size_t n)
{
	memcpy(buf + k, v, n);
	return k + n;
}

static size_t put32(uint8_t *buf, size_t k, uint64_t v)
{
	uint32_t x = (uint32_t)v;
	return put(buf, k, &x, 4);
}

static size_t put_gp(uint8_t *buf, size_t k, const struct user_regs_struct *r)
{
	const unsigned long long gp[] = { r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi,
					  r->rbp, r->rsp, r->r8,  r->r9,  r->r10, r->r11,
					  r->r12, r->r13, r->r14, r->r15, r->rip };
	for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++)
		k = put(buf, k, &gp[i], 8);
	k = put32(buf, k, r->eflags);
	const unsigned long long seg[] = { r->cs, r->ss, r->ds, r->es, r->fs, r->gs };
	for (size_t i = 0; i < 6; i++)
		k = put32(buf, k, seg[i]);
	return k;
}

static size_t put_x87(uint8_t *buf, size_t k, const struct user_fpregs_struct *fp)
{
	for (int i = 0; i < 8; i++)
		k = put(buf, k, (const uint8_t *)fp->st_space + 16 * i, 10);
	k = put32(buf, k, fp->cwd);
	k = put32(buf, k, fp->swd);
	k = put32(buf, k, full_tag(fp));
	k = put32(buf, k, (fp->rip >> 32) & 0xffff);
	k = put32(buf, k, fp->rip & 0xffffffff);
	k = put32(buf, k, (fp->rdp >> 32) & 0xffff);
	k = put32(buf, k, fp->rdp & 0xffffffff);
	return put32(buf, k, fp->fop & 0x7ff);
}

/* Thread TID's registers in 'g' order into BUF (REGS_MAX bytes): their
 * length, or -1 when the thread cannot be read. */
static int read_all(struct gs *s, uint32_t tid, uint8_t *buf)
{
	struct grr_replay *rp = grr_ctl_replay(s->ctl);
	struct user_regs_struct r;
	struct user_fpregs_struct fp;
	if (!tid || grr_replay_get_regs(rp, tid, &r) < 0 || grr_replay_get_fpregs(rp, tid, &fp) < 0)
		return -1;
	/* a thread in grr's syscall buffer page shows at the program's
	 * syscall, as in a core file (writes are refused, so nothing maps
	 * it back) */
	grr_replay_program_regs(rp, &r);
	size_t k = put_gp(buf, 0, &r);
	k = put_x87(buf, k, &fp);
	k = put(buf, k, fp.xmm_space, 256);
	k = put32(buf, k, fp.mxcsr);
	k = put(buf, k, &r.orig_rax, 8);
	k = put(buf, k, &r.fs_base, 8);
	k = put(buf, k, &r.gs_base, 8);
	uint8_t *xs = calloc(1, XSAVE_MAX);
	if (!xs)
		return -1;
	int n = grr_replay_get_xstate(rp, tid, xs, XSAVE_MAX);
	uint64_t bv = 0;
	size_t off = avx_offset();
	if (n >= XSAVE_HEADER + 8)
		memcpy(&bv, xs + XSAVE_HEADER, 8);
	if (!(bv & XSTATE_AVX) || (size_t)n < off + 256)
		memset(xs + off, 0, 256);  /* the upper halves are in their init state */
	k = put(buf, k, xs + off, 256);
	free(xs);
	return (int)k;
}

static int offset_of(int regnum)
{
	int off = 0;
	for (int i = 0; i < regnum; i++)
		off += gs_reg(i)->bits / 8;
	return off;
}

void gs_handle_g(struct gs *s)
{
	uint8_t buf[REGS_MAX];
	char hex[2 * REGS_MAX + 1];
	int n = read_all(s, gs_query_thread(s), buf);
	if (n < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	gs_hex_encode(buf, (size_t)n, hex);
	gs_send_str(&s->conn, hex);
}

/* "N[;thread:ID;]": the register number, and the thread if named. */
static int reg_and_thread(struct gs *s, const char **args, int *regnum, uint32_t *tid)
{
	uint64_t n;
	if (gs_hex_u64(args, &n) < 0 || n >= (uint64_t)gs_reg_count())
		return -1;
	*regnum = (int)n;
	*tid = gs_query_thread(s);
	const char *suffix = strstr(*args, ";thread:");
	if (suffix) {
		const char *p = suffix + 8;
		uint32_t t;
		if (gs_parse_thread(&p, &t) < 0)
			return -1;
		if (t)
			*tid = t;
	}
	return 0;
}

void gs_handle_p(struct gs *s, const char *args)
{
	int regnum;
	uint32_t tid;
	uint8_t buf[REGS_MAX];
	char hex[64];
	if (reg_and_thread(s, &args, &regnum, &tid) < 0 || read_all(s, tid, buf) < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	gs_hex_encode(buf + offset_of(regnum), (size_t)gs_reg(regnum)->bits / 8, hex);
	gs_send_str(&s->conn, hex);
}

void gs_handle_P(struct gs *s, const char *args)
{
	int regnum;
	uint32_t tid;
	if (reg_and_thread(s, &args, &regnum, &tid) < 0 || *args != '=') {
		gs_send_str(&s->conn, "E01");
		return;
	}
	/* gdb sets orig_rax to -1 on a restart; the replay's own is kept */
	bool orig_rax = strcmp(gs_reg(regnum)->name, "orig_rax") == 0;
	gs_send_str(&s->conn, orig_rax ? "OK" : "E01");
}
