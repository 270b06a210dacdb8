/* mailvet FILE.csv — the workbench. Until the TUI lands, the load summary
 * and the local pass's summary (the cost preview). */
#include "mailvet/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "mailvet/local.h"
#include "mailvet/suppress.h"

int cmd_open(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "column", required_argument, NULL, 'c' },
		{ "allow-reserved", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	csv_opts co;
	csv_info info;
	local_opts lo;
	table *t = NULL;
	int c;

	csv_opts_init(&co);
	local_opts_init(&lo);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			co.delimiter = cmd_parse_delimiter(optarg);
			if (!co.delimiter) {
				fprintf(stderr, "mailvet: --delimiter: '%s' is not one of , ; tab |\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': co.column = optarg; break;
		case 'R': lo.policy.allow_reserved = true; break;
		case 'h':
			printf("Usage: mailvet [-d DELIM] [-c COLUMN] [--allow-reserved] FILE.csv\n"
			       "Open FILE.csv (for now: print what was loaded and the local\n"
			       "pass's summary, with the probes verification would need).\n");
			return 0;
		default:
			fprintf(stderr, "mailvet: unknown option '%s' (try mailvet --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mailvet: expected one FILE.csv (try mailvet --help)\n");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];
	mv_status st = csvio_load(path, &co, &t, &info);
	if (st) {
		cmd_load_error(path, st, &info);
		return 1;
	}
	cmd_report_load(stdout, path, t, &info);
	int rc = 0;
	if (info.email_col >= 0) {
		char sp[4096];
		suppress *supp = suppress_create();
		results *r = results_create(table_nrows(t));
		local_summary sum;
		if (supp && suppress_default_path(sp, sizeof(sp)))
			st = suppress_load(supp, sp);
		lo.suppress = supp;
		if (!supp || !r)
			st = MV_NOMEM;
		if (!st)
			st = local_run(t, info.email_col, &lo, r, &sum);
		if (st) {
			fprintf(stderr, "mailvet: %s: %s\n", path,
				st == MV_IO ? strerror(errno) : status_message(st));
			rc = 1;
		} else {
			local_summary_print(stdout, &sum);
		}
		results_destroy(r);
		suppress_destroy(supp);
	}
	table_destroy(t);
	return rc;
}
