/* config: defaults, file, flags — one key space. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/config.h"
#include "mailvet/smtp.h"

TEST(config_defaults_and_set)
{
	mv_config c;
	char err[256];
	config_defaults(&c);
	CHECK_INT(c.smtp_port, 25);
	CHECK_INT(c.per_mx, 2);
	CHECK_INT(c.concurrency, 32);
	CHECK_INT(c.max_rejects, 8);
	CHECK_INT(c.ttl_positive, 31 * 86400);
	CHECK_STR(c.from, "");
	CHECK_INT(config_set(&c, "smtp-port", "2525", err, sizeof(err)), MV_OK);
	CHECK_INT(c.smtp_port, 2525);
	CHECK_INT(config_set(&c, "smtp-port", "0", err, sizeof(err)), MV_USAGE);
	CHECK_INT(config_set(&c, "smtp-port", "99999", err, sizeof(err)), MV_USAGE);
	CHECK_INT(config_set(&c, "concurrency", "-3", err, sizeof(err)), MV_USAGE);
	CHECK_INT(config_set(&c, "concurrency", "12abc", err, sizeof(err)), MV_USAGE);
	CHECK(strstr(err, "concurrency") != NULL);
	CHECK_INT(config_set(&c, "nope", "1", err, sizeof(err)), MV_USAGE);
	CHECK_STR(err, "unknown setting 'nope'");
	CHECK_INT(config_set(&c, "tls", "require", err, sizeof(err)), MV_OK);
	CHECK_INT(c.tls, TLS_REQUIRE);
	CHECK_INT(config_set(&c, "tls", "maybe", err, sizeof(err)), MV_USAGE);
	CHECK_INT(config_set(&c, "allow-private-mx", "", err, sizeof(err)), MV_OK);
	CHECK(c.allow_private_mx);
	CHECK_INT(config_set(&c, "from", "bounce@sender.example", err, sizeof(err)), MV_OK);
	CHECK_STR(c.from, "bounce@sender.example");
	CHECK_INT(config_set(&c, "from", "x\r\nDATA", err, sizeof(err)), MV_USAGE);
	CHECK_INT(config_set(&c, "from", "<a@b>", err, sizeof(err)), MV_USAGE);
	CHECK_INT(config_set(&c, "from", "nobody", err, sizeof(err)), MV_USAGE);
}

TEST(config_helo_policy)
{
	mv_config c;
	char err[256], out[256];
	config_defaults(&c);
	CHECK(config_helo_is_foreign("gmail.com"));
	CHECK(config_helo_is_foreign("MX.Google.COM"));
	CHECK(!config_helo_is_foreign("mail.mycompany.example"));
	CHECK(!config_helo_is_foreign("notgmail.com"));
	CHECK_INT(config_set(&c, "helo", "mail-out.google.com", err, sizeof(err)), MV_USAGE);
	CHECK_STR(c.helo, "");
	CHECK(config_helo(&c, out, sizeof(out))[0] != '\0');
	config_set(&c, "helo", "probe.mycompany.example", err, sizeof(err));
	CHECK_STR(config_helo(&c, out, sizeof(out)), "probe.mycompany.example");
}

TEST(config_file)
{
	char path[512], err[256];
	mv_config c;
	config_defaults(&c);
	snprintf(path, sizeof(path), "%s/config", test_tmpdir());
	CHECK_INT(config_load_file(&c, path, err, sizeof(err)), MV_OK);   /* missing */
	FILE *fp = fopen(path, "w");
	fputs("# mailvet settings\n\nfrom = me@sender.example   # comment\n"
	      "  per-mx=4\nallow-private-mx\r\n", fp);
	fclose(fp);
	CHECK_INT(config_load_file(&c, path, err, sizeof(err)), MV_OK);
	CHECK_STR(c.from, "me@sender.example");
	CHECK_INT(c.per_mx, 4);
	CHECK(c.allow_private_mx);
	fp = fopen(path, "w");
	fputs("per-mx = 2\nbogus = 1\n", fp);
	fclose(fp);
	CHECK_INT(config_load_file(&c, path, err, sizeof(err)), MV_PARSE);
	CHECK(strstr(err, ":2: unknown setting 'bogus'") != NULL);
}

TEST(config_paths)
{
	char out[256];
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	setenv("XDG_CACHE_HOME", "/cache", 1);
	CHECK_STR(config_default_path(out, sizeof(out)), "/cfg/mailvet/config");
	CHECK_STR(config_default_cache(out, sizeof(out)), "/cache/mailvet/cache.db");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	CHECK_STR(config_default_path(out, sizeof(out)), "/home/u/.config/mailvet/config");
	CHECK_STR(config_default_cache(out, sizeof(out)), "/home/u/.cache/mailvet/cache.db");
}
