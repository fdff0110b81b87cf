/* test_sysbuf.c - unit tests of grr's syscall buffer page (tracee/sysbuf.c,
 * sysbuf_code.S): its code, copied to its address in this process and
 * entered as Syscall6 enters it, buffers only the calls it may (read and
 * write on non-blocking descriptors, epoll_pwait with timeout 0, file
 * system calls that cannot wait for another process), hands
 * the others to its traced syscall, gives back the recorded results in
 * replay mode, traps on a call that is not the recorded one, and its
 * records are collected as writes that re-create them.  Every test runs
 * on both versions of the code (the second, which old traces replay
 * with, and the third); the third also buffers FUTEX_WAKE, from
 * runtime.futex's copy too. */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracee/sysbuf.h"
#include "tests/unit/run_suite.h"

/* sb_call(nr, a0, a1, a2, a3): the kernel's registers as Syscall6 has them
 * at its `syscall`, then a jump into the page; the page jumps back to
 * sb_back (its return address word), which returns to the caller with the
 * page's rax.  rcx and r11 come back in sb_regs_after. */
uint64_t sb_entry_addr, sb2_entry_addr;
uint64_t sb_regs_after[2];
int64_t sb_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void sb_back(void);
/* sb2_call: the same into the second copy, as Go 1.19's runtime.epollwait
 * enters it: the result comes back stored at 0x20(%rsp) (32 bits). */
int32_t sb2_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void sb2_back(void);
/* sb_cpuid_call(leaf, subleaf): as Go's cpuid helper enters the page's
 * CPUID code (its `cpuid; movl %eax, 0x10(%rsp)` replaced by a jump); the
 * four results come back in sb_cpuid_out. */
uint64_t sb_cpuid_addr;
uint32_t sb_cpuid_out[4];
void sb_cpuid_call(uint32_t leaf, uint32_t subleaf);
void sb_cpuid_back(void);
/* sb3_call: into the third code's futex copy, as runtime.futex enters it:
 * the result comes back stored at 0x30(%rsp) (32 bits). */
uint64_t sb3_entry_addr;
int32_t sb3_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void sb3_back(void);
/* The kernel's syscall registers from the C arguments (nr, a0..a3). */
#define SYSCALL_REGS \
	"	movq %rdi, %rax\n" \
	"	movq %rsi, %rdi\n" \
	"	movq %rdx, %rsi\n" \
	"	movq %rcx, %rdx\n" \
	"	movq %r8, %r10\n" \
	"	xorl %r8d, %r8d\n" \
	"	xorl %r9d, %r9d\n"
/* NAME_call and NAME_back entering the page at NAME_entry_addr as a
 * runtime function with a FRAME-byte frame whose `syscall` is followed by
 * `movl %eax, SLOT(%rsp)`: the page makes that store on its way back. */
#define STORING_CALL(name, frame, slot) \
	".globl " name "_call, " name "_back\n" \
	name "_call:\n" \
	"	subq $" #frame ", %rsp\n" \
	SYSCALL_REGS \
	"	movl $0x7fffffff, " #slot "(%rsp)\n" \
	"	jmp *" name "_entry_addr(%rip)\n" \
	name "_back:\n" \
	"	movl " #slot "(%rsp), %eax\n" \
	"	addq $" #frame ", %rsp\n" \
	"	ret\n"
__asm__(".text\n"
	".globl sb_call, sb_back\n"
	"sb_call:\n"
	SYSCALL_REGS
	"	movq $-1, %rcx\n"
	"	movq $-1, %r11\n"
	"	jmp *sb_entry_addr(%rip)\n"
	"sb_back:\n"
	"	movq %rcx, sb_regs_after(%rip)\n"
	"	movq %r11, sb_regs_after+8(%rip)\n"
	"	ret\n"
	".globl sb_cpuid_call, sb_cpuid_back\n"
	"sb_cpuid_call:\n"
	"	pushq %rbx\n"
	"	subq $32, %rsp\n"
	"	movl %edi, %eax\n"
	"	movl %esi, %ecx\n"
	"	jmp *sb_cpuid_addr(%rip)\n"
	"sb_cpuid_back:\n"
	"	movl %ebx, sb_cpuid_out+4(%rip)\n"
	"	movl %ecx, sb_cpuid_out+8(%rip)\n"
	"	movl %edx, sb_cpuid_out+12(%rip)\n"
	"	movl 0x10(%rsp), %eax\n"
	"	movl %eax, sb_cpuid_out(%rip)\n"
	"	addq $32, %rsp\n"
	"	popq %rbx\n"
	"	ret\n"
	STORING_CALL("sb2", 40, 0x20)
	STORING_CALL("sb3", 56, 0x30));

/* The version of the page's code the tests run (main runs them all on
 * each). */
static enum grr_sb_version version = GRR_SB_V2;

static uint64_t *word(uint64_t addr)
{
	return (uint64_t *)(uintptr_t)addr;
}

static void map_page(bool recording)
{
	void *p = mmap((void *)(uintptr_t)GRR_SB_ADDR, GRR_SB_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert_ptr_eq(p, (void *)(uintptr_t)GRR_SB_ADDR);
	const struct grr_sb_code *c = grr_sb_code_of(version);
	ck_assert_uint_le((size_t)(c->end - c->start), 4096);
	memcpy(p, c->start, (size_t)(c->end - c->start));
	ck_assert_int_eq(mprotect(p, 4096, PROT_READ | PROT_EXEC), 0);
	*word(GRR_SB_MODE) = recording;
	*word(GRR_SB_ENABLED) = recording;
	*word(GRR_SB_RET) = (uint64_t)(uintptr_t)sb_back;
	*word(GRR_SB_RET2) = (uint64_t)(uintptr_t)sb2_back;
	*word(GRR_SB_RET_CPUID) = (uint64_t)(uintptr_t)sb_cpuid_back;
	sb_cpuid_addr = grr_sb_addr(c, c->cpuid[0]);
	sb_entry_addr = grr_sb_addr(c, c->copy[GRR_SB_SYSCALL6].entry);
	sb2_entry_addr = grr_sb_addr(c, c->copy[GRR_SB_EPOLLWAIT].entry);
	if (version >= GRR_SB_V3) {
		*word(GRR_SB_RET3) = (uint64_t)(uintptr_t)sb3_back;
		*word(GRR_SB_FUTEX) = recording;
		sb3_entry_addr = grr_sb_addr(c, c->copy[GRR_SB_FUTEXFN].entry);
	}
}

static void unmap_page(void)
{
	munmap((void *)(uintptr_t)GRR_SB_ADDR, GRR_SB_LEN);
}

/* A pipe whose read end is non-blocking (or not), above fd 2. */
static void make_pipe(int fds[2], bool nonblock)
{
	ck_assert_int_eq(pipe2(fds, nonblock ? O_NONBLOCK : 0), 0);
	ck_assert_int_gt(fds[0], 2);
}

static const uint8_t *record_at(uint64_t off)
{
	return (const uint8_t *)(uintptr_t)(GRR_SB_RING + off);
}

/* Replay mode, with the records made so far (END bytes) to consume. */
static void to_replay(uint64_t end)
{
	*word(GRR_SB_MODE) = 0;
	*word(GRR_SB_POS) = 0;
	*word(GRR_SB_END) = end;
}

/* The pipe, the epoll descriptor (or -1) and the page, gone. */
static void tear_down(int fds[2], int ep)
{
	if (ep >= 0)
		close(ep);
	close(fds[0]);
	close(fds[1]);
	unmap_page();
}

START_TEST(buffers_a_nonblocking_read)
{
	map_page(true);
	int fds[2];
	make_pipe(fds, true);
	ck_assert_int_eq(write(fds[1], "hello", 5), 5);
	char buf[16] = { 0 };
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 16, 0), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_uint_eq(sb_regs_after[0], 0);
	ck_assert_uint_eq(sb_regs_after[1], 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	ck_assert_uint_eq(*word(GRR_SB_POS), GRR_SB_HDR + 8);
	const uint8_t *r = record_at(0);
	uint32_t nr, len;
	int64_t ret;
	uint64_t fd, count;
	memcpy(&nr, r, 4);
	memcpy(&len, r + 4, 4);
	memcpy(&ret, r + 8, 8);
	memcpy(&fd, r + 16, 8);
	memcpy(&count, r + 24, 8);
	ck_assert_uint_eq(nr, SYS_read);
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(ret, 5);
	ck_assert_uint_eq(fd, (uint64_t)fds[0]);
	ck_assert_uint_eq(count, 16);
	ck_assert_mem_eq(r + GRR_SB_HDR, "hello", 5);
	/* an empty pipe: EAGAIN, recorded too */
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 16, 0),
			 -EAGAIN);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	ck_assert_uint_eq(*word(GRR_SB_POS), 2 * GRR_SB_HDR + 8);
	tear_down(fds, -1);
}
END_TEST

START_TEST(leaves_blocking_and_other_calls_to_the_traced_syscall)
{
	map_page(true);
	int fds[2];
	make_pipe(fds, false);
	ck_assert_int_eq(write(fds[1], "xy", 2), 2);
	char buf[4];
	/* a blocking descriptor, stdin, a large read, getpid, epoll with a
	 * timeout: all run, none buffered */
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 4, 0), 2);
	ck_assert_int_eq(sb_call(SYS_getpid, 0, 0, 0, 0), getpid());
	ck_assert_int_eq(sb_call(SYS_write, 2, (uint64_t)(uintptr_t)"", 0, 0), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[4];
	ck_assert_int_eq(sb_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 4, 1), 0);
	ck_assert_uint_eq(sb_regs_after[0], 0);
	ck_assert_uint_eq(sb_regs_after[1], 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 0);
	/* with timeout 0 it is buffered; with buffering off it is not */
	ck_assert_int_eq(sb_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 4, 0), 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	*word(GRR_SB_ENABLED) = 0;
	ck_assert_int_eq(sb_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 4, 0), 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	tear_down(fds, ep);
}
END_TEST

START_TEST(replays_records_then_takes_the_traced_syscall)
{
	map_page(true);
	int fds[2];
	make_pipe(fds, true);
	int ep = epoll_create1(0);
	struct epoll_event want = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ull };
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &want), 0);
	ck_assert_int_eq(write(fds[1], "abc", 3), 3);
	struct epoll_event ev[4];
	char buf[8];
	ck_assert_int_eq(sb_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 4, 0), 1);
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0), 3);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	uint64_t end = *word(GRR_SB_POS);

	/* replay: the pipe is empty now, the answers come from the ring */
	to_replay(end);
	*word(GRR_SB_COUNT) = 0;
	memset(ev, 0, sizeof(ev));
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(sb_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 4, 0), 1);
	ck_assert_uint_eq(ev[0].data.u64, want.data.u64);
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0), 3);
	ck_assert_mem_eq(buf, "abc", 3);
	ck_assert_uint_eq(sb_regs_after[0], 0);
	ck_assert_uint_eq(sb_regs_after[1], 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	ck_assert_uint_eq(*word(GRR_SB_POS), end);
	/* no record left: the call is made for real (the replayer's stop) */
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0),
			 -EAGAIN);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	tear_down(fds, ep);
}
END_TEST

START_TEST(the_epollwait_copy_buffers_and_replays_too)
{
	map_page(true);
	int fds[2];
	make_pipe(fds, true);
	int ep = epoll_create1(0);
	struct epoll_event want = { .events = EPOLLIN, .data.u64 = 42 };
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &want), 0);
	ck_assert_int_eq(write(fds[1], "z", 1), 1);
	struct epoll_event ev[2];
	ck_assert_int_eq(sb2_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 2, 0), 1);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	/* a timeout: made for real, not buffered */
	ck_assert_int_eq(sb2_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 2, 5), 1);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	uint64_t end = *word(GRR_SB_POS);
	to_replay(end);
	ck_assert_int_eq(read(fds[0], ev, 1), 1);   /* nothing is ready any more */
	memset(ev, 0, sizeof(ev));
	ck_assert_int_eq(sb2_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 2, 0), 1);
	ck_assert_uint_eq(ev[0].data.u64, 42);
	ck_assert_int_eq(sb2_call(SYS_epoll_pwait, (uint64_t)ep, (uint64_t)(uintptr_t)ev, 2, 0), 0);
	tear_down(fds, ep);
}
END_TEST

/* A directory made, listed, looked at and removed in recording mode:
 * every call buffered, with what the kernel wrote; in replay mode the same
 * calls get the same results and bytes back without the kernel (the
 * directory is gone by then), into the buffer of whichever argument. */
START_TEST(buffers_and_replays_file_system_calls)
{
	map_page(true);
	char dir[] = "/tmp/grr-sysbuf-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char sub[64], link[64];
	snprintf(sub, sizeof(sub), "%s/d", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	uint64_t at = (uint64_t)(int64_t)AT_FDCWD;
#define P(s) ((uint64_t)(uintptr_t)(s))
	ck_assert_int_eq(sb_call(SYS_mkdirat, at, P(sub), 0700, 0), 0);
	ck_assert_int_eq(sb_call(SYS_symlinkat, P("target"), at, P(link), 0), 0);
	char lbuf[32] = { 0 };
	ck_assert_int_eq(sb_call(SYS_readlinkat, at, P(link), P(lbuf), sizeof(lbuf)), 6);
	ck_assert_mem_eq(lbuf, "target", 6);
	struct stat st, st_rec;
	ck_assert_int_eq(sb_call(SYS_newfstatat, at, P(sub), P(&st), 0), 0);
	st_rec = st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_gt(fd, 2);
	char dents[512], dents_rec[512];
	int64_t nd = sb_call(SYS_getdents64, (uint64_t)fd, P(dents), sizeof(dents), 0);
	ck_assert_int_gt(nd, 0);
	memcpy(dents_rec, dents, (size_t)nd);
	ck_assert_int_eq(sb_call(SYS_fcntl, (uint64_t)fd, F_GETFD, 0, 0), FD_CLOEXEC);
	ck_assert_int_eq(sb_call(SYS_close, (uint64_t)fd, 0, 0, 0), 0);
	ck_assert_int_eq(sb_call(SYS_unlinkat, at, P(link), 0, 0), 0);
	ck_assert_int_eq(sb_call(SYS_unlinkat, at, P(sub), AT_REMOVEDIR, 0), 0);
	ck_assert_int_eq(sb_call(SYS_unlinkat, at, P(sub), AT_REMOVEDIR, 0), -ENOENT);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 10);
	/* not buffered: a lock (it may wait), a new descriptor */
	struct flock lk = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	ck_assert_int_eq(sb_call(SYS_fcntl, 999, F_SETLKW, P(&lk), 0), -EBADF);
	int64_t dup = sb_call(SYS_fcntl, 0, F_DUPFD_CLOEXEC, 3, 0);
	ck_assert_int_ge(dup, 3);
	close((int)dup);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 10);
	ck_assert_int_eq(rmdir(dir), 0);

	to_replay(*word(GRR_SB_POS));
	memset(lbuf, 0, sizeof(lbuf));
	memset(&st, 0, sizeof(st));
	memset(dents, 0, sizeof(dents));
	ck_assert_int_eq(sb_call(SYS_mkdirat, at, P(sub), 0700, 0), 0);
	ck_assert_int_eq(sb_call(SYS_symlinkat, P("target"), at, P(link), 0), 0);
	ck_assert_int_eq(sb_call(SYS_readlinkat, at, P(link), P(lbuf), sizeof(lbuf)), 6);
	ck_assert_mem_eq(lbuf, "target", 6);
	ck_assert_int_eq(sb_call(SYS_newfstatat, at, P(sub), P(&st), 0), 0);
	ck_assert_mem_eq(&st, &st_rec, sizeof(st));
	ck_assert_int_eq(sb_call(SYS_getdents64, (uint64_t)fd, P(dents), sizeof(dents), 0), nd);
	ck_assert_mem_eq(dents, dents_rec, (size_t)nd);
	ck_assert_int_eq(sb_call(SYS_fcntl, (uint64_t)fd, F_GETFD, 0, 0), FD_CLOEXEC);
	ck_assert_int_eq(sb_call(SYS_close, (uint64_t)fd, 0, 0, 0), 0);
	ck_assert_int_eq(sb_call(SYS_unlinkat, at, P(link), 0, 0), 0);
	ck_assert_int_eq(sb_call(SYS_unlinkat, at, P(sub), AT_REMOVEDIR, 0), 0);
	ck_assert_int_eq(sb_call(SYS_unlinkat, at, P(sub), AT_REMOVEDIR, 0), -ENOENT);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 20);   /* (replay counts too) */
	ck_assert_int_eq(access(sub, F_OK), -1);
#undef P
	unmap_page();
}
END_TEST

/* openat is buffered where the path is a regular file, a directory or
 * nothing, not a FIFO (which would wait for its other end); its record
 * carries the path, which replay does not copy back (the path here is a
 * string literal, read-only). */
START_TEST(buffers_openat_but_not_of_a_fifo)
{
	map_page(true);
	char dir[] = "/tmp/grr-sysbuf-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char fifo[64];
	snprintf(fifo, sizeof(fifo), "%s/f", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	uint64_t at = (uint64_t)(int64_t)AT_FDCWD;
	int64_t fd = sb_call(SYS_openat, at, (uint64_t)(uintptr_t)"/", O_RDONLY | O_CLOEXEC, 0);
	ck_assert_int_gt(fd, 2);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	ck_assert_uint_eq(*(const uint32_t *)record_at(4), 2);   /* "/" and its NUL */
	ck_assert_mem_eq(record_at(GRR_SB_HDR), "/", 2);
	ck_assert_int_eq(sb_call(SYS_openat, at, (uint64_t)(uintptr_t)"/nonexistent/grr",
				 O_RDONLY, 0), -ENOENT);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	int64_t ffd = sb_call(SYS_openat, at, (uint64_t)(uintptr_t)fifo,
			      O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
	ck_assert_int_gt(ffd, 2);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);   /* the FIFO: traced */
	close((int)ffd);
	close((int)fd);
	unlink(fifo);
	rmdir(dir);

	to_replay(*word(GRR_SB_POS));
	ck_assert_int_eq(sb_call(SYS_openat, at, (uint64_t)(uintptr_t)"/", O_RDONLY | O_CLOEXEC, 0),
			 fd);
	ck_assert_int_eq(sb_call(SYS_openat, at, (uint64_t)(uintptr_t)"/nonexistent/grr",
				 O_RDONLY, 0), -ENOENT);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 4);
	unmap_page();
}
END_TEST

START_TEST(cpuid_hides_which_core_runs_the_thread)
{
	/* on the last CPU, whose APIC id is not 0 (with more than one) */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET((int)sysconf(_SC_NPROCESSORS_ONLN) - 1, &one);
	sched_setaffinity(0, sizeof(one), &one);
	map_page(true);
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	sb_cpuid_call(0, 0);   /* the vendor: as the CPU says */
	ck_assert_uint_eq(sb_cpuid_out[0], a);
	ck_assert_uint_eq(sb_cpuid_out[1], b);
	ck_assert_uint_eq(sb_cpuid_out[3], d);
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	sb_cpuid_call(1, 0);   /* features as they are, no APIC id */
	ck_assert_uint_eq(sb_cpuid_out[0], a);
	ck_assert_uint_eq(sb_cpuid_out[1], b & 0x00ffffffu);
	ck_assert_uint_eq(sb_cpuid_out[2], c);
	ck_assert_uint_eq(sb_cpuid_out[3], d);
	sb_cpuid_call(0xb, 0);  /* x2APIC id */
	ck_assert_uint_eq(sb_cpuid_out[3], 0);
	sb_cpuid_call(0x8000001e, 0);
	ck_assert_uint_eq(sb_cpuid_out[0], 0);
	ck_assert_uint_eq(sb_cpuid_out[1], 0);
	ck_assert_uint_eq(sb_cpuid_out[2], 0);
	unmap_page();
}
END_TEST

START_TEST(traps_on_a_call_that_is_not_the_recorded_one)
{
	map_page(true);
	int fds[2];
	make_pipe(fds, true);
	char buf[8];
	ck_assert_int_eq(sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0),
			 -EAGAIN);
	uint64_t end = *word(GRR_SB_POS);
	to_replay(end);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		/* same call, another length: the page executes ud2 */
		signal(SIGILL, SIG_DFL);
		sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 4, 0);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGILL);
	tear_down(fds, -1);
}
END_TEST

START_TEST(collects_records_as_writes_and_starts_over)
{
	map_page(true);
	struct grr_mem m;
	ck_assert_int_eq(grr_mem_open(&m, getpid()), 0);
	struct grr_sysbuf sb = { .active = true };
	int fds[2];
	make_pipe(fds, true);
	char buf[8];
	uint8_t *data;
	struct grr_mem_write w[2];
	uint64_t n;
	ck_assert_int_eq(grr_sysbuf_collect(&m, &sb, &data, w, &n), 0);

	ck_assert_int_eq(write(fds[1], "q", 1), 1);
	sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0);
	uint64_t first = *word(GRR_SB_POS);
	/* from the ring's start: the records, then position 0 and the end */
	ck_assert_int_eq(grr_sysbuf_collect(&m, &sb, &data, w, &n), 2);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(w[0].addr, GRR_SB_RING);
	ck_assert_uint_eq(w[0].len, first);
	ck_assert_mem_eq(w[0].data, record_at(0), first);
	ck_assert_uint_eq(w[1].addr, GRR_SB_POS);
	ck_assert_uint_eq(w[1].len, 16);
	uint64_t pe[2];
	memcpy(pe, w[1].data, 16);
	ck_assert_uint_eq(pe[0], 0);
	ck_assert_uint_eq(pe[1], first);
	free(data);

	/* more without a rewind: appended, and the end moves */
	sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0);
	ck_assert_int_eq(grr_sysbuf_collect(&m, &sb, &data, w, &n), 2);
	ck_assert_uint_eq(w[0].addr, GRR_SB_RING + first);
	ck_assert_uint_eq(w[1].addr, GRR_SB_END);
	ck_assert_uint_eq(w[1].len, 8);
	free(data);

	/* after a rewind the next records start at the ring's start again */
	ck_assert_int_eq(grr_sysbuf_rewind(&m, &sb), 0);
	ck_assert_uint_eq(*word(GRR_SB_POS), 0);
	sb_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 8, 0);
	ck_assert_int_eq(grr_sysbuf_collect(&m, &sb, &data, w, &n), 2);
	ck_assert_uint_eq(w[0].addr, GRR_SB_RING);
	ck_assert_uint_eq(w[1].addr, GRR_SB_POS);
	free(data);
	grr_mem_close(&m);
	tear_down(fds, -1);
}
END_TEST

START_TEST(no_anchor_but_at_the_traced_syscall)
{
	struct grr_sysbuf sb = { .active = true, .version = version, .site = 0x401234,
				 .site2 = 0x466010 };
	const struct grr_sb_code *c = grr_sb_code_of(version);
	uint64_t traced = grr_sb_addr(c, c->copy[GRR_SB_SYSCALL6].traced);
	uint64_t traced2 = grr_sb_addr(c, c->copy[GRR_SB_EPOLLWAIT].traced);
	ck_assert(!grr_sysbuf_no_anchor(&sb, traced2));
	ck_assert(grr_sysbuf_no_anchor(&sb, traced2 + 2));
	ck_assert_uint_eq(grr_sysbuf_caller_pc(&sb, traced2), 0x466010);
	ck_assert(grr_sysbuf_no_anchor(&sb, GRR_SB_ADDR));
	ck_assert(grr_sysbuf_no_anchor(&sb, traced + 2));
	ck_assert(!grr_sysbuf_no_anchor(&sb, traced));
	ck_assert(!grr_sysbuf_no_anchor(&sb, 0x401234));
	ck_assert_uint_eq(grr_sysbuf_caller_pc(&sb, traced), 0x401234);
	ck_assert_uint_eq(grr_sysbuf_caller_pc(&sb, 0x401000), 0x401000);
	ck_assert(grr_sysbuf_untraced_pc(&sb, grr_sb_addr(c, c->copy[GRR_SB_SYSCALL6].untraced1)));
	ck_assert(grr_sysbuf_untraced_pc(&sb, grr_sb_addr(c, c->copy[GRR_SB_EPOLLWAIT].untraced2)));
	ck_assert(!grr_sysbuf_untraced_pc(&sb, traced + 2));
	ck_assert(grr_sysbuf_mismatch_pc(&sb, grr_sb_addr(c, c->copy[GRR_SB_EPOLLWAIT].mismatch)));
	ck_assert(!grr_sysbuf_mismatch_pc(&sb, traced));
	ck_assert_uint_eq(grr_sysbuf_caller_pc(&sb, grr_sb_addr(c, c->cpuid[1]) + 3),
			  grr_sb_addr(c, c->cpuid[1]) + 3);   /* (no such helper) */
	if (version >= GRR_SB_V3) {
		uint64_t traced3 = grr_sb_addr(c, c->copy[GRR_SB_FUTEXFN].traced);
		ck_assert(!grr_sysbuf_no_anchor(&sb, traced3));
		ck_assert(grr_sysbuf_no_anchor(&sb, traced3 + 2));
		ck_assert_uint_eq(grr_sysbuf_caller_pc(&sb, traced3), 0x401234);   /* (no site) */
		sb.site3 = 0x45f000;
		ck_assert_uint_eq(grr_sysbuf_caller_pc(&sb, traced3), 0x45f000);
		ck_assert(grr_sysbuf_untraced_pc(&sb,
						 grr_sb_addr(c, c->copy[GRR_SB_FUTEXFN].untraced1)));
	}
	sb.active = false;
	ck_assert(!grr_sysbuf_no_anchor(&sb, GRR_SB_ADDR));
}
END_TEST

/* The record at OFF: number, length, result, first and third arguments. */
static void check_record(uint64_t off, uint32_t nr, uint32_t len, int64_t ret, uint64_t a0,
			 uint64_t a2)
{
	const uint8_t *r = record_at(off);
	uint32_t v32;
	int64_t v64;
	uint64_t u64;
	memcpy(&v32, r, 4);
	ck_assert_uint_eq(v32, nr);
	memcpy(&v32, r + 4, 4);
	ck_assert_uint_eq(v32, len);
	memcpy(&v64, r + 8, 8);
	ck_assert_int_eq(v64, ret);
	memcpy(&u64, r + 16, 8);
	ck_assert_uint_eq(u64, a0);
	memcpy(&u64, r + 24, 8);
	ck_assert_uint_eq(u64, a2);
}

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

/* Third code: FUTEX_WAKE (private or not) is made in-process and recorded,
 * from Syscall6's copy and runtime.futex's, which stores the result as
 * runtime.futex does; a wait, another operation, or a wake while the
 * futex switch is off (a chaos recording) takes the traced syscall. */
START_TEST(buffers_and_replays_futex_wakes)
{
	map_page(true);
	uint32_t word32 = 0;
	uint64_t addr = (uint64_t)(uintptr_t)&word32;
	ck_assert_int_eq(sb3_call(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, 0), 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 1);
	check_record(0, SYS_futex, 0, 0, addr, 1);
	ck_assert_int_eq(sb_call(SYS_futex, addr, 1 /* FUTEX_WAKE */, 3, 0), 0);
	ck_assert_uint_eq(sb_regs_after[0], 0);
	ck_assert_uint_eq(sb_regs_after[1], 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	check_record(GRR_SB_HDR, SYS_futex, 0, 0, addr, 3);
	/* a wait whose value differs (EAGAIN at once), a requeue: traced */
	ck_assert_int_eq(sb3_call(SYS_futex, addr, FUTEX_WAIT_PRIVATE, 7, 0), -EAGAIN);
	ck_assert_int_eq(sb3_call(SYS_futex, addr, 3 /* FUTEX_CMP_REQUEUE */, 1, 0), -EFAULT);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	*word(GRR_SB_FUTEX) = 0;
	ck_assert_int_eq(sb3_call(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, 0), 0);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 2);
	/* other calls through the futex copy are buffered as through the
	 * others (the result stored 32 bits wide) */
	int fds[2];
	make_pipe(fds, true);
	char buf[4];
	ck_assert_int_eq(sb3_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 4, 0),
			 -EAGAIN);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 3);
	uint64_t end = *word(GRR_SB_POS);

	/* replay: the results come from the ring, whatever the futex word */
	to_replay(end);
	*word(GRR_SB_COUNT) = 0;
	ck_assert_int_eq(sb3_call(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, 0), 0);
	ck_assert_int_eq(sb_call(SYS_futex, addr, 1, 3, 0), 0);
	ck_assert_int_eq(sb3_call(SYS_read, (uint64_t)fds[0], (uint64_t)(uintptr_t)buf, 4, 0),
			 -EAGAIN);
	ck_assert_uint_eq(*word(GRR_SB_COUNT), 3);
	ck_assert_uint_eq(*word(GRR_SB_POS), end);
	tear_down(fds, -1);
}
END_TEST

/* A wake that woke a thread, recorded and replayed: its count comes back
 * while no thread waits any more; a wake of another word traps. */
START_TEST(a_replayed_wake_gives_the_recorded_count)
{
	static uint32_t futex_word;
	map_page(true);
	uint64_t addr = (uint64_t)(uintptr_t)&futex_word;
	ck_assert_int_eq(sb3_call(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, 0), 0);
	uint64_t end = *word(GRR_SB_POS);
	/* the recorded result, as if a waiter had been woken (none waits
	 * here) */
	int64_t one = 1;
	memcpy((uint8_t *)(uintptr_t)(GRR_SB_RING + 8), &one, 8);
	to_replay(end);
	ck_assert_int_eq(sb3_call(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, 0), 1);
	to_replay(end);
	pid_t c2 = fork();
	ck_assert_int_ge(c2, 0);
	if (c2 == 0) {
		signal(SIGILL, SIG_DFL);
		sb3_call(SYS_futex, addr + 4, FUTEX_WAKE_PRIVATE, 1, 0);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(c2, &status, 0), c2);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGILL);
	unmap_page();
}
END_TEST

int main(void)
{
	const TTest *tests[] = { buffers_a_nonblocking_read,
				 leaves_blocking_and_other_calls_to_the_traced_syscall,
				 replays_records_then_takes_the_traced_syscall,
				 the_epollwait_copy_buffers_and_replays_too,
				 buffers_and_replays_file_system_calls,
				 buffers_openat_but_not_of_a_fifo,
				 cpuid_hides_which_core_runs_the_thread,
				 traps_on_a_call_that_is_not_the_recorded_one,
				 collects_records_as_writes_and_starts_over,
				 no_anchor_but_at_the_traced_syscall };
	const TTest *third[] = { buffers_and_replays_futex_wakes,
				 a_replayed_wake_gives_the_recorded_count };
	size_t n = sizeof(tests) / sizeof(tests[0]);
	version = GRR_SB_V2;
	int failed = run_tests("sysbuf (second code)", tests, n);
	version = GRR_SB_V3;
	failed |= run_tests("sysbuf (third code)", tests, n);
	failed |= run_tests("sysbuf (third code: futex)", third, sizeof(third) / sizeof(third[0]));
	return failed;
}
