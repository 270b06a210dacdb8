/* reply: parsing SMTP replies and classifying them. */
#include "test.h"
#include "../common/reply_corpus.h"

#include <stdlib.h>

#include "mailvet/buf.h"
#include "mailvet/reply.h"
#include "mailvet/result.h"
#include "mailvet/text.h"

/* ---- strict stream parsing ----------------------------------------------------------- */

TEST(reply_parse_degenerate)
{
	smtp_reply r;
	size_t used = 99;
	CHECK_INT(reply_parse("", 0, &r, &used), MV_AGAIN);
	CHECK_INT(used, 0);
	CHECK_INT(reply_parse("25", 2, &r, &used), MV_AGAIN);
	CHECK_INT(reply_parse("250", 3, &r, &used), MV_AGAIN);
	CHECK_INT(reply_parse("250 OK", 6, &r, &used), MV_AGAIN);
	CHECK_INT(reply_parse("x50 OK\r\n", 8, &r, &used), MV_PARSE);
	CHECK_INT(reply_parse("hello", 5, &r, &used), MV_PARSE);
	CHECK_INT(reply_parse("150 OK\r\n", 8, &r, &used), MV_PARSE);
	CHECK_INT(reply_parse("250xOK\r\n", 8, &r, &used), MV_PARSE);
	CHECK_INT(reply_parse("\r\n", 2, &r, &used), MV_PARSE);
	CHECK_INT(reply_parse("25\r\n", 4, &r, &used), MV_PARSE);
	CHECK(r.text == NULL && r.code == 0);
	reply_free(&r);
	reply_free(NULL);
}

TEST(reply_parse_single_and_multi)
{
	smtp_reply r;
	size_t used;
	const char *s = "250 2.1.5 Ok\r\n";
	CHECK_INT(reply_parse(s, strlen(s), &r, &used), MV_OK);
	CHECK_INT(used, strlen(s));
	CHECK_INT(r.code, 250);
	CHECK_INT(r.enhanced, result_enhanced_pack(2, 1, 5));
	CHECK_STR(r.text, "Ok");
	CHECK_INT(r.nlines, 1);
	reply_free(&r);

	s = "250-mx.example.test Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n221 next";
	CHECK_INT(reply_parse(s, strlen(s), &r, &used), MV_OK);
	CHECK_INT(used, strlen(s) - strlen("221 next"));
	CHECK_STR(r.text, "mx.example.test Hello\nPIPELINING\nSIZE 10240000\nSTARTTLS");
	CHECK_INT(r.nlines, 4);
	CHECK_INT(r.enhanced, 0);
	reply_free(&r);

	/* LF only, bare code line, enhanced code only on some lines */
	s = "550-5.1.1 The email account\n550-does not exist\n550\n";
	CHECK_INT(reply_parse(s, strlen(s), &r, &used), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	CHECK_STR(r.text, "The email account\ndoes not exist\n");
	reply_free(&r);

	/* incomplete multi-line: need more */
	s = "250-first\r\n250-second\r\n";
	CHECK_INT(reply_parse(s, strlen(s), &r, &used), MV_AGAIN);
	CHECK_INT(used, 0);
	/* codes differ across lines */
	s = "250-first\r\n550 second\r\n";
	CHECK_INT(reply_parse(s, strlen(s), &r, &used), MV_PARSE);
	/* an IP-like number is not an enhanced code */
	s = "554 5.7.1.2 blocked\r\n";
	CHECK_INT(reply_parse(s, strlen(s), &r, &used), MV_OK);
	CHECK_INT(r.enhanced, 0);
	reply_free(&r);
}

TEST(reply_parse_bounds)
{
	smtp_reply r;
	size_t used;
	buf b;
	buf_init(&b, 4u << 20);
	/* 1,001 lines */
	for (int i = 0; i < 1000; i++)
		buf_append_str(&b, "250-x\r\n");
	buf_append_str(&b, "250 x\r\n");
	CHECK_INT(reply_parse(b.data, b.len, &r, &used), MV_TOOBIG);
	/* exactly 1,000 lines is fine */
	CHECK_INT(reply_parse(b.data + 7, b.len - 7, &r, &used), MV_OK);
	CHECK_INT(r.nlines, 1000);
	reply_free(&r);
	/* one endless line, and one over 64 KiB with no end yet */
	buf_reset(&b);
	buf_append_str(&b, "250 ");
	for (int i = 0; i < 70000; i++)
		buf_append_char(&b, 'a');
	CHECK_INT(reply_parse(b.data, b.len, &r, &used), MV_TOOBIG);
	buf_append_str(&b, "\r\n");
	CHECK_INT(reply_parse(b.data, b.len, &r, &used), MV_TOOBIG);
	CHECK_INT(reply_parse_text(b.data, b.len, &r), MV_TOOBIG);
	buf_free(&b);
	/* NUL bytes are kept out of the C string */
	CHECK_INT(reply_parse("250 a\0b\r\n", 9, &r, &used), MV_OK);
	CHECK_INT(r.text_len, 3);
	CHECK_STR(r.text, "a b");
	reply_free(&r);
}

/* ---- lenient parsing ---------------------------------------------------------------- */

TEST(reply_parse_text_forms)
{
	smtp_reply r;
	CHECK_INT(reply_parse_text("", 0, &r), MV_PARSE);
	CHECK_INT(reply_parse_text("hello world", 11, &r), MV_PARSE);
	CHECK_INT(reply_parse_text("port 25 refused", 15, &r), MV_PARSE);

	const char *s = "smtp; 550 5.1.1 <a@b.test>: Recipient address rejected: User unknown";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	CHECK_STR(r.text, "<a@b.test>: Recipient address rejected: User unknown");
	reply_free(&r);

	s = "host mx1.b.test[192.0.2.10] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 452);
	CHECK_STR(r.text, "Mailbox full");
	CHECK_INT(reply_phase_from_text(s, strlen(s)), REPLY_PHASE_RCPT);
	reply_free(&r);

	/* unfolded multi-line from a DSN: markers removed */
	s = "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
	    "    550-5.1.1 double-checking the recipient's email address for typos or\r\n"
	    "    550-5.1.1 unnecessary spaces. Learn more at\r\n    550 5.1.1  https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK(strstr(r.text, "550") == NULL);
	CHECK(strstr(r.text, "5.1.1") == NULL);
	CHECK(strstr(r.text, "Please try\ndouble-checking") != NULL);
	CHECK_INT(r.nlines, 4);
	reply_free(&r);

	/* Exim, Exchange, qmail forms */
	s = "SMTP error from remote mail server after RCPT TO:<a@b.test>: 550 No Such User Here";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_STR(r.text, "No Such User Here");
	CHECK_INT(reply_phase_from_text(s, strlen(s)), REPLY_PHASE_RCPT);
	reply_free(&r);
	s = "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	reply_free(&r);
	s = "Sorry, no mailbox here by that name. (#5.1.1)";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 0);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	reply_free(&r);
	/* an IP address before the code is not a code */
	s = "203.0.113.250 said: 421 4.7.0 Try later";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 421);
	reply_free(&r);
	/* a number glued to a word by a colon is not a code (Exim log: "SHA384:256 CV=no") */
	s = "X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=no F=<a@b.test> rejected RCPT <c@d.test>: Sender verify failed";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	/* ... unless an enhanced code follows it */
	s = "550 permanent failure for one or more recipients (u@b.test:550 5.1.1 <u@b.test>: User unknown)";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	reply_free(&r);
	/* Python's smtplib errors: the code in a tuple, the text in a bytes literal */
	s = "(504, b'5.5.2 <Mealie>: Sender address rejected: need fully-qualified address')";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 504);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 5, 2));
	CHECK(strncmp(r.text, "<Mealie>: Sender address rejected", 33) == 0);
	reply_free(&r);
	s = "{'u@b.test': (550, '5.1.1 <u@b.test>: Recipient address rejected: User unknown')}";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	reply_free(&r);
	s = "(554, b'Message rejected: Email address is not verified'";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 554);
	CHECK(strncmp(r.text, "Message rejected", 16) == 0);
	reply_free(&r);
	/* a number before a comma outside a tuple is not a code */
	s = "error 550, see the log";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	/* the first code wins over an older reply quoted inside it, even when its
	 * enhanced code is of the other class (Amazon SES expiry) */
	s = "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.0 Unable to lookup DNS for b.test>";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 554);
	CHECK_INT(r.enhanced, result_enhanced_pack(4, 4, 7));
	CHECK(strstr(r.text, "Unable to lookup DNS") != NULL);
	reply_free(&r);
	/* a DSN field glued to its code */
	s = "Diagnostic-Code:550 5.2.5 Folder full";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_STR(r.text, "Folder full");
	reply_free(&r);
	/* CRLF and trailing junk */
	s = "554 5.7.1 blocked\r\n\r\n   \t";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_STR(r.text, "blocked");
	reply_free(&r);
}

/* A code named with a colon: "SMTP error 552:" in a client's log, "550:" opening a
 * line; and a DSN's Status: field giving the enhanced code its Diagnostic-Code lacks. */
TEST(reply_parse_text_code_colon)
{
	smtp_reply r;
	const char *s = "I/O error while writing buffer: failed to write file: SMTP error 552: Maximum message size exceeded";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 552);
	CHECK_STR(r.text, "Maximum message size exceeded");
	reply_free(&r);
	s = "550: No such user here";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_STR(r.text, "No such user here");
	reply_free(&r);
	s = "Send failed. Error code 554: Transaction failed";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 554);
	CHECK_STR(r.text, "Transaction failed");
	reply_free(&r);
	s = "SMTP Error 550 : mailbox unavailable";   /* space before the colon: already a code */
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	reply_free(&r);
	/* not a code: a port, a word ending in "error", no space after the colon, a time */
	s = "connect to mx.b.test[192.0.2.1]:587: Connection refused";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	s = "port 587: Connection refused";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	s = "mirror 550: x";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	s = "error 550:x";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	s = "at 12:550: x";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_PARSE);
	/* the DSN's Status: field, when the diagnostic has no enhanced code of its own */
	s = "Final-Recipient: rfc822; u@b.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 No such user";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.code, 550);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	CHECK_STR(r.text, "No such user");
	reply_free(&r);
	/* ... only of the code's class, and the diagnostic's own code wins */
	s = "Status: 4.2.2\nDiagnostic-Code: smtp; 550 No such user";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.enhanced, 0);
	reply_free(&r);
	s = "Status: 5.0.0\nDiagnostic-Code: smtp; 550 5.1.1 No such user";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK_INT(r.enhanced, result_enhanced_pack(5, 1, 1));
	reply_free(&r);
	reply_class k;
	s = "SMTP error 552: Maximum message size exceeded";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	reply_classify(&r, REPLY_PHASE_DATA, &k);
	CHECK_INT(k.reason, REASON_MESSAGE_TOO_BIG);
	CHECK(k.permanent);
	reply_free(&r);
}

TEST(reply_from_parts_and_phase)
{
	smtp_reply r;
	CHECK_INT(reply_from_parts(0, result_enhanced_pack(5, 1, 1), "no\x01such", 7, &r), MV_OK);
	CHECK_STR(r.text, "no such");
	reply_class k;
	reply_classify(&r, REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_USER_UNKNOWN);
	reply_free(&r);
	CHECK_INT(reply_phase_from_text("x (in reply to MAIL FROM command)", 33), REPLY_PHASE_MAIL);
	CHECK_INT(reply_phase_from_text("nothing", 7), REPLY_PHASE_UNKNOWN);
	CHECK_STR(reply_phase_name(REPLY_PHASE_CONNECT), "connect");
}

/* ---- classification ------------------------------------------------------------------ */

static void classify_str(const char *s, reply_phase ph, reply_class *k)
{
	smtp_reply r;
	if (reply_parse_text(s, strlen(s), &r) != MV_OK) {
		memset(k, 0, sizeof(*k));
		return;
	}
	reply_classify(&r, ph, k);
	reply_free(&r);
}

TEST(reply_classify_policy)
{
	reply_class k;
	/* the text decides over the code */
	classify_str("550 5.7.1 No such user here", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_USER_UNKNOWN);
	CHECK_INT(k.verdict, VERDICT_INVALID);
	classify_str("550 5.1.1 Rate limit exceeded, try again later", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_RATE_LIMITED);
	CHECK_INT(k.owner, OWNER_SENDER);
	CHECK_INT(k.verdict, VERDICT_UNKNOWN);
	/* 4xx user unknown: invalid but not permanent */
	classify_str("450 4.1.1 <a@b.test>: Recipient address rejected: User unknown", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.verdict, VERDICT_INVALID);
	CHECK(!k.permanent);
	/* phase: 5xx at MAIL FROM or at the banner is never the recipient's */
	classify_str("550 5.1.1 User unknown", REPLY_PHASE_MAIL, &k);
	CHECK_INT(k.owner, OWNER_SENDER);
	CHECK_INT(k.verdict, VERDICT_UNKNOWN);
	classify_str("554 5.2.2 mailbox full", REPLY_PHASE_CONNECT, &k);
	CHECK(k.owner != OWNER_RECIPIENT);
	/* Postfix's login-mismatch reject is authentication, not a sender-domain policy */
	classify_str("553 5.7.1 <me@b.test>: Sender address rejected: not logged in", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_AUTH_FAILURE);
	CHECK_INT(k.owner, OWNER_SENDER);
	CHECK_INT(k.verdict, VERDICT_UNKNOWN);
	/* a HELO reject wrapped over lines names a host, not the recipient's domain */
	classify_str("host mx.b.test[192.0.2.7] said: 450 4.7.1 <h.c.test>: Helo\n"
		     "command rejected: Host not found (in reply to RCPT TO command)", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_POLICY_BLOCK);
	CHECK_INT(k.owner, OWNER_SENDER);
	/* a recipient callout that failed because the recipient does not exist */
	classify_str("550-Callout verification failed:\n550 550 5.1.1 <u@b.test>: Recipient address rejected: "
		     "User unknown", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_USER_UNKNOWN);
	CHECK_INT(k.verdict, VERDICT_INVALID);
	/* a relay refusal that mentions logging in stays a relay refusal */
	classify_str("550-h.b.test [192.0.2.9] is currently not permitted to relay through\n550-this server. "
		     "Perhaps you have not logged into the pop/imap server in the last\n550 30 minutes",
		     REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_RELAY_DENIED);
	/* 503 and friends with no words we know: the client's protocol error */
	classify_str("503 Valid RCPT command must precede DATA", REPLY_PHASE_DATA, &k);
	CHECK_INT(k.reason, REASON_SYNTAX_ERROR);
	CHECK_INT(k.owner, OWNER_SENDER);
	/* Postfix's "try again" DNS answer is a temporary failure, not a missing domain */
	{
		const char *t = "Host or domain name not found. Name service error for name=b.test type=MX: "
				"Host not found, try again";
		smtp_reply r;
		CHECK_INT(reply_from_parts(0, result_enhanced_pack(4, 4, 3), t, strlen(t), &r), MV_OK);
		reply_classify(&r, REPLY_PHASE_RCPT, &k);
		CHECK_INT(k.reason, REASON_TEMPORARY_FAILURE);
		CHECK_INT(k.verdict, VERDICT_UNKNOWN);
		reply_free(&r);
	}
	/* 2xx */
	classify_str("250 2.1.5 Ok", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.verdict, VERDICT_DELIVERABLE);
	CHECK_INT(k.reason, REASON_ACCEPTED);
	classify_str("220 mx.example.test ESMTP", REPLY_PHASE_CONNECT, &k);
	CHECK_INT(k.reason, REASON_ACCEPTED);
	CHECK_INT(k.verdict, VERDICT_NONE);
	/* every class has an action and a rule */
	CHECK(k.action != NULL && k.rule != NULL);
	classify_str("599 ???", REPLY_PHASE_RCPT, &k);
	CHECK(k.action != NULL && k.rule != NULL);
	CHECK_INT(k.verdict, VERDICT_UNKNOWN);
	/* no reply at all */
	reply_classify(NULL, REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.verdict, VERDICT_UNKNOWN);
	smtp_reply empty = { 0 };
	reply_classify(&empty, REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.verdict, VERDICT_UNKNOWN);
}

/* Capitals outside ASCII fold too: Latin-1 (É, Á) and Cyrillic (Д, Ё), so a
 * rule's lower-case words match a server that writes them capitalised. */
TEST(reply_classify_case_folding)
{
	reply_class k;
	classify_str("550 Домен не найден", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_DOMAIN_NOT_FOUND);
	classify_str("550 ДОМЕН НЕ НАЙДЕН", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_DOMAIN_NOT_FOUND);
	classify_str("552 СООБЩЕНИЕ СЛИШКОМ БОЛЬШОЕ", REPLY_PHASE_DATA, &k);
	CHECK_INT(k.reason, REASON_MESSAGE_TOO_BIG);
	classify_str("550 ЧЁРНЫЙ СПИСОК", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_BLOCKLISTED_IP);
	classify_str("550 DESTINATÁRIO INVÁLIDO", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_USER_UNKNOWN);
	classify_str("550 ADRESSE DE L'EXPÉDITEUR REFUSÉE", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.owner, OWNER_SENDER);
	/* the multiplication sign is no letter; a lone lead byte at the end is kept */
	classify_str("550 5.7.1 \xc3\x97 \xd0", REPLY_PHASE_RCPT, &k);
	CHECK_INT(k.reason, REASON_POLICY_BLOCK);
}

TEST(reply_rules_well_formed)
{
	CHECK(reply_rule_count() > 300);
	for (size_t i = 0; i < reply_rule_count(); i++) {
		const char *ph = reply_rule_phrase(i);
		size_t n = strlen(ph);
		for (size_t j = 0; j < n; j++) {
			if (ph[j] >= 'A' && ph[j] <= 'Z')
				test_fail(__FILE__, __LINE__, "rule %s: phrase not lower case", reply_rule_id(i));
			if (ph[j] == ' ' && (j == 0 || j + 1 == n || ph[j + 1] == ' '))
				test_fail(__FILE__, __LINE__, "rule %s: phrase spacing", reply_rule_id(i));
		}
		CHECK(reply_rule_source(i)[0] != '\0');
	}
	CHECK(reply_rule_id(reply_rule_count()) == NULL);
}

/* ---- general wordings ------------------------------------------------------------------ */

/* One synthetic but realistic reply for each general wording the rules know
 * (assets/reply-rules.tsv): the wording as real MTAs and providers put it,
 * in English and in the other languages the rules read, with the reading
 * mailvet's policy gives it. The corpus tests hold the rules to real lines;
 * this holds each family of words to its reason, so a rule that goes missing
 * or is shadowed by an earlier one fails here by name. */
static const struct synth { reply_phase phase; const char *text, *verdict, *owner, *reason; } synth[] = {
	{ REPLY_PHASE_RCPT, "550 5.1.1 <u@b.test>... User unknown", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 <u@b.test> is not a known user on this system", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 No mail box available for this user", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "553 sorry, badrcptto(user mail-box not found) (#5.7.1)", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "553 sorry, your envelope recipient is in my badrcptto list (#5.7.1)", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 u@b.test is not an active address at this host", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 BAD_RECIPIENT u@b.test", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Bad recipient", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 <u@b.test>: user not known", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Recipient is not local", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 u@b.test is not a local address", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Unknown email address", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Unknown e-mail address <u@b.test>", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 The email address could not be found", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 There is no one at this address", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Mailbox not present", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Requested action not taken: mailbox is unavailable", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "vdeliver: Invalid or unknown virtual user 'u' (#5.1.1)", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Recipient <u@b.test> not found", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 User u@b.test not found", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 No account by that name here", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Postfach u@b.test existiert nicht", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Kein Postfach mit diesem Namen", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Adresse introuvable", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Usuario no encontrado", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Utente non trovato", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Usuário não encontrado", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Destinatário inválido", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Destinatario no válido", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Gebruiker niet gevonden", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Нет такого пользователя", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Неизвестный получатель", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 无此用户", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 没有这个用户", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 宛先が見つかりません", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 5.2.1 User account is expired", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 5.2.1 Expired account", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 该用户已停用", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 用户已被禁用", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 此帐号已注销", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Почтовый ящик удален", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Почтовый ящик отключен", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Conta desativada", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 このアドレスは無効です", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 recipient suspend the service", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 该帐号已被冻结", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 帳號已凍結", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 该邮箱暂停使用", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Почтовый ящик временно заблокирован", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 A conta do destinatário está bloqueada", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 A conta foi suspensa", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "552 User mailbox exceeds allowed size", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 The recipient does not have enough space", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Mailfolder is full", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 u is over disk quota", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Account is exceeding their quota", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 The user's space has been used up", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Too much mail data", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Recipient rejected: mailbox would exceed maximum allowed storage", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Mailbox is out of space", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Cuota excedida para el destinatario", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Espacio insuficiente en el buzón", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Quota superata", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Spazio insufficiente nella casella", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Cota excedida", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Quota excedida", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Espaço insuficiente", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Quotum overschreden", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Espace insuffisant dans la boîte du destinataire", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Превышена квота почтового ящика", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Почтовый ящик полон", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 邮箱容量已满", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 邮箱空间已满", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 收件人邮箱超过容量", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 メールボックスが満杯です", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "<u@b.test>: [b.test]: Name or service not known", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Unknown host b.test", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Recipient domain must exist", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Mail domain mentioned in email address is unknown", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 No matches to nameserver query", "invalid", "recipient", "user_unknown" },   /* ph (CCSO): no such person */
	{ REPLY_PHASE_RCPT, "550 5.1.2 NXDOMAIN for b.test", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 5.1.2 b.test has no valid MX", "invalid", "recipient", "no_mx" },
	{ REPLY_PHASE_RCPT, "550 Domaine inexistant", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Domaine inconnu", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Le domaine b.test n'existe pas", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Domain existiert nicht", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Domain unbekannt", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 El dominio no existe", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Dominio inexistente", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Dominio desconocido", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Dominio inesistente", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Il dominio non esiste", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Domínio inexistente", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 O domínio não existe", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Het domein bestaat niet", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Домен b.test не существует", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Домен не найден", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 收件人域名不存在", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 網域不存在", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 ドメインが存在しません", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "553 5.1.3 Invalid email address", "invalid", "recipient", "syntax_error" },
	{ REPLY_PHASE_RCPT, "553 Invalid e-mail address <u@@b.test>", "invalid", "recipient", "syntax_error" },
	{ REPLY_PHASE_RCPT, "553 Requested action not taken: mailbox syntax incorrect", "invalid", "recipient", "syntax_error" },
	{ REPLY_PHASE_RCPT, "553 Illegal address", "invalid", "recipient", "syntax_error" },
	{ REPLY_PHASE_RCPT, "553 Invalid character in address", "invalid", "recipient", "syntax_error" },
	{ REPLY_PHASE_RCPT, "550 Sender address rejected: Domain not found", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Fake sender: a@c.test", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Forged sender address, user unknown", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_RCPT, "550 Forged From: header", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_RCPT, "550 Sender address is forged", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_RCPT, "550 Bogus mail from a@c.test", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Bogus sender address", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Our server does not accept mail from your domain", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 5.7.1 Not accepting mail from this sender", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 5.7.1 Mail is rejected by recipients", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Unroutable sender address", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Unrouteable sender domain", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "451 Sender verify defer", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Sender does not exist", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Sender address does not exist", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 The sender's domain has no MX", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Envelope-from domain rejected: user unknown", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Invalid Return-Path: user unknown", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Adresse de l'expéditeur inconnue", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Absenderadresse unbekannt", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Absender unbekannt", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Remitente desconocido", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Mittente sconosciuto", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Remetente desconhecido", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Afzender onbekend", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Отправитель не существует", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 发件人不存在", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 发信人被拒绝", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 差出人アドレスが存在しません", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_MAIL, "535 5.7.8 Password has expired", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_DATA, "550 192.0.2.1 is not allowed to send mail from c.test", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_DATA, "550 192.0.2.1 is not one of c.test's designated mail servers", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_DATA, "550 5.7.1 The domain c.test does not designate 192.0.2.1 as permitted sender", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_DATA, "550 5.7.9 DomainKeys signature invalid", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "530 5.7.0 SMTP AUTH required", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "530 Auth required", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "530 Auth is required for this server", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Invalid credentials", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Login failed", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Invalid login", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Autenticación fallida", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Autenticazione fallita", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Ошибка аутентификации", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Требуется авторизация", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 认证失败", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 認證失敗", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 認証に失敗しました", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 Error: 身份验证失败", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_MAIL, "535 登录失败", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_RCPT, "554 Insecure mail relay", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 This system is not configured to relay mail", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "554 5.7.1 Relay access is denied", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relay to external domains not allowed", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relay for this domain not permitted", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relaying is not allowed", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Cannot relay", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 We can't relay for you", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 This server will not relay mail", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relay not authorized", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relaying not authorized", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relais refusé", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Le relais est interdit", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relayage non autorisé", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relaying ist nicht erlaubt", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Weiterleitung nicht erlaubt", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Retransmisión denegada", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Relay no permitido", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Ретрансляция запрещена", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 不允许中继", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 中継は許可されていません", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_RCPT, "550 Denied due to spam list", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_RCPT, "450 DT:RBL mx.b.test", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 192.0.2.1 listed at cbl.abuseat.org", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Rejected: IP in Abusix Mail Intelligence", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Blocked by dsbl", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Rejected by njabl", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 In spews level 2", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Blocked: ips.backscatterer.org", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Rejected: ix.nixspam", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Rejected by hostkarma", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Rejected by LashBack UBL", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Rejected by GBUdb truncate", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 In DroneBL", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Blocked by work.drbl", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Blocked by senderscore", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Listed in 0spam", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Listed: WPBL", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Your IP is in our black-list", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Your IP is on our block-list", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Sender on denylist", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Sender IP in our deny list", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Your IP 192.0.2.1 is listed", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 192.0.2.1 is currently listed", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 Su IP está en lista negra", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IP in lista nera", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IP staat op een zwarte lijst", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IP в черном списке", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IP в чёрном списке", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IP在黑名单中", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IP在黑名單中", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_CONNECT, "554 IPがブラックリストに登録されています", "unknown", "sender", "blocklisted_ip" },
	{ REPLY_PHASE_DATA, "553 Blocked using spam pattern", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Your message failed several antispam checks (spf, HELO, PTR)", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Failed anti-spam checks; check SPF", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Probable Spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam email", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam e-mail rejected", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 This is spam mail", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam-Mail abgelehnt", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 SPAM NOT ACCEPTED", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Rejected by filter (spam)", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Your email had spam-like header contents", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Your email appears similar to spam we have received before", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 This message appears to be spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam check failed", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam blocked", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Message triggered a spam block", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam refused", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam rejection", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam rejected", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 This message scored 9.1 spam points", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Rejected - MCSpamSignature.x", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Blocked by spam filter", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Blocked by spamfilter", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Over spam threshold", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Identified by our anti spam engine", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Spam-score too high", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 High spam probability", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Message has spam characteristics", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Blocked by policy: no spam please", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 We dont accept spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Too much spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Spamming not allowed", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Rejected - bulk email", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Bulk e-mail is not accepted", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 REJECT bulk.advertising", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Message infected", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Trojan found in message", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Message rejected because of unacceptable content", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Objectionable material", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Rejected by Recurrent Pattern Detection System", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Message contains a suspicious link", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Suspicious URL in message", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 DT:SPM 163 mx", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 Mail content denied", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Message indésirable", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Correo no deseado", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Messaggio indesiderato", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Mensagem indesejada", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Unerwünschte Nachricht", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Ongewenste e-mail", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 Сообщение похоже на спам", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 疑似垃圾内容", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 邮件含有病毒", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 ウイルスが検出されました", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "550 5.7.501 Access denied, spam abuse detected", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_MAIL, "554 Sending address not accepted due to spam filter", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_DATA, "552 Mensaje con demasiado grande", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_RCPT, "452 Demasiadas conexiones", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Troppi destinatari", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Troppe connessioni", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Te veel verbindingen", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Trop de destinataires", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Excesso de conexões", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Слишком много получателей", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "452 Превышен лимит отправки", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 发送频率过高", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 发信过于频繁", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 發送頻率過高", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 接続数が多すぎます", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 Message rate exceeded", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 Hourly limit reached", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_CONNECT, "421 HL:ICC 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_CONNECT, "421 HL:IFQ 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_DATA, "450 MI:DMC 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_DATA, "450 MI:CCL 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_DATA, "451 MI:STC 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 RP:DRC 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 RP:CCL 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 RP:TRC 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "450 RP:QRC 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "451 RP:CEL 163 mx", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_MAIL, "421 Error: too many unauthenticated commands", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_DATA, "552 Oversized message", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Message is too long", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 The size of your message exceeds our limit", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Exceeds maximum allowed size", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "554 Message rejected due to size", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Nachricht zu gross", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Nachrichtengröße überschritten", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Maximale Größe überschritten", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Message trop gros", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Tamanho máximo excedido", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Сообщение слишком большое", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Размер письма превышает допустимый", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 Размер сообщения превышен", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 邮件过大", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 邮件太大", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 邮件大小超过限制", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 超出大小限制", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "552 メールサイズが上限を超えています", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_DATA, "SMTP error 552: Maximum message size exceeded", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_RCPT, "connect to mx.b.test[192.0.2.1]:25: Connection refused", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_CONNECT, "554 Connection refused", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "Connection reset by peer", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "lost connection with mx.b.test[192.0.2.1] while receiving the initial server greeting", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "connect to mx.b.test[192.0.2.1]:25: Network is unreachable", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "connect to mx.b.test[192.0.2.1]:25: Connection timed out", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "451 Попробуйте позже", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "451 请稍后重试", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "<u@b.test>: Name service error for name=b.test type=MX: Malformed or unexpected name server reply", "unknown", "none", "system_error" },
	{ REPLY_PHASE_RCPT, "554 local mailer error", "unknown", "none", "system_error" },
	{ REPLY_PHASE_RCPT, "451 系统繁忙", "unknown", "none", "system_error" },
	{ REPLY_PHASE_RCPT, "451 4.7.1 Greylisted: en liste grise, réessayez", "unknown", "none", "greylisted" },
	{ REPLY_PHASE_RCPT, "451 Está en lista gris, reintente", "unknown", "none", "greylisted" },
	{ REPLY_PHASE_RCPT, "451 Graue Liste: bitte später erneut versuchen", "unknown", "none", "greylisted" },
	{ REPLY_PHASE_RCPT, "450 Recipient address rejected: deferred for 300 seconds", "unknown", "none", "greylisted" },
	{ REPLY_PHASE_DATA, "550 AOL: not accepting mail with attachments or embedded images", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_DATA, "550 5.7.1 Our system has detected that this message does not meet IPv6 sending guidelines regarding PTR records and authentication", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "554 HL:IHU 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "554 HL:IPB 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "421 HL:MEP 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "421 HL:REP 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_HELO, "550 MI:NHD 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_MAIL, "550 MI:IMF 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_DATA, "550 DT:SUM 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "450 WM:BLI 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_MAIL, "450 WM:BLU 163 mx", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "554 Go away", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_CONNECT, "554 You are not welcome here", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Forbidden", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Not permitted", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Message rejeté", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Accès interdit", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Nicht erlaubt", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Zugriff verweigert", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Acceso denegado", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 No permitido", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Invio non consentito", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Mensagem rejeitada", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Mensagem recusada", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Bericht afgewezen", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Niet toegestaan", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Сообщение отклонено", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Доступ запрещен", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Отказ в обслуживании", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 邮件被拒绝", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 郵件被拒絕", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 禁止发送", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "554 Connection refused(mx). MAIL FROM [a@c.test] mismatches client IP [192.0.2.1]", "unknown", "sender", "policy_block" },
	/* a log line with the code stripped: the weak words still read it */
	{ REPLY_PHASE_RCPT, "Message rejected", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "Sending forbidden", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "Mail not accepted", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "The domain is unreachable", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "Illegal characters in address", "invalid", "recipient", "syntax_error" },
	/* the size and quota words before "limit exceeded" and "quota exceeded" */
	{ REPLY_PHASE_DATA, "552 Message size limit exceeded", "unknown", "sender", "message_too_big" },
	{ REPLY_PHASE_MAIL, "Daily sending quota exceeded", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_CONNECT, "554 Hourly relay quota reached", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "552 Mailbox limit exceeded", "risky", "recipient", "mailbox_full" },
	/* 4.2.1 alone: the mailbox is not taking mail now (Gmail's receive-rate code), not a dead address */
	{ REPLY_PHASE_RCPT, "450 4.2.1 <a@b.test>", "unknown", "recipient", "rate_limited" },
	{ REPLY_PHASE_DATA, "550 5.2.1 Subject is required", "unknown", "sender", "syntax_error" },
	/* wordings a probe of paraphrases found unread; the sender-side ones stay the sender's */
	{ REPLY_PHASE_RCPT, "550 That user is not registered", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "452 Recipient's mailbox is over its limit", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "552 Mailbox size exceeded", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "550 The recipient does not have a mailbox on this server", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Recipient address is not valid", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Ongeldig adres", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Adresat nie istnieje", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 This mailbox has been blocked by the administrator", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Domain does not resolve", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "550 Domain name not registered", "invalid", "recipient", "domain_not_found" },
	{ REPLY_PHASE_RCPT, "Host unreachable", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "550 Recipient rejected: your server is not trusted", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "421 Max connections reached for your IP", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "550 Your message contains a blocked URL", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 No such local user", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Unknown or illegal alias", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Account has been removed", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Adresse e-mail inconnue", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Postfach nicht gefunden", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Kein solcher Benutzer", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Dirección de correo no válida", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Indirizzo email non valido", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 該当するユーザーはいません", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Такого ящика нет", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Nieprawidłowy adres odbiorcy", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Uživatel neexistuje", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Account disattivato", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Учетная запись заблокирована", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 Mensaje detectado como spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 Messaggio classificato come spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 sender domain does not resolve", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Indirizzo del mittente non valido", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Absender nicht gefunden", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 sender address invalid", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_DATA, "554 5.7.1 Your message could not be sent. The limit on the number of allowed outgoing messages was exceeded.", "unknown", "sender", "rate_limited" },
	/* more languages: no such user, and the sender trap first (ko vi tr cs hu sv da no fi el uk ar he th id) */
	{ REPLY_PHASE_RCPT, "550 존재하지 않는 사용자입니다", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 수신자가 존재하지 않습니다", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 없는 계정입니다", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 스팸으로 분류되었습니다", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 휴면 계정입니다", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 수신 거부되었습니다", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Địa chỉ email không tồn tại", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Kullanıcı bulunamadı", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Böyle bir kullanıcı yok", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Neznámý příjemce", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Címzett nem létezik", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Mottagaren finns inte", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Modtageren findes ikke", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Mottakeren finnes ikke", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Vastaanottajaa ei ole olemassa", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Ο παραλήπτης δεν υπάρχει", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Користувача не існує", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Адресата не существует", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 المستخدم غير موجود", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 המשתמש לא קיים", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 ผู้ใช้ไม่มีอยู่", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Pengguna tidak ditemukan", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Alamat email tidak ada", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "554 邮件内容被判定为垃圾邮件", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 발신자가 존재하지 않습니다", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Gönderen bulunamadı", "unknown", "sender", "policy_block" },
	{ REPLY_PHASE_RCPT, "550 Avsändaren finns inte", "unknown", "sender", "policy_block" },
	/* mailbox full in more languages, read by their words (a 4xx has no 552 to lean on) */
	{ REPLY_PHASE_RCPT, "452 메일함 용량이 초과되었습니다", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Hộp thư đã đầy", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Posta kutusu dolu", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Postlådan är full", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Postkassen er fuld", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Postilaatikko on täynnä", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Kotak surat penuh", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 收件箱已满", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Mailbox zit vol", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Η θυρίδα είναι γεμάτη", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Поштова скринька переповнена", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Postafiók megtelt", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_RCPT, "452 Kvóta překročena", "risky", "recipient", "mailbox_full" },
	/* MTA log texts with no server reply in them */
	{ REPLY_PHASE_RCPT, "mail forwarding loop for jane@example.com", "unknown", "none", "system_error" },
	{ REPLY_PHASE_RCPT, "conversation with mx.example.com[192.0.2.1] timed out while sending RCPT TO", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_RCPT, "retry time not reached for any host after a long failure period", "unknown", "none", "temporary_failure" },
	{ REPLY_PHASE_MAIL, "451 MI:SFQ 发信人在15分钟内的发信数量超过限制", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "550 The mail may contain inappropriate words or links", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 5.7.1 The account has been dormant", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "452 4.2.2 Account x@aol.com is receiving too much mail", "unknown", "recipient", "rate_limited" },
	/* sisimai phrase lists (lib/Sisimai/Reason) */
	{ REPLY_PHASE_RCPT, "550 5.1.1 <u@b.test>: unknown local-part", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 <u@b.test>: Recipient not OK", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "553 sorry, this recipient is not in my validrcptto list (#5.7.1)", "invalid", "recipient", "user_unknown" },
	{ REPLY_PHASE_RCPT, "550 Address u@b.test has been replaced by v@b.test", "invalid", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "550 5.2.1 <u@b.test>: Recipient rejected: Temporarily inactive", "risky", "recipient", "mailbox_disabled" },
	{ REPLY_PHASE_RCPT, "421 4.7.0 Account disabled temporarly for exceeding receiving limits", "unknown", "recipient", "rate_limited" },
	{ REPLY_PHASE_RCPT, "550 5.7.0 Account disabled for exceeding receiving limits", "risky", "recipient", "rate_limited" },
	{ REPLY_PHASE_RCPT, "552 5.2.2 mail file size exceeds the maximum size allowed for mail delivery", "risky", "recipient", "mailbox_full" },
	{ REPLY_PHASE_DATA, "554 Throttling failure: Daily message quota exceeded.", "unknown", "sender", "rate_limited" },
	{ REPLY_PHASE_RCPT, "550 5.7.1 Unable to deliver to u@b.test: we don't handle mail for b.test", "unknown", "sender", "relay_denied" },
	{ REPLY_PHASE_DATA, "550 5.7.1 Rejected because the sending MTA or the sender has not passed validation", "unknown", "sender", "auth_failure" },
	{ REPLY_PHASE_DATA, "550 5.7.1 Message refused by Trustwave SEG SpamProfiler", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_DATA, "554 5.6.0 Message mime complexity exceeds the policy maximum", "unknown", "sender", "syntax_error" },
	{ REPLY_PHASE_RCPT, "554 5.4.6 Hop count exceeded: mail forwarding loop for u@b.test", "unknown", "none", "system_error" },
	{ REPLY_PHASE_DATA, "550 Message is being rejected as it seems to be a spam", "unknown", "sender", "spam_content" },
	{ REPLY_PHASE_RCPT, "550 5.1.1 Die Nachricht konnte nicht zugestellt werden, weil die Adresse nicht gefunden wurde", "invalid", "recipient", "user_unknown" },
};

/* The words before a code are read only when the words after it name nothing. */
TEST(reply_lead_words)
{
	static const struct { const char *text, *reason; } c[] = {
		{ "Mailbox limit exceeded while appending message 550 <a@b.test>... Can't create output", "mailbox_full" },
		{ "Quota exceeded for this mailbox: 552 <a@b.test>", "mailbox_full" },
		/* the text after the code decides when it says something */
		{ "Mailbox limit exceeded while appending message 550 5.7.1 Message rejected as spam", "spam_content" },
		/* "said:" ends the log's own words: "user unknown" there is not read */
		{ "user unknown in the log host mx.b.test said: 550 <a@b.test>", "policy_block" },
		/* a code named in brackets at the end, the words before it */
		{ "<a@b.test>: Requested action not taken: mailbox unavailable. [SMTP Error Code 550]", "user_unknown" },
		{ "<a@b.test>: Mailbox is full (error 552)", "mailbox_full" },
		/* a reply that quotes another after "said:" is the outer one */
		{ "550 5.1.7 <s@x.test>: Sender address rejected: undeliverable address: host mx.x.test[192.0.2.6] "
		  "said: 550 <s@x.test> recipient rejected", "policy_block" },
		{ "<a@b.test>: host mx.b.test[192.0.2.1] said: 550 5.1.1 <a@b.test>: Recipient address rejected: "
		  "User unknown (in reply to RCPT TO command)", "user_unknown" },
		/* qmail's log writes spaces as underscores */
		{ "failure: 192.0.2.48_does_not_like_recipient./Remote_host_said:_550_No_such_user/Giving_up_on_192.0.2.48.",
		  "user_unknown" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		smtp_reply r;
		reply_class k;
		CHECK_INT(reply_parse_text(c[i].text, strlen(c[i].text), &r), MV_OK);
		reply_classify(&r, REPLY_PHASE_RCPT, &k);
		CHECK_STR(reason_name(k.reason), c[i].reason);
		reply_free(&r);
	}
	smtp_reply r;
	const char *s = "Mailbox limit exceeded while appending message 550 <a@b.test>";
	CHECK_INT(reply_parse_text(s, strlen(s), &r), MV_OK);
	CHECK(r.lead != NULL);
	CHECK_STR(r.lead, "Mailbox limit exceeded while appending message");
	reply_free(&r);
	CHECK_INT(reply_parse_text("550 5.1.1 <a@b.test>", 20, &r), MV_OK);
	CHECK(r.lead == NULL);
	reply_free(&r);
}

TEST(reply_synthetic_general)
{
	size_t n = sizeof(synth) / sizeof(synth[0]);
	CHECK(n >= 100);
	for (size_t i = 0; i < n; i++) {
		reply_class k;
		smtp_reply r;
		const char *s = synth[i].text;
		/* as the bounce readers do: a text with no code is read for its words alone */
		if (reply_parse_text(s, strlen(s), &r) != MV_OK &&
		    reply_from_parts(0, 0, s, strlen(s), &r) != MV_OK) {
			test_fail(__FILE__, __LINE__, "unreadable: %s", s);
			continue;
		}
		reply_classify(&r, synth[i].phase, &k);
		if (strcmp(verdict_name(k.verdict), synth[i].verdict) || strcmp(owner_name(k.owner), synth[i].owner) ||
		    strcmp(reason_name(k.reason), synth[i].reason))
			test_fail(__FILE__, __LINE__, "%s\n    want %s/%s/%s, got %s/%s/%s by %s", s, synth[i].verdict,
				  synth[i].owner, synth[i].reason, verdict_name(k.verdict), owner_name(k.owner),
				  reason_name(k.reason), k.rule);
		reply_free(&r);
	}
}

TEST(reply_corpus)
{
	struct score sc;
	run_corpus("tests/data/replies.tsv", &sc, true, test_fail);
	CHECK(sc.n >= 300);
	CHECK(sc.nprov >= 25);
}

/* The held-out set (replies the rules were never written or tuned on) is
 * scored by make bench against the accuracy target, never asserted line by
 * line; here every line of it must be readable, and a round, once in, is not
 * a handful of lines. */
TEST(reply_holdout_readable)
{
	struct score sc;
	run_corpus("tests/data/replies_holdout.tsv", &sc, false, test_fail);
	CHECK(sc.n == 0 || sc.n >= 80);   /* between rounds: the header alone */
	run_corpus("tests/data/replies_natural.tsv", &sc, false, test_fail);
	CHECK(sc.n == 0 || sc.n >= 15);
}
