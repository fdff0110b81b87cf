/* symbols.h - the traced executable's symbols: functions, source lines,
 * inlined calls, location specs, and DWARF facts about the Go runtime.
 *
 * Read once per debugging session from the recorded executable (libelf,
 * libdwarf; DWARF 4 from Go 1.19, DWARF 5 and compressed sections from
 * Go >= 1.25), never from the live process.  The debugger's control layer
 * and front ends use it to turn `main.apply`, `ledger.go:27` or `*0x4a10c0`
 * into addresses, and pcs back into `main.apply() ./ledger.go:27`.
 *
 * Strings returned point into the symbol tables and live as long as the
 * struct grr_symbols. */
#ifndef GRR_REPLAYER_SYMBOLS_H
#define GRR_REPLAYER_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct grr_symbols;

/* Loads EXE's tables.  NULL and one line in ERR if it cannot be read or is
 * not an x86-64 ELF; an executable without DWARF still gets functions from
 * the ELF symbol table (and lines from pclntab where available). */
struct grr_symbols *grr_symbols_open(const char *exe, char *err, size_t errlen);
void grr_symbols_close(struct grr_symbols *s);

struct grr_func_info {
	const char *name;     /* "main.(*Ledger).post" */
	uint64_t entry, end;  /* [entry, end) */
	uint64_t body;        /* first pc after the prologue (where `break FUNC`
				 stops, as Delve does) */
};

/* Where the Go runtime keeps the running g: its TLS slot's offset from
 * fs_base (-8 unless C thread-locals share the executable's TLS block). */
int64_t grr_symbols_g_tls_offset(const struct grr_symbols *s);
/* runtime.text, where .gopclntab's code offsets start; 0 if unknown. */
uint64_t grr_symbols_go_text(const struct grr_symbols *s);

/* The function whose code contains PC. */
bool grr_symbols_func_at(const struct grr_symbols *s, uint64_t pc, struct grr_func_info *f);
/* Whether the function at ENTRY is a wrapper the compiler made
 * (DW_AT_trampoline: a deferred call's, a method value's). */
bool grr_symbols_is_trampoline(const struct grr_symbols *s, uint64_t entry);

/* A function by name: the full name ("main.apply", "main.(*Ledger).post",
 * "net/http.(*Server).Serve"), or a suffix of it that ends at a package or
 * type boundary and is unique ("Ledger).post", "http.(*Server).Serve").
 * 0 found, -1 none or ambiguous (one line in ERR naming the candidates). */
int grr_symbols_func_named(const struct grr_symbols *s, const char *name,
			   struct grr_func_info *f, char *err, size_t errlen);

struct grr_line_info {
	const char *file;     /* absolute path as compiled */
	int line;
	bool is_stmt;         /* PC starts a statement of that line */
};

/* The source position of PC, innermost inlined function first (the line
 * the user sees).  false if PC has no line information. */
bool grr_symbols_line_at(const struct grr_symbols *s, uint64_t pc, struct grr_line_info *li);

/* Frames that are inlined at PC, innermost first: each names the inlined
 * function and the call site (file:line) in its caller.  The outermost
 * (physical) function is not included: it is grr_symbols_func_at's.
 * Returns the number of frames written (at most MAX). */
struct grr_inline_frame {
	const char *func;
	const char *call_file;
	int call_line;
};
int grr_symbols_inline_frames(const struct grr_symbols *s, uint64_t pc,
			      struct grr_inline_frame *out, int max);

/* One row of the line table. */
struct grr_line_row {
	uint64_t pc;
	const char *file;
	int line;
	bool is_stmt;
};

/* The line-table rows of the function containing PC (physical function,
 * inlined code included), sorted by pc.  The array belongs to S.
 * 0 on success, -1 if PC has no function or no line information. */
int grr_symbols_func_rows(const struct grr_symbols *s, uint64_t pc,
			  const struct grr_line_row **rows, size_t *nrows);

/* A resolved location. */
struct grr_location {
	uint64_t pc;
	const char *func;     /* function containing pc (may be NULL) */
	const char *file;     /* source position of pc (may be NULL) */
	int line;
};

/* Resolves a location spec:
 *   FUNC           function name as in grr_symbols_func_named; its body pc
 *   FILE:LINE      file matched by path suffix at a '/' boundary
 *                  ("ledger.go:27", "pkg/ledger.go:27"); one location per
 *                  place the line's code starts (inlined copies included)
 *   *ADDR          an address (hex with 0x, or decimal)
 * Returns the number of locations written (>= 1, at most MAX), or -1 with
 * one line in ERR ("no function named ...", "no code at ledger.go:99",
 * "ambiguous file ...: a/x.go, b/x.go"). */
int grr_symbols_resolve(const struct grr_symbols *s, const char *spec,
			struct grr_location *out, int max, char *err, size_t errlen);

/* DWARF facts about types and globals, found by name at run time, not from
 * version tables: the offset of MEMBER in struct TYPE ("runtime.g",
 * "goid"), and the address of a package-level variable ("runtime.allgs"). */
bool grr_symbols_member_offset(const struct grr_symbols *s, const char *type,
			       const char *member, uint64_t *off);
bool grr_symbols_global_addr(const struct grr_symbols *s, const char *name, uint64_t *addr);

/* Name lists for the debugger's discovery commands (funcs, sources, vars,
 * types), each sorted and without duplicates: the Ith name of KIND, NULL
 * past the end (sym_list.c). */
enum grr_sym_list {
	GRR_SYM_FUNCS,        /* names of the functions with code */
	GRR_SYM_FILES,        /* source files as compiled (absolute paths) */
	GRR_SYM_GLOBALS,      /* package variables ("main.counter") */
	GRR_SYM_STRUCTS,      /* struct types the DWARF describes */
	GRR_SYM_TYPES,        /* every named type the DWARF describes */
};
const char *grr_symbols_name_at(const struct grr_symbols *s, enum grr_sym_list kind, size_t i);

/* The Go version the executable was built with, from its .go.buildinfo
 * ("go1.26.0"); "" if unknown (sym_buildinfo.c). */
const char *grr_symbols_go_version(const struct grr_symbols *s);

#endif
