/* test_relocate.c - unit tests of the relocation plans behind the
 * replayer's conditional anchor traps (tracee/relocate.c): which pcs can
 * be patched, which register a loop changes (the stub's quick test), and
 * whether the flags are dead there (a plain cmp may then clobber them);
 * and the copies of small loops the stubs run: which loop is found, and a
 * copy, executed here, does what the original does. */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "tracee/relocate.h"
#include "tests/unit/run_suite.h"

#define BASE 0x401000ull

/* a sieve's inner loop (tests/programs/cpubound, Go 1.26) */
static const uint8_t loop[] = {
	0x48, 0x89, 0xdf,             /* 0:  mov %rbx,%rdi */
	0x48, 0x0f, 0xaf, 0xdb,       /* 3:  imul %rbx,%rbx */
	0xeb, 0x07,                   /* 7:  jmp 0x10 */
	0xc6, 0x04, 0x1a, 0x01,       /* 9:  movb $1,(%rdx,%rbx) */
	0x48, 0x01, 0xfb,             /* d:  add %rdi,%rbx */
	0x48, 0x39, 0xc3,             /* 10: cmp %rax,%rbx */
	0x7f, 0x07,                   /* 13: jg 0x1c */
	0x48, 0x39, 0xcb,             /* 15: cmp %rcx,%rbx */
	0x72, 0xef,                   /* 18: jb 0x9 */
	0xeb, 0x00,                   /* 1a: jmp 0x1c */
	0xc3,                         /* 1c: ret */
};

/* a carry read after the pc (runtime.(*pageCache).alloc, Go 1.19) */
static const uint8_t carry[] = {
	0x48, 0x0f, 0xbc, 0xca,       /* 0: bsf %rdx,%rcx */
	0x48, 0x83, 0xf9, 0x40,       /* 4: cmp $0x40,%rcx */
	0x48, 0x19, 0xdb,             /* 8: sbb %rbx,%rbx */
	0x48, 0x8b, 0x70, 0x10,       /* b: mov 0x10(%rax),%rsi */
	0xc3,                         /* f: ret */
};

START_TEST(test_plan_loop)
{
	struct grr_reloc r;
	const char *why;
	ck_assert_int_eq(grr_reloc_plan(loop, BASE, sizeof(loop), 0, BASE + 9, &r, &why), 0);
	ck_assert_uint_eq(r.pc, BASE + 9);
	ck_assert_uint_eq(r.len, 7);             /* movb + add */
	ck_assert_int_eq(r.hot_reg, 3);          /* rbx, the loop variable */
	ck_assert_int_eq(r.flags_dead, 1);       /* add sets them all first */
	/* the jmp at 0x7 lands inside the bytes a patch at 0xd would take */
	ck_assert_int_eq(grr_reloc_plan(loop, BASE, sizeof(loop), 0, BASE + 0xd, &r, &why), -1);
	ck_assert_ptr_nonnull(why);
	/* not an instruction boundary */
	ck_assert_int_eq(grr_reloc_plan(loop, BASE, sizeof(loop), 0, BASE + 10, &r, &why), -1);
}
END_TEST

START_TEST(test_plan_flags_live)
{
	struct grr_reloc r;
	const char *why;
	ck_assert_int_eq(grr_reloc_plan(carry, BASE, sizeof(carry), 0, BASE + 8, &r, &why), 0);
	ck_assert_int_eq(r.flags_dead, 0);       /* sbb reads the carry of the cmp */
	ck_assert_int_eq(grr_reloc_plan(carry, BASE, sizeof(carry), 0, BASE + 4, &r, &why), 0);
	ck_assert_int_eq(r.flags_dead, 1);       /* the cmp itself sets them */
}
END_TEST

/* a loop with a call in it */
static const uint8_t calling[] = {
	0x48, 0xff, 0xc3,             /* 0: inc %rbx */
	0xe8, 0x00, 0x00, 0x00, 0x00, /* 3: call 0x8 */
	0x48, 0x39, 0xc3,             /* 8: cmp %rax,%rbx */
	0x72, 0xf3,                   /* b: jb 0x0 */
	0xc3,                         /* d: ret */
};

START_TEST(test_find_loop)
{
	struct grr_loop lp;
	ck_assert_int_eq(grr_reloc_loop(loop, BASE, sizeof(loop), BASE + 0x10, &lp), 0);
	ck_assert_uint_eq(lp.head, BASE + 9);
	ck_assert_uint_eq(lp.end, BASE + 0x1a);  /* through the backward jb */
	ck_assert_int_eq(memcmp(lp.code, loop + 9, 0x11), 0);
	/* before the loop: none around the pc */
	ck_assert_int_eq(grr_reloc_loop(loop, BASE, sizeof(loop), BASE + 3, &lp), -1);
	/* a call would return into the copy */
	ck_assert_int_eq(grr_reloc_loop(calling, BASE, sizeof(calling), BASE + 8, &lp), -1);
	/* sizes with every branch as rel32: cmp 3 + jg 6 + cmp 3 + jb 6 */
	ck_assert_uint_eq(grr_reloc_loop(loop, BASE, sizeof(loop), BASE + 0x10, &lp), 0);
	ck_assert_int_eq(grr_loop_size(&lp, BASE + 0x10, lp.end), 18);
	ck_assert_int_eq(grr_loop_size(&lp, lp.head, BASE + 0x10), 7);
}
END_TEST

struct copy_map {
	uint64_t a, b, pc, head;
	const struct grr_loop *lp;
};

static uint64_t map_copy(void *ctx, uint64_t t)
{
	const struct copy_map *m = ctx;
	if (t < m->pc)
		return m->a + (uint64_t)grr_loop_size(m->lp, m->head, t);
	return m->b + (uint64_t)grr_loop_size(m->lp, m->pc, t);
}

/* Enters code at ENTRY as the sieve loop expects it: rbx the index j, rdi
 * the step, rax the limit, rcx the length, rdx the array; returns rbx. */
static uint64_t run_at(uint64_t entry, uint64_t j, uint64_t step, uint64_t limit,
		       uint64_t len, uint8_t *arr)
{
	__asm__ volatile("sub $128, %%rsp\n\tcall *%[e]\n\tadd $128, %%rsp"
			 : "+b"(j)
			 : [e] "r"(entry), "D"(step), "a"(limit), "c"(len), "d"(arr)
			 : "memory", "cc");
	return j;
}

START_TEST(test_loop_copy_runs)
{
	/* the original at BASE (its exits return), the copy elsewhere */
	uint8_t *orig = mmap((void *)BASE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert_ptr_eq(orig, (void *)BASE);
	memcpy(orig, loop, sizeof(loop));
	/* (near it: the exits are rel32 jumps back) */
	uint8_t *copy = mmap((void *)(BASE + 0x10000), 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert_ptr_eq(copy, (void *)(BASE + 0x10000));
	struct grr_loop lp;
	ck_assert_int_eq(grr_reloc_loop(loop, BASE, sizeof(loop), BASE + 0x10, &lp), 0);
	uint64_t at = (uint64_t)(uintptr_t)copy;
	struct copy_map m = { .a = at, .b = at + 7, .pc = BASE + 0x10, .head = lp.head, .lp = &lp };
	int na = grr_loop_emit(&lp, lp.head, m.pc, m.a, map_copy, &m, copy, 64);
	int nb = grr_loop_emit(&lp, m.pc, lp.end, m.b, map_copy, &m, copy + 7, 64);
	ck_assert_int_eq(na, 7);
	ck_assert_int_eq(nb, 18);
	/* the copy must not run the original loop: traps there now */
	memset(orig + 9, 0xcc, 0x1a - 9);
	uint8_t *jmp = copy + 25;                     /* the fall-through exit */
	jmp[0] = 0xe9;
	int32_t rel = (int32_t)(int64_t)(lp.end - (at + 30));
	memcpy(jmp + 1, &rel, 4);

	uint8_t want[100] = { 0 }, got[100] = { 0 };
	for (uint64_t j = 9; j <= 99; j += 3)
		want[j] = 1;
	ck_assert_uint_eq(run_at(m.b, 9, 3, 99, 100, got), 102);     /* leaves by jg */
	ck_assert_int_eq(memcmp(want, got, sizeof(want)), 0);
	memset(got, 0, sizeof(got));
	memset(want, 0, sizeof(want));
	for (uint64_t j = 4; j < 50; j += 5)
		want[j] = 1;
	ck_assert_uint_eq(run_at(m.b, 4, 5, 1000, 50, got), 54);     /* by the fall-through */
	ck_assert_int_eq(memcmp(want, got, sizeof(want)), 0);
	munmap(copy, 4096);
	munmap(orig, 4096);
}
END_TEST

START_TEST(test_rep_string)
{
	static const struct {
		uint8_t code[8];
		size_t n;
		int len;
	} cases[] = {
		{ { 0xf3, 0x48, 0xab }, 3, 3 },       /* rep stosq (memclr) */
		{ { 0xf3, 0xa4 }, 2, 2 },             /* rep movsb */
		{ { 0x66, 0xf3, 0xa5 }, 3, 3 },       /* rep movsw */
		{ { 0xf2, 0xae }, 2, 2 },             /* repne scasb */
		{ { 0xf3, 0xa6, 0x90 }, 3, 2 },       /* repe cmpsb, then more */
		{ { 0x48, 0xab }, 2, 0 },             /* stosq, not repeated */
		{ { 0xf3, 0x0f, 0xb8, 0xc0 }, 4, 0 }, /* popcnt */
		{ { 0xf3, 0xc3 }, 2, 0 },             /* rep ret */
		{ { 0xf3, 0x90 }, 2, 0 },             /* pause */
		{ { 0xf3, 0x48 }, 2, 0 },             /* cut short */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(grr_rep_string_len(cases[i].code, cases[i].n) == cases[i].len,
			      "case %zu", i);
}
END_TEST

/* a function of two instructions, and Go's int3 padding after it
 * ((*T).incr of a race test: `t.n++` on a shared value) */
static const uint8_t tiny[] = {
	0x48, 0xff, 0x00,             /* 0: incq (%rax) */
	0xc3,                         /* 3: ret */
	0xcc, 0xcc, 0xcc, 0xcc,       /* padding */
};

START_TEST(test_plan_padding)
{
	struct grr_reloc r;
	const char *why;
	/* without padding there is no room for the jump */
	ck_assert_int_eq(grr_reloc_plan(tiny, BASE, 4, 0, BASE, &r, &why), -1);
	/* with it, the jump covers a byte of padding after the ret */
	ck_assert_int_eq(grr_reloc_plan(tiny, BASE, 4, 4, BASE, &r, &why), 0);
	ck_assert_uint_eq(r.len, 5);
	ck_assert_uint_eq(r.code_len, 4);
	/* the relocated code is the two instructions, not the padding */
	uint8_t out[GRR_RELOC_MAX];
	ck_assert_int_eq(grr_reloc_emit(&r, BASE + 0x1000, out), 4);
	ck_assert_int_eq(memcmp(out, tiny, 4), 0);
	/* a last instruction that falls through may not be followed by padding */
	static const uint8_t falls[] = { 0x48, 0xff, 0x00, 0x90, 0xcc, 0xcc, 0xcc, 0xcc };
	ck_assert_int_eq(grr_reloc_plan(falls, BASE, 4, 4, BASE, &r, &why), -1);
}
END_TEST

/* a call right after the pc (Go sets up arguments, then calls) */
static const uint8_t calls[] = {
	0x48, 0x89, 0xc3,             /* 0: mov %rax,%rbx */
	0xe8, 0x10, 0x00, 0x00, 0x00, /* 3: call 0x18 */
	0x48, 0x89, 0xd8,             /* 8: mov %rbx,%rax */
	0xe8, 0x08, 0x00, 0x00, 0x00, /* b: call 0x18 */
	0xc3,                         /* 10: ret */
};

START_TEST(test_plan_last_call)
{
	struct grr_reloc r;
	const char *why;
	/* the call is the last instruction displaced: it returns after it */
	ck_assert_int_eq(grr_reloc_plan(calls, BASE, sizeof(calls), 0, BASE, &r, &why), 0);
	ck_assert_uint_eq(r.len, 8);
	/* the relocated call pushes the original return address, then jumps */
	uint64_t at = BASE + 0x100000;
	uint8_t out[GRR_RELOC_MAX];
	int n = grr_reloc_emit(&r, at, out);
	ck_assert_int_eq(n, 3 + 25);
	uint32_t lo;
	memcpy(&lo, out + 3 + 8, 4);
	ck_assert_uint_eq(lo, (uint32_t)(BASE + 8));
	int32_t rel;
	memcpy(&rel, out + 3 + 21, 4);
	ck_assert_uint_eq(at + 3 + 25 + (uint64_t)(int64_t)rel, BASE + 0x18);
	/* a call that more instructions follow would return into the patch */
	static const uint8_t early[] = { 0xe8, 0x00, 0x00, 0x00, 0x00, 0x90, 0xc3 };
	ck_assert_int_eq(grr_reloc_plan(early, BASE, sizeof(early), 0, BASE + 5, &r, &why), -1);
}
END_TEST

/* a store just before a branch target (runtime.heapBits, Go 1.26) */
static const uint8_t lead[] = {
	0x48, 0xf7, 0xd3,             /* 0: not %rbx */
	0x48, 0x23, 0x1e,             /* 3: and (%rsi),%rbx */
	0x48, 0x09, 0xd3,             /* 6: or %rdx,%rbx */
	0x48, 0x89, 0x1e,             /* 9: mov %rbx,(%rsi) */
	0x48, 0x89, 0xf8,             /* c: mov %rdi,%rax  <- branch target */
	0xc3,                         /* f: ret */
	0x75, 0xfa,                   /* 10: jne 0xc */
	0xc3,                         /* 12: ret */
};

START_TEST(test_lead)
{
	struct grr_reloc r;
	struct grr_lead ld;
	const char *why;
	/* the jne lands at 0xc, inside the bytes a patch at 0x9 needs */
	ck_assert_int_eq(grr_reloc_plan(lead, BASE, sizeof(lead), 0, BASE + 9, &r, &why), -1);
	ck_assert_int_eq(grr_reloc_lead(lead, BASE, sizeof(lead), 0, BASE + 9, 16, &ld, &why), 0);
	/* the closest whose patch ends before the pc: not 0x6 (its patch
	 * would take the pc's bytes), 0x3 (and, or: 6 bytes) */
	ck_assert_uint_eq(ld.at.pc, BASE + 3);
	ck_assert_int_eq(ld.steps, 2);
	ck_assert_int_eq(ld.kept & (1 << 3), 0);   /* and, or write rbx */
	ck_assert_int_ne(ld.kept & (1 << 6), 0);   /* rsi is the same at the pc */
	ck_assert_int_ne(ld.kept & (1 << 2), 0);   /* so is rdx */
	ck_assert_uint_eq(ld.stack_kept, 0xffffffffu);   /* nothing stored */
	/* a frame store between the lead and the pc (a -N -l loop: the
	 * counter stays in the frame): only the words it writes are left out */
	static const uint8_t frame[] = {
		0x69, 0xc9, 0x93, 0x01, 0x00, 0x01,   /* 0: imul $0x1000193,%ecx,%ecx */
		0x89, 0x4c, 0x24, 0x2c,               /* 6: mov %ecx,0x2c(%rsp) */
		0xeb, 0x00,                           /* a: jmp 0xc */
		0x48, 0xff, 0x44, 0x24, 0x30,         /* c: incq 0x30(%rsp) */
		0xeb, 0xed,                           /* 11: jmp 0x0 */
		0xc3,
	};
	ck_assert_int_eq(grr_reloc_lead(frame, BASE, sizeof(frame), 0, BASE + 0xa, 16, &ld, &why),
			 0);
	ck_assert_uint_eq(ld.at.pc, BASE);
	ck_assert_int_eq(ld.kept & (1 << 1), 0);               /* rcx */
	ck_assert_uint_eq(ld.stack_kept & (1u << 5), 0);       /* 0x28..0x30: the store */
	ck_assert_uint_ne(ld.stack_kept & (1u << 6), 0);       /* 0x30: the counter */
	/* a pc that is itself a branch target has no lead */
	ck_assert_int_eq(grr_reloc_lead(lead, BASE, sizeof(lead), 0, BASE + 0xc, 16, &ld, &why),
			 -1);
}
END_TEST

/* runtime.memmove's tail: a thread can stop inside the rep movsq with its
 * pc on it, and one single step runs one iteration */
static const uint8_t memmove_tail[] = {
	0x48, 0x8b, 0x44, 0x1e, 0xf8,   /* 0: mov -0x8(%rsi,%rbx,1),%rax */
	0x48, 0x8d, 0x54, 0x1f, 0xf8,   /* 5: lea -0x8(%rdi,%rbx,1),%rdx */
	0x48, 0x8d, 0x4b, 0xff,         /* a: lea -0x1(%rbx),%rcx */
	0x48, 0xc1, 0xe9, 0x03,         /* e: shr $0x3,%rcx */
	0xf3, 0x48, 0xa5,               /* 12: rep movsq */
	0x48, 0x89, 0x02,               /* 15: mov %rax,(%rdx) */
	0xc3,                           /* 18: ret */
};

START_TEST(test_rep_string_not_displaced)
{
	struct grr_reloc r;
	struct grr_lead ld;
	const char *why;
	/* a patch at 0xe would displace the rep movsq */
	ck_assert_int_eq(grr_reloc_plan(memmove_tail, BASE, sizeof(memmove_tail), 0, BASE + 0xe,
					&r, &why), -1);
	ck_assert_str_eq(why, "a repeated string instruction inside the patch");
	/* one starting on it is fine: a thread there resumes through the stub */
	ck_assert_int_eq(grr_reloc_plan(memmove_tail, BASE, sizeof(memmove_tail), 0, BASE + 0x12,
					&r, &why), 0);
	/* no lead steps through it to the pc after it */
	ck_assert_int_eq(grr_reloc_lead(memmove_tail, BASE, sizeof(memmove_tail), 0, BASE + 0x15,
					16, &ld, &why), -1);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_plan_loop, test_plan_flags_live, test_find_loop,
				       test_loop_copy_runs, test_rep_string, test_plan_padding,
				       test_plan_last_call, test_lead, test_rep_string_not_displaced };
	return run_tests("relocate", tests, sizeof(tests) / sizeof(tests[0]));
}
