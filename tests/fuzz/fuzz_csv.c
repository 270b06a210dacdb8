/*
 * libFuzzer harness: the CSV loader on arbitrary bytes, twice: with its
 * fast path and with libcsv alone. Both must load without a sanitizer
 * report, and agree cell for cell (csv_same); a difference aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mailvet/csvio.h"
#include "../common/csv_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static csv_info info, rinfo;
	table *t = NULL, *rt = NULL;
	csv_opts o;
	csv_opts_init(&o);
	o.max_field = 64;
	if (size)
		o.delimiter = "\0,;\t|"[data[0] % 5];
	mv_status st = csvio_load_mem((const char *)data, size, &o, &t, &info);
	o.libcsv_only = true;
	mv_status rst = csvio_load_mem((const char *)data, size, &o, &rt, &rinfo);
	const char *diff = csv_same(st, t, &info, rst, rt, &rinfo);
	if (diff) {
		fprintf(stderr, "fast path and libcsv differ: %s\n", diff);
		abort();
	}
	table_destroy(t);
	table_destroy(rt);
	return 0;
}
