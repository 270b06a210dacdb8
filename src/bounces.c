#include "mailvet/bounces.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mailvet/buf.h"
#include "mailvet/csvio.h"
#include "mailvet/intern.h"
#include "mailvet/result.h"
#include "mailvet/table.h"
#include "mailvet/text.h"

#define ADDR_MAX 512u
#define MX_MAX 256u

struct bounce_set {
	intern *pool;       /* every string of every record */
	bounce *v;
	size_t n, cap;
};

static const struct provider_rule {
	int mx;              /* 0: recipient domain, 1: MX host suffix */
	const char *pattern;
	const char *name;
} providers[] = {
#include "providers.inc"
};

const char *bounce_format_name(bounce_format f)
{
	switch (f) {
	case BOUNCE_FMT_CSV: return "csv";
	case BOUNCE_FMT_LOG: return "log";
	case BOUNCE_FMT_DSN: return "dsn";
	default: return "auto";
	}
}

bounce_set *bounces_create(void)
{
	bounce_set *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->pool = intern_create();
	if (!b->pool) {
		free(b);
		return NULL;
	}
	return b;
}

void bounces_destroy(bounce_set *b)
{
	if (!b)
		return;
	intern_destroy(b->pool);
	free(b->v);
	free(b);
}

size_t bounces_count(const bounce_set *b) { return b ? b->n : 0; }

const bounce *bounces_get(const bounce_set *b, size_t i)
{
	return b && i < b->n ? &b->v[i] : NULL;
}

/* ---- small byte helpers ----------------------------------------------------------- */

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }


static bool ci_prefix(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	return n >= m && text_ieq(s, m, p, m);
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_ws((*s)[*n - 1]))
		(*n)--;
}

/* "5.1.1" (optionally followed by text) to a packed code; 0 if none. */
static uint32_t parse_status(const char *s, size_t n)
{
	unsigned part[3] = { 0, 0, 0 };
	size_t i = 0;
	trim(&s, &n);
	for (int k = 0; k < 3; k++) {
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 4)
			part[k] = part[k] * 10 + (unsigned)(s[i++] - '0');
		if (i == start || i - start > 3)
			return 0;
		if (k < 2) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (part[0] != 2 && part[0] != 4 && part[0] != 5)
		return 0;
	return result_enhanced_pack(part[0], part[1], part[2]);
}

/* ---- providers --------------------------------------------------------------------- */

static bool domain_matches(const char *d, const char *pat)
{
	size_t pl = strlen(pat);
	if (pl >= 2 && pat[pl - 1] == '*' && pat[pl - 2] == '.')
		return strncmp(d, pat, pl - 1) == 0 && d[pl - 1] != '\0';
	return strcmp(d, pat) == 0;
}

static bool host_matches(const char *h, const char *suffix)
{
	size_t hl = strlen(h), sl = strlen(suffix);
	if (hl < sl)
		return false;
	if (strcmp(h + hl - sl, suffix) != 0)
		return false;
	return hl == sl || h[hl - sl - 1] == '.';
}

const char *bounces_provider_of(const char *domain, const char *mx)
{
	size_t np = sizeof(providers) / sizeof(providers[0]);
	if (domain && *domain)
		for (size_t i = 0; i < np; i++)
			if (!providers[i].mx && domain_matches(domain, providers[i].pattern))
				return providers[i].name;
	if (mx && *mx)
		for (size_t i = 0; i < np; i++)
			if (providers[i].mx && host_matches(mx, providers[i].pattern))
				return providers[i].name;
	return NULL;
}

/* ---- records --------------------------------------------------------------------------- */

static const char *pool_str(bounce_set *b, const char *p, size_t n, mv_status *st)
{
	if (*st)
		return "";
	uint32_t id = intern_put(b->pool, p, n, NULL);
	if (!id) {
		*st = MV_NOMEM;
		return "";
	}
	return intern_get(b->pool, id).p;
}

static int reply_class_of(const bounce *x)
{
	if (x->code)
		return x->code / 100;
	return (int)(x->enhanced >> 20);
}

bool bounce_is_suppressible(const bounce *x)
{
	return x && x->cls.owner == OWNER_RECIPIENT && x->cls.verdict == VERDICT_INVALID &&
	       reply_class_of(x) != 4;
}

mv_status bounces_add(bounce_set *b, const char *addr, size_t an, const char *diag, size_t dn,
		      uint32_t status, const char *mx, size_t mxn, const char *source, uint32_t line)
{
	char a[ADDR_MAX], m[MX_MAX];
	smtp_reply r = { 0 };
	mv_status st = MV_OK;

	trim(&addr, &an);
	if (an && addr[0] == '<') {
		addr++;
		an--;
	}
	if (an && addr[an - 1] == '>')
		an--;
	trim(&addr, &an);
	const char *at = an ? memchr(addr, '@', an) : NULL;
	if (!at || an >= sizeof(a) || at == addr || at + 1 == addr + an)
		return MV_PARSE;
	for (size_t i = 0; i < an; i++) {
		if (is_ws(addr[i]) || addr[i] == '\0')
			return MV_PARSE;
		a[i] = text_ascii_lower(addr[i]);
	}
	a[an] = '\0';
	const char *dom = strrchr(a, '@') + 1;
	size_t dl = strlen(dom);
	while (dl && dom[dl - 1] == '.')
		dl--;
	size_t ml = 0;
	if (mx) {
		trim(&mx, &mxn);
		for (; ml < mxn && ml + 1 < sizeof(m) && mx[ml] != '[' && !is_ws(mx[ml]); ml++)
			m[ml] = text_ascii_lower(mx[ml]);
		while (ml && m[ml - 1] == '.')
			ml--;
	}
	m[ml] = '\0';
	if (ml == 4 && !memcmp(m, "none", 4))
		m[ml = 0] = '\0';

	if (dn > REPLY_MAX_BYTES)
		dn = REPLY_MAX_BYTES;
	st = reply_parse_text(diag, dn, &r);
	if (st == MV_OK) {
		if (!r.enhanced && status)
			r.enhanced = status;
	} else {
		st = reply_from_parts(0, status, diag, dn, &r);
		if (st)
			return st;
	}
	reply_phase phase = reply_phase_from_text(diag, dn);
	if (phase == REPLY_PHASE_UNKNOWN)
		phase = REPLY_PHASE_RCPT;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		bounce *v = realloc(b->v, cap * sizeof(*v));
		if (!v) {
			st = MV_NOMEM;
			goto out;
		}
		b->v = v;
		b->cap = cap;
	}
	bounce *x = &b->v[b->n];
	memset(x, 0, sizeof(*x));
	x->code = r.code;
	x->enhanced = r.enhanced;
	x->phase = phase;
	reply_classify(&r, phase, &x->cls);
	char dbuf[ADDR_MAX];
	memcpy(dbuf, dom, dl);
	dbuf[dl] = '\0';
	x->addr = pool_str(b, a, an, &st);
	x->domain = pool_str(b, dbuf, dl, &st);
	x->mx = pool_str(b, m, ml, &st);
	x->text = pool_str(b, r.text, r.text_len, &st);
	x->source = pool_str(b, source ? source : "", source ? strlen(source) : 0, &st);
	const char *prov = bounces_provider_of(x->domain, x->mx);
	x->provider = prov ? prov : x->domain;
	x->line = line;
	if (!st)
		b->n++;
out:
	reply_free(&r);
	return st;
}

/* ---- Postfix and Exim logs --------------------------------------------------------------- */

/* A Postfix "status=bounced" line: to=<>, relay=, dsn=, and the (reason). */
static mv_status postfix_line(bounce_set *b, const char *s, size_t n, const char *src,
			      uint32_t line)
{
	const char *to = text_find_ci(s, n, "to=<");
	const char *stt = text_find_ci(s, n, "status=bounced");
	if (!to || !stt)
		return MV_PARSE;
	to += 4;
	const char *end = memchr(to, '>', (size_t)(s + n - to));
	if (!end)
		return MV_PARSE;
	const char *mx = NULL;
	size_t mxn = 0;
	const char *rel = text_find_ci(s, n, " relay=");
	if (rel) {
		mx = rel + 7;
		const char *e = mx;
		while (e < s + n && *e != ',' && *e != '[' && !is_ws(*e))
			e++;
		mxn = (size_t)(e - mx);
	}
	uint32_t status = 0;
	const char *dsn = text_find_ci(s, n, " dsn=");
	if (dsn)
		status = parse_status(dsn + 5, (size_t)(s + n - dsn - 5) > 12 ? 12 : (size_t)(s + n - dsn - 5));
	const char *d = stt + 14;
	size_t dn = (size_t)(s + n - d);
	trim(&d, &dn);
	if (dn && d[0] == '(') {
		d++;
		dn--;
		if (dn && d[dn - 1] == ')')
			dn--;
	}
	return bounces_add(b, to, (size_t)(end - to), d, dn, status, mx, mxn, src, line);
}

/* An Exim "**" line: the address, H=host, and the message after the first ": ". */
static mv_status exim_line(bounce_set *b, const char *s, size_t n, const char *src, uint32_t line)
{
	const char *p = text_find_ci(s, n, " ** ");
	if (!p)
		return MV_PARSE;
	p += 4;
	const char *e = s + n;
	const char *a = p;
	while (p < e && !is_ws(*p) && *p != ':')
		p++;
	size_t an = (size_t)(p - a);
	const char *mx = NULL;
	size_t mxn = 0;
	const char *h = text_find_ci(p, (size_t)(e - p), " h=");
	if (h) {
		mx = h + 3;
		const char *q = mx;
		while (q < e && !is_ws(*q) && *q != ':')
			q++;
		mxn = (size_t)(q - mx);
	}
	const char *colon = p;
	while (colon + 1 < e && !(colon[0] == ':' && colon[1] == ' '))
		colon++;
	const char *d = colon + 1 < e ? colon + 2 : e;
	/* Exim writes a multi-line reply with "\n" escapes: undo them. */
	char tmp[8192];
	size_t tn = 0;
	for (const char *q = d; q < e && tn < sizeof(tmp); q++) {
		if (q[0] == '\\' && q + 1 < e && q[1] == 'n') {
			tmp[tn++] = '\n';
			q++;
		} else {
			tmp[tn++] = *q;
		}
	}
	return bounces_add(b, a, an, tmp, tn, 0, mx, mxn, src, line);
}

static void read_log(bounce_set *b, const char *data, size_t n, const char *src,
		     bounce_read_info *info)
{
	uint32_t line = 0;
	for (size_t pos = 0; pos < n;) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - s) : n - pos;
		pos += len + (nl ? 1 : 0);
		line++;
		mv_status st = MV_NOTFOUND;
		if (text_find_ci(s, len, "status=bounced"))
			st = postfix_line(b, s, len, src, line);
		else if (text_find_ci(s, len, " ** "))
			st = exim_line(b, s, len, src, line);
		if (st == MV_OK)
			info->records++;
		else if (st != MV_NOTFOUND)
			info->skipped++;
	}
}

/* ---- RFC 3464 delivery status notifications ----------------------------------------- */

enum dsn_field { F_NONE, F_RCPT, F_ORIG, F_ACTION, F_STATUS, F_DIAG, F_MTA };

struct dsn_rec {
	const char *rcpt, *orig, *mta;
	size_t rn, on, mn;
	char action[16];
	uint32_t status;
	buf diag;
	uint32_t line;
	bool any;
};

static void dsn_reset(struct dsn_rec *r)
{
	r->rcpt = r->orig = r->mta = NULL;
	r->rn = r->on = r->mn = 0;
	r->action[0] = '\0';
	r->status = 0;
	buf_reset(&r->diag);
	r->any = false;
}

static void dsn_flush(bounce_set *b, struct dsn_rec *r, const char *src, bounce_read_info *info)
{
	if (!r->any)
		return;
	const char *a = r->rcpt ? r->rcpt : r->orig;
	size_t an = r->rcpt ? r->rn : r->on;
	if (a) {
		/* "rfc822; user@x" */
		const char *semi = memchr(a, ';', an);
		if (semi) {
			an -= (size_t)(semi + 1 - a);
			a = semi + 1;
		}
		bool failed = !r->action[0] || !strcmp(r->action, "failed");
		if (!r->action[0] && (r->status >> 20) != 5 && !r->diag.len)
			failed = false;
		if (!failed) {
			info->other++;
		} else {
			const char *mta = r->mta;
			size_t mn = r->mn;
			if (mta) {
				const char *semi2 = memchr(mta, ';', mn);
				if (semi2) {
					mn -= (size_t)(semi2 + 1 - mta);
					mta = semi2 + 1;
				}
			}
			if (bounces_add(b, a, an, buf_str(&r->diag), r->diag.len, r->status, mta, mn,
					src, r->line) == MV_OK)
				info->records++;
			else
				info->skipped++;
		}
	}
	dsn_reset(r);
}

/* ---- MIME: the encoded parts of a report -------------------------------------------------
 *
 * Bounces are multipart/report messages whose text/plain and
 * message/delivery-status parts may be sent quoted-printable or base64
 * (RFC 2045 6.7, 6.8). mime_decode() rewrites a message (or an mbox of
 * them) with those parts decoded in place and everything else copied, so
 * the line reader below sees Final-Recipient and Diagnostic-Code as plain
 * fields. Line by line, no recursion: at most MIME_MAX_DEPTH nested
 * boundaries of at most MIME_BOUNDARY_MAX bytes; decoding never grows the
 * text, so the output is bounded by the input.
 */
#define MIME_MAX_DEPTH 8u
#define MIME_BOUNDARY_MAX 200u

enum mime_cte { CTE_NONE, CTE_QP, CTE_B64 };

struct mime_state {
	char bnd[MIME_MAX_DEPTH][MIME_BOUNDARY_MAX];
	size_t bl[MIME_MAX_DEPTH];
	size_t nb;
	bool in_head;          /* in a header block (the message's or a part's) */
	bool in_ctype;         /* the last header was Content-Type (for a folded boundary=) */
	bool decodable;        /* the part is text/... or a delivery-status report */
	enum mime_cte cte;
	buf b64;               /* the base64 text of the current part */
};

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* A decoded byte: NUL and other controls but tab and line ends become spaces. */
static mv_status put_decoded(buf *out, unsigned char c)
{
	if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
		c = ' ';
	return buf_append_char(out, (char)c);
}

/* Decode base64 text (whitespace and stray bytes skipped, '=' ends it), then end the line. */
static mv_status b64_flush(struct mime_state *m, buf *out)
{
	mv_status st = MV_OK;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < m->b64.len && !st; i++) {
		char c = m->b64.data[i];
		if (c == '=')
			break;
		int v = b64_val(c);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			st = put_decoded(out, (unsigned char)((acc >> bits) & 0xffu));
		}
	}
	if (!st && m->b64.len)
		st = buf_append_char(out, '\n');
	buf_reset(&m->b64);
	return st;
}

/* One quoted-printable line; a final '=' is a soft break (no line end written). */
static mv_status qp_line(buf *out, const char *s, size_t n)
{
	mv_status st = MV_OK;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	bool soft = n && s[n - 1] == '=';
	if (soft)
		n--;
	for (size_t i = 0; i < n && !st; i++) {
		int hi, lo;
		if (s[i] == '=' && i + 2 < n && (hi = hex_val(s[i + 1])) >= 0 &&
		    (lo = hex_val(s[i + 2])) >= 0) {
			st = put_decoded(out, (unsigned char)(hi * 16 + lo));
			i += 2;
		} else {
			st = put_decoded(out, (unsigned char)s[i]);
		}
	}
	if (!st && !soft)
		st = buf_append_char(out, '\n');
	return st;
}

/* boundary=X or boundary="X" in a Content-Type header (line or folded continuation). */
static void mime_boundary(struct mime_state *m, const char *s, size_t n)
{
	const char *p = text_find_ci(s, n, "boundary=");
	if (!p || m->nb >= MIME_MAX_DEPTH)
		return;
	p += 9;
	size_t left = n - (size_t)(p - s), k = 0;
	bool quoted = left && *p == '"';
	if (quoted) {
		p++;
		left--;
	}
	while (k < left && (quoted ? p[k] != '"' : (p[k] != ';' && !is_ws(p[k]))))
		k++;
	if (!k || k >= MIME_BOUNDARY_MAX)
		return;
	memcpy(m->bnd[m->nb], p, k);
	m->bl[m->nb++] = k;
}

/* Is the line "--B" or "--B--" for a boundary B on the stack? Its depth, or -1. */
static int mime_is_boundary(const struct mime_state *m, const char *s, size_t n, bool *closing)
{
	while (n && is_ws(s[n - 1]))
		n--;
	if (n < 3 || s[0] != '-' || s[1] != '-')
		return -1;
	for (size_t k = m->nb; k-- > 0;) {
		size_t bl = m->bl[k];
		if (n == bl + 2 && !memcmp(s + 2, m->bnd[k], bl)) {
			*closing = false;
			return (int)k;
		}
		if (n == bl + 4 && !memcmp(s + 2, m->bnd[k], bl) && s[bl + 2] == '-' && s[bl + 3] == '-') {
			*closing = true;
			return (int)k;
		}
	}
	return -1;
}

static void mime_header(struct mime_state *m, const char *s, size_t len)
{
	if (s[0] == ' ' || s[0] == '\t') {
		if (m->in_ctype)
			mime_boundary(m, s, len);
		return;
	}
	m->in_ctype = false;
	const char *colon = memchr(s, ':', len);
	if (!colon)
		return;
	size_t hn = (size_t)(colon - s);
	const char *v = colon + 1;
	size_t vn = len - hn - 1;
	trim(&v, &vn);
	if (hn == 25 && ci_prefix(s, hn, "content-transfer-encoding")) {
		if (ci_prefix(v, vn, "quoted-printable"))
			m->cte = CTE_QP;
		else if (ci_prefix(v, vn, "base64"))
			m->cte = CTE_B64;
	} else if (hn == 12 && ci_prefix(s, hn, "content-type")) {
		m->in_ctype = true;
		m->decodable = ci_prefix(v, vn, "text/") || text_find_ci(v, vn, "delivery-status") != NULL;
		if (ci_prefix(v, vn, "multipart/"))
			mime_boundary(m, v, vn);
	}
}

static void mime_new_part(struct mime_state *m)
{
	m->in_head = true;
	m->in_ctype = false;
	m->decodable = false;
	m->cte = CTE_NONE;
}

static mv_status mime_decode(const char *data, size_t n, buf *out)
{
	struct mime_state m;
	mv_status st = MV_OK;

	memset(&m, 0, sizeof(m));
	buf_init(&m.b64, n + 1);
	mime_new_part(&m);
	/* a message with no Content-Type header is text */
	m.decodable = true;
	for (size_t pos = 0; pos < n && !st;) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', n - pos);
		size_t raw = nl ? (size_t)(nl - s) + 1 : n - pos;
		size_t len = nl ? (size_t)(nl - s) : n - pos;
		pos += raw;
		if (len && s[len - 1] == '\r')
			len--;
		bool closing = false;
		int depth = mime_is_boundary(&m, s, len, &closing);
		bool mbox_from = len >= 5 && !memcmp(s, "From ", 5);   /* mbox: a new message */
		if (depth >= 0 || mbox_from) {
			st = b64_flush(&m, out);
			if (!st)
				st = buf_append(out, s, raw);
			if (mbox_from) {
				m.nb = 0;
				mime_new_part(&m);
				m.decodable = true;
			} else {
				m.nb = (size_t)depth + (closing ? 0u : 1u);
				mime_new_part(&m);
				m.in_head = !closing;
			}
			continue;
		}
		if (m.in_head) {
			if (!len) {
				m.in_head = false;
				m.in_ctype = false;
			} else {
				mime_header(&m, s, len);
			}
			st = buf_append(out, s, raw);
		} else if (m.cte == CTE_B64 && m.decodable) {
			st = buf_append(&m.b64, s, len);
		} else if (m.cte == CTE_QP && m.decodable) {
			st = qp_line(out, s, len);
		} else {
			st = buf_append(out, s, raw);
		}
	}
	if (!st)
		st = b64_flush(&m, out);
	buf_free(&m.b64);
	return st;
}

static void read_dsn_lines(bounce_set *b, const char *data, size_t n, const char *src,
			   bounce_read_info *info);

static void read_dsn(bounce_set *b, const char *data, size_t n, const char *src,
		     bounce_read_info *info)
{
	buf dec;
	buf_init(&dec, n + 2);
	if (text_find_ci(data, n, "content-transfer-encoding") && mime_decode(data, n, &dec) == MV_OK)
		read_dsn_lines(b, buf_str(&dec), dec.len, src, info);
	else
		read_dsn_lines(b, data, n, src, info);
	buf_free(&dec);
}

static void read_dsn_lines(bounce_set *b, const char *data, size_t n, const char *src,
			   bounce_read_info *info)
{
	struct dsn_rec r;
	enum dsn_field last = F_NONE;
	uint32_t line = 0;

	memset(&r, 0, sizeof(r));
	buf_init(&r.diag, REPLY_MAX_BYTES);
	for (size_t pos = 0; pos < n;) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - s) : n - pos;
		pos += len + (nl ? 1 : 0);
		line++;
		if (len && s[len - 1] == '\r')
			len--;
		if (len && (s[0] == ' ' || s[0] == '\t')) {
			/* a folded continuation of the last field */
			if (last == F_DIAG) {
				const char *c = s;
				size_t cn = len;
				trim(&c, &cn);
				if (buf_append_char(&r.diag, ' ') || buf_append(&r.diag, c, cn))
					info->skipped++;
			}
			continue;
		}
		last = F_NONE;
		if (!len) {
			dsn_flush(b, &r, src, info);
			continue;
		}
		if (len >= 5 && !memcmp(s, "From ", 5)) {
			dsn_flush(b, &r, src, info);
			continue;
		}
		const char *colon = memchr(s, ':', len);
		if (!colon)
			continue;
		size_t nl_ = (size_t)(colon - s);
		const char *v = colon + 1;
		size_t vn = len - nl_ - 1;
		trim(&v, &vn);
		if (ci_prefix(s, nl_, "final-recipient") && nl_ == 15) {
			if (r.rcpt)
				dsn_flush(b, &r, src, info);
			r.rcpt = v;
			r.rn = vn;
			r.line = line;
			r.any = true;
			last = F_RCPT;
		} else if (ci_prefix(s, nl_, "original-recipient") && nl_ == 18) {
			if (r.orig && r.rcpt)
				dsn_flush(b, &r, src, info);
			r.orig = v;
			r.on = vn;
			if (!r.line)
				r.line = line;
			r.any = true;
			last = F_ORIG;
		} else if (ci_prefix(s, nl_, "action") && nl_ == 6) {
			size_t k = 0;
			for (; k < vn && k + 1 < sizeof(r.action) && !is_ws(v[k]); k++)
				r.action[k] = text_ascii_lower(v[k]);
			r.action[k] = '\0';
			last = F_ACTION;
		} else if (ci_prefix(s, nl_, "status") && nl_ == 6) {
			r.status = parse_status(v, vn);
			last = F_STATUS;
		} else if (ci_prefix(s, nl_, "diagnostic-code") && nl_ == 15) {
			buf_reset(&r.diag);
			if (buf_append(&r.diag, v, vn))
				info->skipped++;
			last = F_DIAG;
		} else if (ci_prefix(s, nl_, "remote-mta") && nl_ == 10) {
			r.mta = v;
			r.mn = vn;
			last = F_MTA;
		}
	}
	dsn_flush(b, &r, src, info);
	buf_free(&r.diag);
}

/* ---- CSV ----------------------------------------------------------------------------------- */

static long find_col(const table *t, const char *const *names, long not)
{
	for (size_t c = 0; c < table_ncols(t); c++) {
		if ((long)c == not)
			continue;
		mv_str h = table_col_name(t, c);
		char low[64];
		size_t k = 0;
		for (; k < h.len && k + 1 < sizeof(low); k++) {
			char ch = text_ascii_lower(h.p[k]);
			low[k] = ch == ' ' || ch == '-' ? '_' : ch;
		}
		low[k] = '\0';
		for (size_t i = 0; names[i]; i++)
			if (!strcmp(low, names[i]))
				return (long)c;
	}
	return -1;
}

static mv_status read_csv(bounce_set *b, const char *data, size_t n, const char *src,
			  bounce_read_info *info)
{
	static const char *const diag_names[] = {
		"diagnostic_code", "diagnostic", "diagnostics", "diag", "bounce_reason", "reason",
		"smtp_response", "smtp_reply", "response", "reply", "error", "error_message",
		"bounce_message", "message", "description", "status_message", "detail", "details",
		"bounce_description", "smtp_error", NULL };
	static const char *const status_names[] = {
		"status", "status_code", "dsn", "enhanced", "enhanced_code", "enhanced_status",
		"dsn_status", NULL };
	static const char *const mx_names[] = {
		"mx", "mx_host", "remote_mta", "relay", "remote_host", "host", NULL };
	table *t = NULL;
	csv_info ci;
	csv_opts o;
	mv_status st;

	csv_opts_init(&o);
	st = csvio_load_mem(data, n, &o, &t, &ci);
	if (st)
		return st;
	long ecol = ci.email_col;
	if (ecol < 0) {
		st = MV_PARSE;
		goto out;
	}
	long dcol = table_has_header(t) ? find_col(t, diag_names, ecol) : -1;
	if (dcol < 0) {
		/* The column whose cells read best as SMTP replies. */
		size_t best = 0;
		for (size_t c = 0; c < table_ncols(t); c++) {
			if ((long)c == ecol)
				continue;
			size_t hits = 0;
			for (size_t row = 0; row < table_nrows(t) && row < 200; row++) {
				mv_str cell = table_cell(t, row, c);
				smtp_reply r;
				if (reply_parse_text(cell.p, cell.len, &r) == MV_OK) {
					hits++;
					reply_free(&r);
				}
			}
			if (hits > best) {
				best = hits;
				dcol = (long)c;
			}
		}
	}
	if (dcol < 0) {
		st = MV_PARSE;
		goto out;
	}
	long scol = table_has_header(t) ? find_col(t, status_names, ecol) : -1;
	long mcol = table_has_header(t) ? find_col(t, mx_names, ecol) : -1;
	if (scol == dcol)
		scol = -1;
	for (size_t row = 0; row < table_nrows(t); row++) {
		mv_str a = table_cell(t, row, (size_t)ecol);
		mv_str d = table_cell(t, row, (size_t)dcol);
		uint32_t status = 0;
		mv_str m = { "", 0 };
		if (scol >= 0) {
			mv_str sc = table_cell(t, row, (size_t)scol);
			status = parse_status(sc.p, sc.len);
		}
		if (mcol >= 0)
			m = table_cell(t, row, (size_t)mcol);
		if (!d.len && !status) {
			info->skipped++;
			continue;
		}
		if (bounces_add(b, a.p, a.len, d.p, d.len, status, m.p, m.len, src,
				table_row_line(t, row)) == MV_OK)
			info->records++;
		else
			info->skipped++;
	}
	st = MV_OK;
out:
	table_destroy(t);
	return st;
}

/* ---- entry points ------------------------------------------------------------------------ */

static bounce_format sniff(const char *data, size_t n)
{
	size_t look = n > (4u << 20) ? (4u << 20) : n;
	if (text_find_ci(data, look, "final-recipient:") || text_find_ci(data, look, "message/delivery-status"))
		return BOUNCE_FMT_DSN;
	if (text_find_ci(data, look, "status=bounced"))
		return BOUNCE_FMT_LOG;
	/* Exim main log: "YYYY-MM-DD HH:MM:SS id ** addr" */
	for (size_t pos = 0; pos < look;) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', look - pos);
		size_t len = nl ? (size_t)(nl - s) : look - pos;
		pos += len + 1;
		if (len > 20 && s[4] == '-' && s[7] == '-' && s[13] == ':' && text_find_ci(s, len, " ** "))
			return BOUNCE_FMT_LOG;
	}
	return BOUNCE_FMT_CSV;
}

mv_status bounces_read_mem(bounce_set *b, const char *data, size_t n, bounce_format fmt,
			   const char *name, bounce_read_info *info)
{
	bounce_read_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (fmt == BOUNCE_FMT_AUTO)
		fmt = sniff(data, n);
	info->format = fmt;
	info->files++;
	switch (fmt) {
	case BOUNCE_FMT_DSN:
		read_dsn(b, data, n, name, info);
		return MV_OK;
	case BOUNCE_FMT_LOG:
		read_log(b, data, n, name, info);
		return MV_OK;
	default:
		return read_csv(b, data, n, name, info);
	}
}

static mv_status slurp(const char *path, size_t max, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	buf d;
	mv_status st = MV_OK;
	char chunk[65536];
	size_t k;

	*out = NULL;
	*len = 0;
	if (!fp)
		return errno == ENOENT ? MV_NOENT : MV_IO;
	buf_init(&d, max);
	while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if ((st = buf_append(&d, chunk, k)) != MV_OK)
			break;
	if (!st && ferror(fp))
		st = MV_IO;
	fclose(fp);
	if (st) {
		buf_free(&d);
		return st;
	}
	*out = buf_detach(&d, len);
	return *out ? MV_OK : MV_NOMEM;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static mv_status read_dir(bounce_set *b, const char *path, bounce_read_info *info)
{
	DIR *d = opendir(path);
	char **names = NULL;
	size_t nn = 0, cap = 0;
	mv_status st = MV_OK;
	struct dirent *e;

	if (!d)
		return MV_IO;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || !text_ieq(e->d_name + l - 4, 4, ".eml", 4))
			continue;
		if (nn == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **v = realloc(names, nc * sizeof(*v));
			if (!v) {
				st = MV_NOMEM;
				goto out;
			}
			names = v;
			cap = nc;
		}
		if (!(names[nn] = strdup(e->d_name))) {
			st = MV_NOMEM;
			goto out;
		}
		nn++;
	}
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nn; i++) {
		char full[4096];
		int w = snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		if (w < 0 || (size_t)w >= sizeof(full)) {
			info->skipped++;
			continue;
		}
		char *data;
		size_t len;
		if (slurp(full, 16u << 20, &data, &len) != MV_OK) {
			info->skipped++;
			continue;
		}
		read_dsn(b, data, len, full, info);
		info->files++;
		free(data);
	}
	info->format = BOUNCE_FMT_DSN;
out:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return st;
}

mv_status bounces_read_path(bounce_set *b, const char *path, bounce_format fmt,
			    bounce_read_info *info)
{
	struct stat sb;
	char *data = NULL;
	size_t len = 0;
	mv_status st;
	bounce_read_info dummy;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (stat(path, &sb) != 0)
		return errno == ENOENT ? MV_NOENT : MV_IO;
	if (S_ISDIR(sb.st_mode))
		return read_dir(b, path, info);
	st = slurp(path, BOUNCES_MAX_INPUT, &data, &len);
	if (st)
		return st;
	if (memchr(data, '\0', len > 8192 ? 8192 : len)) {
		free(data);
		return MV_BINARY;
	}
	st = bounces_read_mem(b, data, len, fmt, path, info);
	free(data);
	return st;
}

/* ---- segmentation ---------------------------------------------------------------------- */

struct key_ref { const char *key, *sub; const bounce *x; };

static int cmp_key(const void *a, const void *b)
{
	const struct key_ref *p = a, *q = b;
	int c = strcmp(p->key, q->key);
	return c ? c : strcmp(p->sub, q->sub);
}

static int cmp_group(const void *a, const void *b)
{
	const bounce_group *p = a, *q = b;
	if (p->total != q->total)
		return p->total < q->total ? 1 : -1;
	return strcmp(p->name, q->name);
}

static int cmp_alert(const void *a, const void *b)
{
	const bounce_alert *p = a, *q = b;
	if (p->sender_side != q->sender_side)
		return p->sender_side < q->sender_side ? 1 : -1;
	return strcmp(p->provider, q->provider);
}

static void count_into(bounce_group *g, const bounce *x)
{
	g->total++;
	g->by_reason[x->cls.reason]++;
	if (x->cls.owner == OWNER_RECIPIENT)
		g->recipient_side++;
	else if (x->cls.owner == OWNER_SENDER)
		g->sender_side++;
	else
		g->other++;
	if (bounce_is_suppressible(x))
		g->suppressible++;
}

/* Group refs (sorted by key, sub) into groups; alerts only when provider rows. */
static mv_status group_by(struct key_ref *refs, size_t n, bool providers_rows,
			  const bounce_seg_opts *o, bounce_group **out, size_t *nout,
			  bounce_alert **alerts, size_t *nalerts)
{
	size_t ng = 0;
	bounce_group *g = NULL;
	bounce_alert *al = NULL;
	size_t na = 0;

	qsort(refs, n, sizeof(*refs), cmp_key);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(refs[i].key, refs[i - 1].key) != 0)
			ng++;
	g = calloc(ng ? ng : 1, sizeof(*g));
	if (providers_rows)
		al = calloc(ng ? ng : 1, sizeof(*al));
	if (!g || (providers_rows && !al)) {
		free(g);
		free(al);
		return MV_NOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		size_t sender_reasons[REASON_COUNT] = { 0 };
		bounce_group *cur = &g[k++];
		cur->name = refs[i].key;
		cur->provider = providers_rows ? refs[i].key : refs[i].x->provider;
		for (; j < n && !strcmp(refs[j].key, refs[i].key); j++) {
			count_into(cur, refs[j].x);
			if (refs[j].x->cls.owner == OWNER_SENDER)
				sender_reasons[refs[j].x->cls.reason]++;
			if (j == i || strcmp(refs[j].sub, refs[j - 1].sub) != 0)
				cur->ndomains++;
		}
		if (providers_rows && cur->sender_side >= o->alert_min &&
		    cur->sender_side * 100 >= cur->total * o->alert_percent) {
			bounce_alert *a = &al[na++];
			a->provider = cur->name;
			a->sender_side = cur->sender_side;
			a->total = cur->total;
			for (int r = 0; r < REASON_COUNT; r++)
				if (sender_reasons[r] > a->top_count) {
					a->top_count = sender_reasons[r];
					a->top_reason = (mv_reason)r;
				}
		}
		i = j;
	}
	qsort(g, ng, sizeof(*g), cmp_group);
	*out = g;
	*nout = ng;
	if (providers_rows) {
		qsort(al, na, sizeof(*al), cmp_alert);
		*alerts = al;
		*nalerts = na;
	}
	return MV_OK;
}

mv_status bounces_segment(const bounce_set *b, const bounce_seg_opts *opts, bounce_seg *out)
{
	bounce_seg_opts o = { 3, 50 };
	struct key_ref *refs = NULL;
	mv_status st = MV_OK;
	size_t n = bounces_count(b);

	memset(out, 0, sizeof(*out));
	if (opts) {
		if (opts->alert_min)
			o.alert_min = opts->alert_min;
		if (opts->alert_percent)
			o.alert_percent = opts->alert_percent;
	}
	for (size_t i = 0; i < n; i++) {
		const bounce *x = &b->v[i];
		out->total++;
		out->by_reason[x->cls.reason]++;
		if (x->cls.owner == OWNER_RECIPIENT)
			out->recipient_side++;
		else if (x->cls.owner == OWNER_SENDER)
			out->sender_side++;
		else
			out->other++;
		if (bounce_is_suppressible(x))
			out->suppressible++;
	}
	refs = malloc((n ? n : 1) * sizeof(*refs));
	if (!refs)
		return MV_NOMEM;
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct key_ref){ b->v[i].provider, b->v[i].domain, &b->v[i] };
	st = group_by(refs, n, true, &o, &out->providers, &out->nproviders, &out->alerts,
		      &out->nalerts);
	if (st)
		goto out;
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct key_ref){ b->v[i].domain, "", &b->v[i] };
	st = group_by(refs, n, false, &o, &out->domains, &out->ndomains, NULL, NULL);
out:
	free(refs);
	if (st)
		bounce_seg_free(out);
	return st;
}

void bounce_seg_free(bounce_seg *s)
{
	if (!s)
		return;
	free(s->providers);
	free(s->domains);
	free(s->alerts);
	memset(s, 0, sizeof(*s));
}

size_t bounce_group_top_reasons(const bounce_group *g, mv_reason *out, size_t cap)
{
	size_t n = 0;
	bool used[REASON_COUNT] = { false };
	while (n < cap) {
		int best = -1;
		for (int r = 0; r < REASON_COUNT; r++)
			if (!used[r] && g->by_reason[r] && (best < 0 || g->by_reason[r] > g->by_reason[best]))
				best = r;
		if (best < 0)
			break;
		used[best] = true;
		out[n++] = (mv_reason)best;
	}
	return n;
}
