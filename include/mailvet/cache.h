/*
 * cache — what mailvet learned, kept across runs and crashes (SQLite, WAL).
 *
 * Results per address and facts per domain carry an expiry time, so a
 * re-run re-probes nothing that is fresh; probes spent are counted per
 * day for the budget; greylist retries and the user's triage decisions
 * persist. Every write is its own transaction: a run killed with SIGKILL
 * loses no result that was written. Times are Unix seconds, passed in by
 * the caller (tests control the clock).
 */
#ifndef MAILVET_CACHE_H
#define MAILVET_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/status.h"

typedef struct cache cache;

typedef struct cache_result {
	uint8_t verdict, owner, reason, tls;
	uint32_t flags;
	uint16_t smtp_code;
	uint32_t enhanced;
	char reply[512];
	char mx[256];
	int64_t checked_at;
} cache_result;

typedef struct cache_domain {
	int8_t catch_all;          /* -1 unknown, 0 no, 1 yes */
	uint8_t route;             /* route_status of the last lookup */
	char mx[256];              /* the first MX host */
	int64_t checked_at;
} cache_domain;

/* Open (creating the file and its directory); err says why not. */
mv_status cache_open(cache **out, const char *path, char *err, size_t errlen);
void cache_close(cache *c);

/* A fresh result for a normalized address, or false. */
bool cache_get_result(cache *c, const char *addr, int64_t now, cache_result *out);
mv_status cache_put_result(cache *c, const char *addr, const cache_result *r,
			   int64_t now, uint32_t ttl);

bool cache_get_domain(cache *c, const char *domain, int64_t now, cache_domain *out);
mv_status cache_put_domain(cache *c, const char *domain, const cache_domain *d,
			   int64_t now, uint32_t ttl);

/* A domain's mail route (the MX hosts and their addresses), as text the
 * engine writes and reads, kept for the DNS answer's TTL. */
bool cache_get_route(cache *c, const char *domain, int64_t now, char *text, size_t cap);
mv_status cache_put_route(cache *c, const char *domain, const char *text, int64_t now, uint32_t ttl);

/* Probes spent on the local calendar day of `now`. */
unsigned cache_probes_on(cache *c, int64_t now);
mv_status cache_add_probes(cache *c, int64_t now, unsigned n);

/* Pending retries (greylisting, temporary failures). */
mv_status cache_put_retry(cache *c, const char *addr, int64_t retry_at, unsigned tries);
bool cache_get_retry(cache *c, const char *addr, int64_t *retry_at, unsigned *tries);
mv_status cache_del_retry(cache *c, const char *addr);

/* The user's triage, per input file (key) and data row. */
mv_status cache_put_decision(cache *c, const char *file_key, uint32_t row, int decision);
/* Calls fn for every stored decision of file_key; returns how many. */
size_t cache_each_decision(cache *c, const char *file_key,
			   void (*fn)(void *arg, uint32_t row, int decision), void *arg);

#endif
