/* call_sig.h - a Go function's parameters and results as DWARF describes
 * them (DW_TAG_formal_parameter children of its subprogram; results carry
 * DW_AT_variable_parameter), with the kind of each: what the `call`
 * command needs to lay arguments out for the register ABI and to show the
 * results; and the type of a package variable, for breakpoint conditions. */
#ifndef GRR_REPLAYER_INSPECT_CALL_SIG_H
#define GRR_REPLAYER_INSPECT_CALL_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum grr_vkind { GRR_VK_INT, GRR_VK_UINT, GRR_VK_BOOL, GRR_VK_FLOAT, GRR_VK_STRING,
		 GRR_VK_POINTER, GRR_VK_OTHER };

struct grr_param {
	char name[64];
	char type[128];        /* the Go type's name, e.g. "int", "*main.Account" */
	enum grr_vkind kind;
	int size;              /* bytes */
	bool result;
};

/* The parameters, then results, of the function whose code starts at ENTRY
 * in EXE, in declaration order.  Returns how many (at most MAX), or -1
 * with one line in ERR. */
int grr_call_signature(const char *exe, uint64_t entry, struct grr_param *out, int max,
		       char *err, size_t errlen);

/* The type of package variable NAME ("main.counter"): OUT's type, kind
 * and size.  0, or -1 with one line in ERR. */
int grr_global_type(const char *exe, const char *name, struct grr_param *out, char *err,
		    size_t errlen);

#endif
