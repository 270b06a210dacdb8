/*
 * gen_contacts — writes a large, realistic contacts CSV for the benchmarks.
 * Usage: gen_contacts ROWS > file.csv   (deterministic for a given ROWS)
 * About 65 bytes a row: 1,000,000 rows is ~65 MB. Generated at bench time,
 * never committed.
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

int main(int argc, char **argv)
{
	static const char *first[] = { "jane", "john", "maria", "ahmed", "li", "sofia",
		"lucas", "emma", "noah", "olivia", "liam", "ava", "mateo", "chloe", "yuki", "ivan" };
	static const char *last[] = { "doe", "smith", "garcia", "khan", "wei", "rossi",
		"silva", "martin", "brown", "jones", "dubois", "tanaka", "okafor", "patel" };
	static const char *dom[] = { "gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
		"northwind.test", "contoso.test", "fabrikam.test", "globex.test", "aol.com",
		"icloud.com", "gmx.de", "web.de", "orange.fr", "libero.it", "mail.ru" };
	static const char *co[] = { "Northwind", "Contoso", "\"Fabrikam, Inc.\"", "Globex", "Initech" };
	long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	printf("id,first_name,last_name,email,company,signup\n");
	for (long i = 0; i < rows; i++) {
		const char *f = first[next(16)], *l = last[next(14)];
		printf("%ld,%s,%s,%s.%s%u@%s,%s,2025-%02u-%02u\n", i + 1, f, l, f, l,
		       next(1000), dom[next(15)], co[next(5)], next(12) + 1, next(28) + 1);
	}
	return 0;
}
