/*
 * view — the workbench's table model, with no curses in it: which rows
 * show (filters), in what order (sorts), what the user decided (keep,
 * drop, with undo), which rows are tagged, and the text of every cell.
 *
 * A view is an index array over the table's rows; rows never move. While
 * no filter is set the shown rows are the sort order itself; a second
 * array is allocated by the first filter.
 * Sorting is stable, so sorting by domain and then by verdict gives
 * verdict-then-domain order (visidata's multi-key by repetition). Text
 * sorts compare an 8-byte prefix key first, so a million rows sort in a
 * fraction of a second. Decisions are written into the results (borrowed)
 * and every change is undoable.
 */
#ifndef MAILVET_VIEW_H
#define MAILVET_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/result.h"
#include "mailvet/status.h"
#include "mailvet/table.h"

typedef struct view view;

/* The columns mailvet adds; the table's own come after, VC_ORIG + i. */
#define MV_VCOL_LIST(_) \
	_(ROW,        "row",        5) \
	_(EMAIL,      "email",     28) \
	_(TIER,       "tier",      11) \
	_(REASON,     "reason",    16) \
	_(DOMAIN,     "domain",    18) \
	_(MX,         "mx",        20) \
	_(CODE,       "code",       9) \
	_(SUGGESTION, "suggestion", 22) \
	_(FLAGS,      "flags",     16) \
	_(DECISION,   "decision",   8)

enum {
#define MV_X(name, title, width) VC_##name,
	MV_VCOL_LIST(MV_X)
#undef MV_X
	VC_ORIG
};

const char *view_col_title(const view *v, int col);
int view_col_width(int col);       /* default width for our columns */
int view_ncols(const view *v);     /* VC_ORIG + table columns */

/* tier_of: the row's tier (export bucket), supplied by the caller. */
typedef int view_tier_fn(const row_result *r);

view *view_create(const table *t, results *res, long email_col,
		  view_tier_fn *tier_of, const char *const *tier_names, int ntiers);
void view_destroy(view *v);

size_t view_count(const view *v);            /* rows shown */
size_t view_row(const view *v, size_t pos);  /* table row at a position */
/* Position of a table row in the view, or -1 if filtered out: a scan,
 * O(rows shown), for keeping the cursor on a row across a re-sort. */
long view_pos_of(const view *v, size_t row);

/* Text of a cell (borrowed or in scratch); never NULL. */
mv_str view_cell(const view *v, size_t row, int col, char *scratch, size_t cap);
int view_tier(const view *v, size_t row);
const char *view_tier_name(const view *v, int tier);

mv_status view_sort(view *v, int col, bool desc);
int view_sort_col(const view *v);
bool view_sort_desc(const view *v);

/* Filters: a tier mask (0 = all tiers) and a case-insensitive substring
 * over email, domain, reason and suggestion ("" = none). Re-applied by
 * view_refresh after results change. */
void view_set_tier_filter(view *v, unsigned mask);
unsigned view_tier_filter(const view *v);
mv_status view_set_text_filter(view *v, const char *needle);
const char *view_text_filter(const view *v);
mv_status view_refresh(view *v);

/* Next position at or after `from` (before, if backward) whose row
 * matches needle; wraps; -1 when none. */
long view_search(const view *v, const char *needle, size_t from, bool backward);

/* Triage. Each call is one undo step; view_undo reverts the last. */
void view_decide(view *v, size_t row, decision d);
size_t view_decide_tagged(view *v, decision d);   /* one step for all */
bool view_undo(view *v);
size_t view_undo_depth(const view *v);
size_t view_decisions(const view *v);             /* rows with a decision */
bool view_dirty(const view *v);                   /* decisions not exported */
void view_mark_clean(view *v);

void view_tag(view *v, size_t row, bool on);
bool view_tagged(const view *v, size_t row);
size_t view_ntagged(const view *v);
void view_untag_all(view *v);

/* Rows per tier over the whole table (not only those shown): O(tiers).
 * The view caches each row's tier; after a row's result changes outside
 * the view (a verdict arrived, a suggestion was accepted) call view_touch. */
void view_tier_counts(const view *v, size_t *counts);
void view_touch(view *v, size_t row);

#endif
