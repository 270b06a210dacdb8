/*
 * smtp: the client state machine against a scripted server in the same
 * event loop (loopback only). Each case asserts the exact bytes the
 * client sent and what it reported. STARTTLS and hostile peers are also
 * covered against the project's fake server in tests/e2e.
 */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mailvet/buf.h"
#include "mailvet/ev.h"
#include "mailvet/reply.h"
#include "mailvet/smtp.h"

/* ---- the scripted server ----------------------------------------------- */

struct step {
	const char *expect;     /* command prefix expected, NULL: on connect */
	const char *reply;      /* bytes to send (may be several lines), NULL: close */
	unsigned delay_ms;
};

struct srv {
	ev_loop *ev;
	int lfd, cfd;
	uint16_t port;
	const struct step *steps;
	size_t nsteps, at;
	buf got;                /* every byte the client sent */
	buf line;
	bool closed;
	const char *big;        /* a reply larger than any limit, sent at greeting */
};

static void srv_send(struct srv *sv, const char *s, size_t n)
{
	while (n && sv->cfd >= 0) {
		ssize_t w = send(sv->cfd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* non-blocking peer: wait until writable, crudely */
			usleep(1000);
			continue;
		}
		s += w;
		n -= (size_t)w;
	}
}

static void srv_close(struct srv *sv)
{
	if (sv->cfd >= 0) {
		ev_fd_del(sv->ev, sv->cfd);
		close(sv->cfd);
		sv->cfd = -1;
		sv->closed = true;
	}
}

static void srv_step(struct srv *sv)
{
	if (sv->at >= sv->nsteps)
		return;
	const struct step *st = &sv->steps[sv->at++];
	if (st->delay_ms)
		usleep(st->delay_ms * 1000u);
	if (!st->reply)
		srv_close(sv);
	else if (st->reply[0])
		srv_send(sv, st->reply, strlen(st->reply));
}

static void srv_read(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct srv *sv = arg;
	char b[4096];
	(void)ev;
	(void)evs;
	ssize_t n = recv(fd, b, sizeof(b), 0);
	if (n <= 0) {
		srv_close(sv);
		return;
	}
	buf_append(&sv->got, b, (size_t)n);
	buf_append(&sv->line, b, (size_t)n);
	for (;;) {
		const char *nl = memchr(sv->line.data, '\n', sv->line.len);
		if (!nl)
			break;
		size_t len = (size_t)(nl - sv->line.data) + 1;
		if (sv->at < sv->nsteps && sv->steps[sv->at].expect &&
		    strncmp(sv->line.data, sv->steps[sv->at].expect, strlen(sv->steps[sv->at].expect)) == 0)
			srv_step(sv);
		else if (sv->cfd >= 0)
			srv_send(sv, "500 5.5.1 unexpected\r\n", 22);
		buf_consume(&sv->line, len);
		if (sv->cfd < 0)
			break;
	}
}

static void srv_accept(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct srv *sv = arg;
	(void)evs;
	sv->cfd = accept(fd, NULL, NULL);
	if (sv->cfd < 0)
		return;
	ev_fd_set(ev, sv->cfd, EV_READ, srv_read, sv);
	if (sv->big)
		srv_send(sv, sv->big, strlen(sv->big));
	if (sv->at < sv->nsteps && !sv->steps[sv->at].expect)
		srv_step(sv);
}

static void srv_start(struct srv *sv, ev_loop *ev, const struct step *steps, size_t n)
{
	memset(sv, 0, sizeof(*sv));
	sv->ev = ev;
	sv->steps = steps;
	sv->nsteps = n;
	sv->cfd = -1;
	buf_init(&sv->got, 1 << 20);
	buf_init(&sv->line, 1 << 20);
	sv->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK(bind(sv->lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(sv->lfd, 4) == 0);
	socklen_t al = sizeof(a);
	getsockname(sv->lfd, (struct sockaddr *)&a, &al);
	sv->port = ntohs(a.sin_port);
	ev_fd_set(ev, sv->lfd, EV_READ, srv_accept, sv);
}

static void srv_stop(struct srv *sv)
{
	srv_close(sv);
	ev_fd_del(sv->ev, sv->lfd);
	close(sv->lfd);
	buf_free(&sv->got);
	buf_free(&sv->line);
}

/* ---- the client side ----------------------------------------------------- */

struct cli {
	int ready, done;
	int codes[16];
	uint64_t tags[16];
	int nrcpt;
	mv_reason fail_reason;
	int fail_phase, fail_code;
	bool failed;
	char detail[128];
	/* what to do when ready */
	const char *const *rcpts;
	int nrcpts;
	bool reset_once, quit_after;
	bool utf8;
	smtp_session *s;
	char got[8192];           /* the bytes the server received */
	unsigned caps;
	char transcript[8192];
};

static void c_ready(void *arg, smtp_session *s)
{
	struct cli *c = arg;
	c->ready++;
	if (c->reset_once && c->ready == 2) {
		smtp_session_quit(s);
		return;
	}
	for (int i = 0; i < c->nrcpts; i++)
		CHECK_INT(smtp_session_rcpt(s, c->rcpts[i], strlen(c->rcpts[i]), (uint64_t)i + 100), MV_OK);
	if (!c->nrcpts)
		smtp_session_quit(s);
}

static void c_rcpt(void *arg, smtp_session *s, uint64_t tag, const smtp_reply *r)
{
	struct cli *c = arg;
	if (c->nrcpt < 16) {
		c->codes[c->nrcpt] = r->code;
		c->tags[c->nrcpt] = tag;
	}
	c->nrcpt++;
	if (c->nrcpt == c->nrcpts && !smtp_session_inflight(s)) {
		if (c->reset_once && c->ready == 1)
			CHECK_INT(smtp_session_reset(s), MV_OK);
		else
			smtp_session_quit(s);
	}
}

static void c_fail(void *arg, smtp_session *s, const smtp_failure *f)
{
	struct cli *c = arg;
	(void)s;
	c->failed = true;
	c->fail_reason = f->reason;
	c->fail_phase = f->phase;
	c->fail_code = f->reply ? f->reply->code : 0;
	snprintf(c->detail, sizeof(c->detail), "%s", f->detail ? f->detail : "");
}

static void c_done(void *arg, smtp_session *s)
{
	struct cli *c = arg;
	(void)s;
	c->done++;
}

static const smtp_events cev = { c_ready, c_rcpt, c_fail, c_done };

static void run_until_done(ev_loop *ev, struct cli *c)
{
	uint64_t t0 = ev_clock_ms();
	while (!c->done && ev_clock_ms() - t0 < 5000)
		ev_run_once(ev, 50);
}

static void session(const struct step *steps, size_t n, struct cli *c, struct srv *sv,
		    unsigned banner_ms, const char *big)
{
	ev_loop *ev = ev_create();
	srv_start(sv, ev, steps, n);
	sv->big = big;
	smtp_config cfg;
	smtp_config_defaults(&cfg);
	cfg.helo = "probe.sender.test";
	cfg.mail_from = "bounce@sender.test";
	cfg.tls = TLS_NEVER;
	cfg.banner_ms = banner_ms ? banner_ms : 2000;
	cfg.cmd_ms = 2000;
	cfg.rcpt_ms = 2000;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->s = smtp_session_start(ev, &cfg, &ss, sv->port, "mx.test", &cev, c);
	CHECK(c->s != NULL);
	if (c->utf8)
		smtp_session_want_utf8(c->s, true);
	run_until_done(ev, c);
	snprintf(c->got, sizeof(c->got), "%s", buf_str(&sv->got));
	c->caps = smtp_session_caps(c->s);
	snprintf(c->transcript, sizeof(c->transcript), "%s", smtp_session_transcript(c->s, NULL));
	CHECK_INT(c->done, 1);
	/* the transcript never shows a DATA command */
	CHECK(strstr(buf_str(&sv->got), "DATA") == NULL);
	smtp_session_free(c->s);
	srv_stop(sv);
	ev_destroy(ev);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

TEST(smtp_addr_wire_safety)
{
	CHECK(smtp_addr_wire_safe("a@b.test", 8));
	CHECK(!smtp_addr_wire_safe("", 0));
	CHECK(!smtp_addr_wire_safe("a@b.test\r\nDATA", 14));
	CHECK(!smtp_addr_wire_safe("a@b.test\n", 9));
	CHECK(!smtp_addr_wire_safe("a\0@b.test", 9));
	CHECK(!smtp_addr_wire_safe("a>@b.test", 9));
	CHECK(!smtp_addr_wire_safe("a b@x.test", 10));
	CHECK(smtp_addr_wire_safe("\"a b\"@x.test", 12));
	CHECK(smtp_addr_wire_safe("j\xc3\xbcrgen@x.test", 14));
}

TEST(smtp_basic_pipelined_session)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test ESMTP\r\n", 0 },
		{ "EHLO", "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n", 0 },
		{ "MAIL FROM", "250 2.1.0 Ok\r\n", 0 },
		{ "RCPT TO:<a@", "250 2.1.5 Ok\r\n", 0 },
		{ "RCPT TO:<b@", "550 5.1.1 <b@y.test>: Recipient address rejected: User unknown\r\n", 0 },
		{ "QUIT", "221 2.0.0 Bye\r\n", 0 },
	};
	static const char *const rcpts[] = { "a@y.test", "b@y.test" };
	struct cli c = { .rcpts = rcpts, .nrcpts = 2 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK_STR(c.got, "EHLO probe.sender.test\r\nMAIL FROM:<bounce@sender.test>\r\n"
		  "RCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\nQUIT\r\n");
	CHECK(!c.failed);
	CHECK_INT(c.ready, 1);
	CHECK_INT(c.nrcpt, 2);
	CHECK_INT(c.codes[0], 250);
	CHECK_INT(c.tags[0], 100);
	CHECK_INT(c.codes[1], 550);
	CHECK_INT(c.tags[1], 101);
	CHECK(c.caps & CAP_PIPELINING);
	CHECK(c.caps & CAP_SIZE);
	CHECK(!(c.caps & CAP_STARTTLS));
	CHECK(strstr(c.transcript, "> RCPT TO:<b@y.test>") != NULL);
	CHECK(strstr(c.transcript, "< 550 5.1.1") != NULL);
}

TEST(smtp_helo_fallback_and_multiline_greeting)
{
	static const struct step steps[] = {
		{ NULL, "220-mx.test first line\r\n220-second\r\n220 ready\r\n", 150 },
		{ "EHLO", "502 5.5.2 Error: command not recognized\r\n", 0 },
		{ "HELO", "250 mx.test\r\n", 0 },
		{ "MAIL FROM", "250 ok\r\n", 0 },
		{ "RCPT TO", "250 ok\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
	};
	static const char *const rcpts[] = { "a@y.test" };
	struct cli c = { .rcpts = rcpts, .nrcpts = 1 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK_STR(c.got, "EHLO probe.sender.test\r\nHELO probe.sender.test\r\n"
		  "MAIL FROM:<bounce@sender.test>\r\nRCPT TO:<a@y.test>\r\nQUIT\r\n");
	CHECK_INT(c.codes[0], 250);
	CHECK_INT(c.caps, 0);
}

TEST(smtp_greeting_refused)
{
	static const struct step steps[] = {
		{ NULL, "554 5.7.1 mx.test: your IP is listed at zen.spamhaus.org\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
	};
	struct cli c = { 0 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK(c.failed);
	CHECK_INT(c.fail_code, 554);
	CHECK_INT(c.fail_phase, REPLY_PHASE_CONNECT);
	CHECK_INT(c.ready, 0);
	CHECK_STR(c.got, "");
}

TEST(smtp_mail_from_refused)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", "250 mx.test\r\n", 0 },
		{ "MAIL FROM", "553 5.7.1 <bounce@sender.test>: Sender address rejected: not allowed\r\n", 0 },
	};
	struct cli c = { 0 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK(c.failed);
	CHECK_INT(c.fail_code, 553);
	CHECK_INT(c.fail_phase, REPLY_PHASE_MAIL);
	CHECK_INT(c.ready, 0);
}

TEST(smtp_421_mid_session)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", "250 mx.test\r\n", 0 },
		{ "MAIL FROM", "250 ok\r\n", 0 },
		{ "RCPT TO", "421 4.7.0 mx.test Error: too many errors\r\n", 0 },
	};
	static const char *const rcpts[] = { "a@y.test" };
	struct cli c = { .rcpts = rcpts, .nrcpts = 1 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK(c.failed);
	CHECK_INT(c.fail_code, 421);
	CHECK_INT(c.nrcpt, 0);      /* the RCPT got no answer of its own */
}

TEST(smtp_greeting_timeout)
{
	static const struct step steps[] = { { "NEVER", "", 0 } };
	struct cli c = { 0 };
	struct srv sv;
	uint64_t t0 = ev_clock_ms();
	session(steps, N(steps), &c, &sv, 300, NULL);
	CHECK(c.failed);
	CHECK_INT(c.fail_reason, REASON_TIMEOUT);
	CHECK(ev_clock_ms() - t0 >= 290);
	CHECK(strstr(c.detail, "greeting") != NULL);
}

TEST(smtp_connection_refused)
{
	ev_loop *ev = ev_create();
	/* a port nobody listens on: bind, read the port, close */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	socklen_t al = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &a, sizeof(a));
	smtp_config cfg;
	smtp_config_defaults(&cfg);
	struct cli c = { 0 };
	smtp_session *s = smtp_session_start(ev, &cfg, &ss, ntohs(a.sin_port), "mx.test", &cev, &c);
	run_until_done(ev, &c);
	CHECK(c.failed);
	CHECK_INT(c.fail_reason, REASON_NO_CONNECT);
	CHECK_INT(c.done, 1);
	smtp_session_free(s);
	ev_destroy(ev);
}

TEST(smtp_refuses_unsafe_addresses)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", "250 mx.test\r\n", 0 },
		{ "MAIL FROM", "250 ok\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
	};
	/* CR/LF injection and a UTF-8 address to a server without SMTPUTF8 */
	static const char *const rcpts[] = { "x@y.test\r\nDATA" };
	struct cli c = { .rcpts = rcpts, .nrcpts = 0 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK(strstr(c.got, "RCPT") == NULL);
	/* direct calls on a fresh, not-ready session */
	ev_loop *ev = ev_create();
	smtp_config cfg;
	smtp_config_defaults(&cfg);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	((struct sockaddr_in *)&ss)->sin_family = AF_INET;
	((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct cli c2 = { 0 };
	smtp_session *s = smtp_session_start(ev, &cfg, &ss, 9, "mx.test", &cev, &c2);
	CHECK_INT(smtp_session_rcpt(s, "x@y.test\r\nDATA", 14, 1), MV_USAGE);
	CHECK_INT(smtp_session_rcpt(s, "j\xc3\xbcrgen@y.test", 14, 1), MV_UNSAFE);
	CHECK_INT(smtp_session_rcpt(s, "ok@y.test", 9, 1), MV_AGAIN);
	smtp_session_abort(s);
	run_until_done(ev, &c2);
	smtp_session_free(s);
	ev_destroy(ev);
}

TEST(smtp_smtputf8_only_when_offered)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", "250-mx.test\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n", 0 },
		{ "MAIL FROM:<bounce@sender.test> SMTPUTF8", "250 ok\r\n", 0 },
		{ "RCPT TO", "250 ok\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
	};
	static const char *const rcpts[] = { "j\xc3\xbcrgen@y.test" };
	struct cli c = { .rcpts = rcpts, .nrcpts = 1, .utf8 = true };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK_STR(c.got, "EHLO probe.sender.test\r\nMAIL FROM:<bounce@sender.test> SMTPUTF8\r\n"
		  "RCPT TO:<j\xc3\xbcrgen@y.test>\r\nQUIT\r\n");
	CHECK_INT(c.codes[0], 250);
	/* the same wish, a server that does not offer it: plain MAIL FROM */
	static const struct step plain[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", "250 mx.test\r\n", 0 },
		{ "MAIL FROM:<bounce@sender.test>\r", "250 ok\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
	};
	struct cli c2 = { .utf8 = true };
	session(plain, N(plain), &c2, &sv, 0, NULL);
	CHECK_STR(c2.got, "EHLO probe.sender.test\r\nMAIL FROM:<bounce@sender.test>\r\nQUIT\r\n");
}

TEST(smtp_rset_between_batches)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", "250-mx.test\r\n250 PIPELINING\r\n", 0 },
		{ "MAIL FROM", "250 ok\r\n", 0 },
		{ "RCPT TO", "250 ok\r\n", 0 },
		{ "RSET", "250 2.0.0 Ok\r\n", 0 },
		{ "MAIL FROM", "250 ok\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
	};
	static const char *const rcpts[] = { "a@y.test" };
	struct cli c = { .rcpts = rcpts, .nrcpts = 1, .reset_once = true };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK_STR(c.got, "EHLO probe.sender.test\r\nMAIL FROM:<bounce@sender.test>\r\n"
		  "RCPT TO:<a@y.test>\r\nRSET\r\nMAIL FROM:<bounce@sender.test>\r\nQUIT\r\n");
	CHECK_INT(c.ready, 2);
}

TEST(smtp_hostile_replies_are_bounded)
{
	/* a greeting of 100 KB on one line */
	static char big[100 * 1024 + 16];
	memcpy(big, "220 ", 4);
	memset(big + 4, 'A', sizeof(big) - 8);
	memcpy(big + sizeof(big) - 4, "\r\n", 3);
	static const struct step none[] = { { "NEVER", "", 0 } };
	struct cli c = { 0 };
	struct srv sv;
	session(none, N(none), &c, &sv, 0, big);
	CHECK(c.failed);
	CHECK_INT(c.fail_reason, REASON_PROTOCOL_ERROR);
	/* endless continuation lines: 2,000 of them */
	static char cont[2000 * 12 + 8];
	size_t k = 0;
	for (int i = 0; i < 2000; i++) {
		memcpy(cont + k, "220-more\r\n", 10);
		k += 10;
	}
	cont[k] = '\0';
	struct cli c2 = { 0 };
	session(none, N(none), &c2, &sv, 0, cont);
	CHECK(c2.failed);
	CHECK_INT(c2.fail_reason, REASON_PROTOCOL_ERROR);
	/* garbage that is not SMTP at all */
	struct cli c3 = { 0 };
	session(none, N(none), &c3, &sv, 0, "HTTP/1.1 400 Bad Request\r\n\r\n");
	CHECK(c3.failed);
	CHECK_INT(c3.fail_reason, REASON_PROTOCOL_ERROR);
}

TEST(smtp_early_close)
{
	static const struct step steps[] = {
		{ NULL, "220 mx.test\r\n", 0 },
		{ "EHLO", NULL, 0 },      /* close without a word */
	};
	struct cli c = { 0 };
	struct srv sv;
	session(steps, N(steps), &c, &sv, 0, NULL);
	CHECK(c.failed);
	CHECK_INT(c.fail_reason, REASON_PROTOCOL_ERROR);
	CHECK(strstr(c.detail, "closed") != NULL);
}
