/* counter_note.h - the NOTE event the recorder writes after an anchor of a
 * program with grr's clock page or syscall buffer: the pages' counters at
 * the anchor (clock values read, buffered syscalls made so far).  Both
 * words are part of the anchor's memory digest, so a replay candidate
 * whose counters differ cannot match: the replayer reads the note ahead
 * and compares the two words before computing a digest.  Threads that
 * spin (a runtime.Gosched loop) come back to the anchor's pc with the same
 * registers many times, each time a digest otherwise.  A note, so that
 * every version reads the trace: one that does not know it prints it. */
#ifndef GRR_FORMAT_COUNTER_NOTE_H
#define GRR_FORMAT_COUNTER_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the note's text into BUF (of LEN bytes). */
void grr_counter_note_format(char *buf, size_t len, uint64_t clock, uint64_t syscalls);

/* Whether TEXT is such a note; if so, *CLOCK and *SYSCALLS get its figures. */
bool grr_counter_note_parse(const char *text, uint64_t *clock, uint64_t *syscalls);

#endif
