/* lists: the shipped lists, extra files, alias keys. */
#include "test.h"

#include <stdio.h>

#include "mailvet/lists.h"

TEST(lists_builtin)
{
	lists *l;
	CHECK_INT(lists_create(&l), MV_OK);
	CHECK(lists_count(l, LIST_ROLE) > 500);
	CHECK(lists_count(l, LIST_DISPOSABLE) > 100000);
	CHECK(lists_count(l, LIST_FREE) > 10000);
	CHECK(lists_count(l, LIST_TLD) > 1000);
	CHECK(lists_count(l, LIST_KNOWN) > 200);
	CHECK(lists_provider_count(l) > 150);
	unsigned w = 0;
	mv_str p = lists_provider(l, 0, &w);
	CHECK_MEM(p.p, p.len, "gmail.com");
	CHECK(w >= 100);
	CHECK_INT(lists_provider(l, 100000, NULL).len, 0);
	CHECK_STR(lists_kind_name(LIST_DISPOSABLE), "disposable");
	CHECK_STR(lists_kind_name(LIST_COUNT), "?");
	/* roles: any case, +tag ignored */
	static const char *const roles[] = { "info", "INFO", "admin", "sales", "support",
		"noreply", "no-reply", "postmaster", "abuse", "webmaster", "billing",
		"info+tag" };
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!lists_is_role(l, roles[i], strlen(roles[i])))
			test_fail(__FILE__, __LINE__, "%s is a role", roles[i]);
	CHECK(!lists_is_role(l, "jane.doe", 8));
	CHECK(!lists_is_role(l, "", 0));
	/* domains and their parents; never a bare TLD */
	CHECK(lists_has_domain(l, LIST_DISPOSABLE, "mailinator.com", 14));
	CHECK(lists_has_domain(l, LIST_DISPOSABLE, "x.mailinator.com", 16));
	CHECK(!lists_has_domain(l, LIST_DISPOSABLE, "gmail.com", 9));
	CHECK(!lists_has_domain(l, LIST_DISPOSABLE, "com", 3));
	CHECK(lists_has_domain(l, LIST_FREE, "gmail.com", 9));
	CHECK(lists_has_domain(l, LIST_FREE, "libero.it", 9));
	CHECK(lists_has(l, LIST_TLD, "com", 3));
	CHECK(lists_has(l, LIST_TLD, "xn--p1ai", 8));
	CHECK(!lists_has(l, LIST_TLD, "con", 3));
	CHECK(lists_has(l, LIST_KNOWN, "yahoo.co.uk", 11));
	CHECK(lists_has(l, LIST_KNOWN, "ymail.com", 9));
	CHECK(!lists_has(l, LIST_KNOWN, "gmial.com", 9));
	CHECK(!lists_has(l, LIST_COUNT, "x", 1));
	lists_destroy(l);
	lists_destroy(NULL);
}

TEST(lists_alias_keys)
{
	lists *l;
	char k[64];
	CHECK_INT(lists_create(&l), MV_OK);
	CHECK_INT(lists_alias_key(l, "Jane.Doe+news", 13, "googlemail.com", 14, k, sizeof(k)), 17);
	CHECK_STR(k, "janedoe@gmail.com");
	CHECK(lists_alias_key(l, "j.doe+x", 7, "outlook.com", 11, k, sizeof(k)) > 0);
	CHECK_STR(k, "j.doe@outlook.com");             /* dots count at Outlook */
	CHECK_INT(lists_alias_key(l, "jane", 4, "yahoo.com", 9, k, sizeof(k)), 0);
	CHECK(lists_alias_key(l, "+tag", 4, "gmail.com", 9, k, sizeof(k)) > 0);
	CHECK_STR(k, "+tag@gmail.com");                /* a local part that is all tag */
	CHECK_INT(lists_alias_key(l, "jane", 4, "gmail.com", 9, k, 8), 0);   /* too small */
	lists_destroy(l);
}

TEST(lists_user_files)
{
	lists *l;
	char p[512];
	CHECK_INT(lists_create(&l), MV_OK);
	snprintf(p, sizeof(p), "%s/extra.txt", test_tmpdir());
	FILE *fp = fopen(p, "w");
	fputs("# a comment\n\n  Throwaway.EXAMPLE-mail.com   # trailing\n@burner.net\r\n", fp);
	fclose(fp);
	CHECK_INT(lists_load(l, LIST_DISPOSABLE, p), MV_OK);
	CHECK(lists_has_domain(l, LIST_DISPOSABLE, "throwaway.example-mail.com", 26));
	CHECK(lists_has_domain(l, LIST_DISPOSABLE, "burner.net", 10));
	CHECK_INT(lists_load(l, LIST_ROLE, "/nonexistent/x.txt"), MV_NOENT);
	CHECK_INT(lists_load(l, LIST_COUNT, p), MV_USAGE);
	CHECK_INT(lists_add(l, LIST_ROLE, "Boss", 4), MV_OK);
	CHECK(lists_is_role(l, "boss", 4));
	lists_destroy(l);
}
