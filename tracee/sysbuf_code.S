/* sysbuf_code.S - the code of grr's syscall buffer page (tracee/sysbuf.h).
 *
 * These bytes are not run in grr: they are copied to the start of the
 * page in the tracee (GRR_SB_ADDR), and reach their data (one page
 * further) rip-relative.  There are two versions of the code, and replay
 * runs the one its trace was recorded with (format/trace.h):
 *   grr_sb_code    the second code (GRR_HDR_SYSBUF_FS): file system calls;
 *   grr_sbv3_code  the third (GRR_HDR_SYSBUF_FUTEX): FUTEX_WAKE too, from
 *                  runtime.futex as well (the Go runtime's own assembly),
 *                  when the data page's futex switch is on.
 * In each, the code is there once per patch site, alike but for the way
 * out (SBCODE below):
 *   grr_sb_*, grr_sb3a_*   entered by a jump from Syscall6 in place of
 *              its `syscall; cmp $-4095, %rax`, left by a jump back to
 *              the instruction after them, with the flags of that compare;
 *   grr_sb2_*, grr_sb3b_*  entered from Go 1.19's runtime.epollwait in
 *              place of its `syscall; movl %eax, 0x20(%rsp)`, left after
 *              that store by a jump back to its `ret`;
 *   grr_sb3c_*  entered from runtime.futex in place of its `syscall; movl
 *              %eax, 0x30(%rsp)`, left after that store by a jump back to
 *              its `ret`.
 * Both have the kernel's syscall registers on entry (rax number, rdi rsi
 * rdx r10 r8 r9 arguments) and rax the result on the way out.  rcx and r11
 * (which the kernel's syscall clobbers) come back zero; every other
 * register as it came in.  The stack is not touched
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
#define D_RET      40       /* the way back to Syscall6 */
#define D_NR       48       /* saved while the page runs */
#define D_RDI      56
#define D_RSI      64
#define D_RET2     72       /* the way back to runtime.epollwait */
#define D_RET_CPUID 80      /* the ways back to the cpuid helpers (3) */
#define D_RET3     104      /* the way back to runtime.futex (third code) */
#define D_FUTEX    112      /* FUTEX_WAKE may run here (third code) */
#define D_RDX      128      /* openat's, saved during its check */
#define D_R10      136
#define D_LEN      144      /* openat: its path's length, with the NUL */
#define D_STAT     0xe00    /* openat: what newfstatat says of the path */
#define ST_MODE    24       /* in struct stat */
#define HDR        32
#define RING_CAP   0x100000
#define MAX_RW     65536    /* bytes of one read or write */
#define MAX_EVENTS 1024     /* epoll events of one epoll_pwait */
#define PATH_MAX   4096
#define S_IFMT     0170000
#define S_IFDIR    0040000
#define S_IFREG    0100000
#define ENOENT     2

#define STAT_SIZE  144      /* struct stat */

#define SYS_read        0
#define SYS_write       1
#define SYS_close       3
#define SYS_fstat       5
#define SYS_lseek       8
#define SYS_fcntl       72
#define SYS_futex       202
#define SYS_getdents64  217
#define SYS_epoll_wait  232
#define SYS_epoll_ctl   233
#define SYS_openat      257
#define SYS_mkdirat     258
#define SYS_newfstatat  262
#define SYS_unlinkat    263
#define SYS_renameat    264
#define SYS_linkat      265
#define SYS_symlinkat   266
#define SYS_readlinkat  267
#define SYS_fchmodat    268
#define SYS_utimensat   280
#define SYS_epoll_pwait 281
#define F_GETFD         1
#define F_SETFL         4
#define F_GETFL         3
#define O_NONBLOCK      0x800
#define FUTEX_WAKE      1
#define FUTEX_FLAGS     (128 | 256)   /* PRIVATE, CLOCK_REALTIME */

/* NEXT_RECORD LEN, D: past the record whose data length LEN holds (D the
 * data page), one more counted, the saved rsi and rdi back, and out. */
.macro NEXT_RECORD p, len, d
	addq	$(HDR + 7), \len
	andq	$-8, \len
	addq	\len, D_POS(\d)
	incq	D_COUNT(\d)
	movq	D_RSI(\d), %rsi
	movq	D_RDI(\d), %rdi
	jmp	.L\p\()done
.endm

/* The ways out of the copies. */
.macro EPILOGUE_grr_sb_ D
	cmpq	$-4095, %rax
	jmp	*\D+D_RET(%rip)
.endm
.macro EPILOGUE_grr_sb2_ D
	movl	%eax, 0x20(%rsp)
	jmp	*\D+D_RET2(%rip)
.endm
.macro EPILOGUE_grr_sb3a_ D
	EPILOGUE_grr_sb_ \D
.endm
.macro EPILOGUE_grr_sb3b_ D
	EPILOGUE_grr_sb2_ \D
.endm
.macro EPILOGUE_grr_sb3c_ D
	movl	%eax, 0x30(%rsp)
	jmp	*\D+D_RET3(%rip)
.endm

/* SBCODE P, V, D: one copy of the code of version V (2 or 3), its symbols
 * prefixed with P, its data page at D. */
.macro SBCODE p, v, D
	.globl \p\()entry, \p\()traced, \p\()untraced1, \p\()untraced2, \p\()mismatch
\p\()entry:
	leaq	\D(%rip), %rcx
	cmpq	$0, D_MODE(%rcx)
	je	.L\p\()replay

	/* Recording: may this call run here? */
	cmpq	$0, D_ENABLED(%rcx)
	je	.L\p\()traced
	cmpq	$SYS_read, %rax
	je	.L\p\()rw
	cmpq	$SYS_write, %rax
	je	.L\p\()rw
	cmpq	$SYS_epoll_pwait, %rax
	je	.L\p\()epoll
	cmpq	$SYS_epoll_wait, %rax
	je	.L\p\()epoll
	cmpq	$SYS_getdents64, %rax
	je	.L\p\()dents
	cmpq	$SYS_readlinkat, %rax
	je	.L\p\()readlink
	cmpq	$SYS_fstat, %rax
	je	.L\p\()stat
	cmpq	$SYS_newfstatat, %rax
	je	.L\p\()stat
	cmpq	$SYS_close, %rax
	je	.L\p\()close
	cmpq	$SYS_openat, %rax
	je	.L\p\()openat
	cmpq	$SYS_fcntl, %rax
	je	.L\p\()fcntl
.if \v >= 3
	cmpq	$SYS_futex, %rax
	je	.L\p\()futex
.endif
	/* file system calls that write nothing into the process and
	 * never wait for another process */
	cmpq	$SYS_lseek, %rax
	je	.L\p\()nothing
	cmpq	$SYS_epoll_ctl, %rax
	je	.L\p\()nothing
	cmpq	$SYS_utimensat, %rax
	je	.L\p\()nothing
	cmpq	$SYS_mkdirat, %rax
	jb	.L\p\()traced
	cmpq	$SYS_fchmodat, %rax     /* mkdirat .. fchmodat, but the two */
	ja	.L\p\()traced         /* that write (stat, readlink) */
.L\p\()nothing:
	xorl	%r11d, %r11d
	jmp	.L\p\()room
.L\p\()close:
	cmpq	$2, %rdi                /* not stdin, stdout, stderr */
	jbe	.L\p\()traced
	xorl	%r11d, %r11d
	jmp	.L\p\()room
.if \v >= 3
.L\p\()futex:
	cmpq	$0, D_FUTEX(%rcx)       /* (off in chaos recordings) */
	je	.L\p\()traced
	movl	%esi, %r11d             /* FUTEX_WAKE, which never blocks */
	andl	$~FUTEX_FLAGS, %r11d
	cmpl	$FUTEX_WAKE, %r11d
	jne	.L\p\()traced
	xorl	%r11d, %r11d
	jmp	.L\p\()room
.endif
.L\p\()fcntl:
	cmpq	$F_GETFD, %rsi          /* F_GETFD .. F_SETFL: no lock, no */
	jb	.L\p\()traced         /* new descriptor */
	cmpq	$F_SETFL, %rsi
	ja	.L\p\()traced
	xorl	%r11d, %r11d
	jmp	.L\p\()room
.L\p\()stat:
	movl	$STAT_SIZE, %r11d
	jmp	.L\p\()room
.L\p\()openat:
	xorl	%r11d, %r11d            /* its path, with the NUL, is the data */
.L\p\()strlen:
	cmpb	$0, (%rsi,%r11)
	je	.L\p\()strend
	incq	%r11
	cmpq	$PATH_MAX, %r11
	jae	.L\p\()traced
	jmp	.L\p\()strlen
.L\p\()strend:
	incq	%r11
	movq	%r11, D_LEN(%rcx)
	jmp	.L\p\()room
.L\p\()readlink:
	cmpq	$MAX_RW, %r10
	ja	.L\p\()traced
	movq	%r10, %r11
	jmp	.L\p\()room
.L\p\()dents:
	cmpq	$MAX_RW, %rdx
	ja	.L\p\()traced
	movq	%rdx, %r11
	jmp	.L\p\()room
.L\p\()epoll:
	testl	%r10d, %r10d            /* timeout 0 only: it never blocks */
	jne	.L\p\()traced
	cmpq	$MAX_EVENTS, %rdx
	ja	.L\p\()traced
	leaq	(%rdx,%rdx,2), %r11     /* at most 12 bytes per event */
	shlq	$2, %r11
	jmp	.L\p\()room
.L\p\()rw:
	cmpq	$2, %rdi                /* not stdin, stdout, stderr */
	jbe	.L\p\()traced
	cmpq	$MAX_RW, %rdx
	ja	.L\p\()traced
	movq	%rdx, %r11
.L\p\()room:
	addq	D_POS(%rcx), %r11
	cmpq	$(RING_CAP - HDR - 8), %r11
	ja	.L\p\()traced
	movq	%rax, D_NR(%rcx)
	movq	%rsi, D_RSI(%rcx)
	cmpq	$SYS_openat, %rax
	je	.L\p\()opencheck
	cmpq	$SYS_write, %rax        /* (read and write: rax 0, 1) */
	ja	.L\p\()call
	movl	$SYS_fcntl, %eax        /* only on a non-blocking descriptor */
	movl	$F_GETFL, %esi
.L\p\()check:
	syscall                         /* untraced (the filter) */
\p\()untraced1:
	leaq	\D(%rip), %rcx
	cmpq	$SYS_openat, D_NR(%rcx)
	je	.L\p\()openchecked
	movq	D_RSI(%rcx), %rsi
	movq	%rax, %r11
	movq	D_NR(%rcx), %rax
	testq	%r11, %r11
	js	.L\p\()traced
	testl	$O_NONBLOCK, %r11d
	jz	.L\p\()traced
	jmp	.L\p\()call

	/* openat: only where the path is a regular file or a directory, or
	 * nothing (no FIFO to wait on, no device), as newfstatat (from the
	 * same untraced instruction) finds it */
.L\p\()opencheck:
	movq	%rdi, D_RDI(%rcx)
	movq	%rdx, D_RDX(%rcx)
	movq	%r10, D_R10(%rcx)
	movl	$SYS_newfstatat, %eax
	leaq	D_STAT(%rcx), %rdx
	xorl	%r10d, %r10d
	jmp	.L\p\()check
.L\p\()openchecked:
	movq	D_RDI(%rcx), %rdi
	movq	D_RSI(%rcx), %rsi
	movq	D_RDX(%rcx), %rdx
	movq	D_R10(%rcx), %r10
	movq	%rax, %r11
	movl	$SYS_openat, %eax
	cmpq	$-ENOENT, %r11
	je	.L\p\()call
	testq	%r11, %r11
	jne	.L\p\()traced
	movl	D_STAT+ST_MODE(%rcx), %r11d
	andl	$S_IFMT, %r11d
	cmpl	$S_IFREG, %r11d
	je	.L\p\()call
	cmpl	$S_IFDIR, %r11d
	jne	.L\p\()traced

.L\p\()call:
	syscall                         /* untraced (the filter) */
\p\()untraced2:
	leaq	\D(%rip), %rcx
	movq	%rdi, D_RDI(%rcx)
	movq	D_POS(%rcx), %r11
	leaq	RING_OFF(%rcx,%r11), %rdi
	movq	D_NR(%rcx), %r11
	movl	%r11d, 0(%rdi)
	movq	%rax, 8(%rdi)
	movq	D_RDI(%rcx), %r11
	movq	%r11, 16(%rdi)
	movq	%rdx, 24(%rdi)
	xorl	%r11d, %r11d            /* bytes the kernel wrote, from rsi */
	movl	0(%rdi), %ecx
	cmpl	$SYS_fstat, %ecx
	je	.L\p\()ostat
	cmpl	$SYS_newfstatat, %ecx
	je	.L\p\()ostatat
	cmpl	$SYS_openat, %ecx
	je	.L\p\()opath
	testq	%rax, %rax
	jle	.L\p\()len
	cmpl	$SYS_read, %ecx
	je	.L\p\()oret
	cmpl	$SYS_getdents64, %ecx
	je	.L\p\()oret
	cmpl	$SYS_readlinkat, %ecx
	je	.L\p\()oretdx
	cmpl	$SYS_epoll_wait, %ecx
	je	.L\p\()oepoll
	cmpl	$SYS_epoll_pwait, %ecx
	jne	.L\p\()len
.L\p\()oepoll:
	leaq	(%rax,%rax,2), %r11     /* 12 bytes per event */
	shlq	$2, %r11
	jmp	.L\p\()len
.L\p\()ostatat:
	movq	%rdx, %rsi              /* (the buffer is the third argument) */
.L\p\()ostat:
	testq	%rax, %rax
	jne	.L\p\()len
	movl	$STAT_SIZE, %r11d
	jmp	.L\p\()len
.L\p\()oretdx:
	movq	%rdx, %rsi
.L\p\()oret:
	movq	%rax, %r11              /* the result's count of bytes */
	jmp	.L\p\()len
.L\p\()opath:
	movq	\D+D_LEN(%rip), %r11     /* its path (for readers of the trace) */
.L\p\()len:
	movl	%r11d, 4(%rdi)
	addq	$HDR, %rdi
	movq	%r11, %rcx
	rep movsb
	leaq	\D(%rip), %rcx
	NEXT_RECORD \p, %r11, %rcx

	/* Replay: the next record, if the replayer wrote one, is this call's. */
.L\p\()replay:
	movq	D_POS(%rcx), %r11
	cmpq	D_END(%rcx), %r11
	jae	.L\p\()traced
	leaq	RING_OFF(%rcx,%r11), %r11
	movq	%rax, D_NR(%rcx)
	movl	0(%r11), %eax
	cmpq	%rax, D_NR(%rcx)
	jne	\p\()mismatch
	cmpq	16(%r11), %rdi
	jne	\p\()mismatch
	cmpq	24(%r11), %rdx
	jne	\p\()mismatch
	movq	%rdi, D_RDI(%rcx)
	movq	%rsi, D_RSI(%rcx)
	movq	%rsi, %rdi
	cmpl	$SYS_newfstatat, %eax   /* their buffer: the third argument */
	je	.L\p\()rdx
	cmpl	$SYS_readlinkat, %eax
	jne	.L\p\()copy
.L\p\()rdx:
	movq	%rdx, %rdi
.L\p\()copy:
	leaq	HDR(%r11), %rsi
	movl	4(%r11), %ecx
	cmpl	$SYS_openat, %eax       /* its path: for readers of the trace */
	jne	.L\p\()copyit
	xorl	%ecx, %ecx
.L\p\()copyit:
	rep movsb
	movq	8(%r11), %rax
	movl	4(%r11), %ecx
	leaq	\D(%rip), %r11
	NEXT_RECORD \p, %rcx, %r11

	/* Both modes: the call as a stop of its own, with registers alike. */
.L\p\()traced:
	xorl	%ecx, %ecx
	xorl	%r11d, %r11d
	cmpq	%rcx, %rcx              /* every arithmetic flag defined */
\p\()traced:
	syscall
.L\p\()done:
	xorl	%ecx, %ecx
	xorl	%r11d, %r11d
	EPILOGUE_\p \D

\p\()mismatch:
	ud2
.endm

/* CPUIDCODE N: for the Nth of Go's cpuid helpers (the cpuid.abi0 of
 * internal/cpu, and of x/sys/cpu, vendored or not: `cpuid; movl %eax, 0x10(%rsp)` replaced by a
 * jump here).  The fields that tell which core the thread runs on (the
 * initial and x2APIC ids, AMD's core and node ids, a hybrid core's type)
 * are zeroed: they differ from one run, and one moment, to the next, and
 * an anchor after them would never be found again.  The same in both
 * modes; r11 (scratch in these helpers) holds the leaf. */
/* CPUIDCODE P, N, D: the code for the Nth helper, named PN, its data at D */
.macro CPUIDCODE p, n, D
	.globl \p\n
\p\n:
	movl	%eax, %r11d
	cpuid
	cmpl	$1, %r11d
	jne	1f
	andl	$0x00ffffff, %ebx
	jmp	9f
1:	cmpl	$0xb, %r11d
	je	2f
	cmpl	$0x1f, %r11d
	je	2f
	cmpl	$0x1a, %r11d
	je	3f
	cmpl	$0x8000001e, %r11d
	jne	9f
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	jmp	9f
2:	xorl	%edx, %edx
	jmp	9f
3:	xorl	%eax, %eax
9:	movl	%eax, 0x10(%rsp)
	jmp	*\D+D_RET_CPUID+8*\n(%rip)
.endm

	.section .rodata
	.p2align 4
	.globl grr_sb_code, grr_sb_code_end, grr_sb2_code
grr_sb_code:
	.set D, grr_sb_code + D_OFF
	SBCODE grr_sb_, 2, D
	.p2align 4
grr_sb2_code:
	SBCODE grr_sb2_, 2, D
	CPUIDCODE grr_sb_cpuid, 0, D
	CPUIDCODE grr_sb_cpuid, 1, D
	CPUIDCODE grr_sb_cpuid, 2, D
grr_sb_code_end:

	.p2align 4
	.globl grr_sbv3_code, grr_sbv3_code_end
grr_sbv3_code:
	.set D3, grr_sbv3_code + D_OFF
	SBCODE grr_sb3a_, 3, D3
	.p2align 4
	SBCODE grr_sb3b_, 3, D3
	.p2align 4
	SBCODE grr_sb3c_, 3, D3
	CPUIDCODE grr_sb3_cpuid, 0, D3
	CPUIDCODE grr_sb3_cpuid, 1, D3
	CPUIDCODE grr_sb3_cpuid, 2, D3
grr_sbv3_code_end:

	.section .note.GNU-stack,"",@progbits
