/* typo: domain typo suggestions, and the real domains they must leave alone. */
#include "test.h"

#include "mailvet/lists.h"
#include "mailvet/typo.h"

/* Typos of providers and TLDs: domain → the suggestion. */
static const char *const fixes[][2] = {
	{ "gmial.com", "gmail.com" }, { "gmai.com", "gmail.com" }, { "gmal.com", "gmail.com" },
	{ "gmaill.com", "gmail.com" }, { "gnail.com", "gmail.com" }, { "gmsil.com", "gmail.com" },
	{ "gamil.com", "gmail.com" }, { "gmil.com", "gmail.com" }, { "ggmail.com", "gmail.com" },
	{ "gmaik.com", "gmail.com" }, { "gmail.con", "gmail.com" }, { "gmail.cmo", "gmail.com" },
	{ "gmail.comm", "gmail.com" }, { "gmail.cm", "gmail.com" }, { "gmail.co", "gmail.com" },
	{ "gmail.om", "gmail.com" }, { "gmail.vom", "gmail.com" }, { "gmail.xom", "gmail.com" },
	{ "gmail.ocm", "gmail.com" }, { "gmail.cpm", "gmail.com" }, { "gmailcom", "gmail.com" },
	{ "gmail.nte", "gmail.com" }, { "gmial.con", "gmail.com" },
	{ "hotmial.com", "hotmail.com" }, { "hotmai.com", "hotmail.com" },
	{ "hotmal.com", "hotmail.com" }, { "hotamil.com", "hotmail.com" },
	{ "hotmaill.com", "hotmail.com" }, { "hotmail.comm", "hotmail.com" },
	{ "hotmail.con", "hotmail.com" }, { "hotmailcom", "hotmail.com" },
	{ "hormail.com", "hotmail.com" }, { "hotmsil.com", "hotmail.com" },
	{ "yaho.com", "yahoo.com" }, { "yahooo.com", "yahoo.com" }, { "yhoo.com", "yahoo.com" },
	{ "yahoo.cmo", "yahoo.com" }, { "yahoo.con", "yahoo.com" }, { "yaoo.com", "yahoo.com" },
	{ "yahoocom", "yahoo.com" }, { "yahoo.cm", "yahoo.com" },
	{ "yahoo.co.ul", "yahoo.co.uk" }, { "yahooo.co.uk", "yahoo.co.uk" },
	{ "hotmail.co.ul", "hotmail.co.uk" }, { "yahoo.fe", "yahoo.fr" },
	{ "outlok.com", "outlook.com" }, { "outllok.com", "outlook.com" }, { "outloo.com", "outlook.com" },
	{ "otulook.com", "outlook.com" }, { "outlook.ogr", "outlook.com" }, { "outlook.con", "outlook.com" },
	{ "iclud.com", "icloud.com" }, { "icloud.con", "icloud.com" }, { "iclod.com", "icloud.com" },
	{ "comcast.nte", "comcast.net" }, { "comcats.net", "comcast.net" }, { "concast.net", "comcast.net" },
	{ "sbcglobl.net", "sbcglobal.net" }, { "verizon.nt", "verizon.net" },
	{ "protonmial.com", "protonmail.com" }, { "libreo.it", "libero.it" },
	{ "hanmial.net", "hanmail.net" }, { "yandex.ry", "yandex.ru" }, { "yandx.ru", "yandex.ru" },
	{ "orange.ft", "orange.fr" }, { "wanadoo.ft", "wanadoo.fr" }, { "btinternet.con", "btinternet.com" },
	{ "aol.con", "aol.com" }, { "aol.cm", "aol.com" }, { "aolcom", "aol.com" },
	{ "t-online.dr", "t-online.de" }, { "northwind.con", "northwind.com" },
	{ "acmecorp.cmo", "acmecorp.com" }, { "acmecorp.ogr", "acmecorp.org" },
	{ "acmecorpcom", "acmecorp.com" }, { "example-co.nte", "example-co.net" },
};

/* Real domains, including look-alikes and country variants: never touched. */
static const char *const real[] = {
	"gmail.com", "gmx.com", "gmx.net", "gmx.de", "mail.com", "email.com", "ymail.com",
	"me.com", "mac.com", "live.com", "msn.com", "libero.it", "hanmail.net", "uol.com.br",
	"bol.com.br", "proton.me", "pm.me", "hey.com", "yopmail.com", "aim.com", "aol.com",
	"att.net", "web.de", "wp.pl", "o2.pl", "op.pl", "bk.ru", "ya.ru", "qq.com", "163.com",
	"126.com", "yahoo.co.uk", "yahoo.com.br", "yahoo.fr", "yahoo.de", "yahoo.co.jp",
	"hotmail.fr", "hotmail.co.uk", "hotmail.de", "hotmail.it", "hotmail.es", "hotmail.com.br",
	"live.co.uk", "live.fr", "outlook.fr", "outlook.de", "googlemail.com", "icloud.com",
	"naver.com", "daum.net", "nate.com", "sky.com", "tin.it", "tim.it", "alice.it",
	"free.fr", "sfr.fr", "cox.net", "mail.ru", "list.ru", "inbox.ru", "abv.bg", "mail.bg",
	"orange.fr", "laposte.net", "t-online.de", "seznam.cz", "rediffmail.com",
	"protonmail.com", "zoho.com", "fastmail.com", "comcast.net", "gmx.at", "gmx.ch",
	"northwind.com", "contoso.co.uk", "example-co.net", "xn--bcher-kva.de",
};

static typo *engine(lists **l)
{
	typo *t = NULL;
	CHECK_INT(lists_create(l), MV_OK);
	CHECK_INT(typo_create(*l, &t), MV_OK);
	/* the list's evidence: a company domain seen often */
	typo_observe(t, "northwind.com", 13, 40);
	typo_observe(t, "acmecorp.com", 12, 25);
	typo_observe(t, "acmecorp.org", 12, 6);
	return t;
}

TEST(typo_edit1_model)
{
	CHECK_INT(typo_edit1("gmail.com", 9, "gmail.com", 9), 0);
	CHECK_INT(typo_edit1("gmial.com", 9, "gmail.com", 9), 1);   /* swap */
	CHECK_INT(typo_edit1("gmsil.com", 9, "gmail.com", 9), 1);   /* s next to a */
	CHECK_INT(typo_edit1("gmpil.com", 9, "gmail.com", 9), 2);   /* p is far from a */
	CHECK_INT(typo_edit1("gmai.com", 8, "gmail.com", 9), 1);    /* dropped */
	CHECK_INT(typo_edit1("gmaill.com", 10, "gmail.com", 9), 1); /* doubled */
	CHECK_INT(typo_edit1("gmaikl.com", 10, "gmail.com", 9), 1); /* neighbour key */
	CHECK_INT(typo_edit1("gmaizl.com", 10, "gmail.com", 9), 2);
	CHECK_INT(typo_edit1("gmailcom", 8, "gmail.com", 9), 1);    /* dropped dot */
	CHECK_INT(typo_edit1("gmial.con", 9, "gmail.com", 9), 0);   /* two edits */
	CHECK_INT(typo_edit1("", 0, "a", 1), 1);
	CHECK_INT(typo_edit1("a", 1, "", 0), 2);   /* an extra key, no neighbour */
	CHECK_INT(typo_edit1("", 0, "", 0), 0);
}

TEST(typo_degenerate)
{
	lists *l;
	typo *t = engine(&l);
	char out[300];
	typo_kind k = TYPO_PROVIDER;
	CHECK_INT(typo_suggest(t, "", 0, out, sizeof(out), &k), 0);
	CHECK_INT(k, TYPO_NONE);
	CHECK_INT(typo_suggest(t, "gmial.com", 9, out, 4, NULL), 0);   /* does not fit */
	CHECK_INT(typo_suggest(t, "x", 1, out, sizeof(out), NULL), 0);
	CHECK_INT(typo_observe(t, "", 0, 5), MV_OK);
	typo_destroy(t);
	typo_destroy(NULL);
	lists_destroy(l);
}

TEST(typo_fixes)
{
	lists *l;
	typo *t = engine(&l);
	size_t n = sizeof(fixes) / sizeof(fixes[0]);
	for (size_t i = 0; i < n; i++) {
		char out[300];
		size_t len = typo_suggest(t, fixes[i][0], strlen(fixes[i][0]), out, sizeof(out), NULL);
		if (!len || strcmp(out, fixes[i][1]) != 0)
			test_fail(__FILE__, __LINE__, "%s -> \"%s\", expected %s", fixes[i][0],
				  len ? out : "", fixes[i][1]);
	}
	typo_destroy(t);
	lists_destroy(l);
}

TEST(typo_real_domains_untouched)
{
	lists *l;
	typo *t = engine(&l);
	size_t n = sizeof(real) / sizeof(real[0]);
	CHECK(n >= 50);
	CHECK(n + sizeof(fixes) / sizeof(fixes[0]) >= 100);
	for (size_t i = 0; i < n; i++) {
		char out[300];
		size_t len = typo_suggest(t, real[i], strlen(real[i]), out, sizeof(out), NULL);
		if (len)
			test_fail(__FILE__, __LINE__, "real domain %s -> \"%s\"", real[i], out);
	}
	typo_destroy(t);
	lists_destroy(l);
}

TEST(typo_list_evidence)
{
	lists *l;
	typo *t = NULL;
	char out[300];
	typo_kind k;
	CHECK_INT(lists_create(&l), MV_OK);
	CHECK_INT(typo_create(l, &t), MV_OK);
	typo_observe(t, "bluestone.com", 13, 120);
	typo_observe(t, "bluestnoe.com", 13, 1);
	typo_observe(t, "bluestones.com", 14, 60);   /* real: too many rows to be typos */
	typo_observe(t, "smallco.com", 11, 2);
	typo_observe(t, "smalco.com", 10, 1);        /* 2 rows is no evidence */
	typo_observe(t, "q.com", 5, 300);
	typo_observe(t, "qq.com", 6, 400);            /* q.com is seen often: real */
	CHECK(typo_suggest(t, "bluestnoe.com", 13, out, sizeof(out), &k) > 0);
	CHECK_STR(out, "bluestone.com");
	CHECK_INT(k, TYPO_LIST);
	CHECK_INT(typo_suggest(t, "bluestones.com", 14, out, sizeof(out), NULL), 0);
	CHECK_INT(typo_suggest(t, "bluestone.com", 13, out, sizeof(out), NULL), 0);
	CHECK_INT(typo_suggest(t, "smalco.com", 10, out, sizeof(out), NULL), 0);
	CHECK_INT(typo_suggest(t, "q.com", 5, out, sizeof(out), NULL), 0);
	/* a short provider name needs the list's evidence */
	CHECK_INT(typo_suggest(t, "aok.com", 7, out, sizeof(out), NULL), 0);
	typo_observe(t, "aol.com", 7, 500);
	typo_observe(t, "aok.com", 7, 1);
	CHECK(typo_suggest(t, "aok.com", 7, out, sizeof(out), NULL) > 0);
	CHECK_STR(out, "aol.com");
	/* a provider's typo seen many times is still a typo (the provider is huge) */
	typo_observe(t, "gmail.com", 9, 100000);
	typo_observe(t, "gmial.com", 9, 60);
	CHECK(typo_suggest(t, "gmial.com", 9, out, sizeof(out), &k) > 0);
	CHECK_STR(out, "gmail.com");
	CHECK_INT(k, TYPO_PROVIDER);
	typo_destroy(t);
	lists_destroy(l);
}
