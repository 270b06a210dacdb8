/*
 * mailvet doctor — check the sending setup before a run: the HELO name,
 * the MAIL FROM domain (MX, SPF), the outbound address's reverse DNS, and
 * whether outbound port 25 reaches an MX at all. Prints one line per
 * check (ok / warn / FAIL); exit 1 when any check fails.
 */
#include "mailvet/cmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mailvet/buf.h"
#include "mailvet/config.h"
#include "mailvet/dns.h"
#include "mailvet/ev.h"
#include "mailvet/netguard.h"
#include "mailvet/text.h"

struct doc {
	ev_loop *ev;
	dns *d;
	int fails, warns;
	bool waiting;
	/* answers */
	dns_route route;
	bool route_ok;
	struct sockaddr_storage addrs[DNS_MAX_ADDRS];
	size_t naddrs;
	int status;
	char names[4][512];
	size_t nnames;
};

static void say(struct doc *dc, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct doc *dc, const char *level, const char *fmt, ...)
{
	va_list ap;
	char line[600];
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!strcmp(level, "FAIL"))
		dc->fails++;
	else if (!strcmp(level, "warn"))
		dc->warns++;
	printf("%-4s  %s\n", level, line);
}

static void wait_answer(struct doc *dc)
{
	dc->waiting = true;
	while (dc->waiting && ev_run_once(dc->ev, 1000) == MV_OK)
		;
}

static void on_route(void *arg, const dns_route *r)
{
	struct doc *dc = arg;
	dc->route = *r;
	dc->route_ok = true;
	dc->waiting = false;
}

static void on_addrs(void *arg, int status, const struct sockaddr_storage *a, size_t n)
{
	struct doc *dc = arg;
	dc->status = status;
	dc->naddrs = n;
	memcpy(dc->addrs, a, n * sizeof(*a));
	dc->waiting = false;
}

static void on_names(void *arg, int status, const char *const *names, size_t n)
{
	struct doc *dc = arg;
	dc->status = status;
	dc->nnames = n < 4 ? n : 4;
	for (size_t i = 0; i < dc->nnames; i++)
		snprintf(dc->names[i], sizeof(dc->names[i]), "%s", names[i]);
	dc->waiting = false;
}

/* TCP connect with a timeout; reads the greeting's first line. */
static bool try_port(const struct sockaddr_storage *ss, unsigned port, unsigned ms,
		     char *greeting, size_t cap)
{
	struct sockaddr_storage sa = *ss;
	socklen_t len = sa.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (sa.ss_family == AF_INET)
		((struct sockaddr_in *)&sa)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&sa)->sin6_port = htons((uint16_t)port);
	int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	bool ok = connect(fd, (struct sockaddr *)&sa, len) == 0;
	if (ok && greeting && cap) {
		ssize_t n = recv(fd, greeting, cap - 1, 0);
		greeting[n > 0 ? n : 0] = '\0';
		char *nl = strpbrk(greeting, "\r\n");
		if (nl)
			*nl = '\0';
		if (n > 0 && write(fd, "QUIT\r\n", 6) < 0)
			ok = true;
	}
	close(fd);
	return ok;
}

/* The local address the kernel would use toward dst (UDP connect sends nothing). */
static bool outbound_addr(const struct sockaddr_storage *dst, struct sockaddr_storage *out)
{
	struct sockaddr_storage sa = *dst;
	socklen_t len = sa.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (sa.ss_family == AF_INET)
		((struct sockaddr_in *)&sa)->sin_port = htons(25);
	else
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(25);
	int fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = connect(fd, (struct sockaddr *)&sa, len) == 0;
	socklen_t ol = sizeof(*out);
	ok = ok && getsockname(fd, (struct sockaddr *)out, &ol) == 0;
	close(fd);
	return ok;
}

static void doctor_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: mailvet doctor [OPTIONS]\n"
		"\n"
		"Check the sending setup before verifying: the HELO name, the MAIL FROM\n"
		"domain's MX and SPF, reverse DNS of the outbound address, and whether\n"
		"outbound port 25 reaches the MAIL FROM domain's MX. Settings come from\n"
		"the config file, then these flags:\n"
		"  --from ADDR   --helo NAME   --dns HOST:PORT[,...]   --smtp-port N\n"
		"  --allow-private-mx   --config FILE   -h, --help\n"
		"Exit status: 0 all checks passed (warnings allowed), 1 a check failed,\n"
		"2 usage error.\n");
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 1 },
		{ "helo", required_argument, NULL, 2 },
		{ "dns", required_argument, NULL, 3 },
		{ "smtp-port", required_argument, NULL, 4 },
		{ "allow-private-mx", no_argument, NULL, 5 },
		{ "config", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	mv_config cfg;
	char err[600], path[512];
	const char *cfgfile = NULL;
	const char *keys[] = { NULL, "from", "helo", "dns", "smtp-port", "allow-private-mx" };
	const char *vals[8][2];
	int nvals = 0, c;

	config_defaults(&cfg);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c >= 1 && c <= 5 && nvals < 8) {
			vals[nvals][0] = keys[c];
			vals[nvals][1] = c == 5 ? "yes" : optarg;
			nvals++;
		} else if (c == 6) {
			cfgfile = optarg;
		} else if (c == 'h') {
			doctor_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mailvet doctor: %s '%s' (try mailvet doctor --help)\n",
				c == ':' ? "missing value for" : "unknown option", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mailvet doctor: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!cfgfile)
		cfgfile = config_default_path(path, sizeof(path));
	if (cfgfile && config_load_file(&cfg, cfgfile, err, sizeof(err))) {
		fprintf(stderr, "mailvet doctor: %s\n", err);
		return EXIT_USAGE;
	}
	for (int i = 0; i < nvals; i++) {
		if (config_set(&cfg, vals[i][0], vals[i][1], err, sizeof(err))) {
			fprintf(stderr, "mailvet doctor: --%s\n", err);
			return EXIT_USAGE;
		}
	}

	struct doc dc;
	memset(&dc, 0, sizeof(dc));
	mv_status st;
	dc.ev = ev_create();
	dc.d = dc.ev ? dns_create(dc.ev, cfg.dns[0] ? cfg.dns : NULL, (int)cfg.dns_timeout, 2, &st)
		     : NULL;
	if (!dc.d) {
		fprintf(stderr, "mailvet doctor: cannot start DNS (check --dns)\n");
		ev_destroy(dc.ev);
		return 1;
	}

	char helo[256];
	config_helo(&cfg, helo, sizeof(helo));
	/* HELO */
	if (config_helo_is_foreign(helo))
		say(&dc, "FAIL", "HELO %s claims a big provider's name: use your own host name (--helo)",
		    helo);
	else if (!strchr(helo, '.'))
		say(&dc, "warn", "HELO %s is not a fully qualified name; "
		    "many servers reject such greetings (--helo)", helo);
	else
		say(&dc, "ok", "HELO name %s", helo);
	dns_query_addrs(dc.d, helo, on_addrs, &dc);
	wait_answer(&dc);
	if (dc.naddrs)
		say(&dc, "ok", "HELO name %s resolves", helo);
	else
		say(&dc, "warn", "HELO name %s does not resolve in DNS", helo);

	/* MAIL FROM */
	const char *at = strchr(cfg.from, '@');
	if (!cfg.from[0] || !at) {
		say(&dc, "warn", "no MAIL FROM set: probes use the null sender <>, "
		    "which some servers refuse (--from)");
	} else {
		const char *dom = at + 1;
		dns_route_lookup(dc.d, dom, true, on_route, &dc);
		wait_answer(&dc);
		if (dc.route_ok && dc.route.status == ROUTE_OK)
			say(&dc, "ok", "MAIL FROM domain %s receives mail (MX %s)", dom,
			    dc.route.hosts[0].name);
		else
			say(&dc, "FAIL", "MAIL FROM domain %s cannot receive mail (%s): "
			    "bounces and replies to %s are lost", dom,
			    dc.route_ok ? route_status_name(dc.route.status) : "no answer", cfg.from);
		dns_query_txt(dc.d, dom, on_names, &dc);
		wait_answer(&dc);
		bool spf = false;
		for (size_t i = 0; i < dc.nnames; i++)
			spf |= strncmp(dc.names[i], "v=spf1", 6) == 0;
		if (spf)
			say(&dc, "ok", "MAIL FROM domain %s has an SPF record", dom);
		else
			say(&dc, "warn", "MAIL FROM domain %s has no SPF record: "
			    "receivers may treat the probes as spoofed", dom);

		/* outbound address, reverse DNS, port 25 */
		if (dc.route_ok && dc.route.status == ROUTE_OK && dc.route.hosts[0].naddr) {
			const struct sockaddr_storage *mx = &dc.route.hosts[0].addr[0];
			char a[64];
			struct sockaddr_storage out;
			if (!cfg.allow_private_mx && netguard_is_unsafe((const struct sockaddr *)mx)) {
				say(&dc, "warn", "MX %s is on a private address; skipping the port check",
				    dns_addr_str(mx, a));
			} else {
				if (outbound_addr(mx, &out)) {
					dns_addr_str(&out, a);
					dns_query_ptr(dc.d, &out, on_names, &dc);
					wait_answer(&dc);
					if (!dc.nnames)
						say(&dc, "warn", "outbound address %s has no reverse DNS (PTR): "
						    "many servers reject such clients", a);
					else if (!text_ieq(dc.names[0], strlen(dc.names[0]), helo, strlen(helo)))
						say(&dc, "warn", "outbound address %s reverses to %s, "
						    "not to the HELO name %s", a, dc.names[0], helo);
					else
						say(&dc, "ok", "outbound address %s reverses to the HELO name", a);
				}
				char greet[256] = "";
				dns_host *h = &dc.route.hosts[0];
				if (try_port(mx, cfg.smtp_port, 5000, greet, sizeof(greet))) {
					buf b;
					buf_init(&b, 1024);
					text_escape_display(&b, greet, strlen(greet));
					say(&dc, "ok", "port %u reaches %s: %s", cfg.smtp_port, h->name, buf_str(&b));
					buf_free(&b);
				} else {
					say(&dc, "FAIL", "port %u to %s (%s) is blocked or refused: %s "
					    "(many networks block outbound port 25)",
					    cfg.smtp_port, h->name, dns_addr_str(mx, a), strerror(errno));
				}
			}
		}
	}
	dns_destroy(dc.d);
	ev_destroy(dc.ev);
	printf("%d failed, %d warnings\n", dc.fails, dc.warns);
	return dc.fails ? 1 : 0;
}
