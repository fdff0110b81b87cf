/* cli_srcpath.h - where a source file compiled on one machine is on this
 * one: Delve's substitute-path rules, and the automatic mappings of the
 * recording's GOROOT and module cache onto the local ones.  Pure string
 * logic (unit-tested); cli_source_file.c does the file system part. */
#ifndef GRR_REPLAYER_CLI_SRCPATH_H
#define GRR_REPLAYER_CLI_SRCPATH_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_SRCPATH_MAX_RULES 32
#define CLI_SRCPATH_LEN 1024

struct cli_srcpath_rule {
	char from[CLI_SRCPATH_LEN];
	char to[CLI_SRCPATH_LEN];
};

struct cli_srcpath {
	struct cli_srcpath_rule rules[CLI_SRCPATH_MAX_RULES];
	int n;
	/* The automatic mappings, each off while empty: the recording's GOROOT
	 * onto the local one (set only when their Go versions match), and any
	 * path below a ".../pkg/mod/" directory onto the local module cache. */
	char rec_goroot[CLI_SRCPATH_LEN];
	char local_goroot[CLI_SRCPATH_LEN];
	char local_modcache[CLI_SRCPATH_LEN];
};

/* Adds the rule FROM -> TO, replacing one with the same FROM.  0, or -1
 * with one line in ERR (empty or too long a path, too many rules). */
int cli_srcpath_add(struct cli_srcpath *sp, const char *from, const char *to, char *err,
		    size_t errlen);
/* Removes the rule for FROM; 0, or -1 if there is none. */
int cli_srcpath_remove(struct cli_srcpath *sp, const char *from);
void cli_srcpath_clear(struct cli_srcpath *sp);

/* FILE rewritten by the rule with the longest FROM that is a prefix of it
 * at a path boundary ("/a/b" matches "/a/b/c.go", not "/a/bc/c.go"), into
 * OUT.  true if a rule applied. */
bool cli_srcpath_apply_rules(const struct cli_srcpath *sp, const char *file, char *out,
			     size_t len);
/* FILE rewritten by the automatic mappings (GOROOT first, then the module
 * cache) into OUT; true if one applied. */
bool cli_srcpath_apply_auto(const struct cli_srcpath *sp, const char *file, char *out,
			    size_t len);

/* The GOROOT a file path of the standard library shows ("/usr/local/go"
 * for "/usr/local/go/src/runtime/proc.go") into OUT; false if FILE is not
 * below a "/src/runtime/" directory. */
bool cli_srcpath_goroot_of(const char *file, char *out, size_t len);

#endif
