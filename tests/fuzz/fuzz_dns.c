/* libFuzzer harness: the DNS answer reader, as the engine calls it (MX, then A and AAAA). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailvet/dns.h"

static void check_record(void *arg, const dns_record *r)
{
	size_t *n = arg;
	(*n)++;
	if (r->type == 15 && (!r->host || strlen(r->host) >= 256))
		__builtin_trap();
	if ((r->type == 1 || r->type == 28) && !r->addr)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { 15, 1, 28 };
	/* the asked name: the question's own, when there is one */
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		size_t n = 0;
		dns_answer_status st = dns_answer_parse(data, size, "a.test", types[t], check_record, &n);
		if (st != ANSWER_OK && st != ANSWER_MALFORMED && st != ANSWER_TRUNCATED &&
		    st != ANSWER_CNAME_LOOP)
			__builtin_trap();
		if (size >= 8 && n > (size_t)(data[6] << 8 | data[7]))
			__builtin_trap();
	}
	return 0;
}
