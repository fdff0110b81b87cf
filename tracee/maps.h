/* maps.h - a tracee's address space as /proc/PID/maps lists it. */
#ifndef GRR_TRACEE_MAPS_H
#define GRR_TRACEE_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/trace.h"

/* Reads /proc/PID/maps into a malloc'd array (paths malloc'd too).
 * Returns the count, or -1. */
int grr_maps_read(pid_t pid, struct grr_mapping **out);
void grr_maps_free(struct grr_mapping *maps, int n);
/* Index of the mapping containing ADDR, or -1. */
int grr_maps_find(const struct grr_mapping *maps, int n, uint64_t addr);
/* Whether MP shares an address with [LO, HI). */
static inline bool grr_mapping_overlaps(const struct grr_mapping *mp, uint64_t lo, uint64_t hi)
{
	return mp->start < hi && lo < mp->end;
}

#endif
