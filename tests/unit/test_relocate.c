/* test_relocate.c - unit tests of the relocation plans behind the
 * replayer's conditional anchor traps (tracee/relocate.c): which pcs can
 * be patched, which register a loop changes (the stub's quick test), and
 * whether the flags are dead there (a plain cmp may then clobber them). */
#include <check.h>
#include <stdint.h>

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
	ck_assert_int_eq(grr_reloc_plan(loop, BASE, sizeof(loop), BASE + 9, &r, &why), 0);
	ck_assert_uint_eq(r.pc, BASE + 9);
	ck_assert_uint_eq(r.len, 7);             /* movb + add */
	ck_assert_int_eq(r.hot_reg, 3);          /* rbx, the loop variable */
	ck_assert_int_eq(r.flags_dead, 1);       /* add sets them all first */
	/* the jmp at 0x7 lands inside the bytes a patch at 0xd would take */
	ck_assert_int_eq(grr_reloc_plan(loop, BASE, sizeof(loop), BASE + 0xd, &r, &why), -1);
	ck_assert_ptr_nonnull(why);
	/* not an instruction boundary */
	ck_assert_int_eq(grr_reloc_plan(loop, BASE, sizeof(loop), BASE + 10, &r, &why), -1);
}
END_TEST

START_TEST(test_plan_flags_live)
{
	struct grr_reloc r;
	const char *why;
	ck_assert_int_eq(grr_reloc_plan(carry, BASE, sizeof(carry), BASE + 8, &r, &why), 0);
	ck_assert_int_eq(r.flags_dead, 0);       /* sbb reads the carry of the cmp */
	ck_assert_int_eq(grr_reloc_plan(carry, BASE, sizeof(carry), BASE + 4, &r, &why), 0);
	ck_assert_int_eq(r.flags_dead, 1);       /* the cmp itself sets them */
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_plan_loop, test_plan_flags_live };
	return run_tests("relocate", tests, sizeof(tests) / sizeof(tests[0]));
}
