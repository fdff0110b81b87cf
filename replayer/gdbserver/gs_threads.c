/* gs_threads.c - threads as the client names them: recorded thread ids,
 * "p<pid>.<tid>" in hex with the multiprocess extensions (the pid is the
 * recorded process's), and the selections H makes. */
#include "replayer/gdbserver/gs_private.h"

#include <stdio.h>
#include <string.h>

#define GS_MAX_THREADS 4096

void gs_thread_id(const struct gs *s, uint32_t tid, char *out, size_t len)
{
	if (s->multiprocess)
		snprintf(out, len, "p%x.%x", s->pid, tid);
	else
		snprintf(out, len, "%x", tid);
}

/* A number, or -1 ("all"): *V 0 for both 0 and -1. */
static int id_part(const char **p, uint64_t *v)
{
	if (**p == '-' && (*p)[1] == '1') {
		*p += 2;
		*v = 0;
		return 0;
	}
	return gs_hex_u64(p, v);
}

int gs_parse_thread(const char **p, uint32_t *tid)
{
	uint64_t v = 0;
	if (**p == 'p') {
		(*p)++;
		uint64_t pid;
		if (id_part(p, &pid) < 0)
			return -1;
		if (**p != '.') {
			*tid = 0;  /* every thread of the process */
			return 0;
		}
		(*p)++;
	}
	if (id_part(p, &v) < 0 || v > UINT32_MAX)
		return -1;
	*tid = (uint32_t)v;
	return 0;
}

bool gs_thread_alive(struct gs *s, uint32_t tid)
{
	uint32_t tids[GS_MAX_THREADS];
	int n = grr_replay_threads(grr_ctl_replay(s->ctl), tids, GS_MAX_THREADS);
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

uint32_t gs_query_thread(struct gs *s)
{
	if (s->g_tid && gs_thread_alive(s, s->g_tid))
		return s->g_tid;
	if (s->last.tid && gs_thread_alive(s, s->last.tid))
		return s->last.tid;
	uint32_t cur = grr_ctl_current_tid(s->ctl);
	if (cur && gs_thread_alive(s, cur))
		return cur;
	uint32_t tids[1];
	return grr_replay_threads(grr_ctl_replay(s->ctl), tids, 1) == 1 ? tids[0] : 0;
}

void gs_handle_H(struct gs *s, const char *args)
{
	char op = args[0];
	const char *p = args + 1;
	uint32_t tid;
	if ((op != 'g' && op != 'c') || gs_parse_thread(&p, &tid) < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	if (op == 'g')
		s->g_tid = tid;
	else
		s->c_tid = tid;
	gs_send_str(&s->conn, "OK");
}

void gs_handle_thread_info(struct gs *s, bool first)
{
	if (!first) {
		gs_send_str(&s->conn, "l");
		return;
	}
	uint32_t tids[GS_MAX_THREADS];
	int n = grr_replay_threads(grr_ctl_replay(s->ctl), tids, GS_MAX_THREADS);
	static const size_t per = 24;  /* "p12345678.12345678," */
	char out[GS_MAX_THREADS * 24 + 2];
	size_t k = 0;
	out[k++] = n ? 'm' : 'l';
	for (int i = 0; i < n; i++) {
		char id[32];
		gs_thread_id(s, tids[i], id, sizeof(id));
		k += (size_t)snprintf(out + k, per + 1, "%s%s", i ? "," : "", id);
	}
	out[k] = 0;
	gs_send_str(&s->conn, out);
}

void gs_handle_T(struct gs *s, const char *args)
{
	uint32_t tid;
	bool ok = gs_parse_thread(&args, &tid) == 0 && tid && gs_thread_alive(s, tid);
	gs_send_str(&s->conn, ok ? "OK" : "E01");
}
