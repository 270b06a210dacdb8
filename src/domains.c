#include "mailvet/domains.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* What a row was counted as: its tier and two bits. */
enum {
	C_TIER    = 0x1f,
	C_SENDER  = 1u << 5,
	C_CATCH   = 1u << 6,
	C_COUNTED = 1u << 7,     /* the row has a domain and is in its line */
};

struct domains {
	const results *r;
	domains_tier_fn *tier_of;
	int ntiers;
	domain_line *lines;      /* in display order */
	size_t nlines;
	uint32_t *first;         /* by line: its first row (while counting) */
	uint32_t *index;         /* by domain pool id: line + 1, 0 = none */
	size_t nindex;
	uint32_t *mx_row;        /* by line: row + 1 its MX comes from, 0 = none */
	uint8_t *counted;        /* by row: C_* */
	size_t rebuilds;
};

domains *domains_create(const results *r, domains_tier_fn *tier_of, int ntiers)
{
	if (ntiers < 1 || ntiers > DOMAINS_MAX_TIERS)
		return NULL;
	domains *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->r = r;
	d->tier_of = tier_of;
	d->ntiers = ntiers;
	return d;
}

static void clear(domains *d)
{
	free(d->lines);
	free(d->first);
	free(d->index);
	free(d->mx_row);
	free(d->counted);
	d->lines = NULL;
	d->first = d->index = d->mx_row = NULL;
	d->counted = NULL;
	d->nlines = d->nindex = 0;
}

void domains_destroy(domains *d)
{
	if (!d)
		return;
	clear(d);
	free(d);
}

static uint8_t state_of(const domains *d, const row_result *rr)
{
	int t = d->tier_of(rr);
	uint8_t c = (uint8_t)(t >= 0 && t < d->ntiers ? t : 0);
	if (rr->owner == OWNER_SENDER)
		c |= C_SENDER;
	if (rr->flags & F_CATCH_ALL)
		c |= C_CATCH;
	return c;
}

/* Add a row counted as c to line l, or take it away. */
static void count(domain_line *l, uint8_t c, bool add)
{
	if (add) {
		l->tiers[c & C_TIER]++;
		l->sender += (c & C_SENDER) != 0;
		l->catch_all += (c & C_CATCH) != 0;
	} else {
		l->tiers[c & C_TIER]--;
		l->sender -= (c & C_SENDER) != 0;
		l->catch_all -= (c & C_CATCH) != 0;
	}
}

/* A line's place in the display order: most rows first, ties in order of
 * first row. */
struct place {
	size_t total;
	uint32_t first;
	uint32_t line;
};

static int place_cmp(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	if (x->total != y->total)
		return (x->total < y->total) - (x->total > y->total);
	return (x->first > y->first) - (x->first < y->first);
}

mv_status domains_rebuild(domains *d)
{
	const results *r = d->r;
	size_t cap = 64;
	clear(d);
	d->rebuilds++;
	d->nindex = intern_count(r->pool) + 1;
	d->index = calloc(d->nindex, sizeof(uint32_t));
	d->counted = calloc(r->n ? r->n : 1, 1);
	d->lines = calloc(cap, sizeof(*d->lines));
	d->first = malloc(cap * sizeof(uint32_t));
	if (!d->index || !d->counted || !d->lines || !d->first)
		goto nomem;
	for (size_t i = 0; i < r->n; i++) {
		const row_result *rr = &r->rows[i];
		if (!rr->domain || rr->domain >= d->nindex)
			continue;
		uint32_t k = d->index[rr->domain];
		if (!k) {
			if (d->nlines == cap) {
				domain_line *l = realloc(d->lines, cap * 2 * sizeof(*l));
				if (l) {
					memset(l + cap, 0, cap * sizeof(*l));
					d->lines = l;
				}
				uint32_t *f = realloc(d->first, cap * 2 * sizeof(*f));
				if (f)
					d->first = f;
				if (!l || !f)
					goto nomem;
				cap *= 2;
			}
			d->lines[d->nlines].domain = rr->domain;
			d->first[d->nlines] = (uint32_t)i;
			k = d->index[rr->domain] = (uint32_t)++d->nlines;
		}
		domain_line *l = &d->lines[k - 1];
		uint8_t c = state_of(d, rr);
		l->total++;
		count(l, c, true);
		d->counted[i] = c | C_COUNTED;
		if (!l->mx && rr->mx)
			l->mx = rr->mx;
	}
	/* display order, and the index and first rows to match */
	size_t m = d->nlines ? d->nlines : 1;
	struct place *order = malloc(m * sizeof(*order));
	domain_line *sorted = malloc(m * sizeof(*sorted));
	d->mx_row = calloc(m, sizeof(uint32_t));
	if (!order || !sorted || !d->mx_row) {
		free(order);
		free(sorted);
		goto nomem;
	}
	for (size_t k = 0; k < d->nlines; k++) {
		order[k].total = d->lines[k].total;
		order[k].first = d->first[k];
		order[k].line = (uint32_t)k;
	}
	qsort(order, d->nlines, sizeof(*order), place_cmp);
	for (size_t k = 0; k < d->nlines; k++) {
		sorted[k] = d->lines[order[k].line];
		d->index[sorted[k].domain] = (uint32_t)k + 1;
	}
	free(order);
	free(d->lines);
	free(d->first);
	d->lines = sorted;
	d->first = NULL;
	/* the row each line's MX comes from: the first that has one */
	for (size_t i = 0; i < r->n; i++) {
		const row_result *rr = &r->rows[i];
		if (!(d->counted[i] & C_COUNTED) || !rr->mx)
			continue;
		uint32_t k = d->index[rr->domain] - 1;
		if (!d->mx_row[k])
			d->mx_row[k] = (uint32_t)i + 1;
	}
	return MV_OK;
nomem:
	clear(d);
	return MV_NOMEM;
}

void domains_update(domains *d, size_t row)
{
	const results *r = d->r;
	if (!d->counted || row >= r->n)
		return;
	const row_result *rr = &r->rows[row];
	uint8_t was = d->counted[row];
	bool known = rr->domain && rr->domain < d->nindex && d->index[rr->domain];
	if (!(was & C_COUNTED) != !rr->domain || (rr->domain && !known)) {
		domains_rebuild(d);      /* the row's domain changed: a re-check */
		return;
	}
	if (!rr->domain)
		return;
	uint32_t k = d->index[rr->domain] - 1;
	domain_line *l = &d->lines[k];
	uint8_t now = state_of(d, rr);
	count(l, was, false);
	count(l, now, true);
	d->counted[row] = now | C_COUNTED;
	/* the MX of the line's first row that has one */
	if (rr->mx && (!d->mx_row[k] || row < d->mx_row[k] - 1)) {
		d->mx_row[k] = (uint32_t)row + 1;
		l->mx = rr->mx;
	} else if (d->mx_row[k] == row + 1 && rr->mx != l->mx) {
		if (rr->mx)
			l->mx = rr->mx;
		else
			domains_rebuild(d);   /* lost it: the next row with one */
	}
}

size_t domains_count(const domains *d)
{
	return d->nlines;
}

const domain_line *domains_line(const domains *d, size_t i)
{
	return i < d->nlines ? &d->lines[i] : NULL;
}

size_t domains_rebuilds(const domains *d)
{
	return d->rebuilds;
}
