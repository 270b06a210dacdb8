/* libFuzzer harness: the CSV loader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "mailvet/csvio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	table *t = NULL;
	csv_info info;
	csv_opts o;
	csv_opts_init(&o);
	o.max_field = 64;
	if (csvio_load_mem((const char *)data, size, &o, &t, &info) == MV_OK) {
		size_t sum = 0;
		for (size_t r = 0; r < table_nrows(t); r++)
			for (size_t c = 0; c < table_row_nfields(t, r); c++)
				sum += table_cell(t, r, c).len;
		for (size_t c = 0; c < table_ncols(t); c++)
			sum += table_col_name(t, c).len;
		(void)sum;
		table_destroy(t);
	}
	return 0;
}
