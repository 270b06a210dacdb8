#include "mailvet/intern.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/mem.h"

#define CHUNK ((size_t)256 * 1024)

struct entry {
	const char *p;
	uint32_t len;
	uint32_t hash;   /* low bits of the 64-bit hash */
};

/* A hash slot keeps the hash beside the id, so probing compares in the
 * slot array (one cache line) and touches an entry only on a likely match. */
struct slot {
	uint32_t hash;
	uint32_t id;     /* 0 = empty */
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct intern {
	struct entry *entries;     /* entries[0] unused: id 0 is "none" */
	size_t count, cap;
	struct slot *slots;        /* open addressing, linear probing */
	size_t nslots;             /* power of two; load kept under 5/8 */
	struct chunk *chunks;
	size_t mem;
};

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* Eight bytes at a time, multiply-xor; the bytes past the last whole
 * word are left to the caller (*done says where they start). */
static inline uint64_t hash_words(const char *p, size_t n, size_t *done)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)n * 0x100000001b3ull);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	*done = i;
	return h;
}

static inline uint64_t hash_tail(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

uint64_t intern_hash(const char *p, size_t n)
{
	size_t i;
	uint64_t h = hash_words(p, n, &i);
	if (i < n) {
		/* the tail without a variable-length copy: the last eight bytes
		 * (some hashed twice), or for a short string its first and last
		 * four, or three of its bytes; the length is in h already */
		uint64_t w;
		if (n >= 8) {
			memcpy(&w, p + n - 8, 8);
		} else if (n >= 4) {
			uint32_t a, b;
			memcpy(&a, p, 4);
			memcpy(&b, p + n - 4, 4);
			w = a | (uint64_t)b << 32;
		} else {
			w = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
			    (uint64_t)(unsigned char)p[n - 1] << 16;
		}
		h = hash_tail(h, w);
	}
	return mix(h);
}

uint64_t intern_hash_stable(const char *p, size_t n)
{
	size_t i;
	uint64_t h = hash_words(p, n, &i);
	if (i < n) {
		uint64_t w = 0;
		memcpy(&w, p + i, n - i);
		h = hash_tail(h, w);
	}
	return mix(h);
}

intern *intern_create(void)
{
	intern *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->nslots = 1024;
	in->slots = calloc(in->nslots, sizeof(struct slot));
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

static int resize(intern *in, size_t ns)
{
	struct slot *slots = calloc(ns, sizeof(struct slot));
	if (!slots)
		return -1;
	mem_advise_huge(slots, ns * sizeof(struct slot));
	for (size_t id = 1; id <= in->count; id++) {
		size_t i = in->entries[id].hash & (ns - 1);
		while (slots[i].id)
			i = (i + 1) & (ns - 1);
		slots[i].hash = in->entries[id].hash;
		slots[i].id = (uint32_t)id;
	}
	free(in->slots);
	in->slots = slots;
	in->nslots = ns;
	return 0;
}

static bool over_load(size_t count, size_t nslots)
{
	return count * 8 >= nslots * 5;
}

static int grow_entries(intern *in, size_t need)
{
	if (need < in->cap)
		return 0;
	size_t nc = in->cap;
	while (nc <= need)
		nc *= 2;
	struct entry *e = realloc(in->entries, nc * sizeof(*e));
	if (!e)
		return -1;
	in->entries = e;
	in->cap = nc;
	return 0;
}

int intern_reserve(intern *in, size_t n)
{
	size_t ns = in->nslots;
	while (over_load(n, ns))
		ns *= 2;
	if (ns != in->nslots && resize(in, ns))
		return -1;
	return grow_entries(in, n + 1);
}

static size_t probe(const intern *in, const char *p, size_t n, uint32_t h)
{
	size_t mask = in->nslots - 1;
	size_t i = h & mask;
	for (;;) {
		const struct slot *s = &in->slots[i];
		if (!s->id)
			return i;
		if (s->hash == h) {
			const struct entry *e = &in->entries[s->id];
			if (e->len == n && memcmp(e->p, p, n) == 0)
				return i;
		}
		i = (i + 1) & mask;
	}
}

uint32_t intern_find(const intern *in, const char *p, size_t n)
{
	return intern_find_hash(in, p, n, intern_hash(p, n));
}

uint32_t intern_find_hash(const intern *in, const char *p, size_t n, uint64_t hash)
{
	if (n > UINT32_MAX)
		return 0;
	return in->slots[probe(in, p, n, (uint32_t)hash)].id;
}

void intern_prefetch(const intern *in, uint64_t hash)
{
	__builtin_prefetch(&in->slots[(uint32_t)hash & (in->nslots - 1)]);
}

uint32_t intern_put(intern *in, const char *p, size_t n, int *added)
{
	return intern_put_hash(in, p, n, intern_hash(p, n), added);
}

uint32_t intern_put_hash(intern *in, const char *p, size_t n, uint64_t hash, int *added)
{
	if (added)
		*added = 0;
	if (n > UINT32_MAX || in->count >= UINT32_MAX - 1)
		return 0;
	uint32_t h = (uint32_t)hash;
	size_t i = probe(in, p, n, h);
	if (in->slots[i].id)
		return in->slots[i].id;
	if (over_load(in->count + 1, in->nslots)) {
		if (resize(in, in->nslots * 2))
			return 0;
		i = probe(in, p, n, h);
	}
	if (grow_entries(in, in->count + 1))
		return 0;
	const char *copy = store(in, p, n);
	if (!copy)
		return 0;
	uint32_t id = (uint32_t)++in->count;
	in->entries[id].p = copy;
	in->entries[id].len = (uint32_t)n;
	in->entries[id].hash = h;
	in->slots[i].hash = h;
	in->slots[i].id = id;
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
	return in->mem + in->cap * sizeof(struct entry) + in->nslots * sizeof(struct slot);
}
