#include "mailvet/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailvet/config.h"

/* The zone and the SMTP script, compiled in (assets/demo.*). */
#define ASSET(sym, file) \
	__asm__(".section .rodata\n.global " #sym "\n.balign 16\n" #sym ":\n" \
		".incbin \"" file "\"\n.byte 0\n.previous\n"); \
	extern const char sym[]
ASSET(mv_asset_demo_zone, "assets/demo.zone");
ASSET(mv_asset_demo_smtp, "assets/demo.smtp");

struct demo_net {
	char dir[256];
	pid_t dns_pid, smtp_pid;
};

static bool write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return false;
	bool ok = fputs(text, fp) >= 0;
	return fclose(fp) == 0 && ok;
}

/* The fake servers: next to the binary (build tree), or in libexec. */
static bool find_fake(const char *name, char *out, size_t cap)
{
	char exe[PATH_MAX];
	const char *env = getenv("MAILVET_LIBEXEC");
	if (env && *env) {
		snprintf(out, cap, "%s/%s", env, name);
		return access(out, X_OK) == 0;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	const char *dir = dirname(exe);
	static const char *const tries[] = { "%s/fakes/%s", "%s/../fakes/%s", "%s/../libexec/mailvet/%s" };
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		snprintf(out, cap, tries[i], dir, name);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* Start a server; wait for its "ready PORT" line. */
static pid_t spawn(char *const argv[], const char *logpath, unsigned *port, char *err, size_t errlen)
{
	int p[2];
	if (pipe(p) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int log = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		dup2(p[1], 1);
		if (log >= 0)
			dup2(log, 2);
		close(p[0]);
		close(p[1]);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	char line[128];
	size_t got = 0;
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	time_t until = time(NULL) + 10;
	while (got < sizeof(line) - 1 && time(NULL) < until) {
		if (poll(&pf, 1, 500) <= 0)
			continue;
		ssize_t r = read(p[0], line + got, sizeof(line) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		line[got] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	close(p[0]);
	line[got] = '\0';
	unsigned long v = 0;
	char *end = NULL;
	if (strncmp(line, "ready ", 6) == 0)
		v = strtoul(line + 6, &end, 10);
	if (!v || v > 65535) {
		snprintf(err, errlen, "%s did not start (see %s)", argv[0], logpath);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*port = (unsigned)v;
	return pid;
}

demo_net *demo_start(mv_config *cfg, char *err, size_t errlen)
{
	demo_net *d = calloc(1, sizeof(*d));
	char dns_bin[PATH_MAX], smtp_bin[PATH_MAX], zone[PATH_MAX + 16], script[PATH_MAX + 16];
	char log[300], val[64];
	unsigned dport = 0, sport = 0;
	const char *tmp = getenv("TMPDIR");

	if (!d)
		return NULL;
	d->dns_pid = d->smtp_pid = -1;
	if (!find_fake("fake_dns", dns_bin, sizeof(dns_bin)) ||
	    !find_fake("fake_smtp", smtp_bin, sizeof(smtp_bin))) {
		snprintf(err, errlen, "the demo servers (fake_dns, fake_smtp) are not built: run make");
		goto fail;
	}
	snprintf(d->dir, sizeof(d->dir), "%s/mailvet-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->dir)) {
		snprintf(err, errlen, "%s: %s", d->dir, strerror(errno));
		d->dir[0] = '\0';
		goto fail;
	}
	snprintf(zone, sizeof(zone), "%s/demo.zone", d->dir);
	snprintf(script, sizeof(script), "%s/demo.smtp", d->dir);
	snprintf(log, sizeof(log), "%s/servers.log", d->dir);
	if (!write_file(zone, mv_asset_demo_zone) || !write_file(script, mv_asset_demo_smtp)) {
		snprintf(err, errlen, "%s: %s", d->dir, strerror(errno));
		goto fail;
	}
	char *dargv[] = { dns_bin, (char *)"--listen", (char *)"127.0.0.1:0", (char *)"--zone", zone, NULL };
	d->dns_pid = spawn(dargv, log, &dport, err, errlen);
	if (d->dns_pid < 0)
		goto fail;
	char *sargv[] = { smtp_bin, (char *)"--script", script, (char *)"--port", (char *)"0", NULL };
	d->smtp_pid = spawn(sargv, log, &sport, err, errlen);
	if (d->smtp_pid < 0)
		goto fail;

	char e[256];
	snprintf(val, sizeof(val), "127.0.0.1:%u", dport);
	config_set(cfg, "dns", val, e, sizeof(e));
	cfg->smtp_port = sport;
	cfg->allow_private_mx = true;
	if (!cfg->from[0])
		config_set(cfg, "from", "verify@sender.test", e, sizeof(e));
	if (!cfg->helo[0])
		config_set(cfg, "helo", "probe.sender.test", e, sizeof(e));
	if (cfg->retry_greylisted == 300)
		cfg->retry_greylisted = 5;
	snprintf(cfg->cache, sizeof(cfg->cache), "%s/cache.db", d->dir);
	return d;
fail:
	demo_stop(d);
	return NULL;
}

void demo_stop(demo_net *d)
{
	if (!d)
		return;
	pid_t pids[2] = { d->dns_pid, d->smtp_pid };
	for (int i = 0; i < 2; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
		}
	}
	if (d->dir[0]) {
		static const char *const files[] = { "demo.zone", "demo.smtp", "servers.log",
						     "cache.db", "cache.db-wal", "cache.db-shm" };
		char p[PATH_MAX + 32];
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", d->dir, files[i]);
			unlink(p);
		}
		rmdir(d->dir);
	}
	free(d);
}
