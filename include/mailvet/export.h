/*
 * export — where every row goes: the one export shared by `check -o` and
 * the workbench, and the JSONL results file.
 *
 * Each row falls in exactly one bucket. The user's decision wins
 * (DECIDE_KEEP → kept, DECIDE_DROP → dropped); otherwise the local status
 * (invalid, duplicate, suppressed), then the verdict: deliverable, risky,
 * catch_all (a deliverable or risky verdict with F_CATCH_ALL), unknown,
 * invalid; a candidate without a verdict yet is unverified.
 *
 * The clean file holds the rows of the chosen buckets (default:
 * deliverable + kept; with local_only: unverified + kept), every original
 * column byte for byte, in file order. A row whose typo fix was applied
 * (F_FIXED) is written with the fixed address in the email column, and an
 * `email_original` column is appended holding the cell as it was. Result
 * columns (mailvet_status, _reason, _flags, _suggestion, _duplicate_of,
 * and the SMTP ones once any row has a verdict) can be appended; any text
 * a server wrote is neutralised against spreadsheet formula injection.
 * The rejects file holds every row that is not in the clean file, with
 * the result columns. --split writes NAME.BUCKET.csv for every non-empty
 * bucket. All files are written atomically (csvio) and never over the
 * input (o->w.protect).
 *
 * The report says where every row went; its counts add up to the rows.
 */
#ifndef MAILVET_EXPORT_H
#define MAILVET_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/csvio.h"
#include "mailvet/result.h"
#include "mailvet/status.h"
#include "mailvet/table.h"

#define MV_BUCKET_LIST(_) \
	_(DELIVERABLE, "deliverable") \
	_(RISKY,       "risky") \
	_(CATCH_ALL,   "catch_all") \
	_(UNKNOWN,     "unknown") \
	_(UNVERIFIED,  "unverified")  /* candidate, no verdict yet */ \
	_(KEPT,        "kept")        /* the user said keep */ \
	_(INVALID,     "invalid") \
	_(DUPLICATE,   "duplicate") \
	_(SUPPRESSED,  "suppressed") \
	_(DROPPED,     "dropped")     /* the user said drop */

typedef enum {
#define MV_X(name, str) BUCKET_##name,
	MV_BUCKET_LIST(MV_X)
#undef MV_X
	BUCKET_COUNT
} bucket;

#define BUCKET_BIT(b) (1u << (b))

const char *bucket_name(bucket b);
int bucket_from_name(const char *s);   /* -1 when unknown */
bucket export_bucket(const row_result *rr);

/* Parse a comma-separated bucket list ("deliverable,risky") into a mask;
 * MV_USAGE (and *bad = the offending word's start) on an unknown name. */
mv_status export_parse_buckets(const char *list, unsigned *mask, const char **bad);

typedef struct export_opts {
	unsigned clean;            /* BUCKET_BIT()s of the clean file; 0 = default */
	bool local_only;           /* the default clean set is unverified + kept */
	bool split;                /* also NAME.BUCKET.csv per non-empty bucket */
	bool result_columns;       /* append the result columns to the clean file */
	const char *clean_path;    /* NULL: no clean file */
	const char *rejects_path;  /* NULL: no rejects file */
	csv_wopts w;               /* delimiter, eol, bom; protect = the input */
} export_opts;

typedef struct export_report {
	size_t rows;
	size_t bucket[BUCKET_COUNT];  /* sums to rows */
	size_t clean;                 /* rows in the clean file (or that would be) */
	size_t rejects;               /* rows in the rejects file */
	size_t unwritten;             /* neither: clean + rejects + unwritten == rows */
	size_t fixed;                 /* clean rows written with a typo fix */
	size_t files;                 /* files written */
	unsigned clean_mask;          /* the buckets that made the clean file */
	char failed[512];             /* on error: the file that failed */
} export_report;

mv_status export_write(const table *t, long email_col, const results *r,
		       const export_opts *o, export_report *rep);

/*
 * The results file: one JSON object per data row, in row order:
 *   row (1 = first data row), email (the cell as in the file), normalized,
 *   status (local status), reason, detail (why, in words), flags (array of
 *   names), suggestion, duplicate_of, and addresses (for a cell with
 *   several); then, for rows with a verdict: verdict, owner, mx, smtp_code,
 *   enhanced_code, reply, tls.
 * Absent values are null. Written atomically; never over w->protect.
 */
mv_status export_jsonl(const table *t, long email_col, const results *r,
		       const char *path, const csv_wopts *w);

#endif
