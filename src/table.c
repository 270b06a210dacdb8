#include "mailvet/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/mem.h"

/* 16 bytes a row: a row's field count is where the next row's fields
 * start (the open row's start for the last one), so it is not stored. */
#define BASE_BITS 56
/* A row's base with this bit set is in the second arena (table_append). */
#define SECOND ((uint64_t)1 << (BASE_BITS - 1))

struct row {
	uint64_t base : BASE_BITS;  /* arena offset of the first field's bytes */
	uint64_t flags : 8;         /* ROW_* */
	uint32_t cell0;             /* index of the first field's end in ends[] */
	uint32_t line;              /* 1-based line where the row starts */
};

struct table {
	char *bytes;        /* owned arena of all field bytes */
	size_t len, cap;
	char *bytes2;       /* owned: a second arena, taken over by table_append */
	size_t len2, cap2;
	uint32_t *ends;     /* per field: end offset relative to row base */
	size_t nends, capends;
	struct row *rows;   /* all rows, header included while building */
	size_t nrows, caprows;
	size_t open_base;   /* arena offset where the open row starts */
	size_t open_cell0;  /* ends[] index where the open row starts */
	size_t first;       /* index of the first data row (1 with header) */
	size_t ncols;
	bool has_header;
	char *names;        /* owned: generated column names when no header */
};

static mv_status grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return MV_OK;
	size_t nc = *cap ? *cap : 1024;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / elem)
			return MV_NOMEM;
		nc *= 2;
	}
	void *q = realloc(*p, nc * elem);
	if (!q)
		return MV_NOMEM;
	*p = q;
	*cap = nc;
	return MV_OK;
}

mv_status table_reserve(table *t, size_t file_bytes)
{
	/* Field bytes never exceed the file; one field per ~8 bytes and one
	 * row per ~40 is generous for contact lists. Pages never written cost
	 * nothing, and table_finish gives back what loading did not use. */
	mv_status st = grow((void **)&t->bytes, &t->cap, file_bytes + 1, 1);
	if (!st)
		st = grow((void **)&t->ends, &t->capends, file_bytes / 8 + 16, sizeof(uint32_t));
	if (!st)
		st = grow((void **)&t->rows, &t->caprows, file_bytes / 40 + 16, sizeof(struct row));
	if (st)
		return st;
	mem_advise_huge(t->bytes, t->cap);
	mem_advise_huge(t->ends, t->capends * sizeof(uint32_t));
	mem_advise_huge(t->rows, t->caprows * sizeof(struct row));
	return MV_OK;
}

table *table_create(void)
{
	return calloc(1, sizeof(table));
}

void table_destroy(table *t)
{
	if (!t)
		return;
	free(t->bytes);
	free(t->bytes2);
	free(t->ends);
	free(t->rows);
	free(t->names);
	free(t);
}

mv_status table_add_field(table *t, const char *p, size_t n)
{
	size_t rel = t->len - t->open_base + n;
	if (rel > UINT32_MAX || t->nends >= UINT32_MAX || t->len + n >= SECOND)
		return MV_TOOBIG;
	mv_status st = grow((void **)&t->bytes, &t->cap, t->len + n, 1);
	if (st)
		return st;
	st = grow((void **)&t->ends, &t->capends, t->nends + 1, sizeof(uint32_t));
	if (st)
		return st;
	if (n)
		memcpy(t->bytes + t->len, p, n);
	t->len += n;
	t->ends[t->nends++] = (uint32_t)rel;
	return MV_OK;
}

mv_status table_append(table *t, table *src, uint32_t line_shift)
{
	size_t ends0 = t->nends, rows0 = t->nrows;
	if (ends0 + src->nends > UINT32_MAX || t->bytes2 || src->bytes2 || src->len >= SECOND)
		return MV_TOOBIG;
	mv_status st = grow((void **)&t->ends, &t->capends, ends0 + src->nends, sizeof(uint32_t));
	if (!st)
		st = grow((void **)&t->rows, &t->caprows, rows0 + src->nrows, sizeof(struct row));
	if (st)
		return st;
	if (src->nends)
		memcpy(t->ends + ends0, src->ends, src->nends * sizeof(uint32_t));
	for (size_t i = 0; i < src->nrows; i++) {
		struct row r = src->rows[i];
		r.base |= SECOND;
		r.cell0 += (uint32_t)ends0;
		r.line += line_shift;
		t->rows[rows0 + i] = r;
	}
	/* the bytes are not copied: src's arena becomes the second one */
	t->bytes2 = src->bytes;
	t->len2 = src->len;
	t->cap2 = src->cap;
	src->bytes = NULL;
	src->len = src->cap = 0;
	t->nends += src->nends;
	t->nrows += src->nrows;
	t->open_cell0 = t->nends;
	return MV_OK;
}

size_t table_open_fields(const table *t)
{
	return t->nends - t->open_cell0;
}

void table_discard_row(table *t)
{
	t->len = t->open_base;
	t->nends = t->open_cell0;
}

mv_status table_end_row(table *t, uint32_t line, uint32_t flags)
{
	mv_status st = grow((void **)&t->rows, &t->caprows, t->nrows + 1,
			    sizeof(struct row));
	if (st)
		return st;
	struct row *r = &t->rows[t->nrows++];
	r->base = t->open_base;
	r->cell0 = (uint32_t)t->open_cell0;
	r->line = line;
	r->flags = flags & 0xff;
	t->open_base = t->len;
	t->open_cell0 = t->nends;
	return MV_OK;
}

/* Fields of rows[i]. */
static size_t nfields(const table *t, size_t i)
{
	size_t next = i + 1 < t->nrows ? t->rows[i + 1].cell0 : t->open_cell0;
	return next - t->rows[i].cell0;
}

/* Give back the capacity loading reserved and did not use (a shrinking
 * realloc of a big block returns its tail pages to the system). */
static void trim(void **p, size_t *cap, size_t n, size_t elem)
{
	if (!n || n >= *cap)
		return;
	void *q = realloc(*p, n * elem);
	if (q) {
		*p = q;
		*cap = n;
	}
}

mv_status table_finish(table *t, bool has_header)
{
	t->has_header = has_header && t->nrows > 0;
	t->first = t->has_header ? 1 : 0;
	free(t->names);
	t->names = NULL;
	/* the open row, if any, is never finished: only whole rows stay */
	table_discard_row(t);
	trim((void **)&t->bytes, &t->cap, t->len, 1);
	trim((void **)&t->bytes2, &t->cap2, t->len2, 1);
	trim((void **)&t->ends, &t->capends, t->nends, sizeof(uint32_t));
	trim((void **)&t->rows, &t->caprows, t->nrows, sizeof(struct row));
	for (size_t i = 0; i < t->nrows; i++)
		t->rows[i].flags &= ~(unsigned)(ROW_SHORT | ROW_LONG);
	if (t->has_header) {
		t->ncols = nfields(t, 0);
	} else {
		size_t w = 0;
		for (size_t i = 0; i < t->nrows; i++)
			if (nfields(t, i) > w)
				w = nfields(t, i);
		t->ncols = w;
		/* "columnN" names, NUL-separated, 24 bytes each */
		t->names = calloc(w ? w : 1, 24);
		if (!t->names)
			return MV_NOMEM;
		for (size_t i = 0; i < w; i++)
			snprintf(t->names + i * 24, 24, "column%u", (unsigned)(i + 1));   /* < 2^32 fields */
	}
	/* Flag ragged rows against the header width. */
	if (t->has_header) {
		for (size_t i = 1; i < t->nrows; i++) {
			size_t nf = nfields(t, i);
			if (nf < t->ncols)
				t->rows[i].flags |= ROW_SHORT;
			else if (nf > t->ncols)
				t->rows[i].flags |= ROW_LONG;
		}
	}
	return MV_OK;
}

size_t table_nrows(const table *t)
{
	return t->nrows - t->first;
}

size_t table_ncols(const table *t)
{
	return t->ncols;
}

bool table_has_header(const table *t)
{
	return t->has_header;
}

static mv_str raw_cell(const table *t, size_t i, size_t col)
{
	mv_str s = { "", 0 };
	const struct row *r = &t->rows[i];
	if (col >= nfields(t, i))
		return s;
	uint32_t start = col ? t->ends[r->cell0 + col - 1] : 0;
	uint32_t end = t->ends[r->cell0 + col];
	s.p = (r->base & SECOND ? t->bytes2 + (r->base & ~SECOND) : t->bytes + r->base) + start;
	s.len = end - start;
	return s;
}

mv_str table_col_name(const table *t, size_t col)
{
	mv_str s = { "", 0 };
	if (col >= t->ncols)
		return s;
	if (t->has_header)
		return raw_cell(t, 0, col);
	s.p = t->names + col * 24;
	s.len = strlen(s.p);
	return s;
}

long table_col_find(const table *t, const char *name)
{
	size_t n = strlen(name);
	for (size_t c = 0; c < t->ncols; c++) {
		mv_str s = table_col_name(t, c);
		if (s.len == n && memcmp(s.p, name, n) == 0)
			return (long)c;
	}
	return -1;
}

size_t table_row_nfields(const table *t, size_t row)
{
	return nfields(t, t->first + row);
}

mv_str table_cell(const table *t, size_t row, size_t col)
{
	return raw_cell(t, t->first + row, col);
}

uint32_t table_row_line(const table *t, size_t row)
{
	return t->rows[t->first + row].line;
}

uint32_t table_row_flags(const table *t, size_t row)
{
	return t->rows[t->first + row].flags;
}

void table_row_set_flags(table *t, size_t row, uint32_t flags)
{
	t->rows[t->first + row].flags = flags & 0xff;
}

size_t table_mem_bytes(const table *t)
{
	return t->cap + t->cap2 + t->capends * sizeof(uint32_t) +
	       t->caprows * sizeof(struct row);
}
