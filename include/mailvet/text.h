/*
 * text — byte-string helpers shared by every module: UTF-8 checks, safe
 * display of hostile bytes, ASCII case folding, CSV formula neutralising.
 *
 * Nothing here allocates except through a caller's buf.
 */
#ifndef MAILVET_TEXT_H
#define MAILVET_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mailvet/status.h"

struct buf;

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t text_utf8_seq(const unsigned char *s, size_t n);
/* The same, and its code point in *cp (left alone when invalid). */
size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
bool text_utf8_valid(const char *s, size_t n);

/*
 * Append s to out so that it is safe to put on a terminal: C0/C1 controls,
 * DEL, bidi overrides and invalid UTF-8 become visible escapes (\n, \t,
 * \x1b, \u202e). Valid printable UTF-8 is copied as is.
 */
mv_status text_escape_display(struct buf *out, const char *s, size_t n);

/*
 * Append s to out as a JSON string body (no quotes): ", \ and controls
 * escaped; invalid UTF-8 bytes become \u00XX of the byte (lossy but safe).
 */
mv_status text_escape_json(struct buf *out, const char *s, size_t n);

/*
 * True when a cell written to CSV would be read as a formula by a
 * spreadsheet (starts with = + - @ TAB CR).
 */
bool text_is_formula(const char *s, size_t n);
/* Append s, prefixed with a single quote when text_is_formula(). */
mv_status text_neutralize_formula(struct buf *out, const char *s, size_t n);

static inline char text_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* ASCII case-insensitive equality of two byte strings. */
bool text_ieq(const char *a, size_t an, const char *b, size_t bn);
/* First place of needle (lower case ASCII) in s[0..n), ignoring ASCII
 * case; NULL if none. */
const char *text_find_ci(const char *s, size_t n, const char *needle);
/* In-place ASCII lower-casing. */
void text_lower(char *s, size_t n);

#endif
