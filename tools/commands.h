/* commands.h - the grr subcommands, one function each (tools/grr.c
 * dispatches).  Each takes the arguments after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef GRR_TOOLS_COMMANDS_H
#define GRR_TOOLS_COMMANDS_H

#include <stddef.h>

int cmd_record(int argc, char **argv);   /* recorder/cmd_record.c */
int cmd_replay(int argc, char **argv);   /* replayer/cmd_replay.c */
int cmd_dump(int argc, char **argv);     /* tools/cmd_dump.c */
int cmd_info(int argc, char **argv);     /* tools/cmd_info.c */
int cmd_pack(int argc, char **argv);     /* tools/cmd_pack.c */
int cmd_flaky(int argc, char **argv);    /* recorder/cmd_flaky.c */
/* grr run as `rr` (bin/rr links to grr): rr's command line (tools/cmd_rr.c).
 * ARGV[0] is the program name. */
int cmd_rr(int argc, char **argv);

/* Packs TRACE (in place, or into OUT if not NULL): embeds the recorded
 * executable.  Returns 0 with a one-line SUMMARY ("T: packed, ..." or
 * "T: already packed"), or -1 with a one-line reason in ERR.  Used by
 * `grr pack` and `grr flaky` (tools/cmd_pack.c). */
int grr_pack(const char *trace, const char *out, char *summary, size_t sumlen, char *err,
	     size_t errlen);

/* Exit status for usage errors and bad input, distinct from the recorded
 * program's statuses where it matters. */
#define GRR_EXIT_USAGE 2
#define GRR_EXIT_BAD_INPUT 1

#endif
