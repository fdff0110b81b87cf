/* error.c - one-line error messages naming the trace file. */
#include "format/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void grr_seterr(struct grr_error *err, const char *path, const char *fmt, ...)
{
	if (!err)
		return;
	int n = snprintf(err->msg, sizeof(err->msg), "%s: ", path ? path : "(trace)");
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one line, whatever the inputs contained */
	for (char *c = err->msg; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}
