/*
 * netfake — in-process DNS and SMTP peers for unit tests of dns, verify:
 * served by the test's own ev loop on loopback, scripted from tables, and
 * recording what the client asked. (The stand-alone scriptable servers
 * for end-to-end tests live in tests/fakes/.)
 */
#ifndef MAILVET_TEST_NETFAKE_H
#define MAILVET_TEST_NETFAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "mailvet/buf.h"

struct ev_loop;

/* DNS: records "name TYPE data" (A, AAAA, MX "pref host", SERVFAIL, TIMEOUT). */
typedef struct fdns fdns;
fdns *fdns_start(struct ev_loop *ev, const char *const *records, uint16_t *port);
void fdns_stop(fdns *d);
unsigned fdns_queries(const fdns *d, const char *name, int qtype);  /* asked how often */

/* SMTP behaviours for one listening address. */
typedef struct fsmtp_rule {
	const char *rcpt;       /* exact address, "*@domain", or "*" */
	const char *reply;      /* full reply line(s) with CRLF */
} fsmtp_rule;

typedef struct fsmtp_conf {
	const char *addr;                 /* "127.0.0.2" */
	const char *greeting;             /* default "220 fake ESMTP\r\n" */
	const char *ehlo;                 /* default PIPELINING ESMTP */
	const char *mail_reply;           /* default "250 ok" */
	const fsmtp_rule *rules;          /* first match wins */
	bool refuse;                      /* nothing listens: connections refused */
	bool second_rcpt_rejected;        /* 550 to every RCPT after the first of a session */
	unsigned greylist_ms;             /* first RCPT per address: 450 until this much later */
	unsigned greeting_delay_ms;
} fsmtp_conf;

typedef struct fsmtp fsmtp;
/* One fake serving several addresses on one port (*port in/out: 0 = pick). */
fsmtp *fsmtp_start(struct ev_loop *ev, const fsmtp_conf *confs, int n, uint16_t *port);
void fsmtp_stop(fsmtp *s);
unsigned fsmtp_connections(const fsmtp *s, const char *addr);
unsigned fsmtp_rcpts(const fsmtp *s, const char *addr);
/* Every command received at an address, in order, CRLF kept. */
const char *fsmtp_log(const fsmtp *s, const char *addr);

#endif
