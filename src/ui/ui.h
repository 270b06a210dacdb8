/*
 * ui/ui.h — what the files of src/ui/ share: the drawing helpers. The
 * entry point is include/mailvet/ui.h.
 */
#ifndef MAILVET_UI_INTERNAL_H
#define MAILVET_UI_INTERNAL_H

#include <stddef.h>
#include "mailvet/ui.h"

/* Drawing helpers (draw.c). */
struct buf;
/* Put s at (y, x) in at most `width` display columns, padding with spaces;
 * hostile bytes are shown escaped, wide characters counted right. */
void ui_put(int y, int x, int width, const char *s, size_t n);
/* Display width of s after escaping, capped at `cap`. */
int ui_width(const char *s, size_t n, int cap);

#endif
