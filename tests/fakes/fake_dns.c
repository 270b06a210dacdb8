/*
 * fake_dns — a small scriptable authoritative DNS server for the tests and
 * the demo network. UDP and TCP on one loopback address and port; answers
 * from a zone/scenario file; logs every query it receives.
 *
 * Usage:
 *   fake_dns --listen 127.0.0.1:5354 --zone FILE [--log FILE] [--pidfile FILE]
 *
 *   --listen ADDR:PORT  loopback only (127.0.0.0/8 or [::1]); port 0 picks a
 *                       free port (the same for UDP and TCP).
 *   --zone FILE         records and scenario directives (below).
 *   --log FILE          one line per query received (appended, flushed).
 *   --pidfile FILE      written once listening, removed on exit.
 *
 * Once both sockets listen it prints "ready" on stdout (or "ready PORT" when
 * port 0 was asked for) and flushes. SIGTERM or SIGINT: clean exit, status 0.
 *
 * Zone file: one item per line; '#' starts a comment; blank lines ignored.
 * Names are case-insensitive, a trailing dot is optional.
 *
 *   NAME A     192.0.2.1          [ttl=N]
 *   NAME AAAA  ::1                [ttl=N]
 *   NAME MX    10 mx.host.test    [ttl=N]   (null MX: "NAME MX 0 .")
 *   NAME CNAME target.test        [ttl=N]
 *   NAME NS    ns.host.test       [ttl=N]
 *   NAME PTR   host.test          [ttl=N]
 *   NAME TXT   "v=spf1 -all" "more"  or  TXT some bare text  [ttl=N]
 *
 * Default ttl is 300. Two CNAMEs pointing at each other make a CNAME loop
 * (the chain is followed at most 8 hops).
 *
 * Scenario directives (TYPE, when given, limits the directive to queries
 * of that type; without it the directive applies to every type):
 *
 *   NAME SERVFAIL  [TYPE]      answer SERVFAIL
 *   NAME REFUSED   [TYPE]      answer REFUSED
 *   NAME TIMEOUT   [TYPE]      never answer (UDP and TCP)
 *   NAME TRUNCATE  [MODE] [TYPE]   over UDP: the TC bit; MODE says what else:
 *          empty     (default) no records over UDP; over TCP the full answer
 *          partial   the first record only over UDP; over TCP the full answer
 *          tcpclose  over TCP the connection is closed without an answer
 *          always    TC and no records over TCP too
 *   NAME MALFORMED [KIND] [TYPE]   a broken reply; KIND:
 *          cut       (default) right ID, answer section cut short
 *          ptrloop   the answer's owner name is a compression pointer to itself
 *          rdlen     a record whose data length runs past the end
 *          wrongid   the full answer under another ID (a client must ignore it)
 *          question  the full answer for another question name (same)
 *   NAME DELAY MS  [TYPE]      wait MS milliseconds before answering
 *   NAME MANYMX N [ADDR]       MX queries get N records "10 mxK.NAME"
 *                              (K = 1..N); more than fits in UDP sets TC,
 *                              the full set comes over TCP (up to 64 KiB).
 *                              With ADDR (IPv4 or IPv6), every mxK.NAME has
 *                              that address (A or AAAA).
 *
 * Answers: AA set for every name; a name with no records and no directive,
 * that is not the parent of a known name, is NXDOMAIN; a known name with no
 * records of the asked type is NOERROR with an empty answer (NODATA). Only
 * class IN is served (others: REFUSED); opcodes other than QUERY: NOTIMP.
 * An EDNS0 OPT in the query is honoured (its UDP size, 512..4096) and an
 * OPT is returned; without one, UDP answers are limited to 512 bytes.
 *
 * Log line per query:  QNAME QTYPE PROTO CLIENT -> RESULT an=N
 *   e.g. "real-ok.test MX udp 127.0.0.1:40211 -> NOERROR an=1"
 * QNAME is written as received (case kept, odd bytes as \DDD), QTYPE by
 * name (A, MX, ... or TYPEnnn). RESULT is NOERROR, NXDOMAIN, SERVFAIL,
 * REFUSED, FORMERR, NOTIMP, TIMEOUT (no answer), MALFORMED, TRUNCATED or
 * CLOSED (TRUNCATE tcpclose over TCP).
 * An unparsable query logs "(unparsable) - PROTO CLIENT -> FORMERR an=0"
 * (or "-> DROPPED" when even the header is short).
 *
 * Input from clients is hostile: every read is bounded by the packet or
 * TCP length prefix; at most 256 TCP connections (idle ones closed after
 * 30 s); at most 4096 delayed answers pending.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailvet/buf.h"
#include "mailvet/text.h"

#define MAX_NAME      256       /* presentation form, with escapes */
#define MAX_LINE      4096      /* zone file line */
#define MAX_TCP       256
#define MAX_PENDING   4096
#define MAX_HOPS      8
#define TCP_IDLE_MS   30000
#define DEFAULT_TTL   300

enum {
	T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_PTR = 12, T_MX = 15,
	T_TXT = 16, T_AAAA = 28, T_SRV = 33, T_OPT = 41, T_ANY = 255
};

enum { RC_NOERROR = 0, RC_FORMERR = 1, RC_SERVFAIL = 2, RC_NXDOMAIN = 3,
	RC_NOTIMP = 4, RC_REFUSED = 5 };

typedef enum {
	D_SERVFAIL, D_REFUSED, D_TIMEOUT, D_TRUNCATE, D_MALFORMED, D_DELAY,
	D_MANYMX
} directive_kind;

typedef struct rr {
	char name[MAX_NAME];    /* lower case, no trailing dot */
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	unsigned char *rdata;   /* owned, wire form (names uncompressed) */
	char target[MAX_NAME];  /* CNAME target, lower case, for chasing */
} rr;

typedef struct directive {
	char name[MAX_NAME];
	directive_kind kind;
	uint16_t type;          /* 0: any */
	long arg;
	int mode;               /* TRUNCATE: TR_*, MALFORMED: MF_* */
	uint16_t addr_type;     /* MANYMX: T_A or T_AAAA when an address is given */
	unsigned char addr[16];
} directive;

enum { TR_EMPTY, TR_PARTIAL, TR_TCPCLOSE, TR_ALWAYS };
enum { MF_CUT, MF_PTRLOOP, MF_RDLEN, MF_WRONGID, MF_QUESTION };

static const char *const truncate_modes[] = { "empty", "partial", "tcpclose", "always", NULL };
static const char *const malformed_kinds[] = { "cut", "ptrloop", "rdlen", "wrongid", "question", NULL };

static int word_index(const char *const *words, const char *w)
{
	for (int i = 0; words[i]; i++)
		if (text_ieq(w, strlen(w), words[i], strlen(words[i])))
			return i;
	return -1;
}

typedef struct zone {
	rr *rrs;
	size_t nrrs, caprrs;
	directive *dirs;
	size_t ndirs, capdirs;
} zone;

typedef struct tcpconn {
	int fd;
	unsigned id;
	char peer[64];
	buf in;                 /* length-prefixed queries */
	buf out;                /* pending bytes to write */
	size_t out_off;
	long long last_ms;
} tcpconn;

typedef struct pending {
	long long due_ms;
	bool tcp;
	unsigned conn_id;       /* tcp: which connection */
	struct sockaddr_storage to;
	socklen_t tolen;
	unsigned char *data;    /* owned; tcp: with length prefix */
	size_t len;
} pending;

typedef struct server {
	zone z;
	int udp, tcp;
	tcpconn *conns[MAX_TCP];
	unsigned next_id;
	bool close_conn;        /* set by handle(): close this TCP connection */
	pending *pend;
	size_t npend;
	FILE *log;
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

/* ---- names --------------------------------------------------------------- */

/* Lower-case a presentation name and drop one trailing dot ("." -> ""). */
static bool name_norm(const char *in, char out[MAX_NAME])
{
	size_t n = strlen(in);
	if (n && in[n - 1] == '.')
		n--;
	if (n >= MAX_NAME)
		return false;
	memcpy(out, in, n);
	out[n] = '\0';
	text_lower(out, n);
	return true;
}

/* Presentation name -> uncompressed wire form. Returns length or 0. */
static size_t name_to_wire(const char *name, unsigned char *out, size_t cap)
{
	size_t o = 0;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || o + 1 + l + 1 > cap)
			return 0;
		out[o++] = (unsigned char)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (o + 1 > cap)
		return 0;
	out[o++] = 0;
	return o;
}

/*
 * Read an uncompressed name from a query (compression is refused in a
 * question). Writes the presentation form as received, odd bytes as \DDD.
 * Returns the offset after the name, or 0 on error.
 */
static size_t name_from_query(const unsigned char *m, size_t len, size_t off,
	char out[MAX_NAME])
{
	size_t o = 0, total = 0;
	out[0] = '\0';
	for (;;) {
		if (off >= len)
			return 0;
		unsigned l = m[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len)
			return 0;
		total += l + 1;
		if (total > 255)
			return 0;
		if (o && o + 1 < MAX_NAME)
			out[o++] = '.';
		for (unsigned i = 0; i < l; i++) {
			unsigned char c = m[off + i];
			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
				if (o + 1 >= MAX_NAME)
					return 0;
				out[o++] = (char)c;
			} else {
				if (o + 5 >= MAX_NAME)
					return 0;
				int w = snprintf(out + o, MAX_NAME - o, "\\%03u", c);
				o += (size_t)w;
			}
		}
		out[o] = '\0';
		off += l;
	}
	out[o] = '\0';
	return off;
}

static size_t skip_name(const unsigned char *m, size_t len, size_t off)
{
	for (unsigned guard = 0; guard < 128; guard++) {
		if (off >= len)
			return 0;
		unsigned l = m[off];
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l > 63)
			return 0;
		off += 1 + l;
		if (l == 0)
			return off;
	}
	return 0;
}

/* True when `parent` is `child` or one of its ancestors (both normalized). */
static bool name_under(const char *child, const char *parent)
{
	size_t c = strlen(child), p = strlen(parent);
	if (p == 0)
		return true;
	if (c < p || strcmp(child + c - p, parent) != 0)
		return false;
	return c == p || child[c - p - 1] == '.';
}

static const struct { const char *name; uint16_t type; } type_names[] = {
	{ "A", T_A }, { "NS", T_NS }, { "CNAME", T_CNAME }, { "SOA", T_SOA },
	{ "PTR", T_PTR }, { "MX", T_MX }, { "TXT", T_TXT }, { "AAAA", T_AAAA },
	{ "SRV", T_SRV }, { "OPT", T_OPT }, { "ANY", T_ANY },
};

static uint16_t type_from_name(const char *s)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (text_ieq(s, strlen(s), type_names[i].name, strlen(type_names[i].name)))
			return type_names[i].type;
	return 0;
}

static const char *type_to_name(uint16_t t, char tmp[16])
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == t)
			return type_names[i].name;
	snprintf(tmp, 16, "TYPE%u", (unsigned)t);
	return tmp;
}

/* ---- zone file ------------------------------------------------------------- */

static bool zone_add_rr(zone *z, const rr *r)
{
	if (z->nrrs == z->caprrs) {
		size_t cap = z->caprrs ? z->caprrs * 2 : 32;
		rr *p = realloc(z->rrs, cap * sizeof(*p));
		if (!p)
			return false;
		z->rrs = p;
		z->caprrs = cap;
	}
	z->rrs[z->nrrs++] = *r;
	return true;
}

static bool zone_add_dir(zone *z, const directive *d)
{
	if (z->ndirs == z->capdirs) {
		size_t cap = z->capdirs ? z->capdirs * 2 : 16;
		directive *p = realloc(z->dirs, cap * sizeof(*p));
		if (!p)
			return false;
		z->dirs = p;
		z->capdirs = cap;
	}
	z->dirs[z->ndirs++] = *d;
	return true;
}

static void zone_free(zone *z)
{
	for (size_t i = 0; i < z->nrrs; i++)
		free(z->rrs[i].rdata);
	free(z->rrs);
	free(z->dirs);
	memset(z, 0, sizeof(*z));
}

/* Split a line into whitespace-separated words, keeping "quoted strings". */
static size_t split_words(char *s, char **w, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (*s == '"') {
			w[n++] = s;     /* keep the quote as a marker */
			s++;
			while (*s && *s != '"')
				s++;
			if (*s == '"')
				s++;
			if (*s)
				*s++ = '\0';
			continue;
		}
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/*
 * TXT data: "quoted" "strings" each become one character-string; bare words
 * are joined with single spaces into one. Strings over 255 bytes are split.
 */
static bool put_charstrings(buf *out, const char *s, size_t n)
{
	do {
		size_t chunk = n > 255 ? 255 : n;
		unsigned char l = (unsigned char)chunk;
		if (buf_append(out, &l, 1) || buf_append(out, s, chunk))
			return false;
		s += chunk;
		n -= chunk;
	} while (n > 0);
	return true;
}

static bool build_txt(char **w, size_t nw, buf *out)
{
	if (w[0][0] != '"') {
		buf joined;
		bool ok = true;
		buf_init(&joined, 65000);
		for (size_t i = 0; i < nw && ok; i++)
			ok = (!i || !buf_append_char(&joined, ' ')) &&
				!buf_append_str(&joined, w[i]);
		ok = ok && put_charstrings(out, buf_str(&joined), joined.len);
		buf_free(&joined);
		return ok;
	}
	for (size_t i = 0; i < nw; i++) {
		const char *s = w[i];
		size_t n = strlen(s);
		if (s[0] != '"' || n < 2 || s[n - 1] != '"')
			return false;
		if (!put_charstrings(out, s + 1, n - 2))
			return false;
	}
	return true;
}

static int zone_load(zone *z, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[MAX_LINE + 2];
	unsigned lineno = 0;
	int rc = -1;
	buf rd;

	buf_init(&rd, 65535);
	if (!f) {
		fprintf(stderr, "fake_dns: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			fprintf(stderr, "fake_dns: %s:%u: line too long\n", path, lineno);
			goto out;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *hash = NULL;
		bool inq = false;
		for (char *p = line; *p; p++) {
			if (*p == '"')
				inq = !inq;
			else if (*p == '#' && !inq) {
				hash = p;
				break;
			}
		}
		if (hash)
			*hash = '\0';
		char *w[128];
		size_t nw = split_words(line, w, 128);
		if (nw == 0)
			continue;
		uint32_t ttl = DEFAULT_TTL;
		if (nw > 2 && strncmp(w[nw - 1], "ttl=", 4) == 0) {
			long t;
			if (!parse_long(w[nw - 1] + 4, 0, 2147483647L, &t)) {
				fprintf(stderr, "fake_dns: %s:%u: bad ttl\n", path, lineno);
				goto out;
			}
			ttl = (uint32_t)t;
			nw--;
		}
		if (nw < 2) {
			fprintf(stderr, "fake_dns: %s:%u: expected NAME TYPE DATA\n", path, lineno);
			goto out;
		}
		char name[MAX_NAME];
		if (!name_norm(w[0], name)) {
			fprintf(stderr, "fake_dns: %s:%u: name too long\n", path, lineno);
			goto out;
		}
		static const struct { const char *word; directive_kind kind; int nargs; } dk[] = {
			{ "SERVFAIL", D_SERVFAIL, 0 }, { "REFUSED", D_REFUSED, 0 },
			{ "TIMEOUT", D_TIMEOUT, 0 }, { "TRUNCATE", D_TRUNCATE, 0 },
			{ "MALFORMED", D_MALFORMED, 0 }, { "DELAY", D_DELAY, 1 },
			{ "MANYMX", D_MANYMX, 1 },
		};
		bool is_dir = false;
		for (size_t i = 0; i < sizeof(dk) / sizeof(dk[0]); i++) {
			if (!text_ieq(w[1], strlen(w[1]), dk[i].word, strlen(dk[i].word)))
				continue;
			directive d;
			memset(&d, 0, sizeof(d));
			memcpy(d.name, name, sizeof(d.name));
			d.kind = dk[i].kind;
			size_t at = 2;
			if (dk[i].nargs) {
				long hi = d.kind == D_DELAY ? 600000 : 10000;
				if (nw < 3 || !parse_long(w[2], d.kind == D_MANYMX ? 1 : 0, hi, &d.arg)) {
					fprintf(stderr, "fake_dns: %s:%u: %s needs a number\n",
						path, lineno, dk[i].word);
					goto out;
				}
				at = 3;
			}
			if (d.kind == D_MANYMX && at < nw) {
				if (inet_pton(AF_INET, w[at], d.addr) == 1) {
					d.addr_type = T_A;
					at++;
				} else if (inet_pton(AF_INET6, w[at], d.addr) == 1) {
					d.addr_type = T_AAAA;
					at++;
				}
			}
			if ((d.kind == D_TRUNCATE || d.kind == D_MALFORMED) && at < nw) {
				int m = word_index(d.kind == D_TRUNCATE ? truncate_modes : malformed_kinds, w[at]);
				if (m >= 0) {
					d.mode = m;
					at++;
				}
			}
			if (at < nw) {
				d.type = type_from_name(w[at]);
				if (!d.type || at + 1 < nw) {
					fprintf(stderr, "fake_dns: %s:%u: bad type filter\n", path, lineno);
					goto out;
				}
			}
			if (!zone_add_dir(z, &d))
				goto out;
			is_dir = true;
			break;
		}
		if (is_dir)
			continue;

		rr r;
		memset(&r, 0, sizeof(r));
		memcpy(r.name, name, sizeof(r.name));
		r.type = type_from_name(w[1]);
		r.ttl = ttl;
		buf_reset(&rd);
		unsigned char wire[256];
		size_t wl;
		bool ok = nw >= 3;
		switch (ok ? r.type : 0) {
		case T_A: {
			struct in_addr a;
			ok = nw == 3 && inet_pton(AF_INET, w[2], &a) == 1 &&
				!buf_append(&rd, &a, 4);
			break;
		}
		case T_AAAA: {
			struct in6_addr a;
			ok = nw == 3 && inet_pton(AF_INET6, w[2], &a) == 1 &&
				!buf_append(&rd, &a, 16);
			break;
		}
		case T_MX: {
			long pref;
			char target[MAX_NAME];
			ok = nw == 4 && parse_long(w[2], 0, 65535, &pref) &&
				name_norm(w[3], target) &&
				(wl = name_to_wire(target, wire, sizeof(wire))) > 0;
			if (ok) {
				unsigned char p[2] = { (unsigned char)(pref >> 8), (unsigned char)pref };
				ok = !buf_append(&rd, p, 2) && !buf_append(&rd, wire, wl);
			}
			break;
		}
		case T_CNAME:
		case T_NS:
		case T_PTR:
			ok = nw == 3 && name_norm(w[2], r.target) &&
				(wl = name_to_wire(r.target, wire, sizeof(wire))) > 0 &&
				!buf_append(&rd, wire, wl);
			break;
		case T_TXT:
			ok = build_txt(w + 2, nw - 2, &rd);
			break;
		default:
			ok = false;
		}
		if (!ok) {
			fprintf(stderr, "fake_dns: %s:%u: cannot parse record\n", path, lineno);
			goto out;
		}
		r.rdlen = (uint16_t)rd.len;
		r.rdata = malloc(rd.len ? rd.len : 1);
		if (!r.rdata)
			goto out;
		memcpy(r.rdata, rd.data, rd.len);
		if (!zone_add_rr(z, &r)) {
			free(r.rdata);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&rd);
	fclose(f);
	return rc;
}

static bool name_exists(const zone *z, const char *name)
{
	for (size_t i = 0; i < z->nrrs; i++)
		if (name_under(z->rrs[i].name, name))
			return true;
	for (size_t i = 0; i < z->ndirs; i++)
		if (name_under(z->dirs[i].name, name))
			return true;
	return false;
}

static const directive *find_dir(const zone *z, const char *name, uint16_t qtype,
	directive_kind kind)
{
	for (size_t i = 0; i < z->ndirs; i++) {
		const directive *d = &z->dirs[i];
		if (d->kind == kind && strcmp(d->name, name) == 0 &&
		    (d->type == 0 || d->type == qtype))
			return d;
	}
	return NULL;
}

/* NAME is "mxK.PARENT" and PARENT has "MANYMX N ADDR" with 1 <= K <= N: that directive. */
static const directive *manymx_host(const zone *z, const char *name)
{
	if (strncmp(name, "mx", 2) != 0)
		return NULL;
	char *end;
	errno = 0;
	long k = strtol(name + 2, &end, 10);
	if (errno || end == name + 2 || *end != '.' || k < 1)
		return NULL;
	for (size_t i = 0; i < z->ndirs; i++) {
		const directive *d = &z->dirs[i];
		if (d->kind == D_MANYMX && d->addr_type && k <= d->arg && strcmp(d->name, end + 1) == 0)
			return d;
	}
	return NULL;
}

/* ---- answers ----------------------------------------------------------------- */

typedef struct answer {
	buf msg;
	size_t ancount;
	int rcode;
	const char *result;     /* for the log */
	bool drop;
	bool close;             /* TCP: close the connection, no answer */
	long delay_ms;
	size_t first_end;       /* message length after the first answer record */
} answer;

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Append an RR; owner NULL = pointer to the question name (offset 12). */
static bool put_rr(buf *m, const char *owner, uint16_t type, uint32_t ttl,
	const unsigned char *rdata, size_t rdlen)
{
	unsigned char h[10];
	if (owner) {
		unsigned char wire[256];
		size_t wl = name_to_wire(owner, wire, sizeof(wire));
		if (!wl || buf_append(m, wire, wl))
			return false;
	} else {
		unsigned char ptr[2] = { 0xc0, 0x0c };
		if (buf_append(m, ptr, 2))
			return false;
	}
	put16(h, type);
	put16(h + 2, 1);
	h[4] = (unsigned char)(ttl >> 24);
	h[5] = (unsigned char)(ttl >> 16);
	h[6] = (unsigned char)(ttl >> 8);
	h[7] = (unsigned char)ttl;
	put16(h + 8, (unsigned)rdlen);
	return !buf_append(m, h, 10) && !buf_append(m, rdata, rdlen);
}

static void set_counts(buf *m, size_t an, bool opt)
{
	put16((unsigned char *)m->data + 6, (unsigned)an);
	put16((unsigned char *)m->data + 8, 0);
	put16((unsigned char *)m->data + 10, opt ? 1 : 0);
}

static bool put_opt(buf *m)
{
	unsigned char o[11] = { 0, 0, T_OPT, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
	return !buf_append(m, o, sizeof(o));      /* udp size 1232 */
}

/*
 * Build the answer to one query. The message starts with the header and the
 * question copied from the query.
 */
static void answer_query(const server *s, const unsigned char *q, size_t qlen,
	bool tcp, answer *a, char qname[MAX_NAME], uint16_t *qtype_out)
{
	const zone *z = &s->z;
	size_t udp_max = 512;
	bool has_opt = false;

	a->ancount = 0;
	a->rcode = RC_NOERROR;
	a->drop = false;
	a->close = false;
	a->first_end = 0;
	a->delay_ms = 0;
	a->result = NULL;
	memcpy(qname, "(unparsable)", sizeof("(unparsable)"));
	*qtype_out = 0;

	if (qlen < 12 || (q[2] & 0x80)) {
		a->drop = true;
		a->result = "DROPPED";
		return;
	}
	unsigned opcode = (q[2] >> 3) & 0x0f;
	unsigned qd = get16(q + 4), an = get16(q + 6), ns = get16(q + 8), ar = get16(q + 10);
	unsigned char hdr[12];
	memcpy(hdr, q, 2);
	hdr[2] = (unsigned char)(0x80 | (opcode << 3) | 0x04 | (q[2] & 0x01));
	hdr[3] = 0;
	memset(hdr + 4, 0, 8);
	buf_append(&a->msg, hdr, 12);

	size_t qend = 0;
	char rawname[MAX_NAME];
	if (qd == 1)
		qend = name_from_query(q, qlen, 12, rawname);
	if (qd != 1 || qend == 0 || qend + 4 > qlen) {
		a->rcode = RC_FORMERR;
		a->result = "FORMERR";
		put16((unsigned char *)a->msg.data + 4, 0);
		a->msg.data[3] = RC_FORMERR;
		return;
	}
	memcpy(qname, rawname, MAX_NAME);
	uint16_t qtype = (uint16_t)get16(q + qend);
	uint16_t qclass = (uint16_t)get16(q + qend + 2);
	*qtype_out = qtype;
	buf_append(&a->msg, q + 12, qend + 4 - 12);
	put16((unsigned char *)a->msg.data + 4, 1);

	/* skip answer/authority, look for OPT in additional (bounded) */
	size_t off = qend + 4;
	for (unsigned i = 0; i < an + ns + ar && i < 64; i++) {
		size_t o = skip_name(q, qlen, off);
		if (!o || o + 10 > qlen)
			break;
		uint16_t t = (uint16_t)get16(q + o);
		size_t rdlen = get16(q + o + 8);
		if (o + 10 + rdlen > qlen)
			break;
		if (t == T_OPT && i >= an + ns && q[off] == 0) {
			has_opt = true;
			size_t sz = get16(q + o + 2);
			udp_max = sz < 512 ? 512 : sz > 4096 ? 4096 : sz;
		}
		off = o + 10 + rdlen;
	}

	if (opcode != 0) {
		a->rcode = RC_NOTIMP;
		a->result = "NOTIMP";
		goto done;
	}
	if (qclass != 1) {
		a->rcode = RC_REFUSED;
		a->result = "REFUSED";
		goto done;
	}

	char name[MAX_NAME];
	name_norm(rawname, name);
	const directive *d;
	if ((d = find_dir(z, name, qtype, D_DELAY)))
		a->delay_ms = d->arg;
	if (find_dir(z, name, qtype, D_TIMEOUT)) {
		a->drop = true;
		a->result = "TIMEOUT";
		return;
	}
	if (find_dir(z, name, qtype, D_SERVFAIL)) {
		a->rcode = RC_SERVFAIL;
		a->result = "SERVFAIL";
		goto done;
	}
	if (find_dir(z, name, qtype, D_REFUSED)) {
		a->rcode = RC_REFUSED;
		a->result = "REFUSED";
		goto done;
	}
	const directive *bad = find_dir(z, name, qtype, D_MALFORMED);
	if (bad && bad->mode == MF_CUT) {
		static const unsigned char junk[] = { 0xc0, 0x0c, 0x00, 0x0f, 0x00 };
		put16((unsigned char *)a->msg.data + 6, 3);
		buf_append(&a->msg, junk, sizeof(junk));
		a->result = "MALFORMED";
		return;
	}
	if (bad && (bad->mode == MF_PTRLOOP || bad->mode == MF_RDLEN)) {
		/* one record: owner pointing at itself, or data running past the end */
		size_t at = a->msg.len;
		unsigned char rec[2 + 10 + 4] = { 0xc0, 0x0c };
		if (bad->mode == MF_PTRLOOP) {
			rec[0] = (unsigned char)(0xc0 | (at >> 8));
			rec[1] = (unsigned char)at;
		}
		put16(rec + 2, qtype);
		put16(rec + 4, 1);
		put16(rec + 8, 300);
		put16(rec + 10, bad->mode == MF_RDLEN ? 0xffff : 4);
		rec[12] = 127;
		rec[15] = 1;
		buf_append(&a->msg, rec, sizeof(rec));
		put16((unsigned char *)a->msg.data + 6, 1);
		a->result = "MALFORMED";
		return;
	}

	const directive *many = manymx_host(z, name);
	if (many) {
		if (qtype == many->addr_type || qtype == T_ANY) {
			if (put_rr(&a->msg, NULL, many->addr_type, DEFAULT_TTL, many->addr,
				many->addr_type == T_A ? 4 : 16))
				a->ancount++;
		}
	} else if (qtype == T_MX && (d = find_dir(z, name, qtype, D_MANYMX))) {
		for (long k = 1; k <= d->arg; k++) {
			unsigned char rd[2 + 1 + 16 + 2];
			char label[16];
			int ll = snprintf(label, sizeof(label), "mx%ld", k);
			put16(rd, 10);
			rd[2] = (unsigned char)ll;
			memcpy(rd + 3, label, (size_t)ll);
			rd[3 + ll] = 0xc0;
			rd[4 + ll] = 0x0c;
			if (a->msg.len + 12 + 5 + (size_t)ll + 11 > 65535)
				break;
			if (!put_rr(&a->msg, NULL, T_MX, DEFAULT_TTL, rd, 5 + (size_t)ll))
				break;
			if (++a->ancount == 1)
				a->first_end = a->msg.len;
		}
	} else {
		char cur[MAX_NAME];
		memcpy(cur, name, sizeof(cur));
		for (int hop = 0; hop <= MAX_HOPS; hop++) {
			bool found = false;
			const char *cname = NULL;
			uint32_t cname_ttl = 0;
			const rr *cname_rr = NULL;
			for (size_t i = 0; i < z->nrrs; i++) {
				const rr *r = &z->rrs[i];
				if (strcmp(r->name, cur) != 0)
					continue;
				if (r->type == qtype || qtype == T_ANY) {
					if (put_rr(&a->msg, hop ? cur : NULL, r->type, r->ttl,
						r->rdata, r->rdlen) && ++a->ancount == 1)
						a->first_end = a->msg.len;
					found = true;
				} else if (r->type == T_CNAME) {
					cname = r->target;
					cname_ttl = r->ttl;
					cname_rr = r;
				}
			}
			if (found || !cname || hop == MAX_HOPS) {
				if (!found && !cname && !name_exists(z, cur)) {
					a->rcode = RC_NXDOMAIN;
				}
				break;
			}
			if (put_rr(&a->msg, hop ? cur : NULL, T_CNAME, cname_ttl,
				cname_rr->rdata, cname_rr->rdlen) && ++a->ancount == 1)
				a->first_end = a->msg.len;
			memmove(cur, cname, sizeof(cur));
		}
	}
	a->result = a->rcode == RC_NXDOMAIN ? "NXDOMAIN" : "NOERROR";

	const directive *tr = find_dir(z, name, qtype, D_TRUNCATE);
	if (tr && tcp && tr->mode == TR_TCPCLOSE) {
		a->close = true;
		a->ancount = 0;
		a->result = "CLOSED";
		return;
	}
	if ((!tcp && (tr || a->msg.len + (has_opt ? 11 : 0) > udp_max)) ||
	    (tcp && tr && tr->mode == TR_ALWAYS)) {
		/* TC set; header + question only, or the first record */
		if (tr && tr->mode == TR_PARTIAL && a->first_end) {
			a->msg.len = a->first_end;
			a->ancount = 1;
		} else {
			a->msg.len = 12 + (qend + 4 - 12);
			a->ancount = 0;
		}
		a->msg.data[2] |= 0x02;
		a->result = "TRUNCATED";
	}
	if (bad && bad->mode == MF_WRONGID) {
		a->msg.data[0] ^= 0x5a;
		a->result = "MALFORMED";
	} else if (bad && bad->mode == MF_QUESTION && qend > 13) {
		a->msg.data[13] = a->msg.data[13] == 'x' ? 'y' : 'x';
		a->result = "MALFORMED";
	}
done:
	a->msg.data[3] = (char)(a->rcode & 0x0f);
	set_counts(&a->msg, a->ancount, has_opt);
	if (has_opt)
		put_opt(&a->msg);
}

/* ---- server ---------------------------------------------------------------------- */

static void log_query(server *s, const char *qname, uint16_t qtype, bool tcp,
	const char *peer, const answer *a)
{
	if (!s->log)
		return;
	char tmp[16];
	const char *tn = qtype ? type_to_name(qtype, tmp) : "-";
	fprintf(s->log, "%s %s %s %s -> %s an=%zu\n", qname, tn, tcp ? "tcp" : "udp",
		peer, a->result ? a->result : "?", a->ancount);
	fflush(s->log);
}

static void addr_text(const struct sockaddr *sa, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, n, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, n, "[%s]:%u", host, port);
	} else {
		snprintf(out, n, "?");
	}
}

static bool queue_pending(server *s, const pending *p)
{
	if (s->npend >= MAX_PENDING)
		return false;
	s->pend[s->npend++] = *p;
	return true;
}

static tcpconn *conn_by_id(server *s, unsigned id)
{
	for (int i = 0; i < MAX_TCP; i++)
		if (s->conns[i] && s->conns[i]->id == id)
			return s->conns[i];
	return NULL;
}

static void conn_close(server *s, int i)
{
	tcpconn *c = s->conns[i];
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
	s->conns[i] = NULL;
}

static void conn_flush(tcpconn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t w = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
			MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		c->out_off += (size_t)w;
	}
	buf_reset(&c->out);
	c->out_off = 0;
}

static void conn_send(tcpconn *c, const unsigned char *p, size_t n)
{
	if (c->out_off && c->out_off == c->out.len) {
		buf_reset(&c->out);
		c->out_off = 0;
	}
	if (buf_append(&c->out, p, n) == MV_OK)
		conn_flush(c);
}

/* Handle one query from UDP (c == NULL) or TCP. */
static void handle(server *s, const unsigned char *q, size_t qlen, tcpconn *c,
	const struct sockaddr_storage *from, socklen_t fromlen)
{
	answer a;
	char qname[MAX_NAME], peer[64];
	uint16_t qtype;

	buf_init(&a.msg, 65535 + 2);
	if (c)
		snprintf(peer, sizeof(peer), "%s", c->peer);
	else
		addr_text((const struct sockaddr *)from, peer, sizeof(peer));
	answer_query(s, q, qlen, c != NULL, &a, qname, &qtype);
	log_query(s, qname, qtype, c != NULL, peer, &a);
	if (a.close && c)
		s->close_conn = true;
	if (a.drop || a.close || a.msg.len == 0)
		goto out;

	pending p;
	memset(&p, 0, sizeof(p));
	p.tcp = c != NULL;
	size_t extra = c ? 2 : 0;
	p.len = a.msg.len + extra;
	p.data = malloc(p.len);
	if (!p.data)
		goto out;
	if (c)
		put16(p.data, (unsigned)a.msg.len);
	memcpy(p.data + extra, a.msg.data, a.msg.len);
	if (c)
		p.conn_id = c->id;
	else {
		p.to = *from;
		p.tolen = fromlen;
	}
	if (a.delay_ms > 0) {
		p.due_ms = now_ms() + a.delay_ms;
		if (queue_pending(s, &p))
			p.data = NULL;
	} else if (c) {
		conn_send(c, p.data, p.len);
	} else {
		sendto(s->udp, p.data, p.len, 0, (const struct sockaddr *)&p.to, p.tolen);
	}
	free(p.data);
out:
	buf_free(&a.msg);
}

static void run_pending(server *s)
{
	long long now = now_ms();
	size_t i = 0;
	while (i < s->npend) {
		pending *p = &s->pend[i];
		if (p->due_ms > now) {
			i++;
			continue;
		}
		if (p->tcp) {
			tcpconn *c = conn_by_id(s, p->conn_id);
			if (c)
				conn_send(c, p->data, p->len);
		} else {
			sendto(s->udp, p->data, p->len, 0, (const struct sockaddr *)&p->to, p->tolen);
		}
		free(p->data);
		s->pend[i] = s->pend[--s->npend];
	}
}

static void udp_read(server *s)
{
	unsigned char q[65536];
	for (int n = 0; n < 64; n++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(s->udp, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		if (r < 0)
			return;
		handle(s, q, (size_t)r, NULL, &from, fl);
	}
}

static void tcp_accept(server *s)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int fd = accept(s->tcp, (struct sockaddr *)&from, &fl);
		if (fd < 0)
			return;
		int slot = -1;
		for (int i = 0; i < MAX_TCP; i++)
			if (!s->conns[i]) {
				slot = i;
				break;
			}
		tcpconn *c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
		if (!c || set_nonblock(fd) < 0) {
			free(c);
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->id = ++s->next_id;
		addr_text((struct sockaddr *)&from, c->peer, sizeof(c->peer));
		buf_init(&c->in, 2 * (65535 + 2) + 16384);
		buf_init(&c->out, 1 << 20);
		c->last_ms = now_ms();
		s->conns[slot] = c;
	}
}

/* Returns false when the connection must be closed. */
static bool tcp_read(server *s, tcpconn *c)
{
	char tmp[16384];
	for (;;) {
		ssize_t r = recv(c->fd, tmp, sizeof(tmp), 0);
		if (r == 0)
			return false;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->last_ms = now_ms();
		if (buf_append(&c->in, tmp, (size_t)r))
			return false;
		while (c->in.len >= 2) {
			size_t ml = get16((unsigned char *)c->in.data);
			if (c->in.len < 2 + ml)
				break;
			s->close_conn = false;
			handle(s, (unsigned char *)c->in.data + 2, ml, c, NULL, 0);
			buf_consume(&c->in, 2 + ml);
			if (s->close_conn)
				return false;
		}
		if (c->out.len - c->out_off > (1u << 19))
			return false;       /* client does not read its answers */
	}
}

static bool parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *colon;
	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host))
			return false;
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host))
			return false;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
	}
	long port;
	if (!parse_long(colon + 1, 0, 65535, &port))
		return false;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return false;           /* loopback only */
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

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static unsigned sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static unsigned get_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return 0;
	return sockaddr_port(&ss);
}

/* Bind UDP and TCP on the same port; port 0: try ephemeral ports. */
static int open_sockets(server *s, struct sockaddr_storage *ss, socklen_t sl)
{
	bool any = sockaddr_port(ss) == 0;
	for (int attempt = 0; attempt < (any ? 50 : 1); attempt++) {
		int one = 1;
		s->udp = socket(ss->ss_family, SOCK_DGRAM, 0);
		s->tcp = socket(ss->ss_family, SOCK_STREAM, 0);
		if (s->udp < 0 || s->tcp < 0)
			goto fail;
		setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (any)
			set_port(ss, 0);
		if (bind(s->udp, (struct sockaddr *)ss, sl) < 0)
			goto fail;
		if (any)
			set_port(ss, get_port(s->udp));
		if (bind(s->tcp, (struct sockaddr *)ss, sl) < 0 || listen(s->tcp, 256) < 0)
			goto fail;
		if (set_nonblock(s->udp) < 0 || set_nonblock(s->tcp) < 0)
			goto fail;
		return 0;
fail:
		if (!any || errno != EADDRINUSE) {
			perror("fake_dns: bind");
			attempt = 1000;
		}
		if (s->udp >= 0)
			close(s->udp);
		if (s->tcp >= 0)
			close(s->tcp);
		s->udp = s->tcp = -1;
	}
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: fake_dns --listen ADDR:PORT --zone FILE "
		"[--log FILE] [--pidfile FILE]\n");
}

int main(int argc, char **argv)
{
	const char *listen_spec = NULL, *zone_path = NULL, *log_path = NULL,
		*pid_path = NULL;
	server s;
	int rc = 1;
	bool pid_written = false;

	memset(&s, 0, sizeof(s));
	s.udp = s.tcp = -1;
	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;
		if (!strcmp(argv[i], "--listen"))
			dst = &listen_spec;
		else if (!strcmp(argv[i], "--zone"))
			dst = &zone_path;
		else if (!strcmp(argv[i], "--log"))
			dst = &log_path;
		else if (!strcmp(argv[i], "--pidfile"))
			dst = &pid_path;
		if (!dst || i + 1 >= argc) {
			usage();
			return 2;
		}
		*dst = argv[++i];
	}
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	if (!listen_spec || !zone_path) {
		usage();
		return 2;
	}
	if (!parse_listen(listen_spec, &ss, &sl)) {
		fprintf(stderr, "fake_dns: --listen %s: need a loopback ADDR:PORT\n", listen_spec);
		return 2;
	}
	bool auto_port = sockaddr_port(&ss) == 0;
	if (zone_load(&s.z, zone_path) < 0)
		goto out;
	if (log_path && !(s.log = fopen(log_path, "a"))) {
		fprintf(stderr, "fake_dns: %s: %s\n", log_path, strerror(errno));
		goto out;
	}
	s.pend = calloc(MAX_PENDING, sizeof(*s.pend));
	if (!s.pend || pipe(g_sigpipe) < 0)
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

	if (open_sockets(&s, &ss, sl) < 0)
		goto out;
	if (pid_path) {
		FILE *pf = fopen(pid_path, "w");
		if (!pf) {
			fprintf(stderr, "fake_dns: %s: %s\n", pid_path, strerror(errno));
			goto out;
		}
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
		pid_written = true;
	}
	if (auto_port)
		printf("ready %u\n", get_port(s.udp));
	else
		printf("ready\n");
	fflush(stdout);

	struct pollfd pfd[3 + MAX_TCP];
	int map[3 + MAX_TCP];
	while (!g_stop) {
		int n = 0;
		pfd[n].fd = g_sigpipe[0];
		pfd[n++].events = POLLIN;
		pfd[n].fd = s.udp;
		pfd[n++].events = POLLIN;
		pfd[n].fd = s.tcp;
		pfd[n++].events = POLLIN;
		long long now = now_ms();
		long long wake = now + 1000;
		for (int i = 0; i < MAX_TCP; i++) {
			tcpconn *c = s.conns[i];
			if (!c)
				continue;
			if (now - c->last_ms > TCP_IDLE_MS && c->out_off == c->out.len) {
				conn_close(&s, i);
				continue;
			}
			map[n] = i;
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN | (c->out_off < c->out.len ? POLLOUT : 0);
			n++;
		}
		for (size_t i = 0; i < s.npend; i++)
			if (s.pend[i].due_ms < wake)
				wake = s.pend[i].due_ms;
		int timeout = wake > now ? (int)(wake - now) : 0;
		int r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			if (pfd[1].revents & POLLIN)
				udp_read(&s);
			if (pfd[2].revents & POLLIN)
				tcp_accept(&s);
			for (int k = 3; k < n; k++) {
				tcpconn *c = s.conns[map[k]];
				if (!c || c->fd != pfd[k].fd || !pfd[k].revents)
					continue;
				if (pfd[k].revents & POLLOUT)
					conn_flush(c);
				if ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) && !tcp_read(&s, c))
					conn_close(&s, map[k]);
			}
		}
		run_pending(&s);
	}
	rc = 0;
out:
	for (int i = 0; i < MAX_TCP; i++)
		if (s.conns[i])
			conn_close(&s, i);
	for (size_t i = 0; i < s.npend; i++)
		free(s.pend[i].data);
	free(s.pend);
	if (s.udp >= 0)
		close(s.udp);
	if (s.tcp >= 0)
		close(s.tcp);
	if (s.log)
		fclose(s.log);
	if (pid_written)
		unlink(pid_path);
	for (int i = 0; i < 2; i++)
		if (g_sigpipe[i] >= 0)
			close(g_sigpipe[i]);
	zone_free(&s.z);
	return rc;
}
