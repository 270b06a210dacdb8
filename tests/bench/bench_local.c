/*
 * bench_local — load a CSV and run the full local pass; report wall time
 * (load, pass, both), rows/s and peak RSS as a multiple of the file size.
 * With a truth file from gen_corpus, also score the typo suggestions:
 * precision (suggestions that name the intended domain / all suggestions)
 * and recall (typo rows given the intended domain / all typo rows, and /
 * typo rows whose typed domain is not itself a real domain). The pass
 * never sees the truth: it is read after the pass, for scoring only.
 *
 * Usage: bench_local FILE.csv [TRUTH.tsv]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "mailvet/csvio.h"
#include "mailvet/local.h"

static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct truth {
	char *intended;      /* NULL: no typo in this row */
	int collision;
	char kind[16];
};

static void score(const results *r, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		perror(path);
		return;
	}
	struct truth *t = calloc(r->n, sizeof(*t));
	char line[512];
	size_t typos = 0, collisions = 0;
	while (t && fgets(line, sizeof(line), fp)) {
		char *f[5];
		int nf = 0;
		char *p = line;
		while (nf < 5) {
			f[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (nf < 5)
			continue;
		f[4][strcspn(f[4], "\n")] = '\0';
		char *end;
		unsigned long row = strtoul(f[0], &end, 10);
		if (*end || row == 0 || row > r->n)
			continue;
		t[row - 1].intended = strdup(f[2]);
		t[row - 1].collision = f[3][0] == '1';
		snprintf(t[row - 1].kind, sizeof(t[row - 1].kind), "%s", f[4]);
		typos++;
		collisions += t[row - 1].collision;
	}
	fclose(fp);
	if (!t)
		return;
	size_t suggested = 0, right = 0, wrong_fix = 0, false_alarm = 0;
	size_t missed_detectable = 0;
	static const char *const kinds[] = { "adjacent_key", "swap", "omission",
		"doubling", "insertion", "tld", "missing_dot" };
	size_t kind_total[7] = { 0 }, kind_right[7] = { 0 };
	int shown = 0;
	for (size_t i = 0; i < r->n; i++) {
		const row_result *rr = &r->rows[i];
		mv_str sug = results_str(r, rr->suggestion);
		const char *at = sug.len && (rr->flags & F_TYPO) ? memchr(sug.p, '@', sug.len) : NULL;
		const char *sd = at ? at + 1 : NULL;
		bool ok = false;
		if (sd) {
			suggested++;
			if (t[i].intended && strcmp(sd, t[i].intended) == 0) {
				right++;
				ok = true;
			} else if (t[i].intended) {
				wrong_fix++;
			} else {
				false_alarm++;
				if (getenv("BENCH_SHOW_ALL") || shown++ < 8)
					fprintf(stderr, "  false alarm: row %zu %s -> %s\n", i + 1,
						results_str(r, rr->domain).p, sd);
			}
		}
		if (t[i].intended) {
			for (int k = 0; k < 7; k++)
				if (!strcmp(t[i].kind, kinds[k])) {
					kind_total[k]++;
					kind_right[k] += ok;
				}
			if (!ok && !t[i].collision)
				missed_detectable++;
		}
	}
	double prec = suggested ? 100.0 * (double)right / (double)suggested : 0;
	double rec = typos ? 100.0 * (double)right / (double)typos : 0;
	double rec_d = typos > collisions ? 100.0 * (double)right / (double)(typos - collisions) : 0;
	printf("typos: %zu typo rows (%zu land on another real domain), %zu suggestions: "
	       "%zu right, %zu wrong fix, %zu on real domains\n", typos, collisions,
	       suggested, right, wrong_fix, false_alarm);
	printf("typos: precision %.2f%%, recall %.2f%% of all typo rows, %.2f%% of the "
	       "detectable ones\n", prec, rec, rec_d);
	printf("typos: recall by kind:");
	for (int k = 0; k < 7; k++)
		printf(" %s %.1f%%", kinds[k], kind_total[k] ?
		       100.0 * (double)kind_right[k] / (double)kind_total[k] : 0.0);
	printf("\n");
	for (size_t i = 0; i < r->n; i++)
		free(t[i].intended);
	free(t);
}

int main(int argc, char **argv)
{
	struct stat sb;
	struct rusage ru;
	table *t;
	csv_info info;
	local_opts o;
	local_summary sum;

	if (argc < 2 || argc > 3 || stat(argv[1], &sb) != 0) {
		fprintf(stderr, "usage: bench_local FILE.csv [TRUTH.tsv]\n");
		return 2;
	}
	local_opts_init(&o);
	double t0 = now();
	mv_status st = csvio_load(argv[1], NULL, &t, &info);
	double t1 = now();
	if (st || info.email_col < 0) {
		fprintf(stderr, "load failed: %s\n", status_message(st));
		return 1;
	}
	double c1 = cpu();
	results *r = results_create(table_nrows(t));
	st = r ? local_run(t, info.email_col, &o, r, &sum) : MV_NOMEM;
	double t2 = now(), c2 = cpu();
	if (st) {
		fprintf(stderr, "local pass failed: %s\n", status_message(st));
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	double rss = (double)ru.ru_maxrss * 1024.0;
	printf("load + local pass: %zu rows in %.3f s (load %.3f s, pass %.3f s = %.0f ns/row, "
	       "pass CPU %.3f s on 2 threads); %.2f M rows/s; peak RSS %.1f MB = %.2fx file size\n",
	       info.nrows, t2 - t0, t1 - t0, t2 - t1, (t2 - t1) * 1e9 / (double)info.nrows,
	       c2 - c1, (double)info.nrows / (t2 - t0) / 1e6, rss / 1e6, rss / (double)sb.st_size);
	printf("pass: %zu candidates, %zu invalid (%zu junk), %zu duplicates (%zu aliases), "
	       "%zu typos, %zu domains, %zu probes\n", sum.candidates, sum.invalid, sum.junk,
	       sum.duplicates, sum.aliases, sum.typos, sum.domains, sum.probes);
	if (argc == 3)
		score(r, argv[2]);
	results_destroy(r);
	table_destroy(t);
	return 0;
}
