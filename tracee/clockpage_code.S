/* clockpage_code.S - the code of grr's clock page (tracee/clockpage.h).
 *
 * These bytes are not run in grr: they are copied into the tracee, at
 * GRR_CLOCKPAGE_ADDR + GRR_CP_CODE_OFF, behind the ELF headers that make
 * the page look like a vDSO to the Go runtime.  They reach their data
 * (D, GRR_CP_DATA_OFF into the page) rip-relative, so they run anywhere.
 *
 * Both entry points claim the next value number; in record mode (mode
 * word != 0) they read a value (the clock, the TSC) and store it in that
 * number's slot of a ring; in replay mode (mode word == 0) the replayer
 * has put the recorded value there.  From there on both modes run the same
 * instructions with the same registers, so an anchor may fall anywhere
 * outside the record-only span [..._rec_begin, ..._rec_end): scratch
 * registers and flags are reset at its end.  After every GRR_CP_SLOTS
 * values the code makes a getpid syscall, a stop at which grr collects the
 * full ring. */

#define CODE_OFF   0x200
#define DATA_OFF   0x1000
#define SLOTS_OFF  0x1000   /* from D */
#define STACK_TOP  0x3000   /* from D: grr's own stack for the real vDSO */
#define NSLOTS     128
#define D_INDEX    0
#define D_MODE     8
#define D_REALFN   16
#define D_SAVED_SP 24

/* CLAIM: the next value's number, counted at once (so that a signal
 * handler reading the clock in between takes the next one), into rdx as
 * count + 1, and its slot's offset into r8. */
.macro CLAIM
	movl	$1, %edx
	xaddq	%rdx, D_INDEX(%rcx)
	movq	%rdx, %r8
	andq	$(NSLOTS - 1), %r8
	shlq	$5, %r8
	incq	%rdx
.endm

/* RESET: scratch registers and flags as the replay path leaves them
 * (rcx, rdx, r8 are equal already). */
.macro RESET
	xorl	%eax, %eax
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	cmpq	%rax, %rax             /* every arithmetic flag defined */
.endm

	.section .rodata
	.p2align 4
	.globl grr_cp_code, grr_cp_code_end
	.globl grr_cp_clock_gettime, grr_cp_clock_rec_begin, grr_cp_clock_rec_end
	.globl grr_cp_cputicks, grr_cp_tsc_rec_begin, grr_cp_tsc_rec_end

grr_cp_code:
.Lstart:
	.set D, .Lstart + DATA_OFF - CODE_OFF

/* int __vdso_clock_gettime(clockid_t clk (rdi), struct timespec *ts (rsi)) */
grr_cp_clock_gettime:
	cmpl	$1, %edi               /* REALTIME and MONOTONIC only */
	ja	.Lclock_syscall
	leaq	D(%rip), %rcx
	cmpq	$0, D_MODE(%rcx)
grr_cp_clock_rec_begin:
	je	.Lclock_replay
	movq	%rsp, D_SAVED_SP(%rcx)
	leaq	STACK_TOP(%rcx), %rsp
	pushq	%rsi
	pushq	%rdi
	call	*D_REALFN(%rcx)
	popq	%rdi
	popq	%rsi
	leaq	D(%rip), %rcx
	movq	D_SAVED_SP(%rcx), %rsp
	cltq
	CLAIM
	movq	%rax, SLOTS_OFF(%rcx,%r8)
	movq	(%rsi), %rax
	movq	%rax, SLOTS_OFF+8(%rcx,%r8)
	movq	8(%rsi), %rax
	movq	%rax, SLOTS_OFF+16(%rcx,%r8)
	jmp	.Lclock_join
.Lclock_replay:                        /* (never runs while recording) */
	CLAIM
.Lclock_join:
	RESET
grr_cp_clock_rec_end:
	movq	SLOTS_OFF+8(%rcx,%r8), %rax
	movq	%rax, (%rsi)
	movq	SLOTS_OFF+16(%rcx,%r8), %rax
	movq	%rax, 8(%rsi)
	movq	SLOTS_OFF(%rcx,%r8), %rax
	jmp	.Lcommit
.Lclock_syscall:
	movl	$228, %eax             /* clock_gettime: recorded as any syscall */
	syscall
	ret

/* runtime.cputicks (ABI0: the result at 8(%rsp)), entered through a jump
 * written over the function's first instructions. */
grr_cp_cputicks:
	leaq	D(%rip), %rcx
	cmpq	$0, D_MODE(%rcx)
grr_cp_tsc_rec_begin:
	je	.Ltsc_replay
	lfence
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	CLAIM
	movq	%rax, SLOTS_OFF(%rcx,%r8)
	jmp	.Ltsc_join
.Ltsc_replay:
	CLAIM
.Ltsc_join:
	RESET
grr_cp_tsc_rec_end:
	movq	SLOTS_OFF(%rcx,%r8), %rax
	movq	%rax, 8(%rsp)

/* Both: after the last slot of the ring, stop in getpid for grr. */
.Lcommit:
	testq	$(NSLOTS - 1), %rdx
	jnz	.Ldone
	movq	%rax, %r8
	movl	$39, %eax
	syscall
	movq	%r8, %rax
.Ldone:
	ret
grr_cp_code_end:

	.section .note.GNU-stack,"",@progbits
