/* gs_xfer.c - qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH: the target
 * description, the program's auxiliary vector and executable; siginfo,
 * which rr takes as the start of a diversion for a function call, is
 * refused: a replay follows its recording (grr's own `call` runs calls in
 * a copy of the replay, docs/calls.md). */
#include "replayer/gdbserver/gs_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANNEX_MAX 8192

/* Sends [OFFSET, OFFSET+LENGTH) of DATA: 'm' and more to come, or 'l'. */
static void send_part(struct gs *s, const void *data, size_t len, uint64_t off, uint64_t want)
{
	if (off >= len) {
		gs_send_str(&s->conn, "l");
		return;
	}
	size_t n = len - off;
	if (n > want)
		n = want;
	if (n > GS_PACKET_MAX - 16)
		n = GS_PACKET_MAX - 16;
	char *buf = malloc(n + 1);
	if (!buf) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	buf[0] = off + n == len ? 'l' : 'm';
	memcpy(buf + 1, (const char *)data + off, n);
	gs_send(&s->conn, buf, n + 1);
	free(buf);
}

static void refuse_diversion(struct gs *s)
{
	fprintf(stderr, "grr: function calls from the debugger are not supported over the gdb "
		"protocol (rr runs them in a diversion); use `grr replay TRACE` and its `call` "
		"command, which runs them in a copy of the replay\n");
	gs_send_str(&s->conn, "E01");
}

void gs_handle_xfer(struct gs *s, const char *args)
{
	char object[32], op[16], annex[128];
	uint64_t off, want;
	const char *p = args;
	size_t n = strcspn(p, ":");
	snprintf(object, sizeof(object), "%.*s", (int)n, p);
	p += n + (p[n] == ':');
	n = strcspn(p, ":");
	snprintf(op, sizeof(op), "%.*s", (int)n, p);
	p += n + (p[n] == ':');
	if (strcmp(object, "siginfo") == 0) {
		refuse_diversion(s);
		return;
	}
	n = strcspn(p, ":");
	snprintf(annex, sizeof(annex), "%.*s", (int)n, p);
	p += n + (p[n] == ':');
	if (strcmp(op, "read") != 0 || gs_hex_u64(&p, &off) < 0 || *p++ != ',' ||
	    gs_hex_u64(&p, &want) < 0) {
		gs_send_str(&s->conn, strcmp(op, "read") != 0 ? "" : "E01");
		return;
	}
	if (strcmp(object, "features") == 0) {
		char xml[ANNEX_MAX];
		int len = gs_target_annex(annex, xml, sizeof(xml));
		if (len < 0)
			gs_send_str(&s->conn, "E00");
		else
			send_part(s, xml, (size_t)len, off, want);
	} else if (strcmp(object, "auxv") == 0) {
		send_part(s, s->auxv, s->auxv_len, off, want);
	} else if (strcmp(object, "exec-file") == 0) {
		send_part(s, s->exe, strlen(s->exe), off, want);
	} else {
		gs_send_str(&s->conn, "");
	}
}
