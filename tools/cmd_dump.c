/* cmd_dump.c - `grr dump`: prints a trace's events, one per line (or JSON Lines). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/trace.h"
#include "tracee/sysbuf.h"
#include "tools/commands.h"
#include "tracee/syscalls.h"

static const char *const reg_names[GRR_NREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",
	"rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
	"es", "fs", "gs",
};
#define REG_RIP 16
#define REG_RSP 19

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr dump [--json] [--from N] [--count K] TRACE\n"
		"\n"
		"Prints the events of TRACE, one per line:\n"
		"  #SEQ t=SECONDS tid TID KIND DETAILS\n"
		"\n"
		"  --json      JSON Lines: one object per event with all its fields\n"
		"              (memory writes: address, length and the first bytes in hex)\n"
		"  --from N    start at event N (events are numbered from 0)\n"
		"  --count K   print at most K events\n"
		"  -h, --help  show this help\n"
		"\n"
		"Exit status: 0 when the events were printed; 1 if TRACE cannot be read, is\n"
		"damaged, or was cut short (the readable events are printed first); 2 on a\n"
		"usage error.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static const char *signal_name(uint32_t signo, char *buf, size_t n)
{
	const char *abbrev = signo < 65 ? sigabbrev_np((int)signo) : NULL;
	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else if (signo >= 34 && signo <= 64)
		snprintf(buf, n, "SIGRT%u", signo - 34);
	else
		snprintf(buf, n, "signal%u", signo);
	return buf;
}

static const char *sig_how_name(uint8_t how)
{
	switch (how) {
	case GRR_SIG_SYNC: return "sync";
	case GRR_SIG_AT_STOP: return "at_stop";
	case GRR_SIG_AT_ANCHOR: return "at_anchor";
	default: return "unknown";
	}
}

static const char *exit_how_name(uint8_t how)
{
	switch (how) {
	case GRR_EXIT_NORMAL: return "normal";
	case GRR_EXIT_SIGNAL: return "signal";
	case GRR_EXIT_DETACHED: return "detached";
	default: return "unknown";
	}
}

/* Small values in decimal, errno-like negatives as negatives, the rest
 * (addresses, flags) in hex. */
static void put_arg(FILE *o, uint64_t v)
{
	int64_t s = (int64_t)v;
	if (s < 0 && s >= -4096)
		fprintf(o, "%" PRId64, s);
	else if (v < 0x10000)
		fprintf(o, "%" PRIu64, v);
	else
		fprintf(o, "0x%" PRIx64, v);
}

static void put_ret(FILE *o, int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *name = strerrorname_np((int)-ret);
		fprintf(o, "%" PRId64 " %s", ret, name ? name : "");
	} else if (ret >= 0x10000) {
		fprintf(o, "0x%" PRIx64, (uint64_t)ret);
	} else {
		fprintf(o, "%" PRId64, ret);
	}
}

static void put_cstring(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", o);
		else if (*p == '\t')
			fputs("\\t", o);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(o, "\\x%02x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

static void put_json_string(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", o);
		else if (*p == '\t')
			fputs("\\t", o);
		else if (*p < 0x20 || *p >= 0x7f)   /* keeps the output ASCII, valid whatever the bytes */
			fprintf(o, "\\u%04x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

static void put_hex(FILE *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%02x", p[i]);
}

/* " [N writes, M bytes]" of a SYSCALL_EXIT or BUFFERED event */
/* Whether a BUFFERED event holds syscall buffer records (its writes land
 * in the buffer's page, tracee/sysbuf.h) rather than clock values. */
static bool buffered_syscalls(const struct grr_event *ev)
{
	return ev->u.exit.nwrites && ev->u.exit.writes[0].addr >= GRR_SB_ADDR &&
	       ev->u.exit.writes[0].addr < GRR_SB_ADDR + GRR_SB_LEN;
}

static void put_writes_summary(FILE *o, const struct grr_event *ev)
{
	if (!ev->u.exit.nwrites)
		return;
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < ev->u.exit.nwrites; i++)
		bytes += ev->u.exit.writes[i].len;
	fprintf(o, " [%u write%s, %" PRIu64 " byte%s]", ev->u.exit.nwrites,
		ev->u.exit.nwrites == 1 ? "" : "s", bytes, bytes == 1 ? "" : "s");
}

static void print_text(FILE *o, const struct grr_event *ev)
{
	char sig[32];
	fprintf(o, "#%" PRIu64 " t=%" PRIu64 ".%06" PRIu64 " tid %u %s", ev->seq,
		ev->time_ns / 1000000000u, ev->time_ns % 1000000000u / 1000u, ev->tid,
		grr_event_kind_name(ev->kind));
	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER: {
		const struct grr_syscall_desc *d = grr_syscall_desc(ev->u.enter.nr);
		unsigned nargs = d->nargs <= 6 ? d->nargs : 6;
		fprintf(o, " %s(", grr_syscall_name(ev->u.enter.nr));
		for (unsigned i = 0; i < nargs; i++) {
			if (i)
				fputs(", ", o);
			put_arg(o, ev->u.enter.args[i]);
		}
		fputc(')', o);
		break;
	}
	case GRR_EV_SYSCALL_EXIT: {
		fprintf(o, " %s = ", grr_syscall_name(ev->u.exit.nr));
		put_ret(o, ev->u.exit.ret);
		put_writes_summary(o, ev);
		break;
	}
	case GRR_EV_BUFFERED:
		if (ev->u.exit.nr == GRR_BUFFERED_SPLIT && ev->u.exit.nwrites == 1) {
			fprintf(o, " split read-modify-write at pc 0x%" PRIx64 ": %" PRIu64
				" bytes at 0x%" PRIx64 " put back as loaded", (uint64_t)ev->u.exit.ret,
				ev->u.exit.writes[0].len, ev->u.exit.writes[0].addr);
			break;
		}
		fprintf(o, " %" PRId64 " %s%s", ev->u.exit.ret,
			buffered_syscalls(ev) ? "syscall" : "value", ev->u.exit.ret == 1 ? "" : "s");
		put_writes_summary(o, ev);
		break;
	case GRR_EV_SIGNAL:
		fprintf(o, " %s (%u) %s", signal_name(ev->u.signal.signo, sig, sizeof(sig)),
			ev->u.signal.signo, sig_how_name(ev->u.signal.how));
		break;
	case GRR_EV_CLONE:
		fprintf(o, " child tid %u flags 0x%" PRIx64, ev->u.clone.child_tid, ev->u.clone.flags);
		break;
	case GRR_EV_THREAD_EXIT:
		fprintf(o, " status %d", ev->u.thread_exit.status);
		break;
	case GRR_EV_PROCESS_EXIT:
		if (ev->u.process_exit.how == GRR_EXIT_NORMAL)
			fprintf(o, " exited with status %d", ev->u.process_exit.status);
		else if (ev->u.process_exit.how == GRR_EXIT_SIGNAL)
			fprintf(o, " killed by %s (%d)",
				signal_name((uint32_t)ev->u.process_exit.status, sig, sizeof(sig)),
				ev->u.process_exit.status);
		else
			fprintf(o, " %s (status %d)", exit_how_name(ev->u.process_exit.how),
				ev->u.process_exit.status);
		break;
	case GRR_EV_RDTSC:
		fprintf(o, " pc 0x%" PRIx64 " tsc %" PRIu64, ev->u.rdtsc.pc, ev->u.rdtsc.tsc);
		if (ev->u.rdtsc.is_rdtscp)
			fprintf(o, " (rdtscp, aux %u)", ev->u.rdtsc.aux);
		break;
	case GRR_EV_ANCHOR:
		fprintf(o, " pc 0x%" PRIx64 " sp 0x%" PRIx64 " digest %016" PRIx64,
			ev->u.anchor.regs[REG_RIP], ev->u.anchor.regs[REG_RSP], ev->u.anchor.digest);
		if (ev->u.anchor.nexcluded)
			fprintf(o, " (%u range%s excluded)", ev->u.anchor.nexcluded,
				ev->u.anchor.nexcluded == 1 ? "" : "s");
		break;
	case GRR_EV_NOTE:
		fputc(' ', o);
		put_cstring(o, ev->u.note.text);
		break;
	}
	fputc('\n', o);
}

#define JSON_HEAD_BYTES 32

/* ,"writes":[...] of a SYSCALL_EXIT or BUFFERED event */
static void put_json_writes(FILE *o, const struct grr_event *ev)
{
	fputs(",\"writes\":[", o);
	for (uint32_t i = 0; i < ev->u.exit.nwrites; i++) {
		const struct grr_mem_write *w = &ev->u.exit.writes[i];
		fprintf(o, "%s{\"addr\":%" PRIu64 ",\"len\":%" PRIu64 ",\"head\":\"", i ? "," : "",
			w->addr, w->len);
		put_hex(o, w->data, w->len < JSON_HEAD_BYTES ? (size_t)w->len : JSON_HEAD_BYTES);
		fputs("\"}", o);
	}
	fputc(']', o);
}

static void print_json(FILE *o, const struct grr_event *ev)
{
	char sig[32];
	fprintf(o, "{\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"tid\":%u,\"time_ns\":%" PRIu64, ev->seq,
		grr_event_kind_name(ev->kind), ev->tid, ev->time_ns);
	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER:
		fprintf(o, ",\"nr\":%u,\"name\":", ev->u.enter.nr);
		put_json_string(o, grr_syscall_name(ev->u.enter.nr));
		fputs(",\"args\":[", o);
		for (int i = 0; i < 6; i++)
			fprintf(o, "%s%" PRIu64, i ? "," : "", ev->u.enter.args[i]);
		fputc(']', o);
		break;
	case GRR_EV_SYSCALL_EXIT:
		fprintf(o, ",\"nr\":%u,\"name\":", ev->u.exit.nr);
		put_json_string(o, grr_syscall_name(ev->u.exit.nr));
		fprintf(o, ",\"ret\":%" PRId64, ev->u.exit.ret);
		put_json_writes(o, ev);
		break;
	case GRR_EV_BUFFERED:
		if (ev->u.exit.nr == GRR_BUFFERED_SPLIT)
			fprintf(o, ",\"split_pc\":%" PRId64, ev->u.exit.ret);
		else
			fprintf(o, ",\"values\":%" PRId64, ev->u.exit.ret);
		put_json_writes(o, ev);
		break;
	case GRR_EV_SIGNAL:
		fprintf(o, ",\"signo\":%u,\"name\":\"%s\",\"how\":\"%s\",\"siginfo\":\"", ev->u.signal.signo,
			signal_name(ev->u.signal.signo, sig, sizeof(sig)), sig_how_name(ev->u.signal.how));
		put_hex(o, ev->u.signal.siginfo, sizeof(ev->u.signal.siginfo));
		fputc('"', o);
		break;
	case GRR_EV_CLONE:
		fprintf(o, ",\"child_tid\":%u,\"flags\":%" PRIu64, ev->u.clone.child_tid, ev->u.clone.flags);
		break;
	case GRR_EV_THREAD_EXIT:
		fprintf(o, ",\"status\":%d", ev->u.thread_exit.status);
		break;
	case GRR_EV_PROCESS_EXIT:
		fprintf(o, ",\"how\":\"%s\",\"status\":%d", exit_how_name(ev->u.process_exit.how),
			ev->u.process_exit.status);
		break;
	case GRR_EV_RDTSC:
		fprintf(o, ",\"pc\":%" PRIu64 ",\"tsc\":%" PRIu64 ",\"aux\":%u,\"rdtscp\":%s", ev->u.rdtsc.pc,
			ev->u.rdtsc.tsc, ev->u.rdtsc.aux, ev->u.rdtsc.is_rdtscp ? "true" : "false");
		break;
	case GRR_EV_ANCHOR:
		fputs(",\"regs\":{", o);
		for (int i = 0; i < GRR_NREGS; i++)
			fprintf(o, "%s\"%s\":%" PRIu64, i ? "," : "", reg_names[i], ev->u.anchor.regs[i]);
		fputs("},\"fpregs\":\"", o);
		put_hex(o, ev->u.anchor.fpregs, GRR_FPREGS_SIZE);
		fprintf(o, "\",\"digest\":%" PRIu64 ",\"excluded\":[", ev->u.anchor.digest);
		for (uint32_t i = 0; i < ev->u.anchor.nexcluded; i++)
			fprintf(o, "%s{\"addr\":%" PRIu64 ",\"len\":%" PRIu64 "}", i ? "," : "",
				ev->u.anchor.excluded[i].addr, ev->u.anchor.excluded[i].len);
		fputc(']', o);
		break;
	case GRR_EV_NOTE:
		fputs(",\"text\":", o);
		put_json_string(o, ev->u.note.text);
		break;
	}
	fputs("}\n", o);
}

int cmd_dump(int argc, char **argv)
{
	int json = 0;
	uint64_t from = 0, count = UINT64_MAX;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--from") || !strcmp(a, "--count")) {
			uint64_t *dst = a[2] == 'f' ? &from : &count;
			if (i + 1 >= argc || parse_u64(argv[i + 1], dst)) {
				fprintf(stderr, "grr dump: %s needs a number (see 'grr dump --help')\n", a);
				return GRR_EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "--") && i + 1 < argc && !path && i + 2 == argc) {
			path = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "grr dump: unknown option '%s' (see 'grr dump --help')\n", a);
			return GRR_EXIT_USAGE;
		} else if (path) {
			fprintf(stderr, "grr dump: one trace at a time (see 'grr dump --help')\n");
			return GRR_EXIT_USAGE;
		} else {
			path = a;
		}
	}
	if (!path) {
		fprintf(stderr, "grr dump: no trace given (see 'grr dump --help')\n");
		return GRR_EXIT_USAGE;
	}

	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	if (!r) {
		fprintf(stderr, "grr dump: %s\n", err.msg);
		return GRR_EXIT_BAD_INPUT;
	}
	int status = 0;
	if (from && grr_reader_seek(r, from, &err)) {
		fflush(stdout);
		fprintf(stderr, "grr dump: %s\n", err.msg);
		grr_reader_close(r);
		return GRR_EXIT_BAD_INPUT;
	}
	struct grr_event ev;
	int rc = 1;
	uint64_t n = 0;
	while (n < count && (rc = grr_reader_next(r, &ev, &err)) == 1) {
		if (json)
			print_json(stdout, &ev);
		else
			print_text(stdout, &ev);
		n++;
	}
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "grr dump: %s\n", err.msg);
		status = GRR_EXIT_BAD_INPUT;
	} else if (rc == 0 && !grr_reader_has_index(r)) {
		struct grr_trace_stats st;
		if (grr_reader_stats(r, &st, &err))
			fprintf(stderr, "grr dump: %s\n", err.msg);
		else
			fprintf(stderr, "grr dump: %s: trace is cut short at byte %" PRIu64
				" (recording did not finish); %" PRIu64 " events readable\n",
				path, st.valid_bytes, grr_reader_event_count(r));
		status = GRR_EXIT_BAD_INPUT;
	} else if (ferror(stdout)) {
		fprintf(stderr, "grr dump: cannot write the output: %s\n", strerror(errno));
		status = GRR_EXIT_BAD_INPUT;
	}
	grr_reader_close(r);
	return status;
}
