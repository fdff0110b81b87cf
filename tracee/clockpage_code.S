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
#define D_INDEX    0
#define D_MODE     8
#define D_REALFN   16
#define D_SAVED_SP 24

/* The code exists in two layouts (tracee/clockpage.h): the first one
 * (128 slots, grr's own stack at D + 0x3000) for traces recorded before
 * the second (2048 slots, stack at D + 0x12000), byte for byte as it was,
 * since their anchors may point into it.  CLOCKCODE emits one, its
 * symbols prefixed with P. */

/* CLAIM: the next value's number, counted at once (so that a signal
 * handler reading the clock in between takes the next one), into rdx as
 * count + 1, and its slot's offset into r8. */
.macro CLAIM nslots
	movl	$1, %edx
	xaddq	%rdx, D_INDEX(%rcx)
	movq	%rdx, %r8
	andq	$(\nslots - 1), %r8
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

.macro CLOCKCODE p, nslots, stack_top
	.globl \p\()code, \p\()code_end
	.globl \p\()clock_gettime, \p\()clock_rec_begin, \p\()clock_rec_end
	.globl \p\()cputicks, \p\()tsc_rec_begin, \p\()tsc_rec_end
	.p2align 4
\p\()code:
.L\p\()start:
	.set D, .L\p\()start + DATA_OFF - CODE_OFF

/* int __vdso_clock_gettime(clockid_t clk (rdi), struct timespec *ts (rsi)) */
\p\()clock_gettime:
	cmpl	$1, %edi               /* REALTIME and MONOTONIC only */
	ja	.L\p\()clock_syscall
	leaq	D(%rip), %rcx
	cmpq	$0, D_MODE(%rcx)
\p\()clock_rec_begin:
	je	.L\p\()clock_replay
	movq	%rsp, D_SAVED_SP(%rcx)
	leaq	\stack_top(%rcx), %rsp
	pushq	%rsi
	pushq	%rdi
	call	*D_REALFN(%rcx)
	popq	%rdi
	popq	%rsi
	leaq	D(%rip), %rcx
	movq	D_SAVED_SP(%rcx), %rsp
	cltq
	CLAIM \nslots
	movq	%rax, SLOTS_OFF(%rcx,%r8)
	movq	(%rsi), %rax
	movq	%rax, SLOTS_OFF+8(%rcx,%r8)
	movq	8(%rsi), %rax
	movq	%rax, SLOTS_OFF+16(%rcx,%r8)
	jmp	.L\p\()clock_join
.L\p\()clock_replay:                 /* (never runs while recording) */
	CLAIM \nslots
.L\p\()clock_join:
	RESET
\p\()clock_rec_end:
	movq	SLOTS_OFF+8(%rcx,%r8), %rax
	movq	%rax, (%rsi)
	movq	SLOTS_OFF+16(%rcx,%r8), %rax
	movq	%rax, 8(%rsi)
	movq	SLOTS_OFF(%rcx,%r8), %rax
	jmp	.L\p\()commit
.L\p\()clock_syscall:
	movl	$228, %eax             /* clock_gettime: recorded as any syscall */
	syscall
	ret

/* runtime.cputicks (ABI0: the result at 8(%rsp)), entered through a jump
 * written over the function's first instructions. */
\p\()cputicks:
	leaq	D(%rip), %rcx
	cmpq	$0, D_MODE(%rcx)
\p\()tsc_rec_begin:
	je	.L\p\()tsc_replay
	lfence
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	CLAIM \nslots
	movq	%rax, SLOTS_OFF(%rcx,%r8)
	jmp	.L\p\()tsc_join
.L\p\()tsc_replay:
	CLAIM \nslots
.L\p\()tsc_join:
	RESET
\p\()tsc_rec_end:
	movq	SLOTS_OFF(%rcx,%r8), %rax
	movq	%rax, 8(%rsp)

/* Both: after the last slot of the ring, stop in getpid for grr. */
.L\p\()commit:
	testq	$(\nslots - 1), %rdx
	jnz	.L\p\()done
	movq	%rax, %r8
	movl	$39, %eax
	syscall
	movq	%r8, %rax
.L\p\()done:
	ret
\p\()code_end:
.endm

	.section .rodata
	CLOCKCODE grr_cp_, 128, 0x3000
	CLOCKCODE grr_cp2_, 2048, 0x12000

	.section .note.GNU-stack,"",@progbits
