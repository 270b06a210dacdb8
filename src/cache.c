#include "mailvet/cache.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mailvet/fsutil.h"

enum {
	Q_GET_RESULT, Q_PUT_RESULT, Q_GET_DOMAIN, Q_PUT_DOMAIN, Q_GET_PROBES,
	Q_ADD_PROBES, Q_PUT_RETRY, Q_GET_RETRY, Q_DEL_RETRY, Q_PUT_DECISION,
	Q_EACH_DECISION, Q_GET_ROUTE, Q_PUT_ROUTE, Q_COUNT
};

static const char *const sql[Q_COUNT] = {
	[Q_GET_RESULT] = "SELECT verdict, owner, reason, tls, flags, smtp_code, enhanced, reply, mx, checked_at "
			 "FROM results WHERE address = ?1 AND expires_at > ?2",
	[Q_PUT_RESULT] = "INSERT OR REPLACE INTO results (address, verdict, owner, reason, tls, flags, "
			 "smtp_code, enhanced, reply, mx, checked_at, expires_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[Q_GET_DOMAIN] = "SELECT catch_all, route, mx, checked_at FROM domains "
			 "WHERE domain = ?1 AND expires_at > ?2",
	[Q_PUT_DOMAIN] = "INSERT OR REPLACE INTO domains (domain, catch_all, route, mx, checked_at, expires_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_GET_PROBES] = "SELECT count FROM probes WHERE day = ?1",
	[Q_ADD_PROBES] = "INSERT INTO probes (day, count) VALUES (?1, ?2) "
			 "ON CONFLICT(day) DO UPDATE SET count = count + ?2",
	[Q_PUT_RETRY] = "INSERT OR REPLACE INTO retries (address, retry_at, tries) VALUES (?1, ?2, ?3)",
	[Q_GET_RETRY] = "SELECT retry_at, tries FROM retries WHERE address = ?1",
	[Q_DEL_RETRY] = "DELETE FROM retries WHERE address = ?1",
	[Q_PUT_DECISION] = "INSERT OR REPLACE INTO decisions (file_key, row, decision) VALUES (?1, ?2, ?3)",
	[Q_EACH_DECISION] = "SELECT row, decision FROM decisions WHERE file_key = ?1 AND decision != 0",
	[Q_GET_ROUTE] = "SELECT route FROM routes WHERE domain = ?1 AND expires_at > ?2",
	[Q_PUT_ROUTE] = "INSERT OR REPLACE INTO routes (domain, route, expires_at) VALUES (?1, ?2, ?3)",
};

static const char schema[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"CREATE TABLE IF NOT EXISTS results (address TEXT PRIMARY KEY, verdict INT, owner INT, "
	"  reason INT, tls INT, flags INT, smtp_code INT, enhanced INT, reply TEXT, mx TEXT, "
	"  checked_at INT, expires_at INT);"
	"CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, catch_all INT, route INT, "
	"  mx TEXT, checked_at INT, expires_at INT);"
	"CREATE TABLE IF NOT EXISTS probes (day TEXT PRIMARY KEY, count INT);"
	"CREATE TABLE IF NOT EXISTS retries (address TEXT PRIMARY KEY, retry_at INT, tries INT);"
	"CREATE TABLE IF NOT EXISTS decisions (file_key TEXT, row INT, decision INT, "
	"  PRIMARY KEY (file_key, row));"
	"CREATE TABLE IF NOT EXISTS routes (domain TEXT PRIMARY KEY, route TEXT, expires_at INT);";

struct cache {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
};

mv_status cache_open(cache **out, const char *path, char *err, size_t errlen)
{
	cache *c = calloc(1, sizeof(*c));
	mv_status st = MV_DB;
	char *msg = NULL;

	*out = NULL;
	if (!c)
		return MV_NOMEM;
	if (fs_mkparents(path)) {
		snprintf(err, errlen, "%s: cannot create its directory: %s", path, strerror(errno));
		st = MV_IO;
		goto fail;
	}
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, c->db ? sqlite3_errmsg(c->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 5000);
	if (sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "schema failed");
		sqlite3_free(msg);
		goto fail;
	}
	for (int i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(c->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->q[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(c->db));
			goto fail;
		}
	}
	*out = c;
	return MV_OK;
fail:
	cache_close(c);
	return st;
}

void cache_close(cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(c->q[i]);
	sqlite3_close(c->db);
	free(c);
}

static sqlite3_stmt *stmt(cache *c, int q)
{
	sqlite3_reset(c->q[q]);
	sqlite3_clear_bindings(c->q[q]);
	return c->q[q];
}

static void copy_text(char *dst, size_t cap, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static mv_status done(cache *c, sqlite3_stmt *s)
{
	int r = sqlite3_step(s);
	sqlite3_reset(s);
	(void)c;
	return r == SQLITE_DONE || r == SQLITE_ROW ? MV_OK : MV_DB;
}

bool cache_get_result(cache *c, const char *addr, int64_t now, cache_result *out)
{
	sqlite3_stmt *s = stmt(c, Q_GET_RESULT);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	bool found = false;
	if (sqlite3_step(s) == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->verdict = (uint8_t)sqlite3_column_int(s, 0);
		out->owner = (uint8_t)sqlite3_column_int(s, 1);
		out->reason = (uint8_t)sqlite3_column_int(s, 2);
		out->tls = (uint8_t)sqlite3_column_int(s, 3);
		out->flags = (uint32_t)sqlite3_column_int64(s, 4);
		out->smtp_code = (uint16_t)sqlite3_column_int(s, 5);
		out->enhanced = (uint32_t)sqlite3_column_int64(s, 6);
		copy_text(out->reply, sizeof(out->reply), s, 7);
		copy_text(out->mx, sizeof(out->mx), s, 8);
		out->checked_at = sqlite3_column_int64(s, 9);
		found = true;
	}
	sqlite3_reset(s);
	return found;
}

mv_status cache_put_result(cache *c, const char *addr, const cache_result *r,
			   int64_t now, uint32_t ttl)
{
	sqlite3_stmt *s = stmt(c, Q_PUT_RESULT);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, r->verdict);
	sqlite3_bind_int(s, 3, r->owner);
	sqlite3_bind_int(s, 4, r->reason);
	sqlite3_bind_int(s, 5, r->tls);
	sqlite3_bind_int64(s, 6, r->flags);
	sqlite3_bind_int(s, 7, r->smtp_code);
	sqlite3_bind_int64(s, 8, r->enhanced);
	sqlite3_bind_text(s, 9, r->reply, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, r->mx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, now);
	sqlite3_bind_int64(s, 12, now + (int64_t)ttl);
	return done(c, s);
}

bool cache_get_domain(cache *c, const char *domain, int64_t now, cache_domain *out)
{
	sqlite3_stmt *s = stmt(c, Q_GET_DOMAIN);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	bool found = false;
	if (sqlite3_step(s) == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->catch_all = (int8_t)sqlite3_column_int(s, 0);
		out->route = (uint8_t)sqlite3_column_int(s, 1);
		copy_text(out->mx, sizeof(out->mx), s, 2);
		out->checked_at = sqlite3_column_int64(s, 3);
		found = true;
	}
	sqlite3_reset(s);
	return found;
}

mv_status cache_put_domain(cache *c, const char *domain, const cache_domain *d,
			   int64_t now, uint32_t ttl)
{
	sqlite3_stmt *s = stmt(c, Q_PUT_DOMAIN);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, d->catch_all);
	sqlite3_bind_int(s, 3, d->route);
	sqlite3_bind_text(s, 4, d->mx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, now + (int64_t)ttl);
	return done(c, s);
}

static void day_of(int64_t now, char out[16])
{
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

unsigned cache_probes_on(cache *c, int64_t now)
{
	char day[16];
	day_of(now, day);
	sqlite3_stmt *s = stmt(c, Q_GET_PROBES);
	sqlite3_bind_text(s, 1, day, -1, SQLITE_TRANSIENT);
	unsigned n = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (unsigned)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

mv_status cache_add_probes(cache *c, int64_t now, unsigned n)
{
	char day[16];
	day_of(now, day);
	sqlite3_stmt *s = stmt(c, Q_ADD_PROBES);
	sqlite3_bind_text(s, 1, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, n);
	return done(c, s);
}

mv_status cache_put_retry(cache *c, const char *addr, int64_t retry_at, unsigned tries)
{
	sqlite3_stmt *s = stmt(c, Q_PUT_RETRY);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, retry_at);
	sqlite3_bind_int(s, 3, (int)tries);
	return done(c, s);
}

bool cache_get_retry(cache *c, const char *addr, int64_t *retry_at, unsigned *tries)
{
	sqlite3_stmt *s = stmt(c, Q_GET_RETRY);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	bool found = false;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*retry_at = sqlite3_column_int64(s, 0);
		*tries = (unsigned)sqlite3_column_int(s, 1);
		found = true;
	}
	sqlite3_reset(s);
	return found;
}

mv_status cache_del_retry(cache *c, const char *addr)
{
	sqlite3_stmt *s = stmt(c, Q_DEL_RETRY);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	return done(c, s);
}

mv_status cache_put_decision(cache *c, const char *file_key, uint32_t row, int decision)
{
	sqlite3_stmt *s = stmt(c, Q_PUT_DECISION);
	sqlite3_bind_text(s, 1, file_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, row);
	sqlite3_bind_int(s, 3, decision);
	return done(c, s);
}

size_t cache_each_decision(cache *c, const char *file_key,
			   void (*fn)(void *arg, uint32_t row, int decision), void *arg)
{
	sqlite3_stmt *s = stmt(c, Q_EACH_DECISION);
	sqlite3_bind_text(s, 1, file_key, -1, SQLITE_STATIC);
	size_t n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		fn(arg, (uint32_t)sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1));
		n++;
	}
	sqlite3_reset(s);
	return n;
}

bool cache_get_route(cache *c, const char *domain, int64_t now, char *text, size_t cap)
{
	sqlite3_stmt *s = stmt(c, Q_GET_ROUTE);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	bool found = false;
	if (sqlite3_step(s) == SQLITE_ROW) {
		copy_text(text, cap, s, 0);
		found = true;
	}
	sqlite3_reset(s);
	return found;
}

mv_status cache_put_route(cache *c, const char *domain, const char *text, int64_t now, uint32_t ttl)
{
	sqlite3_stmt *s = stmt(c, Q_PUT_ROUTE);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now + (int64_t)ttl);
	return done(c, s);
}
