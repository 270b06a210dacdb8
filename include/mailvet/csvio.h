/*
 * csvio — CSV files in and out of a table (libcsv underneath).
 *
 * Loading sniffs the delimiter, strips (and remembers) a UTF-8 BOM, keeps
 * every field byte exact (no space trimming), flags but never drops odd
 * rows, detects a header and the email column. Problems are reported as
 * diagnostics with line and column while the load goes on; only input that
 * is not CSV at all (binary, UTF-16) fails the load.
 *
 * Writing is atomic: a temp file beside the target, fsync, rename, fsync of
 * the directory. A writer never replaces the input file it was given.
 */
#ifndef MAILVET_CSVIO_H
#define MAILVET_CSVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/status.h"
#include "mailvet/table.h"

#define CSV_DEFAULT_MAX_FIELD (1u << 20)
#define CSV_MAX_DIAG 20

/* Inputs this big load on two threads (the result is the same). */
#define CSV_PARALLEL_MIN ((size_t)8 << 20)

typedef struct csv_opts {
	char delimiter;         /* 0: sniff */
	int header;             /* -1: detect, 0: none, 1: first row */
	size_t max_field;       /* 0: CSV_DEFAULT_MAX_FIELD */
	const char *column;     /* email column: name or 1-based number; NULL: find */
	/* called after each chunk read: bytes so far, of total (0 = unknown) */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
	/* parse every line with libcsv, no fast path (for tests) */
	bool libcsv_only;
	/* load on two threads from this many bytes on (0: CSV_PARALLEL_MIN,
	 * SIZE_MAX: never) */
	size_t parallel_min;
} csv_opts;

typedef struct csv_diag {
	uint32_t line;          /* 1-based line in the file */
	uint32_t col;           /* 1-based field number, 0 if n/a */
	char msg[120];
} csv_diag;

typedef struct csv_info {
	char delimiter;
	bool delimiter_sniffed;
	bool bom;
	const char *eol;        /* "\r\n", "\n" or "\r": the file's first line end */
	bool has_header;
	bool header_detected;   /* true when guessed, false when told */
	long email_col;         /* -1 when none was found */
	const char *email_col_how;  /* "header name", "content", "--column" */
	char email_col_note[200];   /* other candidates, if any */
	unsigned threads;       /* 2: loaded in two halves, joined */
	size_t nrows;           /* data rows */
	size_t lines;           /* physical lines read */
	size_t empty_lines;
	size_t flagged[6];      /* rows per ROW_* bit, in bit order */
	size_t ndiag;           /* diagnostics stored (<= CSV_MAX_DIAG) */
	size_t ndiag_total;     /* diagnostics raised */
	csv_diag diag[CSV_MAX_DIAG];
} csv_info;

void csv_opts_init(csv_opts *o);

/*
 * Load a file (or bytes) into a new table. On MV_OK *out is the table and
 * info is filled; on failure *out is NULL and info->diag[0] (if ndiag) says
 * why. errno is kept for MV_IO/MV_NOENT.
 */
mv_status csvio_load(const char *path, const csv_opts *o, table **out,
		     csv_info *info);
mv_status csvio_load_mem(const char *data, size_t n, const csv_opts *o,
			 table **out, csv_info *info);

/* Guess the delimiter of a sample: one of , ; \t | (',' if none fits). */
char csvio_sniff(const char *data, size_t n);

/* Find the email column (see csv_info.email_col*); -1 if none. */
long csvio_find_email_col(const table *t, const char *override, csv_info *info);

/* The writer. */
typedef struct csv_writer csv_writer;

typedef struct csv_wopts {
	char delimiter;         /* default ',' */
	const char *eol;        /* default "\r\n" */
	bool bom;
	const char *protect;    /* path that must not be overwritten (the input) */
} csv_wopts;

mv_status csvw_open(csv_writer **w, const char *path, const csv_wopts *o);
mv_status csvw_field(csv_writer *w, const char *p, size_t n);
mv_status csvw_end_row(csv_writer *w);
/* Raw bytes, no quoting (for other formats written atomically: JSONL). */
mv_status csvw_raw(csv_writer *w, const char *p, size_t n);
/* All fields of a data row, then end of row. */
mv_status csvw_table_row(csv_writer *w, const table *t, size_t row);
mv_status csvw_table_header(csv_writer *w, const table *t);
/* Flush, fsync, rename over the target. Frees w whatever the outcome. */
mv_status csvw_commit(csv_writer *w);
/* Remove the temp file and free w. */
void csvw_abort(csv_writer *w);
/* The path a writer writes to (for messages). */
const char *csvw_path(const csv_writer *w);

/*
 * Write the header (if the table has one) and the given data rows (all rows
 * when rows is NULL) to path, atomically.
 */
mv_status csvio_write(const table *t, const char *path, const size_t *rows,
		      size_t nrows, const csv_wopts *o);

/* Quote a field per RFC 4180 if it needs it (delimiter, quote, CR, LF). */
bool csvio_needs_quote(const char *p, size_t n, char delim);

#endif
