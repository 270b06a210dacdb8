/*
 * domains — the domains view's model, with no curses in it: one line per
 * domain with its rows per tier, its sender-side rejects and catch-all
 * rows, and the MX that answered, most rows first.
 *
 * domains_rebuild counts every row, O(rows): on opening the view and
 * after a bulk change. domains_update moves one row from what it counted
 * as to what it is now, O(1): a result arrived while the view is open.
 * For that each row's last counted state (tier, sender-side, catch-all)
 * is kept, one byte a row. Lines keep their order between rebuilds (an
 * update never changes a domain's row count). The results are borrowed.
 * A row's domain changes only through a re-check (an accepted
 * suggestion): call domains_rebuild after one (an update notices a row
 * that gained or lost its domain, or whose domain is new, and recounts,
 * but not a move between two domains it knows).
 */
#ifndef MAILVET_DOMAINS_H
#define MAILVET_DOMAINS_H

#include <stddef.h>
#include <stdint.h>
#include "mailvet/result.h"
#include "mailvet/status.h"

#define DOMAINS_MAX_TIERS 16

typedef struct domains domains;

/* A row's tier (export bucket), supplied by the caller. */
typedef int domains_tier_fn(const row_result *r);

typedef struct domain_line {
	uint32_t domain;         /* pool id */
	uint32_t mx;             /* pool id: the MX of its first row that has one */
	size_t total;            /* rows with this domain */
	size_t tiers[DOMAINS_MAX_TIERS];   /* rows per tier */
	size_t sender;           /* rows rejected for a sender-side reason */
	size_t catch_all;        /* rows flagged catch-all */
} domain_line;

/* Empty until domains_rebuild; NULL when out of memory or ntiers is
 * over DOMAINS_MAX_TIERS. */
domains *domains_create(const results *r, domains_tier_fn *tier_of, int ntiers);
void domains_destroy(domains *d);

mv_status domains_rebuild(domains *d);
/* Row's result changed: its domain's counts follow. */
void domains_update(domains *d, size_t row);

size_t domains_count(const domains *d);
/* Line i in display order (most rows first; ties in order of first row). */
const domain_line *domains_line(const domains *d, size_t i);
/* Full recounts so far (for tests and benchmarks). */
size_t domains_rebuilds(const domains *d);

#endif
