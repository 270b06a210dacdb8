#include "mailvet/intern.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)256 * 1024)

struct entry {
	const char *p;
	uint32_t len;
	uint32_t hash;   /* low bits of the 64-bit hash */
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct intern {
	struct entry *entries;     /* entries[0] unused: id 0 is "none" */
	size_t count, cap;
	uint32_t *slots;           /* open addressing: ids, 0 = empty */
	size_t nslots;             /* power of two */
	struct chunk *chunks;
	size_t mem;
};

uint64_t intern_hash(const char *p, size_t n)
{
	/* FNV-1a, 64-bit, then a final mix. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

intern *intern_create(void)
{
	intern *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->nslots = 1024;
	in->slots = calloc(in->nslots, sizeof(uint32_t));
	in->cap = 256;
	in->entries = calloc(in->cap, sizeof(struct entry));
	if (!in->slots || !in->entries) {
		intern_destroy(in);
		return NULL;
	}
	return in;
}

void intern_destroy(intern *in)
{
	if (!in)
		return;
	struct chunk *c = in->chunks;
	while (c) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	free(in->slots);
	free(in->entries);
	free(in);
}

static char *store(intern *in, const char *p, size_t n)
{
	struct chunk *c = in->chunks;
	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > CHUNK ? n + 1 : CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = in->chunks;
		in->chunks = c;
		in->mem += sizeof(*c) + cap;
	}
	char *dst = c->data + c->used;
	if (n)
		memcpy(dst, p, n);
	dst[n] = '\0';
	c->used += n + 1;
	return dst;
}

static int rehash(intern *in)
{
	size_t ns = in->nslots * 2;
	uint32_t *slots = calloc(ns, sizeof(uint32_t));
	if (!slots)
		return -1;
	for (size_t id = 1; id <= in->count; id++) {
		size_t i = in->entries[id].hash & (ns - 1);
		while (slots[i])
			i = (i + 1) & (ns - 1);
		slots[i] = (uint32_t)id;
	}
	free(in->slots);
	in->slots = slots;
	in->nslots = ns;
	return 0;
}

static size_t probe(const intern *in, const char *p, size_t n, uint32_t h)
{
	size_t i = h & (in->nslots - 1);
	for (;;) {
		uint32_t id = in->slots[i];
		if (!id)
			return i;
		const struct entry *e = &in->entries[id];
		if (e->hash == h && e->len == n && memcmp(e->p, p, n) == 0)
			return i;
		i = (i + 1) & (in->nslots - 1);
	}
}

uint32_t intern_find(const intern *in, const char *p, size_t n)
{
	if (n > UINT32_MAX)
		return 0;
	uint32_t h = (uint32_t)intern_hash(p, n);
	return in->slots[probe(in, p, n, h)];
}

uint32_t intern_put(intern *in, const char *p, size_t n, int *added)
{
	if (added)
		*added = 0;
	if (n > UINT32_MAX || in->count >= UINT32_MAX - 1)
		return 0;
	uint32_t h = (uint32_t)intern_hash(p, n);
	size_t i = probe(in, p, n, h);
	if (in->slots[i])
		return in->slots[i];
	if ((in->count + 1) * 4 >= in->nslots * 3) {
		if (rehash(in))
			return 0;
		i = probe(in, p, n, h);
	}
	if (in->count + 1 >= in->cap) {
		size_t nc = in->cap * 2;
		struct entry *e = realloc(in->entries, nc * sizeof(*e));
		if (!e)
			return 0;
		in->entries = e;
		in->cap = nc;
	}
	const char *copy = store(in, p, n);
	if (!copy)
		return 0;
	uint32_t id = (uint32_t)++in->count;
	in->entries[id].p = copy;
	in->entries[id].len = (uint32_t)n;
	in->entries[id].hash = h;
	in->slots[i] = id;
	if (added)
		*added = 1;
	return id;
}

mv_str intern_get(const intern *in, uint32_t id)
{
	mv_str s = { "", 0 };
	if (id == 0 || id > in->count)
		return s;
	s.p = in->entries[id].p;
	s.len = in->entries[id].len;
	return s;
}

size_t intern_count(const intern *in)
{
	return in->count;
}

size_t intern_mem_bytes(const intern *in)
{
	return in->mem + in->cap * sizeof(struct entry) + in->nslots * sizeof(uint32_t);
}
