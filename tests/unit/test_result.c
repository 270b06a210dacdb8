/* result: the per-row outcome store. */
#include "test.h"

#include "mailvet/result.h"

#include "mailvet/csvio.h"

TEST(result_store)
{
	results *r = results_create(0);
	CHECK(r != NULL && r->n == 0);
	results_destroy(r);
	results_destroy(NULL);
	r = results_create(3);
	CHECK_INT(r->rows[2].local, LOCAL_PENDING);
	CHECK_INT(r->rows[2].verdict, VERDICT_NONE);
	r->rows[1].domain = intern_put(r->pool, "gmail.com", 9, NULL);
	mv_str s = results_str(r, r->rows[1].domain);
	CHECK_MEM(s.p, s.len, "gmail.com");
	CHECK_INT(results_str(r, 0).len, 0);
	/* session texts: none until the first is kept */
	CHECK(r->session == NULL);
	CHECK_INT(results_session(r, 2), 0);
	CHECK_INT(results_set_session(r, 3, "x", 1), MV_USAGE);
	CHECK_INT(results_set_session(r, 2, "< 250 ok", 8), MV_OK);
	s = results_str(r, results_session(r, 2));
	CHECK_MEM(s.p, s.len, "< 250 ok");
	CHECK_INT(results_session(r, 0), 0);
	CHECK_INT(results_session(r, 9), 0);
	/* the packed fields hold their widest values */
	r->rows[0].flags = F_FIXED | F_CATCH_ALL;
	r->rows[0].smtp_code = 999;
	r->rows[0].enhanced = result_enhanced_pack(9, 999, 999);
	r->rows[0].reason = REASON_UNSAFE_MX;
	r->rows[0].local = LOCAL_SUPPRESSED;
	r->rows[0].decision = DECIDE_DROP;
	r->rows[0].tls = 1;
	char b[16];
	CHECK_INT(r->rows[0].flags, F_FIXED | F_CATCH_ALL);
	CHECK_INT(r->rows[0].smtp_code, 999);
	CHECK_STR(result_enhanced_str(r->rows[0].enhanced, b), "9.999.999");
	CHECK_INT(r->rows[0].reason, REASON_UNSAFE_MX);
	CHECK_INT(r->rows[0].local, LOCAL_SUPPRESSED);
	CHECK_INT(r->rows[0].decision, DECIDE_DROP);
	CHECK_INT(r->rows[0].tls, 1);
	CHECK_INT(r->rows[1].flags | r->rows[1].smtp_code | r->rows[1].enhanced, 0);
	results_destroy(r);
}

TEST(result_names_and_codes)
{
	CHECK_STR(result_flag_name(FLAG_BIT_CATCH_ALL), "catch_all");
	CHECK_STR(result_flag_name(FLAG_BIT_UTF8_LOCAL), "utf8_local");
	CHECK_STR(result_flag_name(FLAG_COUNT), "?");
	CHECK_INT(F_ROLE, 1u << 1);
	CHECK_STR(local_status_name(LOCAL_CANDIDATE), "candidate");
	char b[16];
	CHECK_STR(result_enhanced_str(0, b), "");
	CHECK_STR(result_enhanced_str(result_enhanced_pack(5, 1, 1), b), "5.1.1");
	CHECK_STR(result_enhanced_str(result_enhanced_pack(4, 7, 999), b), "4.7.999");
	CHECK_INT(result_enhanced_pack(5, 1000, 1), 0);
}

TEST(result_normalized_in_cell_or_pool)
{
	results *r = results_create(2);
	char buf[RESULT_ADDR_CAP];
	/* degenerate: no address, a row out of range, no table to point into */
	CHECK_INT(results_normalized(r, 0).len, 0);
	CHECK_INT(results_normalized(r, 7).len, 0);
	CHECK_STR(results_normalized_cstr(r, 0, buf), "");
	CHECK(!results_set_normalized_cell(r, 0, 0, 5));
	CHECK_INT(results_set_normalized(r, 9, "a@b.c", 5), MV_USAGE);
	/* a copy in the pool */
	CHECK_INT(results_set_normalized(r, 1, "Ann@x.org", 9), MV_OK);
	CHECK(r->rows[1].normalized && !(r->rows[1].normalized & RESULT_NORM_CELL));
	CHECK_STR(results_normalized_cstr(r, 1, buf), "Ann@x.org");
	CHECK_INT(results_set_normalized(r, 1, "", 0), MV_OK);
	CHECK_INT(r->rows[1].normalized, 0);
	/* bytes of the row's own email cell, named, not copied */
	table *t = NULL;
	csv_info info;
	const char *csv = "id,email\n1, bo@y.net \n2,Cy <cy@z.io>\n";
	CHECK_INT(csvio_load_mem(csv, strlen(csv), NULL, &t, &info), MV_OK);
	r->cells = t;
	r->email_col = 1;
	CHECK(results_set_normalized_cell(r, 0, 1, 8));
	CHECK(results_set_normalized_cell(r, 1, 4, 7));
	CHECK(!results_set_normalized_cell(r, 1, 0, 300));               /* too long to name */
	CHECK(!results_set_normalized_cell(r, 1, RESULT_NORM_OFF_MAX + 1, 7));
	mv_str s = results_normalized(r, 0);
	CHECK_MEM(s.p, s.len, "bo@y.net");
	CHECK(s.p == table_cell(t, 0, 1).p + 1);
	CHECK_STR(results_normalized_cstr(r, 1, buf), "cy@z.io");
	/* a name past the cell's end reads as none */
	r->rows[0].normalized = RESULT_NORM_CELL | 5u << 8 | 8u;
	CHECK_INT(results_normalized(r, 0).len, 0);
	results_destroy(r);
	table_destroy(t);
}
