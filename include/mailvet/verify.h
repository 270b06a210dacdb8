/*
 * verify — the verification engine: turns local-pass candidates into
 * verdicts, politely, on the ev loop.
 *
 * Rows are grouped by domain, domains by their MX host; one connection
 * carries many RCPTs (pipelined when offered), under per-host and global
 * connection limits and a per-connection reject limit (servers tarpit and
 * drop sessions with many errors). Each domain gets one catch-all probe (a
 * random local part), and no address is reported before its domain's
 * catch-all status is known. A host that answers the second recipient of
 * a session differently from the first is found out with one calibration
 * probe in a fresh session, and then served one recipient per session.
 * Greylisting and other temporary failures are retried with backoff; a
 * 421 or a dropped connection backs the host off. A provider that keeps
 * rejecting the *sender* trips a circuit breaker: its remaining rows stop
 * (unknown, sender_blocked) and an alert event is raised. Probes are
 * counted against a daily budget in the cache, and fresh cached results
 * are used without spending any.
 *
 * The engine writes verdicts into the caller's results (borrowed) and
 * reports through one callback; it knows nothing of any front end.
 */
#ifndef MAILVET_VERIFY_H
#define MAILVET_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/status.h"

struct ev_loop;
struct mv_config;
struct results;
struct cache;

typedef struct verify verify;

typedef enum {
	VEV_RESULT,      /* row has its final verdict for this run */
	VEV_ALERT,       /* the circuit breaker tripped at a provider */
	VEV_WAITING,     /* nothing to do until a retry time (greylisting) */
	VEV_DONE,        /* every queued row is final */
} verify_event_type;

typedef struct verify_event {
	verify_event_type type;
	size_t row;                /* VEV_RESULT */
	const char *provider;      /* VEV_ALERT */
	const char *message;       /* VEV_ALERT: a sentence for the user */
	uint64_t wait_ms;          /* VEV_WAITING */
} verify_event;

typedef void verify_cb(void *arg, const verify_event *e);

typedef struct verify_stats {
	size_t queued;             /* rows given to the engine */
	size_t done;               /* rows with a final verdict */
	size_t from_cache;         /* ... of which from the cache */
	size_t waiting_retry;      /* rows waiting for a retry time */
	unsigned sessions_open;
	unsigned sessions_total;   /* connections opened */
	unsigned probes;           /* RCPT commands sent (budget spent) */
	unsigned commands;         /* SMTP commands sent in all */
	unsigned round_trips;      /* write-then-wait exchanges */
	unsigned budget_left;
	unsigned domains;
	unsigned dns_lookups;
	unsigned routes_cached;    /* domains whose MX route came from the cache */
	unsigned calibrations;
	unsigned breaker_trips;
} verify_stats;

/*
 * cache may be NULL (no persistence). The config, results and cache are
 * borrowed and must outlive the engine. now_fn gives Unix seconds (NULL:
 * time()); tests pass their own.
 */
verify *verify_create(struct ev_loop *ev, const struct mv_config *cfg,
		      struct results *res, struct cache *cache,
		      verify_cb *cb, void *arg, mv_status *st);
void verify_destroy(verify *v);

/* Queue a candidate row (its normalized address and domain are set). */
mv_status verify_add(verify *v, size_t row);
/* Start or continue work (idempotent). */
void verify_kick(verify *v);
bool verify_finished(const verify *v);
void verify_get_stats(const verify *v, verify_stats *out);

/* Pause or resume every row at a provider (after an alert). */
void verify_pause_provider(verify *v, const char *provider, bool paused);
/* Stop now: open sessions QUIT, unfinished rows stay undecided. */
void verify_stop(verify *v);

/* The transcript that decided a row (results.transcript id). */
const char *verify_transcript(const verify *v, uint32_t id);
/* The provider a row's domain belongs to ("" if not yet known). */
const char *verify_provider_of(const verify *v, size_t row);

#endif
