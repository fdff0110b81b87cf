/* counter_note.c - the anchor counter note (see counter_note.h). */
#include "format/counter_note.h"

#include <inttypes.h>
#include <stdio.h>

#define PREFIX "counters: "

void grr_counter_note_format(char *buf, size_t len, uint64_t clock, uint64_t syscalls)
{
	snprintf(buf, len, PREFIX "%" PRIu64 " clock values, %" PRIu64 " buffered syscalls",
		 clock, syscalls);
}

bool grr_counter_note_parse(const char *text, uint64_t *clock, uint64_t *syscalls)
{
	uint64_t c, s;
	int end = 0;
	if (!text || sscanf(text, PREFIX "%" SCNu64 " clock values, %" SCNu64
			    " buffered syscalls%n", &c, &s, &end) != 2 ||
	    end == 0 || text[end] != '\0')
		return false;
	*clock = c;
	*syscalls = s;
	return true;
}
