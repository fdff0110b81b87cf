/* syncsites.h - where a Go program synchronizes: the places chaos
 * recording defers its change points to (recorder/rec_syncpt.c).
 *
 * A change point that lands between two arbitrary instructions rarely
 * falls in the short window where an interleaving matters (a goroutine
 * between releasing one lock and taking another, a map between the
 * start and the end of a write).  Deferred to the thread's next
 * synchronization, it lands there every time.  The sites, found from the
 * symbol table and the code:
 * - the entries of the runtime's and sync's operations on channels,
 *   goroutines, wait groups, once, conditions and locks' slow paths;
 * - in the map writes (runtime.mapassign*, mapdelete*, mapclear), just
 *   after their first store, which marks the map as being written (a
 *   goroutine reading or writing the map meanwhile is a fatal error);
 * - every locked (atomic) instruction and xchg in the program's own code
 *   and the sync packages: there the fast paths of sync.Mutex, RWMutex
 *   and atomics are inlined. */
#ifndef GRR_TRACEE_SYNCSITES_H
#define GRR_TRACEE_SYNCSITES_H

#include <stddef.h>
#include <stdint.h>

#include "tracee/mem.h"
#include "tracee/symtab.h"

struct grr_syncsites {
	uint64_t *addr;        /* sorted, distinct */
	size_t n, cap;
};

/* Finds the sites of the program whose code M reads and whose functions
 * ST lists, reading at most MAX_CODE bytes of code for the locked
 * instructions.  0, or -1 (out of memory; S holds what was found). */
int grr_syncsites_find(const struct grr_mem *m, const struct grr_symtab *st, size_t max_code,
		       struct grr_syncsites *s);
void grr_syncsites_free(struct grr_syncsites *s);
/* Whether ADDR is a site. */
int grr_syncsites_has(const struct grr_syncsites *s, uint64_t addr);

/* Whether the function named NAME is the program's own code or the sync
 * packages' (not the runtime's nor the rest of the standard library's). */
int grr_syncsites_own_code(const char *name);

/* The address just after the first store to memory not addressed from
 * rsp or rbp among the N bytes of CODE at PC (in order, a linear scan),
 * or 0 if there is none. */
uint64_t grr_syncsites_after_first_store(const uint8_t *code, size_t n, uint64_t pc);

#endif
