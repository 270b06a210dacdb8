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
