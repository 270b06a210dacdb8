#include "mailvet/text.h"

#include <stdio.h>
#include <string.h>

#include "mailvet/buf.h"

size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp_out)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp_out = c;
		return 1;
	}
	size_t len;
	uint32_t min;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_out = cp;
	return len;
}

size_t text_utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	return text_utf8_decode(s, n, &cp);
}

bool text_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = text_utf8_seq(p + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

static unsigned decode_cp(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned cp = s[0] & lead_mask[len];
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

static bool cp_is_unsafe(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||          /* C1 controls */
	       (cp >= 0x202a && cp <= 0x202e) ||      /* bidi embeddings */
	       (cp >= 0x2066 && cp <= 0x2069) ||      /* bidi isolates */
	       cp == 0x2028 || cp == 0x2029 ||        /* line/para separators */
	       cp == 0x200e || cp == 0x200f ||        /* LRM, RLM */
	       cp == 0x061c || cp == 0xfeff;          /* ALM, BOM/ZWNBSP */
}

mv_status text_escape_display(buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	mv_status st = MV_OK;
	char esc[16];

	for (size_t i = 0; i < n && !st;) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			size_t j = i;
			while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '\\')
				j++;
			st = buf_append(out, p + i, j - i);
			i = j;
			continue;
		}
		if (c == '\\') {
			st = buf_append(out, "\\\\", 2);
			i++;
			continue;
		}
		if (c < 0x80) {
			const char *e = NULL;
			switch (c) {
			case '\n': e = "\\n"; break;
			case '\r': e = "\\r"; break;
			case '\t': e = "\\t"; break;
			default: break;
			}
			if (e) {
				st = buf_append_str(out, e);
			} else {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				st = buf_append_str(out, esc);
			}
			i++;
			continue;
		}
		size_t k = text_utf8_seq(p + i, n - i);
		if (!k) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			st = buf_append_str(out, esc);
			i++;
			continue;
		}
		unsigned cp = decode_cp(p + i, k);
		if (cp_is_unsafe(cp)) {
			snprintf(esc, sizeof(esc), "\\u%04x", cp);
			st = buf_append_str(out, esc);
		} else {
			st = buf_append(out, p + i, k);
		}
		i += k;
	}
	return st;
}

mv_status text_escape_json(buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	mv_status st = MV_OK;
	char esc[16];

	for (size_t i = 0; i < n && !st;) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			size_t j = i;
			while (j < n && p[j] >= 0x20 && p[j] < 0x80 &&
			       p[j] != '"' && p[j] != '\\')
				j++;
			st = buf_append(out, p + i, j - i);
			i = j;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			st = buf_append(out, e, 2);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': st = buf_append_str(out, "\\n"); break;
			case '\r': st = buf_append_str(out, "\\r"); break;
			case '\t': st = buf_append_str(out, "\\t"); break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				st = buf_append_str(out, esc);
			}
			i++;
			continue;
		}
		size_t k = text_utf8_seq(p + i, n - i);
		if (!k) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			st = buf_append_str(out, esc);
			i++;
			continue;
		}
		unsigned cp = decode_cp(p + i, k);
		if (cp == 0x2028 || cp == 0x2029) {
			snprintf(esc, sizeof(esc), "\\u%04x", cp);
			st = buf_append_str(out, esc);
		} else {
			st = buf_append(out, p + i, k);
		}
		i += k;
	}
	return st;
}

bool text_is_formula(const char *s, size_t n)
{
	if (n == 0)
		return false;
	switch (s[0]) {
	case '=': case '+': case '-': case '@': case '\t': case '\r':
		return true;
	default:
		return false;
	}
}

mv_status text_neutralize_formula(buf *out, const char *s, size_t n)
{
	if (text_is_formula(s, n)) {
		mv_status st = buf_append_char(out, '\'');
		if (st)
			return st;
	}
	return buf_append(out, s, n);
}

bool text_ieq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (text_ascii_lower(a[i]) != text_ascii_lower(b[i]))
			return false;
	return true;
}

void text_lower(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = text_ascii_lower(s[i]);
}

const char *text_find_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (!m || m > n)
		return NULL;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;
		while (j < m && text_ascii_lower(s[i + j]) == needle[j])
			j++;
		if (j == m)
			return s + i;
	}
	return NULL;
}
