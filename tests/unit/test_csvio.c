/* csvio: loading real-world CSV and writing it back. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailvet/csvio.h"
#include "../common/csv_same.h"

/* Load with the fast path and with libcsv alone; the two must agree. */
static const char *load_both(const char *data, size_t n, const csv_opts *o,
			     mv_status *st, table **t, csv_info *info)
{
	csv_opts ref = *o;
	static csv_info rinfo;
	table *rt = NULL;
	ref.libcsv_only = true;
	*st = csvio_load_mem(data, n, o, t, info);
	mv_status rst = csvio_load_mem(data, n, &ref, &rt, &rinfo);
	const char *diff = csv_same(*st, *t, info, rst, rt, &rinfo);
	table_destroy(rt);
	return diff;
}

static table *load(const char *data, size_t n, csv_info *info)
{
	table *t = NULL;
	csv_opts o;
	mv_status st;
	csv_opts_init(&o);
	const char *diff = load_both(data, n, &o, &st, &t, info);
	if (diff)
		test_fail(__FILE__, __LINE__, "fast path and libcsv differ: %s", diff);
	if (st)
		test_fail(__FILE__, __LINE__, "load failed: %s", status_message(st));
	return t;
}

#define LOAD(s, info) load((s), sizeof(s) - 1, (info))

static char *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	*n = 0;
	if (!fp)
		return calloc(1, 1);
	char *p = malloc(1 << 20);
	*n = fread(p, 1, 1 << 20, fp);
	fclose(fp);
	return p;
}

static void path_in_tmp(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", test_tmpdir(), name);
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *fp = fopen(path, "wb");
	fwrite(data, 1, n, fp);
	fclose(fp);
}

/* Degenerate input first. */
TEST(csvio_empty_input)
{
	table *t = NULL;
	csv_info info;
	CHECK_INT(csvio_load_mem("", 0, NULL, &t, &info), MV_EMPTY);
	CHECK(t == NULL);
	CHECK_INT(csvio_load_mem("\xef\xbb\xbf", 3, NULL, &t, &info), MV_EMPTY);
	CHECK(t == NULL);
}

TEST(csvio_missing_file)
{
	table *t = NULL;
	csv_info info;
	CHECK_INT(csvio_load("/nonexistent/nope.csv", NULL, &t, &info), MV_NOENT);
	CHECK(t == NULL);
	CHECK_INT(csvio_load("/", NULL, &t, &info), MV_IO);
}

TEST(csvio_binary_rejected)
{
	table *t = NULL;
	csv_info info;
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
	CHECK_INT(csvio_load_mem(elf, sizeof(elf) - 1, NULL, &t, &info), MV_BINARY);
	CHECK(info.ndiag == 1 && strstr(info.diag[0].msg, "ELF"));
	static const char zip[] = "PK\x03\x04\x14\0\x06\0";
	CHECK_INT(csvio_load_mem(zip, sizeof(zip) - 1, NULL, &t, &info), MV_BINARY);
	CHECK(strstr(info.diag[0].msg, "xlsx") != NULL);
	static const char u16[] = "\xff\xfe" "e\0m\0a\0i\0l\0\n\0";
	CHECK_INT(csvio_load_mem(u16, sizeof(u16) - 1, NULL, &t, &info), MV_BINARY);
	CHECK(strstr(info.diag[0].msg, "UTF-16") != NULL);
	char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)((i * 7919u) & 0xff);
	CHECK_INT(csvio_load_mem(junk, sizeof(junk), NULL, &t, &info), MV_BINARY);
	CHECK(t == NULL);
}

/* Random bytes of any size a user might feed in are refused every time
 * (a 4 KiB /dev/urandom file once slipped under the control-byte line),
 * while an 8-bit legacy text is not. */
TEST(csvio_random_bytes_always_rejected)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	static char buf[8192];
	int refused = 0, tries = 3000;
	for (int k = 0; k < tries; k++) {
		size_t n = 512 + (size_t)(k * 37) % (sizeof(buf) - 512);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			buf[i] = (char)(x >> 24);
		}
		table *t = NULL;
		csv_info info;
		mv_status st = csvio_load_mem(buf, n, NULL, &t, &info);
		if (st == MV_BINARY)
			refused++;
		else
			table_destroy(t);
	}
	CHECK_INT(refused, tries);

	static char latin1[4096];
	size_t n = 0;
	n += (size_t)snprintf(latin1, sizeof(latin1), "name;email\n");
	while (n + 40 < sizeof(latin1))
		n += (size_t)snprintf(latin1 + n, sizeof(latin1) - n,
				      "Jos\xe9 M\xfcller \xc5str\xf6m;jose@x.test\n");
	table *t = NULL;
	csv_info info;
	CHECK_INT(csvio_load_mem(latin1, n, NULL, &t, &info), MV_OK);
	table_destroy(t);
}

TEST(csvio_basic_comma_header)
{
	csv_info info;
	table *t = LOAD("name,email,company\nJane,jane@a.test,Acme\nJoe,joe@b.test,Beta\n", &info);
	if (!t)
		return;
	CHECK_INT(info.delimiter, ',');
	CHECK(info.delimiter_sniffed);
	CHECK(info.has_header);
	CHECK_INT(table_nrows(t), 2);
	CHECK_INT(table_ncols(t), 3);
	mv_str s = table_col_name(t, 1);
	CHECK_MEM(s.p, s.len, "email");
	s = table_cell(t, 1, 2);
	CHECK_MEM(s.p, s.len, "Beta");
	CHECK_INT(info.email_col, 1);
	CHECK_STR(info.email_col_how, "header name");
	CHECK_STR(info.eol, "\n");
	CHECK_INT(table_row_line(t, 0), 2);
	CHECK_INT(table_row_line(t, 1), 3);
	CHECK_INT(info.lines, 3);
	table_destroy(t);
}

TEST(csvio_sniff_delimiters)
{
	CHECK_INT(csvio_sniff("a;b;c\n1;2;3\n", 12), ';');
	CHECK_INT(csvio_sniff("a\tb\tc\n1\t2\t3\n", 12), '\t');
	CHECK_INT(csvio_sniff("a|b|c\n1|2|3\n", 12), '|');
	CHECK_INT(csvio_sniff("a,b,c\n1,2,3\n", 12), ',');
	/* commas inside quotes and inside one column do not fool it */
	const char *s = "name;note;email\n\"Doe, J\";\"a, b, c\";j@x.test\nAl;x,y;a@y.test\n";
	CHECK_INT(csvio_sniff(s, strlen(s)), ';');
	/* a single column file */
	CHECK_INT(csvio_sniff("email\na@b.test\n", 15), ',');
}

TEST(csvio_semicolon_tab_pipe_load)
{
	csv_info info;
	table *t = LOAD("Nom;Courriel\nDupont;d@x.test\n", &info);
	if (t) {
		CHECK_INT(info.delimiter, ';');
		CHECK_INT(info.email_col, 1);
		mv_str s = table_cell(t, 0, 1);
		CHECK_MEM(s.p, s.len, "d@x.test");
		table_destroy(t);
	}
	t = LOAD("id\temail\n1\ta@x.test\n2\tb@x.test\n", &info);
	if (t) {
		CHECK_INT(info.delimiter, '\t');
		CHECK_INT(table_ncols(t), 2);
		table_destroy(t);
	}
	t = LOAD("id|E-Mail Address\n1|a@x.test\n", &info);
	if (t) {
		CHECK_INT(info.delimiter, '|');
		CHECK_INT(info.email_col, 1);
		table_destroy(t);
	}
}

TEST(csvio_delimiter_override)
{
	csv_opts o;
	csv_info info;
	table *t = NULL;
	csv_opts_init(&o);
	o.delimiter = ';';
	CHECK_INT(csvio_load_mem("a,b;c\n1,2;3\n", 12, &o, &t, &info), MV_OK);
	CHECK_INT(table_ncols(t), 2);
	CHECK(!info.delimiter_sniffed);
	mv_str s = table_cell(t, 0, 0);
	CHECK_MEM(s.p, s.len, "1,2");
	table_destroy(t);
}

TEST(csvio_bom_stripped_and_kept)
{
	csv_info info;
	table *t = LOAD("\xef\xbb\xbf" "email,name\na@x.test,A\n", &info);
	if (!t)
		return;
	CHECK(info.bom);
	mv_str s = table_col_name(t, 0);
	CHECK_MEM(s.p, s.len, "email");
	CHECK_INT(info.email_col, 0);
	char out[512];
	path_in_tmp(out, sizeof(out), "bom.csv");
	csv_wopts w = { .delimiter = ',', .eol = info.eol, .bom = info.bom };
	CHECK_INT(csvio_write(t, out, NULL, 0, &w), MV_OK);
	size_t n = 0;
	char *bytes = slurp(out, &n);
	CHECK_MEM(bytes, n, "\xef\xbb\xbf" "email,name\na@x.test,A\n");
	free(bytes);
	table_destroy(t);
}

TEST(csvio_line_endings)
{
	csv_info info;
	table *t = LOAD("email\r\na@x.test\r\n\r\nb@x.test\r\nc@x.test", &info);
	if (t) {
		CHECK_STR(info.eol, "\r\n");
		CHECK_INT(table_nrows(t), 3);
		CHECK_INT(table_row_line(t, 0), 2);
		CHECK_INT(table_row_line(t, 1), 4);
		CHECK_INT(table_row_line(t, 2), 5);
		CHECK_INT(info.empty_lines, 1);
		CHECK_INT(info.lines, 5);
		mv_str s = table_cell(t, 2, 0);
		CHECK_MEM(s.p, s.len, "c@x.test");
		table_destroy(t);
	}
	t = LOAD("email\ra@x.test\rb@x.test\r", &info);
	if (t) {
		CHECK_STR(info.eol, "\r");
		CHECK_INT(table_nrows(t), 2);
		CHECK_INT(table_row_line(t, 1), 3);
		table_destroy(t);
	}
	/* mixed: LF file with one CRLF line */
	t = LOAD("email\na@x.test\r\nb@x.test\n", &info);
	if (t) {
		CHECK_INT(table_nrows(t), 2);
		CHECK_INT(table_row_line(t, 1), 3);
		table_destroy(t);
	}
}

TEST(csvio_quoted_fields)
{
	csv_info info;
	const char src[] =
		"name,note,email\n"
		"\"Doe, Jane\",\"said \"\"hi\"\"\nand left\",jane@x.test\n"
		"Bob,\"multi\r\nline\r\nnote\",bob@x.test\n"
		"Al,plain,al@x.test\n";
	table *t = LOAD(src, &info);
	if (!t)
		return;
	CHECK_INT(table_nrows(t), 3);
	mv_str s = table_cell(t, 0, 0);
	CHECK_MEM(s.p, s.len, "Doe, Jane");
	s = table_cell(t, 0, 1);
	CHECK_MEM(s.p, s.len, "said \"hi\"\nand left");
	s = table_cell(t, 1, 1);
	CHECK_MEM(s.p, s.len, "multi\r\nline\r\nnote");
	CHECK_INT(table_row_line(t, 0), 2);
	CHECK_INT(table_row_line(t, 1), 4);
	CHECK_INT(table_row_line(t, 2), 7);
	CHECK_INT(info.email_col, 2);
	table_destroy(t);
}

TEST(csvio_spaces_kept_exactly)
{
	csv_info info;
	table *t = LOAD("email,name\n  a@x.test ,\" B \"\n\t,   \n", &info);
	if (!t)
		return;
	mv_str s = table_cell(t, 0, 0);
	CHECK_MEM(s.p, s.len, "  a@x.test ");
	s = table_cell(t, 0, 1);
	CHECK_MEM(s.p, s.len, " B ");
	s = table_cell(t, 1, 0);
	CHECK_MEM(s.p, s.len, "\t");
	s = table_cell(t, 1, 1);
	CHECK_MEM(s.p, s.len, "   ");
	table_destroy(t);
}

TEST(csvio_ragged_rows_flagged)
{
	csv_info info;
	table *t = LOAD("a,b,email\n1,2,x@y.test\n1,y@y.test\n1,2,z@y.test,extra,more\n", &info);
	if (!t)
		return;
	CHECK_INT(table_nrows(t), 3);
	CHECK_INT(table_row_flags(t, 0), 0);
	CHECK(table_row_flags(t, 1) & ROW_SHORT);
	CHECK(table_row_flags(t, 2) & ROW_LONG);
	CHECK_INT(table_row_nfields(t, 2), 5);
	mv_str s = table_cell(t, 2, 4);
	CHECK_MEM(s.p, s.len, "more");
	s = table_cell(t, 1, 2);           /* missing cell reads empty */
	CHECK_INT(s.len, 0);
	CHECK_INT(info.flagged[0], 1);
	CHECK_INT(info.flagged[1], 1);
	CHECK(info.ndiag >= 2 && info.diag[0].line == 3);
	table_destroy(t);
}

TEST(csvio_missing_header_detected)
{
	csv_info info;
	table *t = LOAD("Jane,jane@x.test,Acme\nJoe,joe@x.test,Beta\n", &info);
	if (!t)
		return;
	CHECK(!info.has_header);
	CHECK(info.header_detected);
	CHECK_INT(table_nrows(t), 2);
	mv_str s = table_col_name(t, 1);
	CHECK_MEM(s.p, s.len, "column2");
	CHECK_INT(info.email_col, 1);
	CHECK_STR(info.email_col_how, "content");
	CHECK_INT(table_row_line(t, 0), 1);
	table_destroy(t);

	t = LOAD("1,2\n3,4\n", &info);
	if (t) {
		CHECK(!info.has_header);
		CHECK_INT(info.email_col, -1);
		table_destroy(t);
	}
}

TEST(csvio_header_override)
{
	csv_opts o;
	csv_info info;
	table *t = NULL;
	csv_opts_init(&o);
	o.header = 1;
	CHECK_INT(csvio_load_mem("a@x.test\nb@x.test\n", 18, &o, &t, &info), MV_OK);
	CHECK(info.has_header && !info.header_detected);
	CHECK_INT(table_nrows(t), 1);
	table_destroy(t);
	o.header = 0;
	CHECK_INT(csvio_load_mem("email\nb@x.test\n", 15, &o, &t, &info), MV_OK);
	CHECK_INT(table_nrows(t), 2);
	table_destroy(t);
}

TEST(csvio_email_column_by_content_and_override)
{
	csv_info info;
	/* header names give no hint: content decides */
	table *t = LOAD("who,contact,notes\nA,a@x.test,n\nB,b@x.test,has @ sign\nC,c@x.test,\n", &info);
	if (t) {
		CHECK_INT(info.email_col, 1);
		CHECK_STR(info.email_col_how, "content");
		table_destroy(t);
	}
	/* two email columns: the named one wins, the other is mentioned */
	t = LOAD("name,Email Address,Secondary Email\nA,a@x.test,a2@x.test\nB,b@x.test,b2@x.test\n", &info);
	if (t) {
		CHECK_INT(info.email_col, 1);
		CHECK(strstr(info.email_col_note, "Secondary Email") != NULL);
		CHECK_INT(csvio_find_email_col(t, "3", &info), 2);
		CHECK_STR(info.email_col_how, "--column");
		CHECK_INT(csvio_find_email_col(t, "secondary email", &info), 2);
		CHECK_INT(csvio_find_email_col(t, "nope", &info), -1);
		CHECK_INT(csvio_find_email_col(t, "9", &info), -1);
		table_destroy(t);
	}
	/* an empty "email" column loses to a column full of addresses */
	t = LOAD("email,contact\n,a@x.test\n,b@x.test\n,c@x.test\n", &info);
	if (t) {
		CHECK_INT(info.email_col, 1);
		table_destroy(t);
	}
	/* correo, e-mail, mail */
	t = LOAD("Nombre,Correo\nAna,ana@x.test\n", &info);
	if (t) {
		CHECK_INT(info.email_col, 1);
		table_destroy(t);
	}
}

TEST(csvio_non_utf8_kept)
{
	csv_info info;
	/* Latin-1 "Müller" and an invalid sequence */
	table *t = LOAD("name,email\nM\xfcller,m@x.test\nOK \xc3\xa9,o@x.test\n", &info);
	if (!t)
		return;
	CHECK(table_row_flags(t, 0) & ROW_NOT_UTF8);
	CHECK(!(table_row_flags(t, 1) & ROW_NOT_UTF8));
	mv_str s = table_cell(t, 0, 0);
	CHECK_MEM(s.p, s.len, "M\xfcller");
	CHECK_INT(info.flagged[5], 1);
	char out[512];
	path_in_tmp(out, sizeof(out), "latin1.csv");
	csv_wopts w = { .eol = "\n" };
	CHECK_INT(csvio_write(t, out, NULL, 0, &w), MV_OK);
	size_t n = 0;
	char *bytes = slurp(out, &n);
	CHECK_MEM(bytes, n, "name,email\nM\xfcller,m@x.test\nOK \xc3\xa9,o@x.test\n");
	free(bytes);
	table_destroy(t);
}

TEST(csvio_nul_byte_flagged)
{
	csv_info info;
	static const char src[] = "email,name\na@x.test,A\0B\nb@x.test,C\n";
	table *t = load(src, sizeof(src) - 1, &info);
	if (!t)
		return;
	CHECK_INT(table_nrows(t), 2);
	CHECK(table_row_flags(t, 0) & ROW_HAS_NUL);
	mv_str s = table_cell(t, 0, 1);
	CHECK_INT(s.len, 3);
	CHECK(memcmp(s.p, "A\0B", 3) == 0);
	CHECK(info.ndiag >= 1 && info.diag[0].line == 2 && info.diag[0].col == 2);
	CHECK(strstr(info.diag[0].msg, "NUL") != NULL);
	table_destroy(t);
}

TEST(csvio_unterminated_quote)
{
	csv_info info;
	table *t = LOAD("email,note\na@x.test,ok\nb@x.test,\"open\nc@x.test,x\n", &info);
	if (!t)
		return;
	CHECK_INT(table_nrows(t), 2);
	CHECK(table_row_flags(t, 1) & ROW_UNTERMINATED);
	mv_str s = table_cell(t, 1, 1);
	CHECK_MEM(s.p, s.len, "open\nc@x.test,x\n");
	CHECK(info.ndiag == 1 && info.diag[0].line == 3 && info.diag[0].col == 2);
	CHECK(strstr(info.diag[0].msg, "never closed") != NULL);
	table_destroy(t);
}

TEST(csvio_field_limit)
{
	csv_opts o;
	csv_info info;
	table *t = NULL;
	csv_opts_init(&o);
	o.max_field = 8;
	CHECK_INT(csvio_load_mem("email,n\na@x.test,123456789\nb@x.test,1\n", 38, &o, &t, &info), MV_OK);
	if (!t)
		return;
	CHECK(table_row_flags(t, 0) & ROW_FIELD_TOOBIG);
	CHECK(!(table_row_flags(t, 1) & ROW_FIELD_TOOBIG));
	mv_str s = table_cell(t, 0, 1);
	CHECK_MEM(s.p, s.len, "123456789");   /* kept whole */
	CHECK(strstr(info.diag[0].msg, "limit") != NULL);
	table_destroy(t);
}

TEST(csvio_write_quotes_only_where_needed)
{
	CHECK(!csvio_needs_quote("plain", 5, ','));
	CHECK(!csvio_needs_quote(" spaced ", 8, ','));
	CHECK(csvio_needs_quote("a,b", 3, ','));
	CHECK(!csvio_needs_quote("a,b", 3, ';'));
	CHECK(csvio_needs_quote("a;b", 3, ';'));
	CHECK(csvio_needs_quote("say \"x\"", 7, ','));
	CHECK(csvio_needs_quote("a\nb", 3, ','));
	CHECK(csvio_needs_quote("a\rb", 3, ','));

	char out[512];
	path_in_tmp(out, sizeof(out), "w.csv");
	csv_writer *w;
	CHECK_INT(csvw_open(&w, out, NULL), MV_OK);
	csvw_field(w, "a", 1);
	csvw_field(w, "b,c", 3);
	csvw_field(w, "d\"e", 3);
	csvw_field(w, "", 0);
	csvw_end_row(w);
	csvw_field(w, "x\ny", 3);
	csvw_end_row(w);
	CHECK_INT(csvw_commit(w), MV_OK);
	size_t n = 0;
	char *bytes = slurp(out, &n);
	CHECK_MEM(bytes, n, "a,\"b,c\",\"d\"\"e\",\r\n\"x\ny\"\r\n");
	free(bytes);
}

/* Load, write, load again: the same fields. */
static void roundtrip(const char *src, size_t len)
{
	csv_info a, b;
	table *t1 = load(src, len, &a), *t2 = NULL;
	if (!t1)
		return;
	char out[512];
	path_in_tmp(out, sizeof(out), "rt.csv");
	csv_wopts w = { .delimiter = a.delimiter, .eol = a.eol, .bom = a.bom };
	CHECK_INT(csvio_write(t1, out, NULL, 0, &w), MV_OK);
	csv_opts o;
	csv_opts_init(&o);
	o.delimiter = a.delimiter;
	o.header = a.has_header;
	CHECK_INT(csvio_load(out, &o, &t2, &b), MV_OK);
	if (!t2) {
		table_destroy(t1);
		return;
	}
	CHECK_INT(table_nrows(t2), table_nrows(t1));
	CHECK_INT(table_ncols(t2), table_ncols(t1));
	CHECK_INT(b.bom, a.bom);
	for (size_t c = 0; c < table_ncols(t1); c++) {
		mv_str x = table_col_name(t1, c), y = table_col_name(t2, c);
		CHECK(x.len == y.len && memcmp(x.p, y.p, x.len) == 0);
	}
	for (size_t r = 0; r < table_nrows(t1) && r < table_nrows(t2); r++) {
		CHECK_INT(table_row_nfields(t2, r), table_row_nfields(t1, r));
		for (size_t c = 0; c < table_row_nfields(t1, r); c++) {
			mv_str x = table_cell(t1, r, c), y = table_cell(t2, r, c);
			if (x.len != y.len || memcmp(x.p, y.p, x.len) != 0)
				test_fail(__FILE__, __LINE__, "row %zu col %zu differs", r, c);
		}
	}
	table_destroy(t1);
	table_destroy(t2);
}

TEST(csvio_roundtrip_field_for_field)
{
	static const char a[] =
		"\xef\xbb\xbfname;note;email\r\n"
		"\"Doe; Jane\";\"line1\r\nline2 \"\"q\"\"\";jane@x.test\r\n"
		"  sp  ;;\r\n"
		"M\xfcller;\"\";m@x.test;extra\r\n"
		"\"\"\r\n";
	roundtrip(a, sizeof(a) - 1);
	static const char b[] = "email\n\"\"\na@x.test\n";
	roundtrip(b, sizeof(b) - 1);
	static const char c[] = "a\tb\n\"x\ty\"\tz\n";
	roundtrip(c, sizeof(c) - 1);
}

TEST(csvio_write_refuses_input)
{
	char in[512], link[512], out[512];
	path_in_tmp(in, sizeof(in), "input.csv");
	path_in_tmp(link, sizeof(link), "input-link.csv");
	path_in_tmp(out, sizeof(out), "out.csv");
	write_file(in, "email\na@x.test\n", 15);
	unlink(link);
	CHECK(symlink(in, link) == 0);
	csv_info info;
	table *t = NULL;
	CHECK_INT(csvio_load(in, NULL, &t, &info), MV_OK);
	if (!t)
		return;
	csv_wopts w = { .protect = in };
	CHECK_INT(csvio_write(t, in, NULL, 0, &w), MV_SAMEFILE);
	CHECK_INT(csvio_write(t, link, NULL, 0, &w), MV_SAMEFILE);
	size_t n = 0;
	char *bytes = slurp(in, &n);
	CHECK_MEM(bytes, n, "email\na@x.test\n");
	free(bytes);
	/* no temp files left behind */
	CHECK_INT(csvio_write(t, out, NULL, 0, &w), MV_OK);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q tmp", test_tmpdir());
	CHECK(system(cmd) != 0);
	/* a subset of rows */
	size_t rows[1] = { 0 };
	CHECK_INT(csvio_write(t, out, rows, 1, &w), MV_OK);
	table_destroy(t);
}

TEST(csvio_write_error_leaves_target)
{
	char out[512];
	path_in_tmp(out, sizeof(out), "nodir/x.csv");
	csv_writer *w;
	CHECK_INT(csvw_open(&w, out, NULL), MV_IO);
	/* a directory where the file should go: rename fails, temp removed */
	char dir[512];
	path_in_tmp(dir, sizeof(dir), "adir");
	mkdir(dir, 0755);
	CHECK_INT(csvw_open(&w, dir, NULL), MV_OK);
	csvw_field(w, "x", 1);
	csvw_end_row(w);
	CHECK_INT(csvw_commit(w), MV_IO);
	struct stat sb;
	CHECK(stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode));
}

/* White space far apart and close together: kept exactly either way. */
TEST(csvio_spaces_across_long_runs)
{
	static char src[4096];
	char longf[600];
	memset(longf, 'a', sizeof(longf) - 1);
	longf[sizeof(longf) - 1] = '\0';
	int n = snprintf(src, sizeof(src), "email,x,y\n %s , b ,\tc\t\n%s,  ,d\n\" q \" , e,f \n",
			 longf, longf);
	csv_info info;
	table *t = load(src, (size_t)n, &info);
	if (!t)
		return;
	CHECK_INT(table_nrows(t), 3);
	mv_str s = table_cell(t, 0, 0);
	CHECK_INT(s.len, 601);
	CHECK(s.p[0] == ' ' && s.p[600] == ' ');
	s = table_cell(t, 0, 1);
	CHECK_MEM(s.p, s.len, " b ");
	s = table_cell(t, 0, 2);
	CHECK_MEM(s.p, s.len, "\tc\t");
	s = table_cell(t, 1, 1);
	CHECK_MEM(s.p, s.len, "  ");
	s = table_cell(t, 2, 1);
	CHECK_MEM(s.p, s.len, " e");
	s = table_cell(t, 2, 2);
	CHECK_MEM(s.p, s.len, "f ");
	table_destroy(t);
}

/*
 * The fast path against libcsv on many small random files built from the
 * bytes that matter (delimiters, quotes, white space, line ends, NUL, UTF-8
 * and stray high bytes): the same table, flags, lines and diagnostics.
 */
TEST(csvio_fast_path_matches_libcsv_random)
{
	static const char *const atoms[] = {
		"a", "bc", "x@y.test", ",", ",", ";", "\t", "|", "\"", "\"\"", " ", "  ",
		"\n", "\n", "\r\n", "\r", "\0", "\xc3\xa9", "\xff", "\"q,r\"", "\" s \"",
	};
	static const size_t alen[] = { 1, 2, 8, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 2, 1, 1, 2, 1, 5, 5 };
	char buf[512];
	uint64_t seed = 0x6d61696c766574ull;
	int bad = 0;
	for (int iter = 0; iter < 20000 && !bad; iter++) {
		size_t n = 0;
		size_t natoms = 1 + (size_t)(iter % 60);
		for (size_t k = 0; k < natoms; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t a = (size_t)(seed >> 33) % (sizeof(alen) / sizeof(alen[0]));
			memcpy(buf + n, atoms[a], alen[a]);
			n += alen[a];
		}
		csv_opts o;
		csv_opts_init(&o);
		o.delimiter = "\0,;\t"[iter % 4];
		o.max_field = 6;
		table *t = NULL;
		csv_info info;
		mv_status st;
		const char *diff = load_both(buf, n, &o, &st, &t, &info);
		if (diff) {
			test_fail(__FILE__, __LINE__, "input %d (%zu bytes) differs: %s", iter, n, diff);
			bad = 1;
		}
		table_destroy(t);
	}
}

/* Rows across the loader's 1 MiB read chunks: quoted fields, line ends and
 * CRLF pairs split between chunks, the same both ways. */
TEST(csvio_fast_path_matches_libcsv_across_chunks)
{
	static const char *const rows[] = {
		"1,ann,ann@a.test,plain\r\n",
		"2,\"Doe, J\",j@b.test,\"two\r\nlines\"\r\n",
		"3,\"say \"\"hi\"\"\",k@c.test,x\r\n",
		"4,\"q\" ,l@d.test, sp \r\n",
		"\r\n",
		"5,,m@e.test,\"\"\r\n",
	};
	size_t cap = (size_t)3 << 20, n = 0;
	char *buf = malloc(cap + 64);
	CHECK(buf != NULL);
	if (!buf)
		return;
	n += (size_t)snprintf(buf, cap, "id,name,email,note\r\n");
	for (size_t i = 0; n < cap; i++) {
		const char *r = rows[(i * 7 + i / 5) % 6];
		size_t l = strlen(r);
		memcpy(buf + n, r, l);
		n += l;
	}
	for (int two = 0; two < 2; two++) {
		csv_opts o;
		csv_opts_init(&o);
		o.parallel_min = two ? 1 : SIZE_MAX;
		table *t = NULL;
		csv_info info;
		mv_status st;
		const char *diff = load_both(buf, n, &o, &st, &t, &info);
		if (diff)
			test_fail(__FILE__, __LINE__, "differs (%s): %s", two ? "two threads" : "one", diff);
		CHECK_INT(st, MV_OK);
		CHECK(t && table_nrows(t) > 100000);
		table_destroy(t);
	}
	free(buf);
}

/*
 * A large file loads on two threads, split at a line end near the middle.
 * Both ways the split can go: the line end is a row end (the halves are
 * joined: rows, line numbers, diagnostics and flags as if read in one go),
 * or it lies inside a quoted field running over many lines (the second
 * half is dropped and the first thread reads on). Read from a file, so the
 * second thread reads with pread.
 */
TEST(csvio_two_threads_same_as_one)
{
	size_t cap = (size_t)3 << 20;
	char *buf = malloc(cap + 256);
	char path[512];
	CHECK(buf != NULL);
	if (!buf)
		return;
	for (int inside = 0; inside < 2; inside++) {
		size_t n = (size_t)snprintf(buf, cap, "email,note\n");
		size_t mid = cap / 2;
		for (size_t i = 0; n < cap; i++) {
			if (inside && n > mid - 5000 && n < mid + 5000) {
				/* one quoted field of many lines across the middle */
				n += (size_t)snprintf(buf + n, 64, "open%zu@x.test,\"", i);
				while (n < mid + 5000)
					n += (size_t)snprintf(buf + n, 64, "line %zu\n", n);
				n += (size_t)snprintf(buf + n, 8, "\"\n");
				continue;
			}
			if (i % 10007 == 5) {   /* a NUL now and then: a diagnostic */
				n += (size_t)snprintf(buf + n, 64, "u%zu@x.test,a", i);
				buf[n++] = '\0';
				buf[n++] = '\n';
			} else if (i % 7 == 0)
				n += (size_t)snprintf(buf + n, 64, "u%zu@x.test,\"a, b\"\n", i);
			else
				n += (size_t)snprintf(buf + n, 64, "u%zu@x.test,plain\n", i);
		}
		path_in_tmp(path, sizeof(path), inside ? "split-inside.csv" : "split-clean.csv");
		write_file(path, buf, n);
		csv_opts o1, o2;
		csv_opts_init(&o1);
		csv_opts_init(&o2);
		o1.parallel_min = SIZE_MAX;
		o1.libcsv_only = true;
		o2.parallel_min = 1;
		table *t1 = NULL, *t2 = NULL;
		static csv_info i1, i2;
		mv_status s1 = csvio_load(path, &o1, &t1, &i1);
		mv_status s2 = csvio_load(path, &o2, &t2, &i2);
		CHECK_INT(s1, MV_OK);
		const char *diff = csv_same(s1, t1, &i1, s2, t2, &i2);
		if (diff)
			test_fail(__FILE__, __LINE__, "split %s: differs: %s", inside ? "inside a field" : "clean", diff);
		CHECK(i1.ndiag_total > 10);
		CHECK_INT(i1.threads, 1);
		CHECK_INT(i2.threads, inside ? 1 : 2);
		if (t1 && inside) {
			/* the long field is one cell of one row */
			int found = 0;
			for (size_t r = 0; r < table_nrows(t1) && !found; r++)
				found = table_cell(t1, r, 1).len > 9000;
			CHECK(found);
		}
		table_destroy(t1);
		table_destroy(t2);
	}
	free(buf);
}

/*
 * Two bugs the fast path's differential test found in the libcsv path:
 * white space after a closing quote when the quoted field was long (the
 * quote ended a stretch parsed without our space function), and a space
 * after a tab delimiter that followed a closing quote (trimmed as if it were
 * white space around the quoted field).
 */
TEST(csvio_space_after_long_quoted_field)
{
	static char src[1024];
	char longf[400];
	memset(longf, 'u', sizeof(longf) - 1);
	longf[sizeof(longf) - 1] = '\0';
	int n = snprintf(src, sizeof(src), "email,url,n\na@b.test,\"%s\" ,1\n", longf);
	csv_info info;
	table *t = load(src, (size_t)n, &info);
	if (!t)
		return;
	CHECK_INT(table_nrows(t), 1);
	CHECK_INT(table_row_nfields(t, 0), 3);
	CHECK_INT(table_cell(t, 0, 1).len, 399);
	mv_str s = table_cell(t, 0, 2);
	CHECK_MEM(s.p, s.len, "1");
	table_destroy(t);
}

TEST(csvio_tab_delimiter_after_quote_keeps_space)
{
	csv_info info;
	table *t = LOAD("email\tname\tnote\na@b.test\t\"Doe, J\"\t kept\n", &info);
	if (!t)
		return;
	CHECK_INT(info.delimiter, '\t');
	mv_str s = table_cell(t, 0, 1);
	CHECK_MEM(s.p, s.len, "Doe, J");
	s = table_cell(t, 0, 2);
	CHECK_MEM(s.p, s.len, " kept");
	table_destroy(t);
}
