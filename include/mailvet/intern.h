/*
 * intern — a string pool: each distinct byte string stored once, named by
 * a small integer id (1..count; 0 means "none"). Strings never move once
 * added (chunked arena), so an mv_str from intern_get stays valid until
 * intern_destroy. Used for domains, normalized addresses, reply texts.
 */
#ifndef MAILVET_INTERN_H
#define MAILVET_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include "mailvet/table.h"   /* mv_str */

typedef struct intern intern;

intern *intern_create(void);
void intern_destroy(intern *in);

/* Id of the string, adding it if new; 0 only when out of memory. The
 * stored copy is NUL-terminated. *added (may be NULL) says if it was new. */
uint32_t intern_put(intern *in, const char *p, size_t n, int *added);
/*
 * Bulk inserts of strings that miss the cache: hash a string ahead
 * (intern_hash), prefetch its slot, and put it a few strings later with
 * intern_put_hash (same result as intern_put; hash must be intern_hash's).
 */
void intern_prefetch(const intern *in, uint64_t hash);
uint32_t intern_put_hash(intern *in, const char *p, size_t n, uint64_t hash, int *added);
uint32_t intern_find_hash(const intern *in, const char *p, size_t n, uint64_t hash);
/* Id if present, else 0. */
uint32_t intern_find(const intern *in, const char *p, size_t n);
/* The string for an id; "" for 0 or an unknown id. */
mv_str intern_get(const intern *in, uint32_t id);
size_t intern_count(const intern *in);
/* Make room for n strings in all (a hint for bulk loads: no rehash on the
 * way). Returns 0, or -1 when out of memory (the pool still works). */
int intern_reserve(intern *in, size_t n);
size_t intern_mem_bytes(const intern *in);

/* The hash intern uses (64-bit), for callers that hash byte strings. It
 * only ever lives in memory, so it may change between versions. */
uint64_t intern_hash(const char *p, size_t n);
/* A hash of the same family that never changes: for keys that are saved
 * (the workspace's file key). */
uint64_t intern_hash_stable(const char *p, size_t n);

#endif
