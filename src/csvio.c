#include "mailvet/csvio.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailvet/text.h"

/* libcsv's parser states (csv_parser.pstate, current between calls). */
enum { LIBCSV_FIELD_BEGUN = 2, LIBCSV_FIELD_MIGHT_HAVE_ENDED = 3 };

#define READ_CHUNK ((size_t)1 << 20)
#define SNIFF_BYTES ((size_t)64 * 1024)
#define SNIFF_LINES 50
#define DETECT_ROWS 1000

void csv_opts_init(csv_opts *o)
{
	o->delimiter = 0;
	o->header = -1;
	o->max_field = CSV_DEFAULT_MAX_FIELD;
	o->column = NULL;
	o->progress = NULL;
	o->progress_arg = NULL;
	o->libcsv_only = false;
	o->parallel_min = 0;
}

/* ---- loading ---------------------------------------------------------- */

struct loader {
	table *t;
	csv_info *info;
	size_t max_field;
	uint32_t line;        /* current physical line */
	uint32_t row_line;    /* line where the open row started */
	uint32_t row_flags;
	uint32_t field_no;    /* fields seen in the open row */
	int prev_term;        /* terminator that ended the last row */
	bool saw_field;       /* a field callback since the last terminator */
	bool eol_decided;     /* the file's line end is known */
	char last_byte;       /* last byte of the previous chunk */
	mv_status err;
};

static void diag(csv_info *info, uint32_t line, uint32_t col,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void diag(csv_info *info, uint32_t line, uint32_t col,
		 const char *fmt, ...)
{
	info->ndiag_total++;
	if (info->ndiag >= CSV_MAX_DIAG)
		return;
	csv_diag *d = &info->diag[info->ndiag++];
	d->line = line;
	d->col = col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

static void on_field(void *s, size_t n, void *data)
{
	struct loader *L = data;
	const unsigned char *p = s;
	bool odd = false;

	if (L->err)
		return;
	L->field_no++;
	L->saw_field = true;
	/* Any byte < 0x20 or >= 0x80? Eight at a time. */
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		if ((x | ((x - 0x2020202020202020ull) & ~x)) & 0x8080808080808080ull) {
			odd = true;
			break;
		}
	}
	for (; !odd && i < n; i++)
		odd = p[i] < 0x20 || p[i] >= 0x80;
	if (odd) {
		bool high = false;
		for (i = 0; i < n; i++) {
			unsigned char c = p[i];
			if (c == '\n' || (c == '\r' && (i + 1 == n || p[i + 1] != '\n')))
				L->line++;
			else if (c == 0 && !(L->row_flags & ROW_HAS_NUL)) {
				L->row_flags |= ROW_HAS_NUL;
				diag(L->info, L->row_line, L->field_no,
				     "NUL byte in field (kept)");
			} else if (c >= 0x80)
				high = true;
		}
		if (high && !(L->row_flags & ROW_NOT_UTF8) &&
		    !text_utf8_valid(s, n))
			L->row_flags |= ROW_NOT_UTF8;
	}
	if (n > L->max_field && !(L->row_flags & ROW_FIELD_TOOBIG)) {
		L->row_flags |= ROW_FIELD_TOOBIG;
		diag(L->info, L->row_line, L->field_no,
		     "field of %zu bytes is over the %zu-byte limit (row kept, flagged)",
		     n, L->max_field);
	}
	L->err = table_add_field(L->t, s ? s : "", n);
}

static void on_row(int c, void *data)
{
	struct loader *L = data;

	if (L->err)
		return;
	if (!L->saw_field) {
		/* No field since the last terminator: the LF of a CRLF, or an
		 * empty line. */
		if (c == '\n' && L->prev_term == '\r') {
			L->prev_term = '\n';
			if (!L->eol_decided) {
				L->info->eol = "\r\n";
				L->eol_decided = true;
			}
			return;
		}
		if (c != -1) {
			L->line++;
			L->info->empty_lines++;
		}
		L->prev_term = c;
		L->row_line = L->line;
		return;
	}
	if (!L->info->eol) {
		L->info->eol = c == '\n' ? "\n" : c == '\r' ? "\r" : NULL;
		L->eol_decided = c != '\r';
	} else if (!L->eol_decided && L->prev_term == '\r') {
		L->eol_decided = true;   /* CR not followed by LF: old Mac */
	}
	L->err = table_end_row(L->t, L->row_line, L->row_flags);
	for (int b = 0; b < 6; b++)
		if (L->row_flags & (1u << b))
			L->info->flagged[b]++;
	if (c != -1)
		L->line++;
	L->prev_term = c;
	L->saw_field = false;
	L->row_line = L->line;
	L->row_flags = 0;
	L->field_no = 0;
}

/*
 * libcsv asks whether a byte is white space to trim it around fields. We
 * keep every byte of a field, so the answer is no, except for white space
 * right after a closing quote: `"Doe, J" ,next` is the field `Doe, J`, not
 * a quote reopened and running to the end of the file.
 */
static int never_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int quote_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* White space libcsv may trim after a closing quote: a space or a tab that
 * is not the delimiter (a tab delimiter ends the field; what follows it is
 * the next field's, kept). */
static bool trim_ws(char c, const struct loader *L)
{
	return (c == ' ' || c == '\t') && c != L->info->delimiter;
}

/* Next space or tab at or after pos, or len. */
static size_t next_ws(const char *s, size_t pos, size_t len, size_t *sp, size_t *tab)
{
	if (*sp < pos) {
		const char *q = memchr(s + pos, ' ', len - pos);
		*sp = q ? (size_t)(q - s) : len;
	}
	if (*tab < pos) {
		const char *q = memchr(s + pos, '\t', len - pos);
		*tab = q ? (size_t)(q - s) : len;
	}
	return *sp < *tab ? *sp : *tab;
}

/* The white space run at *pos, right after a quote: trimmed only if the
 * quote closed a quoted field. */
static bool parse_after_quote(struct csv_parser *p, const char *s, size_t *pos,
			      size_t end, struct loader *L)
{
	size_t run = *pos;
	while (run < end && trim_ws(s[run], L))
		run++;
	csv_set_space_func(p, p->pstate == LIBCSV_FIELD_MIGHT_HAVE_ENDED ? quote_space : never_space);
	if (csv_parse(p, s + *pos, run - *pos, on_field, on_row, L) != run - *pos)
		return false;
	*pos = run;
	return true;
}

/*
 * Feed white space (and what lies between, up to `end`) with our space
 * function; split where white space follows a quote to ask the parser, at
 * that exact point, whether the quote closed a field.
 */
static bool parse_ws_region(struct csv_parser *p, const char *s, size_t pos,
			    size_t end, struct loader *L)
{
	/* The region may open with white space right after a quote (the last
	 * byte before it, perhaps in the previous chunk): ask there too. */
	if (pos < end && (pos ? s[pos - 1] : L->last_byte) == '"' &&
	    !parse_after_quote(p, s, &pos, end, L))
		return false;
	while (pos < end) {
		size_t cut = end;
		const char *q = memchr(s + pos, '"', end - pos);
		while (q && (size_t)(q - s) + 1 < end && q[1] != ' ' && q[1] != '\t')
			q = memchr(q + 1, '"', end - (size_t)(q + 1 - s));
		if (q && (size_t)(q - s) + 1 < end)
			cut = (size_t)(q - s) + 1;
		csv_set_space_func(p, never_space);
		if (csv_parse(p, s + pos, cut - pos, on_field, on_row, L) != cut - pos)
			return false;
		pos = cut;
		if (pos >= end)
			break;
		if (!parse_after_quote(p, s, &pos, end, L))
			return false;
	}
	return true;
}

/*
 * Feed a chunk to libcsv. Its answer to "is this white space?" matters only
 * for space and tab bytes, and asking our function for every byte costs a
 * third of the parse, so long runs without white space are parsed with the
 * built-in test and only the stretches holding white space with ours.
 */
#define WS_GAP 256
static bool feed_libcsv(struct csv_parser *p, const char *s, size_t len,
			struct loader *L)
{
	size_t pos = 0, sp = 0, tab = 0;
	const char *q = memchr(s, ' ', len);
	sp = q ? (size_t)(q - s) : len;
	q = memchr(s, '\t', len);
	tab = q ? (size_t)(q - s) : len;

	while (pos < len) {
		size_t ws = next_ws(s, pos, len, &sp, &tab);
		if (ws > pos) {
			csv_set_space_func(p, NULL);
			if (csv_parse(p, s + pos, ws - pos, on_field, on_row, L) != ws - pos)
				return false;
			pos = ws;
		}
		if (pos >= len)
			break;
		/* From this white space on, use our function until the next
		 * white space is at least WS_GAP bytes away. */
		size_t end = pos + 1;
		for (;;) {
			size_t nx = next_ws(s, end, len, &sp, &tab);
			if (nx >= len || nx - end >= WS_GAP) {
				end = nx >= len ? len : end + (nx - end) / 2;
				break;
			}
			end = nx + 1;
		}
		if (!parse_ws_region(p, s, pos, end, L))
			return false;
		pos = end;
	}
	if (len)
		L->last_byte = s[len - 1];
	return true;
}

/*
 * The fast path. A line whose fields are plain (no quote) or simply quoted
 * (one opening quote at the field's start, the next quote closing it right
 * before a delimiter or the line's end) means the same to libcsv and to a
 * split on the delimiter: libcsv keeps every byte of a plain field (our
 * space function says no) and the inside of a simply quoted one. Splitting
 * such lines here, with memchr, costs a fraction of libcsv's byte-at-a-time
 * state machine; every other line (doubled quotes, a quote inside a field,
 * white space after a closing quote, a field running over lines) goes to
 * libcsv, and so does anything after a row libcsv has begun, to its end.
 * The fuzz harness loads every input both ways and compares the tables.
 */
#define FAST_MAX_FIELDS 256

struct span {
	uint32_t off, len;
};

/* Split s[0..n) (no terminator inside) into fields; false if any field is
 * not plain or simply quoted. */
static bool split_line(const char *s, size_t n, char delim, struct span *f, size_t *nf)
{
	size_t i = 0, k = 0;
	for (;;) {
		if (k == FAST_MAX_FIELDS)
			return false;
		size_t a, e;
		if (i < n && s[i] == '"') {
			const char *q = memchr(s + i + 1, '"', n - i - 1);
			if (!q)
				return false;
			a = i + 1;
			e = (size_t)(q - s);
			i = e + 1;
			if (i < n && s[i] != delim)
				return false;
		} else {
			a = i;
			while (i < n && s[i] != delim && s[i] != '"')
				i++;
			if (i < n && s[i] == '"')
				return false;
			e = i;
		}
		f[k].off = (uint32_t)a;
		f[k].len = (uint32_t)(e - a);
		k++;
		if (i >= n)
			break;
		i++;   /* the delimiter; a field follows, empty at the end */
	}
	*nf = k;
	return true;
}

static size_t next_byte(const char *s, size_t pos, size_t len, int c)
{
	const char *q = memchr(s + pos, c, len - pos);
	return q ? (size_t)(q - s) : len;
}

static bool parse_chunk(struct csv_parser *p, const char *s, size_t len,
			struct loader *L, bool fast)
{
	struct span f[FAST_MAX_FIELDS];
	size_t pos = 0, nl = 0, cr = 0;
	bool seek_nl = true, seek_cr = true;
	char delim = L->info->delimiter;

	if (!fast)
		return feed_libcsv(p, s, len, L);
	while (pos < len) {
		if (seek_nl || nl < pos) {
			nl = next_byte(s, pos, len, '\n');
			seek_nl = false;
		}
		if (seek_cr || cr < pos) {
			cr = next_byte(s, pos, len, '\r');
			seek_cr = false;
		}
		size_t e = nl < cr ? nl : cr;
		size_t nf;
		if (p->pstate == 0 && e < len && e - pos < UINT32_MAX &&
		    split_line(s + pos, e - pos, delim, f, &nf)) {
			if (e > pos)
				for (size_t k = 0; k < nf && !L->err; k++)
					on_field((void *)(s + pos + f[k].off), f[k].len, L);
			on_row((unsigned char)s[e], L);
			if (L->err)
				return true;
			L->last_byte = s[e];
			pos = e + 1;
			continue;
		}
		/* libcsv takes this line with its terminator, or the rest. */
		size_t end = e < len ? e + 1 : len;
		if (!feed_libcsv(p, s + pos, end - pos, L))
			return false;
		if (L->err)
			return true;
		pos = end;
	}
	return true;
}

char csvio_sniff(const char *data, size_t n)
{
	static const char cands[] = { ',', ';', '\t', '|' };
	enum { NC = sizeof(cands) };
	size_t counts[NC][SNIFF_LINES];
	size_t nlines = 0;
	size_t cur[NC] = { 0 };
	bool inq = false;

	if (n > SNIFF_BYTES)
		n = SNIFF_BYTES;
	for (size_t i = 0; i < n && nlines < SNIFF_LINES; i++) {
		char c = data[i];
		if (c == '"') {
			inq = !inq;
			continue;
		}
		if (inq)
			continue;
		if (c == '\n' || c == '\r') {
			bool any = false;
			for (int k = 0; k < NC; k++)
				any |= cur[k] != 0;
			if (any || (i > 0 && data[i - 1] != '\n' && data[i - 1] != '\r')) {
				for (int k = 0; k < NC; k++)
					counts[k][nlines] = cur[k];
				nlines++;
			}
			memset(cur, 0, sizeof(cur));
			continue;
		}
		for (int k = 0; k < NC; k++)
			if (c == cands[k])
				cur[k]++;
	}
	if (nlines < SNIFF_LINES) {
		bool any = false;
		for (int k = 0; k < NC; k++)
			any |= cur[k] != 0;
		if (any) {
			for (int k = 0; k < NC; k++)
				counts[k][nlines] = cur[k];
			nlines++;
		}
	}
	if (nlines == 0)
		return ',';

	/* Score: lines agreeing with the most common non-zero count, then
	 * the size of that count; earlier candidates win ties. */
	char best = ',';
	double best_score = 0;
	for (int k = 0; k < NC; k++) {
		size_t mode = 0, mode_n = 0;
		for (size_t a = 0; a < nlines; a++) {
			if (!counts[k][a])
				continue;
			size_t same = 0;
			for (size_t b = 0; b < nlines; b++)
				same += counts[k][b] == counts[k][a];
			if (same > mode_n || (same == mode_n && counts[k][a] > mode)) {
				mode_n = same;
				mode = counts[k][a];
			}
		}
		if (!mode)
			continue;
		double score = (double)mode_n / (double)nlines + (double)mode * 1e-3;
		if (score > best_score) {
			best_score = score;
			best = cands[k];
		}
	}
	return best;
}

/* Binary or UTF-16 input: not CSV at all. */
static mv_status check_text(const char *d, size_t n, csv_info *info)
{
	const unsigned char *p = (const unsigned char *)d;
	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		diag(info, 1, 0, "file is UTF-16 text; save it as UTF-8 CSV");
		return MV_BINARY;
	}
	static const struct { const char *magic; size_t n; const char *what; } magics[] = {
		{ "PK\x03\x04", 4, "a ZIP archive (an .xlsx workbook?); export it as CSV" },
		{ "%PDF", 4, "a PDF document" },
		{ "\x1f\x8b", 2, "gzip-compressed; decompress it first" },
		{ "\x89PNG", 4, "a PNG image" },
		{ "\xd0\xcf\x11\xe0", 4, "an old Office document (.xls?); export it as CSV" },
		{ "\x7f" "ELF", 4, "a program (ELF binary)" },
		{ "SQLite format 3", 15, "an SQLite database" },
	};
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		if (n >= magics[i].n && memcmp(d, magics[i].magic, magics[i].n) == 0) {
			diag(info, 1, 0, "not a CSV file: %s", magics[i].what);
			return MV_BINARY;
		}
	}
	size_t sample = n < SNIFF_BYTES ? n : SNIFF_BYTES;
	size_t ctl = 0, nul = 0, bad = 0;
	for (size_t i = 0; i < sample;) {
		if (p[i] == 0)
			nul++;
		else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			 p[i] != '\r' && p[i] != '\f')
			ctl++;
		size_t k = p[i] < 0x80 ? 1 : text_utf8_seq(p + i, sample - i);
		if (!k) {
			bad++;
			k = 1;
		}
		i += k;
	}
	/*
	 * Text has next to no control bytes. Random or compressed bytes have
	 * about 11% (1 in 9), with a spread that crosses a 10% line in a few
	 * samples in a hundred; they are also mostly invalid UTF-8, which a
	 * legacy 8-bit text is only where it is not ASCII. So: 10% controls,
	 * or 5% controls with a quarter of the bytes invalid UTF-8.
	 */
	size_t odd = nul + ctl;
	if ((nul >= 16 && nul * 100 > sample) ||
	    (odd >= 16 && odd * 10 > sample) ||
	    (odd >= 16 && odd * 20 > sample && bad * 4 > sample)) {
		diag(info, 1, 0, "not a CSV file: binary data (%zu NUL and %zu control bytes in the first %zu)",
		     nul, ctl, sample);
		return MV_BINARY;
	}
	return MV_OK;
}

static bool looks_like_email(const char *p, size_t n)
{
	const char *at = memchr(p, '@', n);
	if (!at || at == p)
		return false;
	return memchr(at + 1, '.', n - (size_t)(at + 1 - p)) != NULL;
}

/* Normalized header name: lower-case, letters and digits only. */
static size_t norm_name(const char *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
			out[k++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			out[k++] = (char)(c + 32);
	}
	out[k] = '\0';
	return k;
}

static const char *const email_names[] = {
	"email", "emailaddress", "mail", "emailaddr", "emails", "mailaddress",
	"correo", "correoelectronico", "courriel", "adressemail",
	"adresseemail", "adressecourriel", "emailadresse", "epost",
	"epostadresse", "posta", "postaelettronica", "indirizzoemail",
	"endereco", "enderecodeemail", "emailadres", "sahkoposti",
	"\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab",  /* メール */
	"\xe9\x82\xae\xe7\xae\xb1",              /* 邮箱 */
	"\xd0\xbf\xd0\xbe\xd1\x87\xd1\x82\xd0\xb0", /* почта */
	"emailid", "primaryemail", "workemail", "contactemail", "useremail",
	"recipient", "address", "to",
};

static int name_score(const char *p, size_t n)
{
	char nm[128];
	size_t k = norm_name(p, n, nm, sizeof(nm));
	if (!k)
		return 0;
	for (size_t i = 0; i < sizeof(email_names) / sizeof(email_names[0]); i++)
		if (strcmp(nm, email_names[i]) == 0)
			return i < 25 ? 3 : 2;
	if (strstr(nm, "email") || strstr(nm, "mail"))
		return 1;
	return 0;
}

long csvio_find_email_col(const table *t, const char *override, csv_info *info)
{
	size_t nc = table_ncols(t), nr = table_nrows(t);
	info->email_col_note[0] = '\0';
	info->email_col = -1;
	info->email_col_how = NULL;

	if (override && *override) {
		char *end;
		errno = 0;
		long v = strtol(override, &end, 10);
		if (!errno && *end == '\0' && v >= 1 && (size_t)v <= nc) {
			info->email_col = v - 1;
		} else {
			for (size_t c = 0; c < nc; c++) {
				mv_str s = table_col_name(t, c);
				if (text_ieq(s.p, s.len, override, strlen(override))) {
					info->email_col = (long)c;
					break;
				}
			}
		}
		if (info->email_col >= 0)
			info->email_col_how = "--column";
		return info->email_col;
	}
	if (!nc)
		return -1;

	size_t sample = nr < DETECT_ROWS ? nr : DETECT_ROWS;
	double best = 0;
	long bestc = -1;
	int best_named = 0;
	size_t ncands = 0;
	char others[160] = "";
	size_t olen = 0;
	double *scores = calloc(nc, sizeof(double));
	if (!scores)
		return -1;
	for (size_t c = 0; c < nc; c++) {
		size_t hits = 0, filled = 0;
		for (size_t r = 0; r < sample; r++) {
			mv_str s = table_cell(t, r, c);
			if (!s.len)
				continue;
			filled++;
			hits += looks_like_email(s.p, s.len);
		}
		mv_str nm = table_col_name(t, c);
		int named = table_has_header(t) ? name_score(nm.p, nm.len) : 0;
		double frac = filled ? (double)hits / (double)filled : 0;
		double fill = sample ? (double)hits / (double)sample : 0;
		double score = frac + 0.5 * fill + 0.4 * named;
		if (!hits && named < 2)
			score = 0;
		scores[c] = score;
		if (score > best) {
			best = score;
			bestc = (long)c;
			best_named = named;
		}
	}
	for (size_t c = 0; c < nc; c++) {
		if ((long)c == bestc || scores[c] < 0.5)
			continue;
		ncands++;
		mv_str nm = table_col_name(t, c);
		if (olen < sizeof(others) - 40) {
			int w = snprintf(others + olen, sizeof(others) - olen, "%s'%.*s'",
					 olen ? ", " : "", (int)(nm.len > 30 ? 30 : nm.len), nm.p);
			if (w > 0)
				olen += (size_t)w;
		}
	}
	free(scores);
	info->email_col = bestc;
	if (bestc >= 0) {
		info->email_col_how = best_named >= 2 ? "header name" : "content";
		if (ncands)
			snprintf(info->email_col_note, sizeof(info->email_col_note),
				 "also looked like email: %s", others);
	}
	return bestc;
}

static bool detect_header(const table *t)
{
	/* The first row is the header unless it holds an address, or it is the
	 * only row shape of the file that looks like data (numbers). */
	size_t nf = table_row_nfields(t, 0);
	bool named = false;
	for (size_t c = 0; c < nf; c++) {
		mv_str s = table_cell(t, 0, c);
		if (looks_like_email(s.p, s.len))
			return false;
		if (name_score(s.p, s.len) >= 2)
			named = true;
	}
	if (named)
		return true;
	if (table_nrows(t) < 2)
		return true;
	/* Data rows have addresses where row 0 has none, or numbers in a column
	 * whose first cell is not a number: header. Otherwise, if no cell of
	 * row 0 looks like a label at all (all numeric), it is data. */
	size_t numeric = 0;
	for (size_t c = 0; c < nf; c++) {
		mv_str s = table_cell(t, 0, c);
		size_t d = 0;
		for (size_t i = 0; i < s.len; i++)
			d += (s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '.' || s.p[i] == '-';
		if (s.len && d == s.len)
			numeric++;
	}
	return numeric == 0;
}

struct load_src {
	size_t size_hint;     /* bytes expected, 0 if unknown */
	int fd;               /* -1 for memory */
	const char *mem;
	size_t memlen, mempos;
	bool positioned;      /* read with pread from fpos */
	off_t fpos;
	size_t left;          /* bytes this reader may still take */
};

static ssize_t src_read(struct load_src *s, char *buf, size_t cap)
{
	if (cap > s->left)
		cap = s->left;
	if (!cap)
		return 0;
	if (s->fd < 0) {
		size_t n = s->memlen - s->mempos;
		if (n > cap)
			n = cap;
		memcpy(buf, s->mem + s->mempos, n);
		s->mempos += n;
		s->left -= n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t r = s->positioned ? pread(s->fd, buf, cap, s->fpos) : read(s->fd, buf, cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			s->left -= (size_t)r;
			s->fpos += r;
		}
		return r;
	}
}

/* Fill buf with up to cap bytes (several reads), for the first chunk. */
static ssize_t src_fill(struct load_src *s, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t r = src_read(s, buf + got, cap - got);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * One reader's share of the input: its parser, its loader state, the
 * table it fills. The whole file is one part; a large one is two, the
 * second parsed on a second thread (see split_load).
 */
struct part {
	struct load_src src;
	struct csv_parser p;
	bool parser_live;
	struct loader L;
	table *t;
	const csv_opts *o;
	char *chunk;
	_Atomic size_t done;      /* bytes read, for progress */
	const _Atomic size_t *other;  /* the other part's count, or NULL */
	bool reports;             /* calls o->progress (the first part) */
	mv_status st;
};

static mv_status part_init(struct part *pt, table *t, csv_info *info, const csv_opts *o)
{
	if (csv_init(&pt->p, CSV_REPALL_NL) != 0)
		return MV_NOMEM;
	pt->parser_live = true;
	csv_set_delim(&pt->p, (unsigned char)info->delimiter);
	csv_set_blk_size(&pt->p, 4096);
	memset(&pt->L, 0, sizeof(pt->L));
	pt->L.t = t;
	pt->L.info = info;
	pt->L.max_field = o->max_field ? o->max_field : CSV_DEFAULT_MAX_FIELD;
	pt->L.line = 1;
	pt->L.row_line = 1;
	pt->t = t;
	pt->o = o;
	return MV_OK;
}

/* Parse chunk[off..n), then read and parse until the part's input ends. */
static mv_status part_run(struct part *pt, ssize_t n, size_t off)
{
	for (;;) {
		size_t len = (size_t)n - off;
		if (len && !parse_chunk(&pt->p, pt->chunk + off, len, &pt->L, !pt->o->libcsv_only))
			return csv_error(&pt->p) == CSV_ENOMEM ? MV_NOMEM : MV_PARSE;
		if (pt->L.err)
			return pt->L.err;
		off = 0;
		size_t done = atomic_fetch_add(&pt->done, (size_t)n) + (size_t)n;
		if (pt->other)
			done += atomic_load(pt->other);
		if (pt->o->progress && pt->reports)
			pt->o->progress(pt->o->progress_arg, done, pt->src.size_hint);
		n = src_read(&pt->src, pt->chunk, READ_CHUNK);
		if (n < 0)
			return MV_IO;
		if (n == 0)
			return MV_OK;
	}
}

/* The end of the input: a quote never closed, the last row flushed. */
static mv_status part_finish(struct part *pt)
{
	struct loader *L = &pt->L;
	if (pt->p.pstate == LIBCSV_FIELD_BEGUN && pt->p.quoted) {
		L->row_flags |= ROW_UNTERMINATED;
		diag(L->info, L->row_line, L->field_no + 1,
		     "quoted field opened here is never closed (kept to end of file)");
	}
	csv_fini(&pt->p, on_field, on_row, L);
	return L->err;
}

static void part_free(struct part *pt)
{
	if (pt->parser_live)
		csv_free(&pt->p);
	pt->parser_live = false;
	free(pt->chunk);
	pt->chunk = NULL;
}

/* ---- two threads for a large file ----------------------------------------- */

/*
 * A large file is split at a line end near its middle; a second thread
 * loads the second half into a table of its own while this one loads the
 * first. The guess that the line end is a row end holds when the first
 * half ends between rows (libcsv's state, no open row); then the second
 * table is appended, line numbers and diagnostics shifted. When it does
 * not hold (the line end was inside a quoted field), the second thread's
 * work is dropped and the first goes on to the end of the file: the result
 * is always the serial one, only the time differs.
 */
struct second {
	struct part pt;
	csv_info info;
	pthread_t th;
};

static void *second_main(void *arg)
{
	struct second *b = arg;
	ssize_t n = src_fill(&b->pt.src, b->pt.chunk, READ_CHUNK);
	b->pt.st = n < 0 ? MV_IO : part_run(&b->pt, n, 0);
	if (!b->pt.st)
		b->pt.st = part_finish(&b->pt);
	return NULL;
}

/* Where to split: just after the first line feed from the middle on, or 0. */
static size_t split_point(const struct load_src *src, size_t first_len)
{
	size_t mid = src->size_hint / 2;
	char win[64 * 1024];
	size_t got;
	if (mid <= first_len)
		return 0;
	if (src->fd < 0) {
		got = src->memlen - mid < sizeof(win) ? src->memlen - mid : sizeof(win);
		memcpy(win, src->mem + mid, got);
	} else {
		ssize_t r = pread(src->fd, win, sizeof(win), (off_t)mid);
		if (r <= 0)
			return 0;
		got = (size_t)r;
	}
	const char *q = memchr(win, '\n', got);
	return q ? mid + (size_t)(q - win) + 1 : 0;
}

static mv_status start_second(struct second *b, const struct load_src *src, size_t at,
			      const csv_info *info, const csv_opts *o)
{
	memset(b, 0, sizeof(*b));
	b->info.delimiter = info->delimiter;
	b->info.email_col = -1;
	table *t = table_create();
	b->pt.chunk = malloc(READ_CHUNK);
	if (!t || !b->pt.chunk || table_reserve(t, src->size_hint - at) || part_init(&b->pt, t, &b->info, o)) {
		table_destroy(t);
		part_free(&b->pt);
		return MV_NOMEM;
	}
	b->pt.src = *src;
	b->pt.src.left = SIZE_MAX;
	if (src->fd < 0) {
		b->pt.src.mempos = at;
	} else {
		b->pt.src.positioned = true;
		b->pt.src.fpos = (off_t)at;
	}
	if (pthread_create(&b->th, NULL, second_main, b) != 0) {
		table_destroy(t);
		part_free(&b->pt);
		return MV_NOMEM;
	}
	return MV_OK;
}

/* Append the second part to the first (its guess held). */
static mv_status join_parts(struct part *a, struct second *b)
{
	struct loader *L = &a->L, *M = &b->pt.L;
	csv_info *info = L->info;
	uint32_t shift = L->line - 1;
	mv_status st = table_append(a->t, b->pt.t, shift);
	if (st)
		return st;
	for (size_t i = 0; i < b->info.ndiag && info->ndiag < CSV_MAX_DIAG; i++) {
		info->diag[info->ndiag] = b->info.diag[i];
		info->diag[info->ndiag++].line += shift;
	}
	info->ndiag_total += b->info.ndiag_total;
	info->empty_lines += b->info.empty_lines;
	for (int f = 0; f < 6; f++)
		info->flagged[f] += b->info.flagged[f];
	if (!info->eol)
		info->eol = b->info.eol;
	L->line = M->line + shift;
	L->prev_term = M->prev_term;
	return MV_OK;
}

static mv_status load(struct load_src *src, const csv_opts *o, table **out,
		      csv_info *info)
{
	struct part a = { .src = *src, .reports = true };
	struct second b;
	bool two = false;
	csv_opts defaults;
	mv_status st = MV_OK;
	table *t = NULL;

	memset(info, 0, sizeof(*info));
	info->email_col = -1;
	info->threads = 1;
	*out = NULL;
	if (!o) {
		csv_opts_init(&defaults);
		o = &defaults;
	}
	a.src.left = SIZE_MAX;
	a.chunk = malloc(READ_CHUNK);
	t = table_create();
	if (!a.chunk || !t || (src->size_hint && table_reserve(t, src->size_hint))) {
		st = MV_NOMEM;
		goto out;
	}
	ssize_t n = src_fill(&a.src, a.chunk, READ_CHUNK);
	if (n < 0) {
		st = MV_IO;
		goto out;
	}
	size_t off = 0;
	if (n >= 3 && memcmp(a.chunk, "\xef\xbb\xbf", 3) == 0) {
		info->bom = true;
		off = 3;
	}
	if ((size_t)n == off) {
		diag(info, 1, 0, "file is empty");
		st = MV_EMPTY;
		goto out;
	}
	st = check_text(a.chunk + off, (size_t)n - off, info);
	if (st)
		goto out;
	info->delimiter = o->delimiter;
	if (!info->delimiter) {
		info->delimiter = csvio_sniff(a.chunk + off, (size_t)n - off);
		info->delimiter_sniffed = true;
	}
	st = part_init(&a, t, info, o);
	if (st)
		goto out;

	size_t min = o->parallel_min ? o->parallel_min : CSV_PARALLEL_MIN;
	size_t at = src->size_hint >= min && (size_t)n == READ_CHUNK ? split_point(src, (size_t)n) : 0;
	if (at && start_second(&b, src, at, info, o) == MV_OK) {
		two = true;
		a.src.left = at - (size_t)n;
		a.other = &b.pt.done;
	}
	st = part_run(&a, n, off);
	if (two) {
		pthread_join(b.th, NULL);
		two = false;
		bool held = !st && a.p.pstate == 0 && !a.L.saw_field;
		if (held && b.pt.st)
			st = b.pt.st;
		else if (held)
			st = join_parts(&a, &b);
		info->threads = held && !st ? 2 : 1;
		table_destroy(b.pt.t);
		part_free(&b.pt);
		if (!st && !held) {   /* the guess failed: go on alone */
			a.src.left = SIZE_MAX;
			a.other = NULL;
			st = part_run(&a, 0, 0);
		}
	}
	if (!st)
		st = part_finish(&a);
	if (st)
		goto out;
	info->lines = a.L.prev_term == -1 ? a.L.line : a.L.line - 1;
	if (!info->eol)
		info->eol = "\n";

	bool has_header;
	if (o->header >= 0) {
		has_header = o->header == 1;
	} else {
		table_finish(t, false);   /* provisional view: all rows are data */
		has_header = table_nrows(t) > 0 && detect_header(t);
		info->header_detected = true;
	}
	/* Finish with the decision (cheap: recomputes names and flags). */
	st = table_finish(t, has_header);
	if (st)
		goto out;
	info->has_header = table_has_header(t);
	info->nrows = table_nrows(t);
	if (has_header) {
		/* Ragged counts are known only once the header is. */
		info->flagged[0] = info->flagged[1] = 0;
		size_t reported = 0;
		for (size_t r = 0; r < info->nrows; r++) {
			uint32_t f = table_row_flags(t, r);
			if (f & ROW_SHORT)
				info->flagged[0]++;
			if (f & ROW_LONG)
				info->flagged[1]++;
			if ((f & (ROW_SHORT | ROW_LONG)) && reported < 5) {
				reported++;
				diag(info, table_row_line(t, r), 0,
				     "row has %zu fields, header has %zu (kept, flagged)",
				     table_row_nfields(t, r), table_ncols(t));
			}
		}
	}
	if (table_nrows(t) == 0 && !has_header) {
		diag(info, 1, 0, "no rows");
	}
	csvio_find_email_col(t, o->column, info);
	*out = t;
	t = NULL;
out:
	if (two) {
		pthread_join(b.th, NULL);
		table_destroy(b.pt.t);
		part_free(&b.pt);
	}
	part_free(&a);
	table_destroy(t);
	return st;
}

mv_status csvio_load(const char *path, const csv_opts *o, table **out,
		     csv_info *info)
{
	struct load_src src = { .fd = -1 };
	struct stat sb;

	memset(info, 0, sizeof(*info));
	*out = NULL;
	src.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src.fd < 0)
		return errno == ENOENT ? MV_NOENT : MV_IO;
	if (fstat(src.fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(src.fd);
		errno = EISDIR;
		return MV_IO;
	}
	if (S_ISREG(sb.st_mode))
		src.size_hint = (size_t)sb.st_size;
	mv_status st = load(&src, o, out, info);
	int saved = errno;
	close(src.fd);
	errno = saved;
	return st;
}

mv_status csvio_load_mem(const char *data, size_t n, const csv_opts *o,
			 table **out, csv_info *info)
{
	struct load_src src = { .fd = -1, .mem = data, .memlen = n, .size_hint = n, .left = SIZE_MAX };
	return load(&src, o, out, info);
}

/* ---- writing ---------------------------------------------------------- */

struct csv_writer {
	FILE *fp;
	char *path;        /* target */
	char *tmp;         /* temp file beside it */
	char delim;
	const char *eol;
	size_t nfields;    /* fields in the open row */
	bool failed;
};

bool csvio_needs_quote(const char *p, size_t n, char delim)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == delim || c == '"' || c == '\r' || c == '\n')
			return true;
	}
	return false;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

const char *csvw_path(const csv_writer *w)
{
	return w->path;
}

mv_status csvw_open(csv_writer **wp, const char *path, const csv_wopts *o)
{
	csv_writer *w = NULL;
	mv_status st = MV_OK;
	int fd = -1;

	*wp = NULL;
	if (o && o->protect && (strcmp(o->protect, path) == 0 || same_file(o->protect, path)))
		return MV_SAMEFILE;
	w = calloc(1, sizeof(*w));
	if (!w)
		return MV_NOMEM;
	w->delim = o && o->delimiter ? o->delimiter : ',';
	w->eol = o && o->eol ? o->eol : "\r\n";
	w->path = strdup(path);
	size_t tl = strlen(path) + 16;
	w->tmp = malloc(tl);
	if (!w->path || !w->tmp) {
		st = MV_NOMEM;
		goto out;
	}
	snprintf(w->tmp, tl, "%s.tmp.XXXXXX", path);
	fd = mkstemp(w->tmp);
	if (fd < 0) {
		free(w->tmp);
		w->tmp = NULL;
		st = MV_IO;
		goto out;
	}
	fchmod(fd, 0644);
	w->fp = fdopen(fd, "w");
	if (!w->fp) {
		st = MV_IO;
		goto out;
	}
	fd = -1;
	setvbuf(w->fp, NULL, _IOFBF, 1u << 16);
	if (o && o->bom && fwrite("\xef\xbb\xbf", 1, 3, w->fp) != 3)
		st = MV_IO;
out:
	if (st) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		csvw_abort(w);
		errno = saved;
		return st;
	}
	*wp = w;
	return MV_OK;
}

mv_status csvw_field(csv_writer *w, const char *p, size_t n)
{
	FILE *fp = w->fp;
	if (w->failed)
		return MV_IO;
	if (w->nfields++ && putc(w->delim, fp) == EOF)
		goto fail;
	if (!csvio_needs_quote(p, n, w->delim)) {
		if (n && fwrite(p, 1, n, fp) != n)
			goto fail;
		return MV_OK;
	}
	if (putc('"', fp) == EOF)
		goto fail;
	for (size_t i = 0; i < n;) {
		const char *q = memchr(p + i, '"', n - i);
		size_t seg = q ? (size_t)(q - (p + i)) + 1 : n - i;
		if (fwrite(p + i, 1, seg, fp) != seg)
			goto fail;
		if (q && putc('"', fp) == EOF)
			goto fail;
		i += seg;
	}
	if (putc('"', fp) == EOF)
		goto fail;
	return MV_OK;
fail:
	w->failed = true;
	return MV_IO;
}

mv_status csvw_raw(csv_writer *w, const char *p, size_t n)
{
	if (w->failed)
		return MV_IO;
	if (n && fwrite(p, 1, n, w->fp) != n) {
		w->failed = true;
		return MV_IO;
	}
	return MV_OK;
}

mv_status csvw_end_row(csv_writer *w)
{
	if (w->failed)
		return MV_IO;
	/* A lone empty field would read back as an empty line: quote it. */
	if (w->nfields == 0 && fputs("\"\"", w->fp) == EOF)
		goto fail;
	if (fputs(w->eol, w->fp) == EOF)
		goto fail;
	w->nfields = 0;
	return MV_OK;
fail:
	w->failed = true;
	return MV_IO;
}

mv_status csvw_table_row(csv_writer *w, const table *t, size_t row)
{
	size_t nf = table_row_nfields(t, row);
	if (nf == 1 && table_cell(t, row, 0).len == 0) {
		/* Keep a lone empty field a row, not an empty line. */
		if (fputs("\"\"", w->fp) == EOF)
			return w->failed = true, MV_IO;
		w->nfields = 1;
		return csvw_end_row(w);
	}
	for (size_t c = 0; c < nf; c++) {
		mv_str s = table_cell(t, row, c);
		mv_status st = csvw_field(w, s.p, s.len);
		if (st)
			return st;
	}
	return csvw_end_row(w);
}

mv_status csvw_table_header(csv_writer *w, const table *t)
{
	size_t nc = table_ncols(t);
	for (size_t c = 0; c < nc; c++) {
		mv_str s = table_col_name(t, c);
		mv_status st = csvw_field(w, s.p, s.len);
		if (st)
			return st;
	}
	return csvw_end_row(w);
}

static void fsync_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

mv_status csvw_commit(csv_writer *w)
{
	mv_status st = MV_OK;
	int saved = 0;

	if (w->failed || fflush(w->fp) != 0 || fsync(fileno(w->fp)) != 0)
		st = MV_IO;
	saved = errno;
	if (fclose(w->fp) != 0 && !st) {
		st = MV_IO;
		saved = errno;
	}
	w->fp = NULL;
	if (!st && rename(w->tmp, w->path) != 0) {
		st = MV_IO;
		saved = errno;
	}
	if (st) {
		unlink(w->tmp);
	} else {
		fsync_dir(w->path);
	}
	free(w->tmp);
	free(w->path);
	free(w);
	errno = saved;
	return st;
}

void csvw_abort(csv_writer *w)
{
	if (!w)
		return;
	if (w->fp)
		fclose(w->fp);
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w);
}

mv_status csvio_write(const table *t, const char *path, const size_t *rows,
		      size_t nrows, const csv_wopts *o)
{
	csv_writer *w;
	mv_status st = csvw_open(&w, path, o);
	if (st)
		return st;
	if (table_has_header(t))
		st = csvw_table_header(w, t);
	if (!rows)
		nrows = table_nrows(t);
	for (size_t i = 0; i < nrows && !st; i++)
		st = csvw_table_row(w, t, rows ? rows[i] : i);
	if (st) {
		int saved = errno;
		csvw_abort(w);
		errno = saved;
		return st;
	}
	return csvw_commit(w);
}
