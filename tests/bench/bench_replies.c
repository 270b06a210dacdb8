/*
 * bench_replies — the reply classifier on real replies it was never written
 * or tuned on (tests/data/replies_holdout.tsv): the share of verdicts,
 * reasons and owners it gets right, against the target (95% of verdicts,
 * 90% of reasons). Usage: bench_replies [FILE.tsv] (also run on
 * tests/data/replies_natural.tsv, every bounce of whole public bounce corpora
 * less exact repeats of the training set); MAILVET_SHOW_MISSES=1
 * lists the misses (read them to learn, never to tune this same set).
 *
 * Which set judges the target (decided before either new set was scored):
 * the natural sample, because it is what the issue asks for, real-world
 * replies never seen: every bounce of whole corpora, in their own mix, less
 * exact repeats of training lines. The rounds in replies_holdout.tsv drop
 * near-repeats of training lines too (word 3-shingles at 0.5), so they hold
 * the wordings furthest from what the rules know: a stress set, reported
 * beside it, not the real-world mix.
 * Between rounds the held-out file holds its header only: that is said,
 * and is not a failure.
 */
#include <stdarg.h>

#include "../common/reply_corpus.h"

static int reported;   /* problems run_corpus said (an unreadable file...) */

static void report(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	reported++;
	(void)file;
	(void)line;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "tests/data/replies_holdout.tsv";
	struct score sc;
	run_corpus(path, &sc, false, report);
	if (!sc.n && reported)
		return 1;
	if (!sc.n) {
		printf("replies held out: none in %s (the next round is not in yet)\n", path);
		return 0;
	}
	printf("replies held out (%s): %d from %d providers: verdict %.1f%%, reason %.1f%%, owner %.1f%%, "
	       "all three %.1f%% (target: verdict 95%%, reason 90%%)\n", path, sc.n, sc.nprov,
	       100.0 * sc.verdict_ok / sc.n, 100.0 * sc.reason_ok / sc.n, 100.0 * sc.owner_ok / sc.n,
	       100.0 * sc.all_ok / sc.n);
	return 0;
}
