#include "mailvet/smtp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailvet/buf.h"
#include "mailvet/ev.h"
#include "mailvet/reply.h"
#include "mailvet/text.h"

#define IN_MAX (64u * 1024u + 4096u)   /* a reply is at most 64 KiB */
#define OUT_MAX (256u * 1024u)
#define TRANSCRIPT_MAX (16u * 1024u)
#define ADDR_MAX 320

#define SMTP_STATE_LIST(_) \
	_(CONNECT,   "connecting")               /* TCP connect in progress */ \
	_(BANNER,    "waiting for the greeting") /* 220 expected */ \
	_(EHLO,      "EHLO sent") \
	_(HELO,      "HELO sent")                /* EHLO was refused */ \
	_(STARTTLS,  "STARTTLS sent") \
	_(HANDSHAKE, "TLS handshake") \
	_(EHLO2,     "EHLO sent over TLS") \
	_(MAIL,      "MAIL FROM sent") \
	_(READY,     "ready for RCPT")           /* RCPTs flow here */ \
	_(RSET,      "RSET sent") \
	_(QUIT,      "QUIT sent") \
	_(CLOSED,    "closed")

enum smtp_state {
#define MV_X(name, text) ST_##name,
	SMTP_STATE_LIST(MV_X)
#undef MV_X
};

static const char *const state_names[] = {
#define MV_X(name, text) text,
	SMTP_STATE_LIST(MV_X)
#undef MV_X
};

struct rcpt {
	uint64_t tag;
	char addr[ADDR_MAX];
};

struct smtp_session {
	ev_loop *ev;
	smtp_config cfg;
	smtp_events evs;
	void *arg;
	char mx_name[256];
	int fd;
	enum smtp_state state;
	unsigned caps;
	bool tls_on;
	SSL *ssl;
	SSL_CTX *own_ctx;
	bool ssl_want_write;
	bool want_utf8, utf8_active;
	bool failed, done_scheduled, reading_eof;
	bool local_fail;        /* socket() found no descriptor: ours to fix */
	uint64_t timer;
	uint64_t done_timer;
	uint64_t t0;
	unsigned commands;
	unsigned expect;            /* replies outstanding */
	unsigned round_trips;       /* flights of commands sent with nothing outstanding */

	buf in, out, transcript;

	struct rcpt *queue;         /* waiting to be sent */
	size_t nqueue, capqueue, qhead;
	uint64_t *inflight;         /* tags sent, reply pending (FIFO) */
	size_t ninflight, capinflight, ihead;
};

void smtp_config_defaults(smtp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->helo = "localhost";
	c->mail_from = "";
	c->tls = TLS_OPPORTUNISTIC;
	c->connect_ms = 10000;
	c->banner_ms = 60000;       /* RFC 5321 4.5.3.2: 5 minutes; we wait 1 */
	c->cmd_ms = 30000;
	c->rcpt_ms = 60000;
	c->tls_ms = 20000;
	c->max_pipeline = 20;
}

const char *smtp_session_state_name(const smtp_session *s)
{
	return state_names[s->state];
}

bool smtp_addr_wire_safe(const char *a, size_t n)
{
	if (n == 0 || n > 254)
		return false;
	/* No CR, LF, NUL or other controls; no angle brackets. A space only
	 * inside a quoted local part. */
	bool quoted = a[0] == '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
			return false;
		if (c == ' ' && !quoted)
			return false;
	}
	return true;
}

static bool ascii_only(const char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a[i] >= 0x80)
			return false;
	return true;
}

/* ---- transcript ------------------------------------------------------------- */

static void note(smtp_session *s, char dir, const char *p, size_t n)
{
	buf *t = &s->transcript;
	if (t->len >= TRANSCRIPT_MAX - 64)
		return;
	uint64_t ms = ev_clock_ms() - s->t0;
	buf_printf(t, "%6llu %c ", (unsigned long long)ms, dir);
	size_t room = TRANSCRIPT_MAX - 64 - t->len;
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n > room) {
		buf_append(t, p, room);
		buf_append_str(t, " [...]");
	} else {
		buf_append(t, p, n);
	}
	buf_append_char(t, '\n');
	if (t->len >= TRANSCRIPT_MAX - 64)
		buf_append_str(t, "[transcript truncated]\n");
}

/* A multi-line reply in the transcript: one line per reply line. */
static void note_reply(smtp_session *s, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;
		note(s, '<', p, len);
		p += len;
		n -= len;
	}
}

const char *smtp_session_transcript(const smtp_session *s, size_t *len)
{
	if (len)
		*len = s->transcript.len;
	return buf_str(&s->transcript);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void on_io(ev_loop *ev, int fd, unsigned evs, void *arg);
static void on_timeout(ev_loop *ev, void *arg);

static void set_timer(smtp_session *s, unsigned ms)
{
	if (s->timer)
		ev_timer_del(s->ev, s->timer);
	s->timer = ms ? ev_timer_add(s->ev, ms, on_timeout, s) : 0;
}

static void fire_done(ev_loop *ev, void *arg)
{
	smtp_session *s = arg;
	(void)ev;
	s->done_timer = 0;
	s->evs.on_done(s->arg, s);    /* may free s: touch nothing after */
}

static void close_conn(smtp_session *s)
{
	if (s->timer) {
		ev_timer_del(s->ev, s->timer);
		s->timer = 0;
	}
	if (s->ssl) {
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
	if (s->fd >= 0) {
		ev_fd_del(s->ev, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	s->state = ST_CLOSED;
	if (!s->done_scheduled) {
		s->done_scheduled = true;
		s->done_timer = ev_timer_add(s->ev, 0, fire_done, s);
	}
}

static void fail(smtp_session *s, mv_reason reason, int phase,
		 const smtp_reply *reply, const char *detail)
{
	if (s->failed || s->state == ST_CLOSED)
		return;
	s->failed = true;
	char line[160];
	snprintf(line, sizeof(line), "[%s: %s]", reason ? reason_name(reason) : "reply",
		 detail ? detail : "");
	note(s, '!', line, strlen(line));
	close_conn(s);
	smtp_failure f = { reason, phase, reply, detail, s->local_fail };
	if (s->evs.on_fail)
		s->evs.on_fail(s->arg, s, &f);
}

void smtp_session_free(smtp_session *s)
{
	if (!s)
		return;
	if (s->timer)
		ev_timer_del(s->ev, s->timer);
	if (s->done_timer)
		ev_timer_del(s->ev, s->done_timer);
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->fd >= 0) {
		ev_fd_del(s->ev, s->fd);
		close(s->fd);
	}
	if (s->own_ctx)
		SSL_CTX_free(s->own_ctx);
	buf_free(&s->in);
	buf_free(&s->out);
	buf_free(&s->transcript);
	free(s->queue);
	free(s->inflight);
	free(s);
}

/* ---- I/O -------------------------------------------------------------------------- */

static void update_interest(smtp_session *s)
{
	if (s->fd < 0)
		return;
	unsigned want = EV_READ;
	if (s->state == ST_CONNECT || s->out.len || s->ssl_want_write)
		want |= EV_WRITE;
	if (s->state == ST_CONNECT)
		want = EV_WRITE;
	ev_fd_set(s->ev, s->fd, want, on_io, s);
}

static void flush_out(smtp_session *s)
{
	while (s->out.len && s->fd >= 0) {
		ssize_t w;
		if (s->ssl) {
			ERR_clear_error();
			int r = SSL_write(s->ssl, s->out.data, (int)(s->out.len > INT32_MAX ? INT32_MAX : s->out.len));
			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
					s->ssl_want_write = e == SSL_ERROR_WANT_WRITE;
					break;
				}
				fail(s, REASON_TLS_FAILED, REPLY_PHASE_UNKNOWN, NULL, "TLS write failed");
				return;
			}
			w = r;
		} else {
			w = send(s->fd, s->out.data, s->out.len, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				fail(s, REASON_NO_CONNECT, REPLY_PHASE_UNKNOWN, NULL, strerror(errno));
				return;
			}
		}
		buf_consume(&s->out, (size_t)w);
	}
	update_interest(s);
}

static void send_cmd(smtp_session *s, const char *fmt, const char *a, const char *b)
{
	size_t before = s->out.len;
	buf_printf(&s->out, fmt, a ? a : "", b ? b : "");
	note(s, '>', s->out.data + before, s->out.len - before);
	s->commands++;
	if (s->expect++ == 0)
		s->round_trips++;
}

/* ---- protocol ------------------------------------------------------------------------ */

static void send_mail_from(smtp_session *s)
{
	s->utf8_active = s->want_utf8 && (s->caps & CAP_SMTPUTF8);
	send_cmd(s, s->utf8_active ? "MAIL FROM:<%s>%s SMTPUTF8\r\n" : "MAIL FROM:<%s>%s\r\n",
		 s->cfg.mail_from, "");
	s->state = ST_MAIL;
	set_timer(s, s->cfg.cmd_ms);
}

static void send_rcpts(smtp_session *s)
{
	if (s->state != ST_READY)
		return;
	unsigned max = (s->caps & CAP_PIPELINING) ? (s->cfg.max_pipeline ? s->cfg.max_pipeline : 1) : 1;
	while (s->qhead < s->nqueue && s->ninflight - s->ihead < max) {
		struct rcpt *r = &s->queue[s->qhead++];
		if (s->ninflight == s->capinflight) {
			size_t nc = s->capinflight ? s->capinflight * 2 : 16;
			uint64_t *n = realloc(s->inflight, nc * sizeof(*n));
			if (!n) {
				fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_RCPT, NULL, "out of memory");
				return;
			}
			s->inflight = n;
			s->capinflight = nc;
		}
		s->inflight[s->ninflight++] = r->tag;
		send_cmd(s, "RCPT TO:<%s>%s\r\n", r->addr, "");
	}
	if (s->qhead == s->nqueue)
		s->qhead = s->nqueue = 0;
	if (s->ihead == s->ninflight)
		s->ihead = s->ninflight = 0;
	if (s->ninflight > s->ihead)
		set_timer(s, s->cfg.rcpt_ms);
	else
		set_timer(s, s->cfg.cmd_ms * 10);     /* idle in READY: the owner decides */
}

static unsigned parse_caps(const smtp_reply *r)
{
	unsigned caps = CAP_ESMTP;
	const char *p = r->text;
	size_t left = r->text_len;
	while (left) {
		const char *nl = memchr(p, '\n', left);
		size_t n = nl ? (size_t)(nl - p) : left;
		char word[16];
		size_t k = 0;
		while (k < n && k < sizeof(word) - 1 && p[k] != ' ' && p[k] != '=') {
			word[k] = text_ascii_lower(p[k]);
			k++;
		}
		word[k] = '\0';
		if (!strcmp(word, "starttls")) caps |= CAP_STARTTLS;
		else if (!strcmp(word, "pipelining")) caps |= CAP_PIPELINING;
		else if (!strcmp(word, "smtputf8")) caps |= CAP_SMTPUTF8;
		else if (!strcmp(word, "size")) caps |= CAP_SIZE;
		else if (!strcmp(word, "8bitmime")) caps |= CAP_8BITMIME;
		if (!nl)
			break;
		left -= n + 1;
		p = nl + 1;
	}
	return caps;
}

static void start_handshake(smtp_session *s);

static void after_ehlo(smtp_session *s)
{
	if ((s->caps & CAP_STARTTLS) && !s->tls_on && s->cfg.tls != TLS_NEVER) {
		send_cmd(s, "STARTTLS\r\n%s%s", "", "");
		s->state = ST_STARTTLS;
		set_timer(s, s->cfg.cmd_ms);
		return;
	}
	if (!s->tls_on && s->cfg.tls == TLS_REQUIRE) {
		fail(s, REASON_TLS_FAILED, REPLY_PHASE_HELO, NULL, "server does not offer STARTTLS");
		return;
	}
	send_mail_from(s);
}

/* Dispatch one complete reply by state. */
static void on_reply(smtp_session *s, const smtp_reply *r)
{
	int cls = r->code / 100;

	/* 421 at any point: the server is closing the channel. */
	if (r->code == 421 && s->state != ST_QUIT) {
		fail(s, REASON_NONE, s->state == ST_READY ? REPLY_PHASE_RCPT :
		     s->state == ST_MAIL ? REPLY_PHASE_MAIL : REPLY_PHASE_CONNECT, r, "421 service closing");
		return;
	}
	switch (s->state) {
	case ST_BANNER:
		if (cls != 2) {
			fail(s, REASON_NONE, REPLY_PHASE_CONNECT, r, "greeting refused");
			return;
		}
		send_cmd(s, "EHLO %s\r\n%s", s->cfg.helo, "");
		s->state = ST_EHLO;
		set_timer(s, s->cfg.cmd_ms);
		break;
	case ST_EHLO:
	case ST_EHLO2:
		if (cls != 2) {
			if (s->state == ST_EHLO2) {
				fail(s, REASON_NONE, REPLY_PHASE_HELO, r, "EHLO after STARTTLS refused");
				return;
			}
			send_cmd(s, "HELO %s\r\n%s", s->cfg.helo, "");
			s->state = ST_HELO;
			set_timer(s, s->cfg.cmd_ms);
			return;
		}
		s->caps = parse_caps(r);
		if (s->state == ST_EHLO2)
			s->caps &= ~(unsigned)CAP_STARTTLS;
		after_ehlo(s);
		break;
	case ST_HELO:
		if (cls != 2) {
			fail(s, REASON_NONE, REPLY_PHASE_HELO, r, "HELO refused");
			return;
		}
		s->caps = 0;
		if (s->cfg.tls == TLS_REQUIRE) {
			fail(s, REASON_TLS_FAILED, REPLY_PHASE_HELO, NULL, "no ESMTP, so no STARTTLS");
			return;
		}
		send_mail_from(s);
		break;
	case ST_STARTTLS:
		if (r->code != 220) {
			if (s->cfg.tls == TLS_REQUIRE) {
				fail(s, REASON_TLS_FAILED, REPLY_PHASE_STARTTLS, r, "STARTTLS refused");
				return;
			}
			s->caps &= ~(unsigned)CAP_STARTTLS;
			send_mail_from(s);     /* go on in clear text */
			return;
		}
		start_handshake(s);
		break;
	case ST_MAIL:
		if (cls != 2) {
			fail(s, REASON_NONE, REPLY_PHASE_MAIL, r, "MAIL FROM refused");
			return;
		}
		s->state = ST_READY;
		set_timer(s, s->cfg.cmd_ms * 10);
		if (s->evs.on_ready)
			s->evs.on_ready(s->arg, s);
		send_rcpts(s);
		break;
	case ST_READY:
		if (s->ihead >= s->ninflight) {
			fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_RCPT, r, "reply nobody asked for");
			return;
		}
		{
			uint64_t tag = s->inflight[s->ihead++];
			if (s->evs.on_rcpt)
				s->evs.on_rcpt(s->arg, s, tag, r);
		}
		if (s->state == ST_READY)
			send_rcpts(s);
		break;
	case ST_RSET:
		if (cls != 2) {
			fail(s, REASON_NONE, REPLY_PHASE_MAIL, r, "RSET refused");
			return;
		}
		send_mail_from(s);
		break;
	case ST_QUIT:
		close_conn(s);
		break;
	default:
		fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_UNKNOWN, r, "unexpected reply");
		break;
	}
}

static void process_input(smtp_session *s)
{
	while (s->in.len && s->state != ST_CLOSED && s->state != ST_HANDSHAKE) {
		smtp_reply r;
		size_t used = 0;
		memset(&r, 0, sizeof(r));
		mv_status st = reply_parse(s->in.data, s->in.len, &r, &used);
		if (st == MV_AGAIN) {
			if (s->in.len > IN_MAX - 4096)
				fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_UNKNOWN, NULL, "reply too long");
			return;
		}
		if (st) {
			note_reply(s, s->in.data, s->in.len > 512 ? 512 : s->in.len);
			fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_UNKNOWN, NULL,
			     st == MV_TOOBIG ? "reply over 64 KiB or 1,000 lines" : "not an SMTP reply");
			reply_free(&r);
			return;
		}
		note_reply(s, s->in.data, used);
		buf_consume(&s->in, used);
		if (s->expect)
			s->expect--;
		on_reply(s, &r);
		reply_free(&r);
	}
}

static void read_input(smtp_session *s)
{
	for (int rounds = 0; rounds < 16 && s->fd >= 0; rounds++) {
		char *dst = buf_reserve(&s->in, 16384);
		if (!dst) {
			fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_UNKNOWN, NULL, "reply too long");
			return;
		}
		ssize_t n;
		if (s->ssl) {
			ERR_clear_error();
			int r = SSL_read(s->ssl, dst, 16384);
			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_READ)
					break;
				if (e == SSL_ERROR_WANT_WRITE) {
					s->ssl_want_write = true;
					break;
				}
				if (e == SSL_ERROR_ZERO_RETURN) {
					n = 0;
				} else {
					fail(s, REASON_TLS_FAILED, REPLY_PHASE_UNKNOWN, NULL, "TLS read failed");
					return;
				}
			} else {
				n = r;
			}
		} else {
			n = recv(s->fd, dst, 16384, 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				fail(s, REASON_NO_CONNECT, REPLY_PHASE_UNKNOWN, NULL, strerror(errno));
				return;
			}
		}
		if (n == 0) {
			process_input(s);
			if (s->state == ST_QUIT) {
				close_conn(s);
				return;
			}
			fail(s, REASON_PROTOCOL_ERROR, REPLY_PHASE_UNKNOWN, NULL,
			     "connection closed by the server");
			return;
		}
		s->in.len += (size_t)n;
		s->in.data[s->in.len] = '\0';
		process_input(s);
		if (s->state == ST_HANDSHAKE)
			return;
	}
}

/* ---- TLS --------------------------------------------------------------------------- */

static SSL_CTX *make_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Like MTAs: encrypt opportunistically, do not require a valid chain. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

static void continue_handshake(smtp_session *s)
{
	ERR_clear_error();
	int r = SSL_connect(s->ssl);
	if (r == 1) {
		s->tls_on = true;
		s->ssl_want_write = false;
		note(s, '.', "[TLS established]", 17);
		send_cmd(s, "EHLO %s\r\n%s", s->cfg.helo, "");
		s->state = ST_EHLO2;
		set_timer(s, s->cfg.cmd_ms);
		flush_out(s);
		return;
	}
	int e = SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		s->ssl_want_write = e == SSL_ERROR_WANT_WRITE;
		update_interest(s);
		return;
	}
	fail(s, REASON_TLS_FAILED, REPLY_PHASE_STARTTLS, NULL, "TLS handshake failed");
}

static void start_handshake(smtp_session *s)
{
	SSL_CTX *ctx = s->cfg.ssl_ctx;
	if (!ctx) {
		if (!s->own_ctx)
			s->own_ctx = make_ctx();
		ctx = s->own_ctx;
	}
	s->ssl = ctx ? SSL_new(ctx) : NULL;
	if (!s->ssl || !SSL_set_fd(s->ssl, s->fd)) {
		fail(s, REASON_TLS_FAILED, REPLY_PHASE_STARTTLS, NULL, "TLS set-up failed");
		return;
	}
	if (s->mx_name[0])
		SSL_set_tlsext_host_name(s->ssl, s->mx_name);
	buf_reset(&s->in);          /* nothing may be buffered across STARTTLS */
	s->round_trips++;           /* the handshake's flight */
	s->state = ST_HANDSHAKE;
	set_timer(s, s->cfg.tls_ms);
	continue_handshake(s);
}

/* ---- events ------------------------------------------------------------------------- */

static void on_io(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	smtp_session *s = arg;
	(void)ev;
	(void)fd;
	if (s->state == ST_CONNECT) {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err) {
			fail(s, REASON_NO_CONNECT, REPLY_PHASE_CONNECT, NULL, strerror(err));
			return;
		}
		note(s, '.', "[connected]", 11);
		s->expect = 1;              /* the greeting */
		s->round_trips++;
		s->state = ST_BANNER;
		set_timer(s, s->cfg.banner_ms);
		update_interest(s);
		return;
	}
	if (s->state == ST_HANDSHAKE) {
		continue_handshake(s);
		return;
	}
	if (evs & (EV_READ | EV_ERROR))
		read_input(s);
	if (s->state != ST_CLOSED && (evs & EV_WRITE || s->out.len)) {
		s->ssl_want_write = false;
		flush_out(s);
	}
	if (s->state != ST_CLOSED)
		update_interest(s);
}

static void on_timeout(ev_loop *ev, void *arg)
{
	smtp_session *s = arg;
	char what[96];
	(void)ev;
	s->timer = 0;
	if (s->state == ST_QUIT) {
		close_conn(s);
		return;
	}
	snprintf(what, sizeof(what), "no answer while %s", state_names[s->state]);
	fail(s, s->state == ST_CONNECT ? REASON_NO_CONNECT : REASON_TIMEOUT,
	     s->state == ST_READY ? REPLY_PHASE_RCPT : REPLY_PHASE_UNKNOWN, NULL, what);
}

smtp_session *smtp_session_start(ev_loop *ev, const smtp_config *cfg,
				 const struct sockaddr_storage *addr, uint16_t port,
				 const char *mx_name, const smtp_events *evs, void *arg)
{
	smtp_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ev = ev;
	s->cfg = *cfg;
	s->evs = *evs;
	s->arg = arg;
	s->fd = -1;
	s->t0 = ev_clock_ms();
	snprintf(s->mx_name, sizeof(s->mx_name), "%s", mx_name ? mx_name : "");
	buf_init(&s->in, IN_MAX);
	buf_init(&s->out, OUT_MAX);
	buf_init(&s->transcript, TRANSCRIPT_MAX + 64);

	struct sockaddr_storage sa = *addr;
	socklen_t salen;
	if (sa.ss_family == AF_INET) {
		((struct sockaddr_in *)&sa)->sin_port = htons(port);
		salen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
		salen = sizeof(struct sockaddr_in6);
	}
	char line[400];
	char host[64];
	const void *ap = sa.ss_family == AF_INET ?
		(const void *)&((struct sockaddr_in *)&sa)->sin_addr :
		(const void *)&((struct sockaddr_in6 *)&sa)->sin6_addr;
	if (!inet_ntop(sa.ss_family, ap, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	snprintf(line, sizeof(line), "[connect %s (%s) port %u]", s->mx_name, host, port);
	note(s, '.', line, strlen(line));

	s->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		s->local_fail = errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
		s->state = ST_CONNECT;
		fail(s, REASON_NO_CONNECT, REPLY_PHASE_CONNECT, NULL, strerror(errno));
		return s;
	}
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->state = ST_CONNECT;
	if (connect(s->fd, (struct sockaddr *)&sa, salen) != 0 && errno != EINPROGRESS) {
		fail(s, REASON_NO_CONNECT, REPLY_PHASE_CONNECT, NULL, strerror(errno));
		return s;
	}
	set_timer(s, s->cfg.connect_ms);
	update_interest(s);
	return s;
}

void smtp_session_want_utf8(smtp_session *s, bool on)
{
	s->want_utf8 = on;
}

bool smtp_session_utf8_active(const smtp_session *s)
{
	return s->utf8_active;
}

mv_status smtp_session_rcpt(smtp_session *s, const char *addr, size_t n, uint64_t tag)
{
	if (!smtp_addr_wire_safe(addr, n))
		return MV_USAGE;
	if (!ascii_only(addr, n) && !s->utf8_active)
		return MV_UNSAFE;
	if (s->state != ST_READY)
		return MV_AGAIN;
	if (s->nqueue == s->capqueue) {
		size_t nc = s->capqueue ? s->capqueue * 2 : 8;
		struct rcpt *q = realloc(s->queue, nc * sizeof(*q));
		if (!q)
			return MV_NOMEM;
		s->queue = q;
		s->capqueue = nc;
	}
	struct rcpt *r = &s->queue[s->nqueue++];
	r->tag = tag;
	memcpy(r->addr, addr, n);
	r->addr[n] = '\0';
	send_rcpts(s);
	flush_out(s);
	return MV_OK;
}

mv_status smtp_session_reset(smtp_session *s)
{
	if (s->state != ST_READY || s->ninflight > s->ihead || s->nqueue > s->qhead)
		return MV_AGAIN;
	send_cmd(s, "RSET\r\n%s%s", "", "");
	s->state = ST_RSET;
	set_timer(s, s->cfg.cmd_ms);
	flush_out(s);
	return MV_OK;
}

void smtp_session_quit(smtp_session *s)
{
	if (s->state == ST_CLOSED || s->state == ST_QUIT)
		return;
	if (s->state == ST_CONNECT || s->state == ST_HANDSHAKE || s->fd < 0) {
		close_conn(s);
		return;
	}
	send_cmd(s, "QUIT\r\n%s%s", "", "");
	s->state = ST_QUIT;
	set_timer(s, 2000);
	flush_out(s);
}

void smtp_session_abort(smtp_session *s)
{
	if (s->state != ST_CLOSED)
		close_conn(s);
}

unsigned smtp_session_caps(const smtp_session *s) { return s->caps; }
bool smtp_session_tls(const smtp_session *s) { return s->tls_on; }
bool smtp_session_ready(const smtp_session *s) { return s->state == ST_READY; }
unsigned smtp_session_commands(const smtp_session *s) { return s->commands; }
unsigned smtp_session_round_trips(const smtp_session *s) { return s->round_trips; }

unsigned smtp_session_inflight(const smtp_session *s)
{
	return (unsigned)((s->ninflight - s->ihead) + (s->nqueue - s->qhead));
}
