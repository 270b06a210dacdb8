/*
 * buf — a bounded, growable byte buffer (after curl's dynbuf).
 *
 * Every buffer has a maximum size fixed at init; an append that would pass
 * it fails with MV_TOOBIG and leaves the buffer unchanged. The bytes are
 * always followed by a NUL (not counted in len) so text can be read as a
 * C string. The buffer owns its memory; buf_free releases it.
 */
#ifndef MAILVET_BUF_H
#define MAILVET_BUF_H

#include <stddef.h>
#include "mailvet/status.h"

typedef struct buf {
	char *data;     /* owned; NULL until the first append */
	size_t len;     /* bytes in use */
	size_t cap;     /* bytes allocated */
	size_t max;     /* hard limit on len */
} buf;

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
void buf_reset(buf *b);                 /* len = 0, memory kept */
mv_status buf_append(buf *b, const void *p, size_t n);
mv_status buf_append_str(buf *b, const char *s);
mv_status buf_append_char(buf *b, char c);
mv_status buf_printf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Ensure room for n more bytes; returns a pointer to write them. */
char *buf_reserve(buf *b, size_t n);
/* Drop the first n bytes (consumed input). */
void buf_consume(buf *b, size_t n);
/* Pointer to the bytes ("" when empty); never NULL. */
const char *buf_str(const buf *b);
/* Hand the memory to the caller (NUL-terminated); buffer is reset. */
char *buf_detach(buf *b, size_t *len);

#endif
