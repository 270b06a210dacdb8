/*
 * reply — reading an SMTP server's answer: parse it, then classify it into
 * the shared vocabulary of reason.h (verdict, owner, reason) with a
 * one-line recommended action.
 *
 * Parsing comes in two forms: reply_parse() is strict and incremental, for
 * the SMTP client reading a socket (RFC 5321 4.2: "250-" continuation
 * lines, a last "250 " line, the same code on every line); reply_parse_text()
 * is lenient, for replies as they appear in logs, DSNs and user input
 * ("smtp; 550 5.1.1 ...", "host x said: ...", "(in reply to RCPT TO
 * command)" tails, unfolded "550-5.1.1" continuation markers).
 * Both are bounded: a reply over REPLY_MAX_BYTES or REPLY_MAX_LINES is
 * MV_TOOBIG, never a hang.
 *
 * Classification is driven by data: the rules of assets/reply-rules.tsv,
 * compiled into the program at build time (src/reply_rules.inc, generated
 * by src/gen/reply-rules.awk). Rules are tried in file order; the first
 * whose code, enhanced code and phrase match decides. When only a
 * catch-all code rule would decide, the words model (reply_model.h) may
 * read the text instead. reply_classify() never allocates; its strings
 * are static.
 *
 * Invariants of a reply_class: owner sender or none is never a bad-address
 * verdict (verdict unknown); a 5xx at the banner, HELO, STARTTLS or MAIL
 * FROM is never the recipient's fault; a 2xx at RCPT is accepted and
 * deliverable.
 *
 * Ownership: smtp_reply.text is owned by the reply and freed by
 * reply_free(); reply_class strings are static.
 */
#ifndef MAILVET_REPLY_H
#define MAILVET_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/reason.h"
#include "mailvet/status.h"

#define REPLY_MAX_BYTES (64u * 1024u)
#define REPLY_MAX_LINES 1000u

typedef enum { REPLY_PHASE_UNKNOWN, REPLY_PHASE_CONNECT /* banner */, REPLY_PHASE_HELO,
	       REPLY_PHASE_STARTTLS, REPLY_PHASE_MAIL, REPLY_PHASE_RCPT, REPLY_PHASE_DATA } reply_phase;

typedef struct smtp_reply {
	int code;              /* 200..599 as sent; 0 when none could be read */
	uint32_t enhanced;     /* result_enhanced_pack(), 0 when none */
	char *text;            /* owned: the text of all lines without code/enhanced prefix,
	                          lines joined by '\n', NUL-terminated */
	size_t text_len;
	size_t nlines;
	char *lead;            /* owned or NULL: the words before the code in a log or bounce line
	                          ("Mailbox limit exceeded while appending message 550 ..."), read
	                          only when the text after the code names nothing */
	size_t lead_len;
} smtp_reply;

/* Stream parsing for the SMTP client: given bytes received so far, parse one complete reply.
 * MV_OK: *consumed bytes used; MV_AGAIN: need more bytes (nothing consumed);
 * MV_TOOBIG: over 64 KiB or 1,000 lines; MV_PARSE: not an SMTP reply (e.g. no 3-digit code,
 * codes differ across lines). */
mv_status reply_parse(const char *buf, size_t n, smtp_reply *out, size_t *consumed);
/* Lenient parsing of a reply as found in logs/DSNs/user input ("smtp; 550 5.1.1 ...", "host x said: ...", tails).
 * MV_PARSE when neither a reply code nor an enhanced code (e.g. qmail's "(#5.1.1)") is found. */
mv_status reply_parse_text(const char *s, size_t n, smtp_reply *out);
void reply_free(smtp_reply *r);

/*
 * Build a reply from parts (code may be 0, enhanced may be 0): for bounce
 * records whose diagnostic has no code but whose DSN Status or log dsn=
 * field has one. The text is copied, control bytes other than '\n' become
 * spaces. MV_NOMEM or MV_TOOBIG (n > REPLY_MAX_BYTES).
 */
mv_status reply_from_parts(int code, uint32_t enhanced, const char *text, size_t n,
			   smtp_reply *out);

/* The phase a logged reply answered, from its tail ("(in reply to RCPT TO
 * command)", "after RCPT TO:", "after MAIL FROM", "end of DATA"); UNKNOWN if
 * none is named. */
reply_phase reply_phase_from_text(const char *s, size_t n);
const char *reply_phase_name(reply_phase p);

typedef struct reply_class {
	mv_verdict verdict; mv_owner owner; mv_reason reason;
	bool permanent;        /* retrying the same send cannot help */
	const char *action;    /* static one-line recommended action */
	const char *rule;      /* static id/citation of the rule that decided, for the detail view */
	bool by_phrase;        /* words of the text decided (false: the code alone, or nothing) */
	bool by_model;         /* the words model decided (reply_model.h); rule says so */
	const char *cue;       /* static, by_model only: the word that most favoured its reading */
	double sureness;       /* by_model only: the model's posterior probability */
} reply_class;

void reply_classify(const smtp_reply *r, reply_phase phase, reply_class *out);

/* Number of compiled rules, and rule i's id and source citation (tests,
 * docs); NULL past the end. */
size_t reply_rule_count(void);
const char *reply_rule_id(size_t i);
const char *reply_rule_source(size_t i);
const char *reply_rule_phrase(size_t i);

#endif
