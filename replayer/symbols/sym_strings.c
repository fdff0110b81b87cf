/* sym_strings.c - the string arena and interning (see sym_private.h). */
#include "replayer/symbols/sym_private.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)

struct sym_chunk {
	struct sym_chunk *next;
	size_t used, size;
	char data[];
};

void sym_strings_free(struct sym_strings *st)
{
	struct sym_chunk *c = st->chunks;
	while (c) {
		struct sym_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(st->slots);
	memset(st, 0, sizeof(*st));
}

static char *arena_alloc(struct sym_strings *st, size_t len)
{
	struct sym_chunk *c = st->chunks;
	if (!c || c->size - c->used < len) {
		size_t size = len > CHUNK_SIZE ? len : CHUNK_SIZE;
		struct sym_chunk *n = malloc(sizeof(*n) + size);
		if (!n)
			return NULL;
		n->used = 0;
		n->size = size;
		/* a big string gets its own chunk behind the current one, so
		 * the current chunk's free space is not lost */
		if (c && size > CHUNK_SIZE) {
			n->next = c->next;
			c->next = n;
		} else {
			n->next = c;
			st->chunks = n;
		}
		c = n;
	}
	char *p = c->data + c->used;
	c->used += len;
	return p;
}

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int rehash(struct sym_strings *st)
{
	size_t n = st->nslots ? st->nslots * 2 : 4096;
	const char **slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < st->nslots; i++) {
		const char *s = st->slots[i];
		if (!s)
			continue;
		size_t j = hash(s, strlen(s)) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = s;
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = n;
	return 0;
}

const char *sym_intern_n(struct sym_strings *st, const char *s, size_t len)
{
	if ((st->nused + 1) * 2 > st->nslots && rehash(st) < 0)
		return NULL;
	size_t j = hash(s, len) & (st->nslots - 1);
	for (; st->slots[j]; j = (j + 1) & (st->nslots - 1)) {
		const char *t = st->slots[j];
		if (strncmp(t, s, len) == 0 && t[len] == '\0')
			return t;
	}
	char *copy = arena_alloc(st, len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	st->slots[j] = copy;
	st->nused++;
	return copy;
}

const char *sym_intern(struct sym_strings *st, const char *s)
{
	return sym_intern_n(st, s, strlen(s));
}

void *sym_grow(void **arr, size_t n, size_t *cap, size_t elsize)
{
	if (n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		void *p = realloc(*arr, ncap * elsize);
		if (!p)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	void *el = (char *)*arr + n * elsize;
	memset(el, 0, elsize);
	return el;
}
