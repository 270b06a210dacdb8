/*
 * local — the local pass: everything mailvet can decide about a list
 * without the network and without spending a probe.
 *
 * For every row of the email column: clean and parse the address (addr),
 * reject junk, syntax errors, several addresses in one cell and reserved
 * domains; flag role accounts, disposable and free-mail domains (lists);
 * exclude suppressed addresses (suppress); mark case-insensitive
 * duplicates of an earlier row, and provider aliases of one mailbox
 * (Gmail dots and +tags, googlemail.com: flag alias, "same mailbox as row
 * N"); suggest domain typo fixes (typo) using the curated providers and
 * the evidence of the list itself. A suggestion is applied only with
 * fix_typos (or a user's accept, local_recheck_row), which sets F_FIXED
 * and keeps the original for export.
 *
 * Statuses, in precedence order: invalid (reason junk, syntax_error,
 * multiple_addresses, reserved_domain) > suppressed > duplicate (reason
 * duplicate; flag duplicate, or flag alias) > candidate.
 *
 * Results: every r->rows[i] gets local, reason (local ones only), flags,
 * normalized ("local@a-label", set for every parsed address), domain (the
 * A-label), suggestion (an address) and dup_of (1-based data row). The
 * engine's fields (verdict, owner, SMTP) and flags (catch_all,
 * full_inbox, greylisted) are left as they are. A normalized address that
 * is the cell's own bytes names them (r->cells is set to t, which must
 * outlive r); only one that normalizing changed is copied into the pool.
 *
 * Speed: one parse per row, no per-row allocation, domain facts and typo
 * suggestions computed once per distinct domain, libidn2 only for
 * non-ASCII or xn-- domains. local_run uses a second thread (pthreads)
 * while it runs: a worker parses blocks of rows while the caller's thread
 * takes in the previous block, then the per-domain and per-row flag work
 * (and the dedupe keys' hashes) is split in two halves. Only the caller's
 * thread writes the results pool; the worker writes only its own rows'
 * local fields. Duplicates are found through a set of rows by key that
 * lives only while the pass runs. Nothing runs once local_run has
 * returned.
 */
#ifndef MAILVET_LOCAL_H
#define MAILVET_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "mailvet/addr.h"
#include "mailvet/reason.h"
#include "mailvet/result.h"
#include "mailvet/status.h"
#include "mailvet/table.h"

struct lists;
struct suppress;

typedef struct local_opts {
	addr_policy policy;         /* .allow_reserved: --allow-reserved (and,
	                               later, --dns / --demo) */
	bool no_aliases;            /* --no-aliases: aliases are not marked */
	bool fix_typos;             /* --fix-typos: apply every suggestion */
	const char *role_list;      /* extra list files (NULL: none) */
	const char *disposable_list;
	const char *free_list;
	const struct lists *lists;  /* borrowed; NULL: built-in + the files above */
	const struct suppress *suppress; /* borrowed; NULL: nothing suppressed */
} local_opts;

typedef struct local_summary {
	size_t rows;
	size_t candidates;          /* go on to verification */
	size_t invalid;
	size_t duplicates;          /* duplicates and aliases */
	size_t suppressed;
	size_t junk;                /* invalid for reason junk */
	size_t aliases;             /* duplicates that are provider aliases */
	size_t typos;               /* rows with a suggestion (flag typo) */
	size_t fixed;               /* suggestions applied */
	size_t reason[REASON_COUNT];/* rows per reason (local reasons only) */
	size_t flag[FLAG_COUNT];    /* rows per flag bit */
	size_t domains;             /* distinct domains among candidates */
	size_t probes;              /* network cost: one RCPT per candidate and
	                               one catch-all probe per candidate domain */
} local_summary;

/* Defaults: everything off, no extra lists, no suppression. */
void local_opts_init(local_opts *o);

/*
 * Run the local pass over column email_col of t into r (r->n must equal
 * table_nrows(t)). sum may be NULL. Fails with MV_USAGE for a bad column
 * or a results size mismatch, MV_NOENT/MV_IO when an extra list file
 * cannot be read (errno kept), MV_NOMEM.
 */
mv_status local_run(const table *t, long email_col, const local_opts *o,
		    results *r, local_summary *sum);

/*
 * Re-check one row with a new address (the user accepted the row's
 * suggestion, or typed a fix in the workbench): the row is parsed again,
 * flagged, checked against suppression and against every other row for
 * duplicates and aliases, typo-checked against the curated providers, and
 * marked F_FIXED (the export writes the new address and keeps the cell in
 * email_original). Rows that were duplicates or aliases of the row's old
 * address are settled again: the first of them now owns it, the others are
 * its duplicates. No other row changes. O(rows), and O(rows) again for
 * each row released.
 */
mv_status local_recheck_row(const local_opts *o, results *r, size_t row,
			    const char *text, size_t n);

/* Count statuses, reasons, flags, candidate domains and probes. O(rows). */
mv_status local_summarize(const results *r, local_summary *sum);

/* The summary as text (the cost preview), for the CLI and the stand-in. */
void local_summary_print(FILE *fp, const local_summary *sum);

#endif
