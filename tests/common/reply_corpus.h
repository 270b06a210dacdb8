/*
 * reply_corpus — classify every line of a labelled corpus of real replies
 * (tests/data/replies*.tsv: provider, phase, verdict, owner, reason, reply,
 * source) and count what the classifier gets right. The unit tests hold
 * the training corpus to every label; make bench scores the held-out set.
 */
#ifndef MAILVET_TESTS_REPLY_CORPUS_H
#define MAILVET_TESTS_REPLY_CORPUS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/reason.h"
#include "mailvet/reply.h"
#include "mailvet/result.h"
#include "../../src/gen/corpus.h"

typedef void (*corpus_fail_fn)(const char *file, int line, const char *fmt, ...);

static reply_phase phase_of(const char *s)
{
	static const char *const names[] = { "-", "connect", "helo", "starttls", "mail", "rcpt", "data" };
	for (int i = 1; i < 7; i++)
		if (!strcmp(s, names[i]))
			return (reply_phase)i;
	return REPLY_PHASE_RCPT;
}

struct score { int n, verdict_ok, reason_ok, owner_ok, all_ok, nprov; char prov[64][24]; };

/* Classify every line of a corpus; report mismatches when strict. */
static void run_corpus(const char *path, struct score *sc, bool strict, corpus_fail_fn fail)
{
	FILE *fp = fopen(path, "r");
	char line[8192];
	memset(sc, 0, sizeof(*sc));
	if (!fp) {
		fail(__FILE__, __LINE__, "%s: cannot open", path);
		return;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *f[CORPUS_FIELDS];
		int nf = corpus_split(line, f);
		if (!nf)
			continue;
		if (nf < CORPUS_FIELDS) {
			fail(__FILE__, __LINE__, "%s: a line with %d fields", path, nf);
			continue;
		}
		int seen = 0;
		for (int i = 0; i < sc->nprov; i++)
			seen |= !strcmp(sc->prov[i], f[0]);
		if (!seen && sc->nprov < 64)
			snprintf(sc->prov[sc->nprov++], sizeof(sc->prov[0]), "%s", f[0]);
		size_t n = corpus_unescape(f[5]);
		smtp_reply r;
		reply_class k;
		sc->n++;
		/* Code-less log texts ("Unrouteable address") are classified as the
		 * bounce readers do: the text alone. */
		if (reply_parse_text(f[5], n, &r) != MV_OK &&
		    reply_from_parts(0, 0, f[5], n, &r) != MV_OK) {
			fail(__FILE__, __LINE__, "unreadable: %s", f[5]);
			continue;
		}
		reply_phase ph = phase_of(f[1]);
		if (!strcmp(f[1], "-")) {
			reply_phase t = reply_phase_from_text(f[5], n);
			if (t != REPLY_PHASE_UNKNOWN)
				ph = t;
		}
		reply_classify(&r, ph, &k);
		bool v = !strcmp(verdict_name(k.verdict), f[2]);
		bool o = !strcmp(owner_name(k.owner), f[3]);
		bool re = !strcmp(reason_name(k.reason), f[4]);
		sc->verdict_ok += v;
		sc->owner_ok += o;
		sc->reason_ok += re;
		sc->all_ok += v && o && re;
		if ((strict || getenv("MAILVET_SHOW_MISSES")) && !(v && o && re))
			fail(__FILE__, __LINE__, "[%s] %s\n    want %s/%s/%s, got %s/%s/%s by %s", f[0], f[5],
				  f[2], f[3], f[4], verdict_name(k.verdict), owner_name(k.owner),
				  reason_name(k.reason), k.rule);
		reply_free(&r);
	}
	fclose(fp);
}

#endif
