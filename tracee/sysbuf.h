/* sysbuf.h - grr's syscall buffer: non-blocking syscalls of the Go runtime
 * recorded and replayed without a ptrace stop.
 *
 * A loopback server makes most of its syscalls through one function,
 * Syscall6 of the runtime's syscall package (internal/runtime/syscall/linux
 * in Go 1.26, runtime/internal/syscall in Go 1.19): reads and writes on
 * non-blocking sockets, epoll_pwait with a zero timeout.  Each costs two
 * ptrace stops when traced.  grr maps a page of code and a ring below the
 * program's text (and its clock page), before the program's first
 * instruction, in recording and replay alike, and overwrites Syscall6's
 * `syscall; cmp $-4095, %rax` with a jump into the page.
 *
 * Recording (mode word 1): the page runs read and write on a descriptor
 * above 2 that is O_NONBLOCK (fcntl F_GETFL, run by the page too),
 * epoll_pwait with timeout 0, and the file system calls that never wait
 * for another process (getdents64, newfstatat, fstat, readlinkat,
 * mkdirat .. fchmodat, utimensat, lseek, epoll_ctl, close above fd 2,
 * fcntl F_GETFD .. F_SETFL, and openat where newfstatat finds a regular
 * file, a directory or nothing: no FIFO to wait on), itself, from the two
 * `syscall` instructions a seccomp filter lets through, and appends a
 * record (number, result, descriptor, length, the bytes the kernel wrote:
 * into the second argument's buffer, the third's for newfstatat and
 * readlinkat; openat's path, which replay does not copy back) to the
 * ring.  Every other call, and these when the ring is full or buffering
 * is off (a vfork child shares the memory), goes through the page's traced
 * `syscall` (GRR_SB_TRACED), which the filter hands to grr as before.
 * grr collects the ring at each stop of the thread that ran, and logs it
 * as a BUFFERED event that writes the records back at replay.
 *
 * Replay (mode word 0): the records the replayer wrote are consumed in
 * order: number, descriptor and length are checked (a mismatch executes
 * ud2: a divergence), the bytes are copied to the caller's buffer.  With
 * no record left, the call goes to the traced `syscall`, a stop the
 * replayer expects, as in recording.
 *
 * Go's cpuid helpers (internal/cpu, x/sys/cpu) run their CPUID in the
 * page too, which zeroes the fields that name the core the thread is on
 * (APIC ids: they differ between runs, so a state after them would never
 * be found again at replay).
 *
 * Go 1.19's netpoller calls epoll_pwait from runtime.epollwait, not
 * Syscall6: its `syscall` and the store after it are patched too, into a
 * second copy of the code that differs only in its way out.
 *
 * The code has versions, and replay installs the one its trace was
 * recorded with: the second (GRR_HDR_SYSBUF_FS) and the third
 * (GRR_HDR_SYSBUF_FUTEX), which also runs FUTEX_WAKE in-process when the
 * data page's futex switch is on, and patches runtime.futex (`syscall;
 * movl %eax, 0x30(%rsp)`, the Go runtime's own call, which wakes its
 * sleeping threads) into a third copy.
 *
 * Both modes leave the registers alike (rcx, r11 zero; flags from the
 * original compare), and no anchor is ever placed inside the page's code
 * except at the traced `syscall` (grr_sysbuf_no_anchor).  Anchors digest
 * the record counter only (the rest differs between the two modes). */
#ifndef GRR_TRACEE_SYSBUF_H
#define GRR_TRACEE_SYSBUF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/sysbuf_ring.h"
#include "format/trace.h"
#include "tracee/mem.h"
#include "tracee/symtab.h"

/* The page's place: code, data (counter, mode, buffering switch, ring
 * read/write position, end of the replayed records, return address), then
 * the ring.  Below the replayer's reserved range (GRR_RESERVED_ADDR,
 * tracee/digest.h) and the clock page, free in every non-PIE Go
 * executable, and checked before use. */
#define GRR_SB_ADDR      0x1c0000ull
#define GRR_SB_LEN       0x102000ull
#define GRR_SB_DATA      (GRR_SB_ADDR + 0x1000)
#define GRR_SB_COUNT     (GRR_SB_DATA + 0)
#define GRR_SB_MODE      (GRR_SB_DATA + 8)
#define GRR_SB_ENABLED   (GRR_SB_DATA + 16)
#define GRR_SB_POS       (GRR_SB_DATA + 24)
#define GRR_SB_END       (GRR_SB_DATA + 32)
#define GRR_SB_RET       (GRR_SB_DATA + 40)
#define GRR_SB_NR        (GRR_SB_DATA + 48)    /* the call's number, while in the page */
#define GRR_SB_RET2      (GRR_SB_DATA + 72)
#define GRR_SB_RET_CPUID (GRR_SB_DATA + 80)    /* 3 words */
#define GRR_SB_CPUID_SITES 3
#define GRR_SB_RET3      (GRR_SB_DATA + 104)   /* third code: back to runtime.futex */
#define GRR_SB_FUTEX     (GRR_SB_DATA + 112)   /* third code: FUTEX_WAKE buffered */
#define GRR_SB_SCRATCH   (GRR_SB_DATA + 256)   /* the filter, while installed */
/* the ring: GRR_SB_RING, GRR_SB_RING_CAP (format/sysbuf_ring.h) */
_Static_assert(GRR_SB_RING == GRR_SB_ADDR + 0x2000, "the ring follows code and data");
/* What anchors leave out of their digests: all but the record counter. */
#define GRR_SB_EXCLUDED_ADDR GRR_SB_MODE
#define GRR_SB_EXCLUDED_LEN  (GRR_SB_ADDR + GRR_SB_LEN - GRR_SB_MODE)
/* One record: GRR_SB_HDR bytes (format/sysbuf_ring.h), then the data. */

/* The versions of the page's code (tracee/sysbuf_code.S). */
enum grr_sb_version {
	GRR_SB_V2 = 2,   /* file system calls too (GRR_HDR_SYSBUF_FS) */
	GRR_SB_V3 = 3,   /* FUTEX_WAKE and runtime.futex too (GRR_HDR_SYSBUF_FUTEX) */
};
/* The copies of the code, one per patch site. */
enum grr_sb_copy_id { GRR_SB_SYSCALL6, GRR_SB_EPOLLWAIT, GRR_SB_FUTEXFN, GRR_SB_COPIES };

/* What a tracee's syscall buffer is wired to. */
struct grr_sysbuf {
	bool active;
	enum grr_sb_version version;
	uint64_t site;          /* Syscall6's `syscall` instruction, patched */
	uint64_t site2;         /* Go 1.19's runtime.epollwait's, or 0 */
	uint64_t site3;         /* (third code) runtime.futex's, or 0 */
	uint64_t cpuid_site[GRR_SB_CPUID_SITES];  /* the cpuid helpers', or 0 */
	uint64_t text_end;      /* end of the program's code (the filter's range) */
	bool trace_all;         /* a dynamically linked program: the filter traces
				   calls from everywhere (the C library's too),
				   but the page's untraced instructions and the
				   kernel's vDSO */
	uint64_t vdso_lo, vdso_hi;
	uint64_t drained;       /* records collected so far (recording) */
	uint64_t records;
};

/* Whether PID (stopped at its first instruction, read through M) can have
 * the buffer's code of version V: Syscall6 exists with the expected bytes
 * at its `syscall; cmp $-4095, %rax` and the address range is free.
 * Fills SB's version, site, site2 (Go 1.19's runtime.epollwait, `syscall;
 * movl %eax, 0x20(%rsp); ret`, when it has those bytes: its netpoller's
 * one call, which does not go through Syscall6), site3 (third code:
 * runtime.futex, `syscall; movl %eax, 0x30(%rsp); ret`) and text_end.  On
 * a "no", a reason in WHY. */
bool grr_sysbuf_usable(const struct grr_mem *m, pid_t pid, const struct grr_symtab *syms,
		       enum grr_sb_version v, struct grr_sysbuf *sb, const char **why);

/* Maps and fills the page in the stopped thread TID and patches the site;
 * RECORDING sets the mode word and buffering on.  0, or -1 with WHY. */
int grr_sysbuf_install(const struct grr_mem *m, pid_t tid, struct grr_sysbuf *sb,
		       bool recording, const char **why);

/* Installs, in the stopped thread TID (after grr_sysbuf_install), the
 * seccomp filter: syscalls from the page's untraced instruction run
 * without a stop, those from the page and the program's code reach grr
 * (PTRACE_EVENT_SECCOMP), all others (a child's new program) run; for a
 * dynamically linked program (SB's trace_all), all others reach grr too
 * (the dynamic loader's, the C library's), but the kernel's vDSO's (a
 * clock read's fallback).  Sets no_new_privs first when the kernel
 * requires it.  0, or -1 with WHY. */
int grr_sysbuf_filter(const struct grr_mem *m, pid_t tid, const struct grr_sysbuf *sb,
		      const char **why);

/* Leaves no record to consume (replay mode): the calls that follow take
 * the traced syscall (a debugger's function call, whose calls are not the
 * recording's).  0 or -1. */
int grr_sysbuf_drop_records(const struct grr_mem *m);

/* Turns buffering on or off (recording: off while a vfork child shares
 * the memory). */
int grr_sysbuf_enable(const struct grr_mem *m, bool on);
/* Third code: lets FUTEX_WAKE run in-process, or not (chaos recordings,
 * whose scheduler acts at wakes, keep them traced).  The second code has
 * no such switch (its wakes always stop): nothing to do.  0, or -1 with
 * WHY. */
int grr_sysbuf_futex_wakes(const struct grr_mem *m, const struct grr_sysbuf *sb, bool on,
			   const char **why);

/* Whether PC is in the page's code where no anchor may be placed (all of
 * it but the copies' traced syscall instructions). */
bool grr_sysbuf_no_anchor(const struct grr_sysbuf *sb, uint64_t pc);
/* Whether PC is just past one of the untraced syscall instructions. */
bool grr_sysbuf_untraced_pc(const struct grr_sysbuf *sb, uint64_t pc);
/* Whether PC is the page's divergence trap (ud2: a buffered call that is
 * not the recorded one).  There r11 holds the address of the record, and
 * the word at GRR_SB_NR the number of the call the program made. */
bool grr_sysbuf_mismatch_pc(const struct grr_sysbuf *sb, uint64_t pc);
/* The address in the program a pc in the page stands for (the patched
 * Syscall6, runtime.epollwait or runtime.futex, or a cpuid helper), for
 * symbolizing; PC itself when it is elsewhere. */
uint64_t grr_sysbuf_caller_pc(const struct grr_sysbuf *sb, uint64_t pc);

/* The records made since the last collection, as memory writes that
 * re-create them at replay (data read from M into *BUF, malloc'd; the
 * caller frees it).  Returns the number of writes: 0 when there is
 * nothing new, else at most 2 (the records; the ring's end, with the
 * position 0 when they start at the ring's start); the records' count in
 * *NREC; or -1. */
int grr_sysbuf_collect(const struct grr_mem *m, struct grr_sysbuf *sb, uint8_t **buf,
		       struct grr_mem_write w[2], uint64_t *nrec);

/* After a syscall entry stop of the thread that ran (whose records are
 * all collected: replay consumes them before it reaches that stop), the
 * ring starts over.  0 or -1. */
int grr_sysbuf_rewind(const struct grr_mem *m, struct grr_sysbuf *sb);

/* The page's code, copied into the tracee (exposed for tests): each
 * version's bytes, and where its copies and cpuid code lie in them. */
struct grr_sb_copy {
	const uint8_t *entry, *traced, *untraced1, *untraced2, *mismatch;
};
struct grr_sb_code {
	const uint8_t *start, *end;
	struct grr_sb_copy copy[GRR_SB_COPIES];   /* entry NULL: none */
	const uint8_t *cpuid[GRR_SB_CPUID_SITES];
};
const struct grr_sb_code *grr_sb_code_of(enum grr_sb_version v);
/* The address in the tracee of LABEL, in code C. */
uint64_t grr_sb_addr(const struct grr_sb_code *c, const uint8_t *label);

extern const uint8_t grr_sb_code[], grr_sb_code_end[], grr_sb_entry[], grr_sb_traced[],
	grr_sb_untraced1[], grr_sb_untraced2[], grr_sb_mismatch[];
extern const uint8_t grr_sb2_code[], grr_sb2_entry[], grr_sb2_traced[], grr_sb2_untraced1[],
	grr_sb2_untraced2[], grr_sb2_mismatch[];
extern const uint8_t grr_sb_cpuid0[], grr_sb_cpuid1[], grr_sb_cpuid2[];
extern const uint8_t grr_sbv3_code[], grr_sbv3_code_end[];
extern const uint8_t grr_sb3a_entry[], grr_sb3a_traced[], grr_sb3a_untraced1[],
	grr_sb3a_untraced2[], grr_sb3a_mismatch[];
extern const uint8_t grr_sb3b_entry[], grr_sb3b_traced[], grr_sb3b_untraced1[],
	grr_sb3b_untraced2[], grr_sb3b_mismatch[];
extern const uint8_t grr_sb3c_entry[], grr_sb3c_traced[], grr_sb3c_untraced1[],
	grr_sb3c_untraced2[], grr_sb3c_mismatch[];
extern const uint8_t grr_sb3_cpuid0[], grr_sb3_cpuid1[], grr_sb3_cpuid2[];

#endif
