/*
 * ui — the workbench's entry point. Everything behind it lives in src/ui/,
 * the only place that includes curses.
 */
#ifndef MAILVET_UI_H
#define MAILVET_UI_H

#include <stdbool.h>
#include "mailvet/config.h"
#include "mailvet/csvio.h"

typedef struct ui_opts {
	const char *path;
	csv_opts csv;
	mv_config cfg;
	bool demo;          /* the demo network is up and configured */
	bool start;         /* start verifying at once */
	const char *bounces;  /* a bounce file or directory for the segments view */
} ui_opts;

/* Run the workbench until the user quits; returns an exit code. */
int ui_run(const ui_opts *o);

#endif
