/* Unit-test runner: runs every registered TEST, prints N passed, N failed. */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct test_case *head, **tail = &head;
static int current_failed;
static const char *current_name;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	if (!current_failed)
		fprintf(stderr, "FAIL %s\n", current_name);
	current_failed++;
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *test_tmpdir(void)
{
	static char dir[256];
	if (!dir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/mailvet-unit.XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return dir;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *filter = argc > 1 ? argv[1] : NULL;

	for (struct test_case *tc = head; tc; tc = tc->next) {
		if (filter && !strstr(tc->name, filter) && !strstr(tc->file, filter))
			continue;
		current_name = tc->name;
		current_failed = 0;
		tc->fn();
		if (current_failed)
			failed++;
		else
			passed++;
	}
	if (test_tmpdir()[0] && !getenv("KEEP_TMP")) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_tmpdir());
		if (system(cmd) != 0)
			fprintf(stderr, "warning: could not remove %s\n", test_tmpdir());
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
