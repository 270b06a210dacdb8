/*
 * bounces — the bounce analyser's model: bounce records read from the
 * files users have, each classified by reply.h, and a segmentation of them
 * by provider and recipient domain × reason, with the alert that matters
 * most (many sender-side rejects at one provider: the sender's reputation
 * or authentication there is the problem, not the recipients).
 *
 * Readers: a CSV with an address column and a diagnostic column; Postfix
 * ("status=bounced (...)") and Exim ("** addr ...: 550 ...") mail logs;
 * RFC 3464 delivery status notifications in an mbox or a directory of .eml
 * files (Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code).
 * Unreadable lines are counted and skipped, never fatal.
 *
 * Nothing here prints: the CLI (cmd_bounces.c) and the workbench render the
 * same bounce_seg. Ownership: a bounce_set owns its records and all their
 * strings (a string pool), valid until bounces_destroy(); a bounce_seg owns
 * its arrays (bounce_seg_free) but borrows names from the set, so free the
 * seg before the set.
 */
#ifndef MAILVET_BOUNCES_H
#define MAILVET_BOUNCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/reason.h"
#include "mailvet/reply.h"
#include "mailvet/status.h"

#define BOUNCES_MAX_INPUT (512u << 20)   /* bytes read from one file */

typedef enum {
	BOUNCE_FMT_AUTO,   /* sniff: DSN, then mail log, then CSV */
	BOUNCE_FMT_CSV,
	BOUNCE_FMT_LOG,    /* Postfix and Exim lines, mixed freely */
	BOUNCE_FMT_DSN,    /* one message, an mbox, or (a directory) .eml files */
} bounce_format;

const char *bounce_format_name(bounce_format f);

/* One bounce. Strings are NUL-terminated and owned by the set. */
typedef struct bounce {
	const char *addr;      /* recipient, lower case */
	const char *domain;    /* its domain ("" when the address has none) */
	const char *provider;  /* provider group (assets/providers.tsv), else the domain */
	const char *mx;        /* remote MTA named by the source, "" if none */
	const char *text;      /* the reply text as classified (raw server bytes) */
	int code;              /* reply code, 0 if none */
	uint32_t enhanced;     /* enhanced status code, 0 if none */
	reply_phase phase;
	reply_class cls;
	uint32_t line;         /* 1-based line (record) in its source */
	const char *source;    /* file it came from */
} bounce;

typedef struct bounce_set bounce_set;

typedef struct bounce_read_info {
	bounce_format format;  /* what was read */
	size_t records;        /* bounces added */
	size_t skipped;        /* lines/records that looked like bounces but could not be read */
	size_t other;          /* DSN records that are not failures (delayed, delivered) */
	size_t files;          /* files read (1, or the .eml files of a directory) */
} bounce_read_info;

bounce_set *bounces_create(void);
void bounces_destroy(bounce_set *b);

/*
 * Add one bounce: classify diag (a reply as logged, "smtp; 550 ..." etc.);
 * status is a DSN Status / log dsn= code used when diag has none (0 if
 * none); mx may be NULL. MV_PARSE when addr has no '@'.
 */
mv_status bounces_add(bounce_set *b, const char *addr, size_t addr_len,
		      const char *diag, size_t diag_len, uint32_t status,
		      const char *mx, size_t mx_len, const char *source, uint32_t line);

/* Read a file or a directory of .eml files; records are appended. */
mv_status bounces_read_path(bounce_set *b, const char *path, bounce_format fmt,
			    bounce_read_info *info);
/* Read bytes already in memory (name is used as the records' source). */
mv_status bounces_read_mem(bounce_set *b, const char *data, size_t n, bounce_format fmt,
			   const char *name, bounce_read_info *info);

size_t bounces_count(const bounce_set *b);
const bounce *bounces_get(const bounce_set *b, size_t i);

/* Provider of a domain, or of an MX host when the domain is unknown; NULL if neither is known. */
const char *bounces_provider_of(const char *domain, const char *mx);

/* A recipient-side hard bounce: safe to suppress (never a sender-side one). */
bool bounce_is_suppressible(const bounce *x);

/* ---- segmentation ------------------------------------------------------------ */

typedef struct bounce_group {
	const char *name;           /* provider or domain (borrowed from the set) */
	const char *provider;       /* for a domain row: its provider; for a provider row: name */
	size_t total;
	size_t recipient_side;      /* owner recipient */
	size_t sender_side;         /* owner sender */
	size_t other;               /* owner none */
	size_t suppressible;        /* recipient-side hard bounces */
	size_t ndomains;            /* provider rows: distinct recipient domains */
	size_t by_reason[REASON_COUNT];
} bounce_group;

typedef struct bounce_alert {
	const char *provider;       /* borrowed */
	size_t sender_side;
	size_t total;
	mv_reason top_reason;       /* the most frequent sender-side reason */
	size_t top_count;
} bounce_alert;

typedef struct bounce_seg_opts {
	size_t alert_min;           /* sender-side bounces needed for an alert (default 3) */
	unsigned alert_percent;     /* and their share of the provider's bounces (default 50) */
} bounce_seg_opts;

typedef struct bounce_seg {
	size_t total;
	size_t recipient_side, sender_side, other, suppressible;
	size_t by_reason[REASON_COUNT];
	bounce_group *providers;    /* owned; by total desc, then name */
	size_t nproviders;
	bounce_group *domains;      /* owned; by total desc, then name */
	size_t ndomains;
	bounce_alert *alerts;       /* owned; by sender_side desc */
	size_t nalerts;
} bounce_seg;

/* Segment the set (opts may be NULL for the defaults). */
mv_status bounces_segment(const bounce_set *b, const bounce_seg_opts *opts, bounce_seg *out);
void bounce_seg_free(bounce_seg *s);

/* Reasons of a group in decreasing count (ties in vocabulary order); returns
 * how many were written to out (at most cap, only non-zero counts). */
size_t bounce_group_top_reasons(const bounce_group *g, mv_reason *out, size_t cap);

#endif
