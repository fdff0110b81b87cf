/* cli_call.c - `call [-unsafe] EXPR`: calls a function or method of the
 * program at the current stop, in a disposable copy of the replay
 * (docs/calls.md).  The value layer resolves EXPR (main.add(1, x),
 * acct.String(), shape.Area(), fn(2)) and lays its arguments out for the
 * register ABI (replayer/inspect/call_abi.c); the control layer runs it
 * through the runtime's debugCallV2 protocol; results are printed the way
 * Delve prints them ("Values returned:"). */
#include "replayer/cli/cli.h"
#include "replayer/inspect/stack.h"
#include "replayer/inspect/values.h"

#include <stdlib.h>
#include <string.h>

/* A call stopped at a breakpoint in its callee, with its copy. */
struct cli_pending_call {
	struct gv_ctx ctx;
	struct gv_call *call;
	struct grr_call_request *req;
	struct grr_call_result *res;
	struct grr_replay *copy;
};

static void pending_free(struct cli_pending_call *p)
{
	if (!p)
		return;
	gv_call_free(p->call);
	grr_replay_close(p->copy);
	free(p->req);
	free(p->res);
	free(p);
}

void cli_call_discard(struct cli *cli, bool say)
{
	if (!cli->pending_call)
		return;
	if (say)
		fprintf(cli->out, "The call of %s stopped at a breakpoint is abandoned.\n",
			gv_call_name(cli->pending_call->call));
	grr_ctl_view(cli->ctl, NULL);
	pending_free(cli->pending_call);
	cli->pending_call = NULL;
}

/* Says where the call stopped: which breakpoint, which line. */
static void show_break(struct cli *cli, const struct cli_pending_call *p)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps), id = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; !bps[i].is_watch && k < bps[i].nlocs; k++)
			if (bps[i].locs[k].pc == p->res->stop_pc)
				id = bps[i].id;
	char where[512];
	cli_print_location(cli, p->res->stop_pc, where, sizeof(where));
	fprintf(cli->out, "> %s (breakpoint %d) inside the call of %s\n"
		"The call is stopped there; 'continue' finishes it.\n", where, id,
		gv_call_name(p->call));
}

/* Prints what a finished call left: its output, its results or panic. */
static int show_outcome(struct cli *cli, struct gv_ctx *ctx, struct gv_call *call,
			struct grr_replay *copy, const struct grr_call_result *res)
{
	char err[512], *text;
	if (res->noutput)
		fprintf(cli->out, "%s%s", res->output,
			res->output[res->noutput - 1] == '\n' ? "" : "\n");
	if (res->how == GRR_CALL_PANICKED) {
		if (gv_call_panic(ctx, copy, res->panic, &text, err, sizeof(err)) < 0)
			return cli_error("%s panicked; its value is unreadable", gv_call_name(call));
		fprintf(cli->out, "The call panicked: %s\n", text);
		free(text);
		return 0;
	}
	int n = gv_call_results(ctx, call, copy, res, &text, err, sizeof(err));
	if (n < 0)
		return cli_error("%s", err);
	if (n > 0)
		fprintf(cli->out, "Values returned:\n%s\n", text);
	else
		fprintf(cli->out, "%s returned\n", gv_call_name(call));
	free(text);
	return 0;
}

/* What a call that ran came to: results, a stop at a breakpoint (P is
 * then kept as the pending call), or a failure.  Frees P otherwise. */
static int outcome(struct cli *cli, struct cli_pending_call *p)
{
	const struct grr_call_result *res = p->res;
	int rc;
	if (res->how == GRR_CALL_STOPPED) {
		/* inspection looks inside the call until it ends */
		cli->pending_call = p;
		cli->sel_goid = -1;
		cli->sel_frame = 0;
		grr_ctl_view(cli->ctl, p->copy);
		show_break(cli, p);
		return 0;
	}
	grr_ctl_view(cli->ctl, NULL);
	if (res->how == GRR_CALL_RETURNED || res->how == GRR_CALL_PANICKED)
		rc = show_outcome(cli, &p->ctx, p->call, p->copy, res);
	else if (res->how == GRR_CALL_REFUSED && strstr(res->reason, "safe point"))
		rc = cli_error("%s: %s (step to the next line and call again)",
			       gv_call_name(p->call), res->reason);
	else
		rc = cli_error("%s", res->reason[0] ? res->reason : "the call failed");
	pending_free(p);
	return rc;
}

/* A call runs on the thread of the last stop, in its goroutine: refuses
 * when the user selected another goroutine (Delve's rule: calls need a
 * goroutine running on a thread). */
static int check_selection(struct cli *cli)
{
	if (cli->sel_goid < 0)
		return 0;
	uint32_t tid = grr_ctl_current_tid(cli->ctl);
	if (tid && grr_ctl_goroutine_of(cli->ctl, tid) == cli->sel_goid)
		return 0;
	return cli_error("goroutine %lld is not running on a thread here: calls run on the "
			 "goroutine of the last stop ('goroutine' without a number shows it)",
			 (long long)cli->sel_goid);
}

int cli_call_expr(struct cli *cli, const char *expr, bool unsafe_ok)
{
	cli_call_discard(cli, true);
	if (check_selection(cli) < 0)
		return -1;
	struct cli_pending_call *p = calloc(1, sizeof(*p));
	char err[512];
	if (!p)
		return cli_error("out of memory");
	if (cli_value_ctx(cli, &p->ctx) < 0) {
		free(p);
		return -1;
	}
	/* for the escape check: the goroutine's stack */
	grr_goroutine_stack_bounds(cli->ctl, cli->sel_goid, &p->ctx.stack_lo, &p->ctx.stack_hi);
	p->req = calloc(1, sizeof(*p->req));
	p->res = calloc(1, sizeof(*p->res));
	if (!p->req || !p->res) {
		pending_free(p);
		return cli_error("out of memory");
	}
	p->req->timeout = cli->call_timeout > 0 ? cli->call_timeout : 5;
	p->call = gv_call_prepare(&p->ctx, expr, unsafe_ok, p->req, err, sizeof(err));
	if (!p->call || grr_ctl_call(cli->ctl, p->req, p->res, &p->copy, err, sizeof(err)) < 0) {
		pending_free(p);
		return cli_error("%s", err);
	}
	return outcome(cli, p);
}

int cli_call_continue(struct cli *cli)
{
	struct cli_pending_call *p = cli->pending_call;
	char err[512];
	cli->pending_call = NULL;
	if (grr_ctl_call_resume(cli->ctl, p->copy, p->req, p->res, err, sizeof(err)) < 0) {
		pending_free(p);
		return cli_error("%s", err);
	}
	return outcome(cli, p);
}

static int cmd_call(struct cli *cli, char *line)
{
	line = cli_trim(line);
	bool unsafe_ok = false;
	if (strncmp(line, "-unsafe", 7) == 0 && (line[7] == ' ' || line[7] == '\t')) {
		unsafe_ok = true;
		line = cli_trim(line + 7);
	}
	if (!*line)
		return cli_error("usage: call [-unsafe] FUNCTION(ARG, ...)");
	return cli_call_expr(cli, line, unsafe_ok);
}

static const struct cli_command call_commands[] = {
	{ "call", "", cmd_call, "call [-unsafe] EXPR(ARG, ...)",
	  "Calls a function, method or func value of the program at this moment.\n"
	  "It runs in a copy of the replay: the replay itself never sees the call.  Examples:\n"
	  "main.add(1, x), acct.String(), shape.Area(), fn(2, 3).  Arguments are Go\n"
	  "expressions in the selected frame; -unsafe lets pointers to the goroutine's\n"
	  "stack be passed.  Output the function writes is shown; files and sockets\n"
	  "are refused to it (docs/calls.md)." },
};

const struct cli_table cli_call_table = {
	"Function calls", call_commands, sizeof(call_commands) / sizeof(call_commands[0])
};
