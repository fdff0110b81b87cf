/* test_inputs.c - what a trace says it carries from outside the program:
 * the header's screened environment (withheld and kept names), the
 * recorder's file and peer notes, syscall buffer records, and the inputs
 * scan over a synthetic trace (format/inputs.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "format/input_note.h"
#include "format/inputs.h"
#include "format/sysbuf_ring.h"
#include "format/trace.h"
#include "tests/unit/run_suite.h"

static char *s_argv[] = { "/bin/prog", NULL };
static char *s_envp[] = { "HOME=/root", "KEEP_TOKEN=kept", NULL };
static char *s_withheld[] = { "GITHUB_TOKEN", "MYSECRET_TOKEN", NULL };
static char *s_kept[] = { "KEEP_TOKEN", NULL };

static void tmp_trace(char *path, size_t len)
{
	snprintf(path, len, "/tmp/grr-test-inputs-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static struct grr_header header(void)
{
	struct grr_header h = { 0 };
	h.program = "/bin/prog";
	h.cwd = "/";
	h.argc = 1;
	h.argv = s_argv;
	h.envc = 2;
	h.envp = s_envp;
	h.build_id = "";
	h.go_version = "go1.26";
	h.grr_version = "test";
	h.env_screened = true;
	h.nwithheld = 2;
	h.withheld = s_withheld;
	h.nkept_secret = 1;
	h.kept_secret = s_kept;
	return h;
}

START_TEST(test_header_env)
{
	char path[128];
	tmp_trace(path, sizeof(path));
	struct grr_error err;
	struct grr_header h = header();
	struct grr_writer *w = grr_writer_open(path, &h, &err);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	const struct grr_header *g = grr_reader_header(r);
	ck_assert_uint_eq(g->minor, GRR_FORMAT_MINOR);
	ck_assert(g->env_screened);
	ck_assert_uint_eq(g->nwithheld, 2);
	ck_assert_str_eq(g->withheld[0], "GITHUB_TOKEN");
	ck_assert_str_eq(g->withheld[1], "MYSECRET_TOKEN");
	ck_assert_uint_eq(g->nkept_secret, 1);
	ck_assert_str_eq(g->kept_secret[0], "KEEP_TOKEN");
	grr_reader_close(r);

	/* a trace that did not screen (an older grr's) says so */
	h.env_screened = false;
	w = grr_writer_open(path, &h, &err);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(grr_writer_close(w, &err), 0);
	r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	g = grr_reader_header(r);
	ck_assert(!g->env_screened);
	ck_assert_uint_eq(g->nwithheld, 0);
	ck_assert_ptr_nonnull(g->withheld);
	grr_reader_close(r);
	unlink(path);
}
END_TEST

START_TEST(test_notes_and_addresses)
{
	char buf[300];
	const char *v;
	grr_input_note_format(buf, sizeof(buf), GRR_INPUT_NOTE_FILE, "/etc/hosts");
	ck_assert_int_eq(grr_input_note_parse(buf, &v), GRR_INPUT_NOTE_FILE);
	ck_assert_str_eq(v, "/etc/hosts");
	grr_input_note_format(buf, sizeof(buf), GRR_INPUT_NOTE_PEER, "127.0.0.1:80");
	ck_assert_int_eq(grr_input_note_parse(buf, &v), GRR_INPUT_NOTE_PEER);
	ck_assert_str_eq(v, "127.0.0.1:80");
	ck_assert_int_eq(grr_input_note_parse("digest: 1 of 2 pages written since the last one", &v),
			 GRR_INPUT_NOTE_NONE);
	ck_assert_int_eq(grr_input_note_parse(NULL, &v), GRR_INPUT_NOTE_NONE);

	uint8_t in4[16] = { 2, 0, 0x1f, 0x90, 127, 0, 0, 1 };
	grr_sockaddr_format(in4, sizeof(in4), buf, sizeof(buf));
	ck_assert_str_eq(buf, "127.0.0.1:8080");
	uint8_t in6[28] = { 10, 0, 0x01, 0xbb };
	in6[23] = 1;
	grr_sockaddr_format(in6, sizeof(in6), buf, sizeof(buf));
	ck_assert_str_eq(buf, "[::1]:443");
	uint8_t un[12] = { 1, 0, '/', 'r', '/', 's', 0 };
	grr_sockaddr_format(un, sizeof(un), buf, sizeof(buf));
	ck_assert_str_eq(buf, "unix:/r/s");
	uint8_t abs[6] = { 1, 0, 0, 'a', 'b', 'c' };
	grr_sockaddr_format(abs, sizeof(abs), buf, sizeof(buf));
	ck_assert_str_eq(buf, "unix:@abc");
	grr_sockaddr_format(un, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "unix:(unnamed)");
	grr_sockaddr_format(un, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(no address)");
	uint8_t odd[4] = { 16, 0 };
	grr_sockaddr_format(odd, sizeof(odd), buf, sizeof(buf));
	ck_assert_str_eq(buf, "family 16");
}
END_TEST

/* One syscall buffer record: read(fd) = n, with n data bytes. */
static size_t put_record(uint8_t *p, uint32_t nr, int64_t ret, uint64_t fd, uint32_t len)
{
	memset(p, 0, GRR_SB_HDR);
	memcpy(p, &nr, 4);
	memcpy(p + 4, &len, 4);
	memcpy(p + 8, &ret, 8);
	memcpy(p + 16, &fd, 8);
	memset(p + GRR_SB_HDR, 'x', len);
	return (GRR_SB_HDR + len + 7) & ~7u;
}

START_TEST(test_ring_records)
{
	uint8_t ring[256];
	size_t n = put_record(ring, SYS_read, 5, 7, 5);
	n += put_record(ring + n, SYS_write, 3, 8, 0);
	struct grr_mem_write w = { .addr = GRR_SB_RING, .len = n, .data = ring };
	size_t off = 0;
	struct grr_sb_record rec;
	ck_assert_int_eq(grr_sb_record_next(&w, &off, &rec), 1);
	ck_assert_uint_eq(rec.nr, SYS_read);
	ck_assert_int_eq(rec.ret, 5);
	ck_assert_uint_eq(rec.arg0, 7);
	ck_assert_uint_eq(rec.len, 5);
	ck_assert_int_eq(grr_sb_record_next(&w, &off, &rec), 1);
	ck_assert_uint_eq(rec.nr, SYS_write);
	ck_assert_int_eq(grr_sb_record_next(&w, &off, &rec), 0);
	/* not in the ring; cut inside a record */
	struct grr_mem_write elsewhere = { .addr = 0x1000, .len = n, .data = ring };
	off = 0;
	ck_assert_int_eq(grr_sb_record_next(&elsewhere, &off, &rec), 0);
	struct grr_mem_write cut = { .addr = GRR_SB_RING, .len = 20, .data = ring };
	off = 0;
	ck_assert_int_eq(grr_sb_record_next(&cut, &off, &rec), -1);
	uint32_t big = 1000;
	memcpy(ring + 4, &big, 4);
	off = 0;
	ck_assert_int_eq(grr_sb_record_next(&w, &off, &rec), -1);
}
END_TEST

struct tw {
	struct grr_writer *w;
	struct grr_error err;
};

static void enter(struct tw *t, uint32_t tid, uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		  uint64_t a3, uint64_t a4)
{
	struct grr_event ev = { .kind = GRR_EV_SYSCALL_ENTER, .tid = tid };
	ev.u.enter.nr = nr;
	uint64_t a[6] = { a0, a1, a2, a3, a4, 0 };
	memcpy(ev.u.enter.args, a, sizeof(a));
	ck_assert_int_eq(grr_writer_append(t->w, &ev, &t->err), 0);
}

static void leave(struct tw *t, uint32_t tid, uint32_t nr, int64_t ret,
		  const struct grr_mem_write *w, uint32_t nw)
{
	struct grr_event ev = { .kind = GRR_EV_SYSCALL_EXIT, .tid = tid };
	ev.u.exit.nr = nr;
	ev.u.exit.ret = ret;
	ev.u.exit.nwrites = nw;
	ev.u.exit.writes = w;
	ck_assert_int_eq(grr_writer_append(t->w, &ev, &t->err), 0);
}

static void note(struct tw *t, uint32_t tid, enum grr_input_note kind, const char *value)
{
	char text[256];
	grr_input_note_format(text, sizeof(text), kind, value);
	struct grr_event ev = { .kind = GRR_EV_NOTE, .tid = tid };
	ev.u.note.text = text;
	ck_assert_int_eq(grr_writer_append(t->w, &ev, &t->err), 0);
}

static const struct grr_input *find(const struct grr_inputs *in, enum grr_input_kind k,
				    const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->v[i].kind == k && !strcmp(in->v[i].name, name))
			return &in->v[i];
	return NULL;
}

START_TEST(test_scan)
{
	char path[128];
	tmp_trace(path, sizeof(path));
	struct grr_header h = header();
	struct tw t;
	t.w = grr_writer_open(path, &h, &t.err);
	ck_assert_ptr_nonnull(t.w);
	/* a file opened twice, read 100 + 20 bytes, then mapped (4096) */
	enter(&t, 1, SYS_openat, (uint64_t)-100, 0x1000, 0, 0, 0);
	leave(&t, 1, SYS_openat, 3, NULL, 0);
	note(&t, 1, GRR_INPUT_NOTE_FILE, "/etc/hosts");
	enter(&t, 1, SYS_read, 3, 0x2000, 512, 0, 0);
	leave(&t, 1, SYS_read, 100, NULL, 0);
	enter(&t, 1, SYS_dup, 3, 0, 0, 0, 0);
	leave(&t, 1, SYS_dup, 9, NULL, 0);
	enter(&t, 1, SYS_close, 3, 0, 0, 0, 0);
	leave(&t, 1, SYS_close, 0, NULL, 0);
	enter(&t, 1, SYS_pread64, 9, 0x2000, 512, 0, 0);
	leave(&t, 1, SYS_pread64, 20, NULL, 0);
	enter(&t, 1, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 9);
	leave(&t, 1, SYS_mmap, 0x7000000, NULL, 0);
	enter(&t, 1, SYS_openat, (uint64_t)-100, 0x1000, 0, 0, 0);
	leave(&t, 1, SYS_openat, 3, NULL, 0);
	note(&t, 1, GRR_INPUT_NOTE_FILE, "/etc/hosts");
	/* an open that failed names nothing */
	enter(&t, 1, SYS_openat, (uint64_t)-100, 0x1000, 0, 0, 0);
	leave(&t, 1, SYS_openat, -2, NULL, 0);
	/* a connected socket, read through the syscall buffer (thread 2) */
	enter(&t, 2, SYS_socket, 2, 1, 0, 0, 0);
	leave(&t, 2, SYS_socket, 5, NULL, 0);
	enter(&t, 2, SYS_connect, 5, 0x3000, 16, 0, 0);
	leave(&t, 2, SYS_connect, -115, NULL, 0);
	note(&t, 2, GRR_INPUT_NOTE_PEER, "127.0.0.1:8080");
	uint8_t ring[128];
	size_t n = put_record(ring, SYS_read, 40, 5, 40);
	n += put_record(ring + n, SYS_read, -11, 5, 0);
	struct grr_mem_write rw = { .addr = GRR_SB_RING, .len = n, .data = ring };
	struct grr_event b = { .kind = GRR_EV_BUFFERED, .tid = 2 };
	b.u.exit.ret = 2;
	b.u.exit.nwrites = 1;
	b.u.exit.writes = &rw;
	ck_assert_int_eq(grr_writer_append(t.w, &b, &t.err), 0);
	/* an accepted connection: its peer from accept's address */
	uint8_t sa[16] = { 2, 0, 0x30, 0x39, 10, 0, 0, 2 };
	struct grr_mem_write aw = { .addr = 0x4000, .len = sizeof(sa), .data = sa };
	enter(&t, 1, SYS_accept4, 6, 0x4000, 0x4100, 0, 0);
	leave(&t, 1, SYS_accept4, 7, &aw, 1);
	enter(&t, 1, SYS_recvfrom, 7, 0x2000, 64, 0, 0);
	leave(&t, 1, SYS_recvfrom, 30, NULL, 0);
	/* stdin, a pipe, and an inherited descriptor */
	enter(&t, 1, SYS_read, 0, 0x2000, 64, 0, 0);
	leave(&t, 1, SYS_read, 6, NULL, 0);
	int32_t pfd[2] = { 10, 11 };
	struct grr_mem_write pw = { .addr = 0x5000, .len = 8, .data = (const uint8_t *)pfd };
	enter(&t, 1, SYS_pipe2, 0x5000, 0, 0, 0, 0);
	leave(&t, 1, SYS_pipe2, 0, &pw, 1);
	enter(&t, 1, SYS_read, 10, 0x2000, 64, 0, 0);
	leave(&t, 1, SYS_read, 8, NULL, 0);
	enter(&t, 1, SYS_read, 42, 0x2000, 64, 0, 0);
	leave(&t, 1, SYS_read, 4, NULL, 0);
	/* an open whose note is missing (an older trace) is unnamed */
	enter(&t, 1, SYS_open, 0x1000, 0, 0, 0, 0);
	leave(&t, 1, SYS_open, 12, NULL, 0);
	ck_assert_int_eq(grr_writer_close(t.w, &t.err), 0);

	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	ck_assert_ptr_nonnull(r);
	struct grr_inputs in;
	ck_assert_int_eq(grr_inputs_scan(r, &in, &err), 0);
	const struct grr_input *f = find(&in, GRR_INPUT_FILE, "/etc/hosts");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->opens, 2);
	ck_assert_uint_eq(f->bytes, 100 + 20 + 4096);
	const struct grr_input *p = find(&in, GRR_INPUT_PEER, "127.0.0.1:8080");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->bytes, 40);
	p = find(&in, GRR_INPUT_PEER, "10.0.0.2:12345");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->opens, 1);
	ck_assert_uint_eq(p->bytes, 30);
	ck_assert_ptr_nonnull(find(&in, GRR_INPUT_FILE, ""));
	ck_assert_uint_eq(in.n, 4);
	ck_assert_uint_eq(in.stdin_bytes, 6);
	ck_assert_uint_eq(in.pipe_bytes, 8);
	ck_assert_uint_eq(in.other_bytes, 4);
	grr_inputs_free(&in);
	grr_reader_close(r);
	unlink(path);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_header_env, test_notes_and_addresses,
					      test_ring_records, test_scan };
	return run_tests("inputs", tests, sizeof(tests) / sizeof(tests[0]));
}
