/* initstack.h - the initial process stack a tracee finds after execve:
 * argc, argv, envp and the auxiliary vector, read from tracee memory at the
 * exec stop, and the two edits grr makes there (no vDSO, recorded
 * AT_RANDOM bytes). */
#ifndef GRR_TRACEE_INITSTACK_H
#define GRR_TRACEE_INITSTACK_H

#include <stdint.h>

#include "format/trace.h"
#include "tracee/mem.h"

struct grr_initstack {
	uint64_t sp;               /* stack pointer at the exec stop */
	uint32_t argc, envc;
	char **argv;               /* malloc'd copies */
	char **envp;
	uint32_t nauxv;
	struct grr_auxv_entry *auxv;
	uint64_t auxv_addr;        /* address of auxv[0] in the tracee */
};

int grr_initstack_read(const struct grr_mem *m, uint64_t sp, struct grr_initstack *s);
void grr_initstack_free(struct grr_initstack *s);
uint64_t grr_initstack_auxval(const struct grr_initstack *s, uint64_t key);
/* Sets the value of auxv entry KEY (in the tracee and in S); 0 or -1. */
int grr_initstack_set_auxval(const struct grr_mem *m, struct grr_initstack *s,
			     uint64_t key, uint64_t val);

#endif
