/* cli_print.c - how the debugger shows where it stopped:
 *   > main.apply() ./ledger.go:27 goroutine 1 (hits 3) event 1234 */
#include "replayer/cli/cli.h"

#include <inttypes.h>
#include <string.h>

const char *cli_short_path(const struct cli *cli, const char *file)
{
	size_t n = strlen(cli->cwd);
	static const char none[] = "?";
	if (!file)
		return none;
	if (n > 1 && strncmp(file, cli->cwd, n) == 0 && file[n] == '/')
		return file + n + 1;
	return file;
}

void cli_print_location(struct cli *cli, uint64_t pc, char *buf, size_t len)
{
	const struct grr_symbols *syms = grr_ctl_symbols(cli->ctl);
	struct grr_func_info f;
	struct grr_line_info li;
	struct grr_inline_frame inl[1];
	const char *func = NULL;
	if (grr_symbols_inline_frames(syms, pc, inl, 1) == 1)
		func = inl[0].func;
	else if (grr_symbols_func_at(syms, pc, &f))
		func = f.name;
	bool have_line = grr_symbols_line_at(syms, pc, &li) && li.file && strcmp(li.file, "?") != 0;
	const char *file = have_line ? cli_short_path(cli, li.file) : NULL;
	const char *dot = file && file[0] != '/' ? "./" : "";
	if (func && have_line)
		snprintf(buf, len, "%s() %s%s:%d", func, dot, file, li.line);
	else if (func)
		snprintf(buf, len, "%s() pc 0x%" PRIx64, func, pc);
	else
		snprintf(buf, len, "0x%" PRIx64 " (no symbol)", pc);
}

static void print_pos(struct cli *cli, const struct grr_ctl_pos *pos, const char *extra)
{
	char where[512];
	cli_print_location(cli, pos->pc, where, sizeof(where));
	if (pos->goid >= 0)
		fprintf(cli->out, "> %s goroutine %" PRId64 "%s event %" PRIu64 "\n", where,
			pos->goid, extra, pos->seq);
	else
		fprintf(cli->out, "> %s thread %u%s event %" PRIu64 "\n", where, pos->tid, extra,
			pos->seq);
}

void cli_stopped(struct cli *cli, const struct grr_ctl_stop *stop)
{
	cli_call_discard(cli, true);
	cli->sel_goid = -1;
	cli->sel_frame = 0;
	cli_print_stop(cli, stop);
	cli_show_displays(cli);
}

void cli_print_stop(struct cli *cli, const struct grr_ctl_stop *stop)
{
	char extra[128] = "";
	switch (stop->reason) {
	case GRR_CTL_EXITED:
		if (stop->pos.cut_short)
			fprintf(cli->out, "The recording was cut short here (Ctrl-C, --timeout or a "
				"killed recorder), event %" PRIu64 "\n", stop->pos.seq);
		else if (stop->pos.exit_status >= 128)
			fprintf(cli->out, "Process exited: killed by signal %d (status %d), event %"
				PRIu64 "\n", stop->pos.exit_status - 128, stop->pos.exit_status,
				stop->pos.seq);
		else
			fprintf(cli->out, "Process exited with status %d, event %" PRIu64 "\n",
				stop->pos.exit_status, stop->pos.seq);
		return;
	case GRR_CTL_AT_START:
		fprintf(cli->out, "At the start of the trace.\n");
		break;
	case GRR_CTL_INTERRUPTED:
		fprintf(cli->out, "Interrupted.\n");
		break;
	case GRR_CTL_CUT:
		fprintf(cli->out, "The recording was cut short after this point (Ctrl-C, "
			"--timeout or a killed recorder); the program stands as it was then.\n");
		break;
	case GRR_CTL_BREAKPOINT:
		snprintf(extra, sizeof(extra), " (breakpoint %d, hits %" PRIu64 ")", stop->bp_id,
			 stop->hits);
		break;
	case GRR_CTL_WATCHPOINT:
		snprintf(extra, sizeof(extra), " (watchpoint %d, hits %" PRIu64 ")", stop->bp_id,
			 stop->hits);
		break;
	default:
		break;
	}
	if (stop->pos.at_end) {
		fprintf(cli->out, "At the end of the trace, event %" PRIu64 "\n", stop->pos.seq);
		return;
	}
	if (!stop->pos.tid) {
		fprintf(cli->out, "> no thread running, event %" PRIu64 "\n", stop->pos.seq);
		return;
	}
	print_pos(cli, &stop->pos, extra);
	if (stop->reason == GRR_CTL_WATCHPOINT)
		fprintf(cli->out, "  old value: %" PRIu64 " (0x%" PRIx64 ")\n  new value: %" PRIu64
			" (0x%" PRIx64 ")\n", stop->old_value, stop->old_value, stop->new_value,
			stop->new_value);
	if (stop->cond_error[0])
		fprintf(cli->out, "  %s\n", stop->cond_error);
}
