/* ctl_private.h - replay control's internal state (replayer/control/). */
#ifndef GRR_REPLAYER_CTL_PRIVATE_H
#define GRR_REPLAYER_CTL_PRIVATE_H

#include <capstone/capstone.h>
#include <limits.h>
#include <signal.h>
#include <sys/user.h>

#include "replayer/control/control.h"

#define CTL_STACK_WORDS 32

/* A point in the replay (control.h).  MID: inside thread TID's run toward
 * event SEQ, in the state below; otherwise at the boundary after SEQ
 * events.  HELD: at that boundary thread TID stands in the state below
 * (the end of the recording, where it ends the program; or where
 * reverse-stepi went back over a syscall): reverse commands start from
 * it as from a stop inside a thread. */
struct ctl_moment {
	uint64_t seq;
	bool mid;
	bool held;
	uint32_t tid;
	struct user_regs_struct regs;
	uint64_t stack[CTL_STACK_WORDS];
	bool have_digest;
	uint64_t digest;
};

/* A breakpoint's hits: all of them (GOID CTL_ALL_GOROUTINES) or one
 * goroutine's (ctl_hits.c). */
#define CTL_ALL_GOROUTINES INT64_MIN
struct ctl_hits {
	int id;
	int64_t goid;
	uint64_t hits;
};

/* A suspended copy of the replay (grr_replay_fork) at moment M, with the
 * breakpoints' hit counts then. */
struct ctl_snap {
	struct grr_replay *rp;
	struct ctl_moment m;
	struct ctl_hits *hits;
	int nhits;
};

struct ctl_checkpoint {
	int id;
	char note[128];
	struct ctl_moment m;
	struct ctl_snap snap;      /* rp NULL: re-reached by re-execution */
};

/* Why a forward run stops at an internal (stepping) breakpoint. */
struct ctl_stepper;
typedef int (*ctl_step_pred)(struct grr_ctl *c, struct ctl_stepper *s,
			     const struct grr_replay_stop *at);
struct ctl_stepper {
	uint64_t *pcs;
	int npcs, cap;
	ctl_step_pred pred;    /* 1 stop here, 0 go on, -1 error */
	int64_t goid;          /* the goroutine being stepped */
	int64_t frame_sp;      /* its frame's rsp in the body, and the rsp
				  after the return, as offsets from the top
				  of its stack (ctl_stopped_on) */
	int64_t cfa_sp;
	uint64_t ret;          /* return address */
	uint64_t *callsites;   /* indirect calls (step into) */
	int ncallsites, capcall;
};

struct grr_ctl {
	char trace[PATH_MAX];
	struct grr_ctl_opts opts;
	struct grr_replay *rp;
	struct grr_replay *view;   /* what inspection reads instead of rp, or
				      NULL (grr_ctl_view) */
	struct grr_symbols *syms;
	struct grr_ctl_break *bps;
	int nbps, capbps, next_id;
	struct ctl_hits *ghits;    /* per-goroutine hit counts (ctl_hits.c) */
	int nghits, capghits;
	struct ctl_checkpoint *cps;
	int ncps, capcps, next_cp;
	struct ctl_moment now;     /* where the replay stands */
	uint32_t cur_tid;          /* the thread the user looks at */
	uint64_t high_water;       /* events whose output was shown already */
	bool broken;
	grr_ctl_cond_fn cond_fn;
	void *cond_ctx;
	bool have_goid_off;
	uint64_t goid_off;
	bool have_stack_hi_off;    /* offset of g.stack.hi */
	uint64_t stack_hi_off;
	struct ctl_snap *snaps;    /* automatic checkpoints, oldest first */
	int nsnaps, capsnaps;
	double last_snap_time;
	double snap_interval;      /* seconds between automatic checkpoints */
	volatile sig_atomic_t interrupted;  /* grr_ctl_interrupt */
	bool debug;                /* GRR_DEBUG_CTL: log checkpoints, passes */
	struct {                   /* grr_ctl_select_goroutine, until a stop */
		bool active;
		int64_t goid;
		uint32_t tid;
		struct user_regs_struct regs;
	} sel;
};

/* ctl_session.c */
int ctl_restart_engine(struct grr_ctl *c, char *err, size_t errlen);
int ctl_engine_error(struct grr_ctl *c, char *err, size_t errlen);
void ctl_set_echo(struct grr_ctl *c, bool on);

/* ctl_hits.c: hit counts, total and per goroutine.  ctl_hits_save
 * copies them into snapshot S, ctl_hits_load makes them S's (NULL: the
 * start, all zero); ctl_hits_count counts a hit of B by goroutine GOID
 * (-1: none) and says whether B's hit condition then holds. */
int ctl_hits_save(const struct grr_ctl *c, struct ctl_snap *s);
void ctl_hits_load(struct grr_ctl *c, const struct ctl_snap *s);
bool ctl_hits_count(struct grr_ctl *c, struct grr_ctl_break *b, int64_t goid);

/* ctl_snapshot.c */
#define CTL_SNAP_INTERVAL 0.25
int ctl_snap_take(struct grr_ctl *c, struct ctl_snap *s, char *err, size_t errlen);
void ctl_snap_free(struct ctl_snap *s);
int ctl_snap_restore(struct grr_ctl *c, const struct ctl_snap *s, char *err, size_t errlen);
/* An automatic checkpoint here if one is due. */
void ctl_snap_maybe(struct grr_ctl *c);
/* The replay at the latest checkpoint at or before event SEQ (or the
 * start); *BASE gets its event number.  Hit counts are those of then. */
int ctl_restart_before(struct grr_ctl *c, uint64_t seq, uint64_t *base, char *err, size_t errlen);

/* ctl_moment.c */
int ctl_capture(struct grr_ctl *c, uint32_t tid, bool mid, struct ctl_moment *m);
/* M, a boundary, with thread TID's state: HELD (control.h). */
void ctl_capture_held(struct grr_ctl *c, uint32_t tid, struct ctl_moment *m);
/* Whether the stopped thread TID is in moment M's state (1), not (0). */
int ctl_moment_here(struct grr_ctl *c, struct ctl_moment *m, uint32_t tid);
/* Re-runs from the start to moment M; the engine then holds no debugger
 * breakpoints. */
int ctl_reach(struct grr_ctl *c, const struct ctl_moment *m, char *err, size_t errlen);
void ctl_position(struct grr_ctl *c, struct grr_ctl_pos *pos);

/* ctl_breaks.c */
/* A new breakpoint at the end of the list, not counted yet (c->nbps++
 * keeps it); NULL when out of memory. */
struct grr_ctl_break *ctl_new_break(struct grr_ctl *c, char *err, size_t errlen);
/* Breakpoint ID, or NULL. */
struct grr_ctl_break *ctl_find_break(struct grr_ctl *c, int id);
/* Adds the locations of SPEC to B, checked against the program's code
 * from its symbols (no process needed).  0, or -1 with ERR. */
int ctl_break_resolve(struct grr_ctl *c, struct grr_ctl_break *b, const char *spec,
		      char *err, size_t errlen);
/* Loads the user's breakpoints and watchpoints plus EXTRA into the engine. */
int ctl_sync_engine(struct grr_ctl *c, const uint64_t *extra, int nextra, bool user);
/* The user breakpoint that stops at AT (condition checked, hit counted),
 * or NULL to go on.  STOP gets the condition error if any. */
struct grr_ctl_break *ctl_user_stop(struct grr_ctl *c, const struct grr_replay_stop *at,
				    struct grr_ctl_stop *stop, bool count);
void ctl_watch_reset_values(struct grr_ctl *c);
int ctl_readd_watches(struct grr_ctl *c);

/* ctl_failure.c: Delve's unrecovered-panic and runtime-fatal-throw
 * breakpoints (those of the runtime's functions this program has). */
void ctl_failure_breaks(struct grr_ctl *c);

/* ctl_end.c: the end of the recording */
/* Whether the replay stands at the program's last moment; *TID the
 * thread to show there (NULL allowed). */
bool ctl_at_end(struct grr_ctl *c, uint32_t *tid);
/* Makes the current moment, the end, the stop (GRR_CTL_EXITED or
 * GRR_CTL_CUT) in STOP. */
int ctl_end_stop(struct grr_ctl *c, struct grr_ctl_stop *stop);

/* ctl_goroutine.c */
int64_t ctl_goid(struct grr_ctl *c, uint32_t tid);
/* Reads stopped thread TID's registers and its stack pointer as an
 * offset from the top of its goroutine's stack (*SP; frames are compared
 * by it, since stacks move): 1 if it runs goroutine GOID (or GOID is -1),
 * 0 if another, -1 on error. */
int ctl_stopped_on(struct grr_ctl *c, uint32_t tid, int64_t goid, struct user_regs_struct *regs,
		   int64_t *sp);
/* g.stack.hi of the goroutine thread TID runs, or of goroutine GOID. */
bool ctl_thread_stack_hi(struct grr_ctl *c, uint32_t tid, uint64_t *hi);
bool ctl_goid_stack_hi(struct grr_ctl *c, int64_t goid, uint64_t *hi);

/* ctl_frame.c: the innermost frame of a stopped thread */
int ctl_frame_return(struct grr_ctl *c, const struct user_regs_struct *regs,
		     uint64_t *ret, uint64_t *cfa);
/* The call instruction that ends at RET (its address), or 0. */
uint64_t ctl_call_before(struct grr_ctl *c, uint64_t ret);
bool ctl_is_runtime(const char *func);
/* Whether PC is in the same inlined function as HERE, or in one of its
 * (inline) callers, so that a line step from HERE may stop there. */
bool ctl_same_inline_level(struct grr_ctl *c, uint64_t here, uint64_t pc);
/* Whether PC is in a call inlined at line CUR of the function at HERE
 * (the function inlined there in *FUNC). */
bool ctl_inlined_from_line(struct grr_ctl *c, uint64_t here, uint64_t pc,
			   const struct grr_line_info *cur, const char **func);

/* ctl_code.c: instructions of [LO, HI) of the program */
struct ctl_code {
	csh h;
	cs_insn *insn;         /* with details */
	size_t n;
};
int ctl_disasm(struct grr_ctl *c, uint64_t lo, uint64_t hi, struct ctl_code *code);
void ctl_disasm_free(struct ctl_code *code);
/* A call with an immediate target (in *TARGET). */
bool ctl_direct_call(const cs_insn *insn, uint64_t *target);

/* ctl_stepper.c */
void ctl_stepper_free(struct ctl_stepper *s);
int ctl_stepper_add(struct ctl_stepper *s, uint64_t pc);
bool ctl_stepper_has(const struct ctl_stepper *s, uint64_t pc);
/* Runs forward until a user breakpoint/watchpoint or a stop S accepts. */
int ctl_run_forward(struct grr_ctl *c, struct ctl_stepper *s, struct grr_ctl_stop *stop,
		    char *err, size_t errlen);
/* Makes the current moment the stop of TID (MID: inside its run, else at
 * the event boundary) and fills STOP. */
int ctl_stop_here(struct grr_ctl *c, uint32_t tid, bool mid, enum grr_ctl_reason why,
		  struct grr_ctl_stop *stop);

#endif
