/* rec_fileref.c - shared libraries' mappings stored by reference.
 *
 * A dynamically linked program's loader maps libc (and any other shared
 * library) with mmap: about 4 MB of content that replay needs, because
 * it cannot count on finding the same files.  Copying, hashing and
 * compressing it cost about 10 ms per recording and made up most of a
 * small test's trace.  Such a mapping is a read-only private mapping of
 * an ELF file, which is on the recording machine just as the executable
 * is: it is stored as a reference to the file (format/file_ref.h), which
 * the reader checks against the content's hash, and `grr pack` replaces
 * with the content.  A portable recording (--portable) and GRR_NO_FILE_REFS=1
 * store the content. */
#include "recorder/rec_private.h"
#include "tracee/envflag.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FILE_REF_MIN (64u << 10)   /* smaller mappings are stored as they are */
#define CHECK_BYTES 256            /* compared with the program's memory */

bool rec_file_refs_wanted(const struct recorder *r)
{
	return !r->opts->portable && !grr_env_flag("GRR_NO_FILE_REFS");
}

/* Whether C is an mmap whose content may be a reference: a private,
 * read-only mapping of a file, large enough to be worth it. */
static bool candidate(const struct grr_syscall_call *c)
{
	uint64_t prot = c->args[2], flags = c->args[3];
	return c->nr == SYS_mmap && c->ret >= 0 &&
	       !(flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_PRIVATE &&
	       !(prot & PROT_WRITE) && c->args[1] >= FILE_REF_MIN && (int)c->args[4] >= 0;
}

/* The path of FD (a regular ELF file) of process PID, as a path that names
 * the same file now.  0, or -1. */
static int elf_path(pid_t pid, int fd, int *ofd, struct stat *st, char *path, size_t n)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	ssize_t k = readlink(link, path, n - 1);
	if (k <= 0 || (size_t)k >= n - 1 || path[0] != '/')
		return -1;
	path[k] = 0;
	struct stat now;
	char magic[4];
	*ofd = open(link, O_RDONLY | O_CLOEXEC);
	if (*ofd < 0)
		return -1;
	if (fstat(*ofd, st) < 0 || !S_ISREG(st->st_mode) || stat(path, &now) < 0 ||
	    now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	    pread(*ofd, magic, 4, 0) != 4 || memcmp(magic, "\177ELF", 4) != 0) {
		close(*ofd);
		return -1;
	}
	return 0;
}

/* Whether the program's memory at ADDR starts and ends as DATA (LEN bytes). */
static bool matches_memory(struct recorder *r, uint64_t addr, const uint8_t *data, uint64_t len)
{
	uint8_t buf[CHECK_BYTES];
	uint64_t n = len < CHECK_BYTES ? len : CHECK_BYTES;
	return grr_mem_read(&r->mem, addr, buf, (size_t)n) == 0 && memcmp(buf, data, n) == 0 &&
	       grr_mem_read(&r->mem, addr + len - n, buf, (size_t)n) == 0 &&
	       memcmp(buf, data + len - n, n) == 0;
}

int rec_file_ref_write(struct recorder *r, struct rec_thread *t, const struct grr_syscall_call *c,
		       struct grr_mem_write *w, struct rec_file_map *map)
{
	if (!r->file_refs || !candidate(c))
		return 0;
	char path[PATH_MAX];
	struct stat st;
	int fd;
	if (elf_path(t->tid, (int)c->args[4], &fd, &st, path, sizeof(path)) < 0)
		return 0;
	uint64_t off = c->args[5], len = c->args[1];
	uint64_t in_file = (uint64_t)st.st_size > off ? (uint64_t)st.st_size - off : 0;
	/* the mapping is readable to the end of the page holding the file's
	 * last byte, zeros past it */
	uint64_t readable = (in_file + 4095) & ~4095ull;
	if (readable > len)
		readable = len;
	uint64_t file_len = in_file < readable ? in_file : readable;
	void *p = readable ? mmap(NULL, (size_t)readable, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
				  (off_t)off)
			   : MAP_FAILED;
	close(fd);
	if (p == MAP_FAILED)
		return 0;
	if (!matches_memory(r, (uint64_t)c->ret, p, readable)) {
		munmap(p, (size_t)readable);
		return 0;
	}
	if (grr_writer_file_ref(r->w, path, off, file_len, p, readable, &r->werr) < 0) {
		munmap(p, (size_t)readable);
		r->write_failed = true;
		return -1;
	}
	*w = (struct grr_mem_write){ .addr = (uint64_t)c->ret, .len = readable, .data = p };
	map->p = p;
	map->len = (size_t)readable;
	return 1;
}

void rec_file_map_release(struct rec_file_map *map)
{
	if (map->p)
		munmap(map->p, map->len);
	map->p = NULL;
}
