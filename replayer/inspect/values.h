/* values.h - Go values of the replayed program, read with the types and
 * variable locations of its DWARF, and a small Go expression language over
 * them, printed as Delve prints them (docs/expressions.md).
 *
 * A session (struct gv_session) reads the executable's DWARF once: an
 * index of functions, package variables, type names and runtime types;
 * types themselves are read when first needed.  Expressions are evaluated
 * in one frame of one goroutine at the current moment of the replay
 * (struct gv_ctx), reading its memory and, for the innermost frame, the
 * registers of the thread that runs it. */
#ifndef GRR_REPLAYER_INSPECT_VALUES_H
#define GRR_REPLAYER_INSPECT_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replayer/replay.h"
#include "replayer/symbols/symbols.h"

struct gv_session;

/* Opens EXE's DWARF and indexes it; NULL with one line in ERR. */
struct gv_session *gv_session_open(const char *exe, char *err, size_t errlen);
void gv_session_close(struct gv_session *s);

/* How much of a value is read (Delve's LoadConfig). */
struct gv_config {
	int max_string_len;       /* bytes of a string */
	int max_array_values;     /* elements of arrays, slices, maps */
	int max_variable_recurse; /* nesting levels of structs, maps, interfaces */
	int max_struct_fields;    /* -1: all */
	bool follow_pointers;
	char int_verb;            /* integers, also inside composite values, in
				     Go's fmt %x %X %o %b or %d (print %x);
				     0: decimal */
};
/* print (Delve's LoadFullValue: 64, 64, 1, -1, follow) and locals/args/
 * display (Delve's ShortLoadConfig: 64, 0, 0, 3, no follow). */
extern const struct gv_config gv_load_full, gv_load_short;

/* The frame expressions are evaluated in. */
struct gv_frame {
	uint64_t pc;              /* where it stands (callers: the return address) */
	uint64_t cfa;             /* canonical frame address */
	bool caller;              /* PC is a return address: scopes at PC-1 */
	bool innermost;           /* the registers of thread TID are this frame's */
	uint32_t tid;
	int inline_depth;         /* 0: the physical function; k: its k-th level
				     of inlined call at PC */
};

struct gv_ctx {
	struct gv_session *s;
	struct grr_replay *rp;
	const struct grr_symbols *syms;
	bool have_frame;          /* else only package variables are known */
	struct gv_frame fr;
	uint64_t stack_lo, stack_hi;  /* the goroutine's stack (0: unknown) */
	uint64_t curg;            /* the goroutine's runtime.g, which Delve's
				     name runtime.curg stands for (0: none) */
};

/* Evaluates EXPR and renders the result into *OUT (malloc'd; caller
 * frees): MULTILINE is print's layout, otherwise one line.  0, or -1 with
 * one line in ERR. */
int gv_print(struct gv_ctx *c, const char *expr, const struct gv_config *cfg, bool multiline,
	     char **out, char *err, size_t errlen);

/* How gv_print's error starts when EXPR calls a function of the program
 * (the front end makes such calls: `call`). */
#define GV_ERR_CALL "function calls are not supported in expressions"

/* whatis: the type of EXPR, with "Real type:" and "Concrete type:" lines
 * as Delve prints them, into *OUT (malloc'd). */
int gv_whatis(struct gv_ctx *c, const char *expr, char **out, char *err, size_t errlen);

/* A breakpoint condition: 1 true, 0 false, -1 error (ERR). */
int gv_condition(struct gv_ctx *c, const char *expr, char *err, size_t errlen);

/* Where EXPR's value lives in memory and its size in bytes (watch EXPR):
 * 0, or -1 with ERR when it is not in memory (a register, a constant). */
int gv_lvalue(struct gv_ctx *c, const char *expr, uint64_t *addr, uint64_t *size, char *err,
	      size_t errlen);

/* The arguments (ARGS) or locals of the frame whose names match FILTER
 * (a substring; NULL: all), one "name = value" line each into *OUT
 * (malloc'd), or "(no args)"/"(no locals)".  Shadowed names are in
 * parentheses. */
int gv_frame_list(struct gv_ctx *c, bool args, const char *filter, const struct gv_config *cfg,
		  bool multiline, char **out, char *err, size_t errlen);

/* ---- calls (call_abi.c; docs/calls.md) ---- */

/* A Go call expression, FUNC(ARGS), VALUE.METHOD(ARGS) or FUNCVALUE(ARGS),
 * resolved and laid out for the register ABI in REQ (fn, closure,
 * registers, stack, data; frame_size).  Unless UNSAFE_OK, an argument that
 * points into the goroutine's stack is refused.  NULL with one line in
 * ERR. */
struct gv_call;
struct gv_call *gv_call_prepare(struct gv_ctx *c, const char *expr, bool unsafe_ok,
				struct grr_call_request *req, char *err, size_t errlen);
const char *gv_call_name(const struct gv_call *call);
/* The results of a call that returned, read from RES and the memory of the
 * process COPY it ran in, one "\tname: value" line each into *OUT
 * (malloc'd); how many, or -1. */
int gv_call_results(struct gv_ctx *c, struct gv_call *call, struct grr_replay *copy,
		    const struct grr_call_result *res, char **out, char *err, size_t errlen);
/* A panic value (an interface {}) rendered from COPY's memory. */
int gv_call_panic(struct gv_ctx *c, struct grr_replay *copy, const uint64_t panic[2], char **out,
		  char *err, size_t errlen);
void gv_call_free(struct gv_call *call);

#endif
