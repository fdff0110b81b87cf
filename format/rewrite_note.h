/* rewrite_note.h - the NOTE event the recorder writes after an anchor whose
 * digest it computed from the written pages: how many pages the program
 * had written since the digest before it, of how many.  The replayer reads
 * it ahead of time to choose how to compute the same digests (a program
 * that rewrites most of its memory between two anchors is better digested
 * in full than tracked page by page).  A note, so that traces stay
 * readable by every version: one that does not know it prints it. */
#ifndef GRR_FORMAT_REWRITE_NOTE_H
#define GRR_FORMAT_REWRITE_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the note's text into BUF (of LEN bytes). */
void grr_rewrite_note_format(char *buf, size_t len, uint64_t written, uint64_t pages);

/* Whether TEXT is such a note; if so, *WRITTEN and *PAGES get its figures. */
bool grr_rewrite_note_parse(const char *text, uint64_t *written, uint64_t *pages);

#endif
