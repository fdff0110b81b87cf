/* rp_fork.c - checkpoints: a suspended copy of a replay at one moment.
 *
 * As rr does, the replayed process is forked through one of its own
 * threads (a fork-like clone injected at a `syscall` instruction in grr's
 * reserved page, so no program byte changes; CLONE_PARENT makes the copy
 * grr's child, so the program never sees its SIGCHLD), and the copy's other threads
 * are re-created in it with clone, then given the originals' registers,
 * extended FPU state, signal mask and alternate signal stack.  A thread
 * parked at a syscall-entry stop is put back just before its syscall
 * instruction and run to the entry stop again.  The copy reads the trace
 * from the same event.  Replaying the copy later never disturbs the
 * original, and vice versa: they share nothing but the trace file. */
#include "replayer/rp_private.h"
#include "tracee/digest.h"
#include "tracee/remote.h"
#include "tracee/sandbox.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

/* (the replay sandbox lets the fork through from there only) */
#define SYSCALL_AT  GRR_SANDBOX_FORK_SITE
#define SCRATCH_AT  (GRR_RESERVED_ADDR + GRR_RESERVED_LEN - 0x40)
#define THREAD_FLAGS 0x50f00ull  /* CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */
#define CLONE_PARENT_FLAG 0x8000ull
/* The XSAVE area as ptrace gives it: about 2.7 KB with AVX-512, 11 KB
 * with AMX's tile data (Sapphire Rapids and later). */
#define XSTATE_MAX 16384

void rp_fork_track(struct grr_replay *rp, struct rp_thread *t)
{
	if (t->call.nr != SYS_sigaltstack || !t->call.args[0] || rp->ev.u.exit.ret != 0)
		return;
	uint64_t ss[3];
	if (grr_mem_read(&rp->mem, t->call.args[0], ss, sizeof(ss)) == 0) {
		memcpy(t->altstack, ss, sizeof(ss));
		t->have_altstack = true;
	}
}

static int wait_for(pid_t tid, int *status)
{
	for (;;) {
		if (waitpid(tid, status, __WALL) == tid)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Runs syscall NR in stopped thread TID (not at a syscall-entry stop) at
 * grr's syscall instruction; *EVENTMSG gets the ptrace event message if the
 * syscall raised one (fork, clone).  The thread's registers are restored. */
static int inject(struct grr_mem *mem, pid_t tid, long nr, const uint64_t a[6], int64_t *ret,
		  unsigned long *eventmsg)
{
	static const uint8_t insn[2] = { 0x0f, 0x05 };
	struct user_regs_struct saved, regs;
	if (grr_task_getregs(tid, &saved) < 0 || grr_mem_write(mem, SYSCALL_AT, insn, 2) < 0)
		return -1;
	regs = saved;
	regs.rip = SYSCALL_AT;
	grr_remote_set_call(&regs, nr, a);
	int status, rc = -1;
	if (grr_task_setregs(tid, &regs) < 0 || grr_task_resume_syscall(tid, 0) < 0 ||
	    wait_for(tid, &status) < 0 || !WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80))
		goto out;
	if (grr_task_resume_syscall(tid, 0) < 0 || wait_for(tid, &status) < 0 || !WIFSTOPPED(status))
		goto out;
	if (status >> 16) {  /* a fork or clone event first */
		if (!eventmsg || grr_task_eventmsg(tid, eventmsg) < 0 ||
		    grr_task_resume_syscall(tid, 0) < 0 || wait_for(tid, &status) < 0 ||
		    !WIFSTOPPED(status))
			goto out;
	}
	if (WSTOPSIG(status) != (SIGTRAP | 0x80) || grr_task_getregs(tid, &regs) < 0)
		goto out;
	*ret = (int64_t)regs.rax;
	rc = 0;
out:
	if (grr_task_setregs(tid, &saved) < 0)
		rc = -1;
	return rc;
}

/* A new task's first stop (its SIGSTOP). */
static int wait_new(pid_t tid)
{
	int status;
	return wait_for(tid, &status) == 0 && WIFSTOPPED(status) ? 0 : -1;
}

/* What a thread's copy must be given. */
struct thread_state {
	struct user_regs_struct regs;
	uint8_t xstate[XSTATE_MAX];
	size_t xlen;
	uint64_t sigmask;
};

static int read_state(pid_t tid, struct thread_state *s)
{
	struct iovec io = { s->xstate, sizeof(s->xstate) };
	if (grr_task_getregs(tid, &s->regs) < 0 ||
	    ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &io) < 0 ||
	    ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof(s->sigmask), &s->sigmask) < 0)
		return -1;
	s->xlen = io.iov_len;
	if (s->xlen >= sizeof(s->xstate)) {
		errno = EOVERFLOW;  /* perhaps cut short: the copy would fail */
		return -1;
	}
	return 0;
}

/* Gives task TID the state S of thread T (T's park decides where it
 * stands: at its syscall's entry stop, or stopped in user code). */
static int write_state(pid_t tid, const struct rp_thread *t, const struct thread_state *s)
{
	struct user_regs_struct regs = s->regs;
	struct iovec io = { (void *)s->xstate, s->xlen };
	bool to_entry = t->park == RP_AT_ENTRY;
	if (to_entry) {
		regs.rip -= 2;
		regs.rax = regs.orig_rax;
	} else if (t->restart_pending) {
		regs.rip -= 2;
		regs.rax = (int64_t)regs.rax == -516 ? 219 : regs.orig_rax;
	}
	regs.orig_rax = (uint64_t)-1;
	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_X86_XSTATE, &io) < 0 ||
	    ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(s->sigmask), &s->sigmask) < 0 ||
	    grr_task_setregs(tid, &regs) < 0)
		return -1;
	if (!to_entry)
		return 0;
	int status;
	if (grr_task_resume_syscall(tid, 0) < 0 || wait_for(tid, &status) < 0 ||
	    !WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80))
		return -1;
	return 0;
}

static bool forkable(struct grr_replay *rp, char *err, size_t errlen)
{
	if (rp->ended || rp->failed || rp->group_exiting || rp->exit_held) {
		snprintf(err, errlen, "the program is ending");
		return false;
	}
	for (int i = 0; i < rp->nthreads; i++) {
		struct rp_thread *t = &rp->threads[i];
		if (t->park == RP_IN_NO_RETURN || t->pending_sig || t->sigfix.pending) {
			snprintf(err, errlen, "a thread is between a signal and its handler");
			return false;
		}
		if (t->park == RP_NEW && rp_settle_new(rp, t) < 0) {
			snprintf(err, errlen, "a new thread did not start");
			return false;
		}
	}
	return true;
}

static struct rp_thread *fork_thread(struct grr_replay *rp)
{
	for (int i = 0; i < rp->nthreads; i++)
		if (rp->threads[i].park == RP_STOPPED)
			return &rp->threads[i];
	return NULL;
}

/* The engine state of the copy, whose process is CHILD. */
static struct grr_replay *copy_engine(struct grr_replay *rp, pid_t child, char *err, size_t errlen)
{
	struct grr_replay *cp = calloc(1, sizeof(*cp));
	struct grr_error e;
	if (!cp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cp->opts = rp->opts;
	cp->mem.fd = -1;
	/* (a copy has no write tracking: it digests in full) */
	grr_digester_init_full(&cp->dg);
	grr_affinity_share(&rp->aff, &cp->aff);
	cp->pid = child;
	snprintf(cp->trace, sizeof(cp->trace), "%s", rp->trace);
	cp->reader = grr_reader_open(rp->trace, &e);
	if (!cp->reader || grr_reader_seek(cp->reader, rp->done, &e) < 0) {
		snprintf(err, errlen, "%s", e.msg);
		goto fail;
	}
	cp->hdr = grr_reader_header(cp->reader);
	rp_digester_config(cp);
	if (rp->hdr == &rp->exe_hdr) {
		/* a packed trace running its embedded executable (rp_exe.h) */
		cp->exe_hdr = *cp->hdr;
		cp->exe_hdr.program = rp->exe_hdr.program;
		cp->hdr = &cp->exe_hdr;
	}
	cp->nevents = rp->nevents;
	cp->have_syms = grr_symtab_load(cp->hdr->program, &cp->syms) == 0;
	if (grr_mem_open(&cp->mem, child) < 0) {
		snprintf(err, errlen, "cannot open /proc/%d/mem", (int)child);
		goto fail;
	}
	cp->threads = calloc((size_t)rp->nthreads + 1, sizeof(*cp->threads));
	if (!cp->threads) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	cp->cap_threads = rp->nthreads + 1;
	cp->done = rp->done;
	cp->last_tid = rp->last_tid;
	cp->last_pc = rp->last_pc;
	cp->stub_mapped = rp->stub_mapped;
	cp->sb = rp->sb;
	cp->debug = rp->debug;
	cp->stdout_open = rp->stdout_open;
	cp->stderr_open = rp->stderr_open;
	return cp;
fail:
	grr_replay_close(cp);
	return NULL;
}

struct grr_replay *grr_replay_fork(struct grr_replay *rp, char *err, size_t errlen)
{
	if (!forkable(rp, err, errlen))
		return NULL;
	struct rp_thread *f = fork_thread(rp);
	if (!f) {
		snprintf(err, errlen, "no thread can be driven here");
		return NULL;
	}
	if (rp_leave_sysemu(rp, f) < 0 || rp_stub_map(rp, f) < 0) {
		snprintf(err, errlen, "cannot map grr's page in the program");
		return NULL;
	}
	struct thread_state *st = malloc(sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* CLONE_PARENT: the copy is grr's child, not the program's, so that
	 * its end never sends the replayed program a SIGCHLD */
	static const uint64_t fork_args[6] = { GRR_SANDBOX_FORK_FLAGS, 0, 0, 0, 0, 0 };
	_Static_assert(GRR_SANDBOX_FORK_FLAGS == (CLONE_PARENT_FLAG | SIGCHLD), "the sandbox's fork");
	int64_t ret;
	unsigned long child = 0;
	if (inject(&rp->mem, f->tid, SYS_clone, fork_args, &ret, &child) < 0 || ret <= 0 ||
	    wait_new((pid_t)ret) < 0) {
		snprintf(err, errlen, "cannot fork the replayed process: %s", strerror(errno));
		free(st);
		return NULL;
	}
	pid_t cpid = (pid_t)ret;
	struct grr_replay *cp = copy_engine(rp, cpid, err, errlen);
	if (!cp) {
		kill(cpid, SIGKILL);
		wait_for(cpid, &(int){ 0 });
		free(st);
		return NULL;
	}
	int rc = 0;
	for (int i = 0; i < rp->nthreads && rc == 0; i++) {
		struct rp_thread *t = &rp->threads[i];
		struct rp_thread *n = &cp->threads[cp->nthreads++];
		*n = *t;
		n->sysemu_stop = false;   /* (write_state: at a real entry, or in user code) */
		n->pending_sig = 0;
		n->restart_pending = false;
		memset(&n->sigfix, 0, sizeof(n->sigfix));
		if (t->park == RP_GONE)
			continue;
		if (t == f) {
			n->tid = cpid;
		} else {
			uint64_t a[6] = { THREAD_FLAGS, 0, 0, 0, 0, 0 };
			unsigned long tid = 0;
			if (inject(&cp->mem, cpid, SYS_clone, a, &ret, &tid) < 0 || ret <= 0 ||
			    wait_new((pid_t)ret) < 0) {
				snprintf(err, errlen, "cannot re-create thread %u in the copy", t->rec_tid);
				rc = -1;
				break;
			}
			n->tid = (pid_t)ret;
			if (t->have_altstack) {
				uint64_t sa[6] = { SCRATCH_AT, 0, 0, 0, 0, 0 };
				if (grr_mem_write(&cp->mem, SCRATCH_AT, t->altstack, 24) < 0 ||
				    inject(&cp->mem, n->tid, SYS_sigaltstack, sa, &ret, NULL) < 0 ||
				    ret != 0) {
					snprintf(err, errlen, "cannot set the signal stack of thread %u",
						 t->rec_tid);
					rc = -1;
					break;
				}
			}
		}
		if (read_state(t->tid, st) < 0 || write_state(n->tid, t, st) < 0) {
			snprintf(err, errlen, "cannot copy the state of thread %u: %s", t->rec_tid,
				 strerror(errno));
			rc = -1;
		}
	}
	free(st);
	if (rc < 0) {
		grr_replay_close(cp);
		return NULL;
	}
	return cp;
}
