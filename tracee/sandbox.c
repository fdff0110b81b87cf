/* sandbox.c - the replay sandbox's seccomp filter (see sandbox.h): built
 * from the lists below by a small assembler, installed by an injected
 * seccomp(2), and run in C by grr_sandbox_verdict. */
#include "tracee/sandbox.h"
#include "tracee/remote.h"
#include "tracee/task.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define MAX_INSNS 128

/* Allowed whatever their arguments. */
static const uint32_t always[] = {
	/* address space */
	SYS_mprotect, SYS_munmap, SYS_brk, SYS_mremap, SYS_madvise, SYS_pkey_mprotect,
	SYS_pkey_alloc, SYS_pkey_free, 462 /* mseal */,
	/* signal state */
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack,
	/* threads */
	SYS_set_tid_address, SYS_set_robust_list, SYS_futex, SYS_exit, SYS_exit_group,
	/* a debugger's function call, in its disposable copy (rp_call.c) */
	SYS_sched_yield, SYS_nanosleep, SYS_clock_nanosleep, SYS_clock_gettime,
	SYS_gettimeofday, SYS_getpid, SYS_gettid, SYS_sched_getaffinity, SYS_getrandom,
	/* grr's write tracking (tracee/dirty.c): a userfaultfd, closed again */
	SYS_userfaultfd, SYS_close,
};

/* arch_prctl codes replay executes (tracee/sys_prctl.c): ARCH_SET_GS,
 * ARCH_SET_FS, ARCH_SET_CPUID, ARCH_REQ_XCOMP_PERM,
 * ARCH_REQ_XCOMP_GUEST_PERM, ARCH_MAP_VDSO_X32/32/64,
 * ARCH_ENABLE_TAGGED_ADDR, ARCH_FORCE_TAGGED_SVA, ARCH_SHSTK_ENABLE,
 * DISABLE, LOCK, UNLOCK. */
static const uint32_t arch_codes[] = {
	0x1001, 0x1002, 0x1012, 0x1023, 0x1025, 0x2001, 0x2002, 0x2003, 0x4002, 0x4004,
	0x5001, 0x5002, 0x5003, 0x5004,
};

#define PR_SET_MDWE_ 65u

/* Clone flags: a thread must have all of THREAD_NEED and none of
 * THREAD_BAD (new namespaces, untraced, traced by the parent, vfork,
 * CLONE_PARENT, a pidfd). */
#define THREAD_NEED (0x100u /* VM */ | 0x800u /* SIGHAND */ | 0x10000u /* THREAD */)
#define THREAD_BAD (0x1000u /* PIDFD */ | 0x2000u /* PTRACE */ | 0x4000u /* VFORK */ | \
		    0x8000u /* PARENT */ | 0x20000u /* NEWNS */ | 0x800000u /* UNTRACED */ | \
		    0x2000000u /* NEWCGROUP */ | 0x4000000u /* NEWUTS */ | 0x8000000u /* NEWIPC */ | \
		    0x10000000u /* NEWUSER */ | 0x20000000u /* NEWPID */ | 0x40000000u /* NEWNET */)

#define OFF_NR   offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP   offsetof(struct seccomp_data, instruction_pointer)
#define OFF_ARG(i) (offsetof(struct seccomp_data, args) + 8 * (i))

/* ---- a small assembler: jumps to labels, resolved at the end ---------- */

enum label { NEXT, L_KILL, L_ALLOW, L_TRACE, L_MMAP, L_CLONE, L_FORK, L_PRCTL, L_ARCH, NLABELS };

struct prog {
	struct sock_filter insn[MAX_INSNS];
	uint8_t jt[MAX_INSNS], jf[MAX_INSNS];   /* labels, until resolved */
	int at[NLABELS];
	int n;
	bool bad;
};

static void op(struct prog *p, uint16_t code, uint32_t k, enum label t, enum label f)
{
	if (p->n == MAX_INSNS) {
		p->bad = true;
		return;
	}
	p->insn[p->n] = (struct sock_filter){ code, 0, 0, k };
	p->jt[p->n] = (uint8_t)t;
	p->jf[p->n] = (uint8_t)f;
	p->n++;
}

static void ld(struct prog *p, uint32_t off) { op(p, BPF_LD | BPF_W | BPF_ABS, off, NEXT, NEXT); }
static void ret(struct prog *p, uint32_t v) { op(p, BPF_RET | BPF_K, v, NEXT, NEXT); }
static void jeq(struct prog *p, uint32_t k, enum label t, enum label f)
{
	op(p, BPF_JMP | BPF_JEQ | BPF_K, k, t, f);
}
static void place(struct prog *p, enum label l) { p->at[l] = p->n; }

static int resolve(struct prog *p)
{
	for (int i = 0; i < p->n; i++) {
		if (BPF_CLASS(p->insn[i].code) != BPF_JMP)
			continue;
		int t = p->jt[i] == NEXT ? i + 1 : p->at[p->jt[i]];
		int f = p->jf[i] == NEXT ? i + 1 : p->at[p->jf[i]];
		if (t <= i || f <= i || t - i - 1 > 255 || f - i - 1 > 255)
			return -1;
		p->insn[i].jt = (uint8_t)(t - i - 1);
		p->insn[i].jf = (uint8_t)(f - i - 1);
	}
	return p->bad ? -1 : 0;
}

static int build(struct prog *p)
{
	memset(p, 0, sizeof(*p));
	uint64_t site = GRR_SANDBOX_FORK_SITE + 2;   /* (the ip after the instruction) */
	ld(p, OFF_ARCH);
	jeq(p, AUDIT_ARCH_X86_64, NEXT, L_KILL);
	ld(p, OFF_NR);
	jeq(p, 0xffffffffu, L_ALLOW, NEXT);          /* a call grr cancelled */
	op(p, BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, L_KILL, NEXT);   /* x32 */
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		jeq(p, always[i], L_ALLOW, NEXT);
	jeq(p, SYS_mmap, L_MMAP, NEXT);
	jeq(p, SYS_clone, L_CLONE, NEXT);
	jeq(p, SYS_clone3, L_TRACE, NEXT);
	jeq(p, SYS_prctl, L_PRCTL, NEXT);
	jeq(p, SYS_arch_prctl, L_ARCH, L_KILL);
	place(p, L_MMAP);
	ld(p, OFF_ARG(3));
	op(p, BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, L_ALLOW, L_KILL);
	place(p, L_CLONE);
	ld(p, OFF_ARG(0));
	op(p, BPF_ALU | BPF_AND | BPF_K, THREAD_NEED | THREAD_BAD, NEXT, NEXT);
	jeq(p, THREAD_NEED, L_ALLOW, L_FORK);
	place(p, L_FORK);
	ld(p, OFF_ARG(0));
	jeq(p, (uint32_t)GRR_SANDBOX_FORK_FLAGS, NEXT, L_KILL);
	ld(p, OFF_IP);
	jeq(p, (uint32_t)site, NEXT, L_KILL);
	ld(p, OFF_IP + 4);
	jeq(p, (uint32_t)(site >> 32), L_ALLOW, L_KILL);
	place(p, L_PRCTL);
	ld(p, OFF_ARG(0));
	jeq(p, PR_SET_MDWE_, L_ALLOW, L_KILL);
	place(p, L_ARCH);
	ld(p, OFF_ARG(0));
	size_t na = sizeof(arch_codes) / sizeof(arch_codes[0]);
	for (size_t i = 0; i < na; i++)
		jeq(p, arch_codes[i], L_ALLOW, i + 1 == na ? L_KILL : NEXT);
	/* (classic BPF jumps only forward: the verdicts come last) */
	place(p, L_KILL);
	ret(p, SECCOMP_RET_KILL_PROCESS);
	place(p, L_ALLOW);
	ret(p, SECCOMP_RET_ALLOW);
	place(p, L_TRACE);
	ret(p, SECCOMP_RET_TRACE);
	return resolve(p);
}

int grr_sandbox_length(void)
{
	struct prog p;
	return build(&p) < 0 ? -1 : p.n;
}

/* ---- the filter run in C --------------------------------------------- */

static enum grr_sandbox_verdict action(uint32_t v)
{
	switch (v & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW: return GRR_SANDBOX_ALLOW;
	case SECCOMP_RET_TRACE: return GRR_SANDBOX_TRACE;
	default: return GRR_SANDBOX_KILL;
	}
}

enum grr_sandbox_verdict grr_sandbox_verdict(uint32_t nr, const uint64_t args[6], uint64_t ip)
{
	struct prog p;
	if (build(&p) < 0)
		return GRR_SANDBOX_KILL;
	struct seccomp_data d = { .nr = (int)nr, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = ip };
	memcpy(d.args, args, sizeof(d.args));
	uint8_t raw[sizeof(d)];
	memcpy(raw, &d, sizeof(d));
	uint32_t a = 0;
	for (int pc = 0, steps = 0; pc >= 0 && pc < p.n && steps < MAX_INSNS; steps++) {
		const struct sock_filter *f = &p.insn[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k + 4 > sizeof(raw))
				return GRR_SANDBOX_KILL;
			memcpy(&a, raw + f->k, 4);
			pc++;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((a & f->k) ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			return action(f->k);
		default:
			return GRR_SANDBOX_KILL;
		}
	}
	return GRR_SANDBOX_KILL;
}

bool grr_sandbox_thread_flags(uint64_t flags)
{
	uint64_t args[6] = { flags, 0, 0, 0, 0, 0 };
	return grr_sandbox_verdict(SYS_clone, args, 0) == GRR_SANDBOX_ALLOW;
}

bool grr_sandbox_clone3_ok(const struct grr_mem *m, uint64_t addr, uint64_t size)
{
	/* struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal,
	 * stack, stack_size, tls (64 bytes, the first version), set_tid,
	 * set_tid_size (80), cgroup (88) */
	uint64_t ca[11] = { 0 };
	if (size < 64 || size > 4096)
		return false;
	size_t n = size < sizeof(ca) ? (size_t)size : sizeof(ca);
	if (grr_mem_read(m, addr, ca, n) < 0)
		return false;
	/* (fields past those grr knows must be zero, as the kernel requires) */
	for (uint64_t off = sizeof(ca); off < size; off += 8) {
		uint64_t w = 0;
		size_t k = size - off < 8 ? (size_t)(size - off) : 8;
		if (grr_mem_read(m, addr + off, &w, k) < 0 || w)
			return false;
	}
	/* (pidfd is used only with CLONE_PIDFD, which a thread may not have;
	 * glibc fills it in anyway) */
	return (ca[0] >> 32) == 0 && grr_sandbox_thread_flags(ca[0]) && ca[4] == 0 &&
	       ca[8] == 0 && ca[9] == 0 && ca[10] == 0;
}

/* ---- installing it ------------------------------------------------------ */

int grr_sandbox_install(const struct grr_mem *m, pid_t tid, const char **why)
{
	struct prog p;
	if (build(&p) < 0) {
		*why = "the filter does not assemble";
		return -1;
	}
	struct user_regs_struct regs;
	if (grr_task_getregs(tid, &regs) < 0) {
		*why = "cannot read the program's registers";
		return -1;
	}
	/* struct sock_fprog as the process sees it, then the program: below
	 * the stack pointer (and its red zone), the bytes there put back */
	size_t len = 16 + (size_t)p.n * sizeof(struct sock_filter);
	uint64_t at = (regs.rsp - 1024 - len) & ~15ull;
	uint8_t saved[16 + MAX_INSNS * sizeof(struct sock_filter)];
	uint8_t img[sizeof(saved)];
	memset(img, 0, 16);
	uint16_t count = (uint16_t)p.n;
	uint64_t filter = at + 16;
	memcpy(img, &count, 2);
	memcpy(img + 8, &filter, 8);
	memcpy(img + 16, p.insn, (size_t)p.n * sizeof(struct sock_filter));
	if (grr_mem_read(m, at, saved, len) < 0 || grr_mem_write(m, at, img, len) < 0) {
		*why = "cannot write the filter into the program's stack";
		return -1;
	}
	uint64_t nnp[6] = { PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0 };
	/* SPEC_ALLOW: no speculation mitigation forced on the program for
	 * being under seccomp (kernels before 5.16 did, which slows the
	 * replay of CPU-bound code); a kernel without the flag gets 0 */
	uint64_t sc[6] = { SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, at, 0, 0, 0 };
	int64_t r1 = -1, r2 = -1;
	int rc = grr_remote_syscall(m, tid, SYS_prctl, nnp, &r1) < 0 || r1 != 0 ||
		 grr_remote_syscall(m, tid, SYS_seccomp, sc, &r2) < 0 ? -1 : 0;
	if (rc == 0 && r2 == -EINVAL) {
		sc[1] = 0;
		rc = grr_remote_syscall(m, tid, SYS_seccomp, sc, &r2) < 0 ? -1 : 0;
	}
	if (rc == 0 && r2 != 0)
		rc = -1;
	if (grr_mem_write(m, at, saved, len) < 0)
		rc = -1;
	if (rc < 0)
		*why = r1 != 0 ? "prctl(PR_SET_NO_NEW_PRIVS) failed in the program"
			       : "the kernel refused the seccomp filter";
	return rc;
}
