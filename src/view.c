#include "mailvet/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/reason.h"
#include "mailvet/text.h"

static const struct { const char *title; int width; } vcols[] = {
#define MV_X(name, title, width) { title, width },
	MV_VCOL_LIST(MV_X)
#undef MV_X
};

struct undo {
	uint32_t row;
	uint8_t old;
	uint32_t group;
};

struct view {
	const table *t;
	results *res;
	long email_col;
	view_tier_fn *tier_of;
	const char *const *tier_names;
	int ntiers;

	uint32_t *order;       /* all rows, in the current sort order */
	uint32_t *shown;       /* rows passing the filters, in order: order
	                          itself while no filter is set, else filtered */
	size_t nshown;
	uint32_t *filtered;    /* owned, allocated by the first filter */
	uint8_t *tier;         /* row -> its tier, cached */
	size_t counts[32];     /* rows per tier */
	uint8_t *tags;         /* bitset */
	size_t ntags;

	int sort_col;
	bool sort_desc;
	unsigned tier_mask;
	char needle[256];

	struct undo *undo;
	size_t nundo, capundo;
	uint32_t group;
	size_t ndecided;
	bool dirty;
};

int view_col_width(int col)
{
	return col >= 0 && col < VC_ORIG ? vcols[col].width : 14;
}

const char *view_col_title(const view *v, int col)
{
	static char buf[128];
	if (col >= 0 && col < VC_ORIG)
		return vcols[col].title;
	mv_str s = table_col_name(v->t, (size_t)(col - VC_ORIG));
	snprintf(buf, sizeof(buf), "%.*s", (int)(s.len > 100 ? 100 : s.len), s.p);
	return buf;
}

int view_ncols(const view *v)
{
	return VC_ORIG + (int)table_ncols(v->t);
}

view *view_create(const table *t, results *res, long email_col,
		  view_tier_fn *tier_of, const char *const *tier_names, int ntiers)
{
	view *v = calloc(1, sizeof(*v));
	size_t n = table_nrows(t);
	if (!v)
		return NULL;
	v->t = t;
	v->res = res;
	v->email_col = email_col;
	v->tier_of = tier_of;
	v->tier_names = tier_names;
	v->ntiers = ntiers;
	v->sort_col = VC_ROW;
	v->order = malloc((n ? n : 1) * sizeof(uint32_t));
	v->tier = malloc(n ? n : 1);
	v->tags = calloc(n / 8 + 1, 1);
	if (!v->order || !v->tier || !v->tags || ntiers > 32 ||
	    n > INT32_MAX) {
		view_destroy(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		v->order[i] = (uint32_t)i;
		if (res->rows[i].decision)
			v->ndecided++;
		int tr = tier_of(&res->rows[i]);
		v->tier[i] = (uint8_t)(tr >= 0 && tr < ntiers ? tr : 0);
		v->counts[v->tier[i]]++;
	}
	view_refresh(v);
	return v;
}

void view_destroy(view *v)
{
	if (!v)
		return;
	free(v->order);
	free(v->filtered);
	free(v->tier);
	free(v->tags);
	free(v->undo);
	free(v);
}

size_t view_count(const view *v) { return v->nshown; }
size_t view_row(const view *v, size_t pos) { return v->shown[pos]; }
int view_sort_col(const view *v) { return v->sort_col; }
bool view_sort_desc(const view *v) { return v->sort_desc; }
unsigned view_tier_filter(const view *v) { return v->tier_mask; }
const char *view_text_filter(const view *v) { return v->needle; }
size_t view_undo_depth(const view *v) { return v->nundo; }
size_t view_decisions(const view *v) { return v->ndecided; }
bool view_dirty(const view *v) { return v->dirty; }
void view_mark_clean(view *v) { v->dirty = false; }

long view_pos_of(const view *v, size_t row)
{
	for (size_t i = 0; i < v->nshown; i++)
		if (v->shown[i] == row)
			return (long)i;
	return -1;
}

int view_tier(const view *v, size_t row)
{
	return v->tier[row];
}

void view_touch(view *v, size_t row)
{
	if (row >= table_nrows(v->t))
		return;
	int t = v->tier_of(&v->res->rows[row]);
	if (t < 0 || t >= v->ntiers)
		t = 0;
	if (t == v->tier[row])
		return;
	v->counts[v->tier[row]]--;
	v->tier[row] = (uint8_t)t;
	v->counts[t]++;
}

const char *view_tier_name(const view *v, int tier)
{
	return tier >= 0 && tier < v->ntiers ? v->tier_names[tier] : "?";
}

mv_str view_cell(const view *v, size_t row, int col, char *scratch, size_t cap)
{
	const row_result *r = &v->res->rows[row];
	mv_str s = { "", 0 };
	int n = 0;
	switch (col) {
	case VC_ROW:
		n = snprintf(scratch, cap, "%zu", row + 1);
		break;
	case VC_EMAIL:
		return v->email_col >= 0 ? table_cell(v->t, row, (size_t)v->email_col) : s;
	case VC_TIER:
		s.p = view_tier_name(v, view_tier(v, row));
		s.len = strlen(s.p);
		return s;
	case VC_REASON:
		if (r->reason) {
			s.p = reason_name((mv_reason)r->reason);
			s.len = strlen(s.p);
		}
		return s;
	case VC_DOMAIN:
		return results_str(v->res, r->domain);
	case VC_MX:
		return results_str(v->res, r->mx);
	case VC_CODE:
		if (r->smtp_code) {
			char e[16];
			result_enhanced_str(r->enhanced, e);
			n = snprintf(scratch, cap, "%u%s%s", r->smtp_code, e[0] ? " " : "", e);
		}
		break;
	case VC_SUGGESTION:
		return results_str(v->res, r->suggestion);
	case VC_FLAGS:
		for (unsigned b = 0; b < FLAG_COUNT && (size_t)n < cap; b++)
			if (r->flags & (1u << b))
				n += snprintf(scratch + n, cap - (size_t)n, "%s%s", n ? "," : "",
					      result_flag_name(b));
		if ((size_t)n >= cap)
			n = (int)cap - 1;
		break;
	case VC_DECISION:
		s.p = r->decision == DECIDE_KEEP ? "keep" : r->decision == DECIDE_DROP ? "drop" : "";
		s.len = strlen(s.p);
		return s;
	default:
		if (col >= VC_ORIG && (size_t)(col - VC_ORIG) < table_ncols(v->t))
			return table_cell(v->t, row, (size_t)(col - VC_ORIG));
		return s;
	}
	if (n < 0)
		n = 0;
	s.p = scratch;
	s.len = (size_t)n < cap ? (size_t)n : cap - 1;
	return s;
}

/* ---- sorting -------------------------------------------------------------- */

/*
 * A stable LSD radix sort on a 16-byte key per row (the first 16 bytes of
 * the text, lower-cased, or the number), then runs whose keys are equal
 * and whose texts are longer are ordered by the whole text. Stable, so an
 * earlier sort breaks ties: sort by domain, then by tier, and rows come
 * out by tier, then domain. Keys and rows are separate arrays (a key with
 * its row beside it would pad to 24 bytes), the sort order itself serving
 * as one of the two row arrays: 36 bytes a row in all while it runs.
 */
struct rkey {
	uint64_t hi, lo;
};

static void key16(const char *p, size_t n, uint64_t *hi, uint64_t *lo)
{
	uint64_t a = 0, b = 0;
	for (size_t i = 0; i < 8; i++)
		a = a << 8 | (i < n ? (unsigned char)text_ascii_lower(p[i]) : 0);
	for (size_t i = 8; i < 16; i++)
		b = b << 8 | (i < n ? (unsigned char)text_ascii_lower(p[i]) : 0);
	*hi = a;
	*lo = b;
}

static int text_cmp(const view *v, int col, uint32_t a, uint32_t b)
{
	char sa[256], sb[256];
	mv_str x = view_cell(v, a, col, sa, sizeof(sa));
	mv_str y = view_cell(v, b, col, sb, sizeof(sb));
	size_t n = x.len < y.len ? x.len : y.len;
	for (size_t i = 0; i < n; i++) {
		int ca = (unsigned char)text_ascii_lower(x.p[i]);
		int cb = (unsigned char)text_ascii_lower(y.p[i]);
		if (ca != cb)
			return ca - cb;
	}
	return (x.len > y.len) - (x.len < y.len);
}

/* Stable insertion/merge sort of a run of rows by their whole text. */
static void sort_run(const view *v, int col, bool desc, uint32_t *rows, uint32_t *tmp, size_t n)
{
	if (n < 2)
		return;
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = rows[i];
			size_t j = i;
			while (j > 0) {
				int c = text_cmp(v, col, rows[j - 1], x);
				if (desc ? c >= 0 : c <= 0)
					break;
				rows[j] = rows[j - 1];
				j--;
			}
			rows[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	sort_run(v, col, desc, rows, tmp, h);
	sort_run(v, col, desc, rows + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		int c = text_cmp(v, col, rows[i], rows[j]);
		tmp[k++] = (desc ? c >= 0 : c <= 0) ? rows[i++] : rows[j++];
	}
	while (i < h)
		tmp[k++] = rows[i++];
	while (j < n)
		tmp[k++] = rows[j++];
	memcpy(rows, tmp, n * sizeof(uint32_t));
}

mv_status view_sort(view *v, int col, bool desc)
{
	size_t n = table_nrows(v->t);
	struct rkey *ka = malloc((n ? n : 1) * sizeof(*ka));
	struct rkey *kb = malloc((n ? n : 1) * sizeof(*kb));
	uint32_t *ra = v->order, *rb = malloc((n ? n : 1) * sizeof(*rb));
	enum { BITS = 11, PASSES = 12, RADIX = 1 << BITS };
	uint32_t (*cnt)[RADIX] = calloc(PASSES, sizeof(*cnt));
	char scratch[256];
	bool text = !(col == VC_ROW || col == VC_CODE || col == VC_TIER);
	if (!ka || !kb || !rb || !cnt) {
		free(ka);
		free(kb);
		free(rb);
		free(cnt);
		return MV_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t row = ra[i];
		uint64_t hi = 0, lo = 0;
		if (col == VC_ROW) {
			hi = row;
		} else if (col == VC_CODE) {
			const row_result *r = &v->res->rows[row];
			hi = (uint64_t)r->smtp_code << 32 | r->enhanced;
		} else if (col == VC_TIER) {
			hi = v->tier[row];
		} else {
			mv_str s = view_cell(v, row, col, scratch, sizeof(scratch));
			key16(s.p, s.len, &hi, &lo);
		}
		ka[i].hi = desc ? ~hi : hi;
		ka[i].lo = desc ? ~lo : lo;
	}
	/* 12 passes of 11 bits, least significant first, all the counts taken
	 * in one read; a pass whose digit is the same for every key is skipped */
#define DIGIT(k, p) ((unsigned)(((p) * BITS < 64 ? (k).lo >> ((p) * BITS) | \
	((p) * BITS > 53 ? (k).hi << (64 - (p) * BITS) : 0) : \
	(k).hi >> ((p) * BITS - 64)) & (RADIX - 1)))
	for (size_t i = 0; i < n; i++)
		for (int p = 0; p < PASSES; p++)
			cnt[p][DIGIT(ka[i], p)]++;
	for (int p = 0; p < PASSES; p++) {
		bool trivial = false;
		uint32_t sum = 0;
		for (int d = 0; d < RADIX; d++) {
			if (cnt[p][d] == n)
				trivial = true;
			uint32_t c = cnt[p][d];
			cnt[p][d] = sum;
			sum += c;
		}
		if (trivial)
			continue;
		for (size_t i = 0; i < n; i++) {
			uint32_t to = cnt[p][DIGIT(ka[i], p)]++;
			kb[to] = ka[i];
			rb[to] = ra[i];
		}
		struct rkey *kt = ka;
		ka = kb;
		kb = kt;
		uint32_t *rt = ra;
		ra = rb;
		rb = rt;
	}
#undef DIGIT
	free(cnt);
	free(kb);
	/* the rows end in the sort order's own array; the other is scratch */
	if (ra != v->order) {
		memcpy(v->order, ra, n * sizeof(uint32_t));
		rb = ra;
	}
	/* equal 16-byte keys of longer texts: by the whole text */
	if (text) {
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && ka[j].hi == ka[i].hi && ka[j].lo == ka[i].lo)
				j++;
			uint64_t last = desc ? ~ka[i].lo : ka[i].lo;
			if (j - i > 1 && (last & 0xff))
				sort_run(v, col, desc, v->order + i, rb, j - i);
			i = j;
		}
	}
	free(ka);
	free(rb);
	v->sort_col = col;
	v->sort_desc = desc;
	return view_refresh(v);
}

/* ---- filters and search ------------------------------------------------------ */

static bool contains_ci(const char *hay, size_t hn, const char *needle, size_t nn)
{
	if (!nn)
		return true;
	if (nn > hn)
		return false;
	char first = text_ascii_lower(needle[0]);
	for (size_t i = 0; i + nn <= hn; i++) {
		if (text_ascii_lower(hay[i]) != first)
			continue;
		if (text_ieq(hay + i, nn, needle, nn))
			return true;
	}
	return false;
}

static bool row_matches(const view *v, size_t row, const char *needle, size_t nn)
{
	static const int cols[] = { VC_EMAIL, VC_DOMAIN, VC_REASON, VC_SUGGESTION, VC_MX };
	char scratch[256];
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		mv_str s = view_cell(v, row, cols[i], scratch, sizeof(scratch));
		if (contains_ci(s.p, s.len, needle, nn))
			return true;
	}
	return false;
}

mv_status view_refresh(view *v)
{
	size_t n = table_nrows(v->t), k = 0, nn = strlen(v->needle);
	v->shown = v->order;
	v->nshown = n;
	if (!v->tier_mask && !nn)
		return MV_OK;
	if (!v->filtered && !(v->filtered = malloc((n ? n : 1) * sizeof(uint32_t)))) {
		/* no room to filter: everything shows, and no filter claims otherwise */
		v->tier_mask = 0;
		v->needle[0] = '\0';
		return MV_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t row = v->order[i];
		if (v->tier_mask && !(v->tier_mask & (1u << view_tier(v, row))))
			continue;
		if (nn && !row_matches(v, row, v->needle, nn))
			continue;
		v->filtered[k++] = row;
	}
	v->shown = v->filtered;
	v->nshown = k;
	return MV_OK;
}

void view_set_tier_filter(view *v, unsigned mask)
{
	v->tier_mask = mask;
	view_refresh(v);
}

mv_status view_set_text_filter(view *v, const char *needle)
{
	if (strlen(needle) >= sizeof(v->needle))
		return MV_TOOBIG;
	snprintf(v->needle, sizeof(v->needle), "%s", needle);
	return view_refresh(v);
}

long view_search(const view *v, const char *needle, size_t from, bool backward)
{
	size_t n = v->nshown, nn = strlen(needle);
	if (!n || !nn)
		return -1;
	if (from >= n)
		from = backward ? n - 1 : 0;
	for (size_t step = 0; step < n; step++) {
		size_t p = backward ? (from + n - step) % n : (from + step) % n;
		if (row_matches(v, v->shown[p], needle, nn))
			return (long)p;
	}
	return -1;
}

/* ---- triage ------------------------------------------------------------------- */

static bool push_undo(view *v, size_t row)
{
	if (v->nundo == v->capundo) {
		size_t nc = v->capundo ? v->capundo * 2 : 64;
		struct undo *u = realloc(v->undo, nc * sizeof(*u));
		if (!u)
			return false;
		v->undo = u;
		v->capundo = nc;
	}
	v->undo[v->nundo].row = (uint32_t)row;
	v->undo[v->nundo].old = v->res->rows[row].decision;
	v->undo[v->nundo].group = v->group;
	v->nundo++;
	return true;
}

static void set_decision(view *v, size_t row, decision d)
{
	row_result *r = &v->res->rows[row];
	if (r->decision == d)
		return;
	if (!push_undo(v, row))
		return;
	if (r->decision && !d)
		v->ndecided--;
	else if (!r->decision && d)
		v->ndecided++;
	r->decision = (uint8_t)d;
	v->dirty = true;
	view_touch(v, row);
}

void view_decide(view *v, size_t row, decision d)
{
	if (row >= table_nrows(v->t))
		return;
	v->group++;
	set_decision(v, row, d);
}

size_t view_decide_tagged(view *v, decision d)
{
	size_t n = table_nrows(v->t), done = 0;
	v->group++;
	for (size_t row = 0; row < n; row++) {
		if (!view_tagged(v, row))
			continue;
		set_decision(v, row, d);
		done++;
	}
	return done;
}

bool view_undo(view *v)
{
	if (!v->nundo)
		return false;
	uint32_t g = v->undo[v->nundo - 1].group;
	while (v->nundo && v->undo[v->nundo - 1].group == g) {
		struct undo *u = &v->undo[--v->nundo];
		row_result *r = &v->res->rows[u->row];
		if (r->decision && !u->old)
			v->ndecided--;
		else if (!r->decision && u->old)
			v->ndecided++;
		r->decision = u->old;
		view_touch(v, u->row);
	}
	v->dirty = true;
	return true;
}

void view_tag(view *v, size_t row, bool on)
{
	if (row >= table_nrows(v->t))
		return;
	uint8_t bit = (uint8_t)(1u << (row & 7));
	bool was = v->tags[row >> 3] & bit;
	if (on && !was) {
		v->tags[row >> 3] |= bit;
		v->ntags++;
	} else if (!on && was) {
		v->tags[row >> 3] &= (uint8_t)~bit;
		v->ntags--;
	}
}

bool view_tagged(const view *v, size_t row)
{
	return row < table_nrows(v->t) && (v->tags[row >> 3] & (1u << (row & 7)));
}

size_t view_ntagged(const view *v)
{
	return v->ntags;
}

void view_untag_all(view *v)
{
	memset(v->tags, 0, table_nrows(v->t) / 8 + 1);
	v->ntags = 0;
}

void view_tier_counts(const view *v, size_t *counts)
{
	memcpy(counts, v->counts, (size_t)v->ntiers * sizeof(size_t));
}
