/* mailvet explain — read one SMTP reply and say what it means, in plain words. */
#include "mailvet/cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/buf.h"
#include "mailvet/reply.h"
#include "mailvet/reply_model.h"
#include "mailvet/result.h"
#include "mailvet/text.h"

static void explain_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: mailvet explain [OPTIONS] \"550 5.1.1 ...\"\n"
		"       ... | mailvet explain [OPTIONS]\n"
		"\n"
		"Read an SMTP reply (as a server sent it, or as a log or bounce quotes it:\n"
		"\"smtp; 550 ...\", \"host x said: ...\", multi-line \"550-...\") and say who\n"
		"owns the problem, whether retrying can help, and what to do.\n"
		"\n"
		"Options:\n"
		"  -p, --phase PHASE  the command it answered: connect helo starttls mail rcpt data\n"
		"                     (default: from the text's tail, else rcpt)\n"
		"  -j, --json         one JSON object: code enhanced verdict owner reason permanent action\n"
		"  -h, --help         this help\n"
		"\n"
		"A text with no code (\"Mailbox full\" from a log) is read when its words are\n"
		"those of a known reply; \"code\" is then null in --json.\n"
		"\n"
		"Exit status: 0 the reply was read, 2 it could not be read (or usage error).\n");
}

static int parse_phase(const char *s)
{
	for (int p = REPLY_PHASE_CONNECT; p <= REPLY_PHASE_DATA; p++)
		if (!strcmp(s, reply_phase_name((reply_phase)p)))
			return p;
	if (!strcmp(s, "banner"))
		return REPLY_PHASE_CONNECT;
	if (!strcmp(s, "ehlo"))
		return REPLY_PHASE_HELO;
	return -1;
}

/* The reply: the arguments joined by spaces, or stdin (bounded). */
static mv_status read_input(int argc, char **argv, buf *in)
{
	mv_status st = MV_OK;
	if (argc > 0) {
		for (int i = 0; i < argc && !st; i++) {
			if (i)
				st = buf_append_char(in, ' ');
			if (!st)
				st = buf_append_str(in, argv[i]);
		}
		return st;
	}
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if ((st = buf_append(in, chunk, n)) != MV_OK)
			return st;
	return ferror(stdin) ? MV_IO : MV_OK;
}

static void put_display(FILE *fp, const char *s, size_t n)
{
	buf b;
	buf_init(&b, 8 * n + 16);
	if (text_escape_display(&b, s, n) == MV_OK)
		fputs(buf_str(&b), fp);
	buf_free(&b);
}

static void put_json_str(FILE *fp, const char *s)
{
	buf b;
	size_t n = strlen(s);
	buf_init(&b, 8 * n + 16);
	if (text_escape_json(&b, s, n) == MV_OK)
		fprintf(fp, "\"%s\"", buf_str(&b));
	buf_free(&b);
}

static const char *owner_words(mv_owner o)
{
	switch (o) {
	case OWNER_RECIPIENT: return "recipient (the address or its domain)";
	case OWNER_SENDER: return "sender (your own setup or reputation, not the address)";
	default: return "none (the receiving server, or nobody)";
	}
}

int cmd_explain(int argc, char **argv)
{
	enum { O_JSON = 'j', O_PHASE = 'p' };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "phase", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int phase = -1, c, rc = EXIT_USAGE;
	smtp_reply r = { 0 };
	buf in;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":jp:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'p':
			phase = parse_phase(optarg);
			if (phase < 0) {
				fprintf(stderr, "mailvet explain: --phase: '%s' is not one of connect helo "
					"starttls mail rcpt data\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': explain_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailvet explain: option '%s' needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "mailvet explain: unknown option '%s' (try mailvet explain --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	buf_init(&in, REPLY_MAX_BYTES);
	mv_status st = read_input(argc - optind, argv + optind, &in);
	if (st) {
		fprintf(stderr, "mailvet explain: %s\n", st == MV_TOOBIG
			? "the reply is over 64 KiB" : status_message(st));
		goto out;
	}
	st = reply_parse_text(buf_str(&in), in.len, &r);
	/* No code: a log or bounce text ("Mailbox full", "User unknown") is still a
	 * reply when its words match a known one; anything else is not. */
	bool codeless = st == MV_PARSE;
	if (codeless)
		st = reply_from_parts(0, 0, buf_str(&in), in.len, &r);
	if (st) {
		fprintf(stderr, "mailvet explain: %s\n", st == MV_TOOBIG
			? "the reply is over 64 KiB or 1,000 lines" : status_message(st));
		goto out;
	}
	if (phase < 0) {
		phase = reply_phase_from_text(buf_str(&in), in.len);
		if (phase == REPLY_PHASE_UNKNOWN)
			phase = REPLY_PHASE_RCPT;
	}
	reply_class k;
	reply_classify(&r, (reply_phase)phase, &k);
	if (codeless && !k.by_phrase) {
		fprintf(stderr, "mailvet explain: no SMTP reply code (like 550 or 5.1.1) and no known reply "
			"wording found in the input\n");
		goto out;
	}
	char enh[16];
	result_enhanced_str(r.enhanced, enh);
	if (json) {
		printf("{\"code\":");
		if (r.code)
			printf("%d", r.code);
		else
			printf("null");
		printf(",\"enhanced\":");
		if (r.enhanced)
			printf("\"%s\"", enh);
		else
			printf("null");
		printf(",\"verdict\":\"%s\",\"owner\":\"%s\",\"reason\":\"%s\",\"permanent\":%s,\"action\":",
		       verdict_name(k.verdict), owner_name(k.owner), reason_name(k.reason),
		       k.permanent ? "true" : "false");
		put_json_str(stdout, k.action);
		printf("}\n");
	} else {
		printf("reply:     ");
		if (r.code)
			printf("%d ", r.code);
		if (r.enhanced)
			printf("%s ", enh);
		put_display(stdout, r.text, r.text_len > 400 ? 400 : r.text_len);
		printf("%s\n", r.text_len > 400 ? "..." : "");
		printf("verdict:   %s\n", verdict_name(k.verdict));
		printf("owner:     %s\n", owner_words(k.owner));
		printf("reason:    %s\n", reason_name(k.reason));
		printf("retry:     %s\n", k.permanent
		       ? "no - retrying the same send cannot help"
		       : "yes - a later retry can succeed");
		printf("action:    %s\n", k.action);
		printf("rule:      %s (phase %s)\n", k.rule, reply_phase_name((reply_phase)phase));
		if (k.by_model) {
			/* a pair of words is kept as "no_such": shown as "no such" */
			char cue[2 * MODEL_WORD_MAX + 2];
			size_t n = strlen(k.cue) < sizeof(cue) - 1 ? strlen(k.cue) : sizeof(cue) - 1;
			for (size_t i = 0; i < n; i++)
				cue[i] = k.cue[i] == '_' ? ' ' : k.cue[i];
			printf("model:     %.0f%% sure; the words that most led it there: \"", k.sureness * 100);
			put_display(stdout, cue, n);
			printf("\"\n");
		}
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	reply_free(&r);
	buf_free(&in);
	return rc;
}
