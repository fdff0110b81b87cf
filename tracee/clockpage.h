/* clockpage.h - grr's clock page: reading the clock and the TSC without a
 * ptrace stop, in recording and in replay.
 *
 * Go reads the clock through the vDSO (time.Now, nanotime: hundreds of
 * thousands of calls in a busy server) and the TSC in runtime.cputicks.
 * Hiding the vDSO makes each read a syscall, two ptrace stops.  Instead grr
 * maps a page of its own at GRR_CLOCKPAGE_ADDR, before the program's first
 * instruction, in recording and replay alike, and makes it the program's
 * vDSO (AT_SYSINFO_EHDR): an ELF image exporting __vdso_clock_gettime.
 * runtime.cputicks is patched to jump into the page too.
 *
 * While recording (mode word 1) the page's code calls the kernel's real
 * vDSO (or executes RDTSC) and appends the value to a ring of slots; grr
 * collects the new slots at the thread's next stop and logs them as a
 * BUFFERED event (memory writes into the slots).  At replay (mode word 0)
 * the replayer writes those slots back when it reaches the event, before
 * the thread runs on, and the same code reads them.  Every GRR_CP_SLOTS
 * values the code makes a getpid syscall, so the ring never overflows
 * between two stops.
 *
 * Layout: one code page (ELF headers, then clockpage_code.S), then the data
 * pages: the value counter (the only part anchors digest), the mode word,
 * the real vDSO function, the slots, and a stack for the real vDSO.  The
 * code between the *_rec_begin and *_rec_end labels runs only while
 * recording: no anchor or signal may be placed there (grr steps out
 * first), nor in the real vDSO. */
#ifndef GRR_TRACEE_CLOCKPAGE_H
#define GRR_TRACEE_CLOCKPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/trace.h"
#include "tracee/mem.h"
#include "tracee/symtab.h"

/* Just below a static Go program's text (0x400000); free in every
 * non-PIE Go executable, and checked before use. */
#define GRR_CLOCKPAGE_ADDR  0x3fc000ull
#define GRR_CLOCKPAGE_LEN   0x4000ull
#define GRR_CP_CODE_OFF     0x200ull
#define GRR_CP_DATA         (GRR_CLOCKPAGE_ADDR + 0x1000)
#define GRR_CP_INDEX        (GRR_CP_DATA + 0)
#define GRR_CP_SLOTS_ADDR   (GRR_CP_DATA + 0x1000)
#define GRR_CP_SLOTS        128u
#define GRR_CP_SLOT_SIZE    32u
/* Left out of anchor digests: all of the data but the counter. */
#define GRR_CP_EXCLUDED_ADDR (GRR_CP_DATA + 8)
#define GRR_CP_EXCLUDED_LEN  (GRR_CLOCKPAGE_ADDR + GRR_CLOCKPAGE_LEN - GRR_CP_EXCLUDED_ADDR)

/* What a tracee's clock page is wired to. */
struct grr_clockpage {
	bool active;
	uint64_t cputicks;          /* runtime.cputicks, patched */
	uint64_t vdso_lo, vdso_hi;  /* the kernel's vDSO text (recording only) */
};

/* runtime.cputicks (an assembly function: "runtime.cputicks.abi0" in the
 * symbol table), or NULL. */
const struct grr_symbol *grr_clockpage_cputicks(const struct grr_symtab *syms);

/* Whether PROGRAM's code can use the page: its runtime.cputicks is the
 * only RDTSC/RDTSCP in the executable mappings of PID (read through M),
 * and the page's address range is free.  Fills *CP's cputicks.  On a
 * "no", a short reason in WHY. */
bool grr_clockpage_usable(const struct grr_mem *m, pid_t pid, const struct grr_symtab *syms,
			  struct grr_clockpage *cp, const char **why);

/* Maps and fills the page in the stopped thread TID (at its first
 * instruction), patches runtime.cputicks, and points the auxiliary vector
 * entry at AUXV_SLOT (the address of AT_SYSINFO_EHDR's value) at it.
 * RECORDING: the page calls the real vDSO, found in PID's [vdso] mapping.
 * Returns 0, or -1 with a reason in WHY. */
int grr_clockpage_install(const struct grr_mem *m, pid_t tid, struct grr_clockpage *cp,
			  bool recording, const char **why);

/* Whether PC is in code that only runs while recording (the page's
 * record-only spans, the kernel's vDSO). */
bool grr_clockpage_record_only(const struct grr_clockpage *cp, uint64_t pc);

/* The slots holding values FROM..TO-1 (TO - FROM <= GRR_CP_SLOTS) as at
 * most two memory writes, data read from M into BUF (GRR_CP_SLOTS *
 * GRR_CP_SLOT_SIZE bytes).  Returns the number of writes, or -1. */
int grr_clockpage_collect(const struct grr_mem *m, uint64_t from, uint64_t to, uint8_t *buf,
			  struct grr_mem_write w[2]);

/* The page's image: ELF headers and code (GRR_CP_CODE_OFF on), 4096 bytes
 * into PAGE.  Exposed for tests. */
void grr_clockpage_image(uint8_t page[4096]);

#endif
