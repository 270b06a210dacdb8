/* bounces: the readers, the provider map and the segmentation model. */
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "mailvet/bounces.h"
#include "mailvet/buf.h"
#include "mailvet/result.h"

static const bounce_group *find_group(const bounce_group *g, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].name, name))
			return &g[i];
	return NULL;
}

static const bounce *find_addr(const bounce_set *b, const char *addr)
{
	for (size_t i = 0; i < bounces_count(b); i++)
		if (!strcmp(bounces_get(b, i)->addr, addr))
			return bounces_get(b, i);
	return NULL;
}

TEST(bounces_degenerate)
{
	bounces_destroy(NULL);
	bounce_set *b = bounces_create();
	CHECK(b != NULL);
	CHECK_INT(bounces_count(b), 0);
	CHECK(bounces_get(b, 0) == NULL);
	CHECK_INT(bounces_add(b, "nobody", 6, "550 x", 5, 0, NULL, 0, "t", 1), MV_PARSE);
	CHECK_INT(bounces_add(b, "@x.test", 7, "550 x", 5, 0, NULL, 0, "t", 1), MV_PARSE);
	CHECK_INT(bounces_add(b, "a@", 2, "550 x", 5, 0, NULL, 0, "t", 1), MV_PARSE);
	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.total, 0);
	CHECK_INT(s.nproviders, 0);
	bounce_seg_free(&s);
	bounce_seg_free(NULL);
	bounce_read_info info;
	CHECK_INT(bounces_read_path(b, "/nonexistent/bounces.log", BOUNCE_FMT_AUTO, &info), MV_NOENT);
	/* nothing that looks like a bounce: a log with no bounce lines */
	const char *log = "Mar 3 09:00:00 mx postfix/smtp[1]: 4Q: to=<a@b.test>, status=sent (250 ok)\n";
	CHECK_INT(bounces_read_mem(b, log, strlen(log), BOUNCE_FMT_LOG, "x", &info), MV_OK);
	CHECK_INT(bounces_count(b), 0);
	bounces_destroy(b);
}

TEST(bounces_providers)
{
	CHECK_STR(bounces_provider_of("gmail.com", NULL), "Google");
	CHECK_STR(bounces_provider_of("hotmail.co.uk", NULL), "Microsoft");
	CHECK_STR(bounces_provider_of("yahoo.fr", ""), "Yahoo");
	CHECK_STR(bounces_provider_of("aol.com", NULL), "Yahoo");
	CHECK(bounces_provider_of("hotmail", NULL) == NULL);
	CHECK(bounces_provider_of("nothotmail.com", NULL) == NULL);
	/* a custom domain hosted by a known operator groups by its MX */
	CHECK_STR(bounces_provider_of("acme.example", "acme-example.mail.protection.outlook.com"), "Microsoft");
	CHECK_STR(bounces_provider_of("acme.example", "aspmx.l.google.com"), "Google");
	CHECK(bounces_provider_of("acme.example", "notgoogle.com") == NULL);
	CHECK(bounces_provider_of("acme.example", NULL) == NULL);
}

TEST(bounces_postfix_exim_log)
{
	const char *log =
		"Mar  3 09:12:01 mail postfix/smtp[1]: A1: to=<Ana@Gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.1]:25, delay=1, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.1] said: 550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550 5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. (in reply to end of DATA command))\n"
		"Mar  3 09:12:02 mail postfix/smtp[1]: A2: to=<bo@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.1]:25, dsn=5.7.1, status=bounced (host x said: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org (in reply to RCPT TO command))\n"
		"Mar  3 09:12:03 mail postfix/smtp[1]: A3: to=<cy@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.1]:25, dsn=5.7.26, status=bounced (host x said: 550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy (in reply to end of DATA command))\n"
		"Mar  3 09:12:04 mail postfix/smtp[1]: A4: to=<di@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.1]:25, dsn=5.1.1, status=bounced (host x said: 550 5.1.1 The email account that you tried to reach does not exist. (in reply to RCPT TO command))\n"
		"Mar  3 09:12:05 mail postfix/smtp[1]: A5: to=<ed@shop.test>, relay=none, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=shop.test type=MX: Host not found, try again)\n"
		"Mar  3 09:12:06 mail postfix/smtp[1]: A6: to=<fi@mail.example>, relay=mx.mail.example[192.0.2.5]:25, dsn=5.1.1, status=bounced (host mx.mail.example[192.0.2.5] said: 550 5.1.1 <fi@mail.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))\n"
		"Mar  3 09:12:07 mail postfix/smtp[1]: A7: to=<gu@mail.example>, relay=mx.mail.example[192.0.2.5]:25, dsn=4.2.2, status=deferred (host x said: 452 4.2.2 Mailbox full)\n"
		"Mar  3 09:12:08 mail postfix/qmgr[2]: A7: removed\n"
		"2024-03-03 09:13:01 1rgXyz-0004Ab-Cd ** hu@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.40]: SMTP error from remote mail server after RCPT TO:<hu@example.net>: 550 No Such User Here\n"
		"2024-03-03 09:13:02 1rgXz0-0004Ac-De ** ik@old.test: Unrouteable address\n"
		"2024-03-03 09:13:03 1rgXz1-0004Ad-Ef ** jo@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.40]: SMTP error from remote mail server after MAIL FROM:<n@news.example> SIZE=1: 550-Verification failed for <n@news.example>\\n550-Unrouteable address\\n550 Sender verify failed\n"
		"2024-03-03 09:13:04 1rgXz2-0004Ae-Fg ** |/usr/bin/procmail R=pipe: Child process of pipe transport returned 1\n";
	bounce_set *b = bounces_create();
	bounce_read_info info;
	CHECK_INT(bounces_read_mem(b, log, strlen(log), BOUNCE_FMT_AUTO, "test.log", &info), MV_OK);
	CHECK_INT(info.format, BOUNCE_FMT_LOG);
	CHECK_INT(info.records, 9);
	CHECK_INT(info.skipped, 1);   /* the pipe address */
	CHECK_INT(bounces_count(b), 9);

	const bounce *x = find_addr(b, "ana@gmail.com");
	CHECK(x != NULL);
	if (x) {
		CHECK_INT(x->cls.reason, REASON_AUTH_FAILURE);
		CHECK_INT(x->cls.owner, OWNER_SENDER);
		CHECK_STR(x->mx, "gmail-smtp-in.l.google.com");
		CHECK_STR(x->provider, "Google");
		CHECK_INT(x->phase, REPLY_PHASE_DATA);
		CHECK(!bounce_is_suppressible(x));
	}
	x = find_addr(b, "ed@shop.test");
	CHECK(x && x->cls.reason == REASON_DOMAIN_NOT_FOUND && x->enhanced == result_enhanced_pack(5, 4, 4));
	CHECK(x && bounce_is_suppressible(x));
	x = find_addr(b, "hu@example.net");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN && !strcmp(x->mx, "mx.example.net"));
	x = find_addr(b, "jo@example.net");
	CHECK(x && x->cls.owner == OWNER_SENDER && x->phase == REPLY_PHASE_MAIL);
	CHECK(x && strstr(x->text, "\\n") == NULL);
	CHECK(find_addr(b, "gu@mail.example") == NULL);   /* deferred is not a bounce */

	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.total, 9);
	CHECK_INT(s.sender_side, 4);
	CHECK_INT(s.recipient_side, 5);
	CHECK_INT(s.suppressible, 5);
	CHECK_INT(s.by_reason[REASON_AUTH_FAILURE], 2);
	CHECK_STR(s.providers[0].name, "Google");
	const bounce_group *g = find_group(s.providers, s.nproviders, "Google");
	CHECK(g && g->total == 4 && g->sender_side == 3 && g->recipient_side == 1);
	g = find_group(s.domains, s.ndomains, "example.net");
	CHECK(g && g->total == 2 && g->by_reason[REASON_USER_UNKNOWN] == 1);
	/* the alert: Google, 3 of 4 sender-side, mostly auth */
	CHECK_INT(s.nalerts, 1);
	if (s.nalerts) {
		CHECK_STR(s.alerts[0].provider, "Google");
		CHECK_INT(s.alerts[0].sender_side, 3);
		CHECK_INT(s.alerts[0].top_reason, REASON_AUTH_FAILURE);
	}
	bounce_seg_free(&s);
	/* a stricter alert threshold removes it */
	bounce_seg_opts o = { 4, 50 };
	CHECK_INT(bounces_segment(b, &o, &s), MV_OK);
	CHECK_INT(s.nalerts, 0);
	bounce_seg_free(&s);
	bounces_destroy(b);
}

static const char dsn_two[] =
	"From MAILER-DAEMON Mon Mar  4 10:00:00 2024\n"
	"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n"
	"\n"
	"--B1\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx.example.com\n"
	"\n"
	"Final-Recipient: rfc822; ka@gmail.com\n"
	"Original-Recipient: rfc822;ka@gmail.com\n"
	"Action: failed\n"
	"Status: 5.1.1\n"
	"Remote-MTA: dns; gmail-smtp-in.l.google.com\n"
	"Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does\r\n"
	"    not exist. Please try 550-5.1.1 double-checking the recipient's email\r\n"
	"    address for typos or 550-5.1.1 unnecessary spaces. 550 5.1.1\r\n"
	"    https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp\n"
	"\n"
	"Final-Recipient: rfc822; lo@example.org\n"
	"Action: delayed\n"
	"Status: 4.4.1\n"
	"Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.9]:25: Connection timed out\n"
	"\n"
	"--B1--\n"
	"\n"
	"From MAILER-DAEMON Mon Mar  4 10:05:00 2024\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Final-Recipient: RFC822; <mi@corp.example>\n"
	"Action: failed\n"
	"Status: 5.7.1\n"
	"Remote-MTA: dns; corp-example.mail.protection.outlook.com\n"
	"Diagnostic-Code: smtp; 550 5.7.606 Access denied, banned sending IP [198.51.100.7]. To request removal from this list please visit https://sender.office.com/\n"
	"\n"
	"Final-Recipient: rfc822; no@nx.test\n"
	"Action: failed\n"
	"Status: 5.4.4\n"
	"Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error\n"
	"    for name=nx.test type=MX: Host not found\n";

TEST(bounces_dsn_mbox)
{
	bounce_set *b = bounces_create();
	bounce_read_info info;
	CHECK_INT(bounces_read_mem(b, dsn_two, strlen(dsn_two), BOUNCE_FMT_AUTO, "bounces.mbox", &info), MV_OK);
	CHECK_INT(info.format, BOUNCE_FMT_DSN);
	CHECK_INT(info.records, 3);
	CHECK_INT(info.other, 1);   /* the delayed one */
	const bounce *x = find_addr(b, "ka@gmail.com");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN && x->code == 550);
	CHECK(x && strstr(x->text, "550-") == NULL);
	CHECK(x && !strcmp(x->mx, "gmail-smtp-in.l.google.com"));
	x = find_addr(b, "mi@corp.example");
	CHECK(x && x->cls.reason == REASON_BLOCKLISTED_IP && !strcmp(x->provider, "Microsoft"));
	x = find_addr(b, "no@nx.test");
	CHECK(x && x->cls.reason == REASON_DOMAIN_NOT_FOUND && x->enhanced == result_enhanced_pack(5, 4, 4));
	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.total, 3);
	CHECK_INT(s.sender_side, 1);
	CHECK_INT(s.suppressible, 2);
	CHECK_INT(s.nproviders, 3);
	CHECK_INT(s.nalerts, 0);
	bounce_seg_free(&s);
	bounces_destroy(b);
}

/* Reports whose parts are quoted-printable or base64 (RFC 2045): decoded before reading. */
static const char *dsn_mime =
	"From MAILER-DAEMON Mon Mar  4 10:00:00 2024\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed;\n"
	"\tboundary=\"outer-1\"\n"
	"\n"
	"--outer-1\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"inner.2\"\n"
	"\n"
	"--inner.2\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"I'm sorry to have to inform you that your message could not be deli=\n"
	"vered. Diagnostic-Code: none =E2=80=94 see below.\n"
	"\n"
	"--inner.2\n"
	"Content-Type: message/delivery-status\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"UmVwb3J0aW5nLU1UQTogZG5zOyBtYWlsLmV4YW1wbGUudGVzdA0KQXJyaXZhbC1EYXRlOiBNb24s\n"
	"IDQgTWFyIDIwMjQgMTA6MDA6MDAgKzAwMDANCg0KRmluYWwtUmVjaXBpZW50OiByZmM4MjI7IHJh\n"
	"QGdtYWlsLmNvbQ0KQWN0aW9uOiBmYWlsZWQNClN0YXR1czogNS4xLjENClJlbW90ZS1NVEE6IGRu\n"
	"czsgZ21haWwtc210cC1pbi5sLmdvb2dsZS5jb20NCkRpYWdub3N0aWMtQ29kZTogc210cDsgNTUw\n"
	"LTUuMS4xIFRoZSBlbWFpbCBhY2NvdW50IHRoYXQgeW91IHRyaWVkIHRvIHJlYWNoIGRvZXMNCiAg\n"
	"ICBub3QgZXhpc3QuIFBsZWFzZSB0cnkgZG91YmxlLWNoZWNraW5nIHRoZSByZWNpcGllbnQncyBl\n"
	"bWFpbCBhZGRyZXNzLg0KDQpGaW5hbC1SZWNpcGllbnQ6IHJmYzgyMjsgc3VAd2ViLmRlDQpBY3Rp\n"
	"b246IGZhaWxlZA0KU3RhdHVzOiA1LjIuMg0KRGlhZ25vc3RpYy1Db2RlOiBzbXRwOyA1NTIgNS4y\n"
	"LjIgTWFpbGJveCBmdWxsDQo=\n"
	"--inner.2--\n"
	"--outer-1\n"
	"Content-Type: application/octet-stream\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IHp6QGV2aWwudGVzdApBY3Rpb246IGZhaWxlZApTdGF0dXM6IDUuMS4xCg==\n"
	"--outer-1--\n"
	"\n"
	"From MAILER-DAEMON Mon Mar  4 10:05:00 2024\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=b3\n"
	"\n"
	"--b3\n"
	"Content-Type: message/delivery-status\n"
	"Content-Transfer-Encoding: Quoted-Printable\n"
	"\n"
	"Final-Recipient: rfc822; ti@outlook.com\n"
	"Action: failed\n"
	"Status: 5.7.1\n"
	"Diagnostic-Code: smtp; 550 5.7.1 Service unavailable, Client host [198.51.100.7] blocked using Spa=\n"
	"mhaus. To request removal from this list see https://www.spamhaus.org/query/ip/198.51.100.7 =3D=3D\n"
	"\n"
	"Final-Recipient: rfc822; vo@gmx.de\n"
	"Action: failed\n"
	"Status: 5.1.1\n"
	"Diagnostic-Code: smtp; 550 5.1.1 <vo@gmx.de>: Empf=C3=A4nger unbekannt\n"
	"--b3--\n";

TEST(bounces_dsn_mime_encoded)
{
	bounce_set *b = bounces_create();
	bounce_read_info info;
	/* sniffed as a DSN although no Final-Recipient is readable before decoding */
	const char *b64_only = strstr(dsn_mime, "From MAILER-DAEMON Mon Mar  4 10:05");
	size_t first = (size_t)(b64_only - dsn_mime);
	CHECK_INT(bounces_read_mem(b, dsn_mime, first, BOUNCE_FMT_AUTO, "b64.mbox", &info), MV_OK);
	CHECK_INT(info.format, BOUNCE_FMT_DSN);
	CHECK_INT(info.records, 2);
	const bounce *x = find_addr(b, "ra@gmail.com");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN && x->code == 550);
	CHECK(x && !strcmp(x->mx, "gmail-smtp-in.l.google.com"));
	CHECK(x && strstr(x->text, "does not exist") != NULL);   /* the folded line, decoded and joined */
	x = find_addr(b, "su@web.de");
	CHECK(x && x->cls.reason == REASON_MAILBOX_FULL && x->enhanced == result_enhanced_pack(5, 2, 2));
	/* a base64 part that is neither text nor a report is not read as one */
	CHECK(find_addr(b, "zz@evil.test") == NULL);
	bounces_destroy(b);

	/* the whole mbox: base64 and quoted-printable messages, soft breaks and =XX */
	b = bounces_create();
	CHECK_INT(bounces_read_mem(b, dsn_mime, strlen(dsn_mime), BOUNCE_FMT_AUTO, "mime.mbox", &info), MV_OK);
	CHECK_INT(info.format, BOUNCE_FMT_DSN);
	CHECK_INT(info.records, 4);
	x = find_addr(b, "ti@outlook.com");
	CHECK(x && x->cls.reason == REASON_BLOCKLISTED_IP && x->cls.owner == OWNER_SENDER);
	CHECK(x && strstr(x->text, "blocked using Spamhaus") != NULL && strstr(x->text, "==") != NULL);
	x = find_addr(b, "vo@gmx.de");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN);
	CHECK(x && strstr(x->text, "Empf\xc3\xa4nger") != NULL);
	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.total, 4);
	CHECK_INT(s.sender_side, 1);
	CHECK_INT(s.suppressible, 2);
	bounce_seg_free(&s);
	bounces_destroy(b);
}

TEST(bounces_dsn_mime_hostile)
{
	/* decoded NUL bytes become spaces; a base64 part may end the file unterminated */
	const char *nul =
		"Content-Type: multipart/report; boundary=\"x\"\n\n--x\n"
		"Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"
		"RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IG51QHgudGVzdApBY3Rpb246IGZhaWxlZApEaWFnbm9zdGljLUNvZGU6IHNtdHA7IDU1MCA1LjEuMSBubwBzdWNoIHVzZXIK\n";
	bounce_set *b = bounces_create();
	bounce_read_info info;
	CHECK_INT(bounces_read_mem(b, nul, strlen(nul), BOUNCE_FMT_DSN, "nul.eml", &info), MV_OK);
	const bounce *x = find_addr(b, "nu@x.test");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN && strstr(x->text, "no such user") != NULL);
	bounces_destroy(b);

	/* junk: bad escapes, a dangling '=', boundaries too long or too deep, a stray
	 * closing boundary, base64 garbage; nothing is invented and nothing breaks */
	buf in;
	buf_init(&in, 1u << 20);
	buf_append_str(&in, "Content-Type: multipart/report; boundary=\"");
	for (int i = 0; i < 300; i++)
		buf_append_char(&in, 'b');
	buf_append_str(&in, "\"\nContent-Transfer-Encoding: quoted-printable\n\n=G1=\n=\n=4\n");
	for (int i = 0; i < 12; i++)
		buf_printf(&in, "--d%d\nContent-Type: multipart/mixed; boundary=d%d\n\n", i, i + 1);
	buf_append_str(&in, "--d12--\n--d3--\nContent-Transfer-Encoding: base64\n\n!!!!====@@@@\n");
	buf_append_str(&in, "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n QUJD\n");
	b = bounces_create();
	CHECK_INT(bounces_read_mem(b, in.data, in.len, BOUNCE_FMT_DSN, "junk.eml", &info), MV_OK);
	CHECK_INT(bounces_count(b), 0);
	bounces_destroy(b);
	buf_free(&in);
}

TEST(bounces_dsn_directory)
{
	char dir[512], path[600];
	snprintf(dir, sizeof(dir), "%s/eml", test_tmpdir());
	CHECK_INT(mkdir(dir, 0700), 0);
	const char *one = "Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; pa@yahoo.com\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; 554 delivery error: dd This user doesn't have a yahoo.com account (pa@yahoo.com) [0]\r\n";
	const char *two = "Final-Recipient: rfc822; qu@yahoo.com\nAction: failed\nStatus: 4.7.0\nDiagnostic-Code: smtp; 421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred due to unexpected volume or user complaints\n";
	const char *files[][2] = { { "1.eml", one }, { "2.EML", two }, { "notes.txt", "Final-Recipient: rfc822; zz@x.test\nAction: failed\n" } };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		FILE *fp = fopen(path, "w");
		CHECK(fp != NULL);
		if (fp) {
			fputs(files[i][1], fp);
			fclose(fp);
		}
	}
	bounce_set *b = bounces_create();
	bounce_read_info info;
	CHECK_INT(bounces_read_path(b, dir, BOUNCE_FMT_AUTO, &info), MV_OK);
	CHECK_INT(info.format, BOUNCE_FMT_DSN);
	CHECK_INT(info.files, 2);
	CHECK_INT(bounces_count(b), 2);
	const bounce *x = find_addr(b, "pa@yahoo.com");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN);
	x = find_addr(b, "qu@yahoo.com");
	CHECK(x && x->cls.owner == OWNER_SENDER && x->cls.reason == REASON_RATE_LIMITED);
	CHECK(find_addr(b, "zz@x.test") == NULL);
	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.nproviders, 1);
	CHECK_STR(s.providers[0].name, "Yahoo");
	CHECK_INT(s.providers[0].ndomains, 1);
	bounce_seg_free(&s);
	bounces_destroy(b);
}

TEST(bounces_csv)
{
	const char *csv =
		"Email,Bounce Reason,Status\r\n"
		"ra@gmail.com,\"550-5.7.26 This mail has been blocked because the sender is unauthenticated.\",5.7.26\r\n"
		"sa@gmail.com,550 5.7.1 Our system has detected that this message is likely unsolicited mail,5.7.1\r\n"
		"ta@gmail.com,\"421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address, rate limited\",4.7.28\r\n"
		"ua@hotmail.com,550 5.5.0 Requested action not taken: mailbox unavailable,5.5.0\r\n"
		"va@example.org,Mailbox does not exist,5.1.1\r\n"
		"wa@example.org,,\r\n"
		"not-an-address,550 5.1.1 User unknown,5.1.1\r\n";
	bounce_set *b = bounces_create();
	bounce_read_info info;
	CHECK_INT(bounces_read_mem(b, csv, strlen(csv), BOUNCE_FMT_AUTO, "b.csv", &info), MV_OK);
	CHECK_INT(info.format, BOUNCE_FMT_CSV);
	CHECK_INT(info.records, 5);
	CHECK_INT(info.skipped, 2);
	const bounce *x = find_addr(b, "va@example.org");
	CHECK(x && x->cls.reason == REASON_USER_UNKNOWN && x->code == 0 &&
	      x->enhanced == result_enhanced_pack(5, 1, 1));
	CHECK(x && bounce_is_suppressible(x));
	x = find_addr(b, "sa@gmail.com");
	CHECK(x && x->cls.reason == REASON_SPAM_CONTENT);
	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.nalerts, 1);
	if (s.nalerts) {
		CHECK_STR(s.alerts[0].provider, "Google");
		CHECK_INT(s.alerts[0].total, 3);
	}
	const bounce_group *g = find_group(s.domains, s.ndomains, "example.org");
	CHECK(g && g->provider && !strcmp(g->provider, "example.org"));
	bounce_seg_free(&s);
	bounces_destroy(b);

	/* no header: the diagnostic column is found by content */
	const char *bare = "xa@example.org;550 5.1.1 User unknown\nya@example.org;552 5.2.2 Mailbox full\n";
	b = bounces_create();
	CHECK_INT(bounces_read_mem(b, bare, strlen(bare), BOUNCE_FMT_CSV, "b.csv", &info), MV_OK);
	CHECK_INT(bounces_count(b), 2);
	x = find_addr(b, "ya@example.org");
	CHECK(x && x->cls.reason == REASON_MAILBOX_FULL);
	bounces_destroy(b);

	/* a CSV with no diagnostic column is refused */
	const char *nodiag = "email,name\nza@example.org,Za\n";
	b = bounces_create();
	CHECK_INT(bounces_read_mem(b, nodiag, strlen(nodiag), BOUNCE_FMT_CSV, "c.csv", &info), MV_PARSE);
	bounces_destroy(b);
}

TEST(bounces_sample_log)
{
	bounce_set *b = bounces_create();
	bounce_read_info info;
	CHECK_INT(bounces_read_path(b, "samples/bounces.log", BOUNCE_FMT_AUTO, &info), MV_OK);
	CHECK_INT(info.records, 24);
	CHECK_INT(info.skipped, 0);
	bounce_seg s;
	CHECK_INT(bounces_segment(b, NULL, &s), MV_OK);
	CHECK_INT(s.nalerts, 1);
	if (s.nalerts)
		CHECK_STR(s.alerts[0].provider, "Google");
	bounce_seg_free(&s);
	bounces_destroy(b);
}
