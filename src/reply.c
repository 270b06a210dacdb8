#include "mailvet/reply.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/buf.h"
#include "mailvet/reply_model.h"
#include "mailvet/result.h"
#include "mailvet/text.h"

/* ---- parsing ---------------------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

#define LEAD_MAX 512u   /* the words before a code that are kept for classify */

/*
 * An RFC 3463 code "C.S.D" at s (class 2, 4 or 5; subject and detail up to
 * three digits) not followed by another digit or dot (so an IP address is
 * not one). Returns its length and sets *e, or 0.
 */
static size_t parse_enhanced(const char *s, size_t n, uint32_t *e)
{
	size_t i = 0;
	unsigned part[3] = { 0, 0, 0 };

	if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	part[0] = (unsigned)(s[0] - '0');
	i = 2;
	for (int k = 1; k < 3; k++) {
		size_t start = i;
		while (i < n && is_digit(s[i]) && i - start < 4)
			part[k] = part[k] * 10 + (unsigned)(s[i++] - '0');
		if (i == start || i - start > 3)
			return 0;
		if (k == 1) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && (is_digit(s[i]) || s[i] == '.' ) && !(s[i] == '.' && (i + 1 >= n || !is_digit(s[i + 1]))))
		return 0;
	*e = result_enhanced_pack(part[0], part[1], part[2]);
	return *e ? i : 0;
}

/* Append a line's text (after the code) to out: enhanced code stripped and
 * remembered in *enh when it is the first one seen. */
static mv_status append_line_text(buf *out, const char *s, size_t n, int cls, uint32_t *enh,
				  bool first)
{
	uint32_t e = 0;
	size_t k = parse_enhanced(s, n, &e);
	if (k) {
		if (!*enh || ((*enh >> 20) != (unsigned)cls && (e >> 20) == (unsigned)cls))
			*enh = e;
		s += k;
		n -= k;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
	}
	while (n && is_space(s[n - 1]))
		n--;
	mv_status st = MV_OK;
	if (!first)
		st = buf_append_char(out, '\n');
	if (!st)
		st = buf_append(out, s, n);
	return st;
}

static mv_status finish_text(buf *b, smtp_reply *out)
{
	/* NUL bytes from a hostile server would cut the C string: make them spaces. */
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\0')
			b->data[i] = ' ';
	out->text = buf_detach(b, &out->text_len);
	return out->text ? MV_OK : MV_NOMEM;
}

mv_status reply_parse(const char *in, size_t n, smtp_reply *out, size_t *consumed)
{
	size_t pos = 0, nlines = 0, end = 0;
	int code = 0;
	bool done = false;
	mv_status st = MV_OK;
	buf b;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	buf_init(&b, REPLY_MAX_BYTES + 1);
	/* First pass: find the end of the reply, checking every line. */
	while (!done) {
		const char *line = in + pos;
		size_t avail = n - pos;
		const char *nl = memchr(line, '\n', avail > REPLY_MAX_BYTES ? REPLY_MAX_BYTES : avail);
		size_t len = nl ? (size_t)(nl - line) : avail;
		/* What is there so far must look like a reply line. */
		for (size_t i = 0; i < 3 && i < len; i++)
			if (!is_digit(line[i]) || (i == 0 && (line[0] < '2' || line[0] > '5'))) {
				st = MV_PARSE;
				goto out;
			}
		if (len > 3 || (nl && len == 3)) {
			size_t l = len;
			if (nl && l > 3 && line[l - 1] == '\r')
				l--;
			if (l < 3 || (l > 3 && line[3] != ' ' && line[3] != '-')) {
				st = MV_PARSE;
				goto out;
			}
		}
		if (!nl) {
			st = pos + avail > REPLY_MAX_BYTES ? MV_TOOBIG : MV_AGAIN;
			goto out;
		}
		if (pos + len + 1 > REPLY_MAX_BYTES || ++nlines > REPLY_MAX_LINES) {
			st = MV_TOOBIG;
			goto out;
		}
		size_t l = len;
		if (l && line[l - 1] == '\r')
			l--;
		if (l < 3) {
			st = MV_PARSE;
			goto out;
		}
		int c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (code && c != code) {
			st = MV_PARSE;
			goto out;
		}
		code = c;
		done = l == 3 || line[3] == ' ';
		pos += len + 1;
	}
	end = pos;
	/* Second pass: the text. */
	pos = 0;
	for (size_t k = 0; k < nlines; k++) {
		const char *line = in + pos;
		const char *nl = memchr(line, '\n', end - pos);
		size_t len = (size_t)(nl - line);
		size_t l = len && line[len - 1] == '\r' ? len - 1 : len;
		const char *t = l > 4 ? line + 4 : line + l;
		st = append_line_text(&b, t, (size_t)(line + l - t), code / 100, &out->enhanced, k == 0);
		if (st)
			goto out;
		pos += len + 1;
	}
	st = finish_text(&b, out);
	if (st)
		goto out;
	out->code = code;
	out->nlines = nlines;
	*consumed = end;
out:
	buf_free(&b);
	if (st) {
		free(out->text);
		memset(out, 0, sizeof(*out));
	}
	return st;
}

void reply_free(smtp_reply *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->lead);
	memset(r, 0, sizeof(*r));
}


/* Does the word just before s[i] (one space between) equal w, in any case?
 * "SMTP error 552:", "Error code 550:" name their code so. */
static bool word_before(const char *s, size_t i, const char *w)
{
	size_t wl = strlen(w);
	if (i < wl + 1 || s[i - 1] != ' ')
		return false;
	size_t at = i - 1 - wl;
	if (at > 0 && ((s[at - 1] >= 'a' && s[at - 1] <= 'z') || (s[at - 1] >= 'A' && s[at - 1] <= 'Z')))
		return false;
	return text_ieq(s + at, wl, w, wl);
}

/* A reply code at s[i]: [2-5]dd, not inside a word, number, address or IP. */
static bool code_at(const char *s, size_t n, size_t i)
{
	if (i + 3 > n || s[i] < '2' || s[i] > '5' || !is_digit(s[i + 1]) || !is_digit(s[i + 2]))
		return false;
	if (i > 0) {
		char p = s[i - 1];
		if (is_digit(p) || (p >= 'a' && p <= 'z') || (p >= 'A' && p <= 'Z') || p == '.' ||
		    p == '-' || p == '_' || p == '/' || p == '=' || p == '@' || p == '+' || p == '%' ||
		    p == '$' || p == ',')
			return false;
	}
	if (i + 3 == n)
		return true;
	/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign): s[0..n) is set */
	char c = s[i + 3];
	if (c == ',')
		return i > 0 && s[i - 1] == '(';   /* a Python/Ruby tuple: (550, b'5.1.1 ...') */
	/* "550: No such user" at the start, "SMTP error 552: ...", "error code 550: ...";
	 * not "port 587:" or a time. */
	if (c == ':')
		return (i + 4 == n || s[i + 4] == ' ') &&
		       (i == 0 || word_before(s, i, "error") || word_before(s, i, "code"));
	/* "[SMTP Error Code 550]", "(error 550)": named in brackets at a line's end */
	if (c == ']' || c == ')')
		return word_before(s, i, "error") || word_before(s, i, "code");
	return c == ' ' || c == '-' || c == '\n' || c == '\r' || c == '\t';
}

/* Where the text after a code at s[i] starts: past "-" or " ", or past a
 * tuple's ", b'" / ", '" / ", \"" (Python's smtplib errors). */
static size_t after_code(const char *s, size_t n, size_t i)
{
	size_t p = i + 3;
	if (p < n && s[p] == ',') {
		p++;
		while (p < n && s[p] == ' ')
			p++;
		if (p + 1 < n && s[p] == 'b' && (s[p + 1] == '\'' || s[p + 1] == '"'))
			p++;
		if (p < n && (s[p] == '\'' || s[p] == '"'))
			p++;
		return p;
	}
	if (p < n && (s[p] == ' ' || s[p] == '-' || s[p] == ':'))
		p++;
	return p;
}

static int code_value(const char *s)
{
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* Enhanced code somewhere in the text ("(#5.1.1)", "[5.7.1]", "Status: 5.2.2"). */
static uint32_t find_enhanced(const char *s, size_t n, int cls)
{
	for (size_t i = 0; i + 5 <= n; i++) {
		if (i > 0) {
			char p = s[i - 1];
			if (!(p == ' ' || p == '(' || p == '#' || p == '[' || p == '\n' || p == '\t' ||
			      p == ':' || p == ';' || p == '"' || p == '\''))
				continue;
		}
		uint32_t e = 0;
		size_t k = parse_enhanced(s + i, n - i, &e);
		if (k && (!cls || (int)(e >> 20) == cls))
			return e;
	}
	return 0;
}

/* Remove "(in reply to ... command)" tails and Postfix's outer wrapping. */
static size_t strip_tails(char *s, size_t n)
{
	for (;;) {
		const char *t = text_find_ci(s, n, "(in reply to ");
		if (!t)
			break;
		const char *close = memchr(t, ')', n - (size_t)(t - s));
		size_t from = (size_t)(t - s);
		size_t to = close ? (size_t)(close - s) + 1 : n;
		memmove(s + from, s + to, n - to);
		n -= to - from;
	}
	while (n && (is_space(s[n - 1])))
		n--;
	return n;
}

/* Is s[i..] a continuation marker "CODE-" / "CODE " + same enhanced, for this code? */
static size_t marker_len(const char *s, size_t n, size_t i, int code, uint32_t enh, bool multi)
{
	if (!code_at(s, n, i) || code_value(s + i) != code || i + 3 >= n)
		return 0;
	char sep = s[i + 3];
	if (sep != '-' && sep != ' ')
		return 0;
	size_t k = 4;
	uint32_t e = 0;
	size_t el = parse_enhanced(s + i + 4, n - i - 4, &e);
	if (el && (!enh || e == enh))
		k += el;
	else if (sep == ' ' && !multi)
		return 0;
	while (i + k < n && s[i + k] == ' ')
		k++;
	return k;
}

mv_status reply_parse_text(const char *s, size_t n, smtp_reply *out)
{
	mv_status st = MV_OK;
	char *w = NULL;
	size_t m = 0, lines = 1;
	buf b;

	memset(out, 0, sizeof(*out));
	buf_init(&b, REPLY_MAX_BYTES + 1);
	if (n > REPLY_MAX_BYTES)
		return MV_TOOBIG;
	/* Zeroed, so no byte of it is ever read unset (and the analyser can see so). */
	w = calloc(n + 1, 1);
	if (!w)
		return MV_NOMEM;
	/* Working copy: CR dropped, tabs as spaces, NUL as space. */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r')
			continue;
		if (c == '\n' && ++lines > REPLY_MAX_LINES) {
			st = MV_TOOBIG;
			goto out;
		}
		w[m++] = c == '\t' || c == '\0' ? ' ' : c;
	}
	/* qmail's logs write a reply's spaces as underscores
	 * ("..._does_not_like_recipient./Remote_host_said:_550_No_such_user/..."). */
	size_t unders = 0, spaces = 0;
	for (size_t i = 0; i < m; i++) {
		unders += w[i] == '_';
		spaces += w[i] == ' ';
	}
	if (unders > spaces)
		for (size_t i = 0; i < m; i++)
			if (w[i] == '_')
				w[i] = ' ';
	m = strip_tails(w, m);

	/* Where the reply starts: after "said:" if a log says so, at the first code
	 * followed by an enhanced code of its class, else at the first code. */
	size_t from = 0;
	const char *said = text_find_ci(w, m, "said:");
	/* ...unless a reply came first, and quotes another inside it (Postfix's
	 * "550 5.1.7 <a@b>: Sender address rejected: undeliverable address: host X
	 * said: 550 ..."): the outer reply is the one that was sent. */
	for (size_t i = 0; said && i < (size_t)(said - w); i++) {
		uint32_t e = 0;
		if (!code_at(w, m, i) || (i > 0 && !is_space(w[i - 1]) && w[i - 1] != ';'))
			continue;
		size_t j = after_code(w, m, i);
		if (parse_enhanced(w + j, m - j, &e))
			said = NULL;
	}
	if (said)
		from = (size_t)(said - w) + 5;
	/* A text that opens with an enhanced code ("5.1.0 - Unknown address error
	 * 540-...") has no reply code of its own: read it whole. */
	size_t lead = from;
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): w[0..m) is set */
	while (lead < m && w[lead] == ' ')
		lead++;
	if (m - lead > 5 && text_find_ci(w + lead, 5, "smtp;"))
		lead += 5;
	while (lead < m && w[lead] == ' ')
		lead++;
	uint32_t lead_enh = 0;
	bool lead_is_enh = parse_enhanced(w + lead, m - lead, &lead_enh) != 0;
	size_t first = m, best = m;
	for (size_t i = from; i < m && !lead_is_enh; i++) {
		if (!code_at(w, m, i))
			continue;
		uint32_t e = 0;
		size_t j = after_code(w, m, i);
		/* The first code with an enhanced code of either class is the reply
		 * ("554 4.4.7 Message expired ... <421 4.4.0 ...>" quotes an older one);
		 * a later code must agree in class. */
		bool with_enh = j < m && parse_enhanced(w + j, m - j, &e) &&
				(first == m || (int)(e >> 20) == w[i] - '0');
		/* Glued to a word by a colon ("SHA384:256 CV=no" in an Exim log line) it is
		 * a number, unless an enhanced code follows ("user@b.test:550 5.1.1"). */
		if (i > 0 && w[i - 1] == ':' && i > 1 && !is_space(w[i - 2]) && !with_enh)
			continue;
		if (first == m)
			first = i;
		if (with_enh) {
			best = i;
			break;
		}
	}
	if (best == m)
		best = first;

	int code = 0;
	uint32_t enh = 0;
	size_t p;
	if (best < m) {
		code = code_value(w + best);
		p = after_code(w, m, best);
		while (p < m && w[p] == ' ')
			p++;
		size_t el = parse_enhanced(w + p, m - p, &enh);
		p += el;   /* a class that differs from the code's is kept: the server said it */
	} else {
		/* No code: the text itself, after DSN type prefixes. */
		p = said ? from : 0;
		while (p < m && is_space(w[p]))
			p++;
		static const char *const prefixes[] = { "smtp;", "x-postfix;", "x-unix;", "x-local;", "mailbox;" };
		for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
			size_t pl = strlen(prefixes[k]);
			if (m - p >= pl && text_find_ci(w + p, pl, prefixes[k])) {
				p += pl;
				break;
			}
		}
		size_t el = 0;
		while (p < m && is_space(w[p]))
			p++;
		el = parse_enhanced(w + p, m - p, &enh);
		p += el;
	}
	if (!enh)
		enh = find_enhanced(w + p, m - p, code / 100);
	/* A DSN gives the enhanced code in its Status: field, before the
	 * Diagnostic-Code that carries the reply ("Status: 5.1.1 ... smtp; 550 ..."). */
	if (!enh && code) {
		const char *st_f = text_find_ci(w, best, "status:");
		if (st_f) {
			size_t q = (size_t)(st_f - w) + 7;
			while (q < m && w[q] == ' ')
				q++;
			uint32_t e = 0;
			if (parse_enhanced(w + q, m - q, &e) && (int)(e >> 20) == code / 100)
				enh = e;
		}
	}
	if (!code && !enh) {
		st = MV_PARSE;
		goto out;
	}
	/* The text: continuation markers removed, each line trimmed. */
	bool multi = false;
	for (size_t i = p; i + 3 < m && code; i++)
		if (code_at(w, m, i) && code_value(w + i) == code && w[i + 3] == '-') {
			multi = true;
			break;
		}
	size_t nl_count = 0;
	bool at_line_start = true, pending_space = false;
	for (size_t i = p; i < m;) {
		if (code && (i == p || w[i - 1] == ' ' || w[i - 1] == '\n')) {
			size_t k = marker_len(w, m, i, code, enh, multi);
			if (k) {
				i += k;
				pending_space = !at_line_start;
				continue;
			}
		}
		char c = w[i++];
		if (c == '\n') {
			nl_count++;
			at_line_start = true;
			pending_space = false;
			if (b.len && buf_str(&b)[b.len - 1] != '\n')
				st = buf_append_char(&b, '\n');
		} else if (c == ' ') {
			if (!at_line_start)
				pending_space = true;
		} else {
			if (pending_space)
				st = buf_append_char(&b, ' ');
			if (!st)
				st = buf_append_char(&b, c);
			pending_space = false;
			at_line_start = false;
		}
		if (st)
			goto out;
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
		b.len--;
	if (b.data)
		b.data[b.len] = '\0';
	st = finish_text(&b, out);
	if (st)
		goto out;
	out->code = code;
	out->enhanced = enh;
	out->nlines = nl_count + 1;
	/* The words before the code, after any "said:" (bounded: what classify reads). */
	if (best < m) {
		size_t a = from, z = best;
		while (a < z && is_space(w[a]))
			a++;
		while (z > a && is_space(w[z - 1]))
			z--;
		if (z - a > LEAD_MAX)
			a = z - LEAD_MAX;
		if (z > a) {
			out->lead = malloc(z - a + 1);
			if (!out->lead) {
				st = MV_NOMEM;
				goto out;
			}
			memcpy(out->lead, w + a, z - a);
			out->lead[z - a] = '\0';
			out->lead_len = z - a;
		}
	}
out:
	free(w);
	buf_free(&b);
	if (st) {
		free(out->text);
		free(out->lead);
		memset(out, 0, sizeof(*out));
	}
	return st;
}

mv_status reply_from_parts(int code, uint32_t enhanced, const char *text, size_t n,
			   smtp_reply *out)
{
	memset(out, 0, sizeof(*out));
	if (n > REPLY_MAX_BYTES)
		return MV_TOOBIG;
	if (code && (code < 200 || code > 599))
		code = 0;
	out->text = malloc(n + 1);
	if (!out->text)
		return MV_NOMEM;
	size_t lines = 1;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '\n')
			lines++;
		out->text[i] = (unsigned char)c < 0x20 && c != '\n' ? ' ' : c;
	}
	out->text[n] = '\0';
	out->text_len = n;
	out->code = code;
	out->enhanced = enhanced;
	out->nlines = lines;
	return MV_OK;
}

reply_phase reply_phase_from_text(const char *s, size_t n)
{
	static const struct { const char *needle; reply_phase phase; } tails[] = {
		{ "in reply to rcpt to", REPLY_PHASE_RCPT },
		{ "after rcpt to", REPLY_PHASE_RCPT },
		{ "in reply to mail from", REPLY_PHASE_MAIL },
		{ "after mail from", REPLY_PHASE_MAIL },
		{ "in reply to end of data", REPLY_PHASE_DATA },
		{ "after end of data", REPLY_PHASE_DATA },
		{ "in reply to data", REPLY_PHASE_DATA },
		{ "after data", REPLY_PHASE_DATA },
		{ "after pipelined data", REPLY_PHASE_DATA },
		{ "in reply to starttls", REPLY_PHASE_STARTTLS },
		{ "after starttls", REPLY_PHASE_STARTTLS },
		{ "in reply to ehlo", REPLY_PHASE_HELO },
		{ "in reply to helo", REPLY_PHASE_HELO },
		{ "in reply to lhlo", REPLY_PHASE_HELO },
		{ "after ehlo", REPLY_PHASE_HELO },
		{ "after helo", REPLY_PHASE_HELO },
		{ "after initial connection", REPLY_PHASE_CONNECT },
		{ "while receiving the initial server greeting", REPLY_PHASE_CONNECT },
		{ "refused to talk to me", REPLY_PHASE_CONNECT },
	};
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (text_find_ci(s, n, tails[i].needle))
			return tails[i].phase;
	return REPLY_PHASE_UNKNOWN;
}

const char *reply_phase_name(reply_phase p)
{
	static const char *const names[] = { "unknown", "connect", "helo", "starttls", "mail",
					      "rcpt", "data" };
	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

/* ---- classification -------------------------------------------------------------------- */

enum { PERM_NO, PERM_YES, PERM_CODE };

/* The generated table (reply_rules.inc) fills these fields in this order. */
typedef struct rule { /* NOLINT(clang-analyzer-optin.performance.Padding) */
	const char *id;
	short code;            /* 0 any, 1..9 class, else exact */
	short ecls, esub, edet; /* -1 = any */
	unsigned char enone;   /* the reply must have no enhanced code */
	const char *phrase;    /* "" = none */
	unsigned char guess;   /* no phrase, a catch-all code: the words model may read first */
	unsigned char verdict, owner, reason, perm;
	const char *source;
	const char *label;     /* "id (source)" */
} rule;

static const rule rules[] = {
#include "reply_rules.inc"
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))
#define NBUCKETS 2048u
#define GLOB_GAP 64u            /* '*' spans at most this many bytes */
#define CLASSIFY_MAX 8192u      /* the text looked at */

/* Rules with a phrase, bucketed by their first two bytes, each bucket in
 * rule order; rules without one, in rule order. Built once, read-only after. */
static uint16_t bucket_start[NBUCKETS + 1];
static uint16_t bucket_rules[NRULES];
static uint16_t plain_rules[NRULES];
static size_t nplain;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static unsigned bucket_of(unsigned char a, unsigned char b)
{
	return ((unsigned)a * 131u + (unsigned)b) & (NBUCKETS - 1);
}

static void build_index(void)
{
	uint16_t count[NBUCKETS] = { 0 };
	for (size_t i = 0; i < NRULES; i++) {
		const char *ph = rules[i].phrase;
		if (ph[0])
			count[bucket_of((unsigned char)ph[0], (unsigned char)ph[1])]++;
		else
			plain_rules[nplain++] = (uint16_t)i;
	}
	bucket_start[0] = 0;
	for (unsigned k = 0; k < NBUCKETS; k++)
		bucket_start[k + 1] = (uint16_t)(bucket_start[k] + count[k]);
	uint16_t fill[NBUCKETS];
	memcpy(fill, bucket_start, sizeof(fill));
	for (size_t i = 0; i < NRULES; i++) {
		const char *ph = rules[i].phrase;
		if (ph[0])
			bucket_rules[fill[bucket_of((unsigned char)ph[0], (unsigned char)ph[1])]++] = (uint16_t)i;
	}
}

/* A two-byte UTF-8 capital at s[i] (Latin-1 À-Þ but ×, Cyrillic А-Я and Ё)
 * written lower case to t[0..2); false for anything else. */
static bool lower_utf8_pair(unsigned char a, unsigned char b, char *t)
{
	if (a == 0xc3 && b >= 0x80 && b <= 0x9e && b != 0x97) {
		t[0] = (char)a;
		t[1] = (char)(b + 0x20);
	} else if (a == 0xd0 && b >= 0x90 && b <= 0x9f) {
		t[0] = (char)0xd0;
		t[1] = (char)(b + 0x20);
	} else if (a == 0xd0 && b >= 0xa0 && b <= 0xaf) {
		t[0] = (char)0xd1;
		t[1] = (char)(b - 0x20);
	} else if (a == 0xd0 && b == 0x81) {
		t[0] = (char)0xd1;
		t[1] = (char)0x91;
	} else {
		return false;
	}
	return true;
}

/* Lower-case (ASCII, Latin-1 and Cyrillic letters), one space for any run of
 * white space, typographic quotes as ASCII. Returns the length written (at
 * most cap). */
static size_t normalize(const char *s, size_t n, char *t, size_t cap)
{
	size_t m = 0;
	bool space = true;
	for (size_t i = 0; i < n && m < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_space((char)c) || c == 0) {
			if (!space)
				t[m++] = ' ';
			space = true;
			continue;
		}
		/* U+2018/U+2019 quotes -> ' ; U+201C/U+201D -> " */
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80) {
			unsigned char d = (unsigned char)s[i + 2];
			if (d == 0x98 || d == 0x99 || d == 0x9c || d == 0x9d) {
				t[m++] = d <= 0x99 ? '\'' : '"';
				i += 2;
				space = false;
				continue;
			}
		}
		if (c >= 0xc3 && i + 1 < n && m + 2 <= cap &&
		    lower_utf8_pair(c, (unsigned char)s[i + 1], t + m)) {
			m += 2;
			i++;
			space = false;
			continue;
		}
		t[m++] = text_ascii_lower((char)c);
		space = false;
	}
	while (m && t[m - 1] == ' ')
		m--;
	return m;
}

/* memmem without _GNU_SOURCE: the segments are short. */
static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (!nn)
		return h;
	for (size_t i = 0; i + nn <= hn; i++) {
		const char *p = memchr(h + i, nd[0], hn - nn + 1 - i);
		if (!p)
			return NULL;
		i = (size_t)(p - h);
		if (memcmp(p, nd, nn) == 0)
			return p;
	}
	return NULL;
}

static bool seg_match(const char *t, size_t m, size_t at, const char *seg, size_t len)
{
	return at + len <= m && memcmp(t + at, seg, len) == 0;
}

/* Does the phrase (segments split by '*') match at t[i]? */
static bool phrase_at(const char *ph, const char *t, size_t m, size_t i)
{
	const char *star = strchr(ph, '*');
	size_t len = star ? (size_t)(star - ph) : strlen(ph);
	if (!seg_match(t, m, i, ph, len))
		return false;
	size_t pos = i + len;
	while (star) {
		ph = star + 1;
		star = strchr(ph, '*');
		len = star ? (size_t)(star - ph) : strlen(ph);
		/* "user * suspended" also matches "user suspended": the spaces around '*' are shared. */
		if (ph[0] == ' ' && pos > i && t[pos - 1] == ' ')
			pos--;
		size_t lim = pos + GLOB_GAP + len;
		if (lim > m)
			lim = m;
		if (lim < pos + len)
			return false;
		const char *hit = find_bytes(t + pos, lim - pos, ph, len);
		if (!hit)
			return false;
		pos = (size_t)(hit - t) + len;
	}
	return true;
}

static bool code_fits(const rule *r, int code, int cls, uint32_t e)
{
	if (r->code) {
		if (r->code < 10) {
			if (cls != r->code)
				return false;
		} else if (code != r->code) {
			return false;
		}
	}
	if (r->enone)
		return e == 0;
	if (r->ecls >= 0 || r->esub >= 0 || r->edet >= 0) {
		if (!e)
			return false;
		if (r->ecls >= 0 && (int)(e >> 20) != r->ecls)
			return false;
		if (r->esub >= 0 && (int)((e >> 10) & 0x3ff) != r->esub)
			return false;
		if (r->edet >= 0 && (int)(e & 0x3ff) != r->edet)
			return false;
	}
	return true;
}

static size_t find_rule(const char *t, size_t m, int code, int cls, uint32_t e)
{
	size_t best = NRULES;
	for (size_t i = 0; i + 1 < m; i++) {
		unsigned k = bucket_of((unsigned char)t[i], (unsigned char)t[i + 1]);
		for (unsigned j = bucket_start[k]; j < bucket_start[k + 1]; j++) {
			size_t ri = bucket_rules[j];
			if (ri >= best)
				break;
			const rule *r = &rules[ri];
			if (r->phrase[0] != t[i] || r->phrase[1] != t[i + 1])
				continue;
			if (code_fits(r, code, cls, e) && phrase_at(r->phrase, t, m, i))
				best = ri;
		}
	}
	for (size_t j = 0; j < nplain && plain_rules[j] < best; j++)
		if (code_fits(&rules[plain_rules[j]], code, cls, e))
			return plain_rules[j];
	return best;
}

static const char *action_for(mv_reason reason, mv_owner owner, mv_verdict verdict)
{
	switch (reason) {
	case REASON_ACCEPTED:
		return "Keep the address: the server accepted it.";
	case REASON_USER_UNKNOWN:
		return "Remove the address and suppress it: the mailbox does not exist.";
	case REASON_MAILBOX_DISABLED:
		return verdict == VERDICT_RISKY
			? "Keep but flag: the mailbox is locked or suspended for now; retry in a few days."
			: "Remove the address and suppress it: the mailbox is disabled or closed.";
	case REASON_MAILBOX_FULL:
		return "Keep but flag: the mailbox is full; retry later, drop it if it stays full for weeks.";
	case REASON_DOMAIN_NOT_FOUND:
		return "Remove the address and suppress it: its domain does not exist.";
	case REASON_NO_MX:
		return "Remove the address and suppress it: its domain accepts no mail.";
	case REASON_POLICY_BLOCK:
		return owner == OWNER_NONE
			? "Do not suppress: the server refused without saying why; retry later or ask its postmaster."
			: "Do not suppress: the receiver refused your mail by policy; check your "
				"IP, PTR, sender domain and content.";
	case REASON_BLOCKLISTED_IP:
		return "Do not suppress: your sending IP or domain is on a blocklist; look it up at "
			"the named list and request delisting.";
	case REASON_AUTH_FAILURE:
		return "Do not suppress: fix SPF, DKIM and DMARC (or SMTP AUTH) for your sending domain, then retry.";
	case REASON_RELAY_DENIED:
		return "Do not suppress: the server will not relay for you; send to the "
			"recipient's own MX, authenticated.";
	case REASON_RATE_LIMITED:
		return owner == OWNER_RECIPIENT
			? "Retry later: the mailbox is receiving mail faster than it accepts."
			: "Slow down: fewer connections and recipients per session, then retry later.";
	case REASON_GREYLISTED:
		return "Retry in 5 to 30 minutes from the same IP: the server greylists first attempts.";
	case REASON_SPAM_CONTENT:
		return "Do not suppress: the message content was taken for spam or malware; change the content.";
	case REASON_MESSAGE_TOO_BIG:
		return "Do not suppress: send a smaller message.";
	case REASON_TLS_REQUIRED:
		return "Do not suppress: connect with STARTTLS and retry.";
	case REASON_SYNTAX_ERROR:
		return owner == OWNER_RECIPIENT
			? "Fix or remove the address: it is malformed."
			: "Do not suppress: the server rejected a malformed command or message; fix the client.";
	case REASON_TEMPORARY_FAILURE:
		return "Retry later: a temporary failure at the receiving server.";
	case REASON_SYSTEM_ERROR:
		return "Retry later or tell the receiving postmaster: their server has a problem of its own.";
	default:
		return "Retry later.";
	}
}

/* A catch-all code rule decided: the words model reads the text, and its
 * reading replaces the code's when it is sure. Never "accepted" for a
 * 4xx/5xx; the recipient receiving too fast is risky only for a 5xx. */
static void take_guess(const smtp_reply *r, int cls, reply_class *out)
{
	reply_guess g;
	if (!reply_model_guess(reply_model_builtin(), r->text, r->text ? r->text_len : 0, r->lead,
			       r->lead ? r->lead_len : 0, cls, &g) || g.reason == REASON_ACCEPTED)
		return;
	out->verdict = g.verdict;
	out->owner = g.owner;
	out->reason = g.reason;
	if (g.reason == REASON_RATE_LIMITED && g.owner == OWNER_RECIPIENT)
		out->verdict = cls == 5 ? VERDICT_RISKY : VERDICT_UNKNOWN;
	out->permanent = cls == 5 && g.reason != REASON_TEMPORARY_FAILURE && g.reason != REASON_GREYLISTED;
	out->rule = "words-model (learnt from tests/data/replies.tsv; no phrase rule matched)";
	out->by_model = true;
	out->cue = g.cue;
	out->sureness = g.p;
}

void reply_classify(const smtp_reply *r, reply_phase phase, reply_class *out)
{
	char t[CLASSIFY_MAX];
	t[0] = '\0';
	int code = r ? r->code : 0;
	uint32_t e = r ? r->enhanced : 0;
	int cls = code ? code / 100 : (int)(e >> 20);

	pthread_once(&index_once, build_index);
	memset(out, 0, sizeof(*out));
	if (cls == 2) {
		out->verdict = phase == REPLY_PHASE_RCPT || phase == REPLY_PHASE_UNKNOWN ||
			       phase == REPLY_PHASE_DATA ? VERDICT_DELIVERABLE : VERDICT_NONE;
		out->owner = OWNER_NONE;
		out->reason = REASON_ACCEPTED;
		out->permanent = false;
		out->action = action_for(REASON_ACCEPTED, OWNER_NONE, out->verdict);
		out->rule = "accepted (rfc5321 2xx)";
		return;
	}
	size_t m = r && r->text ? normalize(r->text, r->text_len, t, sizeof(t)) : 0;
	size_t ri = find_rule(t, m, code, cls, e);
	/* The text after the code names nothing (a rule by code alone decided):
	 * a log line may have said it before the code ("Mailbox limit exceeded
	 * while appending message 550 <a@b>... Can't create output"). */
	if ((ri >= NRULES || !rules[ri].phrase[0]) && r && r->lead) {
		size_t lm = normalize(r->lead, r->lead_len, t, sizeof(t));
		size_t li = find_rule(t, lm, code, cls, e);
		if (li < NRULES && rules[li].phrase[0])
			ri = li;
	}
	if (ri < NRULES) {
		const rule *R = &rules[ri];
		out->verdict = (mv_verdict)R->verdict;
		out->owner = (mv_owner)R->owner;
		out->reason = (mv_reason)R->reason;
		out->permanent = R->perm == PERM_YES || (R->perm == PERM_CODE && cls == 5);
		out->rule = R->label;
		out->by_phrase = R->phrase[0] != '\0';
		if (R->guess && r)
			take_guess(r, cls, out);
	} else {
		out->verdict = VERDICT_UNKNOWN;
		out->owner = OWNER_NONE;
		out->reason = cls == 5 ? REASON_POLICY_BLOCK : REASON_TEMPORARY_FAILURE;
		out->permanent = cls == 5;
		out->rule = "none";
	}
	/* Before RCPT, nothing is the recipient's fault. */
	if (out->owner == OWNER_RECIPIENT &&
	    (phase == REPLY_PHASE_CONNECT || phase == REPLY_PHASE_HELO ||
	     phase == REPLY_PHASE_STARTTLS || phase == REPLY_PHASE_MAIL)) {
		out->owner = OWNER_SENDER;
		if (out->reason != REASON_RATE_LIMITED && out->reason != REASON_SYNTAX_ERROR)
			out->reason = REASON_POLICY_BLOCK;
	}
	/* A problem of the sender's or of nobody's never condemns the address
	 * (a log's own "accepted" words are no problem at all). */
	if (out->owner != OWNER_RECIPIENT && out->reason != REASON_ACCEPTED)
		out->verdict = VERDICT_UNKNOWN;
	out->action = action_for(out->reason, out->owner, out->verdict);
}

size_t reply_rule_count(void) { return NRULES; }
const char *reply_rule_id(size_t i) { return i < NRULES ? rules[i].id : NULL; }
const char *reply_rule_source(size_t i) { return i < NRULES ? rules[i].source : NULL; }
const char *reply_rule_phrase(size_t i) { return i < NRULES ? rules[i].phrase : NULL; }
