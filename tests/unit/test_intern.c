/* intern: the string pool. */
#include "test.h"

#include "mailvet/intern.h"

TEST(intern_basics)
{
	intern *in = intern_create();
	CHECK(in != NULL);
	CHECK_INT(intern_count(in), 0);
	CHECK_INT(intern_get(in, 0).len, 0);
	CHECK_INT(intern_get(in, 7).len, 0);
	CHECK_INT(intern_find(in, "x", 1), 0);
	int added = 0;
	uint32_t a = intern_put(in, "gmail.com", 9, &added);
	CHECK(a == 1 && added);
	CHECK_INT(intern_put(in, "gmail.com", 9, &added), a);
	CHECK(!added);
	uint32_t e = intern_put(in, "", 0, &added);
	CHECK(e == 2 && added);
	CHECK_INT(intern_find(in, "", 0), e);
	mv_str s = intern_get(in, a);
	CHECK_MEM(s.p, s.len, "gmail.com");
	CHECK(s.p[s.len] == '\0');
	intern_destroy(in);
	intern_destroy(NULL);
}

TEST(intern_many_stay_put)
{
	intern *in = intern_create();
	const char *first = NULL;
	for (int i = 0; i < 200000; i++) {
		char k[32];
		int n = snprintf(k, sizeof(k), "d%d.test", i);
		uint32_t id = intern_put(in, k, (size_t)n, NULL);
		CHECK_INT(id, i + 1);
		if (i == 0)
			first = intern_get(in, id).p;
	}
	CHECK_INT(intern_count(in), 200000);
	CHECK_STR(first, "d0.test");               /* never moved */
	CHECK_INT(intern_find(in, "d123456.test", 12), 123457);
	mv_str s = intern_get(in, 200000);
	CHECK_MEM(s.p, s.len, "d199999.test");
	/* a string larger than a chunk */
	static char big[300000];
	memset(big, 'z', sizeof(big));
	uint32_t b = intern_put(in, big, sizeof(big), NULL);
	CHECK_INT(intern_get(in, b).len, sizeof(big));
	CHECK(intern_mem_bytes(in) > sizeof(big));
	intern_destroy(in);
}

TEST(intern_hashed_and_reserved)
{
	intern *in = intern_create();
	CHECK_INT(intern_reserve(in, 100000), 0);
	uint64_t h = intern_hash("a@b.com", 7);
	intern_prefetch(in, h);
	int added = 0;
	uint32_t id = intern_put_hash(in, "a@b.com", 7, h, &added);
	CHECK(id == 1 && added);
	CHECK_INT(intern_put(in, "a@b.com", 7, NULL), id);
	CHECK_INT(intern_find_hash(in, "a@b.com", 7, h), id);
	CHECK_INT(intern_find(in, "a@b.com", 7), id);
	CHECK_INT(intern_find_hash(in, "a@b.con", 7, intern_hash("a@b.con", 7)), 0);
	/* the same hash for the same bytes, whatever their alignment */
	char buf[32] = "xa@b.com";
	CHECK(intern_hash(buf + 1, 7) == h);
	CHECK(intern_hash("", 0) != intern_hash("\0", 1));
	for (int i = 0; i < 150000; i++) {
		char k[32];
		int n = snprintf(k, sizeof(k), "k%d", i);
		CHECK(intern_put(in, k, (size_t)n, NULL) == (uint32_t)i + 2);
	}
	CHECK_INT(intern_find(in, "k149999", 7), 150001);
	CHECK_INT(intern_find(in, "a@b.com", 7), id);
	intern_destroy(in);
}

/* The stable hash keys saved decisions: its values must never change. */
TEST(intern_hash_stable_values)
{
	static const struct { const char *s; uint64_t h; } cases[] = {
		{ "", 0x9ca066f1a4ab2eeaull },
		{ "a", 0x8d8a943efa9b24b5ull },
		{ "jane@x.test", 0x650698617ab8583dull },
		{ "exactly8", 0xad9bbac6a9e03a5bull },
		{ "a somewhat longer cell, 33 bytes.", 0x7756a4ab38884441ull },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(intern_hash_stable(cases[i].s, strlen(cases[i].s)) == cases[i].h);
}
