/*
 * config — every tunable of a run, from three layers: defaults, then the
 * config file ($XDG_CONFIG_HOME/mailvet/config, `key = value` lines, `#`
 * comments), then command-line flags. Keys are the long option names
 * (`from`, `helo`, `dns`, `concurrency`, ...), so a flag and a file line
 * say the same thing the same way, through the same config_set.
 */
#ifndef MAILVET_CONFIG_H
#define MAILVET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/status.h"

typedef struct mv_config {
	char from[256];            /* MAIL FROM; "" = the null sender <> */
	char helo[256];            /* EHLO name; "" = the host's name */
	char dns[512];             /* "host:port,..."; "" = system resolver */
	unsigned smtp_port;        /* 25 */
	unsigned concurrency;      /* SMTP connections in all */
	unsigned per_mx;           /* connections per MX host */
	unsigned per_domain_rate;  /* RCPTs per minute per domain; 0 = no limit */
	unsigned connect_timeout;  /* ms */
	unsigned banner_timeout;   /* ms */
	unsigned command_timeout;  /* ms */
	unsigned rcpt_timeout;     /* ms */
	unsigned dns_timeout;      /* ms per try */
	unsigned budget;           /* RCPT probes per day */
	char cache[512];           /* cache database path; "" = default */
	bool no_cache;
	unsigned retry_greylisted; /* s before the first greylist retry */
	unsigned max_retries;      /* tries for a temporary failure */
	unsigned max_rejects;      /* rejected RCPTs per connection, then reconnect */
	unsigned rcpts_per_session;/* RCPTs per connection, then reconnect */
	unsigned breaker_min;      /* sender-side rejects before the breaker may trip */
	unsigned breaker_pct;      /* ... and their share of answers at a provider */
	int tls;                   /* smtp_tls_mode */
	bool allow_private_mx;
	unsigned ttl_positive;     /* s: deliverable/risky results */
	unsigned ttl_negative;     /* s: invalid results */
	unsigned ttl_unknown;      /* s: unknown results */
} mv_config;

void config_defaults(mv_config *c);
/* Set one key from text; on error, a message in err. */
mv_status config_set(mv_config *c, const char *key, const char *value,
		     char *err, size_t errlen);
/* Apply a config file; a missing file is fine. err names file:line. */
mv_status config_load_file(mv_config *c, const char *path, char *err, size_t errlen);
/* $XDG_CONFIG_HOME/mailvet/config or ~/.config/mailvet/config. */
const char *config_default_path(char *out, size_t cap);
const char *config_default_cache(char *out, size_t cap);
/* The EHLO name to use: c->helo, or this host's name. */
const char *config_helo(const mv_config *c, char *out, size_t cap);
/* Names no HELO may claim (big providers); true if the name is one. */
bool config_helo_is_foreign(const char *name);
/* A one-line description of every key, for --help and the man page. */
void config_print_keys(void *fp);

/*
 * Every key as a long option for getopt_long (`--smtp-port 2525`): fills
 * out[0..n) with val = base + key index, has_arg per the key's kind, and
 * returns n. config_option_key(val - base) names the key back.
 */
struct option;
size_t config_options(struct option *out, size_t cap, int base);
const char *config_option_key(size_t index);
/* Apply the config file (--config or the default) then the flags collected
 * as (key, value) pairs; err says what is wrong. */
mv_status config_build(mv_config *c, const char *file, const char *const *keys,
		       const char *const *values, size_t n, char *err, size_t errlen);

#endif
