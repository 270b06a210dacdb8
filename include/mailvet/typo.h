/*
 * typo — domain typo suggestions: gmial.com → gmail.com, gmail.con →
 * gmail.com, gmailcom → gmail.com, northwnd.com → northwind.com.
 *
 * Two kinds of evidence, never the truth:
 *   - the curated providers (lists: LIST_KNOWN targets with weights) and
 *     the IANA TLD list: a domain one edit away from a provider, or whose
 *     TLD does not exist but is one edit from a common one, is a typo;
 *   - the list itself (typo_observe): a domain seen often in this file is
 *     real, and a rare one exactly one edit away from a much more frequent
 *     one is a likely typo of it. The rarer the domain and the more the
 *     edit looks like a slip of the fingers (keyboard-adjacent key,
 *     swapped letters, dropped or doubled letter, dropped dot), the less
 *     evidence is needed.
 * Real look-alikes (LIST_KNOWN: ymail.com, gmx.com, libero.it, yahoo.co.uk,
 * ...) are never corrected. Edits inside very short names (aol, gmx, qq)
 * need list evidence, as one edit there often lands on another real name.
 *
 * Lookup is by symmetric deletion (SymSpell): every target is indexed by
 * itself and its one-deletion variants, so a query costs a few hash probes
 * instead of a distance computation against every target.
 *
 * Ownership: the lists are borrowed and must outlive the handle.
 * Call typo_observe for every distinct domain first, then typo_suggest;
 * typo_suggest only reads, so several threads may call it at once.
 */
#ifndef MAILVET_TYPO_H
#define MAILVET_TYPO_H

#include <stddef.h>
#include <stdint.h>
#include "mailvet/status.h"

struct lists;
typedef struct typo typo;

/* Why a suggestion was made (typo_suggest's *kind). */
typedef enum {
	TYPO_NONE = 0,
	TYPO_PROVIDER,   /* one edit from a curated provider */
	TYPO_TLD,        /* the TLD does not exist; one edit from a common one */
	TYPO_LIST,       /* one edit from a much more frequent domain in the list */
} typo_kind;

mv_status typo_create(const struct lists *l, typo **out);
void typo_destroy(typo *t);

/* Evidence: domain d (lower-case A-label) occurs count times in the list. */
mv_status typo_observe(typo *t, const char *d, size_t n, uint32_t count);

/*
 * Suggest a correction for a lower-case A-label domain. Writes it to out
 * (NUL-terminated) and returns its length; 0 when there is none (or it
 * does not fit cap). kind may be NULL.
 */
size_t typo_suggest(const typo *t, const char *d, size_t n, char *out, size_t cap,
		    typo_kind *kind);

/*
 * Is `typed` one edit (insert, delete, substitute, swap adjacent) away from
 * `meant`? Returns 0 if not, 1 for a slip of the fingers (adjacent key,
 * doubled letter, swap, omission), 2 for another single edit.
 */
int typo_edit1(const char *typed, size_t tn, const char *meant, size_t mn);

#endif
