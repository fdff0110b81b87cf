/* sym_private.h - internals of the symbol layer (symbols.h).
 *
 * grr_symbols_open reads everything it needs from the executable once
 * (ELF symbol table, DWARF through libdwarf, or Go's pclntab when there is
 * no DWARF), copies it into the tables below, builds the indexes and closes
 * libelf and libdwarf again.  Every lookup afterwards is a pure function of
 * these tables: no libdwarf handle, no caches, nothing global.
 *
 * One file per concept:
 *   sym_strings.c      string arena and interning
 *   sym_elf.c          the ELF file: sections, code bytes, decompressed
 *                      DWARF sections handed to libdwarf
 *   sym_dwarf.c        the DWARF walk (line programs, subprograms, inlined
 *                      subroutines, globals, struct types)
 *   sym_pclntab.c      functions and lines from Go's .gopclntab
 *   sym_lines.c        the line table: sorting, line_at, func_rows
 *   sym_funcs.c        the function table: func_at, func_named, name matching
 *   sym_prologue.c     the body pc of each function (after the prologue)
 *   sym_inline.c       inlined frames at a pc
 *   sym_locspec.c      location specs (grr_symbols_resolve)
 *   sym_dwarf_types.c  struct member offsets and global addresses
 *   sym_buildinfo.c    the Go version from .go.buildinfo
 *   sym_list.c         sorted name lists (funcs, files, globals, types)
 *   sym_open.c         open/close: runs the steps above in order */
#ifndef GRR_REPLAYER_SYM_PRIVATE_H
#define GRR_REPLAYER_SYM_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replayer/symbols/symbols.h"

/* ---- strings (sym_strings.c) ------------------------------------------ */

/* Strings live in large chunks; interned strings are unique, so equal
 * names (files, functions) compare equal as pointers. */
struct sym_chunk;
struct sym_strings {
	struct sym_chunk *chunks;
	const char **slots;      /* open-addressing hash set of interned strings */
	size_t nslots, nused;
};

void sym_strings_free(struct sym_strings *st);
/* A copy of S[0..LEN) in the arena, or the existing interned copy; NULL if
 * out of memory. */
const char *sym_intern_n(struct sym_strings *st, const char *s, size_t len);
const char *sym_intern(struct sym_strings *st, const char *s);

/* ---- growable arrays ---------------------------------------------------- */

/* Makes room for one more element of ELSIZE bytes in *ARR (N used, *CAP
 * allocated); returns the new element (zeroed), or NULL if out of memory.
 * The caller increments N. */
void *sym_grow(void **arr, size_t n, size_t *cap, size_t elsize);
#define SYM_PUSH(arr, n, cap) \
	((__typeof__(arr))sym_grow((void **)&(arr), (n), &(cap), sizeof(*(arr))))

/* ---- tables ------------------------------------------------------------- */

struct sym_func {
	const char *name;        /* interned */
	uint64_t entry, end;     /* [entry, end) */
	uint64_t body;           /* first pc after the prologue (sym_prologue.c) */
	uint64_t stub;           /* start of the morestack stub at the end of the
				    function, or end if none */
	const char *decl_file;   /* where the `func` keyword is, if known */
	int decl_line;           /* (0 if unknown) */
	size_t row_first, nrows; /* its rows in s->rows (sym_lines.c) */
	size_t inl_first, ninl;  /* its inlined ranges in s->inl */
	size_t order;            /* insertion order (while building) */
};

/* One address range of one inlined call (a DW_TAG_inlined_subroutine may
 * have several ranges; they share an id). */
struct sym_inl {
	uint64_t lo, hi;
	const char *func;        /* the inlined function (abstract origin) */
	const char *call_file;   /* the call site, in the caller */
	int call_line;
	int depth;               /* 1: called by the physical function */
	uint32_t id;             /* the inlined call (DIE) it belongs to */
};

struct sym_global {
	const char *name;
	uint64_t addr;
};

struct sym_member {
	const char *name;
	uint64_t off;
};

struct sym_struct {
	const char *name;
	size_t first, n;         /* members in s->members */
};

/* A function's declaration (DW_AT_decl_file/line, pclntab startLine). */
struct sym_decl {
	uint64_t entry;
	const char *file;
	int line;
};

/* Row flags, parallel to s->rows. */
#define SYM_ROW_PROLOGUE_END 1u
#define SYM_ROW_END          2u   /* end_sequence (raw rows only) */

/* A line-table row as read, before sorting and merging. */
struct sym_raw_row {
	uint64_t pc;
	const char *file;
	int line;
	uint8_t flags;            /* SYM_ROW_* */
	bool is_stmt;
	size_t order;
};

struct grr_symbols {
	struct sym_strings strs;

	struct sym_func *funcs;        /* sorted by entry, disjoint */
	size_t nfuncs, capfuncs;
	size_t *func_by_name;          /* indexes into funcs, sorted by name */
	const char **func_names;       /* their names, in the same order */

	struct grr_line_row *rows;     /* sorted by pc, one row per pc */
	uint64_t *row_end;             /* the end of each row's range */
	uint8_t *row_flags;            /* SYM_ROW_* */
	size_t nrows, caprows;
	bool lines_from_pclntab;       /* no DWARF: is_stmt is unknown (all true) */
	struct sym_raw_row *raw;       /* while building */
	size_t nraw, capraw;
	struct sym_decl *decls;        /* while building */
	size_t ndecls, capdecls;

	struct sym_inl *inl;           /* sorted by (function, lo) */
	size_t ninl, capinl;

	const char **files;            /* distinct source files, sorted */
	size_t nfiles;
	const char **inl_names;        /* distinct inlined function names, sorted */
	size_t ninl_names;

	struct sym_global *globals;    /* sorted by name */
	size_t nglobals, capglobals;
	struct sym_struct *structs;    /* sorted by name */
	size_t nstructs, capstructs;
	const char **type_names;       /* every named type, sorted (types) */
	uint64_t *tramps;              /* entries of DW_AT_trampoline functions,
					  sorted */
	size_t ntramps, captramps;
	size_t ntype_names, captype_names;
	struct sym_member *members;
	size_t nmembers, capmembers;

	uint64_t go_text;              /* runtime.text (0: unknown) */
	int64_t g_tls_off;             /* the g slot, from fs_base */
	char go_version[48];           /* from .go.buildinfo; "" unknown */
};

/* ---- the ELF file (sym_elf.c) ------------------------------------------- */

/* dwarf_access.c (a libdwarf handle for the layers that read more DWARF,
 * outside symbols.h) uses sym_elf_open, sym_elf_dwarf_access,
 * sym_elf_error and sym_elf_close too. */

struct sym_elf;

/* Opens PATH; NULL with one line in ERR if unreadable or not x86-64 ELF. */
struct sym_elf *sym_elf_open(const char *path, char *err, size_t errlen);
void sym_elf_close(struct sym_elf *e);
/* Section contents by name (decompressed if needed); NULL if absent. */
const uint8_t *sym_elf_section(struct sym_elf *e, const char *name, uint64_t *addr,
			       size_t *size);
/* Bytes of the loaded image at [ADDR, ADDR+*LEN) from an allocated
 * PROGBITS section; *LEN is shortened at the section's end.  NULL if ADDR
 * is in no such section. */
const uint8_t *sym_elf_code(struct sym_elf *e, uint64_t addr, size_t *len);
/* Why a section could not be loaded (decompressed), or NULL. */
const char *sym_elf_error(const struct sym_elf *e);
/* Whether the file has any DWARF section (.debug_* or .zdebug_*). */
bool sym_elf_has_dwarf(struct sym_elf *e);
/* Loads the ELF symbol table's functions into S->funcs; 0, or -1 if
 * there is none (not an error) or on out of memory (ERR set). */
int sym_elf_symtab(struct sym_elf *e, struct grr_symbols *s, char *err, size_t errlen);

/* The libdwarf object-access interface over E: debug sections are
 * decompressed with libelf (SHF_COMPRESSED or .zdebug_*) before libdwarf
 * sees them.  Returns a Dwarf_Obj_Access_Interface * as void *. */
void *sym_elf_dwarf_access(struct sym_elf *e);

/* ---- readers ------------------------------------------------------------ */

/* Reads the Go version from .go.buildinfo into S->go_version (left empty
 * when the section is absent or in a format it does not know). */
void sym_buildinfo_read(struct sym_elf *e, struct grr_symbols *s);

/* Reads DWARF (sym_dwarf.c): rows, DWARF-only functions, inlined ranges,
 * globals, struct types.  0; 1 if there is no DWARF; -1 with ERR. */
int sym_dwarf_read(struct sym_elf *e, struct grr_symbols *s, char *err, size_t errlen);

/* Reads .gopclntab (sym_pclntab.c): adds functions missing from S->funcs
 * and, if WANT_LINES, line rows.  0; 1 if there is no usable pclntab;
 * -1 with ERR. */
int sym_pclntab_read(struct sym_elf *e, struct grr_symbols *s, bool want_lines, char *err,
		     size_t errlen);

/* ---- building (called by sym_open.c, in this order) ---------------------- */

/* sym_lines.c: adds one row (any order); END marks an end_sequence row. */
int sym_add_row(struct grr_symbols *s, uint64_t pc, const char *file, int line, bool is_stmt,
		bool prologue_end, bool end);
/* sym_funcs.c: adds a function unless one already starts at ENTRY. */
int sym_add_func(struct grr_symbols *s, const char *name, uint64_t entry, uint64_t end);
/* sym_funcs.c: records where the function at ENTRY is declared. */
int sym_add_decl(struct grr_symbols *s, uint64_t entry, const char *file, int line);
/* sym_funcs.c: sorts functions, drops overlaps, builds the name index,
 * attaches the declarations. */
int sym_funcs_finish(struct grr_symbols *s);
/* sym_lines.c: sorts rows, merges rows at one pc, computes row ends, the
 * file list and each function's row slice. */
int sym_lines_finish(struct grr_symbols *s);
/* sym_inline.c: sorts inlined ranges by function, links them to functions,
 * builds the list of inlined function names. */
int sym_inline_finish(struct grr_symbols *s);
/* sym_prologue.c: computes body and stub of every function. */
int sym_prologue_finish(struct grr_symbols *s, struct sym_elf *e);
/* sym_dwarf_types.c: sorts globals and struct types. */
int sym_types_finish(struct grr_symbols *s);

/* ---- lookups shared between files --------------------------------------- */

/* The function containing PC, or NULL (sym_funcs.c). */
const struct sym_func *sym_func_at(const struct grr_symbols *s, uint64_t pc);
/* Index of the row covering PC, or -1 (sym_lines.c). */
long sym_row_at(const struct grr_symbols *s, uint64_t pc);
/* Innermost inlined range containing PC inside F, or NULL (sym_inline.c). */
const struct sym_inl *sym_inl_innermost(const struct grr_symbols *s, const struct sym_func *f,
					uint64_t pc);

/* Matches QUERY against the sorted NAMES at one TIER: SYM_MATCH_EXACT
 * (equal), SYM_MATCH_SUFFIX (a suffix starting after '.', '/', '*' or
 * '('), SYM_MATCH_RECEIVER (the same, ignoring the "(*" and ")" of a
 * pointer receiver in NAME).  Callers try the tiers in order and stop at
 * the first with matches.  Writes up to MAX indexes to OUT; returns the
 * number of matches (may be more than MAX). */
enum { SYM_MATCH_EXACT, SYM_MATCH_SUFFIX, SYM_MATCH_RECEIVER, SYM_MATCH_TIERS };
size_t sym_match_names(const char *const *names, size_t n, const char *query, int tier,
		       size_t *out, size_t max);

#endif
