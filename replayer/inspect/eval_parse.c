/* eval_parse.c - the expression parser: a small subset of Go's expression
 * syntax turned into struct gexpr trees, and those trees back into text
 * (val_private.h).
 *
 * Operands are identifiers (a package variable's qualified name, even
 * one with a path such as "net/http.DefaultClient", is one identifier
 * when the caller's KNOWN says so), integer, string and character
 * literals, true, false, nil and parenthesized expressions; then come
 * selectors .name, indexes [x] and calls f(x); then unary - ! * & and
 * the binary operators with Go's precedence:
 *
 *     5  * / %
 *     4  + -
 *     3  == != < <= > >=
 *     2  &&
 *     1  ||
 *
 * Errors are one line: "syntax error at column N: unexpected ...". */
#include "replayer/inspect/val_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { T_EOF, T_IDENT, T_INT, T_STR, T_CHAR, T_OP };

struct tok {
	enum tok_kind kind;
	const char *p;             /* where it starts in the text */
	size_t n;                  /* its length */
};

struct parser {
	struct arena *ar;
	const char *text;
	const char *p;             /* the next character to lex */
	struct tok t;              /* the current token */
	ge_known_fn known;
	void *kctx;
	char *err;
	size_t errlen;
	bool failed;
};

/* ---- errors ---- */

static int column(const struct parser *ps, const char *at)
{
	return (int)(at - ps->text) + 1;
}

static void fail_at(struct parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_at(struct parser *ps, const char *at, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = true;
	int n = snprintf(ps->err, ps->errlen, "syntax error at column %d: ", column(ps, at));
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* "unexpected X" for the current token. */
static void unexpected(struct parser *ps)
{
	if (ps->t.kind == T_EOF)
		fail_at(ps, ps->t.p, "unexpected end of expression");
	else
		fail_at(ps, ps->t.p, "unexpected \"%.*s\"", (int)ps->t.n, ps->t.p);
}

/* ---- the lexer ---- */

/* Identifier characters; bytes of UTF-8 sequences count as letters. */
static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of the quoted literal at P (quote Q), or 0 if unterminated. */
static size_t quoted_len(const char *p, char q)
{
	size_t i = 1;
	while (p[i] && p[i] != q) {
		if (q != '`' && p[i] == '\\' && p[i + 1])
			i++;
		if (q != '`' && p[i] == '\n')
			return 0;
		i++;
	}
	return p[i] == q ? i + 1 : 0;
}

static const char *const two_char_ops[] = { "==", "!=", "<=", ">=", "&&", "||", "<<", ">>",
					    "&^", NULL };

static void next(struct parser *ps)
{
	const char *p = ps->p;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	struct tok t = { .p = p };
	if (!*p) {
		t.kind = T_EOF;
	} else if (ident_start(*p)) {
		t.kind = T_IDENT;
		while (ident_char(p[t.n]))
			t.n++;
	} else if (is_digit(*p)) {
		t.kind = T_INT;
		while (ident_char(p[t.n]) || p[t.n] == '.' ||
		       ((p[t.n] == '+' || p[t.n] == '-') && (p[t.n - 1] | 0x20) == 'e' &&
			!(t.n > 1 && (p[1] | 0x20) == 'x')))
			t.n++;
	} else if (*p == '"' || *p == '`' || *p == '\'') {
		t.kind = *p == '\'' ? T_CHAR : T_STR;
		t.n = quoted_len(p, *p);
		if (!t.n) {
			fail_at(ps, p, "unterminated %s literal", *p == '\'' ? "rune" : "string");
			t.kind = T_EOF;
			t.n = strlen(p);
		}
	} else {
		t.kind = T_OP;
		t.n = 1;
		for (int i = 0; two_char_ops[i]; i++)
			if (p[0] == two_char_ops[i][0] && p[1] == two_char_ops[i][1])
				t.n = 2;
	}
	ps->t = t;
	ps->p = p + t.n;
}

static bool is_op(const struct parser *ps, const char *op)
{
	return ps->t.kind == T_OP && ps->t.n == strlen(op) && memcmp(ps->t.p, op, ps->t.n) == 0;
}

static bool expect(struct parser *ps, const char *op)
{
	if (!is_op(ps, op)) {
		unexpected(ps);
		return false;
	}
	next(ps);
	return true;
}

/* ---- literals ---- */

static struct gexpr *node(struct parser *ps, enum ge_op op)
{
	struct gexpr *x = ar_alloc(ps->ar, sizeof(*x));
	x->op = op;
	return x;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* A decimal floating-point literal ("1.5", "2e3", "1_000.5"). */
static struct gexpr *float_literal(struct parser *ps)
{
	char buf[128];
	size_t n = 0;
	for (size_t i = 0; i < ps->t.n && n + 1 < sizeof(buf); i++)
		if (ps->t.p[i] != '_')
			buf[n++] = ps->t.p[i];
	buf[n] = 0;
	char *end;
	double f = strtod(buf, &end);
	if (*end || n == 0) {
		fail_at(ps, ps->t.p, "invalid floating-point literal \"%.*s\"", (int)ps->t.n,
			ps->t.p);
		return NULL;
	}
	struct gexpr *x = node(ps, GE_FLOAT);
	x->f = f;
	next(ps);
	return x;
}

/* An integer literal: decimal, 0x, 0o, 0b or old-style octal, with
 * underscores between digits; a decimal one with '.' or an exponent is a
 * float. */
static struct gexpr *int_literal(struct parser *ps)
{
	const char *p = ps->t.p, *end = p + ps->t.n;
	bool hex = end - p > 1 && p[0] == '0' && (p[1] | 0x20) == 'x';
	for (const char *q = p; !hex && q < end; q++)
		if (*q == '.' || (*q | 0x20) == 'e')
			return float_literal(ps);
	int base = 10;
	if (p[0] == '0' && end - p > 1) {
		char c = p[1] | 0x20;
		if (c == 'x' || c == 'o' || c == 'b') {
			base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
			p += 2;
		} else {
			base = 8;
			p++;
		}
	}
	uint64_t v = 0;
	bool any = false;
	for (; p < end; p++) {
		if (*p == '_')
			continue;
		int d = digit_value(*p);
		if (*p == '.' || (base != 16 && (*p | 0x20) == 'e')) {
			fail_at(ps, ps->t.p, "floating-point constants are not supported");
			return NULL;
		}
		if (d >= base) {
			fail_at(ps, ps->t.p, "invalid integer literal \"%.*s\"", (int)ps->t.n,
				ps->t.p);
			return NULL;
		}
		if (v > ((uint64_t)INT64_MAX - (uint64_t)d) / (uint64_t)base) {
			fail_at(ps, ps->t.p, "integer constant %.*s overflows int64", (int)ps->t.n,
				ps->t.p);
			return NULL;
		}
		v = v * (uint64_t)base + (uint64_t)d;
		any = true;
	}
	if (!any && base != 8) {
		fail_at(ps, ps->t.p, "invalid integer literal \"%.*s\"", (int)ps->t.n, ps->t.p);
		return NULL;
	}
	struct gexpr *x = node(ps, GE_INT);
	x->i = (int64_t)v;
	next(ps);
	return x;
}

static void put_utf8(struct sbuf *b, uint32_t r)
{
	if (r < 0x80) {
		sb_putc(b, (char)r);
	} else if (r < 0x800) {
		sb_putc(b, (char)(0xc0 | (r >> 6)));
		sb_putc(b, (char)(0x80 | (r & 0x3f)));
	} else if (r < 0x10000) {
		sb_putc(b, (char)(0xe0 | (r >> 12)));
		sb_putc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
		sb_putc(b, (char)(0x80 | (r & 0x3f)));
	} else {
		sb_putc(b, (char)(0xf0 | (r >> 18)));
		sb_putc(b, (char)(0x80 | ((r >> 12) & 0x3f)));
		sb_putc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
		sb_putc(b, (char)(0x80 | (r & 0x3f)));
	}
}

/* N hex (or octal) digits at *P as a number; -1 if malformed. */
static int64_t digits(const char **p, int n, int base)
{
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		int d = digit_value((*p)[i]);
		if (d >= base)
			return -1;
		v = v * base + d;
	}
	*p += n;
	return v;
}

/* One escape sequence after the backslash at *P into B (bytes for \x and
 * octal, UTF-8 for \u and \U); -1 if malformed. */
static int unescape(const char **p, char quote, struct sbuf *b)
{
	char c = *(*p)++;
	const char *simple = "a\ab\bf\fn\nr\rt\tv\v\\\\";
	for (const char *s = simple; *s; s += 2)
		if (c == s[0]) {
			sb_putc(b, s[1]);
			return 0;
		}
	if (c == quote) {
		sb_putc(b, c);
		return 0;
	}
	int64_t v;
	switch (c) {
	case 'x':
		v = digits(p, 2, 16);
		break;
	case 'u':
		v = digits(p, 4, 16);
		break;
	case 'U':
		v = digits(p, 8, 16);
		break;
	case '0': case '1': case '2': case '3':
		(*p)--;
		v = digits(p, 3, 8);
		break;
	default:
		return -1;
	}
	if (v < 0 || v > 0x10ffff)
		return -1;
	if (c == 'u' || c == 'U')
		put_utf8(b, (uint32_t)v);
	else
		sb_putc(b, (char)v);
	return 0;
}

/* The contents of the quoted literal of the current token into B. */
static bool unquote(struct parser *ps, struct sbuf *b)
{
	const char *p = ps->t.p + 1, *end = ps->t.p + ps->t.n - 1;
	char q = ps->t.p[0];
	while (p < end) {
		if (q == '`' || *p != '\\') {
			if (*p != '\r')    /* raw strings drop carriage returns */
				sb_putc(b, *p);
			p++;
			continue;
		}
		const char *at = p++;
		if (unescape(&p, q, b) < 0 || p > end) {
			fail_at(ps, at, "invalid escape sequence in literal");
			return false;
		}
	}
	return true;
}

static struct gexpr *string_literal(struct parser *ps)
{
	struct sbuf b = { 0 };
	if (!unquote(ps, &b)) {
		sb_free(&b);
		return NULL;
	}
	struct gexpr *x = node(ps, GE_STR);
	x->s = ar_strndup(ps->ar, b.s ? b.s : "", b.len);
	x->slen = b.len;
	sb_free(&b);
	next(ps);
	return x;
}

/* The rune value of the UTF-8 sequence S[0..N), or -1 unless it is
 * exactly one well-formed sequence. */
static int64_t decode_rune(const unsigned char *s, size_t n)
{
	if (n == 1 && s[0] < 0x80)
		return s[0];
	size_t want = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (!want || want != n)
		return -1;
	int64_t r = s[0] & (0x3f >> (want - 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		r = (r << 6) | (s[i] & 0x3f);
	}
	return r;
}

/* 'a', '\n', '\x41', 'é': an untyped integer (a rune). */
static struct gexpr *char_literal(struct parser *ps)
{
	const char *p = ps->t.p + 1;
	int64_t r = -1;
	if (*p == '\\') {
		/* escapes other than \u and \U stand for one byte value */
		struct sbuf b = { 0 };
		char e = p[1];
		if (unquote(ps, &b))
			r = e == 'u' || e == 'U' ? decode_rune((unsigned char *)b.s, b.len)
			    : b.len == 1    ? (unsigned char)b.s[0]
					    : -1;
		sb_free(&b);
		if (ps->failed)
			return NULL;
	} else {
		r = decode_rune((const unsigned char *)p, ps->t.n - 2);
	}
	if (r < 0) {
		fail_at(ps, ps->t.p, "invalid rune literal %.*s", (int)ps->t.n, ps->t.p);
		return NULL;
	}
	struct gexpr *x = node(ps, GE_INT);
	x->i = r;
	next(ps);
	return x;
}

/* ---- identifiers ---- */

/* The end of the longest package variable name starting at the current
 * identifier ("main.counter", "net/http.DefaultClient",
 * "github.com/a/b-c.V"), or NULL if none.  Candidates end where an
 * identifier ends inside a run of identifier characters, '.', '/' and
 * '-'; only those with a '.' or '/' are asked about. */
static const char *qualified_end(struct parser *ps)
{
	if (!ps->known)
		return NULL;
	const char *start = ps->t.p, *run = start;
	while (ident_char(*run) || *run == '.' || *run == '/' || *run == '-')
		run++;
	for (const char *end = run; end > start + ps->t.n; end--) {
		if (!ident_char(end[-1]) || ident_char(*end))
			continue;
		char *name = ar_strndup(ps->ar, start, (size_t)(end - start));
		if (strpbrk(name, "./") && ps->known(ps->kctx, name))
			return end;
	}
	return NULL;
}

static struct gexpr *identifier(struct parser *ps)
{
	const char *end = qualified_end(ps);
	if (end) {
		/* relex from the end of the qualified name */
		struct gexpr *x = node(ps, GE_IDENT);
		x->name = ar_strndup(ps->ar, ps->t.p, (size_t)(end - ps->t.p));
		ps->p = end;
		next(ps);
		return x;
	}
	const char *name = ar_strndup(ps->ar, ps->t.p, ps->t.n);
	struct gexpr *x;
	if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
		x = node(ps, GE_BOOL);
		x->i = name[0] == 't';
	} else if (strcmp(name, "nil") == 0) {
		x = node(ps, GE_NIL);
	} else {
		x = node(ps, GE_IDENT);
		x->name = name;
	}
	next(ps);
	return x;
}

/* ---- expressions ---- */

static struct gexpr *expression(struct parser *ps, int prec);
static struct gexpr *unary(struct parser *ps);

static struct gexpr *operand(struct parser *ps)
{
	switch (ps->t.kind) {
	case T_IDENT:
		return identifier(ps);
	case T_INT:
		return int_literal(ps);
	case T_STR:
		return string_literal(ps);
	case T_CHAR:
		return char_literal(ps);
	case T_OP:
		if (is_op(ps, "(")) {
			next(ps);
			struct gexpr *x = expression(ps, 1);
			if (!x || !expect(ps, ")"))
				return NULL;
			return x;
		}
		break;
	default:
		break;
	}
	unexpected(ps);
	return NULL;
}

/* The callee of a call as a name: "len", "main.f", "x.Method". */
static const char *callee_name(struct parser *ps, const struct gexpr *f)
{
	if (f->op == GE_IDENT)
		return f->name;
	struct sbuf b = { 0 };
	ge_format(f, &b);
	const char *n = ar_strndup(ps->ar, b.s ? b.s : "", b.len);
	sb_free(&b);
	return n;
}

/* f(args): at most two arguments are kept (in a and b); the evaluator
 * knows len and cap and refuses the rest. */
static struct gexpr *call(struct parser *ps, struct gexpr *f)
{
	struct gexpr *x = node(ps, GE_CALL);
	x->name = callee_name(ps, f);
	next(ps);
	struct gexpr **slot[2] = { &x->a, &x->b };
	int n = 0;
	while (!is_op(ps, ")")) {
		if (n == 2) {
			fail_at(ps, ps->t.p, "too many arguments in call to %s", x->name);
			return NULL;
		}
		*slot[n++] = expression(ps, 1);
		if (ps->failed)
			return NULL;
		if (!is_op(ps, ","))
			break;
		next(ps);
	}
	return expect(ps, ")") ? x : NULL;
}

/* X.(TYPE), the current token the "(": the type is taken as written, up to
 * the matching parenthesis ("main.Square", "*main.T", "[]int"). */
static struct gexpr *type_assertion(struct parser *ps, struct gexpr *x)
{
	const char *start = ps->t.p + 1, *q = start;
	int depth = 1;
	for (; *q && depth; q++)
		depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
	if (depth) {
		fail_at(ps, ps->t.p, "unterminated type assertion");
		return NULL;
	}
	const char *end = q - 1;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (start == end) {
		fail_at(ps, ps->t.p, "missing type in type assertion");
		return NULL;
	}
	struct gexpr *a = node(ps, GE_ASSERT);
	a->a = x;
	a->name = ar_strndup(ps->ar, start, (size_t)(end - start));
	ps->p = q;
	next(ps);
	return a;
}

/* An operand followed by selectors, indexes and calls. */
static struct gexpr *primary(struct parser *ps)
{
	struct gexpr *x = operand(ps);
	while (x && !ps->failed) {
		if (is_op(ps, ".")) {
			next(ps);
			if (is_op(ps, "(")) {
				x = type_assertion(ps, x);
				continue;
			}
			if (ps->t.kind != T_IDENT) {
				unexpected(ps);
				return NULL;
			}
			struct gexpr *f = node(ps, GE_FIELD);
			f->name = ar_strndup(ps->ar, ps->t.p, ps->t.n);
			f->a = x;
			x = f;
			next(ps);
		} else if (is_op(ps, "[")) {
			next(ps);
			struct gexpr *ix = node(ps, GE_INDEX);
			ix->a = x;
			if (!is_op(ps, ":") && !(ix->b = expression(ps, 1)))
				return NULL;
			if (is_op(ps, ":")) {   /* a[lo:hi], either may be left out */
				next(ps);
				ix->op = GE_SLICE;
				if (!is_op(ps, "]") && !(ix->c = expression(ps, 1)))
					return NULL;
			}
			if (!expect(ps, "]"))
				return NULL;
			x = ix;
		} else if (is_op(ps, "(")) {
			x = call(ps, x);
		} else {
			break;
		}
	}
	return ps->failed ? NULL : x;
}

static const struct {
	char op[3];
	int sub;
	int prec;
} binary_ops[] = {
	{ "||", GO_OROR, 1 }, { "&&", GO_ANDAND, 2 }, { "==", GO_EQ, 3 }, { "!=", GO_NE, 3 },
	{ "<", GO_LT, 3 },    { "<=", GO_LE, 3 },     { ">", GO_GT, 3 },  { ">=", GO_GE, 3 },
	{ "+", GO_ADD, 4 },   { "-", GO_SUB, 4 },     { "*", GO_MUL, 5 }, { "/", GO_DIV, 5 },
	{ "%", GO_MOD, 5 },
};
#define NBINARY (sizeof(binary_ops) / sizeof(binary_ops[0]))

static const struct {
	char op;
	int sub;
} unary_ops[] = { { '-', GO_NEG }, { '!', GO_NOT }, { '*', GO_DEREF }, { '&', GO_ADDR } };

static struct gexpr *unary(struct parser *ps)
{
	if (is_op(ps, "+")) {
		next(ps);
		return unary(ps);
	}
	for (size_t i = 0; i < sizeof(unary_ops) / sizeof(unary_ops[0]); i++) {
		char op[2] = { unary_ops[i].op, 0 };
		if (!is_op(ps, op))
			continue;
		next(ps);
		struct gexpr *x = node(ps, GE_UNARY);
		x->sub = unary_ops[i].sub;
		x->a = unary(ps);
		return x->a ? x : NULL;
	}
	return primary(ps);
}

/* The binary operator at the current token, or -1. */
static int binary_at(const struct parser *ps)
{
	for (size_t i = 0; i < NBINARY; i++)
		if (is_op(ps, binary_ops[i].op))
			return (int)i;
	return -1;
}

/* Operators of precedence PREC and above, left-associative. */
static struct gexpr *expression(struct parser *ps, int prec)
{
	struct gexpr *x = unary(ps);
	int i;
	while (x && (i = binary_at(ps)) >= 0 && binary_ops[i].prec >= prec) {
		next(ps);
		struct gexpr *b = node(ps, GE_BINARY);
		b->sub = binary_ops[i].sub;
		b->a = x;
		b->b = expression(ps, binary_ops[i].prec + 1);
		x = b->b ? b : NULL;
	}
	return ps->failed ? NULL : x;
}

struct gexpr *ge_parse(struct arena *ar, const char *text, ge_known_fn known, void *kctx,
		       char *err, size_t errlen)
{
	struct parser ps = { .ar = ar, .text = text, .p = text, .known = known, .kctx = kctx,
			     .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
	next(&ps);
	if (ps.t.kind == T_EOF && !ps.failed) {
		snprintf(err, errlen, "empty expression");
		return NULL;
	}
	struct gexpr *x = expression(&ps, 1);
	if (x && ps.t.kind != T_EOF)
		unexpected(&ps);
	return ps.failed ? NULL : x;
}

/* ---- formatting ---- */

static const char *op_text(int sub)
{
	for (size_t i = 0; i < NBINARY; i++)
		if (binary_ops[i].sub == sub)
			return binary_ops[i].op;
	for (size_t i = 0; i < sizeof(unary_ops) / sizeof(unary_ops[0]); i++)
		if (unary_ops[i].sub == sub) {
			static const char text[][2] = { "-", "!", "*", "&" };
			return text[i];
		}
	return "?";
}

static int op_prec(const struct gexpr *x)
{
	if (x->op == GE_BINARY)
		for (size_t i = 0; i < NBINARY; i++)
			if (binary_ops[i].sub == x->sub)
				return binary_ops[i].prec;
	return x->op == GE_UNARY ? 6 : 7;
}

static void put_quoted(struct sbuf *b, const char *s, size_t n)
{
	sb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': sb_puts(b, "\\\""); break;
		case '\\': sb_puts(b, "\\\\"); break;
		case '\n': sb_puts(b, "\\n"); break;
		case '\t': sb_puts(b, "\\t"); break;
		case '\r': sb_puts(b, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				sb_printf(b, "\\x%02x", c);
			else
				sb_putc(b, (char)c);
		}
	}
	sb_putc(b, '"');
}

/* X, in parentheses if its operator binds less tightly than PREC. */
static void format_sub(const struct gexpr *x, int prec, struct sbuf *b)
{
	bool paren = x && op_prec(x) < prec;
	if (paren)
		sb_putc(b, '(');
	ge_format(x, b);
	if (paren)
		sb_putc(b, ')');
}

void ge_format(const struct gexpr *x, struct sbuf *b)
{
	if (!x) {
		sb_puts(b, "?");
		return;
	}
	switch (x->op) {
	case GE_IDENT:
		sb_puts(b, x->name);
		break;
	case GE_INT:
		sb_printf(b, "%lld", (long long)x->i);
		break;
	case GE_FLOAT:
		gr_float(b, x->f, 64);
		break;
	case GE_STR:
		put_quoted(b, x->s, x->slen);
		break;
	case GE_BOOL:
		sb_puts(b, x->i ? "true" : "false");
		break;
	case GE_NIL:
		sb_puts(b, "nil");
		break;
	case GE_FIELD:
		format_sub(x->a, 7, b);
		sb_printf(b, ".%s", x->name);
		break;
	case GE_INDEX:
		format_sub(x->a, 7, b);
		sb_putc(b, '[');
		ge_format(x->b, b);
		sb_putc(b, ']');
		break;
	case GE_SLICE:
		format_sub(x->a, 7, b);
		sb_putc(b, '[');
		if (x->b)
			ge_format(x->b, b);
		sb_putc(b, ':');
		if (x->c)
			ge_format(x->c, b);
		sb_putc(b, ']');
		break;
	case GE_ASSERT:
		format_sub(x->a, 7, b);
		sb_printf(b, ".(%s)", x->name);
		break;
	case GE_CALL:
		sb_printf(b, "%s(", x->name);
		if (x->a)
			ge_format(x->a, b);
		if (x->b) {
			sb_puts(b, ", ");
			ge_format(x->b, b);
		}
		sb_putc(b, ')');
		break;
	case GE_UNARY:
		sb_puts(b, op_text(x->sub));
		format_sub(x->a, 6, b);
		break;
	case GE_BINARY: {
		int p = op_prec(x);
		format_sub(x->a, p, b);
		sb_printf(b, " %s ", op_text(x->sub));
		format_sub(x->b, p + 1, b);
		break;
	}
	}
}
