/* dirty.h - which pages of a tracee were written since grr last looked.
 *
 * A userfaultfd in asynchronous write-protect mode (Linux >= 6.7) covers
 * the tracee's private writable memory; the kernel clears a page's
 * protection at its first write, by the program, by the kernel on the
 * program's behalf (a read(2) into a buffer) or by grr through
 * /proc/PID/mem, without stopping anyone.  The PAGEMAP_SCAN ioctl on
 * /proc/PID/pagemap then lists the written pages and protects them again
 * in one step.  A page that MADV_DONTNEED dropped counts as written.
 *
 * The userfaultfd must be created by the tracee itself (it belongs to the
 * creator's address space): grr makes the tracee call userfaultfd(2),
 * takes a copy of the descriptor with pidfd_getfd(2) and makes the tracee
 * close its own, so that the program's descriptor numbers are untouched. */
#ifndef GRR_TRACEE_DIRTY_H
#define GRR_TRACEE_DIRTY_H

#include <stdint.h>
#include <sys/types.h>

#include "format/trace.h"
#include "tracee/mem.h"

struct grr_dirty {
	int uffd;      /* grr's copy; -1: no tracking */
	int pagemap;   /* /proc/PID/pagemap */
	pid_t pid;
};

/* A growable list of address ranges. */
struct grr_range_list {
	struct grr_range *v;
	uint32_t n, cap;
};

int grr_range_list_add(struct grr_range_list *l, uint64_t addr, uint64_t len);
void grr_range_list_free(struct grr_range_list *l);

/* Starts tracking for the process of TID (a stopped thread grr can make
 * run a syscall).  Returns 0, or -1 (D unusable; *WHY says why). */
int grr_dirty_open(struct grr_dirty *d, const struct grr_mem *m, pid_t tid,
		   const char **why);

/* The same with a userfaultfd the tracee already holds as descriptor
 * TRACEE_FD (the tracee keeps it). */
int grr_dirty_adopt(struct grr_dirty *d, pid_t pid, int tracee_fd, const char **why);

void grr_dirty_close(struct grr_dirty *d);

/* Covers [START, END) (one whole mapping) and protects all of it: from
 * now on its writes are seen.  Returns 0 or -1. */
int grr_dirty_track(struct grr_dirty *d, uint64_t start, uint64_t end);

/* Stops covering [START, END): its writes are no longer seen, nor
 * trapped.  Errors are ignored (a page left protected costs one minor
 * fault at its next write, nothing else). */
void grr_dirty_untrack(struct grr_dirty *d, uint64_t start, uint64_t end);

/* Appends to OUT the pages of [START, END) (one whole mapping) written
 * since they were last protected, and protects them again.  Returns 0; 1
 * if the mapping is not covered (new since the last look: track it, and
 * read all of it); -1 on error. */
int grr_dirty_collect(struct grr_dirty *d, uint64_t start, uint64_t end,
		      struct grr_range_list *out);

#endif
