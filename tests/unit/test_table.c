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
