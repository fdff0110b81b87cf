/* cli_stack.c - the debugger's commands for stacks and goroutines. */
#include "replayer/cli/cli.h"

static const struct cli_command stack_commands[] = {
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct cli_table cli_stack_table = { "Stacks and goroutines", stack_commands, 0 };
