/* text and buf: the byte helpers. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/buf.h"
#include "mailvet/text.h"

static const char *esc(buf *b, const char *s, size_t n)
{
	buf_reset(b);
	text_escape_display(b, s, n);
	return buf_str(b);
}

TEST(buf_bounded)
{
	buf b;
	buf_init(&b, 8);
	CHECK_STR(buf_str(&b), "");
	CHECK_INT(buf_append(&b, "12345", 5), MV_OK);
	CHECK_INT(buf_append(&b, "6789", 4), MV_TOOBIG);
	CHECK_STR(buf_str(&b), "12345");
	CHECK_INT(buf_append(&b, "678", 3), MV_OK);
	CHECK_INT(buf_append_char(&b, 'x'), MV_TOOBIG);
	buf_consume(&b, 2);
	CHECK_STR(buf_str(&b), "345678");
	CHECK_INT(buf_printf(&b, "%d", 12), MV_OK);
	CHECK_STR(buf_str(&b), "34567812");
	CHECK_INT(buf_printf(&b, "%s", "x"), MV_TOOBIG);
	buf_free(&b);
	buf_init(&b, 1 << 20);
	char big[1000];
	memset(big, 'a', sizeof(big));
	CHECK_INT(buf_printf(&b, "%.*s", 1000, big), MV_OK);
	CHECK_INT(b.len, 1000);
	size_t n;
	char *p = buf_detach(&b, &n);
	CHECK_INT(n, 1000);
	CHECK(p[1000] == '\0');
	free(p);
	buf_free(&b);
}

TEST(text_utf8)
{
	CHECK(text_utf8_valid("", 0));
	CHECK(text_utf8_valid("plain", 5));
	CHECK(text_utf8_valid("caf\xc3\xa9", 5));
	CHECK(text_utf8_valid("\xe2\x82\xac", 3));
	CHECK(text_utf8_valid("\xf0\x9f\x98\x80", 4));
	CHECK(!text_utf8_valid("\xc3", 1));
	CHECK(!text_utf8_valid("\xc0\xaf", 2));       /* overlong */
	CHECK(!text_utf8_valid("\xed\xa0\x80", 3));   /* surrogate */
	CHECK(!text_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK(!text_utf8_valid("\xfc", 1));
}

TEST(text_escape_display_hostile)
{
	buf b;
	buf_init(&b, 4096);
	CHECK_STR(esc(&b, "", 0), "");
	CHECK_STR(esc(&b, "hello", 5), "hello");
	CHECK_STR(esc(&b, "\x1b[2J\x1b]0;pwn\x07", 12), "\\x1b[2J\\x1b]0;pwn\\x07");
	CHECK_STR(esc(&b, "a\nb\tc\r", 6), "a\\nb\\tc\\r");
	CHECK_STR(esc(&b, "back\\slash", 10), "back\\\\slash");
	CHECK_STR(esc(&b, "caf\xc3\xa9", 5), "caf\xc3\xa9");
	CHECK_STR(esc(&b, "M\xfcller", 6), "M\\xfcller");
	CHECK_STR(esc(&b, "\xc2\x9b" "31m", 5), "\\u009b31m");          /* C1 CSI */
	CHECK_STR(esc(&b, "x\xe2\x80\xaey", 5), "x\\u202ey");            /* RLO */
	CHECK_STR(esc(&b, "\x7f", 1), "\\x7f");
	CHECK_STR(esc(&b, "a\0b", 3), "a\\x00b");
	buf_free(&b);
}

TEST(text_escape_json)
{
	buf b;
	buf_init(&b, 4096);
	text_escape_json(&b, "a\"b\\c\n\x01\xff", 8);
	CHECK_STR(buf_str(&b), "a\\\"b\\\\c\\n\\u0001\\u00ff");
	buf_reset(&b);
	text_escape_json(&b, "\xc3\xa9", 2);
	CHECK_STR(buf_str(&b), "\xc3\xa9");
	buf_free(&b);
}

TEST(text_formula)
{
	CHECK(!text_is_formula("", 0));
	CHECK(!text_is_formula("550 user unknown", 16));
	CHECK(text_is_formula("=HYPERLINK(\"x\")", 15));
	CHECK(text_is_formula("+1", 2));
	CHECK(text_is_formula("-1", 2));
	CHECK(text_is_formula("@SUM(A1)", 8));
	buf b;
	buf_init(&b, 100);
	text_neutralize_formula(&b, "=1+1", 4);
	CHECK_STR(buf_str(&b), "'=1+1");
	buf_reset(&b);
	text_neutralize_formula(&b, "ok", 2);
	CHECK_STR(buf_str(&b), "ok");
	buf_free(&b);
}

TEST(text_case)
{
	CHECK(text_ieq("Email", 5, "eMAIL", 5));
	CHECK(!text_ieq("Email", 5, "Emails", 6));
	char s[] = "MiXeD\xc3\x89";
	text_lower(s, strlen(s));
	CHECK_STR(s, "mixed\xc3\x89");
}
