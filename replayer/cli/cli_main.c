/* cli_main.c - a debugging session: scripted commands (--ex, -x), then
 * the interactive prompt (cli_readline.c on a terminal, plain lines
 * otherwise), unless --batch. */
#include "replayer/cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs the commands of FILE; the number that failed, or -1 if unreadable. */
static int run_script(struct cli *cli, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "error: %s: cannot read the command file\n", path);
		return -1;
	}
	char line[4096];
	int failed = 0;
	while (!cli->quit && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		failed += cli_execute(cli, line) < 0;
		fflush(cli->out);
	}
	fclose(f);
	return failed;
}

/* Ctrl-C during a command stops a forward run where it is; at the prompt
 * it is libedit's (a new line). */
static struct grr_ctl *interruptible;

static void on_sigint(int sig)
{
	(void)sig;
	if (interruptible)
		grr_ctl_interrupt(interruptible);
}

static void run_command(struct cli *cli, const char *line)
{
	interruptible = cli->ctl;
	cli_execute(cli, line);
	interruptible = NULL;
}

static void interactive(struct cli *cli)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	if (isatty(STDIN_FILENO)) {
		cli_readline_loop(cli, run_command);
		return;
	}
	char buf[4096];
	while (!cli->quit && fgets(buf, sizeof(buf), stdin)) {
		buf[strcspn(buf, "\n")] = 0;
		run_command(cli, buf);
		fflush(cli->out);
	}
}

int cli_main(const struct cli_opts *o)
{
	struct cli cli = { .out = stdout, .sel_goid = -1, .print_cfg = gv_load_full,
			   .trace = o->trace };
	const char *ct = getenv("GRR_CALL_TIMEOUT");
	if (ct)
		cli.call_timeout = atof(ct);
	if (!getcwd(cli.cwd, sizeof(cli.cwd)))
		cli.cwd[0] = 0;
	struct grr_ctl_opts co = { .quiet = o->quiet, .out = stdout, .err = stderr };
	char err[512];
	cli.ctl = grr_ctl_open(o->trace, &co, err, sizeof(err));
	if (!cli.ctl) {
		fprintf(stderr, "grr replay: %s\n", err);
		return 1;
	}
	cli_cond_install(&cli);
	cli_config_load(&cli);
	struct grr_ctl_pos pos;
	grr_ctl_where(cli.ctl, &pos);
	char where[512];
	cli_print_location(&cli, pos.pc, where, sizeof(where));
	fprintf(cli.out, "Replaying %s: stopped at the program's entry point, event 0\n"
		"> %s thread %u event %llu\n", o->trace, where, pos.tid,
		(unsigned long long)pos.seq);
	int failed = 0;
	for (int i = 0; i < o->nex && !cli.quit; i++) {
		failed += cli_execute(&cli, o->ex[i]) < 0;
		fflush(cli.out);
	}
	if (o->script && !cli.quit) {
		int f = run_script(&cli, o->script);
		failed += f < 0 ? 1 : f;
	}
	if (!o->batch && !cli.quit)
		interactive(&cli);
	cli_call_discard(&cli, false);
	cli_transcript_close(&cli);
	cli_values_close(&cli);
	cli_sources_close(&cli);
	grr_ctl_close(cli.ctl);
	return o->batch && failed ? 1 : 0;
}
