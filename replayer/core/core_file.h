/* core_file.h - files written whole or not at all: each is written under
 * a temporary name beside its final one, then renamed (core.h). */
#ifndef GRR_REPLAYER_CORE_FILE_H
#define GRR_REPLAYER_CORE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Whether PATH can be (re)placed by a regular file: it does not exist or
 * is one.  0, or -1 with one line in ERR. */
int core_file_check_target(const char *path, char *err, size_t errlen);
/* A new, empty file beside PATH (PATH.tmp-PID[-N]), opened for writing,
 * with MODE (less the umask); its name in TMP.  The fd, or -1 (errno). */
int core_file_create(const char *path, mode_t mode, char *tmp, size_t tmplen);
/* Copies the file SRC into FD.  0, or -1 (errno). */
int core_file_copy(const char *src, int fd);
/* Closes FD, written as TMP; on a failure (or when FAILED already)
 * removes TMP.  0, or -1 (errno kept when FAILED). */
int core_file_close(int fd, const char *tmp, int failed);
/* Renames TMP to PATH, or removes TMP.  0, or -1 (errno). */
int core_file_commit(const char *tmp, const char *path);

#endif
