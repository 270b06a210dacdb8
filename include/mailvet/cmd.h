/*
 * cmd — the command-line front ends. Each command is one function taking
 * its own argv (argv[0] is the command name) and returning the exit code:
 * 0 success, 1 error, 2 usage error. main.c only dispatches.
 */
#ifndef MAILVET_CMD_H
#define MAILVET_CMD_H

#include <stdio.h>
#include "mailvet/csvio.h"

#define EXIT_USAGE 2

int cmd_check(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_bounces(int argc, char **argv);

/* Shared by commands that load a CSV. */
void cmd_report_load(FILE *fp, const char *path, const table *t,
		     const csv_info *info);
/* Parse a --delimiter value ("," ";" "tab" "\t" "|"); 0 if invalid. */
char cmd_parse_delimiter(const char *s);
/* "mailvet: PATH: message" for a failed load, with errno where it helps. */
void cmd_load_error(const char *path, mv_status st, const csv_info *info);

#endif
