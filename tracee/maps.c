/* maps.c - parse /proc/PID/maps (see maps.h). */
#include "tracee/maps.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Reads a hexadecimal number at *P, moving *P past it; false if none. */
static bool hex_field(const char **p, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;
	for (;; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
			*s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			break;
		x = x << 4 | (unsigned)d;
	}
	if (s == *p)
		return false;
	*p = s;
	*v = x;
	return true;
}

/* Moves *P past one field and the spaces after it; false at the end. */
static bool skip_field(const char **p)
{
	const char *s = *p;
	while (*s && *s != ' ' && *s != '\n')
		s++;
	if (*s != ' ')
		return false;
	while (*s == ' ')
		s++;
	*p = s;
	return true;
}

/* "start-end perms offset dev inode   path" (a line is read on every
 * anchor's digest: parsed by hand, not with sscanf) */
static int parse_line(const char *line, struct grr_mapping *m)
{
	unsigned long long start, end, off;
	const char *p = line, *perms;
	if (!hex_field(&p, &start) || *p++ != '-' || !hex_field(&p, &end) || *p++ != ' ')
		return -1;
	perms = p;
	if (strnlen(perms, 4) < 4 || !skip_field(&p) || !hex_field(&p, &off) || *p++ != ' ' ||
	    !skip_field(&p))
		return -1;
	/* the inode, then the path if there is one */
	while (*p && *p != ' ' && *p != '\n')
		p++;
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, "\n");
	m->start = start;
	m->end = end;
	m->offset = off;
	m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	m->flags = perms[3] == 's' ? GRR_MAP_SHARED : 0;
	m->path = strndup(p, len);
	return m->path ? 0 : -1;
}

int grr_maps_read(pid_t pid, struct grr_mapping **out)
{
	char fname[64];
	snprintf(fname, sizeof(fname), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(fname, "re");
	if (!f)
		return -1;
	int n = 0, cap = 64;
	struct grr_mapping *v = malloc(cap * sizeof(*v));
	char line[4200];
	while (v && fgets(line, sizeof(line), f)) {
		if (n == cap) {
			struct grr_mapping *t = realloc(v, 2 * cap * sizeof(*v));
			if (!t)
				break;
			v = t, cap *= 2;
		}
		if (parse_line(line, &v[n]) == 0)
			n++;
	}
	fclose(f);
	if (!v)
		return -1;
	*out = v;
	return n;
}

void grr_maps_free(struct grr_mapping *maps, int n)
{
	for (int i = 0; maps && i < n; i++)
		free(maps[i].path);
	free(maps);
}

int grr_maps_find(const struct grr_mapping *maps, int n, uint64_t addr)
{
	for (int i = 0; i < n; i++)
		if (addr >= maps[i].start && addr < maps[i].end)
			return i;
	return -1;
}
