/* result: the per-row outcome store. */
#include "test.h"

#include "mailvet/result.h"

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
