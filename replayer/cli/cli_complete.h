/* cli_complete.h - what Tab completes at the prompt: which kind of word
 * the cursor is on, from the words before it, and which candidates fit.
 * Pure logic (unit-tested); cli_readline.c collects the candidates from
 * the session and hands them to libedit. */
#ifndef GRR_REPLAYER_CLI_COMPLETE_H
#define GRR_REPLAYER_CLI_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

enum cli_complete_kind {
	CLI_COMPLETE_NONE,      /* nothing to offer (a number, a file name...) */
	CLI_COMPLETE_COMMAND,   /* the first word: command names and aliases */
	CLI_COMPLETE_LOCATION,  /* functions and FILE: of the line table */
	CLI_COMPLETE_EXPR,      /* variables in scope, package variables */
	CLI_COMPLETE_SETTING,   /* config's keys */
};

/* The kind of word that starts at offset START of LINE (the text before
 * it decides: the command word, and for `frame N CMD`, `on BP CMD`,
 * `deferred N CMD` and `rev CMD`, the command they run). */
enum cli_complete_kind cli_complete_kind(const char *line, size_t start);

/* Whether CAND completes WORD: WORD is a prefix of CAND, or for a
 * location, of CAND's base name ("main.g" for ".../src/main.go:"). */
bool cli_complete_fits(const char *cand, const char *word, bool basename_too);

/* The longest common prefix of the N strings, into OUT (LEN bytes). */
void cli_complete_common(const char *const *s, size_t n, char *out, size_t len);

#endif
