/* trace_inputs.h - what a trace carries from outside the program, for
 * people: the environment (kept and withheld names, from the header) and
 * the files, socket peers and stdin bytes found by format/inputs.h.
 * `grr info` shows the environment's names, `grr info --inputs` lists
 * everything, and `grr pack` prints one line of it. */
#ifndef GRR_TOOLS_TRACE_INPUTS_H
#define GRR_TOOLS_TRACE_INPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "format/trace.h"

/* The header's environment in `grr info`'s lines (names only). */
void inputs_print_env(FILE *f, const struct grr_header *h);

/* The whole listing (`grr info --inputs`): every variable's name (NAME=VALUE
 * with VALUES), the names withheld, every file read with its bytes, every
 * socket peer with the bytes received, stdin's bytes.  0, or -1 with ERR. */
int inputs_print_listing(FILE *f, struct grr_reader *r, bool values, struct grr_error *err);

/* One line: "carries: 23 environment variables (2 withheld), ..." without
 * the newline, into BUF.  0, or -1 with ERR. */
int inputs_summary(struct grr_reader *r, char *buf, size_t len, struct grr_error *err);

/* A string as it may be shown on a terminal: control bytes as \xNN. */
void inputs_put_safe(FILE *f, const char *s);

#endif
