/* cli_call.c - `call FUNC(ARGS)`: calls a function of the program at the
 * current stop, in a disposable copy of the replay (docs/calls.md).
 *
 * Arguments are laid out for Go's register ABI from the callee's DWARF
 * signature (replayer/inspect/call_sig.h): integers, bools and pointers
 * take one integer register each, strings two (pointer, length), floats
 * one X register.  An argument is an integer, float, bool or string
 * literal, or a package variable of such a type.  Results are shown the
 * way Delve shows them ("Values returned:"). */
#include "replayer/cli/cli.h"
#include "replayer/inspect/call_sig.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 32
#define NINT 9
#define NFLOAT 15

/* One argument's value, as the register ABI wants it. */
struct arg {
	enum grr_vkind kind;
	uint64_t words[2];     /* integer/bool/pointer/float bits; string: ptr, len */
};

/* Splits "FUNC(a, b)" into the function name and the argument list. */
static int split_call(char *line, char **func, char **args)
{
	char *open = strchr(line, '(');
	char *close = strrchr(line, ')');
	if (!open || !close || close < open || *cli_trim(close + 1))
		return -1;
	*open = 0;
	*close = 0;
	*func = cli_trim(line);
	*args = open + 1;
	return **func ? 0 : -1;
}

/* The next argument of ARGS (split at top-level commas, not in quotes). */
static char *next_arg(char **args)
{
	char *s = *args, *p = s;
	bool quoted = false;
	if (!*s)
		return NULL;
	for (; *p; p++) {
		if (*p == '\\' && quoted && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			break;
	}
	if (*p)
		*p++ = 0;
	*args = p;
	return cli_trim(s);
}

/* A string literal into the data placed in the copy; 0 or -1. */
static int string_literal(const char *lit, struct grr_call_request *req, struct arg *a)
{
	size_t n = strlen(lit);
	if (n < 2 || lit[n - 1] != '"')
		return -1;
	uint64_t at = req->data_len;
	for (size_t i = 1; i + 1 < n; i++) {
		char ch = lit[i];
		if (ch == '\\' && i + 2 < n) {
			ch = lit[++i];
			ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
		}
		if (req->data_len >= sizeof(req->data))
			return -1;
		req->data[req->data_len++] = (uint8_t)ch;
	}
	a->kind = GRR_VK_STRING;
	a->words[0] = GRR_CALL_DATA_ADDR + at;
	a->words[1] = req->data_len - at;
	return 0;
}

/* The value of argument TEXT for parameter P. */
static int eval_arg(struct cli *cli, const char *text, const struct grr_param *p,
		    struct grr_call_request *req, struct arg *a)
{
	char *end;
	memset(a, 0, sizeof(*a));
	a->kind = p->kind;
	if (text[0] == '"')
		return string_literal(text, req, a) < 0 || p->kind != GRR_VK_STRING
			       ? cli_error("argument %s: a string literal for a %s parameter", text,
					   p->type)
			       : 0;
	if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
		a->words[0] = text[0] == 't';
		return p->kind == GRR_VK_BOOL ? 0 : cli_error("argument %s: not a %s", text, p->type);
	}
	if (isdigit((unsigned char)text[0]) || text[0] == '-' || text[0] == '+') {
		if (p->kind == GRR_VK_FLOAT) {
			double d = strtod(text, &end);
			memcpy(&a->words[0], &d, 8);
		} else {
			a->words[0] = (uint64_t)strtoll(text, &end, 0);
		}
		if (*end || (p->kind != GRR_VK_INT && p->kind != GRR_VK_UINT && p->kind != GRR_VK_FLOAT))
			return cli_error("argument %s: not a literal of type %s", text, p->type);
		return 0;
	}
	if (strcmp(text, "nil") == 0 && p->kind == GRR_VK_POINTER)
		return 0;
	/* a package variable, read as its parameter's type */
	uint64_t addr;
	if (!grr_symbols_global_addr(grr_ctl_symbols(cli->ctl), text, &addr))
		return cli_error("argument '%s': not a literal or a package variable (expressions "
				 "come with the Go-aware inspection)", text);
	size_t size = p->kind == GRR_VK_STRING ? 16 : (size_t)(p->size > 0 && p->size <= 8 ? p->size : 8);
	if (grr_replay_read(grr_ctl_replay(cli->ctl), addr, a->words, size) < 0)
		return cli_error("argument '%s': cannot read it", text);
	if (p->kind == GRR_VK_INT && size < 8 && (a->words[0] >> (8 * size - 1)) & 1)
		a->words[0] |= ~0ull << (8 * size);  /* sign-extend */
	return 0;
}

/* Assigns A to registers in order (the ABI's rule for these kinds). */
static int assign(struct grr_call_request *req, const struct arg *a)
{
	if (a->kind == GRR_VK_FLOAT) {
		if (req->nfloat >= NFLOAT)
			return -1;
		req->floats[req->nfloat++] = a->words[0];
		return 0;
	}
	int need = a->kind == GRR_VK_STRING ? 2 : 1;
	if (req->nint + need > NINT)
		return -1;
	for (int i = 0; i < need; i++)
		req->ints[req->nint++] = a->words[i];
	return 0;
}

static void show_result(struct cli *cli, struct grr_replay *copy, const struct grr_param *p,
			const struct grr_call_result *res, int *ni, int *nf)
{
	fprintf(cli->out, "\t%s: ", p->name[0] ? p->name : "~r");
	if (p->kind == GRR_VK_FLOAT) {
		double d;
		uint64_t bits = res->floats[(*nf)++];
		if (p->size == 4) {
			float f;
			uint32_t b32 = (uint32_t)bits;
			memcpy(&f, &b32, 4);
			d = f;
		} else {
			memcpy(&d, &bits, 8);
		}
		fprintf(cli->out, "%g\n", d);
		return;
	}
	uint64_t v = res->ints[(*ni)++];
	switch (p->kind) {
	case GRR_VK_INT:
		if (p->size > 0 && p->size < 8 && (v >> (8 * p->size - 1)) & 1)
			v |= ~0ull << (8 * p->size);
		fprintf(cli->out, "%" PRId64 "\n", (int64_t)v);
		break;
	case GRR_VK_UINT:
		if (p->size > 0 && p->size < 8)
			v &= (1ull << (8 * p->size)) - 1;
		fprintf(cli->out, "%" PRIu64 "\n", v);
		break;
	case GRR_VK_BOOL:
		fprintf(cli->out, "%s\n", (v & 0xff) ? "true" : "false");
		break;
	case GRR_VK_POINTER:
		fprintf(cli->out, v ? "(%s)(0x%" PRIx64 ")\n" : "%s nil\n", p->type, v);
		break;
	case GRR_VK_STRING: {
		uint64_t len = res->ints[(*ni)++];
		char buf[512];
		size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
		if (grr_replay_read(copy, v, buf, n) < 0)
			n = 0;
		buf[n] = 0;
		fprintf(cli->out, "\"%s\"%s\n", buf, n < len ? "..." : "");
		break;
	}
	default:
		fprintf(cli->out, "(%s: not shown by this build)\n", p->type);
		break;
	}
}

/* The runtime type's kind byte (abi.Type.Kind_, runtime._type.kind: at
 * offset 23 in Go 1.19 and 1.26 alike) and a string's bytes. */
#define TYPE_KIND_OFF 23
#define KIND_MASK 0x1f
#define KIND_STRING 24

static void show_panic(struct cli *cli, struct grr_replay *copy, const struct grr_call_result *res)
{
	uint8_t kind = 0;
	uint64_t hdr[2];
	char buf[256];
	if (grr_replay_read(copy, res->panic[0] + TYPE_KIND_OFF, &kind, 1) == 0 &&
	    (kind & KIND_MASK) == KIND_STRING && grr_replay_read(copy, res->panic[1], hdr, 16) == 0) {
		size_t n = hdr[1] < sizeof(buf) - 1 ? hdr[1] : sizeof(buf) - 1;
		if (grr_replay_read(copy, hdr[0], buf, n) == 0) {
			buf[n] = 0;
			fprintf(cli->out, "The call panicked: \"%s\"\n", buf);
			return;
		}
	}
	fprintf(cli->out, "The call panicked (panic value: interface {type 0x%" PRIx64
		", data 0x%" PRIx64 "})\n", res->panic[0], res->panic[1]);
}

static void show_outcome(struct cli *cli, struct grr_replay *copy, const struct grr_param *ps,
			 int n, const struct grr_call_result *res)
{
	if (res->noutput)
		fprintf(cli->out, "%s%s", res->output,
			res->output[res->noutput - 1] == '\n' ? "" : "\n");
	if (res->how == GRR_CALL_PANICKED) {
		show_panic(cli, copy, res);
		return;
	}
	fprintf(cli->out, "Values returned:\n");
	int ni = 0, nf = 0;
	for (int i = 0; i < n; i++)
		if (ps[i].result)
			show_result(cli, copy, &ps[i], res, &ni, &nf);
}

static int cmd_call(struct cli *cli, char *line)
{
	char *func, *args;
	if (split_call(line, &func, &args) < 0)
		return cli_error("usage: call FUNCTION(ARG, ...)");
	char err[512];
	struct grr_func_info f;
	if (grr_symbols_func_named(grr_ctl_symbols(cli->ctl), func, &f, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	struct grr_param ps[MAX_PARAMS];
	int n = grr_call_signature(grr_replay_program(grr_ctl_replay(cli->ctl)), f.entry, ps,
				   MAX_PARAMS, err, sizeof(err));
	if (n < 0)
		return cli_error("%s", err);
	struct grr_call_request *req = calloc(1, sizeof(*req));
	struct grr_call_result *res = calloc(1, sizeof(*res));
	int rc = -1, given = 0, wanted = 0;
	if (!req || !res) {
		rc = cli_error("out of memory");
		goto out;
	}
	req->fn = f.entry;
	req->frame_size = 512;
	req->timeout = cli->call_timeout > 0 ? cli->call_timeout : 5;
	for (int i = 0; i < n; i++) {
		if (ps[i].result) {
			if (ps[i].kind == GRR_VK_OTHER) {
				rc = cli_error("%s returns a %s, which calls cannot show yet", func,
					       ps[i].type);
				goto out;
			}
			continue;
		}
		wanted++;
		char *text = next_arg(&args);
		if (!text)
			continue;
		given++;
		struct arg a;
		if (ps[i].kind == GRR_VK_OTHER) {
			rc = cli_error("parameter %s is a %s: only integers, floats, bools, strings "
				       "and pointers can be passed so far", ps[i].name, ps[i].type);
			goto out;
		}
		if (eval_arg(cli, text, &ps[i], req, &a) < 0)
			goto out;
		if (assign(req, &a) < 0) {
			rc = cli_error("too many arguments for registers (stack arguments are not "
				       "supported yet)");
			goto out;
		}
	}
	if (next_arg(&args))
		given = wanted + 1;
	if (given != wanted) {
		rc = cli_error("%s takes %d argument%s, %d given", func, wanted,
			       wanted == 1 ? "" : "s", given);
		goto out;
	}
	struct grr_replay *copy = NULL;
	if (grr_ctl_call(cli->ctl, req, res, &copy, err, sizeof(err)) < 0) {
		rc = cli_error("%s", err);
		goto out;
	}
	if (res->how == GRR_CALL_RETURNED || res->how == GRR_CALL_PANICKED) {
		show_outcome(cli, copy, ps, n, res);
		rc = 0;
	} else {
		rc = cli_error("%s", res->reason[0] ? res->reason : "the call failed");
	}
	grr_replay_close(copy);
out:
	free(req);
	free(res);
	return rc;
}

static const struct cli_command call_commands[] = {
	{ "call", "", cmd_call, "call FUNCTION(ARG, ...)",
	  "Calls a function of the program at this moment, in a copy of the replay.\n"
	  "The replay itself never sees the call. Arguments: integer, float, bool and\n"
	  "string literals, package variables. Output the function writes is shown;\n"
	  "files and sockets are refused to it (docs/calls.md)." },
};

const struct cli_table cli_call_table = {
	"Function calls", call_commands, sizeof(call_commands) / sizeof(call_commands[0])
};
