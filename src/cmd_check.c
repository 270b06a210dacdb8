/* mailvet check — the headless run: load, local pass, verify, export. */
#include "mailvet/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct check_opts {
	csv_opts csv;
	const char *input;
	const char *output;
	bool local_only;
	bool quiet;
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
		"Output:\n"
		"  -o, --output FILE     where the rows go (written atomically)\n"
		"      --local-only      no network: local pass only\n"
		"  -q, --quiet           no summary on stderr\n"
		"  -h, --help            this help\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
	enum { O_HEADER = 256, O_NOHEADER, O_MAXFIELD, O_LOCAL };
	static const struct option longopts[] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "column", required_argument, NULL, 'c' },
		{ "header", no_argument, NULL, O_HEADER },
		{ "no-header", no_argument, NULL, O_NOHEADER },
		{ "max-field", required_argument, NULL, O_MAXFIELD },
		{ "output", required_argument, NULL, 'o' },
		{ "local-only", no_argument, NULL, O_LOCAL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
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
		case 'q': o->quiet = true; break;
		case 'h': check_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailvet check: option '%s' needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
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
	return -1;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	table *t = NULL;
	csv_info info;
	int rc = 1;

	csv_opts_init(&o.csv);
	int prc = parse_args(argc, argv, &o);
	if (prc >= 0)
		return prc;
	if (!o.local_only) {
		fprintf(stderr, "mailvet check: network verification is not built yet; use --local-only\n");
		return EXIT_USAGE;
	}
	mv_status st = csvio_load(o.input, &o.csv, &t, &info);
	if (st) {
		cmd_load_error(o.input, st, &info);
		return 1;
	}
	if (!o.quiet)
		cmd_report_load(stderr, o.input, t, &info);
	if (o.output) {
		csv_wopts w = {
			.delimiter = info.delimiter, .eol = info.eol,
			.bom = info.bom, .protect = o.input,
		};
		st = csvio_write(t, o.output, NULL, 0, &w);
		if (st == MV_SAMEFILE) {
			fprintf(stderr, "mailvet check: %s: %s\n", o.output, status_message(st));
			goto out;
		}
		if (st) {
			fprintf(stderr, "mailvet check: %s: %s\n", o.output,
				st == MV_IO ? strerror(errno) : status_message(st));
			goto out;
		}
		if (!o.quiet)
			fprintf(stderr, "wrote %zu rows to %s\n", info.nrows, o.output);
	}
	rc = 0;
out:
	table_destroy(t);
	return rc;
}
