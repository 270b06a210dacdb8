#include "mailvet/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_free(buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_reserve(buf *b, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return NULL;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap = cap > ((size_t)-1) / 2 ? b->len + n + 1 : cap * 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		char *p = realloc(b->data, cap);
		if (!p)
			return NULL;
		b->data = p;
		b->cap = cap;
	}
	return b->data + b->len;
}

mv_status buf_append(buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return MV_TOOBIG;
	char *dst = buf_reserve(b, n);
	if (!dst)
		return MV_NOMEM;
	if (n)
		memcpy(dst, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MV_OK;
}

mv_status buf_append_str(buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

mv_status buf_append_char(buf *b, char c)
{
	return buf_append(b, &c, 1);
}

mv_status buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return MV_PARSE;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	if ((size_t)n > b->max || b->len > b->max - (size_t)n)
		return MV_TOOBIG;
	char *dst = buf_reserve(b, (size_t)n);
	if (!dst)
		return MV_NOMEM;
	va_start(ap, fmt);
	vsnprintf(dst, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return MV_OK;
}

void buf_consume(buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

const char *buf_str(const buf *b)
{
	return b->data ? b->data : "";
}

char *buf_detach(buf *b, size_t *len)
{
	char *p = b->data;
	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
