#include "mailvet/verify.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mailvet/buf.h"
#include "mailvet/cache.h"
#include "mailvet/config.h"
#include "mailvet/dns.h"
#include "mailvet/ev.h"
#include "mailvet/intern.h"
#include "mailvet/netguard.h"
#include "mailvet/reply.h"
#include "mailvet/result.h"
#include "mailvet/smtp.h"
#include "mailvet/text.h"

#define DNS_PARALLEL 64
#define HOST_BACKOFF_MS 30000u
#define DNS_RETRY_MS 2000u
#define FD_RESERVE 32          /* descriptors kept for all but SMTP sessions */
#define TEMP_RETRY_MS 60000u
#define TRANSCRIPTS_MAX (64u << 20)

/* ---- growable arrays of u32 --------------------------------------------- */

typedef struct u32vec {
	uint32_t *v;
	size_t n, cap, head;    /* FIFO: items [head, n) */
} u32vec;

static bool vec_push(u32vec *q, uint32_t x)
{
	if (q->head && q->head == q->n)
		q->head = q->n = 0;
	if (q->n == q->cap) {
		if (q->head > q->cap / 2) {
			memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(uint32_t));
			q->n -= q->head;
			q->head = 0;
		} else {
			size_t nc = q->cap ? q->cap * 2 : 8;
			uint32_t *p = realloc(q->v, nc * sizeof(uint32_t));
			if (!p)
				return false;
			q->v = p;
			q->cap = nc;
		}
	}
	q->v[q->n++] = x;
	return true;
}

static size_t vec_len(const u32vec *q) { return q->n - q->head; }
static uint32_t vec_pop(u32vec *q) { return q->v[q->head++]; }
static void vec_free(u32vec *q) { free(q->v); memset(q, 0, sizeof(*q)); }

/* ---- the model ---------------------------------------------------------------- */

enum ca_state { CA_UNKNOWN, CA_PROBING, CA_YES, CA_NO, CA_INCONCLUSIVE };
enum dom_state { D_NEW, D_WAIT_DNS, D_RESOLVING, D_ROUTED, D_DEAD };
enum trust { T_UNCALIBRATED, T_CALIBRATING, T_TRUSTED, T_SINGLE };
enum row_state { R_IDLE, R_QUEUED, R_SENT, R_HELD, R_WAIT, R_DONE, R_BLOCKED };
enum tag_kind { K_ROW = 0, K_PROBE = 1, K_CALIB = 2 };

struct retry_arg;

struct vrow {
	uint32_t dom;           /* index into domains, UINT32_MAX none */
	uint8_t state;          /* row_state */
	uint8_t tries;
	uint64_t timer;         /* retry timer */
	struct retry_arg *ra;   /* its argument, owned while the timer waits */
};

struct vdomain {
	uint32_t name;          /* results pool id */
	uint8_t state;          /* dom_state */
	uint8_t ca;             /* ca_state */
	uint8_t nhosts, cur;
	uint8_t dns_tries;
	bool probe_inflight;
	bool ca_from_cache;
	uint32_t hosts[DNS_MAX_HOSTS];
	uint32_t provider;
	u32vec ascii, utf8;     /* rows waiting to be sent */
	u32vec held;            /* accepted rows waiting for the catch-all answer */
	uint64_t next_rcpt_at;  /* per-domain rate */
	unsigned probe_tries;
	uint32_t listed_host;   /* host whose list has it last */
	char probe_local[24];   /* the catch-all probe's local part, kept for retries */
	uint64_t probe_at;      /* no probe before this time (greylisted probe) */
	uint64_t dns_timer;     /* DNS retry */
	struct dns_retry *dns_ra;
	uint32_t seen;          /* pump pass that counted it */
};

struct vhost {
	uint32_t name;          /* v->names id */
	uint8_t naddr, addr_cur;
	uint8_t trust;
	bool no_tls;
	bool caps_known, smtputf8;
	struct sockaddr_storage addr[DNS_MAX_ADDRS];
	unsigned sessions;
	unsigned max_rcpts;     /* per session; 1 when single */
	uint64_t backoff_until;
	unsigned backoff_ms;
	u32vec domains;         /* domains routed here (may hold stale ones) */
	uint32_t calib_row;     /* the row being re-asked alone */
	u32vec calib_held;      /* rows whose reject waits for calibration */
	uint32_t provider;
	bool listed;            /* in v->active */
	bool calib_sent;        /* the calibration session is under way */
	unsigned fail_streak;   /* sessions in a row that failed before MAIL FROM */
	unsigned calib_tries;
};

struct vprovider {
	char name[128];
	unsigned answers, sender_rejects;
	bool tripped, paused;
	mv_reason last_reason;
};

struct vsession {
	struct vsession *next, *prev;   /* v->sessions */
	verify *v;
	smtp_session *s;
	uint32_t host;
	unsigned sent, answered, rejects;
	bool single;            /* one RCPT, first position (probe/calibration/single host) */
	uint32_t calib;         /* row to ask alone (K_CALIB), UINT32_MAX none */
	bool closing;
	bool ready;             /* MAIL FROM was accepted once */
	uint32_t transcript;
	u32vec rows;            /* rows sent on this session (for requeue) */
};

struct verify {
	ev_loop *ev;
	const mv_config *cfg;
	results *res;
	cache *cache;
	verify_cb *cb;
	void *arg;
	dns *dns;
	smtp_config scfg;
	char helo[256];

	struct vrow *rows;
	struct vdomain *doms;
	size_t ndoms, capdoms;
	uint32_t *dom_by_name;   /* res pool id -> domain index + 1 */
	size_t dom_by_name_cap;
	struct vhost *hosts;
	size_t nhosts, caphosts;
	intern *names;           /* host names -> ids (index + 1 = id) */
	uint32_t *host_by_name;
	size_t host_by_name_cap;
	struct vprovider *provs;
	size_t nprovs, capprovs;
	intern *provnames;

	struct vsession *sessions;  /* open sessions (owned) */
	u32vec dns_wait;         /* domains waiting for a DNS slot */
	unsigned dns_inflight;
	u32vec active;           /* hosts with work */

	char **transcripts;      /* id - 1 */
	size_t ntranscripts, captranscripts, transcript_bytes;

	verify_stats st;
	unsigned max_sessions;     /* concurrency, within the descriptors we may open */
	unsigned budget;
	uint64_t pump_timer;
	uint64_t wake_timer;
	uint64_t wake_at;
	uint64_t rng;
	bool stopped, done_sent;
	uint32_t pass;           /* pump passes, for de-duplicating lists */
};

/* ---- small helpers ------------------------------------------------------------ */

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static uint64_t rnd(verify *v)
{
	v->rng ^= v->rng << 13;
	v->rng ^= v->rng >> 7;
	v->rng ^= v->rng << 17;
	return v->rng;
}

static mv_str dom_name(const verify *v, const struct vdomain *d)
{
	return results_str(v->res, d->name);
}

static mv_str host_name(const verify *v, const struct vhost *h)
{
	return intern_get(v->names, h->name);
}

static void emit(verify *v, verify_event_type type, size_t row, const char *prov,
		 const char *msg, uint64_t wait)
{
	verify_event e = { type, row, prov, msg, wait };
	if (v->cb)
		v->cb(v->arg, &e);
}

static void schedule_pump(verify *v);

/* MAILVET_TRACE=1: what the engine does, on stderr, for debugging. */
static bool trace_on;
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
	if (!trace_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "[verify %llu] ", (unsigned long long)(ev_clock_ms() % 100000));
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The provider behind an MX host: its registered domain, roughly (the
 * last two labels, three under a two-letter country code's com/co/net).
 */
static void provider_key(const char *host, char *out, size_t cap)
{
	size_t n = strlen(host);
	while (n && host[n - 1] == '.')
		n--;
	size_t dots[3] = { 0 };
	int nd = 0;
	for (size_t i = n; i > 0 && nd < 3; i--)
		if (host[i - 1] == '.')
			dots[nd++] = i;
	size_t start = 0;
	if (nd >= 2) {
		start = dots[1];
		const char *sld = host + dots[1];
		size_t sldlen = dots[0] - 1 - dots[1];
		bool cc = n - dots[0] == 2;
		if (cc && nd >= 3 && (sldlen <= 3 || !strncmp(sld, "co.", 3) ||
				      !strncmp(sld, "com.", 4)))
			start = dots[2];
	}
	snprintf(out, cap, "%.*s", (int)(n - start), host + start);
	for (char *p = out; *p; p++)
		*p = text_ascii_lower(*p);
}

static uint32_t provider_get(verify *v, const char *key)
{
	int added = 0;
	uint32_t id = intern_put(v->provnames, key, strlen(key), &added);
	if (!id)
		return UINT32_MAX;
	if (added) {
		if (v->nprovs == v->capprovs) {
			size_t nc = v->capprovs ? v->capprovs * 2 : 16;
			struct vprovider *p = realloc(v->provs, nc * sizeof(*p));
			if (!p)
				return UINT32_MAX;
			v->provs = p;
			v->capprovs = nc;
		}
		struct vprovider *p = &v->provs[v->nprovs++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", key);
	}
	return id - 1;
}

/* ---- results ---------------------------------------------------------------------- */

static uint32_t ttl_for(const verify *v, int verdict, int reason)
{
	if (reason == REASON_SENDER_BLOCKED || reason == REASON_BUDGET_EXHAUSTED ||
	    reason == REASON_UNSAFE_MX)
		return 0;
	switch (verdict) {
	case VERDICT_DELIVERABLE:
	case VERDICT_RISKY:
		return v->cfg->ttl_positive;
	case VERDICT_INVALID:
		return v->cfg->ttl_negative;
	default:
		return v->cfg->ttl_unknown;
	}
}

/* One line of server text, bounded, for the results. */
static uint32_t pool_reply(verify *v, const smtp_reply *r)
{
	char line[512], e[16];
	if (!r)
		return 0;
	result_enhanced_str(r->enhanced, e);
	int n = snprintf(line, sizeof(line), "%d %s%s%.*s", r->code, e, e[0] ? " " : "",
			 (int)(r->text_len > 460 ? 460 : r->text_len), r->text ? r->text : "");
	if (n < 0)
		return 0;
	for (int i = 0; i < n && i < (int)sizeof(line); i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	return intern_put(v->res->pool, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1), NULL);
}

static void finalize(verify *v, size_t row)
{
	struct vrow *vr = &v->rows[row];
	row_result *r = &v->res->rows[row];
	if (vr->state == R_DONE)
		return;
	if (vr->timer) {
		ev_timer_del(v->ev, vr->timer);
		vr->timer = 0;
		free(vr->ra);
		vr->ra = NULL;
		v->st.waiting_retry--;
	}
	vr->state = R_DONE;
	v->st.done++;
	trace("row %zu final: %s %s", row, verdict_name((mv_verdict)r->verdict),
	      reason_name((mv_reason)r->reason));
	if (v->cache) {
		uint32_t ttl = ttl_for(v, r->verdict, r->reason);
		char abuf[RESULT_ADDR_CAP];
		const char *addr = results_normalized_cstr(v->res, row, abuf);
		if (ttl) {
			cache_result cr;
			memset(&cr, 0, sizeof(cr));
			cr.verdict = r->verdict;
			cr.owner = r->owner;
			cr.reason = r->reason;
			cr.tls = r->tls;
			cr.flags = r->flags & (F_CATCH_ALL | F_FULL_INBOX | F_GREYLISTED);
			cr.smtp_code = r->smtp_code;
			cr.enhanced = r->enhanced;
			mv_str t = results_str(v->res, r->reply);
			snprintf(cr.reply, sizeof(cr.reply), "%.*s", (int)t.len, t.p);
			mv_str m = results_str(v->res, r->mx);
			snprintf(cr.mx, sizeof(cr.mx), "%.*s", (int)m.len, m.p);
			cache_put_result(v->cache, addr, &cr, now_s(), ttl);
		}
		cache_del_retry(v->cache, addr);
	}
	emit(v, VEV_RESULT, row, NULL, NULL, 0);
	schedule_pump(v);
}

static void set_outcome(verify *v, size_t row, int verdict, int owner, int reason,
			const smtp_reply *rep, uint32_t mx, bool tls, uint32_t transcript)
{
	row_result *r = &v->res->rows[row];
	r->verdict = (uint8_t)verdict;
	r->owner = (uint8_t)owner;
	r->reason = (uint8_t)reason;
	r->smtp_code = rep ? (uint16_t)rep->code : 0;
	r->enhanced = rep ? rep->enhanced : 0;
	r->reply = rep ? pool_reply(v, rep) : 0;
	if (mx)
		r->mx = mx;
	r->tls = tls;
	if (transcript)
		r->transcript = transcript;
}

/* A row ends without an SMTP answer (DNS, budget, breaker...). */
static void decide(verify *v, size_t row, int verdict, int owner, int reason)
{
	set_outcome(v, row, verdict, owner, reason, NULL, 0, false, 0);
	finalize(v, row);
}

/* ---- queues ------------------------------------------------------------------------- */

/* A probe is worth its cost only while the domain has rows to decide. */
static bool dom_needs_probe(const struct vdomain *d)
{
	return vec_len(&d->ascii) + vec_len(&d->utf8) + vec_len(&d->held) > 0;
}

static bool row_utf8(const verify *v, size_t row)
{
	return (v->res->rows[row].flags & F_UTF8_LOCAL) != 0;
}

static void host_activate(verify *v, uint32_t h)
{
	if (!v->hosts[h].listed) {
		v->hosts[h].listed = true;
		vec_push(&v->active, h);
	}
	schedule_pump(v);
}

static struct vhost *dom_host(verify *v, struct vdomain *d, uint32_t *hid)
{
	if (d->state != D_ROUTED || d->cur >= d->nhosts)
		return NULL;
	*hid = d->hosts[d->cur];
	return &v->hosts[*hid];
}

static void set_outcome(verify *v, size_t row, int verdict, int owner, int reason,
			const smtp_reply *rep, uint32_t mx, bool tls, uint32_t transcript);

static void enqueue(verify *v, size_t row)
{
	struct vrow *vr = &v->rows[row];
	struct vdomain *d = &v->doms[vr->dom];
	if (d->provider != UINT32_MAX && v->provs[d->provider].tripped) {
		set_outcome(v, row, VERDICT_UNKNOWN, OWNER_SENDER, REASON_SENDER_BLOCKED,
			    NULL, 0, false, 0);
		finalize(v, row);
		vr->state = R_BLOCKED;
		return;
	}
	if (d->state == D_DEAD) {
		d->state = D_WAIT_DNS;
		d->dns_tries = 0;
		vec_push(&v->dns_wait, vr->dom);
	}
	vr->state = R_QUEUED;
	vec_push(row_utf8(v, row) ? &d->utf8 : &d->ascii, (uint32_t)row);
	uint32_t hid;
	if (dom_host(v, d, &hid))
		host_activate(v, hid);
}

static void retry_fire(ev_loop *ev, void *arg);

struct retry_arg { verify *v; size_t row; };

/* Try a row again later (greylisting, temporary failures). */
static void retry_later(verify *v, size_t row, uint64_t ms)
{
	struct vrow *vr = &v->rows[row];
	vr->state = R_WAIT;
	v->st.waiting_retry++;
	if (v->cache) {
		char abuf[RESULT_ADDR_CAP];
		cache_put_retry(v->cache, results_normalized_cstr(v->res, row, abuf),
				now_s() + (int64_t)(ms / 1000), vr->tries);
	}
	/* the row index rides in the timer arg: small allocation per wait */
	struct retry_arg *ra = malloc(sizeof(*ra));
	if (!ra) {
		enqueue(v, row);
		v->st.waiting_retry--;
		return;
	}
	ra->v = v;
	ra->row = row;
	vr->ra = ra;
	vr->timer = ev_timer_add(v->ev, ms, retry_fire, ra);
	emit(v, VEV_WAITING, row, NULL, NULL, ms);
}

static void retry_fire(ev_loop *ev, void *arg)
{
	struct retry_arg *ra = arg;
	verify *v = ra->v;
	size_t row = ra->row;
	(void)ev;
	free(ra);
	v->rows[row].ra = NULL;
	v->rows[row].timer = 0;
	v->st.waiting_retry--;
	if (v->rows[row].state == R_WAIT && !v->stopped)
		enqueue(v, row);
}

/* ---- DNS ------------------------------------------------------------------------------- */

static void start_dns(verify *v, uint32_t di);

static void dns_pump(verify *v)
{
	while (v->dns_inflight < DNS_PARALLEL && vec_len(&v->dns_wait))
		start_dns(v, vec_pop(&v->dns_wait));
}

static uint32_t host_get(verify *v, const dns_host *dh)
{
	int added = 0;
	uint32_t id = intern_put(v->names, dh->name, strlen(dh->name), &added);
	if (!id)
		return UINT32_MAX;
	if (added) {
		if (v->nhosts == v->caphosts) {
			size_t nc = v->caphosts ? v->caphosts * 2 : 16;
			struct vhost *p = realloc(v->hosts, nc * sizeof(*p));
			if (!p)
				return UINT32_MAX;
			v->hosts = p;
			v->caphosts = nc;
		}
		struct vhost *h = &v->hosts[v->nhosts++];
		memset(h, 0, sizeof(*h));
		h->name = id;
		h->naddr = dh->naddr;
		memcpy(h->addr, dh->addr, sizeof(h->addr));
		h->max_rcpts = v->cfg->rcpts_per_session;
		h->calib_row = UINT32_MAX;
		char key[128];
		provider_key(dh->name, key, sizeof(key));
		h->provider = provider_get(v, key);
	}
	return id - 1;
}

static void fail_domain_rows(verify *v, struct vdomain *d, int verdict, int owner, int reason)
{
	while (vec_len(&d->ascii))
		decide(v, vec_pop(&d->ascii), verdict, owner, reason);
	while (vec_len(&d->utf8))
		decide(v, vec_pop(&d->utf8), verdict, owner, reason);
}

struct dns_arg { verify *v; uint32_t di; };
struct dns_retry { verify *v; uint32_t di; };

static void dns_retry_fire(ev_loop *ev, void *arg)
{
	struct dns_retry *dr = arg;
	verify *v = dr->v;
	struct vdomain *d = &v->doms[dr->di];
	(void)ev;
	d->dns_timer = 0;
	d->dns_ra = NULL;
	vec_push(&v->dns_wait, dr->di);
	free(dr);
	dns_pump(v);
}

/* Two integers from "A B"; returns how many were read. */
static int parse_two_ints(const char *s, int *a, int *b)
{
	char *end;
	long x = strtol(s, &end, 10);
	if (end == s)
		return 0;
	*a = (int)x;
	const char *p = end;
	long y = strtol(p, &end, 10);
	if (end == p)
		return 1;
	*b = (int)y;
	return 2;
}

/*
 * The route as one line of text for the cache: "status implicit" then,
 * per host, " |name pref addr addr...". A run that does not allow private
 * MX hosts drops such addresses again when it reads a route back.
 */
static void route_save(verify *v, const struct vdomain *d, const dns_route *rt)
{
	char text[4096];
	size_t k = (size_t)snprintf(text, sizeof(text), "%d %d", (int)rt->status, (int)rt->implicit);
	if (!v->cache ||
	    (rt->status != ROUTE_OK && rt->status != ROUTE_NXDOMAIN && rt->status != ROUTE_NULL_MX &&
	     rt->status != ROUTE_NO_HOSTS))
		return;
	for (size_t i = 0; i < rt->nhosts && k < sizeof(text) - 400; i++) {
		const dns_host *h = &rt->hosts[i];
		k += (size_t)snprintf(text + k, sizeof(text) - k, " |%s %u", h->name, h->pref);
		for (size_t a = 0; a < h->naddr && k < sizeof(text) - 80; a++) {
			char as[64];
			k += (size_t)snprintf(text + k, sizeof(text) - k, " %s", dns_addr_str(&h->addr[a], as));
		}
	}
	cache_put_route(v->cache, dom_name(v, d).p, text, now_s(), rt->ttl ? rt->ttl : 300);
}

static bool route_load(verify *v, const struct vdomain *d, dns_route *rt)
{
	char text[4096];
	if (!v->cache ||
	    !cache_get_route(v->cache, dom_name(v, d).p, now_s(), text, sizeof(text)))
		return false;
	memset(rt, 0, sizeof(*rt));
	char *save = NULL;
	char *part = strtok_r(text, "|", &save);
	int st = 0, imp = 0;
	if (!part || parse_two_ints(part, &st, &imp) != 2)
		return false;
	rt->status = (route_status)st;
	rt->implicit = imp != 0;
	while ((part = strtok_r(NULL, "|", &save)) && rt->nhosts < DNS_MAX_HOSTS) {
		dns_host *h = &rt->hosts[rt->nhosts];
		char *s2 = NULL;
		char *tok = strtok_r(part, " ", &s2);
		if (!tok)
			continue;
		snprintf(h->name, sizeof(h->name), "%s", tok);
		tok = strtok_r(NULL, " ", &s2);
		h->pref = tok ? (uint16_t)strtoul(tok, NULL, 10) : 0;
		while ((tok = strtok_r(NULL, " ", &s2)) && h->naddr < DNS_MAX_ADDRS) {
			struct sockaddr_storage *ss = &h->addr[h->naddr];
			memset(ss, 0, sizeof(*ss));
			struct sockaddr_in *in = (struct sockaddr_in *)ss;
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
			if (inet_pton(AF_INET, tok, &in->sin_addr) == 1)
				in->sin_family = AF_INET;
			else if (inet_pton(AF_INET6, tok, &in6->sin6_addr) == 1)
				in6->sin6_family = AF_INET6;
			else
				continue;
			if (!v->cfg->allow_private_mx && netguard_is_unsafe((struct sockaddr *)ss))
				continue;
			h->naddr++;
		}
		if (h->naddr)
			rt->nhosts++;
	}
	if (rt->status == ROUTE_OK && !rt->nhosts)
		return false;
	return true;
}

static void apply_route(verify *v, uint32_t di, const dns_route *rt);

static void on_route(void *arg, const dns_route *rt)
{
	struct dns_arg *da = arg;
	verify *v = da->v;
	uint32_t di = da->di;
	free(da);
	v->dns_inflight--;
	route_save(v, &v->doms[di], rt);
	apply_route(v, di, rt);
}

static void apply_route(verify *v, uint32_t di, const dns_route *rt)
{
	trace("route %s: %s, %zu hosts%s%s%s", dom_name(v, &v->doms[di]).p, route_status_name(rt->status),
	      rt->nhosts, rt->implicit ? " (implicit)" : "", rt->detail[0] ? ": " : "", rt->detail);
	struct vdomain *d = &v->doms[di];
	switch (rt->status) {
	case ROUTE_OK:
		d->nhosts = 0;
		for (size_t i = 0; i < rt->nhosts; i++) {
			uint32_t h = host_get(v, &rt->hosts[i]);
			if (h != UINT32_MAX)
				d->hosts[d->nhosts++] = h;
		}
		if (!d->nhosts) {
			d->state = D_DEAD;
			fail_domain_rows(v, d, VERDICT_UNKNOWN, OWNER_NONE, REASON_TEMPORARY_FAILURE);
			break;
		}
		d->state = D_ROUTED;
		d->cur = 0;
		d->provider = v->hosts[d->hosts[0]].provider;
		{
			struct vhost *h = &v->hosts[d->hosts[0]];
			if (d->listed_host != d->hosts[0]) {
				vec_push(&h->domains, di);
				d->listed_host = d->hosts[0];
			}
			host_activate(v, d->hosts[0]);
		}
		break;
	case ROUTE_NXDOMAIN:
		d->state = D_DEAD;
		fail_domain_rows(v, d, VERDICT_INVALID, OWNER_RECIPIENT, REASON_DOMAIN_NOT_FOUND);
		break;
	case ROUTE_NULL_MX:
	case ROUTE_NO_HOSTS:
		d->state = D_DEAD;
		fail_domain_rows(v, d, VERDICT_INVALID, OWNER_RECIPIENT, REASON_NO_MX);
		break;
	case ROUTE_UNSAFE:
		d->state = D_DEAD;
		fail_domain_rows(v, d, VERDICT_UNKNOWN, OWNER_NONE, REASON_UNSAFE_MX);
		break;
	case ROUTE_TEMPFAIL:
		if (++d->dns_tries <= v->cfg->max_retries &&
		    (d->dns_ra = malloc(sizeof(*d->dns_ra))) != NULL) {
			d->state = D_WAIT_DNS;
			d->dns_ra->v = v;
			d->dns_ra->di = di;
			d->dns_timer = ev_timer_add(v->ev, (uint64_t)DNS_RETRY_MS << (d->dns_tries - 1),
						    dns_retry_fire, d->dns_ra);
		} else {
			d->state = D_DEAD;
			fail_domain_rows(v, d, VERDICT_UNKNOWN, OWNER_NONE, REASON_TEMPORARY_FAILURE);
		}
		break;
	}
	dns_pump(v);
	schedule_pump(v);
}

static void start_dns(verify *v, uint32_t di)
{
	struct vdomain *d = &v->doms[di];
	struct dns_arg *da = malloc(sizeof(*da));
	if (!da)
		return;
	da->v = v;
	da->di = di;
	d->state = D_RESOLVING;
	/* a route the cache still holds (within the DNS TTL): no query */
	static dns_route cached;
	if (route_load(v, d, &cached)) {
		free(da);
		v->st.routes_cached++;
		apply_route(v, di, &cached);
		return;
	}
	v->dns_inflight++;
	v->st.dns_lookups++;
	mv_str name = dom_name(v, d);
	if (dns_route_lookup(v->dns, name.p, v->cfg->allow_private_mx, on_route, da) != MV_OK) {
		v->dns_inflight--;
		free(da);
		d->state = D_DEAD;
		fail_domain_rows(v, d, VERDICT_INVALID, OWNER_RECIPIENT, REASON_DOMAIN_NOT_FOUND);
	}
}

static void calib_resolve(verify *v, uint32_t hid, bool honest);

/* ---- the breaker --------------------------------------------------------------------------- */

static void breaker_check(verify *v, uint32_t pid)
{
	if (pid == UINT32_MAX)
		return;
	struct vprovider *p = &v->provs[pid];
	if (p->tripped || p->sender_rejects < v->cfg->breaker_min ||
	    p->sender_rejects * 100u < v->cfg->breaker_pct * p->answers)
		return;
	p->tripped = true;
	v->st.breaker_trips++;
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "%s is rejecting the sender: %u%% of its answers are sender-side rejects (%s); "
		 "probing there has stopped, the addresses are not at fault",
		 p->name, p->answers ? p->sender_rejects * 100u / p->answers : 100u,
		 reason_name(p->last_reason));
	/* Stop every row of this provider that is not final; a pending
	 * calibration there keeps the answers it had. */
	for (size_t i = 0; i < v->nhosts; i++)
		if (v->hosts[i].provider == pid && v->hosts[i].trust == T_CALIBRATING)
			calib_resolve(v, (uint32_t)i, true);
	for (size_t di = 0; di < v->ndoms; di++) {
		struct vdomain *d = &v->doms[di];
		if (d->provider != pid || d->state != D_ROUTED)
			continue;
		while (vec_len(&d->ascii) || vec_len(&d->utf8) || vec_len(&d->held)) {
			u32vec *q = vec_len(&d->ascii) ? &d->ascii : vec_len(&d->utf8) ? &d->utf8 : &d->held;
			size_t row = vec_pop(q);
			set_outcome(v, row, VERDICT_UNKNOWN, OWNER_SENDER, REASON_SENDER_BLOCKED,
				    NULL, 0, false, 0);
			finalize(v, row);
			v->rows[row].state = R_BLOCKED;
		}
	}
	emit(v, VEV_ALERT, 0, p->name, msg, 0);
}

/* ---- sessions ---------------------------------------------------------------------------------- */

static void sess_ready(void *arg, smtp_session *s);
static void sess_rcpt(void *arg, smtp_session *s, uint64_t tag, const smtp_reply *r);
static void sess_fail(void *arg, smtp_session *s, const smtp_failure *f);
static void sess_done(void *arg, smtp_session *s);

static const smtp_events sess_events = { sess_ready, sess_rcpt, sess_fail, sess_done };

static uint64_t make_tag(enum tag_kind k, unsigned pos, uint64_t idx)
{
	return (uint64_t)k << 60 | (uint64_t)(pos & 0xfffff) << 40 | (idx & 0xffffffffffull);
}

static uint32_t transcript_reserve(verify *v)
{
	if (v->ntranscripts == v->captranscripts) {
		size_t nc = v->captranscripts ? v->captranscripts * 2 : 64;
		char **p = realloc(v->transcripts, nc * sizeof(*p));
		if (!p)
			return 0;
		v->transcripts = p;
		v->captranscripts = nc;
	}
	v->transcripts[v->ntranscripts++] = NULL;
	return (uint32_t)v->ntranscripts;
}

/*
 * What a host could do now: rows and catch-all probes of the domains
 * routed to it, skipping what the breaker, a pause or a rate holds back.
 * Counted, not kept as a counter, so it can never drift.
 */
static size_t host_work(verify *v, uint32_t hid, uint64_t now, uint64_t *wait)
{
	struct vhost *h = &v->hosts[hid];
	size_t n = 0;
	v->pass++;
	for (size_t k = h->domains.head; k < h->domains.n; k++) {
		struct vdomain *d = &v->doms[h->domains.v[k]];
		if (d->state != D_ROUTED || d->hosts[d->cur] != hid || d->seen == v->pass)
			continue;
		d->seen = v->pass;
		if (d->provider != UINT32_MAX &&
		    (v->provs[d->provider].tripped || v->provs[d->provider].paused))
			continue;
		if (v->cfg->per_domain_rate && now < d->next_rcpt_at) {
			uint64_t w = d->next_rcpt_at - now;
			if (wait && (!*wait || w < *wait))
				*wait = w;
			continue;
		}
		n += vec_len(&d->ascii);
		if (!h->caps_known || h->smtputf8)
			n += vec_len(&d->utf8);
		if (d->ca == CA_UNKNOWN && !d->probe_inflight && dom_needs_probe(d)) {
			if (now >= d->probe_at) {
				n++;
			} else if (wait) {
				uint64_t w = d->probe_at - now;
				if (!*wait || w < *wait)
					*wait = w;
			}
		}
	}
	if (h->trust == T_CALIBRATING && !h->calib_sent)
		n++;
	return n;
}

/* Open a session to a host; calib: a row to ask alone, or UINT32_MAX. */
static bool start_session(verify *v, uint32_t hid, uint32_t calib)
{
	struct vhost *h = &v->hosts[hid];
	struct vsession *vs = calloc(1, sizeof(*vs));
	if (!vs)
		return false;
	vs->v = v;
	vs->host = hid;
	vs->calib = calib;
	vs->single = calib != UINT32_MAX || h->trust == T_SINGLE;
	vs->transcript = transcript_reserve(v);
	smtp_config c = v->scfg;
	if (h->no_tls)
		c.tls = TLS_NEVER;
	mv_str name = host_name(v, h);
	trace("session to %s (calib %d, single %d, trust %d)", name.p, (int)(calib != UINT32_MAX),
	      (int)vs->single, h->trust);
	h->sessions++;
	v->st.sessions_open++;
	v->st.sessions_total++;
	vs->next = v->sessions;
	if (v->sessions)
		v->sessions->prev = vs;
	v->sessions = vs;
	vs->s = smtp_session_start(v->ev, &c, &h->addr[h->addr_cur % (h->naddr ? h->naddr : 1)],
				   (uint16_t)v->cfg->smtp_port, name.p, &sess_events, vs);
	if (!vs->s) {
		h->sessions--;
		v->st.sessions_open--;
		v->sessions = vs->next;
		if (vs->next)
			vs->next->prev = NULL;
		free(vs);
		return false;
	}
	return true;
}

/* The next thing a ready session should ask; false when nothing fits. */
static bool feed_one(verify *v, struct vsession *vs)
{
	struct vhost *h = &v->hosts[vs->host];
	smtp_session *s = vs->s;
	bool first = vs->sent == 0;
	bool utf8 = smtp_session_utf8_active(s);
	uint64_t now = ev_now(v->ev);

	if (v->budget == 0)
		return false;
	for (size_t k = h->domains.head; k < h->domains.n; k++) {
		struct vdomain *d = &v->doms[h->domains.v[k]];
		uint32_t di = h->domains.v[k];
		if (d->state != D_ROUTED || d->hosts[d->cur] != vs->host)
			continue;
		if (d->provider != UINT32_MAX &&
		    (v->provs[d->provider].tripped || v->provs[d->provider].paused))
			continue;
		if (v->cfg->per_domain_rate && now < d->next_rcpt_at)
			continue;
		/* The catch-all probe goes first in its session unless the host
		 * has shown that later positions are answered honestly. */
		if (d->ca == CA_UNKNOWN && !d->probe_inflight && dom_needs_probe(d) &&
		    now >= d->probe_at && (first || h->trust == T_TRUSTED)) {
			char addr[320];
			mv_str dn = dom_name(v, d);
			/* one random local part per domain, the same on every retry:
			 * a greylisting server must see it again to let it pass */
			if (!d->probe_local[0]) {
				static const char az[] = "abcdefghijklmnopqrstuvwxyz0123456789";
				for (int i = 0; i < 20; i++)
					d->probe_local[i] = az[rnd(v) % 36];
				d->probe_local[20] = '\0';
			}
			snprintf(addr, sizeof(addr), "%s@%.*s", d->probe_local, (int)dn.len, dn.p);
			if (smtp_session_rcpt(s, addr, strlen(addr), make_tag(K_PROBE, vs->sent, di)) == MV_OK) {
				d->probe_inflight = true;
				d->ca = CA_PROBING;
				vs->sent++;
				v->budget--;
				v->st.probes++;
				if (v->cache)
					cache_add_probes(v->cache, now_s(), 1);
				if (v->cfg->per_domain_rate)
					d->next_rcpt_at = now + 60000u / v->cfg->per_domain_rate;
				return true;
			}
		}
		u32vec *q = utf8 ? &d->utf8 : &d->ascii;
		if (!vec_len(q))
			continue;
		/* On an untested host, a catch-all domain's rows wait for the probe
		 * only in the sense of their verdict, not of their sending. */
		uint32_t row = vec_pop(q);
		mv_str a = results_normalized(v->res, row);
		mv_status st = smtp_session_rcpt(s, a.p, a.len, make_tag(K_ROW, vs->sent, row));
		if (st == MV_USAGE || st == MV_UNSAFE) {
			/* not fit for the wire (or no SMTPUTF8): never sent */
			decide(v, row, VERDICT_UNKNOWN, OWNER_NONE, REASON_PROTOCOL_ERROR);
			return true;
		}
		if (st) {
			vec_push(q, row);
			return false;
		}
		v->rows[row].state = R_SENT;
		vec_push(&vs->rows, row);
		vs->sent++;
		v->budget--;
		v->st.probes++;
		if (v->cache)
			cache_add_probes(v->cache, now_s(), 1);
		if (v->cfg->per_domain_rate)
			d->next_rcpt_at = now + 60000u / v->cfg->per_domain_rate;
		return true;
	}
	return false;
}

static void calib_resolve(verify *v, uint32_t hid, bool honest);

static bool host_has_utf8(verify *v, struct vhost *h, uint32_t hid)
{
	for (size_t k = h->domains.head; k < h->domains.n; k++) {
		struct vdomain *d = &v->doms[h->domains.v[k]];
		if (d->state == D_ROUTED && d->hosts[d->cur] == hid && vec_len(&d->utf8))
			return true;
	}
	return false;
}

static void feed(verify *v, struct vsession *vs)
{
	struct vhost *h = &v->hosts[vs->host];
	smtp_session *s = vs->s;
	if (vs->closing || !smtp_session_ready(s))
		return;
	unsigned limit = h->max_rcpts < v->cfg->rcpts_per_session ? h->max_rcpts : v->cfg->rcpts_per_session;
	if (vs->single)
		limit = 1;
	if (vs->calib != UINT32_MAX && vs->sent == 0) {
		uint32_t row = vs->calib;
		mv_str a = results_normalized(v->res, row);
		if (smtp_session_rcpt(s, a.p, a.len, make_tag(K_CALIB, 0, row)) == MV_OK) {
			v->rows[row].state = R_SENT;
			vec_push(&vs->rows, row);
			vs->sent++;
			v->budget = v->budget ? v->budget - 1 : 0;
			v->st.probes++;
			if (v->cache)
				cache_add_probes(v->cache, now_s(), 1);
			return;
		}
		/* cannot ask it alone here: take the first answer as honest */
		calib_resolve(v, vs->host, true);
	}
	/* Never more RCPTs unanswered than rejects still allowed: if they
	 * were all refused, the session must stay under the server's error
	 * limit (Postfix tarpits after 10, drops after 20). */
	while (!v->stopped && vs->sent < limit && vs->rejects < v->cfg->max_rejects &&
	       smtp_session_inflight(s) < v->cfg->max_rejects - vs->rejects) {
		if (!feed_one(v, vs))
			break;
	}
	if (smtp_session_inflight(s))
		return;
	/* Nothing in flight. UTF-8 rows left, and the server speaks SMTPUTF8:
	 * a new transaction for them. */
	if (!smtp_session_utf8_active(s) && (smtp_session_caps(s) & CAP_SMTPUTF8) &&
	    vs->sent < limit && vs->rejects < v->cfg->max_rejects && host_has_utf8(v, h, vs->host)) {
		smtp_session_want_utf8(s, true);
		if (smtp_session_reset(s) == MV_OK)
			return;
	}
	/* UTF-8 rows at a server without SMTPUTF8: never sent, never guessed. */
	if (h->caps_known && !h->smtputf8) {
		for (size_t k = h->domains.head; k < h->domains.n; k++) {
			struct vdomain *d = &v->doms[h->domains.v[k]];
			if (d->state != D_ROUTED || d->hosts[d->cur] != vs->host)
				continue;
			while (vec_len(&d->utf8)) {
				size_t row = vec_pop(&d->utf8);
				decide(v, row, VERDICT_UNKNOWN, OWNER_NONE, REASON_PROTOCOL_ERROR);
			}
		}
	}
	vs->closing = true;
	smtp_session_quit(s);
}

static void sess_ready(void *arg, smtp_session *s)
{
	struct vsession *vs = arg;
	verify *v = vs->v;
	struct vhost *h = &v->hosts[vs->host];
	h->caps_known = true;
	h->smtputf8 = (smtp_session_caps(s) & CAP_SMTPUTF8) != 0;
	h->backoff_ms = 0;
	h->fail_streak = 0;
	vs->ready = true;
	feed(v, vs);
}

/* Put a row back at its domain's queue (the session failed under it). */
static void requeue(verify *v, size_t row, bool count_try)
{
	struct vrow *vr = &v->rows[row];
	if (vr->state == R_DONE || vr->state == R_BLOCKED)
		return;
	if (count_try && ++vr->tries > v->cfg->max_retries) {
		decide(v, row, VERDICT_UNKNOWN, OWNER_NONE, REASON_TEMPORARY_FAILURE);
		return;
	}
	enqueue(v, row);
}

static void release_held(verify *v, struct vdomain *d)
{
	while (vec_len(&d->held)) {
		size_t row = vec_pop(&d->held);
		row_result *r = &v->res->rows[row];
		if (d->ca == CA_YES && r->verdict == VERDICT_DELIVERABLE) {
			r->verdict = VERDICT_RISKY;
			r->reason = REASON_CATCH_ALL;
			r->flags |= F_CATCH_ALL;
		}
		finalize(v, row);
	}
}

static void set_catch_all(verify *v, struct vdomain *d, int ca)
{
	d->ca = (uint8_t)ca;
	d->probe_inflight = false;
	if (v->cache && (ca == CA_YES || ca == CA_NO)) {
		cache_domain cd;
		memset(&cd, 0, sizeof(cd));
		cd.catch_all = ca == CA_YES ? 1 : 0;
		if (d->nhosts) {
			mv_str hn = host_name(v, &v->hosts[d->hosts[0]]);
			snprintf(cd.mx, sizeof(cd.mx), "%.*s", (int)hn.len, hn.p);
		}
		mv_str dn = dom_name(v, d);
		cache_put_domain(v->cache, dn.p, &cd, now_s(), v->cfg->ttl_positive);
	}
	release_held(v, d);
}

static uint32_t host_pool_id(verify *v, struct vhost *h)
{
	mv_str hn = host_name(v, h);
	return intern_put(v->res->pool, hn.p, hn.len, NULL);
}

static void calib_resolve(verify *v, uint32_t hid, bool honest);

static void sess_rcpt(void *arg, smtp_session *s, uint64_t tag, const smtp_reply *rep)
{
	struct vsession *vs = arg;
	verify *v = vs->v;
	struct vhost *h = &v->hosts[vs->host];
	enum tag_kind kind = (enum tag_kind)(tag >> 60);
	unsigned pos = (unsigned)((tag >> 40) & 0xfffff);
	uint64_t idx = tag & 0xffffffffffull;
	reply_class rc;

	reply_classify(rep, REPLY_PHASE_RCPT, &rc);
	vs->answered++;
	trace("answer kind %d pos %u idx %llu: %d %s", (int)kind, pos, (unsigned long long)idx,
	      rep->code, reason_name(rc.reason));
	/* Answers come in the order asked: this row is no longer this
	 * session's to give back when it closes (it may be in flight in
	 * another session by then: a calibration, a retry). */
	if (kind != K_PROBE && vec_len(&vs->rows) && vs->rows.v[vs->rows.head] == idx)
		vs->rows.head++;
	bool accepted = rep->code >= 200 && rep->code < 300;
	if (!accepted)
		vs->rejects++;
	if (h->provider != UINT32_MAX) {
		struct vprovider *p = &v->provs[h->provider];
		p->answers++;
		if (rc.owner == OWNER_SENDER) {
			p->sender_rejects++;
			p->last_reason = rc.reason;
		}
	}

	if (kind == K_PROBE) {
		struct vdomain *d = &v->doms[idx];
		if (accepted)
			set_catch_all(v, d, CA_YES);
		else if (rc.owner == OWNER_RECIPIENT || rc.verdict == VERDICT_INVALID)
			set_catch_all(v, d, CA_NO);
		else if (rep->code >= 400 && rep->code < 500 && ++d->probe_tries <= v->cfg->max_retries) {
			/* ask again later (greylisting): rows stay held meanwhile */
			d->ca = CA_UNKNOWN;
			d->probe_inflight = false;
			d->probe_at = ev_now(v->ev) +
				((uint64_t)v->cfg->retry_greylisted * 1000u << (d->probe_tries - 1));
		} else
			set_catch_all(v, d, CA_INCONCLUSIVE);
		breaker_check(v, h->provider);
		feed(v, vs);
		return;
	}

	size_t row = (size_t)idx;
	struct vrow *vr = &v->rows[row];
	struct vdomain *d = &v->doms[vr->dom];
	uint32_t mx = host_pool_id(v, h);
	bool tls = smtp_session_tls(s);

	if (vr->state != R_SENT) {
		feed(v, vs);
		return;
	}
	/* "Too many recipients" after the first: a session limit, not a fact
	 * about this address. Fewer per session from now on. */
	if (!accepted && rc.reason == REASON_RATE_LIMITED && rc.owner == OWNER_SENDER && pos > 0) {
		h->max_rcpts = pos;
		requeue(v, row, false);
		feed(v, vs);
		return;
	}
	/* A reject at a later position on an untested host: hold it and ask
	 * the same address alone in a fresh session (kind K_CALIB). */
	if (!accepted && rep->code >= 500 && pos > 0 && kind == K_ROW &&
	    rc.owner == OWNER_RECIPIENT &&
	    (h->trust == T_UNCALIBRATED || h->trust == T_CALIBRATING)) {
		set_outcome(v, row, rc.verdict, rc.owner, rc.reason, rep, mx, tls, vs->transcript);
		vr->state = R_HELD;
		if (h->trust == T_UNCALIBRATED) {
			h->trust = T_CALIBRATING;
			h->calib_row = (uint32_t)row;
			v->st.calibrations++;
			host_activate(v, vs->host);
		} else {
			vec_push(&h->calib_held, (uint32_t)row);
		}
		breaker_check(v, h->provider);
		feed(v, vs);
		return;
	}
	if (kind == K_CALIB) {
		bool same = !accepted;
		if (accepted) {
			calib_resolve(v, vs->host, false);
		} else if (rep->code >= 500) {
			set_outcome(v, row, rc.verdict, rc.owner, rc.reason, rep, mx, tls, vs->transcript);
			calib_resolve(v, vs->host, true);
		} else {
			/* temporary: try the calibration again later */
			vr->state = R_HELD;
			h->calib_sent = false;
			if (++h->calib_tries > v->cfg->max_retries)
				calib_resolve(v, vs->host, true);
			same = true;
		}
		(void)same;
		breaker_check(v, h->provider);
		feed(v, vs);
		return;
	}
	/* Temporary answers: greylisting and friends come back later. */
	if (rep->code >= 400 && rep->code < 500 && !rc.permanent &&
	    (rc.reason == REASON_GREYLISTED || rc.reason == REASON_TEMPORARY_FAILURE ||
	     rc.reason == REASON_SYSTEM_ERROR ||
	     (rc.reason == REASON_RATE_LIMITED && rc.owner == OWNER_RECIPIENT))) {
		if (++vr->tries <= v->cfg->max_retries) {
			uint64_t base = (uint64_t)v->cfg->retry_greylisted * 1000u;
			uint64_t ms = base << (vr->tries - 1 < 6 ? vr->tries - 1 : 6);
			set_outcome(v, row, rc.verdict, rc.owner, rc.reason, rep, mx, tls, vs->transcript);
			if (rc.reason == REASON_GREYLISTED)
				v->res->rows[row].flags |= F_GREYLISTED;
			retry_later(v, row, ms ? ms : 1);
			breaker_check(v, h->provider);
			feed(v, vs);
			return;
		}
	}
	set_outcome(v, row, rc.verdict, rc.owner, rc.reason, rep, mx, tls, vs->transcript);
	if (rc.reason == REASON_MAILBOX_FULL)
		v->res->rows[row].flags |= F_FULL_INBOX;
	if (rc.reason == REASON_GREYLISTED)
		v->res->rows[row].flags |= F_GREYLISTED;
	if (accepted && (d->ca == CA_UNKNOWN || d->ca == CA_PROBING)) {
		vr->state = R_HELD;
		vec_push(&d->held, (uint32_t)row);
	} else if (accepted && d->ca == CA_YES) {
		row_result *r = &v->res->rows[row];
		r->verdict = VERDICT_RISKY;
		r->reason = REASON_CATCH_ALL;
		r->flags |= F_CATCH_ALL;
		finalize(v, row);
	} else {
		finalize(v, row);
	}
	breaker_check(v, h->provider);
	feed(v, vs);
}

/* The calibration answered: was the later-position reject honest? */
static void calib_resolve(verify *v, uint32_t hid, bool honest)
{
	struct vhost *h = &v->hosts[hid];
	uint32_t row = h->calib_row;
	h->calib_row = UINT32_MAX;
	h->calib_sent = false;
	if (honest) {
		h->trust = T_TRUSTED;
		if (row != UINT32_MAX)
			finalize(v, row);
		while (vec_len(&h->calib_held))
			finalize(v, vec_pop(&h->calib_held));
	} else {
		/* The host refuses later recipients: one per session from now. */
		h->trust = T_SINGLE;
		h->max_rcpts = 1;
		if (row != UINT32_MAX)
			requeue(v, row, false);
		while (vec_len(&h->calib_held))
			requeue(v, vec_pop(&h->calib_held), false);
	}
}

static void host_backoff(verify *v, struct vhost *h)
{
	h->backoff_ms = h->backoff_ms ? h->backoff_ms * 2 : HOST_BACKOFF_MS;
	if (h->backoff_ms > 600000u)
		h->backoff_ms = 600000u;
	h->backoff_until = ev_now(v->ev) + h->backoff_ms;
}

/* Move a host's domains on to their next MX host (connection failures). */
static void host_failover(verify *v, uint32_t hid)
{
	struct vhost *h = &v->hosts[hid];
	for (size_t k = h->domains.head; k < h->domains.n; k++) {
		uint32_t di = h->domains.v[k];
		struct vdomain *d = &v->doms[di];
		if (d->state != D_ROUTED || d->hosts[d->cur] != hid)
			continue;
		if (d->cur + 1 < d->nhosts) {
			d->cur++;
			uint32_t nh = d->hosts[d->cur];
			if (d->listed_host != nh) {
				vec_push(&v->hosts[nh].domains, di);
				d->listed_host = nh;
			}
			host_activate(v, nh);
		} else {
			/* every MX host failed: later, from the first again */
			d->cur = 0;
			size_t rows = vec_len(&d->ascii) + vec_len(&d->utf8);
			u32vec tmp = { 0 };
			while (vec_len(&d->ascii))
				vec_push(&tmp, vec_pop(&d->ascii));
			while (vec_len(&d->utf8))
				vec_push(&tmp, vec_pop(&d->utf8));
			(void)rows;
			while (vec_len(&tmp)) {
				size_t row = vec_pop(&tmp);
				struct vrow *vr = &v->rows[row];
				if (++vr->tries > v->cfg->max_retries) {
					decide(v, row, VERDICT_UNKNOWN, OWNER_NONE, REASON_NO_CONNECT);
				} else {
					vr->state = R_IDLE;
					retry_later(v, row, TEMP_RETRY_MS << (vr->tries - 1));
				}
			}
			vec_free(&tmp);
			if (d->ca == CA_UNKNOWN || d->ca == CA_PROBING) {
				d->ca = CA_INCONCLUSIVE;
				release_held(v, d);
			}
			if (d->listed_host != d->hosts[0]) {
				vec_push(&v->hosts[d->hosts[0]].domains, di);
				d->listed_host = d->hosts[0];
			}
		}
	}
}

/*
 * A host keeps failing before any RCPT (refused greeting or sender, TLS,
 * timeouts): after max_retries sessions in a row, decide what waits there
 * with what we know, instead of knocking forever.
 */
static void host_give_up(verify *v, uint32_t hid, int owner, int reason,
			 const smtp_reply *rep, uint32_t transcript)
{
	struct vhost *h = &v->hosts[hid];
	uint32_t mx = host_pool_id(v, h);
	for (size_t k = h->domains.head; k < h->domains.n; k++) {
		struct vdomain *d = &v->doms[h->domains.v[k]];
		if (d->state != D_ROUTED || d->hosts[d->cur] != hid)
			continue;
		while (vec_len(&d->ascii) || vec_len(&d->utf8)) {
			size_t row = vec_pop(vec_len(&d->ascii) ? &d->ascii : &d->utf8);
			set_outcome(v, row, VERDICT_UNKNOWN, owner, reason, rep, mx, false, transcript);
			finalize(v, row);
		}
		if (d->ca == CA_UNKNOWN || d->ca == CA_PROBING) {
			d->ca = CA_INCONCLUSIVE;
			d->probe_inflight = false;
			release_held(v, d);
		}
	}
	if (h->trust == T_CALIBRATING)
		calib_resolve(v, hid, true);
}

static void sess_fail(void *arg, smtp_session *s, const smtp_failure *f)
{
	struct vsession *vs = arg;
	verify *v = vs->v;
	uint32_t hid = vs->host;
	struct vhost *h = &v->hosts[hid];
	bool before_ready = !vs->ready;
	(void)s;
	trace("session to %s failed: %s %s", host_name(v, h).p, reason_name(f->reason),
	      f->detail ? f->detail : "");

	if (f->local) {
		/* Out of descriptors here (RLIMIT_NOFILE): the host is not at
		 * fault. Fewer sessions from now on; what this one held goes back
		 * uncounted, and the host is tried again shortly. */
		unsigned others = v->st.sessions_open > 1 ? v->st.sessions_open - 1 : 1;
		if (v->max_sessions > others)
			v->max_sessions = others;
		trace("out of descriptors: at most %u sessions from now on", v->max_sessions);
		if (vs->calib != UINT32_MAX && v->rows[vs->calib].state == R_SENT) {
			v->rows[vs->calib].state = R_HELD;
			h->calib_sent = false;
		}
		for (size_t i = vs->rows.head; i < vs->rows.n; i++) {
			size_t row = vs->rows.v[i];
			if (v->rows[row].state == R_SENT)
				requeue(v, row, false);
		}
		vec_free(&vs->rows);
		h = &v->hosts[hid];
		for (size_t k = h->domains.head; k < h->domains.n; k++) {
			struct vdomain *d = &v->doms[h->domains.v[k]];
			if (d->probe_inflight && d->hosts[d->cur] == hid) {
				d->probe_inflight = false;
				d->ca = CA_UNKNOWN;
			}
		}
		h->backoff_until = ev_now(v->ev) + 100;
		schedule_pump(v);
		return;
	}

	/* The calibration row goes back to being held, to be asked again. */
	if (vs->calib != UINT32_MAX && v->rows[vs->calib].state == R_SENT) {
		v->rows[vs->calib].state = R_HELD;
		h->calib_sent = false;
		if (++h->calib_tries > v->cfg->max_retries)
			calib_resolve(v, hid, true);
	}
	/* Rows sent and not answered go back; an unanswered probe too. */
	for (size_t i = vs->rows.head; i < vs->rows.n; i++) {
		size_t row = vs->rows.v[i];
		if (v->rows[row].state == R_SENT)
			requeue(v, row, f->reason != REASON_TLS_FAILED);
	}
	vec_free(&vs->rows);
	for (size_t k = h->domains.head; k < h->domains.n; k++) {
		struct vdomain *d = &v->doms[h->domains.v[k]];
		if (d->probe_inflight && d->hosts[d->cur] == hid) {
			d->probe_inflight = false;
			d->ca = CA_UNKNOWN;
			if (++d->probe_tries > v->cfg->max_retries + 1) {
				d->ca = CA_INCONCLUSIVE;
				release_held(v, d);
			}
		}
	}

	if (f->reason == REASON_NO_CONNECT && before_ready && !f->reply) {
		/* next address, then the next MX host */
		h->addr_cur++;
		if (h->addr_cur >= h->naddr) {
			h->addr_cur = 0;
			host_backoff(v, h);
			host_failover(v, hid);
		}
		schedule_pump(v);
		return;
	}

	int owner = OWNER_NONE, reason = f->reason ? (int)f->reason : REASON_TEMPORARY_FAILURE;
	if (f->reply) {
		reply_class rc;
		reply_classify(f->reply, (reply_phase)f->phase, &rc);
		if (f->reason == REASON_NONE) {   /* the reply decided, not our rule */
			owner = rc.owner;
			reason = rc.reason;
		}
		if (h->provider != UINT32_MAX) {
			struct vprovider *p = &v->provs[h->provider];
			p->answers++;
			if (rc.owner == OWNER_SENDER) {
				p->sender_rejects++;
				p->last_reason = rc.reason;
			}
		}
	}
	if (f->reason == REASON_TLS_FAILED && v->cfg->tls == TLS_REQUIRE) {
		/* TLS is required and this host will not do it: asking again
		 * cannot help */
		host_give_up(v, hid, OWNER_NONE, REASON_TLS_FAILED, f->reply, vs->transcript);
		schedule_pump(v);
		return;
	}
	if (f->reason == REASON_TLS_FAILED && v->cfg->tls == TLS_OPPORTUNISTIC && !h->no_tls) {
		h->no_tls = true;       /* as MTAs do: try again in clear text */
	} else if (!f->reply || f->reply->code == 421 || f->reply->code / 100 == 4 ||
		   !before_ready) {
		host_backoff(v, h);
	}
	if (before_ready && ++h->fail_streak > v->cfg->max_retries)
		host_give_up(v, hid, owner, reason, f->reply, vs->transcript);
	breaker_check(v, h->provider);
	schedule_pump(v);
}

static void sess_done(void *arg, smtp_session *s)
{
	struct vsession *vs = arg;
	verify *v = vs->v;
	struct vhost *h = &v->hosts[vs->host];
	size_t len;
	const char *t = smtp_session_transcript(s, &len);
	if (vs->transcript && v->transcript_bytes + len < TRANSCRIPTS_MAX) {
		char *copy = malloc(len + 1);
		if (copy) {
			memcpy(copy, t, len + 1);
			v->transcripts[vs->transcript - 1] = copy;
			v->transcript_bytes += len + 1;
		}
	}
	v->st.commands += smtp_session_commands(s);
	v->st.round_trips += smtp_session_round_trips(s);
	if (vs->calib != UINT32_MAX && v->rows[vs->calib].state == R_SENT) {
		v->rows[vs->calib].state = R_HELD;
		h->calib_sent = false;
	}
	/* A session that asked nothing: do not redial at once. */
	if (vs->ready && vs->sent == 0)
		h->backoff_until = ev_now(v->ev) + 1000;
	/* Rows still marked as sent (session ended without answers or failure
	 * report): back to the queue. */
	for (size_t i = vs->rows.head; i < vs->rows.n; i++) {
		size_t row = vs->rows.v[i];
		if (v->rows[row].state == R_SENT)
			requeue(v, row, true);
	}
	vec_free(&vs->rows);
	h = &v->hosts[vs->host];   /* requeue may have moved things: look again */
	h->sessions--;
	v->st.sessions_open--;
	/* whatever still waits at this host (a probe that must go first in a
	 * session, a calibration) gets the pump's attention */
	host_activate(v, vs->host);
	if (vs->prev)
		vs->prev->next = vs->next;
	else
		v->sessions = vs->next;
	if (vs->next)
		vs->next->prev = vs->prev;
	smtp_session_free(s);
	free(vs);
	schedule_pump(v);
}

/* ---- the pump ------------------------------------------------------------------------------------- */

static void check_done(verify *v)
{
	if (v->st.done >= v->st.queued && !v->done_sent) {
		v->done_sent = true;
		emit(v, VEV_DONE, 0, NULL, NULL, 0);
	}
}

static void wake(ev_loop *ev, void *arg)
{
	verify *v = arg;
	(void)ev;
	v->wake_timer = 0;
	schedule_pump(v);
}

static void pump(ev_loop *ev, void *arg)
{
	verify *v = arg;
	uint64_t now = ev_now(ev);
	uint64_t next_wake = 0;
	v->pump_timer = 0;
	if (v->stopped)
		return;
	dns_pump(v);
	if (v->budget == 0) {
		/* out of probes: what is queued ends here, cleanly; a calibration
		 * that cannot be asked takes the answers as they came */
		for (size_t i = 0; i < v->nhosts; i++)
			if (v->hosts[i].trust == T_CALIBRATING && !v->hosts[i].calib_sent)
				calib_resolve(v, (uint32_t)i, true);
		for (size_t di = 0; di < v->ndoms; di++) {
			struct vdomain *d = &v->doms[di];
			while (vec_len(&d->ascii))
				decide(v, vec_pop(&d->ascii), VERDICT_UNKNOWN, OWNER_NONE, REASON_BUDGET_EXHAUSTED);
			while (vec_len(&d->utf8))
				decide(v, vec_pop(&d->utf8), VERDICT_UNKNOWN, OWNER_NONE, REASON_BUDGET_EXHAUSTED);
			if (d->ca == CA_UNKNOWN || d->ca == CA_PROBING) {
				if (!d->probe_inflight) {
					d->ca = CA_INCONCLUSIVE;
					release_held(v, d);
				}
			}
		}
	}
	size_t n = vec_len(&v->active);
	for (size_t i = 0; i < n; i++) {
		uint32_t hid = vec_pop(&v->active);
		struct vhost *h = &v->hosts[hid];
		h->listed = false;
		uint64_t wait = 0;
		size_t work = host_work(v, hid, now, &wait);
		if (wait && (!next_wake || wait < next_wake))
			next_wake = wait;
		if (!work) {
			if (wait) {             /* work later (a rate, a greylisted probe) */
				h->listed = true;
				vec_push(&v->active, hid);
			}
			continue;
		}
		if (now < h->backoff_until) {
			uint64_t w = h->backoff_until - now;
			if (!next_wake || w < next_wake)
				next_wake = w;
			h->listed = true;
			vec_push(&v->active, hid);
			continue;
		}
		unsigned per = v->cfg->per_mx;
		unsigned maxr = h->max_rcpts ? h->max_rcpts : 1;
		size_t want = (work + maxr - 1) / maxr;
		if (h->trust == T_CALIBRATING && !h->calib_sent && h->calib_row != UINT32_MAX &&
		    h->sessions < per && v->st.sessions_open < v->max_sessions && v->budget) {
			/* the calibration: the held row alone, first in a fresh session */
			if (start_session(v, hid, h->calib_row))
				h->calib_sent = true;
			want = want ? want - 1 : 0;
		}
		while (h->sessions < per && h->sessions < want &&
		       v->st.sessions_open < v->max_sessions && v->budget) {
			if (!start_session(v, hid, UINT32_MAX))
				break;
		}
		h->listed = true;
		vec_push(&v->active, hid);
	}
	if (next_wake && (!v->wake_timer || now + next_wake < v->wake_at)) {
		if (v->wake_timer)
			ev_timer_del(v->ev, v->wake_timer);
		v->wake_timer = ev_timer_add(v->ev, next_wake, wake, v);
		v->wake_at = now + next_wake;
	}
	if (v->cfg->per_domain_rate && !v->wake_timer && vec_len(&v->active))
		v->wake_timer = ev_timer_add(v->ev, 60000u / v->cfg->per_domain_rate, wake, v);
	check_done(v);
}

static void schedule_pump(verify *v)
{
	if (!v->pump_timer && !v->stopped)
		v->pump_timer = ev_timer_add(v->ev, 0, pump, v);
}

/* ---- public ------------------------------------------------------------------------------------------ */

verify *verify_create(ev_loop *ev, const mv_config *cfg, results *res, cache *c,
		      verify_cb *cb, void *arg, mv_status *st)
{
	verify *v = calloc(1, sizeof(*v));
	*st = MV_NOMEM;
	if (!v)
		return NULL;
	v->ev = ev;
	v->cfg = cfg;
	v->res = res;
	v->cache = c;
	v->cb = cb;
	v->arg = arg;
	v->rows = calloc(res->n ? res->n : 1, sizeof(struct vrow));
	v->names = intern_create();
	v->provnames = intern_create();
	if (!v->rows || !v->names || !v->provnames)
		goto fail;
	for (size_t i = 0; i < res->n; i++)
		v->rows[i].dom = UINT32_MAX;
	v->dns = dns_create(ev, cfg->dns[0] ? cfg->dns : NULL, (int)cfg->dns_timeout, 2, st);
	if (!v->dns)
		goto fail;
	smtp_config_defaults(&v->scfg);
	config_helo(cfg, v->helo, sizeof(v->helo));
	v->scfg.helo = v->helo;
	v->scfg.mail_from = cfg->from;
	v->scfg.tls = (smtp_tls_mode)cfg->tls;
	v->scfg.connect_ms = cfg->connect_timeout;
	v->scfg.banner_ms = cfg->banner_timeout;
	v->scfg.cmd_ms = cfg->command_timeout;
	v->scfg.rcpt_ms = cfg->rcpt_timeout;
	unsigned spent = c ? cache_probes_on(c, now_s()) : 0;
	v->budget = cfg->budget > spent ? cfg->budget - spent : 0;
	/* every session is a descriptor: keep within RLIMIT_NOFILE, with room
	 * for the cache, DNS, the terminal and the files written */
	v->max_sessions = cfg->concurrency ? cfg->concurrency : 1;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		rlim_t room = rl.rlim_cur > FD_RESERVE + 1 ? rl.rlim_cur - FD_RESERVE : 1;
		if (room < v->max_sessions)
			v->max_sessions = (unsigned)room;
	}
	uint64_t seed = ev_clock_ms() ^ ((uint64_t)getpid() << 32);
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		uint64_t r;
		if (read(fd, &r, sizeof(r)) == (ssize_t)sizeof(r))
			seed ^= r;
		close(fd);
	}
	v->rng = seed | 1;
	const char *tr = getenv("MAILVET_TRACE");
	trace_on = tr && *tr && *tr != '0';
	*st = MV_OK;
	return v;
fail:
	verify_destroy(v);
	if (*st == MV_OK)
		*st = MV_NOMEM;
	return NULL;
}

void verify_destroy(verify *v)
{
	if (!v)
		return;
	v->stopped = true;
	if (v->pump_timer)
		ev_timer_del(v->ev, v->pump_timer);
	if (v->wake_timer)
		ev_timer_del(v->ev, v->wake_timer);
	if (v->rows) {
		for (size_t i = 0; i < v->res->n; i++) {
			if (v->rows[i].timer)
				ev_timer_del(v->ev, v->rows[i].timer);
			free(v->rows[i].ra);
		}
	}
	while (v->sessions) {
		struct vsession *vs = v->sessions;
		v->sessions = vs->next;
		smtp_session_free(vs->s);
		vec_free(&vs->rows);
		free(vs);
	}
	dns_destroy(v->dns);
	for (size_t i = 0; i < v->ndoms; i++) {
		if (v->doms[i].dns_timer)
			ev_timer_del(v->ev, v->doms[i].dns_timer);
		free(v->doms[i].dns_ra);
		vec_free(&v->doms[i].ascii);
		vec_free(&v->doms[i].utf8);
		vec_free(&v->doms[i].held);
	}
	for (size_t i = 0; i < v->nhosts; i++) {
		vec_free(&v->hosts[i].domains);
		vec_free(&v->hosts[i].calib_held);
	}
	for (size_t i = 0; i < v->ntranscripts; i++)
		free(v->transcripts[i]);
	free(v->transcripts);
	vec_free(&v->dns_wait);
	vec_free(&v->active);
	free(v->doms);
	free(v->dom_by_name);
	free(v->hosts);
	free(v->provs);
	intern_destroy(v->names);
	intern_destroy(v->provnames);
	free(v->rows);
	free(v);
}

static uint32_t domain_get(verify *v, uint32_t name)
{
	if (name >= v->dom_by_name_cap) {
		size_t nc = v->dom_by_name_cap ? v->dom_by_name_cap : 1024;
		while (nc <= name)
			nc *= 2;
		uint32_t *p = realloc(v->dom_by_name, nc * sizeof(uint32_t));
		if (!p)
			return UINT32_MAX;
		memset(p + v->dom_by_name_cap, 0, (nc - v->dom_by_name_cap) * sizeof(uint32_t));
		v->dom_by_name = p;
		v->dom_by_name_cap = nc;
	}
	if (v->dom_by_name[name])
		return v->dom_by_name[name] - 1;
	if (v->ndoms == v->capdoms) {
		size_t nc = v->capdoms ? v->capdoms * 2 : 64;
		struct vdomain *p = realloc(v->doms, nc * sizeof(*p));
		if (!p)
			return UINT32_MAX;
		v->doms = p;
		v->capdoms = nc;
	}
	uint32_t di = (uint32_t)v->ndoms++;
	struct vdomain *d = &v->doms[di];
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->provider = UINT32_MAX;
	d->listed_host = UINT32_MAX;
	v->dom_by_name[name] = di + 1;
	v->st.domains++;
	if (v->cache) {
		cache_domain cd;
		mv_str dn = dom_name(v, d);
		if (cache_get_domain(v->cache, dn.p, now_s(), &cd) && cd.catch_all >= 0) {
			d->ca = cd.catch_all ? CA_YES : CA_NO;
			d->ca_from_cache = true;
		}
	}
	return di;
}

mv_status verify_add(verify *v, size_t row)
{
	if (row >= v->res->n)
		return MV_USAGE;
	row_result *r = &v->res->rows[row];
	struct vrow *vr = &v->rows[row];
	if (!r->normalized || !r->domain)
		return MV_USAGE;
	if (vr->state != R_IDLE && vr->state != R_DONE && vr->state != R_BLOCKED)
		return MV_OK;             /* already in the works */
	if (vr->state == R_DONE || vr->state == R_BLOCKED) {
		v->st.done--;
		v->done_sent = false;
	} else {
		v->st.queued++;
	}
	vr->state = R_IDLE;
	vr->tries = 0;
	r->verdict = VERDICT_NONE;
	r->flags &= ~(uint32_t)(F_CATCH_ALL | F_FULL_INBOX | F_GREYLISTED);
	char addr[RESULT_ADDR_CAP];
	results_normalized_cstr(v->res, row, addr);
	if (v->cache) {
		cache_result cr;
		if (cache_get_result(v->cache, addr, now_s(), &cr)) {
			r->verdict = cr.verdict;
			r->owner = cr.owner;
			r->reason = cr.reason;
			r->tls = cr.tls;
			r->flags |= cr.flags;
			r->smtp_code = cr.smtp_code;
			r->enhanced = cr.enhanced;
			r->reply = cr.reply[0] ? intern_put(v->res->pool, cr.reply, strlen(cr.reply), NULL) : 0;
			r->mx = cr.mx[0] ? intern_put(v->res->pool, cr.mx, strlen(cr.mx), NULL) : 0;
			vr->state = R_DONE;
			v->st.done++;
			v->st.from_cache++;
			emit(v, VEV_RESULT, row, NULL, NULL, 0);
			schedule_pump(v);
			return MV_OK;
		}
	}
	uint32_t di = domain_get(v, r->domain);
	if (di == UINT32_MAX)
		return MV_NOMEM;
	vr->dom = di;
	struct vdomain *d = &v->doms[di];
	if (d->state == D_DEAD) {
		/* the domain already failed in this run: same fate */
		d->state = D_NEW;
	}
	/* A greylist retry pending from an earlier run waits its time. */
	int64_t at;
	unsigned tries;
	if (v->cache && cache_get_retry(v->cache, addr, &at, &tries) && at > now_s()) {
		vr->tries = (uint8_t)(tries < 255 ? tries : 255);
		retry_later(v, row, (uint64_t)(at - now_s()) * 1000u);
		if (d->state == D_NEW) {
			d->state = D_WAIT_DNS;
			vec_push(&v->dns_wait, di);
		}
		return MV_OK;
	}
	vr->state = R_QUEUED;
	vec_push(row_utf8(v, row) ? &d->utf8 : &d->ascii, (uint32_t)row);
	if (d->state == D_NEW) {
		d->state = D_WAIT_DNS;
		vec_push(&v->dns_wait, di);
	} else if (d->state == D_ROUTED) {
		host_activate(v, d->hosts[d->cur]);
	}
	schedule_pump(v);
	return MV_OK;
}

void verify_kick(verify *v)
{
	schedule_pump(v);
}

bool verify_finished(const verify *v)
{
	return v->st.done >= v->st.queued;
}

void verify_get_stats(const verify *v, verify_stats *out)
{
	*out = v->st;
	out->budget_left = v->budget;
}

void verify_pause_provider(verify *v, const char *provider, bool paused)
{
	uint32_t id = intern_find(v->provnames, provider, strlen(provider));
	if (!id)
		return;
	struct vprovider *p = &v->provs[id - 1];
	p->paused = paused;
	if (!paused && p->tripped) {
		p->tripped = false;
		p->answers = p->sender_rejects = 0;
		for (size_t row = 0; row < v->res->n; row++) {
			if (v->rows[row].state != R_BLOCKED)
				continue;
			struct vdomain *d = &v->doms[v->rows[row].dom];
			if (d->provider != id - 1)
				continue;
			v->rows[row].state = R_DONE;
			verify_add(v, row);
		}
	}
	for (size_t i = 0; i < v->nhosts; i++)
		if (v->hosts[i].provider == id - 1)
			host_activate(v, (uint32_t)i);
	schedule_pump(v);
}

void verify_stop(verify *v)
{
	v->stopped = true;
	for (struct vsession *vs = v->sessions; vs; vs = vs->next) {
		vs->closing = true;
		if (smtp_session_ready(vs->s) && !smtp_session_inflight(vs->s))
			smtp_session_quit(vs->s);
		else
			smtp_session_abort(vs->s);
	}
	for (size_t i = 0; i < v->res->n; i++)
		if (v->rows[i].timer) {
			ev_timer_del(v->ev, v->rows[i].timer);
			v->rows[i].timer = 0;
			free(v->rows[i].ra);
			v->rows[i].ra = NULL;
		}
}

const char *verify_transcript(const verify *v, uint32_t id)
{
	if (!id || id > v->ntranscripts || !v->transcripts[id - 1])
		return "";
	return v->transcripts[id - 1];
}

const char *verify_provider_of(const verify *v, size_t row)
{
	if (row >= v->res->n || v->rows[row].dom == UINT32_MAX)
		return "";
	const struct vdomain *d = &v->doms[v->rows[row].dom];
	if (d->provider == UINT32_MAX)
		return "";
	return v->provs[d->provider].name;
}
