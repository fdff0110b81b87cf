/* rp_exe.c - choosing the executable to replay, and extracting the one a
 * packed trace embeds (see rp_exe.h). */
#include "replayer/rp_exe.h"
#include "tracee/elfinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- extracted copies, removed when grr ends ---- */

#define MAX_EXTRACTED 32

struct extracted {
	char program[PATH_MAX];   /* recorded path */
	char build_id[256];
	char dir[PATH_MAX];       /* private directory */
	char file[PATH_MAX];      /* dir/name */
	char name[NAME_MAX + 1];
	int goamd64;
};

static struct extracted extracted[MAX_EXTRACTED];
static volatile sig_atomic_t nextracted;
static pid_t owner;               /* the process that extracted them */

/* Async-signal-safe: unlink and rmdir only. */
static void remove_extracted(void)
{
	if (getpid() != owner)
		return;  /* a forked child: the files are its parent's */
	for (int i = 0; i < nextracted; i++) {
		unlink(extracted[i].file);
		rmdir(extracted[i].dir);
	}
}

static void on_fatal_signal(int sig)
{
	remove_extracted();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void register_cleanup(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	owner = getpid();
	atexit(remove_extracted);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* only where nobody else handles it (the debugger may) */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
			struct sigaction sa = { 0 };
			sa.sa_handler = on_fatal_signal;
			sigemptyset(&sa.sa_mask);
			sigaction(sigs[i], &sa, NULL);
		}
	}
}

static const struct extracted *find_extracted(const struct grr_header *h)
{
	if (!h->build_id[0])
		return NULL;  /* nothing tells two such executables apart */
	for (int i = 0; i < nextracted; i++)
		if (strcmp(extracted[i].program, h->program) == 0 &&
		    strcmp(extracted[i].build_id, h->build_id) == 0)
			return &extracted[i];
	return NULL;
}

const char *rp_exe_path(const struct grr_header *h)
{
	const struct extracted *e = find_extracted(h);
	return e ? e->file : h->program;
}

/* ---- paths ---- */

int rp_exe_same_length_path(const char *dir, const char *program, char *run, size_t runlen,
			    char *name, size_t namelen, bool *relative)
{
	size_t len = strlen(program), dlen = strlen(dir);
	const char *slash = strrchr(program, '/');
	if (program[0] != '/' || !slash || !slash[1] || len + 1 > runlen)
		return -1;
	const char *base = slash + 1;
	size_t blen = strlen(base);
	*relative = false;
	if (len >= dlen + 1 + blen) {
		/* DIR, slashes, NAME: "/tmp/grr-ab12Cd////prog" */
		if (blen + 1 > namelen)
			return -1;
		memcpy(name, base, blen + 1);
		memcpy(run, dir, dlen);
		memset(run + dlen, '/', len - dlen - blen);
		memcpy(run + len - blen, base, blen + 1);
		return 0;
	}
	*relative = true;
	if (len >= blen + 2) {
		/* "./", slashes, NAME, from DIR */
		if (blen + 1 > namelen)
			return -1;
		memcpy(name, base, blen + 1);
		run[0] = '.';
		memset(run + 1, '/', len - blen - 1);
		memcpy(run + len - blen, base, blen + 1);
		return 0;
	}
	/* "/NAME": a name of one more byte, from DIR */
	if (blen + 2 > namelen || blen + 1 > NAME_MAX)
		return -1;
	name[0] = '_';
	memcpy(name + 1, base, blen + 1);
	memcpy(run, name, blen + 2);
	return 0;
}

/* A directory to extract into: $XDG_RUNTIME_DIR, else /tmp, if writable
 * and not mounted noexec. */
static const char *extract_base(void)
{
	const char *cands[] = { getenv("XDG_RUNTIME_DIR"), "/tmp" };
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		const char *d = cands[i];
		struct stat sb;
		struct statvfs vb;
		if (d && d[0] == '/' && stat(d, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    access(d, W_OK | X_OK) == 0 && statvfs(d, &vb) == 0 &&
		    !(vb.f_flag & ST_NOEXEC))
			return d;
	}
	return NULL;
}

static int write_file(const char *path, const uint8_t *data, uint64_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (fd < 0)
		return -1;
	uint64_t done = 0;
	while (done < len) {
		ssize_t k = write(fd, data + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		done += (uint64_t)k;
	}
	return close(fd);
}

/* Extracts the executable the trace R embeds.  Returns the new entry, or
 * NULL with ERR filled. */
static const struct extracted *extract(struct grr_reader *r, const struct grr_header *h,
				       char *err, size_t errlen)
{
	if (nextracted == MAX_EXTRACTED) {
		snprintf(err, errlen, "too many executables extracted from traces");
		return NULL;
	}
	const char *base = extract_base();
	if (!base) {
		snprintf(err, errlen, "no directory to extract the embedded executable to "
			 "($XDG_RUNTIME_DIR and /tmp are missing, read-only or noexec)");
		return NULL;
	}
	struct extracted *x = &extracted[nextracted];
	memset(x, 0, sizeof(*x));
	snprintf(x->program, sizeof(x->program), "%s", h->program);
	snprintf(x->build_id, sizeof(x->build_id), "%s", h->build_id);
	snprintf(x->dir, sizeof(x->dir), "%s/grr-XXXXXX", base);
	char run[PATH_MAX];
	bool relative;
	if (rp_exe_same_length_path(x->dir, h->program, run, sizeof(run), x->name,
				    sizeof(x->name), &relative) < 0) {
		snprintf(err, errlen, "%s: cannot run the embedded executable under a path of "
			 "this length", h->program);
		return NULL;
	}
	uint8_t *data;
	uint64_t len;
	struct grr_error e;
	int got = grr_reader_embedded_file(r, GRR_EMBED_EXE, &data, &len, &e);
	if (got <= 0) {
		snprintf(err, errlen, "%s", got < 0 ? e.msg : "the trace embeds no executable");
		return NULL;
	}
	register_cleanup();
	if (!mkdtemp(x->dir)) {
		snprintf(err, errlen, "%s: cannot create a directory: %s", base, strerror(errno));
		free(data);
		return NULL;
	}
	size_t dl = strlen(x->dir), nl = strlen(x->name);
	int rc = -1;
	errno = ENAMETOOLONG;
	if (dl + 1 + nl < sizeof(x->file)) {
		memcpy(x->file, x->dir, dl);
		x->file[dl] = '/';
		memcpy(x->file + dl + 1, x->name, nl + 1);
		rc = write_file(x->file, data, len);
	}
	free(data);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot extract the embedded executable: %s", x->file,
			 strerror(errno));
		unlink(x->file);
		rmdir(x->dir);
		return NULL;
	}
	struct grr_elfinfo ei;
	char why[512];
	if (grr_elfinfo_read(x->file, &ei, why, sizeof(why)) < 0 ||
	    strcmp(ei.build_id, h->build_id) != 0) {
		snprintf(err, errlen, "the executable embedded in the trace is not the recorded "
			 "one (build id %s, recorded %s)", ei.build_id[0] ? ei.build_id : "none",
			 h->build_id[0] ? h->build_id : "none");
		unlink(x->file);
		rmdir(x->dir);
		return NULL;
	}
	x->goamd64 = ei.goamd64;
	nextracted++;   /* from here on, removed at exit */
	return x;
}

/* ---- the other embedded files ---- */

/* Whether the file at PATH holds exactly DATA. */
static bool same_content(const char *path, const uint8_t *data, uint64_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat sb;
	bool same = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == len;
	uint8_t buf[65536];
	for (uint64_t off = 0; same && off < len;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		same = k > 0 && (uint64_t)k <= len - off && memcmp(buf, data + off, (size_t)k) == 0;
		off += k > 0 ? (uint64_t)k : 0;
	}
	close(fd);
	return same;
}

/* The loader of a cgo program is mapped by the kernel from its path; grr
 * cannot substitute it, so it must be the same as at the recording. */
static int check_other_files(struct grr_reader *r, char *err, size_t errlen)
{
	const char *const *names = grr_reader_embedded_names(r);
	for (size_t i = 0; names[i]; i++) {
		if (names[i][0] != '/')
			continue;
		uint8_t *data;
		uint64_t len;
		struct grr_error e;
		if (grr_reader_embedded_file(r, names[i], &data, &len, &e) != 1) {
			snprintf(err, errlen, "%s", e.msg);
			return -1;
		}
		bool same = same_content(names[i], data, len);
		free(data);
		if (!same) {
			snprintf(err, errlen, "%s: missing or different from the copy in the trace "
				 "(the program's dynamic loader; grr cannot substitute it)", names[i]);
			return -1;
		}
	}
	return 0;
}

/* ---- choosing ---- */

int rp_exe_choose(struct grr_reader *r, const struct grr_header *h, struct rp_exe *x,
		  char *err, size_t errlen)
{
	memset(x, 0, sizeof(*x));
	bool packed = grr_reader_is_packed(r);
	if (packed && check_other_files(r, err, errlen) < 0)
		return -1;
	struct grr_elfinfo ei;
	char why[1024];
	bool missing = access(h->program, F_OK) < 0;
	bool readable = !missing && grr_elfinfo_read(h->program, &ei, why, sizeof(why)) == 0;
	if (readable && strcmp(ei.build_id, h->build_id) == 0) {
		snprintf(x->path, sizeof(x->path), "%s", h->program);
		snprintf(x->run, sizeof(x->run), "%s", h->program);
		x->goamd64 = ei.goamd64;
		return 0;
	}
	if (!packed) {
		if (missing)
			snprintf(err, errlen, "%s: the recorded executable is missing", h->program);
		else if (!readable)
			snprintf(err, errlen, "%s", why);
		else
			snprintf(err, errlen, "%s: the executable differs from the recorded one "
				 "(build id %s, recorded %s)", h->program,
				 ei.build_id[0] ? ei.build_id : "none",
				 h->build_id[0] ? h->build_id : "none");
		return -1;
	}
	const struct extracted *e = find_extracted(h);
	if (!e && !(e = extract(r, h, err, errlen)))
		return -1;
	bool relative;
	char name[NAME_MAX + 2];
	if (rp_exe_same_length_path(e->dir, h->program, x->run, sizeof(x->run), name,
				    sizeof(name), &relative) < 0) {
		snprintf(err, errlen, "%s: cannot run the embedded executable under a path of "
			 "this length", h->program);
		return -1;
	}
	if (relative)
		snprintf(x->cwd, sizeof(x->cwd), "%s", e->dir);
	snprintf(x->path, sizeof(x->path), "%s", e->file);
	x->extracted = true;
	x->goamd64 = e->goamd64;
	return 0;
}
