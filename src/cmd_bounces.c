/* mailvet bounces — read bounce data, segment it by provider and reason, say what matters. */
#include "mailvet/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/bounces.h"
#include "mailvet/buf.h"
#include "mailvet/result.h"
#include "mailvet/suppress.h"
#include "mailvet/text.h"

struct bounces_opts {
	bounce_format fmt;
	bool json, verbose, suppress;
	const char *suppress_file;
	size_t alert_min;
	unsigned alert_percent;
};

static void bounces_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: mailvet bounces [OPTIONS] FILE|DIR...\n"
		"\n"
		"Read bounces and segment them by provider and recipient domain x reason.\n"
		"Formats (sniffed, or --format): a CSV with an address column and a\n"
		"diagnostic column; Postfix and Exim mail logs; RFC 3464 delivery status\n"
		"notifications (one message, an mbox, or a directory of .eml files).\n"
		"\n"
		"It calls out the pattern that matters most: many sender-side rejects at one\n"
		"provider mean your reputation or authentication there is the problem, not\n"
		"the recipients.\n"
		"\n"
		"Options:\n"
		"  -f, --format FMT        csv, log or dsn (default: sniffed)\n"
		"  -j, --json              one JSON object for scripts\n"
		"  -v, --verbose           also list every bounce\n"
		"      --suppress          add the recipient-side hard bounces to the suppression\n"
		"                          list (never sender-side ones)\n"
		"      --suppress-file P   the suppression list to use (default:\n"
		"                          $XDG_DATA_HOME/mailvet/suppression.txt)\n"
		"      --alert-min N       sender-side bounces that make an alert (default 3)\n"
		"      --alert-percent P   and their share of the provider's bounces (default 50)\n"
		"  -h, --help              this help\n"
		"\n"
		"Exit status: 0 success, 1 error (unreadable input, no bounces found), 2 usage error.\n");
}

static int parse_args(int argc, char **argv, struct bounces_opts *o)
{
	enum { O_SUPPRESS = 256, O_SUPPRESS_FILE, O_ALERT_MIN, O_ALERT_PCT };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "suppress", no_argument, NULL, O_SUPPRESS },
		{ "suppress-file", required_argument, NULL, O_SUPPRESS_FILE },
		{ "alert-min", required_argument, NULL, O_ALERT_MIN },
		{ "alert-percent", required_argument, NULL, O_ALERT_PCT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	unsigned long v;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "csv"))
				o->fmt = BOUNCE_FMT_CSV;
			else if (!strcmp(optarg, "log"))
				o->fmt = BOUNCE_FMT_LOG;
			else if (!strcmp(optarg, "dsn") || !strcmp(optarg, "mbox") || !strcmp(optarg, "eml"))
				o->fmt = BOUNCE_FMT_DSN;
			else {
				fprintf(stderr, "mailvet bounces: --format: '%s' is not one of csv log dsn\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j': o->json = true; break;
		case 'v': o->verbose = true; break;
		case O_SUPPRESS: o->suppress = true; break;
		case O_SUPPRESS_FILE: o->suppress_file = optarg; o->suppress = true; break;
		case O_ALERT_MIN:
		case O_ALERT_PCT:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || (c == O_ALERT_PCT && v > 100) || v > 1000000) {
				fprintf(stderr, "mailvet bounces: %s: '%s' is not a valid number\n",
					c == O_ALERT_MIN ? "--alert-min" : "--alert-percent", optarg);
				return EXIT_USAGE;
			}
			if (c == O_ALERT_MIN)
				o->alert_min = v;
			else
				o->alert_percent = (unsigned)v;
			break;
		case 'h': bounces_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailvet bounces: option '%s' needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "mailvet bounces: unknown option '%s' (try mailvet bounces --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mailvet bounces: expected a FILE or DIR (try mailvet bounces --help)\n");
		return EXIT_USAGE;
	}
	return -1;
}

/* ---- output helpers ---------------------------------------------------------------- */

static void put_disp(FILE *fp, const char *s, size_t max)
{
	size_t n = strlen(s);
	buf b;
	buf_init(&b, 8 * (n > max ? max : n) + 16);
	if (text_escape_display(&b, s, n > max ? max : n) == MV_OK)
		fputs(buf_str(&b), fp);
	if (n > max)
		fputs("...", fp);
	buf_free(&b);
}

/* A display cell padded to width (escaped text may be wider; then no pad). */
static void put_cell(FILE *fp, const char *s, int width)
{
	buf b;
	size_t n = strlen(s);
	size_t max = (size_t)width;
	buf_init(&b, 8 * n + 16);
	if (text_escape_display(&b, s, n > max ? max - 1 : n) == MV_OK) {
		fputs(buf_str(&b), fp);
		if (n > max)
			fputc('~', fp);
		for (size_t i = b.len + (n > max ? 1 : 0); i < max; i++)
			fputc(' ', fp);
	}
	buf_free(&b);
}

static void put_json(FILE *fp, const char *s)
{
	buf b;
	size_t n = strlen(s);
	buf_init(&b, 8 * n + 16);
	fputc('"', fp);
	if (text_escape_json(&b, s, n) == MV_OK)
		fputs(buf_str(&b), fp);
	fputc('"', fp);
	buf_free(&b);
}

static double pct(size_t a, size_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static const char *alert_advice(mv_reason r)
{
	switch (r) {
	case REASON_AUTH_FAILURE:
		return "fix SPF, DKIM and DMARC alignment for your sending domain";
	case REASON_BLOCKLISTED_IP:
		return "get your sending IP off the named blocklists";
	case REASON_RATE_LIMITED:
		return "slow down: fewer connections and messages per hour";
	case REASON_SPAM_CONTENT:
		return "change the content that is being filtered";
	case REASON_TLS_REQUIRED:
		return "send over STARTTLS";
	default:
		return "check your IP's reputation, PTR record and sending domain";
	}
}

static void top_reasons(FILE *fp, const bounce_group *g, size_t k)
{
	mv_reason r[4];
	size_t n = bounce_group_top_reasons(g, r, k < 4 ? k : 4);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%s %zu", i ? ", " : "", reason_name(r[i]), g->by_reason[r[i]]);
}

static void print_text(const bounce_set *set, const bounce_seg *s, const struct bounces_opts *o,
		       const char *what)
{
	printf("%s: %zu bounces\n\n", what, s->total);
	printf("By reason                    count   share  owner\n");
	for (int pass = 0; pass < 1; pass++) {
		bounce_group all = { .name = "all" };
		memcpy(all.by_reason, s->by_reason, sizeof(all.by_reason));
		mv_reason r[REASON_COUNT];
		size_t n = bounce_group_top_reasons(&all, r, REASON_COUNT);
		for (size_t i = 0; i < n; i++) {
			/* the owner most bounces of this reason had */
			size_t own[OWNER_COUNT] = { 0 };
			for (size_t j = 0; j < bounces_count(set); j++) {
				const bounce *x = bounces_get(set, j);
				if (x->cls.reason == r[i])
					own[x->cls.owner]++;
			}
			int best = 0;
			for (int k = 1; k < OWNER_COUNT; k++)
				if (own[k] > own[best])
					best = k;
			printf("  %-24s %7zu  %5.1f%%  %s\n", reason_name(r[i]), s->by_reason[r[i]],
			       pct(s->by_reason[r[i]], s->total), owner_name((mv_owner)best));
		}
	}
	printf("\nBy provider                 bounces  recipient  sender  other  top reasons\n");
	for (size_t i = 0; i < s->nproviders; i++) {
		const bounce_group *g = &s->providers[i];
		printf("  ");
		put_cell(stdout, g->name, 24);
		printf(" %7zu  %9zu  %6zu  %5zu  ", g->total, g->recipient_side, g->sender_side, g->other);
		top_reasons(stdout, g, 3);
		if (g->ndomains > 1)
			printf("  (%zu domains)", g->ndomains);
		printf("\n");
	}
	printf("\nBy domain                   bounces  recipient  sender  other  top reasons\n");
	for (size_t i = 0; i < s->ndomains; i++) {
		const bounce_group *g = &s->domains[i];
		printf("  ");
		put_cell(stdout, g->name[0] ? g->name : "(none)", 24);
		printf(" %7zu  %9zu  %6zu  %5zu  ", g->total, g->recipient_side, g->sender_side, g->other);
		top_reasons(stdout, g, 3);
		printf("\n");
	}
	for (size_t i = 0; i < s->nalerts; i++) {
		const bounce_alert *a = &s->alerts[i];
		printf("\n!! ");
		put_disp(stdout, a->provider, 60);
		printf(": %zu of %zu bounces (%.0f%%) are sender-side, mostly %s.\n", a->sender_side,
		       a->total, pct(a->sender_side, a->total), reason_name(a->top_reason));
		printf("   Your reputation/authentication at ");
		put_disp(stdout, a->provider, 60);
		printf(" is the problem, the recipients are fine:\n   %s before sending there "
			"again; do not suppress these addresses.\n",
		       alert_advice(a->top_reason));
	}
	printf("\nRecipient-side hard bounces (safe to suppress): %zu", s->suppressible);
	printf(o->suppress ? "\n" : "  (add them with --suppress)\n");
	printf("Sender-side bounces (your setup, keep the addresses): %zu\n", s->sender_side);
	if (o->verbose) {
		printf("\nBounces:\n");
		for (size_t i = 0; i < bounces_count(set); i++) {
			const bounce *x = bounces_get(set, i);
			char e[16];
			printf("  ");
			put_disp(stdout, x->addr, 80);
			printf("  %s/%s/%s  ", verdict_name(x->cls.verdict), owner_name(x->cls.owner),
			       reason_name(x->cls.reason));
			if (x->code)
				printf("%d ", x->code);
			if (x->enhanced)
				printf("%s ", result_enhanced_str(x->enhanced, e));
			put_disp(stdout, x->text, 160);
			printf("\n");
		}
	}
}

static void json_group(const bounce_group *g, bool domain_row)
{
	printf("{\"name\":");
	put_json(stdout, g->name);
	if (domain_row) {
		printf(",\"provider\":");
		put_json(stdout, g->provider);
	} else {
		printf(",\"domains\":%zu", g->ndomains);
	}
	printf(",\"total\":%zu,\"recipient\":%zu,\"sender\":%zu,\"other\":%zu,\"suppressible\":%zu,\"reasons\":{",
	       g->total, g->recipient_side, g->sender_side, g->other, g->suppressible);
	mv_reason r[REASON_COUNT];
	size_t n = bounce_group_top_reasons(g, r, REASON_COUNT);
	for (size_t i = 0; i < n; i++)
		printf("%s\"%s\":%zu", i ? "," : "", reason_name(r[i]), g->by_reason[r[i]]);
	printf("}}");
}

static void print_json(const bounce_set *set, const bounce_seg *s, const struct bounces_opts *o,
		       const bounce_read_info *info, long added)
{
	printf("{\"format\":\"%s\",\"files\":%zu,\"total\":%zu,\"skipped\":%zu,\"r"
		"ecipient\":%zu,\"sender\":%zu,\"other\":%zu,\"suppressible\":%zu",
	       bounce_format_name(info->format), info->files, s->total, info->skipped,
	       s->recipient_side, s->sender_side, s->other, s->suppressible);
	if (added >= 0)
		printf(",\"suppressed_added\":%ld", added);
	printf(",\"reasons\":{");
	bounce_group all = { .name = "all" };
	memcpy(all.by_reason, s->by_reason, sizeof(all.by_reason));
	mv_reason r[REASON_COUNT];
	size_t n = bounce_group_top_reasons(&all, r, REASON_COUNT);
	for (size_t i = 0; i < n; i++)
		printf("%s\"%s\":%zu", i ? "," : "", reason_name(r[i]), s->by_reason[r[i]]);
	printf("},\"providers\":[");
	for (size_t i = 0; i < s->nproviders; i++) {
		if (i)
			printf(",");
		json_group(&s->providers[i], false);
	}
	printf("],\"domains\":[");
	for (size_t i = 0; i < s->ndomains; i++) {
		if (i)
			printf(",");
		json_group(&s->domains[i], true);
	}
	printf("],\"alerts\":[");
	for (size_t i = 0; i < s->nalerts; i++) {
		const bounce_alert *a = &s->alerts[i];
		printf("%s{\"provider\":", i ? "," : "");
		put_json(stdout, a->provider);
		printf(",\"sender\":%zu,\"total\":%zu,\"top_reason\":\"%s\",\"message\":", a->sender_side,
		       a->total, reason_name(a->top_reason));
		buf m;
		buf_init(&m, 1024);
		buf_printf(&m, "your reputation/authentication at %s is the problem, the recipients are fine",
			   a->provider);
		put_json(stdout, buf_str(&m));
		buf_free(&m);
		printf("}");
	}
	printf("]");
	if (o->verbose) {
		printf(",\"bounces\":[");
		for (size_t i = 0; i < bounces_count(set); i++) {
			const bounce *x = bounces_get(set, i);
			char e[16];
			printf("%s{\"address\":", i ? "," : "");
			put_json(stdout, x->addr);
			printf(",\"domain\":");
			put_json(stdout, x->domain);
			printf(",\"provider\":");
			put_json(stdout, x->provider);
			printf(",\"mx\":");
			put_json(stdout, x->mx);
			printf(",\"code\":");
			if (x->code)
				printf("%d", x->code);
			else
				printf("null");
			printf(",\"enhanced\":");
			if (x->enhanced)
				printf("\"%s\"", result_enhanced_str(x->enhanced, e));
			else
				printf("null");
			printf(",\"verdict\":\"%s\",\"owner\":\"%s\",\"reason\":\"%"
				"s\",\"permanent\":%s,\"suppressible\":%s,\"text\":",
			       verdict_name(x->cls.verdict), owner_name(x->cls.owner),
			       reason_name(x->cls.reason), x->cls.permanent ? "true" : "false",
			       bounce_is_suppressible(x) ? "true" : "false");
			put_json(stdout, x->text);
			printf("}");
		}
		printf("]");
	}
	printf("}\n");
}

static int cmp_ptr(const void *a, const void *b)
{
	const char *p = *(const char *const *)a, *q = *(const char *const *)b;
	return strcmp(p, q);
}

/* Append the recipient-side hard bounces; returns added count or -1. */
static long do_suppress(const bounce_set *set, const char *path)
{
	size_t n = bounces_count(set), k = 0, added = 0;
	const char **v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const bounce *x = bounces_get(set, i);
		if (bounce_is_suppressible(x))
			v[k++] = x->addr;
	}
	qsort(v, k, sizeof(*v), cmp_ptr);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || strcmp(v[i], v[u - 1]) != 0)
			v[u++] = v[i];
	mv_status st = suppress_append(path, v, u, &added);
	free(v);
	if (st) {
		fprintf(stderr, "mailvet bounces: %s: %s\n", path,
			st == MV_IO ? strerror(errno) : status_message(st));
		return -1;
	}
	return (long)added;
}

int cmd_bounces(int argc, char **argv)
{
	struct bounces_opts o = { .fmt = BOUNCE_FMT_AUTO };
	bounce_set *set = NULL;
	bounce_seg seg = { 0 };
	bounce_read_info total = { 0 };
	int rc = 1;
	long added = -1;

	int prc = parse_args(argc, argv, &o);
	if (prc >= 0)
		return prc;
	set = bounces_create();
	if (!set) {
		fprintf(stderr, "mailvet bounces: %s\n", status_message(MV_NOMEM));
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		bounce_read_info info;
		mv_status st = bounces_read_path(set, argv[i], o.fmt, &info);
		if (st) {
			fprintf(stderr, "mailvet bounces: %s: %s\n", argv[i],
				st == MV_IO || st == MV_NOENT ? strerror(errno)
				: st == MV_PARSE ? "no address column and diagnostic column found (is it a bounce CSV?)"
				: st == MV_BINARY ? "not a text file" : status_message(st));
			goto out;
		}
		total.format = info.format;
		total.records += info.records;
		total.skipped += info.skipped;
		total.other += info.other;
		total.files += info.files;
	}
	if (!bounces_count(set)) {
		fprintf(stderr, "mailvet bounces: no bounce records found (formats: bounce CSV, "
			"Postfix/Exim log, DSN mbox/.eml)\n");
		goto out;
	}
	bounce_seg_opts so = { o.alert_min, o.alert_percent };
	if (bounces_segment(set, &so, &seg)) {
		fprintf(stderr, "mailvet bounces: %s\n", status_message(MV_NOMEM));
		goto out;
	}
	if (o.suppress) {
		char def[4096];
		const char *path = o.suppress_file ? o.suppress_file : suppress_default_path(def, sizeof(def));
		if (!path) {
			fprintf(stderr, "mailvet bounces: no suppression list path (set XDG_DATA_HOME or "
				"HOME, or use --suppress-file)\n");
			goto out;
		}
		added = do_suppress(set, path);
		if (added < 0)
			goto out;
		if (!o.json)
			fprintf(stderr, "suppression list %s: %ld new addresses (%zu recipient-side hard bounces; "
				"sender-side bounces never added)\n",
				path, added, seg.suppressible);
	}
	if (o.json) {
		print_json(set, &seg, &o, &total, added);
	} else {
		char what[512];
		snprintf(what, sizeof(what), "%s (%s%s)", optind + 1 == argc ? argv[optind] : "input",
			 total.format == BOUNCE_FMT_DSN ? "delivery status notifications"
			 : total.format == BOUNCE_FMT_LOG ? "mail log" : "bounce CSV",
			 total.skipped ? ", some lines unreadable" : "");
		buf w;
		buf_init(&w, 4096);
		text_escape_display(&w, what, strlen(what));
		print_text(set, &seg, &o, buf_str(&w));
		buf_free(&w);
		if (total.skipped)
			printf("Unreadable bounce lines skipped: %zu\n", total.skipped);
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	bounce_seg_free(&seg);
	bounces_destroy(set);
	return rc;
}
