/* cli_cond.c - breakpoint conditions (`break LOC if COND`, `condition N
 * COND`), evaluated at each hit on the stopped moment.
 *
 * The language is Go's for what it covers: integer, bool and string
 * literals, package variables of integer, bool or string type
 * (main.counter, pkg.Name), parentheses, unary ! and -, * / % + -,
 * comparisons == != < <= > >= (strings: == and !=), && and ||.  Local
 * variables and fields need the Go-aware inspection's expression evaluator,
 * which will replace this one. */
#include "replayer/cli/cli.h"
#include "replayer/inspect/call_sig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define COND_CACHE 32

struct cval {
	bool is_str;
	int64_t i;
	char s[256];
};

/* Package variables already looked up in DWARF. */
struct cond_var {
	char name[128];
	uint64_t addr;
	struct grr_param type;
};

struct cond_ctx {
	struct cli *cli;
	struct cond_var vars[COND_CACHE];
	int nvars;
};

struct parser {
	struct cond_ctx *ctx;
	const char *p;
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct parser *ps, const char *msg, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s%s%s", msg, what ? " " : "", what ? what : "");
	ps->failed = true;
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool eat(struct parser *ps, const char *tok)
{
	skip_ws(ps);
	size_t n = strlen(tok);
	if (strncmp(ps->p, tok, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static const struct cond_var *lookup(struct parser *ps, const char *name)
{
	struct cond_ctx *c = ps->ctx;
	for (int i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i].name, name) == 0)
			return &c->vars[i];
	struct cond_var v = { 0 };
	snprintf(v.name, sizeof(v.name), "%s", name);
	char err[256];
	struct grr_ctl *ctl = c->cli->ctl;
	if (!grr_symbols_global_addr(grr_ctl_symbols(ctl), name, &v.addr) ||
	    grr_global_type(grr_replay_program(grr_ctl_replay(ctl)), name, &v.type, err,
			    sizeof(err)) < 0) {
		fail(ps, "no package variable named", name);
		return NULL;
	}
	if (c->nvars == COND_CACHE)
		c->nvars = 0;
	c->vars[c->nvars] = v;
	return &c->vars[c->nvars++];
}

static int read_var(struct parser *ps, const char *name, struct cval *v)
{
	const struct cond_var *var = lookup(ps, name);
	if (!var)
		return -1;
	struct grr_replay *rp = grr_ctl_replay(ps->ctx->cli->ctl);
	memset(v, 0, sizeof(*v));
	if (var->type.kind == GRR_VK_STRING) {
		uint64_t hdr[2];
		if (grr_replay_read(rp, var->addr, hdr, 16) < 0)
			return fail(ps, "cannot read", name);
		size_t n = hdr[1] < sizeof(v->s) - 1 ? hdr[1] : sizeof(v->s) - 1;
		if (n && grr_replay_read(rp, hdr[0], v->s, n) < 0)
			return fail(ps, "cannot read the string", name);
		v->is_str = true;
		return 0;
	}
	int size = var->type.size > 0 && var->type.size <= 8 ? var->type.size : 8;
	if (var->type.kind != GRR_VK_INT && var->type.kind != GRR_VK_UINT &&
	    var->type.kind != GRR_VK_BOOL)
		return fail(ps, "conditions compare integers, bools and strings; not", var->type.type);
	uint64_t raw = 0;
	if (grr_replay_read(rp, var->addr, &raw, (size_t)size) < 0)
		return fail(ps, "cannot read", name);
	if (var->type.kind == GRR_VK_INT && size < 8 && (raw >> (8 * size - 1)) & 1)
		raw |= ~0ull << (8 * size);
	v->i = (int64_t)raw;
	return 0;
}

static int parse_or(struct parser *ps, struct cval *v);

static int primary(struct parser *ps, struct cval *v)
{
	skip_ws(ps);
	memset(v, 0, sizeof(*v));
	const char *s = ps->p;
	if (eat(ps, "(")) {
		if (parse_or(ps, v) < 0)
			return -1;
		return eat(ps, ")") ? 0 : fail(ps, "missing )", NULL);
	}
	if (*s == '"') {
		size_t n = 0;
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			if (n < sizeof(v->s) - 1)
				v->s[n++] = *s == 'n' && s[-1] == '\\' ? '\n' : *s;
		}
		if (*s != '"')
			return fail(ps, "unterminated string", NULL);
		ps->p = s + 1;
		v->is_str = true;
		return 0;
	}
	if (isdigit((unsigned char)*s)) {
		char *end;
		v->i = strtoll(s, &end, 0);
		ps->p = end;
		return 0;
	}
	if (isalpha((unsigned char)*s) || *s == '_') {
		const char *e = s;
		while (isalnum((unsigned char)*e) || *e == '_' || *e == '.' || *e == '/')
			e++;
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
		ps->p = e;
		if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
			v->i = name[0] == 't';
			return 0;
		}
		return read_var(ps, name, v);
	}
	return fail(ps, "unexpected", *s ? s : "end of condition");
}

static int unary(struct parser *ps, struct cval *v)
{
	if (eat(ps, "!")) {
		if (unary(ps, v) < 0 || v->is_str)
			return ps->failed ? -1 : fail(ps, "! of a string", NULL);
		v->i = !v->i;
		return 0;
	}
	if (eat(ps, "-")) {
		if (unary(ps, v) < 0 || v->is_str)
			return ps->failed ? -1 : fail(ps, "- of a string", NULL);
		v->i = -v->i;
		return 0;
	}
	return primary(ps, v);
}

static int ints(struct parser *ps, const struct cval *a, const struct cval *b)
{
	return a->is_str || b->is_str ? fail(ps, "arithmetic on a string", NULL) : 0;
}

static int mul(struct parser *ps, struct cval *v)
{
	if (unary(ps, v) < 0)
		return -1;
	for (;;) {
		char op = (skip_ws(ps), *ps->p);
		if (op != '*' && op != '/' && op != '%')
			return 0;
		ps->p++;
		struct cval r;
		if (unary(ps, &r) < 0 || ints(ps, v, &r) < 0)
			return -1;
		if (op != '*' && r.i == 0)
			return fail(ps, "division by zero", NULL);
		v->i = op == '*' ? v->i * r.i : op == '/' ? v->i / r.i : v->i % r.i;
	}
}

static int add(struct parser *ps, struct cval *v)
{
	if (mul(ps, v) < 0)
		return -1;
	for (;;) {
		char op = (skip_ws(ps), *ps->p);
		if (op != '+' && op != '-')
			return 0;
		ps->p++;
		struct cval r;
		if (mul(ps, &r) < 0 || ints(ps, v, &r) < 0)
			return -1;
		v->i = op == '+' ? v->i + r.i : v->i - r.i;
	}
}

static int compare(struct parser *ps, struct cval *v)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	if (add(ps, v) < 0)
		return -1;
	skip_ws(ps);
	for (int k = 0; k < 6; k++) {
		if (!eat(ps, ops[k]))
			continue;
		struct cval r;
		if (add(ps, &r) < 0)
			return -1;
		if (v->is_str != r.is_str)
			return fail(ps, "comparing a string with a number", NULL);
		int c = v->is_str ? strcmp(v->s, r.s) : (v->i > r.i) - (v->i < r.i);
		if (v->is_str && k >= 2)
			return fail(ps, "strings compare with == and != only", NULL);
		bool res = k == 0 ? c == 0 : k == 1 ? c != 0 : k == 2 ? c <= 0 : k == 3 ? c >= 0
			 : k == 4 ? c < 0 : c > 0;
		memset(v, 0, sizeof(*v));
		v->i = res;
		return 0;
	}
	return 0;
}

static int parse_and(struct parser *ps, struct cval *v)
{
	if (compare(ps, v) < 0)
		return -1;
	while (eat(ps, "&&")) {
		struct cval r;
		if (compare(ps, &r) < 0 || ints(ps, v, &r) < 0)
			return -1;
		v->i = v->i && r.i;
	}
	return 0;
}

static int parse_or(struct parser *ps, struct cval *v)
{
	if (parse_and(ps, v) < 0)
		return -1;
	while (eat(ps, "||")) {
		struct cval r;
		if (parse_and(ps, &r) < 0 || ints(ps, v, &r) < 0)
			return -1;
		v->i = v->i || r.i;
	}
	return 0;
}

/* grr_ctl_cond_fn: 1 stop, 0 go on, -1 error. */
static int evaluate(void *opaque, struct grr_ctl *ctl, const char *cond, char *err, size_t errlen)
{
	(void)ctl;
	struct parser ps = { .ctx = opaque, .p = cond, .err = err, .errlen = errlen };
	struct cval v;
	if (parse_or(&ps, &v) < 0)
		return -1;
	skip_ws(&ps);
	if (*ps.p) {
		fail(&ps, "unexpected", ps.p);
		return -1;
	}
	if (v.is_str) {
		snprintf(err, errlen, "a condition is a comparison or a bool, not a string");
		return -1;
	}
	return v.i != 0;
}

void *cli_cond_install(struct cli *cli)
{
	struct cond_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cli = cli;
	grr_ctl_set_cond_eval(cli->ctl, evaluate, c);
	return c;
}
