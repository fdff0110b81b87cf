/* cli_transcript.c - Delve's `transcript [-t] [-x] FILE` and `transcript
 * -off`: the session's output, and each command after the prompt, also
 * written to FILE (appended; -t truncates it first; -x writes it only to
 * FILE).  The debugger's output goes through cli->out, which becomes a
 * stream that copies what it is given to the terminal and to FILE; the
 * program's own recorded output and error messages are not copied, as in
 * Delve. */
#include "replayer/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_tee {
	FILE *screen;      /* NULL: -x, the file only */
	FILE *file;
};

static ssize_t tee_write(void *cookie, const char *buf, size_t len)
{
	struct cli_tee *t = cookie;
	if (t->screen)
		fwrite(buf, 1, len, t->screen);
	if (fwrite(buf, 1, len, t->file) != len)
		return -1;
	return (ssize_t)len;
}

static int tee_close(void *cookie)
{
	struct cli_tee *t = cookie;
	int rc = fclose(t->file);
	if (t->screen)
		fflush(t->screen);
	free(t);
	return rc;
}

/* Ends the transcript, if any: cli->out is the terminal again. */
static int transcript_end(struct cli *cli)
{
	if (!cli->transcript)
		return 0;
	FILE *tee = cli->transcript;
	cli->transcript = NULL;
	cli->out = stdout;
	if (fclose(tee) != 0)
		return cli_error("transcript: could not write it all: %s", strerror(errno));
	return 0;
}

void cli_transcript_close(struct cli *cli)
{
	transcript_end(cli);
}

void cli_transcript_echo(struct cli *cli, const char *line)
{
	if (!cli->transcript)
		return;
	struct cli_tee *t = cli->transcript_tee;
	fflush(cli->transcript);
	fprintf(t->file, "(grr) %s\n", line);
}

static int transcript_start(struct cli *cli, const char *path, bool truncate, bool file_only)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0),
		      0660);
	if (fd < 0)
		return cli_error("transcript: cannot write %s: %s", path, strerror(errno));
	struct cli_tee *t = calloc(1, sizeof(*t));
	FILE *file = fdopen(fd, "a");
	if (!t || !file) {
		free(t);
		if (file)
			fclose(file);
		else
			close(fd);
		return cli_error("transcript: out of memory");
	}
	t->file = file;
	t->screen = file_only ? NULL : stdout;
	cookie_io_functions_t io = { .write = tee_write, .close = tee_close };
	FILE *tee = fopencookie(t, "w", io);
	if (!tee) {
		fclose(file);
		free(t);
		return cli_error("transcript: out of memory");
	}
	if (transcript_end(cli) < 0) {
		fclose(tee);
		return -1;
	}
	fflush(stdout);
	cli->transcript = tee;
	cli->transcript_tee = t;
	cli->out = tee;
	return 0;
}

static int cmd_transcript(struct cli *cli, char *args)
{
	bool truncate = false, file_only = false, off = false;
	const char *path = NULL;
	for (char *w; (w = cli_next_word(&args));) {
		if (strcmp(w, "-t") == 0)
			truncate = true;
		else if (strcmp(w, "-x") == 0)
			file_only = true;
		else if (strcmp(w, "-off") == 0)
			off = true;
		else if (w[0] == '-' || path)
			return cli_error("transcript: unrecognized option '%s' (transcript [-t] [-x] "
					 "FILE | transcript -off)", w);
		else
			path = w;
	}
	if (off) {
		if (path)
			return cli_error("transcript -off takes no file");
		return transcript_end(cli);
	}
	if (!path)
		return cli_error("transcript: no output file given (transcript [-t] [-x] FILE)");
	return transcript_start(cli, path, truncate, file_only);
}

static const struct cli_command transcript_commands[] = {
	{ "transcript", "", cmd_transcript, "transcript [-t] [-x] FILE | transcript -off",
	  "Appends the session's output to FILE.\n"
	  "Each command is written after a '(grr) ' prompt, then its output. -t empties\n"
	  "FILE first; -x writes the output only to FILE, not to the terminal; -off ends\n"
	  "the transcript. The program's recorded output and error messages are not\n"
	  "written to FILE (as in Delve)." },
};

const struct cli_table cli_transcript_table = {
	"Transcript", transcript_commands,
	sizeof(transcript_commands) / sizeof(transcript_commands[0])
};
