/*
 * gen_corpus — a large, realistic contact list with recorded truth, for
 * the local pass's speed and typo-accuracy benchmark (bench_local).
 *
 * Usage: gen_corpus ROWS TRUTH.tsv > corpus.csv   (deterministic per ROWS)
 *
 * Domains: about 70% of rows at mailbox providers with market-like weights
 * (the big ones, their country variants, regional providers, and real
 * look-alikes such as ymail.com, gmx.com, mail.com, me.com, libero.it,
 * hanmail.net, uol.com.br, plus providers mailvet's lists do not know),
 * 30% at company domains: 60,000 names built from common words and
 * surnames (so real near-collisions such as bluestone/bluestones happen)
 * under a realistic TLD mix, drawn Zipf-like (a few big companies, a
 * long tail seen once or twice).
 *
 * Typos: 2.5% of rows get one domain typo, by a model of how people
 * mistype: a keyboard-adjacent key (QWERTY), two letters swapped, a letter
 * dropped, a letter doubled, a neighbouring key inserted, a TLD slip
 * (con cmo comm cm om vom xom ocm, nte ner, ogr orf, co.ul ...), the dot
 * before the TLD dropped. A typo may land on another real domain (gmail →
 * ymail): it is kept, and marked as a collision, since no tool can see it.
 * Other noise: exact and case-changed duplicates, Gmail dot/+tag aliases,
 * junk cells, padding white space, display names.
 *
 * The truth goes to TRUTH.tsv, never into the CSV: one line per typo row,
 * `row<TAB>typed<TAB>intended<TAB>collision<TAB>kind` (row 1 = first data
 * row). The typo engine never reads it; only bench_local's scoring does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng = 0x2545f4914f6cdd1dull;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng >> 11) % n);
}

static double unit(void)
{
	return (double)next(1u << 30) / (double)(1u << 30);
}

/* Providers and weights (per mille of provider rows, roughly). */
static const struct { const char *d; unsigned w; } providers[] = {
	{ "gmail.com", 3600 }, { "yahoo.com", 900 }, { "hotmail.com", 800 },
	{ "outlook.com", 450 }, { "aol.com", 180 }, { "icloud.com", 300 },
	{ "live.com", 160 }, { "msn.com", 70 }, { "comcast.net", 80 },
	{ "me.com", 50 }, { "mac.com", 25 }, { "ymail.com", 20 },
	{ "googlemail.com", 15 }, { "att.net", 30 }, { "sbcglobal.net", 30 },
	{ "verizon.net", 25 }, { "bellsouth.net", 15 }, { "cox.net", 12 },
	{ "charter.net", 10 }, { "earthlink.net", 8 }, { "juno.com", 5 },
	{ "yahoo.co.uk", 60 }, { "hotmail.co.uk", 50 }, { "btinternet.com", 30 },
	{ "sky.com", 12 }, { "virginmedia.com", 10 }, { "live.co.uk", 15 },
	{ "yahoo.fr", 40 }, { "hotmail.fr", 60 }, { "orange.fr", 50 },
	{ "free.fr", 25 }, { "wanadoo.fr", 20 }, { "sfr.fr", 15 },
	{ "laposte.net", 15 }, { "live.fr", 15 },
	{ "gmx.de", 60 }, { "web.de", 60 }, { "t-online.de", 40 }, { "gmx.net", 30 },
	{ "yahoo.de", 15 }, { "hotmail.de", 12 }, { "freenet.de", 10 },
	{ "libero.it", 40 }, { "hotmail.it", 20 }, { "yahoo.it", 15 },
	{ "virgilio.it", 12 }, { "alice.it", 8 }, { "tiscali.it", 5 },
	{ "hotmail.es", 25 }, { "yahoo.es", 15 }, { "telefonica.net", 5 },
	{ "uol.com.br", 25 }, { "bol.com.br", 15 }, { "yahoo.com.br", 30 },
	{ "hotmail.com.br", 15 }, { "terra.com.br", 8 }, { "ig.com.br", 5 },
	{ "yahoo.com.ar", 10 }, { "hotmail.com.ar", 10 }, { "yahoo.com.mx", 10 },
	{ "mail.ru", 60 }, { "yandex.ru", 50 }, { "rambler.ru", 10 }, { "bk.ru", 8 },
	{ "list.ru", 8 }, { "inbox.ru", 6 }, { "ukr.net", 6 },
	{ "wp.pl", 12 }, { "o2.pl", 8 }, { "interia.pl", 8 }, { "onet.pl", 8 },
	{ "seznam.cz", 10 }, { "centrum.cz", 3 },
	{ "naver.com", 20 }, { "hanmail.net", 15 }, { "daum.net", 8 },
	{ "qq.com", 60 }, { "163.com", 40 }, { "126.com", 20 }, { "sina.com", 8 },
	{ "yahoo.co.jp", 20 }, { "yahoo.co.in", 25 }, { "rediffmail.com", 10 },
	{ "shaw.ca", 6 }, { "rogers.com", 6 }, { "sympatico.ca", 4 }, { "yahoo.ca", 8 },
	{ "bigpond.com", 8 }, { "optusnet.com.au", 4 }, { "xtra.co.nz", 4 },
	{ "telenet.be", 4 }, { "skynet.be", 3 }, { "ziggo.nl", 4 }, { "home.nl", 2 },
	{ "bluewin.ch", 4 }, { "protonmail.com", 20 }, { "proton.me", 10 },
	{ "pm.me", 4 }, { "zoho.com", 6 }, { "fastmail.com", 4 }, { "hey.com", 2 },
	{ "mail.com", 15 }, { "email.com", 3 }, { "gmx.com", 12 }, { "aim.com", 3 },
	{ "yopmail.com", 3 }, { "tutanota.com", 2 },
	/* real providers mailvet's curated lists do not name */
	{ "inbox.lv", 3 }, { "azet.sk", 2 }, { "post.cz", 2 }, { "volny.cz", 2 },
	{ "email.cz", 2 }, { "gazeta.pl", 2 }, { "vp.pl", 2 }, { "freemail.hu", 2 },
	{ "citromail.hu", 1 }, { "net.hr", 1 }, { "siol.net", 1 }, { "mweb.co.za", 2 },
	{ "abv.bg", 2 }, { "mail.bg", 1 }, { "yahoo.com.tw", 3 }, { "sapo.pt", 2 },
	{ "netcabo.pt", 1 }, { "otenet.gr", 1 }, { "walla.com", 1 }, { "eircom.net", 2 },
	{ "tpg.com.au", 2 }, { "iinet.net.au", 2 }, { "windstream.net", 3 },
	{ "frontier.com", 3 }, { "optonline.net", 4 }, { "roadrunner.com", 2 },
	{ "centurylink.net", 2 }, { "mchsi.com", 1 }, { "q.com", 1 },
};
#define NPROV (sizeof(providers) / sizeof(providers[0]))

static const char *const words[] = {
	"blue", "stone", "river", "north", "south", "west", "east", "green", "oak",
	"pine", "maple", "cedar", "silver", "golden", "iron", "bright", "clear",
	"swift", "true", "prime", "peak", "summit", "harbor", "bay", "lake",
	"field", "bridge", "tower", "castle", "forge", "mill", "works", "craft",
	"data", "cloud", "net", "soft", "logic", "smart", "quant", "pixel", "byte",
	"code", "apex", "nova", "star", "sun", "moon", "sky", "wind", "fire",
	"water", "earth", "rock", "sand", "wood", "leaf", "root", "seed", "grow",
	"farm", "home", "house", "build", "make", "trade", "market", "capital",
	"fund", "bank", "trust", "mutual", "first", "united", "global", "metro",
	"city", "urban", "rural", "coast", "ocean", "sea", "wave", "tide", "port",
	"anchor", "sail", "ship", "fleet", "motor", "auto", "drive", "road",
	"path", "way", "link", "bond", "core", "base", "hub", "point", "line",
	"shape", "form", "design", "art", "studio", "media", "press", "print",
	"paper", "book", "page", "word", "voice", "sound", "music", "film",
	"light", "bright", "spark", "power", "energy", "solar", "volt", "grid",
	"care", "health", "med", "clinic", "dental", "vision", "life", "well",
	"fit", "sport", "play", "game", "toy", "kid", "pet", "vet", "food",
	"fresh", "baker", "brew", "wine", "cafe", "grill", "kitchen", "table",
	"chair", "desk", "office", "supply", "parts", "tools", "gear", "steel",
	"glass", "brick", "tile", "paint", "color", "ink", "pen", "mark", "sign",
	"alpha", "beta", "delta", "omega", "sigma", "zen", "echo", "vista",
	"legal", "law", "tax", "audit", "account", "advise", "consult", "partner",
	"group", "team", "crew", "labs", "tech", "systems", "works", "solutions",
	"services", "global", "digital", "analytics", "ventures", "holdings",
	"smith", "miller", "baker", "carter", "walker", "cooper", "hill", "wood",
	"young", "king", "wright", "scott", "green", "adams", "nelson", "hall",
	"allen", "clark", "lewis", "lee", "moore", "taylor", "brown", "jones",
	"wilson", "evans", "thomas", "roberts", "johnson", "white", "harris",
	"martin", "thompson", "garcia", "martinez", "robinson", "rodriguez",
	"mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner",
	"dupont", "moreau", "lefebvre", "rossi", "russo", "bianchi", "silva",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Syllables of brandable names (zentora, kalvix). */
static const char *const syl[] = {
	"ka", "lo", "ve", "ra", "zen", "tor", "mi", "na", "vix", "sol", "tri", "qua",
	"bel", "cor", "dia", "fen", "gro", "hal", "jun", "kel", "lum", "mar", "nex",
	"or", "pra", "rin", "sen", "tal", "ul", "vor", "wex", "xa", "yo", "zu", "an",
	"bri", "cla", "dro", "el", "fi", "gal", "ho", "is", "jo", "kin", "la", "mo",
	"nu", "os", "pi", "ro", "sa", "ti", "u", "va", "wi", "ze", "ter", "lix", "dex",
};
#define NSYL (sizeof(syl) / sizeof(syl[0]))

static const char *const suffixes[] = {
	"", "", "", "", "group", "inc", "co", "corp", "llc", "hq", "tech", "labs",
	"media", "consulting", "partners", "law", "design", "studio", "shop",
	"online", "usa", "uk", "global", "and", "bros", "sons",
};

static const struct { const char *tld; unsigned w; } ctlds[] = {
	{ "com", 560 }, { "net", 50 }, { "org", 50 }, { "co.uk", 60 }, { "de", 60 },
	{ "fr", 30 }, { "io", 30 }, { "nl", 20 }, { "ca", 20 }, { "com.au", 20 },
	{ "it", 20 }, { "es", 15 }, { "ch", 10 }, { "se", 10 }, { "co", 10 },
	{ "pl", 10 }, { "be", 8 }, { "at", 8 }, { "dk", 6 }, { "us", 6 }, { "biz", 4 },
	{ "info", 4 }, { "com.br", 8 }, { "co.nz", 4 }, { "ie", 4 }, { "edu", 8 },
};
#define NCTLD (sizeof(ctlds) / sizeof(ctlds[0]))

static const char *const first[] = {
	"jane", "john", "maria", "ahmed", "li", "sofia", "lucas", "emma", "noah",
	"olivia", "liam", "ava", "mateo", "chloe", "yuki", "ivan", "fatima",
	"pierre", "anna", "tom", "grace", "omar", "elena", "kwame", "priya",
	"diego", "hannah", "sven", "aiko", "rosa", "david", "sarah", "michael",
	"laura", "james", "julia", "daniel", "nina", "peter", "eva",
};
static const char *const last[] = {
	"doe", "smith", "garcia", "khan", "wei", "rossi", "silva", "martin",
	"brown", "jones", "dubois", "tanaka", "okafor", "patel", "mueller",
	"kowalski", "nakamura", "lopez", "berg", "ivanova", "schmidt", "novak",
};
#define NF (sizeof(first) / sizeof(first[0]))
#define NL (sizeof(last) / sizeof(last[0]))

#define NCOMP 60000
static char comp[NCOMP][64];
static double provcum[NPROV], compcum[NCOMP], provtotal, comptotal;

/* ---- the real-domain universe, for marking collisions ---------------------- */

#define HSIZE (1u << 18)
static const char *hset[HSIZE];

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static int hfind(const char *s)
{
	for (unsigned long i = hash(s) & (HSIZE - 1); hset[i]; i = (i + 1) & (HSIZE - 1))
		if (!strcmp(hset[i], s))
			return 1;
	return 0;
}

static int hadd(const char *s)
{
	if (hfind(s))
		return 0;
	unsigned long i = hash(s) & (HSIZE - 1);
	while (hset[i])
		i = (i + 1) & (HSIZE - 1);
	hset[i] = s;
	return 1;
}

static void make_companies(void)
{
	for (unsigned i = 0; i < NCOMP;) {
		char *d = comp[i];
		unsigned pat = next(20);
		const char *a = words[next(NWORDS)], *b = words[next(NWORDS)];
		const char *s = suffixes[next(sizeof(suffixes) / sizeof(suffixes[0]))];
		if (pat < 6)
			snprintf(d, 64, "%s%s", a, b);
		else if (pat < 9)
			snprintf(d, 64, "%s%s", a, s);
		else if (pat < 10)
			snprintf(d, 64, "%s-%s", a, b);
		else if (pat < 11)
			snprintf(d, 64, "%c%c%c%s", 'a' + next(26), 'a' + next(26), 'a' + next(26), b);
		else if (pat < 12)
			snprintf(d, 64, "%s%s%u", a, b, next(100));
		else if (pat < 17)
			snprintf(d, 64, "%s%s%s", syl[next(NSYL)], syl[next(NSYL)], syl[next(NSYL)]);
		else
			snprintf(d, 64, "%s%s%s", syl[next(NSYL)], syl[next(NSYL)], s);
		unsigned w = next(1000), acc = 0;
		size_t k = 0;
		for (; k < NCTLD; k++) {
			acc += ctlds[k].w;
			if (w < acc * 1000 / 1055)
				break;
		}
		if (k == NCTLD)
			k = 0;
		size_t n = strlen(d);
		snprintf(d + n, 64 - n, ".%s", ctlds[k].tld);
		if (hadd(d))
			i++;
	}
}

static void setup(void)
{
	for (size_t i = 0; i < NPROV; i++) {
		provtotal += providers[i].w;
		provcum[i] = provtotal;
		hadd(providers[i].d);
	}
	make_companies();
	/* Zipf-like company sizes: weight (rank + 10)^-0.95 */
	for (unsigned i = 0; i < NCOMP; i++) {
		comptotal += pow((double)i + 10.0, -0.95);
		compcum[i] = comptotal;
	}
}

static size_t pick(const double *cum, size_t n, double total)
{
	double u = unit() * total;
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- typos ------------------------------------------------------------------ */

static const char *const krows[] = { "1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm" };

static char neighbour(char c)
{
	for (int r = 0; r < 4; r++) {
		const char *p = strchr(krows[r], c);
		if (!p || !c)
			continue;
		int col = (int)(p - krows[r]);
		char cand[8];
		int n = 0;
		int len = (int)strlen(krows[r]);
		if (col > 0) cand[n++] = krows[r][col - 1];
		if (col + 1 < len) cand[n++] = krows[r][col + 1];
		if (r > 0) {
			int ul = (int)strlen(krows[r - 1]);
			if (col < ul) cand[n++] = krows[r - 1][col];
			if (col + 1 < ul) cand[n++] = krows[r - 1][col + 1];
		}
		if (r < 3) {
			int dl = (int)strlen(krows[r + 1]);
			if (col - 1 >= 0 && col - 1 < dl) cand[n++] = krows[r + 1][col - 1];
			if (col < dl) cand[n++] = krows[r + 1][col];
		}
		return n ? cand[next((unsigned)n)] : c;
	}
	return c;
}

static const struct { const char *from, *to; } tld_slips[] = {
	{ ".com", ".con" }, { ".com", ".cmo" }, { ".com", ".comm" }, { ".com", ".cm" },
	{ ".com", ".om" }, { ".com", ".vom" }, { ".com", ".xom" }, { ".com", ".ocm" },
	{ ".com", ".cpm" }, { ".com", ".co" }, { ".net", ".nte" }, { ".net", ".ner" },
	{ ".net", ".nt" }, { ".org", ".ogr" }, { ".org", ".orf" }, { ".org", ".or" },
	{ ".co.uk", ".co.ul" }, { ".co.uk", ".co.k" }, { ".de", ".dd" }, { ".fr", ".ft" },
};

/* Index of the last dot (the TLD's), counting co.uk-style pairs as one. */
static size_t tld_dot(const char *d)
{
	const char *dot = strrchr(d, '.');
	size_t n = strlen(d);
	if (dot && n - (size_t)(dot - d) == 3 && dot > d) {
		const char *p = dot - 1;
		while (p > d && *p != '.')
			p--;
		if (*p == '.' && dot - p - 1 <= 3)
			return (size_t)(p - d);
	}
	return dot ? (size_t)(dot - d) : n;
}

/* Mistype d into out; returns the kind, or NULL when nothing changed. */
static const char *mistype(const char *d, char *out, size_t cap)
{
	size_t n = strlen(d);
	size_t td = tld_dot(d);
	unsigned k = next(100);
	for (int tries = 0; tries < 10; tries++) {
		snprintf(out, cap, "%s", d);
		size_t i = next((unsigned)td);          /* a letter of the name */
		const char *kind;
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= '0' && d[i] <= '9')))
			continue;
		if (k < 33) {
			out[i] = neighbour(d[i]);
			kind = "adjacent_key";
		} else if (k < 48) {
			if (i + 1 >= td || d[i + 1] == '.' || d[i + 1] == '-')
				continue;
			out[i] = d[i + 1];
			out[i + 1] = d[i];
			kind = "swap";
		} else if (k < 63) {
			memmove(out + i, out + i + 1, n - i);
			kind = "omission";
		} else if (k < 72) {
			memmove(out + i + 1, out + i, n - i + 1);
			kind = "doubling";
		} else if (k < 77) {
			memmove(out + i + 1, out + i, n - i + 1);
			out[i] = neighbour(d[i]);
			kind = "insertion";
		} else if (k < 92) {
			size_t j = next(sizeof(tld_slips) / sizeof(tld_slips[0]));
			size_t fl = strlen(tld_slips[j].from);
			if (n < fl || strcmp(d + n - fl, tld_slips[j].from) != 0)
				continue;
			snprintf(out + n - fl, cap - (n - fl), "%s", tld_slips[j].to);
			kind = "tld";
		} else {
			const char *dot = strrchr(d, '.');
			size_t at = (size_t)(dot - d);
			memmove(out + at, out + at + 1, n - at);
			kind = "missing_dot";
		}
		if (strcmp(out, d) != 0 && out[0] != '-' && out[0] != '.')
			return kind;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	FILE *truth = argc > 2 ? fopen(argv[2], "w") : NULL;
	if (rows <= 0 || !truth) {
		fprintf(stderr, "usage: gen_corpus ROWS TRUTH.tsv > corpus.csv\n");
		return 2;
	}
	static char prev[4096][96];
	setup();
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	printf("id,first_name,last_name,email,company,signup\n");
	for (long r = 0; r < rows; r++) {
		const char *f = first[next(NF)], *l = last[next(NL)];
		const char *dom;
		char email[160], typed[96], local[64];
		unsigned noise = next(1000);
		if (next(100) < 70)
			dom = providers[pick(provcum, NPROV, provtotal)].d;
		else
			dom = comp[pick(compcum, NCOMP, comptotal)];
		switch (next(8)) {
		case 0: snprintf(local, sizeof(local), "%s.%s", f, l); break;
		case 1: snprintf(local, sizeof(local), "%c%s%u", f[0], l, next(1000)); break;
		case 2: snprintf(local, sizeof(local), "%s%s%u", f, l, next(10000)); break;
		case 3: snprintf(local, sizeof(local), "%s_%s%u", f, l, next(100)); break;
		case 4: snprintf(local, sizeof(local), "%s.%s%u", f, l, next(10000)); break;
		case 5: snprintf(local, sizeof(local), "%s%c%u", f, l[0], next(100000)); break;
		case 6: snprintf(local, sizeof(local), "%c.%s.%u", f[0], l, next(10000)); break;
		default: snprintf(local, sizeof(local), "%s%u", f, next(1000000)); break;
		}
		const char *kind = NULL;
		snprintf(typed, sizeof(typed), "%s", dom);
		if (next(1000) < 25)
			kind = mistype(dom, typed, sizeof(typed));
		snprintf(email, sizeof(email), "%s@%s", local, typed);
		/* noise that exercises the pass (never on typo rows) */
		if (!kind) {
			if (noise < 20 && r > 5000) {           /* duplicate of an earlier row */
				snprintf(email, sizeof(email), "%s", prev[next(4096)]);
				if (next(2) && email[0] >= 'a' && email[0] <= 'z')
					email[0] = (char)(email[0] - 32);
			} else if (noise < 28) {
				static const char *const junk[] = { "", "n/a", "none", "-", "unknown",
					"test@test.com", "noemail@none.com", "asdf" };
				snprintf(email, sizeof(email), "%s", junk[next(8)]);
			} else if (noise < 36) {
				char tmp[200];
				snprintf(tmp, sizeof(tmp), " %.150s ", email);
				snprintf(email, sizeof(email), "%.155s", tmp);
			} else if (noise < 40) {
				char tmp[200];
				snprintf(tmp, sizeof(tmp), "\"%c%s %c%s <%.100s>\"", f[0] - 32, f + 1,
					 l[0] - 32, l + 1, email);
				snprintf(email, sizeof(email), "%.155s", tmp);
			} else if (noise < 46 && !strcmp(dom, "gmail.com")) {
				snprintf(email, sizeof(email), "%s+news@gmail.com", local);
			}
		}
		if (kind)
			fprintf(truth, "%ld\t%s\t%s\t%d\t%s\n", r + 1, typed, dom,
				hfind(typed), kind);
		if (!kind)
			snprintf(prev[next(4096)], sizeof(prev[0]), "%.95s", email);
		printf("%ld,%s,%s,%s,%s,2025-%02u-%02u\n", r + 1, f, l, email,
		       next(3) ? "\"Acme, Inc.\"" : "Initech", next(12) + 1, next(28) + 1);
	}
	fclose(truth);
	return 0;
}
