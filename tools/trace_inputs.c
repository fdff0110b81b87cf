/* trace_inputs.c - what a trace carries from outside the program, shown
 * (see trace_inputs.h). */
#include "tools/trace_inputs.h"

#include <inttypes.h>
#include <string.h>

#include "format/inputs.h"

void inputs_put_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
}

static void fmt_bytes(uint64_t n, char *buf, size_t len)
{
	if (n < 10000)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else if (n < 10000000)
		snprintf(buf, len, "%.1f KB", (double)n / 1e3);
	else
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
}

/* The name of environment entry E (up to '='). */
static void put_name(FILE *f, const char *e)
{
	const char *eq = strchr(e, '=');
	char name[256];
	size_t n = eq ? (size_t)(eq - e) : strlen(e);
	snprintf(name, sizeof(name), "%.*s", (int)(n < 255 ? n : 255), e);
	inputs_put_safe(f, name);
}

static void put_names(FILE *f, char *const *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		fputc(' ', f);
		put_name(f, v[i]);
	}
}

void inputs_print_env(FILE *f, const struct grr_header *h)
{
	fprintf(f, "environment:  %u variable%s", h->envc, h->envc == 1 ? "" : "s");
	if (h->envc)
		fputc(':', f);
	put_names(f, h->envp, h->envc);
	fputc('\n', f);
	if (!h->env_screened) {
		fprintf(f, "withheld:     nothing (recorded before grr withheld secret-looking "
			"variables: the trace holds the whole environment)\n");
		return;
	}
	if (h->nwithheld) {
		fprintf(f, "withheld:    ");
		put_names(f, h->withheld, h->nwithheld);
		fprintf(f, " (names that look secret; the program ran without them)\n");
	} else {
		fprintf(f, "withheld:     none\n");
	}
	if (h->nkept_secret) {
		fprintf(f, "kept secret: ");
		put_names(f, h->kept_secret, h->nkept_secret);
		fprintf(f, " (names that look secret, passed on by --keep-env or "
			"--keep-all-env: the trace holds %s)\n",
			h->nkept_secret == 1 ? "its value" : "their values");
	}
}

int inputs_print_listing(FILE *f, struct grr_reader *r, bool values, struct grr_error *err)
{
	const struct grr_header *h = grr_reader_header(r);
	struct grr_inputs in;
	if (grr_inputs_scan(r, &in, err) < 0) {
		grr_inputs_free(&in);
		return -1;
	}
	char b[32];
	fprintf(f, "environment:  %u variable%s%s\n", h->envc, h->envc == 1 ? "" : "s",
		values ? "" : " (names; their values with --values)");
	for (uint32_t i = 0; i < h->envc; i++) {
		fputs("  ", f);
		if (values)
			inputs_put_safe(f, h->envp[i]);
		else
			put_name(f, h->envp[i]);
		fputc('\n', f);
	}
	if (!h->env_screened) {
		fprintf(f, "withheld:     nothing (recorded before grr withheld secret-looking "
			"variables)\n");
	} else {
		fprintf(f, "withheld:     %u (names only: the program ran without them)\n",
			h->nwithheld);
		for (uint32_t i = 0; i < h->nwithheld; i++) {
			fputs("  ", f);
			inputs_put_safe(f, h->withheld[i]);
			fputc('\n', f);
		}
	}
	const char *what[2] = { "files read:", "socket peers:" };
	for (int k = GRR_INPUT_FILE; k <= GRR_INPUT_PEER; k++) {
		size_t n = 0;
		for (size_t i = 0; i < in.n; i++)
			n += in.v[i].kind == (enum grr_input_kind)k;
		fprintf(f, "%-13s %zu\n", what[k], n);
		for (size_t i = 0; i < in.n; i++) {
			const struct grr_input *x = &in.v[i];
			if (x->kind != (enum grr_input_kind)k)
				continue;
			fputs("  ", f);
			if (*x->name)
				inputs_put_safe(f, x->name);
			else
				fputs(k == GRR_INPUT_FILE ? "(path not recorded: a trace older than format 1.5)"
							  : "(address not recorded)", f);
			fmt_bytes(x->bytes, b, sizeof(b));
			if (k == GRR_INPUT_FILE)
				fprintf(f, "  %s read, opened %" PRIu64 " time%s\n", b, x->opens,
					x->opens == 1 ? "" : "s");
			else
				fprintf(f, "  %s received, %" PRIu64 " connection%s\n", b, x->opens,
					x->opens == 1 ? "" : "s");
		}
	}
	fmt_bytes(in.stdin_bytes, b, sizeof(b));
	fprintf(f, "stdin:        %s read\n", b);
	if (in.pipe_bytes) {
		fmt_bytes(in.pipe_bytes, b, sizeof(b));
		fprintf(f, "pipes:        %s read (from pipes and socket pairs: a child's output)\n", b);
	}
	if (in.other_bytes) {
		fmt_bytes(in.other_bytes, b, sizeof(b));
		fprintf(f, "other:        %s read from descriptors the program did not open\n", b);
	}
	grr_inputs_free(&in);
	return 0;
}

int inputs_summary(struct grr_reader *r, char *buf, size_t len, struct grr_error *err)
{
	const struct grr_header *h = grr_reader_header(r);
	struct grr_inputs in;
	if (grr_inputs_scan(r, &in, err) < 0) {
		grr_inputs_free(&in);
		return -1;
	}
	uint64_t fb = 0, pb = 0;
	size_t nf = 0, np = 0;
	for (size_t i = 0; i < in.n; i++) {
		if (in.v[i].kind == GRR_INPUT_FILE) {
			nf++;
			fb += in.v[i].bytes;
		} else {
			np++;
			pb += in.v[i].bytes;
		}
	}
	char a[32], c[32], d[32], withheld[64];
	fmt_bytes(fb, a, sizeof(a));
	fmt_bytes(pb, c, sizeof(c));
	fmt_bytes(in.stdin_bytes, d, sizeof(d));
	if (h->env_screened)
		snprintf(withheld, sizeof(withheld), "%u withheld", h->nwithheld);
	else
		snprintf(withheld, sizeof(withheld), "none withheld");
	snprintf(buf, len, "carries: %u environment variable%s (%s), %zu file%s read (%s), "
		 "%zu socket peer%s (%s received), stdin %s; grr info --inputs lists them",
		 h->envc, h->envc == 1 ? "" : "s", withheld, nf, nf == 1 ? "" : "s", a, np,
		 np == 1 ? "" : "s", c, d);
	grr_inputs_free(&in);
	return 0;
}
