#include "mailvet/addr.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/text.h"

/* ---- character classes ------------------------------------------------ */

enum { C_ATEXT = 1, C_LDH = 2, C_ALNUM = 4, C_SPACE = 8, C_DIGIT = 16,
       C_UPPER = 0x20 /* = the ASCII case bit: c | (cls & C_UPPER) lowers */ };

/* RFC 5322 atext: ALPHA DIGIT ! # $ % & ' * + - / = ? ^ _ ` { | } ~ */
static const uint8_t cls[256] = {
	['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE,
	['\r'] = C_SPACE, [' '] = C_SPACE,
	['!'] = C_ATEXT, ['#'] = C_ATEXT, ['$'] = C_ATEXT, ['%'] = C_ATEXT,
	['&'] = C_ATEXT, ['\''] = C_ATEXT, ['*'] = C_ATEXT, ['+'] = C_ATEXT,
	['-'] = C_ATEXT | C_LDH, ['/'] = C_ATEXT, ['='] = C_ATEXT, ['?'] = C_ATEXT,
	['^'] = C_ATEXT, ['_'] = C_ATEXT, ['`'] = C_ATEXT, ['{'] = C_ATEXT,
	['|'] = C_ATEXT, ['}'] = C_ATEXT, ['~'] = C_ATEXT,
#define D(c) [c] = C_ATEXT | C_LDH | C_ALNUM | C_DIGIT
#define L(c) [c] = C_ATEXT | C_LDH | C_ALNUM
#define U(c) [c] = C_ATEXT | C_LDH | C_ALNUM | C_UPPER
	D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'),
	L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'), L('j'),
	L('k'), L('l'), L('m'), L('n'), L('o'), L('p'), L('q'), L('r'), L('s'), L('t'),
	L('u'), L('v'), L('w'), L('x'), L('y'), L('z'),
	U('A'), U('B'), U('C'), U('D'), U('E'), U('F'), U('G'), U('H'), U('I'), U('J'),
	U('K'), U('L'), U('M'), U('N'), U('O'), U('P'), U('Q'), U('R'), U('S'), U('T'),
	U('U'), U('V'), U('W'), U('X'), U('Y'), U('Z'),
#undef D
#undef L
#undef U
};

/* Length of a white-space character (ASCII or Unicode) at s, else 0. */
static size_t ws_at(const unsigned char *s, size_t n)
{
	if (cls[s[0]] & C_SPACE)
		return 1;
	if (s[0] < 0xc2 || n < 2)
		return 0;
	if (s[0] == 0xc2)
		return s[1] == 0xa0 ? 2 : 0;                        /* NBSP */
	if (n < 3)
		return 0;
	unsigned c = (unsigned)s[0] << 16 | (unsigned)s[1] << 8 | s[2];
	if ((c >= 0xe28080 && c <= 0xe2808d) ||  /* U+2000..200D (ZWSP/ZWNJ/ZWJ) */
	    c == 0xe280a8 || c == 0xe280a9 ||    /* line/paragraph separator */
	    c == 0xe280af || c == 0xe2819f ||    /* narrow NBSP, math space */
	    c == 0xe281a0 || c == 0xe39a80 ||    /* word joiner */
	    c == 0xe38080 || c == 0xefbbbf ||    /* ideographic space, BOM */
	    c == 0xe19a80 || c == 0xe1a08e)      /* ogham space, MVS */
		return 3;
	return 0;
}

/* Length of a white-space character ending at s[n-1], else 0. */
static size_t ws_before(const unsigned char *s, size_t n)
{
	if (cls[s[n - 1]] & C_SPACE)
		return 1;
	if (s[n - 1] < 0x80)
		return 0;
	if (n >= 2 && ws_at(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && ws_at(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

const char *addr_trim(const char *s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = *n, k;
	while (len && (k = ws_at(p, len)) != 0) {
		p += k;
		len -= k;
	}
	while (len && (k = ws_before(p, len)) != 0)
		len -= k;
	*n = len;
	return (const char *)p;
}

/* ---- cleaning ---------------------------------------------------------- */

static bool has_prefix_ci(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && text_ieq(s, k, pre, k);
}

size_t addr_split(const char *cell, size_t n, mv_str *parts, size_t max)
{
	size_t count = 0, i = 0;
	while (i < n) {
		size_t start = i;
		bool quoted = false, angle = false, at = false;
		for (; i < n; i++) {
			unsigned char c = (unsigned char)cell[i];
			if (quoted) {
				if (c == '\\' && i + 1 < n)
					i++;
				else if (c == '"')
					quoted = false;
				continue;
			}
			if (c == '"')
				quoted = true;
			else if (c == '<')
				angle = true;
			else if (c == '>')
				angle = false;
			else if (c == '@')
				at = true;
			else if (!angle && (c == ',' || c == ';' || (cls[c] & C_SPACE)))
				break;
		}
		if (at) {
			if (count < max) {
				parts[count].p = cell + start;
				parts[count].len = i - start;
			}
			count++;
		}
		i++;
	}
	return count < max ? count : max;
}

/*
 * Peel what exports wrap around an address, at most four layers, trimming
 * white space around each (the innermost too: a re-parse would trim it).
 * Returns the span to parse; sets ADDR_* flags. Never fails: a span that
 * stays odd fails the parse.
 */
static const char *unwrap(const char *s, size_t *np, unsigned *flags)
{
	size_t n = *np;
	for (int round = 0;; round++) {
		size_t before = n;
		const char *t = addr_trim(s, &n);
		if (n != before)
			*flags |= ADDR_TRIMMED;
		s = t;
		if (n < 2 || round == 4)
			break;
		if (has_prefix_ci(s, n, "mailto:")) {
			s += 7;
			n -= 7;
			const char *q = memchr(s, '?', n);
			if (q)
				n = (size_t)(q - s);
			*flags |= ADDR_MAILTO;
			continue;
		}
		char f = s[0], l = s[n - 1];
		if ((f == '<' && l == '>') || (f == '(' && l == ')') ||
		    (f == '[' && l == ']') || (f == '\'' && l == '\'') ||
		    (f == '`' && l == '`') ||
		    (f == '"' && l == '"' && !memchr(s + 1, '"', n - 2) &&
		     memchr(s + 1, '@', n - 2))) {
			s++;
			n -= 2;
			*flags |= ADDR_WRAPPED;
			continue;
		}
		/* Display name: `Name <addr>` (the last <...> ending the cell). */
		if (l == '>') {
			const char *lt = NULL;
			for (size_t i = n - 1; i-- > 0;)
				if (s[i] == '<') {
					lt = s + i;
					break;
				}
			if (lt && lt > s && memchr(lt, '@', n - (size_t)(lt - s))) {
				n = (size_t)(s + n - 1 - (lt + 1));
				s = lt + 1;
				*flags |= ADDR_DISPLAY_NAME;
				continue;
			}
		}
		break;
	}
	*np = n;
	return s;
}

/* ---- junk ------------------------------------------------------------- */

/* Word lists with their lengths, ended by { NULL, 0 }. */
struct word {
	const char *s;
	size_t n;
};
#define W(s) { s, sizeof(s) - 1 }

static bool word_in(const char *s, size_t n, const struct word *list)
{
	for (; list->s; list++)
		if (list->n == n && text_ieq(s, n, list->s, n))
			return true;
	return false;
}

/* Whole-cell placeholders (compared without case). */
static const struct word placeholder_cells[] = {
	W("not available"), W("n/a"), W("na"), W("n.a."), W("none"),
	W("null"), W("nil"), W("nan"), W("-"), W("--"),
	W("---"), W("?"), W("??"), W("."), W("0"),
	W("x"), W("xx"), W("xxx"), W("unknown"), W("tbd"),
	W("tba"), W("test"), W("asdf"), W("email"), W("e-mail"),
	W("mail"), W("no email"), W("noemail"), W("no"), W("not provided"),
	W("no e-mail"), W("#n/a"), W("undefined"), W("blank"), W("empty"),
	W("missing"),
	{ NULL, 0 },
};

/* Local parts that say "there is no address". */
static const struct word placeholder_locals[] = {
	W("do-not-email"), W("noemail"), W("no-email"), W("no_email"), W("no.email"),
	W("nomail"), W("no-mail"), W("no_mail"), W("none"), W("null"),
	W("na"), W("n/a"), W("noaddress"), W("donotemail"), W("dontemail"),
	W("no.one"), W("noone"), W("unknown"), W("nobody.none"),
	{ NULL, 0 },
};

/* `word@word.tld` fillers: local part equal to the domain's first label. */
static const struct word filler_words[] = {
	W("example"), W("test"), W("email"), W("asdf"), W("fake"),
	W("none"), W("null"), W("sample"), W("abc"), W("xxx"),
	W("foo"), W("qwerty"), W("aaa"), W("noemail"), W("nomail"),
	{ NULL, 0 },
};

static bool junk_local(const char *local, size_t ln)
{
	char f = (char)(local[0] | 0x20);   /* every placeholder starts d, n or u */
	return (f == 'n' || f == 'd' || f == 'u') && word_in(local, ln, placeholder_locals);
}

/*
 * A filler word as local part and as the domain's first label. dom is the
 * normalized (A-label) domain: as typed, `test@ｔｅｓｔ.com` or
 * `test@test。com` would pass and their normalized form fail.
 */
static bool junk_filler(const char *local, size_t ln, const char *dom, size_t dn)
{
	const char *dot = memchr(dom, '.', dn);
	size_t fl = dot ? (size_t)(dot - dom) : dn;
	return fl == ln && text_ieq(local, ln, dom, fl) &&
	       word_in(local, ln, filler_words);
}

/* ---- domains ------------------------------------------------------------ */

bool addr_reserved_domain(const char *d, size_t n)
{
	static const struct word tlds[] = {
		W("localhost"), W("test"), W("example"), W("invalid"), W("local"), W("onion"), { NULL, 0 },
	};
	size_t tl = 0;
	while (tl < n && d[n - 1 - tl] != '.')
		tl++;
	/* only TLDs of 4, 5, 7 or 9 letters can be reserved ones */
	if ((tl == 4 || tl == 5 || tl == 7 || tl == 9) && word_in(d + n - tl, tl, tlds))
		return true;
	/* example.com, .net, .org and their subdomains */
	if (n < 11 || tl != 3 || memcmp(d + n - 11, "example.", 8) != 0 ||
	    (n > 11 && d[n - 12] != '.'))
		return false;
	const char *t = d + n - 3;
	return memcmp(t, "com", 3) == 0 || memcmp(t, "net", 3) == 0 || memcmp(t, "org", 3) == 0;
}

#define FAIL(r, why) do { a->reason = (r); a->detail = (why); return a->reason; } while (0)

struct dscan {
	int labels;
	bool numeric_tld;   /* the last label is all digits */
	bool alabel;        /* some label starts xn-- */
	size_t tld;         /* offset of the last label */
};

/*
 * Check an ASCII domain s[0..n) and copy it lower-cased to out, in one
 * pass. Returns a detail string on failure, NULL when good. Stops with
 * *nonascii set (and nothing decided) at the first byte >= 0x80.
 */
static const char *scan_domain(const char *s, size_t n, char *out,
			       struct dscan *ds, bool *nonascii)
{
	size_t lab = 0;
	bool digits = true;
	ds->labels = 0;
	ds->alabel = false;
	ds->numeric_tld = false;
	ds->tld = 0;
	*nonascii = false;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';
		uint8_t k = cls[c];
		if (k & C_LDH) {
			out[i] = (char)(c | (k & C_UPPER));
			digits &= (k & C_DIGIT) != 0;
			continue;
		}
		if (c == '.') {
			size_t len = i - lab;
			if (len == 0)
				return i == n ? "domain ends with a dot" :
				       lab == 0 ? "domain starts with a dot" :
				       "empty label in domain (two dots)";
			if (len > ADDR_LABEL_MAX)
				return "domain label longer than 63 octets";
			if (s[lab] == '-' || s[i - 1] == '-')
				return "domain label starts or ends with a hyphen";
			if (len >= 4 && out[lab] == 'x' && out[lab + 1] == 'n' &&
			    out[lab + 2] == '-' && out[lab + 3] == '-')
				ds->alabel = true;
			ds->labels++;
			ds->numeric_tld = digits;
			ds->tld = lab;
			digits = true;
			lab = i + 1;
			if (i < n)
				out[i] = '.';
			continue;
		}
		if (c >= 0x80) {
			*nonascii = true;
			return NULL;
		}
		return c == '@' ? "more than one @" :
		       c < 0x20 || c == 0x7f ? "control character in address" :
		       c == ' ' || c == '\t' ? "space in address" :
		       c == '(' || c == ')' ? "comment in address" :
		       c == '_' ? "underscore in domain" :
		       c == '[' || c == ']' ? "IP address literal instead of a domain" :
		       "character not allowed in the domain";
	}
	return NULL;
}

static bool is_ipv4(const char *s, size_t n)
{
	int parts = 0;
	size_t i = 0;
	while (i < n) {
		unsigned v = 0;
		size_t k = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && k < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			k++;
		}
		if (!k || k > 3 || v > 255)
			return false;
		parts++;
		if (i == n)
			break;
		if (s[i] != '.' || parts == 4)
			return false;
		i++;
	}
	return parts == 4 && s[n - 1] != '.';
}

/* RFC 5321 IPv6-address-literal: "IPv6:" and an address inet_pton reads
 * (the full, compressed and IPv4-embedded forms). Copied first, so a NUL
 * inside the brackets cannot end the address early. */
static bool is_ipv6_literal(const char *s, size_t n)
{
	char ip[INET6_ADDRSTRLEN];
	struct in6_addr bin;
	if (!has_prefix_ci(s, n, "IPv6:") || n - 5 >= sizeof(ip) || memchr(s, '\0', n))
		return false;
	memcpy(ip, s + 5, n - 5);
	ip[n - 5] = '\0';
	return inet_pton(AF_INET6, ip, &bin) == 1;
}

/* ---- the parse ------------------------------------------------------------ */

mv_str addr_local(const addr *a)
{
	mv_str s = { a->norm, a->local_len };
	return s;
}

mv_str addr_domain(const addr *a)
{
	mv_str s = { "", 0 };
	if (a->len > a->local_len) {
		s.p = a->norm + a->local_len + 1;
		s.len = a->len - a->local_len - 1;
	}
	return s;
}

mv_str addr_domain_display(const addr *a)
{
	if (a->flags & ADDR_IDN) {
		mv_str s = { a->udomain, strlen(a->udomain) };
		return s;
	}
	return addr_domain(a);
}

/* Parse the local part at s[0..n); returns its length (up to the '@'). */
static size_t parse_local(const char *s, size_t n, addr *a, bool *ok)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	*ok = false;
	if (p[0] == '"') {
		for (i = 1; i < n; i++) {
			if (p[i] == '\\') {
				if (i + 1 >= n || p[i + 1] < 0x20 || p[i + 1] == 0x7f) {
					a->detail = "bad escape in quoted local part";
					return 0;
				}
				i++;   /* the escaped character: a whole UTF-8 one */
			} else if (p[i] == '"') {
				break;
			} else if (p[i] < 0x20 || p[i] == 0x7f) {
				a->detail = "control character in address";
				return 0;
			}
			if (p[i] >= 0x80) {
				size_t k = text_utf8_seq(p + i, n - i);
				if (!k) {
					a->detail = "invalid UTF-8 in address";
					return 0;
				}
				a->flags |= ADDR_UTF8_LOCAL;
				i += k - 1;
			}
		}
		if (i >= n) {
			a->detail = "unterminated quoted local part";
			return 0;
		}
		i++;
		a->flags |= ADDR_QUOTED;
		if (i < n && p[i] == '.') {
			a->detail = "obsolete syntax (quoted word joined with dots)";
			return 0;
		}
		if (i >= n || p[i] != '@') {
			a->detail = memchr(s + i, '@', n - i) ?
				    "text between the quoted local part and @" :
				    "no @ after the quoted local part";
			return 0;
		}
		*ok = true;
		return i;
	}
	bool dot_ok = false;       /* a dot may come next */
	for (; i < n; i++) {
		unsigned char c = p[i];
		uint8_t k = cls[c];
		if (k & C_ATEXT) {
			if (k & C_UPPER)
				a->flags |= ADDR_UPPER;
			dot_ok = true;
			continue;
		}
		if (c == '@')
			break;
		if (c == '.') {
			if (!dot_ok) {
				a->detail = i == 0 ? "local part starts with a dot" :
					    "two dots in a row in the local part";
				return 0;
			}
			dot_ok = false;
			continue;
		}
		if (c >= 0x80) {
			size_t sl = text_utf8_seq(p + i, n - i);
			if (!sl) {
				a->detail = "invalid UTF-8 in address";
				return 0;
			}
			a->flags |= ADDR_UTF8_LOCAL;
			i += sl - 1;
			dot_ok = true;
			continue;
		}
		a->detail = c < 0x20 || c == 0x7f ? "control character in address" :
			    c == ' ' || c == '\t' ? "space in address" :
			    c == '(' || c == ')' ? "comment in address" :
			    c == '"' ? "quote inside the local part" :
			    "character not allowed in the local part";
		return 0;
	}
	if (i == 0) {
		a->detail = "empty local part";
		return 0;
	}
	if (!dot_ok) {
		a->detail = "local part ends with a dot";
		return 0;
	}
	*ok = true;
	return i;
}

/* Parse the domain at s[0..n) into a->norm after the '@'. */
static mv_reason parse_domain(const char *s, size_t n, const addr_policy *pol, addr *a)
{
	char *out = a->norm + a->local_len + 1;
	size_t room = ADDR_MAX - a->local_len - 1;
	struct dscan ds;
	bool nonascii = false;
	const char *why = NULL;
	size_t dn = n;

	if (n == 0)
		FAIL(REASON_SYNTAX_ERROR, "empty domain");
	if (s[0] == '[') {
		if (!pol->allow_ip_literal)
			FAIL(REASON_SYNTAX_ERROR, "IP address literal instead of a domain");
		if (s[n - 1] != ']' || n < 3 ||
		    !(is_ipv4(s + 1, n - 2) || is_ipv6_literal(s + 1, n - 2)))
			FAIL(REASON_SYNTAX_ERROR, "malformed IP address literal");
		if (n > room)
			FAIL(REASON_SYNTAX_ERROR, "address longer than 254 octets");
		memcpy(out, s, n);
		a->len = a->local_len + 1 + n;
		a->norm[a->len] = '\0';
		return REASON_NONE;
	}
	if (n <= room) {
		why = scan_domain(s, n, out, &ds, &nonascii);
	} else {
		for (size_t i = 0; i < n && !nonascii; i++)
			nonascii = (unsigned char)s[i] >= 0x80;
		if (!nonascii)
			FAIL(REASON_SYNTAX_ERROR, n > ADDR_DOMAIN_MAX ?
			     "domain longer than 253 octets" : "address longer than 254 octets");
	}
	if (nonascii) {
		/* IDNA (UTS #46): to the A-label, then the same checks on it */
		char tmp[ADDR_DOMAIN_MAX * 4 + 1];
		char *alabel = NULL;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x80 && !(cls[c] & C_LDH) && c != '.') {
				const char *bad = scan_domain(s + i, 1, tmp, &ds, &nonascii);
				FAIL(REASON_SYNTAX_ERROR, bad ? bad : "character not allowed in the domain");
			}
		}
		if (!text_utf8_valid(s, n))
			FAIL(REASON_SYNTAX_ERROR, "invalid UTF-8 in address");
		if (n >= sizeof(tmp))
			FAIL(REASON_SYNTAX_ERROR, "domain longer than 253 octets");
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (idn2_to_ascii_8z(tmp, &alabel, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
			idn2_free(alabel);
			FAIL(REASON_SYNTAX_ERROR, "invalid internationalized domain name");
		}
		dn = strlen(alabel);
		if (dn > room) {
			idn2_free(alabel);
			FAIL(REASON_SYNTAX_ERROR, dn > ADDR_DOMAIN_MAX ?
			     "domain longer than 253 octets" : "address longer than 254 octets");
		}
		why = scan_domain(alabel, dn, out, &ds, &nonascii);
		idn2_free(alabel);
		if (nonascii)
			FAIL(REASON_SYNTAX_ERROR, "character not allowed in the domain");
	}
	a->len = a->local_len + 1 + dn;
	a->norm[a->len] = '\0';
	if (why)
		FAIL(REASON_SYNTAX_ERROR, why);
	if (dn > ADDR_DOMAIN_MAX)
		FAIL(REASON_SYNTAX_ERROR, "domain longer than 253 octets");
	if (junk_filler(a->norm, a->local_len, out, dn))
		FAIL(REASON_JUNK, "placeholder address");
	/* A Unicode form for display: non-ASCII input, or xn-- labels. */
	if (nonascii || ds.alabel) {
		char *u = NULL;
		if (idn2_to_unicode_8z8z(out, &u, 0) != IDN2_OK || !u) {
			idn2_free(u);
			FAIL(REASON_SYNTAX_ERROR, "invalid punycode (xn--) label");
		}
		size_t ul = strlen(u);
		if (ul < sizeof(a->udomain)) {
			memcpy(a->udomain, u, ul + 1);
			a->flags |= ADDR_IDN;
		}
		idn2_free(u);
	}
	if (!pol->allow_reserved && addr_reserved_domain(out, dn))
		FAIL(REASON_RESERVED_DOMAIN, "reserved domain (RFC 2606/6761), never deliverable");
	if (ds.labels < 2) {
		a->flags |= ADDR_SINGLE_LABEL;
		FAIL(REASON_SYNTAX_ERROR, "domain has a single label (no dot)");
	}
	if (ds.numeric_tld)
		FAIL(REASON_SYNTAX_ERROR, "numeric top-level domain");
	return REASON_NONE;
}

static mv_reason parse_span(const char *cell, const char *s, size_t n,
			    const addr_policy *pol, addr *a);

/* Parse one cleaned span; a syntax or junk failure leaves no address
 * behind, except a one-label domain (a typo such as gmailcom). */
static mv_reason parse_one(const char *cell, const char *s, size_t n,
			   const addr_policy *pol, addr *a)
{
	mv_reason r = parse_span(cell, s, n, pol, a);
	if ((r == REASON_SYNTAX_ERROR && !(a->flags & ADDR_SINGLE_LABEL)) ||
	    r == REASON_JUNK) {
		a->len = a->local_len = 0;
		a->norm[0] = '\0';
		a->udomain[0] = '\0';
		a->flags &= ~(unsigned)ADDR_IDN;
	}
	return r;
}

static mv_reason parse_span(const char *cell, const char *s, size_t n,
			    const addr_policy *pol, addr *a)
{
	a->clean_off = (size_t)(s - cell);
	a->clean_len = n;
	if (n == 0)
		FAIL(REASON_JUNK, "empty");
	if (!memchr(s, '@', n))
		FAIL(REASON_JUNK, word_in(s, n, placeholder_cells) ?
		     "placeholder instead of an address" : "no @: not an email address");
	if (n > 2 * ADDR_MAX)
		FAIL(REASON_SYNTAX_ERROR, "address longer than 254 octets");

	bool ok;
	size_t ll = parse_local(s, n, a, &ok);
	if (!ok)
		FAIL(REASON_SYNTAX_ERROR, a->detail);
	if (ll > ADDR_LOCAL_MAX)
		FAIL(REASON_SYNTAX_ERROR, "local part longer than 64 octets");
	memcpy(a->norm, s, ll);
	a->norm[ll] = '@';
	a->local_len = ll;
	a->len = ll + 1;
	a->norm[a->len] = '\0';
	const char *dom = s + ll + 1;
	size_t dn = n - ll - 1;
	if (junk_local(s, ll))
		FAIL(REASON_JUNK, "placeholder address");
	mv_reason r = parse_domain(dom, dn, pol, a);
	if (r)
		return r;
	if ((a->flags & ADDR_QUOTED) && pol->reject_quoted)
		FAIL(REASON_SYNTAX_ERROR, "quoted local part (refused by policy)");
	if ((a->flags & ADDR_UTF8_LOCAL) && pol->reject_utf8_local)
		FAIL(REASON_SYNTAX_ERROR, "UTF-8 local part (refused by policy)");
	a->detail = "";
	return a->reason = REASON_NONE;
}

mv_reason addr_parse(const char *cell, size_t n, const addr_policy *pol, addr *a)
{
	static const addr_policy defaults;
	if (!pol)
		pol = &defaults;
	a->len = 0;
	a->local_len = 0;
	a->norm[0] = '\0';
	a->udomain[0] = '\0';
	a->flags = 0;
	a->reason = REASON_NONE;
	a->detail = "";
	if (!cell)
		n = 0;

	/* Fast path: a plain address, nothing around it. */
	if (n >= 3 && (cls[(unsigned char)cell[0]] & C_ALNUM) &&
	    (cls[(unsigned char)cell[n - 1]] & C_ALNUM) &&
	    !has_prefix_ci(cell, n, "mailto:")) {
		const char *at = memchr(cell, '@', n);
		if (at && !memchr(at + 1, '@', n - (size_t)(at - cell) - 1))
			return parse_one(cell, cell, n, pol, a);
	}

	size_t len = n;
	const char *s = cell ? addr_trim(cell, &len) : "";
	if (len != n)
		a->flags |= ADDR_TRIMMED;
	/* Several addresses? Only possible with two or more '@'. */
	const char *at = len ? memchr(s, '@', len) : NULL;
	if (at && memchr(at + 1, '@', len - (size_t)(at - s) - 1)) {
		mv_str parts[8];
		size_t k = addr_split(s, len, parts, 8);
		if (k >= 2) {
			unsigned keep = a->flags | ADDR_MULTIPLE;
			for (size_t i = 0; i < k; i++) {
				size_t pl = parts[i].len;
				unsigned f = 0;
				const char *p = unwrap(parts[i].p, &pl, &f);
				a->flags = f;
				if (parse_one(cell, p, pl, pol, a) == REASON_NONE)
					break;
				a->len = 0;
				a->norm[0] = '\0';
			}
			a->flags |= keep;
			a->clean_off = (size_t)(s - cell);
			a->clean_len = len;
			FAIL(REASON_MULTIPLE_ADDRESSES, "several addresses in one cell");
		}
	}
	const char *p = unwrap(s, &len, &a->flags);
	return parse_one(cell, p, len, pol, a);
}
