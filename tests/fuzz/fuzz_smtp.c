/*
 * libFuzzer harness: the SMTP client state machine fed arbitrary server
 * bytes, over a real loopback connection in the harness's own ev loop:
 * greeting, EHLO capabilities, STARTTLS (the client then tries a TLS
 * handshake on whatever follows), MAIL, RCPT replies, garbage, early close.
 * It must end (done callback) without crash, leak or sanitizer report.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mailvet/ev.h"
#include "mailvet/reply.h"
#include "mailvet/smtp.h"

struct st {
	int done;
	smtp_session *s;
};

static void on_ready(void *arg, smtp_session *s)
{
	(void)arg;
	smtp_session_rcpt(s, "a@x.test", 8, 1);
	smtp_session_rcpt(s, "b@x.test", 8, 2);
}

static void on_rcpt(void *arg, smtp_session *s, uint64_t tag, const smtp_reply *r)
{
	(void)arg;
	(void)tag;
	(void)r;
	if (!smtp_session_inflight(s))
		smtp_session_quit(s);
}

static void on_fail(void *arg, smtp_session *s, const smtp_failure *f)
{
	(void)arg;
	(void)s;
	(void)f;
}

static void on_done(void *arg, smtp_session *s)
{
	struct st *st = arg;
	(void)s;
	st->done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const smtp_events evs = { on_ready, on_rcpt, on_fail, on_done };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0) {
		if (lfd >= 0)
			close(lfd);
		return 0;
	}
	ev_loop *ev = ev_create();
	smtp_config cfg;
	smtp_config_defaults(&cfg);
	cfg.helo = "fuzz.test";
	cfg.mail_from = "f@fuzz.test";
	cfg.connect_ms = cfg.banner_ms = cfg.cmd_ms = cfg.rcpt_ms = cfg.tls_ms = 100;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &a, sizeof(a));
	struct st st = { 0 };
	st.s = smtp_session_start(ev, &cfg, &ss, ntohs(a.sin_port), "mx.fuzz.test", &evs, &st);
	int cfd = accept(lfd, NULL, NULL);
	if (cfd >= 0) {
		/* the server's whole say, then end of stream */
		size_t off = 0;
		while (off < size) {
			ssize_t w = send(cfd, data + off, size - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		shutdown(cfd, SHUT_WR);
		fcntl(cfd, F_SETFL, O_NONBLOCK);
	}
	for (int i = 0; i < 400 && !st.done; i++) {
		ev_run_once(ev, 5);
		char sink[4096];
		while (cfd >= 0 && recv(cfd, sink, sizeof(sink), 0) > 0)
			;
	}
	if (!st.done)
		smtp_session_abort(st.s);
	for (int i = 0; i < 10 && !st.done; i++)
		ev_run_once(ev, 1);
	smtp_session_free(st.s);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	ev_destroy(ev);
	return 0;
}
