/* fuzz_reader.c - libFuzzer target: opens arbitrary bytes as a trace and reads everything. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/trace.h"

static void touch(const void *p, uint64_t n)
{
	/* read every byte, so that ASan checks the whole range */
	volatile uint8_t x = 0;
	for (uint64_t i = 0; i < n; i++)
		x ^= ((const uint8_t *)p)[i];
	(void)x;
}

static void read_events(struct grr_reader *r, uint64_t max)
{
	struct grr_event ev;
	struct grr_error err;
	for (uint64_t i = 0; i < max; i++) {
		int rc = grr_reader_next(r, &ev, &err);
		if (rc <= 0)
			break;
		if (ev.kind == GRR_EV_SYSCALL_EXIT)
			for (uint32_t k = 0; k < ev.u.exit.nwrites; k++)
				touch(ev.u.exit.writes[k].data, ev.u.exit.writes[k].len);
		if (ev.kind == GRR_EV_ANCHOR)
			touch(ev.u.anchor.excluded, ev.u.anchor.nexcluded * sizeof(struct grr_range));
		if (ev.kind == GRR_EV_NOTE)
			touch(ev.u.note.text, strlen(ev.u.note.text));
		(void)grr_event_kind_name(ev.kind);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-trace", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	if (!r) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();   /* every failure is one line */
		return 0;
	}
	const struct grr_header *h = grr_reader_header(r);
	touch(h->program, strlen(h->program));
	for (uint32_t i = 0; i < h->argc; i++)
		touch(h->argv[i], strlen(h->argv[i]));
	for (uint32_t i = 0; i < h->nmaps; i++)
		touch(h->maps[i].path, strlen(h->maps[i].path));
	touch(h->auxv, h->nauxv * sizeof(*h->auxv));

	uint64_t n = grr_reader_event_count(r);
	read_events(r, 1u << 20);
	struct grr_trace_stats st;
	(void)grr_reader_stats(r, &st, &err);
	if (n) {
		if (grr_reader_seek(r, n / 2, &err) == 0)
			read_events(r, 16);
		if (grr_reader_seek(r, n - 1, &err) == 0)
			read_events(r, 4);
	}
	(void)grr_reader_seek(r, n + 1, &err);
	const char *const *names = grr_reader_embedded_names(r);
	for (size_t i = 0; names[i] && i < 8; i++) {
		uint8_t *p;
		uint64_t len;
		if (grr_reader_embedded_file(r, names[i], &p, &len, &err) == 1) {
			touch(p, len);
			free(p);
		}
	}
	(void)grr_reader_has_index(r);
	grr_reader_close(r);
	return 0;
}
