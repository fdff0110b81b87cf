/* test_digester.c - unit tests of the incremental memory digest
 * (tracee/digester.c, tracee/dirty.c): after each change another process
 * makes to its memory (user and kernel writes, new, replaced and removed
 * mappings, MADV_DONTNEED, protection changes), the digest equals the full
 * one (tracee/digest.c), with and without excluded ranges, and rereads
 * only what changed. */
#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracee/digester.h"
#include "tests/unit/run_suite.h"

struct memcmd {
	char op;
	uint8_t byte;
	uint64_t addr, len;
};

struct child {
	pid_t pid;
	int to, from;
	int uffd;        /* its userfaultfd's number there */
	struct grr_mem mem;
};

#define NPAGES 3000ull
#define PG 4096ull

static void start_child(struct child *c)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
	ck_assert_int_gt(n, 0);
	exe[n] = 0;
	strcpy(strrchr(exe, '/') + 1, "memchild");
	int in[2], out[2];
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = in[1];
	c->from = out[0];
	uint8_t fd;
	ck_assert_int_eq(read(c->from, &fd, 1), 1);
	c->uffd = fd;
	ck_assert_int_eq(grr_mem_open(&c->mem, c->pid), 0);
}

static void stop_child(struct child *c)
{
	struct memcmd q = { .op = 'q' };
	ck_assert_int_eq(write(c->to, &q, sizeof(q)), sizeof(q));
	int st;
	waitpid(c->pid, &st, 0);
	grr_mem_close(&c->mem);
	close(c->to);
	close(c->from);
}

static void cmd(struct child *c, char op, uint64_t addr, uint64_t len, uint8_t byte)
{
	struct memcmd m = { .op = op, .byte = byte, .addr = addr, .len = len };
	ck_assert_int_eq(write(c->to, &m, sizeof(m)), sizeof(m));
	char ack;
	ck_assert_int_eq(read(c->from, &ack, 1), 1);
}

/* Digests are taken with the child stopped: after its answer it still
 * runs on into its next read, writing its stack. */
static void freeze(struct child *c)
{
	int st;
	ck_assert_int_eq(kill(c->pid, SIGSTOP), 0);
	ck_assert_int_eq(waitpid(c->pid, &st, WUNTRACED), c->pid);
	ck_assert(WIFSTOPPED(st));
}

/* Digests both ways and checks they agree; returns the pages reread. */
static uint64_t check_same(struct grr_digester *d, struct child *c,
			   const struct grr_range *ex, uint32_t nex)
{
	freeze(c);
	uint64_t before = d->pages_read, fulls = d->full_digests, inc, full;
	ck_assert_int_eq(grr_digester_digest(d, &c->mem, ex, nex, &inc), 0);
	ck_assert_int_eq(grr_digest_memory(&c->mem, ex, nex, &full), 0);
	ck_assert_int_eq(kill(c->pid, SIGCONT), 0);
	ck_assert_uint_eq(inc, full);
	ck_assert_uint_eq(d->full_digests, fulls);   /* from written pages */
	return d->pages_read - before;
}

/* A free region of NPAGES pages the child can map at will. */
static uint64_t region(uint64_t npages)
{
	void *p = mmap(NULL, npages * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p, npages * PG);
	return (uint64_t)(uintptr_t)p;
}

/* Starts the child and a digester tracking its writes. */
static void start_tracked(struct child *c, struct grr_digester *d)
{
	start_child(c);
	ck_assert_int_ne(c->uffd, 255);
	const char *why = "";
	ck_assert_msg(grr_digester_adopt(d, c->pid, c->uffd, &why) == 0, "%s", why);
}

START_TEST(test_follows_every_change)
{
	uint64_t base = region(NPAGES);
	struct child c;
	struct grr_digester d;
	start_tracked(&c, &d);

	cmd(&c, 'm', base, NPAGES * PG, 0);
	cmd(&c, 'w', base, NPAGES * PG, 0x11); /* more pages than the table's first size */
	ck_assert_uint_ge(check_same(&d, &c, NULL, 0), NPAGES);
	/* nothing changed: nothing of the region is read again */
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);

	cmd(&c, 'w', base + 7 * PG + 100, 10, 0x22);
	cmd(&c, 'w', base + 2999 * PG, 1, 0x23);
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);

	cmd(&c, 'k', base + 40 * PG, 64, 0);   /* kernel write */
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);

	cmd(&c, 'd', base + 100 * PG, 50 * PG, 0);   /* back to zero */
	check_same(&d, &c, NULL, 0);

	cmd(&c, 'm', base + 500 * PG, 20 * PG, 0);   /* replaced: zero */
	cmd(&c, 'w', base + 505 * PG, PG, 0x33);
	check_same(&d, &c, NULL, 0);

	cmd(&c, 'u', base + 1000 * PG, 100 * PG, 0); /* removed */
	check_same(&d, &c, NULL, 0);

	cmd(&c, 'p', base + 2000 * PG, 10 * PG, PROT_READ);
	check_same(&d, &c, NULL, 0);
	cmd(&c, 'p', base + 2000 * PG, 10 * PG, PROT_READ | PROT_WRITE);
	cmd(&c, 'w', base + 2001 * PG, 8, 0x44);
	check_same(&d, &c, NULL, 0);

	/* excluded ranges: within a page, across pages, overlapping, twice */
	struct grr_range ex[3] = {
		{ base + 7 * PG + 90, 20 },
		{ base + 8 * PG - 8, PG + 16 },
		{ base + 8 * PG, 8 },
	};
	check_same(&d, &c, ex, 3);
	cmd(&c, 'w', base + 8 * PG, 4, 0x55);
	check_same(&d, &c, ex, 3);
	check_same(&d, &c, NULL, 0);

	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

/* More pages than one window of grr_digest_spans (65536): the terms of
 * the second window line up with their pages too, the helper thread
 * running on the CPUs it is given. */
START_TEST(test_beyond_one_window)
{
	const uint64_t npages = 70000;
	uint64_t base = region(npages);
	struct child c;
	struct grr_digester d;
	start_tracked(&c, &d);
	/* the helper thread on given CPUs (affinity.h), as at replay */
	cpu_set_t cpus;
	ck_assert_int_eq(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
	d.helpers = &cpus;
	cmd(&c, 'm', base, npages * PG, 0);
	for (uint64_t i = 0; i < npages; i += 997)
		cmd(&c, 'w', base + i * PG, 8, (uint8_t)(i | 1));
	cmd(&c, 'w', base + 66000 * PG, 40 * PG, 0x66);
	check_same(&d, &c, NULL, 0);
	cmd(&c, 'w', base + 69999 * PG, 1, 0x77);
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);
	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

/* Digests D makes of C, checked against the full digest; returns the
 * number of full digests it made for it. */
static uint64_t digest_checked(struct grr_digester *d, struct child *c)
{
	uint64_t fulls = d->full_digests, inc, full;
	freeze(c);
	ck_assert_int_eq(grr_digester_digest(d, &c->mem, NULL, 0, &inc), 0);
	ck_assert_int_eq(grr_digest_memory(&c->mem, NULL, 0, &full), 0);
	ck_assert_int_eq(kill(c->pid, SIGCONT), 0);
	ck_assert_uint_eq(inc, full);
	return d->full_digests - fulls;
}

/* Whether the region at BASE is left unprotected (not covered). */
static bool untracked(struct grr_digester *d, uint64_t base)
{
	struct grr_range_list l = { 0 };
	int rc = grr_dirty_collect(&d->dirty, base, base + NPAGES * PG, &l);
	grr_range_list_free(&l);
	return rc == 1;
}

/* Starts the child with NPAGES pages mapped and written, and a digester
 * tracking them; returns their address. */
static uint64_t start_filled(struct child *c, struct grr_digester *d)
{
	uint64_t base = region(NPAGES);
	start_tracked(c, d);
	cmd(c, 'm', base, NPAGES * PG, 0);
	cmd(c, 'w', base, NPAGES * PG, 0x11);
	return base;
}

/* A program that rewrites most of its memory between digests: tracking
 * pauses for GRR_DIGEST_PAUSE full digests, then resumes, and every digest
 * still equals the full one. */
START_TEST(test_pauses_when_all_rewritten)
{
	struct child c;
	struct grr_digester d;
	uint64_t base = start_filled(&c, &d);
	digest_checked(&d, &c);
	ck_assert_int_eq(d.paused, 0);
	for (int round = 0; round < GRR_DIGEST_PAUSE + 2; round++) {
		cmd(&c, 'w', base, NPAGES * PG, (uint8_t)(0x20 + round));
		digest_checked(&d, &c);
		if (round == 0)   /* all rewritten: paused */
			ck_assert_int_eq(d.paused, GRR_DIGEST_PAUSE);
	}
	/* the pause ran out: tracking again, from a fresh full read */
	ck_assert_uint_eq(d.full_digests, GRR_DIGEST_PAUSE);
	ck_assert(d.primed);
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);
	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

/* The caller's hold (the replayer knows the program rewrites its memory
 * before the next digest): the digest in hand still comes from the written
 * pages, then nothing is protected and the next ones are full; once the
 * hold is lifted, tracking starts again.  Every digest equals the full one,
 * and the figures of the last incremental one are kept for the recorder's
 * note. */
START_TEST(test_hold)
{
	struct child c;
	struct grr_digester d;
	uint64_t base = start_filled(&c, &d);
	ck_assert_uint_eq(digest_checked(&d, &c), 0);
	ck_assert(!d.last_incremental);   /* the first read everything */

	cmd(&c, 'w', base + 10 * PG, 3 * PG, 0x12);
	d.hold = true;
	ck_assert_uint_eq(digest_checked(&d, &c), 0);
	ck_assert(d.last_incremental);
	ck_assert_uint_ge(d.last_written, 3);
	ck_assert_uint_lt(d.last_written, 64);
	ck_assert_uint_ge(d.last_pages, NPAGES);
	ck_assert(!d.primed);
	ck_assert(untracked(&d, base));

	cmd(&c, 'w', base, NPAGES * PG, 0x13);
	ck_assert_uint_eq(digest_checked(&d, &c), 1);
	ck_assert(!d.last_incremental);
	ck_assert(untracked(&d, base));

	d.hold = false;
	cmd(&c, 'w', base + 5 * PG, 1, 0x14);
	ck_assert_uint_eq(digest_checked(&d, &c), 0);   /* a fresh full read */
	ck_assert(d.primed);
	ck_assert(!d.last_incremental);
	cmd(&c, 'w', base + 6 * PG, 1, 0x15);
	uint64_t before = d.pages_read;
	ck_assert_uint_eq(digest_checked(&d, &c), 0);
	ck_assert(d.last_incremental);
	ck_assert_uint_lt(d.pages_read - before, 64);
	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

/* The recorder's rule for "most memory rewritten", which the replayer
 * applies to the recorder's note. */
START_TEST(test_mostly_rewritten)
{
	ck_assert(!grr_digest_mostly_rewritten(0, 0));
	ck_assert(!grr_digest_mostly_rewritten(1023, 1024));   /* too few to matter */
	ck_assert(grr_digest_mostly_rewritten(1024, 2047));
	ck_assert(!grr_digest_mostly_rewritten(1024, 2048));
	ck_assert(grr_digest_mostly_rewritten(20000, 3000));   /* dropped pages count */
}
END_TEST

START_TEST(test_full_without_tracking)
{
	struct child c;
	start_child(&c);
	struct grr_digester d;
	grr_digester_init_full(&d);
	uint64_t inc, full;
	freeze(&c);
	ck_assert_int_eq(grr_digester_digest(&d, &c.mem, NULL, 0, &inc), 0);
	ck_assert_int_eq(grr_digest_memory(&c.mem, NULL, 0, &full), 0);
	ck_assert_int_eq(kill(c.pid, SIGCONT), 0);
	ck_assert_uint_eq(inc, full);
	ck_assert_uint_eq(d.full_digests, 1);
	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

/* A new mapping is read only where it holds pages: the protection that
 * starts its tracking must not make its untouched pages look swapped out
 * (pagemap shows the kernel's markers so), which would read all of it. */
START_TEST(test_new_mapping_reads_held_pages)
{
	uint64_t base = region(NPAGES);
	struct child c;
	struct grr_digester d;
	start_tracked(&c, &d);
	check_same(&d, &c, NULL, 0);
	cmd(&c, 'm', base, NPAGES * PG, 0);
	cmd(&c, 'w', base + 10 * PG, 3 * PG, 0x21);
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);
	/* and once covered, its other pages are seen when written */
	cmd(&c, 'w', base + 2000 * PG, PG, 0x22);
	ck_assert_uint_lt(check_same(&d, &c, NULL, 0), 64);
	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

/* Ranges every digest leaves out (grr's own pages' data): pages wholly
 * inside are never reread however often they are written, and the digest
 * is the full one with those ranges left out, with or without the
 * caller naming them, and for a digester without tracking too. */
START_TEST(test_always_excluded)
{
	uint64_t base = region(NPAGES);
	struct child c;
	struct grr_digester d;
	start_tracked(&c, &d);
	/* from the middle of page 3 to the end of page 299 */
	struct grr_range always = { base + 3 * PG + 100, 297 * PG - 100 };
	ck_assert_int_eq(grr_digester_exclude_always(&d, always.addr, always.len), 0);
	cmd(&c, 'm', base, 400 * PG, 0);
	cmd(&c, 'w', base, 400 * PG, 0x31);
	check_same(&d, &c, &always, 1);
	cmd(&c, 'w', base + 10 * PG, 200 * PG, 0x32);   /* inside only */
	ck_assert_uint_lt(check_same(&d, &c, &always, 1), 32);
	cmd(&c, 'w', base + 3 * PG, 8, 0x33);             /* the digested head of page 3 */
	cmd(&c, 'w', base + 350 * PG, 8, 0x34);
	check_same(&d, &c, &always, 1);
	/* without naming it: left out all the same */
	uint64_t inc, full;
	freeze(&c);
	ck_assert_int_eq(grr_digester_digest(&d, &c.mem, NULL, 0, &inc), 0);
	ck_assert_int_eq(grr_digest_memory(&c.mem, &always, 1, &full), 0);
	ck_assert_uint_eq(inc, full);
	struct grr_digester plain;
	grr_digester_init_full(&plain);
	ck_assert_int_eq(grr_digester_exclude_always(&plain, always.addr, always.len), 0);
	ck_assert_int_eq(grr_digester_digest(&plain, &c.mem, NULL, 0, &inc), 0);
	ck_assert_int_eq(kill(c.pid, SIGCONT), 0);
	ck_assert_uint_eq(inc, full);
	grr_digester_free(&plain);
	grr_digester_free(&d);
	stop_child(&c);
}
END_TEST

int main(void)
{
	const TTest *tests[] = { test_follows_every_change, test_beyond_one_window,
				 test_pauses_when_all_rewritten, test_hold, test_mostly_rewritten,
				 test_full_without_tracking, test_new_mapping_reads_held_pages,
				 test_always_excluded };
	return run_tests("digester", tests, sizeof(tests) / sizeof(tests[0]));
}
