/*
 * reason — the shared vocabulary of outcomes: verdicts, who owns a
 * problem, and reasons. Defined once (X-macros) so the local pass, the
 * reply classifier, the engine, the CLI's JSON and the workbench all speak
 * the same words. Names are the exact strings of the JSON output.
 */
#ifndef MAILVET_REASON_H
#define MAILVET_REASON_H

#define MV_VERDICT_LIST(_) \
	_(NONE,        "none")        /* not decided yet */ \
	_(DELIVERABLE, "deliverable") \
	_(RISKY,       "risky") \
	_(INVALID,     "invalid") \
	_(UNKNOWN,     "unknown")

#define MV_OWNER_LIST(_) \
	_(NONE,      "none")        /* nobody's fault, or not applicable */ \
	_(RECIPIENT, "recipient")   /* the address or its domain: suppress */ \
	_(SENDER,    "sender")      /* our own setup or reputation */

/* Reasons: local pass, then SMTP replies (issue vocabulary), then engine. */
#define MV_REASON_LIST(_) \
	_(NONE,              "none") \
	/* local pass */ \
	_(SYNTAX_ERROR,      "syntax_error") \
	_(JUNK,              "junk") \
	_(RESERVED_DOMAIN,   "reserved_domain") \
	_(DUPLICATE,         "duplicate") \
	_(SUPPRESSED,        "suppressed") \
	_(MULTIPLE_ADDRESSES, "multiple_addresses") /* several in one cell */ \
	/* SMTP replies */ \
	_(ACCEPTED,          "accepted") \
	_(USER_UNKNOWN,      "user_unknown") \
	_(MAILBOX_DISABLED,  "mailbox_disabled") \
	_(MAILBOX_FULL,      "mailbox_full") \
	_(DOMAIN_NOT_FOUND,  "domain_not_found") \
	_(NO_MX,             "no_mx") \
	_(POLICY_BLOCK,      "policy_block") \
	_(BLOCKLISTED_IP,    "blocklisted_ip") \
	_(AUTH_FAILURE,      "auth_failure") \
	_(RELAY_DENIED,      "relay_denied") \
	_(RATE_LIMITED,      "rate_limited") \
	_(GREYLISTED,        "greylisted") \
	_(SPAM_CONTENT,      "spam_content") \
	_(MESSAGE_TOO_BIG,   "message_too_big") \
	_(TLS_REQUIRED,      "tls_required") \
	_(TEMPORARY_FAILURE, "temporary_failure") \
	_(SYSTEM_ERROR,      "system_error") \
	/* verification engine */ \
	_(CATCH_ALL,         "catch_all") \
	_(NO_CONNECT,        "no_connect") \
	_(TIMEOUT,           "timeout") \
	_(TLS_FAILED,        "tls_failed") \
	_(PROTOCOL_ERROR,    "protocol_error") \
	_(SENDER_BLOCKED,    "sender_blocked") \
	_(BUDGET_EXHAUSTED,  "budget_exhausted") \
	_(UNSAFE_MX,         "unsafe_mx")

typedef enum {
#define MV_X(name, str) VERDICT_##name,
	MV_VERDICT_LIST(MV_X)
#undef MV_X
	VERDICT_COUNT
} mv_verdict;

typedef enum {
#define MV_X(name, str) OWNER_##name,
	MV_OWNER_LIST(MV_X)
#undef MV_X
	OWNER_COUNT
} mv_owner;

typedef enum {
#define MV_X(name, str) REASON_##name,
	MV_REASON_LIST(MV_X)
#undef MV_X
	REASON_COUNT
} mv_reason;

const char *verdict_name(mv_verdict v);
const char *owner_name(mv_owner o);
const char *reason_name(mv_reason r);
/* Parse a name back; -1 when unknown. */
int verdict_from_name(const char *s);
int owner_from_name(const char *s);
int reason_from_name(const char *s);

#endif
