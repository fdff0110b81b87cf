/* ctl_failure.c - Delve's failure breakpoints, on from the start of every
 * session: "unrecovered-panic" on runtime.fatalpanic, where a panic that
 * nothing recovered ends the program (on the panicking goroutine, whose
 * runtime.curg._panic.arg is the panic value), and "runtime-fatal-throw"
 * on runtime.throw and runtime.fatal (and runtime.fatalsignal, in the
 * runtimes that have it), where a fatal runtime error does (concurrent
 * map writes, all goroutines asleep).  Go 1.19 to 1.27 have these
 * functions; a program whose runtime lacks one gets the others. */
#include "replayer/control/ctl_private.h"

#include <string.h>

struct failure {
	int id;
	const char *name;
	const char *show;
	const char *funcs[4];
};

static const struct failure failures[] = {
	{ GRR_CTL_UNRECOVERED_PANIC, "unrecovered-panic", "runtime.curg._panic.arg",
	  { "runtime.fatalpanic" } },
	{ GRR_CTL_FATAL_THROW, "runtime-fatal-throw", "",
	  { "runtime.throw", "runtime.fatal", "runtime.fatalsignal" } },
};

/* Adds the breakpoint F, at those of its functions the program has. */
static void add_failure(struct grr_ctl *c, const struct failure *f)
{
	char err[256];
	struct grr_ctl_break *b = ctl_new_break(c, err, sizeof(err));
	if (!b)
		return;
	for (int i = 0; i < 4 && f->funcs[i]; i++) {
		struct grr_func_info fi;
		if (grr_symbols_func_named(c->syms, f->funcs[i], &fi, err, sizeof(err)) < 0 ||
		    strcmp(fi.name, f->funcs[i]) != 0)
			continue;  /* not in this runtime (or only a suffix matched) */
		int had = b->nlocs;
		if (ctl_break_resolve(c, b, f->funcs[i], err, sizeof(err)) < 0) {
			b->nlocs = had;
			continue;
		}
		size_t len = strlen(b->spec);
		snprintf(b->spec + len, sizeof(b->spec) - len, "%s%s", len ? " " : "", f->funcs[i]);
	}
	if (b->nlocs == 0)
		return;
	b->id = f->id;
	snprintf(b->name, sizeof(b->name), "%s", f->name);
	snprintf(b->show, sizeof(b->show), "%s", f->show);
	c->nbps++;
}

void ctl_failure_breaks(struct grr_ctl *c)
{
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++)
		add_failure(c, &failures[i]);
	ctl_sync_engine(c, NULL, 0, true);
}
