/* Helpers shared by the commands that load a CSV. */
#include "mailvet/cmd.h"

#include <errno.h>
#include <string.h>

#include "mailvet/buf.h"
#include "mailvet/text.h"

char cmd_parse_delimiter(const char *s)
{
	if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
		return '\t';
	if (!strcmp(s, "comma"))
		return ',';
	if (!strcmp(s, "semicolon"))
		return ';';
	if (!strcmp(s, "pipe"))
		return '|';
	if (strlen(s) == 1 && strchr(",;|:", s[0]))
		return s[0];
	return 0;
}

static const char *delim_name(char d)
{
	switch (d) {
	case ',': return "comma";
	case ';': return "semicolon";
	case '\t': return "tab";
	case '|': return "pipe";
	case ':': return "colon";
	default: return "?";
	}
}

static void put_escaped(FILE *fp, const char *p, size_t n)
{
	buf b;
	buf_init(&b, 4096);
	if (text_escape_display(&b, p, n > 200 ? 200 : n) == MV_OK)
		fputs(buf_str(&b), fp);
	buf_free(&b);
}

void cmd_load_error(const char *path, mv_status st, const csv_info *info)
{
	if (st == MV_IO || st == MV_NOENT)
		fprintf(stderr, "mailvet: %s: %s\n", path, strerror(errno));
	else if (info->ndiag)
		fprintf(stderr, "mailvet: %s:%u: %s\n", path, info->diag[0].line,
			info->diag[0].msg);
	else
		fprintf(stderr, "mailvet: %s: %s\n", path, status_message(st));
}

void cmd_report_load(FILE *fp, const char *path, const table *t,
		     const csv_info *info)
{
	fprintf(fp, "%s: %zu rows, %zu columns, %s-delimited%s%s%s\n", path,
		info->nrows, table_ncols(t), delim_name(info->delimiter),
		info->delimiter_sniffed ? " (sniffed)" : "",
		info->bom ? ", UTF-8 BOM" : "",
		info->has_header ? ", header row" : ", no header row");
	if (info->email_col >= 0) {
		mv_str nm = table_col_name(t, (size_t)info->email_col);
		fprintf(fp, "email column: ");
		put_escaped(fp, nm.p, nm.len);
		fprintf(fp, " (column %ld, by %s)%s%s\n", info->email_col + 1,
			info->email_col_how,
			info->email_col_note[0] ? "; " : "", info->email_col_note);
	} else {
		fprintf(fp, "email column: none found (use --column NAME|N)\n");
	}
	static const char *const what[6] = {
		"short rows (fewer fields than the header)",
		"long rows (more fields than the header)",
		"rows with an oversized field",
		"rows with a NUL byte",
		"rows with an unterminated quote",
		"rows that are not valid UTF-8",
	};
	for (int b = 0; b < 6; b++)
		if (info->flagged[b])
			fprintf(fp, "  %zu %s: kept, flagged\n", info->flagged[b], what[b]);
	if (info->empty_lines)
		fprintf(fp, "  %zu empty lines skipped\n", info->empty_lines);
	for (size_t i = 0; i < info->ndiag; i++) {
		const csv_diag *d = &info->diag[i];
		if (d->col)
			fprintf(fp, "%s:%u: column %u: %s\n", path, d->line, d->col, d->msg);
		else
			fprintf(fp, "%s:%u: %s\n", path, d->line, d->msg);
	}
	if (info->ndiag_total > info->ndiag)
		fprintf(fp, "  ... and %zu more problems\n", info->ndiag_total - info->ndiag);
}
