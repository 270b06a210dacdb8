/*
 * bench_csvparse — the floor under the loader: libcsv parsing the same file
 * with callbacks that do nothing. Usage: bench_csvparse FILE.csv
 */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static size_t nfields, nrows;
static void on_field(void *s, size_t n, void *d) { (void)s; (void)n; (void)d; nfields++; }
static void on_row(int c, void *d) { (void)c; (void)d; nrows++; }

int main(int argc, char **argv)
{
	struct csv_parser p;
	struct timespec a, z;
	char *b = malloc(1 << 20);
	ssize_t n;
	int fd = argc == 2 ? open(argv[1], O_RDONLY) : -1;

	if (fd < 0 || !b || csv_init(&p, 0) != 0) {
		fprintf(stderr, "usage: bench_csvparse FILE.csv\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((n = read(fd, b, 1 << 20)) > 0)
		csv_parse(&p, b, (size_t)n, on_field, on_row, NULL);
	csv_fini(&p, on_field, on_row, NULL);
	clock_gettime(CLOCK_MONOTONIC, &z);
	printf("bare libcsv parse: %zu rows in %.3f s (the floor for load)\n", nrows,
	       (double)(z.tv_sec - a.tv_sec) + (double)(z.tv_nsec - a.tv_nsec) / 1e9);
	csv_free(&p);
	free(b);
	close(fd);
	return 0;
}
