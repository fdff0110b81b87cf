/* rec_inputs.c - notes that name where an input came from, where the
 * trace would not say it otherwise (format/input_note.h): after the exit
 * of a successful open, openat, openat2 or creat, the path the program
 * gave; after a connect, the address.  `grr info --inputs` reads them;
 * replay ignores them. */
#include "recorder/rec_private.h"
#include "format/input_note.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#define MAX_SOCKADDR 128

/* The NUL-terminated string at ADDR (at most PATH_MAX bytes) into BUF. */
static bool read_path(struct recorder *r, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;
	while (addr && got + 1 < len) {
		/* up to the end of the page, so that a short string at a
		 * mapping's end is still read */
		size_t want = 4096 - (size_t)((addr + got) & 4095);
		if (want > len - 1 - got)
			want = len - 1 - got;
		size_t n = grr_mem_read_partial(&r->mem, addr + got, buf + got, want);
		if (n == 0)
			break;
		void *nul = memchr(buf + got, 0, n);
		got += n;
		if (nul)
			return true;
	}
	return false;
}

static int log_note(struct recorder *r, pid_t tid, enum grr_input_note kind, const char *value)
{
	char text[PATH_MAX + 16];
	grr_input_note_format(text, sizeof(text), kind, value);
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.note.text = text;
	return rec_log(r, &ev, tid, GRR_EV_NOTE);
}

int rec_note_input(struct recorder *r, pid_t tid, const struct grr_syscall_call *c)
{
	uint64_t path;
	switch (c->nr) {
	case SYS_open: case SYS_creat:
		path = c->args[0];
		break;
	case SYS_openat: case SYS_openat2:
		path = c->args[1];
		break;
	case SYS_connect: {
		uint8_t sa[MAX_SOCKADDR];
		size_t len = c->args[2] < sizeof(sa) ? (size_t)c->args[2] : sizeof(sa);
		len = grr_mem_read_partial(&r->mem, c->args[1], sa, len);
		char addr[256];
		grr_sockaddr_format(sa, len, addr, sizeof(addr));
		return log_note(r, tid, GRR_INPUT_NOTE_PEER, addr);
	}
	default:
		return 0;
	}
	char buf[PATH_MAX];
	if (c->ret < 0)
		return 0;
	if (!read_path(r, path, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(unreadable path)");
	return log_note(r, tid, GRR_INPUT_NOTE_FILE, buf);
}
