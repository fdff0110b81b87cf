/* sysbuf.c - the syscall buffer page (see sysbuf.h). */
#include "tracee/sysbuf.h"
#include "tracee/digest.h"
#include "tracee/maps.h"
#include "tracee/remote.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

_Static_assert(GRR_SB_ADDR + GRR_SB_LEN <= GRR_RESERVED_ADDR,
	       "the syscall buffer must stay below grr's reserved range");

/* Syscall6's `syscall; cmp $-4095, %rax; jbe ...` */
static const uint8_t SITE_BYTES[] = { 0x0f, 0x05, 0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff, 0x76 };
#define PATCH_LEN 8u
/* Go 1.19's runtime.epollwait: `syscall; movl %eax, 0x20(%rsp); ret` */
static const uint8_t SITE2_BYTES[] = { 0x0f, 0x05, 0x89, 0x44, 0x24, 0x20, 0xc3 };
#define PATCH2_LEN 6u
/* runtime.futex (all toolchains): `syscall; movl %eax, 0x30(%rsp); ret` */
static const uint8_t SITE3_BYTES[] = { 0x0f, 0x05, 0x89, 0x44, 0x24, 0x30, 0xc3 };
#define PATCH3_LEN 6u
/* Go's cpuid helpers: `cpuid; movl %eax, 0x10(%rsp)` */
static const uint8_t CPUID_BYTES[] = { 0x0f, 0xa2, 0x89, 0x44, 0x24, 0x10 };
static const char *const CPUID_FUNCS[GRR_SB_CPUID_SITES] = {
	"internal/cpu.cpuid.abi0",
	"vendor/golang.org/x/sys/cpu.cpuid.abi0",
	"golang.org/x/sys/cpu.cpuid.abi0",
};

static const char *const SITE_FUNCS[] = {
	"internal/runtime/syscall/linux.Syscall6",   /* Go >= 1.24 */
	"internal/runtime/syscall.Syscall6",         /* Go 1.21 - 1.23 */
	"runtime/internal/syscall.Syscall6",         /* Go 1.19 - 1.20 */
};

#define COPY(p) { p##entry, p##traced, p##untraced1, p##untraced2, p##mismatch }
static const struct grr_sb_code CODE_V2 = {
	.start = grr_sb_code, .end = grr_sb_code_end,
	.copy = { COPY(grr_sb_), COPY(grr_sb2_), { NULL, NULL, NULL, NULL, NULL } },
	.cpuid = { grr_sb_cpuid0, grr_sb_cpuid1, grr_sb_cpuid2 },
};
static const struct grr_sb_code CODE_V3 = {
	.start = grr_sbv3_code, .end = grr_sbv3_code_end,
	.copy = { COPY(grr_sb3a_), COPY(grr_sb3b_), COPY(grr_sb3c_) },
	.cpuid = { grr_sb3_cpuid0, grr_sb3_cpuid1, grr_sb3_cpuid2 },
};
#undef COPY

const struct grr_sb_code *grr_sb_code_of(enum grr_sb_version v)
{
	return v == GRR_SB_V3 ? &CODE_V3 : &CODE_V2;
}

uint64_t grr_sb_addr(const struct grr_sb_code *c, const uint8_t *label)
{
	return GRR_SB_ADDR + (uint64_t)(label - c->start);
}

/* The patched site of copy I, or 0. */
static uint64_t copy_site(const struct grr_sysbuf *sb, int i)
{
	return i == GRR_SB_SYSCALL6 ? sb->site : i == GRR_SB_EPOLLWAIT ? sb->site2 : sb->site3;
}

/* The `syscall` of the function at FN, read through M, followed by the
 * LEN bytes WANT (from the syscall on) within its first 48 bytes, or 0. */
static uint64_t find_insn(const struct grr_mem *m, uint64_t fn, const uint8_t *want,
			  size_t len)
{
	uint8_t code[48];
	if (!fn || grr_mem_read(m, fn, code, sizeof(code)) < 0)
		return 0;
	for (size_t off = 0; off + len <= sizeof(code); off++)
		if (memcmp(code + off, want, len) == 0)
			return fn + off;
	return 0;
}

/* The function NAME of at least MIN bytes, or 0. */
static uint64_t func(const struct grr_symtab *syms, const char *name, uint64_t min)
{
	const struct grr_symbol *s = grr_symtab_find(syms, name);
	return s && s->size >= min ? s->addr : 0;
}

/* Syscall6 of whichever toolchain built the program, or 0. */
static uint64_t site_func(const struct grr_symtab *syms)
{
	uint64_t fn = 0;
	for (size_t i = 0; i < sizeof(SITE_FUNCS) / sizeof(SITE_FUNCS[0]) && !fn; i++)
		fn = func(syms, SITE_FUNCS[i], 32);
	return fn;
}

bool grr_sysbuf_usable(const struct grr_mem *m, pid_t pid, const struct grr_symtab *syms,
		       enum grr_sb_version v, struct grr_sysbuf *sb, const char **why)
{
	memset(sb, 0, sizeof(*sb));
	sb->version = v;
	uint64_t fn = site_func(syms);
	if (!fn) {
		*why = "no Syscall6 in the runtime";
		return false;
	}
	sb->site = find_insn(m, fn, SITE_BYTES, sizeof(SITE_BYTES));
	if (!sb->site) {
		*why = "Syscall6 is not the expected code";
		return false;
	}
	sb->site2 = find_insn(m, func(syms, "runtime.epollwait.abi0", 32), SITE2_BYTES,
			      sizeof(SITE2_BYTES));
	if (v >= GRR_SB_V3)
		sb->site3 = find_insn(m, func(syms, "runtime.futex.abi0", 32), SITE3_BYTES,
				      sizeof(SITE3_BYTES));
	for (int i = 0; i < GRR_SB_CPUID_SITES; i++)
		sb->cpuid_site[i] = find_insn(m, func(syms, CPUID_FUNCS[i], 16), CPUID_BYTES,
					      sizeof(CPUID_BYTES));
	struct grr_mapping *maps;
	int n = grr_maps_read(pid, &maps);
	if (n < 0) {
		*why = "cannot read the address space";
		return false;
	}
	*why = NULL;
	for (int i = 0; i < n; i++) {
		const struct grr_mapping *mp = &maps[i];
		if (grr_mapping_overlaps(mp, GRR_SB_ADDR, GRR_SB_ADDR + GRR_SB_LEN))
			*why = "its address range is taken";
		if (strcmp(mp->path, "[vdso]") == 0) {
			sb->vdso_lo = mp->start;
			sb->vdso_hi = mp->end;
		}
		if (!(mp->prot & PROT_EXEC) || mp->path[0] == '[')
			continue;
		/* the dynamic loader, high up: a dynamically linked program,
		 * whose C library's calls must be traced too */
		if (mp->start >= (1ull << 32))
			sb->trace_all = true;
		else if (mp->end > sb->text_end)
			sb->text_end = mp->end;
	}
	grr_maps_free(maps, n);
	if (!*why && (sb->text_end <= GRR_SB_ADDR || sb->text_end > (1ull << 32)))
		*why = "the program's code is not where a static Go program has it";
	return *why == NULL;
}

/* A `jmp rel32` at the start of PATCH, placed at AT, to TARGET. */
static void jump_at(uint8_t *patch, uint64_t at, uint64_t target)
{
	int32_t rel = (int32_t)((int64_t)target - (int64_t)(at + 5));
	memcpy(patch + 1, &rel, 4);
}

/* Each cpuid helper found jumps into its copy of the page's CPUID code. */
static int patch_cpuid(const struct grr_mem *m, const struct grr_sysbuf *sb)
{
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	for (int i = 0; i < GRR_SB_CPUID_SITES; i++) {
		uint64_t at = sb->cpuid_site[i];
		if (!at)
			continue;
		uint64_t ret = at + sizeof(CPUID_BYTES);
		uint8_t patch[sizeof(CPUID_BYTES)] = { 0xe9, 0, 0, 0, 0, 0x90 };
		jump_at(patch, at, grr_sb_addr(c, c->cpuid[i]));
		if (grr_mem_write(m, GRR_SB_RET_CPUID + 8 * (uint64_t)i, &ret, 8) < 0 ||
		    grr_mem_write(m, at, patch, sizeof(patch)) < 0)
			return -1;
	}
	return 0;
}

/* Patches SITE, whose LEN bytes start with a `syscall`, into a jump to
 * the entry of copy I, whose way back (the word at RET_WORD) is past them.
 * Nothing to do without the site.  0 or -1. */
static int patch_site(const struct grr_mem *m, const struct grr_sysbuf *sb, int i, size_t len,
		      uint64_t ret_word)
{
	uint64_t at = copy_site(sb, i);
	if (!at)
		return 0;
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	uint64_t ret = at + len;
	/* a jmp rel32, then a nop of the rest (3 bytes, or 1) */
	uint8_t patch[8] = { 0xe9, 0, 0, 0, 0, 0x0f, 0x1f, 0x00 };
	if (len == 6)
		patch[5] = 0x90;
	jump_at(patch, at, grr_sb_addr(c, c->copy[i].entry));
	return grr_mem_write(m, ret_word, &ret, 8) < 0 || grr_mem_write(m, at, patch, len) < 0 ? -1 : 0;
}

int grr_sysbuf_install(const struct grr_mem *m, pid_t tid, struct grr_sysbuf *sb,
		       bool recording, const char **why)
{
	if (grr_remote_call(m, tid, SYS_mmap, GRR_SB_ADDR, GRR_SB_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, NULL) < 0) {
		*why = "cannot map the syscall buffer";
		return -1;
	}
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	size_t len = (size_t)(c->end - c->start);
	uint64_t on = recording ? 1 : 0;
	if (grr_mem_write(m, GRR_SB_ADDR, c->start, len) < 0 ||
	    grr_mem_write(m, GRR_SB_MODE, &on, 8) < 0 ||
	    grr_mem_write(m, GRR_SB_ENABLED, &on, 8) < 0 ||
	    grr_remote_call(m, tid, SYS_mprotect, GRR_SB_ADDR, 4096, PROT_READ | PROT_EXEC, 0, 0, NULL) < 0 ||
	    patch_site(m, sb, GRR_SB_SYSCALL6, PATCH_LEN, GRR_SB_RET) < 0 ||
	    patch_site(m, sb, GRR_SB_EPOLLWAIT, PATCH2_LEN, GRR_SB_RET2) < 0 ||
	    patch_site(m, sb, GRR_SB_FUTEXFN, PATCH3_LEN, GRR_SB_RET3) < 0 ||
	    patch_cpuid(m, sb) < 0) {
		grr_remote_call(m, tid, SYS_munmap, GRR_SB_ADDR, GRR_SB_LEN, 0, 0, 0, NULL);
		*why = "cannot fill the syscall buffer or redirect Syscall6";
		return -1;
	}
	sb->active = true;
	sb->drained = sb->records = 0;
	return 0;
}

#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (IP_LO + 4)

/* The page's untraced instructions (the addresses past them, as the
 * filter sees them) into U: their number. */
static int untraced_pcs(const struct grr_sysbuf *sb, uint32_t u[2 * GRR_SB_COPIES])
{
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	int n = 0;
	for (int i = 0; i < GRR_SB_COPIES; i++) {
		if (!c->copy[i].entry)
			continue;
		u[n++] = (uint32_t)grr_sb_addr(c, c->copy[i].untraced1);
		u[n++] = (uint32_t)grr_sb_addr(c, c->copy[i].untraced2);
	}
	return n;
}

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))

/* The filter of a dynamically linked program (SB's trace_all): ALLOW the
 * page's untraced instructions and the kernel's vDSO, TRACE the rest. */
static int filter_all(const struct grr_sysbuf *sb, struct sock_filter *f)
{
	uint32_t u[2 * GRR_SB_COPIES];
	int n = untraced_pcs(sb, u), k = 0;
	/* (no vDSO, or one across a 4 GiB line: a high word nothing has) */
	bool vdso = sb->vdso_lo && (sb->vdso_lo >> 32) == ((sb->vdso_hi - 1) >> 32);
	uint32_t vhi = vdso ? (uint32_t)(sb->vdso_lo >> 32) : 0xffffffffu;
	uint32_t vlo = (uint32_t)sb->vdso_lo, vend = (uint32_t)sb->vdso_hi;
	/* 0 */ f[k++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
	/* 1 */ f[k++] = (struct sock_filter)JEQ(AUDIT_ARCH_X86_64, 1, 0);
	/* 2 */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_TRACE);
	/* 3 */ f[k++] = (struct sock_filter)LD(IP_HI);
	/* 4 */ f[k++] = (struct sock_filter)JEQ(0, 0, (uint8_t)(n + 2));   /* high: 7+n */
	/* 5 */ f[k++] = (struct sock_filter)LD(IP_LO);
	for (int i = 0; i < n; i++)   /* 6+i: ALLOW at 12+n */
		f[k++] = (struct sock_filter)JEQ(u[i], (uint8_t)(5 + n - i), 0);
	/* 6+n */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_TRACE);
	/* 7+n */ f[k++] = (struct sock_filter)JEQ(vhi, 0, 3);   /* not the vDSO: 11+n */
	/* 8+n */ f[k++] = (struct sock_filter)LD(IP_LO);
	/* 9+n */ f[k++] = (struct sock_filter)JGE(vlo, 0, 1);   /* below: 11+n */
	/* 10+n */ f[k++] = (struct sock_filter)JGE(vend, 0, 1); /* inside: 12+n */
	/* 11+n */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_TRACE);
	/* 12+n */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	return k;
}

/* The filter of a static program: ALLOW the page's untraced
 * instructions, TRACE the rest of the page and the program's code, ALLOW
 * the rest: a child's new program, the kernel's vDSO falling back to a
 * syscall inside a clock read (whose value the clock page records). */
static int filter_program(const struct grr_sysbuf *sb, struct sock_filter *f)
{
	uint32_t u[2 * GRR_SB_COPIES];
	int n = untraced_pcs(sb, u), k = 0;
	uint32_t lo = (uint32_t)GRR_SB_ADDR, hi = (uint32_t)sb->text_end;
	/* 0 */ f[k++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
	/* 1 */ f[k++] = (struct sock_filter)JEQ(AUDIT_ARCH_X86_64, 1, 0);
	/* 2 */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_TRACE);
	/* 3 */ f[k++] = (struct sock_filter)LD(IP_HI);
	/* 4 */ f[k++] = (struct sock_filter)JEQ(0, 0, (uint8_t)(n + 4));   /* high: ALLOW */
	/* 5 */ f[k++] = (struct sock_filter)LD(IP_LO);
	for (int i = 0; i < n; i++)   /* 6+i: ALLOW at 9+n */
		f[k++] = (struct sock_filter)JEQ(u[i], (uint8_t)(2 + n - i), 0);
	/* 6+n */ f[k++] = (struct sock_filter)JGE(hi, 2, 0);    /* past the code: ALLOW */
	/* 7+n */ f[k++] = (struct sock_filter)JGE(lo, 0, 1);    /* below the page: ALLOW */
	/* 8+n */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_TRACE);
	/* 9+n */ f[k++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	return k;
}

int grr_sysbuf_filter(const struct grr_mem *m, pid_t tid, const struct grr_sysbuf *sb,
		      const char **why)
{
	struct sock_filter prog[32];
	int n = sb->trace_all ? filter_all(sb, prog) : filter_program(sb, prog);
	struct {
		uint64_t len;      /* struct sock_fprog, as the tracee sees it */
		uint64_t filter;
	} fprog = { (uint64_t)n, GRR_SB_SCRATCH + 16 };
	int64_t r = 0;
	int rc = -1;
	if (grr_mem_write(m, GRR_SB_SCRATCH, &fprog, sizeof(fprog)) == 0 &&
	    grr_mem_write(m, GRR_SB_SCRATCH + 16, prog, (size_t)n * sizeof(prog[0])) == 0) {
		rc = grr_remote_call(m, tid, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, GRR_SB_SCRATCH, 0, 0, &r);
		/* without CAP_SYS_ADMIN the kernel wants no_new_privs */
		if (rc < 0 && r == -EACCES &&
		    grr_remote_call(m, tid, SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, NULL) == 0)
			rc = grr_remote_call(m, tid, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
				    GRR_SB_SCRATCH, 0, 0, &r);
	}
	uint8_t zero[16 + sizeof(prog)] = { 0 };
	grr_mem_write(m, GRR_SB_SCRATCH, zero, 16 + (size_t)n * sizeof(prog[0]));
	if (rc < 0)
		*why = "the kernel refused the seccomp filter";
	return rc;
}

int grr_sysbuf_drop_records(const struct grr_mem *m)
{
	static const uint64_t none[2] = { 0, 0 };   /* position, end */
	return grr_mem_write(m, GRR_SB_POS, none, sizeof(none));
}

int grr_sysbuf_enable(const struct grr_mem *m, bool on)
{
	uint64_t v = on ? 1 : 0;
	return grr_mem_write(m, GRR_SB_ENABLED, &v, 8);
}

int grr_sysbuf_futex_wakes(const struct grr_mem *m, const struct grr_sysbuf *sb, bool on,
			   const char **why)
{
	uint64_t v = on ? 1 : 0;
	if (sb->version < GRR_SB_V3)
		return 0;
	if (grr_mem_write(m, GRR_SB_FUTEX, &v, 8) < 0) {
		*why = "cannot set the syscall buffer's futex switch";
		return -1;
	}
	return 0;
}

/* Whether PC is in the page's code. */
static bool in_code(const struct grr_sysbuf *sb, const struct grr_sb_code *c, uint64_t pc)
{
	return sb->active && pc >= GRR_SB_ADDR && pc < grr_sb_addr(c, c->end);
}

bool grr_sysbuf_no_anchor(const struct grr_sysbuf *sb, uint64_t pc)
{
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	if (!in_code(sb, c, pc))
		return false;
	for (int i = 0; i < GRR_SB_COPIES; i++)
		if (c->copy[i].entry && pc == grr_sb_addr(c, c->copy[i].traced))
			return false;
	return true;
}

bool grr_sysbuf_untraced_pc(const struct grr_sysbuf *sb, uint64_t pc)
{
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	for (int i = 0; sb->active && i < GRR_SB_COPIES; i++)
		if (c->copy[i].entry && (pc == grr_sb_addr(c, c->copy[i].untraced1) ||
					 pc == grr_sb_addr(c, c->copy[i].untraced2)))
			return true;
	return false;
}

bool grr_sysbuf_mismatch_pc(const struct grr_sysbuf *sb, uint64_t pc)
{
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	for (int i = 0; sb->active && i < GRR_SB_COPIES; i++)
		if (c->copy[i].entry && pc == grr_sb_addr(c, c->copy[i].mismatch))
			return true;
	return false;
}

uint64_t grr_sysbuf_caller_pc(const struct grr_sysbuf *sb, uint64_t pc)
{
	const struct grr_sb_code *c = grr_sb_code_of(sb->version);
	if (!in_code(sb, c, pc))
		return pc;
	/* the copies, then the cpuid code, lie in that order */
	for (int i = GRR_SB_CPUID_SITES - 1; i >= 0; i--)
		if (pc >= grr_sb_addr(c, c->cpuid[i]))
			return sb->cpuid_site[i] ? sb->cpuid_site[i] : pc;
	for (int i = GRR_SB_COPIES - 1; i >= 0; i--)
		if (c->copy[i].entry && pc >= grr_sb_addr(c, c->copy[i].entry))
			return copy_site(sb, i) ? copy_site(sb, i) : sb->site;
	return sb->site;
}

int grr_sysbuf_collect(const struct grr_mem *m, struct grr_sysbuf *sb, uint8_t **buf,
		       struct grr_mem_write w[2], uint64_t *nrec)
{
	uint64_t d[4];   /* count, mode, enabled, pos */
	*buf = NULL;
	*nrec = 0;
	if (grr_mem_read(m, GRR_SB_COUNT, d, sizeof(d)) < 0)
		return -1;
	uint64_t count = d[0], pos = d[3];
	if (count == sb->records)
		return 0;
	if (pos < sb->drained || pos > GRR_SB_RING_CAP || count < sb->records) {
		errno = EIO;
		return -1;
	}
	uint64_t from = sb->drained;
	size_t len = (size_t)(pos - from);
	/* [0] the records; [1] (from the ring's start) position 0 and the
	 * end, else [1] the end */
	*buf = malloc(len + 16);
	if (!*buf)
		return -1;
	if (len && grr_mem_read(m, GRR_SB_RING + from, *buf + 16, len) < 0) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	uint64_t posend[2] = { 0, pos };
	memcpy(*buf, posend, 16);
	int n = 0;
	if (len) {
		w[n] = (struct grr_mem_write){ .addr = GRR_SB_RING + from, .len = len,
					       .data = *buf + 16 };
		n++;
	}
	if (from == 0) {
		w[n] = (struct grr_mem_write){ .addr = GRR_SB_POS, .len = 16, .data = *buf };
	} else {
		w[n] = (struct grr_mem_write){ .addr = GRR_SB_END, .len = 8, .data = *buf + 8 };
	}
	n++;
	*nrec = count - sb->records;
	sb->records = count;
	sb->drained = pos;
	return n;
}

int grr_sysbuf_rewind(const struct grr_mem *m, struct grr_sysbuf *sb)
{
	if (!sb->active || sb->drained == 0)
		return 0;
	uint64_t zero = 0;
	if (grr_mem_write(m, GRR_SB_POS, &zero, 8) < 0)
		return -1;
	sb->drained = 0;
	return 0;
}
