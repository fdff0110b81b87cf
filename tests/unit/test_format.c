/* test_format.c - unit tests of the trace format library (format/). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/codec.h"
#include "format/counter_note.h"
#include "format/crc32c.h"
#include "format/hash.h"
#include "format/rewrite_note.h"
#include "format/slot_codec.h"
#include "format/trace.h"
#include "format/varint.h"

/* ---- helpers ---- */

static char tmpdir[] = "/tmp/grr-test-format-XXXXXX";

static void make_tmpdir(void)
{
	static int done;
	if (!done) {
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
		done = 1;
	}
}

static char *tpath(const char *name)
{
	make_tmpdir();
	static char buf[8][256];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static char *s_argv[] = { "/usr/bin/prog", "-v", "", "arg with spaces", NULL };
static char *s_envp[] = { "HOME=/root", "PATH=/usr/bin:/bin", NULL };
static struct grr_auxv_entry s_auxv[] = { { 6, 4096 }, { 25, 0x7ffd12345678 }, { 0, 0 } };
static struct grr_mapping s_maps[] = {
	{ 0x400000, 0x401000, 0, 5, 0, "/usr/bin/prog" },
	{ 0xc000000000, 0xc004000000, 0, 3, 0, "" },
	{ 0x7ffd00000000, 0x7ffd00021000, 0, 3, GRR_MAP_SHARED, "[stack]" },
};

static struct grr_header make_header(void)
{
	struct grr_header h = { 0 };
	h.program = "/usr/bin/prog";
	h.cwd = "/home/user/dir";
	h.argc = 4;
	h.argv = s_argv;
	h.envc = 2;
	h.envp = s_envp;
	h.nauxv = 3;
	h.auxv = s_auxv;
	for (int i = 0; i < 16; i++)
		h.at_random[i] = (uint8_t)(i * 17 + 3);
	h.initial_sp = 0x7ffd0001fe80;
	h.nmaps = 3;
	h.maps = s_maps;
	h.build_id = "8f3e1a9b0c";
	h.go_version = "go1.26.8";
	strcpy(h.cpu.vendor, "GenuineIntel");
	h.cpu.family = 6;
	h.cpu.model = 85;
	h.cpu.stepping = 7;
	for (int i = 0; i < GRR_CPUID_NWORDS; i++)
		h.cpu.features[i] = 0x80000001u * (uint32_t)(i + 1);
	h.grr_version = "0.1.0";
	h.start_time_ns = 1763800000123456789ull;
	h.chaos_seed = 0xdeadbeefcafef00dull;
	h.flags = GRR_HDR_CHAOS | GRR_HDR_PORTABLE;
	return h;
}

static void check_header_eq(const struct grr_header *a, const struct grr_header *b)
{
	ck_assert_str_eq(a->program, b->program);
	ck_assert_str_eq(a->cwd, b->cwd);
	ck_assert_uint_eq(a->argc, b->argc);
	for (uint32_t i = 0; i < a->argc; i++)
		ck_assert_str_eq(a->argv[i], b->argv[i]);
	ck_assert_uint_eq(a->envc, b->envc);
	for (uint32_t i = 0; i < a->envc; i++)
		ck_assert_str_eq(a->envp[i], b->envp[i]);
	ck_assert_uint_eq(a->nauxv, b->nauxv);
	for (uint32_t i = 0; i < a->nauxv; i++) {
		ck_assert_uint_eq(a->auxv[i].key, b->auxv[i].key);
		ck_assert_uint_eq(a->auxv[i].val, b->auxv[i].val);
	}
	ck_assert_mem_eq(a->at_random, b->at_random, 16);
	ck_assert_uint_eq(a->initial_sp, b->initial_sp);
	ck_assert_uint_eq(a->nmaps, b->nmaps);
	for (uint32_t i = 0; i < a->nmaps; i++) {
		ck_assert_uint_eq(a->maps[i].start, b->maps[i].start);
		ck_assert_uint_eq(a->maps[i].end, b->maps[i].end);
		ck_assert_uint_eq(a->maps[i].offset, b->maps[i].offset);
		ck_assert_uint_eq(a->maps[i].prot, b->maps[i].prot);
		ck_assert_uint_eq(a->maps[i].flags, b->maps[i].flags);
		ck_assert_str_eq(a->maps[i].path, b->maps[i].path);
	}
	ck_assert_str_eq(a->build_id, b->build_id);
	ck_assert_str_eq(a->go_version, b->go_version);
	ck_assert_str_eq(a->cpu.vendor, b->cpu.vendor);
	ck_assert_uint_eq(a->cpu.family, b->cpu.family);
	ck_assert_uint_eq(a->cpu.model, b->cpu.model);
	ck_assert_uint_eq(a->cpu.stepping, b->cpu.stepping);
	ck_assert_mem_eq(a->cpu.features, b->cpu.features, sizeof(a->cpu.features));
	ck_assert_str_eq(a->grr_version, b->grr_version);
	ck_assert_uint_eq(a->start_time_ns, b->start_time_ns);
	ck_assert_uint_eq(a->chaos_seed, b->chaos_seed);
	ck_assert_uint_eq(a->flags, b->flags);
}

/* Generated events own their storage here. */
struct gen_event {
	struct grr_event ev;
	struct grr_mem_write writes[4];
	uint8_t *data[4];
	struct grr_range ranges[3];
	char *text;
};

static uint8_t shared_blob[3000];
static int gen_small;   /* smaller memory writes: for the every-byte tests */

static void gen_free(struct gen_event *g)
{
	for (int i = 0; i < 4; i++)
		free(g->data[i]);
	free(g->text);
}

/* Deterministic event I of a realistic mix; every kind appears. */
static void gen(struct gen_event *g, uint64_t i)
{
	memset(g, 0, sizeof(*g));
	struct grr_event *ev = &g->ev;
	ev->tid = 1000 + (uint32_t)(i % 3);
	ev->time_ns = 1000 * i + (i % 7);
	switch (i % 12) {
	case 0: case 2: case 4:
		ev->kind = GRR_EV_SYSCALL_ENTER;
		ev->u.enter.nr = (uint32_t)(i % 300);
		for (int k = 0; k < 6; k++)
			ev->u.enter.args[k] = k == 2 ? (uint64_t)-100 : rnd() >> (k * 10);
		break;
	case 1: case 3: case 5: {
		/* now and then the same shape as clock page values */
		ev->kind = i % 24 == 5 ? GRR_EV_BUFFERED : GRR_EV_SYSCALL_EXIT;
		ev->u.exit.nr = ev->kind == GRR_EV_BUFFERED ? 0 : (uint32_t)(i % 300);
		ev->u.exit.ret = (i % 5 == 0) ? -11 : (int64_t)(rnd() % 100000);
		uint32_t nw = (uint32_t)(i % 4);
		for (uint32_t k = 0; k < nw; k++) {
			static const uint64_t lens[] = { 0, 8, 64, 65, 200, 3000 };
			uint64_t len = lens[(i + k) % 6];
			if (gen_small && len > 100)
				len /= 20;
			g->data[k] = malloc(len ? len : 1);
			if ((i + k) % 4 == 0 && len <= sizeof(shared_blob)) {
				memcpy(g->data[k], shared_blob, len);   /* repeated content */
			} else {
				for (uint64_t b = 0; b < len; b++)
					g->data[k][b] = (uint8_t)(rnd() % 7);
			}
			/* (BUFFERED writes of whole slots: stored delta-coded) */
			g->writes[k] = (struct grr_mem_write){
				.addr = 0xc000000000 + k * 4096, .len = len, .data = g->data[k],
				.slots = ev->kind == GRR_EV_BUFFERED && len % 32 == 0 };
		}
		ev->u.exit.nwrites = nw;
		ev->u.exit.writes = nw ? g->writes : NULL;
		break;
	}
	case 6:
		ev->kind = GRR_EV_SIGNAL;
		ev->u.signal.signo = 23;
		ev->u.signal.how = (uint8_t)(i % 3);
		for (int k = 0; k < 24; k++)
			ev->u.signal.siginfo[k] = (uint8_t)rnd();
		ev->u.signal.siginfo[127] = (uint8_t)(i & 1);
		break;
	case 7:
		ev->kind = i % 24 == 7 ? GRR_EV_CLONE : GRR_EV_THREAD_EXIT;
		if (ev->kind == GRR_EV_CLONE) {
			ev->u.clone.child_tid = 2000 + (uint32_t)i;
			ev->u.clone.flags = 0x3d0f00;
		} else {
			ev->u.thread_exit.status = i % 2 ? INT32_MIN : 0;
		}
		break;
	case 8:
		ev->kind = GRR_EV_RDTSC;
		ev->u.rdtsc.pc = 0x401000 + i;
		ev->u.rdtsc.tsc = i % 16 == 8 ? 5 : 123456789000ull + i * 3000;   /* goes back sometimes */
		ev->u.rdtsc.is_rdtscp = i & 1;
		ev->u.rdtsc.aux = ev->u.rdtsc.is_rdtscp ? 3 : 0;
		break;
	case 9:
		ev->kind = GRR_EV_ANCHOR;
		for (int k = 0; k < GRR_NREGS; k++)
			ev->u.anchor.regs[k] = rnd() >> (k % 64);
		for (int k = 0; k < 32; k++)
			ev->u.anchor.fpregs[k] = (uint8_t)(k + 1);
		if (i % 24 == 9)
			for (int k = 160; k < 200; k++)
				ev->u.anchor.fpregs[k] = (uint8_t)rnd();
		ev->u.anchor.digest = rnd();
		ev->u.anchor.nexcluded = (uint32_t)(i % 4);
		for (uint32_t k = 0; k < ev->u.anchor.nexcluded; k++)
			g->ranges[k] = (struct grr_range){ 0xc000000000 + k * 0x1000, 0x1000 * (k + 1) };
		ev->u.anchor.excluded = ev->u.anchor.nexcluded ? g->ranges : NULL;
		ev->u.anchor.nstack = (uint8_t)(i % (GRR_ANCHOR_STACK_WORDS + 1));
		for (int k = 0; k < ev->u.anchor.nstack; k++)
			ev->u.anchor.stack[k] = rnd() >> (k % 48);
		break;
	case 10:
		ev->kind = GRR_EV_NOTE;
		g->text = malloc(64);
		snprintf(g->text, 64, i % 20 == 10 ? "" : "note %llu: \"quoted\"\n", (unsigned long long)i);
		ev->u.note.text = g->text;
		break;
	case 11:
		ev->kind = GRR_EV_PROCESS_EXIT;
		ev->u.process_exit.how = (uint8_t)(i % 3);
		ev->u.process_exit.status = -(int32_t)(i % 256);
		break;
	}
}

/* Returns NULL if the events are equal, else the first differing field.
 * (No ck_assert per field: Check writes a record for each assertion, and
 * the every-byte tests compare hundreds of thousands of events.) */
static const char *event_diff(const struct grr_event *a, const struct grr_event *b)
{
#define DIFF(cond, what) do { if (cond) return what; } while (0)
	DIFF(a->kind != b->kind, "kind");
	DIFF(a->tid != b->tid, "tid");
	DIFF(a->seq != b->seq, "seq");
	DIFF(a->time_ns != b->time_ns, "time_ns");
	switch (a->kind) {
	case GRR_EV_SYSCALL_ENTER:
		DIFF(a->u.enter.nr != b->u.enter.nr, "enter.nr");
		DIFF(memcmp(a->u.enter.args, b->u.enter.args, sizeof(a->u.enter.args)), "enter.args");
		break;
	case GRR_EV_SYSCALL_EXIT:
	case GRR_EV_BUFFERED:
		DIFF(a->u.exit.nr != b->u.exit.nr, "exit.nr");
		DIFF(a->u.exit.ret != b->u.exit.ret, "exit.ret");
		DIFF(a->u.exit.nwrites != b->u.exit.nwrites, "exit.nwrites");
		for (uint32_t k = 0; k < a->u.exit.nwrites; k++) {
			const struct grr_mem_write *x = &a->u.exit.writes[k], *y = &b->u.exit.writes[k];
			DIFF(x->addr != y->addr, "write.addr");
			DIFF(x->len != y->len, "write.len");
			DIFF(x->len && (!y->data || memcmp(x->data, y->data, x->len)), "write.data");
		}
		break;
	case GRR_EV_SIGNAL:
		DIFF(a->u.signal.signo != b->u.signal.signo, "signal.signo");
		DIFF(a->u.signal.how != b->u.signal.how, "signal.how");
		DIFF(memcmp(a->u.signal.siginfo, b->u.signal.siginfo, 128), "signal.siginfo");
		break;
	case GRR_EV_CLONE:
		DIFF(a->u.clone.child_tid != b->u.clone.child_tid, "clone.child_tid");
		DIFF(a->u.clone.flags != b->u.clone.flags, "clone.flags");
		break;
	case GRR_EV_THREAD_EXIT:
		DIFF(a->u.thread_exit.status != b->u.thread_exit.status, "thread_exit.status");
		break;
	case GRR_EV_PROCESS_EXIT:
		DIFF(a->u.process_exit.how != b->u.process_exit.how, "process_exit.how");
		DIFF(a->u.process_exit.status != b->u.process_exit.status, "process_exit.status");
		break;
	case GRR_EV_RDTSC:
		DIFF(a->u.rdtsc.pc != b->u.rdtsc.pc, "rdtsc.pc");
		DIFF(a->u.rdtsc.tsc != b->u.rdtsc.tsc, "rdtsc.tsc");
		DIFF(a->u.rdtsc.aux != b->u.rdtsc.aux, "rdtsc.aux");
		DIFF(a->u.rdtsc.is_rdtscp != b->u.rdtsc.is_rdtscp, "rdtsc.is_rdtscp");
		break;
	case GRR_EV_ANCHOR:
		DIFF(memcmp(a->u.anchor.regs, b->u.anchor.regs, sizeof(a->u.anchor.regs)), "anchor.regs");
		DIFF(memcmp(a->u.anchor.fpregs, b->u.anchor.fpregs, GRR_FPREGS_SIZE), "anchor.fpregs");
		DIFF(a->u.anchor.digest != b->u.anchor.digest, "anchor.digest");
		DIFF(a->u.anchor.nexcluded != b->u.anchor.nexcluded, "anchor.nexcluded");
		for (uint32_t k = 0; k < a->u.anchor.nexcluded; k++) {
			DIFF(a->u.anchor.excluded[k].addr != b->u.anchor.excluded[k].addr, "excluded.addr");
			DIFF(a->u.anchor.excluded[k].len != b->u.anchor.excluded[k].len, "excluded.len");
		}
		DIFF(a->u.anchor.nstack != b->u.anchor.nstack, "anchor.nstack");
		DIFF(memcmp(a->u.anchor.stack, b->u.anchor.stack, 8u * a->u.anchor.nstack),
		     "anchor.stack");
		break;
	case GRR_EV_NOTE:
		DIFF(strcmp(a->u.note.text, b->u.note.text), "note.text");
		break;
	}
	return NULL;
#undef DIFF
}

#define check_event_eq(a, b) do { \
	const char *d_ = event_diff((a), (b)); \
	if (d_) \
		ck_abort_msg("event %llu differs in %s", (unsigned long long)(a)->seq, d_); \
} while (0)

/* Expected events, regenerated from the same seed. */
static struct gen_event *expected;
static uint64_t nexpected;

static void free_expected(void)
{
	for (uint64_t i = 0; i < nexpected; i++)
		gen_free(&expected[i]);
	free(expected);
	expected = NULL;
	nexpected = 0;
}

/* Writes N generated events to PATH, flushing every FLUSH_EVERY events (0:
 * never); closes with an index unless ABANDON.  Keeps them in expected[]. */
static void write_trace(const char *path, uint64_t n, uint64_t flush_every, int abandon)
{
	struct grr_error err = { { 0 } };
	struct grr_header h = make_header();
	free_expected();
	rng_state = 42;
	for (size_t i = 0; i < sizeof(shared_blob); i++)
		shared_blob[i] = (uint8_t)(i * 31 + 7);
	expected = calloc(n ? n : 1, sizeof(*expected));
	nexpected = n;
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	ck_assert_msg(w != NULL, "%s", err.msg);
	for (uint64_t i = 0; i < n; i++) {
		gen(&expected[i], i);
		ck_assert_msg(grr_writer_append(w, &expected[i].ev, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(expected[i].ev.seq, i);
		if (flush_every && (i + 1) % flush_every == 0)
			ck_assert_msg(grr_writer_flush(w, &err) == 0, "%s", err.msg);
	}
	ck_assert_uint_eq(grr_writer_event_count(w), n);
	if (abandon)
		grr_writer_abandon(w);
	else
		ck_assert_msg(grr_writer_close(w, &err) == 0, "%s", err.msg);
}

/* Reads every event of an open reader, checking each against expected[];
 * returns how many were read and the last status. */
static uint64_t read_all_checked(struct grr_reader *r, int *last)
{
	struct grr_event ev;
	struct grr_error err;
	uint64_t n = 0;
	int rc;
	while ((rc = grr_reader_next(r, &ev, &err)) == 1) {
		if (n >= nexpected)
			ck_abort_msg("more events than written");
		check_event_eq(&expected[n].ev, &ev);
		n++;
	}
	if (rc < 0 && !err.msg[0])
		ck_abort_msg("error without a message");
	*last = rc;
	return n;
}

static uint64_t file_size(const char *path)
{
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	return (uint64_t)sb.st_size;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc(*n ? *n : 1);
	ck_assert_uint_eq(fread(p, 1, *n, f), *n);
	fclose(f);
	return p;
}

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* ---- tests ---- */

START_TEST(test_varint)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 255, 16383, 16384, 0xffffffffull,
					 1ull << 63, UINT64_MAX, UINT64_MAX - 1 };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint8_t b[GRR_VARINT_MAX];
		size_t n = grr_varint_put(b, vals[i]);
		ck_assert_uint_eq(n, grr_varint_len(vals[i]));
		const uint8_t *p = b;
		uint64_t v;
		ck_assert_int_eq(grr_varint_get(&p, b + n, &v), 0);
		ck_assert_uint_eq(v, vals[i]);
		ck_assert_ptr_eq(p, b + n);
		p = b;   /* one byte short */
		ck_assert_int_eq(grr_varint_get(&p, b + n - 1, &v), -1);
		ck_assert_ptr_eq(p, b);
	}
	ck_assert_uint_eq(grr_varint_len(UINT64_MAX), 10);
	ck_assert_uint_eq(grr_varint_len(127), 1);
	ck_assert_uint_eq(grr_varint_len(128), 2);
	/* overlong: 11 bytes, and a 10th byte that overflows */
	uint8_t over[11];
	memset(over, 0x80, 10);
	over[10] = 0;
	const uint8_t *p = over;
	uint64_t v;
	ck_assert_int_eq(grr_varint_get(&p, over + 11, &v), -1);
	memset(over, 0xff, 9);
	over[9] = 2;
	p = over;
	ck_assert_int_eq(grr_varint_get(&p, over + 10, &v), -1);
	over[9] = 1;
	p = over;
	ck_assert_int_eq(grr_varint_get(&p, over + 10, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	p = over;
	ck_assert_int_eq(grr_varint_get(&p, over, &v), -1);   /* empty */

	static const int64_t svals[] = { 0, -1, 1, -64, 63, INT64_MIN, INT64_MAX };
	for (size_t i = 0; i < sizeof(svals) / sizeof(svals[0]); i++)
		ck_assert_int_eq(grr_unzigzag(grr_zigzag(svals[i])), svals[i]);
	ck_assert_uint_eq(grr_zigzag(-1), 1);
	ck_assert_uint_eq(grr_zigzag(1), 2);
	ck_assert_uint_eq(grr_zigzag(INT64_MIN), UINT64_MAX);
}
END_TEST

START_TEST(test_hash_vectors)
{
	ck_assert_uint_eq(grr_crc32c(0, "123456789", 9), 0xe3069283u);
	ck_assert_uint_eq(grr_crc32c(0, "", 0), 0);
	/* incremental == one shot, at every split and alignment */
	uint8_t buf[100];
	for (int i = 0; i < 100; i++)
		buf[i] = (uint8_t)(i * 7);
	uint32_t whole = grr_crc32c(0, buf + 1, 99);
	for (int s = 0; s <= 99; s++)
		ck_assert_uint_eq(grr_crc32c(grr_crc32c(0, buf + 1, (size_t)s), buf + 1 + s, (size_t)(99 - s)), whole);

	ck_assert_uint_eq(grr_hash64("", 0, 0), 0xef46db3751d8e999ull);
	ck_assert_uint_eq(grr_hash64("abc", 3, 0), 0x44bc2cf5ad770999ull);
	ck_assert_uint_eq(grr_hash64("Nobody inspects the spammish repetition", 39, 0),
			  0xfbcea83c8a378bf1ull);

	const char *fox = "The quick brown fox jumps over the lazy dog";
	struct grr_hash128 h = grr_hash128(fox, strlen(fox), 0);
	ck_assert_uint_eq(h.h[0], 0xe34bbc7bbc071b6cull);
	ck_assert_uint_eq(h.h[1], 0x7a433ca9c49a9347ull);
	h = grr_hash128("", 0, 0);
	ck_assert_uint_eq(h.h[0], 0);
	ck_assert_uint_eq(h.h[1], 0);
	/* every tail length gives distinct values */
	struct grr_hash128 prev = { { 1, 1 } };
	for (size_t n = 1; n <= 40; n++) {
		h = grr_hash128(buf, n, 0);
		ck_assert(h.h[0] != prev.h[0] || h.h[1] != prev.h[1]);
		prev = h;
	}
}
END_TEST

START_TEST(test_header_roundtrip)
{
	const char *path = tpath("header.grr");
	struct grr_header h = make_header();
	struct grr_error err;
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	ck_assert_msg(w != NULL, "%s", err.msg);
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	const struct grr_header *rh = grr_reader_header(r);
	check_header_eq(&h, rh);
	ck_assert_uint_eq(rh->major, GRR_FORMAT_MAJOR);
	ck_assert_uint_eq(rh->minor, GRR_FORMAT_MINOR);
	ck_assert_ptr_null(rh->argv[rh->argc]);
	ck_assert_uint_eq(grr_reader_event_count(r), 0);
	ck_assert(grr_reader_has_index(r));
	struct grr_event ev;
	ck_assert_int_eq(grr_reader_next(r, &ev, &err), 0);
	grr_reader_close(r);

	/* an all-empty header reads back as empty strings */
	struct grr_header empty = { 0 };
	w = grr_writer_open(path, &empty, &err);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
	r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	rh = grr_reader_header(r);
	ck_assert_str_eq(rh->program, "");
	ck_assert_str_eq(rh->go_version, "");
	ck_assert_uint_eq(rh->argc, 0);
	ck_assert_ptr_null(rh->argv[0]);
	ck_assert_uint_eq(rh->nmaps, 0);
	grr_reader_close(r);
}
END_TEST

START_TEST(test_header_unknown_tags)
{
	/* a newer minor version may add tags: they are skipped */
	struct grr_header h = make_header(), out;
	struct grr_buf b = { 0 };
	ck_assert_int_eq(grr_buf_varint(&b, 200), 0);
	ck_assert_int_eq(grr_buf_bytes(&b, "future", 6), 0);
	ck_assert_int_eq(grr_header_encode(&b, &h), 0);
	ck_assert_int_eq(grr_buf_varint(&b, 99), 0);
	ck_assert_int_eq(grr_buf_bytes(&b, "\x01\x02\x03", 3), 0);
	const char *why;
	ck_assert_int_eq(grr_header_decode(b.p, b.len, &out, &why), 0);
	check_header_eq(&h, &out);
	grr_header_free(&out);
	/* a malformed field is refused without leaking */
	b.len -= 1;
	ck_assert_int_eq(grr_header_decode(b.p, b.len, &out, &why), -1);
	ck_assert_ptr_nonnull(why);
	grr_buf_free(&b);
}
END_TEST

START_TEST(test_events_roundtrip)
{
	const char *path = tpath("events.grr");
	write_trace(path, 600, 0, 0);
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_uint_eq(grr_reader_event_count(r), 600);
	int last;
	ck_assert_uint_eq(read_all_checked(r, &last), 600);
	ck_assert_int_eq(last, 0);
	ck_assert_int_eq(grr_reader_next(r, &(struct grr_event){ 0 }, &err), 0);

	struct grr_trace_stats st;
	ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
	ck_assert_uint_eq(st.events, 600);
	uint64_t by_kind[GRR_EV_KIND_MAX + 1] = { 0 };
	for (uint64_t i = 0; i < 600; i++)
		by_kind[expected[i].ev.kind]++;
	for (int k = 1; k <= GRR_EV_KIND_MAX; k++) {
		ck_assert_uint_eq(st.by_kind[k], by_kind[k]);
		ck_assert_uint_gt(st.by_kind[k], 0);
	}
	ck_assert_uint_eq(st.threads, 3);
	ck_assert_uint_eq(st.duration_ns, expected[599].ev.time_ns);
	ck_assert(st.has_index);
	ck_assert_uint_eq(st.valid_bytes, file_size(path));
	ck_assert_uint_eq(st.file_bytes, file_size(path));
	ck_assert_uint_gt(st.raw_bytes, 0);
	ck_assert_uint_gt(st.blobs, 1);
	/* stats do not move the read position */
	ck_assert_int_eq(grr_reader_seek(r, 5, &err), 0);
	ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
	struct grr_event ev;
	ck_assert_int_eq(grr_reader_next(r, &ev, &err), 1);
	check_event_eq(&expected[5].ev, &ev);
	grr_reader_close(r);
	free_expected();
}
END_TEST

START_TEST(test_edge_events)
{
	const char *path = tpath("edge.grr");
	struct grr_header h = make_header();
	struct grr_error err;
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	ck_assert_ptr_nonnull(w);
	enum { N = 8 };
	struct grr_event evs[N];
	memset(evs, 0, sizeof(evs));
	/* a 2.5 MiB write: a blob split over several BLOB chunks */
	uint64_t big_len = 5u << 19;
	uint8_t *big = malloc(big_len);
	for (uint64_t i = 0; i < big_len; i++)
		big[i] = (uint8_t)(i * 2654435761u >> 13);
	uint8_t small[65];
	memset(small, 0xab, sizeof(small));
	struct grr_mem_write mw[4] = {
		{ .addr = 0x1000, .len = big_len, .data = big },
		{ .addr = 0x2000, .len = 64, .data = small },
		{ .addr = 0x3000, .len = 65, .data = small },
		{ .addr = 0x4000, .len = 0, .data = NULL },
	};
	evs[0] = (struct grr_event){ .kind = GRR_EV_SYSCALL_EXIT, .tid = UINT32_MAX, .time_ns = UINT64_MAX };
	evs[0].u.exit.nr = UINT32_MAX;
	evs[0].u.exit.ret = INT64_MIN;
	evs[0].u.exit.nwrites = 4;
	evs[0].u.exit.writes = mw;
	evs[1] = (struct grr_event){ .kind = GRR_EV_SYSCALL_ENTER, .tid = 0, .time_ns = 0 };
	for (int k = 0; k < 6; k++)
		evs[1].u.enter.args[k] = UINT64_MAX - (uint64_t)k;
	evs[2] = (struct grr_event){ .kind = GRR_EV_ANCHOR, .tid = 7, .time_ns = 5 };
	memset(evs[2].u.anchor.fpregs, 0xff, GRR_FPREGS_SIZE);
	for (int k = 0; k < GRR_NREGS; k++)
		evs[2].u.anchor.regs[k] = UINT64_MAX;
	evs[2].u.anchor.digest = UINT64_MAX;
	evs[3] = evs[2];   /* same fpregs again: delta encoded */
	evs[3].u.anchor.fpregs[100] = 0;
	evs[4] = (struct grr_event){ .kind = GRR_EV_PROCESS_EXIT, .tid = 7, .time_ns = 6 };
	evs[4].u.process_exit.status = INT32_MIN;
	evs[4].u.process_exit.how = GRR_EXIT_DETACHED;
	evs[5] = (struct grr_event){ .kind = GRR_EV_SIGNAL, .tid = 7, .time_ns = 7 };
	memset(evs[5].u.signal.siginfo, 0x5a, 128);
	evs[6] = (struct grr_event){ .kind = GRR_EV_RDTSC, .tid = 7, .time_ns = 8 };
	evs[6].u.rdtsc.tsc = UINT64_MAX;
	evs[7] = (struct grr_event){ .kind = GRR_EV_NOTE, .tid = 7, .time_ns = 9 };
	evs[7].u.note.text = NULL;
	for (int i = 0; i < N; i++)
		ck_assert_msg(grr_writer_append(w, &evs[i], &err) == 0, "%s", err.msg);
	evs[7].u.note.text = "";
	/* invalid events are refused, the writer stays usable */
	struct grr_event bad = { .kind = 42 };
	ck_assert_int_eq(grr_writer_append(w, &bad, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	bad = (struct grr_event){ .kind = GRR_EV_SYSCALL_EXIT };
	bad.u.exit.nwrites = 1;
	ck_assert_int_eq(grr_writer_append(w, &bad, &err), -1);
	bad = (struct grr_event){ .kind = GRR_EV_SYSCALL_EXIT };
	bad.u.exit.nwrites = (1u << 16) + 1;   /* over the limit: refused before reading writes */
	bad.u.exit.writes = mw;
	ck_assert_int_eq(grr_writer_append(w, &bad, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too many"));
	ck_assert_uint_eq(grr_writer_event_count(w), N);
	ck_assert_int_eq(grr_writer_close(w, &err), 0);

	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	struct grr_event ev;
	for (int i = 0; i < N; i++) {
		ck_assert_msg(grr_reader_next(r, &ev, &err) == 1, "%s", err.msg);
		check_event_eq(&evs[i], &ev);
	}
	ck_assert_int_eq(grr_reader_next(r, &ev, &err), 0);
	grr_reader_close(r);
	free(big);
}
END_TEST

START_TEST(test_blob_dedup)
{
	const char *path = tpath("dedup.grr");
	struct grr_header h = make_header();
	struct grr_error err;
	uint8_t data[4096];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 2654435761u >> 11);   /* not compressible much */
	struct grr_mem_write mw = { .addr = 0xc000000000, .len = sizeof(data), .data = data };
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	for (int i = 0; i < 200; i++) {
		struct grr_event ev = { .kind = GRR_EV_SYSCALL_EXIT, .tid = 1, .time_ns = (uint64_t)i };
		ev.u.exit.nwrites = 1;
		ev.u.exit.writes = &mw;
		ck_assert_int_eq(grr_writer_append(w, &ev, &err), 0);
		if (i % 50 == 49)
			ck_assert_int_eq(grr_writer_flush(w, &err), 0);
	}
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
	ck_assert_uint_lt(file_size(path), 2 * sizeof(data) + 4096);
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	struct grr_trace_stats st;
	ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
	ck_assert_uint_eq(st.blobs, 1);
	ck_assert_uint_eq(st.blob_raw_bytes, sizeof(data));
	struct grr_event ev;
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(grr_reader_next(r, &ev, &err), 1);
		ck_assert_uint_eq(ev.u.exit.writes[0].len, sizeof(data));
		ck_assert(memcmp(ev.u.exit.writes[0].data, data, sizeof(data)) == 0);
	}
	grr_reader_close(r);
}
END_TEST

START_TEST(test_embedded_files)
{
	const char *path = tpath("embed.grr");
	struct grr_header h = make_header();
	struct grr_error err;
	uint64_t exe_len = 3u << 20;
	uint8_t *exe = malloc(exe_len);
	for (uint64_t i = 0; i < exe_len; i++)
		exe[i] = (uint8_t)((i * 7) ^ (i >> 9));
	for (int abandon = 0; abandon < 2; abandon++) {
		struct grr_writer *w = grr_writer_open(path, &h, &err);
		ck_assert_ptr_nonnull(w);
		struct grr_event ev = { .kind = GRR_EV_NOTE, .tid = 1 };
		ev.u.note.text = "before";
		ck_assert_int_eq(grr_writer_append(w, &ev, &err), 0);
		ck_assert_msg(grr_writer_embed_file(w, "exe", exe, exe_len, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(grr_writer_embed_file(w, "/lib/libc.so.6", "hello", 5, &err), 0);
		ck_assert_int_eq(grr_writer_embed_file(w, "copy-of-exe", exe, exe_len, &err), 0);
		ck_assert_int_eq(grr_writer_embed_file(w, "empty", NULL, 0, &err), 0);
		ck_assert_int_eq(grr_writer_embed_file(w, "", "x", 1, &err), -1);
		ck_assert_int_eq(grr_writer_append(w, &ev, &err), 0);
		if (abandon) {
			ck_assert_int_eq(grr_writer_flush(w, &err), 0);
			grr_writer_abandon(w);
		} else {
			ck_assert_int_eq(grr_writer_close(w, &err), 0);
		}
		ck_assert_uint_lt(file_size(path), exe_len + exe_len / 2);   /* stored once */

		struct grr_reader *r = grr_reader_open(path, &err);
		ck_assert_msg(r != NULL, "%s", err.msg);
		ck_assert_int_eq(grr_reader_has_index(r), !abandon);
		const char *const *names = grr_reader_embedded_names(r);
		ck_assert_str_eq(names[0], "exe");
		ck_assert_str_eq(names[1], "/lib/libc.so.6");
		ck_assert_str_eq(names[2], "copy-of-exe");
		ck_assert_str_eq(names[3], "empty");
		ck_assert_ptr_null(names[4]);
		uint8_t *data;
		uint64_t len;
		ck_assert_int_eq(grr_reader_embedded_file(r, "exe", &data, &len, &err), 1);
		ck_assert_uint_eq(len, exe_len);
		ck_assert(memcmp(data, exe, exe_len) == 0);
		free(data);
		ck_assert_int_eq(grr_reader_embedded_file(r, "/lib/libc.so.6", &data, &len, &err), 1);
		ck_assert_uint_eq(len, 5);
		ck_assert(memcmp(data, "hello", 5) == 0);
		free(data);
		ck_assert_int_eq(grr_reader_embedded_file(r, "empty", &data, &len, &err), 1);
		ck_assert_uint_eq(len, 0);
		free(data);
		ck_assert_int_eq(grr_reader_embedded_file(r, "nope", &data, &len, &err), 0);
		ck_assert_uint_eq(grr_reader_event_count(r), 2);
		struct grr_event rev;
		ck_assert_int_eq(grr_reader_next(r, &rev, &err), 1);
		ck_assert_str_eq(rev.u.note.text, "before");
		grr_reader_close(r);
	}
	free(exe);
}
END_TEST

/* Cuts a multi-chunk trace at every byte: open fails with a message naming
 * the file, or reads a prefix of the events, identical to what was written. */
START_TEST(test_truncation_every_byte)
{
	const char *path = tpath("trunc-src.grr");
	const char *cut = tpath("trunc.grr");
	gen_small = 1;
	write_trace(path, 72, 8, 0);
	gen_small = 0;
	size_t n;
	uint8_t *full = slurp(path, &n);
	ck_assert_uint_gt(n, 2000);
	spit(cut, full, n);
	int fd = open(cut, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	uint64_t opened = 0, prefix_total = 0;
	for (size_t len = n; len-- > 0;) {
		ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
		struct grr_error err = { { 0 } };
		struct grr_reader *r = grr_reader_open(cut, &err);
		if (!r) {
			ck_assert_ptr_nonnull(strstr(err.msg, cut));
			ck_assert_ptr_null(strchr(err.msg, '\n'));
			continue;
		}
		opened++;
		ck_assert(!grr_reader_has_index(r));
		int last;
		uint64_t got = read_all_checked(r, &last);
		ck_assert_int_eq(last, 0);
		ck_assert_uint_eq(got, grr_reader_event_count(r));
		prefix_total += got;
		struct grr_trace_stats st;
		ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
		ck_assert_uint_le(st.valid_bytes, len);
		ck_assert_uint_eq(st.events, got);
		if (got) {
			ck_assert_int_eq(grr_reader_seek(r, got / 2, &err), 0);
			struct grr_event ev;
			ck_assert_int_eq(grr_reader_next(r, &ev, &err), 1);
			check_event_eq(&expected[got / 2].ev, &ev);
		}
		grr_reader_close(r);
	}
	close(fd);
	ck_assert_uint_gt(opened, n / 2);
	ck_assert_uint_gt(prefix_total, 0);
	free(full);
	free_expected();
}
END_TEST

START_TEST(test_byte_flips)
{
	const char *path = tpath("flip-src.grr");
	const char *bad = tpath("flip.grr");
	write_trace(path, 300, 25, 0);
	size_t n;
	uint8_t *full = slurp(path, &n);
	rng_state = 4242;
	uint64_t failures = 0;
	for (int t = 0; t < 400; t++) {
		uint8_t *copy = malloc(n);
		memcpy(copy, full, n);
		int nflips = 1 + (int)(rnd() % 3);
		for (int k = 0; k < nflips; k++) {
			size_t at = (size_t)(rnd() % n);
			copy[at] ^= (uint8_t)(1 + rnd() % 255);
		}
		spit(bad, copy, n);
		free(copy);
		struct grr_error err = { { 0 } };
		struct grr_reader *r = grr_reader_open(bad, &err);
		if (!r) {
			failures++;
			ck_assert_ptr_nonnull(strstr(err.msg, bad));
			continue;
		}
		int last;
		uint64_t got = read_all_checked(r, &last);
		if (last < 0 || got < 300)
			failures++;
		struct grr_trace_stats st;
		(void)grr_reader_stats(r, &st, &err);
		uint8_t *data;
		uint64_t len;
		(void)grr_reader_embedded_file(r, "exe", &data, &len, &err);
		grr_reader_close(r);
	}
	ck_assert_uint_gt(failures, 50);   /* damage is noticed, not ignored */
	free(full);
	free_expected();
}
END_TEST

static void check_seeks(const char *path, uint64_t total)
{
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_uint_eq(grr_reader_event_count(r), total);
	rng_state = 99;
	struct grr_event ev;
	for (int t = 0; t < 200; t++) {
		uint64_t seq = rnd() % total;
		ck_assert_msg(grr_reader_seek(r, seq, &err) == 0, "%s", err.msg);
		for (int k = 0; k < 3 && seq + (uint64_t)k < total; k++) {
			ck_assert_msg(grr_reader_next(r, &ev, &err) == 1, "%s", err.msg);
			check_event_eq(&expected[seq + (uint64_t)k].ev, &ev);
		}
	}
	ck_assert_int_eq(grr_reader_seek(r, total, &err), 0);
	ck_assert_int_eq(grr_reader_next(r, &ev, &err), 0);
	ck_assert_int_eq(grr_reader_seek(r, total + 1, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_int_eq(grr_reader_seek(r, 0, &err), 0);
	ck_assert_int_eq(grr_reader_next(r, &ev, &err), 1);
	check_event_eq(&expected[0].ev, &ev);
	grr_reader_close(r);
}

START_TEST(test_seek)
{
	const char *path = tpath("seek.grr");
	write_trace(path, 3000, 97, 0);
	check_seeks(path, 3000);
	/* the same without an index: the last flush was at 2910 events */
	write_trace(path, 3000, 97, 1);
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert(!grr_reader_has_index(r));
	ck_assert_uint_eq(grr_reader_event_count(r), 3000 / 97 * 97);
	grr_reader_close(r);
	check_seeks(path, 3000 / 97 * 97);
	free_expected();
}
END_TEST

START_TEST(test_no_trailer)
{
	const char *path = tpath("notrailer.grr");
	write_trace(path, 500, 100, 1);
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert(!grr_reader_has_index(r));
	int last;
	ck_assert_uint_eq(read_all_checked(r, &last), 500);
	ck_assert_int_eq(last, 0);
	struct grr_trace_stats st;
	ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
	ck_assert(!st.has_index);
	ck_assert_uint_eq(st.valid_bytes, file_size(path));
	ck_assert_uint_eq(st.events, 500);
	grr_reader_close(r);

	/* garbage appended after the last chunk: readable up to it */
	FILE *f = fopen(path, "ab");
	fputs("GRCKgarbage that is not a chunk", f);
	fclose(f);
	r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(grr_reader_event_count(r), 500);
	ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
	ck_assert_uint_lt(st.valid_bytes, file_size(path));
	grr_reader_close(r);
	free_expected();
}
END_TEST

START_TEST(test_versions)
{
	const char *path = tpath("version.grr");
	const char *patched = tpath("version-patched.grr");
	write_trace(path, 50, 0, 0);
	size_t n;
	uint8_t *p = slurp(path, &n);
	p[8] = GRR_FORMAT_MAJOR + 1;   /* newer major: refused */
	spit(patched, p, n);
	struct grr_error err;
	ck_assert_ptr_null(grr_reader_open(patched, &err));
	char want[128];
	snprintf(want, sizeof(want), "unsupported trace format version %d.%d (this grr reads up to %d.%d)",
		 GRR_FORMAT_MAJOR + 1, GRR_FORMAT_MINOR, GRR_FORMAT_MAJOR, GRR_FORMAT_MINOR);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, patched));
	p[8] = GRR_FORMAT_MAJOR;       /* newer minor: read */
	p[10] = GRR_FORMAT_MINOR + 3;
	spit(patched, p, n);
	struct grr_reader *r = grr_reader_open(patched, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_uint_eq(grr_reader_header(r)->minor, GRR_FORMAT_MINOR + 3);
	int last;
	ck_assert_uint_eq(read_all_checked(r, &last), 50);
	grr_reader_close(r);
	free(p);
	free_expected();
}
END_TEST

/* A damaged index (or trailer) is ignored: the reader rebuilds it. */
START_TEST(test_damaged_index)
{
	const char *path = tpath("index.grr");
	const char *bad = tpath("index-bad.grr");
	write_trace(path, 400, 50, 0);
	size_t n;
	uint8_t *p = slurp(path, &n);
	ck_assert_mem_eq(p + n - 8, "GRRINDEX", 8);
	uint64_t idx = 0;
	for (int i = 7; i >= 0; i--)
		idx = idx << 8 | p[n - 24 + (size_t)i];
	ck_assert_mem_eq(p + idx, "GRCK", 4);
	size_t spots[] = { (size_t)idx + 40, (size_t)idx + 4, n - 24, n - 16, n - 1 };
	for (size_t k = 0; k < sizeof(spots) / sizeof(spots[0]); k++) {
		p[spots[k]] ^= 0x20;
		spit(bad, p, n);
		p[spots[k]] ^= 0x20;
		struct grr_error err;
		struct grr_reader *r = grr_reader_open(bad, &err);
		ck_assert_msg(r != NULL, "%s", err.msg);
		ck_assert(!grr_reader_has_index(r));
		ck_assert_uint_eq(grr_reader_event_count(r), 400);
		int last;
		ck_assert_uint_eq(read_all_checked(r, &last), 400);
		struct grr_trace_stats st;
		ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
		ck_assert_uint_eq(st.valid_bytes, idx + (k < 2 ? 0 : n - 24 - idx));
		grr_reader_close(r);
	}
	free(p);
	free_expected();
}
END_TEST

/* A chunk header claiming a huge raw size is refused before any allocation. */
START_TEST(test_absurd_sizes)
{
	const char *path = tpath("sizes.grr");
	const char *bad = tpath("sizes-bad.grr");
	write_trace(path, 100, 0, 0);
	size_t n;
	uint8_t *p = slurp(path, &n);
	/* the HEADER chunk is at 16; the next chunk follows its payload */
	size_t hdr_stored = (size_t)p[24] | (size_t)p[25] << 8 | (size_t)p[26] << 16 | (size_t)p[27] << 24;
	size_t off = 16 + 32 + hdr_stored;
	ck_assert_mem_eq(p + off, "GRCK", 4);
	for (int variant = 0; variant < 3; variant++) {
		uint8_t *q = malloc(n);
		memcpy(q, p, n);
		if (variant == 0)
			memset(q + off + 12, 0xff, 4);   /* raw_len 4 GiB */
		else if (variant == 1)
			memset(q + off + 8, 0xff, 4);    /* stored_len beyond the file */
		else
			memset(q + 16 + 12, 0xff, 4);    /* the HEADER chunk's raw_len */
		spit(bad, q, n);
		free(q);
		struct grr_error err = { { 0 } };
		struct grr_reader *r = grr_reader_open(bad, &err);
		if (variant == 2) {
			ck_assert_ptr_null(r);
			ck_assert_ptr_nonnull(strstr(err.msg, "chunk 0"));
			continue;
		}
		ck_assert_msg(r != NULL, "%s", err.msg);   /* indexed: the damage shows when read */
		int last;
		read_all_checked(r, &last);
		ck_assert_int_eq(last, -1);
		grr_reader_close(r);
	}
	free(p);
	free_expected();
}
END_TEST

/* The recorder's digest note (format/rewrite_note.h): what it writes, it
 * reads back; any other note is not one. */
/* Clock slots as the clock page fills them: CLOCK_MONOTONIC and
 * CLOCK_REALTIME reads in turn, now and then a TSC value. */
static size_t make_clock_slots(uint8_t *buf, size_t nslots)
{
	uint64_t mono = 5ull * 1000000000 + 999000000, real = 1764900000ull * 1000000000;
	uint64_t tsc = 1ull << 40;
	for (size_t i = 0; i < nslots; i++) {
		uint64_t w[4] = { 0, 0, 0, 0 };
		if (i % 50 == 49) {
			w[0] = tsc += 300 + rnd() % 50;
			w[1] = rnd();   /* (a stale word from an earlier lap) */
		} else {
			uint64_t *clk = i % 2 ? &real : &mono;
			*clk += 40 + rnd() % 60;
			w[1] = *clk / 1000000000;
			w[2] = *clk % 1000000000;
		}
		memcpy(buf + 32 * i, w, 32);
	}
	return 32 * nslots;
}

START_TEST(test_slot_codec)
{
	enum { N = 2048 };
	static uint8_t slots[32 * N], back[32 * N];
	size_t len = make_clock_slots(slots, N);
	struct grr_buf coded = { 0 };
	ck_assert_int_eq(grr_slots_encode(&coded, slots, len), 0);
	/* a clock read costs a few bytes, not 32 */
	ck_assert_uint_lt(coded.len, 4 * N);
	ck_assert_int_eq(grr_slots_decode(coded.p, coded.len, back, len), 0);
	ck_assert_int_eq(memcmp(slots, back, len), 0);
	/* lossless for any bytes */
	for (size_t i = 0; i < len; i++)
		slots[i] = (uint8_t)rnd();
	coded.len = 0;
	ck_assert_int_eq(grr_slots_encode(&coded, slots, len), 0);
	ck_assert_int_eq(grr_slots_decode(coded.p, coded.len, back, len), 0);
	ck_assert_int_eq(memcmp(slots, back, len), 0);
	/* malformed: cut short, bytes left over, a length that is not slots,
	 * a tag with an unknown class or word bits */
	ck_assert_int_eq(grr_slots_decode(coded.p, coded.len - 1, back, len), -1);
	ck_assert_int_eq(grr_slots_decode(coded.p, coded.len, back, len - 32), -1);
	ck_assert_int_eq(grr_slots_decode(coded.p, coded.len, back, len - 1), -1);
	static const uint8_t bad_class[] = { 3 }, bad_bits[] = { 0x40 }, zero_delta[] = { 0x04, 0 };
	ck_assert_int_eq(grr_slots_decode(bad_class, 1, back, 32), -1);
	ck_assert_int_eq(grr_slots_decode(bad_bits, 1, back, 32), -1);
	ck_assert_int_eq(grr_slots_decode(zero_delta, 2, back, 32), -1);
	grr_buf_free(&coded);
}
END_TEST

START_TEST(test_counter_note)
{
	char text[128];
	uint64_t c = 1, n = 1;
	grr_counter_note_format(text, sizeof(text), 344958, 943);
	ck_assert_str_eq(text, "counters: 344958 clock values, 943 buffered syscalls");
	ck_assert(grr_counter_note_parse(text, &c, &n));
	ck_assert_uint_eq(c, 344958);
	ck_assert_uint_eq(n, 943);
	static const char *const others[] = {
		"", "counters: 5 clock values", "counters: 5 clock values, 9 buffered syscalls!",
		"digest: 5 of 9 pages written since the last one",
		"counters: x clock values, 9 buffered syscalls",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		c = n = 7;
		ck_assert_msg(!grr_counter_note_parse(others[i], &c, &n), "%s", others[i]);
		ck_assert_uint_eq(c, 7);
	}
	ck_assert(!grr_counter_note_parse(NULL, &c, &n));
}
END_TEST

START_TEST(test_rewrite_note)
{
	char text[128];
	uint64_t w = 1, p = 1;
	grr_rewrite_note_format(text, sizeof(text), 16498, 16695);
	ck_assert_str_eq(text, "digest: 16498 of 16695 pages written since the last one");
	ck_assert(grr_rewrite_note_parse(text, &w, &p));
	ck_assert_uint_eq(w, 16498);
	ck_assert_uint_eq(p, 16695);
	grr_rewrite_note_format(text, sizeof(text), 0, UINT64_MAX);
	ck_assert(grr_rewrite_note_parse(text, &w, &p));
	ck_assert_uint_eq(w, 0);
	ck_assert_uint_eq(p, UINT64_MAX);
	static const char *const others[] = {
		"", "digest: 5 of 9", "digest: 5 of 9 pages written since the last one!",
		"digest: x of 9 pages written since the last one",
		"clone: child tid 4", "digest:  of  pages written since the last one",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		w = p = 7;
		ck_assert_msg(!grr_rewrite_note_parse(others[i], &w, &p), "%s", others[i]);
		ck_assert_uint_eq(w, 7);
	}
	ck_assert(!grr_rewrite_note_parse(NULL, &w, &p));
}
END_TEST

START_TEST(test_bad_files)
{
	struct grr_error err;
	const char *missing = tpath("does-not-exist.grr");
	ck_assert_ptr_null(grr_reader_open(missing, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, missing));
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOENT)));

	make_tmpdir();
	ck_assert_ptr_null(grr_reader_open(tmpdir, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(EISDIR)));

	const char *empty = tpath("empty.grr");
	spit(empty, "", 0);
	ck_assert_ptr_null(grr_reader_open(empty, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "empty"));

	const char *text = tpath("text.grr");
	spit(text, "hello world\nthis is text\n", 25);
	ck_assert_ptr_null(grr_reader_open(text, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "bad magic"));

	const char *shortf = tpath("short.grr");
	spit(shortf, "GRRTRACE\x01", 9);
	ck_assert_ptr_null(grr_reader_open(shortf, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated at byte 9"));

	const char *fifo = tpath("fifo.grr");
	unlink(fifo);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_ptr_null(grr_reader_open(fifo, &err));   /* must not hang */
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));

	/* writer errors */
	struct grr_header h = make_header();
	ck_assert_ptr_null(grr_writer_open("/nonexistent-dir/x.grr", &h, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-dir/x.grr"));
	if (access("/dev/full", W_OK) == 0) {
		ck_assert_ptr_null(grr_writer_open("/dev/full", &h, &err));
		ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOSPC)));
	}
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	/* one case per test: CK_RUN_CASE=test_seek runs just that one */
	const struct { const char *name; const TTest *test; } tests[] = {
		{ "test_varint", test_varint },
		{ "test_hash_vectors", test_hash_vectors },
		{ "test_header_roundtrip", test_header_roundtrip },
		{ "test_header_unknown_tags", test_header_unknown_tags },
		{ "test_events_roundtrip", test_events_roundtrip },
		{ "test_edge_events", test_edge_events },
		{ "test_blob_dedup", test_blob_dedup },
		{ "test_embedded_files", test_embedded_files },
		{ "test_truncation_every_byte", test_truncation_every_byte },
		{ "test_byte_flips", test_byte_flips },
		{ "test_seek", test_seek },
		{ "test_no_trailer", test_no_trailer },
		{ "test_versions", test_versions },
		{ "test_damaged_index", test_damaged_index },
		{ "test_absurd_sizes", test_absurd_sizes },
		{ "test_bad_files", test_bad_files },
		{ "test_slot_codec", test_slot_codec },
		{ "test_counter_note", test_counter_note },
		{ "test_rewrite_note", test_rewrite_note },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, tests[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	make_tmpdir();   /* before the tests fork, so that they share it */
	SRunner *sr = srunner_create(format_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!failed) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
