/* cli_source_file.c - the local file to read for a source path as
 * compiled: substitute-path rules first (as Delve, whether or not the
 * compiled path exists here), then the compiled path itself, then the
 * automatic mappings of the recording's GOROOT (when the local Go is the
 * same version) and module cache onto this machine's, from `go env`, then
 * the copy packed in the trace (grr pack).  A file on disk that differs
 * from the packed copy is shown with a warning. */
#include "replayer/cli/cli.h"
#include "format/trace.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads `go env GOROOT GOMODCACHE GOVERSION`; false if go is not there. */
static bool go_env(char *goroot, char *modcache, char *version, size_t len)
{
	FILE *p = popen("go env GOROOT GOMODCACHE GOVERSION 2>/dev/null", "r");
	if (!p)
		return false;
	char *outs[3] = { goroot, modcache, version };
	bool ok = true;
	for (int i = 0; i < 3; i++) {
		if (!fgets(outs[i], (int)len, p)) {
			ok = false;
			outs[i][0] = 0;
		}
		outs[i][strcspn(outs[i], "\n")] = 0;
	}
	ok = pclose(p) == 0 && ok;
	return ok;
}

/* Fills the automatic mappings once per session. */
static void auto_mappings(struct cli *cli)
{
	if (cli->srcpath_auto_done)
		return;
	cli->srcpath_auto_done = true;
	struct cli_srcpath *sp = &cli->srcpath;
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	const char *f;
	for (size_t i = 0; (f = grr_symbols_name_at(s, GRR_SYM_FILES, i)); i++)
		if (cli_srcpath_goroot_of(f, sp->rec_goroot, sizeof(sp->rec_goroot)))
			break;
	char goroot[CLI_SRCPATH_LEN], modcache[CLI_SRCPATH_LEN], version[CLI_SRCPATH_LEN];
	if (!go_env(goroot, modcache, version, sizeof(goroot)))
		return;
	const char *rec_version = grr_symbols_go_version(s);
	/* "go1.26.0" against "go1.26.0" (a local "go1.26.0 X:..." too) */
	size_t rl = strlen(rec_version);
	if (rl && strncmp(version, rec_version, rl) == 0 &&
	    (version[rl] == 0 || version[rl] == ' '))
		snprintf(sp->local_goroot, sizeof(sp->local_goroot), "%s", goroot);
	snprintf(sp->local_modcache, sizeof(sp->local_modcache), "%s", modcache);
}

/* The copy of FILE packed in the trace (grr pack), cached in CLI; false
 * if there is none. */
static bool packed_copy(struct cli *cli, const char *file, const uint8_t **data, uint64_t *len)
{
	if (cli->src_name && strcmp(cli->src_name, file) == 0) {
		*data = cli->src_data;
		*len = cli->src_len;
		return cli->src_data != NULL;
	}
	if (!cli->reader && !cli->reader_failed) {
		struct grr_error e;
		cli->reader = grr_reader_open(cli->trace, &e);
		cli->reader_failed = !cli->reader;
	}
	if (!cli->reader)
		return false;
	free(cli->src_name);
	free(cli->src_data);
	cli->src_data = NULL;
	cli->src_len = 0;
	size_t nl = strlen(GRR_EMBED_SOURCE_PREFIX) + strlen(file) + 1;
	char *name = malloc(nl);
	cli->src_name = strdup(file);
	if (!name || !cli->src_name) {
		free(name);
		return false;
	}
	snprintf(name, nl, "%s%s", GRR_EMBED_SOURCE_PREFIX, file);
	struct grr_error e;
	uint8_t *d;
	uint64_t l;
	if (grr_reader_embedded_file(cli->reader, name, &d, &l, &e) == 1) {
		cli->src_data = d;
		cli->src_len = l;
	}
	free(name);
	*data = cli->src_data;
	*len = cli->src_len;
	return cli->src_data != NULL;
}

/* Whether PATH's contents equal DATA[0..LEN). */
static bool same_contents(FILE *f, const uint8_t *data, uint64_t len)
{
	uint8_t buf[8192];
	uint64_t at = 0;
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (at + got > len || memcmp(buf, data + at, got) != 0)
			return false;
		at += got;
	}
	return at == len;
}

/* PATH opened, with a warning when the trace packs another FILE. */
static FILE *open_checked(struct cli *cli, const char *path, const char *file)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	const uint8_t *data;
	uint64_t len;
	if (packed_copy(cli, file, &data, &len)) {
		if (!same_contents(f, data, len))
			fprintf(stderr, "warning: %s differs from the source the program was built "
				"from (packed in the trace): lines may not match\n", path);
		rewind(f);
	}
	return f;
}

FILE *cli_source_open(struct cli *cli, const char *file, char *shown, size_t len)
{
	char buf[CLI_SRCPATH_LEN];
	FILE *f;
	if (cli_srcpath_apply_rules(&cli->srcpath, file, buf, sizeof(buf)) &&
	    (f = open_checked(cli, buf, file))) {
		snprintf(shown, len, "%s", buf);
		return f;
	}
	if ((f = open_checked(cli, file, file))) {
		snprintf(shown, len, "%s", file);
		return f;
	}
	auto_mappings(cli);
	if (cli_srcpath_apply_auto(&cli->srcpath, file, buf, sizeof(buf)) &&
	    (f = fopen(buf, "re"))) {
		snprintf(shown, len, "%s", buf);
		return f;
	}
	const uint8_t *data;
	uint64_t dlen;
	if (packed_copy(cli, file, &data, &dlen) && dlen &&
	    (f = fmemopen((void *)data, dlen, "r"))) {
		snprintf(shown, len, "%s", file);
		return f;
	}
	snprintf(shown, len, "%s", file);
	return NULL;
}

void cli_sources_close(struct cli *cli)
{
	free(cli->src_name);
	free(cli->src_data);
	cli->src_name = NULL;
	cli->src_data = NULL;
	if (cli->reader)
		grr_reader_close(cli->reader);
	cli->reader = NULL;
}

/* config substitute-path FROM TO | FROM | -clear (Delve's forms). */
int cli_config_substitute_path(struct cli *cli, char *args)
{
	char *from = cli_next_word(&args);
	char *to = cli_next_word(&args);
	if (!from)
		return cli_error("usage: config substitute-path FROM TO | FROM | -clear");
	if (cli_next_word(&args))
		return cli_error("config substitute-path: too many arguments (paths with blanks "
				 "are not supported)");
	if (strcmp(from, "-clear") == 0 && !to) {
		cli_srcpath_clear(&cli->srcpath);
		return 0;
	}
	if (!to) {
		if (cli_srcpath_remove(&cli->srcpath, from) < 0)
			return cli_error("no substitute-path rule for %s", from);
		return 0;
	}
	char err[256];
	if (cli_srcpath_add(&cli->srcpath, from, to, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	return 0;
}

void cli_show_substitute_path(struct cli *cli)
{
	fprintf(cli->out, "substitute-path\t");
	if (cli->srcpath.n == 0)
		fprintf(cli->out, "[]");
	for (int i = 0; i < cli->srcpath.n; i++)
		fprintf(cli->out, "%s%s -> %s", i ? ", " : "", cli->srcpath.rules[i].from,
			cli->srcpath.rules[i].to);
	fprintf(cli->out, "\tsource paths as compiled -> here (longest first)\n");
}
