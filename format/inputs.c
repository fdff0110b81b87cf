/* inputs.c - what a trace holds from outside the program (see inputs.h). */
#include "format/inputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "format/input_note.h"
#include "format/sysbuf_ring.h"

#define MAX_FD (1 << 20)            /* higher descriptors are not followed */
#define F_DUPFD_ 0
#define F_DUPFD_CLOEXEC_ 1030
#define CLOSE_RANGE_CLOEXEC_ 4

/* FD_INTERNAL: an eventfd, timerfd, epoll or the like, whose reads bring
 * nothing from outside */
enum fd_kind { FD_NONE, FD_STDIN, FD_INHERITED, FD_FILE, FD_SOCKET, FD_PIPE, FD_INTERNAL };

struct fdent {
	uint8_t kind;
	int32_t input;                  /* index in the list, -1 if none */
};

/* A thread's last SYSCALL_ENTER. */
struct pending {
	uint32_t tid;
	uint32_t nr;
	uint64_t args[6];
};

struct scan {
	struct grr_inputs *in;
	struct fdent *fds;
	size_t nfds;
	struct pending *pend;
	size_t npend, cappend;
	/* a descriptor just opened or connected, whose name the next event
	 * (the recorder's note) gives */
	bool naming;
	uint32_t naming_tid;
	enum grr_input_kind naming_kind;
	int64_t naming_fd;              /* -1: a failed connect, the note only */
};

static struct fdent *fd_at(struct scan *s, uint64_t fd)
{
	if (fd >= MAX_FD)
		return NULL;
	if (fd >= s->nfds) {
		size_t n = s->nfds ? s->nfds : 64;
		while (n <= fd)
			n *= 2;
		struct fdent *v = realloc(s->fds, n * sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = s->nfds; i < n; i++)
			v[i] = (struct fdent){ FD_NONE, -1 };
		s->fds = v;
		s->nfds = n;
	}
	return &s->fds[fd];
}

static int set_fd(struct scan *s, uint64_t fd, enum fd_kind kind, int32_t input)
{
	struct fdent *e = fd_at(s, fd);
	if (e)
		*e = (struct fdent){ (uint8_t)kind, input };
	return e || fd >= MAX_FD ? 0 : -1;
}

/* The input of KIND named NAME, added if new; its index or -1. */
static int32_t input_of(struct grr_inputs *in, enum grr_input_kind kind, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->v[i].kind == kind && !strcmp(in->v[i].name, name))
			return (int32_t)i;
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;
		struct grr_input *v = realloc(in->v, cap * sizeof(*v));
		if (!v)
			return -1;
		in->v = v;
		in->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -1;
	in->v[in->n] = (struct grr_input){ .kind = kind, .name = copy };
	return (int32_t)in->n++;
}

static void account(struct scan *s, uint64_t fd, uint64_t n)
{
	struct fdent *e = fd < s->nfds ? &s->fds[fd] : NULL;
	if (e && e->input >= 0)
		s->in->v[e->input].bytes += n;
	else if (e && e->kind == FD_STDIN)
		s->in->stdin_bytes += n;
	else if (e && e->kind == FD_PIPE)
		s->in->pipe_bytes += n;
	else if (e && e->kind == FD_INTERNAL)
		return;
	else
		s->in->other_bytes += n;
}

static struct pending *pending_of(struct scan *s, uint32_t tid, bool add)
{
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].tid == tid)
			return &s->pend[i];
	if (!add)
		return NULL;
	if (s->npend == s->cappend) {
		size_t cap = s->cappend ? s->cappend * 2 : 16;
		struct pending *v = realloc(s->pend, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->pend = v;
		s->cappend = cap;
	}
	s->pend[s->npend] = (struct pending){ .tid = tid };
	return &s->pend[s->npend++];
}

/* The memory write of EV at ADDR, if any. */
static const struct grr_mem_write *write_at(const struct grr_event *ev, uint64_t addr)
{
	for (uint32_t i = 0; addr && i < ev->u.exit.nwrites; i++)
		if (ev->u.exit.writes[i].addr == addr && ev->u.exit.writes[i].data)
			return &ev->u.exit.writes[i];
	return NULL;
}

/* The two descriptors pipe, pipe2 and socketpair stored at ADDR. */
static int new_pipe(struct scan *s, const struct grr_event *ev, uint64_t addr)
{
	const struct grr_mem_write *w = write_at(ev, addr);
	if (!w || w->len < 8)
		return 0;
	int32_t fd[2];
	memcpy(fd, w->data, 8);
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0 && set_fd(s, (uint64_t)fd[i], FD_PIPE, -1) < 0)
			return -1;
	return 0;
}

/* A socket from accept, or data from recvfrom: the peer whose address is
 * at ADDR (if the kernel wrote it), else -1. */
static int32_t peer_at(struct scan *s, const struct grr_event *ev, uint64_t addr)
{
	const struct grr_mem_write *w = write_at(ev, addr);
	if (!w)
		return -1;
	char name[256];
	grr_sockaddr_format(w->data, w->len, name, sizeof(name));
	return input_of(s->in, GRR_INPUT_PEER, name);
}

static int copy_fd(struct scan *s, uint64_t from, int64_t to)
{
	if (to < 0)
		return 0;
	struct fdent e = from < s->nfds ? s->fds[from] : (struct fdent){ FD_NONE, -1 };
	return set_fd(s, (uint64_t)to, (enum fd_kind)e.kind, e.input);
}

static int on_syscall_exit(struct scan *s, const struct grr_event *ev)
{
	struct pending *p = pending_of(s, ev->tid, false);
	if (!p || p->nr != ev->u.exit.nr)
		return 0;
	p->nr = UINT32_MAX;
	const uint64_t *a = p->args;
	int64_t ret = ev->u.exit.ret;
	switch (ev->u.exit.nr) {
	case SYS_open: case SYS_openat: case SYS_openat2: case SYS_creat:
		if (ret >= 0) {
			s->naming = true;
			s->naming_tid = ev->tid;
			s->naming_kind = GRR_INPUT_FILE;
			s->naming_fd = ret;
		}
		return 0;
	case SYS_connect:
		s->naming = true;
		s->naming_tid = ev->tid;
		s->naming_kind = GRR_INPUT_PEER;
		s->naming_fd = ret == 0 || ret == -EINPROGRESS ? (int64_t)a[0] : -1;
		return 0;
	case SYS_socket:
		return ret >= 0 ? set_fd(s, (uint64_t)ret, FD_SOCKET, -1) : 0;
	case SYS_eventfd: case SYS_eventfd2: case SYS_timerfd_create: case SYS_epoll_create:
	case SYS_epoll_create1: case SYS_memfd_create: case SYS_userfaultfd:
		return ret >= 0 ? set_fd(s, (uint64_t)ret, FD_INTERNAL, -1) : 0;
	case SYS_accept: case SYS_accept4:
		if (ret >= 0) {
			int32_t in = peer_at(s, ev, a[1]);
			if (in >= 0)
				s->in->v[in].opens++;
			return set_fd(s, (uint64_t)ret, FD_SOCKET, in);
		}
		return 0;
	case SYS_pipe: case SYS_pipe2:
		return ret == 0 ? new_pipe(s, ev, a[0]) : 0;
	case SYS_socketpair:
		return ret == 0 ? new_pipe(s, ev, a[3]) : 0;
	case SYS_dup:
		return ret >= 0 ? copy_fd(s, a[0], ret) : 0;
	case SYS_dup2: case SYS_dup3:
		return ret >= 0 ? copy_fd(s, a[0], (int64_t)a[1]) : 0;
	case SYS_fcntl:
		return ret >= 0 && (a[1] == F_DUPFD_ || a[1] == F_DUPFD_CLOEXEC_) ? copy_fd(s, a[0], ret)
										    : 0;
	case SYS_close:
		if (ret == 0 && a[0] < s->nfds)
			s->fds[a[0]] = (struct fdent){ FD_NONE, -1 };
		return 0;
	case SYS_close_range:
		if (ret == 0 && !(a[2] & CLOSE_RANGE_CLOEXEC_))
			for (uint64_t fd = a[0]; fd <= a[1] && fd < s->nfds; fd++)
				s->fds[fd] = (struct fdent){ FD_NONE, -1 };
		return 0;
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
	case SYS_recvmsg:
		if (ret > 0)
			account(s, a[0], (uint64_t)ret);
		return 0;
	case SYS_recvfrom:
		if (ret > 0) {
			struct fdent *e = a[0] < s->nfds ? &s->fds[a[0]] : NULL;
			int32_t in = e && e->input >= 0 ? -1 : peer_at(s, ev, a[4]);
			if (in >= 0)
				s->in->v[in].bytes += (uint64_t)ret;
			else
				account(s, a[0], (uint64_t)ret);
		}
		return 0;
	case SYS_mmap:
		/* a file's mapping: its contents are in the trace */
		if (ret >= 0 && !(a[3] & MAP_ANONYMOUS) && (int64_t)a[4] >= 0)
			account(s, a[4], a[1]);
		return 0;
	default:
		return 0;
	}
}

/* The descriptor opened or connected just before EV gets its name: from
 * EV if it is the recorder's note, else none. */
static int settle_naming(struct scan *s, const struct grr_event *ev, bool *consumed)
{
	const char *name = "";
	*consumed = false;
	if (ev && ev->kind == GRR_EV_NOTE && ev->tid == s->naming_tid) {
		const char *v;
		enum grr_input_note k = grr_input_note_parse(ev->u.note.text, &v);
		if ((k == GRR_INPUT_NOTE_FILE && s->naming_kind == GRR_INPUT_FILE) ||
		    (k == GRR_INPUT_NOTE_PEER && s->naming_kind == GRR_INPUT_PEER)) {
			name = v;
			*consumed = true;
		}
	}
	s->naming = false;
	if (s->naming_fd < 0)
		return 0;
	int32_t in = input_of(s->in, s->naming_kind, name);
	if (in < 0)
		return -1;
	s->in->v[in].opens++;
	return set_fd(s, (uint64_t)s->naming_fd,
		      s->naming_kind == GRR_INPUT_FILE ? FD_FILE : FD_SOCKET, in);
}

/* A buffered openat's file, named by the path its record carries. */
static int buffered_open(struct scan *s, const struct grr_sb_record *rec)
{
	const char *path = "(unreadable path)";
	if (rec->len > 0 && rec->data && rec->data[rec->len - 1] == 0)
		path = (const char *)rec->data;
	int32_t in = input_of(s->in, GRR_INPUT_FILE, path);
	if (in < 0)
		return -1;
	s->in->v[in].opens++;
	return set_fd(s, (uint64_t)rec->ret, FD_FILE, in);
}

static int on_buffered(struct scan *s, const struct grr_event *ev)
{
	for (uint32_t i = 0; i < ev->u.exit.nwrites; i++) {
		size_t off = 0;
		struct grr_sb_record rec;
		while (grr_sb_record_next(&ev->u.exit.writes[i], &off, &rec) == 1) {
			if (rec.nr == SYS_read && rec.ret > 0)
				account(s, rec.arg0, (uint64_t)rec.ret);
			if (rec.nr == SYS_close && rec.ret == 0 && rec.arg0 < s->nfds)
				s->fds[rec.arg0] = (struct fdent){ FD_NONE, -1 };
			if (rec.nr == SYS_openat && rec.ret >= 0 && buffered_open(s, &rec) < 0)
				return -1;
		}
	}
	return 0;
}

static int on_event(struct scan *s, const struct grr_event *ev)
{
	if (s->naming) {
		bool consumed;
		if (settle_naming(s, ev, &consumed) < 0)
			return -1;
		if (consumed)
			return 0;
	}
	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER: {
		struct pending *p = pending_of(s, ev->tid, true);
		if (!p)
			return -1;
		p->nr = ev->u.enter.nr;
		memcpy(p->args, ev->u.enter.args, sizeof(p->args));
		return 0;
	}
	case GRR_EV_SYSCALL_EXIT:
		return on_syscall_exit(s, ev);
	case GRR_EV_BUFFERED:
		return ev->u.exit.nr == 0 ? on_buffered(s, ev) : 0;
	default:
		return 0;
	}
}

int grr_inputs_scan(struct grr_reader *r, struct grr_inputs *in, struct grr_error *err)
{
	memset(in, 0, sizeof(*in));
	struct scan s = { .in = in };
	int rc = -1;
	if (set_fd(&s, 0, FD_STDIN, -1) < 0 || set_fd(&s, 1, FD_INHERITED, -1) < 0 ||
	    set_fd(&s, 2, FD_INHERITED, -1) < 0)
		goto oom;
	if (grr_reader_seek(r, 0, err) < 0)
		goto out;
	struct grr_event ev;
	int got;
	while ((got = grr_reader_next(r, &ev, err)) == 1)
		if (on_event(&s, &ev) < 0)
			goto oom;
	if (got < 0)
		goto out;
	bool consumed;
	if (s.naming && settle_naming(&s, NULL, &consumed) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
out:
	free(s.fds);
	free(s.pend);
	return rc;
}

void grr_inputs_free(struct grr_inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->v[i].name);
	free(in->v);
	memset(in, 0, sizeof(*in));
}
