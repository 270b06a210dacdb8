/* mailvet check — the headless run: load, local pass, verify, export. */
#include "mailvet/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailvet/config.h"
#include "mailvet/demo.h"
#include "mailvet/export.h"
#include "mailvet/local.h"
#include "mailvet/result.h"
#include "mailvet/run.h"
#include "mailvet/suppress.h"

struct check_opts {
	csv_opts csv;
	local_opts local;
	const char *input;
	const char *output;
	const char *results;
	const char *rejects;
	const char *suppression;    /* NULL: the default path, if it exists */
	unsigned tiers;             /* 0: the default clean set */
	bool split;
	bool result_columns;
	bool local_only;
	bool quiet;
	bool demo;
	const char *config;         /* --config FILE */
	const char *keys[64], *vals[64];
	size_t nkv;                 /* settings given as flags */
};

static void check_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: mailvet check [OPTIONS] FILE.csv -o OUT.csv\n"
		"\n"
		"Load FILE.csv and write the rows that pass to OUT.csv, keeping every\n"
		"original column byte for byte. The input is never overwritten.\n"
		"\n"
		"Input:\n"
		"  -d, --delimiter C     field delimiter: , ; tab | (default: sniffed)\n"
		"  -c, --column NAME|N   the email column (default: found by header or content)\n"
		"      --header          the first row is a header\n"
		"      --no-header       the first row is data\n"
		"      --max-field BYTES flag fields longer than this (default 1048576)\n"
		"Local pass (no network, no probes):\n"
		"      --local-only      no network: local pass only\n"
		"      --allow-reserved  accept .test/.example/.invalid/.localhost domains\n"
		"                        (for a resolver that serves them)\n"
		"      --reject-quoted   quoted local parts (\"john smith\"@x) are syntax\n"
		"                        errors (default: flagged quoted, kept)\n"
		"      --reject-utf8-local  UTF-8 local parts are syntax errors (default:\n"
		"                        flagged utf8_local, kept)\n"
		"      --allow-ip-literal  accept user@[192.0.2.1] (default: syntax error)\n"
		"      --fix-typos       apply every typo suggestion (the original cell\n"
		"                        goes to an email_original column)\n"
		"      --no-aliases      do not mark provider aliases (Gmail dots, +tags)\n"
		"                        as the same mailbox\n"
		"      --suppression FILE  suppression list (default:\n"
		"                        $XDG_DATA_HOME/mailvet/suppression.txt if it exists)\n"
		"      --role-list FILE, --disposable-list FILE, --free-list FILE\n"
		"                        extra entries for the shipped lists, one a line\n"
		"Output:\n"
		"  -o, --output FILE     the clean rows (written atomically): with\n"
		"                        --local-only the candidates, else the deliverable\n"
		"      --tiers LIST      buckets for the clean file, comma-separated, or all:\n"
		"                        deliverable risky catch_all unknown unverified kept\n"
		"                        invalid duplicate suppressed dropped\n"
		"      --split           also write OUT.BUCKET.csv for every non-empty bucket\n"
		"      --result-columns  append mailvet_status, _reason, _flags, ... to OUT\n"
		"      --rejects FILE    the rows not in OUT, with their status and reason\n"
		"      --results FILE    one JSON object per row (JSONL)\n"
		"  -q, --quiet           no summary or progress on stderr\n"
		"  -h, --help            this help\n"
		"Verification (DNS, then SMTP RCPT TO; never DATA):\n"
		"      --demo            verify against the demo network (loopback fakes\n"
		"                        serving the sample's .test domains)\n"
		"      --config FILE     settings file (default $XDG_CONFIG_HOME/mailvet/config)\n"
		"  Settings, as flags or `key = value` lines in the config file:\n");
	config_print_keys(fp);
	fprintf(fp,
		"\n"
		"Progress goes to stderr: a bar on a terminal, a line every 5 s otherwise.\n"
		"Finished results are cached: an interrupted run resumes without spending\n"
		"probes twice.\n"
		"Exit status: 0 success, 1 error (or interrupted), 2 usage error.\n");
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
	enum { O_HEADER = 256, O_NOHEADER, O_MAXFIELD, O_LOCAL, O_RESULTS, O_REJECTS,
	       O_FIX, O_NOALIAS, O_SUPP, O_RESERVED, O_ROLE, O_DISP, O_FREE, O_TIERS,
	       O_SPLIT, O_COLUMNS, O_REJQ, O_REJU8, O_IPLIT, O_DEMO, O_CONFIG, O_CFG = 1000 };
	struct option longopts[80] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "column", required_argument, NULL, 'c' },
		{ "header", no_argument, NULL, O_HEADER },
		{ "no-header", no_argument, NULL, O_NOHEADER },
		{ "max-field", required_argument, NULL, O_MAXFIELD },
		{ "output", required_argument, NULL, 'o' },
		{ "local-only", no_argument, NULL, O_LOCAL },
		{ "results", required_argument, NULL, O_RESULTS },
		{ "rejects", required_argument, NULL, O_REJECTS },
		{ "fix-typos", no_argument, NULL, O_FIX },
		{ "no-aliases", no_argument, NULL, O_NOALIAS },
		{ "suppression", required_argument, NULL, O_SUPP },
		{ "allow-reserved", no_argument, NULL, O_RESERVED },
		{ "role-list", required_argument, NULL, O_ROLE },
		{ "disposable-list", required_argument, NULL, O_DISP },
		{ "free-list", required_argument, NULL, O_FREE },
		{ "tiers", required_argument, NULL, O_TIERS },
		{ "split", no_argument, NULL, O_SPLIT },
		{ "result-columns", no_argument, NULL, O_COLUMNS },
		{ "reject-quoted", no_argument, NULL, O_REJQ },
		{ "reject-utf8-local", no_argument, NULL, O_REJU8 },
		{ "allow-ip-literal", no_argument, NULL, O_IPLIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "demo", no_argument, NULL, O_DEMO },
		{ "config", required_argument, NULL, O_CONFIG },
	};
	size_t nfixed = 0;
	while (longopts[nfixed].name)
		nfixed++;
	size_t ncfg = config_options(longopts + nfixed, 80 - nfixed - 1, O_CFG);
	memset(&longopts[nfixed + ncfg], 0, sizeof(longopts[0]));
	int c;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:c:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->csv.delimiter = cmd_parse_delimiter(optarg);
			if (!o->csv.delimiter) {
				fprintf(stderr, "mailvet check: --delimiter: '%s' is not one of , ; tab |\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': o->csv.column = optarg; break;
		case O_HEADER: o->csv.header = 1; break;
		case O_NOHEADER: o->csv.header = 0; break;
		case O_MAXFIELD:
			errno = 0;
			o->csv.max_field = strtoul(optarg, &end, 10);
			if (errno || *end || !o->csv.max_field) {
				fprintf(stderr, "mailvet check: --max-field: '%s' is not a positive number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o': o->output = optarg; break;
		case O_LOCAL: o->local_only = true; break;
		case O_RESULTS: o->results = optarg; break;
		case O_REJECTS: o->rejects = optarg; break;
		case O_FIX: o->local.fix_typos = true; break;
		case O_NOALIAS: o->local.no_aliases = true; break;
		case O_SUPP: o->suppression = optarg; break;
		case O_RESERVED: o->local.policy.allow_reserved = true; break;
		case O_ROLE: o->local.role_list = optarg; break;
		case O_DISP: o->local.disposable_list = optarg; break;
		case O_FREE: o->local.free_list = optarg; break;
		case O_SPLIT: o->split = true; break;
		case O_COLUMNS: o->result_columns = true; break;
		case O_REJQ: o->local.policy.reject_quoted = true; break;
		case O_REJU8: o->local.policy.reject_utf8_local = true; break;
		case O_IPLIT: o->local.policy.allow_ip_literal = true; break;
		case O_TIERS: {
			const char *bad = optarg;
			if (strcmp(optarg, "all") == 0) {
				o->tiers = (1u << BUCKET_COUNT) - 1;
			} else if (export_parse_buckets(optarg, &o->tiers, &bad)) {
				fprintf(stderr, "mailvet check: --tiers: unknown bucket at '%s' "
					"(try mailvet check --help)\n", bad);
				return EXIT_USAGE;
			}
			break;
		}
		case 'q': o->quiet = true; break;
		case O_DEMO: o->demo = true; break;
		case O_CONFIG: o->config = optarg; break;
		case 'h': check_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailvet check: option '%s' needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (c >= O_CFG && o->nkv < 64) {
				o->keys[o->nkv] = config_option_key((size_t)(c - O_CFG));
				o->vals[o->nkv++] = optarg ? optarg : "yes";
				break;
			}
			fprintf(stderr, "mailvet check: unknown option '%s' (try mailvet check --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mailvet check: expected one input FILE.csv (try mailvet check --help)\n");
		return EXIT_USAGE;
	}
	o->input = argv[optind];
	if (o->split && !o->output) {
		fprintf(stderr, "mailvet check: --split needs -o OUT.csv (files are named after it)\n");
		return EXIT_USAGE;
	}
	return -1;
}

/* "mailvet check: PATH: why" for a failed write or read. */
static void file_error(const char *path, mv_status st)
{
	fprintf(stderr, "mailvet check: %s: %s\n", path,
		st == MV_IO || st == MV_NOENT ? strerror(errno) : status_message(st));
}

static mv_status load_suppression(const struct check_opts *o, suppress **out,
				  const char **path)
{
	char def[4096];
	*path = o->suppression;
	if (!*path)
		*path = suppress_default_path(def, sizeof(def));
	*out = suppress_create();
	if (!*out)
		return MV_NOMEM;
	if (!*path)
		return MV_OK;
	if (o->suppression && access(o->suppression, R_OK) != 0)
		return MV_NOENT;
	mv_status st = suppress_load(*out, *path);
	if (!o->suppression)
		*path = NULL;   /* def goes out of scope; only the override is named */
	return st;
}

/* The SMTP transcript that decided a row, for the results file: one copy
 * per session in the pool, shared by the rows it decided. */
static void keep_transcript(void *arg, size_t row, const char *text)
{
	results *r = arg;
	results_set_session(r, row, text, strlen(text));
}

/* What verification did, in one paragraph on stderr. */
static void report_verification(const run_report *rep, const results *r)
{
	const verify_stats *st = &rep->stats;
	size_t n[VERDICT_COUNT] = { 0 };
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].local == LOCAL_CANDIDATE)
			n[r->rows[i].verdict < VERDICT_COUNT ? r->rows[i].verdict : 0]++;
	fprintf(stderr, "verified %zu rows in %.1f s: %zu deliverable, %zu risky, %zu invalid, "
		"%zu unknown%s\n", st->done, rep->seconds, n[VERDICT_DELIVERABLE], n[VERDICT_RISKY],
		n[VERDICT_INVALID], n[VERDICT_UNKNOWN],
		n[VERDICT_NONE] ? " (some not finished)" : "");
	fprintf(stderr, "  %u probes (RCPT), %zu from the cache, %u connections, %u round trips, "
		"%u DNS lookups (%u routes cached); %u probes left today\n", st->probes, st->from_cache,
		st->sessions_total, st->round_trips, st->dns_lookups, st->routes_cached, st->budget_left);
	if (rep->alerts)
		fprintf(stderr, "  %u provider(s) rejected the sender: see the ALERT above; "
			"those rows are unknown (sender_blocked), not invalid\n", rep->alerts);
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	table *t = NULL;
	results *r = NULL;
	suppress *supp = NULL;
	demo_net *net = NULL;
	csv_info info;
	local_summary sum;
	mv_config cfg;
	char err[600];
	int rc = 1;

	csv_opts_init(&o.csv);
	local_opts_init(&o.local);
	config_defaults(&cfg);
	int prc = parse_args(argc, argv, &o);
	if (prc >= 0)
		return prc;
	if (config_build(&cfg, o.config, o.keys, o.vals, o.nkv, err, sizeof(err))) {
		fprintf(stderr, "mailvet check: %s\n", err);
		return EXIT_USAGE;
	}
	if (!o.local_only && o.demo) {
		net = demo_start(&cfg, err, sizeof(err));
		if (!net) {
			fprintf(stderr, "mailvet check: --demo: %s\n", err);
			return 1;
		}
	}
	/* .test and friends are real where a resolver of the user's serves them */
	if (!o.local_only && (o.demo || cfg.dns[0]))
		o.local.policy.allow_reserved = true;
	mv_status st = csvio_load(o.input, &o.csv, &t, &info);
	if (st) {
		cmd_load_error(o.input, st, &info);
		return 1;
	}
	if (!o.quiet)
		cmd_report_load(stderr, o.input, t, &info);
	if (info.email_col < 0) {
		fprintf(stderr, "mailvet check: %s: no email column found (use --column NAME|N)\n",
			o.input);
		goto out;
	}
	const char *spath;
	st = load_suppression(&o, &supp, &spath);
	if (st) {
		file_error(spath ? spath : "suppression list", st);
		goto out;
	}
	o.local.suppress = supp;
	r = results_create(table_nrows(t));
	if (!r) {
		fprintf(stderr, "mailvet check: %s\n", status_message(MV_NOMEM));
		goto out;
	}
	st = local_run(t, info.email_col, &o.local, r, &sum);
	if (st) {
		const char *what = st == MV_NOENT || st == MV_IO ?
			"an extra list (--role-list, --disposable-list, --free-list)" : "local pass";
		fprintf(stderr, "mailvet check: %s: %s\n", what,
			st == MV_NOENT || st == MV_IO ? strerror(errno) : status_message(st));
		goto out;
	}
	if (!o.quiet)
		local_summary_print(stderr, &sum);
	if (!o.local_only && sum.candidates) {
		run_report rr;
		st = run_verification(&cfg, r, o.quiet ? NULL : stderr, &rr,
				      o.results ? keep_transcript : NULL, r, err, sizeof(err));
		if (st && st != MV_AGAIN) {
			fprintf(stderr, "mailvet check: %s\n", err);
			goto out;
		}
		if (!o.quiet)
			report_verification(&rr, r);
		if (st == MV_AGAIN) {
			/* interrupted: results so far are cached; write nothing partial */
			fprintf(stderr, "mailvet check: %s\n", err);
			goto out;
		}
	}
	export_opts eo = {
		.clean = o.tiers, .local_only = o.local_only, .split = o.split,
		.result_columns = o.result_columns, .clean_path = o.output,
		.rejects_path = o.rejects,
		.w = { .delimiter = info.delimiter, .eol = info.eol, .bom = info.bom,
		       .protect = o.input },
	};
	export_report rep;
	st = export_write(t, info.email_col, r, &eo, &rep);
	if (st) {
		file_error(rep.failed[0] ? rep.failed : o.output, st);
		goto out;
	}
	if (o.results) {
		csv_wopts jw = { .protect = o.input };
		st = export_jsonl(t, info.email_col, r, o.results, &jw);
		if (st) {
			file_error(o.results, st);
			goto out;
		}
	}
	if (!o.quiet) {
		if (o.output)
			fprintf(stderr, "wrote %zu rows to %s%s\n", rep.clean, o.output,
				rep.fixed ? " (typo fixes applied, originals in email_original)" : "");
		if (o.rejects)
			fprintf(stderr, "wrote %zu rows to %s\n", rep.rejects, o.rejects);
		if (o.split)
			fprintf(stderr, "wrote %zu files in all (--split)\n", rep.files);
		if (o.results)
			fprintf(stderr, "wrote %zu results to %s\n", r->n, o.results);
	}
	rc = 0;
out:
	results_destroy(r);
	suppress_destroy(supp);
	table_destroy(t);
	demo_stop(net);
	return rc;
}
