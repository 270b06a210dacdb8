/* netfake — see netfake.h. Test code: simple, blocking writes, bounded. */
#include "netfake.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mailvet/ev.h"
#include "mailvet/text.h"

/* ---- DNS ------------------------------------------------------------------ */

#define MAXREC 64

struct fdns {
	ev_loop *ev;
	int fd;
	char name[MAXREC][128];
	int type[MAXREC];          /* 1 A, 28 AAAA, 15 MX, -1 SERVFAIL, -2 TIMEOUT */
	char data[MAXREC][128];
	int n;
	char qname[256][128];
	int qtype[256];
	int nq;
};

static int qtype_of(const char *t)
{
	if (!strcmp(t, "A")) return 1;
	if (!strcmp(t, "AAAA")) return 28;
	if (!strcmp(t, "MX")) return 15;
	if (!strcmp(t, "SERVFAIL")) return -1;
	if (!strcmp(t, "TIMEOUT")) return -2;
	return 0;
}

static size_t put_name(uint8_t *p, const char *name)
{
	size_t k = 0;
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		p[k++] = (uint8_t)l;
		memcpy(p + k, s, l);
		k += l;
		s += l;
		if (*s == '.')
			s++;
	}
	p[k++] = 0;
	return k;
}

static void on_dns(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	fdns *d = arg;
	uint8_t q[512], r[1500];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	(void)ev;
	(void)evs;
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (n < 17)
		return;
	/* question name */
	char name[256];
	size_t p = 12, k = 0;
	while (p < (size_t)n && q[p] && k < sizeof(name) - 64) {
		size_t l = q[p++];
		if (k)
			name[k++] = '.';
		for (size_t i = 0; i < l && p < (size_t)n; i++)
			name[k++] = text_ascii_lower((char)q[p++]);
	}
	name[k] = '\0';
	size_t qend = p + 5;
	if (qend > (size_t)n)
		return;
	int qt = q[p + 1] << 8 | q[p + 2];
	if (d->nq < 256) {
		snprintf(d->qname[d->nq], sizeof(d->qname[0]), "%s", name);
		d->qtype[d->nq++] = qt;
	}
	bool known = false;
	int rcode = 0;
	for (int i = 0; i < d->n; i++) {
		if (strcmp(d->name[i], name))
			continue;
		known = true;
		if (d->type[i] == -2)
			return;               /* TIMEOUT: never answer */
		if (d->type[i] == -1)
			rcode = 2;
	}
	memcpy(r, q, qend);
	r[2] = 0x84 | (q[2] & 1);    /* QR, AA, RD copied */
	r[3] = (uint8_t)(known ? rcode : 3);
	r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;   /* no EDNS echo */
	size_t w = qend;
	unsigned an = 0;
	for (int i = 0; i < d->n && rcode == 0; i++) {
		if (strcmp(d->name[i], name) || d->type[i] != qt)
			continue;
		r[w++] = 0xc0;
		r[w++] = 12;
		r[w++] = 0;
		r[w++] = (uint8_t)qt;
		r[w++] = 0;
		r[w++] = 1;
		r[w++] = 0; r[w++] = 0; r[w++] = 0x0e; r[w++] = 0x10;   /* ttl 3600 */
		size_t rdl = w;
		w += 2;
		if (qt == 1) {
			inet_pton(AF_INET, d->data[i], r + w);
			w += 4;
		} else if (qt == 28) {
			inet_pton(AF_INET6, d->data[i], r + w);
			w += 16;
		} else {
			char host[128];
			unsigned pref = 0;
			const char *sp = strchr(d->data[i], ' ');
			pref = (unsigned)strtoul(d->data[i], NULL, 10);
			snprintf(host, sizeof(host), "%s", sp ? sp + 1 : "");
			r[w++] = (uint8_t)(pref >> 8);
			r[w++] = (uint8_t)pref;
			if (!strcmp(host, "."))
				r[w++] = 0;
			else
				w += put_name(r + w, host);
		}
		r[rdl] = (uint8_t)((w - rdl - 2) >> 8);
		r[rdl + 1] = (uint8_t)(w - rdl - 2);
		an++;
	}
	r[7] = (uint8_t)an;
	sendto(fd, r, w, 0, (struct sockaddr *)&from, fl);
}

fdns *fdns_start(ev_loop *ev, const char *const *records, uint16_t *port)
{
	fdns *d = calloc(1, sizeof(*d));
	d->ev = ev;
	for (int i = 0; records[i] && d->n < MAXREC; i++) {
		char name[128], type[16];
		const char *s = records[i];
		const char *a = strchr(s, ' ');
		if (!a)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(a - s), s);
		const char *b = strchr(a + 1, ' ');
		snprintf(type, sizeof(type), "%.*s", (int)(b ? b - a - 1 : (long)strlen(a + 1)), a + 1);
		snprintf(d->name[d->n], sizeof(d->name[0]), "%s", name);
		d->type[d->n] = qtype_of(type);
		snprintf(d->data[d->n], sizeof(d->data[0]), "%s", b ? b + 1 : "");
		d->n++;
	}
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(d->fd, (struct sockaddr *)&sa, sizeof(sa));
	socklen_t l = sizeof(sa);
	getsockname(d->fd, (struct sockaddr *)&sa, &l);
	*port = ntohs(sa.sin_port);
	ev_fd_set(ev, d->fd, EV_READ, on_dns, d);
	return d;
}

void fdns_stop(fdns *d)
{
	if (!d)
		return;
	ev_fd_del(d->ev, d->fd);
	close(d->fd);
	free(d);
}

unsigned fdns_queries(const fdns *d, const char *name, int qtype)
{
	unsigned n = 0;
	for (int i = 0; i < d->nq; i++)
		if (!strcmp(d->qname[i], name) && (!qtype || d->qtype[i] == qtype))
			n++;
	return n;
}

/* ---- SMTP ------------------------------------------------------------------ */

#define MAXL 8
#define MAXC 64

struct fconn {
	struct fsmtp *s;
	int li;                 /* listener index */
	int fd;
	buf in;
	unsigned rcpts;         /* in this session */
};

struct fsmtp {
	ev_loop *ev;
	int n;
	fsmtp_conf conf[MAXL];
	int lfd[MAXL];
	unsigned conns[MAXL], rcpts[MAXL];
	buf log[MAXL];
	struct fconn *c[MAXC];
	/* greylist memory */
	char grey[128][256];
	uint64_t grey_at[128];
	int ngrey;
};

static void say(struct fconn *c, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			usleep(500);
			continue;
		}
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void conn_free(struct fconn *c)
{
	struct fsmtp *s = c->s;
	for (int i = 0; i < MAXC; i++)
		if (s->c[i] == c)
			s->c[i] = NULL;
	ev_fd_del(s->ev, c->fd);
	close(c->fd);
	buf_free(&c->in);
	free(c);
}

static const char *rcpt_reply(struct fconn *c, const char *addr)
{
	struct fsmtp *s = c->s;
	const fsmtp_conf *cf = &s->conf[c->li];
	if (cf->second_rcpt_rejected && c->rcpts > 1)
		return "550 5.1.1 <rejected>: Recipient address rejected: User unknown\r\n";
	if (cf->greylist_ms) {
		uint64_t now = ev_clock_ms();
		int k;
		for (k = 0; k < s->ngrey && strcmp(s->grey[k], addr); k++)
			;
		if (k == s->ngrey && k < 128) {
			snprintf(s->grey[k], sizeof(s->grey[0]), "%s", addr);
			s->grey_at[k] = now;
			s->ngrey++;
			return "450 4.2.0 <x>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/\r\n";
		}
		if (k < 128 && now - s->grey_at[k] < cf->greylist_ms)
			return "450 4.2.0 <x>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/\r\n";
	}
	const char *at = strchr(addr, '@');
	for (const fsmtp_rule *r = cf->rules; r && r->rcpt; r++) {
		if (!strcmp(r->rcpt, "*"))
			return r->reply;
		if (r->rcpt[0] == '*' && at && !strcmp(r->rcpt + 1, at))
			return r->reply;
		if (!strcmp(r->rcpt, addr))
			return r->reply;
	}
	return "550 5.1.1 <x>: Recipient address rejected: User unknown in virtual mailbox table\r\n";
}

static void on_conn(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct fconn *c = arg;
	struct fsmtp *s = c->s;
	const fsmtp_conf *cf = &s->conf[c->li];
	char b[4096];
	(void)ev;
	(void)evs;
	ssize_t n = recv(fd, b, sizeof(b), 0);
	if (n <= 0) {
		conn_free(c);
		return;
	}
	buf_append(&c->in, b, (size_t)n);
	buf_append(&s->log[c->li], b, (size_t)n);
	for (;;) {
		char *nl = memchr(c->in.data, '\n', c->in.len);
		if (!nl)
			return;
		size_t len = (size_t)(nl - c->in.data) + 1;
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)(len > 1000 ? 1000 : len), c->in.data);
		buf_consume(&c->in, len);
		char *cr = strpbrk(line, "\r\n");
		if (cr)
			*cr = '\0';
		if (!strncasecmp(line, "EHLO", 4)) {
			say(c, cf->ehlo ? cf->ehlo : "250-fake\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
		} else if (!strncasecmp(line, "HELO", 4)) {
			say(c, "250 fake\r\n");
		} else if (!strncasecmp(line, "MAIL FROM:", 10)) {
			say(c, cf->mail_reply ? cf->mail_reply : "250 2.1.0 Ok\r\n");
		} else if (!strncasecmp(line, "RCPT TO:<", 9)) {
			c->rcpts++;
			s->rcpts[c->li]++;
			char addr[256];
			const char *e = strchr(line + 9, '>');
			snprintf(addr, sizeof(addr), "%.*s", (int)(e ? e - line - 9 : 0), line + 9);
			say(c, rcpt_reply(c, addr));
		} else if (!strncasecmp(line, "RSET", 4)) {
			say(c, "250 2.0.0 Ok\r\n");
		} else if (!strncasecmp(line, "QUIT", 4)) {
			say(c, "221 2.0.0 Bye\r\n");
			conn_free(c);
			return;
		} else if (!strncasecmp(line, "DATA", 4)) {
			say(c, "554 5.5.1 DATA is a violation in tests\r\n");
		} else {
			say(c, "502 5.5.2 Error: command not recognized\r\n");
		}
	}
}

static void on_accept(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct fsmtp *s = arg;
	(void)evs;
	int li;
	for (li = 0; li < s->n && s->lfd[li] != fd; li++)
		;
	int cfd = accept(fd, NULL, NULL);
	if (cfd < 0 || li == s->n)
		return;
	int slot;
	for (slot = 0; slot < MAXC && s->c[slot]; slot++)
		;
	if (slot == MAXC) {
		close(cfd);
		return;
	}
	struct fconn *c = calloc(1, sizeof(*c));
	c->s = s;
	c->li = li;
	c->fd = cfd;
	buf_init(&c->in, 1 << 16);
	s->c[slot] = c;
	s->conns[li]++;
	int one = 1;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (s->conf[li].greeting_delay_ms)
		usleep(s->conf[li].greeting_delay_ms * 1000u);
	say(c, s->conf[li].greeting ? s->conf[li].greeting : "220 fake ESMTP\r\n");
	ev_fd_set(ev, cfd, EV_READ, on_conn, c);
}

fsmtp *fsmtp_start(ev_loop *ev, const fsmtp_conf *confs, int n, uint16_t *port)
{
	struct fsmtp *s = calloc(1, sizeof(*s));
	s->ev = ev;
	s->n = n < MAXL ? n : MAXL;
	uint16_t p = *port;
	for (int i = 0; i < s->n; i++) {
		s->conf[i] = confs[i];
		buf_init(&s->log[i], 1 << 20);
		s->lfd[i] = -1;
		if (confs[i].refuse)
			continue;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p) };
		inet_pton(AF_INET, confs[i].addr, &sa.sin_addr);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
			close(fd);
			continue;
		}
		if (!p) {
			socklen_t l = sizeof(sa);
			getsockname(fd, (struct sockaddr *)&sa, &l);
			p = ntohs(sa.sin_port);
		}
		s->lfd[i] = fd;
		ev_fd_set(ev, fd, EV_READ, on_accept, s);
	}
	*port = p;
	return s;
}

void fsmtp_stop(fsmtp *s)
{
	if (!s)
		return;
	for (int i = 0; i < MAXC; i++)
		if (s->c[i])
			conn_free(s->c[i]);
	for (int i = 0; i < s->n; i++) {
		if (s->lfd[i] >= 0) {
			ev_fd_del(s->ev, s->lfd[i]);
			close(s->lfd[i]);
		}
		buf_free(&s->log[i]);
	}
	free(s);
}

static int li_of(const fsmtp *s, const char *addr)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->conf[i].addr, addr))
			return i;
	return -1;
}

unsigned fsmtp_connections(const fsmtp *s, const char *addr)
{
	int i = li_of(s, addr);
	return i < 0 ? 0 : s->conns[i];
}

unsigned fsmtp_rcpts(const fsmtp *s, const char *addr)
{
	int i = li_of(s, addr);
	return i < 0 ? 0 : s->rcpts[i];
}

const char *fsmtp_log(const fsmtp *s, const char *addr)
{
	int i = li_of(s, addr);
	return i < 0 ? "" : buf_str(&s->log[i]);
}
