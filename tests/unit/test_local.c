/* local: the local pass over a table — statuses, dedupe, aliases, typos,
 * flags, suppression, junk, the summary and the re-check of one row. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/addr.h"
#include "mailvet/csvio.h"
#include "mailvet/lists.h"
#include "mailvet/local.h"
#include "mailvet/suppress.h"
#include "mailvet/text.h"

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

/* ---- the pass against a row-by-row model --------------------------------- */

/*
 * The pass runs on two threads in blocks, deals rows out to two dedupe
 * sets by hash and keeps no keys; the model below does none of that: it
 * parses each row alone and finds each key's first row by sorting. Sizes
 * cover one block and one thread, several blocks, and an odd tail.
 */
struct mrow {
	char key[RESULT_ADDR_CAP];   /* dedupe key, then mailbox key ("" none) */
	uint32_t row;
};

static int mrow_cmp(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* dup_of (1-based) for rows whose key is set, by the first of each key. */
static void model_firsts(struct mrow *m, size_t n, uint32_t *first_of)
{
	struct mrow *s = malloc((n ? n : 1) * sizeof(*s));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].key[0])
			s[k++] = m[i];
	qsort(s, k, sizeof(*s), mrow_cmp);
	for (size_t i = 0; i < k; i++)
		first_of[s[i].row] = i && strcmp(s[i].key, s[i - 1].key) == 0 ?
			first_of[s[i - 1].row] ? first_of[s[i - 1].row] : s[i - 1].row + 1 : 0;
	free(s);
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static char *model_csv(size_t rows, uint64_t seed)
{
	static const char *const locals[] = {
		"jane.doe", "JaneDoe", "jane.doe+news", "janedoe", "info", "Sales", "bob",
		"b.o.b", "bob+shop", "x_1", "admin+x", "\"quoted\"", "m\xc3\xbcller", "a",
		"no-reply", "Post.Master", "j.d",
	};
	static const char *const domains[] = {
		"gmail.com", "GMail.com", "googlemail.com", "hotmail.com", "outlook.com",
		"yahoo.com", "northwind.com", "gmial.com", "example.org", "xn--mller-kva.de",
		"m\xc3\xbcnchen.de", "blocked.com", "mail.blocked.com", "NorthWind.com",
	};
	static const char *const forms[] = {
		"%s@%s", "%s@%s", "%s@%s", " %s@%s ", "Jane Doe <%s@%s>", "mailto:%s@%s",
		"%s@@%s", "%s@%s, other@%s",
	};
	size_t cap = 64 + rows * 128, len = 0;
	char *csv = malloc(cap);
	len += (size_t)snprintf(csv, cap, "email\n");
	for (size_t i = 0; i < rows; i++) {
		char cell[160], q[330];
		uint32_t f = rnd(&seed) % 12;
		const char *l = locals[rnd(&seed) % (sizeof(locals) / sizeof(*locals))];
		const char *d = domains[rnd(&seed) % (sizeof(domains) / sizeof(*domains))];
		if (f == 8)
			snprintf(cell, sizeof(cell), "%s", rnd(&seed) % 2 ? "n/a" : "");
		else if (f >= 9)   /* many more mailboxes, spelled several ways */
			snprintf(cell, sizeof(cell), "%s%u@%s", l, rnd(&seed) % 300, d);
		else
			snprintf(cell, sizeof(cell), forms[f], l, d, d);
		size_t k = 0;
		q[k++] = '"';
		for (const char *p = cell; *p; p++) {
			if (*p == '"')
				q[k++] = '"';
			q[k++] = *p;
		}
		q[k++] = '"';
		q[k] = '\0';
		len += (size_t)snprintf(csv + len, cap - len, "%s\n", q);
	}
	return csv;
}

TEST(local_matches_a_row_by_row_model)
{
	static const size_t sizes[] = { 1, 700, 5000, 30011 };
	lists *l = NULL;
	CHECK_INT(lists_create(&l), MV_OK);
	suppress *sp = suppress_create();
	suppress_add(sp, "bob@northwind.com", 17);
	suppress_add(sp, "@blocked.com", 12);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(*sizes); z++) {
		size_t n = sizes[z];
		char *csv = model_csv(n, 0x5eed + z);
		long col;
		table *t = load(csv, &col);
		CHECK_INT(table_nrows(t), n);
		local_opts o;
		local_opts_init(&o);
		o.suppress = sp;
		o.lists = l;
		results *r = results_create(n);
		CHECK_INT(local_run(t, col, &o, r, NULL), MV_OK);

		struct mrow *m = calloc(n, sizeof(*m));
		uint8_t *status = calloc(n, 1), *reason = calloc(n, 1);
		uint32_t *flags = calloc(n, sizeof(uint32_t)), *dup = calloc(n, sizeof(uint32_t));
		uint32_t *alias = calloc(n, sizeof(uint32_t));
		size_t *local_len = calloc(n, sizeof(size_t));
		addr a;
		for (size_t i = 0; i < n; i++) {
			mv_str c = table_cell(t, i, (size_t)col);
			m[i].row = (uint32_t)i;
			addr_parse(c.p, c.len, &o.policy, &a);
			if (a.reason != REASON_NONE) {
				status[i] = LOCAL_INVALID;
				reason[i] = (uint8_t)a.reason;
				continue;
			}
			status[i] = LOCAL_CANDIDATE;
			if (lists_is_role(l, a.norm, a.local_len))
				flags[i] |= F_ROLE;
			if (suppress_match(sp, a.norm, a.len)) {
				status[i] = LOCAL_SUPPRESSED;
				reason[i] = REASON_SUPPRESSED;
				flags[i] |= F_SUPPRESSED;
				continue;
			}
			memcpy(m[i].key, a.norm, a.len + 1);
			text_lower(m[i].key, a.len);
			local_len[i] = a.local_len;
		}
		model_firsts(m, n, dup);
		for (size_t i = 0; i < n; i++) {
			char k[RESULT_ADDR_CAP];
			size_t kl = strlen(m[i].key);
			if (dup[i]) {
				status[i] = LOCAL_DUPLICATE;
				reason[i] = REASON_DUPLICATE;
				flags[i] |= F_DUPLICATE;
				m[i].key[0] = '\0';
			} else if (kl && lists_alias_key(l, m[i].key, local_len[i],
							  m[i].key + local_len[i] + 1,
							  kl - local_len[i] - 1, k, sizeof(k))) {
				memcpy(m[i].key, k, strlen(k) + 1);
			} else {
				m[i].key[0] = '\0';
			}
		}
		model_firsts(m, n, alias);
		for (size_t i = 0; i < n; i++)
			if (alias[i]) {
				status[i] = LOCAL_DUPLICATE;
				reason[i] = REASON_DUPLICATE;
				flags[i] |= F_ALIAS;
				dup[i] = alias[i];
			}
		size_t wrong = 0, dups = 0, aliases = 0;
		const uint32_t mine = F_ROLE | F_SUPPRESSED | F_DUPLICATE | F_ALIAS;
		for (size_t i = 0; i < n; i++) {
			const row_result *rr = &r->rows[i];
			dups += status[i] == LOCAL_DUPLICATE;
			aliases += (flags[i] & F_ALIAS) != 0;
			if (rr->local != status[i] || (status[i] != LOCAL_CANDIDATE && rr->reason != reason[i]) ||
			    rr->dup_of != dup[i] || (rr->flags & mine) != flags[i]) {
				if (wrong++ < 5)
					test_fail(__FILE__, __LINE__, "rows %zu, row %zu: status %d reason %d "
						  "dup_of %u flags %#x, model %d %d %u %#x", n, i,
						  (int)rr->local, (int)rr->reason, rr->dup_of,
						  (unsigned)(rr->flags & mine), status[i], reason[i],
						  dup[i], flags[i]);
			}
		}
		CHECK_INT(wrong, 0);
		if (n > 1000) {   /* the corpus has what it is meant to test */
			CHECK(dups > n / 10);
			CHECK(aliases > n / 100);
		}
		free(m);
		free(status);
		free(reason);
		free(flags);
		free(dup);
		free(alias);
		free(local_len);
		results_destroy(r);
		table_destroy(t);
		free(csv);
	}
	suppress_destroy(sp);
	lists_destroy(l);
}
