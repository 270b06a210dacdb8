/*
 * verify: the engine end to end against in-process DNS and SMTP fakes on
 * loopback addresses (127.0.0.x), one ev loop for all. Asserts verdicts
 * and what the servers saw: connections, RCPTs, the exact commands.
 */
#include "test.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "netfake.h"
#include "mailvet/cache.h"
#include "mailvet/config.h"
#include "mailvet/ev.h"
#include "mailvet/result.h"
#include "mailvet/verify.h"

struct rig {
	ev_loop *ev;
	fdns *dns;
	fsmtp *smtp;
	uint16_t dport, sport;
	mv_config cfg;
	results *res;
	verify *v;
	bool done;
	int alerts;
	char alert[512];
	cache *cache;
};

static void on_ev(void *arg, const verify_event *e)
{
	struct rig *r = arg;
	if (e->type == VEV_DONE)
		r->done = true;
	if (e->type == VEV_ALERT) {
		r->alerts++;
		snprintf(r->alert, sizeof(r->alert), "%s", e->message);
	}
}

static void rig_up(struct rig *r, const char *const *zone, const fsmtp_conf *confs, int n)
{
	memset(r, 0, sizeof(*r));
	r->ev = ev_create();
	r->dns = fdns_start(r->ev, zone, &r->dport);
	r->smtp = fsmtp_start(r->ev, confs, n, &r->sport);
	config_defaults(&r->cfg);
	char err[256], v[64];
	snprintf(v, sizeof(v), "127.0.0.1:%u", r->dport);
	config_set(&r->cfg, "dns", v, err, sizeof(err));
	r->cfg.smtp_port = r->sport;
	r->cfg.allow_private_mx = true;
	r->cfg.no_cache = true;
	r->cfg.connect_timeout = 1000;
	r->cfg.banner_timeout = 2000;
	r->cfg.command_timeout = 2000;
	r->cfg.rcpt_timeout = 2000;
	r->cfg.dns_timeout = 300;
	r->cfg.max_retries = 2;
	snprintf(r->cfg.from, sizeof(r->cfg.from), "probe@sender.test");
	snprintf(r->cfg.helo, sizeof(r->cfg.helo), "probe.sender.test");
}

static void rig_rows(struct rig *r, const char *const *addrs)
{
	size_t n = 0;
	while (addrs[n])
		n++;
	r->res = results_create(n);
	for (size_t i = 0; i < n; i++) {
		const char *a = addrs[i];
		const char *at = strchr(a, '@');
		results_set_normalized(r->res, i, a, strlen(a));
		r->res->rows[i].domain = intern_put(r->res->pool, at + 1, strlen(at + 1), NULL);
		r->res->rows[i].local = LOCAL_CANDIDATE;
		for (const char *p = a; *p; p++)
			if ((unsigned char)*p >= 0x80)
				r->res->rows[i].flags |= F_UTF8_LOCAL;
	}
}

static void rig_run(struct rig *r, unsigned max_ms)
{
	mv_status st;
	r->done = false;
	r->v = verify_create(r->ev, &r->cfg, r->res, r->cache, on_ev, r, &st);
	CHECK_INT(st, MV_OK);
	if (!r->v)
		return;
	for (size_t i = 0; i < r->res->n; i++)
		CHECK_INT(verify_add(r->v, i), MV_OK);
	verify_kick(r->v);
	uint64_t t0 = ev_clock_ms();
	while (!r->done && ev_clock_ms() - t0 < max_ms)
		ev_run_once(r->ev, 50);
	CHECK(r->done);
	/* let the QUITs finish */
	uint64_t t1 = ev_clock_ms();
	while (ev_clock_ms() - t1 < 100)
		ev_run_once(r->ev, 10);
}

static void rig_down(struct rig *r)
{
	verify_destroy(r->v);
	fsmtp_stop(r->smtp);
	fdns_stop(r->dns);
	results_destroy(r->res);
	cache_close(r->cache);
	ev_destroy(r->ev);
}

static void expect(struct rig *r, size_t row, int verdict, int reason)
{
	const row_result *x = &r->res->rows[row];
	if (x->verdict != verdict || x->reason != reason) {
		mv_str a = results_normalized(r->res, row);
		test_fail(__FILE__, __LINE__, "row %zu %.*s: %s/%s, expected %s/%s", row, (int)a.len, a.p,
			  verdict_name((mv_verdict)x->verdict), reason_name((mv_reason)x->reason),
			  verdict_name((mv_verdict)verdict), reason_name((mv_reason)reason));
	}
}

static const fsmtp_rule ok_rules[] = {
	{ "alice@ok.test", "250 2.1.5 Ok\r\n" },
	{ "bob@ok.test", "250 2.1.5 Ok\r\n" },
	{ "full@ok.test", "452 4.2.2 <full@ok.test>: Recipient address rejected: Mailbox full\r\n" },
	{ "a@implicit.test", "250 2.1.5 Ok\r\n" },
	{ "a@backup.test", "250 2.1.5 Ok\r\n" },
	{ NULL, NULL },
};
static const fsmtp_rule all_rules[] = { { "*", "250 2.1.5 Ok\r\n" }, { NULL, NULL } };

TEST(verify_scenarios_one_run)
{
	static const char *const zone[] = {
		"ok.test MX 10 mx.ok.test", "mx.ok.test A 127.0.0.2",
		"catchall.test MX 10 mx.catchall.test", "mx.catchall.test A 127.0.0.3",
		"nullmx.test MX 0 .", "nullmx.test A 127.0.0.9",
		"implicit.test A 127.0.0.2",
		"backup.test MX 10 dead.backup.test", "backup.test MX 20 mx.ok.test",
		"dead.backup.test A 127.0.0.4",
		"nomail.test TXT x",
		"broken.test SERVFAIL x",
		NULL,
	};
	fsmtp_conf confs[] = {
		{ .addr = "127.0.0.2", .rules = ok_rules },
		{ .addr = "127.0.0.3", .rules = all_rules },
		{ .addr = "127.0.0.4", .refuse = true },
		{ .addr = "127.0.0.9", .rules = all_rules },
	};
	static const char *const addrs[] = {
		"alice@ok.test",          /* 0 deliverable */
		"nobody@ok.test",         /* 1 invalid user_unknown */
		"full@ok.test",           /* 2 risky mailbox_full (after retries) */
		"x@catchall.test",        /* 3 risky catch_all */
		"y@catchall.test",        /* 4 risky catch_all */
		"a@nullmx.test",          /* 5 invalid no_mx, never connected */
		"a@implicit.test",        /* 6 deliverable via implicit MX */
		"a@nxdomain.test",        /* 7 invalid domain_not_found */
		"a@backup.test",          /* 8 deliverable through MX 20 */
		"bob@ok.test",            /* 9 deliverable */
		"a@broken.test",          /* 10 unknown temporary_failure */
		NULL,
	};
	struct rig r;
	rig_up(&r, zone, confs, 4);
	r.cfg.retry_greylisted = 0;
	r.cfg.max_retries = 1;
	rig_rows(&r, addrs);
	rig_run(&r, 15000);
	expect(&r, 0, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 1, VERDICT_INVALID, REASON_USER_UNKNOWN);
	expect(&r, 3, VERDICT_RISKY, REASON_CATCH_ALL);
	CHECK(r.res->rows[3].flags & F_CATCH_ALL);
	expect(&r, 4, VERDICT_RISKY, REASON_CATCH_ALL);
	expect(&r, 5, VERDICT_INVALID, REASON_NO_MX);
	expect(&r, 6, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 7, VERDICT_INVALID, REASON_DOMAIN_NOT_FOUND);
	expect(&r, 8, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 9, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 10, VERDICT_UNKNOWN, REASON_TEMPORARY_FAILURE);
	CHECK_INT(r.res->rows[2].verdict, VERDICT_RISKY);
	CHECK(r.res->rows[2].flags & F_FULL_INBOX);
	/* null MX: no connection, and not even an A query for the domain */
	CHECK_INT(fsmtp_connections(r.smtp, "127.0.0.9"), 0);
	CHECK_INT(fdns_queries(r.dns, "nullmx.test", 1), 0);
	/* the mx host and reply are recorded */
	mv_str mx = results_str(r.res, r.res->rows[0].mx);
	CHECK_MEM(mx.p, mx.len, "mx.ok.test");
	CHECK_INT(r.res->rows[1].smtp_code, 550);
	/* never DATA, always QUIT */
	const char *log = fsmtp_log(r.smtp, "127.0.0.2");
	CHECK(strstr(log, "DATA") == NULL);
	CHECK(strstr(log, "QUIT\r\n") != NULL);
	CHECK(strstr(log, "MAIL FROM:<probe@sender.test>\r\n") != NULL);
	CHECK(strstr(log, "EHLO probe.sender.test\r\n") != NULL);
	verify_stats st;
	verify_get_stats(r.v, &st);
	CHECK_INT(st.done, 11);
	const char *t = verify_transcript(r.v, r.res->rows[0].transcript);
	CHECK(strstr(t, "> RCPT TO:<alice@ok.test>") != NULL);
	CHECK(strstr(t, "< 250 2.1.5 Ok") != NULL);
	rig_down(&r);
}

static const char *const one_zone[] = {
	"big.test MX 10 mx.big.test", "mx.big.test A 127.0.0.2", NULL,
};

static char **make_addrs(const char *fmt, int n)
{
	char **a = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		a[i] = malloc(64);
		snprintf(a[i], 64, fmt, i);
	}
	return a;
}

static void free_addrs(char **a)
{
	for (int i = 0; a[i]; i++)
		free(a[i]);
	free(a);
}

TEST(verify_reuses_connections)
{
	static const fsmtp_rule rules[] = { { "*@big.test", "250 2.1.5 Ok\r\n" }, { NULL, NULL } };
	/* every real user is listed; the random probe is not */
	fsmtp_rule listed[42];
	char **addrs = make_addrs("user%02d@big.test", 40);
	for (int i = 0; i < 40; i++) {
		listed[i].rcpt = addrs[i];
		listed[i].reply = "250 2.1.5 Ok\r\n";
	}
	listed[40].rcpt = NULL;
	(void)rules;
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = listed } };
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	rig_rows(&r, (const char *const *)addrs);
	rig_run(&r, 10000);
	for (size_t i = 0; i < 40; i++)
		expect(&r, i, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	CHECK_INT(fsmtp_connections(r.smtp, "127.0.0.2"), 1);
	CHECK_INT(fsmtp_rcpts(r.smtp, "127.0.0.2"), 41);       /* 40 + the catch-all probe */
	verify_stats st;
	verify_get_stats(r.v, &st);
	CHECK_INT(st.sessions_total, 1);
	CHECK_INT(st.probes, 41);
	/* greeting, EHLO, MAIL, RCPT flights of 20, QUIT: far under 1.3 a row */
	CHECK(st.round_trips * 10 <= 40 * 3);
	rig_down(&r);
	free_addrs(addrs);
}

TEST(verify_reject_limit_per_connection)
{
	fsmtp_conf confs[] = { { .addr = "127.0.0.2" } };    /* everyone unknown */
	char **addrs = make_addrs("ghost%02d@big.test", 20);
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	rig_rows(&r, (const char *const *)addrs);
	rig_run(&r, 10000);
	for (size_t i = 0; i < 20; i++)
		expect(&r, i, VERDICT_INVALID, REASON_USER_UNKNOWN);
	/* 21 rejects (probe included), at most 8 a connection; the first
	 * reject at a later position is asked once more, alone, to learn
	 * whether the host answers later recipients honestly */
	CHECK_INT(fsmtp_rcpts(r.smtp, "127.0.0.2"), 22);
	CHECK_INT(fsmtp_connections(r.smtp, "127.0.0.2"), 4);
	verify_stats st;
	verify_get_stats(r.v, &st);
	CHECK_INT(st.calibrations, 1);
	rig_down(&r);
	free_addrs(addrs);
}

TEST(verify_greylisting_retried)
{
	static const fsmtp_rule rules[] = {
		{ "a@big.test", "250 2.1.5 Ok\r\n" }, { "b@big.test", "250 2.1.5 Ok\r\n" }, { NULL, NULL },
	};
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = rules, .greylist_ms = 400 } };
	static const char *const addrs[] = { "a@big.test", "b@big.test", NULL };
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	r.cfg.retry_greylisted = 1;
	rig_rows(&r, addrs);
	uint64_t t0 = ev_clock_ms();
	rig_run(&r, 10000);
	expect(&r, 0, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 1, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	CHECK(ev_clock_ms() - t0 >= 900);                 /* waited for the retry */
	CHECK(fsmtp_rcpts(r.smtp, "127.0.0.2") >= 4);     /* each asked twice */
	rig_down(&r);
}

TEST(verify_second_rcpt_rejection_calibrated)
{
	static const fsmtp_rule rules[] = {
		{ "a@big.test", "250 2.1.5 Ok\r\n" }, { "b@big.test", "250 2.1.5 Ok\r\n" },
		{ "c@big.test", "250 2.1.5 Ok\r\n" }, { NULL, NULL },
	};
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = rules, .second_rcpt_rejected = true } };
	static const char *const addrs[] = { "a@big.test", "b@big.test", "c@big.test", "zz@big.test", NULL };
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	rig_rows(&r, addrs);
	rig_run(&r, 10000);
	expect(&r, 0, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 1, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 2, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 3, VERDICT_INVALID, REASON_USER_UNKNOWN);
	verify_stats st;
	verify_get_stats(r.v, &st);
	CHECK_INT(st.calibrations, 1);
	rig_down(&r);
}

TEST(verify_breaker_stops_probing_a_provider)
{
	static const fsmtp_rule rules[] = {
		{ "*", "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using "
		       "zen.spamhaus.org\r\n" },
		{ NULL, NULL },
	};
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = rules } };
	char **addrs = make_addrs("person%02d@big.test", 30);
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	rig_rows(&r, (const char *const *)addrs);
	rig_run(&r, 10000);
	CHECK_INT(r.alerts, 1);
	CHECK(strstr(r.alert, "big.test is rejecting the sender") != NULL);
	size_t blocked = 0, invalid = 0;
	for (size_t i = 0; i < 30; i++) {
		blocked += r.res->rows[i].reason == REASON_SENDER_BLOCKED;
		invalid += r.res->rows[i].verdict == VERDICT_INVALID;
		CHECK(r.res->rows[i].verdict == VERDICT_UNKNOWN);
		CHECK(r.res->rows[i].owner == OWNER_SENDER);
	}
	CHECK_INT(invalid, 0);
	CHECK(blocked >= 20);
	CHECK(fsmtp_rcpts(r.smtp, "127.0.0.2") <= 8);    /* stopped early */
	rig_down(&r);
	free_addrs(addrs);
}

TEST(verify_mail_from_refused)
{
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = all_rules,
				 .mail_reply = "553 5.7.1 <probe@sender.test>: Sender address rejected: "
					       "Access denied\r\n" } };
	static const char *const addrs[] = { "a@big.test", "b@big.test", NULL };
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	r.cfg.max_retries = 1;
	rig_rows(&r, addrs);
	rig_run(&r, 200000);
	for (size_t i = 0; i < 2; i++) {
		CHECK_INT(r.res->rows[i].verdict, VERDICT_UNKNOWN);
		CHECK_INT(r.res->rows[i].owner, OWNER_SENDER);
	}
	CHECK_INT(fsmtp_rcpts(r.smtp, "127.0.0.2"), 0);
	rig_down(&r);
}

TEST(verify_budget_and_unsafe_mx)
{
	static const char *const zone[] = {
		"big.test MX 10 mx.big.test", "mx.big.test A 127.0.0.2",
		"evil.test MX 10 mx.evil.test", "mx.evil.test A 10.1.2.3",
		NULL,
	};
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = ok_rules } };
	static const char *const addrs[] = {
		"a@evil.test", "u1@big.test", "u2@big.test", "u3@big.test", "u4@big.test", NULL,
	};
	struct rig r;
	rig_up(&r, zone, confs, 1);
	r.cfg.allow_private_mx = false;   /* 10.1.2.3 is refused... and so is 127.0.0.2 */
	rig_rows(&r, addrs);
	rig_run(&r, 10000);
	expect(&r, 0, VERDICT_UNKNOWN, REASON_UNSAFE_MX);
	expect(&r, 1, VERDICT_UNKNOWN, REASON_UNSAFE_MX);
	CHECK_INT(fsmtp_connections(r.smtp, "127.0.0.2"), 0);
	rig_down(&r);

	rig_up(&r, zone, confs, 1);
	r.cfg.budget = 3;
	rig_rows(&r, addrs + 1);
	rig_run(&r, 10000);
	size_t exhausted = 0;
	for (size_t i = 0; i < 4; i++)
		exhausted += r.res->rows[i].reason == REASON_BUDGET_EXHAUSTED;
	CHECK_INT(exhausted, 2);                      /* probe + 2 rows = 3 */
	CHECK_INT(fsmtp_rcpts(r.smtp, "127.0.0.2"), 3);
	rig_down(&r);
}

TEST(verify_cache_spends_no_probe_twice)
{
	static const fsmtp_rule rules[] = {
		{ "a@big.test", "250 2.1.5 Ok\r\n" }, { NULL, NULL },
	};
	fsmtp_conf confs[] = { { .addr = "127.0.0.2", .rules = rules } };
	static const char *const addrs[] = { "a@big.test", "gone@big.test", NULL };
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/verify-cache.db", test_tmpdir());
	struct rig r;
	rig_up(&r, one_zone, confs, 1);
	r.cfg.no_cache = false;
	CHECK_INT(cache_open(&r.cache, path, err, sizeof(err)), MV_OK);
	rig_rows(&r, addrs);
	rig_run(&r, 10000);
	expect(&r, 0, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 1, VERDICT_INVALID, REASON_USER_UNKNOWN);
	unsigned first = fsmtp_rcpts(r.smtp, "127.0.0.2");
	CHECK_INT(first, 4);          /* probe, a, gone, gone alone (calibration) */
	rig_down(&r);

	rig_up(&r, one_zone, confs, 1);
	r.cfg.no_cache = false;
	CHECK_INT(cache_open(&r.cache, path, err, sizeof(err)), MV_OK);
	rig_rows(&r, addrs);
	rig_run(&r, 10000);
	expect(&r, 0, VERDICT_DELIVERABLE, REASON_ACCEPTED);
	expect(&r, 1, VERDICT_INVALID, REASON_USER_UNKNOWN);
	CHECK_INT(fsmtp_rcpts(r.smtp, "127.0.0.2"), 0);
	verify_stats st;
	verify_get_stats(r.v, &st);
	CHECK_INT(st.from_cache, 2);
	CHECK_INT(st.probes, 0);
	CHECK_INT(fdns_queries(r.dns, "big.test", 0), 0);     /* nothing to ask */
	rig_down(&r);

	/* a new address at the same domain: the MX route comes from the cache */
	static const char *const more[] = { "new@big.test", NULL };
	rig_up(&r, one_zone, confs, 1);
	r.cfg.no_cache = false;
	CHECK_INT(cache_open(&r.cache, path, err, sizeof(err)), MV_OK);
	rig_rows(&r, more);
	rig_run(&r, 10000);
	expect(&r, 0, VERDICT_INVALID, REASON_USER_UNKNOWN);
	CHECK_INT(fdns_queries(r.dns, "big.test", 0), 0);
	CHECK_INT(fdns_queries(r.dns, "mx.big.test", 0), 0);
	verify_get_stats(r.v, &st);
	CHECK_INT(st.routes_cached, 1);
	CHECK_INT(fsmtp_rcpts(r.smtp, "127.0.0.2"), 1);        /* catch-all known: no probe */
	CHECK_INT(cache_probes_on(r.cache, time(NULL)), 5);   /* 4 + the new row, counted today */
	rig_down(&r);
}
