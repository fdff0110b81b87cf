/* replay.h - the replay engine: re-executes a recorded run event by event.
 *
 * This is the one API every front end uses (`grr replay --autopilot`, the
 * debugger command line, later the gdb remote protocol and DAP).  A replay
 * re-creates the recorded process from the trace header, then, for each
 * event in the log, runs that event's thread until it reaches the event's
 * point and applies the recorded effects (docs/replay-model.md).  Nothing
 * the replayed program does reaches the outside world. */
#ifndef GRR_REPLAYER_REPLAY_H
#define GRR_REPLAYER_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/user.h>

struct grr_replay;

struct grr_replay_opts {
	bool quiet;          /* do not echo the program's stdout/stderr */
	FILE *out, *err;     /* where its output goes (default stdout/stderr) */
};

/* What went wrong when replay and recording disagree. */
struct grr_divergence {
	uint64_t seq;        /* event number */
	uint32_t tid;        /* recorded thread id */
	char expected[256];
	char actual[256];
	uint64_t pc;
	char where[256];     /* function+offset of pc */
	char backtrace[1024];
};

/* Where the replay stands: the next event to execute is SEQ. */
struct grr_replay_pos {
	uint64_t seq;        /* events completed so far */
	uint32_t tid;        /* recorded tid of the last event's thread */
	uint64_t pc;         /* that thread's pc */
	bool at_end;
};

/* Opens TRACE and starts the program, stopped at its first instruction.
 * Refuses (NULL, one line in ERR) a trace whose executable is missing or
 * differs, whose CPU features this machine lacks, or that is unreadable. */
struct grr_replay *grr_replay_open(const char *trace, const struct grr_replay_opts *o,
				   char *err, size_t errlen);
void grr_replay_close(struct grr_replay *rp);

/* Executes the next event.  1: done, 0: the recording ended, -1: error or
 * divergence (see grr_replay_divergence / grr_replay_error). */
int grr_replay_step(struct grr_replay *rp);
/* Executes events until SEQ events are complete (or the end). */
int grr_replay_run_to(struct grr_replay *rp, uint64_t seq);
void grr_replay_position(const struct grr_replay *rp, struct grr_replay_pos *pos);
/* The recorded program's exit status as a shell sees it (valid at the end,
 * and at the last moment: grr_replay_at_final). */
int grr_replay_exit_status(const struct grr_replay *rp);
/* Whether the recording was cut short (Ctrl-C, timeout, killed recorder). */
bool grr_replay_was_cut_short(const struct grr_replay *rp);
const struct grr_divergence *grr_replay_divergence(const struct grr_replay *rp);
const char *grr_replay_error(const struct grr_replay *rp);
uint64_t grr_replay_event_count(const struct grr_replay *rp);

/* ---- Debugging: breakpoints, watchpoints, single steps, state ----
 *
 * While the engine runs a thread toward its next event, it stops where a
 * breakpoint or watchpoint traps: grr_replay_step and grr_replay_run_to
 * return GRR_REPLAY_STOPPED, grr_replay_stop_info says where, and the event
 * stays pending; the next step goes on from that point.  Only one thread
 * runs user code at a time (the one the next event belongs to), so a stop
 * is a precise moment: event number, thread, pc, registers. */
#define GRR_REPLAY_STOPPED 2
#define GRR_REPLAY_MAX_WATCH 4

enum grr_stop_why { GRR_STOP_BREAK, GRR_STOP_WATCH, GRR_STOP_STEP };
enum grr_watch_kind { GRR_WATCH_WRITE, GRR_WATCH_RW };

struct grr_replay_stop {
	uint32_t tid;            /* recorded tid of the stopped thread */
	uint64_t pc;             /* for a breakpoint: its address */
	enum grr_stop_why why;
	int watch_slot;          /* for GRR_STOP_WATCH */
	uint64_t watch_addr;
};

/* Breakpoints at code addresses (a set: adding twice is one).  -1 if ADDR
 * is not mapped. */
int grr_replay_break_add(struct grr_replay *rp, uint64_t addr);
void grr_replay_break_del(struct grr_replay *rp, uint64_t addr);
void grr_replay_break_clear(struct grr_replay *rp);
/* A hardware watchpoint on LEN (1, 2, 4, 8) aligned bytes: its slot, or -1
 * when all GRR_REPLAY_MAX_WATCH are in use or the range is unaligned. */
int grr_replay_watch_add(struct grr_replay *rp, uint64_t addr, int len, enum grr_watch_kind kind);
void grr_replay_watch_del(struct grr_replay *rp, int slot);

void grr_replay_stop_info(const struct grr_replay *rp, struct grr_replay_stop *stop);

/* The recorded tid of the thread that runs next (the next event's), 0 at
 * the end.  Reads the next event without executing it. */
uint32_t grr_replay_next_tid(struct grr_replay *rp);
/* Whether the recording was cut short right after the current moment (the
 * next event is the end of a recording stopped by Ctrl-C, --timeout or a
 * killed recorder): the process still stands as it was then. */
bool grr_replay_at_cut(struct grr_replay *rp);
/* Whether the replay stands at the program's last moment: nothing the
 * program does remains, only its end, and the process still stands whole
 * as it was then (threads, registers, memory).  That is the entry of the
 * exit_group that ends it (held there), a fatal signal at its delivery
 * (or a SIGKILL about to end it), or the cut of a recording stopped by
 * Ctrl-C, --timeout or a killed recorder.  *TID (if not NULL) gets the
 * thread that ends it (the cut: the last event's), and
 * grr_replay_exit_status the status it ends with.  A debugger stops
 * here for good: grr_replay_step goes on to the process's death. */
bool grr_replay_at_final(struct grr_replay *rp, uint32_t *tid);
/* Runs the thread that runs next by one instruction: GRR_REPLAY_STOPPED
 * (stop info says where, why GRR_STOP_STEP), or, when that instruction is
 * where the next event happens (a syscall, an RDTSC, a fault, a signal),
 * executes the event instead and returns 1.  0 at the end, -1 on error. */
int grr_replay_stepi(struct grr_replay *rp);

/* A checkpoint: a suspended copy of the replay at this moment (the
 * process forked, its threads re-created), which replays on from here
 * independently of RP.  NULL and one line in ERR when the moment does not
 * allow it (the program ending, a signal half delivered). */
struct grr_replay *grr_replay_fork(struct grr_replay *rp, char *err, size_t errlen);

/* ---- Calling functions in a copy (rp_call.c) ---- */

/* A call, laid out for Go's register ABI (ABIInternal) by the caller. */
#define GRR_CALL_MAX_BREAKS 64
struct grr_call_request {
	uint64_t debug_call;     /* address of runtime.debugCallV2 */
	uint64_t fn;             /* entry of the function to call */
	uint64_t closure;        /* rdx: the closure context, or 0 */
	uint64_t ints[9];        /* RAX RBX RCX RDI RSI R8 R9 R10 R11 */
	int nint;
	uint64_t floats[15];     /* X0..X14 (low 64 bits) */
	int nfloat;
	uint8_t stack[512];      /* stack-assigned arguments, at the callee's SP+8 */
	size_t stack_len;
	uint64_t frame_size;     /* argument frame: stack arguments, results, spill */
	double timeout;          /* seconds (default 5) */
	uint8_t data[2048];      /* bytes the arguments point to (string
				    literals), placed at GRR_CALL_DATA_ADDR */
	size_t data_len;
	uint64_t breaks[GRR_CALL_MAX_BREAKS];  /* the session's breakpoints: the
				    call stops at them (GRR_CALL_STOPPED) */
	int nbreaks;
};
/* Where REQ->data goes in the copy: grr's reserved range, which the
 * program never uses (tracee/digest.h). */
#define GRR_CALL_DATA_ADDR 0x308000ull

enum grr_call_how { GRR_CALL_RETURNED, GRR_CALL_PANICKED, GRR_CALL_REFUSED,
		    GRR_CALL_TIMEOUT, GRR_CALL_FAILED,
		    GRR_CALL_STOPPED };  /* at one of REQ->breaks: resume it */

struct grr_call_result {
	enum grr_call_how how;
	uint64_t ints[9];        /* result registers, as in the request */
	uint64_t floats[15];
	uint64_t stack_at;       /* SP at the return: stack-assigned results */
	uint64_t panic[2];       /* the panic value (an interface: type, data) */
	char reason[256];        /* refused / timeout / failure, the runtime's words */
	char output[4096];       /* what the function wrote to stdout/stderr */
	size_t noutput;
	int refused_nr;          /* first syscall refused (EPERM), or 0 */
	uint64_t stop_pc;        /* GRR_CALL_STOPPED: the breakpoint's address */
	uint8_t break_orig[GRR_CALL_MAX_BREAKS];  /* the bytes under the int3s */
};

/* Calls a function on recorded thread TID of RP, which must be a
 * disposable copy (grr_replay_fork): its state is changed for good.
 * 0 with RES filled (RES->how says how it ended), -1 if the copy could
 * not be driven. */
int grr_replay_debug_call(struct grr_replay *rp, uint32_t tid, const struct grr_call_request *req,
			  struct grr_call_result *res);
/* Goes on with a call that stopped at a breakpoint (GRR_CALL_STOPPED), to
 * its end or the next breakpoint; RES as grr_replay_debug_call's. */
int grr_replay_debug_call_resume(struct grr_replay *rp, uint32_t tid,
				 const struct grr_call_request *req, struct grr_call_result *res);

/* State of a live replayed thread (by recorded tid).  0 or -1. */
int grr_replay_get_regs(struct grr_replay *rp, uint32_t tid, struct user_regs_struct *regs);
/* The program's pc that PC stands for: PC itself, or, inside grr's
 * syscall buffer page (a thread stopped at a syscall made through
 * Syscall6 or runtime.futex), the patched syscall instruction, whose
 * frame it is in. */
uint64_t grr_replay_program_pc(const struct grr_replay *rp, uint64_t pc);
/* REGS as the program would show them natively: a rip inside grr's
 * syscall buffer page becomes the patched syscall instruction's, or the
 * instruction after it when the thread stopped after the page's own
 * `syscall` (in the call, as the kernel shows a thread in a syscall); the
 * page leaves the stack as the program had it.  For those who show a
 * thread to another debugger (core files, the gdb protocol). */
void grr_replay_program_regs(struct grr_replay *rp, struct user_regs_struct *regs);
int grr_replay_get_fpregs(struct grr_replay *rp, uint32_t tid, struct user_fpregs_struct *fp);
/* The thread's XSAVE area as PTRACE_GETREGSET NT_X86_XSTATE gives it
 * (standard format: the AVX upper halves, ...): its length, or -1. */
int grr_replay_get_xstate(struct grr_replay *rp, uint32_t tid, void *buf, size_t len);
/* Reads the replayed process's memory (the program's bytes, never the
 * debugger's breakpoints).  0 or -1 if not mapped. */
int grr_replay_read(struct grr_replay *rp, uint64_t addr, void *buf, size_t len);
/* A digest of the process's writable memory (for telling two moments at
 * the same registers apart). */
int grr_replay_digest(struct grr_replay *rp, uint64_t *digest);
/* Recorded tids of the live threads; returns how many (at most MAX). */
int grr_replay_threads(const struct grr_replay *rp, uint32_t *tids, int max);
/* Whether the program's output is echoed from now on (a debugger going
 * over events again does not print their output twice). */
void grr_replay_set_quiet(struct grr_replay *rp, bool quiet);
/* The traced executable's file: the recorded path, or for a packed trace
 * whose executable is gone, the copy extracted from the trace. */
const char *grr_replay_program(const struct grr_replay *rp);

/* ---- The process image, for core files (rp_image.c) ---- */

struct grr_header;
struct grr_mapping;

#define GRR_XSTATE_MAX 16384
struct grr_thread_state {
	struct user_regs_struct regs;
	struct user_fpregs_struct fpregs;
	uint8_t xstate[GRR_XSTATE_MAX]; /* the XSAVE area in the standard (not
					   compacted) layout, as PTRACE_GETREGSET
					   NT_X86_XSTATE gives it */
	size_t xstate_len;              /* 0: none (no XSAVE) */
	uint64_t sigmask;               /* blocked signals */
};
/* The whole register state of recorded thread TID (a thread just cloned
 * is first let reach its first stop).  0, or -1 if it is gone or exiting. */
int grr_replay_thread_state(struct grr_replay *rp, uint32_t tid, struct grr_thread_state *st);
/* The program's mappings now, in address order (/proc/PID/maps), with
 * grr's own pages cut out: the clock page, the syscall buffer and the
 * reserved range.  The count, or -1; *MAPS malloc'd, freed with
 * grr_replay_mappings_free. */
int grr_replay_mappings(struct grr_replay *rp, struct grr_mapping **maps);
void grr_replay_mappings_free(struct grr_mapping *maps, int n);
/* PRESENT[i] = whether page i from ADDR (page-aligned) is present or
 * swapped out (an anonymous page that is neither was never written: it
 * reads as zeros).  0 or -1. */
int grr_replay_pages_present(struct grr_replay *rp, uint64_t addr, uint64_t npages,
			     uint8_t *present);
/* The trace's header as recorded (its program is the recorded path, also
 * when a packed trace's embedded copy runs: grr_replay_program). */
const struct grr_header *grr_replay_header(const struct grr_replay *rp);
/* The recorded process id: the recorded tid of the program's first thread. */
uint32_t grr_replay_recorded_pid(const struct grr_replay *rp);

#endif
