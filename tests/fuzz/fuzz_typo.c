/*
 * libFuzzer harness: the typo engine on arbitrary domains. The input is
 * split at newlines: every line but the last is observed (with a count
 * taken from its first byte), the last is the query. A suggestion must be
 * NUL-terminated, fit, and differ from the query.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/lists.h"
#include "mailvet/typo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static lists *l;
	typo *t = NULL;
	if (!l && lists_create(&l))
		abort();
	if (typo_create(l, &t))
		abort();
	const char *p = (const char *)data, *end = p + size;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		typo_observe(t, p, (size_t)(nl - p), nl > p ? (unsigned char)p[0] : 1);
		p = nl + 1;
	}
	char out[300];
	size_t n = typo_suggest(t, p, (size_t)(end - p), out, sizeof(out), NULL);
	if (n) {
		if (n >= sizeof(out) || strlen(out) != n)
			abort();
		if (n == (size_t)(end - p) && memcmp(out, p, n) == 0)
			abort();
	}
	(void)typo_edit1(p, (size_t)(end - p), out, n);
	typo_destroy(t);
	return 0;
}
