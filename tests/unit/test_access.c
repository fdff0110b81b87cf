/* test_access.c - unit tests of tracee/access.c: which instructions are
 * non-atomic read-modify-writes of shared memory (chaos mode cuts those
 * in two), and where a thread's next access of shared memory is on every
 * path from its pc (chaos mode preempts it there). */
#include <check.h>
#include <string.h>

#include "tracee/access.h"
#include "tests/unit/run_suite.h"

#define BASE 0x401000ull

static int rmw(const uint8_t *code, size_t n, struct grr_rmw *out)
{
	struct user_regs_struct regs;
	memset(&regs, 0, sizeof(regs));
	regs.rax = 0x1000;
	regs.rcx = 3;
	return grr_access_rmw(code, n, BASE, &regs, out);
}

START_TEST(test_rmw)
{
	struct grr_rmw m;
	/* incq (%rax): `t.n++` */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x48, 0xff, 0x00 }, 3, &m), 1);
	ck_assert_uint_eq(m.addr, 0x1000);
	ck_assert_uint_eq(m.len, 8);
	ck_assert_uint_eq(m.insn_len, 3);
	/* incq 0x10(%rip): `counter++` on a global */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x48, 0xff, 0x05, 0x10, 0, 0, 0 }, 7, &m), 1);
	ck_assert_uint_eq(m.addr, BASE + 7 + 0x10);
	/* orb $4, 0x12(%rax,%rcx,8): a map's flags */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x80, 0x4c, 0xc8, 0x12, 0x04 }, 5, &m), 1);
	ck_assert_uint_eq(m.addr, 0x1000 + 3 * 8 + 0x12);
	ck_assert_uint_eq(m.len, 1);
	/* lock incq (%rax): atomic, never cut */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0xf0, 0x48, 0xff, 0x00 }, 4, &m), 0);
	/* incq 8(%rsp): the goroutine's own frame */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x48, 0xff, 0x44, 0x24, 0x08 }, 5, &m), 0);
	/* movq %rcx,(%rax): a store, not a read-modify-write */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x48, 0x89, 0x08 }, 3, &m), 0);
	/* addq %rax,%rcx: registers only */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x48, 0x01, 0xc1 }, 3, &m), 0);
	/* xchg is atomic by itself */
	ck_assert_int_eq(rmw((const uint8_t[]){ 0x48, 0x87, 0x08 }, 3, &m), 0);
}
END_TEST

/* a counter loop after an interrupt (Go 1.26, `counter++` 200000 times):
 * 0: incq counter(%rip); 7: incq %rax; a: cmp $200000,%rax; 10: jl 0;
 * 12: ret */
static const uint8_t loop[] = {
	0x48, 0xff, 0x05, 0x00, 0x01, 0x00, 0x00,
	0x48, 0xff, 0xc0,
	0x48, 0x3d, 0x40, 0x0d, 0x03, 0x00,
	0x7c, 0xee,
	0xc3,
};

struct code { const uint8_t *b; size_t n; };

static size_t read_code(void *ctx, uint64_t addr, uint8_t *buf, size_t len)
{
	const struct code *c = ctx;
	if (addr < BASE || addr >= BASE + c->n)
		return 0;
	size_t off = addr - BASE, k = c->n - off < len ? c->n - off : len;
	memcpy(buf, c->b + off, k);
	return k;
}

static bool all_ok(void *ctx, uint64_t addr)
{
	const struct code *c = ctx;
	return addr >= BASE && addr < BASE + c->n;
}

START_TEST(test_frontier_loop)
{
	struct code c = { loop, sizeof(loop) };
	uint64_t at[8];
	/* stopped after the increment: on to it again (back edge), or to the
	 * ret when the loop ends */
	int n = grr_access_frontier(read_code, all_ok, &c, BASE + 7, 32, at, 8);
	ck_assert_int_eq(n, 2);
	ck_assert(at[0] == BASE || at[1] == BASE);
	ck_assert(at[0] == BASE + 0x12 || at[1] == BASE + 0x12);
	/* at the access itself: stays */
	ck_assert_int_eq(grr_access_frontier(read_code, all_ok, &c, BASE, 32, at, 8), 0);
	/* too few breakpoints allowed: no advance */
	ck_assert_int_eq(grr_access_frontier(read_code, all_ok, &c, BASE + 7, 32, at, 1), 0);
}
END_TEST

/* a call into a small function whose first instruction is the access:
 * 0: mov %rcx,0x10(%rsp); 5: call 0x20; a: ret; ... 0x20: incq (%rax); ret */
static const uint8_t calling[] = {
	0x48, 0x89, 0x4c, 0x24, 0x10,
	0xe8, 0x16, 0x00, 0x00, 0x00,
	0xc3,
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	0x48, 0xff, 0x00,
	0xc3,
};

static bool not_callee(void *ctx, uint64_t addr)
{
	return all_ok(ctx, addr) && addr < BASE + 0x20;
}

START_TEST(test_frontier_call)
{
	struct code c = { calling, sizeof(calling) };
	uint64_t at[8];
	/* the frame store is no shared access: through the call to the incq */
	ck_assert_int_eq(grr_access_frontier(read_code, all_ok, &c, BASE, 32, at, 8), 1);
	ck_assert_uint_eq(at[0], BASE + 0x20);
	/* a callee that may not be followed: at the call */
	ck_assert_int_eq(grr_access_frontier(read_code, not_callee, &c, BASE, 32, at, 8), 1);
	ck_assert_uint_eq(at[0], BASE + 5);
	/* out of instructions to follow: where the budget ends */
	ck_assert_int_eq(grr_access_frontier(read_code, all_ok, &c, BASE, 1, at, 8), 1);
	ck_assert_uint_eq(at[0], BASE + 5);
}
END_TEST

/* Which single instructions a preempted thread may run before its switch
 * (chaos mode steps over them to reach a pc the replayer can patch). */
START_TEST(test_step_private)
{
#define PRIV(...) grr_access_step_private((const uint8_t[]){ __VA_ARGS__ }, \
					  sizeof((const uint8_t[]){ __VA_ARGS__ }), BASE)
	ck_assert(PRIV(0xc3));                         /* ret */
	ck_assert(PRIV(0x31, 0xc0));                   /* xor %eax,%eax */
	ck_assert(PRIV(0x48, 0x83, 0xc4, 0x18));       /* add $0x18,%rsp */
	ck_assert(PRIV(0x48, 0x8b, 0x44, 0x24, 0x08)); /* mov 8(%rsp),%rax: own frame */
	ck_assert(PRIV(0xff, 0xd0));                   /* call *%rax */
	ck_assert(PRIV(0xff, 0xe2));                   /* jmp *%rdx */
	ck_assert(PRIV(0xe8, 0x10, 0, 0, 0));          /* call +0x10 */
	ck_assert(!PRIV(0x48, 0x8b, 0x00));            /* mov (%rax),%rax: shared */
	ck_assert(!PRIV(0x48, 0xff, 0x00));            /* incq (%rax) */
	ck_assert(!PRIV(0xff, 0x20));                  /* jmp *(%rax): reads memory */
	ck_assert(!PRIV(0x0f, 0x05));                  /* syscall */
	ck_assert(!PRIV(0x0f, 0x31));                  /* rdtsc */
	ck_assert(!PRIV(0xcc));                        /* int3 */
	ck_assert(!PRIV(0xf3, 0x48, 0xab));            /* rep stos */
	ck_assert(!PRIV(0x0f, 0xa2));                  /* cpuid */
	ck_assert(!grr_access_step_private((const uint8_t[]){ 0x0f }, 1, BASE)); /* cut short */
#undef PRIV
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_rmw, test_frontier_loop, test_frontier_call,
				       test_step_private };
	return run_tests("access", tests, sizeof(tests) / sizeof(tests[0]));
}
