/* cli_core.c - `dump FILE`: a core file of the current moment
 * (replayer/core/core.h), for `dlv core`, gdb and Go's heap tools. */
#include "replayer/cli/cli.h"
#include "replayer/core/core.h"

#include <inttypes.h>
#include <string.h>

static int cmd_dump(struct cli *cli, char *args)
{
	char *path = cli_trim(args);
	if (!*path || strpbrk(path, " \t"))
		return cli_error("usage: dump FILE");
	/* the selected goroutine's thread first (the current thread's when
	 * none is selected or it is parked): the tools start there */
	uint32_t first = cli_goroutine_thread(cli, cli->sel_goid, NULL);
	struct grr_core_result res;
	char err[1024];
	if (grr_core_dump(cli->ctl, path, first, &res, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	fprintf(cli->out, "Core file %s written at event %" PRIu64 ": %d thread%s, %d segments, "
		"%.1f MB of memory\n", path, res.seq, res.nthreads, res.nthreads == 1 ? "" : "s",
		res.nsegs, res.written / 1e6);
	if (res.unreadable)
		fprintf(cli->out, "(%" PRIu64 " bytes could not be read: zeros in the core)\n",
			res.unreadable);
	if (res.exe_copy[0])
		fprintf(cli->out, "The executable is the copy embedded in the trace: written to %s "
			"(dlv core %s %s)\n", res.exe_copy, res.exe_copy, path);
	return 0;
}

static const struct cli_command core_commands[] = {
	{ "dump", "gcore generate-core-file", cmd_dump, "dump FILE",
	  "Writes a core file of the program at this moment, for dlv core, gdb, viewcore.\n"
	  "An ELF core file as Linux writes one: every thread with its recorded id and\n"
	  "registers (the selected goroutine's thread first), and the program's memory\n"
	  "as recorded, without grr's own pages or breakpoints.  Forward or after reverse\n"
	  "execution, at the end of the recording too.  Open it with `dlv core EXE FILE`\n"
	  "or `gdb EXE FILE`.  When the executable is the copy a packed trace embeds, it\n"
	  "is written beside, as FILE.exe: `dlv core FILE.exe FILE`." },
};

const struct cli_table cli_core_table = { "Core files", core_commands,
					  sizeof(core_commands) / sizeof(core_commands[0]) };
