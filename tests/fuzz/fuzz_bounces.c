/* libFuzzer harness: the bounce readers (log, DSN, CSV, sniffing) and the segmentation. */
#include <stddef.h>
#include <stdint.h>

#include "mailvet/bounces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bounce_format fmts[] = { BOUNCE_FMT_AUTO, BOUNCE_FMT_LOG, BOUNCE_FMT_DSN,
					      BOUNCE_FMT_CSV };
	/* The first byte picks the reader, the rest is the input. */
	if (size < 1)
		return 0;
	bounce_format f = fmts[data[0] & 3];
	bounce_set *b = bounces_create();
	bounce_read_info info;
	if (!b)
		return 0;
	(void)bounces_read_mem(b, (const char *)data + 1, size - 1, f, "fuzz", &info);
	bounce_seg s;
	if (bounces_segment(b, NULL, &s) == MV_OK) {
		size_t sum = 0;
		for (size_t i = 0; i < s.nproviders; i++)
			sum += s.providers[i].total;
		if (sum != bounces_count(b))
			__builtin_trap();
		bounce_seg_free(&s);
	}
	bounces_destroy(b);
	return 0;
}
