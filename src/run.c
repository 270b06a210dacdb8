#include "mailvet/run.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailvet/cache.h"
#include "mailvet/config.h"
#include "mailvet/ev.h"
#include "mailvet/result.h"
#include "mailvet/text.h"
#include "mailvet/buf.h"

struct run {
	verify *v;
	ev_loop *ev;
	FILE *progress;
	bool tty;
	bool done;
	unsigned alerts;
	uint64_t t0, last_line;
	size_t total;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void fmt_eta(char *out, size_t cap, double secs)
{
	if (secs < 0 || secs > 359999)
		snprintf(out, cap, "--:--");
	else if (secs >= 3600)
		snprintf(out, cap, "%d:%02d:%02d", (int)secs / 3600, (int)secs / 60 % 60, (int)secs % 60);
	else
		snprintf(out, cap, "%d:%02d", (int)secs / 60, (int)secs % 60);
}

static void show_progress(struct run *r, bool final)
{
	if (!r->progress)
		return;
	verify_stats st;
	verify_get_stats(r->v, &st);
	uint64_t now = ev_clock_ms();
	double el = (double)(now - r->t0) / 1000.0;
	double rate = el > 0.2 ? (double)st.done / el : 0;
	char eta[32];
	fmt_eta(eta, sizeof(eta), rate > 0 ? (double)(st.queued - st.done) / rate : -1);
	if (r->tty) {
		unsigned pct = st.queued ? (unsigned)(st.done * 100 / st.queued) : 100;
		char bar[21];
		for (int i = 0; i < 20; i++)
			bar[i] = i < (int)(pct / 5) ? '#' : '.';
		bar[20] = '\0';
		fprintf(r->progress, "\r[%s] %3u%% %zu/%zu  %.1f/s  ETA %s  probes %u, budget left %u%s  ",
			bar, pct, st.done, st.queued, rate, eta, st.probes, st.budget_left,
			st.waiting_retry ? "  (waiting for retries)" : "");
		if (final)
			fputc('\n', r->progress);
		fflush(r->progress);
	} else if (final || now - r->last_line >= 5000) {
		fprintf(r->progress, "verify: %zu/%zu done, %.1f/s, ETA %s, %u probes, %u connections%s\n",
			st.done, st.queued, rate, eta, st.probes, st.sessions_total,
			st.waiting_retry ? ", waiting for retries" : "");
		r->last_line = now;
	}
}

static void on_event(void *arg, const verify_event *e)
{
	struct run *r = arg;
	if (e->type == VEV_DONE) {
		r->done = true;
		ev_stop(r->ev);
	} else if (e->type == VEV_ALERT) {
		r->alerts++;
		if (r->progress) {
			buf b;
			buf_init(&b, 2048);
			text_escape_display(&b, e->message, strlen(e->message));
			fprintf(r->progress, "%sALERT: %s\n", r->tty ? "\n" : "", buf_str(&b));
			buf_free(&b);
		}
	}
}

static void tick(ev_loop *ev, void *arg);

static void tick(ev_loop *ev, void *arg)
{
	struct run *r = arg;
	if (interrupted) {
		ev_stop(ev);
		return;
	}
	show_progress(r, false);
	ev_timer_add(ev, r->tty ? 200 : 1000, tick, r);
}

mv_status run_verification(const mv_config *cfg, results *res, FILE *progress,
			   run_report *rep, void (*transcript)(void *, size_t, const char *),
			   void *targ, char *err, size_t errlen)
{
	struct run r;
	cache *c = NULL;
	mv_status st = MV_OK;
	struct sigaction sa, old_int, old_term;

	memset(&r, 0, sizeof(r));
	memset(rep, 0, sizeof(*rep));
	r.progress = progress;
	r.tty = progress && isatty(fileno(progress));
	if (!cfg->no_cache) {
		const char *path = cfg->cache[0] ? cfg->cache :
			config_default_cache(rep->cache_path, sizeof(rep->cache_path));
		if (!path) {
			snprintf(err, errlen, "no cache path (set HOME, XDG_CACHE_HOME or --cache)");
			return MV_USAGE;
		}
		if (path != rep->cache_path)
			snprintf(rep->cache_path, sizeof(rep->cache_path), "%s", path);
		st = cache_open(&c, rep->cache_path, err, errlen);
		if (st)
			return st;
	}
	r.ev = ev_create();
	if (!r.ev) {
		cache_close(c);
		return MV_NOMEM;
	}
	r.v = verify_create(r.ev, cfg, res, c, on_event, &r, &st);
	if (!r.v) {
		snprintf(err, errlen, "cannot start verification: %s%s", status_message(st),
			 st == MV_USAGE ? " (check --dns)" : "");
		goto out;
	}
	for (size_t i = 0; i < res->n; i++)
		if (res->rows[i].local == LOCAL_CANDIDATE)
			verify_add(r.v, i);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;
	r.t0 = r.last_line = ev_clock_ms();
	ev_timer_add(r.ev, 200, tick, &r);
	verify_kick(r.v);
	if (!verify_finished(r.v)) {
		while (!r.done && !interrupted) {
			st = ev_run_once(r.ev, 1000);
			if (st)
				break;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	show_progress(&r, true);
	if (interrupted) {
		snprintf(err, errlen, "interrupted: finished results are kept in the cache; run again to resume");
		st = MV_AGAIN;
	}
	verify_get_stats(r.v, &rep->stats);
	rep->alerts = r.alerts;
	rep->seconds = (double)(ev_clock_ms() - r.t0) / 1000.0;
	if (transcript)
		for (size_t i = 0; i < res->n; i++)
			if (res->rows[i].transcript)
				transcript(targ, i, verify_transcript(r.v, res->rows[i].transcript));
out:
	verify_destroy(r.v);
	ev_destroy(r.ev);
	cache_close(c);
	return st;
}
