/*
 * bench_keys — keypress to screen, measured from outside: the real
 * binary on a pseudo-terminal (80x24), the table on a big list, one key at
 * a time; the time from writing the key to the end of the screen update it
 * causes (no more output for 3 ms). Prints the median and the worst, and
 * the binary's peak RSS against the file's size.
 * Usage: bench_keys MAILVET FILE.csv [KEYS] [-- MAILVET-ARGS...]
 * With MAILVET-ARGS (e.g. --start and a farm's --dns/--smtp-port), they
 * replace --no-cache, and the keys are timed while verification streams:
 * from the first "verifying" status on.
 */
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Read until `quiet_ms` pass without output (or `max_ms`); returns bytes. */
static size_t drain(int fd, int quiet_ms, int max_ms, char *seen, size_t cap)
{
	size_t got = 0;
	double end = now_ms() + max_ms;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, quiet_ms) <= 0 || now_ms() > end)
			return got;
		char b[65536];
		ssize_t n = read(fd, b, sizeof(b));
		if (n <= 0)
			return got;
		if (seen && got + (size_t)n < cap) {
			memcpy(seen + got, b, (size_t)n);
			seen[got + (size_t)n] = '\0';
		}
		got += (size_t)n;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct stat sb;
	if (argc < 3 || stat(argv[2], &sb) != 0) {
		fprintf(stderr, "usage: bench_keys MAILVET FILE.csv [KEYS] [-- MAILVET-ARGS...]\n");
		return 2;
	}
	int extra = 0;          /* argv index of the first MAILVET-ARG */
	for (int i = 3; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			extra = i + 1;
			break;
		}
	const char *keys = argc > 3 && strcmp(argv[3], "--") ? argv[3] : "j";
	static char *cargv[64];
	int cn = 0;
	cargv[cn++] = argv[1];
	if (extra)
		for (int i = extra; i < argc && cn < 62; i++)
			cargv[cn++] = argv[i];
	else
		cargv[cn++] = (char *)"--no-cache";
	cargv[cn++] = argv[2];
	cargv[cn] = NULL;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int fd;
	pid_t pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid == 0) {
		setenv("TERM", "xterm", 1);
		setenv("NO_COLOR", "1", 1);
		execv(argv[1], cargv);
		_exit(127);
	}
	static char seen[1 << 20];
	double t0 = now_ms();
	/* the summary screen comes after load + local pass; with --start, the
	 * table with verification under way */
	const char *mark = extra ? "verifying" : "cost preview";
	for (int i = 0; i < 600; i++) {
		drain(fd, 100, 200, seen, sizeof(seen));
		if (strstr(seen, mark))
			break;
	}
	double opened = now_ms() - t0;
	if (!extra && write(fd, "t", 1) != 1)
		return 1;
	drain(fd, 50, 2000, NULL, 0);
	enum { N = 60 };
	double lat[N];
	for (int i = 0; i < N; i++) {
		char k = keys[i % strlen(keys)];
		double a = now_ms();
		if (write(fd, &k, 1) != 1)
			return 1;
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, 1000);
		drain(fd, 3, 1000, NULL, 0);
		lat[i] = now_ms() - a - 3.0;    /* minus the quiet period that ends it */
	}
	if (write(fd, "Q", 1) != 1)
		return 1;
	struct rusage ru;
	if (wait4(pid, NULL, 0, &ru) != pid)
		return 1;
	double rss = (double)ru.ru_maxrss * 1024.0;
	qsort(lat, N, sizeof(double), cmp);
	if (extra)
		printf("workbench: verifying after %.0f ms; keypress to screen while verification streams: "
		       "median %.1f ms, worst %.1f ms over %d keys (target < 20 ms)\n",
		       opened, lat[N / 2], lat[N - 1], N);
	else
		printf("workbench: opened (load + local pass + first screen) in %.0f ms; keypress to screen "
		       "while scrolling: median %.1f ms, worst %.1f ms over %d keys (target < 20 ms)\n",
		       opened, lat[N / 2], lat[N - 1], N);
	printf("workbench: peak RSS %.1f MB = %.2fx the file (target < 3.5x)\n", rss / 1e6,
	       rss / (double)sb.st_size);
	return 0;
}
