/*
 * mailvet — clean email lists before a send.
 * main only dispatches to the commands in cmd_*.c.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mailvet/cmd.h"

#ifndef MAILVET_VERSION
#define MAILVET_VERSION "0.0.0"
#endif

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "check", cmd_check, "clean and verify a list headless (see mailvet check --help)" },
	{ "open",  cmd_open,  "open a list in the workbench (the default command)" },
	{ "doctor", cmd_doctor, "check the sending setup (HELO, MAIL FROM, PTR, port 25)" },
	{ "explain", cmd_explain, "say what an SMTP reply means and what to do (mailvet explain \"550 ...\")" },
	{ "bounces", cmd_bounces, "segment bounces (CSV, Postfix/Exim log, DSN mbox/.eml) by provider and reason" },
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: mailvet [OPTIONS] FILE.csv        open FILE in the workbench\n"
		"       mailvet COMMAND [OPTIONS] ARGS...\n"
		"\n"
		"Clean an email list before a send: strip junk, duplicates and typos\n"
		"locally, verify the rest by DNS and SMTP (never sending mail), triage\n"
		"the doubtful, export the clean set.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(fp,
		"\n"
		"Options:\n"
		"  -h, --help      show this help (COMMAND --help for a command's)\n"
		"  -V, --version   print the version\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	/* A peer that hangs up mid-write (OpenSSL writes with write(2)) must
	 * end a session, not the program. */
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit hit while writing is an error to report (EFBIG),
	 * with the temp file removed and the old output left alone. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *a = argv[1];
	if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
		printf("mailvet %s\n", MAILVET_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(a, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	/* No command word: options and a file go to the workbench. */
	if (a[0] == '-' || strchr(a, '.') || strchr(a, '/') || access(a, F_OK) == 0)
		return cmd_open(argc, argv);
	fprintf(stderr, "mailvet: unknown command '%s' (try mailvet --help)\n", a);
	return EXIT_USAGE;
}
