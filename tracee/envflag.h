/* envflag.h - grr's on/off switches from the environment
 * (GRR_NO_CLOCKPAGE, GRR_FULL_DIGESTS, ...; docs/commands.md). */
#ifndef GRR_TRACEE_ENVFLAG_H
#define GRR_TRACEE_ENVFLAG_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether NAME is set to something other than "" or "0". */
static inline bool grr_env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

#endif
