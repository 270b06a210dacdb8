/* local: the local pass over a table — statuses, dedupe, aliases, typos,
 * flags, suppression, junk, the summary and the re-check of one row. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "mailvet/csvio.h"
#include "mailvet/lists.h"
#include "mailvet/local.h"
#include "mailvet/suppress.h"

static table *load(const char *csv, long *col)
{
	table *t = NULL;
	csv_info info;
	csv_opts o;
	csv_opts_init(&o);
	o.header = 1;
	CHECK_INT(csvio_load_mem(csv, strlen(csv), &o, &t, &info), MV_OK);
	*col = info.email_col;
	return t;
}

static const char *str(const results *r, uint32_t id)
{
	return results_str(r, id).p;
}

/* The row's normalized address as a C string (one at a time). */
static const char *norm(const results *r, size_t row)
{
	static char buf[RESULT_ADDR_CAP];
	return results_normalized_cstr(r, row, buf);
}

/* Run over a one-column list of addresses (one a line). */
static results *run(const char *lines, const local_opts *o, local_summary *sum,
		    table **tp, long *col)
{
	char csv[8192];
	snprintf(csv, sizeof(csv), "email\n%s", lines);
	*tp = load(csv, col);
	results *r = results_create(table_nrows(*tp));
	CHECK_INT(local_run(*tp, *col, o, r, sum), MV_OK);
	return r;
}

TEST(local_degenerate)
{
	long col;
	local_opts o;
	local_opts_init(&o);
	table *t = load("email\n", &col);
	results *r = results_create(0);
	local_summary sum;
	CHECK_INT(local_run(t, col, &o, r, &sum), MV_OK);
	CHECK_INT(sum.rows, 0);
	CHECK_INT(sum.probes, 0);
	CHECK_INT(local_run(t, -1, &o, r, &sum), MV_USAGE);
	CHECK_INT(local_run(t, 5, &o, r, &sum), MV_USAGE);
	results *wrong = results_create(3);
	CHECK_INT(local_run(t, col, &o, wrong, &sum), MV_USAGE);
	results_destroy(wrong);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_statuses_and_flags)
{
	table *t;
	long col;
	local_opts o;
	local_summary s;
	local_opts_init(&o);
	results *r = run(
		"jane@northwind.com\n"          /* 1 candidate */
		"JANE@Northwind.com\n"          /* 2 duplicate of 1 */
		"  jane@northwind.com \n"       /* 3 duplicate of 1 */
		"n/a\n"                         /* 4 junk */
		"jane..doe@northwind.com\n"     /* 5 syntax */
		"someone@example.com\n"         /* 6 reserved */
		"info@northwind.com\n"          /* 7 role */
		"x7@mailinator.com\n"           /* 8 disposable */
		"max@gmail.com\n"               /* 9 free */
		"Jane Doe <jd@contoso.com>\n"   /* 10 display name */
		"\"\"\"john smith\"\"@contoso.com\"\n"  /* 11 quoted (CSV-escaped) */
		"j\xc3\xbcrgen@contoso.com\n"   /* 12 utf8 local */
		"\"a@x.com, b@y.com\"\n"        /* 13 several */
		"ana@gmial.com\n"               /* 14 typo */
		"tim@gmailcom\n",               /* 15 typo, single label */
		&o, &s, &t, &col);
	const row_result *rr = r->rows;
	CHECK_INT(rr[0].local, LOCAL_CANDIDATE);
	CHECK_STR(norm(r, 0), "jane@northwind.com");
	CHECK_STR(str(r, rr[0].domain), "northwind.com");
	CHECK_INT(rr[1].local, LOCAL_DUPLICATE);
	CHECK_INT(rr[1].reason, REASON_DUPLICATE);
	CHECK_INT(rr[1].dup_of, 1);
	CHECK(rr[1].flags & F_DUPLICATE);
	CHECK_STR(norm(r, 1), "JANE@northwind.com");   /* local part as typed */
	/* unchanged addresses name their cell's bytes; changed ones are copies */
	CHECK(rr[0].normalized & RESULT_NORM_CELL);
	CHECK(rr[2].normalized & RESULT_NORM_CELL);     /* the spaces around are left out */
	CHECK(!(rr[1].normalized & RESULT_NORM_CELL));
	CHECK(rr[9].normalized & RESULT_NORM_CELL);     /* inside the angle brackets */
	CHECK_INT(rr[2].dup_of, 1);
	CHECK_INT(rr[3].local, LOCAL_INVALID);
	CHECK_INT(rr[3].reason, REASON_JUNK);
	CHECK_INT(rr[4].reason, REASON_SYNTAX_ERROR);
	CHECK_INT(rr[5].reason, REASON_RESERVED_DOMAIN);
	CHECK(rr[6].flags & F_ROLE);
	CHECK_INT(rr[6].local, LOCAL_CANDIDATE);
	CHECK(rr[7].flags & F_DISPOSABLE);
	CHECK(!(rr[7].flags & F_FREE));
	CHECK(rr[8].flags & F_FREE);
	CHECK(rr[9].flags & F_DISPLAY_NAME);
	CHECK_STR(norm(r, 9), "jd@contoso.com");
	CHECK(rr[10].flags & F_QUOTED);
	CHECK_INT(rr[10].local, LOCAL_CANDIDATE);
	CHECK(rr[11].flags & F_UTF8_LOCAL);
	CHECK_INT(rr[12].reason, REASON_MULTIPLE_ADDRESSES);
	CHECK(rr[12].flags & F_MULTIPLE);
	CHECK_STR(str(r, rr[12].suggestion), "a@x.com");
	CHECK_INT(rr[13].local, LOCAL_CANDIDATE);
	CHECK(rr[13].flags & F_TYPO);
	CHECK_STR(str(r, rr[13].suggestion), "ana@gmail.com");
	CHECK_INT(rr[14].local, LOCAL_INVALID);
	CHECK(rr[14].flags & F_TYPO);
	CHECK_STR(str(r, rr[14].suggestion), "tim@gmail.com");
	/* the summary and the cost preview */
	CHECK_INT(s.rows, 15);
	CHECK_INT(s.duplicates, 2);
	CHECK_INT(s.junk, 1);
	CHECK_INT(s.invalid, 5);   /* junk, syntax, reserved, several, one-label */
	CHECK_INT(s.candidates, 8);
	CHECK_INT(s.candidates + s.invalid + s.duplicates + s.suppressed, s.rows);
	CHECK_INT(s.typos, 2);
	CHECK_INT(s.reason[REASON_SYNTAX_ERROR], 2);
	CHECK_INT(s.reason[REASON_MULTIPLE_ADDRESSES], 1);
	/* northwind.com mailinator.com gmail.com contoso.com gmial.com */
	CHECK_INT(s.domains, 5);
	CHECK_INT(s.probes, 8 + 5);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_aliases)
{
	table *t;
	long col;
	local_opts o;
	local_summary s;
	local_opts_init(&o);
	results *r = run(
		"Jane.Doe@googlemail.com\n"      /* 1 */
		"janedoe@gmail.com\n"            /* 2 alias of 1 */
		"jane.doe+news@gmail.com\n"      /* 3 alias of 1 */
		"JANEDOE@GMAIL.COM\n"            /* 4 duplicate of 2 */
		"bob+shop@hotmail.com\n"         /* 5 */
		"bob@hotmail.com\n"              /* 6 alias of 5 */
		"b.o.b@hotmail.com\n"            /* 7 dots count at hotmail */
		"sam.x@yahoo.com\n"              /* 8 */
		"samx@yahoo.com\n",              /* 9 yahoo: no rule */
		&o, &s, &t, &col);
	const row_result *rr = r->rows;
	CHECK_INT(rr[0].local, LOCAL_CANDIDATE);
	CHECK_INT(rr[1].local, LOCAL_DUPLICATE);
	CHECK(rr[1].flags & F_ALIAS);
	CHECK(!(rr[1].flags & F_DUPLICATE));
	CHECK_INT(rr[1].dup_of, 1);
	CHECK_INT(rr[2].dup_of, 1);
	CHECK(rr[2].flags & F_ALIAS);
	CHECK(rr[3].flags & F_DUPLICATE);
	CHECK_INT(rr[3].dup_of, 2);
	CHECK_INT(rr[4].local, LOCAL_CANDIDATE);
	CHECK(rr[5].flags & F_ALIAS);
	CHECK_INT(rr[5].dup_of, 5);
	CHECK_INT(rr[6].local, LOCAL_CANDIDATE);
	CHECK_INT(rr[7].local, LOCAL_CANDIDATE);
	CHECK_INT(rr[8].local, LOCAL_CANDIDATE);
	CHECK_INT(s.aliases, 3);
	results_destroy(r);
	table_destroy(t);
	/* --no-aliases */
	o.no_aliases = true;
	r = run("jane.doe@gmail.com\njanedoe@gmail.com\nJANE.DOE@gmail.com\n", &o, &s, &t, &col);
	CHECK_INT(r->rows[1].local, LOCAL_CANDIDATE);
	CHECK_INT(r->rows[2].local, LOCAL_DUPLICATE);
	CHECK_INT(s.aliases, 0);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_suppression_and_policy)
{
	table *t;
	long col;
	local_opts o;
	local_summary s;
	suppress *sp = suppress_create();
	suppress_add(sp, "bad@northwind.com", 17);
	suppress_add(sp, "@blocked.com", 12);
	local_opts_init(&o);
	o.suppress = sp;
	o.policy.allow_reserved = true;
	results *r = run("bad@northwind.com\nBAD@northwind.com\nx@mail.blocked.com\n"
			 "ok@northwind.com\nuser@northwind.test\n", &o, &s, &t, &col);
	CHECK_INT(r->rows[0].local, LOCAL_SUPPRESSED);
	CHECK_INT(r->rows[0].reason, REASON_SUPPRESSED);
	CHECK(r->rows[0].flags & F_SUPPRESSED);
	CHECK_INT(r->rows[1].local, LOCAL_SUPPRESSED);
	CHECK_INT(r->rows[2].local, LOCAL_SUPPRESSED);
	CHECK_INT(r->rows[3].local, LOCAL_CANDIDATE);
	CHECK_INT(r->rows[4].local, LOCAL_CANDIDATE);   /* allowed reserved */
	CHECK_INT(s.suppressed, 3);
	CHECK_INT(s.probes, 2 + 2);
	results_destroy(r);
	table_destroy(t);
	suppress_destroy(sp);
}

TEST(local_fix_typos)
{
	table *t;
	long col;
	local_opts o;
	local_summary s;
	local_opts_init(&o);
	o.fix_typos = true;
	results *r = run("ana@gmial.com\nana@gmail.com\ntim@gmailcom\nok@contoso.com\n",
			 &o, &s, &t, &col);
	CHECK(r->rows[0].flags & F_FIXED);
	CHECK_STR(norm(r, 0), "ana@gmail.com");
	CHECK_STR(str(r, r->rows[0].domain), "gmail.com");
	CHECK_INT(r->rows[0].local, LOCAL_CANDIDATE);
	CHECK_INT(r->rows[1].local, LOCAL_DUPLICATE);    /* the fixed row came first */
	CHECK_INT(r->rows[1].dup_of, 1);
	CHECK_INT(r->rows[2].local, LOCAL_CANDIDATE);    /* one label, fixed */
	CHECK(r->rows[2].flags & F_FIXED);
	CHECK_INT(s.fixed, 2);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_list_evidence)
{
	/* a company domain seen often corrects its rare look-alike */
	char lines[4096];
	size_t off = 0;
	for (int i = 0; i < 30; i++)
		off += (size_t)snprintf(lines + off, sizeof(lines) - off,
					"user%d@bluestone-traders.com\n", i);
	snprintf(lines + off, sizeof(lines) - off, "x@bluestone-tarders.com\n");
	table *t;
	long col;
	local_opts o;
	local_summary s;
	local_opts_init(&o);
	results *r = run(lines, &o, &s, &t, &col);
	CHECK(r->rows[30].flags & F_TYPO);
	CHECK_STR(str(r, r->rows[30].suggestion), "x@bluestone-traders.com");
	CHECK(!(r->rows[0].flags & F_TYPO));
	CHECK_INT(s.typos, 1);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_extra_lists)
{
	const char *dir = test_tmpdir();
	char role[512], disp[512], fr[512];
	snprintf(role, sizeof(role), "%s/role.txt", dir);
	snprintf(disp, sizeof(disp), "%s/disp.txt", dir);
	snprintf(fr, sizeof(fr), "%s/free.txt", dir);
	FILE *fp = fopen(role, "w");
	fputs("# ours\nboss\n", fp);
	fclose(fp);
	fp = fopen(disp, "w");
	fputs("burner.org\n", fp);
	fclose(fp);
	fp = fopen(fr, "w");
	fputs("@freebie.net\n", fp);
	fclose(fp);
	table *t;
	long col;
	local_opts o;
	local_summary s;
	local_opts_init(&o);
	o.role_list = role;
	o.disposable_list = disp;
	o.free_list = fr;
	results *r = run("boss@contoso.com\nx@sub.burner.org\ny@freebie.net\n", &o, &s, &t, &col);
	CHECK(r->rows[0].flags & F_ROLE);
	CHECK(r->rows[1].flags & F_DISPOSABLE);
	CHECK(r->rows[2].flags & F_FREE);
	results_destroy(r);
	table_destroy(t);
	/* a named list that is missing is an error */
	o.role_list = "/nonexistent/role.txt";
	long c2;
	table *t2 = load("email\na@b.com\n", &c2);
	results *r2 = results_create(1);
	CHECK_INT(local_run(t2, c2, &o, r2, NULL), MV_NOENT);
	results_destroy(r2);
	table_destroy(t2);
}

/* A fix moves a row off an address other rows were duplicates of: the
 * first of them owns it now, the rest are its duplicates (aliases too). */
TEST(local_recheck_releases_duplicates)
{
	table *t;
	long col;
	local_opts o;
	local_opts_init(&o);
	results *r = run("bob@hotmial.com\nzed@contoso.com\nbob@hotmial.com\nBOB@hotmial.com\n"
			 "jane.doe@gmail.com\njanedoe@gmail.com\nj.anedoe@gmail.com\n",
			 &o, NULL, &t, &col);
	CHECK_INT(r->rows[2].dup_of, 1);
	CHECK_INT(r->rows[3].dup_of, 1);
	CHECK(r->rows[5].flags & F_ALIAS);
	CHECK_INT(r->rows[5].dup_of, 5);
	CHECK_INT(r->rows[6].dup_of, 5);
	CHECK_INT(local_recheck_row(&o, r, 0, "bob@hotmail.com", 15), MV_OK);
	CHECK_INT(r->rows[0].local, LOCAL_CANDIDATE);
	CHECK_INT(r->rows[2].local, LOCAL_CANDIDATE);
	CHECK_INT(r->rows[2].dup_of, 0);
	CHECK(!(r->rows[2].flags & F_DUPLICATE));
	CHECK_INT(r->rows[3].local, LOCAL_DUPLICATE);
	CHECK_INT(r->rows[3].dup_of, 3);
	CHECK_INT(r->rows[1].local, LOCAL_CANDIDATE);
	/* the alias owner changes address: the first alias takes over */
	CHECK_INT(local_recheck_row(&o, r, 4, "jane@contoso.com", 16), MV_OK);
	CHECK_INT(r->rows[5].local, LOCAL_CANDIDATE);
	CHECK(!(r->rows[5].flags & F_ALIAS));
	CHECK_INT(r->rows[6].local, LOCAL_DUPLICATE);
	CHECK(r->rows[6].flags & F_ALIAS);
	CHECK_INT(r->rows[6].dup_of, 6);
	/* a fix to an invalid address releases them as well */
	CHECK_INT(local_recheck_row(&o, r, 2, "not an address", 14), MV_OK);
	CHECK_INT(r->rows[2].local, LOCAL_INVALID);
	CHECK_INT(r->rows[3].local, LOCAL_CANDIDATE);
	CHECK_INT(r->rows[3].dup_of, 0);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_recheck)
{
	table *t;
	long col;
	local_opts o;
	local_summary s;
	local_opts_init(&o);
	results *r = run("ana@gmial.com\nana@gmail.com\nbob@contoso.com\nnot an address\n",
			 &o, &s, &t, &col);
	CHECK(r->rows[0].flags & F_TYPO);
	/* accept the suggestion of row 1: now the same as row 2 */
	mv_str sg = results_str(r, r->rows[0].suggestion);
	char fix[64];
	snprintf(fix, sizeof(fix), "%.*s", (int)sg.len, sg.p);
	CHECK_INT(local_recheck_row(&o, r, 0, fix, strlen(fix)), MV_OK);
	CHECK(r->rows[0].flags & F_FIXED);
	CHECK_INT(r->rows[0].local, LOCAL_DUPLICATE);
	CHECK_INT(r->rows[0].dup_of, 2);
	/* an edit of the junk row */
	CHECK_INT(local_recheck_row(&o, r, 3, "dora@contoso.com", 16), MV_OK);
	CHECK_INT(r->rows[3].local, LOCAL_CANDIDATE);
	CHECK_STR(norm(r, 3), "dora@contoso.com");
	/* an edit that is itself a typo gets a suggestion */
	CHECK_INT(local_recheck_row(&o, r, 2, "bob@hotmial.com", 15), MV_OK);
	CHECK(r->rows[2].flags & F_TYPO);
	CHECK_STR(str(r, r->rows[2].suggestion), "bob@hotmail.com");
	CHECK_INT(local_recheck_row(&o, r, 9, "x@y.com", 7), MV_USAGE);
	CHECK_INT(local_summarize(r, &s), MV_OK);
	CHECK_INT(s.candidates, 3);
	CHECK_INT(s.duplicates, 1);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_keeps_engine_fields)
{
	table *t;
	long col;
	local_opts o;
	local_opts_init(&o);
	t = load("email\na@contoso.com\n", &col);
	results *r = results_create(1);
	r->rows[0].verdict = VERDICT_DELIVERABLE;
	r->rows[0].flags = F_CATCH_ALL;
	r->rows[0].smtp_code = 250;
	CHECK_INT(local_run(t, col, &o, r, NULL), MV_OK);
	CHECK_INT(r->rows[0].verdict, VERDICT_DELIVERABLE);
	CHECK(r->rows[0].flags & F_CATCH_ALL);
	CHECK_INT(r->rows[0].smtp_code, 250);
	results_destroy(r);
	table_destroy(t);
}

TEST(local_summary_text)
{
	local_summary s = { 0 };
	s.rows = 10;
	s.candidates = 6;
	s.domains = 2;
	s.probes = 8;
	s.reason[REASON_JUNK] = 4;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	local_summary_print(fp, &s);
	fclose(fp);
	CHECK(strstr(text, "10 rows: 6 candidates") != NULL);
	CHECK(strstr(text, "junk") != NULL);
	CHECK(strstr(text, "8 probes") != NULL);
	free(text);
}
