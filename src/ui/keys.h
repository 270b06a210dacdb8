/*
 * keys — the workbench's actions as data (after tig's REQ_ list and nnn's
 * bindings[]): one X-macro list of actions with their help text, a default
 * binding table, and the help overlay generated from both. A handler
 * returns reaction flags; the loop redraws or quits accordingly.
 */
#ifndef MAILVET_UI_KEYS_H
#define MAILVET_UI_KEYS_H

/* name, group, help */
#define UI_ACTIONS(_) \
	_(DOWN,        "Move",    "next row") \
	_(UP,          "Move",    "previous row") \
	_(LEFT,        "Move",    "previous column") \
	_(RIGHT,       "Move",    "next column") \
	_(PAGE_DOWN,   "Move",    "next page") \
	_(PAGE_UP,     "Move",    "previous page") \
	_(HALF_DOWN,   "Move",    "half a page down") \
	_(HALF_UP,     "Move",    "half a page up") \
	_(TOP,         "Move",    "first row") \
	_(BOTTOM,      "Move",    "last row") \
	_(SORT_ASC,    "View",    "sort by this column, ascending (stable: sorts stack)") \
	_(SORT_DESC,   "View",    "sort by this column, descending") \
	_(FILTER,      "View",    "filter rows by text (empty clears)") \
	_(SEARCH,      "View",    "search forward") \
	_(SEARCH_NEXT, "View",    "next match") \
	_(SEARCH_PREV, "View",    "previous match") \
	_(TIERS,       "View",    "tier summary; Enter filters to a tier") \
	_(TIER_NEXT,   "View",    "show only the next tier (cycles; 0 shows all)") \
	_(ALL_TIERS,   "View",    "show every tier") \
	_(DETAIL,      "View",    "detail: findings, reply explained, SMTP transcript") \
	_(DOMAINS,     "View",    "domains: counts per tier, catch-all, MX; bulk decisions") \
	_(SEGMENTS,    "View",    "segments: domain x reason, breaker alerts") \
	_(KEEP,        "Triage",  "keep this row (or the tagged rows after g)") \
	_(DROP,        "Triage",  "drop this row (or the tagged rows after g)") \
	_(UNMARK,      "Triage",  "remove the decision") \
	_(TAG,         "Triage",  "tag or untag this row") \
	_(PREFIX_G,    "Triage",  "g then s/d/u/R: apply to every tagged row; g g: top") \
	_(ACCEPT,      "Triage",  "accept the typo suggestion (re-checked, queued)") \
	_(UNDO,        "Triage",  "undo the last decision") \
	_(REVERIFY,    "Verify",  "re-verify this row (or the tagged rows after g)") \
	_(START,       "Verify",  "start verification (from the summary)") \
	_(PAUSE,       "Verify",  "pause or resume the provider of this row") \
	_(EXPORT,      "Files",   "export: choose tiers, write the files") \
	_(REDRAW,      "Screen",  "redraw the screen") \
	_(HELP,        "Screen",  "this help") \
	_(BACK,        "Screen",  "close the overlay or view") \
	_(QUIT,        "Screen",  "quit (closes an overlay first; asks if triage is unsaved)") \
	_(QUIT_NOW,    "Screen",  "quit without asking")

enum ui_action {
	ACT_NONE = 0,
#define UI_X(name, group, help) ACT_##name,
	UI_ACTIONS(UI_X)
#undef UI_X
	ACT_COUNT
};

/* Reactions a handler returns. */
enum {
	R_NONE = 0,
	R_REDRAW = 1u << 0,
	R_RESORT = 1u << 1,
	R_REFILTER = 1u << 2,
	R_QUIT = 1u << 3,
};

#endif
