/*
 * smtp — a non-blocking SMTP client session for address verification.
 *
 * One session is one TCP connection to one MX address, driven by the ev
 * loop: connect, banner, EHLO (HELO fallback), STARTTLS when offered
 * (OpenSSL, non-blocking) and re-EHLO, MAIL FROM, then any number of
 * RCPT TO probes (pipelined when the server offers PIPELINING), RSET and
 * MAIL FROM again between batches, QUIT. DATA is never sent: there is no
 * code path that writes it.
 *
 * Every phase has a timeout; every byte read is bounded (a reply over
 * 64 KiB or 1,000 lines ends the session with protocol_error). Addresses
 * are checked before they reach the wire: CR, LF, NUL, '<', '>' and other
 * control bytes are refused. Each session keeps a bounded transcript of
 * what was sent and received, with times, for the detail view.
 *
 * The session calls back (smtp_events) and never frees itself inside a
 * callback: after on_done the owner calls smtp_session_free.
 */
#ifndef MAILVET_SMTP_H
#define MAILVET_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "mailvet/reason.h"
#include "mailvet/status.h"

struct ev_loop;
struct smtp_reply;
struct buf;

typedef struct smtp_session smtp_session;

typedef enum { TLS_OPPORTUNISTIC = 0, TLS_REQUIRE, TLS_NEVER } smtp_tls_mode;

/* EHLO capabilities. */
enum {
	CAP_STARTTLS   = 1u << 0,
	CAP_PIPELINING = 1u << 1,
	CAP_SMTPUTF8   = 1u << 2,
	CAP_SIZE       = 1u << 3,
	CAP_8BITMIME   = 1u << 4,
	CAP_ESMTP      = 1u << 5,   /* EHLO was accepted at all */
};

typedef struct smtp_config {
	const char *helo;            /* our EHLO name */
	const char *mail_from;       /* envelope sender (may be "" for <>) */
	smtp_tls_mode tls;
	unsigned connect_ms;         /* TCP connect */
	unsigned banner_ms;          /* 220 greeting (slow banners are normal) */
	unsigned cmd_ms;             /* EHLO, MAIL, RSET, QUIT replies */
	unsigned rcpt_ms;            /* RCPT replies */
	unsigned tls_ms;             /* TLS handshake */
	unsigned max_pipeline;       /* RCPTs in flight when pipelining */
	void *ssl_ctx;               /* borrowed SSL_CTX; NULL = make one */
} smtp_config;

void smtp_config_defaults(smtp_config *c);

/* Why a session ended before its owner asked it to. */
typedef struct smtp_failure {
	mv_reason reason;            /* no_connect timeout tls_failed protocol_error, or the reply's */
	int phase;                   /* reply_phase when a reply decided */
	const struct smtp_reply *reply;  /* the reply, or NULL */
	const char *detail;          /* short text for the transcript and UI */
	bool local;                  /* our own resources ran out (no descriptor):
	                                not the host's fault */
} smtp_failure;

typedef struct smtp_events {
	/* MAIL FROM accepted: RCPTs may be queued (after connect or RSET). */
	void (*on_ready)(void *arg, smtp_session *s);
	/* The reply to one RCPT, in the order they were queued. */
	void (*on_rcpt)(void *arg, smtp_session *s, uint64_t tag,
			const struct smtp_reply *reply);
	/* The session failed; RCPTs queued and not answered get no on_rcpt. */
	void (*on_fail)(void *arg, smtp_session *s, const smtp_failure *f);
	/* The connection is closed (after QUIT, failure or abort). Last call:
	 * the owner may smtp_session_free(s) inside it. */
	void (*on_done)(void *arg, smtp_session *s);
} smtp_events;

smtp_session *smtp_session_start(struct ev_loop *ev, const smtp_config *cfg,
				 const struct sockaddr_storage *addr,
				 uint16_t port, const char *mx_name,
				 const smtp_events *evs, void *arg);

/*
 * Ask for SMTPUTF8 in the next MAIL FROM (takes effect at the next
 * transaction: call before the session is ready, or before a reset).
 * Non-ASCII addresses are refused by smtp_session_rcpt unless the current
 * transaction has SMTPUTF8, which needs the server to offer it.
 */
void smtp_session_want_utf8(smtp_session *s, bool on);
bool smtp_session_utf8_active(const smtp_session *s);

/* Queue an RCPT TO probe. MV_USAGE for an address unsafe for the wire,
 * MV_UNSAFE for a non-ASCII address without SMTPUTF8, MV_AGAIN when the
 * session is not ready. */
mv_status smtp_session_rcpt(smtp_session *s, const char *addr, size_t n, uint64_t tag);
/* RSET and MAIL FROM again; on_ready follows. */
mv_status smtp_session_reset(smtp_session *s);
/* Polite end: QUIT, wait briefly for 221, close; on_done follows. */
void smtp_session_quit(smtp_session *s);
/* Close now (no QUIT); on_done follows from the loop, not inside. */
void smtp_session_abort(smtp_session *s);
void smtp_session_free(smtp_session *s);

unsigned smtp_session_caps(const smtp_session *s);
bool smtp_session_tls(const smtp_session *s);
bool smtp_session_ready(const smtp_session *s);
unsigned smtp_session_inflight(const smtp_session *s);  /* RCPTs unanswered */
unsigned smtp_session_commands(const smtp_session *s);  /* commands sent */
/* Flights: the greeting, and each time commands were sent with no reply
 * outstanding (a pipelined batch is one), plus the TLS handshake. */
unsigned smtp_session_round_trips(const smtp_session *s);
const char *smtp_session_state_name(const smtp_session *s);
/* The transcript so far (NUL-terminated, bounded). */
const char *smtp_session_transcript(const smtp_session *s, size_t *len);

/* True when an address may be put on the wire in RCPT TO:<...>. */
bool smtp_addr_wire_safe(const char *addr, size_t n);

#endif
