/* trace_dir.h - where traces go by default: $GRR_TRACE_DIR, else
 * ~/.local/share/grr; files named PROGRAM-N.grr, and a latest-trace link. */
#ifndef GRR_RECORDER_TRACE_DIR_H
#define GRR_RECORDER_TRACE_DIR_H

#include <stddef.h>

/* Writes the directory path into DIR, creating it. 0 or -1 (ERR filled). */
int grr_trace_dir(char *dir, size_t len, char *err, size_t errlen);
/* Creates DIR (and its parents) if needed. 0 or -1 (ERR filled). */
int grr_trace_dir_create(const char *dir, char *err, size_t errlen);
/* Picks a new trace path DIR/BASENAME(program)-N.grr that does not exist. */
int grr_trace_new_path(const char *dir, const char *program, char *path, size_t len);
/* Points DIR/latest-trace at PATH. */
void grr_trace_set_latest(const char *dir, const char *path);

#endif
