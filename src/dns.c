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
			if (h->status != ARES_SUCCESS && h->status != ARES_ENOTFOUND &&
			    h->status != ARES_ENODATA)
				temp++;
			if (h->naddr) {
				if (k != i)
					r->hosts[k] = *h;
				k++;
			}
		}
		r->nhosts = k;
		if (!k) {
			if (unsafe)
				r->status = ROUTE_UNSAFE;
			else if (temp) {
				r->status = ROUTE_TEMPFAIL;
				snprintf(r->detail, sizeof(r->detail), "MX host lookup failed");
			} else
				r->status = ROUTE_NO_HOSTS;
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

static int by_family(const void *a, const void *b)
{
	const struct sockaddr_storage *x = a, *y = b;
	return (x->ss_family == AF_INET6) - (y->ss_family == AF_INET6);
}

struct host_ctx {
	struct lookup *l;
	size_t idx;
};

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct host_ctx *hc = arg;
	struct lookup *l = hc->l;
	dns_host *h = &l->route.hosts[hc->idx];
	(void)timeouts;
	free(hc);
	h->status = status;
	if (status == ARES_EDESTRUCTION) {
		if (res)
			ares_freeaddrinfo(res);
		if (--l->waiting == 0) {
			l->d->pending--;
			free(l);
		}
		return;
	}
	if (status == ARES_SUCCESS && res) {
		for (struct ares_addrinfo_node *n = res->nodes; n; n = n->ai_next) {
			if (n->ai_family != AF_INET && n->ai_family != AF_INET6)
				continue;
			if (!l->allow_private && netguard_is_unsafe(n->ai_addr)) {
				if (h->nunsafe < 255)
					h->nunsafe++;
				continue;
			}
			if (h->naddr >= DNS_MAX_ADDRS)
				break;
			memset(&h->addr[h->naddr], 0, sizeof(h->addr[0]));
			memcpy(&h->addr[h->naddr], n->ai_addr,
			       n->ai_addrlen <= sizeof(h->addr[0]) ? n->ai_addrlen : sizeof(h->addr[0]));
			h->naddr++;
			if (n->ai_ttl >= 0 && (uint32_t)n->ai_ttl < l->route.ttl)
				l->route.ttl = (uint32_t)n->ai_ttl;
		}
		qsort(h->addr, h->naddr, sizeof(h->addr[0]), by_family);
	}
	if (res)
		ares_freeaddrinfo(res);
	if (--l->waiting == 0)
		finish(l);
}

static void resolve_hosts(struct lookup *l)
{
	struct ares_addrinfo_hints hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	/* One reference more than lookups, held by this loop: callbacks may
	 * run inside ares_getaddrinfo, and l must outlive the loop. */
	size_t n = l->route.nhosts;
	l->waiting = (unsigned)n + 1;
	for (size_t i = 0; i < n; i++) {
		struct host_ctx *hc = malloc(sizeof(*hc));
		if (!hc) {
			l->route.hosts[i].status = ARES_ENOMEM;
			l->waiting--;
			continue;
		}
		hc->l = l;
		hc->idx = i;
		ares_getaddrinfo(l->d->ch, l->route.hosts[i].name, NULL, &hints, on_addrinfo, hc);
	}
	if (--l->waiting == 0)
		finish(l);
}

static int by_pref(const void *a, const void *b)
{
	const dns_host *x = a, *y = b;
	return (int)x->pref - (int)y->pref;
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
	if (status == ARES_ENODATA) {
		/* RFC 5321 5.1: no MX, the domain itself is the mail host. */
		r->implicit = true;
		r->nhosts = 1;
		r->hosts[0].pref = 0;
		snprintf(r->hosts[0].name, sizeof(r->hosts[0].name), "%s", l->domain);
		r->ttl = 3600;
		resolve_hosts(l);
		return;
	}
	if (status != ARES_SUCCESS) {
		tempfail(l, ares_strerror(status));
		return;
	}
	struct ares_mx_reply *mx = NULL;
	int pr = ares_parse_mx_reply(abuf, alen, &mx);
	if (pr == ARES_ENODATA) {
		/* answers, but no MX among them (e.g. only a CNAME chain) */
		r->implicit = true;
		r->nhosts = 1;
		snprintf(r->hosts[0].name, sizeof(r->hosts[0].name), "%s", l->domain);
		r->ttl = 3600;
		resolve_hosts(l);
		return;
	}
	if (pr != ARES_SUCCESS) {
		tempfail(l, "malformed MX answer");
		return;
	}
	r->ttl = answer_ttl(abuf, alen);
	size_t total = 0, nulls = 0;
	static dns_host all[64];   /* one lookup at a time: the loop is single-threaded */
	size_t nall = 0;
	for (struct ares_mx_reply *m = mx; m; m = m->next) {
		total++;
		const char *h = m->host ? m->host : "";
		if (h[0] == '\0' || (h[0] == '.' && h[1] == '\0')) {
			nulls++;
			continue;
		}
		if (nall < sizeof(all) / sizeof(all[0]) && strlen(h) < sizeof(all[0].name)) {
			memset(&all[nall], 0, sizeof(all[0]));
			snprintf(all[nall].name, sizeof(all[0].name), "%s", h);
			all[nall].pref = m->priority;
			nall++;
		}
	}
	ares_free_data(mx);
	r->nmx = total;
	if (nulls && nall == 0) {
		r->status = ROUTE_NULL_MX;
		finish(l);
		return;
	}
	/* shuffle, then a stable sort by preference: equal preferences mixed */
	for (size_t i = nall; i > 1; i--) {
		size_t j = (size_t)(next_rand(l->d) % i);
		dns_host t = all[i - 1];
		all[i - 1] = all[j];
		all[j] = t;
	}
	for (size_t i = 1; i < nall; i++) {      /* insertion sort: stable */
		dns_host t = all[i];
		size_t j = i;
		while (j > 0 && by_pref(&all[j - 1], &t) > 0) {
			all[j] = all[j - 1];
			j--;
		}
		all[j] = t;
	}
	r->nhosts = nall < DNS_MAX_HOSTS ? nall : DNS_MAX_HOSTS;
	memcpy(r->hosts, all, r->nhosts * sizeof(dns_host));
	if (!r->nhosts) {
		r->status = ROUTE_NO_HOSTS;
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
