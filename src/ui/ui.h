/*
 * ui — the ncurses workbench. Only src/ui/ includes curses; it renders a
 * workspace and its view, and turns keys into actions on them.
 */
#ifndef MAILVET_UI_H
#define MAILVET_UI_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/csvio.h"
#include "mailvet/config.h"

typedef struct ui_opts {
	const char *path;
	csv_opts csv;
	mv_config cfg;
	bool demo;          /* start the demo network and use it */
	bool start;         /* start verifying at once */
} ui_opts;

/* Run the workbench until the user quits; returns an exit code. */
int ui_run(const ui_opts *o);

/* Drawing helpers (draw.c). */
struct buf;
/* Put s at (y, x) in at most `width` display columns, padding with spaces;
 * hostile bytes are shown escaped, wide characters counted right. */
void ui_put(int y, int x, int width, const char *s, size_t n);
/* Display width of s after escaping, capped at `cap`. */
int ui_width(const char *s, size_t n, int cap);

#endif
