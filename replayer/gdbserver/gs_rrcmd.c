/* gs_rrcmd.c - rr's own commands, as Delve sends them (qRRCmd, rr 5.8's
 * "qRRCmd:NAME:-1[:HEXARG]" and the older "qRRCmd:HEXNAME[:HEXARG]") and
 * as gdb's `monitor` sends them (qRcmd), with rr's reply texts; and vRun,
 * rr's restart: to the start, to checkpoint N ("cN") or to event N. */
#include "replayer/gdbserver/gs_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GS_MAX_CHECKPOINTS 256
#define GS_CMD_OUT 8192

static void cmd_when(struct gs *s, const char *arg, char *out, size_t len)
{
	(void)arg;
	struct grr_ctl_pos pos;
	grr_ctl_where(s->ctl, &pos);
	snprintf(out, len, "Completed event: %" PRIu64, pos.seq);
}

static void cmd_checkpoint(struct gs *s, const char *arg, char *out, size_t len)
{
	char err[512];
	int id = grr_ctl_checkpoint(s->ctl, arg, err, sizeof(err));
	if (id < 0)
		snprintf(out, len, "%s", err);
	else
		snprintf(out, len, "Checkpoint %d at %s", id, arg);
}

static void cmd_info_checkpoints(struct gs *s, const char *arg, char *out, size_t len)
{
	(void)arg;
	struct grr_ctl_checkpoint_info *cps = calloc(GS_MAX_CHECKPOINTS, sizeof(*cps));
	int n = cps ? grr_ctl_checkpoints(s->ctl, cps, GS_MAX_CHECKPOINTS) : 0;
	size_t k = (size_t)snprintf(out, len, "%s", n ? "ID\tWhen\tWhere" : "No checkpoints.");
	for (int i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "\n%d\t%" PRIu64 "\t%s", cps[i].id,
				      cps[i].pos.seq, cps[i].note);
	free(cps);
}

static void cmd_delete_checkpoint(struct gs *s, const char *arg, char *out, size_t len)
{
	char *end;
	long id = strtol(arg, &end, 10);
	if (!*arg || *end)
		snprintf(out, len, "Invalid checkpoint number %s.", arg);
	else if (grr_ctl_checkpoint_delete(s->ctl, (int)id) == 0)
		snprintf(out, len, "Deleted checkpoint %ld.", id);
	else
		snprintf(out, len, "No checkpoint number %ld.", id);
}

struct rr_command {
	const char *name;
	void (*run)(struct gs *s, const char *arg, char *out, size_t len);
};

static const struct rr_command commands[] = {
	{ "when", cmd_when },
	{ "checkpoint", cmd_checkpoint },
	{ "info checkpoints", cmd_info_checkpoints },
	{ "delete checkpoint", cmd_delete_checkpoint },
};

static const struct rr_command *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void run(struct gs *s, const char *name, const char *arg, char *out, size_t len)
{
	const struct rr_command *c = lookup(name);
	if (c)
		c->run(s, arg, out, len);
	else
		snprintf(out, len, "grr does not know rr's command '%s'", name);
}

/* Decodes the hex text [P, END) into OUT (NUL-terminated); -1 if not hex. */
static int hex_text(const char *p, size_t n, char *out, size_t cap)
{
	int k = gs_hex_decode(p, n, (uint8_t *)out, cap - 1);
	if (k < 0)
		return -1;
	out[k] = 0;
	return 0;
}

static void reply_text(struct gs *s, const char *text)
{
	size_t n = strlen(text);
	char *hex = malloc(2 * n + 1);
	if (!hex) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	gs_hex_encode(text, n, hex);
	gs_send_str(&s->conn, hex);
	free(hex);
}

void gs_handle_rrcmd(struct gs *s, const char *args)
{
	char name[128], arg[512] = "";
	const char *colon = strchr(args, ':');
	size_t n = colon ? (size_t)(colon - args) : strlen(args);
	snprintf(name, sizeof(name), "%.*s", (int)n, args);
	const char *rest = colon ? colon + 1 : "";
	if (!lookup(name)) {  /* before rr 5.8: the name in hex, no thread */
		if (hex_text(args, n, name, sizeof(name)) < 0) {
			gs_send_str(&s->conn, "E01");
			return;
		}
	} else {  /* rr 5.8: NAME:THREAD[:HEXARG] */
		const char *c2 = strchr(rest, ':');
		rest = c2 ? c2 + 1 : "";
	}
	if (*rest && hex_text(rest, strcspn(rest, ":"), arg, sizeof(arg)) < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	char out[GS_CMD_OUT];
	run(s, name, arg, out, sizeof(out));
	reply_text(s, out);
}

void gs_handle_rcmd(struct gs *s, const char *args)
{
	char line[512], out[GS_CMD_OUT + 1];
	if (hex_text(args, strlen(args), line, sizeof(line)) < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	/* "checkpoint NOTE", "delete checkpoint N": the longest command name
	 * that starts the line */
	const struct rr_command *best = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t k = strlen(commands[i].name);
		if (strncmp(line, commands[i].name, k) == 0 && (line[k] == 0 || line[k] == ' ') &&
		    (!best || k > strlen(best->name)))
			best = &commands[i];
	}
	if (best) {
		const char *arg = line + strlen(best->name);
		best->run(s, arg + strspn(arg, " "), out, sizeof(out) - 1);
	} else {
		snprintf(out, sizeof(out) - 1, "grr does not know rr's command '%s'", line);
	}
	strcat(out, "\n");
	char hex[2 * sizeof(out) + 2] = "O";
	gs_hex_encode(out, strlen(out), hex + 1);
	gs_send_str(&s->conn, hex);
	gs_send_str(&s->conn, "OK");
}

/* vRun;[FILE][;HEXPOS]: FILE is ignored (the trace's program runs). */
void gs_handle_vrun(struct gs *s, const char *args)
{
	char where[64] = "";
	const char *semi = *args == ';' ? strchr(args + 1, ';') : NULL;
	if (semi && hex_text(semi + 1, strcspn(semi + 1, ";"), where, sizeof(where)) < 0)
		where[0] = 0;
	struct grr_ctl_stop stop;
	char err[512], *end;
	int rc;
	gs_zpoints_clear(s);  /* the client sets its breakpoints again */
	if (where[0] == 'c') {
		long id = strtol(where + 1, &end, 10);
		if (!where[1] || *end) {
			snprintf(err, sizeof(err), "bad checkpoint '%s'", where);
			rc = -1;
		} else {
			rc = grr_ctl_restart(s->ctl, (int)id, &stop, err, sizeof(err));
		}
	} else if (where[0]) {
		unsigned long long ev = strtoull(where, &end, 0);
		rc = *end ? grr_ctl_restart(s->ctl, 0, &stop, err, sizeof(err))
			  : grr_ctl_goto(s->ctl, ev, &stop, err, sizeof(err));
	} else {
		rc = grr_ctl_restart(s->ctl, 0, &stop, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "grr: restart: %s\n", err);
		gs_send_str(&s->conn, "E01");
		return;
	}
	s->end_reported = false;
	s->g_tid = s->c_tid = 0;
	gs_report(s, &stop, false);
	s->restart_stop = true;
}
