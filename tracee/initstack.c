/* initstack.c - read and edit the tracee's initial stack (see initstack.h). */
#include "tracee/initstack.h"

#include <stdlib.h>
#include <string.h>

#define MAX_STRINGS 100000
#define MAX_STRING  (1u << 20)
#define MAX_AUXV    256

/* Reads a NUL-terminated string from tracee memory into a malloc'd copy. */
static char *read_string(const struct grr_mem *m, uint64_t addr)
{
	size_t cap = 256, len = 0;
	char *s = malloc(cap);
	while (s) {
		char chunk[256];
		size_t n = grr_mem_read_partial(m, addr + len, chunk, sizeof(chunk));
		if (n == 0)
			break;
		char *nul = memchr(chunk, 0, n);
		size_t take = nul ? (size_t)(nul - chunk) : n;
		if (len + take + 1 > cap) {
			cap = (len + take + 1) * 2;
			char *t = cap <= MAX_STRING ? realloc(s, cap) : NULL;
			if (!t)
				break;
			s = t;
		}
		memcpy(s + len, chunk, take);
		len += take;
		if (nul) {
			s[len] = 0;
			return s;
		}
	}
	free(s);
	return NULL;
}

/* Reads a NULL-terminated pointer array of strings starting at *addr. */
static int read_vector(const struct grr_mem *m, uint64_t *addr, char ***out,
		       uint32_t *count)
{
	size_t n = 0, cap = 16;
	char **v = calloc(cap, sizeof(*v));
	for (; v; n++) {
		uint64_t p;
		if (n >= MAX_STRINGS || grr_mem_read(m, *addr, &p, 8) < 0)
			goto fail;
		*addr += 8;
		if (n + 1 >= cap) {
			char **t = realloc(v, 2 * cap * sizeof(*v));
			if (!t)
				goto fail;
			v = t, cap *= 2;
		}
		if (p == 0) {
			v[n] = NULL;
			*out = v;
			*count = (uint32_t)n;
			return 0;
		}
		if (!(v[n] = read_string(m, p)))
			goto fail;
	}
	return -1;
fail:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

int grr_initstack_read(const struct grr_mem *m, uint64_t sp, struct grr_initstack *s)
{
	memset(s, 0, sizeof(*s));
	s->sp = sp;
	uint64_t argc;
	if (grr_mem_read(m, sp, &argc, 8) < 0 || argc > MAX_STRINGS)
		return -1;
	uint64_t addr = sp + 8;
	if (read_vector(m, &addr, &s->argv, &s->argc) < 0 || s->argc != argc)
		goto fail;
	if (read_vector(m, &addr, &s->envp, &s->envc) < 0)
		goto fail;
	s->auxv_addr = addr;
	s->auxv = calloc(MAX_AUXV, sizeof(*s->auxv));
	if (!s->auxv)
		goto fail;
	for (;;) {
		struct grr_auxv_entry e;
		if (s->nauxv >= MAX_AUXV || grr_mem_read(m, addr, &e, sizeof(e)) < 0)
			goto fail;
		s->auxv[s->nauxv++] = e;
		addr += sizeof(e);
		if (e.key == 0)  /* AT_NULL, kept as the last entry */
			return 0;
	}
fail:
	grr_initstack_free(s);
	return -1;
}

void grr_initstack_free(struct grr_initstack *s)
{
	for (uint32_t i = 0; s->argv && i < s->argc; i++)
		free(s->argv[i]);
	for (uint32_t i = 0; s->envp && i < s->envc; i++)
		free(s->envp[i]);
	free(s->argv);
	free(s->envp);
	free(s->auxv);
	memset(s, 0, sizeof(*s));
}

uint64_t grr_initstack_auxval(const struct grr_initstack *s, uint64_t key)
{
	for (uint32_t i = 0; i < s->nauxv; i++)
		if (s->auxv[i].key == key)
			return s->auxv[i].val;
	return 0;
}

int grr_initstack_set_auxval(const struct grr_mem *m, struct grr_initstack *s,
			     uint64_t key, uint64_t val)
{
	for (uint32_t i = 0; i < s->nauxv; i++) {
		if (s->auxv[i].key != key)
			continue;
		uint64_t at = s->auxv_addr + i * sizeof(struct grr_auxv_entry) + 8;
		if (grr_mem_write(m, at, &val, 8) < 0)
			return -1;
		s->auxv[i].val = val;
		return 0;
	}
	return -1;
}
