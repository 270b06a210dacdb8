/* draw — putting untrusted text on the screen, width-aware and escaped. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui.h"

#include <curses.h>
#include <string.h>
#include <wchar.h>

#include "mailvet/buf.h"
#include "mailvet/text.h"

/* Escape, then walk the UTF-8 and stop at `width` columns. */
static int layout(const char *s, size_t n, int width, buf *out, size_t *bytes)
{
	buf_reset(out);
	if (n > 4096)
		n = 4096;
	if (text_escape_display(out, s, n) != MV_OK)
		return 0;
	const char *p = buf_str(out);
	size_t len = out->len, i = 0;
	int cols = 0;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	while (i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, p + i, len - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			wc = L'?';
			memset(&st, 0, sizeof(st));
		}
		int w = wcwidth(wc);
		if (w < 0)
			w = 1;
		if (cols + w > width)
			break;
		cols += w;
		i += k;
	}
	*bytes = i;
	return cols;
}

int ui_width(const char *s, size_t n, int cap)
{
	buf b;
	size_t bytes;
	buf_init(&b, 64 * 1024);
	int w = layout(s, n, cap, &b, &bytes);
	buf_free(&b);
	return w;
}

void ui_put(int y, int x, int width, const char *s, size_t n)
{
	static buf b;
	static bool ready;
	size_t bytes = 0;
	if (width <= 0)
		return;
	if (!ready) {
		buf_init(&b, 64 * 1024);
		ready = true;
	}
	int cols = layout(s, n, width, &b, &bytes);
	move(y, x);
	if (bytes)
		addnstr(buf_str(&b), (int)bytes);
	for (int i = cols; i < width; i++)
		addch(' ');
}
