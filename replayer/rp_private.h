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
#include "tracee/affinity.h"
#include "tracee/digester.h"
#include "tracee/mem.h"
#include "tracee/sigframe.h"
#include "tracee/symtab.h"
#include "tracee/syscalls.h"
#include "tracee/sysbuf.h"
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
	bool sysemu_stop;             /* at a PTRACE_SYSEMU entry stop: that
					 syscall will not run (rp_advance.c) */
	struct grr_syscall_call call; /* syscall at RP_AT_ENTRY */
	bool at_user_stop;            /* stopped by the debugger at user_stop_pc,
					 that instruction not run yet */
	uint64_t user_stop_pc;
	bool have_altstack;           /* its sigaltstack (copied by checkpoints) */
	uint64_t altstack[3];
};

/* A debugger breakpoint (rp_break.c). */
struct rp_break {
	uint64_t addr;
	uint8_t orig;                 /* byte under the int3 while inserted */
	bool inserted;
};

/* A debugger watchpoint: one debug register. */
struct rp_watch {
	bool used;
	uint64_t addr;
	int len;
	enum grr_watch_kind kind;
};

/* A second reader of the trace, ahead of the replay: what the recorder
 * noted about the next anchor (rp_lookahead.c). */
struct rp_lookahead {
	struct grr_reader *reader;    /* opened at its first use */
	uint64_t next;                /* seq of the event it reads next */
	uint64_t from;                /* the last answer holds for anchors */
	uint64_t anchor;              /* seq in [from, anchor), ~0: no anchor */
	bool rewrites;                /* the answer */
	bool note_read;               /* the event after that anchor, read, is a note */
	bool known;                   /* from, anchor and rewrites are set */
	bool broken;                  /* it failed once: no more answers */
};

/* The counters noted after the anchor being looked for (rp_lookahead.c). */
struct rp_anchor_counters {
	struct grr_reader *reader;    /* opened at its first use */
	uint64_t seq;                 /* the anchor they belong to */
	bool known;                   /* seq is set */
	bool have;                    /* that anchor has the note */
	uint64_t clock, syscalls;
	bool broken;
};

struct grr_replay {
	struct grr_replay_opts opts;
	char trace[4096];             /* the trace's path */
	struct grr_reader *reader;
	const struct grr_header *hdr;
	pid_t pid;
	struct grr_mem mem;
	struct grr_digester dg;         /* anchors' memory digests */
	struct grr_sysbuf sb;          /* the recording's syscall buffer, if it had one */
	bool dg_tried;                  /* write tracking set up, or tried */
	uint64_t dg_anchor_seq;         /* the anchor the last candidate digest
					   was for (rp_anchor.c) */
	struct rp_lookahead ahead;      /* the trace read ahead (rp_lookahead.c) */
	struct rp_anchor_counters counters;
	struct grr_affinity aff;        /* grr and the program on one CPU (affinity.h) */
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
	struct rp_thread *exit_held;  /* the thread whose exit_group the replay
					 holds at its entry stop: the program's
					 last moment (rp_exit.c) */
	bool trace_done;              /* the reader found no more events */
	bool leader_reaped;           /* the process is gone */
	int exit_status;
	bool stdout_open, stderr_open; /* fds 1/2 still the recorded terminal */
	struct grr_divergence div;
	bool diverged;
	char error[512];
	struct grr_event ev;          /* event being executed */
	bool ev_pending;              /* ev read, not complete: a debugger stop
					 interrupted it, or it was peeked */
	struct rp_break *breaks;
	int nbreaks, cap_breaks;
	struct rp_watch watch[GRR_REPLAY_MAX_WATCH];
	bool watch_armed;             /* DR7 set on the running thread */
	struct grr_replay_stop stop;  /* the last debugger stop */
	/* rp_start.c: when a packed trace's embedded executable is run
	 * (rp_exe.h), hdr points here: the trace's header with program set
	 * to that executable's file, for symbols (grr_replay_program) */
	struct grr_header exe_hdr;
};

/* rp_lookahead.c: whether the recorder noted that the program rewrote
 * most of its memory between the anchor at event SEQ and the next one (so
 * that replay does not track writes in between).  Without such a note (or
 * a next anchor), the answer for the anchor before; false before any
 * answer, or if the trace cannot be read ahead. */
bool rp_next_anchor_rewrites(struct grr_replay *rp, uint64_t seq);
void rp_lookahead_close(struct rp_lookahead *la);
/* The clock page's and syscall buffer's counters the recorder noted after
 * the anchor at event SEQ (format/counter_note.h): true and *CLOCK and
 * *SYSCALLS set, or false (no note, or the trace could not be read). */
bool rp_anchor_counters(struct grr_replay *rp, uint64_t seq, uint64_t *clock,
			uint64_t *syscalls);
void rp_anchor_counters_close(struct rp_anchor_counters *c);

/* rp_threads.c */
struct rp_thread *rp_thread_by_rec(struct grr_replay *rp, uint32_t rec_tid);
struct rp_thread *rp_thread_add(struct grr_replay *rp, uint32_t rec_tid, pid_t tid,
				enum rp_park park);

/* rp_advance.c: run a thread to its next stop */
int rp_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st);
int rp_resume_and_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st);
/* The same, toward a syscall that will run for real: stops at its true
 * entry (PTRACE_SYSCALL), not at a SYSEMU one. */
int rp_resume_real_entry(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st);
/* Consumes a new thread's first stop if still pending. */
int rp_settle_new(struct grr_replay *rp, struct rp_thread *t);
/* Before a resume other than rp_resume_and_wait's (single steps, injected
 * syscalls): a thread at a PTRACE_SYSEMU entry stop would first report its
 * skipped syscall's exit; that report is taken here. */
int rp_leave_sysemu(struct grr_replay *rp, struct rp_thread *t);
/* T stands at a PTRACE_SYSEMU entry stop of a syscall that must run for
 * real: it is put back before its syscall instruction and run to a real
 * entry stop. */
int rp_rearm_syscall(struct grr_replay *rp, struct rp_thread *t);

/* rp_break.c: debugger breakpoints and watchpoints.  Handlers return
 * RP_DEBUG_STOP (-2) up the call chain when a thread stopped at one; the
 * event stays pending and is dispatched again. */
#define RP_DEBUG_STOP (-2)
int rp_step_over_stop(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st,
		      uint64_t *skip);
int rp_run_prepare(struct grr_replay *rp, struct rp_thread *t, uint64_t skip);
void rp_run_finish(struct grr_replay *rp, struct rp_thread *t);
/* RP_DEBUG_STOP if ST is a breakpoint or watchpoint trap (recorded in
 * rp->stop, pc rewound to the breakpoint), 0 if not, -1 on error. */
int rp_check_debug_stop(struct grr_replay *rp, struct rp_thread *t, const struct grr_stop *st);
bool rp_breaks_overlap(const struct grr_replay *rp, uint64_t addr, size_t len);
/* Whether a watchpoint is set. */
bool rp_watch_any(const struct grr_replay *rp);
/* One instruction of T: GRR_REPLAY_STOPPED, 1 if it faulted or trapped
 * without moving (the pending event is that), -1 on error. */
int rp_singlestep(struct grr_replay *rp, struct rp_thread *t);

/* divergence.c */
int rp_diverge(struct grr_replay *rp, struct rp_thread *t, const char *actual_fmt, ...)
	__attribute__((format(printf, 3, 4)));
int rp_fail(struct grr_replay *rp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rp_describe_event(const struct grr_event *ev, char *buf, size_t len);
void rp_describe_stop(struct grr_replay *rp, struct rp_thread *t, const struct grr_stop *st,
		      char *buf, size_t len);

/* rp_syscall.c */
/* Whether the ENTER event EV's call will run for real (rp_do_exit
 * decides; a wrong guess costs a stop, never exactness): true for clone3
 * and every mmap (a file's as anonymous memory), whatever follows. */
bool rp_runs_for_real(const struct grr_event *ev);
int rp_do_enter(struct grr_replay *rp, struct rp_thread *t);
int rp_do_exit(struct grr_replay *rp, struct rp_thread *t);
/* The memory writes of the current SYSCALL_EXIT or BUFFERED event (the
 * latter: clock page values, put in place before the thread runs on). */
int rp_apply_writes(struct grr_replay *rp, struct rp_thread *t);
int rp_do_clone(struct grr_replay *rp, struct rp_thread *t);

/* rp_signal.c */
int rp_do_signal(struct grr_replay *rp, struct rp_thread *t);
int rp_do_rdtsc(struct grr_replay *rp, struct rp_thread *t);

/* rp_stub.c: 0 found, 1 not usable here (fall back), -1 failed */
int rp_stub_find_anchor(struct grr_replay *rp, struct rp_thread *t,
			bool (*matches)(struct grr_replay *, struct rp_thread *,
					const struct user_regs_struct *));

/* rp_stub.c: maps grr's reserved page in the process (via thread T). */
int rp_stub_map(struct grr_replay *rp, struct rp_thread *t);

/* rp_fork.c: notes what a checkpoint must copy of T after its syscall. */
void rp_fork_track(struct grr_replay *rp, struct rp_thread *t);

/* rp_anchor.c */
/* Sets up incremental anchor digests for the freshly started program
 * (tracee/digester.h); GRR_FULL_DIGESTS=1 or a kernel without write
 * tracking leaves full ones. */
void rp_anchor_setup(struct grr_replay *rp);
/* rp_gstacks.c: whether a goroutine's stack holds a word in (LO, HI): a
 * pc it may resume at, which a patch must not cover (true when unsure).
 * ANCHOR_SP: the stack pointer at the anchor; NOW_SP: the thread's now. */
bool rp_goroutine_may_resume_in(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp,
				uint64_t lo, uint64_t hi);
/* Whether the anchor's goroutine (whose stack holds ANCHOR_SP) has, below
 * ANCHOR_SP, a word in (LO, HI): a pc it returns to before the anchor. */
bool rp_anchor_goroutine_returns_into(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp,
				      uint64_t lo, uint64_t hi);
/* Sets up RP's digester (after its init): helper CPUs, and the ranges
 * that every anchor of the recording left out. */
void rp_digester_config(struct grr_replay *rp);
int rp_do_anchor(struct grr_replay *rp, struct rp_thread *t);
/* Whether T stands at the pending anchor event's state now. */
bool rp_anchor_here(struct grr_replay *rp, struct rp_thread *t);

/* rp_exit.c */
/* exit_group at its entry stop: held there (the program's last moment,
 * where a debugger stops) until the next event lets it run. */
int rp_hold_exit(struct grr_replay *rp, struct rp_thread *t);
/* Lets a held exit_group run: the group's end begins. */
int rp_release_exit(struct grr_replay *rp);
int rp_do_thread_exit(struct grr_replay *rp, struct rp_thread *t);
int rp_do_process_exit(struct grr_replay *rp);
/* Waits for every thread of the process to be gone (after a kill or the
 * program's end); the leader's wait status in *LEADER_STATUS. */
int rp_reap(struct grr_replay *rp, int *leader_status);

/* rp_output.c */
void rp_echo_output(struct grr_replay *rp, const struct grr_syscall_call *c);

/* rp_vet.c: reads the whole log before anything runs, and refuses (-1,
 * ERR) a trace that asks replay to run for real a call the replay sandbox
 * forbids (tracee/sandbox.h): one outside its list, a process clone, a
 * new program image. */
int rp_vet(const char *trace, char *err, size_t errlen);

/* rp_sandbox.c: at a PTRACE_EVENT_SECCOMP stop of T (the filter hands
 * clone3 to grr), lets a thread's clone3 run on to T's next stop (in ST),
 * and reports any other as a divergence.  0 when ST is no such stop. */
int rp_sandbox_stop(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st);
/* Whether ST is T's end by the replay sandbox's filter (a syscall-exit
 * stop of the call it refused, or the exit that follows); if so, the
 * words for it (the call) in BUF. */
bool rp_sandbox_describe(struct rp_thread *t, const struct grr_stop *st, char *buf, size_t len);

/* rp_start.c */
int rp_start(struct grr_replay *rp, const char *trace, char *err, size_t errlen);

#endif
