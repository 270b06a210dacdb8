/*
 * csv_same — do two loads of the same bytes agree, cell for cell, flag for
 * flag, line for line, diagnostic for diagnostic? The unit tests and the
 * CSV fuzz harness hold the loader's fast path to libcsv's answer with it.
 * Returns NULL when they agree, else what differs first.
 */
#ifndef MAILVET_TESTS_CSV_SAME_H
#define MAILVET_TESTS_CSV_SAME_H

#include <string.h>

#include "mailvet/csvio.h"

static inline const char *csv_same(mv_status sa, const table *a, const csv_info *ia,
				   mv_status sb, const table *b, const csv_info *ib)
{
	if (sa != sb)
		return "status";
	if (sa != MV_OK)
		return NULL;
	if (ia->delimiter != ib->delimiter || ia->bom != ib->bom || strcmp(ia->eol, ib->eol) != 0)
		return "delimiter, BOM or line end";
	if (ia->has_header != ib->has_header || ia->email_col != ib->email_col)
		return "header or email column";
	if (ia->nrows != ib->nrows || ia->lines != ib->lines || ia->empty_lines != ib->empty_lines)
		return "rows, lines or empty lines";
	if (memcmp(ia->flagged, ib->flagged, sizeof(ia->flagged)) != 0)
		return "flagged rows";
	if (ia->ndiag != ib->ndiag || ia->ndiag_total != ib->ndiag_total)
		return "number of diagnostics";
	for (size_t i = 0; i < ia->ndiag; i++)
		if (ia->diag[i].line != ib->diag[i].line || ia->diag[i].col != ib->diag[i].col ||
		    strcmp(ia->diag[i].msg, ib->diag[i].msg) != 0)
			return "a diagnostic";
	if (table_ncols(a) != table_ncols(b) || table_nrows(a) != table_nrows(b))
		return "table shape";
	for (size_t c = 0; c < table_ncols(a); c++) {
		mv_str x = table_col_name(a, c), y = table_col_name(b, c);
		if (x.len != y.len || memcmp(x.p, y.p, x.len) != 0)
			return "a column name";
	}
	for (size_t r = 0; r < table_nrows(a); r++) {
		if (table_row_nfields(a, r) != table_row_nfields(b, r) ||
		    table_row_line(a, r) != table_row_line(b, r) ||
		    table_row_flags(a, r) != table_row_flags(b, r))
			return "a row's fields, line or flags";
		for (size_t c = 0; c < table_row_nfields(a, r); c++) {
			mv_str x = table_cell(a, r, c), y = table_cell(b, r, c);
			if (x.len != y.len || memcmp(x.p, y.p, x.len) != 0)
				return "a cell";
		}
	}
	return NULL;
}

#endif
