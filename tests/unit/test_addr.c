/* addr: cleaning, syntax, normalization, junk — a table of address cases. */
#include "test.h"

#include "mailvet/addr.h"

#define OK REASON_NONE
#define SYN REASON_SYNTAX_ERROR
#define JUNK REASON_JUNK
#define RES REASON_RESERVED_DOMAIN
#define MULTI REASON_MULTIPLE_ADDRESSES

#define DN ADDR_DISPLAY_NAME
#define QU ADDR_QUOTED
#define U8 ADDR_UTF8_LOCAL
#define MU ADDR_MULTIPLE
#define MT ADDR_MAILTO
#define WR ADDR_WRAPPED
#define TR ADDR_TRIMMED
#define IDN ADDR_IDN
#define SL ADDR_SINGLE_LABEL

struct acase {
	const char *in;
	mv_reason reason;
	const char *norm;     /* expected normalized address, or NULL: not checked */
	unsigned flags;       /* flags that must be set */
};

static const struct acase cases[] = {
	/* ---- valid, plain ---- */
	{ "jane@northwind.com", OK, "jane@northwind.com", 0 },
	{ "j@x.io", OK, "j@x.io", 0 },
	{ "jane.doe@northwind.com", OK, "jane.doe@northwind.com", 0 },
	{ "jane_doe@northwind.com", OK, "jane_doe@northwind.com", 0 },
	{ "jane-doe@north-wind.com", OK, "jane-doe@north-wind.com", 0 },
	{ "jane+news@gmail.com", OK, "jane+news@gmail.com", 0 },
	{ "jane.doe+tag+more@gmail.com", OK, "jane.doe+tag+more@gmail.com", 0 },
	{ "1234567@numbers.net", OK, "1234567@numbers.net", 0 },
	{ "a.b.c.d@e.f.g.com", OK, "a.b.c.d@e.f.g.com", 0 },
	{ "user@sub.domain.co.uk", OK, "user@sub.domain.co.uk", 0 },
	{ "user@mail.yahoo.co.jp", OK, "user@mail.yahoo.co.jp", 0 },
	{ "o'brien@irish.ie", OK, "o'brien@irish.ie", 0 },
	{ "!#$%&'*+-/=?^_`{|}~@special.org", OK, "!#$%&'*+-/=?^_`{|}~@special.org", 0 },
	{ "x@123.com", OK, "x@123.com", 0 },
	{ "x@1-2-3.com", OK, "x@1-2-3.com", 0 },
	{ "x@a1.b2.c3.de", OK, "x@a1.b2.c3.de", 0 },
	{ "user@xn--bcher-kva.de", OK, "user@xn--bcher-kva.de", IDN },
	{ "info@company.museum", OK, "info@company.museum", 0 },
	{ "info@company.photography", OK, "info@company.photography", 0 },
	{ "a@b.co", OK, "a@b.co", 0 },
	{ "first.last@iana.org", OK, "first.last@iana.org", 0 },
	{ "user%host@relay.com", OK, "user%host@relay.com", 0 },
	{ "user=tag@x.com", OK, "user=tag@x.com", 0 },
	{ "x@x-y.z-w.com", OK, "x@x-y.z-w.com", 0 },
	{ "UPPER@UPPER.COM", OK, "UPPER@upper.com", ADDR_UPPER },
	{ "Jane.Doe@Gmail.COM", OK, "Jane.Doe@gmail.com", ADDR_UPPER },
	{ "MiXeD@MiXeD.Org", OK, "MiXeD@mixed.org", 0 },
	{ "jane@GMAIL.com", OK, "jane@gmail.com", 0 },
	{ "a@b.technology", OK, "a@b.technology", 0 },
	{ "x@y.z.qa", OK, "x@y.z.qa", 0 },
	/* ---- lengths ---- */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com", OK, NULL, 0 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com", SYN, NULL, 0 },
	{ "x@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", OK, NULL, 0 },
	{ "x@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", SYN, NULL, 0 },
	/* ---- white space and invisible characters ---- */
	{ " jane@northwind.com", OK, "jane@northwind.com", TR },
	{ "jane@northwind.com ", OK, "jane@northwind.com", TR },
	{ "\tjane@northwind.com\r\n", OK, "jane@northwind.com", TR },
	{ "  jane@northwind.com  ", OK, "jane@northwind.com", TR },
	{ "\xc2\xa0jane@northwind.com", OK, "jane@northwind.com", TR },          /* NBSP */
	{ "jane@northwind.com\xc2\xa0", OK, "jane@northwind.com", TR },
	{ "\xe2\x80\x8bjane@northwind.com", OK, "jane@northwind.com", TR },      /* ZWSP */
	{ "jane@northwind.com\xe2\x80\x8b", OK, "jane@northwind.com", TR },
	{ "\xe2\x80\x8djane@northwind.com\xe2\x80\x8c", OK, "jane@northwind.com", TR }, /* ZWJ ZWNJ */
	{ "\xef\xbb\xbfjane@northwind.com", OK, "jane@northwind.com", TR },      /* BOM */
	{ "\xe2\x81\xa0jane@northwind.com", OK, "jane@northwind.com", TR },      /* word joiner */
	{ "\xe3\x80\x80jane@northwind.com\xe3\x80\x80", OK, "jane@northwind.com", TR }, /* ideographic */
	{ "\xe2\x80\x83jane@northwind.com\xe2\x80\xaf", OK, "jane@northwind.com", TR },
	/* ---- wrappers from exports ---- */
	{ "mailto:jane@northwind.com", OK, "jane@northwind.com", MT },
	{ "MAILTO:jane@northwind.com", OK, "jane@northwind.com", MT },
	{ "mailto:jane@northwind.com?subject=hi", OK, "jane@northwind.com", MT },
	{ " mailto:jane@northwind.com ", OK, "jane@northwind.com", MT | TR },
	{ "<jane@northwind.com>", OK, "jane@northwind.com", WR },
	{ "\"jane@northwind.com\"", OK, "jane@northwind.com", WR },
	{ "'jane@northwind.com'", OK, "jane@northwind.com", WR },
	{ "`jane@northwind.com`", OK, "jane@northwind.com", WR },
	{ "(jane@northwind.com)", OK, "jane@northwind.com", WR },
	{ "[jane@northwind.com]", OK, "jane@northwind.com", WR },
	{ "'<jane@northwind.com>'", OK, "jane@northwind.com", WR },
	{ "<mailto:jane@northwind.com>", OK, "jane@northwind.com", WR | MT },
	{ "\" jane@northwind.com \"", OK, "jane@northwind.com", WR | TR },
	/* four layers, then white space: trimmed too (a re-parse would) */
	{ "<<<<\xc2\xa0jane@northwind.com>>>>", OK, "jane@northwind.com", WR | TR },
	{ "'<\"(\xe2\x80\x8bjane@northwind.com\xe2\x80\x8b)\">'", OK, "jane@northwind.com", WR | TR },
	{ "<<<<<jane@northwind.com>>>>>", SYN, NULL, 0 },
	/* ---- display names ---- */
	{ "Jane Doe <jane@northwind.com>", OK, "jane@northwind.com", DN },
	{ "\"Doe, Jane\" <jane@northwind.com>", OK, "jane@northwind.com", DN },
	{ "Jane <jane@northwind.com>", OK, "jane@northwind.com", DN },
	{ "Jane Doe<jane@northwind.com>", OK, "jane@northwind.com", DN },
	{ "  Jane Doe   <jane@northwind.com>  ", OK, "jane@northwind.com", DN | TR },
	{ "Doe, Jane <jane@northwind.com>", OK, "jane@northwind.com", DN },
	{ "Ren\xc3\xa9 <rene@northwind.com>", OK, "rene@northwind.com", DN },
	{ "Jane Doe <mailto:jane@northwind.com>", OK, "jane@northwind.com", DN | MT },
	{ "Jane Doe <jane@northwind>", SYN, NULL, DN },
	{ "Jane Doe <>", JUNK, NULL, 0 },
	/* ---- quoted local parts (flagged) ---- */
	{ "\"john smith\"@northwind.com", OK, "\"john smith\"@northwind.com", QU },
	{ "\"john\"@northwind.com", OK, "\"john\"@northwind.com", QU },
	{ "\"j@hn\"@northwind.com", OK, "\"j@hn\"@northwind.com", QU },
	{ "\"john\\\"smith\"@northwind.com", OK, NULL, QU },
	{ "\"a,b\"@northwind.com", OK, "\"a,b\"@northwind.com", QU },
	{ "\"\"@northwind.com", OK, "\"\"@northwind.com", QU },
	{ "\"john smith@northwind.com", SYN, NULL, 0 },
	{ "\"john\"smith@northwind.com", SYN, NULL, 0 },
	{ "\"a\".\"b\"@northwind.com", SYN, NULL, 0 },                          /* obsolete */
	{ "\"a\".b@northwind.com", SYN, NULL, 0 },
	{ "\"tab\there\"@northwind.com", SYN, NULL, 0 },
	{ "\"nl\nhere\"@northwind.com", SYN, NULL, 0 },
	/* a quoted-pair escapes a whole UTF-8 character, never one byte of it */
	{ "\"\\\xc3\xa9\"@northwind.com", OK, "\"\\\xc3\xa9\"@northwind.com", QU | U8 },
	{ "\"a\\\xe2\x80\x8b\"@northwind.com", OK, "\"a\\\xe2\x80\x8b\"@northwind.com", QU | U8 },
	{ "\"\\\xc3\"@northwind.com", SYN, NULL, 0 },
	{ "\"\\\xff" "x\"@northwind.com", SYN, NULL, 0 },
	/* ---- UTF-8 local parts (flagged) and IDN domains ---- */
	{ "j\xc3\xbcrgen@northwind.com", OK, "j\xc3\xbcrgen@northwind.com", U8 },
	{ "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd@northwind.com", OK, NULL, U8 },
	{ "\xe7\x94\xa8\xe6\x88\xb7@northwind.com", OK, NULL, U8 },
	{ "info@b\xc3\xbc" "cher.de", OK, "info@xn--bcher-kva.de", IDN },
	{ "info@B\xc3\x9c" "CHER.de", OK, "info@xn--bcher-kva.de", IDN },
	{ "andre@caf\xc3\xa9.fr", OK, "andre@xn--caf-dma.fr", IDN },
	{ "x@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84", OK, "x@xn--e1afmkfd.xn--p1ai", IDN },
	{ "x@\xe4\xbe\x8b\xe3\x81\x88.jp", OK, NULL, IDN },
	{ "j\xc3\xbcrgen@b\xc3\xbc" "cher.de", OK, "j\xc3\xbcrgen@xn--bcher-kva.de", U8 | IDN },
	{ "x@xn--zz.com", SYN, NULL, 0 },
	{ "x@b\xc3\xbc_cher.de", SYN, NULL, 0 },
	{ "x@\xff\xfe.com", SYN, NULL, 0 },
	{ "\xff@northwind.com", SYN, NULL, 0 },
	{ "j\xc3@northwind.com", SYN, NULL, 0 },
	/* ---- local part syntax errors ---- */
	{ "jane..doe@northwind.com", SYN, NULL, 0 },
	{ ".jane@northwind.com", SYN, NULL, 0 },
	{ "jane.@northwind.com", SYN, NULL, 0 },
	{ "trailing.dot.@northwind.com", SYN, NULL, 0 },
	{ "@northwind.com", SYN, NULL, 0 },
	{ "sp ace@northwind.com", SYN, NULL, 0 },
	{ "tab\there@northwind.com", SYN, NULL, 0 },
	{ "a(comment)@northwind.com", SYN, NULL, 0 },
	{ "(comment)a@northwind.com", SYN, NULL, 0 },
	{ "a,b@northwind.com", SYN, NULL, 0 },
	{ "a;b@northwind.com", SYN, NULL, 0 },
	{ "a:b@northwind.com", SYN, NULL, 0 },
	{ "a<b@northwind.com", SYN, NULL, 0 },
	{ "a>b@northwind.com", SYN, NULL, 0 },
	{ "a[b]@northwind.com", SYN, NULL, 0 },
	{ "a\\b@northwind.com", SYN, NULL, 0 },
	{ "a\"b@northwind.com", SYN, NULL, 0 },
	{ "a\x01" "b@northwind.com", SYN, NULL, 0 },
	{ "a\x7f" "b@northwind.com", SYN, NULL, 0 },
	{ "a\rb@northwind.com", SYN, NULL, 0 },
	{ "a\nb@northwind.com", SYN, NULL, 0 },
	/* ---- domain syntax errors ---- */
	{ "jane@", SYN, NULL, 0 },
	{ "jane@northwind", SYN, "jane@northwind", SL },
	{ "tim@gmailcom", SYN, "tim@gmailcom", SL },
	{ "jane@northwind.", SYN, NULL, 0 },
	{ "jane@northwind.com.", SYN, NULL, 0 },
	{ "jane@.northwind.com", SYN, NULL, 0 },
	{ "jane@northwind..com", SYN, NULL, 0 },
	{ "jane@-northwind.com", SYN, NULL, 0 },
	{ "jane@northwind-.com", SYN, NULL, 0 },
	{ "bob@-bad-.com", SYN, NULL, 0 },
	{ "jane@north_wind.com", SYN, NULL, 0 },
	{ "jane@north wind.com", SYN, NULL, 0 },
	{ "jane@northwind.com (Jane)", SYN, NULL, 0 },
	{ "jane@northwind.com(Jane)", SYN, NULL, 0 },
	{ "jane@north!wind.com", SYN, NULL, 0 },
	{ "jane@north,wind.com", SYN, NULL, 0 },
	{ "jane@northwind,com", SYN, NULL, 0 },
	{ "jane@northwind;com", SYN, NULL, 0 },
	{ "a@b@northwind.com", SYN, NULL, 0 },
	{ "jane@northwind.c\x01m", SYN, NULL, 0 },
	{ "jane@northwind.com\n", OK, NULL, TR },
	{ "jane@north\nwind.com", SYN, NULL, 0 },
	{ "user@123.456", SYN, NULL, 0 },
	{ "user@1.2.3.4", SYN, NULL, 0 },
	{ "user@northwind.123", SYN, NULL, 0 },
	{ "ip@[192.0.2.1]", SYN, NULL, 0 },
	{ "ip@[IPv6:2001:db8::1]", SYN, NULL, 0 },
	{ "ip@[300.0.0.1]", SYN, NULL, 0 },
	{ "x@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", SYN, NULL, 0 },
	/* ---- reserved names (RFC 2606/6761) ---- */
	{ "someone@example.com", RES, "someone@example.com", 0 },
	{ "someone@example.net", RES, NULL, 0 },
	{ "someone@example.org", RES, NULL, 0 },
	{ "someone@mail.example.com", RES, NULL, 0 },
	{ "someone@EXAMPLE.COM", RES, "someone@example.com", 0 },
	{ "user@northwind.test", RES, NULL, 0 },
	{ "user@test.invalid", RES, NULL, 0 },
	{ "user@foo.example", RES, NULL, 0 },
	{ "me@localhost", RES, NULL, 0 },
	{ "me@printer.localhost", RES, NULL, 0 },
	{ "me@nas.local", RES, NULL, 0 },
	{ "me@hidden.onion", RES, NULL, 0 },
	{ "Happy Hogan <happy@stark.test>", RES, "happy@stark.test", DN },
	{ "someone@notexample.com", OK, NULL, 0 },
	{ "someone@example.co", OK, NULL, 0 },
	{ "someone@testing.com", OK, NULL, 0 },
	{ "someone@test.com", OK, NULL, 0 },
	{ "someone@mytest.de", OK, NULL, 0 },
	/* ---- junk ---- */
	{ "", JUNK, NULL, 0 },
	{ "   ", JUNK, NULL, 0 },
	{ "\xc2\xa0", JUNK, NULL, 0 },
	{ "n/a", JUNK, NULL, 0 },
	{ "N/A", JUNK, NULL, 0 },
	{ "NA", JUNK, NULL, 0 },
	{ "none", JUNK, NULL, 0 },
	{ "None", JUNK, NULL, 0 },
	{ "null", JUNK, NULL, 0 },
	{ "-", JUNK, NULL, 0 },
	{ "--", JUNK, NULL, 0 },
	{ "?", JUNK, NULL, 0 },
	{ "unknown", JUNK, NULL, 0 },
	{ "TBD", JUNK, NULL, 0 },
	{ "asdf", JUNK, NULL, 0 },
	{ "no email", JUNK, NULL, 0 },
	{ "noemail", JUNK, NULL, 0 },
	{ "#N/A", JUNK, NULL, 0 },
	{ "x", JUNK, NULL, 0 },
	{ "0", JUNK, NULL, 0 },
	{ "test@test.com", JUNK, NULL, 0 },
	{ "TEST@TEST.COM", JUNK, NULL, 0 },
	{ "test@test.de", JUNK, NULL, 0 },
	{ "email@email.com", JUNK, NULL, 0 },
	{ "asdf@asdf.com", JUNK, NULL, 0 },
	/* judged on the normalized domain: fullwidth, U+3002, soft hyphen */
	{ "test@\xef\xbd\x94\xef\xbd\x85\xef\xbd\x93\xef\xbd\x94.com", JUNK, NULL, 0 },
	{ "test@test\xe3\x80\x82" "com", JUNK, NULL, 0 },
	{ "test@te\xc2\xadst.com", JUNK, NULL, 0 },
	{ "Email@\xef\xbc\xa5MAIL\xef\xbc\x8e" "de", JUNK, NULL, 0 },
	{ "test@t\xc3\xa9st.com", OK, "test@xn--tst-bma.com", IDN },
	{ "noemail@northwind.com", JUNK, NULL, 0 },
	{ "no-email@northwind.com", JUNK, NULL, 0 },
	{ "no.email@northwind.com", JUNK, NULL, 0 },
	{ "none@northwind.com", JUNK, NULL, 0 },
	{ "nomail@gmail.com", JUNK, NULL, 0 },
	{ "noemail@northwind.test", JUNK, NULL, 0 },
	{ "donotemail@x.com", JUNK, NULL, 0 },
	{ "jane at northwind dot com", JUNK, NULL, 0 },
	{ "jane(at)northwind.com", JUNK, NULL, 0 },
	{ "janenorthwind.com", JUNK, NULL, 0 },
	{ "www.northwind.com", JUNK, NULL, 0 },
	{ "+1 555 123 4567", JUNK, NULL, 0 },
	{ "Jane Doe", JUNK, NULL, 0 },
	{ "test@northwind.com", OK, NULL, 0 },          /* a real mailbox name */
	{ "nobody@northwind.com", OK, NULL, 0 },
	{ "noreply@northwind.com", OK, NULL, 0 },        /* a role, not junk */
	/* ---- several addresses in one cell ---- */
	{ "alice@northwind.com; bob@contoso.com", MULTI, "alice@northwind.com", MU },
	{ "alice@northwind.com, bob@contoso.com", MULTI, "alice@northwind.com", MU },
	{ "alice@northwind.com bob@contoso.com", MULTI, "alice@northwind.com", MU },
	{ "alice@northwind.com;bob@contoso.com", MULTI, "alice@northwind.com", MU },
	{ "alice@northwind.com / bob@contoso.com", MULTI, NULL, MU },
	{ "Alice <alice@northwind.com>, Bob <bob@contoso.com>", MULTI, "alice@northwind.com", MU },
	{ "bad@@x; bob@contoso.com", MULTI, "bob@contoso.com", MU },
	{ "alice@northwind.test; bob@contoso.test", MULTI, NULL, MU },
	{ "a@x.com,b@y.com,c@z.com", MULTI, "a@x.com", MU },
	{ "\"a,b\"@northwind.com", OK, NULL, QU },
};

TEST(addr_degenerate)
{
	addr a;
	CHECK_INT(addr_parse(NULL, 0, NULL, &a), REASON_JUNK);
	CHECK_INT(a.len, 0);
	CHECK_INT(addr_parse("", 0, NULL, &a), REASON_JUNK);
	CHECK_STR(a.detail, "empty");
	CHECK_INT(addr_parse("@", 1, NULL, &a), REASON_SYNTAX_ERROR);
	CHECK_INT(addr_parse("a@", 2, NULL, &a), REASON_SYNTAX_ERROR);
	CHECK_INT(addr_parse("@@", 2, NULL, &a), REASON_SYNTAX_ERROR);
	/* bytes past n are never read: the cell is not NUL-terminated */
	CHECK_INT(addr_parse("jane@northwind.comXXXX", 18, NULL, &a), REASON_NONE);
	CHECK_STR(a.norm, "jane@northwind.com");
}

TEST(addr_table)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	CHECK(n >= 200);
	for (size_t i = 0; i < n; i++) {
		const struct acase *c = &cases[i];
		addr a;
		mv_reason r = addr_parse(c->in, strlen(c->in), NULL, &a);
		if (r != c->reason)
			test_fail(__FILE__, __LINE__, "case %zu \"%s\": reason %s (%s), expected %s",
				  i, c->in, reason_name(r), a.detail, reason_name(c->reason));
		if (c->norm && strcmp(a.norm, c->norm) != 0)
			test_fail(__FILE__, __LINE__, "case %zu \"%s\": normalized \"%s\", expected \"%s\"",
				  i, c->in, a.norm, c->norm);
		if ((a.flags & c->flags) != c->flags)
			test_fail(__FILE__, __LINE__, "case %zu \"%s\": flags %#x lack %#x",
				  i, c->in, a.flags, c->flags);
		if (r == REASON_NONE) {
			/* the wire invariant: no control bytes, one '@' outside quotes */
			CHECK(a.len > 0 && a.len <= ADDR_MAX);
			for (size_t k = 0; k < a.len; k++)
				CHECK((unsigned char)a.norm[k] >= 0x20 && a.norm[k] != 0x7f);
			CHECK(a.norm[a.local_len] == '@');
			CHECK(!*a.detail);
		} else {
			CHECK(*a.detail);
		}
	}
}

/* The NUL-byte cases need an explicit length: PARSE takes the literal's. */
#define PARSE(lit, pol) addr_parse(lit, sizeof(lit) - 1, pol, &a)
TEST(addr_nul_byte)
{
	addr a;
	addr_policy ip = { 0 };
	ip.allow_ip_literal = true;
	CHECK_INT(PARSE("a\0b@northwind.com", NULL), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("jane@north\0wind.com", NULL), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("\0jane@northwind.com", NULL), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("jane@northwind.com\0", NULL), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("\"a\0b\"@northwind.com", NULL), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("\"a\\\0b\"@northwind.com", NULL), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("<jane@northwind.com\0>", NULL), REASON_SYNTAX_ERROR);
	/* in an IP literal: strchr() took the NUL for one of its characters */
	CHECK_INT(PARSE("ip@[IPv6:2001:db8::1\0]", &ip), REASON_SYNTAX_ERROR);
	CHECK_STR(a.norm, "");
	CHECK_INT(PARSE("ip@[IPv6:\0\0]", &ip), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("ip@[IPv6:\0::1]", &ip), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("ip@[IPv6:::1\x01]", &ip), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("ip@[192.0.2.1\0]", &ip), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("ip@[\0]", &ip), REASON_SYNTAX_ERROR);
	CHECK_INT(PARSE("ip@[IPv6:::1]", &ip), REASON_NONE);
	CHECK_STR(a.norm, "ip@[IPv6:::1]");
}
#undef PARSE

TEST(addr_policy)
{
	addr a;
	addr_policy p = { 0 };
	p.allow_reserved = true;
	CHECK_INT(addr_parse("user@northwind.test", 19, &p, &a), REASON_NONE);
	CHECK_INT(addr_parse("someone@example.com", 19, &p, &a), REASON_NONE);
	CHECK_INT(addr_parse("me@localhost", 12, &p, &a), REASON_SYNTAX_ERROR);  /* one label */
	p.reject_quoted = true;
	CHECK_INT(addr_parse("\"john\"@northwind.com", 20, &p, &a), REASON_SYNTAX_ERROR);
	p.reject_utf8_local = true;
	CHECK_INT(addr_parse("j\xc3\xbcrgen@northwind.com", 20, &p, &a), REASON_SYNTAX_ERROR);
	p.allow_ip_literal = true;
	CHECK_INT(addr_parse("ip@[192.0.2.1]", 14, &p, &a), REASON_NONE);
	CHECK_STR(a.norm, "ip@[192.0.2.1]");
	CHECK_INT(addr_parse("ip@[IPv6:2001:db8::1]", 21, &p, &a), REASON_NONE);
	CHECK_INT(addr_parse("ip@[300.1.1.1]", 14, &p, &a), REASON_SYNTAX_ERROR);
	CHECK_INT(addr_parse("ip@[1.2.3]", 10, &p, &a), REASON_SYNTAX_ERROR);
}

TEST(addr_views_and_idn)
{
	addr a;
	const char *in = "J\xc3\xbcrgen <J\xc3\xbcrgen@B\xc3\xbc" "cher.DE>";
	CHECK_INT(addr_parse(in, strlen(in), NULL, &a), REASON_NONE);
	mv_str l = addr_local(&a), d = addr_domain(&a), u = addr_domain_display(&a);
	CHECK_MEM(l.p, l.len, "J\xc3\xbcrgen");
	CHECK_MEM(d.p, d.len, "xn--bcher-kva.de");
	CHECK_MEM(u.p, u.len, "b\xc3\xbc" "cher.de");
	CHECK(a.flags & ADDR_DISPLAY_NAME);
	/* the address as typed, inside the cell */
	CHECK_MEM(in + a.clean_off, a.clean_len, "J\xc3\xbcrgen@B\xc3\xbc" "cher.DE");
	/* an ASCII domain shows as itself */
	CHECK_INT(addr_parse("x@northwind.com", 15, NULL, &a), REASON_NONE);
	u = addr_domain_display(&a);
	CHECK_MEM(u.p, u.len, "northwind.com");
}

TEST(addr_split_cells)
{
	mv_str p[4];
	const char *c = "alice@x.com; Bob <bob@y.com>, \"c,d\"@z.com junk";
	CHECK_INT(addr_split(c, strlen(c), p, 4), 3);
	CHECK_MEM(p[0].p, p[0].len, "alice@x.com");
	CHECK_MEM(p[2].p, p[2].len, "\"c,d\"@z.com");
	CHECK_INT(addr_split("", 0, p, 4), 0);
	CHECK_INT(addr_split("a@b.com", 7, p, 0), 0);
}

TEST(addr_trim_and_reserved)
{
	size_t n = 9;
	const char *s = addr_trim(" \xc2\xa0" "ab \xe2\x80\x8b", &n);
	CHECK_MEM(s, n, "ab");
	n = 0;
	addr_trim("", &n);
	CHECK_INT(n, 0);
	CHECK(addr_reserved_domain("x.test", 6));
	CHECK(addr_reserved_domain("example.com", 11));
	CHECK(!addr_reserved_domain("myexample.com", 13));
	CHECK(!addr_reserved_domain("com", 3));
}
