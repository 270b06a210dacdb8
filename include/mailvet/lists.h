/*
 * lists — the word and domain lists behind the local pass's flags and the
 * typo engine: role accounts, disposable domains, free-mail providers,
 * the IANA top-level domains, the curated providers (typo targets) and
 * real look-alikes (never corrected), and provider alias rules.
 *
 * The shipped lists are the files in assets/ (sources, versions, dates and
 * the update procedure in assets/README.md), compiled into the binary so
 * that mailvet needs no data files at run time. A user adds entries of
 * the same format with lists_load (--role-list, --disposable-list,
 * --free-list). Entries are lower case; domains are A-labels.
 *
 * A lists handle is read-only after set-up, so one handle can be shared by
 * the local pass, the engine and the workbench (borrowed by all of them).
 */
#ifndef MAILVET_LISTS_H
#define MAILVET_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/status.h"
#include "mailvet/table.h"   /* mv_str */

typedef enum {
	LIST_ROLE,        /* local parts: info, admin, noreply, ... */
	LIST_DISPOSABLE,  /* domains (and their subdomains) */
	LIST_FREE,        /* free-mail provider domains */
	LIST_TLD,         /* IANA top-level domains (A-labels) */
	LIST_KNOWN,       /* real domains never corrected: providers + look-alikes */
	LIST_COUNT
} list_kind;

typedef struct lists lists;

/* The built-in lists. */
mv_status lists_create(lists **out);
void lists_destroy(lists *l);

/*
 * Add the entries of a file: one a line, `#` comments, blank lines
 * skipped, first word of a line taken, lower-cased. A missing file is an
 * error (MV_NOENT): a user who names a list means it.
 */
mv_status lists_load(lists *l, list_kind k, const char *path);
mv_status lists_add(lists *l, list_kind k, const char *s, size_t n);

/* Exact match of a lower-case entry. */
bool lists_has(const lists *l, list_kind k, const char *s, size_t n);
/* A lower-case domain or any parent of it is listed. */
bool lists_has_domain(const lists *l, list_kind k, const char *d, size_t n);
/* The local part (any case; a +tag is ignored) is a role account. */
bool lists_is_role(const lists *l, const char *local, size_t n);

/* The curated typo targets, in file order, with their tie-break weight. */
size_t lists_provider_count(const lists *l);
mv_str lists_provider(const lists *l, size_t i, unsigned *weight);

/*
 * The mailbox key of local@domain at a provider that folds spellings
 * (assets/aliases.txt): lower case, dots dropped where the provider
 * ignores them, +tag dropped, domain mapped to its canonical one. Writes
 * it to out (NUL-terminated) and returns its length; 0 when the domain has
 * no alias rule or the key does not fit.
 */
size_t lists_alias_key(const lists *l, const char *local, size_t ln,
		       const char *domain, size_t dn, char *out, size_t cap);

/* Entries in a list (for summaries and tests). */
size_t lists_count(const lists *l, list_kind k);
const char *lists_kind_name(list_kind k);

#endif
