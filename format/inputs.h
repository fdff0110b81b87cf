/* inputs.h - what a trace holds that came from outside the program, found
 * with the reader alone (for `grr info --inputs` and `grr pack`): the
 * files it read (path from the recorder's "file:" notes, format/
 * input_note.h; bytes from the results of read, pread64, readv, preadv,
 * preadv2, and of mmap of the file, whose contents the trace holds), the
 * socket peers it received bytes from (connect's "peer:" notes, accept's
 * and recvfrom's addresses; reads, recvfrom and recvmsg, and the syscall
 * buffer's reads), and what it read from stdin.  Descriptors are followed
 * through dup, dup2, dup3, fcntl F_DUPFD and close.  The environment is in
 * the header (envp, and the names withheld). */
#ifndef GRR_FORMAT_INPUTS_H
#define GRR_FORMAT_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/trace.h"

enum grr_input_kind {
	GRR_INPUT_FILE,
	GRR_INPUT_PEER,
};

struct grr_input {
	enum grr_input_kind kind;
	char *name;              /* path or address; "" when the trace does not
				    name it (recorded by a grr before format 1.5) */
	uint64_t opens;          /* times opened, connected or accepted */
	uint64_t bytes;          /* bytes read or received */
};

struct grr_inputs {
	struct grr_input *v;     /* in the order first seen */
	size_t n, cap;
	uint64_t stdin_bytes;    /* read from descriptor 0 as the program got it */
	uint64_t pipe_bytes;     /* read from pipes and socket pairs (a child's output) */
	uint64_t other_bytes;    /* read from descriptors it did not open (inherited) */
};

/* Scans R's events from the first (R's read position moves).  0, or -1
 * with ERR filled (IN then holds what was found up to there). */
int grr_inputs_scan(struct grr_reader *r, struct grr_inputs *in, struct grr_error *err);
void grr_inputs_free(struct grr_inputs *in);

#endif
