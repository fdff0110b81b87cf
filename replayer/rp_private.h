/* rp_private.h - the replay engine's internal state, shared by the
 * replayer/rp_*.c files. */
#ifndef GRR_REPLAYER_RP_PRIVATE_H
#define GRR_REPLAYER_RP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "format/trace.h"
#include "replayer/replay.h"
#include "tracee/mem.h"
#include "tracee/sigframe.h"
#include "tracee/symtab.h"
#include "tracee/syscalls.h"
#include "tracee/task.h"

/* Where a replayed thread is parked between events. */
enum rp_park {
	RP_NEW,             /* created; its first stop not consumed yet */
	RP_STOPPED,         /* in a ptrace-stop after its last event */
	RP_AT_ENTRY,        /* at a syscall-entry stop, syscall not run yet */
	RP_IN_NO_RETURN,    /* resumed into exit/exit_group/execve */
	RP_GONE,
};

struct rp_thread {
	uint32_t rec_tid;
	pid_t tid;
	enum rp_park park;
	int pending_sig;              /* delivered at the next resume */
	struct grr_sigfix sigfix;     /* a delivery whose frame to normalize */
	bool restart_pending;         /* syscall returned -ERESTART*: the kernel
					 restarts it unless a signal comes */
	struct grr_syscall_call call; /* syscall at RP_AT_ENTRY */
};

struct grr_replay {
	struct grr_replay_opts opts;
	struct grr_reader *reader;
	const struct grr_header *hdr;
	pid_t pid;
	struct grr_mem mem;
	struct grr_symtab syms;
	bool have_syms;
	struct rp_thread *threads;
	int nthreads, cap_threads;
	uint64_t done;                /* events completed */
	uint64_t nevents;
	uint32_t last_tid;
	uint64_t last_pc;
	bool ended, cut_short, failed;
	bool stub_mapped;             /* GRR_RESERVED_ADDR mapped in the tracee */
	bool debug;                   /* GRR_DEBUG_REPLAY: log each event */
	bool group_exiting;           /* exit_group or a fatal signal began */
	int exit_status;
	bool stdout_open, stderr_open; /* fds 1/2 still the recorded terminal */
	struct grr_divergence div;
	bool diverged;
	char error[512];
	struct grr_event ev;          /* event being executed */
};

/* rp_threads.c */
struct rp_thread *rp_thread_by_rec(struct grr_replay *rp, uint32_t rec_tid);
struct rp_thread *rp_thread_add(struct grr_replay *rp, uint32_t rec_tid, pid_t tid,
				enum rp_park park);

/* rp_advance.c: run a thread to its next stop */
int rp_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st);
int rp_resume_and_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st);
/* Consumes a new thread's first stop if still pending. */
int rp_settle_new(struct grr_replay *rp, struct rp_thread *t);

/* divergence.c */
int rp_diverge(struct grr_replay *rp, struct rp_thread *t, const char *actual_fmt, ...)
	__attribute__((format(printf, 3, 4)));
int rp_fail(struct grr_replay *rp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rp_describe_event(const struct grr_event *ev, char *buf, size_t len);
void rp_describe_stop(struct grr_replay *rp, struct rp_thread *t, const struct grr_stop *st,
		      char *buf, size_t len);

/* rp_syscall.c */
int rp_do_enter(struct grr_replay *rp, struct rp_thread *t);
int rp_do_exit(struct grr_replay *rp, struct rp_thread *t);
int rp_do_clone(struct grr_replay *rp, struct rp_thread *t);

/* rp_signal.c */
int rp_do_signal(struct grr_replay *rp, struct rp_thread *t);
int rp_do_rdtsc(struct grr_replay *rp, struct rp_thread *t);

/* rp_stub.c: 0 found, 1 not usable here (fall back), -1 failed */
int rp_stub_find_anchor(struct grr_replay *rp, struct rp_thread *t,
			bool (*matches)(struct grr_replay *, struct rp_thread *,
					const struct user_regs_struct *));

/* rp_anchor.c */
int rp_do_anchor(struct grr_replay *rp, struct rp_thread *t);

/* rp_exit.c */
int rp_do_thread_exit(struct grr_replay *rp, struct rp_thread *t);
int rp_do_process_exit(struct grr_replay *rp);

/* rp_output.c */
void rp_echo_output(struct grr_replay *rp, const struct grr_syscall_call *c);

/* rp_start.c */
int rp_start(struct grr_replay *rp, const char *trace, char *err, size_t errlen);

#endif
