/* sym_list.c - the symbol tables as sorted name lists, for the debugger's
 * discovery commands (funcs, sources, vars, types). */
#include "replayer/symbols/sym_private.h"

const char *grr_symbols_name_at(const struct grr_symbols *s, enum grr_sym_list kind, size_t i)
{
	switch (kind) {
	case GRR_SYM_FUNCS:
		return i < s->nfuncs ? s->func_names[i] : NULL;
	case GRR_SYM_FILES:
		return i < s->nfiles ? s->files[i] : NULL;
	case GRR_SYM_GLOBALS:
		return i < s->nglobals ? s->globals[i].name : NULL;
	case GRR_SYM_STRUCTS:
		return i < s->nstructs ? s->structs[i].name : NULL;
	case GRR_SYM_TYPES:
		return i < s->ntype_names ? s->type_names[i] : NULL;
	}
	return NULL;
}
