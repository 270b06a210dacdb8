/*
 * fake_smtp — a scriptable SMTP server for the tests and the demo network.
 * Listens on several loopback addresses at once, each with its own
 * behaviour, and records the exact bytes every client sent.
 *
 * Usage:
 *   fake_smtp --script FILE [--port N] [--log FILE] [--pidfile FILE]
 *
 *   --script FILE   the behaviour (language below).
 *   --port N        port for every section written without one
 *                   ("[listen 127.0.0.2]"); 0 picks one free port shared by
 *                   all of them.
 *   --log FILE      the transcript (format below; appended, flushed per line).
 *   --pidfile FILE  written once listening, removed on exit.
 *
 * When every listener is up it prints "ready" on stdout ("ready PORT" when
 * --port 0 was given) and flushes. SIGTERM/SIGINT: clean exit, status 0.
 * Listen addresses must be loopback (127.0.0.0/8 or [::1]).
 * One thread, one poll() loop, non-blocking sockets, TCP_NODELAY.
 *
 * ---- Script language ---------------------------------------------------------
 *
 * Line based. Blank lines and lines starting with '#' are ignored (a '#'
 * later in a line is text). A section starts each listener; the directives
 * after it, one per line, set how that listener behaves:
 *
 *   [listen 127.0.0.2:2525]       or [listen 127.0.0.2] with --port,
 *                                 or [listen [::1]:2525]
 *
 * REPLY is the rest of the line, one of:
 *   TEXT            escapes \\ \n \r \t \e (ESC) \0 \xHH are decoded; \n
 *                   separates the lines of a multi-line reply; every line
 *                   goes out ending in CRLF. "550-5.1.1 a\n550 5.1.1 b"
 *   raw:TEXT        escapes decoded, bytes sent exactly as they are
 *                   (nothing added: send bare LF, no CRLF, ...)
 *   long:N:TEXT     TEXT, then N bytes 'x', then CRLF: one huge line
 *                   (N up to 60000000)
 *   endless:TEXT    "TEXT\r\n" sent again and again until the client goes
 *                   (e.g. endless:250-x — a reply that never ends)
 *   garbage:N       N bytes of binary junk (fixed seed; every byte value)
 * The first three characters of TEXT, when digits, are the reply code
 * (used for error counting and the 554 banner rule). In a TEXT reply to
 * RCPT (rcpt, greylist, max_rcpt), "<ADDR>" becomes "<the recipient>".
 *
 * Directives (defaults in brackets):
 *   hostname NAME          name in default replies [fake.test]
 *   banner REPLY           greeting [220 HOSTNAME ESMTP fake_smtp]; a 5xx
 *                          greeting makes every later command but QUIT get
 *                          "503 5.5.1 Error: no valid commands" (RFC 5321)
 *   banner_delay MS        wait before the greeting [0]
 *   no_banner              never greet (commands are read and logged, never
 *                          answered)
 *   close_on_accept        close the connection right after accept
 *   cap TEXT               one EHLO capability line; the first "cap" of a
 *                          section replaces the defaults [PIPELINING,
 *                          SIZE 10240000, ENHANCEDSTATUSCODES, 8BITMIME,
 *                          SMTPUTF8]; "cap" alone: no capabilities. The
 *                          EHLO reply is 250-HOSTNAME then the caps.
 *   ehlo REPLY             the whole EHLO reply instead (e.g. "ehlo 502 5.5.2
 *                          Error: command not recognized" so a client must
 *                          fall back to HELO)
 *   helo REPLY             [250 HOSTNAME]
 *   mail REPLY             MAIL FROM reply [250 2.1.0 Ok]
 *   rcpt PATTERN REPLY     RCPT TO reply by recipient: PATTERN is an exact
 *                          address (case-insensitive), "*@domain",
 *                          "local@*" (that local part at any domain) or
 *                          "*"; exact beats *@domain beats local@* beats *
 *                          [250 2.1.5 Ok]
 *   catchall               every RCPT gets 250 2.1.5 Ok (after greylist
 *                          and max_rcpt), whatever the rcpt rules say
 *   greylist SECONDS [REPLY]
 *                          a recipient's first RCPT gets REPLY [450 4.7.1
 *                          <ADDR>: Recipient address rejected: Greylisted,
 *                          try again later] and so do its retries until
 *                          SECONDS (0..3600) have passed since the first;
 *                          then the normal rules apply. Keyed by recipient
 *                          address, per listener, kept across connections.
 *   max_rcpt N [REPLY]     RCPTs after the first N of a session (counted
 *                          across RSET) get REPLY [452 4.5.3 Error: too many
 *                          recipients]; "max_rcpt 1 550 ..." rejects the
 *                          second RCPT of a session
 *   reply VERB REPLY       reply to any other command: RSET [250 2.0.0 Ok],
 *                          NOOP [250 2.0.0 Ok], QUIT [221 2.0.0 Bye],
 *                          VRFY [502 5.5.1 VRFY command is disabled],
 *                          anything unknown [502 5.5.2 Error: command not
 *                          recognized]
 *   shutdown_after N [REPLY]
 *                          the command after the first N of a connection
 *                          gets REPLY [421 4.7.0 HOSTNAME Error: too many
 *                          commands, closing] and the connection is closed
 *   close_after PHASE      close right after the reply of PHASE: banner,
 *                          ehlo, helo, mail, rset, rcpt [N] (the reply to
 *                          the Nth RCPT of the session, N default 1), tls
 *                          (right after the TLS handshake)
 *   error_limit SOFT HARD [MS]
 *                          like Postfix: every 4xx/5xx reply is an error;
 *                          once SOFT errors were made every reply waits MS
 *                          more [1000]; once HARD were made the next command
 *                          gets "421 4.7.0 HOSTNAME Error: too many errors"
 *                          and the connection is closed [off]
 *   delay MS               wait MS before every reply to a command [0]
 *   delay VERB MS          ... only before replies to VERB (adds to the above)
 *   trickle MS             send everything one byte per MS milliseconds
 *   starttls ok|refuse|garbage
 *                          offer STARTTLS (adds the cap) and on STARTTLS:
 *                          ok: 220 2.0.0 Ready to start TLS and a real TLS
 *                          handshake (self-signed certificate made at
 *                          start-up), then a fresh session over TLS (the
 *                          client must EHLO again; STARTTLS is no longer
 *                          offered); refuse: 454 4.7.0 TLS not available due
 *                          to local problem; garbage: 220, then junk bytes
 *                          instead of a handshake, then close.
 *                          A "cap STARTTLS" line alone means "starttls ok";
 *                          without either, STARTTLS gets 502.
 *
 * Fixed behaviour: commands need HELO/EHLO before MAIL (503 5.5.1), MAIL
 * before RCPT (503 5.5.1); no nested MAIL. DATA and BDAT are never answered
 * with 354: the reply is "554 5.5.1 Error: DATA is not allowed here
 * (mailvet must never send it)" and the log gets "ID VIOLATION DATA" (or
 * BDAT). A client line longer than 4096 bytes (CRLF included) gets "500
 * 5.5.0 Error: line too long" and the connection is closed. Bytes a client
 * pipelines after STARTTLS, before the handshake, are dropped (logged as
 * DISCARD). Commands are answered one at a time, in order; a connection idle
 * for 120 s is closed. At most 1024 connections.
 *
 * ---- Log ---------------------------------------------------------------------
 *
 * One event per line, "ID EVENT ...", ID the connection number (1, 2, ...
 * in accept order):
 *   ID CONNECT LOCAL PEER          e.g. "3 CONNECT 127.0.0.2:2525 127.0.0.1:40112"
 *   ID C: BYTES                    one line received, exactly, terminator
 *                                  included, escaped: \r \n \t \\ and any
 *                                  other byte outside 0x20..0x7e as \xHH.
 *                                  Concatenating a connection's C: payloads
 *                                  gives the exact byte stream it sent (a
 *                                  last line without LF is logged at close).
 *   ID C-TOOLONG N                 a line over 4096 bytes (N so far), refused
 *   ID S: BYTES                    a reply queued (same escaping, cut after
 *                                  300 bytes with "...(N bytes)")
 *   ID TLS VERSION CIPHER          handshake done
 *   ID TLS-FAIL REASON             handshake failed
 *   ID DISCARD N                   plaintext bytes dropped after STARTTLS
 *   ID VIOLATION DATA              the client sent DATA (or BDAT)
 *   ID CLOSE client|server|idle|error
 *                                  who ended the connection
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "mailvet/buf.h"
#include "mailvet/text.h"

#define MAX_LINE        4096            /* client line, CRLF included */
#define IN_MAX          (16 * 1024)     /* buffered client input */
#define OUT_MAX         (64u * 1024 * 1024)
#define LONG_MAX_N      60000000L
#define MAX_CONNS       1024
#define MAX_LISTENERS   64
#define MAX_GREY        4096
#define IDLE_MS         120000
#define SCRIPT_LINE_MAX 65536
#define LOG_CUT         300

/* ---- replies ------------------------------------------------------------------ */

typedef enum { GEN_TEXT, GEN_RAW, GEN_LONG, GEN_ENDLESS, GEN_GARBAGE } gen_kind;

typedef struct reply {
	gen_kind kind;
	char *bytes;            /* owned: TEXT/RAW wire bytes; LONG prefix; ENDLESS line+CRLF */
	size_t len;
	size_t n;               /* LONG, GARBAGE: byte count */
	int code;               /* first three digits, or 0 */
} reply;

typedef enum {
	PH_NONE, PH_BANNER, PH_EHLO, PH_HELO, PH_MAIL, PH_RCPT, PH_RSET, PH_TLS
} phase;

typedef enum { TLS_OFF, TLS_OK, TLS_REFUSE, TLS_GARBAGE } tls_mode;

typedef struct rcpt_rule {
	char *pattern;          /* owned, lower case */
	reply r;
} rcpt_rule;

typedef struct verb_reply {
	char verb[16];          /* upper case */
	reply r;
} verb_reply;

typedef struct verb_delay {
	char verb[16];
	long ms;
} verb_delay;

typedef struct grey_entry {
	char addr[256];
	long long first_ms;
} grey_entry;

typedef struct listener {
	struct sockaddr_storage addr;
	socklen_t alen;
	bool port_given;
	char name[80];          /* ADDR:PORT, for the log */
	int fd;
	char hostname[128];
	reply banner;
	long banner_delay;
	bool no_banner, close_on_accept;
	char **caps;            /* owned */
	size_t ncaps;
	bool caps_set;
	reply ehlo, helo, mail;
	rcpt_rule *rules;
	size_t nrules;
	verb_reply *verbs;
	size_t nverbs;
	verb_delay *delays;
	size_t ndelays;
	long delay_all;
	bool catchall;
	long grey_secs;         /* -1: off */
	reply grey_reply;       /* "<ADDR>" in it is replaced by the address */
	grey_entry *grey;
	size_t ngrey;
	long max_rcpt;          /* -1: off */
	reply max_rcpt_reply;
	long shutdown_after;    /* -1: off */
	reply shutdown_reply;
	phase close_phase;
	long close_rcpt_n;
	long err_soft, err_hard, err_delay;     /* hard -1: off */
	long trickle_ms;
	tls_mode tls;
} listener;

typedef enum { AFTER_NONE, AFTER_CLOSE, AFTER_TLS, AFTER_GARBAGE } after_action;

typedef struct conn {
	int fd;
	unsigned id;
	listener *l;
	SSL *ssl;
	bool handshaking, tls_on, want_write;
	buf in;
	size_t logged;          /* bytes of `in` already logged */
	buf out;
	size_t out_off;
	const reply *endless;   /* borrowed: refill out from it when drained */
	long long send_at;      /* write nothing before this */
	long long next_byte;    /* trickle */
	long long last_ms;
	after_action after;
	bool helo_seen, in_txn, banner_5xx, read_eof, toolong, dead;
	unsigned ncmds, nrcpt, nerrors;
	const char *close_reason;
} conn;

typedef struct server {
	listener *ls[MAX_LISTENERS];
	size_t nls;
	conn *conns[MAX_CONNS];
	unsigned next_id;
	SSL_CTX *tls;
	FILE *log;
	unsigned long long seed;
	reply ok250;            /* "250 2.1.5 Ok" */
} server;

static volatile sig_atomic_t g_stop;
static int g_sigpipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	(void)sig;
	int saved = errno;
	g_stop = 1;
	if (g_sigpipe[1] >= 0) {
		ssize_t r = write(g_sigpipe[1], "x", 1);
		(void)r;
	}
	errno = saved;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode \\ \n \r \t \e \0 \xHH. Returns false on a bad escape. */
static bool unescape(const char *s, buf *out)
{
	for (; *s; s++) {
		char c = *s;
		if (c == '\\') {
			s++;
			switch (*s) {
			case '\\': c = '\\'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'e': c = 0x1b; break;
			case '0': c = 0; break;
			case 'x': {
				int h = s[1] ? hexval(s[1]) : -1;
				int l = h >= 0 && s[2] ? hexval(s[2]) : -1;
				if (h < 0 || l < 0)
					return false;
				c = (char)(h * 16 + l);
				s += 2;
				break;
			}
			default:
				return false;
			}
		}
		if (buf_append_char(out, c))
			return false;
	}
	return true;
}

static int code_of(const char *p, size_t n)
{
	if (n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9')
		return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return 0;
}

static void reply_free(reply *r)
{
	free(r->bytes);
	memset(r, 0, sizeof(*r));
}

/* Parse a REPLY spec; on success the reply owns its bytes. */
static bool reply_parse(const char *spec, reply *r)
{
	buf b;
	bool ok = false;
	long n = 0;

	reply_free(r);
	buf_init(&b, SCRIPT_LINE_MAX * 2);
	if (!strncmp(spec, "raw:", 4)) {
		r->kind = GEN_RAW;
		ok = unescape(spec + 4, &b);
	} else if (!strncmp(spec, "long:", 5)) {
		const char *colon = strchr(spec + 5, ':');
		char num[24];
		size_t nl = colon ? (size_t)(colon - spec - 5) : 0;
		if (!colon || nl == 0 || nl >= sizeof(num))
			goto out;
		memcpy(num, spec + 5, nl);
		num[nl] = '\0';
		r->kind = GEN_LONG;
		ok = parse_long(num, 0, LONG_MAX_N, &n) && unescape(colon + 1, &b);
		r->n = (size_t)n;
	} else if (!strncmp(spec, "endless:", 8)) {
		r->kind = GEN_ENDLESS;
		ok = unescape(spec + 8, &b) && !buf_append(&b, "\r\n", 2);
	} else if (!strncmp(spec, "garbage:", 8)) {
		r->kind = GEN_GARBAGE;
		ok = parse_long(spec + 8, 1, LONG_MAX_N, &n);
		r->n = (size_t)n;
	} else {
		buf dec;
		buf_init(&dec, SCRIPT_LINE_MAX);
		r->kind = GEN_TEXT;
		ok = unescape(spec, &dec);
		for (size_t i = 0; ok && i < dec.len; i++)
			ok = !(dec.data[i] == '\n' ? buf_append(&b, "\r\n", 2)
				: buf_append_char(&b, dec.data[i]));
		ok = ok && !buf_append(&b, "\r\n", 2);
		buf_free(&dec);
	}
	if (!ok)
		goto out;
	r->code = code_of(buf_str(&b), b.len);
	r->len = b.len;
	r->bytes = buf_detach(&b, NULL);
out:
	buf_free(&b);
	return ok;
}

static bool reply_set(reply *r, const char *text)
{
	return reply_parse(text, r);
}

/* ---- script -------------------------------------------------------------------------- */

static bool parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *sl,
	bool *port_given)
{
	char host[64];
	const char *colon = NULL;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb)
			return false;
		hl = (size_t)(rb - spec - 1);
		if (hl >= sizeof(host))
			return false;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		if (rb[1] == ':')
			colon = rb + 1;
		else if (rb[1])
			return false;
	} else {
		colon = strchr(spec, ':');
		hl = colon ? (size_t)(colon - spec) : strlen(spec);
		if (hl >= sizeof(host))
			return false;
		memcpy(host, spec, hl);
		host[hl] = '\0';
	}
	long port = 0;
	*port_given = colon != NULL;
	if (colon && !parse_long(colon + 1, 0, 65535, &port))
		return false;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return false;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*sl = sizeof(*in);
		return true;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return false;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*in6);
		return true;
	}
	return false;
}

static unsigned sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void sockaddr_set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static void addr_text(const struct sockaddr *sa, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, n, "%s:%u", host, (unsigned)ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(out, n, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
	} else {
		snprintf(out, n, "?");
	}
}

static void listener_free(listener *l)
{
	reply_free(&l->banner);
	reply_free(&l->ehlo);
	reply_free(&l->helo);
	reply_free(&l->mail);
	reply_free(&l->grey_reply);
	reply_free(&l->max_rcpt_reply);
	reply_free(&l->shutdown_reply);
	for (size_t i = 0; i < l->ncaps; i++)
		free(l->caps[i]);
	free(l->caps);
	for (size_t i = 0; i < l->nrules; i++) {
		free(l->rules[i].pattern);
		reply_free(&l->rules[i].r);
	}
	free(l->rules);
	for (size_t i = 0; i < l->nverbs; i++)
		reply_free(&l->verbs[i].r);
	free(l->verbs);
	free(l->delays);
	free(l->grey);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

static bool add_cap(listener *l, const char *text)
{
	char **p = realloc(l->caps, (l->ncaps + 1) * sizeof(*p));
	if (!p)
		return false;
	l->caps = p;
	l->caps[l->ncaps] = strdup(text);
	if (!l->caps[l->ncaps])
		return false;
	l->ncaps++;
	return true;
}

static bool has_cap(const listener *l, const char *cap)
{
	for (size_t i = 0; i < l->ncaps; i++)
		if (text_ieq(l->caps[i], strlen(l->caps[i]), cap, strlen(cap)))
			return true;
	return false;
}

static listener *listener_new(void)
{
	listener *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->fd = -1;
	snprintf(l->hostname, sizeof(l->hostname), "fake.test");
	l->grey_secs = -1;
	l->max_rcpt = -1;
	l->shutdown_after = -1;
	l->err_hard = -1;
	l->err_delay = 1000;
	static const char *defcaps[] = {
		"PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8"
	};
	for (size_t i = 0; i < sizeof(defcaps) / sizeof(defcaps[0]); i++)
		if (!add_cap(l, defcaps[i])) {
			listener_free(l);
			return NULL;
		}
	return l;
}

/* Defaults that mention the host name are filled once the section ends. */
static bool listener_finish(listener *l)
{
	char t[300];
	bool ok = true;
	if (!l->banner.bytes) {
		snprintf(t, sizeof(t), "220 %s ESMTP fake_smtp", l->hostname);
		ok = ok && reply_set(&l->banner, t);
	}
	if (!l->helo.bytes) {
		snprintf(t, sizeof(t), "250 %s", l->hostname);
		ok = ok && reply_set(&l->helo, t);
	}
	if (!l->mail.bytes)
		ok = ok && reply_set(&l->mail, "250 2.1.0 Ok");
	if (!l->grey_reply.bytes)
		ok = ok && reply_set(&l->grey_reply,
			"450 4.7.1 <ADDR>: Recipient address rejected: Greylisted, try again later");
	if (!l->max_rcpt_reply.bytes)
		ok = ok && reply_set(&l->max_rcpt_reply, "452 4.5.3 Error: too many recipients");
	if (!l->shutdown_reply.bytes) {
		snprintf(t, sizeof(t), "421 4.7.0 %s Error: too many commands, closing",
			l->hostname);
		ok = ok && reply_set(&l->shutdown_reply, t);
	}
	if (l->tls == TLS_OFF && has_cap(l, "STARTTLS"))
		l->tls = TLS_OK;
	if (l->tls != TLS_OFF && !has_cap(l, "STARTTLS"))
		ok = ok && add_cap(l, "STARTTLS");
	return ok;
}

static void upper(char *dst, size_t cap, const char *src, size_t n)
{
	size_t i;
	for (i = 0; i < n && i + 1 < cap; i++) {
		char c = src[i];
		dst[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	dst[i] = '\0';
}

/* Split "WORD rest": returns the rest (after blanks), word NUL-terminated. */
static char *next_word(char *s, char **word)
{
	while (*s == ' ' || *s == '\t')
		s++;
	*word = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s) {
		*s++ = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
	}
	return s;
}

static bool apply_directive(listener *l, char *line, const char **err)
{
	char *kw, *a1, *rest;
	long v;

	rest = next_word(line, &kw);
	*err = "bad arguments";
	if (!strcmp(kw, "hostname")) {
		if (!*rest || strlen(rest) >= sizeof(l->hostname))
			return false;
		snprintf(l->hostname, sizeof(l->hostname), "%s", rest);
		return true;
	}
	if (!strcmp(kw, "banner"))
		return *rest && reply_parse(rest, &l->banner);
	if (!strcmp(kw, "banner_delay"))
		return parse_long(rest, 0, 3600000, &l->banner_delay);
	if (!strcmp(kw, "no_banner"))
		return !*rest && (l->no_banner = true);
	if (!strcmp(kw, "close_on_accept"))
		return !*rest && (l->close_on_accept = true);
	if (!strcmp(kw, "cap")) {
		if (!l->caps_set) {
			for (size_t i = 0; i < l->ncaps; i++)
				free(l->caps[i]);
			l->ncaps = 0;
			l->caps_set = true;
		}
		return !*rest || add_cap(l, rest);
	}
	if (!strcmp(kw, "ehlo"))
		return *rest && reply_parse(rest, &l->ehlo);
	if (!strcmp(kw, "helo"))
		return *rest && reply_parse(rest, &l->helo);
	if (!strcmp(kw, "mail"))
		return *rest && reply_parse(rest, &l->mail);
	if (!strcmp(kw, "rcpt")) {
		rest = next_word(rest, &a1);
		if (!*a1 || !*rest)
			return false;
		rcpt_rule *p = realloc(l->rules, (l->nrules + 1) * sizeof(*p));
		if (!p)
			return false;
		l->rules = p;
		rcpt_rule *r = &l->rules[l->nrules];
		memset(r, 0, sizeof(*r));
		if (!(r->pattern = strdup(a1)))
			return false;
		text_lower(r->pattern, strlen(r->pattern));
		l->nrules++;
		return reply_parse(rest, &r->r);
	}
	if (!strcmp(kw, "catchall"))
		return !*rest && (l->catchall = true);
	if (!strcmp(kw, "greylist")) {
		rest = next_word(rest, &a1);
		if (!parse_long(a1, 0, 3600, &l->grey_secs))
			return false;
		return !*rest || reply_parse(rest, &l->grey_reply);
	}
	if (!strcmp(kw, "max_rcpt")) {
		rest = next_word(rest, &a1);
		if (!parse_long(a1, 0, 1000000, &l->max_rcpt))
			return false;
		return !*rest || reply_parse(rest, &l->max_rcpt_reply);
	}
	if (!strcmp(kw, "reply")) {
		rest = next_word(rest, &a1);
		if (!*a1 || !*rest)
			return false;
		verb_reply *p = realloc(l->verbs, (l->nverbs + 1) * sizeof(*p));
		if (!p)
			return false;
		l->verbs = p;
		verb_reply *vr = &l->verbs[l->nverbs];
		memset(vr, 0, sizeof(*vr));
		upper(vr->verb, sizeof(vr->verb), a1, strlen(a1));
		l->nverbs++;
		return reply_parse(rest, &vr->r);
	}
	if (!strcmp(kw, "shutdown_after")) {
		rest = next_word(rest, &a1);
		if (!parse_long(a1, 0, 1000000, &l->shutdown_after))
			return false;
		return !*rest || reply_parse(rest, &l->shutdown_reply);
	}
	if (!strcmp(kw, "close_after")) {
		static const struct { const char *w; phase p; } ph[] = {
			{ "banner", PH_BANNER }, { "ehlo", PH_EHLO }, { "helo", PH_HELO },
			{ "mail", PH_MAIL }, { "rcpt", PH_RCPT }, { "rset", PH_RSET },
			{ "tls", PH_TLS },
		};
		rest = next_word(rest, &a1);
		l->close_phase = PH_NONE;
		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
			if (!strcmp(a1, ph[i].w))
				l->close_phase = ph[i].p;
		l->close_rcpt_n = 1;
		if (l->close_phase == PH_NONE)
			return false;
		if (*rest)
			return l->close_phase == PH_RCPT &&
				parse_long(rest, 1, 1000000, &l->close_rcpt_n);
		return true;
	}
	if (!strcmp(kw, "error_limit")) {
		char *a2, *a3;
		rest = next_word(rest, &a1);
		rest = next_word(rest, &a2);
		rest = next_word(rest, &a3);
		if (*rest || !parse_long(a1, 0, 1000000, &l->err_soft) ||
		    !parse_long(a2, 1, 1000000, &l->err_hard))
			return false;
		return !*a3 || parse_long(a3, 0, 600000, &l->err_delay);
	}
	if (!strcmp(kw, "delay")) {
		rest = next_word(rest, &a1);
		if (!*rest)
			return parse_long(a1, 0, 3600000, &l->delay_all);
		if (!parse_long(rest, 0, 3600000, &v))
			return false;
		verb_delay *p = realloc(l->delays, (l->ndelays + 1) * sizeof(*p));
		if (!p)
			return false;
		l->delays = p;
		upper(p[l->ndelays].verb, sizeof(p[0].verb), a1, strlen(a1));
		p[l->ndelays++].ms = v;
		return true;
	}
	if (!strcmp(kw, "trickle"))
		return parse_long(rest, 1, 60000, &l->trickle_ms);
	if (!strcmp(kw, "starttls")) {
		if (!strcmp(rest, "ok"))
			l->tls = TLS_OK;
		else if (!strcmp(rest, "refuse"))
			l->tls = TLS_REFUSE;
		else if (!strcmp(rest, "garbage"))
			l->tls = TLS_GARBAGE;
		else
			return false;
		return true;
	}
	*err = "unknown directive";
	return false;
}

static int script_load(server *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = malloc(SCRIPT_LINE_MAX + 2);
	unsigned lineno = 0;
	listener *cur = NULL;
	int rc = -1;

	if (!f || !line) {
		fprintf(stderr, "fake_smtp: %s: %s\n", path, strerror(errno));
		goto out;
	}
	while (fgets(line, SCRIPT_LINE_MAX + 2, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n > SCRIPT_LINE_MAX) {
			fprintf(stderr, "fake_smtp: %s:%u: line too long\n", path, lineno);
			goto out;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (*p == '[') {
			char *kw, *addr;
			char *end = p + strlen(p) - 1;
			while (end > p && (*end == ' ' || *end == '\t'))
				*end-- = '\0';
			if (*end != ']') {
				fprintf(stderr, "fake_smtp: %s:%u: expected [listen ADDR:PORT]\n",
					path, lineno);
				goto out;
			}
			*end = '\0';
			char *rest = next_word(p + 1, &kw);
			rest = next_word(rest, &addr);
			if (cur && !listener_finish(cur))
				goto out;
			if (strcmp(kw, "listen") || *rest || s->nls >= MAX_LISTENERS) {
				fprintf(stderr, "fake_smtp: %s:%u: expected [listen ADDR:PORT]\n",
					path, lineno);
				goto out;
			}
			if (!(cur = listener_new()))
				goto out;
			s->ls[s->nls++] = cur;
			if (!parse_addr(addr, &cur->addr, &cur->alen, &cur->port_given)) {
				fprintf(stderr, "fake_smtp: %s:%u: %s: need a loopback address\n",
					path, lineno, addr);
				goto out;
			}
			continue;
		}
		if (!cur) {
			fprintf(stderr, "fake_smtp: %s:%u: directive before any [listen] section\n",
				path, lineno);
			goto out;
		}
		const char *err;
		if (!apply_directive(cur, p, &err)) {
			fprintf(stderr, "fake_smtp: %s:%u: %s: %s\n", path, lineno, err, p);
			goto out;
		}
	}
	if (!cur) {
		fprintf(stderr, "fake_smtp: %s: no [listen] section\n", path);
		goto out;
	}
	if (!listener_finish(cur))
		goto out;
	rc = 0;
out:
	free(line);
	if (f)
		fclose(f);
	return rc;
}

/* ---- log ----------------------------------------------------------------------------------- */

static void log_escaped(FILE *f, const char *p, size_t n, size_t cut)
{
	size_t m = n > cut ? cut : n;
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\r')
			fputs("\\r", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\\')
			fputs("\\\\", f);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	if (m < n)
		fprintf(f, "...(%zu bytes)", n);
}

static void log_line(server *s, unsigned id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void log_line(server *s, unsigned id, const char *fmt, ...)
{
	if (!s->log)
		return;
	va_list ap;
	fprintf(s->log, "%u ", id);
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->log);
	fflush(s->log);
}

static void log_bytes(server *s, unsigned id, const char *tag, const char *p,
	size_t n, size_t cut)
{
	if (!s->log)
		return;
	fprintf(s->log, "%u %s ", id, tag);
	log_escaped(s->log, p, n, cut);
	fputc('\n', s->log);
	fflush(s->log);
}

/* ---- TLS ------------------------------------------------------------------------------------------ */

static SSL_CTX *tls_make_ctx(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	SSL_CTX *ctx = NULL;

	if (!pkey || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, pkey);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
		(const unsigned char *)"fake_smtp.test", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	if (!X509_sign(x, pkey, EVP_sha256()))
		goto out;
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		goto out;
	if (SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, pkey) != 1) {
		SSL_CTX_free(ctx);
		ctx = NULL;
		goto out;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
out:
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ctx;
}

/* ---- connections ------------------------------------------------------------------------------------ */

static void conn_free(server *s, size_t slot)
{
	conn *c = s->conns[slot];
	log_line(s, c->id, "CLOSE %s", c->close_reason ? c->close_reason : "server");
	if (c->ssl)
		SSL_free(c->ssl);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
	s->conns[slot] = NULL;
}

static void kill_conn(conn *c, const char *why)
{
	if (!c->close_reason)
		c->close_reason = why;
	c->dead = true;
}

static unsigned long long rnd(server *s)
{
	s->seed ^= s->seed << 13;
	s->seed ^= s->seed >> 7;
	s->seed ^= s->seed << 17;
	return s->seed;
}

/* Append a reply's bytes (or start its generator) to the output. */
static void queue_reply(server *s, conn *c, const reply *r, long delay_ms)
{
	long long now = now_ms();
	bool ok = true;

	if (c->out_off == c->out.len) {
		buf_reset(&c->out);
		c->out_off = 0;
		c->send_at = now + delay_ms;
	}
	switch (r->kind) {
	case GEN_TEXT:
	case GEN_RAW:
		ok = !buf_append(&c->out, r->bytes, r->len);
		log_bytes(s, c->id, "S:", r->bytes, r->len, LOG_CUT);
		break;
	case GEN_LONG: {
		char *p = buf_reserve(&c->out, r->len + r->n + 2);
		ok = p != NULL;
		if (ok) {
			memcpy(p, r->bytes, r->len);
			memset(p + r->len, 'x', r->n);
			memcpy(p + r->len + r->n, "\r\n", 2);
			c->out.len += r->len + r->n + 2;
		}
		log_line(s, c->id, "S: long reply (%zu bytes)", r->len + r->n + 2);
		break;
	}
	case GEN_ENDLESS:
		c->endless = r;
		log_bytes(s, c->id, "S: endless", r->bytes, r->len, LOG_CUT);
		break;
	case GEN_GARBAGE: {
		char *p = buf_reserve(&c->out, r->n);
		ok = p != NULL;
		for (size_t i = 0; ok && i < r->n; i++)
			p[i] = (char)(i < 256 ? (unsigned char)i : (unsigned char)rnd(s));
		if (ok)
			c->out.len += r->n;
		log_line(s, c->id, "S: garbage (%zu bytes)", r->n);
		break;
	}
	}
	if (!ok)
		kill_conn(c, "error out of output space");
}

static void queue_text(server *s, conn *c, const char *text, long delay_ms)
{
	reply r;
	memset(&r, 0, sizeof(r));
	if (reply_parse(text, &r))
		queue_reply(s, c, &r, delay_ms);
	reply_free(&r);
}

static long verb_delay_ms(const listener *l, const char *verb)
{
	long d = l->delay_all;
	for (size_t i = 0; i < l->ndelays; i++)
		if (!strcmp(l->delays[i].verb, verb))
			d += l->delays[i].ms;
	return d;
}

static const reply *verb_reply_for(const listener *l, const char *verb)
{
	for (size_t i = 0; i < l->nverbs; i++)
		if (!strcmp(l->verbs[i].verb, verb))
			return &l->verbs[i].r;
	return NULL;
}

/* Extract the address between < > (or after the colon), lower-cased. */
static void rcpt_address(const char *arg, char *out, size_t cap)
{
	const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *p, *e;
	if (lt && gt) {
		p = lt + 1;
		e = gt;
	} else {
		const char *colon = strchr(arg, ':');
		p = colon ? colon + 1 : arg;
		while (*p == ' ')
			p++;
		e = p;
		while (*e && *e != ' ')
			e++;
	}
	size_t n = (size_t)(e - p);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	text_lower(out, n);
}

static const reply *rcpt_rule_for(const listener *l, const char *addr)
{
	const char *at = strrchr(addr, '@');
	const reply *dom = NULL, *local = NULL, *any = NULL;
	for (size_t i = 0; i < l->nrules; i++) {
		const char *pat = l->rules[i].pattern;
		if (!strcmp(pat, addr))
			return &l->rules[i].r;
		if (!dom && at && pat[0] == '*' && pat[1] == '@' && !strcmp(pat + 2, at + 1))
			dom = &l->rules[i].r;
		size_t pl = strlen(pat);
		if (!local && at && pl > 2 && !strcmp(pat + pl - 2, "@*") &&
		    pl - 2 == (size_t)(at - addr) && !strncmp(pat, addr, pl - 2))
			local = &l->rules[i].r;
		if (!any && !strcmp(pat, "*"))
			any = &l->rules[i].r;
	}
	return dom ? dom : local ? local : any;
}

/* True while the recipient is still greylisted (records the first sight). */
static bool greylisted(listener *l, const char *addr)
{
	long long now = now_ms();
	size_t oldest = 0;
	for (size_t i = 0; i < l->ngrey; i++) {
		if (!strcmp(l->grey[i].addr, addr))
			return now - l->grey[i].first_ms < l->grey_secs * 1000LL;
		if (l->grey[i].first_ms < l->grey[oldest].first_ms)
			oldest = i;
	}
	if (!l->grey) {
		l->grey = calloc(MAX_GREY, sizeof(*l->grey));
		if (!l->grey)
			return true;
	}
	size_t slot = l->ngrey < MAX_GREY ? l->ngrey++ : oldest;
	snprintf(l->grey[slot].addr, sizeof(l->grey[slot].addr), "%s", addr);
	l->grey[slot].first_ms = now;
	return true;
}

/* Send a reply whose text may contain "<ADDR>" placeholders. */
static void queue_reply_addr(server *s, conn *c, const reply *r, const char *addr,
	long delay)
{
	if (r->kind != GEN_TEXT || !strstr(r->bytes, "<ADDR>")) {
		queue_reply(s, c, r, delay);
		return;
	}
	reply tmp;
	buf b;
	memset(&tmp, 0, sizeof(tmp));
	buf_init(&b, SCRIPT_LINE_MAX * 2);
	const char *p = r->bytes, *hit;
	while ((hit = strstr(p, "<ADDR>"))) {
		buf_append(&b, p, (size_t)(hit - p));
		buf_printf(&b, "<%s>", addr);
		p = hit + 6;
	}
	buf_append_str(&b, p);
	tmp.kind = GEN_RAW;
	tmp.code = r->code;
	tmp.len = b.len;
	tmp.bytes = buf_detach(&b, NULL);
	queue_reply(s, c, &tmp, delay);
	reply_free(&tmp);
	buf_free(&b);
}

static void build_ehlo(server *s, conn *c, long delay)
{
	listener *l = c->l;
	buf b;
	size_t ncaps = 0;
	buf_init(&b, SCRIPT_LINE_MAX * 4);
	for (size_t i = 0; i < l->ncaps; i++)
		if (!(c->tls_on && text_ieq(l->caps[i], strlen(l->caps[i]), "STARTTLS", 8)))
			ncaps++;
	buf_printf(&b, "250%c%s\\n", ncaps ? '-' : ' ', l->hostname);
	size_t k = 0;
	for (size_t i = 0; i < l->ncaps; i++) {
		if (c->tls_on && text_ieq(l->caps[i], strlen(l->caps[i]), "STARTTLS", 8))
			continue;
		k++;
		buf_printf(&b, "250%c%s\\n", k == ncaps ? ' ' : '-', l->caps[i]);
	}
	if (b.len >= 2)
		b.len -= 2;     /* the last "\n" */
	b.data[b.len] = '\0';
	queue_text(s, c, buf_str(&b), delay);
	buf_free(&b);
}

/* Count errors the Postfix way: any 4xx/5xx reply. */
static void count_error(conn *c, const reply *r)
{
	if (r && r->code >= 400)
		c->nerrors++;
}

static void process_line(server *s, conn *c, const char *line, size_t n)
{
	listener *l = c->l;
	char verb[16], arg[MAX_LINE + 1];
	size_t vl = 0;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	while (vl < n && line[vl] != ' ')
		vl++;
	upper(verb, sizeof(verb), line, vl);
	size_t al = n > vl ? n - vl - 1 : 0;
	memcpy(arg, line + (n > vl ? vl + 1 : n), al);
	arg[al] = '\0';
	c->ncmds++;

	if (l->no_banner)
		return;
	long delay = verb_delay_ms(l, verb);
	if (l->err_hard >= 0 && c->nerrors >= (unsigned long)l->err_soft)
		delay += l->err_delay;
	if (l->shutdown_after >= 0 && c->ncmds > (unsigned long)l->shutdown_after) {
		queue_reply(s, c, &l->shutdown_reply, delay);
		c->after = AFTER_CLOSE;
		return;
	}
	if (l->err_hard >= 0 && c->nerrors >= (unsigned long)l->err_hard) {
		char t[200];
		snprintf(t, sizeof(t), "421 4.7.0 %s Error: too many errors", l->hostname);
		queue_text(s, c, t, delay);
		c->after = AFTER_CLOSE;
		return;
	}
	if (c->banner_5xx && strcmp(verb, "QUIT")) {
		queue_text(s, c, "503 5.5.1 Error: no valid commands", delay);
		c->nerrors++;
		return;
	}

	const reply *r = NULL;
	phase ph = PH_NONE;
	if (!strcmp(verb, "EHLO")) {
		ph = PH_EHLO;
		if (l->ehlo.bytes) {
			r = &l->ehlo;
			queue_reply(s, c, r, delay);
			if (r->code >= 200 && r->code < 300) {
				c->helo_seen = true;
				c->in_txn = false;
			}
			count_error(c, r);
		} else {
			build_ehlo(s, c, delay);
			c->helo_seen = true;
			c->in_txn = false;
		}
	} else if (!strcmp(verb, "HELO")) {
		ph = PH_HELO;
		r = &l->helo;
		queue_reply(s, c, r, delay);
		if (r->code >= 200 && r->code < 300) {
			c->helo_seen = true;
			c->in_txn = false;
		}
		count_error(c, r);
	} else if (!strcmp(verb, "MAIL")) {
		ph = PH_MAIL;
		if (!c->helo_seen) {
			queue_text(s, c, "503 5.5.1 Error: send HELO/EHLO first", delay);
			c->nerrors++;
		} else if (c->in_txn) {
			queue_text(s, c, "503 5.5.1 Error: nested MAIL command", delay);
			c->nerrors++;
		} else {
			r = &l->mail;
			queue_reply(s, c, r, delay);
			c->in_txn = r->code >= 200 && r->code < 300;
			count_error(c, r);
		}
	} else if (!strcmp(verb, "RCPT")) {
		char addr[256];
		if (!c->in_txn) {
			queue_text(s, c, "503 5.5.1 Error: need MAIL command", delay);
			c->nerrors++;
		} else {
			ph = PH_RCPT;
			c->nrcpt++;
			rcpt_address(arg, addr, sizeof(addr));
			if (l->max_rcpt >= 0 && c->nrcpt > (unsigned long)l->max_rcpt)
				r = &l->max_rcpt_reply;
			else if (l->grey_secs >= 0 && greylisted(l, addr))
				r = &l->grey_reply;
			else if (l->catchall)
				r = &s->ok250;
			else if (!(r = rcpt_rule_for(l, addr)))
				r = &s->ok250;
			queue_reply_addr(s, c, r, addr, delay);
			count_error(c, r);
		}
	} else if (!strcmp(verb, "DATA") || !strcmp(verb, "BDAT")) {
		log_line(s, c->id, "VIOLATION %s", verb);
		queue_text(s, c, "554 5.5.1 Error: DATA is not allowed here "
			"(mailvet must never send it)", delay);
		c->nerrors++;
	} else if (!strcmp(verb, "STARTTLS")) {
		if (l->tls == TLS_OFF || c->tls_on) {
			queue_text(s, c, c->tls_on ? "554 5.5.1 Error: TLS already active"
				: "502 5.5.1 Error: command not implemented", delay);
			c->nerrors++;
		} else if (l->tls == TLS_REFUSE) {
			queue_text(s, c, "454 4.7.0 TLS not available due to local problem", delay);
			c->nerrors++;
		} else {
			queue_text(s, c, "220 2.0.0 Ready to start TLS", delay);
			c->after = l->tls == TLS_OK ? AFTER_TLS : AFTER_GARBAGE;
		}
	} else if ((r = verb_reply_for(l, verb))) {
		queue_reply(s, c, r, delay);
		count_error(c, r);
		if (!strcmp(verb, "RSET")) {
			ph = PH_RSET;
			c->in_txn = false;
		}
		if (!strcmp(verb, "QUIT"))
			c->after = AFTER_CLOSE;
	} else if (!strcmp(verb, "RSET")) {
		ph = PH_RSET;
		c->in_txn = false;
		queue_text(s, c, "250 2.0.0 Ok", delay);
	} else if (!strcmp(verb, "NOOP")) {
		queue_text(s, c, "250 2.0.0 Ok", delay);
	} else if (!strcmp(verb, "QUIT")) {
		queue_text(s, c, "221 2.0.0 Bye", delay);
		c->after = AFTER_CLOSE;
	} else if (!strcmp(verb, "VRFY")) {
		queue_text(s, c, "502 5.5.1 VRFY command is disabled", delay);
		c->nerrors++;
	} else {
		queue_text(s, c, "502 5.5.2 Error: command not recognized", delay);
		c->nerrors++;
	}
	if (ph != PH_NONE && ph == l->close_phase &&
	    (ph != PH_RCPT || c->nrcpt == (unsigned long)l->close_rcpt_n))
		c->after = AFTER_CLOSE;
}

/* Log the complete lines that arrived since the last call. */
static void log_new_lines(server *s, conn *c)
{
	size_t start = c->logged;
	for (size_t i = c->logged; i < c->in.len; i++) {
		if (c->in.data[i] != '\n')
			continue;
		size_t n = i + 1 - start;
		if (n > MAX_LINE) {
			log_line(s, c->id, "C-TOOLONG %zu", n);
			c->toolong = true;
			c->logged = start;
			return;
		}
		log_bytes(s, c->id, "C:", c->in.data + start, n, (size_t)-1);
		start = i + 1;
	}
	c->logged = start;
	if (c->in.len - start > MAX_LINE) {
		log_line(s, c->id, "C-TOOLONG %zu", c->in.len - start);
		c->toolong = true;
	}
}

static void conn_read(server *s, conn *c)
{
	char tmp[4096];
	while (!c->read_eof && !c->toolong && c->in.len < IN_MAX) {
		size_t want = IN_MAX - c->in.len;
		if (want > sizeof(tmp))
			want = sizeof(tmp);
		ssize_t r;
		if (c->ssl) {
			int k = SSL_read(c->ssl, tmp, (int)want);
			if (k > 0) {
				r = k;
			} else {
				int e = SSL_get_error(c->ssl, k);
				if (e == SSL_ERROR_WANT_READ)
					return;
				if (e == SSL_ERROR_WANT_WRITE) {
					c->want_write = true;
					return;
				}
				r = 0;
				if (e != SSL_ERROR_ZERO_RETURN && e != SSL_ERROR_SYSCALL)
					r = -1;
			}
		} else {
			r = recv(c->fd, tmp, want, 0);
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return;
		}
		if (r < 0) {
			kill_conn(c, "error reading");
			return;
		}
		if (r == 0) {
			c->read_eof = true;
			if (c->logged < c->in.len)
				log_bytes(s, c->id, "C:", c->in.data + c->logged,
					c->in.len - c->logged, (size_t)-1);
			c->logged = c->in.len;
			return;
		}
		c->last_ms = now_ms();
		buf_append(&c->in, tmp, (size_t)r);
		log_new_lines(s, c);
	}
}

static void tls_start(server *s, conn *c)
{
	if (c->in.len) {
		log_line(s, c->id, "DISCARD %zu", c->in.len);
		buf_reset(&c->in);
		c->logged = 0;
	}
	c->ssl = SSL_new(s->tls);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
		log_line(s, c->id, "TLS-FAIL cannot create session");
		kill_conn(c, "error");
		return;
	}
	SSL_set_accept_state(c->ssl);
	c->handshaking = true;
}

static void tls_step(server *s, conn *c)
{
	c->want_write = false;
	ERR_clear_error();
	int k = SSL_do_handshake(c->ssl);
	if (k == 1) {
		c->handshaking = false;
		c->tls_on = true;
		c->helo_seen = c->in_txn = false;
		c->last_ms = now_ms();
		log_line(s, c->id, "TLS %s %s", SSL_get_version(c->ssl),
			SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)));
		if (c->l->close_phase == PH_TLS)
			kill_conn(c, "server");
		return;
	}
	int e = SSL_get_error(c->ssl, k);
	if (e == SSL_ERROR_WANT_READ)
		return;
	if (e == SSL_ERROR_WANT_WRITE) {
		c->want_write = true;
		return;
	}
	char msg[160] = "connection closed";
	unsigned long ec = ERR_peek_error();
	if (ec)
		ERR_error_string_n(ec, msg, sizeof(msg));
	ERR_clear_error();
	log_line(s, c->id, "TLS-FAIL %s", msg);
	kill_conn(c, "error");
}

/* Write what may be written now. */
static void conn_write(conn *c, long long now)
{
	c->want_write = false;
	while (c->out_off < c->out.len && now >= c->send_at) {
		size_t n = c->out.len - c->out_off;
		if (c->l->trickle_ms) {
			if (now < c->next_byte)
				return;
			n = 1;
		}
		ssize_t w;
		if (c->ssl) {
			ERR_clear_error();
			int k = SSL_write(c->ssl, c->out.data + c->out_off, (int)(n > 65536 ? 65536 : n));
			if (k <= 0) {
				int e = SSL_get_error(c->ssl, k);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
					c->want_write = e == SSL_ERROR_WANT_WRITE;
					return;
				}
				kill_conn(c, c->read_eof ? "client" : "error writing");
				return;
			}
			w = k;
		} else {
			w = send(c->fd, c->out.data + c->out_off, n, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
					c->want_write = true;
					return;
				}
				kill_conn(c, c->read_eof || errno == EPIPE || errno == ECONNRESET
					? "client" : "error writing");
				return;
			}
		}
		c->out_off += (size_t)w;
		c->last_ms = now;
		if (c->l->trickle_ms)
			c->next_byte = now + c->l->trickle_ms;
	}
}

/* Advance a connection as far as it can go without waiting. */
static void conn_step(server *s, conn *c)
{
	for (int guard = 0; guard < 10000 && !c->dead; guard++) {
		long long now = now_ms();
		if (c->handshaking)
			return;
		if (c->out_off < c->out.len) {
			conn_write(c, now);
			if (c->dead || c->out_off < c->out.len)
				return;
		}
		buf_reset(&c->out);
		c->out_off = 0;
		if (c->endless) {
			if (c->read_eof) {
				kill_conn(c, "client");
				return;
			}
			while (c->out.len < 65536)
				if (buf_append(&c->out, c->endless->bytes, c->endless->len))
					break;
			continue;
		}
		switch (c->after) {
		case AFTER_CLOSE:
			kill_conn(c, "server");
			return;
		case AFTER_TLS:
			c->after = AFTER_NONE;
			tls_start(s, c);
			if (!c->dead)
				tls_step(s, c);
			return;
		case AFTER_GARBAGE: {
			reply g;
			memset(&g, 0, sizeof(g));
			g.kind = GEN_GARBAGE;
			g.n = 512;
			buf_reset(&c->in);
			c->logged = 0;
			queue_reply(s, c, &g, 0);
			c->after = AFTER_CLOSE;
			continue;
		}
		case AFTER_NONE:
			break;
		}
		char *lf = c->logged ? memchr(c->in.data, '\n', c->logged) : NULL;
		if (lf) {
			size_t n = (size_t)(lf - c->in.data) + 1;
			char line[MAX_LINE + 1];
			memcpy(line, c->in.data, n);
			buf_consume(&c->in, n);
			c->logged -= n;
			process_line(s, c, line, n);
			continue;
		}
		if (c->toolong) {       /* after the lines that came before it */
			buf_reset(&c->in);
			c->logged = 0;
			queue_text(s, c, "500 5.5.0 Error: line too long", 0);
			c->after = AFTER_CLOSE;
			continue;
		}
		if (c->ssl && !c->read_eof && SSL_pending(c->ssl) > 0 && c->in.len < IN_MAX) {
			conn_read(s, c);
			continue;
		}
		if (c->read_eof)
			kill_conn(c, "client");
		return;
	}
}

static void accept_on(server *s, listener *l)
{
	for (int burst = 0; burst < MAX_CONNS; burst++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int fd = accept(l->fd, (struct sockaddr *)&from, &fl);
		if (fd < 0)
			return;
		size_t slot = MAX_CONNS;
		for (size_t i = 0; i < MAX_CONNS; i++)
			if (!s->conns[i]) {
				slot = i;
				break;
			}
		conn *c = slot < MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (!c || set_nonblock(fd) < 0) {
			free(c);
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->id = ++s->next_id;
		c->l = l;
		c->last_ms = now_ms();
		buf_init(&c->in, IN_MAX + 4096);
		buf_init(&c->out, OUT_MAX);
		s->conns[slot] = c;
		char peer[80];
		addr_text((struct sockaddr *)&from, peer, sizeof(peer));
		log_line(s, c->id, "CONNECT %s %s", l->name, peer);
		if (l->close_on_accept) {
			kill_conn(c, "server");
			continue;
		}
		if (l->no_banner)
			continue;
		queue_reply(s, c, &l->banner, l->banner_delay);
		c->banner_5xx = l->banner.code >= 500;
		if (l->close_phase == PH_BANNER)
			c->after = AFTER_CLOSE;
	}
}

static int bind_one(listener *l)
{
	int one = 1;
	l->fd = socket(l->addr.ss_family, SOCK_STREAM, 0);
	if (l->fd < 0)
		return -1;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&l->addr, l->alen) < 0 ||
	    listen(l->fd, 1024) < 0 || set_nonblock(l->fd) < 0) {
		int e = errno;
		close(l->fd);
		l->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

/* Bind every listener; port < 0: sections without a port are an error. */
static int bind_all(server *s, long port)
{
	for (int attempt = 0; attempt < 50; attempt++) {
		unsigned shared = port > 0 ? (unsigned)port : 0;
		bool retry = false;
		size_t i;
		for (i = 0; i < s->nls; i++) {
			listener *l = s->ls[i];
			if (!l->port_given) {
				if (port < 0) {
					fprintf(stderr, "fake_smtp: [listen] without a port needs --port\n");
					return -1;
				}
				sockaddr_set_port(&l->addr, shared);
			}
			if (bind_one(l) < 0) {
				if (port == 0 && !l->port_given && shared && errno == EADDRINUSE) {
					retry = true;
					break;
				}
				char a[80];
				addr_text((struct sockaddr *)&l->addr, a, sizeof(a));
				fprintf(stderr, "fake_smtp: bind %s: %s\n", a, strerror(errno));
				return -1;
			}
			if (!l->port_given && port == 0 && !shared) {
				struct sockaddr_storage ss;
				socklen_t sl = sizeof(ss);
				getsockname(l->fd, (struct sockaddr *)&ss, &sl);
				shared = sockaddr_port(&ss);
				sockaddr_set_port(&l->addr, shared);
			}
			addr_text((struct sockaddr *)&l->addr, l->name, sizeof(l->name));
		}
		if (!retry)
			return (int)shared;
		for (size_t k = 0; k < s->nls; k++) {
			if (s->ls[k]->fd >= 0)
				close(s->ls[k]->fd);
			s->ls[k]->fd = -1;
		}
	}
	fprintf(stderr, "fake_smtp: no free port shared by all listeners\n");
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: fake_smtp --script FILE [--port N] [--log FILE] "
		"[--pidfile FILE]\n");
}

int main(int argc, char **argv)
{
	const char *script = NULL, *log_path = NULL, *pid_path = NULL, *port_arg = NULL;
	server s;
	int rc = 1;
	bool pid_written = false;
	long port = -1;

	memset(&s, 0, sizeof(s));
	s.seed = 0x9e3779b97f4a7c15ULL;
	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;
		if (!strcmp(argv[i], "--script"))
			dst = &script;
		else if (!strcmp(argv[i], "--log"))
			dst = &log_path;
		else if (!strcmp(argv[i], "--pidfile"))
			dst = &pid_path;
		else if (!strcmp(argv[i], "--port"))
			dst = &port_arg;
		if (!dst || i + 1 >= argc) {
			usage();
			return 2;
		}
		*dst = argv[++i];
	}
	if (!script || (port_arg && !parse_long(port_arg, 0, 65535, &port))) {
		usage();
		return 2;
	}
	if (!reply_set(&s.ok250, "250 2.1.5 Ok") || script_load(&s, script) < 0)
		goto out;
	bool need_tls = false;
	for (size_t i = 0; i < s.nls; i++)
		need_tls |= s.ls[i]->tls == TLS_OK;
	if (need_tls && !(s.tls = tls_make_ctx())) {
		fprintf(stderr, "fake_smtp: cannot make the TLS certificate\n");
		goto out;
	}
	if (log_path && !(s.log = fopen(log_path, "a"))) {
		fprintf(stderr, "fake_smtp: %s: %s\n", log_path, strerror(errno));
		goto out;
	}
	if (pipe(g_sigpipe) < 0)
		goto out;
	set_nonblock(g_sigpipe[0]);
	set_nonblock(g_sigpipe[1]);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int shared = bind_all(&s, port);
	if (shared < 0)
		goto out;
	if (pid_path) {
		FILE *pf = fopen(pid_path, "w");
		if (!pf) {
			fprintf(stderr, "fake_smtp: %s: %s\n", pid_path, strerror(errno));
			goto out;
		}
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
		pid_written = true;
	}
	if (port == 0)
		printf("ready %d\n", shared);
	else
		printf("ready\n");
	fflush(stdout);

	struct pollfd *pfd = calloc(1 + MAX_LISTENERS + MAX_CONNS, sizeof(*pfd));
	size_t *map = calloc(1 + MAX_LISTENERS + MAX_CONNS, sizeof(*map));
	if (!pfd || !map) {
		free(pfd);
		free(map);
		goto out;
	}
	while (!g_stop) {
		size_t n = 0;
		long long now = now_ms();
		long long wake = now + 1000;
		pfd[n].fd = g_sigpipe[0];
		pfd[n++].events = POLLIN;
		for (size_t i = 0; i < s.nls; i++) {
			pfd[n].fd = s.ls[i]->fd;
			pfd[n++].events = POLLIN;
		}
		size_t first_conn = n;
		for (size_t i = 0; i < MAX_CONNS; i++) {
			conn *c = s.conns[i];
			if (!c)
				continue;
			if (!c->dead && now - c->last_ms > IDLE_MS)
				kill_conn(c, "idle");
			if (c->dead) {
				conn_free(&s, i);
				continue;
			}
			short ev = 0;
			if (!c->read_eof && c->in.len < IN_MAX && !c->toolong)
				ev |= POLLIN;
			if (c->handshaking)
				ev |= POLLIN;
			if (c->want_write)
				ev |= POLLOUT;
			if (c->out_off < c->out.len) {
				long long t = c->send_at;
				if (c->l->trickle_ms && c->next_byte > t)
					t = c->next_byte;
				if (t <= now)
					ev |= POLLOUT;
				else if (t < wake)
					wake = t;
			}
			map[n] = i;
			pfd[n].fd = c->fd;
			pfd[n++].events = ev;
		}
		int r = poll(pfd, (nfds_t)n, wake > now ? (int)(wake - now) : 0);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t k = 1; r > 0 && k < first_conn; k++)
			if (pfd[k].revents & POLLIN)
				accept_on(&s, s.ls[k - 1]);
		for (size_t k = first_conn; k < n; k++) {
			conn *c = s.conns[map[k]];
			if (!c || c->fd != pfd[k].fd)
				continue;
			short re = r > 0 ? pfd[k].revents : 0;
			if (c->handshaking) {
				if (re)
					tls_step(&s, c);
			} else if (re & (POLLIN | POLLHUP | POLLERR)) {
				conn_read(&s, c);
			}
		}
		/* every connection, new ones too: write, answer, close */
		for (size_t i = 0; i < MAX_CONNS; i++)
			if (s.conns[i] && !s.conns[i]->dead)
				conn_step(&s, s.conns[i]);
	}
	free(pfd);
	free(map);
	rc = 0;
out:
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (s.conns[i])
			conn_free(&s, i);
	for (size_t i = 0; i < s.nls; i++)
		listener_free(s.ls[i]);
	if (s.tls)
		SSL_CTX_free(s.tls);
	reply_free(&s.ok250);
	if (s.log)
		fclose(s.log);
	if (pid_written)
		unlink(pid_path);
	for (int i = 0; i < 2; i++)
		if (g_sigpipe[i] >= 0)
			close(g_sigpipe[i]);
	return rc;
}
