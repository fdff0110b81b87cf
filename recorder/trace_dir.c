/* trace_dir.c - default trace locations (see trace_dir.h). */
#include "recorder/trace_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int grr_trace_dir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("GRR_TRACE_DIR");
	const char *home = getenv("HOME");
	if (env && *env)
		snprintf(dir, len, "%s", env);
	else if (home && *home)
		snprintf(dir, len, "%s/.local/share/grr", home);
	else
		snprintf(dir, len, "/tmp/grr-traces");
	if (mkdir_p(dir) < 0) {
		snprintf(err, errlen, "%s: cannot create trace directory: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int grr_trace_dir_create(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path) || !*path) {
		snprintf(err, errlen, "%s: bad directory name", dir);
		return -1;
	}
	if (mkdir_p(path) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s", dir, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	return 0;
}

int grr_trace_new_path(const char *dir, const char *program, char *path, size_t len)
{
	const char *base = strrchr(program, '/');
	base = base ? base + 1 : program;
	for (int n = 0; n < 1000000; n++) {
		snprintf(path, len, "%s/%s-%d.grr", dir, base, n);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			close(fd);  /* reserved; the writer truncates it */
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

void grr_trace_set_latest(const char *dir, const char *path)
{
	char link[4096], tmp[4096];
	snprintf(link, sizeof(link), "%s/latest-trace", dir);
	snprintf(tmp, sizeof(tmp), "%s/.latest-trace.%d", dir, (int)getpid());
	unlink(tmp);
	if (symlink(path, tmp) == 0 && rename(tmp, link) < 0)
		unlink(tmp);
}
