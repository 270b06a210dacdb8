/*
 * libFuzzer harness: the address parser on arbitrary bytes. Checks the
 * wire invariant of every accepted address (no control bytes, <= 254
 * octets, the '@' where local_len says), that its normalized form is valid
 * UTF-8, and that the parse is stable: the normalized form parses again to
 * itself. tests/fuzz/addr.dict holds the tokens that matter.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/addr.h"
#include "mailvet/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static addr a, b;
	addr_policy pol = { 0 };
	if (size && (data[0] & 1))
		pol.allow_reserved = true;
	if (size && (data[0] & 2))
		pol.allow_ip_literal = true;
	mv_reason r = addr_parse((const char *)data, size, &pol, &a);
	if (r == REASON_NONE) {
		if (a.len == 0 || a.len > ADDR_MAX || a.norm[a.local_len] != '@' ||
		    strlen(a.norm) != a.len)
			abort();
		for (size_t i = 0; i < a.len; i++)
			if ((unsigned char)a.norm[i] < 0x20 || a.norm[i] == 0x7f)
				abort();
		if (!text_utf8_valid(a.norm, a.len))
			abort();
		if (a.clean_off + a.clean_len > size)
			abort();
		if (addr_parse(a.norm, a.len, &pol, &b) != REASON_NONE ||
		    strcmp(a.norm, b.norm) != 0)
			abort();
	} else if (!a.detail || !*a.detail) {
		abort();
	}
	mv_str parts[8];
	size_t k = addr_split((const char *)data, size, parts, 8);
	for (size_t i = 0; i < k; i++)
		if (parts[i].p < (const char *)data ||
		    parts[i].p + parts[i].len > (const char *)data + size)
			abort();
	return 0;
}
