#include "mailvet/typo.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/intern.h"
#include "mailvet/lists.h"

/* A domain in the list needs this many rows to be a correction target. */
#define FREQ_MIN 4
/* ...and this many times the rows of the domain it corrects: a slip of
 * the fingers, or another single edit. */
#define RATIO_SLIP 4
#define RATIO_OTHER 100
/* A domain one edit from a provider that is rare in the list is kept as
 * real when it has this many rows and at least 1/PROV_SHARE of the
 * provider's. */
#define PROV_KEEP_MIN 50
#define PROV_SHARE 20
/* "A domain seen often is real": how many rows of one misspelling the
 * typos of a target of N rows and L characters can explain, at most
 * N * TYPO_SHARE / L (up to 15% of rows mistyped, ~4 misspellings per
 * character). More rows than that, and the look-alike is a real domain. */
#define TYPO_SHARE 0.0375
#define EVIDENCE_MIN 100
/* Second-level labels this short need list evidence for an edit in them. */
#define SHORT_LABEL 4
#define DOMAIN_MAX 253

struct target {
	uint32_t name;      /* id in t->names */
	uint32_t count;     /* rows in this list */
	uint32_t weight;    /* provider weight; 0 for list-only targets */
};

struct posting {
	uint32_t target;    /* index into targets */
	uint32_t next;      /* next posting + 1, 0 = end */
};

struct typo {
	const lists *l;
	intern *names;          /* domain names: targets and observed */
	uint32_t *count;        /* rows per names id (index = id) */
	uint32_t *target_of;    /* names id -> target index + 1 */
	size_t cap;             /* entries in count/target_of */
	struct target *targets;
	size_t ntargets, captargets;
	intern *variants;       /* deletion variants */
	intern *stems;          /* a target's name without its TLD */
	uint32_t *stem_best;    /* stem id -> best target index + 1 */
	size_t capstem;
	uint32_t *head;         /* variant id -> first posting + 1 */
	size_t caphead;
	struct posting *posts;
	size_t nposts, capposts;
};

/* ---- keyboard ------------------------------------------------------------ */

static const char *const rows[] = { "1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm" };

static bool key_pos(char c, int *r, int *col)
{
	for (int i = 0; i < 4; i++) {
		const char *p = strchr(rows[i], c);
		if (p && c) {
			*r = i;
			*col = (int)(p - rows[i]);
			return true;
		}
	}
	return false;
}

/* QWERTY neighbours (rows are staggered by about half a key). */
static bool adjacent(char a, char b)
{
	int ra, ca, rb, cb;
	if (a == b || !key_pos(a, &ra, &ca) || !key_pos(b, &rb, &cb))
		return false;
	if (ra == rb)
		return ca - cb == 1 || cb - ca == 1;
	if (ra - rb == 1)         /* b is on the row above a */
		return cb == ca || cb == ca + 1;
	if (rb - ra == 1)
		return ca == cb || ca == cb + 1;
	return false;
}

int typo_edit1(const char *a, size_t an, const char *b, size_t bn)
{
	size_t p = 0;
	size_t mn = an < bn ? an : bn;
	while (p < mn && a[p] == b[p])
		p++;
	if (an == bn) {
		if (p == an)
			return 0;
		if (memcmp(a + p + 1, b + p + 1, an - p - 1) == 0)
			return adjacent(a[p], b[p]) ? 1 : 2;
		if (p + 1 < an && a[p] == b[p + 1] && a[p + 1] == b[p] &&
		    memcmp(a + p + 2, b + p + 2, an - p - 2) == 0)
			return 1;
		return 0;
	}
	if (an == bn + 1) {        /* a has an extra character at p */
		/* an extra copy of a run may sit anywhere in it: move to its end */
		if (memcmp(a + p + 1, b + p, bn - p) != 0)
			return 0;
		char x = a[p];
		if ((p > 0 && a[p - 1] == x) || (p + 1 < an && a[p + 1] == x))
			return 1;
		if ((p < bn && adjacent(x, b[p])) || (p > 0 && adjacent(x, b[p - 1])))
			return 1;
		return 2;
	}
	if (bn == an + 1) {        /* a lost b[p] */
		if (memcmp(a + p, b + p + 1, an - p) != 0)
			return 0;
		return 1;
	}
	return 0;
}

/* ---- the index ---------------------------------------------------------------- */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap : 256;
	while (nc < need)
		nc *= 2;
	void *q = realloc(*p, nc * size);
	if (!q)
		return false;
	memset((char *)q + *cap * size, 0, (nc - *cap) * size);
	*p = q;
	*cap = nc;
	return true;
}

static mv_status post(typo *t, const char *v, size_t n, uint64_t hash, uint32_t target)
{
	uint32_t vid = intern_put_hash(t->variants, v, n, hash, NULL);
	if (!vid)
		return MV_NOMEM;
	if (!grow((void **)&t->head, &t->caphead, (size_t)vid + 1, sizeof(uint32_t)) ||
	    !grow((void **)&t->posts, &t->capposts, t->nposts + 1, sizeof(struct posting)))
		return MV_NOMEM;
	/* the same target twice under one variant (aab: delete a twice) */
	for (uint32_t p = t->head[vid]; p; p = t->posts[p - 1].next)
		if (t->posts[p - 1].target == target)
			return MV_OK;
	t->posts[t->nposts].target = target;
	t->posts[t->nposts].next = t->head[vid];
	t->head[vid] = (uint32_t)++t->nposts;
	return MV_OK;
}

/* s[0..n) without its character at i, into v. */
static void delete_at(const char *s, size_t n, size_t i, char *v)
{
	memcpy(v, s, i);
	memcpy(v + i, s + i + 1, n - i - 1);
}

/* The id of a name, with room for its count and target slot. */
static uint32_t name_id(typo *t, const char *d, size_t n)
{
	uint32_t id = intern_put(t->names, d, n, NULL);
	if (!id)
		return 0;
	if ((size_t)id >= t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		while (nc <= id)
			nc *= 2;
		uint32_t *c = realloc(t->count, nc * sizeof(uint32_t));
		if (!c)
			return 0;
		t->count = c;
		uint32_t *to = realloc(t->target_of, nc * sizeof(uint32_t));
		if (!to)
			return 0;
		t->target_of = to;
		memset(c + t->cap, 0, (nc - t->cap) * sizeof(uint32_t));
		memset(to + t->cap, 0, (nc - t->cap) * sizeof(uint32_t));
		t->cap = nc;
	}
	return id;
}

static mv_status add_target(typo *t, uint32_t id, uint32_t weight)
{
	uint32_t *to = t->target_of;
	if (to[id]) {
		struct target *g = &t->targets[to[id] - 1];
		if (weight > g->weight)
			g->weight = weight;
		return MV_OK;
	}
	if (!grow((void **)&t->targets, &t->captargets, t->ntargets + 1, sizeof(struct target)))
		return MV_NOMEM;
	uint32_t ti = (uint32_t)t->ntargets++;
	t->targets[ti].name = id;
	t->targets[ti].count = t->count[id];
	t->targets[ti].weight = weight;
	to[id] = ti + 1;
	mv_str s = intern_get(t->names, id);
	char v[DOMAIN_MAX + 1];
	size_t stem = s.len;
	while (stem > 0 && s.p[stem - 1] != '.')
		stem--;
	if (stem > 1) {
		uint32_t sid = intern_put(t->stems, s.p, stem - 1, NULL);
		if (!sid || !grow((void **)&t->stem_best, &t->capstem, (size_t)sid + 1,
				  sizeof(uint32_t)))
			return MV_NOMEM;
		uint32_t cur = t->stem_best[sid];
		const struct target *c = cur ? &t->targets[cur - 1] : NULL;
		if (!c || weight > c->weight ||
		    (weight == c->weight && t->count[id] > c->count))
			t->stem_best[sid] = ti + 1;
	}
	/* the name and its one-deletion variants: hash them all and prefetch
	 * their slots first, so the inserts' cache misses overlap */
	uint64_t h[DOMAIN_MAX + 1];
	h[s.len] = intern_hash(s.p, s.len);
	intern_prefetch(t->variants, h[s.len]);
	for (size_t i = 0; i < s.len; i++) {
		delete_at(s.p, s.len, i, v);
		h[i] = intern_hash(v, s.len - 1);
		intern_prefetch(t->variants, h[i]);
	}
	mv_status st = post(t, s.p, s.len, h[s.len], ti);
	for (size_t i = 0; !st && i < s.len; i++) {
		delete_at(s.p, s.len, i, v);
		st = post(t, v, s.len - 1, h[i], ti);
	}
	return st;
}

mv_status typo_create(const lists *l, typo **out)
{
	mv_status st = MV_NOMEM;
	typo *t = calloc(1, sizeof(*t));
	*out = NULL;
	if (!t)
		return MV_NOMEM;
	t->l = l;
	t->names = intern_create();
	t->variants = intern_create();
	t->stems = intern_create();
	if (!t->names || !t->variants || !t->stems)
		goto out;
	st = MV_OK;
	for (size_t i = 0; !st && i < lists_provider_count(l); i++) {
		unsigned w;
		mv_str s = lists_provider(l, i, &w);
		if (!s.len || s.len > DOMAIN_MAX)
			continue;
		uint32_t id = name_id(t, s.p, s.len);
		st = id ? add_target(t, id, w) : MV_NOMEM;
	}
out:
	if (st) {
		typo_destroy(t);
		return st;
	}
	*out = t;
	return MV_OK;
}

void typo_destroy(typo *t)
{
	if (!t)
		return;
	intern_destroy(t->names);
	intern_destroy(t->variants);
	intern_destroy(t->stems);
	free(t->stem_best);
	free(t->count);
	free(t->target_of);
	free(t->targets);
	free(t->head);
	free(t->posts);
	free(t);
}

static bool ldh(const char *d, size_t n);

mv_status typo_observe(typo *t, const char *d, size_t n, uint32_t count)
{
	if (!n || n > DOMAIN_MAX || !ldh(d, n))
		return MV_OK;   /* only lower-case A-label domains are evidence */
	uint32_t id = name_id(t, d, n);
	if (!id)
		return MV_NOMEM;
	t->count[id] += count;
	uint32_t c = t->count[id];
	if (t->target_of[id]) {
		t->targets[t->target_of[id] - 1].count = c;
		return MV_OK;
	}
	if (c >= FREQ_MIN)
		return add_target(t, id, 0);
	return MV_OK;
}

/* ---- suggestions ------------------------------------------------------------ */

/* Common TLDs, by how often mail goes to them: the repair of a TLD that
 * does not exist (con, cmo, comm, ogr, nte). */
static const struct { const char *tld; unsigned weight; } common_tlds[] = {
	{ "com", 1000 }, { "net", 150 }, { "org", 120 }, { "de", 60 }, { "uk", 60 },
	{ "ru", 40 }, { "fr", 40 }, { "br", 30 }, { "it", 30 }, { "es", 25 },
	{ "nl", 20 }, { "pl", 20 }, { "ca", 20 }, { "au", 20 }, { "in", 20 },
	{ "jp", 15 }, { "edu", 15 }, { "info", 10 }, { "io", 10 }, { "us", 10 },
	{ "ch", 10 }, { "be", 10 }, { "se", 10 }, { "at", 8 }, { "cz", 8 },
	{ "mx", 8 }, { "ar", 8 }, { "dk", 6 }, { "no", 6 }, { "fi", 6 },
	{ "gov", 5 }, { "co", 5 }, { "biz", 3 }, { "me", 3 }, { "eu", 3 },
};

/* Length of the second-level label of d (the one before the TLD, or before
 * a two-letter ccSLD pair such as co.uk) and its offset. */
static size_t sld(const char *d, size_t n, size_t *off)
{
	size_t end = n, dots = 0;
	size_t pos[4] = { 0 };
	for (size_t i = n; i-- > 0 && dots < 3;)
		if (d[i] == '.')
			pos[dots++] = i;
	if (!dots) {
		*off = 0;
		return n;
	}
	end = pos[0];
	/* co.uk, com.br: a short second label under a ccTLD */
	if (dots >= 2 && n - pos[0] - 1 == 2 && pos[0] - pos[1] - 1 <= 3)
		end = pos[1];
	size_t start = 0;
	for (size_t i = end; i-- > 0;)
		if (d[i] == '.') {
			start = i + 1;
			break;
		}
	*off = start;
	return end - start;
}

/* Can typos of a target with ct rows explain c rows of one misspelling? */
static bool few_enough(uint32_t c, uint32_t ct, size_t len)
{
	return c <= 1 || (double)c <= (double)ct * TYPO_SHARE / (double)(len ? len : 1);
}

struct cand {
	uint32_t target;     /* index + 1; 0 = none */
	int provider;        /* 1 when accepted on provider evidence */
	int edit;            /* 1 slip, 2 other */
	uint64_t weight;
};

static bool better(const struct cand *a, const struct cand *b)
{
	if (!b->target)
		return true;
	if (a->provider != b->provider)
		return a->provider > b->provider;
	if (a->edit != b->edit)
		return a->edit < b->edit;
	return a->weight > b->weight;
}

/* The best one-edit target for d, seen c times in the list. */
static struct cand best_target(const typo *t, const char *d, size_t n, uint32_t c)
{
	struct cand best = { 0 };
	uint32_t tried[32];
	size_t ntried = 0;
	char v[DOMAIN_MAX + 1];
	uint32_t cc = c ? c : 1;

	/* d and its one-deletion variants (deleting either of two equal
	 * neighbours gives the same one): hash all, prefetch their slots, then
	 * look them up, so the cache misses overlap */
	uint64_t h[DOMAIN_MAX + 1];
	for (size_t del = 0; del <= n; del++) {
		if (del < n && del > 0 && d[del] == d[del - 1])
			continue;
		if (del < n)
			delete_at(d, n, del, v);
		h[del] = del < n ? intern_hash(v, n - 1) : intern_hash(d, n);
		intern_prefetch(t->variants, h[del]);
	}
	for (size_t del = 0; del <= n; del++) {
		const char *q = d;
		size_t qn = n;
		if (del < n) {
			if (del > 0 && d[del] == d[del - 1])
				continue;
			delete_at(d, n, del, v);
			q = v;
			qn = n - 1;
		}
		uint32_t vid = intern_find_hash(t->variants, q, qn, h[del]);
		if (!vid)
			continue;
		for (uint32_t p = t->head[vid]; p; p = t->posts[p - 1].next) {
			uint32_t ti = t->posts[p - 1].target;
			bool seen = false;
			for (size_t k = 0; k < ntried; k++)
				seen |= tried[k] == ti;
			if (seen)
				continue;
			if (ntried < 32)
				tried[ntried++] = ti;
			const struct target *g = &t->targets[ti];
			mv_str s = intern_get(t->names, g->name);
			int e = typo_edit1(d, n, s.p, s.len);
			if (!e)
				continue;
			struct cand cd = { ti + 1, 0, e, 0 };
			bool ok = false;
			if (g->weight) {
				/* where the edit is: inside a very short name? */
				size_t pre = 0, off, sl = sld(s.p, s.len, &off);
				while (pre < n && pre < s.len && d[pre] == s.p[pre])
					pre++;
				bool in_sld = pre >= off && pre <= off + sl;
				bool short_name = in_sld && (sl <= SHORT_LABEL || (e == 2 && sl <= 6));
				bool kept = g->count >= EVIDENCE_MIN ?
					    !few_enough(c, g->count, s.len) :
					    c >= PROV_KEEP_MIN && (uint64_t)c * PROV_SHARE >= g->count;
				if (!short_name && !kept) {
					ok = true;
					cd.provider = 1;
					cd.weight = g->weight;
				}
			}
			if (!ok && g->count >= FREQ_MIN && few_enough(c, g->count, s.len) &&
			    g->count >= (uint64_t)cc * (e == 1 ? RATIO_SLIP : RATIO_OTHER)) {
				ok = true;
				cd.weight = g->count;
			}
			if (ok && better(&cd, &best))
				best = cd;
		}
	}
	return best;
}

/* Only lower-case A-label domains get suggestions. */
static bool ldh(const char *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = d[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static size_t put(const char *s, size_t n, char *out, size_t cap)
{
	if (n + 1 > cap)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

size_t typo_suggest(const typo *t, const char *d, size_t n, char *out, size_t cap,
		    typo_kind *kind)
{
	typo_kind k = TYPO_NONE;
	size_t len = 0;
	char fix[DOMAIN_MAX + 8];

	if (kind)
		*kind = TYPO_NONE;
	if (!n || n > DOMAIN_MAX || !ldh(d, n) || lists_has(t->l, LIST_KNOWN, d, n))
		return 0;
	uint32_t self = intern_find(t->names, d, n);
	uint32_t c = self ? t->count[self] : 0;

	struct cand b = best_target(t, d, n, c);
	if (b.target) {
		mv_str s = intern_get(t->names, t->targets[b.target - 1].name);
		len = put(s.p, s.len, out, cap);
		k = b.provider ? TYPO_PROVIDER : TYPO_LIST;
		goto out;
	}
	/* A TLD that does not exist: repair it, then look again. */
	const char *dot = NULL;
	for (size_t i = n; i-- > 0;)
		if (d[i] == '.') {
			dot = d + i;
			break;
		}
	size_t tl = dot ? n - (size_t)(dot + 1 - d) : n;
	const char *tld = dot ? dot + 1 : d;
	if (dot && !lists_has(t->l, LIST_TLD, tld, tl)) {
		unsigned bw = 0;
		int be = 3;
		const char *bt = NULL;
		for (size_t i = 0; i < sizeof(common_tlds) / sizeof(common_tlds[0]); i++) {
			const char *ct = common_tlds[i].tld;
			int e = typo_edit1(tld, tl, ct, strlen(ct));
			if (e && (e < be || (e == be && common_tlds[i].weight > bw))) {
				be = e;
				bw = common_tlds[i].weight;
				bt = ct;
			}
		}
		if (!bt)
			goto out;
		size_t pl = (size_t)(dot + 1 - d), btl = strlen(bt);
		if (pl + btl > DOMAIN_MAX)
			goto out;
		memcpy(fix, d, pl);
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): lengths are explicit */
		memcpy(fix + pl, bt, btl);
		size_t fl = pl + btl;
		uint32_t fid = intern_find(t->names, fix, fl);
		if (!lists_has(t->l, LIST_KNOWN, fix, fl) && !(fid && t->target_of[fid])) {
			/* gmail.nte is gmail.com, not gmail.net: a target with the
			 * same name under another TLD wins over the bare repair */
			uint32_t sid = intern_find(t->stems, d, (size_t)(dot - d));
			uint32_t ti = sid ? t->stem_best[sid] : 0;
			if (ti && self && t->targets[ti - 1].name == self)
				ti = 0;   /* the stem's best is this very domain */
			struct cand b2 = { 0 };
			if (!ti) {
				b2 = best_target(t, fix, fl, fid ? t->count[fid] : c);
				ti = b2.provider ? b2.target : 0;
			}
			if (ti) {
				mv_str s = intern_get(t->names, t->targets[ti - 1].name);
				len = put(s.p, s.len, out, cap);
				k = TYPO_TLD;
				goto out;
			}
		}
		len = put(fix, fl, out, cap);
		k = TYPO_TLD;
		goto out;
	}
	/* One label that ends in a common TLD: a dropped dot (acmecom). */
	if (!dot) {
		for (size_t i = 0; i < sizeof(common_tlds) / sizeof(common_tlds[0]); i++) {
			const char *ct = common_tlds[i].tld;
			size_t ctl = strlen(ct);
			if (n >= ctl + 3 && memcmp(d + n - ctl, ct, ctl) == 0) {
				memcpy(fix, d, n - ctl);
				fix[n - ctl] = '.';
				/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): lengths are explicit */
				memcpy(fix + n - ctl + 1, ct, ctl);
				len = put(fix, n + 1, out, cap);
				k = TYPO_TLD;
				break;
			}
		}
	}
out:
	if (len == n && memcmp(out, d, n) == 0)
		len = 0;   /* never "correct" a domain to itself */
	if (kind)
		*kind = len ? k : TYPO_NONE;
	return len;
}
