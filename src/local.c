#include "mailvet/local.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/buf.h"
#include "mailvet/lists.h"
#include "mailvet/mem.h"
#include "mailvet/suppress.h"
#include "mailvet/text.h"
#include "mailvet/typo.h"

/* Flags the local pass owns (the engine owns the others). */
#define LOCAL_FLAGS (F_ROLE | F_DISPOSABLE | F_FREE | F_DUPLICATE | F_ALIAS | \
		     F_SUPPRESSED | F_TYPO | F_DISPLAY_NAME | F_QUOTED | \
		     F_UTF8_LOCAL | F_MULTIPLE | F_FIXED)

/* What is known about a domain. */
enum {
	DOM_DONE       = 1u << 0,   /* facts computed */
	DOM_DISPOSABLE = 1u << 1,
	DOM_FREE       = 1u << 2,
	DOM_ALIAS      = 1u << 3,   /* the provider folds spellings */
};

struct dominfo {
	uint32_t pool;        /* the domain's id in the results pool */
	uint32_t count;       /* rows with this domain (typo evidence) */
	uint32_t suggest;     /* pool id of the suggested domain, 0 = none */
	uint32_t facts;       /* DOM_* */
};

/*
 * Rows by a key derived from each row (its dedupe key, its mailbox key),
 * to find duplicates: open addressing over (hash, row + 1), linear
 * probing. Keys are not stored: on a hash match the key is derived again
 * from the stored row and compared. Lives only while local_run runs.
 */
struct rslot {
	uint32_t hash;
	uint32_t row;         /* + 1; 0 = empty */
};

struct rowset {
	struct rslot *s;
	size_t mask, n;
};

/*
 * Per-run state. Domains get a dense index of their own (a small private
 * pool, hot in cache), so per-domain facts cost no pool-sized array.
 * Dedupe keys (the normalized address, lower-cased) and mailbox keys
 * (that, folded by the provider's alias rules) are derived from the rows
 * when needed, never stored.
 */
struct run {
	const local_opts *o;
	const lists *l;
	lists *own_lists;
	results *r;
	intern *doms;         /* domain -> index + 1 */
	struct dominfo *dom;  /* by domain index */
	size_t ndom, capdom;
	uint32_t *rowdom;     /* by row: domain index + 1, 0 = none */
	uint32_t *keyhash;    /* by row: hash of the dedupe key (candidates) */
	struct rowset dup[2]; /* candidates by dedupe key: the first of each (by part) */
	struct rowset mbox[2];/* rows at alias providers by mailbox key (by part) */
};

void local_opts_init(local_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/* Make a[0..need) valid (new entries zero). */
static mv_status ensure(void **a, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return MV_OK;
	size_t nc = *cap ? *cap + *cap / 2 : 1024;
	if (nc < need)
		nc = need;
	void *q = realloc(*a, nc * size);
	if (!q)
		return MV_NOMEM;
	memset((char *)q + *cap * size, 0, (nc - *cap) * size);
	*a = q;
	*cap = nc;
	return MV_OK;
}

static mv_status run_lists(struct run *x)
{
	mv_status st;
	if (x->o->lists) {
		x->l = x->o->lists;
		return MV_OK;
	}
	st = lists_create(&x->own_lists);
	if (!st && x->o->role_list)
		st = lists_load(x->own_lists, LIST_ROLE, x->o->role_list);
	if (!st && x->o->disposable_list)
		st = lists_load(x->own_lists, LIST_DISPOSABLE, x->o->disposable_list);
	if (!st && x->o->free_list)
		st = lists_load(x->own_lists, LIST_FREE, x->o->free_list);
	x->l = x->own_lists;
	return st;
}

static void run_free(struct run *x)
{
	lists_destroy(x->own_lists);
	intern_destroy(x->doms);
	free(x->dom);
	free(x->rowdom);
	free(x->keyhash);
	for (int i = 0; i < 2; i++) {
		free(x->dup[i].s);
		free(x->mbox[i].s);
	}
}

/* The dense index (+1) of a domain, adding it (and its pool id) if new. */
static uint32_t domain_slot(struct run *x, uint32_t di, const char *d, size_t n);

static uint32_t domain_index(struct run *x, const char *d, size_t n)
{
	uint32_t di = intern_put(x->doms, d, n, NULL);
	return di ? domain_slot(x, di, d, n) : 0;
}

/* Make room for domain index di (from x->doms) and give it its pool id. */
static uint32_t domain_slot(struct run *x, uint32_t di, const char *d, size_t n)
{
	if (di > x->ndom) {
		if (ensure((void **)&x->dom, &x->capdom, di, sizeof(struct dominfo)))
			return 0;
		x->ndom = di;
	}
	if (!x->dom[di - 1].pool && !(x->dom[di - 1].pool = intern_put(x->r->pool, d, n, NULL)))
		return 0;
	return di;
}

/* Facts of a domain, computed once. */
static const struct dominfo *domain_facts(struct run *x, uint32_t di)
{
	struct dominfo *d = &x->dom[di - 1];
	if (d->facts & DOM_DONE)
		return d;
	mv_str s = results_str(x->r, d->pool);
	char key[300];
	d->facts = DOM_DONE;
	if (lists_has_domain(x->l, LIST_DISPOSABLE, s.p, s.len))
		d->facts |= DOM_DISPOSABLE;
	else if (lists_has_domain(x->l, LIST_FREE, s.p, s.len))
		d->facts |= DOM_FREE;
	if (lists_alias_key(x->l, "a", 1, s.p, s.len, key, sizeof(key)))
		d->facts |= DOM_ALIAS;
	return d;
}

static void clear_local(row_result *rr)
{
	rr->normalized = rr->domain = rr->suggestion = rr->dup_of = 0;
	rr->flags &= ~(uint32_t)LOCAL_FLAGS;
	rr->local = LOCAL_PENDING;
	if (rr->verdict == VERDICT_NONE)
		rr->reason = REASON_NONE;
}

static uint32_t addr_flags(unsigned f)
{
	uint32_t out = 0;
	if (f & ADDR_DISPLAY_NAME)
		out |= F_DISPLAY_NAME;
	if (f & ADDR_QUOTED)
		out |= F_QUOTED;
	if (f & ADDR_UTF8_LOCAL)
		out |= F_UTF8_LOCAL;
	if (f & ADDR_MULTIPLE)
		out |= F_MULTIPLE;
	return out;
}

/*
 * Phase one of a row, in two halves. parse_head parses, touching nothing
 * shared (either thread runs it), and describes in *pp the row's status
 * and what it needs interned; parse_tail then writes the row and interns
 * on the main thread, the only one that writes rows, the pool and the
 * domain index.
 */
enum { P_NONE, P_ADDR, P_RESERVED, P_FIRST_OF_MANY };

struct parsed {
	const char *norm;     /* the normalized address (see parse_block) */
	uint32_t hash;        /* intern_hash(norm), low bits, when it goes to the pool */
	uint32_t domhash;     /* intern_hash of its domain, low bits */
	uint32_t cell_off;    /* with in_cell: where norm starts in the cell */
	uint16_t len;
	uint16_t local_len;
	uint16_t flags;       /* F_* from the parse */
	uint8_t local;        /* the row's local status and reason */
	uint8_t reason;
	uint8_t kind;         /* P_* */
	uint8_t in_cell;      /* norm is the cell's own bytes, unchanged */
};

/* Whether the row's normalized address goes into the results pool. */
static bool to_pool(const struct parsed *pp)
{
	return pp->kind == P_FIRST_OF_MANY || (pp->kind && !pp->in_cell);
}

static void parse_head(const struct run *x, const char *p, size_t n, addr *a,
		       struct parsed *pp)
{
	addr_parse(p, n, &x->o->policy, a);
	pp->flags = (uint16_t)addr_flags(a->flags);
	pp->kind = P_NONE;
	pp->in_cell = 0;
	pp->cell_off = 0;
	pp->norm = a->norm;
	pp->len = (uint16_t)a->len;
	pp->local_len = (uint16_t)a->local_len;
	if (a->reason == REASON_MULTIPLE_ADDRESSES) {
		pp->local = LOCAL_INVALID;
		pp->reason = REASON_MULTIPLE_ADDRESSES;
		if (a->len)
			pp->kind = P_FIRST_OF_MANY;
		return;
	}
	pp->local = a->reason != REASON_NONE ? LOCAL_INVALID : LOCAL_CANDIDATE;
	pp->reason = (uint8_t)a->reason;
	if (a->reason == REASON_NONE || (a->flags & ADDR_SINGLE_LABEL))
		pp->kind = P_ADDR;
	else if (a->reason == REASON_RESERVED_DOMAIN)
		pp->kind = P_RESERVED;
}

/* The hashes parse_tail needs, and a candidate's dedupe key hash. */
static void parse_hash(struct run *x, size_t i, struct parsed *pp)
{
	if (!pp->kind)
		return;
	pp->hash = to_pool(pp) ? (uint32_t)intern_hash(pp->norm, pp->len) : 0;
	if (pp->kind == P_FIRST_OF_MANY)
		return;
	pp->domhash = (uint32_t)intern_hash(pp->norm + pp->local_len + 1,
					    (size_t)pp->len - pp->local_len - 1);
	if (x->keyhash && pp->local == LOCAL_CANDIDATE) {
		char k[RESULT_ADDR_CAP];
		memcpy(k, pp->norm, pp->len);
		text_lower(k, pp->len);
		x->keyhash[i] = (uint32_t)intern_hash(k, pp->len);
	}
}

static mv_status parse_tail(struct run *x, size_t i, const struct parsed *pp)
{
	row_result *rr = &x->r->rows[i];
	intern *pool = x->r->pool;
	clear_local(rr);
	x->rowdom[i] = 0;
	rr->flags |= pp->flags;
	rr->local = pp->local;
	if (pp->local == LOCAL_INVALID)
		rr->reason = pp->reason;
	if (pp->kind == P_NONE)
		return MV_OK;
	if (pp->kind == P_FIRST_OF_MANY) {
		rr->suggestion = intern_put_hash(pool, pp->norm, pp->len, pp->hash, NULL);
		return rr->suggestion ? MV_OK : MV_NOMEM;
	}
	size_t dl = (size_t)pp->len - pp->local_len - 1;
	const char *d = pp->norm + pp->local_len + 1;
	uint32_t di = intern_put_hash(x->doms, d, dl, pp->domhash, NULL);
	di = di ? domain_slot(x, di, d, dl) : 0;
	if (!pp->in_cell || !results_set_normalized_cell(x->r, i, pp->cell_off, pp->len))
		rr->normalized = intern_put_hash(pool, pp->norm, pp->len,
						 pp->in_cell ? intern_hash(pp->norm, pp->len) : pp->hash, NULL);
	if (!rr->normalized || !di)
		return MV_NOMEM;
	rr->domain = x->dom[di - 1].pool;
	x->rowdom[i] = di;
	if (pp->kind == P_ADDR)
		x->dom[di - 1].count++;
	if (rr->local == LOCAL_CANDIDATE && lists_is_role(x->l, pp->norm, pp->local_len))
		rr->flags |= F_ROLE;
	return MV_OK;
}

/* One row, start to end, on this thread (re-checks and applied fixes). */
static mv_status parse_row(struct run *x, size_t i, const char *p, size_t n, addr *a)
{
	struct parsed pp;
	parse_head(x, p, n, a, &pp);
	parse_hash(x, i, &pp);
	return parse_tail(x, i, &pp);
}

/* ---- phase one on two threads -------------------------------------------- */

/*
 * Why two threads: parsing (addr) is most of a row's cost, and what must
 * be serial is small: the domains' index and pool ids, and the pool
 * copies of addresses that normalizing changed. Rows go in blocks; both
 * threads parse blocks (hashing what the main thread will intern), taking
 * the next unparsed one; the main thread also takes in the parsed blocks
 * in order (prefetching the slots it knows from the hashes), and parses
 * when the next one to take in is not ready. Safety: a parser writes only
 * its block and its block's rows' dedupe key hashes (x->keyhash); a
 * block changes hands under the mutex, both ways; only the main thread
 * writes the pool and the domain index. The table and the policy are
 * read-only throughout.
 */
#define BLOCK 8192
#define NBLOCK 4              /* blocks in flight */
#define AHEAD 8               /* rows between a slot's prefetch and its use */

struct block {
	struct parsed p[BLOCK];
	char *arena;              /* normalized addresses that differ from the cell */
	size_t used;
};

struct pipe {
	struct run *x;
	const table *t;
	size_t col, nrows, nblocks;
	struct block *blocks;     /* NBLOCK, reused round robin: block b in b % NBLOCK */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next;              /* the next block to parse */
	size_t consumed;          /* blocks taken in (their slots are free) */
	size_t ready[NBLOCK];     /* by slot: the block parsed into it, + 1 */
	bool stop;
};

/* Parse block b into its slot (either thread). */
static void parse_block(struct pipe *pp, size_t b, addr *a)
{
	struct block *blk = &pp->blocks[b % NBLOCK];
	size_t first = b * BLOCK, last = first + BLOCK < pp->nrows ? first + BLOCK : pp->nrows;
	blk->used = 0;
	for (size_t i = first; i < last; i++) {
		struct parsed *q = &blk->p[i - first];
		mv_str c = table_cell(pp->t, i, pp->col);
		parse_head(pp->x, c.p, c.len, a, q);
		if (!q->kind)
			continue;
		/* stable bytes: the cell itself when it is the address as is (the
		 * row's result then names them instead of keeping a copy) */
		if (a->clean_len == a->len && memcmp(c.p + a->clean_off, a->norm, a->len) == 0) {
			q->norm = c.p + a->clean_off;
			q->in_cell = 1;
			q->cell_off = (uint32_t)a->clean_off;
		} else {
			memcpy(blk->arena + blk->used, a->norm, a->len);
			q->norm = blk->arena + blk->used;
			blk->used += a->len;
		}
		parse_hash(pp->x, i, q);
	}
}

/* Under the mutex: claim the next block to parse, if its slot is free. */
static bool claim(struct pipe *pp, size_t *b)
{
	if (pp->stop || pp->next >= pp->nblocks || pp->next >= pp->consumed + NBLOCK)
		return false;
	*b = pp->next++;
	return true;
}

/* Parse claimed block b (the mutex held on entry and exit). */
static void parse_claimed(struct pipe *pp, size_t b, addr *a)
{
	pthread_mutex_unlock(&pp->mu);
	parse_block(pp, b, a);
	pthread_mutex_lock(&pp->mu);
	pp->ready[b % NBLOCK] = b + 1;
	pthread_cond_broadcast(&pp->cv);
}

static void *parse_worker(void *arg)
{
	struct pipe *pp = arg;
	addr *a = malloc(sizeof(*a));
	size_t b;
	pthread_mutex_lock(&pp->mu);
	while (a && !pp->stop && pp->next < pp->nblocks) {
		if (claim(pp, &b))
			parse_claimed(pp, b, a);
		else
			pthread_cond_wait(&pp->cv, &pp->mu);
	}
	pthread_mutex_unlock(&pp->mu);
	free(a);   /* no memory: the main thread parses alone */
	return NULL;
}

/* Take in block b's rows, in row order: domains, pool copies, roles. */
static mv_status intern_block(struct pipe *pp, size_t b)
{
	const struct block *blk = &pp->blocks[b % NBLOCK];
	size_t first = b * BLOCK, n = first + BLOCK < pp->nrows ? BLOCK : pp->nrows - first;
	intern *pool = pp->x->r->pool;
	mv_status st = MV_OK;
	for (size_t k = 0; k < n && !st; k++) {
		if (k + AHEAD < n) {
			const struct parsed *q = &blk->p[k + AHEAD];
			if (to_pool(q))
				intern_prefetch(pool, q->hash);
			if (q->kind && q->kind != P_FIRST_OF_MANY)
				intern_prefetch(pp->x->doms, q->domhash);
		}
		st = parse_tail(pp->x, first + k, &blk->p[k]);
	}
	return st;
}

/*
 * Phase one: parse and intern every row; the lists are set up on the main
 * thread while the worker parses the first blocks. One thread does it all
 * when a second cannot be had.
 */
static mv_status phase_one(struct run *x, const table *t, size_t col)
{
	struct pipe pp = { .x = x, .t = t, .col = col, .nrows = table_nrows(t) };
	pthread_t th;
	mv_status st = MV_OK;
	bool threaded = false;
	addr *a = malloc(sizeof(*a));

	pp.nblocks = (pp.nrows + BLOCK - 1) / BLOCK;
	pp.blocks = calloc(NBLOCK, sizeof(struct block));
	if (!pp.blocks || !a) {
		st = MV_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < NBLOCK && !st; i++)
		if (!(pp.blocks[i].arena = malloc((size_t)BLOCK * ADDR_MAX)))
			st = MV_NOMEM;
	if (st)
		goto out;
	pthread_mutex_init(&pp.mu, NULL);
	pthread_cond_init(&pp.cv, NULL);
	threaded = pp.nblocks > 1 && pthread_create(&th, NULL, parse_worker, &pp) == 0;
	st = run_lists(x);
	pthread_mutex_lock(&pp.mu);
	for (size_t b = 0, c; b < pp.nblocks && !st; b++) {
		while (pp.ready[b % NBLOCK] != b + 1) {
			if (claim(&pp, &c))
				parse_claimed(&pp, c, a);
			else
				pthread_cond_wait(&pp.cv, &pp.mu);
		}
		pthread_mutex_unlock(&pp.mu);
		st = intern_block(&pp, b);
		pthread_mutex_lock(&pp.mu);
		pp.consumed++;
		pthread_cond_broadcast(&pp.cv);
	}
	pp.stop = true;
	pthread_cond_broadcast(&pp.cv);
	pthread_mutex_unlock(&pp.mu);
	if (threaded)
		pthread_join(th, NULL);
	pthread_cond_destroy(&pp.cv);
	pthread_mutex_destroy(&pp.mu);
out:
	for (size_t i = 0; pp.blocks && i < NBLOCK; i++)
		free(pp.blocks[i].arena);
	free(pp.blocks);
	free(a);
	return st;
}

/* The suggestion for a row whose domain has one: local@suggested. */
static mv_status suggest_row(struct run *x, size_t i)
{
	row_result *rr = &x->r->rows[i];
	uint32_t sd = x->rowdom[i] ? x->dom[x->rowdom[i] - 1].suggest : 0;
	if (!sd || !rr->normalized)
		return MV_OK;
	mv_str nm = results_normalized(x->r, i);
	mv_str dm = results_str(x->r, rr->domain);
	mv_str sg = results_str(x->r, sd);
	char fixed[ADDR_MAX + 1];
	size_t ll = nm.len - dm.len - 1;
	if (ll + 1 + sg.len > ADDR_MAX)
		return MV_OK;
	memcpy(fixed, nm.p, ll + 1);
	memcpy(fixed + ll + 1, sg.p, sg.len);
	rr->suggestion = intern_put(x->r->pool, fixed, ll + 1 + sg.len, NULL);
	if (!rr->suggestion)
		return MV_NOMEM;
	rr->flags |= F_TYPO;
	return MV_OK;
}

/* Apply the row's suggestion: parse it as the row's address. */
static mv_status fix_row(struct run *x, size_t i, addr *a)
{
	row_result *rr = &x->r->rows[i];
	mv_str s = results_str(x->r, rr->suggestion);
	uint32_t sug = rr->suggestion, keep = rr->flags & (F_DISPLAY_NAME | F_QUOTED | F_UTF8_LOCAL);
	mv_status st = parse_row(x, i, s.p, s.len, a);
	if (st)
		return st;
	rr->suggestion = sug;
	rr->flags |= F_TYPO | F_FIXED | keep;
	return MV_OK;
}

/* The dedupe key of a row (into out, RESULT_ADDR_CAP bytes): its
 * normalized address, lower-cased. */
static size_t dedupe_key(struct run *x, size_t row, char *out)
{
	mv_str s = results_normalized(x->r, row);
	size_t n = s.len < RESULT_ADDR_CAP ? s.len : RESULT_ADDR_CAP - 1;
	memcpy(out, s.p, n);
	text_lower(out, n);
	return n;
}

/* The mailbox key of a row at an alias provider (into out): its dedupe
 * key folded by the provider's rules; 0 when there is none. */
static size_t mailbox_key(struct run *x, size_t row, char *out)
{
	char k[RESULT_ADDR_CAP];
	size_t n = dedupe_key(x, row, k);
	mv_str d = results_str(x->r, x->r->rows[row].domain);
	if (d.len + 1 > n)
		return 0;
	return lists_alias_key(x->l, k, n - d.len - 1, d.p, d.len, out, RESULT_ADDR_CAP);
}

typedef size_t key_fn(struct run *x, size_t row, char *out);

/* Room for need rows at a load under 5/8 (rehashed from the slots). */
static mv_status rowset_reserve(struct rowset *set, size_t need)
{
	size_t ns = set->s ? set->mask + 1 : 1024;
	while (need * 8 >= ns * 5)
		ns *= 2;
	if (set->s && ns == set->mask + 1)
		return MV_OK;
	struct rslot *s = calloc(ns, sizeof(*s));
	if (!s)
		return MV_NOMEM;
	mem_advise_huge(s, ns * sizeof(*s));
	for (size_t i = 0; set->s && i <= set->mask; i++) {
		if (!set->s[i].row)
			continue;
		size_t j = set->s[i].hash & (ns - 1);
		while (s[j].row)
			j = (j + 1) & (ns - 1);
		s[j] = set->s[i];
	}
	free(set->s);
	set->s = s;
	set->mask = ns - 1;
	return MV_OK;
}

static void rowset_prefetch(const struct rowset *set, uint32_t h)
{
	if (set->s)
		__builtin_prefetch(&set->s[h & set->mask]);
}

/* The first row (+1) whose key is row's (h: the key's hash, low 32 bits
 * of intern_hash); 0 when there is none, and then row is added as the
 * first. Keys are derived only on a hash match. */
static uint32_t rowset_first(struct run *x, struct rowset *set, key_fn *key, size_t row,
			     uint32_t h, mv_status *st)
{
	char k[RESULT_ADDR_CAP], other[RESULT_ADDR_CAP];
	size_t n = SIZE_MAX;
	if (rowset_reserve(set, set->n + 1)) {
		*st = MV_NOMEM;
		return 0;
	}
	size_t i = h & set->mask;
	for (; set->s[i].row; i = (i + 1) & set->mask) {
		if (set->s[i].hash != h)
			continue;
		if (n == SIZE_MAX)
			n = key(x, row, k);
		if (key(x, set->s[i].row - 1, other) == n && memcmp(other, k, n) == 0)
			return set->s[i].row;
	}
	set->s[i].hash = h;
	set->s[i].row = (uint32_t)row + 1;
	set->n++;
	return 0;
}

/* Phase three of a row, first part (rows are independent): domain facts,
 * suppression. Writes only row i. */
static void flag_row(struct run *x, size_t i)
{
	row_result *rr = &x->r->rows[i];
	if (rr->local != LOCAL_CANDIDATE || !x->rowdom[i])
		return;
	const struct dominfo *d = &x->dom[x->rowdom[i] - 1];
	if (d->facts & DOM_DISPOSABLE)
		rr->flags |= F_DISPOSABLE;
	if (d->facts & DOM_FREE)
		rr->flags |= F_FREE;
	if (x->o->suppress && suppress_count(x->o->suppress)) {
		mv_str nm = results_normalized(x->r, i);
		if (suppress_match(x->o->suppress, nm.p, nm.len)) {
			rr->local = LOCAL_SUPPRESSED;
			rr->reason = REASON_SUPPRESSED;
			rr->flags |= F_SUPPRESSED;
		}
	}
}

/* ---- data-parallel loops ---------------------------------------------- */

/*
 * Run fn over [0, n) on two threads: the upper half on a new thread, the
 * lower on this one (or all of it here when a thread cannot be had). fn
 * must write only what belongs to its own indexes and read nothing the
 * other half writes.
 */
typedef void (*range_fn)(void *arg, size_t lo, size_t hi);

struct half {
	range_fn fn;
	void *arg;
	size_t lo, hi;
};

static void *half_main(void *p)
{
	struct half *h = p;
	h->fn(h->arg, h->lo, h->hi);
	return NULL;
}

static void run_split(range_fn fn, void *arg, size_t n)
{
	pthread_t th;
	struct half h = { fn, arg, n / 2, n };
	if (n < 1024 || pthread_create(&th, NULL, half_main, &h) != 0) {
		fn(arg, 0, n);
		return;
	}
	fn(arg, 0, n / 2);
	pthread_join(th, NULL);
}

/*
 * Duplicates, on two threads: rows are dealt out by the top bit of their
 * key's hash, so all the rows of one key go to one thread, which sees
 * them in row order; each thread has its own set. Pass one finds
 * duplicates by dedupe key, pass two (over what is left) aliases by
 * mailbox key: the same outcome as one pass in row order, since a row's
 * alias check only ever looked at rows that were not duplicates. A thread
 * writes only its own rows and reads only its own rows' keys.
 */
#define PART(h) ((h) >> 31)

/*
 * Each part's rows, in row order, listed in one array by row: in each
 * half of the rows (as run_split deals them), its part-0 rows from the
 * front of the half's range, its part-1 rows from the back.
 */
struct parts {
	struct run *x;
	key_fn *key;
	struct rowset *sets;      /* x->dup or x->mbox: one per part */
	uint32_t *order;          /* by row, see above */
	size_t lo[2], hi[2];      /* by half: its range of rows */
	size_t n[2][2];           /* by half, by part: its rows */
	uint32_t flag;            /* F_DUPLICATE or F_ALIAS */
	mv_status st[2];
};

/* List row i (hash h) in its half's list for its part. */
static void part_add(struct parts *ps, int half, size_t i, uint32_t h)
{
	size_t *n = ps->n[half];
	if (PART(h))
		ps->order[ps->hi[half] - 1 - n[1]++] = (uint32_t)i;
	else
		ps->order[ps->lo[half] + n[0]++] = (uint32_t)i;
}

/* The k-th row of part in half. */
static size_t part_row(const struct parts *ps, int half, size_t part, size_t k)
{
	return part ? ps->order[ps->hi[half] - 1 - k] : ps->order[ps->lo[half] + k];
}

static int part_half(struct parts *ps, size_t lo, size_t hi)
{
	int half = lo > 0;
	ps->lo[half] = lo;
	ps->hi[half] = hi;
	ps->n[half][0] = ps->n[half][1] = 0;
	return half;
}

/* Flags. */
static void flag_rows(void *arg, size_t lo, size_t hi)
{
	struct run *x = arg;
	for (size_t i = lo; i < hi; i++)
		flag_row(x, i);
}

/* The candidates, by part of their dedupe key's hash. */
static void dedupe_rows(void *arg, size_t lo, size_t hi)
{
	struct parts *ps = arg;
	struct run *x = ps->x;
	int half = part_half(ps, lo, hi);
	for (size_t i = lo; i < hi; i++)
		if (x->r->rows[i].local == LOCAL_CANDIDATE && x->rowdom[i])
			part_add(ps, half, i, x->keyhash[i]);
}

/* The rows left at alias providers, by part of their mailbox key's hash
 * (which replaces the dedupe key's in x->keyhash). */
static void mailbox_rows(void *arg, size_t lo, size_t hi)
{
	struct parts *ps = arg;
	struct run *x = ps->x;
	int half = part_half(ps, lo, hi);
	char k[RESULT_ADDR_CAP];
	for (size_t i = lo; i < hi; i++) {
		if (x->r->rows[i].local != LOCAL_CANDIDATE || !x->rowdom[i] ||
		    !(x->dom[x->rowdom[i] - 1].facts & DOM_ALIAS))
			continue;
		size_t n = mailbox_key(x, i, k);
		if (!n)
			continue;
		x->keyhash[i] = (uint32_t)intern_hash(k, n);
		part_add(ps, half, i, x->keyhash[i]);
	}
}

/* One part's rows in row order: the first of each key stays, the others
 * become its duplicates. */
static void dedupe_part(void *arg, size_t part, size_t end)
{
	struct parts *ps = arg;
	struct run *x = ps->x;
	struct rowset *set = &ps->sets[part];
	(void)end;
	ps->st[part] = rowset_reserve(set, ps->n[0][part] + ps->n[1][part]);
	for (int half = 0; half < 2; half++) {
		size_t n = ps->n[half][part];
		for (size_t k = 0; k < n && !ps->st[part]; k++) {
			size_t i = part_row(ps, half, part, k);
			if (k + AHEAD < n)
				rowset_prefetch(set, x->keyhash[part_row(ps, half, part, k + AHEAD)]);
			uint32_t first = rowset_first(x, set, ps->key, i, x->keyhash[i], &ps->st[part]);
			if (first) {
				row_result *rr = &x->r->rows[i];
				rr->local = LOCAL_DUPLICATE;
				rr->reason = REASON_DUPLICATE;
				rr->flags |= ps->flag;
				rr->dup_of = first;
			}
		}
	}
}

/* Both parts, on two threads (here alone when a thread cannot be had). */
static mv_status run_parts(struct parts *ps)
{
	pthread_t th;
	struct half h = { dedupe_part, ps, 1, 2 };
	bool two = pthread_create(&th, NULL, half_main, &h) == 0;
	dedupe_part(ps, 0, 1);
	if (two)
		pthread_join(th, NULL);
	else
		dedupe_part(ps, 1, 2);
	return ps->st[0] ? ps->st[0] : ps->st[1];
}

/* Phase two, per distinct domain: facts and typo suggestions. */
struct phase2 {
	struct run *x;
	const typo *ty;
	uint32_t *sug_off;      /* by domain: offset of the suggestion in bufs[half] */
	uint8_t *sug_len;       /* by domain: its length, 0 = none */
	buf bufs[2];            /* one per half: its suggestions, end to end */
	size_t half;            /* the first domain of the upper half */
	bool failed[2];
};

static void suggest_range(void *arg, size_t lo, size_t hi)
{
	struct phase2 *p = arg;
	int h = lo >= p->half && p->half < hi ? 1 : 0;
	buf *b = &p->bufs[h];
	for (size_t d = lo; d < hi; d++) {
		struct dominfo *di = &p->x->dom[d];
		domain_facts(p->x, (uint32_t)d + 1);
		if (!di->count)
			continue;
		mv_str s = results_str(p->x->r, di->pool);
		char fix[ADDR_MAX + 1];
		size_t fl = typo_suggest(p->ty, s.p, s.len, fix, sizeof(fix), NULL);
		if (!fl || fl > UINT8_MAX)
			continue;
		p->sug_off[d] = (uint32_t)b->len;
		p->sug_len[d] = (uint8_t)fl;
		if (buf_append(b, fix, fl))
			p->failed[h] = true;
	}
}

/* Every domain's facts, then the rows' flags from them: beside the typo
 * engine's set-up, which only reads the pool and the domain counts. */
static void *facts_then_flags(void *arg)
{
	struct run *x = arg;
	for (size_t d = 0; d < x->ndom; d++)
		domain_facts(x, (uint32_t)d + 1);
	flag_rows(x, 0, x->r->n);
	return NULL;
}

/* Phase two, and the flags of phase three. */
static mv_status suggest_domains(struct run *x)
{
	typo *ty = NULL;
	struct phase2 p = { .x = x };
	pthread_t th;
	bool two = pthread_create(&th, NULL, facts_then_flags, x) == 0;
	mv_status st = typo_create(x->l, &ty);
	for (size_t d = 0; d < x->ndom && !st; d++)
		if (x->dom[d].count) {
			mv_str s = results_str(x->r, x->dom[d].pool);
			st = typo_observe(ty, s.p, s.len, x->dom[d].count);
		}
	if (two)
		pthread_join(th, NULL);
	else
		facts_then_flags(x);
	buf_init(&p.bufs[0], 64u << 20);
	buf_init(&p.bufs[1], 64u << 20);
	p.ty = ty;
	p.half = x->ndom >= 1024 ? x->ndom / 2 : x->ndom;
	p.sug_off = calloc(x->ndom + 1, sizeof(uint32_t));
	p.sug_len = calloc(x->ndom + 1, 1);
	if (!st && (!p.sug_off || !p.sug_len))
		st = MV_NOMEM;
	if (!st)
		run_split(suggest_range, &p, x->ndom);
	if (!st && (p.failed[0] || p.failed[1]))
		st = MV_NOMEM;
	typo_destroy(ty);   /* before the pool grows: its memory can go back */
	mem_release();
	for (size_t d = 0; d < x->ndom && !st; d++) {
		if (!p.sug_len[d])
			continue;
		const buf *b = &p.bufs[d >= p.half];
		x->dom[d].suggest = intern_put(x->r->pool, b->data + p.sug_off[d], p.sug_len[d], NULL);
		if (!x->dom[d].suggest)
			st = MV_NOMEM;
	}
	buf_free(&p.bufs[0]);
	buf_free(&p.bufs[1]);
	free(p.sug_off);
	free(p.sug_len);
	return st;
}

mv_status local_run(const table *t, long email_col, const local_opts *o,
		    results *r, local_summary *sum)
{
	struct run x = { .o = o, .r = r };
	addr *a = NULL;
	mv_status st;
	size_t nrows = table_nrows(t);

	if (email_col < 0 || (size_t)email_col >= table_ncols(t) || r->n != nrows)
		return MV_USAGE;
	a = malloc(sizeof(*a));
	x.rowdom = calloc(nrows ? nrows : 1, sizeof(uint32_t));
	x.keyhash = calloc(nrows ? nrows : 1, sizeof(uint32_t));
	if (x.rowdom && x.keyhash) {
		mem_advise_huge(x.rowdom, nrows * sizeof(uint32_t));
		mem_advise_huge(x.keyhash, nrows * sizeof(uint32_t));
	}
	x.doms = intern_create();
	if (!a || !x.rowdom || !x.keyhash || !x.doms) {
		st = MV_NOMEM;
		goto out;
	}
	/* normalized addresses name bytes of t's email cells */
	r->cells = t;
	r->email_col = (size_t)email_col;
	/* 1. parse every row, count domains; sets up the lists too */
	st = phase_one(&x, t, (size_t)email_col);
	/* 2. per distinct domain: facts from the list's evidence, suggestions;
	 * 3. flags from the domain facts, suppression (beside 2); then in row
	 * order: suggestions, fixes; then duplicates, then aliases (two
	 * threads each) */
	if (!st)
		st = suggest_domains(&x);
	for (size_t i = 0; i < nrows && !st; i++) {
		row_result *rr = &r->rows[i];
		if (!x.rowdom[i] || !x.dom[x.rowdom[i] - 1].suggest)
			continue;
		if (rr->local == LOCAL_CANDIDATE ||
		    (rr->local == LOCAL_INVALID && rr->reason == REASON_SYNTAX_ERROR))
			st = suggest_row(&x, i);
		if (!st && o->fix_typos && (rr->flags & F_TYPO)) {
			st = fix_row(&x, i, a);
			if (!st && x.rowdom[i]) {
				domain_facts(&x, x.rowdom[i]);
				flag_row(&x, i);
			}
		}
	}
	struct parts ps = { .x = &x, .key = dedupe_key, .sets = x.dup, .flag = F_DUPLICATE };
	if (!st && !(ps.order = malloc((nrows ? nrows : 1) * sizeof(uint32_t))))
		st = MV_NOMEM;
	if (!st) {
		run_split(dedupe_rows, &ps, nrows);
		st = run_parts(&ps);
	}
	for (int i = 0; i < 2; i++) {   /* room for the alias sets */
		free(x.dup[i].s);
		x.dup[i].s = NULL;
	}
	if (!st && !o->no_aliases) {
		memset(ps.n, 0, sizeof(ps.n));
		run_split(mailbox_rows, &ps, nrows);
		ps.key = mailbox_key;
		ps.sets = x.mbox;
		ps.flag = F_ALIAS;
		st = run_parts(&ps);
	}
	free(ps.order);
	if (!st && sum)
		st = local_summarize(r, sum);
out:
	free(a);
	run_free(&x);
	return st;
}

/* ---- re-check of one row ------------------------------------------------ */

/*
 * Whether re-checked candidate row is a duplicate: of the first other row
 * that owns a mailbox (not invalid, suppressed or a duplicate itself) with
 * the same dedupe key, else of the first with the same mailbox key. One
 * scan, nothing kept.
 */
static mv_status recheck_dedupe(struct run *x, size_t row)
{
	results *r = x->r;
	row_result *rr = &r->rows[row];
	char k[RESULT_ADDR_CAP], m[RESULT_ADDR_CAP], other[RESULT_ADDR_CAP];
	size_t kn = dedupe_key(x, row, k), mn = 0;
	uint32_t dup = 0, alias = 0;
	if (!x->o->no_aliases && (x->dom[x->rowdom[row] - 1].facts & DOM_ALIAS))
		mn = mailbox_key(x, row, m);
	for (size_t i = 0; i < r->n && !dup; i++) {
		const row_result *o2 = &r->rows[i];
		if (i == row || !o2->normalized || o2->local == LOCAL_INVALID ||
		    o2->local == LOCAL_SUPPRESSED || o2->dup_of)
			continue;
		if (results_normalized(r, i).len == kn && dedupe_key(x, i, other) == kn &&
		    memcmp(other, k, kn) == 0) {
			dup = (uint32_t)i + 1;
			break;
		}
		if (!mn || alias)
			continue;
		mv_str d = results_str(r, o2->domain);
		uint32_t odi = domain_index(x, d.p, d.len);
		if (!odi)
			return MV_NOMEM;
		if ((domain_facts(x, odi)->facts & DOM_ALIAS) && mailbox_key(x, i, other) == mn &&
		    memcmp(other, m, mn) == 0)
			alias = (uint32_t)i + 1;
	}
	if (dup || alias) {
		rr->local = LOCAL_DUPLICATE;
		rr->reason = REASON_DUPLICATE;
		rr->flags |= dup ? F_DUPLICATE : F_ALIAS;
		rr->dup_of = dup ? dup : alias;
	}
	return MV_OK;
}

/*
 * Rows that were duplicates (or aliases) of row's old address: the first of
 * them now owns that address, the others are its duplicates.
 */
static mv_status release_dependents(struct run *x, size_t row)
{
	results *r = x->r;
	for (size_t i = 0; i < r->n; i++) {
		row_result *d = &r->rows[i];
		if (i == row || d->dup_of != (uint32_t)row + 1 || d->local != LOCAL_DUPLICATE)
			continue;
		d->local = LOCAL_CANDIDATE;
		d->reason = REASON_NONE;
		d->flags &= ~(uint32_t)(F_DUPLICATE | F_ALIAS);
		d->dup_of = 0;
		mv_str dm = results_str(r, d->domain);
		x->rowdom[i] = domain_index(x, dm.p, dm.len);
		if (!x->rowdom[i] || !x->dom)
			return MV_NOMEM;
		domain_facts(x, x->rowdom[i]);
		mv_status st = recheck_dedupe(x, i);
		if (st)
			return st;
	}
	return MV_OK;
}

mv_status local_recheck_row(const local_opts *o, results *r, size_t row,
			    const char *text, size_t n)
{
	struct run x = { .o = o, .r = r };
	typo *ty = NULL;
	addr *a = NULL;
	mv_status st;

	if (row >= r->n)
		return MV_USAGE;
	st = run_lists(&x);
	if (!st && (!(a = malloc(sizeof(*a))) || !(x.doms = intern_create()) ||
		    !(x.rowdom = calloc(r->n, sizeof(uint32_t)))))
		st = MV_NOMEM;
	if (st)
		goto out;
	row_result *rr = &r->rows[row];
	st = parse_row(&x, row, text, n, a);
	if (st)
		goto out;
	rr->flags |= F_FIXED;
	/* typo check against the curated providers only */
	uint32_t di = x.rowdom[row];
	if (di && (rr->local == LOCAL_CANDIDATE || rr->reason == REASON_SYNTAX_ERROR)) {
		mv_str d = results_str(r, rr->domain);
		char fix[ADDR_MAX + 1];
		st = typo_create(x.l, &ty);
		size_t fl = st ? 0 : typo_suggest(ty, d.p, d.len, fix, sizeof(fix), NULL);
		if (fl && !(x.dom[di - 1].suggest = intern_put(r->pool, fix, fl, NULL)))
			st = MV_NOMEM;
		if (!st)
			st = suggest_row(&x, row);
	}
	if (st)
		goto out;
	if (x.rowdom[row])
		domain_facts(&x, x.rowdom[row]);
	flag_row(&x, row);
	if (rr->local == LOCAL_CANDIDATE)
		st = recheck_dedupe(&x, row);
	if (!st)
		st = release_dependents(&x, row);
out:
	typo_destroy(ty);
	free(a);
	run_free(&x);
	return st;
}

/* ---- summary ----------------------------------------------------------------- */

/* One half's counts (its own bitmap of the domains it has seen). */
struct sumhalf {
	const results *r;
	size_t nbits;
	unsigned char *seen[2];
	local_summary s[2];
};

static void sum_range(void *arg, size_t lo, size_t hi)
{
	struct sumhalf *h = arg;
	int k = lo > 0;
	local_summary *sum = &h->s[k];
	unsigned char *seen = h->seen[k];
	for (size_t i = lo; i < hi; i++) {
		const row_result *rr = &h->r->rows[i];
		switch (rr->local) {
		case LOCAL_CANDIDATE:
			sum->candidates++;
			if (rr->domain < h->nbits)
				seen[rr->domain / 8] |= (unsigned char)(1u << (rr->domain % 8));
			break;
		case LOCAL_INVALID: sum->invalid++; break;
		case LOCAL_DUPLICATE: sum->duplicates++; break;
		case LOCAL_SUPPRESSED: sum->suppressed++; break;
		default: break;
		}
		if (rr->local != LOCAL_CANDIDATE && rr->reason < REASON_COUNT)
			sum->reason[rr->reason]++;
		for (unsigned f = rr->flags; f; f &= f - 1)
			sum->flag[__builtin_ctz(f)]++;
	}
}

mv_status local_summarize(const results *r, local_summary *sum)
{
	struct sumhalf h = { .r = r, .nbits = intern_count(r->pool) + 1 };
	size_t nbytes = (h.nbits + 7) / 8;
	memset(sum, 0, sizeof(*sum));
	h.seen[0] = calloc(nbytes, 1);
	h.seen[1] = calloc(nbytes, 1);
	if (!h.seen[0] || !h.seen[1]) {
		free(h.seen[0]);
		free(h.seen[1]);
		return MV_NOMEM;
	}
	run_split(sum_range, &h, r->n);
	sum->rows = r->n;
	for (int k = 0; k < 2; k++) {
		sum->candidates += h.s[k].candidates;
		sum->invalid += h.s[k].invalid;
		sum->duplicates += h.s[k].duplicates;
		sum->suppressed += h.s[k].suppressed;
		for (int i = 0; i < REASON_COUNT; i++)
			sum->reason[i] += h.s[k].reason[i];
		for (int i = 0; i < FLAG_COUNT; i++)
			sum->flag[i] += h.s[k].flag[i];
	}
	for (size_t i = 0; i < nbytes; i++)
		sum->domains += (size_t)__builtin_popcount(h.seen[0][i] | h.seen[1][i]);
	free(h.seen[0]);
	free(h.seen[1]);
	sum->junk = sum->reason[REASON_JUNK];
	sum->aliases = sum->flag[FLAG_BIT_ALIAS];
	sum->typos = sum->flag[FLAG_BIT_TYPO];
	sum->fixed = sum->flag[FLAG_BIT_FIXED];
	sum->probes = sum->candidates + sum->domains;
	return MV_OK;
}

void local_summary_print(FILE *fp, const local_summary *s)
{
	fprintf(fp, "local pass: %zu rows: %zu candidates, %zu invalid, %zu duplicates, "
		"%zu suppressed\n", s->rows, s->candidates, s->invalid, s->duplicates,
		s->suppressed);
	for (int r = 1; r < REASON_COUNT; r++)
		if (s->reason[r])
			fprintf(fp, "  %-20s %zu\n", reason_name((mv_reason)r), s->reason[r]);
	fprintf(fp, "  typos found %zu (applied %zu), aliases %zu; flags:", s->typos,
		s->fixed, s->aliases);
	static const unsigned show[] = {
		FLAG_BIT_ROLE, FLAG_BIT_DISPOSABLE, FLAG_BIT_FREE, FLAG_BIT_DISPLAY_NAME,
		FLAG_BIT_QUOTED, FLAG_BIT_UTF8_LOCAL, FLAG_BIT_MULTIPLE,
	};
	for (size_t i = 0; i < sizeof(show) / sizeof(show[0]); i++)
		fprintf(fp, " %s %zu", result_flag_name(show[i]), s->flag[show[i]]);
	fprintf(fp, "\ncost preview: %zu candidates at %zu distinct domains: %zu probes "
		"(one RCPT each, one catch-all probe per domain)\n", s->candidates,
		s->domains, s->probes);
}
