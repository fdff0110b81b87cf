/* core_dump.c - `dump FILE` (core.h): checks the moment, captures the
 * process (core_capture.c), writes the core file (core_writer.c) and,
 * for a program run from a packed trace's embedded copy, FILE.exe. */
#include "replayer/core/core.h"
#include "format/trace.h"
#include "replayer/core/core_capture.h"
#include "replayer/core/core_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The signal the program stands at: at the end of a recording killed by
 * one (status 128+N, the ending thread not in exit_group), N. */
static int stop_signal(struct grr_replay *rp, const struct grr_ctl_pos *pos)
{
	if (!pos->at_end || pos->cut_short || pos->exit_status <= 128)
		return 0;
	struct grr_thread_state *st = malloc(sizeof(*st));
	int sig = 0;
	if (st && grr_replay_thread_state(rp, pos->tid, st) == 0 &&
	    st->regs.orig_rax != SYS_exit_group)
		sig = pos->exit_status - 128;
	free(st);
	return sig;
}

/* PATH made absolute (for NT_FILE: where the tools will look). */
static int absolute(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];
	int k;
	if (path[0] == '/')
		k = snprintf(out, len, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		k = snprintf(out, len, "%s/%s", cwd, path);
	else
		return -1;
	return k < 0 || (size_t)k >= len ? -1 : 0;
}

/* Copies the executable the program runs (SRC) into a new file beside
 * EXE, named in TMP.  0, or -1 with ERR. */
static int write_exe(const char *src, const char *exe, char *tmp, size_t tmplen, char *err,
		     size_t errlen)
{
	int fd = core_file_create(exe, 0755, tmp, tmplen);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", exe, strerror(errno));
		return -1;
	}
	if (core_file_close(fd, tmp, core_file_copy(src, fd) < 0) < 0) {
		snprintf(err, errlen, "%s: cannot write the executable: %s", exe, strerror(errno));
		return -1;
	}
	return 0;
}

/* Writes the core file of CAP into a new file beside PATH, named in TMP.
 * 0, or -1 with ERR. */
static int write_core(struct core_capture *cap, const char *path, char *tmp, size_t tmplen,
		      struct grr_core_result *res, char *err, size_t errlen)
{
	char why[256];
	int fd = core_file_create(path, 0644, tmp, tmplen);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	struct core_stats st;
	int failed = core_write(fd, &cap->im, &st, why, sizeof(why)) < 0;
	if (core_file_close(fd, tmp, failed) < 0) {
		snprintf(err, errlen, "%s: cannot write the core file: %s", path,
			 failed ? why : strerror(errno));
		return -1;
	}
	res->nthreads = cap->im.nthreads;
	res->nsegs = st.nsegs;
	res->file_size = st.file_size;
	res->written = st.written;
	res->unreadable = st.unreadable;
	return 0;
}

int grr_core_dump(struct grr_ctl *c, const char *path, uint32_t first,
		  struct grr_core_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	struct grr_ctl_pos pos;
	grr_ctl_where(c, &pos);
	if (grr_ctl_broken(c) || pos.no_process) {
		snprintf(err, errlen, "no process at this moment to write a core file of%s",
			 grr_ctl_broken(c) ? " (the replay failed; restart first)" : "");
		return -1;
	}
	if (core_file_check_target(path, err, errlen) < 0)
		return -1;
	struct grr_replay *rp = grr_ctl_replay(c);
	/* the program runs from a packed trace's copy: FILE.exe beside */
	const char *run = grr_replay_program(rp);
	bool embedded = strcmp(run, grr_replay_header(rp)->program) != 0;
	char exe[PATH_MAX], exe_abs[PATH_MAX];
	if (embedded) {
		int k = snprintf(exe, sizeof(exe), "%s.exe", path);
		if (k < 0 || (size_t)k >= sizeof(exe) || absolute(exe, exe_abs, sizeof(exe_abs)) < 0) {
			snprintf(err, errlen, "%s: file name too long", path);
			return -1;
		}
		if (core_file_check_target(exe, err, errlen) < 0)
			return -1;
	}
	struct core_capture cap;
	if (core_capture(rp, first ? first : grr_ctl_current_tid(c), stop_signal(rp, &pos),
			 embedded ? exe_abs : NULL, &cap, err, errlen) < 0)
		return -1;
	char tmp[PATH_MAX + 32], exe_tmp[PATH_MAX + 32];
	int rc = write_core(&cap, path, tmp, sizeof(tmp), res, err, errlen);
	core_capture_free(&cap);
	if (rc == 0 && embedded &&
	    write_exe(run, exe, exe_tmp, sizeof(exe_tmp), err, errlen) < 0) {
		unlink(tmp);
		rc = -1;
	}
	if (rc == 0 && embedded && core_file_commit(exe_tmp, exe) < 0) {
		snprintf(err, errlen, "%s: %s", exe, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	if (rc == 0 && core_file_commit(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		return -1;
	if (embedded)
		snprintf(res->exe_copy, sizeof(res->exe_copy), "%s", exe);
	res->seq = pos.seq;
	return rc;
}
