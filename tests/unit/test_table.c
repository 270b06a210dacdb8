/* table: the arena-backed row store. */
#include "test.h"

#include "mailvet/table.h"

TEST(table_empty)
{
	table *t = table_create();
	CHECK(t != NULL);
	CHECK_INT(table_finish(t, true), MV_OK);
	CHECK_INT(table_nrows(t), 0);
	CHECK_INT(table_ncols(t), 0);
	CHECK(!table_has_header(t));
	CHECK_INT(table_col_name(t, 3).len, 0);
	table_destroy(t);
	table_destroy(NULL);
}

TEST(table_build_and_read)
{
	table *t = table_create();
	table_add_field(t, "h1", 2);
	table_add_field(t, "h2", 2);
	table_end_row(t, 1, 0);
	for (int i = 0; i < 5000; i++) {
		char v[32];
		int n = snprintf(v, sizeof(v), "value%d", i);
		table_add_field(t, v, (size_t)n);
		table_add_field(t, "", 0);
		table_end_row(t, (uint32_t)i + 2, 0);
	}
	table_add_field(t, "dropped", 7);
	CHECK_INT(table_open_fields(t), 1);
	table_discard_row(t);
	CHECK_INT(table_open_fields(t), 0);
	CHECK_INT(table_finish(t, true), MV_OK);
	CHECK_INT(table_nrows(t), 5000);
	CHECK_INT(table_ncols(t), 2);
	CHECK_INT(table_col_find(t, "h2"), 1);
	CHECK_INT(table_col_find(t, "H2"), -1);
	mv_str s = table_cell(t, 4999, 0);
	CHECK_MEM(s.p, s.len, "value4999");
	CHECK_INT(table_cell(t, 4999, 1).len, 0);
	CHECK_INT(table_row_line(t, 0), 2);
	/* re-deciding the header */
	CHECK_INT(table_finish(t, false), MV_OK);
	CHECK_INT(table_nrows(t), 5001);
	s = table_col_name(t, 0);
	CHECK_MEM(s.p, s.len, "column1");
	s = table_cell(t, 0, 0);
	CHECK_MEM(s.p, s.len, "h1");
	CHECK(table_mem_bytes(t) > 5000 * 8);
	table_row_set_flags(t, 3, ROW_LONG);
	CHECK_INT(table_row_flags(t, 3), ROW_LONG);
	table_destroy(t);
}

TEST(table_ragged_rows_and_trim)
{
	table *t = table_create();
	CHECK_INT(table_reserve(t, 1u << 20), MV_OK);
	CHECK(table_mem_bytes(t) > (1u << 20));
	table_add_field(t, "a", 1);
	table_end_row(t, 1, 0);
	table_add_field(t, "b", 1);
	table_add_field(t, "cc", 2);
	table_add_field(t, "", 0);
	table_end_row(t, 2, ROW_NOT_UTF8);
	table_end_row(t, 3, 0);                  /* no fields at all */
	table_add_field(t, "d", 1);
	table_add_field(t, "e", 1);
	table_end_row(t, 5, 0);
	table_add_field(t, "open", 4);           /* never ended: not a row */
	CHECK_INT(table_finish(t, false), MV_OK);
	CHECK_INT(table_nrows(t), 4);
	CHECK_INT(table_ncols(t), 3);
	CHECK_INT(table_row_nfields(t, 0), 1);
	CHECK_INT(table_row_nfields(t, 1), 3);
	CHECK_INT(table_row_nfields(t, 2), 0);
	CHECK_INT(table_row_nfields(t, 3), 2);
	CHECK_INT(table_row_flags(t, 1), ROW_NOT_UTF8);
	CHECK_INT(table_row_line(t, 3), 5);
	mv_str s = table_cell(t, 1, 1);
	CHECK_MEM(s.p, s.len, "cc");
	s = table_cell(t, 3, 1);
	CHECK_MEM(s.p, s.len, "e");
	CHECK_INT(table_cell(t, 3, 2).len, 0);
	CHECK_INT(table_cell(t, 2, 0).len, 0);
	/* what loading reserved and did not use is given back */
	CHECK(table_mem_bytes(t) < 4096);
	/* with a header: ragged rows flagged against it */
	CHECK_INT(table_finish(t, true), MV_OK);
	CHECK_INT(table_nrows(t), 3);
	CHECK_INT(table_row_flags(t, 0), ROW_NOT_UTF8 | ROW_LONG);
	CHECK_INT(table_row_flags(t, 1), ROW_SHORT);
	CHECK_INT(table_row_flags(t, 2), ROW_LONG);
	table_destroy(t);
}
