/* domains: the domains view's counts, rebuilt and kept up per result. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/domains.h"

/* Tiers for the tests: by verdict, and 4 for a kept row. */
static int tier_of(const row_result *r)
{
	return r->decision == DECIDE_KEEP ? 4 : r->verdict;
}

static uint32_t id(results *r, const char *s)
{
	return intern_put(r->pool, s, strlen(s), NULL);
}

/* The same lines, in the same order, as a fresh count. */
static bool same_as_fresh(const domains *d, const results *r)
{
	domains *f = domains_create(r, tier_of, 5);
	bool same = f && domains_rebuild(f) == MV_OK && domains_count(f) == domains_count(d);
	for (size_t i = 0; same && i < domains_count(f); i++)
		same = memcmp(domains_line(f, i), domains_line(d, i), sizeof(domain_line)) == 0;
	domains_destroy(f);
	return same;
}

TEST(domains_degenerate)
{
	results *r = results_create(0);
	CHECK(domains_create(r, tier_of, 0) == NULL);
	CHECK(domains_create(r, tier_of, DOMAINS_MAX_TIERS + 1) == NULL);
	domains *d = domains_create(r, tier_of, 5);
	CHECK_INT(domains_count(d), 0);
	domains_update(d, 0);                 /* nothing counted yet: nothing to do */
	CHECK_INT(domains_rebuilds(d), 0);
	CHECK_INT(domains_rebuild(d), MV_OK);
	CHECK_INT(domains_count(d), 0);
	CHECK(domains_line(d, 0) == NULL);
	domains_update(d, 3);                 /* out of range */
	domains_destroy(d);
	domains_destroy(NULL);
	results_destroy(r);
}

TEST(domains_counts_and_updates)
{
	results *r = results_create(7);
	uint32_t a = id(r, "a.test"), b = id(r, "b.test"), c = id(r, "c.test");
	uint32_t d0[] = { b, a, a, c, a, b, 0 };    /* row 6 has no domain */
	for (size_t i = 0; i < 7; i++)
		r->rows[i].domain = d0[i];
	domains *d = domains_create(r, tier_of, 5);
	CHECK_INT(domains_rebuild(d), MV_OK);
	CHECK_INT(domains_count(d), 3);
	/* most rows first, ties by first row: a (3), b (2, row 0), c (1) */
	CHECK_INT(domains_line(d, 0)->domain, a);
	CHECK_INT(domains_line(d, 0)->total, 3);
	CHECK_INT(domains_line(d, 1)->domain, b);
	CHECK_INT(domains_line(d, 2)->domain, c);
	CHECK_INT(domains_line(d, 0)->tiers[VERDICT_NONE], 3);
	CHECK_INT(domains_line(d, 0)->mx, 0);
	/* results arrive: counts move, no recount */
	uint32_t mx1 = id(r, "mx1.a.test"), mx2 = id(r, "mx2.a.test");
	r->rows[4].verdict = VERDICT_DELIVERABLE;
	r->rows[4].mx = mx2;
	domains_update(d, 4);
	r->rows[2].verdict = VERDICT_INVALID;
	r->rows[2].owner = OWNER_SENDER;
	r->rows[2].mx = mx1;
	domains_update(d, 2);
	r->rows[1].verdict = VERDICT_RISKY;
	r->rows[1].flags |= F_CATCH_ALL;
	domains_update(d, 1);
	domains_update(d, 6);                 /* no domain: no line */
	const domain_line *l = domains_line(d, 0);
	CHECK_INT(l->total, 3);
	CHECK_INT(l->tiers[VERDICT_NONE], 0);
	CHECK_INT(l->tiers[VERDICT_DELIVERABLE], 1);
	CHECK_INT(l->tiers[VERDICT_INVALID], 1);
	CHECK_INT(l->tiers[VERDICT_RISKY], 1);
	CHECK_INT(l->sender, 1);
	CHECK_INT(l->catch_all, 1);
	CHECK_INT(l->mx, mx1);                /* the first row's that has one */
	CHECK(same_as_fresh(d, r));
	/* a row counted again (re-verified) and a decision */
	r->rows[2].owner = OWNER_NONE;
	r->rows[2].verdict = VERDICT_DELIVERABLE;
	domains_update(d, 2);
	r->rows[1].decision = DECIDE_KEEP;
	domains_update(d, 1);
	CHECK_INT(l->sender, 0);
	CHECK_INT(l->tiers[VERDICT_DELIVERABLE], 2);
	CHECK_INT(l->tiers[4], 1);
	CHECK(same_as_fresh(d, r));
	CHECK_INT(domains_rebuilds(d), 1);
	/* the first MX row loses its MX: the next row's shows */
	r->rows[2].mx = 0;
	domains_update(d, 2);
	CHECK_INT(domains_line(d, 0)->mx, mx2);
	CHECK(same_as_fresh(d, r));
	/* a re-check moved a row to another domain: counted again */
	r->rows[3].domain = a;
	CHECK_INT(domains_rebuild(d), MV_OK);
	CHECK_INT(domains_count(d), 2);
	CHECK_INT(domains_line(d, 0)->total, 4);
	CHECK(same_as_fresh(d, r));
	/* a row that gets its first domain, one that is new to the pool */
	r->rows[6].domain = id(r, "d.test");
	domains_update(d, 6);
	CHECK_INT(domains_count(d), 3);
	CHECK(same_as_fresh(d, r));
	domains_destroy(d);
	results_destroy(r);
}

TEST(domains_many_updates_match_a_recount)
{
	size_t n = 3000;
	results *r = results_create(n);
	uint32_t doms[23], mxs[3];
	char s[32];
	for (int i = 0; i < 23; i++) {
		snprintf(s, sizeof(s), "d%d.test", i);
		doms[i] = id(r, s);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(s, sizeof(s), "mx%d.test", i);
		mxs[i] = id(r, s);
	}
	unsigned seed = 7;
#define RND(m) ((seed = seed * 1103515245u + 12345u) >> 16) % (m)
	for (size_t i = 0; i < n; i++)
		r->rows[i].domain = RND(10) ? doms[RND(23)] : 0;
	domains *d = domains_create(r, tier_of, 5);
	CHECK_INT(domains_rebuild(d), MV_OK);
	bool ok = true;
	for (int k = 0; k < 2000 && ok; k++) {
		size_t row = RND(n);
		row_result *rr = &r->rows[row];
		rr->verdict = (uint8_t)RND(VERDICT_COUNT);
		rr->owner = (uint8_t)RND(OWNER_COUNT);
		rr->flags = RND(2) ? F_CATCH_ALL : 0;
		rr->mx = RND(3) ? mxs[RND(3)] : 0;
		rr->decision = (unsigned)RND(3);
		domains_update(d, row);
		if (k % 50 == 0)
			ok = same_as_fresh(d, r);
	}
#undef RND
	CHECK(ok);
	CHECK(same_as_fresh(d, r));
	domains_destroy(d);
	results_destroy(r);
}
