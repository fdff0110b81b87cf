/* commands.h - the grr subcommands, one function each (tools/grr.c
 * dispatches).  Each takes the arguments after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef GRR_TOOLS_COMMANDS_H
#define GRR_TOOLS_COMMANDS_H

int cmd_record(int argc, char **argv);   /* recorder/cmd_record.c */
int cmd_replay(int argc, char **argv);   /* replayer/cmd_replay.c */
int cmd_dump(int argc, char **argv);     /* tools/cmd_dump.c */
int cmd_info(int argc, char **argv);     /* tools/cmd_info.c */

/* Exit status for usage errors and bad input, distinct from the recorded
 * program's statuses where it matters. */
#define GRR_EXIT_USAGE 2
#define GRR_EXIT_BAD_INPUT 1

#endif
