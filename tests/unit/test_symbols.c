/* test_symbols.c - the symbol layer (replayer/symbols) on real Go binaries.
 *
 * main() builds tests/programs/symtest (two files) into a temporary
 * directory with Go 1.26 and Go 1.19, optimized, with -gcflags=all=-N -l,
 * and optimized without DWARF (-ldflags=-w, lines from pclntab), then opens
 * each binary's symbols once.  The tests find the source lines they check
 * by the "// @name" markers in the program's source.  A missing toolchain
 * or a failed build fails every test of that binary, with the reason.
 *
 * Toolchains: $GRR_GO126 (default /usr/local/go/bin/go) and $GRR_GO119
 * (default /usr/lib/go-1.19/bin/go).  Run from the repository root. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replayer/symbols/symbols.h"

#define SRC_DIR "tests/programs/symtest"

/* opening limits are generous (CI machines are slow); ASan slows our code */
#ifdef __SANITIZE_ADDRESS__
#define SLOWDOWN 4.0
#else
#define SLOWDOWN 1.0
#endif

struct config {
	const char *name;
	const char *go_env, *go_default;
	const char *flags;       /* go build flags */
	bool optimized, dwarf;
	/* filled by main() */
	char bin[512];
	char why[1024];          /* why syms is NULL */
	struct grr_symbols *syms;
	double open_seconds;
};

#define CONFIG(n, env, go, fl, opt, dw) \
	{ .name = n, .go_env = env, .go_default = go, .flags = fl, .optimized = opt, .dwarf = dw }
static struct config configs[] = {
	CONFIG("go126-opt", "GRR_GO126", "/usr/local/go/bin/go", "", true, true),
	CONFIG("go126-debug", "GRR_GO126", "/usr/local/go/bin/go", "-gcflags='all=-N -l'", false,
	       true),
	CONFIG("go119-opt", "GRR_GO119", "/usr/lib/go-1.19/bin/go", "", true, true),
	CONFIG("go119-debug", "GRR_GO119", "/usr/lib/go-1.19/bin/go", "-gcflags='all=-N -l'", false,
	       true),
	CONFIG("go126-nodwarf", "GRR_GO126", "/usr/local/go/bin/go", "-ldflags=-w", true, false),
	CONFIG("go119-nodwarf", "GRR_GO119", "/usr/lib/go-1.19/bin/go", "-ldflags=-w", true, false),
};
#define NCONFIGS ((int)(sizeof(configs) / sizeof(configs[0])))
#define NDWARF 4         /* configs[0..3] have DWARF */

static char tmpdir[64];

/* ---- markers ------------------------------------------------------------- */

struct marker {
	const char *name;
	const char *file;        /* base name */
	int line;
};

static struct marker markers[] = {
	{ "add_body", "main.go", 0 },      { "twice_body", "main.go", 0 },
	{ "inl_call1", "main.go", 0 },     { "inl_call2", "main.go", 0 },
	{ "main_body", "main.go", 0 },     { "closure_body", "main.go", 0 },
	{ "main_print", "main.go", 0 },    { "no_code", "main.go", 0 },
	{ "describe_body", "describe.go", 0 },
};

static int scan_markers(char *why, size_t len)
{
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		char path[256], want[64], buf[512];
		snprintf(path, sizeof(path), SRC_DIR "/%s", markers[i].file);
		snprintf(want, sizeof(want), "// @%s", markers[i].name);
		FILE *f = fopen(path, "r");
		if (!f) {
			snprintf(why, len, "cannot read %s (run the tests from the repository root)",
				 path);
			return -1;
		}
		int n = 0;
		while (fgets(buf, sizeof(buf), f)) {
			n++;
			buf[strcspn(buf, "\n")] = '\0';
			size_t bl = strlen(buf), wl = strlen(want);
			if (bl >= wl && strcmp(buf + bl - wl, want) == 0) {
				markers[i].line = n;
				break;
			}
		}
		fclose(f);
		if (!markers[i].line) {
			snprintf(why, len, "marker %s not found in %s", want, path);
			return -1;
		}
	}
	return 0;
}

static int line_of(const char *name)
{
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		if (strcmp(markers[i].name, name) == 0)
			return markers[i].line;
	ck_abort_msg("no marker %s", name);
	return 0;
}

/* ---- building ------------------------------------------------------------- */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void tail_of(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	out[0] = '\0';
	if (!f)
		return;
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	const char *from = n > 300 ? buf + n - 300 : buf;
	size_t k = strlen(from) < len - 1 ? strlen(from) : len - 1;
	memcpy(out, from, k);
	out[k] = '\0';
}

static void build(struct config *c, const char *global_why)
{
	if (global_why[0]) {
		snprintf(c->why, sizeof(c->why), "%s", global_why);
		return;
	}
	const char *go = getenv(c->go_env);
	if (!go || !*go)
		go = c->go_default;
	if (access(go, X_OK) != 0) {
		snprintf(c->why, sizeof(c->why),
			 "Go toolchain not found: %s is not executable (install it or set %s)", go,
			 c->go_env);
		return;
	}
	/* GOCACHE: the caller's, else Go's default under $HOME, else ours */
	char cache[400] = "";
	if (!getenv("GOCACHE") && !getenv("HOME"))
		snprintf(cache, sizeof(cache), "GOCACHE=%s/gocache", tmpdir);
	snprintf(c->bin, sizeof(c->bin), "%s/%s", tmpdir, c->name);
	char cmd[2048], log[400];
	snprintf(log, sizeof(log), "%s/%s.log", tmpdir, c->name);
	snprintf(cmd, sizeof(cmd),
		 "cd %s/src && env GO111MODULE=on GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= "
		 "GOPROXY=off GOPATH=%s/gopath GOMODCACHE=%s/gopath/pkg/mod %s "
		 "%s build -o %s %s . >%s 2>&1",
		 tmpdir, tmpdir, tmpdir, cache, go, c->bin, c->flags, log);
	int rc = system(cmd);
	if (rc != 0) {
		char tail[400];
		tail_of(log, tail, sizeof(tail));
		snprintf(c->why, sizeof(c->why), "%s build %s failed (status %d): %s", go,
			 c->flags, rc, tail);
		return;
	}
	char err[512];
	double t0 = now();
	c->syms = grr_symbols_open(c->bin, err, sizeof(err));
	c->open_seconds = now() - t0;
	if (!c->syms)
		snprintf(c->why, sizeof(c->why), "grr_symbols_open: %s", err);
	else
		printf("symbols: %s: opened in %.3f s\n", c->name, c->open_seconds);
}

static int setup_all(char *why, size_t len)
{
	if (scan_markers(why, len) < 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/grr-symtest-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		snprintf(why, len, "mkdtemp failed");
		tmpdir[0] = '\0';
		return -1;
	}
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/src && cp " SRC_DIR "/*.go %s/src/ && "
		 "printf 'module symtest\\n\\ngo 1.19\\n' >%s/src/go.mod",
		 tmpdir, tmpdir, tmpdir);
	if (system(cmd) != 0) {
		snprintf(why, len, "cannot copy " SRC_DIR " to %s", tmpdir);
		return -1;
	}
	return 0;
}

static void cleanup_all(void)
{
	for (int i = 0; i < NCONFIGS; i++)
		grr_symbols_close(configs[i].syms);
	if (tmpdir[0]) {
		char cmd[1024];
		/* the module cache is read-only */
		snprintf(cmd, sizeof(cmd), "chmod -R u+w %s 2>/dev/null; rm -rf %s", tmpdir,
			 tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_symbols: could not remove %s\n", tmpdir);
	}
}

/* The config of loop test I, failing the test if it has no symbols. */
static struct config *cfg(int i)
{
	struct config *c = &configs[i];
	ck_assert_msg(c->syms != NULL, "%s: %s", c->name, c->why);
	return c;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0 && (n == k || s[n - k - 1] == '/');
}

/* ---- functions ------------------------------------------------------------ */

/* FUNC is found by NAME; its body maps back to it and is on LINE. */
static void check_func(struct config *c, const char *name, const char *full, const char *file,
		       int line, bool body_after_entry)
{
	struct grr_func_info f, g;
	char err[512];
	ck_assert_msg(grr_symbols_func_named(c->syms, name, &f, err, sizeof(err)) == 0,
		      "%s: func_named(%s): %s", c->name, name, err);
	ck_assert_str_eq(f.name, full);
	ck_assert_msg(f.entry <= f.body && f.body < f.end, "%s: %s: body 0x%lx outside [0x%lx, 0x%lx)",
		      c->name, full, (unsigned long)f.body, (unsigned long)f.entry,
		      (unsigned long)f.end);
	if (body_after_entry)
		ck_assert_msg(f.body > f.entry, "%s: %s: body == entry 0x%lx", c->name, full,
			      (unsigned long)f.entry);
	ck_assert_msg(grr_symbols_func_at(c->syms, f.body, &g), "%s: func_at(body of %s)",
		      c->name, full);
	ck_assert_str_eq(g.name, full);
	ck_assert_msg(g.entry == f.entry && g.end == f.end && g.body == f.body, "%s: %s", c->name,
		      full);
	ck_assert_msg(grr_symbols_func_at(c->syms, f.entry, &g) && g.entry == f.entry, "%s",
		      c->name);
	ck_assert_msg(!grr_symbols_func_at(c->syms, f.end, &g) || g.entry == f.end, "%s: %s end",
		      c->name, full);
	struct grr_line_info li;
	ck_assert_msg(grr_symbols_line_at(c->syms, f.body, &li), "%s: no line at body of %s",
		      c->name, full);
	ck_assert_msg(li.line == line && ends_with(li.file, file),
		      "%s: body of %s at %s:%d, want %s:%d", c->name, full, li.file, li.line, file,
		      line);
}

START_TEST(test_funcs)
{
	struct config *c = cfg(_i);
	ck_assert_msg(c->open_seconds < (c->dwarf ? 2.0 : 1.0) * SLOWDOWN,
		      "%s: opening took %.2f s", c->name, c->open_seconds);
	check_func(c, "main.main", "main.main", "main.go", line_of("main_body"), true);
	check_func(c, "main.(*Tally).add", "main.(*Tally).add", "main.go", line_of("add_body"),
		   !c->optimized);
	check_func(c, "Tally).add", "main.(*Tally).add", "main.go", line_of("add_body"), false);
	check_func(c, "(*Tally).add", "main.(*Tally).add", "main.go", line_of("add_body"), false);
	check_func(c, "Tally.add", "main.(*Tally).add", "main.go", line_of("add_body"), false);
	check_func(c, "main.describe", "main.describe", "describe.go", line_of("describe_body"),
		   true);
	if (!c->optimized) {
		/* not inlined: real functions */
		check_func(c, "main.main.func1", "main.main.func1", "main.go",
			   line_of("closure_body"), false);
		check_func(c, "main.twice", "main.twice", "main.go", line_of("twice_body"), false);
	}
}
END_TEST

START_TEST(test_lines)
{
	struct config *c = cfg(_i);
	const char *names[] = { "add_body", "main_body", "closure_body", "main_print",
				"twice_body", "inl_call2" };
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int line = line_of(names[k]);
		/* the module's directory is src/ in the temporary directory */
		const char *forms[] = { "main.go:%d", "src/main.go:%d", "./main.go:%d" };
		for (size_t j = 0; j < sizeof(forms) / sizeof(forms[0]); j++) {
			char spec[64], err[512];
			struct grr_location loc[16];
			snprintf(spec, sizeof(spec), forms[j], line);
			int n = grr_symbols_resolve(c->syms, spec, loc, 16, err, sizeof(err));
			ck_assert_msg(n >= 1, "%s: resolve(%s): %s", c->name, spec, err);
			for (int i = 0; i < n; i++) {
				struct grr_line_info li;
				ck_assert_msg(grr_symbols_line_at(c->syms, loc[i].pc, &li),
					      "%s: %s: no line at 0x%lx", c->name, spec,
					      (unsigned long)loc[i].pc);
				ck_assert_msg(li.line == line && ends_with(li.file, "main.go"),
					      "%s: %s resolved to 0x%lx at %s:%d", c->name, spec,
					      (unsigned long)loc[i].pc, li.file, li.line);
				ck_assert_int_eq(loc[i].line, line);
				ck_assert_ptr_nonnull(loc[i].func);
				if (i)
					ck_assert_msg(loc[i].pc > loc[i - 1].pc, "%s: unsorted", c->name);
			}
		}
	}
	/* a second file of the package */
	char spec[64], err[512];
	struct grr_location loc[4];
	snprintf(spec, sizeof(spec), "describe.go:%d", line_of("describe_body"));
	ck_assert_msg(grr_symbols_resolve(c->syms, spec, loc, 4, err, sizeof(err)) == 1,
		      "%s: %s: %s", c->name, spec, err);
	ck_assert_str_eq(loc[0].func, "main.describe");
	/* a function spec resolves to the body */
	struct grr_func_info f;
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "main.main", &f, err, sizeof(err)), 0);
	ck_assert_int_eq(grr_symbols_resolve(c->syms, "main.main", loc, 4, err, sizeof(err)), 1);
	ck_assert_msg(loc[0].pc == f.body, "%s", c->name);
	ck_assert_int_eq(loc[0].line, line_of("main_body"));
	/* an address */
	snprintf(spec, sizeof(spec), "*0x%lx", (unsigned long)f.body);
	ck_assert_int_eq(grr_symbols_resolve(c->syms, spec, loc, 4, err, sizeof(err)), 1);
	ck_assert_msg(loc[0].pc == f.body && strcmp(loc[0].func, "main.main") == 0, "%s", c->name);
	snprintf(spec, sizeof(spec), "*%lu", (unsigned long)f.body);
	ck_assert_int_eq(grr_symbols_resolve(c->syms, spec, loc, 4, err, sizeof(err)), 1);
	ck_assert_msg(loc[0].pc == f.body, "%s", c->name);
}
END_TEST

START_TEST(test_rows)
{
	struct config *c = cfg(_i);
	struct grr_func_info f;
	char err[512];
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "main.main", &f, err, sizeof(err)), 0);
	const struct grr_line_row *rows;
	size_t n;
	ck_assert_int_eq(grr_symbols_func_rows(c->syms, f.body, &rows, &n), 0);
	ck_assert_msg(n > 3, "%s: %zu rows", c->name, n);
	bool body_line = false, stmt = false;
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(rows[i].pc >= f.entry && rows[i].pc < f.end, "%s: row outside",
			      c->name);
		if (i)
			ck_assert_msg(rows[i].pc > rows[i - 1].pc, "%s: rows unsorted", c->name);
		body_line |= rows[i].line == line_of("main_body");
		stmt |= rows[i].is_stmt;
	}
	ck_assert_msg(body_line && stmt, "%s", c->name);
	ck_assert_msg(rows[0].pc == f.entry, "%s: first row 0x%lx", c->name,
		      (unsigned long)rows[0].pc);
	/* line_at agrees with the rows, is_stmt only where a row starts */
	struct grr_line_info li;
	ck_assert(grr_symbols_line_at(c->syms, rows[1].pc, &li));
	ck_assert_int_eq(li.line, rows[1].line);
	ck_assert(li.file == rows[1].file);
	ck_assert(li.is_stmt == rows[1].is_stmt);
	ck_assert_int_eq(grr_symbols_func_rows(c->syms, 0, &rows, &n), -1);
	ck_assert(!grr_symbols_line_at(c->syms, 0, &li));
}
END_TEST

/* ---- inlining --------------------------------------------------------------- */

START_TEST(test_inline)
{
	struct config *c = cfg(_i);
	char spec[64], err[512];
	struct grr_location loc[16];
	int call1 = line_of("inl_call1"), call2 = line_of("inl_call2");
	snprintf(spec, sizeof(spec), "main.go:%d", line_of("twice_body"));
	int n = grr_symbols_resolve(c->syms, spec, loc, 16, err, sizeof(err));
	ck_assert_msg(n >= 1, "%s: %s: %s", c->name, spec, err);
	if (!c->optimized) {
		ck_assert_msg(n == 1, "%s: %d locations for %s", c->name, n, spec);
		struct grr_inline_frame fr[4];
		ck_assert_int_eq(grr_symbols_inline_frames(c->syms, loc[0].pc, fr, 4), 0);
		ck_assert_str_eq(loc[0].func, "main.twice");
		return;
	}
	/* one location per inlined copy, each called from its call site */
	ck_assert_msg(n >= 2, "%s: %d locations for %s (2 inlined copies)", c->name, n, spec);
	bool seen1 = false, seen2 = false;
	for (int i = 0; i < n; i++) {
		struct grr_inline_frame fr[4];
		int k = grr_symbols_inline_frames(c->syms, loc[i].pc, fr, 4);
		ck_assert_msg(k >= 1, "%s: no inlined frame at 0x%lx", c->name,
			      (unsigned long)loc[i].pc);
		ck_assert_str_eq(fr[0].func, "main.twice");
		ck_assert_msg(fr[0].call_file && ends_with(fr[0].call_file, "main.go"), "%s",
			      c->name);
		seen1 |= fr[0].call_line == call1;
		seen2 |= fr[0].call_line == call2;
		ck_assert_str_eq(loc[i].func, "main.twice");
		/* the physical function is the caller */
		struct grr_func_info f;
		ck_assert(grr_symbols_func_at(c->syms, loc[i].pc, &f));
		ck_assert_msg(strcmp(f.name, "main.compute") == 0 || strcmp(f.name, "main.main") == 0,
			      "%s: twice inlined in %s", c->name, f.name);
		ck_assert_int_eq(grr_symbols_inline_frames(c->syms, loc[i].pc, fr, 0), 0);
	}
	ck_assert_msg(seen1 && seen2, "%s: call sites %d and %d not both seen", c->name, call1,
		      call2);
	/* `break main.twice`: the inlined copies (no real function) */
	struct grr_func_info f;
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "main.twice", &f, err, sizeof(err)), -1);
	n = grr_symbols_resolve(c->syms, "main.twice", loc, 16, err, sizeof(err));
	ck_assert_msg(n >= 2, "%s: break main.twice: %d (%s)", c->name, n, err);
	/* the closure is inlined into main */
	snprintf(spec, sizeof(spec), "main.go:%d", line_of("closure_body"));
	n = grr_symbols_resolve(c->syms, spec, loc, 16, err, sizeof(err));
	ck_assert_msg(n >= 1, "%s: %s: %s", c->name, spec, err);
	struct grr_inline_frame fr[4];
	ck_assert_msg(grr_symbols_inline_frames(c->syms, loc[0].pc, fr, 4) >= 1 &&
			      strcmp(fr[0].func, "main.main.func1") == 0,
		      "%s: closure not inlined", c->name);
}
END_TEST

/* ---- errors --------------------------------------------------------------- */

static void want_error(struct config *c, const char *spec, const char *substr)
{
	char err[512] = "";
	struct grr_location loc[4];
	int n = grr_symbols_resolve(c->syms, spec, loc, 4, err, sizeof(err));
	ck_assert_msg(n == -1, "%s: resolve(\"%s\") = %d, want -1", c->name, spec, n);
	ck_assert_msg(strstr(err, substr) != NULL, "%s: resolve(\"%s\"): \"%s\" lacks \"%s\"",
		      c->name, spec, err, substr);
	ck_assert_msg(strchr(err, '\n') == NULL, "%s: multi-line error", c->name);
}

START_TEST(test_errors)
{
	struct config *c = cfg(_i);
	char err[512] = "", spec[64];
	struct grr_func_info f;
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "nosuch.function", &f, err, sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, "no function named nosuch.function"), "%s", err);
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "add", &f, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "ambiguous") && strstr(err, "main.(*Tally).add"), "%s", err);
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "", &f, err, sizeof(err)), -1);
	/* a suffix must start at a boundary */
	ck_assert_int_eq(grr_symbols_func_named(c->syms, "ain.main", &f, err, sizeof(err)), -1);

	want_error(c, "nosuch.function", "no function named nosuch.function");
	snprintf(spec, sizeof(spec), "main.go:%d", line_of("no_code"));
	want_error(c, spec, "no code at main.go:");
	want_error(c, "main.go:100000", "no code at");
	want_error(c, "nosuch.go:3", "no source file nosuch.go");
	want_error(c, "ain.go:3", "no source file");
	want_error(c, "", "empty location");
	want_error(c, "   ", "empty location");
	want_error(c, "main.go:abc", "bad location");
	want_error(c, "main.go:", "bad location");
	want_error(c, ":12", "bad location");
	want_error(c, "main.go:0", "bad line number");
	want_error(c, "*0xzz", "bad address");
	want_error(c, "*", "bad address");
	want_error(c, "*12x", "bad address");
	/* the error buffer is respected */
	char small[8];
	struct grr_location loc[1];
	ck_assert_int_eq(grr_symbols_resolve(c->syms, "nosuch.function", loc, 1, small,
					     sizeof(small)), -1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

/* ---- runtime facts ----------------------------------------------------------- */

START_TEST(test_runtime_facts)
{
	struct config *c = cfg(_i);
	uint64_t off = 0, addr = 0;
	if (!c->dwarf) {
		ck_assert(!grr_symbols_member_offset(c->syms, "runtime.g", "goid", &off));
		ck_assert(!grr_symbols_global_addr(c->syms, "runtime.allgs", &addr));
		return;
	}
	ck_assert_msg(grr_symbols_member_offset(c->syms, "runtime.g", "goid", &off),
		      "%s: runtime.g.goid not found", c->name);
	ck_assert_msg(off > 0 && off < 512, "%s: goid at %lu", c->name, (unsigned long)off);
	uint64_t m = 0;
	ck_assert(grr_symbols_member_offset(c->syms, "runtime.g", "m", &m));
	ck_assert(m != off);
	ck_assert(!grr_symbols_member_offset(c->syms, "runtime.g", "nosuch", &off));
	ck_assert(!grr_symbols_member_offset(c->syms, "runtime.nosuch", "goid", &off));
	ck_assert_msg(grr_symbols_global_addr(c->syms, "runtime.allgs", &addr) && addr,
		      "%s: runtime.allgs not found", c->name);
	ck_assert(!grr_symbols_global_addr(c->syms, "runtime.nosuch", &addr));
	/* allgs is data, not code */
	struct grr_func_info f;
	ck_assert(!grr_symbols_func_at(c->syms, addr, &f));
}
END_TEST

/* ---- opening ---------------------------------------------------------------- */

START_TEST(test_open_errors)
{
	char err[512] = "";
	ck_assert_ptr_null(grr_symbols_open("/nonexistent/grr-symtest", err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/grr-symtest") != NULL, "%s", err);
	ck_assert_ptr_null(grr_symbols_open(SRC_DIR "/main.go", err, sizeof(err)));
	ck_assert_msg(strstr(err, "not an ELF") != NULL, "%s", err);
	/* NULL handles are harmless */
	grr_symbols_close(NULL);
	struct grr_func_info f;
	ck_assert(!grr_symbols_func_at(NULL, 0x401000, &f));
}
END_TEST

static Suite *symbols_suite(void)
{
	Suite *s = suite_create("symbols");
	TCase *tc = tcase_create("binaries");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_open_errors);
	tcase_add_loop_test(tc, test_funcs, 0, NCONFIGS);
	tcase_add_loop_test(tc, test_lines, 0, NCONFIGS);
	tcase_add_loop_test(tc, test_rows, 0, NCONFIGS);
	tcase_add_loop_test(tc, test_errors, 0, NCONFIGS);
	tcase_add_loop_test(tc, test_inline, 0, NDWARF);
	tcase_add_loop_test(tc, test_runtime_facts, 0, NCONFIGS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char why[1024] = "";
	setup_all(why, sizeof(why));
	for (int i = 0; i < NCONFIGS; i++)
		build(&configs[i], why);
	SRunner *sr = srunner_create(symbols_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup_all();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
