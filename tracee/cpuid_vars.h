/* cpuid_vars.h - the Go variables that hold raw CPUID results.
 *
 * The Go runtime stores what CPUID said about the processor: its
 * signature (runtime.processorVersionInfo, runtime.isIntel) and the feature
 * flags of internal/cpu.X86 and golang.org/x/sys/cpu.X86, including flags
 * GODEBUG=cpu.all=off does not clear.  On another CPU model these bytes
 * differ even when the program takes the same code paths, so a --portable
 * recording leaves them out of its anchors' memory digests. */
#ifndef GRR_TRACEE_CPUID_VARS_H
#define GRR_TRACEE_CPUID_VARS_H

#include <stdint.h>

#include "format/trace.h"

#define GRR_CPUID_VARS_MAX 8

/* Fills OUT (at most GRR_CPUID_VARS_MAX) with the address ranges of those
 * variables in the executable PATH (static, non-PIE Go programs: their
 * link addresses are their run-time addresses).  Returns the count, 0 if
 * none (no symbol table), or -1 if PATH cannot be read. */
int grr_cpuid_vars(const char *path, struct grr_range *out);

#endif
