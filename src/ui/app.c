/*
 * app — the workbench's state, its keys and its screens, served by the
 * same ev loop as the verification engine: the terminal is one more fd, a
 * key is answered before the next batch of results is drawn, and the
 * screen is redrawn once per loop pass when something changed.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "keys.h"
#include "mailvet/bounces.h"
#include "mailvet/buf.h"
#include "mailvet/domains.h"
#include "mailvet/ev.h"
#include "mailvet/export.h"
#include "mailvet/reply.h"
#include "mailvet/result.h"
#include "mailvet/text.h"
#include "mailvet/verify.h"
#include "mailvet/view.h"
#include "mailvet/workspace.h"

#define KCTRL(c) ((c) & 0x1f)

static const struct binding {
	int key;
	enum ui_action action;
	const char *name;
} bindings[] = {
	{ 'j', ACT_DOWN, "j" }, { KEY_DOWN, ACT_DOWN, "Down" },
	{ 'k', ACT_UP, "k" }, { KEY_UP, ACT_UP, "Up" },
	{ 'h', ACT_LEFT, "h" }, { KEY_LEFT, ACT_LEFT, "Left" },
	{ 'l', ACT_RIGHT, "l" }, { KEY_RIGHT, ACT_RIGHT, "Right" },
	{ KEY_NPAGE, ACT_PAGE_DOWN, "PgDn" }, { KCTRL('f'), ACT_PAGE_DOWN, "^F" },
	{ KEY_PPAGE, ACT_PAGE_UP, "PgUp" }, { KCTRL('b'), ACT_PAGE_UP, "^B" },
	{ KCTRL('d'), ACT_HALF_DOWN, "^D" }, { KCTRL('u'), ACT_HALF_UP, "^U" },
	{ KEY_HOME, ACT_TOP, "Home" }, { 'G', ACT_BOTTOM, "G" }, { KEY_END, ACT_BOTTOM, "End" },
	{ '[', ACT_SORT_ASC, "[" }, { ']', ACT_SORT_DESC, "]" },
	{ '\\', ACT_FILTER, "\\" }, { '/', ACT_SEARCH, "/" },
	{ 'n', ACT_SEARCH_NEXT, "n" }, { 'N', ACT_SEARCH_PREV, "N" },
	{ 'F', ACT_TIERS, "F" }, { 't', ACT_TIER_NEXT, "t" }, { '0', ACT_ALL_TIERS, "0" },
	{ '\n', ACT_DETAIL, "Enter" }, { KEY_ENTER, ACT_DETAIL, "Enter" }, { '\r', ACT_DETAIL, "Enter" },
	{ 'D', ACT_DOMAINS, "D" }, { 'B', ACT_SEGMENTS, "B" },
	{ 's', ACT_KEEP, "s" }, { 'd', ACT_DROP, "d" }, { 'u', ACT_UNMARK, "u" },
	{ ' ', ACT_TAG, "Space" }, { 'g', ACT_PREFIX_G, "g" },
	{ 'a', ACT_ACCEPT, "a" }, { 'U', ACT_UNDO, "U" },
	{ 'R', ACT_REVERIFY, "R" }, { 'v', ACT_START, "v" }, { 'p', ACT_PAUSE, "p" },
	{ KCTRL('s'), ACT_EXPORT, "^S" }, { KCTRL('l'), ACT_REDRAW, "^L" },
	{ '?', ACT_HELP, "?" }, { KEY_F(1), ACT_HELP, "F1" },
	{ 27, ACT_BACK, "Esc" }, { 'q', ACT_QUIT, "q" }, { 'Q', ACT_QUIT_NOW, "Q" },
};

static const struct { const char *group, *help; } action_info[] = {
	{ "", "" },
#define UI_X(name, group, help) { group, help },
	UI_ACTIONS(UI_X)
#undef UI_X
};

enum ui_screen { SCR_SUMMARY, SCR_TABLE, SCR_DETAIL, SCR_DOMAINS, SCR_SEGMENTS };
enum prompt { P_NONE, P_FILTER, P_SEARCH, P_QUIT };

struct app {
	workspace ws;
	view *v;
	ev_loop *ev;
	enum ui_screen scr, back;
	bool help, tiers_box, export_box;
	int tier_cur;                 /* cursor in the tier box */
	size_t cur, top;              /* table cursor and first shown row */
	int ccol, lcol;               /* current and leftmost shown column */
	int cols[64];
	int ncols;
	enum prompt prompt;
	char input[256];
	size_t ninput;
	char search[256];
	char msg[512];
	uint64_t msg_until;
	bool gpending;
	bool dirty;
	bool refilter;
	bool quit;
	bool color;
	/* detail */
	buf detail;
	size_t detail_top, detail_lines;
	/* domains */
	domains *dm;                  /* NULL until the view first opens */
	size_t dcur, dtop;
	/* export dialog */
	unsigned exp_mask;
	bool exp_split, exp_append, exp_suppress;
	int exp_cur;
	uint64_t started_ms;
	/* an imported bounce file for the segments view */
	bounce_set *bset;
	bounce_seg bseg;
	bool have_bseg, seg_bounces;
	char bpath[256];
};

static struct app A;

/* ---- colours --------------------------------------------------------------- */

enum { C_TITLE = 1, C_DELIV, C_RISKY, C_CATCH, C_UNKNOWN, C_INVALID, C_DIM, C_ALERT, C_SEL };

static void colors_init(void)
{
	A.color = has_colors() && !getenv("NO_COLOR");
	if (!A.color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_DELIV, COLOR_GREEN, -1);
	init_pair(C_RISKY, COLOR_YELLOW, -1);
	init_pair(C_CATCH, COLOR_MAGENTA, -1);
	init_pair(C_UNKNOWN, COLOR_BLUE, -1);
	init_pair(C_INVALID, COLOR_RED, -1);
	init_pair(C_DIM, COLOR_WHITE, -1);
	init_pair(C_ALERT, COLOR_WHITE, COLOR_RED);
	init_pair(C_SEL, COLOR_BLACK, COLOR_WHITE);
}

static attr_t tier_attr(int tier)
{
	if (!A.color)
		return tier == BUCKET_INVALID ? A_BOLD : A_NORMAL;
	switch (tier) {
	case BUCKET_DELIVERABLE: return COLOR_PAIR(C_DELIV);
	case BUCKET_RISKY: return COLOR_PAIR(C_RISKY);
	case BUCKET_CATCH_ALL: return COLOR_PAIR(C_CATCH);
	case BUCKET_UNKNOWN: return COLOR_PAIR(C_UNKNOWN);
	case BUCKET_INVALID: return COLOR_PAIR(C_INVALID);
	default: return A_DIM;
	}
}

static void message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void message(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(A.msg, sizeof(A.msg), fmt, ap);
	va_end(ap);
	A.msg_until = ev_clock_ms() + 5000;
	A.dirty = true;
}

/* ---- layout ------------------------------------------------------------------ */

static int table_height(void)
{
	int h = LINES - 4 - (A.ws.alert[0] ? 1 : 0);
	return h < 1 ? 1 : h;
}

static void clamp_cursor(void)
{
	size_t n = view_count(A.v);
	int h = table_height();
	if (!n) {
		A.cur = A.top = 0;
		return;
	}
	if (A.cur >= n)
		A.cur = n - 1;
	if (A.cur < A.top)
		A.top = A.cur;
	if (A.cur >= A.top + (size_t)h)
		A.top = A.cur - (size_t)h + 1;
	if (A.ccol < 0)
		A.ccol = 0;
	if (A.ccol >= A.ncols)
		A.ccol = A.ncols - 1;
	if (A.lcol > A.ccol)
		A.lcol = A.ccol;
	/* make the current column visible */
	for (;;) {
		int x = 0;
		for (int c = A.lcol; c <= A.ccol; c++)
			x += view_col_width(A.cols[c]) + 1;
		if (x <= COLS || A.lcol >= A.ccol)
			break;
		A.lcol++;
	}
}

/* ---- drawing ------------------------------------------------------------------- */

static void draw_title(void)
{
	char line[512];
	verify_stats st;
	attrset(A.color ? COLOR_PAIR(C_TITLE) : A_REVERSE);
	const char *base = strrchr(A.ws.path, '/');
	base = base ? base + 1 : A.ws.path;
	int n = snprintf(line, sizeof(line), " mailvet%s  %s  %zu rows", A.ws.demo ? "  DEMO NETWORK" : "",
			 base, A.ws.counts.rows);
	if (A.ws.ver) {
		verify_get_stats(A.ws.ver, &st);
		double el = (double)(ev_clock_ms() - A.started_ms) / 1000.0;
		double rate = el > 0.5 ? (double)st.done / el : 0;
		unsigned pct = st.queued ? (unsigned)(st.done * 100 / st.queued) : 100;
		char eta[32] = "--:--";
		if (rate > 0 && st.done < st.queued) {
			double s = (double)(st.queued - st.done) / rate;
			snprintf(eta, sizeof(eta), "%d:%02d", (int)s / 60, (int)s % 60);
		}
		snprintf(line + n, sizeof(line) - (size_t)n,
			      "  %s %u%% %.0f/s ETA %s  %u probes",
			      st.done < st.queued ? "verifying" : "verified", pct, rate,
			      st.done < st.queued ? eta : "0:00", st.probes);
	}
	ui_put(0, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
}

static void draw_counts(int y)
{
	size_t counts[BUCKET_COUNT];
	view_tier_counts(A.v, counts);
	int x = 0;
	move(y, 0);
	clrtoeol();
	for (int t = 0; t < BUCKET_COUNT && x < COLS; t++) {
		if (!counts[t] && t != BUCKET_DELIVERABLE)
			continue;
		char s[64];
		int n = snprintf(s, sizeof(s), "%s %zu", bucket_name(t), counts[t]);
		bool on = !view_tier_filter(A.v) || (view_tier_filter(A.v) & (1u << t));
		attrset(tier_attr(t) | (on ? A_NORMAL : A_DIM));
		ui_put(y, x, n < COLS - x ? n : COLS - x, s, (size_t)n);
		attrset(A_NORMAL);
		x += n + 2;
	}
}

static void draw_status(int y)
{
	char line[600];
	move(y, 0);
	clrtoeol();
	if (A.prompt != P_NONE) {
		const char *label = A.prompt == P_FILTER ? "filter: " :
				    A.prompt == P_SEARCH ? "/" : "";
		if (A.prompt == P_QUIT)
			snprintf(line, sizeof(line), "%zu decisions are not exported. Quit anyway? (y/n) ",
				 view_decisions(A.v));
		else
			snprintf(line, sizeof(line), "%s%.*s", label, (int)A.ninput, A.input);
		ui_put(y, 0, COLS, line, strlen(line));
		move(y, (int)strlen(line) < COLS ? (int)strlen(line) : COLS - 1);
		return;
	}
	if (A.msg[0] && ev_clock_ms() < A.msg_until) {
		ui_put(y, 0, COLS, A.msg, strlen(A.msg));
		return;
	}
	int n = snprintf(line, sizeof(line), "%zu/%zu", view_count(A.v) ? A.cur + 1 : 0, view_count(A.v));
	if (view_text_filter(A.v)[0])
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  filter \"%s\"", view_text_filter(A.v));
	if (view_ntagged(A.v))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %zu tagged", view_ntagged(A.v));
	if (view_decisions(A.v))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %zu decisions%s", view_decisions(A.v),
			      view_dirty(A.v) ? " (not exported)" : "");
	snprintf(line + n, sizeof(line) - (size_t)n, "   ? help  Enter detail  ^S export  q quit");
	attrset(A_DIM);
	ui_put(y, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
}

static void draw_table(void)
{
	int h = table_height(), y0 = 1;
	char scratch[512];
	if (A.ws.alert[0]) {
		attrset(A.color ? COLOR_PAIR(C_ALERT) : A_REVERSE);
		char line[700];
		snprintf(line, sizeof(line), " ALERT: %s  (p on a row there: pause/resume)", A.ws.alert);
		ui_put(1, 0, COLS, line, strlen(line));
		attrset(A_NORMAL);
		y0 = 2;
	}
	/* header */
	int x = 0;
	attrset(A_BOLD | A_UNDERLINE);
	move(y0, 0);
	clrtoeol();
	for (int c = A.lcol; c < A.ncols && x < COLS; c++) {
		int w = view_col_width(A.cols[c]);
		if (x + w > COLS)
			w = COLS - x;
		char title[128];
		const char *t = view_col_title(A.v, A.cols[c]);
		int tn = snprintf(title, sizeof(title), "%s%s", t,
				  view_sort_col(A.v) == A.cols[c] ? (view_sort_desc(A.v) ? "v" : "^") : "");
		if (c == A.ccol)
			attron(A_REVERSE);
		ui_put(y0, x, w, title, (size_t)tn);
		if (c == A.ccol)
			attroff(A_REVERSE);
		x += w + 1;
	}
	attrset(A_NORMAL);
	size_t n = view_count(A.v);
	for (int i = 0; i < h; i++) {
		int y = y0 + 1 + i;
		size_t pos = A.top + (size_t)i;
		move(y, 0);
		clrtoeol();
		if (pos >= n)
			continue;
		size_t row = view_row(A.v, pos);
		int tier = view_tier(A.v, row);
		bool sel = pos == A.cur;
		bool tagged = view_tagged(A.v, row);
		x = 0;
		for (int c = A.lcol; c < A.ncols && x < COLS; c++) {
			int w = view_col_width(A.cols[c]);
			if (x + w > COLS)
				w = COLS - x;
			mv_str s = view_cell(A.v, row, A.cols[c], scratch, sizeof(scratch));
			attr_t at = A_NORMAL;
			if (A.cols[c] == VC_TIER || A.cols[c] == VC_EMAIL)
				at = tier_attr(tier);
			if (sel)
				at = A.color ? COLOR_PAIR(C_SEL) : A_REVERSE;
			if (tagged)
				at |= A_BOLD;
			attrset(at);
			if (A.cols[c] == VC_ROW && tagged) {
				char t[32];
				int tn = snprintf(t, sizeof(t), "*%.*s", (int)s.len, s.p);
				ui_put(y, x, w, t, (size_t)tn);
			} else {
				ui_put(y, x, w, s.p, s.len);
			}
			if (sel && x + w < COLS)
				ui_put(y, x + w, 1, " ", 1);
			attrset(A_NORMAL);
			x += w + 1;
		}
	}
	draw_counts(LINES - 2);
}

static void draw_box(int h, int w, int *y0, int *x0, const char *title)
{
	if (h > LINES - 2)
		h = LINES - 2;
	if (w > COLS - 2)
		w = COLS - 2;
	*y0 = (LINES - h) / 2;
	*x0 = (COLS - w) / 2;
	for (int y = 0; y < h; y++) {
		move(*y0 + y, *x0);
		for (int x = 0; x < w; x++) {
			chtype ch = ' ';
			if (y == 0 || y == h - 1)
				ch = (x == 0 || x == w - 1) ? '+' : '-';
			else if (x == 0 || x == w - 1)
				ch = '|';
			addch(ch);
		}
	}
	attrset(A_BOLD);
	ui_put(*y0, *x0 + 2, (int)strlen(title) + 2 < w - 4 ? (int)strlen(title) + 2 : w - 4, " ", 1);
	mvaddnstr(*y0, *x0 + 3, title, w - 6);
	attrset(A_NORMAL);
}

static void draw_summary(void)
{
	const ws_counts *c = &A.ws.counts;
	int y0, x0, w = 64;
	draw_box(18, w, &y0, &x0, "Local pass: the cost preview");
	char line[256];
	struct { const char *what; size_t n; } lines[] = {
		{ "rows", c->rows }, { "junk", c->junk }, { "invalid (syntax, reserved)", c->invalid },
		{ "duplicates", c->duplicates }, { "aliases of another row", c->aliases },
		{ "typos found (suggestions)", c->typos }, { "suppressed", c->suppressed },
		{ "candidates to verify", c->candidates }, { "distinct domains", c->domains },
		{ "probes needed", c->probes_needed },
	};
	size_t maxn = 1;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (lines[i].n > maxn)
			maxn = lines[i].n;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		int bar = (int)(lines[i].n * 20 / maxn);
		char bars[24];
		memset(bars, '#', (size_t)bar);
		bars[bar] = '\0';
		snprintf(line, sizeof(line), "%-28s %8zu  %s", lines[i].what, lines[i].n, bars);
		ui_put(y0 + 2 + (int)i, x0 + 2, w - 4, line, strlen(line));
	}
	verify_stats st;
	unsigned budget = A.ws.cfg.budget;
	if (A.ws.ver) {
		verify_get_stats(A.ws.ver, &st);
		budget = st.budget_left;
	}
	snprintf(line, sizeof(line), "probe budget left today: %u%s", budget,
		 A.ws.demo ? "  (demo: all on loopback)" : "");
	ui_put(y0 + 13, x0 + 2, w - 4, line, strlen(line));
	attrset(A_BOLD);
	snprintf(line, sizeof(line), "v/Enter: verify   t: review without probing   ^S: export");
	ui_put(y0 + 15, x0 + 2, w - 4, line, strlen(line));
	attrset(A_NORMAL);
}

static void draw_help(void)
{
	int y0, x0, w = COLS - 4 < 78 ? COLS - 4 : 78, h = LINES - 2;
	draw_box(h, w, &y0, &x0, "Keys (q or Esc closes)");
	int y = y0 + 1;
	const char *group = "";
	for (int a = 1; a < ACT_COUNT && y < y0 + h - 1; a++) {
		char keys[64] = "";
		size_t kn = 0;
		for (size_t b = 0; b < sizeof(bindings) / sizeof(bindings[0]); b++) {
			if (bindings[b].action != (enum ui_action)a)
				continue;
			if (kn && strstr(keys, bindings[b].name))
				continue;
			int k = snprintf(keys + kn, sizeof(keys) - kn, "%s%s", kn ? " " : "", bindings[b].name);
			if (k > 0 && (size_t)k < sizeof(keys) - kn)
				kn += (size_t)k;
		}
		if (strcmp(group, action_info[a].group) != 0) {
			group = action_info[a].group;
			attrset(A_BOLD);
			ui_put(y, x0 + 2, w - 4, group, strlen(group));
			attrset(A_NORMAL);
			if (++y >= y0 + h - 1)
				break;
		}
		char line[256];
		snprintf(line, sizeof(line), "  %-12s %s", keys, action_info[a].help);
		ui_put(y++, x0 + 2, w - 4, line, strlen(line));
	}
}

static void draw_tiers_box(void)
{
	size_t counts[BUCKET_COUNT];
	view_tier_counts(A.v, counts);
	int y0, x0, w = 44;
	draw_box(BUCKET_COUNT + 4, w, &y0, &x0, "Tiers (Enter filters, 0 all)");
	size_t total = A.ws.counts.rows ? A.ws.counts.rows : 1;
	for (int t = 0; t < BUCKET_COUNT; t++) {
		char line[128];
		int bar = (int)(counts[t] * 16 / total);
		char bars[20];
		memset(bars, '#', (size_t)bar);
		bars[bar] = '\0';
		snprintf(line, sizeof(line), "%d %-12s %7zu %5.1f%% %s", t + 1, bucket_name(t),
			 counts[t], 100.0 * (double)counts[t] / (double)total, bars);
		attrset(tier_attr(t) | (t == A.tier_cur ? A_REVERSE : A_NORMAL));
		ui_put(y0 + 2 + t, x0 + 2, w - 4, line, strlen(line));
		attrset(A_NORMAL);
	}
}

static void draw_detail(void)
{
	int h = LINES - 2;
	const char *p = buf_str(&A.detail);
	size_t line = 0;
	int y = 1;
	while (*p && y <= h) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (line >= A.detail_top) {
			move(y, 0);
			clrtoeol();
			if (n && p[0] == '#') {
				attrset(A_BOLD);
				ui_put(y, 0, COLS, p + 1, n - 1);
				attrset(A_NORMAL);
			} else {
				ui_put(y, 0, COLS, p, n);
			}
			y++;
		}
		line++;
		p = nl ? nl + 1 : p + n;
	}
	for (; y <= h; y++) {
		move(y, 0);
		clrtoeol();
	}
	char s[128];
	snprintf(s, sizeof(s), "detail: line %zu of %zu   j/k scroll   q/Esc back", A.detail_top + 1,
		 A.detail_lines);
	attrset(A_DIM);
	ui_put(LINES - 1, 0, COLS, s, strlen(s));
	attrset(A_NORMAL);
}

static void draw_domains(void)
{
	int h = LINES - 4;
	char line[512];
	attrset(A_BOLD | A_UNDERLINE);
	snprintf(line, sizeof(line), "%-28s %6s %6s %6s %6s %6s %6s %5s %s", "domain", "rows", "deliv",
		 "risky", "catch", "unkn", "inval", "sndr", "MX");
	ui_put(1, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
	size_t ndoms = A.dm ? domains_count(A.dm) : 0;
	if (A.dcur >= ndoms && ndoms)
		A.dcur = ndoms - 1;
	if (A.dcur < A.dtop)
		A.dtop = A.dcur;
	if (A.dcur >= A.dtop + (size_t)h)
		A.dtop = A.dcur - (size_t)h + 1;
	for (int i = 0; i < h; i++) {
		size_t k = A.dtop + (size_t)i;
		move(2 + i, 0);
		clrtoeol();
		if (k >= ndoms)
			continue;
		const domain_line *d = domains_line(A.dm, k);
		mv_str dn = results_str(A.ws.res, d->domain);
		mv_str mx = results_str(A.ws.res, d->mx);
		snprintf(line, sizeof(line), "%-28.*s %6zu %6zu %6zu %6zu %6zu %6zu %5zu %.*s%s",
			 (int)(dn.len > 28 ? 28 : dn.len), dn.p, d->total,
			 d->tiers[BUCKET_DELIVERABLE], d->tiers[BUCKET_RISKY], d->tiers[BUCKET_CATCH_ALL],
			 d->tiers[BUCKET_UNKNOWN], d->tiers[BUCKET_INVALID], d->sender,
			 (int)(mx.len > 40 ? 40 : mx.len), mx.p, d->catch_all ? "  (catch-all)" : "");
		if (k == A.dcur)
			attrset(A_REVERSE);
		ui_put(2 + i, 0, COLS, line, strlen(line));
		attrset(A_NORMAL);
	}
	if (A.msg[0] && ev_clock_ms() < A.msg_until)
		snprintf(line, sizeof(line), "%s", A.msg);
	else
		snprintf(line, sizeof(line), "%zu domains   Enter: show its rows   s/d: keep/drop its "
			 "catch-all rows   R: re-verify   q back", ndoms);
	attrset(A_DIM);
	ui_put(LINES - 1, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
}

static void draw_segments(void);
static void draw_export(void);

static void redraw(void)
{
	erase();
	draw_title();
	switch (A.scr) {
	case SCR_SUMMARY:
		draw_summary();
		draw_status(LINES - 1);
		break;
	case SCR_TABLE:
		clamp_cursor();
		draw_table();
		draw_status(LINES - 1);
		break;
	case SCR_DETAIL:
		draw_detail();
		break;
	case SCR_DOMAINS:
		draw_domains();
		break;
	case SCR_SEGMENTS:
		draw_segments();
		break;
	}
	if (A.tiers_box)
		draw_tiers_box();
	if (A.export_box)
		draw_export();
	if (A.help)
		draw_help();
	if (A.prompt == P_NONE)
		curs_set(0);
	else
		curs_set(1);
	wnoutrefresh(stdscr);
	doupdate();
	A.dirty = false;
}

/* ---- segments: domain x reason of this run's answers --------------------------- */

/* The imported bounce file: providers x reasons, and its alerts. */
static void draw_bounce_segments(void)
{
	char line[1024];
	int y = 1;
	const bounce_seg *g = &A.bseg;
	snprintf(line, sizeof(line), "bounces from %s: %zu (recipient-side %zu, sender-side %zu, "
		 "other %zu; %zu could be suppressed)", A.bpath, g->total, g->recipient_side,
		 g->sender_side, g->other, g->suppressible);
	attrset(A_BOLD);
	ui_put(y++, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
	for (size_t i = 0; i < g->nalerts && y < LINES - 4; i++) {
		const bounce_alert *al = &g->alerts[i];
		snprintf(line, sizeof(line), " ALERT: %s: %zu of %zu bounces are sender-side (%s): your "
			 "reputation or authentication there is the problem, the recipients are fine",
			 al->provider, al->sender_side, al->total, reason_name(al->top_reason));
		attrset(A.color ? COLOR_PAIR(C_ALERT) : A_REVERSE);
		ui_put(y++, 0, COLS, line, strlen(line));
		attrset(A_NORMAL);
	}
	attrset(A_BOLD | A_UNDERLINE);
	snprintf(line, sizeof(line), "%-22s %6s %6s %6s  %s", "provider", "total", "recip", "sender",
		 "top reasons");
	ui_put(y++, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
	for (size_t i = 0; i < g->nproviders && y < LINES - 1; i++) {
		const bounce_group *p = &g->providers[i];
		mv_reason top[3];
		size_t nt = bounce_group_top_reasons(p, top, 3);
		int n = snprintf(line, sizeof(line), "%-22.22s %6zu %6zu %6zu ", p->name, p->total,
				 p->recipient_side, p->sender_side);
		for (size_t k = 0; k < nt && n > 0 && (size_t)n < sizeof(line); k++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %zu",
				      reason_name(top[k]), p->by_reason[top[k]]);
		ui_put(y++, 0, COLS, line, strlen(line));
	}
	attrset(A_DIM);
	const char *foot = "imported bounces by provider   Tab: this run   q back";
	ui_put(LINES - 1, 0, COLS, foot, strlen(foot));
	attrset(A_NORMAL);
}

static void draw_segments(void)
{
	if (A.seg_bounces && A.have_bseg) {
		draw_bounce_segments();
		return;
	}
	enum { MAXD = 200, MAXR = 8 };
	size_t nrow = A.ws.res->n;
	static uint32_t doms[MAXD];
	static size_t cnt[MAXD][REASON_COUNT];
	static size_t dtot[MAXD];
	size_t rtot[REASON_COUNT] = { 0 };
	size_t nd = 0;
	memset(cnt, 0, sizeof(cnt));
	memset(dtot, 0, sizeof(dtot));
	for (size_t i = 0; i < nrow; i++) {
		const row_result *r = &A.ws.res->rows[i];
		if (r->verdict == VERDICT_NONE || !r->reason || r->reason == REASON_ACCEPTED)
			continue;
		size_t k;
		for (k = 0; k < nd && doms[k] != r->domain; k++)
			;
		if (k == nd) {
			if (nd == MAXD)
				continue;
			doms[nd++] = r->domain;
		}
		cnt[k][r->reason]++;
		dtot[k]++;
		rtot[r->reason]++;
	}
	int reasons[MAXR] = { 0 }, nr = 0;
	for (int pick = 0; pick < MAXR; pick++) {
		int best = -1;
		for (int rsn = 1; rsn < REASON_COUNT; rsn++) {
			bool used = false;
			for (int j = 0; j < nr; j++)
				used |= reasons[j] == rsn;
			if (!used && rtot[rsn] && (best < 0 || rtot[rsn] > rtot[best]))
				best = rsn;
		}
		if (best < 0)
			break;
		reasons[nr++] = best;
	}
	char line[1024];
	int y = 1;
	if (A.ws.alert[0]) {
		attrset(A.color ? COLOR_PAIR(C_ALERT) : A_REVERSE);
		snprintf(line, sizeof(line), " ALERT: %s", A.ws.alert);
		ui_put(y++, 0, COLS, line, strlen(line));
		attrset(A_NORMAL);
	}
	attrset(A_BOLD | A_UNDERLINE);
	int n = snprintf(line, sizeof(line), "%-24s %6s", "domain / reason", "total");
	for (int j = 0; j < nr && (size_t)n < sizeof(line); j++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %12.12s", reason_name((mv_reason)reasons[j]));
	ui_put(y++, 0, COLS, line, strlen(line));
	attrset(A_NORMAL);
	if (!nd) {
		const char *none = "No rejects or failures yet: verify first (v), or nothing went wrong.";
		ui_put(y + 1, 2, COLS - 2, none, strlen(none));
	}
	/* domains by total, largest first */
	for (size_t shown = 0; shown < nd && y < LINES - 2; shown++) {
		size_t best = 0;
		for (size_t k = 1; k < nd; k++)
			if (dtot[k] > dtot[best])
				best = k;
		if (!dtot[best])
			break;
		mv_str dn = results_str(A.ws.res, doms[best]);
		n = snprintf(line, sizeof(line), "%-24.*s %6zu", (int)(dn.len > 24 ? 24 : dn.len), dn.p, dtot[best]);
		for (int j = 0; j < nr && (size_t)n < sizeof(line); j++) {
			size_t c = cnt[best][reasons[j]];
			if (c)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %5zu (%3.0f%%)", c,
					      100.0 * (double)c / (double)dtot[best]);
			else
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %12s", ".");
		}
		ui_put(y++, 0, COLS, line, strlen(line));
		dtot[best] = 0;
	}
	attrset(A_DIM);
	const char *foot = A.have_bseg ?
		"rejects and failures by domain and reason, this run   Tab: imported bounces   q back" :
		"rejects and failures by domain and reason, this run   q back";
	ui_put(LINES - 1, 0, COLS, foot, strlen(foot));
	attrset(A_NORMAL);
}

/* ---- detail ------------------------------------------------------------------------ */

static void detail_build(size_t row)
{
	buf *b = &A.detail;
	const row_result *r = &A.ws.res->rows[row];
	char scratch[512];
	buf_reset(b);
	buf_printf(b, "#Row %zu (line %u of %s)\n", row + 1, table_row_line(A.ws.t, row), A.ws.path);
	for (size_t c = 0; c < table_ncols(A.ws.t) || c < table_row_nfields(A.ws.t, row); c++) {
		mv_str nm = table_col_name(A.ws.t, c);
		mv_str v = table_cell(A.ws.t, row, c);
		buf_printf(b, "  %-18.*s ", (int)(nm.len > 18 ? 18 : nm.len), nm.p);
		buf_append(b, v.p, v.len > 2000 ? 2000 : v.len);
		buf_append_char(b, '\n');
	}
	buf_printf(b, "\n#Local pass\n");
	mv_str s = results_normalized(A.ws.res, row);
	buf_printf(b, "  status      %s\n", local_status_name((local_status)r->local));
	buf_printf(b, "  normalized  %.*s\n", (int)s.len, s.p);
	if (r->local != LOCAL_CANDIDATE && r->reason && r->verdict == VERDICT_NONE)
		buf_printf(b, "  reason      %s\n", reason_name((mv_reason)r->reason));
	if (r->dup_of)
		buf_printf(b, "  same as     row %u\n", r->dup_of);
	s = results_str(A.ws.res, r->suggestion);
	if (s.len)
		buf_printf(b, "  suggestion  %.*s   (a: accept)\n", (int)s.len, s.p);
	mv_str f = view_cell(A.v, row, VC_FLAGS, scratch, sizeof(scratch));
	if (f.len)
		buf_printf(b, "  flags       %.*s\n", (int)f.len, f.p);
	buf_printf(b, "  tier        %s\n", bucket_name(ws_tier(&A.ws.res->rows[row])));
	if (r->decision)
		buf_printf(b, "  decision    %s\n", r->decision == DECIDE_KEEP ? "keep" : "drop");
	if (r->verdict != VERDICT_NONE) {
		buf_printf(b, "\n#Verification\n");
		buf_printf(b, "  verdict     %s\n", verdict_name((mv_verdict)r->verdict));
		buf_printf(b, "  reason      %s\n", reason_name((mv_reason)r->reason));
		buf_printf(b, "  owner       %s\n", owner_name((mv_owner)r->owner));
		s = results_str(A.ws.res, r->mx);
		if (s.len)
			buf_printf(b, "  MX          %.*s%s\n", (int)s.len, s.p, r->tls ? "  (TLS)" : "");
		s = results_str(A.ws.res, r->reply);
		if (s.len) {
			buf_printf(b, "  reply       %.*s\n", (int)s.len, s.p);
			smtp_reply rep;
			if (reply_parse_text(s.p, s.len, &rep) == MV_OK) {
				reply_class rc;
				reply_classify(&rep, REPLY_PHASE_RCPT, &rc);
				buf_printf(b, "  who owns it %s\n", rc.owner == OWNER_RECIPIENT ?
					   "the recipient's side: the address or its domain" :
					   rc.owner == OWNER_SENDER ?
					   "YOUR side (sender): the address may be fine" : "nobody in particular");
				buf_printf(b, "  retry helps %s\n", rc.permanent ? "no" : "yes, later");
				buf_printf(b, "  what to do  %s\n", rc.action ? rc.action : "");
				if (rc.rule)
					buf_printf(b, "  rule        %s\n", rc.rule);
				reply_free(&rep);
			}
		}
		if (A.ws.ver && r->transcript) {
			const char *t = verify_transcript(A.ws.ver, r->transcript);
			buf_printf(b, "\n#SMTP transcript (ms since connect; > sent, < received)\n");
			buf_append_str(b, t);
		}
	}
	A.detail_lines = 0;
	for (size_t i = 0; i < b->len; i++)
		A.detail_lines += b->data[i] == '\n';
	A.detail_top = 0;
}

/* ---- domains --------------------------------------------------------------------------- */

/* Count every row again: on opening the view and after bulk changes;
 * results that arrive while it is open update their line only. */
static void domains_build(void)
{
	if (!A.dm)
		A.dm = domains_create(A.ws.res, ws_tier, BUCKET_COUNT);
	if (!A.dm || domains_rebuild(A.dm) != MV_OK)
		message("out of memory counting the domains");
}

/* The pool id of the domain under the cursor, 0 = none. */
static uint32_t cur_domain(void)
{
	const domain_line *l = A.dm ? domains_line(A.dm, A.dcur) : NULL;
	return l ? l->domain : 0;
}

/* Keep or drop every catch-all row of the current domain: one undo step. */
static void domain_bulk(decision dec)
{
	uint32_t dom = cur_domain();
	if (!dom)
		return;
	size_t n = 0;
	view_untag_all(A.v);
	for (size_t i = 0; i < A.ws.res->n; i++) {
		const row_result *r = &A.ws.res->rows[i];
		if (r->domain == dom && ws_tier(&A.ws.res->rows[i]) == BUCKET_CATCH_ALL) {
			view_tag(A.v, i, true);
			n++;
		}
	}
	view_decide_tagged(A.v, dec);
	for (size_t i = 0; i < A.ws.res->n; i++)
		if (view_tagged(A.v, i))
			ws_save_decision(&A.ws, i);
	view_untag_all(A.v);
	domains_build();
	mv_str dn = results_str(A.ws.res, dom);
	message("%s %zu catch-all rows of %.*s (U undoes)", dec == DECIDE_KEEP ? "kept" : "dropped", n,
		(int)dn.len, dn.p);
}

/* ---- export dialog -------------------------------------------------------------------- */

static ws_export_opts exp_opts;

static void export_open(void)
{
	ws_export_defaults(&A.ws, &exp_opts);
	A.export_box = true;
	A.exp_cur = 0;
}

static void draw_export(void)
{
	int y0, x0, w = 70 < COLS - 2 ? 70 : COLS - 2, h = BUCKET_COUNT + 12;
	char line[1200];
	size_t counts[BUCKET_COUNT];
	view_tier_counts(A.v, counts);
	draw_box(h, w, &y0, &x0, "Export");
	int y = y0 + 1;
	const char *hint = "Space toggles, Enter writes, Esc cancels. Kept rows always go in.";
	ui_put(y++, x0 + 2, w - 4, hint, strlen(hint));
	for (int t = 0; t < BUCKET_COUNT; t++) {
		snprintf(line, sizeof(line), "[%c] %-12s %8zu rows", (exp_opts.tiers & (1u << t)) ? 'x' : ' ',
			 bucket_name(t), counts[t]);
		attrset(t == A.exp_cur ? A_REVERSE : A_NORMAL);
		ui_put(y++, x0 + 2, w - 4, line, strlen(line));
	}
	struct { bool *on; const char *what; } opts[] = {
		{ &exp_opts.split, "also one file per tier (NAME.deliverable.csv, ...)" },
		{ &exp_opts.append, "append the result columns" },
		{ &exp_opts.suppress, "add recipient-side invalids to the suppression list" },
	};
	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "[%c] %s", *opts[i].on ? 'x' : ' ', opts[i].what);
		attrset(BUCKET_COUNT + i == A.exp_cur ? A_REVERSE : A_NORMAL);
		ui_put(y++, x0 + 2, w - 4, line, strlen(line));
	}
	attrset(A_NORMAL);
	snprintf(line, sizeof(line), "to: %s", exp_opts.out);
	ui_put(++y, x0 + 2, w - 4, line, strlen(line));
	size_t total, doubtful;
	ws_export_risk(&A.ws, exp_opts.tiers, &total, &doubtful);
	double pct = total ? 100.0 * (double)doubtful / (double)total : 0;
	snprintf(line, sizeof(line), "%zu rows, %.1f%% catch-all/unknown/risky: %s the 2%% line", total,
		 pct, pct > 2.0 ? "OVER" : "under");
	(void)doubtful;
	attrset(pct > 2.0 ? (A.color ? COLOR_PAIR(C_INVALID) | A_BOLD : A_BOLD) : A_NORMAL);
	ui_put(y + 1, x0 + 2, w - 4, line, strlen(line));
	attrset(A_NORMAL);
}

static unsigned export_key(int ch)
{
	int nitems = BUCKET_COUNT + 3;
	switch (ch) {
	case 'j': case KEY_DOWN:
		A.exp_cur = (A.exp_cur + 1) % nitems;
		break;
	case 'k': case KEY_UP:
		A.exp_cur = (A.exp_cur + nitems - 1) % nitems;
		break;
	case ' ': case 'x':
		if (A.exp_cur < BUCKET_COUNT)
			exp_opts.tiers ^= 1u << A.exp_cur;
		else if (A.exp_cur == BUCKET_COUNT)
			exp_opts.split = !exp_opts.split;
		else if (A.exp_cur == BUCKET_COUNT + 1)
			exp_opts.append = !exp_opts.append;
		else
			exp_opts.suppress = !exp_opts.suppress;
		break;
	case '\n': case '\r': case KEY_ENTER: {
		char report[1024];
		mv_status st = ws_export(&A.ws, &exp_opts, report, sizeof(report));
		A.export_box = false;
		if (st) {
			message("export failed: %s", report);
		} else {
			view_mark_clean(A.v);
			message("%s", report);
		}
		break;
	}
	case 27: case 'q':
		A.export_box = false;
		break;
	default:
		break;
	}
	return R_REDRAW;
}

/* ---- actions --------------------------------------------------------------------------- */

static enum ui_action lookup(int ch)
{
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].key == ch)
			return bindings[i].action;
	return ACT_NONE;
}

static size_t cur_row(bool *ok)
{
	*ok = view_count(A.v) > 0 && A.cur < view_count(A.v);
	return *ok ? view_row(A.v, A.cur) : 0;
}

static void decide(decision d, bool tagged)
{
	bool ok;
	if (tagged) {
		size_t n = view_decide_tagged(A.v, d);
		for (size_t i = 0; i < A.ws.res->n; i++)
			if (view_tagged(A.v, i))
				ws_save_decision(&A.ws, i);
		message("%s: %zu tagged rows (U undoes)",
			d == DECIDE_KEEP ? "keep" : d == DECIDE_DROP ? "drop" : "unmark", n);
		return;
	}
	size_t row = cur_row(&ok);
	if (!ok)
		return;
	view_decide(A.v, row, d);
	ws_save_decision(&A.ws, row);
	if (A.cur + 1 < view_count(A.v))
		A.cur++;
}

static void reverify(bool tagged)
{
	char err[256];
	if (!A.ws.ver && ws_verify_start(&A.ws, A.ev, err, sizeof(err)) != MV_OK) {
		message("cannot verify: %s", err);
		return;
	}
	if (!A.started_ms)
		A.started_ms = ev_clock_ms();
	size_t n = 0;
	bool ok;
	if (tagged) {
		for (size_t i = 0; i < A.ws.res->n; i++)
			if (view_tagged(A.v, i) && ws_verify_row(&A.ws, i) == MV_OK)
				n++;
	} else {
		size_t row = cur_row(&ok);
		if (ok && ws_verify_row(&A.ws, row) == MV_OK)
			n++;
	}
	message(n ? "re-verifying %zu rows" : "nothing to re-verify (%zu): only rows with an address can be", n);
}

static void start_verify(void)
{
	char err[256];
	if (A.ws.ver) {
		A.scr = SCR_TABLE;
		return;
	}
	if (ws_verify_start(&A.ws, A.ev, err, sizeof(err)) != MV_OK) {
		message("cannot verify: %s", err);
		return;
	}
	A.started_ms = ev_clock_ms();
	A.scr = SCR_TABLE;
	message("verifying %zu candidates...", A.ws.counts.candidates);
}

static char paused[32][128];
static int npaused;

static void toggle_pause(void)
{
	bool ok;
	size_t row = cur_row(&ok);
	if (!ok || !A.ws.ver)
		return;
	const char *prov = verify_provider_of(A.ws.ver, row);
	if (!prov[0]) {
		message("this row's provider is not known yet");
		return;
	}
	for (int i = 0; i < npaused; i++) {
		if (!strcmp(paused[i], prov)) {
			verify_pause_provider(A.ws.ver, prov, false);
			memmove(paused[i], paused[i + 1], (size_t)(npaused - i - 1) * sizeof(paused[0]));
			npaused--;
			if (!strcmp(A.ws.alert_provider, prov))
				A.ws.alert[0] = '\0';
			message("resumed %s", prov);
			return;
		}
	}
	bool tripped = !strcmp(A.ws.alert_provider, prov);
	if (tripped) {
		/* the breaker stopped it: p resumes */
		verify_pause_provider(A.ws.ver, prov, false);
		A.ws.alert[0] = '\0';
		message("resumed %s after the alert", prov);
		return;
	}
	if (npaused < 32) {
		snprintf(paused[npaused++], sizeof(paused[0]), "%s", prov);
		verify_pause_provider(A.ws.ver, prov, true);
		message("paused %s (p again resumes)", prov);
	}
}

static void search(bool backward, bool next)
{
	if (!A.search[0])
		return;
	size_t from = A.cur;
	if (next)
		from = backward ? (A.cur ? A.cur - 1 : view_count(A.v) - 1) : A.cur + 1;
	long p = view_search(A.v, A.search, from, backward);
	if (p < 0)
		message("not found: %s", A.search);
	else
		A.cur = (size_t)p;
}

static unsigned table_action(enum ui_action a)
{
	size_t n = view_count(A.v);
	int h = table_height();
	bool g = A.gpending, ok;
	A.gpending = false;
	switch (a) {
	case ACT_DOWN: if (A.cur + 1 < n) A.cur++; break;
	case ACT_UP: if (A.cur) A.cur--; break;
	case ACT_LEFT: if (A.ccol) A.ccol--; break;
	case ACT_RIGHT: if (A.ccol + 1 < A.ncols) A.ccol++; break;
	case ACT_PAGE_DOWN: A.cur += (size_t)h; A.top += (size_t)h; break;
	case ACT_PAGE_UP:
		A.cur = A.cur > (size_t)h ? A.cur - (size_t)h : 0;
		A.top = A.top > (size_t)h ? A.top - (size_t)h : 0;
		break;
	case ACT_HALF_DOWN: A.cur += (size_t)h / 2; break;
	case ACT_HALF_UP: A.cur = A.cur > (size_t)h / 2 ? A.cur - (size_t)h / 2 : 0; break;
	case ACT_TOP: A.cur = 0; break;
	case ACT_BOTTOM: A.cur = n ? n - 1 : 0; break;
	case ACT_SORT_ASC:
	case ACT_SORT_DESC: {
		bool had;
		size_t row = cur_row(&had);
		view_sort(A.v, A.cols[A.ccol], a == ACT_SORT_DESC);
		long p = had ? view_pos_of(A.v, row) : -1;
		A.cur = p >= 0 ? (size_t)p : 0;
		message("sorted by %s%s (sorts stack: the earlier order breaks ties)",
			view_col_title(A.v, A.cols[A.ccol]), a == ACT_SORT_DESC ? ", descending" : "");
		break;
	}
	case ACT_FILTER: A.prompt = P_FILTER; A.ninput = 0; break;
	case ACT_SEARCH: A.prompt = P_SEARCH; A.ninput = 0; break;
	case ACT_SEARCH_NEXT: search(false, true); break;
	case ACT_SEARCH_PREV: search(true, true); break;
	case ACT_TIERS: A.tiers_box = true; break;
	case ACT_TIER_NEXT: {
		unsigned m = view_tier_filter(A.v);
		int t = 0;
		while (m && !(m & (1u << t)))
			t++;
		t = m ? t + 1 : 0;
		view_set_tier_filter(A.v, t < BUCKET_COUNT ? 1u << t : 0);
		message("showing %s", t < BUCKET_COUNT ? bucket_name(t) : "every tier");
		break;
	}
	case ACT_ALL_TIERS: view_set_tier_filter(A.v, 0); break;
	case ACT_DETAIL: {
		size_t row = cur_row(&ok);
		if (ok) {
			detail_build(row);
			A.back = SCR_TABLE;
			A.scr = SCR_DETAIL;
		}
		break;
	}
	case ACT_DOMAINS: domains_build(); A.scr = SCR_DOMAINS; break;
	case ACT_SEGMENTS: A.scr = SCR_SEGMENTS; break;
	case ACT_KEEP: decide(DECIDE_KEEP, g); break;
	case ACT_DROP: decide(DECIDE_DROP, g); break;
	case ACT_UNMARK: decide(DECIDE_NONE, g); break;
	case ACT_TAG: {
		size_t row = cur_row(&ok);
		if (ok) {
			view_tag(A.v, row, !view_tagged(A.v, row));
			if (A.cur + 1 < n)
				A.cur++;
		}
		break;
	}
	case ACT_PREFIX_G:
		if (g)
			A.cur = 0;          /* g g: top */
		else
			A.gpending = true;
		break;
	case ACT_ACCEPT: {
		size_t row = cur_row(&ok);
		if (!ok)
			break;
		if (!A.ws.res->rows[row].suggestion) {
			message("no suggestion on this row");
			break;
		}
		mv_status st = ws_accept_suggestion(&A.ws, row);
		view_touch(A.v, row);
		message(st ? "could not apply the suggestion" :
			"suggestion accepted: re-checked%s; the original stays in email_original on export",
			A.ws.ver ? " and queued" : "");
		break;
	}
	case ACT_UNDO:
		if (!view_undo(A.v))
			message("nothing to undo");
		else
			for (size_t i = 0; i < A.ws.res->n; i++)
				ws_save_decision(&A.ws, i);
		break;
	case ACT_REVERIFY: reverify(g); break;
	case ACT_START: start_verify(); break;
	case ACT_PAUSE: toggle_pause(); break;
	case ACT_EXPORT: export_open(); break;
	default: break;
	}
	return R_REDRAW;
}

static void prompt_key(int ch)
{
	if (A.prompt == P_QUIT) {
		if (ch == 'y' || ch == 'Y')
			A.quit = true;
		A.prompt = P_NONE;
		return;
	}
	if (ch == 27) {
		A.prompt = P_NONE;
		return;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		A.input[A.ninput] = '\0';
		if (A.prompt == P_FILTER) {
			view_set_text_filter(A.v, A.input);
			A.cur = 0;
			message(A.ninput ? "filter: %zu rows match" : "filter cleared (%zu rows)", view_count(A.v));
		} else {
			snprintf(A.search, sizeof(A.search), "%s", A.input);
			search(false, false);
		}
		A.prompt = P_NONE;
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (A.ninput)
			A.ninput--;
		return;
	}
	if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && A.ninput < sizeof(A.input) - 1)
		A.input[A.ninput++] = (char)ch;
}

static void on_key(int ch)
{
	A.dirty = true;
	if (ch == KEY_RESIZE)
		return;
	if (A.prompt != P_NONE) {
		prompt_key(ch);
		return;
	}
	enum ui_action a = lookup(ch);
	if (a == ACT_QUIT_NOW) {
		A.quit = true;
		return;
	}
	if (a == ACT_REDRAW) {
		clearok(curscr, TRUE);
		return;
	}
	if (A.help) {
		if (a == ACT_QUIT || a == ACT_BACK || a == ACT_HELP)
			A.help = false;
		return;
	}
	if (A.export_box) {
		export_key(ch);
		return;
	}
	if (A.tiers_box) {
		if (a == ACT_DOWN) A.tier_cur = (A.tier_cur + 1) % BUCKET_COUNT;
		else if (a == ACT_UP) A.tier_cur = (A.tier_cur + BUCKET_COUNT - 1) % BUCKET_COUNT;
		else if (a == ACT_DETAIL) {
			view_set_tier_filter(A.v, 1u << A.tier_cur);
			A.cur = 0;
			A.tiers_box = false;
		} else if (ch == '0') {
			view_set_tier_filter(A.v, 0);
			A.tiers_box = false;
		} else if (a == ACT_QUIT || a == ACT_BACK || a == ACT_TIERS)
			A.tiers_box = false;
		return;
	}
	if (a == ACT_HELP) {
		A.help = true;
		return;
	}
	switch (A.scr) {
	case SCR_SUMMARY:
		if (a == ACT_START || a == ACT_DETAIL)
			start_verify();
		else if (ch == 't')
			A.scr = SCR_TABLE;
		else if (a == ACT_EXPORT)
			export_open();
		else if (a == ACT_QUIT)
			A.quit = true;
		return;
	case SCR_DETAIL:
		if (a == ACT_DOWN && A.detail_top + 1 < A.detail_lines) A.detail_top++;
		else if (a == ACT_UP && A.detail_top) A.detail_top--;
		else if (a == ACT_PAGE_DOWN || ch == ' ') A.detail_top += (size_t)(LINES - 3);
		else if (a == ACT_PAGE_UP)
			A.detail_top = A.detail_top > (size_t)LINES ? A.detail_top - (size_t)LINES : 0;
		else if (a == ACT_QUIT || a == ACT_BACK || a == ACT_DETAIL) A.scr = A.back;
		if (A.detail_top >= A.detail_lines)
			A.detail_top = A.detail_lines ? A.detail_lines - 1 : 0;
		return;
	case SCR_DOMAINS: {
		size_t ndoms = A.dm ? domains_count(A.dm) : 0;
		if (a == ACT_DOWN && A.dcur + 1 < ndoms) A.dcur++;
		else if (a == ACT_UP && A.dcur) A.dcur--;
		else if (a == ACT_BOTTOM) A.dcur = ndoms ? ndoms - 1 : 0;
		else if (a == ACT_TOP) A.dcur = 0;
		else if (a == ACT_KEEP) domain_bulk(DECIDE_KEEP);
		else if (a == ACT_DROP) domain_bulk(DECIDE_DROP);
		else if (a == ACT_DETAIL && cur_domain()) {
			mv_str dn = results_str(A.ws.res, cur_domain());
			char f[256];
			snprintf(f, sizeof(f), "@%.*s", (int)(dn.len > 250 ? 250 : dn.len), dn.p);
			view_set_text_filter(A.v, f);
			A.cur = 0;
			A.scr = SCR_TABLE;
		} else if (a == ACT_REVERIFY && cur_domain()) {
			uint32_t dom = cur_domain();
			view_untag_all(A.v);
			for (size_t i = 0; i < A.ws.res->n; i++)
				if (A.ws.res->rows[i].domain == dom)
					view_tag(A.v, i, true);
			reverify(true);
			view_untag_all(A.v);
			domains_build();
		} else if (a == ACT_QUIT || a == ACT_BACK) A.scr = SCR_TABLE;
		return;
	}
	case SCR_SEGMENTS:
		if (ch == '\t')
			A.seg_bounces = !A.seg_bounces;
		else if (a == ACT_QUIT || a == ACT_BACK)
			A.scr = SCR_TABLE;
		return;
	case SCR_TABLE:
		if (ch >= '1' && ch < '1' + BUCKET_COUNT) {
			view_set_tier_filter(A.v, 1u << (ch - '1'));
			A.cur = 0;
			return;
		}
		if (a == ACT_QUIT || a == ACT_BACK) {
			if (a == ACT_BACK && (view_text_filter(A.v)[0] || view_tier_filter(A.v))) {
				view_set_text_filter(A.v, "");
				view_set_tier_filter(A.v, 0);
				return;
			}
			if (a == ACT_QUIT) {
				if (view_dirty(A.v))
					A.prompt = P_QUIT;
				else
					A.quit = true;
			}
			return;
		}
		table_action(a);
		return;
	}
}

/* ---- the loop ------------------------------------------------------------------------------ */

static uint64_t last_draw;

static void drain_keys(void)
{
	int ch;
	int budget = 256;
	while (budget-- && (ch = getch()) != ERR) {
		on_key(ch);
		if (A.quit)
			break;
	}
}

static void on_stdin(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	(void)fd;
	(void)evs;
	(void)arg;
	drain_keys();
	if (A.quit)
		ev_stop(ev);
	redraw();                       /* a key is answered at once */
	last_draw = ev_clock_ms();
}

static void before_sleep(ev_loop *ev, void *arg)
{
	(void)arg;
	drain_keys();                   /* KEY_RESIZE arrives here after SIGWINCH */
	if (A.quit) {
		ev_stop(ev);
		return;
	}
	uint64_t now = ev_clock_ms();
	if (A.dirty && now - last_draw >= 50) {
		redraw();
		last_draw = now;
	}
}

static void on_tick(ev_loop *ev, void *arg)
{
	(void)arg;
	if (A.refilter) {
		bool ok;
		size_t row = cur_row(&ok);
		view_refresh(A.v);
		long p = ok ? view_pos_of(A.v, row) : -1;
		if (p >= 0)
			A.cur = (size_t)p;
		A.refilter = false;
		A.dirty = true;
	}
	if (A.ws.ver)
		A.dirty = true;             /* rate and ETA move */
	if (A.msg[0] && ev_clock_ms() >= A.msg_until) {
		A.msg[0] = '\0';
		A.dirty = true;
	}
	ev_timer_add(ev, 500, on_tick, NULL);
}

static void on_engine(void *arg, const verify_event *e)
{
	(void)arg;
	A.dirty = true;
	if (e->type == VEV_RESULT) {
		view_touch(A.v, e->row);
		if (view_tier_filter(A.v) || view_text_filter(A.v)[0])
			A.refilter = true;     /* re-applied on the next tick */
	}
	if (e->type == VEV_RESULT && A.scr == SCR_DOMAINS && A.dm)
		domains_update(A.dm, e->row);
	if (e->type == VEV_DONE && !(A.msg[0] && ev_clock_ms() < A.msg_until)) {
		verify_stats st;
		verify_get_stats(A.ws.ver, &st);
		message("verification done: %zu rows, %u probes, %u connections", st.done, st.probes,
			st.sessions_total);
	}
}

int ui_run(const ui_opts *o)
{
	char err[1024];
	struct termios saved;
	bool have_tio;
	int rc = 0;

	memset(&A, 0, sizeof(A));
	setlocale(LC_ALL, "");
	buf_init(&A.detail, 1u << 20);
	A.ev = ev_create();
	if (!A.ev)
		return 1;
	if (ws_open(&A.ws, o->path, &o->csv, &o->cfg, o->demo, err, sizeof(err)) != MV_OK) {
		fprintf(stderr, "mailvet: %s\n", err);
		ev_destroy(A.ev);
		buf_free(&A.detail);
		return 1;
	}
	A.ws.on_event = on_engine;
	A.v = view_create(A.ws.t, A.ws.res, A.ws.info.email_col, ws_tier, ws_tier_names, ws_ntiers);
	if (!A.v) {
		ws_close(&A.ws);
		ev_destroy(A.ev);
		return 1;
	}
	static const int default_cols[] = { VC_ROW, VC_EMAIL, VC_TIER, VC_REASON, VC_DOMAIN, VC_CODE,
					    VC_SUGGESTION, VC_FLAGS, VC_DECISION, VC_MX };
	for (size_t i = 0; i < sizeof(default_cols) / sizeof(default_cols[0]); i++)
		A.cols[A.ncols++] = default_cols[i];
	for (size_t c = 0; c < table_ncols(A.ws.t) && A.ncols < 64; c++)
		if ((long)c != A.ws.info.email_col)
			A.cols[A.ncols++] = VC_ORIG + (int)c;
	A.scr = SCR_SUMMARY;
	if (o->bounces) {
		bounce_read_info bi;
		bounce_seg_opts so = { 0 };
		A.bset = bounces_create();
		snprintf(A.bpath, sizeof(A.bpath), "%s", o->bounces);
		if (!A.bset || bounces_read_path(A.bset, o->bounces, BOUNCE_FMT_AUTO, &bi) != MV_OK ||
		    bounces_segment(A.bset, &so, &A.bseg) != MV_OK) {
			fprintf(stderr, "mailvet: %s: cannot read the bounces\n", o->bounces);
			bounces_destroy(A.bset);
			view_destroy(A.v);
			ws_close(&A.ws);
			ev_destroy(A.ev);
			buf_free(&A.detail);
			return 1;
		}
		A.have_bseg = true;
	}

	have_tio = tcgetattr(0, &saved) == 0;
	if (!initscr()) {
		fprintf(stderr, "mailvet: cannot start the terminal UI (TERM=%s)\n", getenv("TERM"));
		rc = 1;
		goto out;
	}
	cbreak();
	noecho();
	nonl();
	if (have_tio) {
		/* ^S is export, not XOFF; saved as curses' program mode so that
		 * it stays so across its own terminal resets */
		struct termios t;
		tcgetattr(0, &t);
		t.c_iflag &= (tcflag_t)~IXON;
		tcsetattr(0, TCSANOW, &t);
		def_prog_mode();
	}
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	colors_init();
	ev_fd_set(A.ev, 0, EV_READ, on_stdin, NULL);
	ev_set_urgent(A.ev, 0);         /* a key is not kept waiting by a busy pass */
	ev_set_before_sleep(A.ev, before_sleep, NULL);
	ev_timer_add(A.ev, 500, on_tick, NULL);
	if (o->start)
		start_verify();
	redraw();
	while (!A.quit) {
		if (ev_run_once(A.ev, 1000) != MV_OK && errno != EINTR)
			break;
	}
	endwin();
out:
	if (have_tio)
		tcsetattr(0, TCSANOW, &saved);
	view_destroy(A.v);
	ws_close(&A.ws);
	ev_destroy(A.ev);
	buf_free(&A.detail);
	domains_destroy(A.dm);
	if (A.have_bseg)
		bounce_seg_free(&A.bseg);
	bounces_destroy(A.bset);
	return rc;
}
