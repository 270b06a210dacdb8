/*
 * result — what mailvet found out about each row, beside the table.
 *
 * One row_result per data row, same index as the table row. Strings
 * (domain, suggestion, reply text, MX host) are ids in the results' own
 * string pool, so a row_result is small and fixed-size. A normalized
 * address that is byte for byte in the row's email cell (nearly all of
 * them) is not copied: it names its offset and length in that cell, and
 * the table it came from (set by the local pass) must outlive the
 * results; only an address that normalizing changed is a pool string.
 * The local pass fills the local fields; the verification engine fills
 * verdict, owner, reason and the SMTP fields; the user's triage sets
 * decision. The table itself is never changed.
 */
#ifndef MAILVET_RESULT_H
#define MAILVET_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/intern.h"
#include "mailvet/reason.h"
#include "mailvet/status.h"
#include "mailvet/table.h"

/* Local pass status of a row. */
typedef enum {
	LOCAL_PENDING = 0,   /* not looked at yet */
	LOCAL_CANDIDATE,     /* goes on to verification */
	LOCAL_INVALID,       /* syntax_error, junk, reserved_domain... */
	LOCAL_DUPLICATE,     /* same address as an earlier row */
	LOCAL_SUPPRESSED,    /* on the suppression list */
} local_status;

const char *local_status_name(local_status s);

/* Flags (JSON names in result_flag_name order). */
#define MV_FLAG_LIST(_) \
	_(CATCH_ALL,    "catch_all") \
	_(ROLE,         "role") \
	_(DISPOSABLE,   "disposable") \
	_(FREE,         "free") \
	_(FULL_INBOX,   "full_inbox") \
	_(DUPLICATE,    "duplicate") \
	_(ALIAS,        "alias") \
	_(SUPPRESSED,   "suppressed") \
	_(TYPO,         "typo") \
	_(DISPLAY_NAME, "display_name") \
	_(QUOTED,       "quoted") \
	_(UTF8_LOCAL,   "utf8_local") \
	_(GREYLISTED,   "greylisted") \
	_(MULTIPLE,     "multiple") \
	_(FIXED,        "fixed")

enum {
#define MV_X(name, str) FLAG_BIT_##name,
	MV_FLAG_LIST(MV_X)
#undef MV_X
	FLAG_COUNT
};
#define MV_X(name, str) enum { F_##name = 1u << FLAG_BIT_##name };
MV_FLAG_LIST(MV_X)
#undef MV_X

const char *result_flag_name(unsigned bit);

/* The user's triage decision. */
typedef enum { DECIDE_NONE = 0, DECIDE_KEEP, DECIDE_DROP } decision;

/* row_result.normalized with this bit: the bytes of the row's own email
 * cell at offset bits 8..30, length bits 0..7; without: a pool id. */
#define RESULT_NORM_CELL 0x80000000u
#define RESULT_NORM_OFF_MAX 0x7fffffu
/* Room for a normalized address and its NUL (ADDR_MAX is 254). */
#define RESULT_ADDR_CAP 256

/*
 * 40 bytes a row: the small fields share two words (bitfields, each wide
 * enough for every value it takes: 15 flags, SMTP codes up to 999, the
 * packed enhanced code in 24 bits). Rows are written by one thread each.
 */
typedef struct row_result {
	uint32_t normalized;  /* local@a-label-domain, 0 = none: read it with
	                         results_normalized (RESULT_NORM_CELL) */
	uint32_t domain;      /* pool id: a-label domain, lower case */
	uint32_t suggestion;  /* pool id: suggested address (typo fix) */
	uint32_t dup_of;      /* 1-based data row of the first occurrence */
	uint32_t reply;       /* pool id: reply text (single line, raw) */
	uint32_t mx;          /* pool id: MX host that answered */
	uint32_t transcript;  /* id in the engine's transcript store, 0 = none */
	unsigned flags : 16;      /* F_* */
	unsigned smtp_code : 10;  /* 0 = none */
	unsigned local : 3;       /* local_status */
	unsigned decision : 2;    /* decision */
	unsigned tls : 1;         /* 1 when the deciding session used TLS */
	unsigned enhanced : 24;   /* class<<20 | subject<<10 | detail, 0 = none */
	unsigned reason : 8;      /* mv_reason */
	uint8_t verdict;      /* mv_verdict */
	uint8_t owner;        /* mv_owner */
} row_result;

typedef struct results {
	row_result *rows;     /* owned, n entries, zeroed at create */
	size_t n;
	intern *pool;         /* owned string pool */
	const table *cells;   /* borrowed: the table whose email cells
	                         normalized addresses point into, or NULL */
	size_t email_col;
	uint32_t *session;    /* owned, NULL until results_set_session: by row,
	                         the pool id of the text of the SMTP session that
	                         decided it, kept once the engine is gone (the
	                         --results file), 0 = none */
} results;

results *results_create(size_t nrows);
void results_destroy(results *r);

/* Convenience: the pool string of an id. */
mv_str results_str(const results *r, uint32_t id);

/* Keep the text of the session that decided a row (a pool copy). */
mv_status results_set_session(results *r, size_t row, const char *text, size_t n);
/* Its pool id, 0 = none. */
uint32_t results_session(const results *r, size_t row);

/* The row's normalized address ("" when none), borrowed from the pool or
 * from the table's cell: not NUL-terminated. */
mv_str results_normalized(const results *r, size_t row);
/* The same as a C string: a copy in buf (RESULT_ADDR_CAP bytes). */
const char *results_normalized_cstr(const results *r, size_t row, char *buf);
/* Set a row's normalized address to a pool copy of p[0..n) (n = 0: none). */
mv_status results_set_normalized(results *r, size_t row, const char *p, size_t n);
/* Point a row's normalized address at cell bytes [off, off + n) of its
 * email column in r->cells; false when they cannot be named so (then set
 * a copy). */
bool results_set_normalized_cell(results *r, size_t row, size_t off, size_t n);

/* "5.1.1" from a packed enhanced code (out must hold 16 bytes). */
const char *result_enhanced_str(uint32_t enhanced, char out[16]);
uint32_t result_enhanced_pack(unsigned cls, unsigned subject, unsigned detail);

#endif
