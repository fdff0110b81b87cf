/* rec_private.h - the recorder's internal state, shared by the recorder/ files. */
#ifndef GRR_RECORDER_PRIVATE_H
#define GRR_RECORDER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "format/trace.h"
#include "recorder/recorder.h"
#include "tracee/affinity.h"
#include "tracee/clockpage.h"
#include "tracee/cpuid_vars.h"
#include "tracee/digester.h"
#include "tracee/initstack.h"
#include "tracee/mem.h"
#include "tracee/sigframe.h"
#include "tracee/symtab.h"
#include "tracee/syncsites.h"
#include "tracee/sysbuf.h"
#include "tracee/syscalls.h"
#include "tracee/task.h"

enum rec_thread_state {
	RT_NEW,        /* created by clone; its first stop not seen yet */
	RT_READY,      /* in a ptrace-stop, waiting for its turn */
	RT_RUNNING,    /* the one thread executing user code */
	RT_IN_KERNEL,  /* resumed into a syscall that may block */
	RT_EXITING,    /* PTRACE_EVENT_EXIT seen */
	RT_GONE,
};

#define REC_MAX_MAYWRITE 8
/* The stack window a vfork-like child may write: below the parent's sp,
 * and above it (the frame of the function that made the call, whose
 * locals the child goes on using). */
#define REC_VFORK_BELOW 16384
#define REC_VFORK_ABOVE 4096

/* A non-atomic read-modify-write instruction (inc, add, or, xadd... on
 * memory) that chaos mode cut in two: its load happened when the thread
 * was preempted before it, its store happens when the thread runs again
 * (rec_split.c). */
struct rec_split {
	bool pending;
	uint64_t pc;                  /* the instruction */
	uint64_t addr;                /* its memory operand */
	uint32_t len;
	uint8_t loaded[16];           /* the value its load saw */
};

struct rec_thread {
	pid_t tid;
	enum rec_thread_state state;
	bool in_syscall;              /* entry seen, exit not yet */
	struct grr_syscall_call call; /* the syscall in progress */
	int pending_sig;              /* to deliver at the next resume */
	struct grr_sigfix sigfix;     /* a delivery whose frame to normalize */
	bool interrupt_requested;
	uint64_t stop_rip, stop_rsp;  /* registers at the last logged stop */
	bool unannounced;             /* seen before its parent's clone event: it
				       * may not run before that event is logged */
	bool signal_at_resume;        /* a signal was queued when it last resumed:
				       * delivered before it ran any instruction */
	uint64_t ready_since;         /* FIFO order among ready threads */
	struct grr_mem_range maywrite[REC_MAX_MAYWRITE];
	int nmaywrite;
	uint8_t *vfork_stack;         /* stack around sp at a CLONE_VM child's creation */
	uint64_t vfork_sp;
	size_t vfork_len;             /* bytes from vfork_sp - REC_VFORK_BELOW */
	uint64_t vfork_ns;            /* when the child was made */
	bool sysbuf_off;              /* turned buffering off for its vfork child */
	bool sysbuf_off_vfork;        /* ... until the clone returns */
	/* chaos mode (rec_sched.c) */
	int64_t prio;                 /* the highest ready thread runs */
	uint64_t starved_until;       /* runs only if no other can, until then */
	uint64_t held_until;          /* not run before then, even if no other
					 thread can (chaos: rec_sched_hold) */
	uint64_t interrupt_ns;        /* when its preemption was asked for */
	struct rec_split split;       /* a read-modify-write cut in two (rec_split.c) */
};

/* Chaos: change points deferred to the next synchronization site
 * (rec_syncpt.c). */
struct rec_syncpts {
	struct grr_syncsites sites;
	uint64_t *armed;              /* breakpoints in place now */
	uint8_t *orig;                /* the bytes they replaced */
	int narmed;
	uint64_t deadline_ns;         /* an ordinary preemption then */
	/* how often each thread reached each site (open addressing; key
	 * 0 free): a thread's first times at a site are where it is
	 * preempted, its thousandth rarely */
	uint64_t *seen_key;
	uint32_t *seen_count;
	uint32_t seen_cap;
};

struct rec_sched {
	bool chaos;
	uint64_t seed;                 /* chaos: as given (the trace keeps it) */
	uint64_t rng;
	uint64_t slice_ns;            /* timeslice of normal mode */
	uint64_t ready_counter;
	/* chaos mode */
	int64_t low_prio;             /* the last priority that went below all */
	uint64_t preempt_cost_ns;     /* spent preempting threads at arbitrary points */
	uint64_t start_ns;
	uint64_t mean_slice_ns;       /* time between change points, on average */
	int cpus;                     /* CPUs the program is told it has (0: as they are) */
	uint64_t splits;              /* read-modify-writes cut in two */
	uint64_t sync_preemptions;    /* preemptions at synchronization sites */
	uint64_t holds;               /* of which held for others (rec_sched_hold) */
	uint64_t anchor_cost_ns;      /* what the last anchor's digest took */
};

/* rec_spin.c: the running thread's turn, watched for spinning */
struct rec_spin {
	uint64_t turn_ns;             /* when it began */
	uint64_t ops;                 /* clock reads + buffered calls then */
	uint64_t next_check_ns;
	uint64_t preemptions;         /* turns ended early for spinning */
	uint64_t next_probe_ns;       /* busy-wait probes: not before then */
	uint64_t probe_gap_ns;        /* ... and the next one that much later */
	bool probing;                 /* the interrupt asked for is a probe */
	uint64_t probe_slice_end_ns;  /* the turn's end, kept across a probe */
	uint64_t probes, busy_waits;  /* probes made; those that found one */
};

/* rec_anchor.c: whether a jump can be patched in at a pc, by pc (a plan
 * decodes the whole function: about 0.4 us per byte of it, 2 ms for a
 * 4.7 KB one; the program's code does not change, and anchors come back
 * to the same loops).  A wrong entry (code rewritten since) would only
 * place an anchor where the replayer, which makes its own plan, uses a
 * breakpoint instead. */
#define REC_PLANS 512
struct rec_plan {
	uint64_t pc;                  /* 0: empty */
	bool ok;                      /* a jump fits at pc ... */
	size_t len;                   /* ... displacing this many bytes */
};

struct recorder {
	const struct grr_record_opts *opts;
	pid_t pid;                    /* thread-group leader */
	struct grr_mem mem;
	struct grr_writer *w;
	struct grr_error werr;
	bool write_failed;
	bool file_refs;               /* shared libraries by reference (rec_fileref.c) */
	struct rec_thread *threads;
	int nthreads, cap_threads;
	struct rec_thread *running;   /* may be in user code or in a grace wait */
	uint64_t slice_end_ns;        /* running may use user code until then */
	uint64_t preempt_at_ns;       /* chaos: a ready thread outranks running: stop
				       * it then (0: none) */
	uint64_t grace_end_ns;        /* running in a syscall keeps its turn until then */
	struct rec_sched sched;
	struct rec_spin spin;
	uint64_t t0;                  /* monotonic ns at start */
	uint64_t last_flush_ns;
	int exit_status;              /* as a shell sees it */
	bool exited;
	bool unknown_warned[GRR_MAX_SYSCALL];
	uint64_t anchors, digest_ns, anchor_steps;
	struct grr_digester dg;       /* anchors' memory digests (rec_anchor.c) */
	struct grr_affinity aff;      /* grr and the program on one CPU (rec_start.c) */
	struct grr_symtab syms;       /* of the executable, to place anchors */
	struct rec_plan plans[REC_PLANS];
	bool have_syms;
	/* --portable: the variables holding raw CPUID results, left out of
	 * every anchor's digest (tracee/cpuid_vars.h) */
	struct grr_range cpuid_vars[GRR_CPUID_VARS_MAX];
	uint32_t ncpuid_vars;
	bool debug;                   /* GRR_DEBUG_RECORD: log each stop */
	struct grr_clockpage cp;      /* in-process clock reads (rec_clock.c) */
	uint64_t entry_bp;            /* a breakpoint at the program's entry point,
				       * which gives it the TSC (0: none) */
	uint8_t entry_orig;
	uint64_t cp_drained;          /* values collected so far */
	uint64_t cp_values;
	struct grr_sysbuf sb;         /* syscalls run in-process (rec_sysbuf.c) */
	bool seccomp;                 /* its filter is in place: threads run with
				       * PTRACE_CONT, syscalls stop by the filter */
	bool sb_on;                   /* its switch word (rec_sysbuf_update) */
	struct rec_syncpts syncpts;   /* chaos: synchronization sites (rec_syncpt.c) */
	struct rec_child *children;   /* processes the program started, still traced */
	int nchildren, cap_children;
	bool children_let_go;         /* the program is gone: those outside the
					 filter's range were told to stop */
};

uint64_t rec_now_ns(void);

/* rec_threads.c */
struct rec_thread *rec_thread_find(struct recorder *r, pid_t tid);
struct rec_thread *rec_thread_add(struct recorder *r, pid_t tid, enum rec_thread_state st);
int rec_live_threads(const struct recorder *r);
void rec_thread_set_ready(struct recorder *r, struct rec_thread *t);
/* Whether a vfork-like child (CLONE_VM, not a thread) may be running on
 * the program's memory: its parent is inside the clone. */
bool rec_vfork_child_running(const struct recorder *r);
/* Whether no other thread may run user code now (rec_threads.c): a vfork
 * child started less than REC_VFORK_HOLD_NS ago; 0 or when that ends. */
uint64_t rec_vfork_hold_until(const struct recorder *r, uint64_t now);

/* rec_log.c: appending events (a write failure stops the recording) */
int rec_log(struct recorder *r, struct grr_event *ev, pid_t tid, uint8_t kind);

/* rec_fileref.c: a shared library's mapping stored as a reference to its
 * file.  Whether this recording may do so: */
bool rec_file_refs_wanted(const struct recorder *r);
struct rec_file_map {
	void *p;            /* the file's bytes, mapped into grr */
	size_t len;
};
/* For the exit of C, an mmap: fills *W with the mapping's content as a
 * reference to its file (held in *MAP until rec_file_map_release) and
 * returns 1; 0 when it is not such a mapping; -1 if the trace cannot be
 * written. */
int rec_file_ref_write(struct recorder *r, struct rec_thread *t, const struct grr_syscall_call *c,
		       struct grr_mem_write *w, struct rec_file_map *map);
void rec_file_map_release(struct rec_file_map *map);
void rec_log_note(struct recorder *r, pid_t tid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* rec_inputs.c: after call C's exit event, the note naming the file it
 * opened or the address it connected to (format/input_note.h), if any. */
int rec_note_input(struct recorder *r, pid_t tid, const struct grr_syscall_call *c);

/* rec_sched.c */
void rec_sched_init(struct rec_sched *s, bool chaos, uint64_t seed);
/* A seeded random number below N. */
uint64_t rec_sched_draw(struct rec_sched *s, uint64_t n);
/* A seeded random choice: true with probability NUM/DEN. */
bool rec_sched_chance(struct rec_sched *s, uint64_t num, uint64_t den);
/* T runs only when no other thread can, for MIN_NS to MAX_NS (chaos). */
void rec_sched_starve(struct recorder *r, struct rec_thread *t, uint64_t min_ns, uint64_t max_ns);
/* A thread was created: its priority (chaos). */
void rec_sched_new_thread(struct rec_sched *s, struct rec_thread *t);
/* T, just preempted at a synchronization site with no other thread ready,
 * is not run for a while, so that a thread asleep in the kernel (a timer,
 * a poll) can wake and run first, as on a machine where T's CPU is busy
 * elsewhere (chaos). */
void rec_sched_hold(struct recorder *r, struct rec_thread *t);
/* When the earliest held ready thread may run, if every ready thread is
 * held; 0 otherwise. */
uint64_t rec_sched_held_until(struct recorder *r, uint64_t now);
struct rec_thread *rec_sched_pick(struct recorder *r);
/* How long the thread about to run may run before the scheduler looks
 * again (normal mode: its timeslice; chaos: its next change point). */
uint64_t rec_sched_slice(struct rec_sched *s);
/* The last anchor took NS: the next timeslices are long enough to keep
 * anchors a small share of the run (normal mode). */
void rec_sched_anchor_cost(struct rec_sched *s, uint64_t ns);
/* rec_spin.c: a turn begins (at NOW); when to look next (0: never);
 * whether the running thread, spinning, is to give way to a ready one
 * (or to be probed for a busy-wait first). */
enum rec_spin_verdict { REC_SPIN_NO, REC_SPIN_GIVE_WAY, REC_SPIN_PROBE };
void rec_spin_turn_begins(struct recorder *r, uint64_t now);
uint64_t rec_spin_next_check(const struct recorder *r);
enum rec_spin_verdict rec_spin_check(struct recorder *r, uint64_t now);

/* rec_busywait.c: T, stopped at REGS by a probe's interrupt: is it
 * busy-waiting for another thread?  0: yes (stopped at REGS, updated:
 * give way there); 2: no (stopped, to be continued); 1: another stop came
 * (*STATUS, to be handled as any stop); -1. */
int rec_busywait_probe(struct recorder *r, struct rec_thread *t,
		       struct user_regs_struct *regs, int *status);
/* Whether the running thread, leaving a syscall, should give way to a
 * ready one. */
bool rec_sched_switch_at_syscall(struct recorder *r);
/* The running thread's time is up (and some thread is ready): whether to
 * interrupt it now; if not, its next time is set (chaos). */
bool rec_sched_slice_over(struct recorder *r, uint64_t now);
/* Whether preempting a thread at an arbitrary point is within the chaos
 * budget now (always, in normal mode). */
bool rec_sched_may_preempt(struct recorder *r, uint64_t now);
/* A preemption at an arbitrary point took COST_NS (interrupt to anchor). */
void rec_sched_preempted(struct recorder *r, uint64_t cost_ns);
/* T is resumed to run user code (chaos: it may be preempted at its next
 * synchronization). */
void rec_sched_resumed(struct recorder *r, struct rec_thread *t);
/* T just became ready: in chaos mode, it preempts a running thread of
 * lower priority. */
void rec_sched_became_ready(struct recorder *r, struct rec_thread *t);
/* How long T, entering syscall C, keeps the right to run user code (0:
 * it gives it up now). */
uint64_t rec_sched_grace_ns(struct recorder *r, struct rec_thread *t,
			    const struct grr_syscall_call *c);

/* rec_approach.c */
/* Chaos: runs T, stopped at REGS, on to right before its next access of
 * shared memory.  0 (REGS updated; also when it stays), 1 if another stop
 * came first (its wait status in *STATUS, to be handled as any stop), or
 * -1. */
int rec_approach_access(struct recorder *r, struct rec_thread *t,
			struct user_regs_struct *regs, int *status);

/* rec_syncpt.c: chaos mode's change points deferred to synchronization */
/* Finds the program's synchronization sites (chaos mode only). */
void rec_syncpt_setup(struct recorder *r);
void rec_syncpt_free(struct recorder *r);
bool rec_syncpt_usable(const struct recorder *r);
/* Sets the breakpoints; an ordinary preemption is due at DEADLINE if none
 * is hit.  0, or -1 (none could be set). */
int rec_syncpt_arm(struct recorder *r, uint64_t deadline);
void rec_syncpt_disarm(struct recorder *r);
bool rec_syncpt_armed(const struct recorder *r);
/* When an armed wait for a synchronization site ends. */
uint64_t rec_syncpt_deadline(const struct recorder *r);
/* Whether ADDR is a synchronization site (a trap just after it is one of
 * the breakpoints, even if they were removed since). */
bool rec_syncpt_is_site(const struct recorder *r, uint64_t addr);
/* T reached site ADDR: whether to preempt it there (its first times at
 * that site, then ever more rarely: one time in N at its Nth). */
bool rec_syncpt_take(struct recorder *r, struct rec_thread *t, uint64_t addr);
/* Lets T, stopped at site ADDR whose breakpoint it hit, go past it (the
 * breakpoint stays): 0, 1 if the step ended in another stop (its wait
 * status in *STATUS), -1. */
int rec_syncpt_pass(struct recorder *r, struct rec_thread *t, uint64_t addr, int *status);

/* rec_event.c */
/* Preempts T, stopped at REGS (an interrupt, a synchronization site):
 * placed (rec_anchor_move), anchored, made ready.  0 or -1. */
int rec_preempt_at(struct recorder *r, struct rec_thread *t, struct user_regs_struct *regs);

/* rec_split.c: chaos mode's split read-modify-writes */
/* T was preempted at REGS: if the instruction there is a non-atomic
 * read-modify-write of shared memory, maybe (a seeded choice) perform its
 * load now.  0 or -1. */
int rec_split_begin(struct recorder *r, struct rec_thread *t, const struct user_regs_struct *regs);
/* T is about to run again: its split instruction's memory gets the value
 * the load saw (and a BUFFERED event says so), so that its store writes
 * what the instruction computed from it.  0 or -1. */
int rec_split_finish(struct recorder *r, struct rec_thread *t);

/* rec_resume.c */
int rec_resume(struct recorder *r, struct rec_thread *t);
/* Lets T go on from a stop: to its syscall's exit stop when it is inside
 * one, else to its next stop (PTRACE_CONT under the seccomp filter, where
 * a traced syscall's entry is a stop of its own; else PTRACE_SYSCALL). */
int rec_continue(struct recorder *r, struct rec_thread *t, int sig);
enum grr_resume rec_resume_how(const struct recorder *r, const struct rec_thread *t);

/* rec_syscall.c */
int rec_on_syscall_stop(struct recorder *r, struct rec_thread *t);

/* rec_signal.c */
int rec_on_signal_stop(struct recorder *r, struct rec_thread *t, int sig);

/* rec_anchor.c */
/* Sets up the anchors' digests of the stopped program: incremental from
 * written pages where the kernel can tell them (tracee/digester.h). */
void rec_anchor_setup(struct recorder *r);
int rec_log_anchor(struct recorder *r, struct rec_thread *t,
		   const struct user_regs_struct *regs);
/* Whether the instruction at PC is one a single step must not run
 * unrecorded (a syscall, a clock read, a trap), or cannot be read. */
bool rec_must_not_step(struct recorder *r, uint64_t pc);
/* Single-steps T one instruction: 0 (REGS updated), 1 if the step ended
 * in another stop (its wait status in *STATUS), -1.  (The callers that
 * place anchors count their steps in anchor_steps, for record -v.) */
int rec_step(struct rec_thread *t, struct user_regs_struct *regs, int *status);
/* A thread stopped at a repeated string instruction (rep stos, ...) may be
 * part way through it, a state no instruction boundary shows again at
 * replay: runs it to the end of the instruction (a breakpoint after it).
 * Returns 0 (REGS updated; also when there is none), 1 if another stop
 * came first (its wait status in *STATUS), or -1. */
int rec_finish_string_op(struct recorder *r, struct rec_thread *t,
			 struct user_regs_struct *regs, int *status);
/* Single-steps an interrupted thread to an instruction the replayer can
 * trap cheaply (tracee/relocate.h), a few instructions at most.  Returns
 * 0 (REGS updated), 1 if a step ended in another stop (its wait status in
 * *STATUS, to be handled as any stop), or -1. */
int rec_anchor_move(struct recorder *r, struct rec_thread *t,
		    struct user_regs_struct *regs, int *status);

/* recorder.c */
int rec_handle_status(struct recorder *r, pid_t tid, int status);

/* rec_event.c: ptrace events (clone, exit, exec, stop) */
int rec_on_ptrace_event(struct recorder *r, struct rec_thread *t, int event, int sig);
void rec_on_thread_gone(struct recorder *r, struct rec_thread *t, int status);

/* rec_sysbuf.c: the syscall buffer (tracee/sysbuf.h) */
/* Installs the page and its seccomp filter, unless GRR_NO_SYSBUF is set
 * or the program cannot have it (then syscalls all stop, as without). */
void rec_sysbuf_setup(struct recorder *r);
/* Logs the records made since the last collection (T ran them). */
int rec_sysbuf_drain(struct recorder *r, struct rec_thread *t);
/* Buffering is on unless a vfork child shares the ring (threads'
 * sysbuf_off); called when that changes.  0 or -1.  (Turning it off while
 * another thread waits for its turn, to get a scheduling point at each
 * call, made httpecho 3x slower: the old stops, and its goroutines run on
 * one thread without needing a switch.) */
int rec_sysbuf_update(struct recorder *r);

/* rec_pages.c: grr's pages in the program (clock page, syscall buffer) */
/* Whether no anchor or signal may be placed at PC (record-only code). */
bool rec_no_anchor(const struct recorder *r, uint64_t pc);
/* Whether PC is in a function of the program's symbol table, outside
 * grr's pages. */
bool rec_program_code(const struct recorder *r, uint64_t pc);
/* Whether what T ran in-process can be collected at stop ST (not while
 * it is in the middle of a page's record-only code). */
bool rec_pages_drainable(struct recorder *r, struct rec_thread *t, const struct grr_stop *st);
/* Logs the clock values and buffered syscalls T made since the last
 * collection.  0 or -1. */
int rec_pages_drain(struct recorder *r, struct rec_thread *t);
/* Runs T out of record-only code (single steps; a repeated string
 * instruction to its end): 0 (REGS updated), 1 if another stop came
 * first (*STATUS), -1. */
int rec_step_out(struct recorder *r, struct rec_thread *t, struct user_regs_struct *regs,
		 int *status);

/* rec_children.c: processes the program starts (os/exec) */
struct rec_child {
	pid_t tid;
	bool outside;   /* runs a program with no code in the filter's range */
};
/* Handles a stop of TID, a thread of another process than the program:
 * released at once, or (under the seccomp filter, which it inherited)
 * kept until it runs a program the filter does not trace.  0 or -1. */
int rec_child_stop(struct recorder *r, pid_t tid, int status);
void rec_children_free(struct recorder *r);
/* Once the program is gone: the children outside the filter's range are
 * stopped, to be detached at that stop (rec_child_stop); those inside
 * are waited for. */
void rec_children_let_go(struct recorder *r);
/* Whether TID is such a process, still traced. */
bool rec_child_known(const struct recorder *r, pid_t tid);

/* rec_clock.c: the clock page (tracee/clockpage.h) */
/* Installs the page or hides the vDSO (AT_SYSINFO_EHDR in S). */
int rec_clock_setup(struct recorder *r, struct grr_initstack *s);
/* Logs the values read since the last collection (T ran them). */
int rec_clock_drain(struct recorder *r, struct rec_thread *t);
/* T stopped with SIGTRAP: if at the entry point's breakpoint (a
 * dynamically linked program's loader is done), the breakpoint goes and
 * the TSC is untrapped: 1 (T to be resumed without the signal); 0 if not
 * that breakpoint; -1. */
int rec_clock_at_entry(struct recorder *r, struct rec_thread *t);

/* rec_start.c */
int rec_start(struct recorder *r, char *err, size_t errlen);

#endif
