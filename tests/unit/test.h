/*
 * test — the unit-test harness: TEST(name) { CHECK(...); } in any file
 * under tests/unit/ registers itself; main.c runs them all (or those whose
 * name contains argv[1]) and ends with "N passed, N failed".
 */
#ifndef MAILVET_TEST_H
#define MAILVET_TEST_H

#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Directory for scratch files of this run (created on demand). */
const char *test_tmpdir(void);

#define TEST(name) \
	static void test_##name(void); \
	static struct test_case name##_tc = { #name, __FILE__, test_##name, NULL }; \
	__attribute__((constructor)) static void name##_reg(void) \
	{ test_register(&name##_tc); } \
	static void test_##name(void)

#define CHECK(c) do { \
	if (!(c)) test_fail(__FILE__, __LINE__, "CHECK(%s)", #c); \
} while (0)

#define CHECK_INT(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) test_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_, b_); \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) \
		test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, \
			  a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
} while (0)

/* Bytes p[0..n) equal the C string s. */
#define CHECK_MEM(p, n, s) do { \
	const char *p_ = (const char *)(p), *s_ = (s); size_t n_ = (n); \
	if (n_ != strlen(s_) || memcmp(p_, s_, n_) != 0) \
		test_fail(__FILE__, __LINE__, "%s == \"%.*s\", expected \"%s\"", #p, \
			  (int)n_, p_, s_); \
} while (0)

#endif
