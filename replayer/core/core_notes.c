/* core_notes.c - the PT_NOTE segment of a core file: each note a 12-byte
 * header (name size with its NUL, descriptor size, type), the name and
 * the descriptor each padded to 4 bytes.  The descriptors are laid out
 * byte by byte at the offsets the kernel's structures have on x86-64
 * (linux/elfcore.h), which is what gdb, Delve and Go's heap tools read. */
#include "replayer/core/core_image.h"

#include <stdlib.h>
#include <string.h>

#define NT_PRSTATUS   1
#define NT_FPREGSET   2
#define NT_PRPSINFO   3
#define NT_AUXV       6
#define NT_X86_XSTATE 0x202
#define NT_SIGINFO    0x53494749u
#define NT_FILE       0x46494c45u

/* struct elf_prstatus */
#define PRS_SIZE      336
#define PRS_SIGNO     0      /* pr_info.si_signo */
#define PRS_CURSIG    12     /* short */
#define PRS_SIGHOLD   24
#define PRS_PID       32
#define PRS_REG       112    /* elf_gregset_t: user_regs_struct */
#define PRS_FPVALID   328

/* struct elf_prpsinfo */
#define PRP_SIZE      136
#define PRP_SNAME     1
#define PRP_PID       24
#define PRP_FNAME     40     /* 16 bytes */
#define PRP_PSARGS    56     /* 80 bytes */

#define SIGINFO_SIZE  128

_Static_assert(sizeof(struct user_regs_struct) == 27 * 8, "elf_gregset_t is 27 words");
_Static_assert(PRS_REG + sizeof(struct user_regs_struct) + 8 == PRS_SIZE, "pr_reg, pr_fpvalid");
_Static_assert(sizeof(struct user_fpregs_struct) == 512, "the FXSAVE area");

/* A growing buffer of notes; a failed allocation makes it fail for good. */
struct notes {
	uint8_t *b;
	size_t len, cap;
	bool failed;
};

static uint8_t *reserve(struct notes *n, size_t k)
{
	if (n->failed)
		return NULL;
	if (n->len + k > n->cap) {
		size_t cap = n->cap ? n->cap : 4096;
		while (cap < n->len + k)
			cap *= 2;
		uint8_t *b = realloc(n->b, cap);
		if (!b) {
			n->failed = true;
			return NULL;
		}
		n->b = b;
		n->cap = cap;
	}
	uint8_t *p = n->b + n->len;
	memset(p, 0, k);
	n->len += k;
	return p;
}

static size_t pad4(size_t k) { return (k + 3) & ~(size_t)3; }

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Appends a note of TYPE named NAME with a descriptor of DLEN bytes (all
 * zero); returns the descriptor to fill in, or NULL. */
static uint8_t *note(struct notes *n, const char *name, uint32_t type, size_t dlen)
{
	size_t nlen = strlen(name) + 1;
	uint8_t *h = reserve(n, 12 + pad4(nlen) + pad4(dlen));
	if (!h)
		return NULL;
	put32(h, (uint32_t)nlen);
	put32(h + 4, (uint32_t)dlen);
	put32(h + 8, type);
	memcpy(h + 12, name, nlen);
	return h + 12 + pad4(nlen);
}

static void prstatus(struct notes *n, const struct core_thread *t, int signo)
{
	uint8_t *d = note(n, "CORE", NT_PRSTATUS, PRS_SIZE);
	if (!d)
		return;
	put32(d + PRS_SIGNO, (uint32_t)signo);
	uint16_t cursig = (uint16_t)signo;
	memcpy(d + PRS_CURSIG, &cursig, 2);
	put64(d + PRS_SIGHOLD, t->sigmask);
	put32(d + PRS_PID, t->tid);
	memcpy(d + PRS_REG, &t->regs, sizeof(t->regs));
	put32(d + PRS_FPVALID, 1);
}

static void prpsinfo(struct notes *n, const struct core_image *im)
{
	uint8_t *d = note(n, "CORE", NT_PRPSINFO, PRP_SIZE);
	if (!d)
		return;
	d[PRP_SNAME] = 'R';
	put32(d + PRP_PID, im->pid);
	/* both NUL-terminated within their fields, as the kernel's */
	strncpy((char *)d + PRP_FNAME, im->fname ? im->fname : "", 15);
	strncpy((char *)d + PRP_PSARGS, im->psargs ? im->psargs : "", 79);
}

static void siginfo(struct notes *n, int signo)
{
	uint8_t *d = note(n, "CORE", NT_SIGINFO, SIGINFO_SIZE);
	if (d)
		put32(d, (uint32_t)signo);
}

static void auxv(struct notes *n, const struct core_image *im)
{
	uint8_t *d = note(n, "CORE", NT_AUXV, im->nauxv * 16);
	if (d && im->nauxv)
		memcpy(d, im->auxv, im->nauxv * 16);
}

/* NT_FILE: count, page size, {start, end, offset in pages} for each
 * file-backed segment, then their paths. */
static void files(struct notes *n, const struct core_image *im)
{
	size_t count = 0, names = 0;
	for (int i = 0; i < im->nsegs; i++)
		if (im->segs[i].file) {
			count++;
			names += strlen(im->segs[i].file) + 1;
		}
	uint8_t *d = note(n, "CORE", NT_FILE, 16 + count * 24 + names);
	if (!d)
		return;
	put64(d, count);
	put64(d + 8, CORE_PAGE);
	uint8_t *e = d + 16, *s = d + 16 + count * 24;
	for (int i = 0; i < im->nsegs; i++) {
		const struct core_segment *g = &im->segs[i];
		if (!g->file)
			continue;
		put64(e, g->start);
		put64(e + 8, g->end);
		put64(e + 16, g->offset / CORE_PAGE);
		e += 24;
		size_t k = strlen(g->file) + 1;
		memcpy(s, g->file, k);
		s += k;
	}
}

/* The XSAVE area (standard layout): the legacy 512 bytes, with XCR0 in
 * their software-reserved bytes; the header, XSTATE_BV first; then each
 * component at its architectural offset.  gdb 13 expects exactly the size
 * of the components it knows (x87 to PKRU) and warns, once per thread,
 * about the 11 KB area of a CPU with AMX tiles.  When the components it
 * does not know are in their initial state (XSTATE_BV clear for them:
 * always so in Go programs), they are left out and XCR0 says so; else the
 * area stays whole, as the kernel writes it. */
#define XS_XCR0        464
#define XS_BV          512
#define XS_KNOWN       0x2ffull   /* x87 SSE AVX MPX(2) AVX-512(3) PKRU */

static size_t xsave_known_size(uint64_t xcr0)
{
	if (xcr0 & (1u << 9))
		return 2696;   /* PKRU */
	if (xcr0 & 0xe0)
		return 2688;   /* AVX-512 */
	if (xcr0 & 0x18)
		return 1088;   /* MPX */
	if (xcr0 & 0x04)
		return 832;    /* AVX */
	return 576;
}

static void xstate(struct notes *n, const struct core_thread *t)
{
	size_t len = t->xstate_len;
	uint64_t xcr0 = 0, bv = 0;
	if (len >= XS_BV + 8) {
		memcpy(&xcr0, t->xstate + XS_XCR0, 8);
		memcpy(&bv, t->xstate + XS_BV, 8);
	}
	bool trim = (xcr0 & ~XS_KNOWN) && !(bv & ~XS_KNOWN) &&
		    xsave_known_size(xcr0 & XS_KNOWN) <= len;
	if (trim)
		len = xsave_known_size(xcr0 & XS_KNOWN);
	uint8_t *d = note(n, "LINUX", NT_X86_XSTATE, len);
	if (!d)
		return;
	memcpy(d, t->xstate, len);
	if (trim)
		put64(d + XS_XCR0, xcr0 & XS_KNOWN);
}

static void fp_notes(struct notes *n, const struct core_thread *t)
{
	uint8_t *d = note(n, "CORE", NT_FPREGSET, sizeof(t->fpregs));
	if (d)
		memcpy(d, &t->fpregs, sizeof(t->fpregs));
	if (t->xstate_len)
		xstate(n, t);
}

int core_notes_build(const struct core_image *im, uint8_t **buf, size_t *len)
{
	struct notes n = { 0 };
	for (int i = 0; i < im->nthreads; i++) {
		prstatus(&n, &im->threads[i], im->signo);  /* every thread's, as the kernel's */
		if (i == 0) {
			prpsinfo(&n, im);
			siginfo(&n, im->signo);
			auxv(&n, im);
			files(&n, im);
		}
		fp_notes(&n, &im->threads[i]);
	}
	if (n.failed) {
		free(n.b);
		return -1;
	}
	*buf = n.b;
	*len = n.len;
	return 0;
}
