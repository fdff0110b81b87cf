/* error.h - filling struct grr_error with one "PATH: problem" line (internal). */
#ifndef GRR_FORMAT_ERROR_H
#define GRR_FORMAT_ERROR_H

#include "format/trace.h"

/* Formats "PATH: " followed by FMT into err (if err is not NULL). */
void grr_seterr(struct grr_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
