/* suppress: the persistent suppression list. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/suppress.h"

static char *slurp(const char *path)
{
	static char b[4096];
	FILE *fp = fopen(path, "rb");
	size_t n = fp ? fread(b, 1, sizeof(b) - 1, fp) : 0;
	if (fp)
		fclose(fp);
	b[n] = '\0';
	return b;
}

TEST(suppress_empty_and_missing)
{
	suppress *s = suppress_create();
	CHECK_INT(suppress_load(s, "/nonexistent/dir/supp.txt"), MV_OK);
	CHECK_INT(suppress_count(s), 0);
	CHECK(!suppress_match(s, "", 0));
	CHECK(!suppress_match(s, "a@b.test", 8));
	suppress_destroy(s);
}

TEST(suppress_match_forms)
{
	suppress *s = suppress_create();
	suppress_add(s, " Bad.User@Northwind.TEST  # hard bounce 2026-01-02", 51);
	suppress_add(s, "@spamtrap.test", 14);
	suppress_add(s, "blocked.test", 12);
	suppress_add(s, "# only a comment", 16);
	suppress_add(s, "", 0);
	CHECK_INT(suppress_count(s), 3);
	CHECK(suppress_match(s, "bad.user@northwind.test", 23));
	CHECK(suppress_match(s, "BAD.USER@NORTHWIND.TEST", 23));
	CHECK(!suppress_match(s, "good.user@northwind.test", 24));
	CHECK(suppress_match(s, "anyone@spamtrap.test", 20));
	CHECK(suppress_match(s, "x@blocked.test", 14));
	CHECK(suppress_match(s, "x@mail.blocked.test", 19));   /* subdomain */
	CHECK(!suppress_match(s, "x@notblocked.test", 17));
	suppress_destroy(s);
}

TEST(suppress_append_file)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/mailvet/suppression.txt", test_tmpdir());
	const char *first[] = { "a@x.test", "@dom.test", "A@X.test" };
	size_t added = 0;
	CHECK_INT(suppress_append(path, first, 3, &added), MV_OK);
	CHECK_INT(added, 2);
	CHECK_STR(slurp(path), "a@x.test\n@dom.test\n");
	const char *second[] = { "b@x.test", "a@x.test", "c@dom.test", "bad\nline@x.test" };
	CHECK_INT(suppress_append(path, second, 4, &added), MV_OK);
	CHECK_INT(added, 1);   /* c@dom.test is covered by @dom.test */
	CHECK_STR(slurp(path), "a@x.test\n@dom.test\nb@x.test\n");
	suppress *s = suppress_create();
	CHECK_INT(suppress_load(s, path), MV_OK);
	CHECK(suppress_match(s, "b@x.test", 8));
	CHECK(suppress_match(s, "zz@dom.test", 11));
	suppress_destroy(s);
}

TEST(suppress_default_path)
{
	char out[256];
	setenv("XDG_DATA_HOME", "/data/home", 1);
	CHECK_STR(suppress_default_path(out, sizeof(out)), "/data/home/mailvet/suppression.txt");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	CHECK_STR(suppress_default_path(out, sizeof(out)), "/home/u/.local/share/mailvet/suppression.txt");
}
