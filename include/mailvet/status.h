/*
 * status — the one list of status codes every module returns.
 *
 * A function that can fail returns `mv_status`; MV_OK is zero so
 * `if (st)` reads as "if it failed". The message strings live beside
 * the codes (X-macro) so they can never drift apart.
 */
#ifndef MAILVET_STATUS_H
#define MAILVET_STATUS_H

#define MV_STATUS_LIST(_) \
	_(OK,        "success") \
	_(NOMEM,     "out of memory") \
	_(IO,        "input/output error") \
	_(NOENT,     "no such file") \
	_(TOOBIG,    "input exceeds a size limit") \
	_(PARSE,     "malformed input") \
	_(BINARY,    "file is not text (binary data)") \
	_(EMPTY,     "input is empty") \
	_(SAMEFILE,  "refusing to overwrite the input file") \
	_(USAGE,     "invalid arguments") \
	_(NOTFOUND,  "not found") \
	_(AGAIN,     "try again later") \
	_(TIMEOUT,   "timed out") \
	_(CLOSED,    "connection closed") \
	_(PROTO,     "protocol error") \
	_(TLS,       "TLS failure") \
	_(DB,        "database error") \
	_(UNSAFE,    "refused: unsafe target")

typedef enum {
#define MV_STATUS_ENUM(name, msg) MV_##name,
	MV_STATUS_LIST(MV_STATUS_ENUM)
#undef MV_STATUS_ENUM
	MV_STATUS_COUNT
} mv_status;

/* Human-readable message for a status; never NULL. */
const char *status_message(mv_status st);
/* Short identifier ("NOMEM"), for logs and JSON. */
const char *status_name(mv_status st);

#endif
