/* mem.h - reading and writing a tracee's memory.
 *
 * Reads use process_vm_readv (fast, one syscall for many pages) and fall
 * back to /proc/PID/mem for pages the tracee cannot read itself; writes go
 * through /proc/PID/mem, which may write read-only (code) pages. */
#ifndef GRR_TRACEE_MEM_H
#define GRR_TRACEE_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct grr_mem {
	pid_t pid;
	int fd;        /* /proc/PID/mem, opened O_RDWR */
};

int grr_mem_open(struct grr_mem *m, pid_t pid);
void grr_mem_close(struct grr_mem *m);
/* Reads exactly LEN bytes; returns 0, or -1 if any byte is unreadable. */
int grr_mem_read(const struct grr_mem *m, uint64_t addr, void *buf, size_t len);
/* Reads as many bytes as possible from ADDR; returns the count (0..len). */
size_t grr_mem_read_partial(const struct grr_mem *m, uint64_t addr, void *buf,
			    size_t len);
int grr_mem_write(const struct grr_mem *m, uint64_t addr, const void *buf,
		  size_t len);
/* Adapter for grr_read_mem_fn (syscalls.h): ctx is a struct grr_mem. */
int grr_mem_read_cb(void *ctx, uint64_t addr, void *buf, size_t len);

#endif
