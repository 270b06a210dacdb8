#include "mailvet/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailvet/smtp.h"
#include "mailvet/text.h"

void config_defaults(mv_config *c)
{
	memset(c, 0, sizeof(*c));
	c->smtp_port = 25;
	c->concurrency = 32;
	c->per_mx = 2;
	c->connect_timeout = 10000;
	c->banner_timeout = 60000;
	c->command_timeout = 30000;
	c->rcpt_timeout = 60000;
	c->dns_timeout = 3000;
	c->budget = 100000;
	c->retry_greylisted = 300;
	c->max_retries = 3;
	c->max_rejects = 8;
	c->rcpts_per_session = 50;
	c->breaker_min = 5;
	c->breaker_pct = 50;
	c->tls = TLS_OPPORTUNISTIC;
	c->ttl_positive = 31 * 86400;
	c->ttl_negative = 3 * 86400;
	c->ttl_unknown = 3600;
}

enum kind { K_STR, K_UINT, K_BOOL, K_TLS, K_MS };

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t size;     /* K_STR: buffer size */
	unsigned min, max;
	const char *help;
} keys[] = {
#define S(f) offsetof(mv_config, f), sizeof(((mv_config *)0)->f)
#define U(f) offsetof(mv_config, f), 0
	{ "from", K_STR, S(from), 0, 0, "envelope sender for MAIL FROM (default: the null sender <>)" },
	{ "helo", K_STR, S(helo), 0, 0, "EHLO name (default: this host's name)" },
	{ "dns", K_STR, S(dns), 0, 0, "DNS servers HOST:PORT[,HOST:PORT] (default: the system's)" },
	{ "cache", K_STR, S(cache), 0, 0, "result cache database (default: $XDG_CACHE_HOME/mailvet/cache.db)" },
	{ "smtp-port", K_UINT, U(smtp_port), 1, 65535, "SMTP port of MX hosts (default 25)" },
	{ "concurrency", K_UINT, U(concurrency), 1, 4096, "SMTP connections at once (default 32)" },
	{ "per-mx", K_UINT, U(per_mx), 1, 64, "connections per MX host (default 2)" },
	{ "per-domain-rate", K_UINT, U(per_domain_rate), 0, 100000,
	  "RCPT probes per minute per domain, 0 = no limit (default 0)" },
	{ "connect-timeout", K_MS, U(connect_timeout), 100, 600000, "TCP connect timeout, ms (default 10000)" },
	{ "banner-timeout", K_MS, U(banner_timeout), 100, 600000, "wait for the greeting, ms (default 60000)" },
	{ "command-timeout", K_MS, U(command_timeout), 100, 600000, "EHLO/MAIL/RSET replies, ms (default 30000)" },
	{ "rcpt-timeout", K_MS, U(rcpt_timeout), 100, 600000, "RCPT replies, ms (default 60000)" },
	{ "dns-timeout", K_MS, U(dns_timeout), 100, 60000, "DNS timeout per try, ms (default 3000)" },
	{ "budget", K_UINT, U(budget), 0, 100000000, "RCPT probes per day (default 100000)" },
	{ "retry-greylisted", K_UINT, U(retry_greylisted), 0, 86400,
	  "seconds before retrying a greylisted address (default 300)" },
	{ "max-retries", K_UINT, U(max_retries), 0, 20, "tries for temporary failures (default 3)" },
	{ "max-rejects", K_UINT, U(max_rejects), 1, 100,
	  "rejected RCPTs per connection before reconnecting (default 8)" },
	{ "rcpts-per-session", K_UINT, U(rcpts_per_session), 1, 10000,
	  "RCPTs per connection before reconnecting (default 50)" },
	{ "breaker-min", K_UINT, U(breaker_min), 1, 100000,
	  "sender-side rejects at a provider before probing stops (default 5)" },
	{ "breaker-pct", K_UINT, U(breaker_pct), 1, 100, "... when they are this % of its answers (default 50)" },
	{ "tls", K_TLS, U(tls), 0, 0, "STARTTLS: opportunistic, require or never (default opportunistic)" },
	{ "allow-private-mx", K_BOOL, U(allow_private_mx), 0, 0,
	  "connect to MX hosts on private/loopback addresses (tests)" },
	{ "no-cache", K_BOOL, U(no_cache), 0, 0, "neither read nor write the result cache" },
	{ "ttl-positive", K_UINT, U(ttl_positive), 0, 400 * 86400,
	  "seconds a deliverable/risky result stays fresh (default 31 days)" },
	{ "ttl-negative", K_UINT, U(ttl_negative), 0, 400 * 86400,
	  "seconds an invalid result stays fresh (default 3 days)" },
	{ "ttl-unknown", K_UINT, U(ttl_unknown), 0, 400 * 86400,
	  "seconds an unknown result stays fresh (default 1 hour)" },
#undef S
#undef U
};

static bool parse_uint(const char *v, unsigned long *out)
{
	char *end;
	if (!*v || *v == '-')
		return false;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end)
		return false;
	*out = n;
	return true;
}

mv_status config_set(mv_config *c, const char *key, const char *value,
		     char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->name, key) != 0)
			continue;
		char *base = (char *)c + k->off;
		unsigned long n;
		switch (k->kind) {
		case K_STR:
			if (strlen(value) >= k->size) {
				snprintf(err, errlen, "%s: value too long", key);
				return MV_USAGE;
			}
			for (const char *p = value; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f) {
					snprintf(err, errlen, "%s: control characters are not allowed", key);
					return MV_USAGE;
				}
			memcpy(base, value, strlen(value) + 1);
			if (!strcmp(key, "helo") && config_helo_is_foreign(value)) {
				snprintf(err, errlen,
					 "helo: '%s' is a big provider's name; use your own host name", value);
				base[0] = '\0';
				return MV_USAGE;
			}
			if (!strcmp(key, "from") && *value &&
			    (!strchr(value, '@') || strchr(value, '<') || strchr(value, '>') ||
			     strchr(value, ' '))) {
				snprintf(err, errlen, "from: '%s' is not an address like you@example.org", value);
				base[0] = '\0';
				return MV_USAGE;
			}
			return MV_OK;
		case K_UINT:
		case K_MS:
			if (!parse_uint(value, &n) || n < k->min || n > k->max) {
				snprintf(err, errlen, "%s: '%s' is not a number from %u to %u",
					 key, value, k->min, k->max);
				return MV_USAGE;
			}
			*(unsigned *)(void *)base = (unsigned)n;
			return MV_OK;
		case K_BOOL:
			if (!strcmp(value, "") || !strcmp(value, "yes") || !strcmp(value, "true") ||
			    !strcmp(value, "1"))
				*(bool *)(void *)base = true;
			else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
				*(bool *)(void *)base = false;
			else {
				snprintf(err, errlen, "%s: '%s' is not yes or no", key, value);
				return MV_USAGE;
			}
			return MV_OK;
		case K_TLS:
			if (!strcmp(value, "opportunistic"))
				c->tls = TLS_OPPORTUNISTIC;
			else if (!strcmp(value, "require"))
				c->tls = TLS_REQUIRE;
			else if (!strcmp(value, "never"))
				c->tls = TLS_NEVER;
			else {
				snprintf(err, errlen, "tls: '%s' is not opportunistic, require or never",
					 value);
				return MV_USAGE;
			}
			return MV_OK;
		}
	}
	snprintf(err, errlen, "unknown setting '%s'", key);
	return MV_USAGE;
}

mv_status config_load_file(mv_config *c, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return MV_OK;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MV_IO;
	}
	char line[1024];
	unsigned lineno = 0;
	mv_status st = MV_OK;
	while (!st && fgets(line, sizeof(line), fp)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			st = MV_PARSE;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		char *end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*p)
			continue;
		char *eq = strchr(p, '=');
		char *key = p, *val = (char *)"";
		if (eq) {
			*eq = '\0';
			val = eq + 1;
			char *ke = eq;
			while (ke > key && (ke[-1] == ' ' || ke[-1] == '\t'))
				*--ke = '\0';
			while (*val == ' ' || *val == '\t')
				val++;
		}
		char msg[256];
		if (config_set(c, key, val, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			st = MV_PARSE;
		}
	}
	fclose(fp);
	return st;
}

static const char *xdg(char *out, size_t cap, const char *var, const char *fallback,
		       const char *leaf)
{
	const char *x = getenv(var);
	int n;
	if (x && *x == '/') {
		n = snprintf(out, cap, "%s/mailvet/%s", x, leaf);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return NULL;
		n = snprintf(out, cap, "%s/%s/mailvet/%s", home, fallback, leaf);
	}
	return n > 0 && (size_t)n < cap ? out : NULL;
}

const char *config_default_path(char *out, size_t cap)
{
	return xdg(out, cap, "XDG_CONFIG_HOME", ".config", "config");
}

const char *config_default_cache(char *out, size_t cap)
{
	return xdg(out, cap, "XDG_CACHE_HOME", ".cache", "cache.db");
}

bool config_helo_is_foreign(const char *name)
{
	static const char *const big[] = {
		"gmail.com", "google.com", "googlemail.com", "outlook.com", "hotmail.com",
		"live.com", "microsoft.com", "office365.com", "yahoo.com", "aol.com",
		"icloud.com", "apple.com", "me.com", "gmx.com", "gmx.net", "web.de",
		"mail.ru", "yandex.ru", "yandex.com", "zoho.com", "qq.com", "163.com",
		"orange.fr", "free.fr", "comcast.net", "protonmail.com", "proton.me",
		"amazon.com", "amazonses.com", "facebook.com", "localhost",
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		size_t b = strlen(big[i]);
		if (text_ieq(name, n, big[i], b))
			return true;
		/* mx.google.com and other names under theirs */
		if (n > b && name[n - b - 1] == '.' && text_ieq(name + n - b, b, big[i], b))
			return true;
	}
	return false;
}

const char *config_helo(const mv_config *c, char *out, size_t cap)
{
	if (c->helo[0]) {
		snprintf(out, cap, "%s", c->helo);
		return out;
	}
	char host[256];
	if (gethostname(host, sizeof(host)) != 0 || !host[0])
		snprintf(host, sizeof(host), "localhost.localdomain");
	host[sizeof(host) - 1] = '\0';
	snprintf(out, cap, "%s", host);
	return out;
}

void config_print_keys(void *fp)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		fprintf(fp, "  %-20s %s\n", keys[i].name, keys[i].help);
}

size_t config_options(struct option *out, size_t cap, int base)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && n < cap; i++, n++) {
		out[n].name = keys[i].name;
		out[n].has_arg = keys[i].kind == K_BOOL ? no_argument : required_argument;
		out[n].flag = NULL;
		out[n].val = base + (int)i;
	}
	return n;
}

const char *config_option_key(size_t index)
{
	return index < sizeof(keys) / sizeof(keys[0]) ? keys[index].name : NULL;
}

mv_status config_build(mv_config *c, const char *file, const char *const *k,
		       const char *const *v, size_t n, char *err, size_t errlen)
{
	char path[512], msg[400];
	if (!file)
		file = config_default_path(path, sizeof(path));
	if (file) {
		mv_status st = config_load_file(c, file, err, errlen);
		if (st)
			return st;
	}
	for (size_t i = 0; i < n; i++) {
		if (config_set(c, k[i], v[i] ? v[i] : "", msg, sizeof(msg))) {
			snprintf(err, errlen, "--%s", msg);
			return MV_USAGE;
		}
	}
	return MV_OK;
}
