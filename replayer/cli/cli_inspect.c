/* cli_inspect.c - the debugger's commands for values and memory. */
#include "replayer/cli/cli.h"

static const struct cli_command inspect_commands[] = {
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct cli_table cli_inspect_table = { "Values and memory", inspect_commands, 0 };
