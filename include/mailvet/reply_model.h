/*
 * reply_model — the words model: a naive Bayes reading of a reply's words,
 * learnt from the labelled corpus of real replies (tests/data/replies.tsv).
 * src/gen/reply-model.c counts the corpus into src/reply_model.inc
 * (`make reply-model`); `make check` fails when that file is stale.
 *
 * reply_classify() asks the model only when no phrase rule matched and the
 * rule that would decide by the code alone is marked '~' in
 * assets/reply-rules.tsv: a catch-all code (5xx, 554, 4xx, 5.7.1, no code)
 * that says little by itself. The model's reading is taken when it is at
 * least MODEL_SURE sure and knows at least MODEL_KNOWN words of the reply; otherwise
 * the code decides, as before. Its reading goes through the same
 * invariants as a rule's (reply.h).
 *
 * Features: lower-case words (runs of letters; digits, addresses and URLs
 * are dropped; Chinese, Japanese and Korean as pairs of characters), each
 * pair of neighbouring words ("no_such"), and the code class ("#5").
 * Each counts once per reply. Nothing allocates; strings are static.
 */
#ifndef MAILVET_REPLY_MODEL_H
#define MAILVET_REPLY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/reason.h"

#define MODEL_ALPHA 0.05        /* additive smoothing of the word counts */
#define MODEL_SURE  0.5         /* the least posterior probability taken */
#define MODEL_KNOWN 2           /* the fewest known word features taken */
#define MODEL_WORD_MAX 48u      /* longer "words" (hashes, ids) are skipped */
#define MODEL_TEXT_MAX 4096u    /* the bytes of a reply the model reads */

/* Calls fn once for each feature of text (duplicates included), then, when
 * cls >= 0, once for the class feature "#<cls>". Features are at most 2 * MODEL_WORD_MAX + 1
 * bytes and not NUL-terminated. */
typedef void (*reply_feature_fn)(const char *f, size_t n, void *ctx);
void reply_features(const char *text, size_t n, int cls, reply_feature_fn fn, void *ctx);

typedef struct reply_model_class {
	unsigned char verdict, owner, reason;
	unsigned docs;         /* replies of this class */
	unsigned total;        /* sum of its feature counts */
} reply_model_class;

typedef struct reply_model_feat {
	const char *f;         /* sorted by strcmp */
	unsigned first, n;     /* its counts: counts[first .. first + n) */
} reply_model_feat;

typedef struct reply_model_count {
	unsigned short cls;    /* index into classes */
	unsigned short count;  /* replies of that class with the feature */
} reply_model_count;

typedef struct reply_model {
	const reply_model_class *classes;
	size_t nclasses;
	const reply_model_feat *feats;
	size_t nfeats;
	const reply_model_count *counts;
	unsigned docs;
} reply_model;

typedef struct reply_guess {
	mv_verdict verdict;
	mv_owner owner;
	mv_reason reason;
	double p;              /* posterior probability of that reading */
	unsigned known;        /* word features the model knows (the class feature not counted) */
	const char *cue;       /* static: the known word that most favoured a reading taken, else "" */
} reply_guess;

/* The model compiled in from src/reply_model.inc. */
const reply_model *reply_model_builtin(void);

/* The model's best reading of text (and lead: the words before the code,
 * may be NULL) for code class cls (0 when none). True when it is sure
 * enough to take (p >= MODEL_SURE and MODEL_KNOWN known words); *out is
 * filled either way. */
bool reply_model_guess(const reply_model *m, const char *text, size_t n, const char *lead,
		       size_t lead_len, int cls, reply_guess *out);

#endif
