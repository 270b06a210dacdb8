/*
 * bench_view — the workbench's model on a big list: load, local pass,
 * sort a million rows by a text column, filter, and the peak RSS.
 * Usage: bench_view FILE.csv
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "mailvet/csvio.h"
#include "mailvet/export.h"
#include "mailvet/local.h"
#include "mailvet/view.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tier(const row_result *r)
{
	return (int)export_bucket(r);
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
#define MV_X(name, str) str,
		MV_BUCKET_LIST(MV_X)
#undef MV_X
	};
	struct stat sb;
	table *t;
	csv_info info;
	local_opts lo;
	if (argc != 2 || stat(argv[1], &sb) != 0) {
		fprintf(stderr, "usage: bench_view FILE.csv\n");
		return 2;
	}
	double t0 = now();
	if (csvio_load(argv[1], NULL, &t, &info))
		return 1;
	results *r = results_create(table_nrows(t));
	local_opts_init(&lo);
	local_run(t, info.email_col, &lo, r, NULL);
	double t1 = now();
	view *v = view_create(t, r, info.email_col, tier, names, BUCKET_COUNT);
	double t2 = now();
	view_sort(v, VC_EMAIL, false);
	double t3 = now();
	view_sort(v, VC_DOMAIN, true);
	double t4 = now();
	view_set_text_filter(v, "gmail");
	double t5 = now();
	size_t shown = view_count(v);
	view_set_text_filter(v, "");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double rss = (double)ru.ru_maxrss * 1024.0;
	printf("workbench model: %zu rows; load + local pass %.3f s, view %.3f s\n", table_nrows(t),
	       t1 - t0, t2 - t1);
	printf("workbench model: sort by email %.3f s, by domain (desc, stable) %.3f s (target < 0.4 s); "
	       "text filter %.3f s (%zu rows)\n", t3 - t2, t4 - t3, t5 - t4, shown);
	printf("workbench model: peak RSS %.1f MB = %.2fx the file (target < 3.5x)\n", rss / 1e6,
	       rss / (double)sb.st_size);
	view_destroy(v);
	results_destroy(r);
	table_destroy(t);
	return 0;
}
