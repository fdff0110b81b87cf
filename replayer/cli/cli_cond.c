/* cli_cond.c - breakpoint conditions (`break LOC if COND`, `condition N
 * COND`), evaluated by the value layer's expression evaluator
 * (replayer/inspect/values.h) at each hit, forward and backward, in the
 * innermost frame of the goroutine that hit the breakpoint: its locals
 * and arguments, package variables, fields, indexing, len/cap, Go's
 * operators (docs/expressions.md). */
#include "replayer/cli/cli.h"
#include "replayer/inspect/values.h"

/* grr_ctl_cond_fn: 1 true, 0 false, -1 error.  The control layer has made
 * the thread that hit the breakpoint the current one. */
static int evaluate(void *opaque, struct grr_ctl *ctl, const char *cond, char *err, size_t errlen)
{
	(void)ctl;
	struct cli *cli = opaque;
	int64_t goid = cli->sel_goid;
	int frame = cli->sel_frame;
	cli->sel_goid = -1;
	cli->sel_frame = 0;
	struct gv_ctx ctx;
	int rc = -1;
	if (cli_value_ctx(cli, &ctx) == 0)
		rc = gv_condition(&ctx, cond, err, errlen);
	else
		snprintf(err, errlen, "cannot read the program's debugging information");
	cli->sel_goid = goid;
	cli->sel_frame = frame;
	return rc;
}

void cli_cond_install(struct cli *cli)
{
	grr_ctl_set_cond_eval(cli->ctl, evaluate, cli);
}
