/*
 * suppress — the persistent suppression list: addresses and whole domains
 * that must never be mailed or probed again (recipient-side hard bounces,
 * complaints, unsubscribes).
 *
 * File format, one entry a line: `user@domain` for an address, `@domain`
 * or `domain` for a whole domain; `#` starts a comment; blank lines are
 * ignored. Matching ignores ASCII case. Appending rewrites the file
 * atomically (temp file, fsync, rename) and keeps what was there.
 * Default path: $XDG_DATA_HOME/mailvet/suppression.txt
 * (~/.local/share/mailvet/suppression.txt).
 */
#ifndef MAILVET_SUPPRESS_H
#define MAILVET_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/status.h"

typedef struct suppress suppress;

suppress *suppress_create(void);
void suppress_destroy(suppress *s);

/* Add the entries of a file; a missing file is an empty list (MV_OK). */
mv_status suppress_load(suppress *s, const char *path);
/* Add one entry (address or domain, as in the file). */
mv_status suppress_add(suppress *s, const char *entry, size_t n);
size_t suppress_count(const suppress *s);

/* Is this address, or its domain, suppressed? addr is "local@domain". */
bool suppress_match(const suppress *s, const char *addr, size_t n);

/*
 * Append entries to the file at path (created with its directory if
 * missing), skipping those already in it. *added (may be NULL) counts the
 * new ones.
 */
mv_status suppress_append(const char *path, const char *const *entries,
			  size_t n, size_t *added);

/* The default path, written into out; NULL if no home is known. */
const char *suppress_default_path(char *out, size_t cap);

#endif
