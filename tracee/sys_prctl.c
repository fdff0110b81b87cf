/* sys_prctl.c - prctl(option, arg2..arg5) and arch_prctl(code, addr).
 *
 * prctl is emulated except PR_SET_MDWE (memory-deny-write-execute changes
 * what later mprotect/mmap calls, which are executed at replay, may do).
 * The PR_GET_* options that store into memory write at arg2 (args[1]).
 *
 * arch_prctl: ARCH_SET_FS/GS (thread pointer), the AMX permission requests
 * (they size signal frames), CPUID faulting, the vDSO mapping and shadow
 * stack controls are executed; the ARCH_GET_* codes are emulated: the value
 * they store at addr comes from the trace.
 */
#include "tracee/syscall_private.h"

/* ---- prctl ------------------------------------------------------------ */

#define PR_GET_PDEATHSIG_  2
#define PR_GET_UNALIGN_    5
#define PR_GET_FPEMU_      9
#define PR_GET_FPEXC_      11
#define PR_GET_NAME_       16
#define PR_GET_ENDIAN_     19
#define PR_GET_TSC_        25
#define PR_GET_CHILD_SUBREAPER_ 37
#define PR_SET_MM_         35
#define PR_SET_MM_MAP_SIZE_ 15
#define PR_GET_TID_ADDRESS_ 40
#define PR_SET_MDWE_       65
#define PR_GET_SHADOW_STACK_STATUS_ 74
#define PR_SET_VMA_        0x53564d41
#define PR_GET_AUXV_       0x41555856
#define PR_SET_PTRACER_    0x59616d61

/* Bytes stored at args[1] on success, for the fixed-size getters. */
static uint64_t prctl_out_size(uint64_t opt)
{
	switch (opt) {
	case PR_GET_PDEATHSIG_:
	case PR_GET_UNALIGN_:
	case PR_GET_FPEMU_:
	case PR_GET_FPEXC_:
	case PR_GET_ENDIAN_:
	case PR_GET_TSC_:
	case PR_GET_CHILD_SUBREAPER_:
		return 4;
	case PR_GET_TID_ADDRESS_:
	case PR_GET_SHADOW_STACK_STATUS_:
		return 8;
	case PR_GET_NAME_:
		return 16;
	default:
		return 0;
	}
}

bool sys_prctl_known(uint64_t opt)
{
	/* 1..68: the generic options up to PR_GET_MEMORY_MERGE, except 59
	 * (PR_SET_SYSCALL_USER_DISPATCH, which redirects syscalls to SIGSYS
	 * and is not replayable by emulation) and 62 (PR_SCHED_CORE, whose
	 * GET form stores a cookie at arg5); 74 the shadow-stack getter. */
	if (opt >= 1 && opt <= 68 && opt != 59 && opt != 62)
		return true;
	return opt == PR_GET_SHADOW_STACK_STATUS_ || opt == PR_SET_VMA_ ||
	       opt == PR_GET_AUXV_ || opt == PR_SET_PTRACER_;
}

enum grr_replay_policy sys_prctl_policy(uint64_t opt)
{
	return opt == PR_SET_MDWE_ ? GRR_REPLAY_EXECUTE : GRR_REPLAY_EMULATE;
}

int grr_sys_out_prctl(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t opt = c->args[0];

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret < 0)
		return 0;
	if (opt == PR_GET_AUXV_) {
		/* (PR_GET_AUXV, buf, len): stores min(len, auxv size) bytes
		 * and returns the auxv size. */
		uint64_t n = sys_blocked(c) ? c->args[2] : (uint64_t)c->ret;
		sys_emit(&o, c->args[1], n < c->args[2] ? n : c->args[2]);
	} else if (opt == PR_SET_MM_ && c->args[1] == PR_SET_MM_MAP_SIZE_) {
		sys_emit(&o, c->args[2], 4);   /* unsigned int at arg3 */
	} else {
		sys_emit(&o, c->args[1], prctl_out_size(opt));
	}
	return sys_out_done(&o);
}

/* ---- arch_prctl --------------------------------------------------------- */

enum {
	ARCH_SET_GS_ = 0x1001, ARCH_SET_FS_ = 0x1002, ARCH_GET_FS_ = 0x1003,
	ARCH_GET_GS_ = 0x1004, ARCH_GET_CPUID_ = 0x1011,
	ARCH_SET_CPUID_ = 0x1012, ARCH_GET_XCOMP_SUPP_ = 0x1021,
	ARCH_GET_XCOMP_PERM_ = 0x1022, ARCH_REQ_XCOMP_PERM_ = 0x1023,
	ARCH_GET_XCOMP_GUEST_PERM_ = 0x1024,
	ARCH_REQ_XCOMP_GUEST_PERM_ = 0x1025,
	ARCH_MAP_VDSO_X32_ = 0x2001, ARCH_MAP_VDSO_32_ = 0x2002,
	ARCH_MAP_VDSO_64_ = 0x2003,
	ARCH_GET_UNTAG_MASK_ = 0x4001, ARCH_ENABLE_TAGGED_ADDR_ = 0x4002,
	ARCH_GET_MAX_TAG_BITS_ = 0x4003, ARCH_FORCE_TAGGED_SVA_ = 0x4004,
	ARCH_SHSTK_ENABLE_ = 0x5001, ARCH_SHSTK_DISABLE_ = 0x5002,
	ARCH_SHSTK_LOCK_ = 0x5003, ARCH_SHSTK_UNLOCK_ = 0x5004,
	ARCH_SHSTK_STATUS_ = 0x5005,
};

static uint64_t arch_prctl_out_size(uint64_t code)
{
	switch (code) {
	case ARCH_GET_FS_:
	case ARCH_GET_GS_:
	case ARCH_GET_XCOMP_SUPP_:
	case ARCH_GET_XCOMP_PERM_:
	case ARCH_GET_XCOMP_GUEST_PERM_:
	case ARCH_GET_UNTAG_MASK_:
	case ARCH_GET_MAX_TAG_BITS_:
	case ARCH_SHSTK_STATUS_:
		return 8;
	default:
		return 0;
	}
}

enum grr_replay_policy sys_arch_prctl_policy(uint64_t code)
{
	switch (code) {
	case ARCH_SET_GS_:
	case ARCH_SET_FS_:
	case ARCH_SET_CPUID_:
	case ARCH_REQ_XCOMP_PERM_:
	case ARCH_REQ_XCOMP_GUEST_PERM_:
	case ARCH_MAP_VDSO_X32_:
	case ARCH_MAP_VDSO_32_:
	case ARCH_MAP_VDSO_64_:
	case ARCH_ENABLE_TAGGED_ADDR_:
	case ARCH_FORCE_TAGGED_SVA_:
	case ARCH_SHSTK_ENABLE_:
	case ARCH_SHSTK_DISABLE_:
	case ARCH_SHSTK_LOCK_:
	case ARCH_SHSTK_UNLOCK_:
		return GRR_REPLAY_EXECUTE;
	default:
		return GRR_REPLAY_EMULATE;
	}
}

bool sys_arch_prctl_known(uint64_t code)
{
	return sys_arch_prctl_policy(code) == GRR_REPLAY_EXECUTE ||
	       arch_prctl_out_size(code) != 0 || code == ARCH_GET_CPUID_;
}

int grr_sys_out_arch_prctl(const struct grr_syscall_call *c,
			   grr_read_mem_fn rd, void *ctx,
			   struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret >= 0)
		sys_emit(&o, c->args[1], arch_prctl_out_size(c->args[0]));
	return sys_out_done(&o);
}
