/*
 * reply-model — counts a labelled corpus of real replies into the words
 * model's table (src/reply_model.inc, see include/mailvet/reply_model.h):
 *   reply-model tests/data/replies.tsv > src/reply_model.inc
 * Each reply is read as the classifier reads it (reply_parse_text(), else
 * the text alone) and its features are counted once for its label
 * (verdict, owner, reason). The output depends only on the corpus: the
 * same corpus gives the same bytes. A bad line stops it with file:line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/reason.h"
#include "mailvet/reply.h"
#include "mailvet/reply_model.h"
#include "corpus.h"

struct pair { char *f; unsigned cls; };

static struct pair *pairs;
static size_t npairs, cap;
static char **docf;     /* this reply's features, before dedup */
static size_t ndocf, capdocf;

static void die(const char *path, unsigned line, const char *msg)
{
	fprintf(stderr, "%s:%u: %s\n", path, line, msg);
	exit(1);
}

static void *grow(void *p, size_t *capp, size_t need, size_t size)
{
	if (need <= *capp)
		return p;
	size_t c = *capp ? *capp * 2 : 1024;
	while (c < need)
		c *= 2;
	void *q = realloc(p, c * size);
	if (!q) {
		fprintf(stderr, "reply-model: out of memory\n");
		exit(1);
	}
	*capp = c;
	return q;
}

static void add_feat(const char *f, size_t n, void *ctx)
{
	(void)ctx;
	docf = grow(docf, &capdocf, ndocf + 1, sizeof(*docf));
	char *s = malloc(n + 1);
	if (!s) {
		fprintf(stderr, "reply-model: out of memory\n");
		exit(1);
	}
	memcpy(s, f, n);
	s[n] = '\0';
	docf[ndocf++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->f, y->f);
	return c ? c : (x->cls > y->cls) - (x->cls < y->cls);
}

static void print_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80 && c != '"' && c != '\\' && c >= ' ')
			putchar(c);
		else
			printf("\\%03o", c);
	}
	putchar('"');
}

static const char *upper(const char *s)
{
	static char b[64];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof(b); i++)
		b[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	b[i] = '\0';
	return b;
}

int main(int argc, char **argv)
{
	enum { NCLS = VERDICT_COUNT * OWNER_COUNT * REASON_COUNT };
	static unsigned docs[NCLS], total[NCLS];
	unsigned ndocs = 0, lineno = 0;
	char line[16384];

	if (argc != 2) {
		fprintf(stderr, "usage: reply-model CORPUS.tsv > src/reply_model.inc\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "r");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n')
			die(argv[1], lineno, "line too long");
		char *f[CORPUS_FIELDS];
		int nf = corpus_split(line, f);
		if (!nf)
			continue;
		if (nf < CORPUS_FIELDS)
			die(argv[1], lineno, "expected 7 tab-separated columns");
		int v = verdict_from_name(f[2]), o = owner_from_name(f[3]), r = reason_from_name(f[4]);
		if (v < 0 || o < 0 || r < 0)
			die(argv[1], lineno, "bad verdict, owner or reason");
		unsigned cls = ((unsigned)v * OWNER_COUNT + (unsigned)o) * REASON_COUNT + (unsigned)r;
		size_t n = corpus_unescape(f[CORPUS_REPLY]);
		smtp_reply rep;
		if (reply_parse_text(f[5], n, &rep) != MV_OK && reply_from_parts(0, 0, f[5], n, &rep) != MV_OK)
			die(argv[1], lineno, "unreadable reply");
		int ccls = rep.code ? rep.code / 100 : (int)(rep.enhanced >> 20);
		ndocf = 0;
		if (rep.lead && rep.lead_len)
			reply_features(rep.lead, rep.lead_len, -1, add_feat, NULL);
		reply_features(rep.text ? rep.text : "", rep.text ? rep.text_len : 0, ccls, add_feat, NULL);
		reply_free(&rep);
		qsort(docf, ndocf, sizeof(*docf), cmp_str);
		for (size_t i = 0; i < ndocf; i++) {
			if (i && !strcmp(docf[i], docf[i - 1])) {
				free(docf[i]);
				continue;
			}
			pairs = grow(pairs, &cap, npairs + 1, sizeof(*pairs));
			pairs[npairs++] = (struct pair){ docf[i], cls };
			total[cls]++;
		}
		docs[cls]++;
		ndocs++;
	}
	fclose(fp);
	if (!ndocs)
		die(argv[1], lineno, "no replies");
	qsort(pairs, npairs, sizeof(*pairs), cmp_pair);

	unsigned index[NCLS];
	unsigned nclasses = 0;
	printf("/* Generated from %s by src/gen/reply-model.c (make reply-model). Do not edit. */\n", argv[1]);
	printf("#define MODEL_DOCS %uu\n", ndocs);
	printf("static const reply_model_class model_classes[] = {\n");
	for (unsigned c = 0; c < NCLS; c++) {
		if (!docs[c])
			continue;
		index[c] = nclasses++;
		unsigned v = c / (OWNER_COUNT * REASON_COUNT), o = c / REASON_COUNT % OWNER_COUNT,
			 r = c % REASON_COUNT;
		printf("\t{ VERDICT_%s, ", upper(verdict_name((mv_verdict)v)));
		printf("OWNER_%s, ", upper(owner_name((mv_owner)o)));
		printf("REASON_%s, %u, %u },\n", upper(reason_name((mv_reason)r)), docs[c], total[c]);
	}
	printf("};\n");
	printf("static const reply_model_feat model_feats[] = {\n");
	unsigned first = 0;
	for (size_t i = 0; i < npairs;) {
		size_t j = i;
		while (j < npairs && !strcmp(pairs[j].f, pairs[i].f))
			j++;
		unsigned k = 1;
		for (size_t q = i + 1; q < j; q++)
			k += pairs[q].cls != pairs[q - 1].cls;
		printf("\t{ ");
		print_str(pairs[i].f);
		printf(", %u, %u },\n", first, k);
		first += k;
		i = j;
	}
	printf("};\n");
	printf("static const reply_model_count model_counts[] = {\n");
	for (size_t i = 0; i < npairs;) {
		size_t j = i;
		while (j < npairs && !strcmp(pairs[j].f, pairs[i].f) && pairs[j].cls == pairs[i].cls)
			j++;
		printf("\t{ %u, %u },\n", index[pairs[i].cls], (unsigned)(j - i));
		i = j;
	}
	printf("};\n");
	for (size_t i = 0; i < npairs; i++)
		free(pairs[i].f);
	free(pairs);
	free(docf);
	return 0;
}
