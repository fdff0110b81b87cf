/* cpu.h - the CPU identity and feature words grr stores in a trace header,
 * and the check that a replay machine has every feature a recording used. */
#ifndef GRR_TRACEE_CPU_H
#define GRR_TRACEE_CPU_H

#include <stddef.h>

#include "format/trace.h"

void grr_cpu_identify(struct grr_cpu *cpu);
/* Writes the names of features present in RECORDED but missing in CURRENT
 * ("avx512f avx2"), or "" if none; returns the count missing. Only features
 * that change the code paths Go programs take are compared. */
int grr_cpu_missing(const struct grr_cpu *recorded, const struct grr_cpu *current,
		    char *names, size_t len);
/* The same for a --portable recording (GODEBUG=cpu.all=off), whose Go code
 * chose no optional feature at run time: only the features compiled in for
 * the executable's GOAMD64 level (1..4; sse2 at level 1) are compared, and
 * the xsave state, which shapes signal frames. */
int grr_cpu_missing_portable(const struct grr_cpu *recorded, const struct grr_cpu *current,
			     int goamd64, char *names, size_t len);
/* Names of notable features present, space separated. */
void grr_cpu_feature_names(const struct grr_cpu *cpu, char *names, size_t len);

#endif
