/* view: the workbench model — sort, filter, search, triage, undo. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/csvio.h"
#include "mailvet/view.h"

static const char *const tiers[] = { "deliverable", "risky", "invalid", "unknown" };

static int tier_of(const row_result *r)
{
	switch (r->verdict) {
	case VERDICT_DELIVERABLE: return 0;
	case VERDICT_RISKY: return 1;
	case VERDICT_INVALID: return 2;
	default: return 3;
	}
}

struct fx {
	table *t;
	results *r;
	view *v;
};

static void setup(struct fx *f)
{
	static const char csv[] =
		"name,email\n"
		"Zed,zed@b.test\n"          /* 0 */
		"Amy,amy@a.test\n"          /* 1 */
		"Bob,bob@c.test\n"          /* 2 */
		"Cat,cat@a.test\n"          /* 3 */
		"Dan,dan.longname@a.test\n";/* 4 */
	csv_info info;
	CHECK_INT(csvio_load_mem(csv, sizeof(csv) - 1, NULL, &f->t, &info), MV_OK);
	f->r = results_create(table_nrows(f->t));
	static const int verdicts[] = { VERDICT_INVALID, VERDICT_DELIVERABLE, VERDICT_RISKY,
					VERDICT_DELIVERABLE, VERDICT_UNKNOWN };
	for (size_t i = 0; i < 5; i++) {
		mv_str e = table_cell(f->t, i, 1);
		const char *at = memchr(e.p, '@', e.len);
		f->r->rows[i].domain = intern_put(f->r->pool, at + 1, e.len - (size_t)(at + 1 - e.p), NULL);
		f->r->rows[i].verdict = (uint8_t)verdicts[i];
	}
	f->r->rows[0].reason = REASON_USER_UNKNOWN;
	f->r->rows[0].smtp_code = 550;
	f->r->rows[0].enhanced = result_enhanced_pack(5, 1, 1);
	f->r->rows[2].flags = F_CATCH_ALL | F_ROLE;
	f->v = view_create(f->t, f->r, 1, tier_of, tiers, 4);
	CHECK(f->v != NULL);
}

static void teardown(struct fx *f)
{
	view_destroy(f->v);
	results_destroy(f->r);
	table_destroy(f->t);
}

static void order_is(const view *v, const char *expect)
{
	char got[64] = "";
	size_t n = 0;
	for (size_t i = 0; i < view_count(v) && n < sizeof(got) - 2; i++)
		got[n++] = (char)('0' + view_row(v, i));
	got[n] = '\0';
	CHECK_STR(got, expect);
}

TEST(view_cells)
{
	struct fx f;
	setup(&f);
	char s[256];
	mv_str c = view_cell(f.v, 0, VC_ROW, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "1");
	c = view_cell(f.v, 0, VC_EMAIL, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "zed@b.test");
	c = view_cell(f.v, 0, VC_CODE, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "550 5.1.1");
	c = view_cell(f.v, 0, VC_REASON, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "user_unknown");
	c = view_cell(f.v, 2, VC_FLAGS, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "catch_all,role");
	c = view_cell(f.v, 1, VC_TIER, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "deliverable");
	c = view_cell(f.v, 1, VC_ORIG + 0, s, sizeof(s));
	CHECK_MEM(c.p, c.len, "Amy");
	CHECK_STR(view_col_title(f.v, VC_ORIG + 1), "email");
	CHECK_STR(view_col_title(f.v, VC_TIER), "tier");
	CHECK_INT(view_ncols(f.v), VC_ORIG + 2);
	teardown(&f);
}

TEST(view_sort_stable_multikey)
{
	struct fx f;
	setup(&f);
	order_is(f.v, "01234");
	CHECK_INT(view_sort(f.v, VC_EMAIL, false), MV_OK);
	order_is(f.v, "12340");
	CHECK_INT(view_sort(f.v, VC_EMAIL, true), MV_OK);
	order_is(f.v, "04321");
	/* by domain, then by tier: tier order, domain order within */
	view_sort(f.v, VC_ROW, false);
	view_sort(f.v, VC_DOMAIN, false);
	order_is(f.v, "13402");
	view_sort(f.v, VC_TIER, false);
	order_is(f.v, "13204");
	CHECK_INT(view_sort_col(f.v), VC_TIER);
	view_sort(f.v, VC_CODE, true);
	CHECK_INT(view_row(f.v, 0), 0);
	teardown(&f);
}

TEST(view_filters_and_search)
{
	struct fx f;
	setup(&f);
	view_set_tier_filter(f.v, 1u << 0);
	order_is(f.v, "13");
	CHECK_INT(view_pos_of(f.v, 3), 1);
	CHECK_INT(view_pos_of(f.v, 0), -1);
	view_set_tier_filter(f.v, 0);
	view_set_text_filter(f.v, "A.TEST");
	order_is(f.v, "134");
	view_set_text_filter(f.v, "user_unknown");
	order_is(f.v, "0");
	view_set_text_filter(f.v, "");
	order_is(f.v, "01234");
	CHECK_INT(view_search(f.v, "bob", 0, false), 2);
	CHECK_INT(view_search(f.v, "a.test", 2, false), 3);
	CHECK_INT(view_search(f.v, "a.test", 4, false), 4);
	CHECK_INT(view_search(f.v, "a.test", 0, true), 4);   /* wraps backward */
	CHECK_INT(view_search(f.v, "nomatch", 0, false), -1);
	size_t counts[4];
	view_tier_counts(f.v, counts);
	CHECK_INT(counts[0], 2);
	CHECK_INT(counts[1], 1);
	CHECK_INT(counts[2], 1);
	CHECK_INT(counts[3], 1);
	teardown(&f);
}

TEST(view_triage_undo)
{
	struct fx f;
	setup(&f);
	CHECK(!view_dirty(f.v));
	CHECK(!view_undo(f.v));
	view_decide(f.v, 2, DECIDE_KEEP);
	view_decide(f.v, 4, DECIDE_DROP);
	CHECK_INT(view_decisions(f.v), 2);
	CHECK(view_dirty(f.v));
	CHECK_INT(f.r->rows[2].decision, DECIDE_KEEP);
	view_tag(f.v, 0, true);
	view_tag(f.v, 1, true);
	view_tag(f.v, 1, true);
	CHECK_INT(view_ntagged(f.v), 2);
	CHECK_INT(view_decide_tagged(f.v, DECIDE_DROP), 2);
	CHECK_INT(view_decisions(f.v), 4);
	CHECK(view_undo(f.v));                   /* the tagged step, at once */
	CHECK_INT(f.r->rows[0].decision, DECIDE_NONE);
	CHECK_INT(f.r->rows[1].decision, DECIDE_NONE);
	CHECK_INT(f.r->rows[4].decision, DECIDE_DROP);
	CHECK(view_undo(f.v));
	CHECK_INT(f.r->rows[4].decision, DECIDE_NONE);
	CHECK(view_undo(f.v));
	CHECK_INT(f.r->rows[2].decision, DECIDE_NONE);
	CHECK_INT(view_decisions(f.v), 0);
	CHECK(!view_undo(f.v));
	view_untag_all(f.v);
	CHECK_INT(view_ntagged(f.v), 0);
	view_mark_clean(f.v);
	CHECK(!view_dirty(f.v));
	teardown(&f);
}

TEST(view_sort_million_rows_is_correct)
{
	/* correctness at size; speed is measured in make bench */
	size_t n = 200000;
	table *t = table_create();
	for (size_t i = 0; i < n; i++) {
		char e[64];
		int k = snprintf(e, sizeof(e), "user%07zu@d%zu.test", (i * 7919) % n, i % 97);
		table_add_field(t, e, (size_t)k);
		table_end_row(t, (uint32_t)i + 1, 0);
	}
	table_finish(t, false);
	results *r = results_create(n);
	view *v = view_create(t, r, 0, tier_of, tiers, 4);
	CHECK_INT(view_sort(v, VC_EMAIL, false), MV_OK);
	char a[64], b[64];
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++) {
		mv_str x = view_cell(v, view_row(v, i - 1), VC_EMAIL, a, sizeof(a));
		mv_str y = view_cell(v, view_row(v, i), VC_EMAIL, b, sizeof(b));
		size_t m = x.len < y.len ? x.len : y.len;
		int c = memcmp(x.p, y.p, m);
		if (c > 0 || (c == 0 && x.len > y.len))
			sorted = false;
	}
	CHECK(sorted);
	view_destroy(v);
	results_destroy(r);
	table_destroy(t);
}

/* Case-insensitive order of two cells, as the sort defines it. */
static int cell_cmp(mv_str x, mv_str y)
{
	size_t m = x.len < y.len ? x.len : y.len;
	for (size_t i = 0; i < m; i++) {
		int a = (unsigned char)(x.p[i] >= 'A' && x.p[i] <= 'Z' ? x.p[i] + 32 : x.p[i]);
		int b = (unsigned char)(y.p[i] >= 'A' && y.p[i] <= 'Z' ? y.p[i] + 32 : y.p[i]);
		if (a != b)
			return a - b;
	}
	return (x.len > y.len) - (x.len < y.len);
}

TEST(view_sort_long_shared_prefixes_stable)
{
	/* texts equal in their first 12 (and 16) bytes, differing after, many
	 * equal but for case: ordered by the whole text, ties in row order */
	size_t n = 5000;
	table *t = table_create();
	unsigned seed = 12345;
	for (size_t i = 0; i < n; i++) {
		char e[64];
		int k = snprintf(e, sizeof(e), "%s", i % 3 ? "abcdefghijklmnopq" : "ABCDEFGHIJKL");
		int extra = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 4;
		for (int j = 0; j < extra; j++)
			e[k++] = "aBb"[((seed = seed * 1103515245u + 12345u) >> 16) % 3];
		table_add_field(t, e, (size_t)k);
		table_end_row(t, (uint32_t)i + 1, 0);
	}
	table_finish(t, false);
	results *r = results_create(n);
	view *v = view_create(t, r, 0, tier_of, tiers, 4);
	for (int desc = 0; desc < 2; desc++) {
		CHECK_INT(view_sort(v, VC_ROW, false), MV_OK);
		CHECK_INT(view_sort(v, VC_EMAIL, desc), MV_OK);
		char a[64], b[64];
		bool ok = view_count(v) == n;
		for (size_t i = 1; i < n && ok; i++) {
			size_t ra = view_row(v, i - 1), rb = view_row(v, i);
			int c = cell_cmp(view_cell(v, ra, VC_EMAIL, a, sizeof(a)),
					 view_cell(v, rb, VC_EMAIL, b, sizeof(b)));
			if (desc)
				c = -c;
			if (c > 0 || (c == 0 && ra > rb))
				ok = false;
		}
		CHECK(ok);
	}
	view_destroy(v);
	results_destroy(r);
	table_destroy(t);
}
