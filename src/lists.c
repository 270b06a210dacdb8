#include "mailvet/lists.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/buf.h"
#include "mailvet/intern.h"
#include "mailvet/text.h"

/*
 * The assets, compiled in with the assembler's .incbin (GCC and Clang on
 * ELF): no generated sources, no run-time data path to find. Each blob is
 * followed by a NUL. The Makefile rebuilds this file when assets/ change.
 */
#define ASSET(sym, file) \
	__asm__(".section .rodata\n" \
		".balign 16\n" \
		".local " #sym "\n" #sym ":\n" \
		".incbin \"" file "\"\n" \
		".byte 0\n" \
		".previous\n"); \
	extern const char sym[]

ASSET(mv_asset_role, "assets/role.txt");
ASSET(mv_asset_disposable, "assets/disposable.txt");
ASSET(mv_asset_free, "assets/free.txt");
ASSET(mv_asset_tlds, "assets/tlds.txt");
ASSET(mv_asset_providers, "assets/providers.txt");
ASSET(mv_asset_lookalikes, "assets/lookalikes.txt");
ASSET(mv_asset_aliases, "assets/aliases.txt");

#define MAX_LINE 512
#define MAX_FILE (64u << 20)

struct provider {
	uint32_t id;       /* in known */
	unsigned weight;
};

struct alias_rule {
	uint32_t canon;    /* id in l->names */
	bool dots, plus;
};

struct lists {
	intern *set[LIST_COUNT];
	struct provider *prov;
	size_t nprov, capprov;
	intern *alias_domains;       /* domain -> index into rules (id - 1) */
	struct alias_rule *rules;
	size_t nrules;
	intern *names;               /* canonical alias domains */
	uint64_t role_shape[27];     /* by first letter (26: other): bit = length */
};

static int shape_of(char c)
{
	c = text_ascii_lower(c);
	return c >= 'a' && c <= 'z' ? c - 'a' : 26;
}

static const char *const kind_names[LIST_COUNT] = {
	"role", "disposable", "free", "tld", "known",
};

const char *lists_kind_name(list_kind k)
{
	return (unsigned)k < LIST_COUNT ? kind_names[k] : "?";
}

/* Call fn for the words of each line of text[0..n) (comments stripped). */
typedef mv_status (*line_fn)(lists *l, void *ctx, mv_str *w, size_t nw);

static mv_status each_line(lists *l, const char *text, size_t n, line_fn fn, void *ctx)
{
	const char *p = text, *end = text + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(le - p));
		const char *q = hash ? hash : le;
		mv_str w[4];
		size_t nw = 0;
		while (p < q && nw < 4) {
			while (p < q && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			const char *s = p;
			while (p < q && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			if (p > s) {
				w[nw].p = s;
				w[nw].len = (size_t)(p - s);
				nw++;
			}
		}
		if (nw) {
			mv_status st = fn(l, ctx, w, nw);
			if (st)
				return st;
		}
		p = le + 1;
	}
	return MV_OK;
}

mv_status lists_add(lists *l, list_kind k, const char *s, size_t n)
{
	char low[MAX_LINE];
	if ((unsigned)k >= LIST_COUNT)
		return MV_USAGE;
	if (n == 0 || n > sizeof(low))
		return MV_OK;
	for (size_t i = 0; i < n; i++)
		low[i] = text_ascii_lower(s[i]);
	if (k == LIST_ROLE)
		l->role_shape[shape_of(low[0])] |= 1ull << (n < 63 ? n : 63);
	if (k != LIST_ROLE && low[0] == '@') {
		memmove(low, low + 1, --n);
		if (!n)
			return MV_OK;
	}
	return intern_put(l->set[k], low, n, NULL) ? MV_OK : MV_NOMEM;
}

static mv_status add_word(lists *l, void *ctx, mv_str *w, size_t nw)
{
	return lists_add(l, *(list_kind *)ctx, w[0].p, w[0].len);
}

static mv_status add_provider(lists *l, void *ctx, mv_str *w, size_t nw)
{
	mv_status st = lists_add(l, LIST_KNOWN, w[0].p, w[0].len);
	if (st)
		return st;
	if (l->nprov == l->capprov) {
		size_t nc = l->capprov ? l->capprov * 2 : 256;
		struct provider *p = realloc(l->prov, nc * sizeof(*p));
		if (!p)
			return MV_NOMEM;
		l->prov = p;
		l->capprov = nc;
	}
	char low[MAX_LINE];
	size_t n = w[0].len < sizeof(low) ? w[0].len : sizeof(low);
	for (size_t i = 0; i < n; i++)
		low[i] = text_ascii_lower(w[0].p[i]);
	unsigned weight = 1;
	if (nw > 1 && w[1].len < 8) {
		char num[8];
		memcpy(num, w[1].p, w[1].len);
		num[w[1].len] = '\0';
		char *e;
		unsigned long v = strtoul(num, &e, 10);
		if (*e == '\0' && v > 0)
			weight = (unsigned)v;
	}
	l->prov[l->nprov].id = intern_find(l->set[LIST_KNOWN], low, n);
	l->prov[l->nprov].weight = weight;
	l->nprov++;
	return MV_OK;
}

static mv_status add_alias(lists *l, void *ctx, mv_str *w, size_t nw)
{
	if (nw < 2)
		return MV_OK;
	int added;
	uint32_t id = intern_put(l->alias_domains, w[0].p, w[0].len, &added);
	uint32_t canon = intern_put(l->names, w[1].p, w[1].len, NULL);
	if (!id || !canon)
		return MV_NOMEM;
	if (!added)
		return MV_OK;
	struct alias_rule *r = realloc(l->rules, (size_t)id * sizeof(*r));
	if (!r)
		return MV_NOMEM;
	l->rules = r;
	l->nrules = id;
	r[id - 1].canon = canon;
	r[id - 1].dots = r[id - 1].plus = false;
	for (size_t i = 2; i < nw; i++) {
		if (text_ieq(w[i].p, w[i].len, "dots", 4))
			r[id - 1].dots = true;
		else if (text_ieq(w[i].p, w[i].len, "plus", 4))
			r[id - 1].plus = true;
	}
	return MV_OK;
}

mv_status lists_create(lists **out)
{
	static const struct { list_kind k; const char *text; } builtin[] = {
		{ LIST_ROLE, mv_asset_role },
		{ LIST_DISPOSABLE, mv_asset_disposable },
		{ LIST_FREE, mv_asset_free },
		{ LIST_TLD, mv_asset_tlds },
		{ LIST_KNOWN, mv_asset_lookalikes },
	};
	mv_status st = MV_NOMEM;
	lists *l = calloc(1, sizeof(*l));
	*out = NULL;
	if (!l)
		return MV_NOMEM;
	for (int k = 0; k < LIST_COUNT; k++)
		if (!(l->set[k] = intern_create()))
			goto out;
	l->alias_domains = intern_create();
	l->names = intern_create();
	if (!l->alias_domains || !l->names)
		goto out;
	st = each_line(l, mv_asset_providers, strlen(mv_asset_providers), add_provider, NULL);
	for (size_t i = 0; !st && i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		list_kind k = builtin[i].k;
		st = each_line(l, builtin[i].text, strlen(builtin[i].text), add_word, &k);
	}
	if (!st)
		st = each_line(l, mv_asset_aliases, strlen(mv_asset_aliases), add_alias, NULL);
out:
	if (st) {
		lists_destroy(l);
		return st;
	}
	*out = l;
	return MV_OK;
}

void lists_destroy(lists *l)
{
	if (!l)
		return;
	for (int k = 0; k < LIST_COUNT; k++)
		intern_destroy(l->set[k]);
	intern_destroy(l->alias_domains);
	intern_destroy(l->names);
	free(l->rules);
	free(l->prov);
	free(l);
}

mv_status lists_load(lists *l, list_kind k, const char *path)
{
	buf b;
	char tmp[65536];
	size_t n;
	mv_status st = MV_OK;
	if ((unsigned)k >= LIST_COUNT)
		return MV_USAGE;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return errno == ENOENT ? MV_NOENT : MV_IO;
	buf_init(&b, MAX_FILE);
	while (!st && (n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		st = buf_append(&b, tmp, n);
	if (!st && ferror(fp))
		st = MV_IO;
	fclose(fp);
	if (!st)
		st = each_line(l, buf_str(&b), b.len, add_word, &k);
	buf_free(&b);
	return st;
}

bool lists_has(const lists *l, list_kind k, const char *s, size_t n)
{
	return (unsigned)k < LIST_COUNT && n && intern_find(l->set[k], s, n) != 0;
}

bool lists_has_domain(const lists *l, list_kind k, const char *d, size_t n)
{
	while (n) {
		if (lists_has(l, k, d, n))
			return true;
		const char *dot = memchr(d, '.', n);
		if (!dot)
			break;
		n -= (size_t)(dot + 1 - d);
		d = dot + 1;
		if (!memchr(d, '.', n))
			break;      /* never match a bare TLD */
	}
	return false;
}

bool lists_is_role(const lists *l, const char *local, size_t n)
{
	char low[64];
	const char *plus = memchr(local, '+', n);
	if (plus)
		n = (size_t)(plus - local);
	if (n == 0 || n > sizeof(low) ||
	    !(l->role_shape[shape_of(local[0])] & (1ull << (n < 63 ? n : 63))))
		return false;   /* no role word of this first letter and length */
	for (size_t i = 0; i < n; i++)
		low[i] = text_ascii_lower(local[i]);
	return intern_find(l->set[LIST_ROLE], low, n) != 0;
}

size_t lists_provider_count(const lists *l)
{
	return l->nprov;
}

mv_str lists_provider(const lists *l, size_t i, unsigned *weight)
{
	mv_str s = { "", 0 };
	if (i >= l->nprov)
		return s;
	if (weight)
		*weight = l->prov[i].weight;
	return intern_get(l->set[LIST_KNOWN], l->prov[i].id);
}

size_t lists_alias_key(const lists *l, const char *local, size_t ln,
		       const char *domain, size_t dn, char *out, size_t cap)
{
	uint32_t id = intern_find(l->alias_domains, domain, dn);
	if (!id || id > l->nrules)
		return 0;
	const struct alias_rule *r = &l->rules[id - 1];
	mv_str canon = intern_get(l->names, r->canon);
	size_t o = 0;
	for (size_t i = 0; i < ln; i++) {
		char c = local[i];
		if (c == '+' && r->plus && i > 0)
			break;
		if (c == '.' && r->dots)
			continue;
		if (o + 1 >= cap)
			return 0;
		out[o++] = text_ascii_lower(c);
	}
	if (o == 0 || o + 1 + canon.len + 1 > cap)
		return 0;
	out[o++] = '@';
	memcpy(out + o, canon.p, canon.len);
	o += canon.len;
	out[o] = '\0';
	return o;
}

size_t lists_count(const lists *l, list_kind k)
{
	return (unsigned)k < LIST_COUNT ? intern_count(l->set[k]) : 0;
}
