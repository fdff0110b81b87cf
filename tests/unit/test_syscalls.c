/* test_syscalls.c - the syscall table and its output computations. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <asm/unistd_64.h>

#include "tracee/syscalls.h"

/* Declared in tracee/syscall_private.h (proposed for syscalls.h). */
unsigned grr_syscall_call_flags(const struct grr_syscall_call *c);

/* ---- a fake tracee memory: one buffer at a fixed address --------------- */

#define MEM_BASE 0x10000000ull
#define MEM_SIZE 8192

struct fake_mem {
	unsigned char buf[MEM_SIZE];
	int reads;
};

static int fake_read(void *ctx, uint64_t addr, void *out, size_t len)
{
	struct fake_mem *m = ctx;

	m->reads++;
	if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (addr - MEM_BASE))
		return -1;
	memcpy(out, m->buf + (addr - MEM_BASE), len);
	return 0;
}

static void put64(struct fake_mem *m, uint64_t addr, uint64_t v)
{
	memcpy(m->buf + (addr - MEM_BASE), &v, 8);
}

static void put32(struct fake_mem *m, uint64_t addr, uint32_t v)
{
	memcpy(m->buf + (addr - MEM_BASE), &v, 4);
}

static struct grr_syscall_call call(uint32_t nr, int64_t ret, uint64_t a0,
				    uint64_t a1, uint64_t a2, uint64_t a3,
				    uint64_t a4, uint64_t a5)
{
	struct grr_syscall_call c = {
		.nr = nr, .args = { a0, a1, a2, a3, a4, a5 }, .ret = ret,
	};
	return c;
}

#define MAXR 64
static struct fake_mem mem;
static struct grr_mem_range r[MAXR];

static int outputs(struct grr_syscall_call c)
{
	memset(r, 0xAA, sizeof r);
	return grr_syscall_outputs(&c, fake_read, &mem, r, MAXR);
}

static int may_write(struct grr_syscall_call c)
{
	memset(r, 0xAA, sizeof r);
	return grr_syscall_may_write(&c, fake_read, &mem, r, MAXR);
}

#define ASSERT_RANGE(i, a, l) do {					\
	ck_assert_uint_eq(r[i].addr, (uint64_t)(a));			\
	ck_assert_uint_eq(r[i].len, (uint64_t)(l));			\
} while (0)

static void setup(void)
{
	memset(&mem, 0, sizeof mem);
}

/* ---- lookups ------------------------------------------------------------ */

START_TEST(test_names_numbers)
{
	ck_assert_str_eq(grr_syscall_name(0), "read");
	ck_assert_str_eq(grr_syscall_name(231), "exit_group");
	ck_assert_str_eq(grr_syscall_name(435), "clone3");
	ck_assert_str_eq(grr_syscall_name(462), "mseal");
	ck_assert_int_eq(grr_syscall_by_name("read"), 0);
	ck_assert_int_eq(grr_syscall_by_name("epoll_pwait2"), 441);
	ck_assert_int_eq(grr_syscall_by_name("no_such_call"), -1);
	ck_assert_int_eq(grr_syscall_by_name(""), -1);
	ck_assert_int_eq(grr_syscall_by_name(NULL), -1);
	ck_assert_str_eq(grr_syscall_name(400), "syscall_400");
	ck_assert_int_eq(grr_syscall_by_name("syscall_400"), 400);
	ck_assert_str_eq(grr_syscall_name(100000), "syscall_100000");
	ck_assert_int_eq(grr_syscall_by_name("syscall_100000"), 100000);
	ck_assert_int_eq(grr_syscall_by_name("syscall_12"), -1); /* "brk" */

	/* Against the system's own numbering. */
#define NR(n) ck_assert_int_eq(grr_syscall_by_name(#n), __NR_##n)
	NR(read); NR(write); NR(openat); NR(close); NR(mmap); NR(munmap);
	NR(rt_sigaction); NR(rt_sigreturn); NR(ioctl); NR(readv);
	NR(sched_yield); NR(mincore); NR(nanosleep); NR(getpid);
	NR(socket); NR(accept); NR(recvmsg); NR(clone); NR(execve);
	NR(exit); NR(wait4); NR(kill); NR(uname); NR(fcntl); NR(getcwd);
	NR(gettid); NR(futex); NR(sched_getaffinity); NR(getdents64);
	NR(set_tid_address); NR(clock_gettime); NR(exit_group);
	NR(epoll_wait); NR(tgkill); NR(waitid); NR(openat); NR(newfstatat);
	NR(pselect6); NR(ppoll); NR(epoll_pwait); NR(accept4); NR(eventfd2);
	NR(epoll_create1); NR(pipe2); NR(preadv2); NR(prlimit64);
	NR(getrandom); NR(memfd_create); NR(statx); NR(rseq);
	NR(pidfd_send_signal); NR(pidfd_open); NR(clone3); NR(close_range);
	NR(openat2); NR(epoll_pwait2); NR(futex_waitv);
#undef NR
}
END_TEST

START_TEST(test_every_number_round_trips)
{
	for (uint32_t nr = 0; nr < GRR_MAX_SYSCALL; nr++) {
		const char *n = grr_syscall_name(nr);
		ck_assert_ptr_nonnull(n);
		ck_assert_msg(grr_syscall_by_name(n) == (int)nr,
			      "%u %s", nr, n);
	}
}
END_TEST

START_TEST(test_table_sane)
{
	int precise = 0, with_outputs = 0;

	for (uint32_t nr = 0; nr < GRR_MAX_SYSCALL; nr++) {
		const struct grr_syscall_desc *d = grr_syscall_desc(nr);
		bool any = false;

		ck_assert_ptr_nonnull(d);
		ck_assert_uint_le(d->nargs, 6);
		ck_assert_uint_le(d->policy, GRR_REPLAY_SPECIAL);
		for (int i = 0; i < 3; i++) {
			const struct grr_sys_out *o = &d->out[i];
			if (o->kind == GRR_OUT_NONE)
				continue;
			any = true;
			ck_assert_msg(o->arg < d->nargs, "%s out %d arg",
				      d->name, i);
			switch (o->kind) {
			case GRR_OUT_FIXED:
				ck_assert_msg(o->size > 0, "%s", d->name);
				break;
			case GRR_OUT_ARG:
			case GRR_OUT_ARG_DEREF32:
				ck_assert_msg(o->size_arg < d->nargs &&
					      o->size_arg != o->arg,
					      "%s size_arg", d->name);
				break;
			case GRR_OUT_RET:
				ck_assert_msg(o->size_arg < d->nargs &&
					      o->size_arg != o->arg,
					      "%s bound", d->name);
				break;
			default:
				ck_abort_msg("%s bad kind", d->name);
			}
		}
		if (d->outputs != NULL)
			ck_assert_msg(!any, "%s: handler and out[]", d->name);
		if (d->flags & GRR_SYS_UNKNOWN) {
			ck_assert_msg(!any && d->outputs == NULL &&
				      d->policy == GRR_REPLAY_EMULATE,
				      "%s", d->name);
		} else {
			precise++;
			if (any || d->outputs != NULL)
				with_outputs++;
		}
	}
	ck_assert_int_ge(precise, 250);
	ck_assert_int_ge(with_outputs, 80);
	ck_assert(grr_syscall_desc(__NR_shmget)->flags & GRR_SYS_UNKNOWN);
}
END_TEST

/* ---- regular rows ------------------------------------------------------- */

START_TEST(test_read)
{
	uint64_t buf = MEM_BASE + 100;

	ck_assert_int_eq(outputs(call(__NR_read, 100, 3, buf, 4096, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, buf, 100);
	ck_assert_int_eq(outputs(call(__NR_read, -11, 3, buf, 4096, 0, 0, 0)),
			 0);
	ck_assert_int_eq(outputs(call(__NR_read, 0, 3, buf, 4096, 0, 0, 0)),
			 0);
	/* A result larger than the count cannot be: capped. */
	ck_assert_int_eq(outputs(call(__NR_read, 500, 3, buf, 200, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, buf, 200);
	/* Blocked: the whole buffer. */
	ck_assert_int_eq(may_write(call(__NR_read, 0, 3, buf, 4096, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, buf, 4096);
	/* Capped at 256 MiB. */
	ck_assert_int_eq(outputs(call(__NR_read, 1ll << 40, 3, buf, 1ull << 40,
				      0, 0, 0)), 1);
	ASSERT_RANGE(0, buf, 256ull << 20);
	/* Not enough room: -1. */
	struct grr_syscall_call c = call(__NR_read, 100, 3, buf, 4096, 0, 0, 0);
	ck_assert_int_eq(grr_syscall_outputs(&c, fake_read, &mem, r, 0), -1);
	/* write writes nothing. */
	ck_assert_int_eq(outputs(call(__NR_write, 100, 1, buf, 100, 0, 0, 0)),
			 0);
	ck_assert_int_eq(may_write(call(__NR_write, 0, 1, buf, 100, 0, 0, 0)),
			 0);
}
END_TEST

START_TEST(test_fixed_rows)
{
	uint64_t p = MEM_BASE + 64, q = MEM_BASE + 512;

	ck_assert_int_eq(outputs(call(__NR_fstat, 0, 3, p, 0, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 144);
	ck_assert_int_eq(outputs(call(__NR_fstat, -9, 3, p, 0, 0, 0, 0)), 0);
	ck_assert_int_eq(outputs(call(__NR_newfstatat, 0, 3, q, p, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, p, 144);
	ck_assert_int_eq(outputs(call(__NR_statx, 0, 3, q, 0, 0x7ff, p, 0)),
			 1);
	ASSERT_RANGE(0, p, 256);
	ck_assert_int_eq(outputs(call(__NR_uname, 0, p, 0, 0, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 390);
	ck_assert_int_eq(outputs(call(__NR_rt_sigaction, 0, 2, q, p, 8, 0,
				      0)), 1);
	ASSERT_RANGE(0, p, 32);
	/* NULL oldact: nothing. */
	ck_assert_int_eq(outputs(call(__NR_rt_sigaction, 0, 2, q, 0, 8, 0, 0)),
			 0);
	ck_assert_int_eq(outputs(call(__NR_rt_sigprocmask, 0, 0, q, p, 8, 0,
				      0)), 1);
	ASSERT_RANGE(0, p, 8);
	ck_assert_int_eq(outputs(call(__NR_gettimeofday, 0, p, q, 0, 0, 0,
				      0)), 2);
	ASSERT_RANGE(0, p, 16);
	ASSERT_RANGE(1, q, 8);
	ck_assert_int_eq(outputs(call(__NR_prlimit64, 0, 0, 7, 0, p, 0, 0)),
			 1);
	ASSERT_RANGE(0, p, 16);
	ck_assert_int_eq(outputs(call(__NR_sched_getaffinity, 8, 0, 128, p, 0,
				      0, 0)), 1);
	ASSERT_RANGE(0, p, 8);
	ck_assert_int_eq(outputs(call(__NR_getcwd, 6, p, 4096, 0, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, p, 6);
	ck_assert_int_eq(outputs(call(__NR_pipe2, 0, p, 0, 0, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 8);
	ck_assert_int_eq(outputs(call(__NR_getresuid, 0, p, p + 4, p + 8, 0,
				      0, 0)), 3);
	ASSERT_RANGE(2, p + 8, 4);
}
END_TEST

START_TEST(test_epoll)
{
	uint64_t ev = MEM_BASE + 256;

	ck_assert_int_eq(outputs(call(__NR_epoll_pwait, 3, 4, ev, 10, -1, 0,
				      8)), 1);
	ASSERT_RANGE(0, ev, 36);
	ck_assert_int_eq(outputs(call(__NR_epoll_wait, 0, 4, ev, 10, 0, 0, 0)),
			 0);
	ck_assert_int_eq(outputs(call(__NR_epoll_pwait2, -EINTR, 4, ev, 10, 0,
				      0, 0)), 0);
	ck_assert_int_eq(may_write(call(__NR_epoll_pwait, 0, 4, ev, 10, -1, 0,
					8)), 1);
	ASSERT_RANGE(0, ev, 120);
}
END_TEST

START_TEST(test_accept4_socklen)
{
	uint64_t addr = MEM_BASE + 1000, lenp = MEM_BASE + 2000;

	put32(&mem, lenp, 16);  /* what the kernel stored */
	ck_assert_int_eq(outputs(call(__NR_accept4, 5, 3, addr, lenp, 0, 0,
				      0)), 2);
	ASSERT_RANGE(0, addr, 16);
	ASSERT_RANGE(1, lenp, 4);
	ck_assert_int_eq(outputs(call(__NR_accept4, -EAGAIN, 3, addr, lenp,
				      0, 0, 0)), 0);
	/* No address wanted. */
	ck_assert_int_eq(outputs(call(__NR_accept4, 5, 3, 0, 0, 0, 0, 0)), 0);
	/* Blocked: the capacity still in memory. */
	put32(&mem, lenp, 110);
	ck_assert_int_eq(may_write(call(__NR_accept, 0, 3, addr, lenp, 0, 0,
					0)), 2);
	ASSERT_RANGE(0, addr, 110);
	/* Unreadable length word: the address range is dropped, not the
	 * call. */
	ck_assert_int_eq(outputs(call(__NR_getsockname, 0, 3, addr, 0x40, 0,
				      0, 0)), 1);
	ASSERT_RANGE(0, 0x40, 4);
	/* recvfrom: data, address, length. */
	put32(&mem, lenp, 28);
	ck_assert_int_eq(outputs(call(__NR_recvfrom, 77, 3, MEM_BASE, 512, 0,
				      addr, lenp)), 3);
	ASSERT_RANGE(0, MEM_BASE, 77);
	ASSERT_RANGE(1, addr, 28);
	ASSERT_RANGE(2, lenp, 4);
}
END_TEST

START_TEST(test_getsockopt)
{
	uint64_t val = MEM_BASE + 100, lenp = MEM_BASE + 200;

	put32(&mem, lenp, 4);
	ck_assert_int_eq(outputs(call(__NR_getsockopt, 0, 3, 1, 4, val, lenp,
				      0)), 2);
	ASSERT_RANGE(0, val, 4);
	ASSERT_RANGE(1, lenp, 4);
	ck_assert_int_eq(outputs(call(__NR_getsockopt, -ERANGE, 3, 1, 31, val,
				      lenp, 0)), 1);
	ASSERT_RANGE(0, lenp, 4);
	ck_assert_int_eq(outputs(call(__NR_getsockopt, -EBADF, 3, 1, 4, val,
				      lenp, 0)), 0);
}
END_TEST

/* ---- iovecs and messages ------------------------------------------------ */

START_TEST(test_readv_partial)
{
	uint64_t iov = MEM_BASE, b0 = MEM_BASE + 1000, b1 = MEM_BASE + 2000,
		 b2 = MEM_BASE + 3000;

	put64(&mem, iov, b0); put64(&mem, iov + 8, 10);
	put64(&mem, iov + 16, b1); put64(&mem, iov + 24, 20);
	put64(&mem, iov + 32, b2); put64(&mem, iov + 40, 30);

	ck_assert_int_eq(outputs(call(__NR_readv, 25, 3, iov, 3, 0, 0, 0)), 2);
	ASSERT_RANGE(0, b0, 10);
	ASSERT_RANGE(1, b1, 15);
	ck_assert_int_eq(outputs(call(__NR_preadv, 60, 3, iov, 3, 0, 0, 0)),
			 3);
	ASSERT_RANGE(2, b2, 30);
	ck_assert_int_eq(outputs(call(__NR_preadv2, 31, 3, iov, 3, 0, 0, 0)),
			 3);
	ASSERT_RANGE(2, b2, 1);
	ck_assert_int_eq(outputs(call(__NR_readv, -EAGAIN, 3, iov, 3, 0, 0,
				      0)), 0);
	ck_assert_int_eq(may_write(call(__NR_readv, 0, 3, iov, 3, 0, 0, 0)),
			 3);
	ASSERT_RANGE(1, b1, 20);
	/* Unreadable array: no ranges, no failure. */
	ck_assert_int_eq(outputs(call(__NR_readv, 25, 3, 0x1000, 3, 0, 0, 0)),
			 0);
	/* Absurd count: capped at IOV_MAX (16 KiB of array, more than the
	 * fake memory holds): the array cannot be read, nothing reported. */
	ck_assert_int_eq(outputs(call(__NR_readv, 25, 3, iov, 1ull << 40, 0,
				      0, 0)), 0);
}
END_TEST

/* Builds a msghdr at H with name, two iovecs and control. */
static void build_msghdr(uint64_t h, uint64_t name, uint32_t namelen,
			 uint64_t iov, uint64_t control, uint64_t controllen)
{
	put64(&mem, h + 0, name);
	put32(&mem, h + 8, namelen);
	put64(&mem, h + 16, iov);
	put64(&mem, h + 24, 2);
	put64(&mem, h + 32, control);
	put64(&mem, h + 40, controllen);
	put32(&mem, h + 48, 0);
}

START_TEST(test_recvmsg)
{
	uint64_t h = MEM_BASE, name = MEM_BASE + 100, iov = MEM_BASE + 300,
		 b0 = MEM_BASE + 1000, b1 = MEM_BASE + 2000,
		 control = MEM_BASE + 3000;

	put64(&mem, iov, b0); put64(&mem, iov + 8, 8);
	put64(&mem, iov + 16, b1); put64(&mem, iov + 24, 100);
	build_msghdr(h, name, 16, iov, control, 24);

	ck_assert_int_eq(outputs(call(__NR_recvmsg, 50, 3, h, 0, 0, 0, 0)), 7);
	ASSERT_RANGE(0, name, 16);
	ASSERT_RANGE(1, h + 8, 4);
	ASSERT_RANGE(2, b0, 8);
	ASSERT_RANGE(3, b1, 42);
	ASSERT_RANGE(4, control, 24);
	ASSERT_RANGE(5, h + 40, 8);
	ASSERT_RANGE(6, h + 48, 4);

	/* No name, no control data. */
	build_msghdr(h, 0, 0, iov, control, 0);
	ck_assert_int_eq(outputs(call(__NR_recvmsg, 4, 3, h, 0, 0, 0, 0)), 3);
	ASSERT_RANGE(0, b0, 4);
	ASSERT_RANGE(1, h + 40, 8);
	ASSERT_RANGE(2, h + 48, 4);

	ck_assert_int_eq(outputs(call(__NR_recvmsg, -EAGAIN, 3, h, 0, 0, 0,
				      0)), 0);
	/* Not enough room. */
	build_msghdr(h, name, 16, iov, control, 24);
	struct grr_syscall_call c = call(__NR_recvmsg, 50, 3, h, 0, 0, 0, 0);
	ck_assert_int_eq(grr_syscall_outputs(&c, fake_read, &mem, r, 3), -1);
	/* Blocked: capacities. */
	build_msghdr(h, name, 500, iov, control, 64);
	ck_assert_int_eq(may_write(call(__NR_recvmsg, 0, 3, h, 0, 0, 0, 0)),
			 7);
	ASSERT_RANGE(0, name, 128);
	ASSERT_RANGE(3, b1, 100);
	ASSERT_RANGE(4, control, 64);
}
END_TEST

START_TEST(test_recvmmsg_sendmmsg)
{
	uint64_t v = MEM_BASE, iov = MEM_BASE + 300, b0 = MEM_BASE + 1000,
		 b1 = MEM_BASE + 2000, ts = MEM_BASE + 4000;

	put64(&mem, iov, b0); put64(&mem, iov + 8, 8);
	put64(&mem, iov + 16, b1); put64(&mem, iov + 24, 100);
	build_msghdr(v, 0, 0, iov, 0, 0);
	put32(&mem, v + 56, 3);
	build_msghdr(v + 64, 0, 0, iov, 0, 0);
	put32(&mem, v + 64 + 56, 10);

	/* 2 messages: (b0 3, controllen, flags, msg_len) and
	 * (b0 8, b1 2, controllen, flags, msg_len), then the timeout. */
	ck_assert_int_eq(outputs(call(__NR_recvmmsg, 2, 3, v, 4, 0, ts, 0)),
			 10);
	ASSERT_RANGE(0, b0, 3);
	ASSERT_RANGE(3, v + 56, 4);
	ASSERT_RANGE(4, b0, 8);
	ASSERT_RANGE(5, b1, 2);
	ASSERT_RANGE(8, v + 64 + 56, 4);
	ASSERT_RANGE(9, ts, 16);

	ck_assert_int_eq(outputs(call(__NR_sendmmsg, 2, 3, v, 4, 0, 0, 0)), 2);
	ASSERT_RANGE(0, v + 56, 4);
	ASSERT_RANGE(1, v + 120, 4);
	ck_assert_int_eq(outputs(call(__NR_sendmsg, 20, 3, v, 0, 0, 0, 0)), 0);
}
END_TEST

/* ---- process, time, polling ---------------------------------------------- */

START_TEST(test_wait4)
{
	uint64_t st = MEM_BASE, ru = MEM_BASE + 64;

	ck_assert_int_eq(outputs(call(__NR_wait4, 1234, -1, st, 0, ru, 0, 0)),
			 2);
	ASSERT_RANGE(0, st, 4);
	ASSERT_RANGE(1, ru, 144);
	ck_assert_int_eq(outputs(call(__NR_wait4, 1234, -1, st, 0, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, st, 4);
	/* WNOHANG, nothing to reap. */
	ck_assert_int_eq(outputs(call(__NR_wait4, 0, -1, st, 1, ru, 0, 0)), 0);
	ck_assert_int_eq(outputs(call(__NR_wait4, -ECHILD, -1, st, 0, ru, 0,
				      0)), 0);
	/* waitid: the siginfo fields are stored even on error. */
	ck_assert_int_eq(outputs(call(__NR_waitid, 0, 1, 99, st, 4, ru, 0)),
			 2);
	ASSERT_RANGE(0, st, 128);
	ASSERT_RANGE(1, ru, 144);
	ck_assert_int_eq(outputs(call(__NR_waitid, -ECHILD, 1, 99, st, 4, 0,
				      0)), 1);
	ASSERT_RANGE(0, st, 28);
}
END_TEST

START_TEST(test_sleep)
{
	uint64_t req = MEM_BASE, rem = MEM_BASE + 16;

	ck_assert_int_eq(outputs(call(__NR_nanosleep, 0, req, rem, 0, 0, 0,
				      0)), 0);
	ck_assert_int_eq(outputs(call(__NR_nanosleep, -EINTR, req, rem, 0, 0,
				      0, 0)), 1);
	ASSERT_RANGE(0, rem, 16);
	ck_assert_int_eq(outputs(call(__NR_nanosleep, -516, req, rem, 0, 0, 0,
				      0)), 1);
	ck_assert_int_eq(outputs(call(__NR_nanosleep, -EINVAL, req, rem, 0, 0,
				      0, 0)), 0);
	ck_assert_int_eq(may_write(call(__NR_nanosleep, 0, req, rem, 0, 0, 0,
					0)), 1);
	ck_assert_int_eq(outputs(call(__NR_clock_nanosleep, -EINTR, 1, 0, req,
				      rem, 0, 0)), 1);
	ASSERT_RANGE(0, rem, 16);
	/* TIMER_ABSTIME: rem untouched. */
	ck_assert_int_eq(outputs(call(__NR_clock_nanosleep, -EINTR, 1, 1, req,
				      rem, 0, 0)), 0);
}
END_TEST

START_TEST(test_poll_select)
{
	uint64_t fds = MEM_BASE, ts = MEM_BASE + 512, s1 = MEM_BASE + 1024,
		 s3 = MEM_BASE + 2048;

	ck_assert_int_eq(outputs(call(__NR_poll, 1, fds, 3, 100, 0, 0, 0)), 1);
	ASSERT_RANGE(0, fds, 24);
	ck_assert_int_eq(outputs(call(__NR_poll, -EINTR, fds, 3, 100, 0, 0,
				      0)), 1);
	ck_assert_int_eq(outputs(call(__NR_ppoll, 0, fds, 3, ts, 0, 8, 0)), 2);
	ASSERT_RANGE(1, ts, 16);
	ck_assert_int_eq(outputs(call(__NR_select, 2, 65, s1, 0, s3, ts, 0)),
			 3);
	ASSERT_RANGE(0, s1, 16);
	ASSERT_RANGE(1, s3, 16);
	ASSERT_RANGE(2, ts, 16);
	ck_assert_int_eq(outputs(call(__NR_pselect6, -EINTR, 65, s1, 0, s3, ts,
				      0)), 1);
	ASSERT_RANGE(0, ts, 16);
}
END_TEST

START_TEST(test_misc_handlers)
{
	uint64_t p = MEM_BASE + 256;

	/* mincore: a byte per page, rounded up. */
	ck_assert_int_eq(outputs(call(__NR_mincore, 0, 0x7f0000000000, 4097,
				      p, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 2);
	/* mmap: a file's mapped bytes are recorded; anonymous memory is not,
	 * nor a failed call. */
	ck_assert_int_eq(outputs(call(__NR_mmap, 0x7f0000001000, 0, 8192, 1, 2, 3,
				      0)), 1);
	ASSERT_RANGE(0, 0x7f0000001000, 8192);
	ck_assert_int_eq(outputs(call(__NR_mmap, 0x7f0000001000, 0, 8192, 3,
				      0x22, (uint64_t)-1, 0)), 0);
	ck_assert_int_eq(outputs(call(__NR_mmap, -9, 0, 8192, 1, 2, 3, 0)), 0);
	/* prctl PR_GET_NAME / PR_SET_NAME. */
	ck_assert_int_eq(outputs(call(__NR_prctl, 0, 16, p, 0, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 16);
	ck_assert_int_eq(outputs(call(__NR_prctl, 0, 15, p, 0, 0, 0, 0)), 0);
	/* arch_prctl ARCH_GET_FS. */
	ck_assert_int_eq(outputs(call(__NR_arch_prctl, 0, 0x1003, p, 0, 0, 0,
				      0)), 1);
	ASSERT_RANGE(0, p, 8);
	ck_assert_int_eq(outputs(call(__NR_arch_prctl, 0, 0x1002, p, 0, 0, 0,
				      0)), 0);
	/* capget v3: two data structs. */
	put32(&mem, MEM_BASE, 0x20080522);
	ck_assert_int_eq(outputs(call(__NR_capget, 0, MEM_BASE, p, 0, 0, 0,
				      0)), 1);
	ASSERT_RANGE(0, p, 24);
	ck_assert_int_eq(outputs(call(__NR_capget, -EINVAL, MEM_BASE, p, 0, 0,
				      0, 0)), 1);
	ASSERT_RANGE(0, MEM_BASE, 4);
	/* clone with CLONE_PIDFD (Go's os/exec) stores the pidfd. */
	ck_assert_int_eq(outputs(call(__NR_clone, 4242, 0x1000 | 0x4000 | 0x100,
				      0, p, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 4);
	ck_assert_int_eq(outputs(call(__NR_clone, 4242, 0x50f00, 0x1000, 0, 0,
				      0, 0)), 0);
	/* futex WAIT writes nothing, WAKE_OP the second word. */
	ck_assert_int_eq(outputs(call(__NR_futex, 0, p, 128, 0, 0, 0, 0)), 0);
	ck_assert_int_eq(outputs(call(__NR_futex, 1, p, 5 | 128, 1, 1, p + 4,
				      0)), 1);
	ASSERT_RANGE(0, p + 4, 4);
	/* getgroups(0, NULL) only counts. */
	ck_assert_int_eq(outputs(call(__NR_getgroups, 3, 0, 0, 0, 0, 0, 0)), 0);
	ck_assert_int_eq(outputs(call(__NR_getgroups, 3, 32, p, 0, 0, 0, 0)),
			 1);
	ASSERT_RANGE(0, p, 12);
}
END_TEST

/* ---- fcntl, ioctl -------------------------------------------------------- */

START_TEST(test_fcntl)
{
	uint64_t fl = MEM_BASE + 8;
	struct grr_syscall_call c;

	ck_assert_int_eq(outputs(call(__NR_fcntl, 0, 3, 5 /* F_GETLK */, fl,
				      0, 0, 0)), 1);
	ASSERT_RANGE(0, fl, 32);
	ck_assert_int_eq(outputs(call(__NR_fcntl, 0, 3, 36 /* F_OFD_GETLK */,
				      fl, 0, 0, 0)), 1);
	ck_assert_int_eq(outputs(call(__NR_fcntl, -EINVAL, 3, 5, fl, 0, 0, 0)),
			 0);
	ck_assert_int_eq(outputs(call(__NR_fcntl, 0, 3, 4 /* F_SETFL */,
				      0x800, 0, 0, 0)), 0);
	ck_assert_int_eq(outputs(call(__NR_fcntl, 0, 3, 16 /* F_GETOWN_EX */,
				      fl, 0, 0, 0)), 1);
	ASSERT_RANGE(0, fl, 8);
	c = call(__NR_fcntl, 0, 3, 4, 0x800, 0, 0, 0);
	ck_assert_uint_eq(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EMULATE);
	c = call(__NR_fcntl, 0, 3, 9999, 0, 0, 0, 0);
	ck_assert_uint_ne(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);
}
END_TEST

START_TEST(test_ioctl)
{
	uint64_t p = MEM_BASE + 8;
	struct grr_syscall_call c;

	ck_assert_int_eq(outputs(call(__NR_ioctl, 0, 1, 0x5401 /* TCGETS */, p,
				      0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 36);
	ck_assert_int_eq(outputs(call(__NR_ioctl, -ENOTTY, 1, 0x5401, p, 0, 0,
				      0)), 0);
	ck_assert_int_eq(outputs(call(__NR_ioctl, 0, 1, 0x5413 /* TIOCGWINSZ */,
				      p, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 8);
	ck_assert_int_eq(outputs(call(__NR_ioctl, 0, 1, 0x541B /* FIONREAD */,
				      p, 0, 0, 0)), 1);
	ASSERT_RANGE(0, p, 4);
	ck_assert_int_eq(outputs(call(__NR_ioctl, 0, 1, 0x5402 /* TCSETS */, p,
				      0, 0, 0)), 0);
	c = call(__NR_ioctl, 0, 1, 0x5401, p, 0, 0, 0);
	ck_assert_uint_eq(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);
	/* Unknown legacy number: flagged, nothing saved. */
	c = call(__NR_ioctl, 0, 1, 0x1234, p, 0, 0, 0);
	ck_assert_uint_ne(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);
	ck_assert_int_eq(outputs(c), 0);
	/* Unknown _IOR('x', 1, 24 bytes): flagged, encoded size saved. */
	c = call(__NR_ioctl, 0, 1, (2u << 30) | (24u << 16) | ('x' << 8) | 1,
		 p, 0, 0, 0);
	ck_assert_uint_ne(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);
	ck_assert_int_eq(outputs(c), 1);
	ASSERT_RANGE(0, p, 24);
}
END_TEST

/* ---- policies ------------------------------------------------------------ */

START_TEST(test_policies)
{
	struct grr_syscall_call c;

	c = call(__NR_mmap, 0x7f0000000000, 0, 4096, 3, 0x22 /* PRIVATE|ANON */,
		 -1, 0);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EXECUTE);
	c = call(__NR_mmap, 0x7f0000000000, 0, 4096, 1, 0x02 /* PRIVATE */, 5,
		 0);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_SPECIAL);
	ck_assert_int_eq(outputs(c), 1);  /* the file's bytes, for replay */

	c = call(__NR_clone, 100, 0x50f00, 0x1000, 0, 0, 0, 0);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_SPECIAL);
	ck_assert(grr_syscall_desc(__NR_clone)->flags & GRR_SYS_THREAD);
	c.nr = __NR_clone3;
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_SPECIAL);
	c.nr = __NR_execve;
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_SPECIAL);
	ck_assert(grr_syscall_desc(__NR_execve)->flags & GRR_SYS_NO_RETURN);

	c = call(__NR_exit_group, 0, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EXECUTE);
	ck_assert(grr_syscall_desc(__NR_exit_group)->flags & GRR_SYS_NO_RETURN);

	static const uint32_t execute[] = {
		__NR_munmap, __NR_mprotect, __NR_mremap, __NR_madvise,
		__NR_brk, __NR_rt_sigaction, __NR_rt_sigprocmask,
		__NR_sigaltstack, __NR_rt_sigreturn, __NR_set_tid_address,
		__NR_set_robust_list, __NR_exit,
	};
	for (size_t i = 0; i < sizeof execute / sizeof execute[0]; i++) {
		c.nr = execute[i];
		ck_assert_msg(grr_syscall_policy(&c) == GRR_REPLAY_EXECUTE,
			      "%s", grr_syscall_name(execute[i]));
	}
	static const uint32_t emulate[] = {
		__NR_futex, __NR_nanosleep, __NR_read, __NR_write,
		__NR_sched_yield, __NR_kill, __NR_tgkill, __NR_epoll_pwait,
		__NR_getpid, __NR_mlock, __NR_pidfd_send_signal, __NR_openat,
		__NR_rseq,   /* refused when recorded: replay returns -ENOSYS */
	};
	for (size_t i = 0; i < sizeof emulate / sizeof emulate[0]; i++) {
		c.nr = emulate[i];
		ck_assert_msg(grr_syscall_policy(&c) == GRR_REPLAY_EMULATE,
			      "%s", grr_syscall_name(emulate[i]));
	}
	ck_assert(grr_syscall_desc(__NR_futex)->flags & GRR_SYS_MAY_BLOCK);

	c = call(__NR_arch_prctl, 0, 0x1002 /* ARCH_SET_FS */, 0x1000, 0, 0,
		 0, 0);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EXECUTE);
	c.args[0] = 0x1003; /* ARCH_GET_FS */
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EMULATE);
	c.args[0] = 0x7777;
	ck_assert_uint_ne(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);
}
END_TEST

START_TEST(test_unknown)
{
	struct grr_syscall_call c = call(__NR_shmget, 5, 0, 4096, 0, 0, 0, 0);
	const struct grr_syscall_desc *d = grr_syscall_desc(__NR_shmget);

	ck_assert_str_eq(d->name, "shmget");
	ck_assert(d->flags & GRR_SYS_UNKNOWN);
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EMULATE);
	ck_assert_int_eq(outputs(c), 0);
	ck_assert_uint_ne(grr_syscall_call_flags(&c) & GRR_SYS_UNKNOWN, 0);

	/* A number with no syscall, in and past the table. */
	d = grr_syscall_desc(400);
	ck_assert(d->flags & GRR_SYS_UNKNOWN);
	d = grr_syscall_desc(0x40000000u | 1);
	ck_assert(d->flags & GRR_SYS_UNKNOWN);
	ck_assert_str_eq(d->name, "syscall_1073741825");
	c.nr = 0x40000001u;
	ck_assert_int_eq(grr_syscall_policy(&c), GRR_REPLAY_EMULATE);
	ck_assert_int_eq(outputs(c), 0);
	ck_assert_int_eq(may_write(c), 0);

	/* A described row is not unknown. */
	ck_assert_uint_eq(grr_syscall_desc(__NR_read)->flags & GRR_SYS_UNKNOWN,
			  0);
}
END_TEST

static Suite *syscalls_suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_names_numbers);
	tcase_add_test(tc, test_every_number_round_trips);
	tcase_add_test(tc, test_table_sane);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_fixed_rows);
	tcase_add_test(tc, test_epoll);
	tcase_add_test(tc, test_accept4_socklen);
	tcase_add_test(tc, test_getsockopt);
	tcase_add_test(tc, test_readv_partial);
	tcase_add_test(tc, test_recvmsg);
	tcase_add_test(tc, test_recvmmsg_sendmmsg);
	tcase_add_test(tc, test_wait4);
	tcase_add_test(tc, test_sleep);
	tcase_add_test(tc, test_poll_select);
	tcase_add_test(tc, test_misc_handlers);
	tcase_add_test(tc, test_fcntl);
	tcase_add_test(tc, test_ioctl);
	tcase_add_test(tc, test_policies);
	tcase_add_test(tc, test_unknown);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(syscalls_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
