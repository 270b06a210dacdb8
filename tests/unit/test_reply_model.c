/* reply_model: the words model's features and its reading of replies no phrase rule reads. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/buf.h"
#include "mailvet/reply.h"
#include "mailvet/reply_model.h"

/* The features of a text, space-separated, in the order given. */
static void add_feature(const char *f, size_t n, void *ctx)
{
	buf *b = ctx;
	if (b->len)
		buf_append_char(b, ' ');
	buf_append(b, f, n);
}

static char *features(const char *s, size_t n, int cls)
{
	buf b;
	buf_init(&b, 1u << 20);
	reply_features(s, n, cls, add_feature, &b);
	char *out = strdup(buf_str(&b));
	buf_free(&b);
	return out;
}

TEST(reply_model_features_words)
{
	const char *s = "550 User unknown: <a@b.test> see https://x.test/User MAILBOX-FULL 12345 "
			"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij x";
	char *f = features(s, strlen(s), 5);
	/* addresses, URLs, digits, one-letter and over-long words are dropped; neighbours pair */
	CHECK_STR(f, "user unknown user_unknown see unknown_see mailbox see_mailbox full mailbox_full #5");
	free(f);
	f = features("", 0, 0);
	CHECK_STR(f, "#0");
	free(f);
	f = features("Benutzer", 8, -1);
	CHECK_STR(f, "benutzer");
	free(f);
}

TEST(reply_model_features_scripts)
{
	/* Latin-1 and Cyrillic capitals lower-cased; CJK read as pairs of characters,
	 * split at full-width punctuation */
	const char *s = "ÜBER ЯЩИК 用户不存在。退信";
	char *f = features(s, strlen(s), -1);
	CHECK_STR(f, "über ящик über_ящик 用户 ящик_用户 户不 用户_户不 不存 户不_不存 存在 不存_存在 "
		     "退信 存在_退信");
	free(f);
	/* a CJK run longer than a word: every neighbouring pair, read in parts */
	char run[8 * 15 + 1] = "";
	for (int i = 0; i < 8; i++)
		memcpy(run + 15 * i, "用户不存在", 15);
	run[120] = '\0';
	f = features(run, 120, -1);
	size_t pairs = 0, joined = 0, odd = 0, len = 0;
	for (const char *p = f;; p++) {
		if (*p == ' ' || !*p) {
			pairs += len == 6;
			joined += len == 13;
			odd += len != 6 && len != 13;
			len = 0;
			if (!*p)
				break;
			continue;
		}
		len++;
	}
	CHECK_INT(pairs, 39);
	CHECK_INT(joined, 38);
	CHECK_INT(odd, 0);
	free(f);
	/* invalid UTF-8 splits words and never reaches a feature */
	const char s2[] = "ab\xff\xfe" "cd \xe7\x94 ef\xc3";
	f = features(s2, sizeof(s2) - 1, -1);
	CHECK_STR(f, "ab cd ab_cd ef cd_ef");
	free(f);
}

TEST(reply_model_features_bounded)
{
	/* a long text: only its first MODEL_TEXT_MAX bytes are read, every feature bounded */
	size_t n = 100000;
	char *s = malloc(n);
	CHECK(s != NULL);
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		s[i] = "quota exceeded "[i % 15];
	char *f = features(s, n, 5);
	size_t words = 0;
	for (const char *p = f; *p; p++)
		words += *p == ' ';
	/* words of two letters or more and a separator each; every word and pair a feature */
	CHECK(words > 500 && words <= 2 * (MODEL_TEXT_MAX / 3) + 1);
	size_t run = 0, longest = 0;
	for (const char *p = f; *p; p++) {
		run = *p == ' ' ? 0 : run + 1;
		longest = run > longest ? run : longest;
	}
	CHECK(longest <= 2 * MODEL_WORD_MAX + 1);
	free(f);
	free(s);
}

static void classify(const char *s, reply_phase ph, reply_class *k)
{
	smtp_reply r;
	if (reply_parse_text(s, strlen(s), &r) != MV_OK)
		CHECK_INT(reply_from_parts(0, 0, s, strlen(s), &r), MV_OK);
	reply_classify(&r, ph, k);
	reply_free(&r);
}

TEST(reply_model_reads_what_no_phrase_reads)
{
	reply_class k;
	const reply_model *m = reply_model_builtin();
	CHECK(m->docs >= 1000 && m->nclasses >= 15 && m->nfeats >= 1000);
	/* in the training corpus, read by no phrase rule: the model reads it */
	classify("554 5.7.1 postfwd2 score exceeded", REPLY_PHASE_RCPT, &k);
	CHECK(k.by_model && !k.by_phrase);
	CHECK_STR(reason_name(k.reason), "policy_block");
	CHECK(k.sureness >= MODEL_SURE && k.sureness <= 1.0 && k.cue && k.cue[0]);
	CHECK(strstr(k.rule, "words-model") != NULL);
	/* words it has never seen: the code decides */
	classify("550 xyzzy plugh frobnicate", REPLY_PHASE_RCPT, &k);
	CHECK(!k.by_model);
	CHECK_STR(reason_name(k.reason), "policy_block");
	CHECK_STR(verdict_name(k.verdict), "unknown");
	/* a phrase rule decides before the model is asked */
	classify("550 5.1.1 User unknown", REPLY_PHASE_RCPT, &k);
	CHECK(k.by_phrase && !k.by_model);
	/* a specific code (503: bad sequence) is not a catch-all: the model is not asked */
	classify("503 Must have sender before recipient", REPLY_PHASE_RCPT, &k);
	CHECK(!k.by_model);
	CHECK_STR(reason_name(k.reason), "syntax_error");
	/* a 2xx is accepted before any rule */
	classify("250 ok, mailbox unavailable words", REPLY_PHASE_RCPT, &k);
	CHECK(!k.by_model);
	CHECK_STR(reason_name(k.reason), "accepted");
}

TEST(reply_model_keeps_the_invariants)
{
	reply_class k;
	/* the model reads a missing user... */
	classify("550 recipient not known on this host", REPLY_PHASE_RCPT, &k);
	CHECK(k.by_model);
	CHECK_STR(verdict_name(k.verdict), "invalid");
	CHECK_STR(owner_name(k.owner), "recipient");
	CHECK(k.permanent);
	/* ...but at MAIL FROM nothing is the recipient's fault */
	classify("550 recipient not known on this host", REPLY_PHASE_MAIL, &k);
	CHECK_STR(owner_name(k.owner), "sender");
	CHECK_STR(verdict_name(k.verdict), "unknown");
	/* a 4xx reading is never permanent */
	classify("451 recipient not known on this host", REPLY_PHASE_RCPT, &k);
	CHECK(!k.permanent);
}

TEST(reply_model_guess_degenerate)
{
	reply_guess g;
	reply_model empty = { 0 };
	CHECK(!reply_model_guess(&empty, "550 user unknown", 16, NULL, 0, 5, &g));
	CHECK(!reply_model_guess(NULL, "x", 1, NULL, 0, 5, &g));
	CHECK_STR(reason_name(g.reason), "temporary_failure");
	CHECK(!reply_model_guess(reply_model_builtin(), NULL, 0, NULL, 0, 5, &g));
	CHECK(g.cue != NULL);
}
