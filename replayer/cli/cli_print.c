/* cli_print.c - how the debugger shows where it stopped:
 *   > main.apply() ./ledger.go:27 goroutine 1 (breakpoint 1, hits 3) event 1234
 *   > [unrecovered-panic] runtime.fatalpanic() /usr/local/go/src/runtime/panic.go:1217 goroutine 6 (hits 1) event 512
 * and, at the end of the recording, how the program ended. */
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

static void print_pos(struct cli *cli, const struct grr_ctl_pos *pos, const char *prefix,
		      const char *extra)
{
	char where[512];
	cli_print_location(cli, pos->pc, where, sizeof(where));
	if (pos->goid >= 0)
		fprintf(cli->out, "> %s%s goroutine %" PRId64 "%s event %" PRIu64 "\n", prefix,
			where, pos->goid, extra, pos->seq);
	else
		fprintf(cli->out, "> %s%s thread %u%s event %" PRIu64 "\n", prefix, where,
			pos->tid, extra, pos->seq);
}

void cli_stopped(struct cli *cli, const struct grr_ctl_stop *stop)
{
	cli_call_discard(cli, true);
	cli->sel_goid = -1;
	cli->sel_frame = 0;
	cli_print_stop(cli, stop);
	cli_show_break_values(cli, stop);
	cli_show_displays(cli);
	cli_run_on(cli, stop);
}

/* How the program ended, at the end of the recording. */
static void print_end(struct cli *cli, const struct grr_ctl_pos *pos)
{
	if (pos->cut_short)
		fprintf(cli->out, "The recording was cut short after this point (Ctrl-C, "
			"--timeout or a killed recorder); the program stands as it was then.\n");
	else if (pos->exit_status >= 128)
		fprintf(cli->out, "Process exited: killed by signal %d (status %d), event %" PRIu64
			" (the end of the recording%s)\n", pos->exit_status - 128, pos->exit_status,
			pos->seq, pos->no_process ? "" : "; shown before the signal kills it");
	else
		fprintf(cli->out, "Process exited with status %d, event %" PRIu64
			" (the end of the recording%s)\n", pos->exit_status, pos->seq,
			pos->no_process ? "" : "; shown at its exit");
}

/* The breakpoint of the stop: " (breakpoint 1, hits 3)", or for a named
 * one its name before the location ("[unrecovered-panic] ") and
 * " (hits 1)". */
static void break_words(struct cli *cli, const struct grr_ctl_stop *stop, char *prefix,
			size_t plen, char *extra, size_t elen)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	for (int i = 0; i < n; i++)
		if (bps[i].id == stop->bp_id && bps[i].name[0]) {
			snprintf(prefix, plen, "[%s] ", bps[i].name);
			snprintf(extra, elen, " (hits %" PRIu64 ")", stop->hits);
			return;
		}
	snprintf(extra, elen, " (%s %d, hits %" PRIu64 ")",
		 stop->reason == GRR_CTL_WATCHPOINT ? "watchpoint" : "breakpoint", stop->bp_id,
		 stop->hits);
}

void cli_print_stop(struct cli *cli, const struct grr_ctl_stop *stop)
{
	char extra[128] = "", prefix[48] = "";
	switch (stop->reason) {
	case GRR_CTL_AT_START:
		fprintf(cli->out, "At the start of the trace.\n");
		break;
	case GRR_CTL_INTERRUPTED:
		fprintf(cli->out, "Interrupted.\n");
		break;
	case GRR_CTL_BREAKPOINT:
	case GRR_CTL_WATCHPOINT:
		break_words(cli, stop, prefix, sizeof(prefix), extra, sizeof(extra));
		break;
	default:
		break;
	}
	if (stop->pos.no_process) {
		print_end(cli, &stop->pos);
		return;
	}
	if (!stop->pos.tid)
		fprintf(cli->out, "> no thread running, event %" PRIu64 "\n", stop->pos.seq);
	else
		print_pos(cli, &stop->pos, prefix, extra);
	if (stop->reason == GRR_CTL_WATCHPOINT)
		fprintf(cli->out, "  old value: %" PRIu64 " (0x%" PRIx64 ")\n  new value: %" PRIu64
			" (0x%" PRIx64 ")\n", stop->old_value, stop->old_value, stop->new_value,
			stop->new_value);
	if (stop->cond_error[0])
		fprintf(cli->out, "  %s\n", stop->cond_error);
	if (stop->pos.at_end)
		print_end(cli, &stop->pos);
}
