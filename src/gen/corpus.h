/*
 * corpus.h — one reader of the labelled reply corpus format
 * (tests/data/replies*.tsv), shared by the words model's generator and the
 * tests that score the classifier. A line: provider phase verdict owner
 * reason reply source, tab-separated; "\n" in reply is a line break;
 * '#' lines and blank lines are comments.
 */
#ifndef MAILVET_GEN_CORPUS_H
#define MAILVET_GEN_CORPUS_H

#include <string.h>

enum { CORPUS_FIELDS = 7, CORPUS_REPLY = 5 };

/* Cut the end of line and split the line in place into f[0..7). Returns
 * the number of fields found; 0 for a comment or blank line. */
static inline int corpus_split(char *line, char *f[CORPUS_FIELDS])
{
	int nf = 0;
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (!len || line[0] == '#')
		return 0;
	for (char *p = line; nf < CORPUS_FIELDS;) {
		f[nf++] = p;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return nf;
}

/* Turn each "\n" of a field into a line break, in place; returns the length. */
static inline size_t corpus_unescape(char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1] == 'n') {
			s[o++] = '\n';
			i++;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

#endif
