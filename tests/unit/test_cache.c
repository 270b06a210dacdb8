/* cache: results, domains, budget, retries, decisions; and persistence. */
#include "test.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailvet/cache.h"

static void db_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/cachedir/%s", test_tmpdir(), name);
}

TEST(cache_open_errors)
{
	cache *c = NULL;
	char err[256];
	CHECK(cache_open(&c, "/proc/nope/x.db", err, sizeof(err)) != MV_OK);
	CHECK(c == NULL);
	CHECK(err[0] != '\0');
	cache_close(NULL);
}

TEST(cache_results_expire)
{
	cache *c;
	char path[512], err[256];
	db_path(path, sizeof(path), "r.db");
	CHECK_INT(cache_open(&c, path, err, sizeof(err)), MV_OK);
	if (!c)
		return;
	cache_result r = { .verdict = 3, .owner = 1, .reason = 7, .smtp_code = 550,
			   .enhanced = 123, .flags = 5, .tls = 1 };
	snprintf(r.reply, sizeof(r.reply), "5.1.1 <x@y.test>: user unknown");
	snprintf(r.mx, sizeof(r.mx), "mx.y.test");
	cache_result got;
	CHECK(!cache_get_result(c, "x@y.test", 1000, &got));
	CHECK_INT(cache_put_result(c, "x@y.test", &r, 1000, 60), MV_OK);
	CHECK(cache_get_result(c, "x@y.test", 1059, &got));
	CHECK_INT(got.verdict, 3);
	CHECK_INT(got.smtp_code, 550);
	CHECK_INT(got.enhanced, 123);
	CHECK_INT(got.flags, 5);
	CHECK_INT(got.tls, 1);
	CHECK_INT(got.checked_at, 1000);
	CHECK_STR(got.reply, "5.1.1 <x@y.test>: user unknown");
	CHECK_STR(got.mx, "mx.y.test");
	CHECK(!cache_get_result(c, "x@y.test", 1060, &got));   /* expired */
	cache_close(c);
}

TEST(cache_domains_budget_retries_decisions)
{
	cache *c;
	char path[512], err[256];
	db_path(path, sizeof(path), "d.db");
	CHECK_INT(cache_open(&c, path, err, sizeof(err)), MV_OK);
	if (!c)
		return;
	cache_domain d = { .catch_all = 1, .route = 0 };
	snprintf(d.mx, sizeof(d.mx), "mx1.globex.test");
	CHECK_INT(cache_put_domain(c, "globex.test", &d, 500, 100), MV_OK);
	cache_domain g;
	CHECK(cache_get_domain(c, "globex.test", 550, &g));
	CHECK_INT(g.catch_all, 1);
	CHECK_STR(g.mx, "mx1.globex.test");
	CHECK(!cache_get_domain(c, "globex.test", 600, &g));

	int64_t day1 = 1800000000;              /* some afternoon */
	CHECK_INT(cache_probes_on(c, day1), 0);
	cache_add_probes(c, day1, 3);
	cache_add_probes(c, day1 + 10, 4);
	CHECK_INT(cache_probes_on(c, day1 + 20), 7);
	CHECK_INT(cache_probes_on(c, day1 + 3 * 86400), 0);

	int64_t at;
	unsigned tries;
	CHECK(!cache_get_retry(c, "a@umbrella.test", &at, &tries));
	cache_put_retry(c, "a@umbrella.test", 777, 2);
	CHECK(cache_get_retry(c, "a@umbrella.test", &at, &tries));
	CHECK_INT(at, 777);
	CHECK_INT(tries, 2);
	cache_del_retry(c, "a@umbrella.test");
	CHECK(!cache_get_retry(c, "a@umbrella.test", &at, &tries));

	cache_put_decision(c, "file-1", 4, 1);
	cache_put_decision(c, "file-1", 9, 2);
	cache_put_decision(c, "file-1", 9, 0);   /* unmarked */
	cache_put_decision(c, "file-2", 1, 2);
	cache_close(c);
}

static int seen_rows[4], seen_n;
static void collect(void *arg, uint32_t row, int decision)
{
	(void)arg;
	if (seen_n < 4)
		seen_rows[seen_n++] = (int)row * 10 + decision;
}

TEST(cache_survives_sigkill)
{
	char path[512], err[256];
	db_path(path, sizeof(path), "k.db");
	pid_t pid = fork();
	if (pid == 0) {
		cache *c;
		if (cache_open(&c, path, err, sizeof(err)))
			_exit(2);
		cache_result r = { .verdict = 1 };
		for (int i = 0; i < 50; i++) {
			char a[32];
			snprintf(a, sizeof(a), "u%d@x.test", i);
			cache_put_result(c, a, &r, 100, 1000);
		}
		cache_put_decision(c, "file-1", 4, 1);
		kill(getpid(), SIGKILL);    /* no close, no checkpoint */
		_exit(3);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	cache *c;
	CHECK_INT(cache_open(&c, path, err, sizeof(err)), MV_OK);
	if (!c)
		return;
	cache_result got;
	CHECK(cache_get_result(c, "u0@x.test", 200, &got));
	CHECK(cache_get_result(c, "u49@x.test", 200, &got));
	CHECK_INT(got.verdict, 1);
	seen_n = 0;
	CHECK_INT(cache_each_decision(c, "file-1", collect, NULL), 1);
	CHECK_INT(seen_rows[0], 41);
	cache_close(c);
}
