/* core_file.c - writing a file under a temporary name, then renaming it
 * (core_file.h). */
#include "replayer/core/core_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int core_file_check_target(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (!*path) {
		snprintf(err, errlen, "no file name");
		return -1;
	}
	if (stat(path, &sb) < 0)
		return 0;
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	return 0;
}

int core_file_create(const char *path, mode_t mode, char *tmp, size_t tmplen)
{
	for (int i = 0; i < 100; i++) {
		int k = i ? snprintf(tmp, tmplen, "%s.tmp-%d-%d", path, (int)getpid(), i)
			  : snprintf(tmp, tmplen, "%s.tmp-%d", path, (int)getpid());
		if (k < 0 || (size_t)k >= tmplen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int core_file_copy(const char *src, int fd)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	size_t cap = 1 << 20;
	uint8_t *buf = malloc(cap);
	int rc = buf ? 0 : -1;
	while (rc == 0) {
		ssize_t k = read(in, buf, cap);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = k < 0 ? -1 : 0;
			break;
		}
		for (ssize_t done = 0; done < k && rc == 0;) {
			ssize_t w = write(fd, buf + done, (size_t)(k - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				if (w == 0)
					errno = ENOSPC;
				rc = -1;
			} else {
				done += w;
			}
		}
		if (rc < 0)
			break;
	}
	int e = errno;
	free(buf);
	close(in);
	errno = e;
	return rc;
}

int core_file_close(int fd, const char *tmp, int failed)
{
	int e = errno;
	int rc = close(fd);
	if (!failed && rc == 0)
		return 0;
	if (failed)
		errno = e;
	e = errno;
	unlink(tmp);
	errno = e;
	return -1;
}

int core_file_commit(const char *tmp, const char *path)
{
	if (rename(tmp, path) == 0)
		return 0;
	int e = errno;
	unlink(tmp);
	errno = e;
	return -1;
}
