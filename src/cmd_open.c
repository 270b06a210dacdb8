/*
 * mailvet FILE.csv — the workbench. On a terminal it opens the ncurses UI;
 * with output that is not a terminal it prints the local pass's summary
 * (the cost preview) instead, so scripts and pipes get text.
 */
#include "mailvet/cmd.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "mailvet/config.h"
#include "mailvet/demo.h"
#include "mailvet/workspace.h"
#include "mailvet/ui.h"

enum { O_DEMO = 300, O_START, O_CONFIG, O_HEADER, O_NOHEADER, O_SUMMARY, O_BOUNCES, O_CFG = 1000 };

/* A load bar on stderr for big files, before the screen is taken over. */
static void load_progress(void *arg, size_t done, size_t total)
{
	const char *path = arg;
	if (!total || total < (8u << 20))
		return;
	unsigned pct = (unsigned)(done * 100 / total);
	char bar[31];
	for (int i = 0; i < 30; i++)
		bar[i] = i < (int)(pct * 30 / 100) ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\rloading %s [%s] %3u%% of %zu MB%s", path, bar, pct > 100 ? 100 : pct,
		total >> 20, done >= total ? "; local pass...\n" : "");
	fflush(stderr);
}

static void open_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: mailvet [OPTIONS] FILE.csv\n"
		"\n"
		"Open FILE.csv in the workbench: the local pass runs at once, then a\n"
		"summary shows what verification would cost; v starts it, ? lists the keys.\n"
		"\n"
		"  -d, --delimiter C   field delimiter: , ; tab | (default: sniffed)\n"
		"  -c, --column NAME|N the email column (default: found)\n"
		"      --header, --no-header\n"
		"      --demo          start the demo network (loopback DNS and SMTP that\n"
		"                      serve the sample's .test domains); nothing leaves\n"
		"                      this machine\n"
		"      --start         start verifying at once\n"
		"      --summary       print the summary and exit (no UI)\n"
		"      --bounces PATH  a bounce file or directory (CSV, Postfix/Exim log,\n"
		"                      DSNs) for the segments view (B, then Tab)\n"
		"      --config FILE   settings file (default $XDG_CONFIG_HOME/mailvet/config)\n"
		"  -h, --help          this help\n"
		"\n"
		"Settings (also in the config file as `key = value`):\n");
	config_print_keys(fp);
}

int cmd_open(int argc, char **argv)
{
	struct option longopts[64] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "column", required_argument, NULL, 'c' },
		{ "header", no_argument, NULL, O_HEADER },
		{ "no-header", no_argument, NULL, O_NOHEADER },
		{ "demo", no_argument, NULL, O_DEMO },
		{ "start", no_argument, NULL, O_START },
		{ "summary", no_argument, NULL, O_SUMMARY },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "bounces", required_argument, NULL, O_BOUNCES },
		{ "help", no_argument, NULL, 'h' },
	};
	size_t nfixed = 0;
	while (longopts[nfixed].name)
		nfixed++;
	size_t ncfg = config_options(longopts + nfixed, 64 - nfixed - 1, O_CFG);
	memset(&longopts[nfixed + ncfg], 0, sizeof(longopts[0]));
	const char *keys[64], *vals[64];
	size_t nkv = 0;
	const char *cfgfile = NULL;
	ui_opts o;
	bool summary = !isatty(1) || !isatty(0);
	char err[600];
	int c;

	memset(&o, 0, sizeof(o));
	csv_opts_init(&o.csv);
	config_defaults(&o.cfg);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.csv.delimiter = cmd_parse_delimiter(optarg);
			if (!o.csv.delimiter) {
				fprintf(stderr, "mailvet: --delimiter: '%s' is not one of , ; tab |\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': o.csv.column = optarg; break;
		case O_HEADER: o.csv.header = 1; break;
		case O_NOHEADER: o.csv.header = 0; break;
		case O_DEMO: o.demo = true; break;
		case O_START: o.start = true; break;
		case O_SUMMARY: summary = true; break;
		case O_CONFIG: cfgfile = optarg; break;
		case O_BOUNCES: o.bounces = optarg; break;
		case 'h': open_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailvet: option '%s' needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (c >= O_CFG && nkv < 64) {
				keys[nkv] = config_option_key((size_t)(c - O_CFG));
				vals[nkv++] = optarg ? optarg : "yes";
				break;
			}
			fprintf(stderr, "mailvet: unknown option '%s' (try mailvet --help)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mailvet: expected one FILE.csv (try mailvet --help)\n");
		return EXIT_USAGE;
	}
	o.path = argv[optind];
	if (isatty(2)) {
		o.csv.progress = load_progress;
		o.csv.progress_arg = (void *)o.path;
	}
	if (config_build(&o.cfg, cfgfile, keys, vals, nkv, err, sizeof(err))) {
		fprintf(stderr, "mailvet: %s\n", err);
		return EXIT_USAGE;
	}
	demo_net *net = NULL;
	if (o.demo) {
		net = demo_start(&o.cfg, err, sizeof(err));
		if (!net) {
			fprintf(stderr, "mailvet: --demo: %s\n", err);
			return 1;
		}
	}
	int rc = 0;
	if (summary) {
		workspace ws;
		if (ws_open(&ws, o.path, &o.csv, &o.cfg, o.demo, err, sizeof(err)) != MV_OK) {
			fprintf(stderr, "mailvet: %s\n", err);
			rc = 1;
		} else {
			cmd_report_load(stdout, o.path, ws.t, &ws.info);
			local_summary_print(stdout, &ws.sum);
			ws_close(&ws);
		}
	} else {
		rc = ui_run(&o);
	}
	demo_stop(net);
	return rc;
}
