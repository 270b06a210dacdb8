/* mailvet FILE.csv — the workbench. Until the TUI lands, a load summary. */
#include "mailvet/cmd.h"

#include <getopt.h>
#include <string.h>

int cmd_open(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "column", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	csv_opts co;
	csv_info info;
	table *t = NULL;
	int c;

	csv_opts_init(&co);
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
		case 'h':
			printf("Usage: mailvet [-d DELIM] [-c COLUMN] FILE.csv\n"
			       "Open FILE.csv (for now: print what was loaded).\n");
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
	table_destroy(t);
	return 0;
}
