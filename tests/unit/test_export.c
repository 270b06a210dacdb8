/* export: buckets, the clean/rejects/split files, the report, JSONL. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "mailvet/csvio.h"
#include "mailvet/export.h"
#include "mailvet/local.h"

static char *slurp(const char *path)
{
	static char b[65536];
	FILE *fp = fopen(path, "rb");
	size_t n = fp ? fread(b, 1, sizeof(b) - 1, fp) : 0;
	if (fp)
		fclose(fp);
	b[n] = '\0';
	return b;
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const char *path(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", test_tmpdir(), name);
	return p[k];
}

static void check_report(const export_report *rep)
{
	size_t sum = 0;
	for (int b = 0; b < BUCKET_COUNT; b++)
		sum += rep->bucket[b];
	CHECK_INT(sum, rep->rows);
	CHECK_INT(rep->clean + rep->rejects + rep->unwritten, rep->rows);
}

TEST(export_buckets)
{
	row_result rr = { 0 };
	CHECK_INT(export_bucket(&rr), BUCKET_UNVERIFIED);    /* pending */
	rr.local = LOCAL_CANDIDATE;
	CHECK_INT(export_bucket(&rr), BUCKET_UNVERIFIED);
	rr.verdict = VERDICT_DELIVERABLE;
	CHECK_INT(export_bucket(&rr), BUCKET_DELIVERABLE);
	rr.flags = F_CATCH_ALL;
	CHECK_INT(export_bucket(&rr), BUCKET_CATCH_ALL);
	rr.verdict = VERDICT_RISKY;
	CHECK_INT(export_bucket(&rr), BUCKET_CATCH_ALL);
	rr.flags = 0;
	CHECK_INT(export_bucket(&rr), BUCKET_RISKY);
	rr.verdict = VERDICT_UNKNOWN;
	CHECK_INT(export_bucket(&rr), BUCKET_UNKNOWN);
	rr.verdict = VERDICT_INVALID;
	CHECK_INT(export_bucket(&rr), BUCKET_INVALID);
	rr.decision = DECIDE_KEEP;
	CHECK_INT(export_bucket(&rr), BUCKET_KEPT);
	rr.decision = DECIDE_DROP;
	CHECK_INT(export_bucket(&rr), BUCKET_DROPPED);
	rr.decision = DECIDE_NONE;
	rr.local = LOCAL_DUPLICATE;
	CHECK_INT(export_bucket(&rr), BUCKET_DUPLICATE);
	rr.local = LOCAL_SUPPRESSED;
	CHECK_INT(export_bucket(&rr), BUCKET_SUPPRESSED);
	rr.local = LOCAL_INVALID;
	CHECK_INT(export_bucket(&rr), BUCKET_INVALID);
	CHECK_STR(bucket_name(BUCKET_CATCH_ALL), "catch_all");
	CHECK_STR(bucket_name(BUCKET_COUNT), "?");
	CHECK_INT(bucket_from_name("unverified"), BUCKET_UNVERIFIED);
	CHECK_INT(bucket_from_name("nope"), -1);
	unsigned m;
	const char *bad = NULL;
	CHECK_INT(export_parse_buckets("deliverable,risky", &m, &bad), MV_OK);
	CHECK_INT(m, BUCKET_BIT(BUCKET_DELIVERABLE) | BUCKET_BIT(BUCKET_RISKY));
	CHECK_INT(export_parse_buckets("deliverable,bogus", &m, &bad), MV_USAGE);
	CHECK_STR(bad, "bogus");
	CHECK_INT(export_parse_buckets("", &m, &bad), MV_USAGE);
}

struct fixture {
	table *t;
	long col;
	results *r;
	csv_info info;
};

static void setup(struct fixture *f, bool fix)
{
	const char *csv =
		"name,email,note\r\n"
		"Ana,ana@gmial.com,typo\r\n"
		"Bo,bo@contoso.com,ok\r\n"
		"Cy,n/a,junk\r\n"
		"Di,BO@contoso.com,dup\r\n"
		"Ed,=cmd@contoso.com,formula\r\n"
		"Fa,\"Fa <fa@contoso.com>\",\"comma, here\"\r\n";
	csv_opts o;
	csv_opts_init(&o);
	CHECK_INT(csvio_load_mem(csv, strlen(csv), &o, &f->t, &f->info), MV_OK);
	f->col = f->info.email_col;
	f->r = results_create(table_nrows(f->t));
	local_opts lo;
	local_opts_init(&lo);
	lo.fix_typos = fix;
	CHECK_INT(local_run(f->t, f->col, &lo, f->r, NULL), MV_OK);
}

static void teardown(struct fixture *f)
{
	results_destroy(f->r);
	table_destroy(f->t);
}

TEST(export_local_only)
{
	struct fixture f;
	setup(&f, false);
	export_opts o = { 0 };
	export_report rep;
	o.local_only = true;
	o.clean_path = path("clean.csv");
	o.rejects_path = path("rejects.csv");
	o.w.eol = "\r\n";
	CHECK_INT(export_write(f.t, f.col, f.r, &o, &rep), MV_OK);
	check_report(&rep);
	CHECK_INT(rep.rows, 6);
	CHECK_INT(rep.bucket[BUCKET_UNVERIFIED], 4);
	CHECK_INT(rep.bucket[BUCKET_INVALID], 1);
	CHECK_INT(rep.bucket[BUCKET_DUPLICATE], 1);
	CHECK_INT(rep.clean, 4);
	CHECK_INT(rep.rejects, 2);
	CHECK_INT(rep.files, 2);
	/* clean: original bytes, no extra columns without fixes */
	CHECK_STR(slurp(o.clean_path),
		  "name,email,note\r\n"
		  "Ana,ana@gmial.com,typo\r\n"
		  "Bo,bo@contoso.com,ok\r\n"
		  "Ed,=cmd@contoso.com,formula\r\n"
		  "Fa,Fa <fa@contoso.com>,\"comma, here\"\r\n");
	const char *rej = slurp(o.rejects_path);
	CHECK(strstr(rej, "name,email,note,mailvet_status,mailvet_reason,mailvet_flags,"
		      "mailvet_suggestion,mailvet_duplicate_of\r\n") == rej);
	CHECK(strstr(rej, "Cy,n/a,junk,invalid,junk,,,\r\n") != NULL);
	CHECK(strstr(rej, "Di,BO@contoso.com,dup,duplicate,duplicate,duplicate,,2\r\n") != NULL);
	/* never over the input */
	o.rejects_path = NULL;
	o.w.protect = o.clean_path;
	CHECK_INT(export_write(f.t, f.col, f.r, &o, &rep), MV_SAMEFILE);
	CHECK_STR(rep.failed, o.clean_path);
	teardown(&f);
}

TEST(export_fixes_columns_split)
{
	struct fixture f;
	setup(&f, true);
	export_opts o = { 0 };
	export_report rep;
	o.local_only = true;
	o.clean_path = path("fixed.csv");
	o.result_columns = true;
	o.split = true;
	o.w.eol = "\n";
	CHECK_INT(export_write(f.t, f.col, f.r, &o, &rep), MV_OK);
	check_report(&rep);
	CHECK_INT(rep.fixed, 1);
	CHECK_INT(rep.unwritten, 2);
	CHECK_INT(rep.files, 1 + 3);   /* clean + unverified, invalid, duplicate */
	const char *c = slurp(o.clean_path);
	CHECK(strstr(c, "name,email,note,email_original,mailvet_status") == c);
	CHECK(strstr(c, "Ana,ana@gmail.com,typo,ana@gmial.com,unverified,,free typo fixed,"
		      "ana@gmail.com,\n") != NULL);
	CHECK(strstr(c, "Bo,bo@contoso.com,ok,,unverified,,,,\n") != NULL);
	CHECK_INT(lines(c), 5);
	CHECK_INT(lines(slurp(path("fixed.unverified.csv"))), 5);
	CHECK_INT(lines(slurp(path("fixed.invalid.csv"))), 2);
	CHECK_INT(lines(slurp(path("fixed.duplicate.csv"))), 2);
	CHECK_INT(lines(slurp(path("fixed.deliverable.csv"))), 0);   /* empty: not written */
	teardown(&f);
}

TEST(export_tiers_and_decisions)
{
	struct fixture f;
	setup(&f, false);
	f.r->rows[1].verdict = VERDICT_DELIVERABLE;
	f.r->rows[4].verdict = VERDICT_RISKY;
	f.r->rows[4].reply = intern_put(f.r->pool, "=HYPERLINK(\"x\")", 15, NULL);
	f.r->rows[4].smtp_code = 452;
	f.r->rows[5].verdict = VERDICT_DELIVERABLE;
	f.r->rows[5].decision = DECIDE_DROP;
	f.r->rows[2].decision = DECIDE_KEEP;
	export_opts o = { 0 };
	export_report rep;
	o.clean_path = path("tiers.csv");
	o.result_columns = true;
	CHECK_INT(export_write(f.t, f.col, f.r, &o, &rep), MV_OK);
	check_report(&rep);
	CHECK_INT(rep.clean, 2);     /* deliverable + kept */
	CHECK_INT(rep.bucket[BUCKET_DROPPED], 1);
	CHECK_INT(rep.bucket[BUCKET_KEPT], 1);
	o.clean = BUCKET_BIT(BUCKET_RISKY);
	CHECK_INT(export_write(f.t, f.col, f.r, &o, &rep), MV_OK);
	const char *c = slurp(o.clean_path);
	CHECK(strstr(c, "mailvet_reply") != NULL);
	CHECK(strstr(c, ",452,,\"'=HYPERLINK(\"\"x\"\")\"") != NULL);   /* neutralised */
	CHECK_INT(rep.clean, 1);
	teardown(&f);
}

TEST(export_jsonl)
{
	struct fixture f;
	setup(&f, false);
	f.r->rows[1].verdict = VERDICT_DELIVERABLE;
	f.r->rows[1].owner = OWNER_NONE;
	f.r->rows[1].smtp_code = 250;
	f.r->rows[1].enhanced = result_enhanced_pack(2, 1, 5);
	f.r->rows[1].mx = intern_put(f.r->pool, "mx.contoso.com", 14, NULL);
	f.r->rows[1].tls = 1;
	CHECK_INT(results_set_session(f.r, 1, "< 220 hi\n> QUIT\n", 16), MV_OK);
	const char *p = path("r.jsonl");
	CHECK_INT(export_jsonl(f.t, f.col, f.r, p, NULL), MV_OK);
	const char *j = slurp(p);
	CHECK_INT(lines(j), 6);
	CHECK(strstr(j, "{\"row\":1,\"email\":\"ana@gmial.com\",\"normalized\":\"ana@gmial.com\","
		      "\"status\":\"candidate\",\"reason\":null,\"detail\":null,\"flags\":[\"free\",\"typo\"],"
		      "\"suggestion\":\"ana@gmail.com\",\"duplicate_of\":null}\n") == j);
	CHECK(strstr(j, "\"verdict\":\"deliverable\",\"owner\":\"none\",\"mx\":\"mx.contoso.com\","
		      "\"smtp_code\":250,\"enhanced_code\":\"2.1.5\",\"reply\":null,\"tls\":true,"
		      "\"transcript\":\"< 220 hi\\n> QUIT\\n\"}") != NULL);
	CHECK(strstr(j, "{\"row\":3,\"email\":\"n/a\",\"normalized\":null,\"status\":\"invalid\","
		      "\"reason\":\"junk\",\"detail\":\"placeholder instead of an address\"") != NULL);
	CHECK(strstr(j, "\"status\":\"duplicate\",\"reason\":\"duplicate\",\"detail\":null,"
		      "\"flags\":[\"duplicate\"],\"suggestion\":null,\"duplicate_of\":2}") != NULL);
	CHECK(strstr(j, "\"flags\":[\"display_name\"]") != NULL);
	CHECK_INT(export_jsonl(f.t, f.col, f.r, p, &(csv_wopts){ .protect = p }), MV_SAMEFILE);
	teardown(&f);
}

TEST(export_jsonl_multiple_and_escapes)
{
	const char *csv = "email\n\"a@x.com; b@y.com\"\n\"q\\\"\"\"@x.com\"\n";
	table *t;
	csv_info info;
	CHECK_INT(csvio_load_mem(csv, strlen(csv), NULL, &t, &info), MV_OK);
	results *r = results_create(table_nrows(t));
	local_opts lo;
	local_opts_init(&lo);
	CHECK_INT(local_run(t, 0, &lo, r, NULL), MV_OK);
	const char *p = path("m.jsonl");
	CHECK_INT(export_jsonl(t, 0, r, p, NULL), MV_OK);
	const char *j = slurp(p);
	CHECK(strstr(j, "\"addresses\":[\"a@x.com\",\"b@y.com\"]") != NULL);
	CHECK(strstr(j, "\"email\":\"q\\\\\\\"\\\"@x.com\"") != NULL);
	results_destroy(r);
	table_destroy(t);
}
