/* mem: the huge-page hint is harmless on any range. */
#include "test.h"

#include <stdlib.h>

#include "mailvet/mem.h"

TEST(mem_advise_huge_any_range)
{
	mem_advise_huge(NULL, 0);
	char small[64];
	mem_advise_huge(small, sizeof(small));
	size_t n = 8u << 20;
	char *big = malloc(n);
	CHECK(big != NULL);
	mem_advise_huge(big, n);
	big[0] = 1;
	big[n - 1] = 2;
	CHECK(big[0] + big[n - 1] == 3);
	free(big);
}
