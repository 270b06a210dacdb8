#include "mailvet/workspace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mailvet/cache.h"
#include "mailvet/ev.h"
#include "mailvet/export.h"
#include "mailvet/intern.h"
#include "mailvet/result.h"
#include "mailvet/suppress.h"
#include "mailvet/verify.h"

const char *const ws_tier_names[] = {
#define MV_X(name, str) str,
	MV_BUCKET_LIST(MV_X)
#undef MV_X
};
const int ws_ntiers = BUCKET_COUNT;

int ws_tier(const row_result *r)
{
	return (int)export_bucket(r);
}

static void restore_decision(void *arg, uint32_t row, int dec)
{
	workspace *w = arg;
	if (row < w->res->n && dec >= DECIDE_NONE && dec <= DECIDE_DROP)
		w->res->rows[row].decision = (uint8_t)dec;
}

/* The file's identity for saved decisions: its real path and a hash of
 * its cells, so an edited file does not inherit stale decisions. */
static void make_file_key(workspace *w)
{
	char real[PATH_MAX];
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (size_t r = 0; r < table_nrows(w->t); r++)
		for (size_t c = 0; c < table_row_nfields(w->t, r); c++) {
			mv_str s = table_cell(w->t, r, c);
			h = (h ^ intern_hash_stable(s.p, s.len)) * 0x100000001b3ull;
		}
	if (!realpath(w->path, real))
		snprintf(real, sizeof(real), "%s", w->path);
	snprintf(w->file_key, sizeof(w->file_key), "%s#%016llx", real, (unsigned long long)h);
}

static void count(workspace *w)
{
	local_summarize(w->res, &w->sum);
	ws_counts *c = &w->counts;
	c->rows = w->sum.rows;
	c->junk = w->sum.junk;
	c->invalid = w->sum.invalid >= w->sum.junk ? w->sum.invalid - w->sum.junk : w->sum.invalid;
	c->duplicates = w->sum.duplicates;
	c->aliases = w->sum.aliases;
	c->typos = w->sum.typos;
	c->suppressed = w->sum.suppressed;
	c->candidates = w->sum.candidates;
	c->domains = w->sum.domains;
	c->probes_needed = w->sum.probes;
}

mv_status ws_open(workspace *w, const char *path, const csv_opts *co, const mv_config *cfg,
		  bool demo, char *err, size_t errlen)
{
	mv_status st;
	memset(w, 0, sizeof(*w));
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->cfg = *cfg;
	w->demo = demo;
	st = csvio_load(path, co, &w->t, &w->info);
	if (st) {
		if (st == MV_IO || st == MV_NOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else if (w->info.ndiag)
			snprintf(err, errlen, "%s:%u: %s", path, w->info.diag[0].line, w->info.diag[0].msg);
		else
			snprintf(err, errlen, "%s: %s", path, status_message(st));
		return st;
	}
	if (w->info.email_col < 0) {
		snprintf(err, errlen, "%s: no email column found (name it with --column NAME|N)", path);
		return MV_NOTFOUND;
	}
	w->res = results_create(table_nrows(w->t));
	w->supp = suppress_create();
	if (!w->res || !w->supp)
		return MV_NOMEM;
	if (suppress_default_path(w->supp_path, sizeof(w->supp_path)))
		suppress_load(w->supp, w->supp_path);
	local_opts_init(&w->lopts);
	/* reserved test names are real only where a resolver serves them */
	w->lopts.policy.allow_reserved = demo || cfg->dns[0];
	w->lopts.suppress = w->supp;
	st = local_run(w->t, w->info.email_col, &w->lopts, w->res, &w->sum);
	if (st) {
		snprintf(err, errlen, "local pass failed: %s", status_message(st));
		return st;
	}
	count(w);
	make_file_key(w);
	if (!cfg->no_cache) {
		char path_buf[512];
		const char *cp = cfg->cache[0] ? cfg->cache : config_default_cache(path_buf, sizeof(path_buf));
		char cerr[256];
		if (cp && cache_open(&w->cache, cp, cerr, sizeof(cerr)) == MV_OK)
			cache_each_decision(w->cache, w->file_key, restore_decision, w);
	}
	return MV_OK;
}

void ws_close(workspace *w)
{
	verify_destroy(w->ver);
	w->ver = NULL;
	cache_close(w->cache);
	suppress_destroy(w->supp);
	results_destroy(w->res);
	table_destroy(w->t);
	memset(w, 0, sizeof(*w));
}

static void on_engine(void *arg, const verify_event *e)
{
	workspace *w = arg;
	if (e->type == VEV_ALERT) {
		snprintf(w->alert, sizeof(w->alert), "%s", e->message ? e->message : "");
		snprintf(w->alert_provider, sizeof(w->alert_provider), "%s", e->provider ? e->provider : "");
	}
	if (w->on_event)
		w->on_event(w->event_arg, e);
}

mv_status ws_verify_start(workspace *w, ev_loop *ev, char *err, size_t errlen)
{
	mv_status st;
	if (w->ver)
		return MV_OK;
	w->ev = ev;
	w->ver = verify_create(ev, &w->cfg, w->res, w->cache, on_engine, w, &st);
	if (!w->ver) {
		snprintf(err, errlen, "%s%s", status_message(st), st == MV_USAGE ? " (check --dns)" : "");
		return st;
	}
	for (size_t i = 0; i < w->res->n; i++)
		if (w->res->rows[i].local == LOCAL_CANDIDATE)
			verify_add(w->ver, i);
	verify_kick(w->ver);
	return MV_OK;
}

bool ws_verifying(const workspace *w)
{
	return w->ver && !verify_finished(w->ver);
}

mv_status ws_verify_row(workspace *w, size_t row)
{
	if (!w->ver || row >= w->res->n || w->res->rows[row].local != LOCAL_CANDIDATE)
		return MV_USAGE;
	mv_status st = verify_add(w->ver, row);
	verify_kick(w->ver);
	return st;
}

mv_status ws_accept_suggestion(workspace *w, size_t row)
{
	if (row >= w->res->n || !w->res->rows[row].suggestion)
		return MV_USAGE;
	mv_str s = results_str(w->res, w->res->rows[row].suggestion);
	char text[512];
	snprintf(text, sizeof(text), "%.*s", (int)s.len, s.p);
	/* the row that takes over the old address, if any, is verified too */
	size_t heir = w->res->n;
	for (size_t i = 0; i < w->res->n && heir == w->res->n; i++)
		if (w->res->rows[i].dup_of == (uint32_t)row + 1)
			heir = i;
	mv_status st = local_recheck_row(&w->lopts, w->res, row, text, strlen(text));
	if (st)
		return st;
	count(w);
	if (w->ver && w->res->rows[row].local == LOCAL_CANDIDATE)
		ws_verify_row(w, row);
	if (w->ver && heir < w->res->n && w->res->rows[heir].local == LOCAL_CANDIDATE)
		ws_verify_row(w, heir);
	return MV_OK;
}

void ws_save_decision(workspace *w, size_t row)
{
	if (w->cache && row < w->res->n)
		cache_put_decision(w->cache, w->file_key, (uint32_t)row, w->res->rows[row].decision);
}

void ws_export_defaults(const workspace *w, ws_export_opts *o)
{
	memset(o, 0, sizeof(*o));
	bool verified = false;
	for (size_t i = 0; i < w->res->n && !verified; i++)
		verified = w->res->rows[i].verdict != VERDICT_NONE;
	o->tiers = BUCKET_BIT(BUCKET_DELIVERABLE) | BUCKET_BIT(BUCKET_KEPT);
	if (!verified)
		o->tiers |= BUCKET_BIT(BUCKET_UNVERIFIED);
	size_t n = strlen(w->path);
	if (n > 4 && !strcmp(w->path + n - 4, ".csv"))
		snprintf(o->out, sizeof(o->out), "%.*s.clean.csv", (int)(n - 4), w->path);
	else
		snprintf(o->out, sizeof(o->out), "%s.clean.csv", w->path);
}

void ws_export_risk(const workspace *w, unsigned tiers, size_t *total, size_t *doubtful)
{
	*total = *doubtful = 0;
	for (size_t i = 0; i < w->res->n; i++) {
		bucket b = export_bucket(&w->res->rows[i]);
		if (!(tiers & BUCKET_BIT(b)) && b != BUCKET_KEPT)
			continue;
		(*total)++;
		if (b == BUCKET_CATCH_ALL || b == BUCKET_UNKNOWN || b == BUCKET_RISKY ||
		    b == BUCKET_UNVERIFIED)
			(*doubtful)++;
	}
}

/* A recipient-side invalid: its address goes on the suppression list. */
static bool suppressible(const row_result *r)
{
	return r->verdict == VERDICT_INVALID && r->owner == OWNER_RECIPIENT && r->normalized;
}

mv_status ws_export(workspace *w, const ws_export_opts *o, char *report, size_t cap)
{
	export_opts eo;
	export_report rep;
	memset(&eo, 0, sizeof(eo));
	eo.clean = o->tiers | BUCKET_BIT(BUCKET_KEPT);
	eo.split = o->split;
	eo.result_columns = o->append;
	eo.clean_path = o->out;
	eo.w.delimiter = w->info.delimiter;
	eo.w.eol = w->info.eol;
	eo.w.bom = w->info.bom;
	eo.w.protect = w->path;
	mv_status st = export_write(w->t, w->info.email_col, w->res, &eo, &rep);
	if (st) {
		snprintf(report, cap, "%s: %s", rep.failed[0] ? rep.failed : o->out,
			 st == MV_IO ? strerror(errno) : status_message(st));
		return st;
	}
	size_t added = 0;
	if (o->suppress && w->supp_path[0]) {
		/* the addresses as C strings: NUL-terminated copies, end to end */
		size_t n = 0, bytes = 0;
		for (size_t i = 0; i < w->res->n; i++)
			if (suppressible(&w->res->rows[i])) {
				n++;
				bytes += results_normalized(w->res, i).len + 1;
			}
		const char **list = calloc(n + 1, sizeof(char *));
		char *text = malloc(bytes + 1), *at = text;
		for (size_t i = 0, k = 0; list && text && i < w->res->n; i++) {
			if (!suppressible(&w->res->rows[i]))
				continue;
			mv_str s = results_normalized(w->res, i);
			memcpy(at, s.p, s.len);
			at[s.len] = '\0';
			list[k++] = at;
			at += s.len + 1;
		}
		if (list && text)
			suppress_append(w->supp_path, list, n, &added);
		free(list);
		free(text);
	}
	int k = snprintf(report, cap, "wrote %zu of %zu rows to %s%s", rep.clean, rep.rows, o->out,
			 rep.files > 1 ? " (and one file per tier)" : "");
	for (int b = 0; b < BUCKET_COUNT && k > 0 && (size_t)k < cap; b++)
		if (rep.bucket[b])
			k += snprintf(report + k, cap - (size_t)k, "%s %s %zu", b ? "," : ";",
				      bucket_name((bucket)b), rep.bucket[b]);
	if (o->suppress && k > 0 && (size_t)k < cap)
		snprintf(report + k, cap - (size_t)k, "; %zu added to the suppression list", added);
	return MV_OK;
}
