#include "mailvet/reply_model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/text.h"

/* ---- features ------------------------------------------------------------------------ */

/* The code point of the UTF-8 sequence at s[i] and its length; length 1 and
 * code point 0xfffd for a byte that starts no valid sequence. */
static size_t utf8_at(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
	size_t len = text_utf8_decode(s + i, n - i, cp);
	if (!len) {
		*cp = 0xfffd;
		return 1;
	}
	return len;
}

static bool is_cjk(uint32_t c)
{
	return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) ||
	       (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

/* A letter: ASCII letters and any code point from U+00C0 on, but the
 * punctuation, symbol and full-width blocks. */
static bool is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c < 0xc0 || c == 0xd7 || c == 0xf7 || c == 0xfffd)
		return false;
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65))
		return false;
	return true;
}

static uint32_t lower_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3a9) || (c >= 0x410 && c <= 0x42f))
		return c + 32;
	if (c == 0x401)
		return 0x451;
	return c;
}

static size_t put_utf8(char *t, uint32_t c)
{
	if (c < 0x80) {
		t[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		t[0] = (char)(0xc0 | (c >> 6));
		t[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		t[0] = (char)(0xe0 | (c >> 12));
		t[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		t[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	t[0] = (char)(0xf0 | (c >> 18));
	t[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	t[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	t[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

struct feat_state {
	reply_feature_fn fn;
	void *ctx;
	char prev[MODEL_WORD_MAX];
	size_t prevn;
};

/* One word: itself, and the pair with the word before it. */
static void emit_word(struct feat_state *st, const char *w, size_t n)
{
	char pair[2 * MODEL_WORD_MAX + 1];
	st->fn(w, n, st->ctx);
	if (st->prevn) {
		memcpy(pair, st->prev, st->prevn);
		pair[st->prevn] = '_';
		memcpy(pair + st->prevn + 1, w, n);
		st->fn(pair, st->prevn + 1 + n, st->ctx);
	}
	memcpy(st->prev, w, n);
	st->prevn = n;
}

/* A run of letters, lower case, in w[0..n); cjk: the run is of Chinese,
 * Japanese or Korean characters, read as pairs; carried: it goes on from
 * the last character of pairs already given (a long run, in parts). */
static void emit_run(struct feat_state *st, const char *w, size_t n, bool cjk, bool carried)
{
	if (!cjk) {
		if (n >= 2 && n <= MODEL_WORD_MAX)
			emit_word(st, w, n);
		return;
	}
	/* every CJK character is 3 bytes of UTF-8 */
	if (carried && n <= 3)
		return;
	if (n <= 6) {
		emit_word(st, w, n);
		return;
	}
	for (size_t i = 0; i + 6 <= n; i += 3)
		emit_word(st, w + i, 6);
}

/* Is the chunk s[0..n) (no white space) an address, a URL or a host name
 * to skip? */
static bool skip_chunk(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '@')
			return true;
		if (s[i] == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
			return true;
	}
	return n >= 4 && (s[0] == 'w' || s[0] == 'W') && (s[1] == 'w' || s[1] == 'W') &&
	       (s[2] == 'w' || s[2] == 'W') && s[3] == '.';
}

void reply_features(const char *text, size_t n, int cls, reply_feature_fn fn, void *ctx)
{
	struct feat_state st = { .fn = fn, .ctx = ctx, .prevn = 0 };
	const unsigned char *s = (const unsigned char *)text;
	char w[MODEL_WORD_MAX + 4];
	size_t wn = 0;
	bool wcjk = false, over = false, carried = false;

	if (n > MODEL_TEXT_MAX)
		n = MODEL_TEXT_MAX;
	for (size_t i = 0; i < n;) {
		/* a chunk: up to the next white space */
		size_t j = i;
		while (j < n && s[j] > ' ')
			j++;
		if (j > i && !skip_chunk(text + i, j - i)) {
			for (size_t k = i; k < j;) {
				uint32_t c;
				size_t len = utf8_at(s, j, k, &c);
				bool letter = is_letter(c);
				bool cjk = letter && is_cjk(c);
				if (wn && (!letter || cjk != wcjk)) {
					if (!over)
						emit_run(&st, w, wn, wcjk, carried);
					wn = 0;
					over = carried = false;
				}
				if (letter) {
					wcjk = cjk;
					if (cjk && wn + 4 > MODEL_WORD_MAX) {
						/* a long CJK run: its pairs so far, then on from its last character */
						emit_run(&st, w, wn, true, carried);
						memmove(w, w + wn - 3, 3);
						wn = 3;
						carried = true;
					}
					if (wn + 4 <= MODEL_WORD_MAX)
						wn += put_utf8(w + wn, lower_cp(c));
					else
						over = true;
				}
				k += len;
			}
			if (wn && !over)
				emit_run(&st, w, wn, wcjk, carried);
			wn = 0;
			over = carried = false;
		}
		i = j;
		while (i < n && s[i] <= ' ')
			i++;
	}
	if (cls >= 0) {
		char cf[2] = { '#', (char)('0' + (cls <= 9 ? cls : 0)) };
		fn(cf, 2, ctx);
	}
}

/* ---- the guess -------------------------------------------------------------------------- */

#define GUESS_FEATS 512u

struct collect {
	const reply_model *m;
	unsigned ids[GUESS_FEATS];
	size_t n;
};

static long find_feat(const reply_model *m, const char *f, size_t n)
{
	size_t lo = 0, hi = m->nfeats;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *g = m->feats[mid].f;
		int c = strncmp(g, f, n);
		if (c == 0 && g[n] != '\0')
			c = 1;
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void collect_feat(const char *f, size_t n, void *ctx)
{
	struct collect *c = ctx;
	long id = find_feat(c->m, f, n);
	if (id >= 0 && c->n < GUESS_FEATS)
		c->ids[c->n++] = (unsigned)id;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

bool reply_model_guess(const reply_model *m, const char *text, size_t n, const char *lead,
		       size_t lead_len, int cls, reply_guess *out)
{
	struct collect c = { .m = m, .n = 0 };
	double lp[256];
	double cue_w = 0;

	memset(out, 0, sizeof(*out));
	out->verdict = VERDICT_UNKNOWN;
	out->owner = OWNER_NONE;
	out->reason = REASON_TEMPORARY_FAILURE;
	out->cue = "";
	if (!m || !m->nclasses || m->nclasses > 256 || !m->docs)
		return false;
	if (lead && lead_len)
		reply_features(lead, lead_len, -1, collect_feat, &c);
	reply_features(text ? text : "", text ? n : 0, cls, collect_feat, &c);
	qsort(c.ids, c.n, sizeof(c.ids[0]), cmp_unsigned);
	size_t u = 0;
	for (size_t i = 0; i < c.n; i++)
		if (!u || c.ids[u - 1] != c.ids[i])
			c.ids[u++] = c.ids[i];
	c.n = u;

	double vocab = (double)m->nfeats;
	for (size_t k = 0; k < m->nclasses; k++) {
		const reply_model_class *K = &m->classes[k];
		lp[k] = log((double)K->docs / m->docs) +
			(double)c.n * log(MODEL_ALPHA / ((double)K->total + MODEL_ALPHA * vocab));
	}
	for (size_t i = 0; i < c.n; i++) {
		const reply_model_feat *F = &m->feats[c.ids[i]];
		if (F->f[0] != '#')
			out->known++;
		for (unsigned j = 0; j < F->n; j++) {
			const reply_model_count *C = &m->counts[F->first + j];
			if (C->cls < m->nclasses)
				lp[C->cls] += log((C->count + MODEL_ALPHA) / MODEL_ALPHA);
		}
	}
	size_t best = 0;
	for (size_t k = 1; k < m->nclasses; k++)
		if (lp[k] > lp[best])
			best = k;
	double z = 0;
	for (size_t k = 0; k < m->nclasses; k++)
		z += exp(lp[k] - lp[best]);
	const reply_model_class *B = &m->classes[best];
	out->verdict = (mv_verdict)B->verdict;
	out->owner = (mv_owner)B->owner;
	out->reason = (mv_reason)B->reason;
	out->p = 1.0 / z;
	if (out->p < MODEL_SURE || out->known < MODEL_KNOWN)
		return false;
	/* the cue: the known word most typical of the reading against the rest */
	double other_total = 0;
	for (size_t k = 0; k < m->nclasses; k++)
		if (k != best)
			other_total += m->classes[k].total;
	for (size_t i = 0; i < c.n; i++) {
		const reply_model_feat *F = &m->feats[c.ids[i]];
		double in = 0, all = 0;
		if (F->f[0] == '#')
			continue;
		for (unsigned j = 0; j < F->n; j++) {
			const reply_model_count *C = &m->counts[F->first + j];
			all += C->count;
			if (C->cls == best)
				in += C->count;
		}
		double w = ((in + MODEL_ALPHA) / ((double)B->total + MODEL_ALPHA * vocab)) /
			   ((all - in + MODEL_ALPHA) / (other_total + MODEL_ALPHA * vocab));
		if (in > 0 && w > cue_w) {
			cue_w = w;
			out->cue = F->f;
		}
	}
	return true;
}

/* ---- the model compiled in ------------------------------------------------------------------ */

#ifndef REPLY_MODEL_NONE
#include "reply_model.inc"

static const reply_model builtin = {
	.classes = model_classes,
	.nclasses = sizeof(model_classes) / sizeof(model_classes[0]),
	.feats = model_feats,
	.nfeats = sizeof(model_feats) / sizeof(model_feats[0]),
	.counts = model_counts,
	.docs = MODEL_DOCS,
};
#else
/* The generator's own build: no table yet, so a stale or broken one can
 * always be counted again. */
static const reply_model builtin = { 0 };
#endif

const reply_model *reply_model_builtin(void) { return &builtin; }
