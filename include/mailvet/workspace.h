/*
 * workspace — one open list and everything mailvet knows about it: the
 * table, the per-row results, the local pass's summary, the configuration,
 * the cache, and (once started) the verification engine on an ev loop.
 *
 * It is the curses-free heart of the workbench: the TUI renders a
 * workspace and turns keys into calls on it, and every call here is one a
 * script could make too (open, local pass, verify, triage persistence,
 * export). The workspace owns everything it points to.
 */
#ifndef MAILVET_WORKSPACE_H
#define MAILVET_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/config.h"
#include "mailvet/csvio.h"
#include "mailvet/local.h"
#include "mailvet/status.h"

struct ev_loop;
struct results;
struct verify;
struct verify_event;
struct cache;
struct suppress;

typedef struct ws_counts {
	size_t rows, junk, invalid, duplicates, aliases, typos, suppressed, candidates;
	size_t domains;          /* distinct candidate domains */
	size_t probes_needed;    /* RCPTs the network pass will cost */
} ws_counts;

typedef struct workspace {
	char path[1024];
	char file_key[4200];     /* identifies the file for saved decisions */
	table *t;
	csv_info info;
	struct results *res;
	ws_counts counts;
	local_summary sum;
	local_opts lopts;
	struct suppress *supp;   /* the suppression list (owned) */
	char supp_path[1024];
	mv_config cfg;
	bool demo;
	struct cache *cache;     /* NULL with no-cache */
	struct ev_loop *ev;      /* borrowed from the front end */
	struct verify *ver;      /* NULL until verification starts */
	void (*on_event)(void *arg, const struct verify_event *e);
	void *event_arg;
	char alert[512];         /* last breaker alert, "" if none */
	char alert_provider[128];
} workspace;

/* Load the file and run the local pass. err explains a failure. */
mv_status ws_open(workspace *w, const char *path, const csv_opts *co,
		  const mv_config *cfg, bool demo, char *err, size_t errlen);
void ws_close(workspace *w);

/* Queue every candidate (or one row) for verification on ev. */
mv_status ws_verify_start(workspace *w, struct ev_loop *ev, char *err, size_t errlen);
mv_status ws_verify_row(workspace *w, size_t row);
bool ws_verifying(const workspace *w);

/* Re-check a row locally with a new address (an accepted suggestion):
 * the original stays in the table, the fix in the results. */
mv_status ws_accept_suggestion(workspace *w, size_t row);

/* Persist one row's decision (cache), and restore saved ones on open. */
void ws_save_decision(workspace *w, size_t row);

/* Export (the same module as `check -o`): tiers is a mask of buckets. */
typedef struct ws_export_opts {
	unsigned tiers;          /* buckets that go into the clean file */
	bool split;              /* also one file per bucket */
	bool append;             /* add the result columns */
	bool suppress;           /* add recipient-side invalids to the suppression list */
	char out[1100];          /* the clean file's path */
} ws_export_opts;
void ws_export_defaults(const workspace *w, ws_export_opts *o);
/* Writes the files; report says where every row went (one line). */
mv_status ws_export(workspace *w, const ws_export_opts *o, char *report, size_t cap);
/* Of the rows the mask selects (plus kept rows): how many, and how many
 * are catch-all, unknown or risky (the hard-bounce exposure). */
void ws_export_risk(const workspace *w, unsigned tiers, size_t *total, size_t *doubtful);

/* The tier of a row (its export bucket) and the tier names. */
int ws_tier(const row_result *r);
extern const char *const ws_tier_names[];
extern const int ws_ntiers;

#endif
