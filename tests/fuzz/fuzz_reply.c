/* libFuzzer harness: the SMTP reply parsers (strict stream and lenient) and the classifier. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailvet/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	smtp_reply r;
	reply_class k;
	size_t used = 0, off = 0;

	/* Stream: parse replies one after another, as the client would. */
	while (off < size) {
		mv_status st = reply_parse(s + off, size - off, &r, &used);
		if (st != MV_OK)
			break;
		if (used == 0 || used > size - off || r.text[r.text_len] != '\0')
			__builtin_trap();
		reply_classify(&r, REPLY_PHASE_RCPT, &k);
		if (!k.action || !k.rule)
			__builtin_trap();
		reply_free(&r);
		off += used;
	}
	if (reply_parse_text(s, size, &r) == MV_OK) {
		if (strlen(r.text) != r.text_len)
			__builtin_trap();
		for (int ph = REPLY_PHASE_UNKNOWN; ph <= REPLY_PHASE_DATA; ph++) {
			reply_classify(&r, (reply_phase)ph, &k);
			if (k.owner == OWNER_SENDER && k.verdict != VERDICT_UNKNOWN)
				__builtin_trap();
		}
		reply_free(&r);
	}
	(void)reply_phase_from_text(s, size);
	return 0;
}
