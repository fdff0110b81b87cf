/* test_core.c - unit tests of the core file writer (replayer/core/:
 * core_write and its notes and segments, core_file's write-then-rename).
 * A synthetic image (two threads, five segments over a fake memory) is
 * written and read back: the ELF and program headers, the notes in the
 * kernel's order with the fields at the kernel's offsets, the XSAVE area
 * trimmed only when its unknown components are unused, the segments'
 * bytes with holes for zeros and for pages never written, unreadable
 * pages, and the errors (a full device, a failed write leaving no file). */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replayer/core/core_file.h"
#include "replayer/core/core_image.h"

#include "run_suite.h"

#define PG 4096u

/* ---- a fake process: memory at BASE, pages flagged absent or unreadable ---- */

#define BASE 0x10000000ull
#define NPAGES 16

struct fake {
	uint8_t mem[NPAGES * PG];
	uint8_t absent[NPAGES];      /* present() says never written */
	uint8_t unreadable[NPAGES];
	int absent_reads;            /* reads that touched an absent page */
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;
	if (addr < BASE || addr + len > BASE + sizeof(f->mem))
		return -1;
	for (uint64_t a = addr & ~(uint64_t)(PG - 1); a < addr + len; a += PG) {
		if (f->unreadable[(a - BASE) / PG])
			return -1;
		f->absent_reads += f->absent[(a - BASE) / PG];
	}
	memcpy(buf, f->mem + (addr - BASE), len);
	return 0;
}

static int fake_present(void *ctx, uint64_t addr, uint64_t n, uint8_t *out)
{
	struct fake *f = ctx;
	for (uint64_t i = 0; i < n; i++)
		out[i] = !f->absent[(addr - BASE) / PG + i];
	return 0;
}

static struct fake fake;
static uint8_t xs1[11008], xs2[11008];
static struct core_thread threads[2];
static uint64_t auxv[] = { AT_PAGESZ, 4096, AT_ENTRY, 0x401000, AT_NULL, 0 };

/* Segments: text of the executable (left out), data, a sparse heap with
 * absent, zero and unreadable pages, an inaccessible reservation, the
 * stack. */
static struct core_segment segs[] = {
	{ 0x400000, 0x402000, PROT_READ | PROT_EXEC, false, false, "/bin/prog", 0 },
	{ BASE, BASE + 4 * PG, PROT_READ | PROT_WRITE, true, false, "/bin/prog", 0x2000 },
	{ BASE + 4 * PG, BASE + 12 * PG, PROT_READ | PROT_WRITE, true, true, NULL, 0 },
	{ BASE + 12 * PG, BASE + 14 * PG, PROT_NONE, false, true, NULL, 0 },
	{ BASE + 14 * PG, BASE + 16 * PG, PROT_READ | PROT_WRITE, true, true, NULL, 0 },
};
#define NSEGS (int)(sizeof(segs) / sizeof(segs[0]))

static struct core_image image(void)
{
	memset(&fake, 0, sizeof(fake));
	for (size_t i = 0; i < sizeof(fake.mem); i++)
		fake.mem[i] = (uint8_t)(i * 7 + 1);
	memset(fake.mem + 5 * PG, 0, PG);       /* heap page 1: zeros */
	fake.absent[6] = fake.absent[7] = 1;    /* heap pages 2, 3: never written */
	memset(fake.mem + 6 * PG, 0, 2 * PG);
	fake.unreadable[9] = 1;                 /* heap page 5 */
	for (int t = 0; t < 2; t++) {
		uint8_t *x = t ? xs2 : xs1;
		memset(x, 0x11 * (t + 1), sizeof(xs1));
		uint64_t xcr0 = 0x600e7, bv = t ? 0x7 | (1u << 17) : 0x7;  /* AMX in use in 2 */
		memcpy(x + 464, &xcr0, 8);
		memcpy(x + 512, &bv, 8);
		memset(&threads[t], 0, sizeof(threads[t]));
		threads[t].tid = 1000 + t;
		threads[t].regs.rip = 0x401234 + t;
		threads[t].regs.rsp = 0x7ffc0000 + t;
		threads[t].regs.fs_base = 0xc000000000ull + t;
		threads[t].fpregs.mxcsr = 0x1f80;
		threads[t].xstate = x;
		threads[t].xstate_len = sizeof(xs1);
		threads[t].sigmask = 0x5;
	}
	return (struct core_image){
		.pid = 1000,
		.signo = 0,
		.threads = threads,
		.nthreads = 2,
		.segs = segs,
		.nsegs = NSEGS,
		.auxv = auxv,
		.nauxv = 3,
		.fname = "prog",
		.psargs = "/bin/prog -v",
		.mem = { &fake, fake_read, fake_present },
	};
}

/* ---- reading the file back ---- */

static uint8_t *file;
static size_t file_len;

static void write_and_load(const struct core_image *im, struct core_stats *st)
{
	char path[] = "/tmp/grr-test-core-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	char err[256] = "";
	ck_assert_msg(core_write(fd, im, st, err, sizeof(err)) == 0, "core_write: %s", err);
	struct stat sb;
	ck_assert_int_eq(fstat(fd, &sb), 0);
	file_len = (size_t)sb.st_size;
	ck_assert_uint_eq(file_len, st->file_size);
	free(file);
	file = malloc(file_len);
	ck_assert_int_eq(pread(fd, file, file_len, 0), (ssize_t)file_len);
	close(fd);
	unlink(path);
}

static const Elf64_Phdr *phdr(int i)
{
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)file;
	return (const Elf64_Phdr *)(file + h->e_phoff) + i;
}

struct note {
	const char *name;
	uint32_t type;
	const uint8_t *desc;
	uint32_t size;
};

static int notes(struct note *out, int max)
{
	const Elf64_Phdr *p = phdr(0);
	const uint8_t *b = file + p->p_offset, *end = b + p->p_filesz;
	int n = 0;
	while (b + 12 <= end && n < max) {
		uint32_t nsz, dsz, type;
		memcpy(&nsz, b, 4);
		memcpy(&dsz, b + 4, 4);
		memcpy(&type, b + 8, 4);
		out[n++] = (struct note){ (const char *)b + 12, type, b + 12 + ((nsz + 3) & ~3u), dsz };
		b += 12 + ((nsz + 3) & ~3u) + ((dsz + 3) & ~3u);
	}
	ck_assert_ptr_eq(b, end);
	return n;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* ---- tests ---- */

START_TEST(test_headers)
{
	struct core_image im = image();
	struct core_stats st;
	write_and_load(&im, &st);
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)file;
	ck_assert_int_eq(memcmp(h->e_ident, ELFMAG, SELFMAG), 0);
	ck_assert_int_eq(h->e_ident[EI_CLASS], ELFCLASS64);
	ck_assert_int_eq(h->e_ident[EI_DATA], ELFDATA2LSB);
	ck_assert_int_eq(h->e_type, ET_CORE);
	ck_assert_int_eq(h->e_machine, EM_X86_64);
	ck_assert_int_eq(h->e_version, EV_CURRENT);
	ck_assert_uint_eq(h->e_entry, 0);
	ck_assert_uint_eq(h->e_phoff, 64);
	ck_assert_int_eq(h->e_phentsize, 56);
	ck_assert_int_eq(h->e_phnum, NSEGS + 1);
	ck_assert_int_eq(phdr(0)->p_type, PT_NOTE);
	ck_assert_uint_eq(phdr(0)->p_offset, 64 + 56 * (NSEGS + 1));
	ck_assert_uint_eq(phdr(0)->p_align, 4);
	uint64_t off = (phdr(0)->p_offset + phdr(0)->p_filesz + PG - 1) & ~(uint64_t)(PG - 1);
	for (int i = 0; i < NSEGS; i++) {
		const Elf64_Phdr *p = phdr(i + 1);
		ck_assert_int_eq(p->p_type, PT_LOAD);
		ck_assert_uint_eq(p->p_vaddr, segs[i].start);
		ck_assert_uint_eq(p->p_memsz, segs[i].end - segs[i].start);
		ck_assert_uint_eq(p->p_filesz, segs[i].dump ? p->p_memsz : 0);
		ck_assert_uint_eq(p->p_offset, off);
		ck_assert_uint_eq(p->p_align, PG);
		off += p->p_filesz;
	}
	ck_assert_int_eq(phdr(1)->p_flags, PF_R | PF_X);
	ck_assert_int_eq(phdr(2)->p_flags, PF_R | PF_W);
	ck_assert_int_eq(phdr(4)->p_flags, 0);
	ck_assert_uint_eq(off, file_len);
}
END_TEST

START_TEST(test_notes)
{
	struct core_image im = image();
	im.signo = 6;
	struct core_stats st;
	write_and_load(&im, &st);
	struct note n[16];
	ck_assert_int_eq(notes(n, 16), 10);
	static const struct { const char *name; uint32_t type; } want[] = {
		{ "CORE", NT_PRSTATUS }, { "CORE", NT_PRPSINFO }, { "CORE", NT_SIGINFO },
		{ "CORE", NT_AUXV },     { "CORE", NT_FILE },     { "CORE", NT_FPREGSET },
		{ "LINUX", NT_X86_XSTATE }, { "CORE", NT_PRSTATUS }, { "CORE", NT_FPREGSET },
		{ "LINUX", NT_X86_XSTATE },
	};
	for (int i = 0; i < 10; i++) {
		ck_assert_str_eq(n[i].name, want[i].name);
		ck_assert_uint_eq(n[i].type, want[i].type);
	}
	/* NT_PRSTATUS: signal, blocked signals, tid, registers, fs_base */
	for (int t = 0; t < 2; t++) {
		const struct note *p = &n[t ? 7 : 0];
		ck_assert_uint_eq(p->size, 336);
		ck_assert_uint_eq(u32(p->desc), 6);
		ck_assert_uint_eq(p->desc[12], 6);
		ck_assert_uint_eq(u64(p->desc + 24), 0x5);
		ck_assert_uint_eq(u32(p->desc + 32), 1000 + t);
		ck_assert_uint_eq(u64(p->desc + 112 + 16 * 8), 0x401234 + t);  /* rip */
		ck_assert_uint_eq(u64(p->desc + 280), 0xc000000000ull + t);     /* fs_base */
		ck_assert_uint_eq(u32(p->desc + 328), 1);
	}
	/* NT_PRPSINFO */
	ck_assert_uint_eq(n[1].size, 136);
	ck_assert_uint_eq(u32(n[1].desc + 24), 1000);
	ck_assert_str_eq((const char *)n[1].desc + 40, "prog");
	ck_assert_str_eq((const char *)n[1].desc + 56, "/bin/prog -v");
	/* NT_SIGINFO, NT_AUXV */
	ck_assert_uint_eq(n[2].size, 128);
	ck_assert_uint_eq(u32(n[2].desc), 6);
	ck_assert_uint_eq(n[3].size, sizeof(auxv));
	ck_assert_int_eq(memcmp(n[3].desc, auxv, sizeof(auxv)), 0);
	/* NT_FILE: the two file-backed segments */
	const uint8_t *f = n[4].desc;
	ck_assert_uint_eq(u64(f), 2);
	ck_assert_uint_eq(u64(f + 8), PG);
	ck_assert_uint_eq(u64(f + 16), 0x400000);
	ck_assert_uint_eq(u64(f + 24), 0x402000);
	ck_assert_uint_eq(u64(f + 32), 0);
	ck_assert_uint_eq(u64(f + 40), BASE);
	ck_assert_uint_eq(u64(f + 56), 2);   /* 0x2000 bytes: page 2 */
	ck_assert_str_eq((const char *)f + 64, "/bin/prog");
	ck_assert_str_eq((const char *)f + 74, "/bin/prog");
	ck_assert_uint_eq(n[4].size, 64 + 20);
	/* NT_FPREGSET */
	ck_assert_uint_eq(n[5].size, 512);
	ck_assert_uint_eq(u32(n[5].desc + 24), 0x1f80);
	/* NT_X86_XSTATE: thread 1's AMX unused: cut to AVX-512's 2688 bytes,
	 * XCR0 without AMX; thread 2's in use: whole */
	ck_assert_uint_eq(n[6].size, 2688);
	ck_assert_uint_eq(u64(n[6].desc + 464), 0xe7);
	ck_assert_int_eq(memcmp(n[6].desc + 512, xs1 + 512, 2688 - 512), 0);
	ck_assert_uint_eq(n[9].size, sizeof(xs2));
	ck_assert_int_eq(memcmp(n[9].desc, xs2, sizeof(xs2)), 0);
}
END_TEST

START_TEST(test_segments)
{
	struct core_image im = image();
	struct core_stats st;
	write_and_load(&im, &st);
	/* data and stack in full; the heap too, its zero, absent and
	 * unreadable pages as zeros */
	for (int i = 1; i < NSEGS; i++) {
		const struct core_segment *s = &segs[i];
		const Elf64_Phdr *p = phdr(i + 1);
		for (uint64_t a = s->start; s->dump && a < s->end; a += PG) {
			uint64_t k = (a - BASE) / PG;
			const uint8_t *got = file + p->p_offset + (a - s->start);
			if (fake.unreadable[k]) {
				for (unsigned j = 0; j < PG; j++)
					ck_assert_uint_eq(got[j], 0);
			} else {
				ck_assert_msg(memcmp(got, fake.mem + k * PG, PG) == 0, "page %d differs",
					      (int)k);
			}
		}
	}
	ck_assert_int_eq(fake.absent_reads, 0);   /* never-written pages are not read */
	ck_assert_uint_eq(st.unreadable, PG);
	ck_assert_uint_eq(st.dumped, 14 * PG);
	/* written: data 4, heap 8 - zero - 2 absent - unreadable = 4, stack 2 */
	ck_assert_uint_eq(st.written, 10 * PG);
}
END_TEST

/* Holes: the file takes the blocks of what was written, not its size. */
START_TEST(test_sparse)
{
	struct core_image im = image();
	memset(&fake, 0, sizeof(fake));
	fake.mem[3 * PG + 5] = 9;
	struct core_segment s = { BASE, BASE + NPAGES * PG, PROT_READ | PROT_WRITE, true, false,
				  NULL, 0 };
	im.segs = &s;
	im.nsegs = 1;
	char path[] = "/tmp/grr-test-core-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct core_stats st;
	char err[256];
	ck_assert_int_eq(core_write(fd, &im, &st, err, sizeof(err)), 0);
	struct stat sb;
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_uint_eq(st.written, PG);
	ck_assert_uint_eq((uint64_t)sb.st_size, st.file_size);
	uint64_t head = st.file_size - NPAGES * PG;   /* headers and notes */
	ck_assert_uint_eq(head % PG, 0);
	/* those, and one page of memory: not 16 */
	ck_assert_msg((uint64_t)sb.st_blocks * 512 <= head + 2 * PG, "%lld blocks for %lld bytes",
		      (long long)sb.st_blocks, (long long)sb.st_size);
	uint8_t b = 0;
	ck_assert_int_eq(pread(fd, &b, 1, (off_t)(head + 3 * PG + 5)), 1);
	ck_assert_uint_eq(b, 9);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_full_device)
{
	struct core_image im = image();
	struct core_stats st;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	char err[256] = "";
	ck_assert_int_eq(core_write(fd, &im, &st, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "No space left on device"), "error: %s", err);
	close(fd);
	struct core_image none = im;
	none.nthreads = 0;
	ck_assert_int_eq(core_write(-1, &none, &st, err, sizeof(err)), -1);
}
END_TEST

/* core_file: a file is replaced only when complete; a failed write
 * leaves the old one and no temporary. */
START_TEST(test_file_replace)
{
	char dir[] = "/tmp/grr-test-core-XXXXXX", path[256], tmp[300], err[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.core", dir);
	FILE *old = fopen(path, "w");
	ck_assert_ptr_nonnull(old);
	fputs("old", old);
	fclose(old);
	ck_assert_int_eq(core_file_check_target(path, err, sizeof(err)), 0);
	ck_assert_int_eq(core_file_check_target(dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "is a directory"), "%s", err);
	ck_assert_int_eq(core_file_check_target("/dev/null", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
	/* a failed write: the temporary goes, the old file stays */
	int fd = core_file_create(path, 0644, tmp, sizeof(tmp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "partial", 7), 7);
	errno = ENOSPC;
	ck_assert_int_eq(core_file_close(fd, tmp, 1), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	char buf[16] = "";
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "old");
	/* a complete one replaces it */
	fd = core_file_create(path, 0644, tmp, sizeof(tmp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "new", 3), 3);
	ck_assert_int_eq(core_file_close(fd, tmp, 0), 0);
	ck_assert_int_eq(core_file_commit(tmp, path), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "new");
	/* copying a file */
	fd = core_file_create(path, 0755, tmp, sizeof(tmp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(core_file_copy("/proc/self/exe", fd), 0);
	ck_assert_int_eq(core_file_close(fd, tmp, 0), 0);
	ck_assert_int_eq(core_file_commit(tmp, path), 0);
	struct stat a, b;
	ck_assert_int_eq(stat(path, &a), 0);
	ck_assert_int_eq(stat("/proc/self/exe", &b), 0);
	ck_assert_int_eq(a.st_size, b.st_size);
	/* a directory that does not exist */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/no/such/dir/x.core", dir);
	ck_assert_int_eq(core_file_create(bad, 0644, tmp, sizeof(tmp)), -1);
	ck_assert_int_eq(errno, ENOENT);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_headers, test_notes, test_segments, test_sparse,
					      test_full_device, test_file_replace };
	int rc = run_tests("core", tests, sizeof(tests) / sizeof(tests[0]));
	free(file);
	return rc;
}
