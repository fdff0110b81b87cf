/* core_image.h - an ELF core file (ET_CORE, x86-64) of a process image,
 * as Linux writes one (fs/binfmt_elf.c): the format-writing half of
 * `dump`, which knows nothing of ptrace or of the replay.  The image says
 * what the threads' registers are, which mappings there are and which of
 * them to copy, and how to read the memory; core_write lays out the file.
 *
 * Layout: the ELF header, one PT_NOTE then one PT_LOAD per segment in
 * the caller's (address) order, the notes, then the segments' bytes from
 * the next page boundary, each at a page-aligned offset.  Pages that are
 * all zeros, or that the image says were never written, are left as holes
 * (a sparse file: the copy of a large, mostly untouched heap costs only
 * what was written).  Note order, as the kernel's: the first thread's
 * NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE, its NT_FPREGSET
 * and NT_X86_XSTATE; then each other thread's NT_PRSTATUS, NT_FPREGSET and
 * NT_X86_XSTATE ("CORE" notes but XSTATE, "LINUX"). */
#ifndef GRR_REPLAYER_CORE_IMAGE_H
#define GRR_REPLAYER_CORE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

struct core_thread {
	uint32_t tid;                      /* pr_pid of its NT_PRSTATUS */
	struct user_regs_struct regs;      /* fs_base among them */
	struct user_fpregs_struct fpregs;
	const uint8_t *xstate;             /* XSAVE area, standard layout */
	size_t xstate_len;                 /* 0: no NT_X86_XSTATE note */
	uint64_t sigmask;                  /* pr_sighold */
};

struct core_segment {
	uint64_t start, end;               /* page-aligned */
	uint32_t prot;                     /* PROT_READ | PROT_WRITE | PROT_EXEC */
	bool dump;                         /* bytes in the file (p_filesz =
					      p_memsz), else p_filesz 0 */
	bool sparse;                       /* pages the memory's present() says
					      are absent are zeros (anonymous) */
	const char *file;                  /* mapped file for NT_FILE, or NULL */
	uint64_t offset;                   /* its offset in that file (bytes) */
};

/* How the writer reads the process's memory.  read: LEN bytes at ADDR,
 * 0 or -1 (any byte unreadable).  present: for NPAGES pages from ADDR,
 * whether each holds data; 0 or -1 (then every page is read). */
struct core_memory {
	void *ctx;
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*present)(void *ctx, uint64_t addr, uint64_t npages, uint8_t *out);
};

struct core_image {
	uint32_t pid;                      /* the process id (NT_PRPSINFO) */
	int signo;                         /* the signal it stands at, or 0 */
	const struct core_thread *threads; /* the first is the current one */
	int nthreads;
	const struct core_segment *segs;   /* in address order */
	int nsegs;
	const uint64_t *auxv;              /* NAUXV (type, value) pairs, the
					      AT_NULL one included */
	size_t nauxv;
	const char *fname;                 /* the program's base name */
	const char *psargs;                /* its arguments, blank separated */
	struct core_memory mem;
};

/* What core_write wrote. */
struct core_stats {
	int nsegs;                         /* PT_LOADs */
	uint64_t file_size;                /* the file's (apparent) size */
	uint64_t dumped;                   /* bytes of memory in the file */
	uint64_t written;                  /* of those, bytes not left as holes */
	uint64_t unreadable;               /* bytes that could not be read
					      (holes: zeros) */
};

#define CORE_PAGE 4096ull

/* core_notes.c: the contents of the PT_NOTE segment, malloc'd into *BUF
 * (*LEN bytes).  0, or -1 (out of memory). */
int core_notes_build(const struct core_image *im, uint8_t **buf, size_t *len);

/* core_segments.c: writes LEN bytes at OFF (short writes resumed; a
 * write of nothing is ENOSPC).  0, or -1 with errno. */
int core_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* core_segments.c: copies the bytes of segment S to the file FD at OFF,
 * leaving holes for pages of zeros; adds to ST.  0, or -1 with errno (a
 * write failed). */
int core_segment_write(int fd, uint64_t off, const struct core_segment *s,
		       const struct core_memory *mem, struct core_stats *st);

/* core_writer.c: writes the core file of IM to FD (a new, empty regular
 * file).  0, or -1 with one line in ERR. */
int core_write(int fd, const struct core_image *im, struct core_stats *st, char *err,
	       size_t errlen);

#endif
