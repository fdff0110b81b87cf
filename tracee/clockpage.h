/* clockpage.h - grr's clock page: reading the clock and the TSC without a
 * ptrace stop, in recording and in replay.
 *
 * Go reads the clock through the vDSO (time.Now, nanotime: hundreds of
 * thousands of calls in a busy server) and the TSC in runtime.cputicks.
 * Hiding the vDSO makes each read a syscall, two ptrace stops.  Instead grr
 * maps a page of its own (below 0x400000), before the program's first
 * instruction, in recording and replay alike, and makes it the program's
 * vDSO (AT_SYSINFO_EHDR): an ELF image exporting __vdso_clock_gettime.
 * runtime.cputicks is patched to jump into the page too.
 *
 * While recording (mode word 1) the page's code calls the kernel's real
 * vDSO (or executes RDTSC) and appends the value to a ring of slots; grr
 * collects the new slots at the thread's next stop and logs them as a
 * BUFFERED event (memory writes into the slots).  At replay (mode word 0)
 * the replayer writes those slots back when it reaches the event, before
 * the thread runs on, and the same code reads them.  Every nslots
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

/* The page's place and size.  Two layouts exist: the first, 16 KiB at
 * 0x3fc000 with 128 slots, is how traces of format 1.1 have it (replayed
 * as recorded); grr records with the second, 76 KiB at 0x3ed000 with 2048
 * slots (header flag GRR_HDR_CLOCKRING, format 1.2), which stops for a
 * getpid 16 times less often.  Both sit just below a static Go program's
 * text (0x400000), free in every non-PIE Go executable, and checked
 * before use.  Within one: the code page (ELF headers, then the code at
 * GRR_CP_CODE_OFF), the data page (counter, mode, real vDSO function,
 * saved sp), the slots from the data page + 0x1000, a stack page. */
struct grr_cp_layout {
	uint64_t addr, len;
	uint32_t nslots;
	/* the layout's code in grr (clockpage_code.S) */
	const uint8_t *code, *code_end;
	const uint8_t *clock_gettime, *clock_rec_begin, *clock_rec_end;
	const uint8_t *cputicks, *tsc_rec_begin, *tsc_rec_end;
};
/* The second layout (RING2) or the first. */
const struct grr_cp_layout *grr_cp_layout(bool ring2);

#define GRR_CP_CODE_OFF     0x200ull
#define GRR_CP_SLOT_SIZE    32u
#define GRR_CP_MAX_SLOTS    2048u
static inline uint64_t grr_cp_data(const struct grr_cp_layout *l) { return l->addr + 0x1000; }
/* The value counter: the only part of the data anchors digest. */
static inline uint64_t grr_cp_index(const struct grr_cp_layout *l) { return grr_cp_data(l); }
static inline uint64_t grr_cp_slots(const struct grr_cp_layout *l) { return grr_cp_data(l) + 0x1000; }
/* Left out of anchor digests: all of the data but the counter. */
static inline uint64_t grr_cp_excluded_addr(const struct grr_cp_layout *l)
{
	return grr_cp_data(l) + 8;
}
static inline uint64_t grr_cp_excluded_len(const struct grr_cp_layout *l)
{
	return l->addr + l->len - grr_cp_excluded_addr(l);
}

/* What a tracee's clock page is wired to. */
struct grr_clockpage {
	bool active;
	const struct grr_cp_layout *lay;
	uint64_t cputicks;          /* runtime.cputicks, patched */
	uint64_t vdso_lo, vdso_hi;  /* the kernel's vDSO text (recording only) */
	bool loader;                /* a dynamically linked program: its loader and C
				       library, whose RDTSC are not checked, run
				       before the program's entry point, with the
				       TSC still trapped (recorder/rec_clock.c) */
};

/* runtime.cputicks (an assembly function: "runtime.cputicks.abi0" in the
 * symbol table), or NULL. */
const struct grr_symbol *grr_clockpage_cputicks(const struct grr_symtab *syms);

/* Whether PROGRAM's code can use the page of layout LAY: its
 * runtime.cputicks is the only RDTSC/RDTSCP in the executable mappings of
 * PID below 4 GiB (read through M: the program's own; the dynamic
 * loader's, high up, are not checked, and set *CP's loader), and the
 * page's address range is free.  Fills *CP's
 * layout and cputicks.  On a "no", a short reason in WHY. */
bool grr_clockpage_usable(const struct grr_mem *m, pid_t pid, const struct grr_symtab *syms,
			  const struct grr_cp_layout *lay, struct grr_clockpage *cp,
			  const char **why);

/* Maps and fills the page of CP's layout in the stopped thread TID (at its first
 * instruction), patches runtime.cputicks, and points the auxiliary vector
 * entry at AUXV_SLOT (the address of AT_SYSINFO_EHDR's value) at it.
 * RECORDING: the page calls the real vDSO, found in PID's [vdso] mapping.
 * Returns 0, or -1 with a reason in WHY. */
int grr_clockpage_install(const struct grr_mem *m, pid_t tid, struct grr_clockpage *cp,
			  bool recording, const char **why);

/* Whether PC is in code that only runs while recording (the page's
 * record-only spans, the kernel's vDSO). */
bool grr_clockpage_record_only(const struct grr_clockpage *cp, uint64_t pc);
/* Whether PC is anywhere in the page's code, or in the kernel's vDSO it
 * calls: a thread is not anchored there (the recorder runs it out), since
 * the replay has no symbols for that code and its states are not all
 * alike in both modes. */
bool grr_clockpage_code(const struct grr_clockpage *cp, uint64_t pc);

/* The slots of layout LAY holding values FROM..TO-1 (TO - FROM <=
 * LAY->nslots) as at most two memory writes, data read from M into BUF
 * (LAY->nslots * GRR_CP_SLOT_SIZE bytes).  Returns the number of writes,
 * or -1. */
int grr_clockpage_collect(const struct grr_mem *m, const struct grr_cp_layout *lay,
			  uint64_t from, uint64_t to, uint8_t *buf, struct grr_mem_write w[2]);

/* The code page of layout LAY: ELF headers and code (GRR_CP_CODE_OFF on),
 * 4096 bytes into PAGE.  Exposed for tests. */
void grr_clockpage_image(const struct grr_cp_layout *lay, uint8_t page[4096]);

#endif
