/*
 * bench_load — load a CSV into a table and report wall time, rows/s and
 * peak RSS as a multiple of the file size. Usage: bench_load [--libcsv-only]
 * [--one-thread] FILE.csv. It loads as mailvet does (a large file in two
 * halves on two threads) unless told --one-thread; --libcsv-only: every
 * line parsed by libcsv, no fast path.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "mailvet/csvio.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct stat sb;
	struct rusage ru;
	table *t;
	csv_info info;
	csv_opts o;

	csv_opts_init(&o);
	for (; argc > 2 && argv[1][0] == '-'; argv++, argc--) {
		if (strcmp(argv[1], "--libcsv-only") == 0)
			o.libcsv_only = true;
		else if (strcmp(argv[1], "--one-thread") == 0)
			o.parallel_min = SIZE_MAX;
		else
			break;
	}
	if (argc != 2 || stat(argv[1], &sb) != 0) {
		fprintf(stderr, "usage: bench_load [--libcsv-only] [--one-thread] FILE.csv\n");
		return 2;
	}
	double t0 = now();
	mv_status st = csvio_load(argv[1], &o, &t, &info);
	double t1 = now();
	if (st) {
		fprintf(stderr, "load failed: %s\n", status_message(st));
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	double mb = (double)sb.st_size / 1e6;
	double rss = (double)ru.ru_maxrss * 1024.0;
	printf("load%s%s: %zu rows, %.1f MB in %.3f s (%.2f M rows/s, %.0f MB/s); "
	       "peak RSS %.1f MB = %.2fx file size\n",
	       o.libcsv_only ? ", libcsv alone" : "", info.threads == 2 ? ", two threads" : ", one thread", info.nrows, mb, t1 - t0, (double)info.nrows / (t1 - t0) / 1e6,
	       mb / (t1 - t0), rss / 1e6, rss / (double)sb.st_size);
	table_destroy(t);
	return 0;
}
