/* cmd_info.c - `grr info`: summarizes a trace (program, CPU, events, sizes, completeness). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/file_ref.h"
#include "format/trace.h"
#include "tools/commands.h"
#include "tools/trace_inputs.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr info [--inputs [--values]] TRACE\n"
		"\n"
		"Summarizes TRACE: the recorded program and its arguments, Go version and\n"
		"build id, the CPU it ran on, when and how it was recorded, the names of\n"
		"the environment variables it carries and of those withheld, its events by\n"
		"kind, threads and duration, its size compressed and uncompressed, whether\n"
		"it is complete or was cut short, and whether it is packed (carries its\n"
		"executable).\n"
		"\n"
		"  --inputs   list instead what the trace holds from outside the program:\n"
		"             every environment variable's name, the names withheld, every\n"
		"             file read (path, bytes), every socket peer (address, bytes\n"
		"             received), and the bytes read from stdin\n"
		"  --values   with --inputs, the environment's values too\n"
		"\n"
		"Exit status: 0 if the trace could be summarized (even if cut short),\n"
		"1 if it cannot be read or is damaged, 2 on a usage error.\n");
}

struct feature {
	int word;
	int bit;
	const char *name;
};

/* Notable CPUID feature bits, in the order of struct grr_cpu's words. */
static const struct feature features[] = {
	{ GRR_CPUID_1_EDX, 4, "tsc" }, { GRR_CPUID_1_EDX, 26, "sse2" },
	{ GRR_CPUID_1_ECX, 0, "sse3" }, { GRR_CPUID_1_ECX, 1, "pclmulqdq" },
	{ GRR_CPUID_1_ECX, 9, "ssse3" }, { GRR_CPUID_1_ECX, 12, "fma" },
	{ GRR_CPUID_1_ECX, 13, "cx16" }, { GRR_CPUID_1_ECX, 19, "sse4.1" },
	{ GRR_CPUID_1_ECX, 20, "sse4.2" }, { GRR_CPUID_1_ECX, 22, "movbe" },
	{ GRR_CPUID_1_ECX, 23, "popcnt" }, { GRR_CPUID_1_ECX, 25, "aes" },
	{ GRR_CPUID_1_ECX, 26, "xsave" }, { GRR_CPUID_1_ECX, 28, "avx" },
	{ GRR_CPUID_1_ECX, 29, "f16c" }, { GRR_CPUID_1_ECX, 30, "rdrand" },
	{ GRR_CPUID_7_EBX, 0, "fsgsbase" }, { GRR_CPUID_7_EBX, 3, "bmi1" },
	{ GRR_CPUID_7_EBX, 4, "hle" }, { GRR_CPUID_7_EBX, 5, "avx2" },
	{ GRR_CPUID_7_EBX, 8, "bmi2" }, { GRR_CPUID_7_EBX, 9, "erms" },
	{ GRR_CPUID_7_EBX, 11, "rtm" }, { GRR_CPUID_7_EBX, 16, "avx512f" },
	{ GRR_CPUID_7_EBX, 17, "avx512dq" }, { GRR_CPUID_7_EBX, 18, "rdseed" },
	{ GRR_CPUID_7_EBX, 19, "adx" }, { GRR_CPUID_7_EBX, 28, "avx512cd" },
	{ GRR_CPUID_7_EBX, 29, "sha" }, { GRR_CPUID_7_EBX, 30, "avx512bw" },
	{ GRR_CPUID_7_EBX, 31, "avx512vl" }, { GRR_CPUID_7_ECX, 1, "avx512vbmi" },
	{ GRR_CPUID_7_ECX, 3, "pku" }, { GRR_CPUID_7_ECX, 8, "gfni" },
	{ GRR_CPUID_7_ECX, 9, "vaes" }, { GRR_CPUID_7_ECX, 10, "vpclmulqdq" },
	{ GRR_CPUID_7_ECX, 11, "avx512vnni" }, { GRR_CPUID_7_ECX, 22, "rdpid" },
	{ GRR_CPUID_7_EDX, 4, "fsrm" }, { GRR_CPUID_7_EDX, 14, "serialize" },
	{ GRR_CPUID_7_EDX, 15, "hybrid" }, { GRR_CPUID_7_EDX, 23, "avx512fp16" },
	{ GRR_CPUID_7_EDX, 24, "amx-tile" }, { GRR_CPUID_7_1_EAX, 4, "avx-vnni" },
	{ GRR_CPUID_7_1_EAX, 5, "avx512bf16" }, { GRR_CPUID_D_1_EAX, 0, "xsaveopt" },
	{ GRR_CPUID_D_1_EAX, 1, "xsavec" }, { GRR_CPUID_D_1_EAX, 3, "xsaves" },
	{ GRR_CPUID_EXT1_ECX, 5, "lzcnt" }, { GRR_CPUID_EXT1_ECX, 6, "sse4a" },
	{ GRR_CPUID_EXT1_EDX, 27, "rdtscp" },
};

static void put_size(uint64_t n)
{
	if (n < 10000)
		printf("%" PRIu64 " B", n);
	else if (n < 10000000)
		printf("%.1f KB", (double)n / 1e3);
	else if (n < 10000000000ull)
		printf("%.1f MB", (double)n / 1e6);
	else
		printf("%.1f GB", (double)n / 1e9);
}

/* An argument as a shell would need it quoted. */
static void put_arg(const char *a)
{
	int plain = *a != 0;
	for (const char *p = a; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
		      strchr("-_./:=,+@%", *p)))
			plain = 0;
	if (plain) {
		fputs(a, stdout);
		return;
	}
	putchar('\'');
	for (const unsigned char *p = (const unsigned char *)a; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('\'');
}

static void put_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
}

/* The files whose bytes the trace refers to rather than holds (shared
 * libraries), each named once. */
static void print_file_refs(struct grr_reader *r, const struct grr_trace_stats *st)
{
	size_t n;
	const struct grr_file_ref *refs = grr_reader_file_refs(r, &n);
	if (!n)
		return;
	printf("file refs:    %" PRIu64 " contents, ", st->file_refs);
	put_size(st->file_ref_bytes);
	printf(", read from");
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(refs[j].path, refs[i].path) == 0;
		if (!seen) {
			putchar(' ');
			put_safe(refs[i].path);
		}
	}
	printf(" (grr pack stores them)\n");
}

int cmd_info(int argc, char **argv)
{
	const char *path = NULL;
	bool inputs = false, values = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--inputs")) {
			inputs = true;
		} else if (!strcmp(argv[i], "--values")) {
			inputs = values = true;
		} else if (!strcmp(argv[i], "--") && i + 2 == argc && !path) {
			path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "grr info: unknown option '%s' (see 'grr info --help')\n", argv[i]);
			return GRR_EXIT_USAGE;
		} else if (path) {
			fprintf(stderr, "grr info: one trace at a time (see 'grr info --help')\n");
			return GRR_EXIT_USAGE;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		fprintf(stderr, "grr info: no trace given (see 'grr info --help')\n");
		return GRR_EXIT_USAGE;
	}

	struct grr_error err;
	struct grr_reader *r = grr_reader_open(path, &err);
	if (!r) {
		fprintf(stderr, "grr info: %s\n", err.msg);
		return GRR_EXIT_BAD_INPUT;
	}
	if (inputs) {
		printf("trace:        ");
		put_safe(path);
		putchar('\n');
		int rc = inputs_print_listing(stdout, r, values, &err);
		grr_reader_close(r);
		if (rc < 0) {
			fflush(stdout);
			fprintf(stderr, "grr info: %s\n", err.msg);
			return GRR_EXIT_BAD_INPUT;
		}
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "grr info: cannot write the output\n");
			return GRR_EXIT_BAD_INPUT;
		}
		return 0;
	}
	struct grr_trace_stats st;
	if (grr_reader_stats(r, &st, &err)) {
		fprintf(stderr, "grr info: %s\n", err.msg);
		grr_reader_close(r);
		return GRR_EXIT_BAD_INPUT;
	}
	const struct grr_header *h = grr_reader_header(r);

	printf("trace:        ");
	put_safe(path);
	printf("\nformat:       %u.%u\n", h->major, h->minor);
	printf("program:      ");
	put_safe(h->program);
	printf("\nargv:        ");
	for (uint32_t i = 0; i < h->argc; i++) {
		putchar(' ');
		put_arg(h->argv[i]);
	}
	printf("\ncwd:          ");
	put_safe(h->cwd);
	printf("\ngo version:   ");
	put_safe(*h->go_version ? h->go_version : "(not a Go program)");
	printf("\nbuild id:     ");
	put_safe(*h->build_id ? h->build_id : "(none)");
	printf("\ncpu:          ");
	put_safe(*h->cpu.vendor ? h->cpu.vendor : "(unknown vendor)");
	printf(" family %u model %u stepping %u\n", h->cpu.family, h->cpu.model, h->cpu.stepping);
	printf("cpu features:");
	int nf = 0;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (h->cpu.features[features[i].word] & (1u << features[i].bit)) {
			printf(" %s", features[i].name);
			nf++;
		}
	printf("%s\n", nf ? "" : " (none recorded)");
	printf("grr version:  ");
	put_safe(*h->grr_version ? h->grr_version : "(unknown)");
	putchar('\n');
	time_t secs = (time_t)(h->start_time_ns / 1000000000u);
	struct tm tm;
	char when[64] = "(unknown)";
	if (h->start_time_ns && gmtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("started:      %s\n", when);
	if (h->flags & GRR_HDR_CHAOS)
		printf("chaos mode:   on, seed %" PRIu64 "\n", h->chaos_seed);
	else
		printf("chaos mode:   off\n");
	printf("portable:     %s\n", h->flags & GRR_HDR_PORTABLE ?
	       "yes (recorded with GODEBUG=cpu.all=off)" : "no");
	printf("fast paths:   %s%s%s\n",
	       !(h->flags & GRR_HDR_CLOCKPAGE) ? "no clock page" :
	       h->flags & GRR_HDR_CLOCKRING ? "clock page (second layout)" :
					      "clock page (first layout)",
	       ", ",
	       !(h->flags & GRR_HDR_SYSBUF) ? "no syscall buffer" :
	       h->flags & GRR_HDR_SYSBUF_FUTEX ?
			"syscall buffer (third code: file system calls and futex wakes too)" :
	       h->flags & GRR_HDR_SYSBUF_FS ? "syscall buffer (second code: file system calls too)" :
					      "syscall buffer (first code)");
	inputs_print_env(stdout, h);

	printf("events:       %" PRIu64, st.events);
	const char *sep = " (";
	for (unsigned k = 1; k <= GRR_EV_KIND_MAX; k++)
		if (st.by_kind[k]) {
			printf("%s%s %" PRIu64, sep, grr_event_kind_name(k), st.by_kind[k]);
			sep = ", ";
		}
	printf("%s\n", *sep == ',' ? ")" : "");
	printf("threads:      %u\n", st.threads);
	printf("duration:     %" PRIu64 ".%06" PRIu64 " s\n", st.duration_ns / 1000000000u,
	       st.duration_ns % 1000000000u / 1000u);
	printf("size:         ");
	put_size(st.file_bytes);
	printf(" on disk, ");
	put_size(st.raw_bytes);
	printf(" uncompressed (ratio %.2f), %" PRIu64 " chunks\n",
	       st.file_bytes ? (double)st.raw_bytes / (double)st.file_bytes : 0.0, st.chunks);
	printf("blobs:        %" PRIu64 " distinct contents, ", st.blobs);
	put_size(st.blob_raw_bytes);
	putchar('\n');
	print_file_refs(r, &st);
	if (st.has_index)
		printf("complete:     yes (indexed)\n");
	else
		printf("complete:     no, cut short at byte %" PRIu64 " of %" PRIu64
		       " (recording did not finish)\n", st.valid_bytes, st.file_bytes);

	const char *const *names = grr_reader_embedded_names(r);
	int packed = 0;
	for (size_t i = 0; names[i]; i++)
		packed |= !strcmp(names[i], "exe");
	printf("packed:       %s\n", packed ? "yes (the executable is embedded)" : "no");
	size_t nsrc = 0, plen = strlen(GRR_EMBED_SOURCE_PREFIX);
	for (size_t i = 0; names[i]; i++)
		nsrc += strncmp(names[i], GRR_EMBED_SOURCE_PREFIX, plen) == 0;
	printf("sources:      %s", nsrc ? "packed, " : "not packed\n");
	if (nsrc)
		printf("%zu file%s of the program's own packages\n", nsrc, nsrc == 1 ? "" : "s");
	if (names[0]) {
		bool any = false;
		for (size_t i = 0; names[i]; i++) {
			if (strncmp(names[i], GRR_EMBED_SOURCE_PREFIX, plen) == 0)
				continue;
			if (!any)
				printf("embedded:    ");
			any = true;
			putchar(' ');
			put_arg(names[i]);
		}
		if (any)
			putchar('\n');
	}
	grr_reader_close(r);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "grr info: cannot write the output\n");
		return GRR_EXIT_BAD_INPUT;
	}
	return 0;
}
