/* clockpage_code.S - the code of grr's clock page (tracee/clockpage.h).
 *
 * These bytes are not run in grr: they are copied into the tracee, at
 * GRR_CLOCKPAGE_ADDR + GRR_CP_CODE_OFF, behind the ELF headers that make
 * the page look like a vDSO to the Go runtime.  They reach their data
 * (D, GRR_CP_DATA_OFF into the page) rip-relative, so they run anywhere.
 *
 * Both entry points read a value (the clock, the TSC) in record mode
 * (mode word != 0) and store it in the next slot of a ring; in replay mode
 * (mode word == 0) the replayer has put the recorded value in that slot.
 * From there on both modes run the same instructions with the same
 * registers, so an anchor may fall anywhere outside the record-only span
 * [..._rec_begin, ..._rec_end): scratch registers and flags are reset at
 * its end.  Every GRR_CP_SLOTS values the code makes a getpid syscall, a
 * stop at which grr collects the full ring. */

#define CODE_OFF   0x200
#define DATA_OFF   0x1000
#define SLOTS_OFF  0x1000   /* from D */
#define STACK_TOP  0x3000   /* from D: grr's own stack for the real vDSO */
#define NSLOTS     128
#define D_INDEX    0
#define D_MODE     8
#define D_REALFN   16
#define D_SAVED_SP 24

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
	movq	D_INDEX(%rcx), %rdx
	andq	$(NSLOTS - 1), %rdx
	shlq	$5, %rdx
	cltq
	movq	%rax, SLOTS_OFF(%rcx,%rdx)
	movq	(%rsi), %r8
	movq	%r8, SLOTS_OFF+8(%rcx,%rdx)
	movq	8(%rsi), %r8
	movq	%r8, SLOTS_OFF+16(%rcx,%rdx)
.Lclock_replay:
	xorl	%eax, %eax
	xorl	%edx, %edx
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	cmpq	%rax, %rax             /* every arithmetic flag defined */
grr_cp_clock_rec_end:
	movq	D_INDEX(%rcx), %rdx
	andq	$(NSLOTS - 1), %rdx
	shlq	$5, %rdx
	movq	SLOTS_OFF+8(%rcx,%rdx), %r8
	movq	%r8, (%rsi)
	movq	SLOTS_OFF+16(%rcx,%rdx), %r8
	movq	%r8, 8(%rsi)
	movq	SLOTS_OFF(%rcx,%rdx), %rax
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
	movq	D_INDEX(%rcx), %rdx
	andq	$(NSLOTS - 1), %rdx
	shlq	$5, %rdx
	movq	%rax, SLOTS_OFF(%rcx,%rdx)
.Ltsc_replay:
	xorl	%eax, %eax
	xorl	%edx, %edx
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	cmpq	%rax, %rax
grr_cp_tsc_rec_end:
	movq	D_INDEX(%rcx), %rdx
	andq	$(NSLOTS - 1), %rdx
	shlq	$5, %rdx
	movq	SLOTS_OFF(%rcx,%rdx), %rax
	movq	%rax, 8(%rsp)

/* Both: count the value; after a full ring, stop in getpid for grr. */
.Lcommit:
	incq	D_INDEX(%rcx)
	testq	$(NSLOTS - 1), D_INDEX(%rcx)
	jnz	.Ldone
	movq	%rax, %r8
	movl	$39, %eax
	syscall
	movq	%r8, %rax
.Ldone:
	ret
grr_cp_code_end:

	.section .note.GNU-stack,"",@progbits
