/* test_pack.c - unit tests of packing (format/pack.c: grr_trace_copy),
 * of the same-length paths a packed trace's executable runs from
 * (replayer/rp_exe.c), and of the CPU check for --portable recordings
 * (tracee/cpu.c), and of blobs stored by reference to a file
 * (format/file_ref.c), which packing stores. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/trace.h"
#include "replayer/rp_exe.h"
#include "tracee/cpu.h"

static char tmpdir[] = "/tmp/grr-test-pack-XXXXXX";

static char *tpath(const char *name)
{
	static char buf[8][256];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static char *s_argv[] = { "/usr/bin/prog", "-v", NULL };
static char *s_envp[] = { "HOME=/root", NULL };
static struct grr_auxv_entry s_auxv[] = { { 6, 4096 }, { 0, 0 } };
static struct grr_mapping s_maps[] = {
	{ 0x400000, 0x401000, 0, 5, 0, "/usr/bin/prog" },
	{ 0x7ffd00000000, 0x7ffd00021000, 0, 3, 0, "[stack]" },
};

static struct grr_header make_header(void)
{
	struct grr_header h = { 0 };
	h.program = "/usr/bin/prog";
	h.cwd = "/";
	h.argc = 2;
	h.argv = s_argv;
	h.envc = 1;
	h.envp = s_envp;
	h.nauxv = 2;
	h.auxv = s_auxv;
	h.initial_sp = 0x7ffd0001fe80;
	h.nmaps = 2;
	h.maps = s_maps;
	h.build_id = "abc123";
	h.go_version = "go1.26.8";
	h.grr_version = "0.1.0";
	return h;
}

/* Bytes that LZ4 cannot shrink much, so that sizes tell copies apart. */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i + seed) * 2654435761u >> 13);
}

static uint8_t memblob[8192];   /* recorded memory, stored as a blob */
static uint8_t exe[100000];     /* the "executable" */

/* A trace of 300 events: syscall exits writing MEMBLOB, and notes; ends
 * with a process exit.  CUT: no index (a killed recorder). */
static void write_trace(const char *path, bool cut)
{
	struct grr_header h = make_header();
	struct grr_error err;
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	ck_assert_msg(w != NULL, "%s", err.msg);
	struct grr_mem_write mw = { .addr = 0xc000000000, .len = sizeof(memblob), .data = memblob };
	for (int i = 0; i < 300; i++) {
		struct grr_event ev = { .kind = GRR_EV_SYSCALL_EXIT, .tid = 7, .time_ns = (uint64_t)i };
		if (i % 3 == 0) {
			ev.kind = GRR_EV_NOTE;
			ev.u.note.text = "a note";
		} else {
			ev.u.exit.nr = 0;
			ev.u.exit.ret = i;
			ev.u.exit.nwrites = 1;
			ev.u.exit.writes = &mw;
		}
		ck_assert_int_eq(grr_writer_append(w, &ev, &err), 0);
		if (i % 100 == 99)
			ck_assert_int_eq(grr_writer_flush(w, &err), 0);
	}
	if (cut) {
		ck_assert_int_eq(grr_writer_flush(w, &err), 0);
		grr_writer_abandon(w);
		return;
	}
	struct grr_event ev = { .kind = GRR_EV_PROCESS_EXIT, .tid = 7, .time_ns = 300 };
	ev.u.process_exit.status = 3;
	ck_assert_int_eq(grr_writer_append(w, &ev, &err), 0);
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
}

/* The events of A and B are the same. */
static void check_same_events(const char *a, const char *b)
{
	struct grr_error err;
	struct grr_reader *ra = grr_reader_open(a, &err), *rb = grr_reader_open(b, &err);
	ck_assert_ptr_nonnull(ra);
	ck_assert_ptr_nonnull(rb);
	ck_assert_uint_eq(grr_reader_event_count(ra), grr_reader_event_count(rb));
	ck_assert_str_eq(grr_reader_header(ra)->program, grr_reader_header(rb)->program);
	ck_assert_uint_eq(grr_reader_header(ra)->initial_sp, grr_reader_header(rb)->initial_sp);
	for (;;) {
		struct grr_event x, y;
		int na = grr_reader_next(ra, &x, &err);
		int nb = grr_reader_next(rb, &y, &err);
		ck_assert_int_eq(na, nb);
		if (na != 1)
			break;
		ck_assert_uint_eq(x.kind, y.kind);
		ck_assert_uint_eq(x.seq, y.seq);
		ck_assert_uint_eq(x.time_ns, y.time_ns);
		if (x.kind == GRR_EV_SYSCALL_EXIT) {
			ck_assert_int_eq(x.u.exit.ret, y.u.exit.ret);
			ck_assert_uint_eq(x.u.exit.nwrites, y.u.exit.nwrites);
			ck_assert_uint_eq(x.u.exit.writes[0].len, y.u.exit.writes[0].len);
			ck_assert(memcmp(x.u.exit.writes[0].data, y.u.exit.writes[0].data,
					 x.u.exit.writes[0].len) == 0);
		} else if (x.kind == GRR_EV_NOTE) {
			ck_assert_str_eq(x.u.note.text, y.u.note.text);
		}
	}
	grr_reader_close(ra);
	grr_reader_close(rb);
}

static struct grr_trace_stats stats(const char *path)
{
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	struct grr_trace_stats st;
	ck_assert_int_eq(grr_reader_stats(r, &st, &err), 0);
	grr_reader_close(r);
	return st;
}

/* The content embedded under NAME in PATH is DATA (LEN bytes). */
static void check_embedded(const char *path, const char *name, const void *data, uint64_t len)
{
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	uint8_t *got;
	uint64_t n;
	ck_assert_int_eq(grr_reader_embedded_file(r, name, &got, &n, &err), 1);
	ck_assert_uint_eq(n, len);
	ck_assert(memcmp(got, data, len) == 0);
	free(got);
	grr_reader_close(r);
}

static size_t count_names(const char *path)
{
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	size_t n = 0;
	for (const char *const *p = grr_reader_embedded_names(r); *p; p++)
		n++;
	grr_reader_close(r);
	return n;
}

START_TEST(test_pack_copy)
{
	const char *in = tpath("plain.grr"), *out = tpath("packed.grr");
	write_trace(in, false);
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(in, &err);
	ck_assert(!grr_reader_is_packed(r));
	grr_reader_close(r);

	struct grr_embed files[] = { { GRR_EMBED_EXE, exe, sizeof(exe) } };
	ck_assert_msg(grr_trace_copy(in, out, files, 1, &err) == 0, "%s", err.msg);
	check_same_events(in, out);
	check_embedded(out, GRR_EMBED_EXE, exe, sizeof(exe));
	r = grr_reader_open(out, &err);
	ck_assert(grr_reader_is_packed(r));
	ck_assert(grr_reader_has_index(r));
	grr_reader_close(r);
	struct grr_trace_stats a = stats(in), b = stats(out);
	ck_assert_uint_eq(b.blobs, a.blobs + 1);
	ck_assert_uint_eq(b.blob_raw_bytes, a.blob_raw_bytes + sizeof(exe));
	ck_assert(b.has_index);
}
END_TEST

/* Contents are stored once: the same file under two names, a file equal
 * to recorded memory, and a repeated pack cost no second copy. */
START_TEST(test_pack_dedup)
{
	const char *in = tpath("d-plain.grr"), *out = tpath("d-packed.grr");
	const char *again = tpath("d-again.grr");
	write_trace(in, false);
	struct grr_error err;
	struct grr_embed files[] = {
		{ GRR_EMBED_EXE, exe, sizeof(exe) },
		{ "/lib64/ld-linux-x86-64.so.2", exe, sizeof(exe) },   /* same bytes */
		{ "/copy/of/memory", memblob, sizeof(memblob) },        /* = a memory blob */
		{ "/empty", NULL, 0 },
	};
	ck_assert_msg(grr_trace_copy(in, out, files, 4, &err) == 0, "%s", err.msg);
	struct grr_trace_stats a = stats(in), b = stats(out);
	ck_assert_uint_eq(b.blobs, a.blobs + 1);
	ck_assert_uint_eq(b.blob_raw_bytes, a.blob_raw_bytes + sizeof(exe));
	ck_assert_uint_lt(b.file_bytes, a.file_bytes + sizeof(exe) + 4096);
	check_embedded(out, "/lib64/ld-linux-x86-64.so.2", exe, sizeof(exe));
	check_embedded(out, "/copy/of/memory", memblob, sizeof(memblob));
	check_embedded(out, "/empty", "", 0);
	ck_assert_uint_eq(count_names(out), 4);

	/* packing the packed trace again with the same executable */
	ck_assert_int_eq(grr_trace_copy(out, again, files, 1, &err), 0);
	struct grr_trace_stats c = stats(again);
	ck_assert_uint_eq(c.blobs, b.blobs);
	ck_assert_uint_eq(c.blob_raw_bytes, b.blob_raw_bytes);
	ck_assert_uint_eq(count_names(again), 4);   /* "exe" replaced, not added */
	check_same_events(in, again);
}
END_TEST

/* A file of the source trace with a name in FILES is replaced; the others
 * are carried over. */
START_TEST(test_pack_replace)
{
	const char *in = tpath("r-plain.grr"), *mid = tpath("r-mid.grr"), *out = tpath("r-out.grr");
	write_trace(in, false);
	static uint8_t exe2[5000];
	fill(exe2, sizeof(exe2), 99);
	struct grr_error err;
	struct grr_embed first[] = { { GRR_EMBED_EXE, exe, sizeof(exe) }, { "/lib/ld.so", "ld", 2 } };
	struct grr_embed second[] = { { GRR_EMBED_EXE, exe2, sizeof(exe2) } };
	ck_assert_int_eq(grr_trace_copy(in, mid, first, 2, &err), 0);
	ck_assert_int_eq(grr_trace_copy(mid, out, second, 1, &err), 0);
	check_embedded(out, GRR_EMBED_EXE, exe2, sizeof(exe2));
	check_embedded(out, "/lib/ld.so", "ld", 2);
	ck_assert_uint_eq(count_names(out), 2);
	/* the replaced content is gone */
	struct grr_trace_stats a = stats(in), c = stats(out);
	ck_assert_uint_eq(c.blob_raw_bytes, a.blob_raw_bytes + sizeof(exe2) + 2);
}
END_TEST

/* A trace cut short stays cut short, and its embedded files are found by
 * the reader's recovery scan. */
START_TEST(test_pack_cut_short)
{
	const char *in = tpath("c-plain.grr"), *out = tpath("c-packed.grr");
	write_trace(in, true);
	struct grr_error err;
	struct grr_embed files[] = { { GRR_EMBED_EXE, exe, sizeof(exe) } };
	ck_assert_msg(grr_trace_copy(in, out, files, 1, &err) == 0, "%s", err.msg);
	struct grr_trace_stats b = stats(out);
	ck_assert(!b.has_index);
	ck_assert_uint_eq(b.events, 300);
	ck_assert_uint_eq(b.valid_bytes, b.file_bytes);
	check_same_events(in, out);
	check_embedded(out, GRR_EMBED_EXE, exe, sizeof(exe));
}
END_TEST

START_TEST(test_pack_bad_input)
{
	const char *in = tpath("b-plain.grr"), *out = tpath("b-out.grr");
	write_trace(in, false);
	struct grr_error err;
	struct grr_embed files[] = { { GRR_EMBED_EXE, exe, sizeof(exe) } };
	/* onto itself: refused, the trace untouched */
	ck_assert_int_eq(grr_trace_copy(in, in, files, 1, &err), -1);
	ck_assert(strstr(err.msg, "onto itself") != NULL);
	ck_assert_uint_eq(stats(in).events, 301);
	/* no such trace */
	ck_assert_int_eq(grr_trace_copy(tpath("nope.grr"), out, files, 1, &err), -1);
	ck_assert(strstr(err.msg, "nope.grr") != NULL);
	/* not a trace */
	FILE *f = fopen(tpath("junk"), "w");
	fputs("not a trace at all", f);
	fclose(f);
	ck_assert_int_eq(grr_trace_copy(tpath("junk"), out, files, 1, &err), -1);
	ck_assert(strstr(err.msg, "not a grr trace") != NULL);
	/* files without a name or data */
	struct grr_embed bad[] = { { "", exe, 1 } };
	ck_assert_int_eq(grr_trace_copy(in, out, bad, 1, &err), -1);
	struct grr_embed bad2[] = { { "x", NULL, 5 } };
	ck_assert_int_eq(grr_trace_copy(in, out, bad2, 1, &err), -1);
	/* an unwritable destination */
	ck_assert_int_eq(grr_trace_copy(in, "/nonexistent-dir/x.grr", files, 1, &err), -1);
	ck_assert(strstr(err.msg, "/nonexistent-dir/x.grr") != NULL);
}
END_TEST

/* ---- same-length paths (rp_exe.c) ---- */

static void check_path(const char *dir, const char *prog, const char *want, bool rel,
		       const char *want_name)
{
	char run[4096], name[300];
	bool relative;
	ck_assert_int_eq(rp_exe_same_length_path(dir, prog, run, sizeof(run), name, sizeof(name),
						 &relative), 0);
	ck_assert_str_eq(run, want);
	ck_assert_uint_eq(strlen(run), strlen(prog));
	ck_assert_int_eq(relative, rel);
	ck_assert_str_eq(name, want_name);
}

START_TEST(test_same_length_path)
{
	const char *d = "/tmp/grr-Ab12Cd";   /* 15 bytes */
	check_path(d, "/home/user/project/pkg.test", "/tmp/grr-Ab12Cd////pkg.test",
		   false, "pkg.test");
	/* just long enough: one slash */
	check_path(d, "/abcdefghijklmno/prog", "/tmp/grr-Ab12Cd//prog", false, "prog");
	check_path(d, "/abcdefghijklmn/prog", "/tmp/grr-Ab12Cd/prog", false, "prog");
	/* shorter than the directory: relative, from it */
	check_path(d, "/a/prog", ".//prog", true, "prog");
	check_path(d, "/ab/prog", ".///prog", true, "prog");
	check_path(d, "/x/p", ".//p", true, "p");
	check_path(d, "/a/b/c/d", ".//////d", true, "d");
	/* at the root */
	check_path(d, "/prog", "_prog", true, "_prog");
	check_path(d, "/p", "_p", true, "_p");

	char run[64], name[64];
	bool relative;
	ck_assert_int_eq(rp_exe_same_length_path(d, "prog", run, sizeof(run), name, sizeof(name),
						 &relative), -1);   /* not absolute */
	ck_assert_int_eq(rp_exe_same_length_path(d, "/a/b/", run, sizeof(run), name, sizeof(name),
						 &relative), -1);   /* no name */
	char longp[200];
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	ck_assert_int_eq(rp_exe_same_length_path(d, longp, run, sizeof(run), name, sizeof(name),
						 &relative), -1);   /* does not fit */
}
END_TEST

/* ---- the CPU check of portable recordings ---- */

static void set(struct grr_cpu *c, int word, int bit) { c->features[word] |= 1u << bit; }

START_TEST(test_cpu_portable)
{
	struct grr_cpu rec = { 0 }, here = { 0 };
	char names[512];
	/* recorded on a machine with avx2, aes, sha, sse4.2; replayed on a
	 * baseline x86-64 machine */
	set(&rec, GRR_CPUID_1_EDX, 26);   /* sse2 */
	set(&rec, GRR_CPUID_7_EBX, 5);    /* avx2 */
	set(&rec, GRR_CPUID_1_ECX, 25);   /* aes */
	set(&rec, GRR_CPUID_7_EBX, 29);   /* sha */
	set(&rec, GRR_CPUID_1_ECX, 20);   /* sse4.2 */
	set(&here, GRR_CPUID_1_EDX, 26);
	ck_assert_int_eq(grr_cpu_missing(&rec, &here, names, sizeof(names)), 4);
	ck_assert(strstr(names, "avx2") && strstr(names, "aes") && strstr(names, "sha"));
	/* portable, GOAMD64=v1: nothing Go still uses is missing */
	ck_assert_int_eq(grr_cpu_missing_portable(&rec, &here, 1, names, sizeof(names)), 0);
	ck_assert_str_eq(names, "");
	/* GOAMD64=v2 compiles sse4.2 in; v3 avx2 too; never aes or sha */
	ck_assert_int_eq(grr_cpu_missing_portable(&rec, &here, 2, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "sse4.2");
	ck_assert_int_eq(grr_cpu_missing_portable(&rec, &here, 3, names, sizeof(names)), 2);
	ck_assert(strstr(names, "avx2") && strstr(names, "sse4.2") && !strstr(names, "aes"));
	/* sse2 is baseline */
	struct grr_cpu none = { 0 };
	ck_assert_int_eq(grr_cpu_missing_portable(&rec, &none, 1, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "sse2");
	/* the xsave state shapes signal frames: compared either way */
	rec.features[GRR_CPUID_XCR0] = 0xe7;
	here.features[GRR_CPUID_XCR0] = 0x07;
	ck_assert_int_eq(grr_cpu_missing_portable(&rec, &here, 1, names, sizeof(names)), 1);
	ck_assert(strstr(names, "xsave-state") != NULL);
}
END_TEST

/* A "shared library": LIB_SIZE bytes, of which a trace maps the part from
 * REF_OFF, to the end of the page after its last byte (zeros past it). */
#define LIB_SIZE 10000
#define REF_OFF 4096
#define REF_LEN 8192

static void write_lib(const char *path, uint32_t seed)
{
	uint8_t lib[LIB_SIZE];
	fill(lib, sizeof(lib), seed);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(lib, 1, sizeof(lib), f), sizeof(lib));
	fclose(f);
}

/* A trace whose mapping of LIB (REF_LEN bytes, in CONTENT) is stored by
 * reference; CUT: no index. */
static void write_ref_trace(const char *path, const char *lib, const uint8_t *content, bool cut)
{
	struct grr_header h = make_header();
	h.flags |= GRR_HDR_FILE_REFS;
	struct grr_error err;
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	ck_assert_msg(w != NULL, "%s", err.msg);
	ck_assert_int_eq(grr_writer_file_ref(w, lib, REF_OFF, LIB_SIZE - REF_OFF, content, REF_LEN,
					     &err), 0);
	/* declared twice: stored once */
	ck_assert_int_eq(grr_writer_file_ref(w, lib, REF_OFF, LIB_SIZE - REF_OFF, content, REF_LEN,
					     &err), 0);
	ck_assert_int_eq(grr_writer_file_ref(w, "relative", 0, 1, content, REF_LEN, &err), -1);
	struct grr_mem_write mw = { .addr = 0x7ff000000000, .len = REF_LEN, .data = content };
	for (int i = 0; i < 3; i++) {
		struct grr_event ev = { .kind = GRR_EV_SYSCALL_EXIT, .tid = 7, .time_ns = (uint64_t)i };
		ev.u.exit.nr = 9;
		ev.u.exit.ret = 0x7ff000000000;
		ev.u.exit.nwrites = 1;
		ev.u.exit.writes = &mw;
		ck_assert_int_eq(grr_writer_append(w, &ev, &err), 0);
	}
	if (cut) {
		ck_assert_int_eq(grr_writer_flush(w, &err), 0);
		grr_writer_abandon(w);
		return;
	}
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
}

/* Reads PATH's first event: 1 if its write is CONTENT, else -1 with the
 * error in MSG. */
static int read_ref_event(const char *path, const uint8_t *content, char *msg, size_t n)
{
	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	struct grr_event ev;
	int rc = grr_reader_next(r, &ev, &err);
	if (rc == 1)
		ck_assert(memcmp(ev.u.exit.writes[0].data, content, REF_LEN) == 0);
	else
		snprintf(msg, n, "%s", err.msg);
	grr_reader_close(r);
	return rc;
}

START_TEST(test_file_refs)
{
	const char *lib = tpath("libfake.so"), *in = tpath("refs.grr"), *cut = tpath("refs-cut.grr");
	const char *out = tpath("refs-packed.grr");
	write_lib(lib, 5);
	uint8_t content[REF_LEN] = { 0 }, libbytes[LIB_SIZE];
	fill(libbytes, sizeof(libbytes), 5);
	memcpy(content, libbytes + REF_OFF, LIB_SIZE - REF_OFF);
	write_ref_trace(in, lib, content, false);
	write_ref_trace(cut, lib, content, true);

	struct stat sb;
	ck_assert_int_eq(stat(in, &sb), 0);
	ck_assert_int_lt(sb.st_size, REF_LEN);   /* the content is not in it */
	struct grr_trace_stats st = stats(in);
	ck_assert_uint_eq(st.file_refs, 1);
	ck_assert_uint_eq(st.file_ref_bytes, REF_LEN);
	char msg[512];
	ck_assert_int_eq(read_ref_event(in, content, msg, sizeof(msg)), 1);
	ck_assert_int_eq(read_ref_event(cut, content, msg, sizeof(msg)), 1);

	/* packing stores the content and drops the flag */
	struct grr_error err;
	ck_assert_msg(grr_trace_copy(in, out, NULL, 0, &err) == 0, "%s", err.msg);
	st = stats(out);
	ck_assert_uint_eq(st.file_refs, 0);
	struct grr_reader *r = grr_reader_open(out, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(grr_reader_header(r)->flags & GRR_HDR_FILE_REFS, 0);
	grr_reader_close(r);

	/* the file changed: reported, never used; the packed copy still reads */
	write_lib(lib, 6);
	ck_assert_int_eq(read_ref_event(in, content, msg, sizeof(msg)), -1);
	ck_assert_msg(strstr(msg, lib) && strstr(msg, "changed") && strstr(msg, "grr pack"), "%s",
		      msg);
	ck_assert_int_eq(read_ref_event(out, content, msg, sizeof(msg)), 1);
	/* ... or is gone */
	ck_assert_int_eq(unlink(lib), 0);
	ck_assert_int_eq(read_ref_event(in, content, msg, sizeof(msg)), -1);
	ck_assert_msg(strstr(msg, lib) && strstr(msg, "cannot be read"), "%s", msg);
	ck_assert_int_eq(read_ref_event(out, content, msg, sizeof(msg)), 1);
}
END_TEST

static Suite *pack_suite(void)
{
	Suite *s = suite_create("pack");
	const struct { const char *name; const TTest *test; } tests[] = {
		{ "test_pack_copy", test_pack_copy },
		{ "test_pack_dedup", test_pack_dedup },
		{ "test_pack_replace", test_pack_replace },
		{ "test_pack_cut_short", test_pack_cut_short },
		{ "test_pack_bad_input", test_pack_bad_input },
		{ "test_same_length_path", test_same_length_path },
		{ "test_cpu_portable", test_cpu_portable },
		{ "test_file_refs", test_file_refs },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, tests[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

static void remove_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	fill(memblob, sizeof(memblob), 1);
	fill(exe, sizeof(exe), 2);
	SRunner *sr = srunner_create(pack_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_tmpdir();
	return failed ? 1 : 0;
}
