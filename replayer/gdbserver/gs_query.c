/* gs_query.c - the general queries (q) and settings (Q): the handshake
 * (qSupported, QStartNoAckMode; QThreadSuffixSupported and
 * QListThreadsInStopReply answered as rr answers gdb: not supported),
 * threads, and the objects and commands other files serve. */
#include "replayer/gdbserver/gs_private.h"

#include <stdio.h>
#include <string.h>

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void supported(struct gs *s, const char *features)
{
	s->multiprocess = strstr(features, "multiprocess+") != NULL;
	s->swbreak = strstr(features, "swbreak+") != NULL;
	char out[512];
	snprintf(out, sizeof(out),
		 "PacketSize=%x;QStartNoAckMode+;qXfer:features:read+;qXfer:auxv:read+;"
		 "qXfer:exec-file:read+;qXfer:siginfo:read+;multiprocess+;hwbreak+;swbreak+;"
		 "vContSupported+;QPassSignals+;ReverseContinue+;ReverseStep+",
		 GS_PACKET_MAX);
	gs_send_str(&s->conn, out);
}

void gs_handle_query(struct gs *s, const char *pkt)
{
	char id[40], out[64];
	if (starts(pkt, "qSupported")) {
		supported(s, pkt);
	} else if (strcmp(pkt, "qfThreadInfo") == 0 || strcmp(pkt, "qsThreadInfo") == 0) {
		gs_handle_thread_info(s, pkt[1] == 'f');
	} else if (strcmp(pkt, "qC") == 0) {
		gs_thread_id(s, gs_query_thread(s), id, sizeof(id));
		snprintf(out, sizeof(out), "QC%s", id);
		gs_send_str(&s->conn, out);
	} else if (starts(pkt, "qAttached")) {
		gs_send_str(&s->conn, "1");
	} else if (starts(pkt, "qSymbol")) {
		gs_send_str(&s->conn, "OK");
	} else if (starts(pkt, "qThreadStopInfo")) {
		gs_handle_thread_stop_info(s, pkt + strlen("qThreadStopInfo"));
	} else if (starts(pkt, "qRRCmd:")) {
		gs_handle_rrcmd(s, pkt + strlen("qRRCmd:"));
	} else if (starts(pkt, "qRcmd,")) {
		gs_handle_rcmd(s, pkt + strlen("qRcmd,"));
	} else if (starts(pkt, "qXfer:")) {
		gs_handle_xfer(s, pkt + strlen("qXfer:"));
	} else {
		gs_send_str(&s->conn, "");  /* qRegisterInfo, qOffsets, ...: not supported */
	}
}

void gs_handle_set(struct gs *s, const char *pkt)
{
	if (strcmp(pkt, "QStartNoAckMode") == 0) {
		gs_send_str(&s->conn, "OK");
		s->conn.ack = false;
	} else if (starts(pkt, "QPassSignals:") || starts(pkt, "QProgramSignals:") ||
		   starts(pkt, "QNonStop:0") || starts(pkt, "QDisableRandomization") ||
		   starts(pkt, "QSetWorkingDir") || starts(pkt, "QEnvironment")) {
		gs_send_str(&s->conn, "OK");  /* nothing to change in a replay */
	} else {
		gs_send_str(&s->conn, "");
	}
}
