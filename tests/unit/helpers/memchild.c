/* memchild.c - a process whose memory test_digester.c changes by command
 * and digests from outside.  Built without sanitizers (their shadow
 * mappings span terabytes).  Reads commands from stdin and answers each
 * with one byte on stdout; its first answer is the descriptor number of a
 * userfaultfd it made for the digester to adopt. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct memcmd {
	char op;        /* w m u d p k q */
	uint8_t byte;   /* w: value; p: protection */
	uint64_t addr, len;
};

static void run(const struct memcmd *c)
{
	void *p = (void *)(uintptr_t)c->addr;
	switch (c->op) {
	case 'w': /* user write */
		memset(p, c->byte, c->len);
		break;
	case 'm': /* a fresh mapping */
		mmap(p, c->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case 'u':
		munmap(p, c->len);
		break;
	case 'd':
		madvise(p, c->len, MADV_DONTNEED);
		break;
	case 'p':
		mprotect(p, c->len, c->byte);
		break;
	case 'k': { /* the kernel writes: a read(2) into the buffer */
		int fd = open("/proc/self/exe", O_RDONLY);
		if (fd >= 0) {
			if (read(fd, p, c->len) < 0)
				_exit(3);
			close(fd);
		}
		break;
	}
	}
}

int main(void)
{
	int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	uint8_t fd = u < 0 ? 255 : (uint8_t)u;
	if (write(1, &fd, 1) != 1)
		return 1;
	struct memcmd c;
	while (read(0, &c, sizeof(c)) == sizeof(c) && c.op != 'q') {
		run(&c);
		if (write(1, "k", 1) != 1)
			return 1;
	}
	return 0;
}
