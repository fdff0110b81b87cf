/* val_private.h - internals of the value layer (values.h): the DWARF type
 * graph, the index of globals, functions and runtime types, variables and
 * their locations, values, rendering and expressions.
 *
 * One file per concept:
 *   val_arena.c      arenas and growable strings
 *   dwarf_index.c    one pass over the DWARF at session start: globals,
 *                    functions, type names, DW_AT_go_runtime_type
 *   dwarf_types.c    type DIEs turned into struct gtype, lazily, cached
 *   value_loc.c      location expressions and location lists
 *   value_vars.c     locals and arguments of a frame (lexical blocks,
 *                    inlined calls, decl_line)
 *   value_read.c     values: memory or register bytes, typed reads
 *   value_map.c      map iteration: classic hash maps and Swiss tables
 *   render.c         Delve's print layout (load with limits, then write)
 *   eval_parse.c     the expression parser (AST)
 *   eval.c           the evaluator
 *   values.c         the API of values.h */
#ifndef GRR_REPLAYER_INSPECT_VAL_PRIVATE_H
#define GRR_REPLAYER_INSPECT_VAL_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libdwarf.h>

#include "replayer/inspect/values.h"

/* ---- arenas and strings (val_arena.c) ---------------------------------- */

struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
void *ar_alloc(struct arena *a, size_t n);          /* zeroed; aborts if out of memory */
char *ar_strdup(struct arena *a, const char *s);
char *ar_strndup(struct arena *a, const char *s, size_t n);
char *ar_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ar_free(struct arena *a);

struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_putc(struct sbuf *b, char c);
void sb_puts(struct sbuf *b, const char *s);
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);

/* ---- types (dwarf_types.c) --------------------------------------------- */

enum gt_kind {
	GT_INVALID, GT_VOID, GT_BOOL, GT_INT, GT_UINT, GT_FLOAT, GT_COMPLEX, GT_STRING,
	GT_PTR, GT_UNSAFEPTR, GT_STRUCT, GT_ARRAY, GT_SLICE, GT_MAP, GT_CHAN, GT_IFACE,
	GT_FUNC,
};

/* reflect.Kind, as Go stores it in DW_AT_go_kind */
enum { GK_BOOL = 1, GK_INT = 2, GK_INT64 = 6, GK_UINT = 7, GK_UINTPTR = 12, GK_FLOAT32 = 13,
       GK_FLOAT64 = 14, GK_COMPLEX64 = 15, GK_COMPLEX128 = 16, GK_ARRAY = 17, GK_CHAN = 18,
       GK_FUNC = 19, GK_INTERFACE = 20, GK_MAP = 21, GK_PTR = 22, GK_SLICE = 23,
       GK_STRING = 24, GK_STRUCT = 25, GK_UNSAFEPTR = 26 };

#define DW_AT_GO_KIND 0x2900
#define DW_AT_GO_KEY 0x2901
#define DW_AT_GO_ELEM 0x2902
#define DW_AT_GO_EMBEDDED 0x2903
#define DW_AT_GO_RUNTIME_TYPE 0x2904

struct gtype;
struct gt_field {
	const char *name;
	uint64_t off;
	Dwarf_Off toff;
	struct gtype *t;         /* resolved lazily (gt_field_type) */
	bool embedded;
};

struct gtype {
	Dwarf_Off off;           /* its DIE (0: made up by grr) */
	enum gt_kind kind;
	const char *name;        /* Go's name for it: "main.Account", "[]int" */
	uint64_t size;
	int64_t count;           /* arrays */
	/* pointer target, array/slice/chan/map element, map key, and for maps,
	 * channels and interfaces the runtime structure behind them
	 * (*hash<K,V> / *internal/runtime/maps.Map, *hchan<T>, runtime.iface
	 * or runtime.eface); resolved lazily from the DIE offsets */
	Dwarf_Off elem_off, key_off, impl_off;
	struct gtype *elem, *key, *impl;
	struct gt_field *fields;
	int nfields;
	uint64_t rtype;          /* DW_AT_go_runtime_type (0: none) */
	int go_kind;
};

struct gv_session;
/* The type of the DIE at OFF (typedefs that repeat their target's name are
 * transparent), or NULL. */
struct gtype *gt_get(struct gv_session *s, Dwarf_Off off);
struct gtype *gt_elem(struct gv_session *s, struct gtype *t);
struct gtype *gt_key(struct gv_session *s, struct gtype *t);
struct gtype *gt_impl(struct gv_session *s, struct gtype *t);
struct gtype *gt_field_type(struct gv_session *s, struct gt_field *f);
/* The member named NAME of struct T, or NULL. */
struct gt_field *gt_field(struct gtype *t, const char *name);
/* A type by its Go name ("runtime.hchan", "*main.Account"), or NULL. */
struct gtype *gt_named(struct gv_session *s, const char *name);
/* *T (found in DWARF, or made up) and [N]T (made up). */
struct gtype *gt_pointer_to(struct gv_session *s, struct gtype *t);
struct gtype *gt_array_of(struct gv_session *s, struct gtype *t, int64_t n);
/* The address of T's runtime type (abi.Type) in the process, or 0. */
uint64_t gt_runtime_type_addr(struct gv_session *s, struct grr_replay *rp, struct gtype *t);
/* The type whose runtime type (abi.Type) is at ADDR, or NULL. */
struct gtype *gt_from_runtime(struct gv_session *s, struct grr_replay *rp, uint64_t addr);
bool gt_is_pointer_shaped(struct gv_session *s, struct gtype *t);

/* ---- the index (dwarf_index.c) ----------------------------------------- */

struct gi_func {
	uint64_t lo, hi;
	Dwarf_Off off;
	const char *name;
};
struct gi_global {
	const char *name;
	uint64_t addr;
	Dwarf_Off toff;
};
struct gi_name {
	const char *name;
	Dwarf_Off off;
};
struct gi_rtype {
	uint64_t rtype;
	Dwarf_Off off;
};

struct gt_cache_slot {
	Dwarf_Off off;
	struct gtype *t;
};

struct gv_session {
	struct grr_dwarf *dw;
	Dwarf_Debug dbg;
	struct arena ar;
	struct gi_func *funcs;        /* sorted by lo */
	size_t nfuncs;
	struct gi_global *globals;    /* sorted by name */
	size_t nglobals;
	struct gi_name *types;        /* sorted by name */
	size_t ntypes;
	struct gi_rtype *rtypes;      /* sorted by rtype */
	size_t nrtypes;
	struct gt_cache_slot *cache;  /* open addressing by DIE offset */
	size_t ncache, capcache;
	struct gtype *made;           /* made-up pointer types, a list via impl */
	uint64_t types_base;          /* runtime.firstmoduledata.types (0: unknown yet) */
};

int gi_build(struct gv_session *s, char *err, size_t errlen);
const struct gi_func *gi_func_at(const struct gv_session *s, uint64_t pc);
const struct gi_global *gi_global(const struct gv_session *s, const char *name);
Dwarf_Off gi_type_named(const struct gv_session *s, const char *name);
Dwarf_Off gi_rtype(const struct gv_session *s, uint64_t rtype);
/* Package-variable names that end with ".NAME" (for messages); count. */
size_t gi_globals_suffix(const struct gv_session *s, const char *name, const char **out, size_t max);

/* libdwarf helpers shared by the files */
bool dw_udata(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *v);
bool dw_ref(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off);
const char *dw_name(Dwarf_Die die);   /* libdwarf's string, or NULL */
Dwarf_Half dw_tag(Dwarf_Die die);
/* The address ranges of DIE (low/high pc or DW_AT_ranges): whether PC is
 * in them. */
bool dw_die_has_pc(struct gv_session *s, Dwarf_Die die, uint64_t pc);

/* ---- locations (value_loc.c) ------------------------------------------- */

/* What the location of a variable says at a pc: an address, or bytes
 * assembled from registers and pieces, or why it is unavailable. */
struct gloc {
	bool in_memory;
	uint64_t addr;
	uint8_t bytes[64];
	size_t nbytes;
	char why[160];             /* unavailable: Delve's words */
};

/* The machine state a location is evaluated in. */
struct gframe_regs {
	struct grr_replay *rp;     /* memory, for pieces in memory */
	uint64_t cfa;
	bool have_regs;            /* the innermost frame: registers are known */
	uint64_t regs[17];         /* DWARF numbering: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
	bool have_xmm;
	uint8_t xmm[16][16];
};

/* Evaluates the location attribute of variable DIE at PC; 0, or -1 when
 * unavailable (LOC->why says why). */
int gl_locate(struct gv_session *s, Dwarf_Die var, uint64_t pc, const struct gframe_regs *fr,
	      uint64_t size, struct gloc *loc);

/* ---- variables of a frame (value_vars.c) ------------------------------- */

struct gvar_info {
	const char *name;
	struct gtype *t;
	bool is_arg;
	int depth;                 /* lexical nesting (shadowing) */
	int decl_line;
	bool have_loc;
	struct gloc loc;
};

/* The arguments and locals visible in frame FR (physical function at
 * FR->pc, inlined call depth FR->inline_depth), in declaration order; an
 * arena array in *OUT; count, or -1 with ERR. */
int gv_frame_vars(struct gv_ctx *c, struct arena *ar, struct gvar_info **out, char *err,
		  size_t errlen);

/* ---- values (value_read.c) --------------------------------------------- */


enum gval_how { GV_MEM, GV_BYTES, GV_UNTYPED_INT, GV_UNTYPED_STR, GV_UNTYPED_BOOL,
		GV_UNTYPED_NIL, GV_UNTYPED_FLOAT, GV_UNREADABLE };

struct gval {
	struct gtype *t;           /* NULL for untyped constants */
	enum gval_how how;
	uint64_t addr;             /* GV_MEM */
	const uint8_t *bytes;      /* GV_BYTES: t->size bytes */
	int64_t i;                 /* untyped int, bool */
	double f;                  /* untyped float */
	const char *s;             /* untyped string */
	size_t slen;
	const char *why;           /* GV_UNREADABLE */
	const char *name;          /* for locals/args lines */
};

struct gv_env {
	struct gv_session *s;
	struct grr_replay *rp;
	struct arena *ar;
	char *err;
	size_t errlen;
};

/* The value of frame variable V (eval.c): in memory, from its register
 * bytes, or unreadable with the reason its location gives. */
struct gval gv_var_value(struct gv_env *e, const struct gvar_info *v);
/* Reads N bytes at offset OFF of V; 0 or -1 with ENV->err set. */
int gv_read(struct gv_env *e, const struct gval *v, uint64_t off, void *buf, size_t n);
int gv_read_mem(struct gv_env *e, uint64_t addr, void *buf, size_t n);
/* A value of type T at ADDR in memory. */
struct gval gv_at(struct gtype *t, uint64_t addr);
/* A value of type T made of BYTES (copied into the arena). */
struct gval gv_of_bytes(struct gv_env *e, struct gtype *t, const void *bytes);
/* Scalars: integers (sign-extended by kind), pointer words. */
int gv_int(struct gv_env *e, const struct gval *v, int64_t *out);
int gv_uint(struct gv_env *e, const struct gval *v, uint64_t *out);
int gv_float(struct gv_env *e, const struct gval *v, double *out);
/* The member F of struct value V. */
struct gval gv_member(struct gv_env *e, const struct gval *v, struct gt_field *f);
int gv_field_word(struct gv_env *e, const struct gval *v, const char *field, uint64_t *out);
/* A string's header; string bytes (at most MAX) into the arena. */
int gv_string(struct gv_env *e, const struct gval *v, uint64_t *data, uint64_t *len);
/* Slice header. */
int gv_slice(struct gv_env *e, const struct gval *v, uint64_t *data, int64_t *len, int64_t *cap);
/* The dynamic value of interface V: its concrete type (NULL for nil) and
 * a value of that type. 0 or -1. */
int gv_iface(struct gv_env *e, const struct gval *v, struct gtype **ct, struct gval *data);
/* The function name at a func value (NULL for nil). */
int gv_func_name(struct gv_env *e, const struct gval *v, const struct grr_symbols *syms,
		 const char **name, uint64_t *pc);
int gv_err(struct gv_env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct gtype *gv_resolve(struct gtype *t);

/* ---- maps (value_map.c) ------------------------------------------------ */

struct gmap_iter;
/* Starts iterating map value V; its length in *LEN.  NULL with ENV->err
 * on a malformed map; an iterator that yields nothing for nil maps. */
struct gmap_iter *gm_begin(struct gv_env *e, const struct gval *v, int64_t *len);
/* The next entry: 1, 0 at the end, -1 with ENV->err. */
int gm_next(struct gmap_iter *it, struct gval *key, struct gval *val);

/* ---- channels (render.c, eval.c) --------------------------------------- */
int gv_chan_lencap(struct gv_env *e, const struct gval *v, int64_t *len, int64_t *cap,
		   uint64_t *hchan);

/* ---- rendering (render.c) ---------------------------------------------- */

/* Renders V as Delve's print does (MULTILINE: print's layout; else the
 * one-line form of locals, args and display). */
void gr_render(struct gv_env *e, const struct grr_symbols *syms, const struct gval *v,
	       const struct gv_config *cfg, bool multiline, struct sbuf *out);
/* Go's strconv.Quote of S[0..N). */
void gr_quote(struct sbuf *b, const char *s, size_t n);
/* strconv.FormatFloat(f, 'f', -1, BITS). */
void gr_float(struct sbuf *b, double f, int bits);
const char *gr_type_name(const struct gtype *t);

/* ---- expressions (eval_parse.c, eval.c) -------------------------------- */

enum ge_op {
	GE_IDENT, GE_INT, GE_FLOAT, GE_STR, GE_BOOL, GE_NIL,
	GE_FIELD,        /* a.name */
	GE_INDEX,        /* a[b] */
	GE_SLICE,        /* a[b:c] (b, c may be NULL) */
	GE_ASSERT,       /* a.(name): a type assertion */
	GE_CALL,         /* len(a), cap(a) */
	GE_UNARY,        /* op a: - ! * & */
	GE_BINARY,       /* a op b */
};

/* binary and unary operators */
enum { GO_ADD = 1, GO_SUB, GO_MUL, GO_DIV, GO_MOD, GO_EQ, GO_NE, GO_LT, GO_LE, GO_GT, GO_GE,
       GO_ANDAND, GO_OROR, GO_NOT, GO_NEG, GO_DEREF, GO_ADDR };

struct gexpr {
	enum ge_op op;
	int sub;                   /* GO_* */
	const char *name;          /* IDENT, FIELD, CALL */
	int64_t i;                 /* INT, BOOL */
	double f;                  /* FLOAT */
	const char *s;             /* STR */
	size_t slen;
	struct gexpr *a, *b, *c;
};

/* Whether NAME ("net/http.DefaultClient") is a package variable: lets the
 * parser read a path with slashes as one name. */
typedef bool (*ge_known_fn)(void *ctx, const char *name);

/* Parses TEXT; the tree in arena AR, or NULL with ERR. */
struct gexpr *ge_parse(struct arena *ar, const char *text, ge_known_fn known, void *kctx,
		       char *err, size_t errlen);
/* The tree back as text (for tests and messages). */
void ge_format(const struct gexpr *x, struct sbuf *b);

/* Parses and evaluates EXPR in C's frame (values.c); 0 or -1 with
 * ENV->err. */
int gv_evaluate(struct gv_ctx *c, struct gv_env *e, const char *expr, struct gval *v);

/* Evaluates X in C's frame; 0 or -1 with ENV->err. */
int ge_eval(struct gv_ctx *c, struct gv_env *e, const struct gexpr *x, struct gval *out);

#endif
