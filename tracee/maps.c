/* maps.c - parse /proc/PID/maps (see maps.h). */
#include "tracee/maps.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int parse_line(const char *line, struct grr_mapping *m)
{
	unsigned long long start, end, off;
	char perms[8], path[4096] = "";
	int pos = 0;
	if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &start, &end, perms, &off, &pos) < 4)
		return -1;
	const char *p = line + pos;
	while (*p == ' ')
		p++;
	snprintf(path, sizeof(path), "%s", p);
	path[strcspn(path, "\n")] = 0;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	m->flags = perms[3] == 's' ? GRR_MAP_SHARED : 0;
	m->path = strdup(path);
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
