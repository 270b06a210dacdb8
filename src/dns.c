#include "mailvet/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/ev.h"
#include "mailvet/netguard.h"
#include "mailvet/text.h"

struct dns {
	ev_loop *ev;
	ares_channel ch;
	uint64_t timer;        /* ev timer for ares_timeout, 0 if none */
	unsigned pending;
	bool destroying;
	uint64_t rng;
};

struct lookup {
	dns *d;
	dns_route_cb *cb;
	void *arg;
	bool allow_private;
	unsigned waiting;      /* address lookups outstanding */
	const char *problem;   /* static text: why an address lookup failed */
	char domain[256];
	dns_route route;
};

const char *route_status_name(route_status s)
{
	switch (s) {
	case ROUTE_OK: return "ok";
	case ROUTE_NXDOMAIN: return "nxdomain";
	case ROUTE_NULL_MX: return "null_mx";
	case ROUTE_NO_HOSTS: return "no_hosts";
	case ROUTE_UNSAFE: return "unsafe";
	case ROUTE_TEMPFAIL: return "tempfail";
	}
	return "?";
}

const char *dns_addr_str(const struct sockaddr_storage *ss, char out[64])
{
	const void *p = NULL;
	if (ss->ss_family == AF_INET)
		p = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		p = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	if (!p || !inet_ntop(ss->ss_family, p, out, 64))
		snprintf(out, 64, "?");
	return out;
}

/* ---- c-ares on the event loop ---------------------------------------------- */

static void schedule(dns *d);

static void on_fd(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	dns *d = arg;
	(void)ev;
	ares_process_fd(d->ch, (evs & (EV_READ | EV_ERROR)) ? fd : ARES_SOCKET_BAD,
			(evs & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	schedule(d);
}

static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	dns *d = data;
	if (!readable && !writable)
		ev_fd_del(d->ev, fd);
	else
		ev_fd_set(d->ev, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0),
			  on_fd, d);
}

static void on_timeout(ev_loop *ev, void *arg)
{
	dns *d = arg;
	(void)ev;
	d->timer = 0;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	schedule(d);
}

/* Keep one ev timer at c-ares' next timeout while anything is pending. */
static void schedule(dns *d)
{
	if (d->destroying)
		return;
	if (d->timer) {
		ev_timer_del(d->ev, d->timer);
		d->timer = 0;
	}
	if (!d->pending)
		return;
	struct timeval tv, *t = ares_timeout(d->ch, NULL, &tv);
	uint64_t ms = t ? (uint64_t)t->tv_sec * 1000u + (uint64_t)t->tv_usec / 1000u : 1000;
	d->timer = ev_timer_add(d->ev, ms ? ms : 1, on_timeout, d);
}

dns *dns_create(ev_loop *ev, const char *servers, int timeout_ms, int tries,
		mv_status *st)
{
	static bool lib_ready;
	struct ares_options o;
	dns *d = calloc(1, sizeof(*d));

	*st = MV_NOMEM;
	if (!d)
		return NULL;
	if (!lib_ready) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
			goto fail;
		lib_ready = true;
	}
	d->ev = ev;
	d->rng = ev_clock_ms() * 0x9e3779b97f4a7c15ull | 1;
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = d;
	o.timeout = timeout_ms > 0 ? timeout_ms : 3000;
	o.tries = tries > 0 ? tries : 2;
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
	o.ednspsz = 1232;
	o.lookups = (char *)"b";
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
		   ARES_OPT_FLAGS | ARES_OPT_LOOKUPS | ARES_OPT_EDNSPSZ;
	int r = ares_init_options(&d->ch, &o, mask);
	if (r != ARES_SUCCESS) {
		*st = r == ARES_ENOMEM ? MV_NOMEM : MV_IO;
		goto fail;
	}
	if (servers && *servers) {
		r = ares_set_servers_ports_csv(d->ch, servers);
		if (r != ARES_SUCCESS) {
			*st = MV_USAGE;
			ares_destroy(d->ch);
			goto fail;
		}
	}
	*st = MV_OK;
	return d;
fail:
	free(d);
	return NULL;
}

void dns_destroy(dns *d)
{
	if (!d)
		return;
	d->destroying = true;
	if (d->timer)
		ev_timer_del(d->ev, d->timer);
	ares_destroy(d->ch);      /* callbacks run with ARES_EDESTRUCTION */
	free(d);
}

unsigned dns_pending(const dns *d)
{
	return d->pending;
}

/* ---- answers ------------------------------------------------------------------- */

const char *dns_answer_status_name(dns_answer_status s)
{
	switch (s) {
	case ANSWER_OK: return "ok";
	case ANSWER_MALFORMED: return "malformed answer";
	case ANSWER_TRUNCATED: return "truncated answer";
	case ANSWER_CNAME_LOOP: return "CNAME loop";
	}
	return "?";
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The offset after a (maybe compressed) name at off, or 0 when it is bad. */
static size_t skip_name(const unsigned char *m, size_t len, size_t off)
{
	for (unsigned labels = 0; labels < 128 && off < len; labels++) {
		unsigned l = m[off];
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l & 0xc0)
			return 0;
		off += 1 + l;
		if (l == 0)
			return off <= len ? off : 0;
	}
	return 0;
}

/* The name at off, lower case, without the trailing dot; false when bad. */
static bool read_name(const unsigned char *m, size_t len, size_t off, char out[256])
{
	char *s = NULL;
	long used;
	if (off >= len || ares_expand_name(m + off, m, (int)len, &s, &used) != ARES_SUCCESS)
		return false;
	size_t n = strlen(s);
	bool ok = n < 256;
	if (ok) {
		memcpy(out, s, n + 1);
		text_lower(out, n);
	}
	ares_free_string(s);
	return ok;
}

static bool same_name(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);
	if (an && a[an - 1] == '.')
		an--;
	if (bn && b[bn - 1] == '.')
		bn--;
	return text_ieq(a, an, b, bn);
}

/* One answer record's header: owner at *owner, type, ttl, rdata at *rd. */
struct rr_head {
	size_t owner, rd;
	unsigned type, rdlen;
	uint32_t ttl;
};

static bool read_rr(const unsigned char *m, size_t len, size_t off, struct rr_head *h)
{
	size_t o = skip_name(m, len, off);
	if (!o || o + 10 > len)
		return false;
	h->owner = off;
	h->type = get16(m + o);
	h->ttl = (uint32_t)m[o + 4] << 24 | (uint32_t)m[o + 5] << 16 | (uint32_t)m[o + 6] << 8 | m[o + 7];
	h->rdlen = get16(m + o + 8);
	h->rd = o + 10;
	return h->rd + h->rdlen <= len;
}

dns_answer_status dns_answer_parse(const unsigned char *m, size_t len, const char *qname,
				   uint16_t qtype, dns_record_cb *cb, void *arg)
{
	struct rr_head h;
	char cur[256], name[256];
	size_t off = 12;

	if (!m || len < 12 || len > 65535 || !qname || strlen(qname) >= sizeof(cur))
		return ANSWER_MALFORMED;
	if (m[2] & 0x02)
		return ANSWER_TRUNCATED;
	unsigned qd = get16(m + 4), an = get16(m + 6);
	for (unsigned i = 0; i < qd; i++) {
		off = skip_name(m, len, off);
		if (!off || off + 4 > len)
			return ANSWER_MALFORMED;
		off += 4;
	}
	size_t first = off;
	snprintf(cur, sizeof(cur), "%s", qname);
	/* the chain: each pass finds the CNAME owned by cur (and checks every
	 * record's framing on the way) */
	for (unsigned hop = 0;; hop++) {
		bool moved = false;
		off = first;
		for (unsigned i = 0; i < an && !moved; i++) {
			if (!read_rr(m, len, off, &h))
				return ANSWER_MALFORMED;
			off = h.rd + h.rdlen;
			if (h.type != ns_t_cname || qtype == ns_t_cname)
				continue;
			if (!read_name(m, len, h.owner, name))
				return ANSWER_MALFORMED;
			if (!same_name(name, cur))
				continue;
			if (!read_name(m, len, h.rd, name))
				return ANSWER_MALFORMED;
			moved = true;
		}
		if (!moved)
			break;
		if (hop == DNS_MAX_CNAMES)
			return ANSWER_CNAME_LOOP;
		memcpy(cur, name, sizeof(cur));
	}
	/* the records of the asked type at the end of the chain */
	off = first;
	for (unsigned i = 0; i < an; i++) {
		if (!read_rr(m, len, off, &h))
			return ANSWER_MALFORMED;
		off = h.rd + h.rdlen;
		if (h.type != qtype)
			continue;
		if (!read_name(m, len, h.owner, name))
			return ANSWER_MALFORMED;
		if (!same_name(name, cur))
			continue;
		dns_record rec;
		memset(&rec, 0, sizeof(rec));
		rec.type = qtype;
		rec.ttl = h.ttl;
		if (qtype == ns_t_a || qtype == ns_t_aaaa) {
			if (h.rdlen != (qtype == ns_t_a ? 4u : 16u))
				return ANSWER_MALFORMED;
			rec.addr = m + h.rd;
		} else if (qtype == ns_t_mx) {
			if (h.rdlen < 3 || !read_name(m, len, h.rd + 2, name))
				return ANSWER_MALFORMED;
			rec.pref = (uint16_t)get16(m + h.rd);
			rec.host = name;
		}
		if (cb)
			cb(arg, &rec);
	}
	return ANSWER_OK;
}

/* Smallest TTL among the answer records of a raw DNS message. */
static uint32_t answer_ttl(const unsigned char *m, int len)
{
	if (len < 12)
		return 0;
	unsigned qd = (unsigned)(m[4] << 8 | m[5]), an = (unsigned)(m[6] << 8 | m[7]);
	int p = 12;
	uint32_t best = UINT32_MAX;
	for (unsigned i = 0; i < qd + an; i++) {
		/* skip a name: labels or a compression pointer */
		while (p < len) {
			unsigned l = m[p];
			if ((l & 0xc0) == 0xc0) {
				p += 2;
				break;
			}
			p += 1 + (int)l;
			if (l == 0)
				break;
		}
		if (i < qd) {
			p += 4;
			continue;
		}
		if (p + 10 > len)
			break;
		uint32_t ttl = (uint32_t)m[p + 4] << 24 | (uint32_t)m[p + 5] << 16 |
			       (uint32_t)m[p + 6] << 8 | m[p + 7];
		unsigned rdlen = (unsigned)(m[p + 8] << 8 | m[p + 9]);
		if (ttl < best)
			best = ttl;
		p += 10 + (int)rdlen;
	}
	return best == UINT32_MAX ? 0 : best;
}

/* A temporary failure of an address lookup (not "no such name/data"). */
static bool status_temp(int st)
{
	return st != ARES_SUCCESS && st != ARES_ENOTFOUND && st != ARES_ENODATA;
}

static int by_family(const void *a, const void *b)
{
	const struct sockaddr_storage *x = a, *y = b;
	return (x->ss_family == AF_INET6) - (y->ss_family == AF_INET6);
}

static void finish(struct lookup *l)
{
	dns *d = l->d;
	dns_route *r = &l->route;

	if (r->status == ROUTE_OK) {
		/* Keep hosts that kept an address, in order. */
		size_t k = 0, unsafe = 0, temp = 0;
		for (size_t i = 0; i < r->nhosts; i++) {
			dns_host *h = &r->hosts[i];
			unsafe += h->nunsafe;
			if (status_temp(h->status))
				temp++;
			if (h->naddr) {
				qsort(h->addr, h->naddr, sizeof(h->addr[0]), by_family);
				if (k != i)
					r->hosts[k] = *h;
				k++;
			}
		}
		r->nhosts = k;
		if (!k) {
			if (unsafe) {
				r->status = ROUTE_UNSAFE;
			} else if (temp) {
				r->status = ROUTE_TEMPFAIL;
				snprintf(r->detail, sizeof(r->detail), "MX host lookup failed: %s",
					 l->problem ? l->problem : "?");
			} else {
				r->status = ROUTE_NO_HOSTS;
			}
		}
	}
	if (r->ttl == UINT32_MAX)
		r->ttl = 300;
	d->pending--;
	if (!d->destroying)
		l->cb(l->arg, r);
	free(l);
	schedule(d);
}

struct host_ctx {
	struct lookup *l;
	size_t idx;
	uint16_t type;
};

struct addr_ctx {
	struct lookup *l;
	dns_host *h;
	unsigned kept;          /* of this family */
};

static void on_addr_record(void *arg, const dns_record *rec)
{
	struct addr_ctx *ac = arg;
	dns_host *h = ac->h;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (rec->type == ns_t_a) {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)&ss;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, rec->addr, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, rec->addr, 16);
	}
	if (!ac->l->allow_private && netguard_is_unsafe((const struct sockaddr *)&ss)) {
		if (h->nunsafe < 255)
			h->nunsafe++;
		return;
	}
	if (ac->kept >= DNS_MAX_ADDRS / 2 || h->naddr >= DNS_MAX_ADDRS)
		return;
	h->addr[h->naddr++] = ss;
	ac->kept++;
	if (rec->ttl < ac->l->route.ttl)
		ac->l->route.ttl = rec->ttl;
}

/* One family's answer for one host (A or AAAA, c-ares ares_query). */
static void on_addr(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct host_ctx *hc = arg;
	struct lookup *l = hc->l;
	dns_host *h = &l->route.hosts[hc->idx];
	uint16_t type = hc->type;
	(void)timeouts;
	free(hc);
	if (status == ARES_EDESTRUCTION) {
		if (--l->waiting == 0) {
			l->d->pending--;
			free(l);
		}
		return;
	}
	int st = status;
	if ((status == ARES_SUCCESS || status == ARES_ENODATA) && abuf && alen > 0) {
		struct addr_ctx ac = { l, h, 0 };
		dns_answer_status as = dns_answer_parse(abuf, (size_t)alen, h->name, type,
							on_addr_record, &ac);
		if (as != ANSWER_OK) {
			st = ARES_EBADRESP;
			l->problem = dns_answer_status_name(as);
		} else if (status == ARES_SUCCESS && !ac.kept && !h->nunsafe) {
			st = ARES_ENODATA;    /* only other owners' records */
		}
	} else if (status_temp(status)) {
		l->problem = ares_strerror(status);
	}
	/* the worst of the two families: a failure, then an answer, then none */
	if (h->status < 0 || status_temp(st) ||
	    (!status_temp(h->status) && st == ARES_SUCCESS))
		h->status = st;
	if (--l->waiting == 0)
		finish(l);
}

static void resolve_hosts(struct lookup *l)
{
	static const uint16_t types[2] = { ns_t_a, ns_t_aaaa };
	/* One reference more than lookups, held by this loop: callbacks may
	 * run inside ares_query, and l must outlive the loop. */
	size_t n = l->route.nhosts;
	l->waiting = 1;
	for (size_t i = 0; i < n; i++)
		l->route.hosts[i].status = -1;
	for (size_t i = 0; i < n; i++) {
		for (size_t t = 0; t < 2; t++) {
			struct host_ctx *hc = malloc(sizeof(*hc));
			if (!hc) {
				l->route.hosts[i].status = ARES_ENOMEM;
				l->problem = "out of memory";
				continue;
			}
			hc->l = l;
			hc->idx = i;
			hc->type = types[t];
			l->waiting++;
			ares_query(l->d->ch, l->route.hosts[i].name, C_IN, types[t], on_addr, hc);
		}
	}
	if (--l->waiting == 0)
		finish(l);
}

static uint64_t next_rand(dns *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static void tempfail(struct lookup *l, const char *what)
{
	l->route.status = ROUTE_TEMPFAIL;
	snprintf(l->route.detail, sizeof(l->route.detail), "%s", what);
	finish(l);
}

/*
 * The MX hosts kept: the DNS_MAX_HOSTS best by preference over the whole
 * answer (however many records it has), equal preferences in random order.
 */
struct mx_pick {
	struct lookup *l;
	size_t total, nulls, n;
	uint64_t keys[DNS_MAX_HOSTS];
};

static void on_mx_record(void *arg, const dns_record *rec)
{
	struct mx_pick *p = arg;
	dns_route *r = &p->l->route;
	p->total++;
	if (rec->host[0] == '\0') {
		p->nulls++;
		return;
	}
	uint64_t key = (uint64_t)rec->pref << 48 | next_rand(p->l->d) >> 16;
	size_t i = p->n;
	if (i == DNS_MAX_HOSTS) {
		if (key >= p->keys[i - 1])
			return;
		i--;
	} else {
		p->n++;
	}
	while (i > 0 && p->keys[i - 1] > key) {
		p->keys[i] = p->keys[i - 1];
		r->hosts[i] = r->hosts[i - 1];
		i--;
	}
	p->keys[i] = key;
	memset(&r->hosts[i], 0, sizeof(r->hosts[i]));
	snprintf(r->hosts[i].name, sizeof(r->hosts[i].name), "%s", rec->host);
	r->hosts[i].pref = rec->pref;
}

static void implicit_route(struct lookup *l)
{
	/* RFC 5321 5.1: no MX, the domain itself is the mail host. */
	dns_route *r = &l->route;
	r->implicit = true;
	r->nhosts = 1;
	memset(&r->hosts[0], 0, sizeof(r->hosts[0]));
	snprintf(r->hosts[0].name, sizeof(r->hosts[0].name), "%s", l->domain);
	r->ttl = 3600;
	resolve_hosts(l);
}

static void on_mx(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct lookup *l = arg;
	dns_route *r = &l->route;
	(void)timeouts;

	if (status == ARES_EDESTRUCTION) {
		l->d->pending--;
		free(l);
		return;
	}
	if (status == ARES_ENOTFOUND) {
		r->status = ROUTE_NXDOMAIN;
		finish(l);
		return;
	}
	if (status != ARES_SUCCESS && status != ARES_ENODATA) {
		tempfail(l, ares_strerror(status));
		return;
	}
	if (!abuf || alen <= 0) {
		implicit_route(l);
		return;
	}
	struct mx_pick pick;
	memset(&pick, 0, sizeof(pick));
	pick.l = l;
	dns_answer_status as = dns_answer_parse(abuf, (size_t)alen, l->domain, ns_t_mx,
						on_mx_record, &pick);
	if (as != ANSWER_OK) {
		tempfail(l, as == ANSWER_MALFORMED ? "malformed MX answer" : dns_answer_status_name(as));
		return;
	}
	if (pick.total == 0) {
		/* no MX (NODATA, or a CNAME chain ending without one) */
		implicit_route(l);
		return;
	}
	r->nmx = pick.total;
	r->ttl = answer_ttl(abuf, alen);
	r->nhosts = pick.n;
	if (!r->nhosts) {
		r->status = pick.nulls ? ROUTE_NULL_MX : ROUTE_NO_HOSTS;
		finish(l);
		return;
	}
	resolve_hosts(l);
}

mv_status dns_route_lookup(dns *d, const char *domain, bool allow_private,
			   dns_route_cb *cb, void *arg)
{
	size_t n = strlen(domain);
	if (n == 0 || n >= 254)
		return MV_USAGE;
	struct lookup *l = calloc(1, sizeof(*l));
	if (!l)
		return MV_NOMEM;
	l->d = d;
	l->cb = cb;
	l->arg = arg;
	l->allow_private = allow_private;
	memcpy(l->domain, domain, n + 1);
	l->route.status = ROUTE_OK;
	l->route.ttl = UINT32_MAX;
	d->pending++;
	ares_query(d->ch, domain, C_IN, T_MX, on_mx, l);
	schedule(d);
	return MV_OK;
}

/* ---- plain lookups (doctor) ---------------------------------------------------- */

struct plain {
	dns *d;
	dns_addrs_cb *acb;
	dns_names_cb *ncb;
	void *arg;
};

static struct plain *plain_new(dns *d, dns_addrs_cb *acb, dns_names_cb *ncb, void *arg)
{
	struct plain *p = calloc(1, sizeof(*p));
	if (p) {
		p->d = d;
		p->acb = acb;
		p->ncb = ncb;
		p->arg = arg;
		d->pending++;
	}
	return p;
}

static void plain_end(struct plain *p)
{
	dns *d = p->d;
	d->pending--;
	free(p);
	schedule(d);
}

static void on_plain_addrs(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct plain *p = arg;
	struct sockaddr_storage addrs[DNS_MAX_ADDRS];
	size_t n = 0;
	(void)timeouts;
	if (status == ARES_SUCCESS && res) {
		for (struct ares_addrinfo_node *a = res->nodes; a && n < DNS_MAX_ADDRS; a = a->ai_next) {
			if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
				continue;
			memset(&addrs[n], 0, sizeof(addrs[n]));
			memcpy(&addrs[n], a->ai_addr,
			       a->ai_addrlen <= sizeof(addrs[n]) ? a->ai_addrlen : sizeof(addrs[n]));
			n++;
		}
	}
	if (res)
		ares_freeaddrinfo(res);
	if (status != ARES_EDESTRUCTION && !p->d->destroying)
		p->acb(p->arg, status, addrs, n);
	plain_end(p);
}

mv_status dns_query_addrs(dns *d, const char *name, dns_addrs_cb *cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct plain *p = plain_new(d, cb, NULL, arg);
	if (!p)
		return MV_NOMEM;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	ares_getaddrinfo(d->ch, name, NULL, &hints, on_plain_addrs, p);
	schedule(d);
	return MV_OK;
}

static void on_plain_txt(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct plain *p = arg;
	const char *names[16];
	size_t n = 0;
	struct ares_txt_ext *txt = NULL;
	(void)timeouts;
	if (status == ARES_SUCCESS && ares_parse_txt_reply_ext(abuf, alen, &txt) == ARES_SUCCESS) {
		for (struct ares_txt_ext *t = txt; t && n < 16; t = t->next)
			if (t->record_start)
				names[n++] = (const char *)t->txt;
	}
	if (status != ARES_EDESTRUCTION && !p->d->destroying)
		p->ncb(p->arg, status, names, n);
	if (txt)
		ares_free_data(txt);
	plain_end(p);
}

mv_status dns_query_txt(dns *d, const char *name, dns_names_cb *cb, void *arg)
{
	struct plain *p = plain_new(d, NULL, cb, arg);
	if (!p)
		return MV_NOMEM;
	ares_query(d->ch, name, C_IN, T_TXT, on_plain_txt, p);
	schedule(d);
	return MV_OK;
}

static void on_plain_ptr(void *arg, int status, int timeouts, struct hostent *h)
{
	struct plain *p = arg;
	const char *names[1];
	size_t n = 0;
	(void)timeouts;
	if (status == ARES_SUCCESS && h && h->h_name)
		names[n++] = h->h_name;
	if (status != ARES_EDESTRUCTION && !p->d->destroying)
		p->ncb(p->arg, status, names, n);
	plain_end(p);
}

mv_status dns_query_ptr(dns *d, const struct sockaddr_storage *addr, dns_names_cb *cb, void *arg)
{
	struct plain *p = plain_new(d, NULL, cb, arg);
	if (!p)
		return MV_NOMEM;
	if (addr->ss_family == AF_INET)
		ares_gethostbyaddr(d->ch, &((const struct sockaddr_in *)(const void *)addr)->sin_addr,
				   sizeof(struct in_addr), AF_INET, on_plain_ptr, p);
	else
		ares_gethostbyaddr(d->ch, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr,
				   sizeof(struct in6_addr), AF_INET6, on_plain_ptr, p);
	schedule(d);
	return MV_OK;
}
