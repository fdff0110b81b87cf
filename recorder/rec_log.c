/* rec_log.c - appending events to the trace being recorded. */
#include "recorder/rec_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

uint64_t rec_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Flush at least this often so that a killed recorder loses little. */
#define FLUSH_INTERVAL_NS 500000000ull

int rec_log(struct recorder *r, struct grr_event *ev, pid_t tid, uint8_t kind)
{
	if (r->write_failed)
		return -1;
	ev->kind = kind;
	ev->tid = (uint32_t)tid;
	uint64_t now = rec_now_ns();
	ev->time_ns = now - r->t0;
	if (grr_writer_append(r->w, ev, &r->werr) < 0) {
		r->write_failed = true;
		return -1;
	}
	if (now - r->last_flush_ns > FLUSH_INTERVAL_NS) {
		r->last_flush_ns = now;
		if (grr_writer_flush(r->w, &r->werr) < 0) {
			r->write_failed = true;
			return -1;
		}
	}
	return 0;
}

void rec_log_note(struct recorder *r, pid_t tid, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.note.text = text;
	rec_log(r, &ev, tid, GRR_EV_NOTE);
}
