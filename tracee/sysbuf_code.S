/* sysbuf_code.S - the code of grr's syscall buffer page (tracee/sysbuf.h).
 *
 * These bytes are not run in grr: they are copied to the start of the
 * page in the tracee (GRR_SB_ADDR), and reach their data (D, one page
 * further) rip-relative.  Entered by a jump from Syscall6 in place of its
 * `syscall; cmp $-4095, %rax`, with the kernel's syscall registers (rax
 * number, rdi rsi rdx r10 r8 r9 arguments); left by a jump back to the
 * instruction after them, with rax the result and the flags of that
 * compare.  rcx and r11 (which the kernel's syscall clobbers) come back
 * zero; every other register as it came in.  The stack is not touched
 * (what the two modes left below rsp would differ, and anchors digest
 * it): registers are saved in the data page, where one thread at a time
 * runs (a vfork child, sharing it, never gets past the switch). */

#define D_OFF      0x1000
#define RING_OFF   0x1000   /* from D */
#define D_COUNT    0
#define D_MODE     8
#define D_ENABLED  16
#define D_POS      24
#define D_END      32
#define D_RET      40
#define D_NR       48       /* saved while the page runs */
#define D_RDI      56
#define D_RSI      64
#define HDR        32
#define RING_CAP   0x100000
#define MAX_RW     65536    /* bytes of one read or write */
#define MAX_EVENTS 1024     /* epoll events of one epoll_pwait */

#define SYS_read        0
#define SYS_write       1
#define SYS_fcntl       72
#define SYS_epoll_wait  232
#define SYS_epoll_pwait 281
#define F_GETFL         3
#define O_NONBLOCK      0x800

/* NEXT_RECORD LEN, D: past the record whose data length LEN holds (D the
 * data page), one more counted, the saved rsi and rdi back, and out. */
.macro NEXT_RECORD len, d
	addq	$(HDR + 7), \len
	andq	$-8, \len
	addq	\len, D_POS(\d)
	incq	D_COUNT(\d)
	movq	D_RSI(\d), %rsi
	movq	D_RDI(\d), %rdi
	jmp	.Ldone
.endm

	.section .rodata
	.p2align 4
	.globl grr_sb_code, grr_sb_code_end, grr_sb_entry, grr_sb_traced
	.globl grr_sb_untraced1, grr_sb_untraced2, grr_sb_mismatch
grr_sb_code:
	.set D, grr_sb_code + D_OFF

grr_sb_entry:
	leaq	D(%rip), %rcx
	cmpq	$0, D_MODE(%rcx)
	je	.Lreplay

	/* Recording: may this call run here? */
	cmpq	$0, D_ENABLED(%rcx)
	je	.Ltraced
	cmpq	$SYS_read, %rax
	je	.Lrw
	cmpq	$SYS_write, %rax
	je	.Lrw
	cmpq	$SYS_epoll_pwait, %rax
	je	.Lepoll
	cmpq	$SYS_epoll_wait, %rax
	jne	.Ltraced
.Lepoll:
	testl	%r10d, %r10d            /* timeout 0 only: it never blocks */
	jne	.Ltraced
	cmpq	$MAX_EVENTS, %rdx
	ja	.Ltraced
	leaq	(%rdx,%rdx,2), %r11     /* at most 12 bytes per event */
	shlq	$2, %r11
	jmp	.Lroom
.Lrw:
	cmpq	$2, %rdi                /* not stdin, stdout, stderr */
	jbe	.Ltraced
	cmpq	$MAX_RW, %rdx
	ja	.Ltraced
	movq	%rdx, %r11
.Lroom:
	addq	D_POS(%rcx), %r11
	cmpq	$(RING_CAP - HDR - 8), %r11
	ja	.Ltraced
	movq	%rax, D_NR(%rcx)
	movq	%rsi, D_RSI(%rcx)
	cmpq	$SYS_write, %rax        /* (read and write: rax 0, 1) */
	ja	.Lcall
	movl	$SYS_fcntl, %eax        /* only on a non-blocking descriptor */
	movl	$F_GETFL, %esi
	syscall                         /* untraced (the filter) */
grr_sb_untraced1:
	leaq	D(%rip), %rcx
	movq	D_RSI(%rcx), %rsi
	movq	%rax, %r11
	movq	D_NR(%rcx), %rax
	testq	%r11, %r11
	js	.Ltraced
	testl	$O_NONBLOCK, %r11d
	jz	.Ltraced

.Lcall:
	syscall                         /* untraced (the filter) */
grr_sb_untraced2:
	leaq	D(%rip), %rcx
	movq	%rdi, D_RDI(%rcx)
	movq	D_POS(%rcx), %r11
	leaq	RING_OFF(%rcx,%r11), %rdi
	movq	D_NR(%rcx), %r11
	movl	%r11d, 0(%rdi)
	movq	%rax, 8(%rdi)
	movq	D_RDI(%rcx), %r11
	movq	%r11, 16(%rdi)
	movq	%rdx, 24(%rdi)
	xorl	%r11d, %r11d            /* bytes the kernel wrote */
	testq	%rax, %rax
	jle	.Llen
	cmpl	$SYS_write, 0(%rdi)
	je	.Llen
	movq	%rax, %r11              /* read: the result */
	cmpl	$SYS_write, 0(%rdi)
	jb	.Llen
	leaq	(%rax,%rax,2), %r11     /* epoll: 12 per event */
	shlq	$2, %r11
.Llen:
	movl	%r11d, 4(%rdi)
	addq	$HDR, %rdi
	movq	%r11, %rcx
	rep movsb
	leaq	D(%rip), %rcx
	NEXT_RECORD %r11, %rcx

	/* Replay: the next record, if the replayer wrote one, is this call's. */
.Lreplay:
	movq	D_POS(%rcx), %r11
	cmpq	D_END(%rcx), %r11
	jae	.Ltraced
	leaq	RING_OFF(%rcx,%r11), %r11
	movq	%rax, D_NR(%rcx)
	movl	0(%r11), %eax
	cmpq	%rax, D_NR(%rcx)
	jne	grr_sb_mismatch
	cmpq	16(%r11), %rdi
	jne	grr_sb_mismatch
	cmpq	24(%r11), %rdx
	jne	grr_sb_mismatch
	movq	%rdi, D_RDI(%rcx)
	movq	%rsi, D_RSI(%rcx)
	movq	%rsi, %rdi
	leaq	HDR(%r11), %rsi
	movl	4(%r11), %ecx
	rep movsb
	movq	8(%r11), %rax
	movl	4(%r11), %ecx
	leaq	D(%rip), %r11
	NEXT_RECORD %rcx, %r11

	/* Both modes: the call as a stop of its own, with registers alike. */
.Ltraced:
	xorl	%ecx, %ecx
	xorl	%r11d, %r11d
	cmpq	%rcx, %rcx              /* every arithmetic flag defined */
grr_sb_traced:
	syscall
.Ldone:
	xorl	%ecx, %ecx
	xorl	%r11d, %r11d
	cmpq	$-4095, %rax
	jmp	*D+D_RET(%rip)

grr_sb_mismatch:
	ud2
grr_sb_code_end:

	.section .note.GNU-stack,"",@progbits
