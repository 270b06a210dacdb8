/* libFuzzer harness: the SMTP reply parsers (strict stream and lenient), the classifier,
 * and the words model's reading of any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailvet/reply.h"
#include "mailvet/reply_model.h"
#include "mailvet/text.h"

/* A feature: bounded, valid UTF-8, and its ASCII only lower-case letters,
 * '_', '#', and the class digit after '#'. */
static void check_feature(const char *f, size_t n, void *ctx)
{
	(void)ctx;
	if (n == 0 || n > 2 * MODEL_WORD_MAX + 1 || !text_utf8_valid(f, n))
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];
		if (c < 0x80 && !((c >= 'a' && c <= 'z') || c == '_' || c == '#' ||
				  (i == 1 && f[0] == '#' && c >= '0' && c <= '9')))
			__builtin_trap();
	}
}

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
	reply_features(s, size, size ? data[0] % 10 : 0, check_feature, NULL);
	reply_guess g;
	(void)reply_model_guess(reply_model_builtin(), s, size, s, size / 2, 5, &g);
	if (!(g.p >= 0.0 && g.p <= 1.0) || !g.cue)
		__builtin_trap();
	return 0;
}
