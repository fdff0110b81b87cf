/* rp_vet.c - before replay starts, the whole log is read once (without
 * blob contents) and checked against the replay sandbox (tracee/
 * sandbox.h): every call the log would have replay run for real must be
 * one the sandbox lets into the kernel, as replay will make it (a file's
 * mmap as anonymous memory).  A CLONE event must follow a thread's clone
 * (a process clone would run for real), and no execve may succeed.  A
 * trace that asks for more is refused here, with one line; the kernel's
 * filter would stop it later anyway, but only after the replay began. */
#include "replayer/rp_private.h"
#include "tracee/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* A thread's last SYSCALL_ENTER. */
struct last_enter {
	uint32_t tid;
	uint32_t nr;
	uint64_t args[6];
};

struct vet {
	struct last_enter *v;
	size_t n, cap;
};

static struct last_enter *last_of(struct vet *vt, uint32_t tid, bool add)
{
	for (size_t i = 0; i < vt->n; i++)
		if (vt->v[i].tid == tid)
			return &vt->v[i];
	if (!add)
		return NULL;
	if (vt->n == vt->cap) {
		size_t cap = vt->cap ? vt->cap * 2 : 16;
		struct last_enter *v = realloc(vt->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		vt->v = v;
		vt->cap = cap;
	}
	vt->v[vt->n] = (struct last_enter){ .tid = tid, .nr = UINT32_MAX };
	return &vt->v[vt->n++];
}

/* Whether EV is acceptable; if not, why in ERR. */
static bool vet_event(struct vet *vt, const struct grr_event *ev, const char *trace, char *err,
		      size_t errlen)
{
	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER: {
		struct last_enter *l = last_of(vt, ev->tid, true);
		if (!l) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
		l->nr = ev->u.enter.nr;
		memcpy(l->args, ev->u.enter.args, sizeof(l->args));
		if (!rp_runs_for_real(ev))
			return true;
		uint64_t a[6];
		memcpy(a, ev->u.enter.args, sizeof(a));
		if (ev->u.enter.nr == SYS_mmap && !(a[3] & MAP_ANONYMOUS)) {
			a[3] |= MAP_ANONYMOUS | MAP_FIXED;   /* as rp_syscall.c makes it */
			a[4] = (uint64_t)-1;
		}
		if (grr_sandbox_verdict(ev->u.enter.nr, a, 0) != GRR_SANDBOX_KILL)
			return true;
		snprintf(err, errlen, "%s: refused: event %llu asks replay to run %s(0x%llx, 0x%llx, "
			 "0x%llx, ...) for real, which the replay sandbox forbids (a tampered trace?)",
			 trace, (unsigned long long)ev->seq, grr_syscall_name(ev->u.enter.nr),
			 (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2]);
		return false;
	}
	case GRR_EV_CLONE: {
		const struct last_enter *l = last_of(vt, ev->tid, false);
		if (l && ((l->nr == SYS_clone && grr_sandbox_thread_flags(l->args[0])) ||
			  l->nr == SYS_clone3))
			return true;
		snprintf(err, errlen, "%s: refused: event %llu asks replay to create a thread where "
			 "the program made %s%s, which would start a process (a tampered trace?)",
			 trace, (unsigned long long)ev->seq, l ? grr_syscall_name(l->nr) : "no syscall",
			 l && l->nr == SYS_clone ? " without CLONE_THREAD" : "");
		return false;
	}
	case GRR_EV_SYSCALL_EXIT:
		if ((ev->u.exit.nr == SYS_execve || ev->u.exit.nr == SYS_execveat) &&
		    ev->u.exit.ret == 0) {
			snprintf(err, errlen, "%s: refused: the program called %s at event %llu: replay "
				 "never runs a new program image", trace, grr_syscall_name(ev->u.exit.nr),
				 (unsigned long long)ev->seq);
			return false;
		}
		return true;
	default:
		return true;
	}
}

int rp_vet(const char *trace, char *err, size_t errlen)
{
	struct grr_error e;
	struct grr_reader *r = grr_reader_open(trace, &e);
	if (!r) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	struct vet vt = { 0 };
	struct grr_event ev;
	int got, rc = 0;
	while ((got = grr_reader_next_shallow(r, &ev, &e)) == 1)
		if (!vet_event(&vt, &ev, trace, err, errlen)) {
			rc = -1;
			break;
		}
	/* (a damaged chunk is the replay's to report, where it reaches it:
	 * the events before it still replay) */
	(void)got;
	free(vt.v);
	grr_reader_close(r);
	return rc;
}
