/* stack_private.h - the parts of goroutine and stack inspection
 * (stack.h) shared by replayer/inspect/: the runtime's layout found in
 * DWARF (runtime_layout.c), the frame table from pclntab (frame_table.c),
 * goroutine statuses (gstatus.c), goroutines and their threads
 * (goroutines.c), and physical-frame unwinding (unwind.c). */
#ifndef GRR_REPLAYER_INSPECT_STACK_PRIVATE_H
#define GRR_REPLAYER_INSPECT_STACK_PRIVATE_H

#include "replayer/inspect/stack.h"

/* Whether there is no process left to read (the end of the recording
 * keeps it: control.h); then ERR says so. */
bool gr_process_gone(struct grr_ctl *c, char *err, size_t errlen);

/* ---- runtime_layout.c: where the runtime keeps what we read ---- */

#define RT_NSTATUS 16

struct rt_layout {
	/* runtime.g */
	uint64_t g_goid, g_status, g_waitreason, g_m, g_gopc, g_startpc;
	uint64_t g_stack_lo, g_stack_hi;
	uint64_t g_sched_pc, g_sched_sp, g_sched_bp;   /* g.sched + gobuf.pc ... */
	int status_size;        /* bytes of the status word (4: uint32 or the
				   value of an atomic.Uint32) */
	bool have_waitreason, have_gopc, have_startpc;
	/* runtime.m */
	uint64_t m_procid, m_g0, m_gsignal, m_curg;
	bool have_procid, have_m_gs;
	/* package variables */
	uint64_t allgs;         /* runtime.allgs: a []*g */
	uint64_t wrs_addr;      /* runtime.waitReasonStrings: a [N]string */
	uint64_t wrs_len;       /* N (0: unknown) */
	/* goroutine statuses, from the constants runtime._G* in DWARF (the
	 * runtime's own numbering when DWARF has none) */
	const char *status_name[RT_NSTATUS];   /* by value; NULL: unknown */
	uint64_t scan_bit;      /* _Gscan */
	uint32_t dead, deadextra;
};

/* The layout of the runtime of the program C replays, computed once per
 * executable; NULL with one line in ERR when a field the goroutine list
 * cannot do without is missing from DWARF. */
const struct rt_layout *rt_layout_get(struct grr_ctl *c, char *err, size_t errlen);

/* ---- frame_table.c: Go's function table, .gopclntab ---- */

struct ft_func {
	uint64_t entry, end;
	const char *name;       /* as the runtime names it ("runtime.goexit") */
};

/* The table of the executable C replays (cached; NULL if it has none). */
struct frame_table;
const struct frame_table *ft_get(struct grr_ctl *c);
/* The function containing PC. */
bool ft_func_at(const struct frame_table *t, uint64_t pc, struct ft_func *f);
/* The stack pointer's distance below the CFA minus 8 at PC (pcsp: how
 * many bytes the function has pushed or reserved), or -1 if unknown. */
int64_t ft_sp_delta(const struct frame_table *t, uint64_t pc);

/* ---- gstatus.c ---- */

/* The name of status word ST ("waiting"), with the _Gscan bit ignored;
 * NULL for an unknown value. */
const char *gstatus_name(const struct rt_layout *L, uint32_t st);
bool gstatus_is_dead(const struct rt_layout *L, uint32_t st);
/* The wait reason REASON in the runtime's words ("chan receive"). */
void gstatus_wait_reason(struct grr_ctl *c, const struct rt_layout *L, uint8_t reason,
			 char *buf, size_t len);

/* ---- goroutines.c ---- */

/* A goroutine as read from its runtime.g, with the thread that runs it. */
struct gr_g {
	struct grr_goroutine pub;
	uint64_t stack_lo, stack_hi;
	uint64_t sched_pc, sched_sp, sched_bp;
	bool on_thread;         /* TID's registers are where it stands */
};

/* Goroutine GOID (-1: the current thread's); 1 found, 0 none, -1 error
 * (ERR).  For -1 with a thread that runs no goroutine, 0 and *TID the
 * current thread. */
int gr_find(struct grr_ctl *c, int64_t goid, struct gr_g *out, uint32_t *tid,
	    char *err, size_t errlen);

/* The goroutine whose runtime.g is at G, standing on thread TID's
 * registers if TID is not 0.  0, or -1 with ERR. */
int gr_read(struct grr_ctl *c, uint64_t g, uint32_t tid, struct gr_g *out, char *err,
	    size_t errlen);

/* ---- unwind.c: physical frames ---- */

struct uw_start {
	uint64_t pc, sp, bp;
	bool exact;             /* PC is where execution stands (registers, a
				   new goroutine's entry), not a return address */
	bool from_regs;         /* the thread's registers */
	const struct gr_g *g;   /* the goroutine whose stack this is, or NULL */
};

struct uw_frame {
	uint64_t pc, sp, bp, cfa;
	uint64_t lookup;        /* pc for lines and inlining: pc, or pc-1 for a
				   return address */
	struct ft_func fn;      /* fn.name NULL: unknown */
	bool innermost;
};

/* Physical frames from START, at most MAX; how many (0 with ERR if none). */
int uw_unwind(struct grr_ctl *c, const struct uw_start *start, struct uw_frame *out, int max,
	      char *err, size_t errlen);

#endif
