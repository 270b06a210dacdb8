/*
 * table — the in-memory workspace of one CSV file.
 *
 * Rows keep every original field byte for byte. All cell bytes live in one
 * arena owned by the table and freed at once by table_destroy; a row is a
 * small fixed record pointing into it, and rows never move once added, so
 * views (sort, filter) are index arrays over row numbers.
 *
 * Row numbers are 0-based over the data rows (the header, if any, is not a
 * data row). Cell pointers stay valid until the next table_add_* or
 * table_finish call (finishing gives back unused capacity, which may move
 * the arena), and always after loading is finished.
 */
#ifndef MAILVET_TABLE_H
#define MAILVET_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/status.h"

typedef struct table table;

/* A borrowed view of bytes; not NUL-terminated. */
typedef struct mv_str {
	const char *p;
	size_t len;
} mv_str;

/* Per-row load findings; a flagged row is kept, never dropped. A row
 * stores 8 bits of flags. */
enum {
	ROW_SHORT        = 1u << 0,  /* fewer fields than the header */
	ROW_LONG         = 1u << 1,  /* more fields than the header */
	ROW_FIELD_TOOBIG = 1u << 2,  /* a field passed the size limit */
	ROW_HAS_NUL      = 1u << 3,  /* a field contains a NUL byte */
	ROW_UNTERMINATED = 1u << 4,  /* quoted field still open at EOF */
	ROW_NOT_UTF8     = 1u << 5,  /* a field is not valid UTF-8 */
};

table *table_create(void);
void table_destroy(table *t);

/* Pre-size for a file of about this many bytes (a hint; growth still works). */
mv_status table_reserve(table *t, size_t file_bytes);

/* Building (used by the loader). A row is its fields up to table_end_row. */
mv_status table_add_field(table *t, const char *p, size_t n);
mv_status table_end_row(table *t, uint32_t line, uint32_t flags);
/* Fields added since the last table_end_row (the open row). */
size_t table_open_fields(const table *t);
/*
 * Append every row of src (built, not finished; no open row in either) to
 * t, their line numbers shifted by line_shift. src's field bytes move to t
 * without a copy (once per table: a second call fails with MV_TOOBIG); src
 * is then good only for table_destroy.
 */
mv_status table_append(table *t, table *src, uint32_t line_shift);
/* Drop the open row's fields (an empty line). */
void table_discard_row(table *t);

/*
 * Header: with has_header the first row added becomes the column names;
 * without, columns are named column1..N where N is the widest row. May be
 * called again to change the decision, after all rows are added.
 */
mv_status table_finish(table *t, bool has_header);

size_t table_nrows(const table *t);
size_t table_ncols(const table *t);
bool table_has_header(const table *t);
mv_str table_col_name(const table *t, size_t col);
/* Column index by exact name, or -1. */
long table_col_find(const table *t, const char *name);

size_t table_row_nfields(const table *t, size_t row);
/* Cell bytes; an empty string for a column the row does not have. */
mv_str table_cell(const table *t, size_t row, size_t col);
uint32_t table_row_line(const table *t, size_t row);
uint32_t table_row_flags(const table *t, size_t row);
void table_row_set_flags(table *t, size_t row, uint32_t flags);

/* Bytes held by the arena and indexes (for benchmarks and limits). */
size_t table_mem_bytes(const table *t);

#endif
