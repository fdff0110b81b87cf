/* mem.c - tracee memory access (see mem.h). */
#include "tracee/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

int grr_mem_open(struct grr_mem *m, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	m->pid = pid;
	m->fd = open(path, O_RDWR | O_CLOEXEC);
	return m->fd < 0 ? -1 : 0;
}

void grr_mem_close(struct grr_mem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static size_t read_vm(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n < 0 ? 0 : (size_t)n;
}

static size_t read_procmem(int fd, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(addr + done));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

size_t grr_mem_read_partial(const struct grr_mem *m, uint64_t addr, void *buf,
			    size_t len)
{
	size_t done = read_vm(m->pid, addr, buf, len);
	if (done < len && m->fd >= 0)
		done += read_procmem(m->fd, addr + done, (char *)buf + done, len - done);
	return done;
}

int grr_mem_read(const struct grr_mem *m, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (grr_mem_read_partial(m, addr, buf, len) == len)
		return 0;
	errno = EFAULT;
	return -1;
}

int grr_mem_write(const struct grr_mem *m, uint64_t addr, const void *buf,
		  size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(m->fd, (const char *)buf + done, len - done,
				   (off_t)(addr + done));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				errno = EFAULT;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int grr_mem_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return grr_mem_read((const struct grr_mem *)ctx, addr, buf, len);
}
