/* trace.h - public API of grr's trace format library (format/).
 *
 * A trace is one file: a file header, a sequence of checksummed, LZ4
 * compressed chunks (one HEADER chunk, then EVENTS and BLOB chunks), and,
 * when the recorder finished cleanly, an INDEX chunk and a fixed-size
 * trailer that points at it.  docs/trace-format.md is the byte-level
 * specification; this header is the C view of it.
 *
 * The library knows nothing of ptrace or of the tracee: registers are a
 * plain array of 64-bit words, memory is (address, bytes).
 *
 * Ownership: the writer copies everything it is given.  The reader returns
 * pointers into buffers it owns, valid until the next call on that reader.
 */
#ifndef GRR_FORMAT_TRACE_H
#define GRR_FORMAT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRR_FORMAT_MAJOR 1
#define GRR_FORMAT_MINOR 8

/* Error reporting: every fallible call fills one of these with a single
 * line naming the file and the problem, e.g.
 * "t.grr: checksum mismatch in chunk 3 (at byte 81234)". */
struct grr_error {
	char msg[512];
};

/* ---- header -------------------------------------------------------- */

struct grr_auxv_entry {
	uint64_t key;
	uint64_t val;
};

/* One mapping of the address space, as /proc/PID/maps shows it. */
struct grr_mapping {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	uint32_t prot;      /* PROT_READ|PROT_WRITE|PROT_EXEC bits */
	uint32_t flags;     /* GRR_MAP_SHARED for shared mappings */
	char *path;         /* backing file or "[stack]" etc.; "" if anonymous */
};
#define GRR_MAP_SHARED 1u

struct grr_cpu {
	char vendor[13];             /* "GenuineIntel", NUL terminated */
	uint32_t family, model, stepping;
	/* CPUID words: leaf 1 ecx, edx; leaf 7.0 ebx, ecx, edx; leaf 7.1 eax;
	 * leaf 0xd.1 eax; 0x80000001 ecx, edx; xcr0 low (0 if no xgetbv). */
	uint32_t features[10];
};
enum {
	GRR_CPUID_1_ECX, GRR_CPUID_1_EDX, GRR_CPUID_7_EBX, GRR_CPUID_7_ECX,
	GRR_CPUID_7_EDX, GRR_CPUID_7_1_EAX, GRR_CPUID_D_1_EAX,
	GRR_CPUID_EXT1_ECX, GRR_CPUID_EXT1_EDX, GRR_CPUID_XCR0,
	GRR_CPUID_NWORDS
};

struct grr_header {
	uint16_t major, minor;         /* filled in by the reader */
	char *program;                 /* absolute path of the executable */
	char *cwd;
	uint32_t argc, envc;
	char **argv;
	char **envp;
	uint32_t nauxv;
	struct grr_auxv_entry *auxv;   /* as the program saw it */
	uint8_t at_random[16];         /* the 16 bytes AT_RANDOM points at */
	uint64_t initial_sp;           /* stack pointer at the exec stop */
	uint32_t nmaps;
	struct grr_mapping *maps;      /* address space at the exec stop */
	char *build_id;                /* hex string, "" if none */
	char *go_version;              /* "go1.26.8", "" if not a Go binary */
	struct grr_cpu cpu;
	char *grr_version;
	uint64_t start_time_ns;        /* CLOCK_REALTIME at record start */
	uint64_t chaos_seed;           /* 0 when chaos mode was off */
	uint32_t flags;                /* GRR_HDR_* */
	/* (format 1.5) the recorder screened the program's environment:
	 * WITHHELD names the variables it left out because their names look
	 * secret (only names, never values), KEPT_SECRET those of such names
	 * it passed on (--keep-env, --keep-all-env), which are in envp.
	 * env_screened is false for older traces, which carry everything. */
	bool env_screened;
	uint32_t nwithheld, nkept_secret;
	char **withheld;
	char **kept_secret;
};
#define GRR_HDR_CHAOS    1u
#define GRR_HDR_PORTABLE 2u
/* the program read the clock and the TSC through grr's clock page
 * (tracee/clockpage.h); its values are in BUFFERED events (minor 1) */
#define GRR_HDR_CLOCKPAGE 4u
/* with GRR_HDR_CLOCKPAGE: the page's second layout, 2048 slots at
 * 0x3ed000 (minor 2; without it, the first: 128 slots at 0x3fc000) */
#define GRR_HDR_CLOCKRING 8u
/* the flags this grr knows: a replayer refuses a trace with others (they
 * come from a newer grr, and change how the trace replays) */
/* the syscall buffer (tracee/sysbuf.h) was in place: replay puts it
 * there too, and its records arrive as BUFFERED events (format 1.3) */
#define GRR_HDR_SYSBUF 16u
/* with GRR_HDR_SYSBUF: the buffer's second code, which also makes file
 * system calls in-process (getdents64, stat, openat...).  Replay runs the
 * code the recording ran, so a trace with GRR_HDR_SYSBUF and not this was
 * recorded with the first code, which this grr no longer has. */
#define GRR_HDR_SYSBUF_FS 32u
/* blobs may be stored by reference to files of the recording machine
 * (FILEREF chunks, format/file_ref.h): an older grr would find them
 * missing */
#define GRR_HDR_FILE_REFS 64u
/* with GRR_HDR_SYSBUF_FS (minor 8): the buffer's third code, which also
 * makes FUTEX_WAKE in-process, from runtime.futex too (its records are
 * futex calls); replay runs it, and the second code for a trace without
 * this flag */
#define GRR_HDR_SYSBUF_FUTEX 128u
#define GRR_HDR_KNOWN (GRR_HDR_FILE_REFS | GRR_HDR_SYSBUF_FUTEX | GRR_HDR_CHAOS | GRR_HDR_PORTABLE | GRR_HDR_CLOCKPAGE | GRR_HDR_CLOCKRING | \
		       GRR_HDR_SYSBUF | GRR_HDR_SYSBUF_FS)

void grr_header_free(struct grr_header *h);

/* ---- events ------------------------------------------------------- */

enum grr_event_kind {
	GRR_EV_SYSCALL_ENTER = 1,  /* thread entered a syscall */
	GRR_EV_SYSCALL_EXIT  = 2,  /* syscall returned; memory it wrote */
	GRR_EV_SIGNAL        = 3,  /* signal delivered to a thread */
	GRR_EV_CLONE         = 4,  /* a thread created another thread */
	GRR_EV_THREAD_EXIT   = 5,  /* a thread is exiting */
	GRR_EV_PROCESS_EXIT  = 6,  /* the whole program ended */
	GRR_EV_RDTSC         = 7,  /* an RDTSC/RDTSCP instruction was emulated */
	GRR_EV_ANCHOR        = 8,  /* a thread stopped at an arbitrary point */
	GRR_EV_NOTE          = 9,  /* free text: warnings, recorder messages */
	GRR_EV_BUFFERED      = 10, /* values the thread read in-process (clock page) */
	GRR_EV_KIND_MAX      = 10
};

/* A BUFFERED event whose nr is this (format 1.4) is a split
 * read-modify-write (recorder/rec_split.c): ret is the pc of the
 * instruction the thread stands before, and its one write puts back the
 * value the instruction's load saw when the thread was preempted. */
#define GRR_BUFFERED_SPLIT 1

/* Number of general registers, in the order of the kernel's x86-64
 * struct user_regs_struct: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx
 * rdx rsi rdi orig_rax rip cs eflags rsp ss fs_base gs_base ds es fs gs. */
#define GRR_NREGS 27
#define GRR_FPREGS_SIZE 512    /* FXSAVE area */
#define GRR_ANCHOR_STACK_WORDS 32

/* Memory the kernel (or the recorder) wrote into the tracee. */
struct grr_mem_write {
	uint64_t addr;
	uint64_t len;
	const uint8_t *data;       /* len bytes */
	uint8_t slots;             /* a hint to the writer: 32-byte clock slots
				    * (format/slot_codec.h), stored delta-coded
				    * (minor 6); readers see plain bytes */
};

/* Address ranges left out of an anchor's memory digest. */
struct grr_range {
	uint64_t addr;
	uint64_t len;
};

enum grr_signal_how {
	GRR_SIG_SYNC = 0,      /* raised by the instruction at pc (fault, trap) */
	GRR_SIG_AT_STOP = 1,   /* async, delivered as the thread left its last event */
	GRR_SIG_AT_ANCHOR = 2, /* async, delivered at the preceding ANCHOR */
};

enum grr_process_exit_how {
	GRR_EXIT_NORMAL = 0,       /* status = exit code */
	GRR_EXIT_SIGNAL = 1,       /* status = signal number */
	GRR_EXIT_DETACHED = 2,     /* recording stopped early (Ctrl-C, timeout) */
};

struct grr_event {
	uint8_t kind;              /* enum grr_event_kind */
	uint32_t tid;              /* recorded thread id */
	uint64_t seq;              /* event number, from 0; set by writer/reader */
	uint64_t time_ns;          /* monotonic ns since record start */
	union {
		struct {
			uint32_t nr;
			uint64_t args[6];
		} enter;
		/* SYSCALL_EXIT; also BUFFERED: nr 0, ret the number of
		 * values, writes the clock page slots holding them; or nr
		 * GRR_BUFFERED_SPLIT */
		struct {
			uint32_t nr;
			int64_t ret;
			uint32_t nwrites;
			const struct grr_mem_write *writes;
		} exit;
		struct {
			uint32_t signo;
			uint8_t how;           /* enum grr_signal_how */
			uint8_t siginfo[128];
		} signal;
		struct {
			uint32_t child_tid;
			uint64_t flags;
		} clone;
		struct {
			int32_t status;
		} thread_exit;
		struct {
			uint8_t how;           /* enum grr_process_exit_how */
			int32_t status;
		} process_exit;
		struct {
			uint64_t pc;
			uint64_t tsc;
			uint32_t aux;          /* RDTSCP's ecx; 0 for RDTSC */
			uint8_t is_rdtscp;
		} rdtsc;
		struct {
			uint64_t regs[GRR_NREGS];
			uint8_t fpregs[GRR_FPREGS_SIZE];
			uint64_t digest;       /* memory digest (see docs) */
			uint32_t nexcluded;
			const struct grr_range *excluded;
			/* the words at [rsp, rsp + 8 * nstack): a cheap first
			 * check (unoptimized code keeps loop variables there) */
			uint8_t nstack;
			uint64_t stack[GRR_ANCHOR_STACK_WORDS];
		} anchor;
		struct {
			const char *text;
		} note;
	} u;
};

const char *grr_event_kind_name(unsigned kind);

/* ---- writer ------------------------------------------------------- */

struct grr_writer;

/* Creates PATH (truncating), writes the file header and the HEADER chunk.
 * Returns NULL and fills err on failure. */
struct grr_writer *grr_writer_open(const char *path, const struct grr_header *h,
				   struct grr_error *err);
/* Appends one event; ev->seq is assigned.  Memory writes larger than a
 * small threshold go to content-addressed blobs, stored once per content.
 * Returns 0, or -1 with err filled (e.g. disk full). */
int grr_writer_append(struct grr_writer *w, struct grr_event *ev,
		      struct grr_error *err);
/* Ends the current chunk and writes it (and pending blobs) to the file, so
 * that a recorder killed afterwards leaves everything so far readable. */
int grr_writer_flush(struct grr_writer *w, struct grr_error *err);
/* Flushes, writes the INDEX chunk and the trailer, closes the file. Frees w
 * whatever the outcome. */
int grr_writer_close(struct grr_writer *w, struct grr_error *err);
/* Closes the file without an index, as a killed recorder would (tests). */
void grr_writer_abandon(struct grr_writer *w);
uint64_t grr_writer_event_count(const struct grr_writer *w);
/* Embeds a whole file (the executable, a file the program mapped) under
 * NAME, its contents stored as a blob (deduplicated by content).  Used by
 * `grr pack`; a trace with an embedded executable is "packed". */
int grr_writer_embed_file(struct grr_writer *w, const char *name,
			  const void *data, uint64_t len, struct grr_error *err);
/* Declares that the content DATA (LEN bytes) is FILE_LEN bytes of the file
 * PATH (absolute) at FILE_OFF followed by zeros: memory writes of exactly
 * that content are then stored as a reference to the file, not a copy
 * (format/file_ref.h; the header should carry GRR_HDR_FILE_REFS).  Does
 * nothing if the content is stored already. */
int grr_writer_file_ref(struct grr_writer *w, const char *path, uint64_t file_off,
			uint64_t file_len, const uint8_t *data, uint64_t len,
			struct grr_error *err);

/* ---- reader ------------------------------------------------------- */

struct grr_reader;
struct grr_file_ref;

struct grr_trace_stats {
	uint64_t events;
	uint64_t by_kind[GRR_EV_KIND_MAX + 1];
	uint64_t chunks;
	uint64_t blobs;
	uint64_t file_bytes;
	uint64_t raw_bytes;        /* uncompressed size of all chunk payloads */
	uint64_t blob_raw_bytes;   /* uncompressed size of blob contents */
	uint64_t file_refs;        /* blobs stored by reference to a file */
	uint64_t file_ref_bytes;   /* their size */
	uint32_t threads;          /* distinct tids seen */
	uint64_t duration_ns;      /* time_ns of the last event */
	bool has_index;            /* false: the trace was cut short */
	uint64_t valid_bytes;      /* bytes up to the last complete chunk */
};

/* Opens and validates the file header and HEADER chunk, and loads the index
 * (or rebuilds it by scanning when the trailer is missing or damaged: the
 * trace is then readable up to its last complete chunk). */
struct grr_reader *grr_reader_open(const char *path, struct grr_error *err);
void grr_reader_close(struct grr_reader *r);
const struct grr_header *grr_reader_header(const struct grr_reader *r);
/* Number of events readable in this file. */
uint64_t grr_reader_event_count(const struct grr_reader *r);
/* Reads the next event.  Returns 1 with *ev filled, 0 at the end, -1 on a
 * damaged chunk (err filled). Pointers in *ev stay valid until the next
 * call on r. */
int grr_reader_next(struct grr_reader *r, struct grr_event *ev,
		    struct grr_error *err);
/* The same, without reading blobs: a memory write stored as a blob (more
 * than 64 bytes) comes with data NULL.  For scans that need no contents. */
int grr_reader_next_shallow(struct grr_reader *r, struct grr_event *ev,
			    struct grr_error *err);
/* Positions the reader so that the next grr_reader_next returns event SEQ.
 * Decompresses only the chunk holding it. */
int grr_reader_seek(struct grr_reader *r, uint64_t seq, struct grr_error *err);
/* Walks the whole file and fills *st (does not move the read position). */
int grr_reader_stats(struct grr_reader *r, struct grr_trace_stats *st,
		     struct grr_error *err);
/* Looks up a file embedded with grr_writer_embed_file.  Returns 1 and a
 * malloc'd copy in *data (caller frees), 0 if there is no such file, -1 on
 * a damaged trace. */
int grr_reader_embedded_file(struct grr_reader *r, const char *name,
			     uint8_t **data, uint64_t *len, struct grr_error *err);
/* Names of embedded files (NULL terminated array owned by r). */
const char *const *grr_reader_embedded_names(struct grr_reader *r);
/* The blobs stored by reference to files (format/file_ref.h): *N of them,
 * owned by r. */
const struct grr_file_ref *grr_reader_file_refs(const struct grr_reader *r, size_t *n);
/* Whether the trace ended cleanly with an index. */
bool grr_reader_has_index(const struct grr_reader *r);

/* ---- packing ------------------------------------------------------ */

/* Names of embedded files: the executable is "exe" (a trace that embeds
 * it is *packed*); any other file the replay needs (a dynamic loader) is
 * embedded under its absolute path. */
#define GRR_EMBED_EXE "exe"
/* The source files of the program's own packages (grr pack) are embedded
 * as "src:" followed by their path as compiled ("src:/ci/work/main.go");
 * replay ignores them, the debugger reads them where the file is not. */
#define GRR_EMBED_SOURCE_PREFIX "src:"

struct grr_embed {
	const char *name;
	const void *data;
	uint64_t len;
};

/* Whether R embeds the executable. */
bool grr_reader_is_packed(struct grr_reader *r);

/* Writes a copy of trace IN to OUT (created or truncated; it must not be
 * IN itself): the same header and events, the files IN embeds, and FILES
 * (one of IN's files with the same name is replaced).  Contents are stored
 * once however often they occur (blob deduplication), so embedding a file
 * twice, or a file equal to recorded memory, costs nothing.  A trace cut
 * short is copied as cut short (no index), so that it still reads as one.
 * Returns 0, or -1 with ERR filled (OUT may then be partly written). */
int grr_trace_copy(const char *in, const char *out, const struct grr_embed *files,
		   size_t nfiles, struct grr_error *err);

#endif
