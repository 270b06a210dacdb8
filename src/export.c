#include "mailvet/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/addr.h"
#include "mailvet/buf.h"
#include "mailvet/text.h"

static const char *const bucket_names[] = {
#define MV_X(name, str) str,
	MV_BUCKET_LIST(MV_X)
#undef MV_X
};

const char *bucket_name(bucket b)
{
	return (unsigned)b < BUCKET_COUNT ? bucket_names[b] : "?";
}

int bucket_from_name(const char *s)
{
	for (int b = 0; b < BUCKET_COUNT; b++)
		if (strcmp(bucket_names[b], s) == 0)
			return b;
	return -1;
}

bucket export_bucket(const row_result *rr)
{
	if (rr->decision == DECIDE_KEEP)
		return BUCKET_KEPT;
	if (rr->decision == DECIDE_DROP)
		return BUCKET_DROPPED;
	switch (rr->local) {
	case LOCAL_INVALID: return BUCKET_INVALID;
	case LOCAL_DUPLICATE: return BUCKET_DUPLICATE;
	case LOCAL_SUPPRESSED: return BUCKET_SUPPRESSED;
	default: break;
	}
	switch (rr->verdict) {
	case VERDICT_DELIVERABLE:
		return rr->flags & F_CATCH_ALL ? BUCKET_CATCH_ALL : BUCKET_DELIVERABLE;
	case VERDICT_RISKY:
		return rr->flags & F_CATCH_ALL ? BUCKET_CATCH_ALL : BUCKET_RISKY;
	case VERDICT_INVALID: return BUCKET_INVALID;
	case VERDICT_UNKNOWN: return BUCKET_UNKNOWN;
	default: return BUCKET_UNVERIFIED;
	}
}

mv_status export_parse_buckets(const char *list, unsigned *mask, const char **bad)
{
	*mask = 0;
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char w[32];
		if (n && n < sizeof(w)) {
			memcpy(w, p, n);
			w[n] = '\0';
			int b = bucket_from_name(w);
			if (b < 0) {
				if (bad)
					*bad = p;
				return MV_USAGE;
			}
			*mask |= BUCKET_BIT(b);
		} else if (n) {
			if (bad)
				*bad = p;
			return MV_USAGE;
		}
		p += n + (e ? 1 : 0);
	}
	return *mask ? MV_OK : MV_USAGE;
}

/* ---- CSV output ------------------------------------------------------------ */

struct out {
	csv_writer *w;
	bool fixes;           /* email_original column */
	bool results;         /* result columns */
	bool smtp;            /* ... with the SMTP ones */
};

static void flags_text(buf *b, uint32_t flags, char sep)
{
	for (unsigned bit = 0; bit < FLAG_COUNT; bit++)
		if (flags & (1u << bit)) {
			if (b->len)
				buf_append_char(b, sep);
			buf_append_str(b, result_flag_name(bit));
		}
}

static mv_status field_str(csv_writer *w, const char *s)
{
	return csvw_field(w, s, strlen(s));
}

/* A text cell that may hold hostile server text. */
static mv_status field_safe(csv_writer *w, mv_str s, buf *tmp)
{
	buf_reset(tmp);
	mv_status st = text_neutralize_formula(tmp, s.p, s.len);
	return st ? st : csvw_field(w, buf_str(tmp), tmp->len);
}

static mv_status write_header(struct out *o, const table *t)
{
	mv_status st = MV_OK;
	size_t nc = table_ncols(t);
	if (!table_has_header(t))
		return MV_OK;
	for (size_t c = 0; c < nc && !st; c++) {
		mv_str s = table_col_name(t, c);
		st = csvw_field(o->w, s.p, s.len);
	}
	if (!st && o->fixes)
		st = field_str(o->w, "email_original");
	if (!st && o->results) {
		static const char *const cols[] = {
			"mailvet_status", "mailvet_reason", "mailvet_flags",
			"mailvet_suggestion", "mailvet_duplicate_of",
		};
		static const char *const smtp[] = {
			"mailvet_verdict", "mailvet_owner", "mailvet_mx", "mailvet_smtp_code",
			"mailvet_enhanced_code", "mailvet_reply",
		};
		for (size_t i = 0; i < 5 && !st; i++)
			st = field_str(o->w, cols[i]);
		for (size_t i = 0; o->smtp && i < 6 && !st; i++)
			st = field_str(o->w, smtp[i]);
	}
	return st ? st : csvw_end_row(o->w);
}

static mv_status write_row(struct out *o, const table *t, long email_col,
			   const results *r, size_t row, buf *tmp)
{
	const row_result *rr = &r->rows[row];
	bool fixed = o->fixes && (rr->flags & F_FIXED) && rr->normalized;
	mv_status st = MV_OK;
	size_t nf = table_row_nfields(t, row);
	if (!fixed && !o->fixes && !o->results)
		return csvw_table_row(o->w, t, row);
	size_t ncols = table_ncols(t);
	/* pad short rows so the appended columns line up */
	size_t upto = (o->fixes || o->results) && nf < ncols ? ncols : nf;
	for (size_t c = 0; c < upto && !st; c++) {
		mv_str s = table_cell(t, row, c);
		if (fixed && (long)c == email_col)
			s = results_normalized(r, row);
		st = csvw_field(o->w, s.p, s.len);
	}
	if (!st && o->fixes) {
		mv_str orig = { "", 0 };
		if (fixed)
			orig = table_cell(t, row, (size_t)email_col);
		st = csvw_field(o->w, orig.p, orig.len);
	}
	if (!st && o->results) {
		char num[32];
		bucket b = export_bucket(rr);
		st = field_str(o->w, bucket_name(b));
		if (!st)
			st = field_str(o->w, rr->reason ? reason_name((mv_reason)rr->reason) : "");
		buf_reset(tmp);
		flags_text(tmp, rr->flags, ' ');
		if (!st)
			st = csvw_field(o->w, buf_str(tmp), tmp->len);
		if (!st)
			st = field_safe(o->w, results_str(r, rr->suggestion), tmp);
		snprintf(num, sizeof(num), "%u", rr->dup_of);
		if (!st)
			st = field_str(o->w, rr->dup_of ? num : "");
		if (!st && o->smtp) {
			bool v = rr->verdict != VERDICT_NONE;
			st = field_str(o->w, v ? verdict_name((mv_verdict)rr->verdict) : "");
			if (!st)
				st = field_str(o->w, v ? owner_name((mv_owner)rr->owner) : "");
			if (!st)
				st = field_safe(o->w, results_str(r, rr->mx), tmp);
			snprintf(num, sizeof(num), "%u", rr->smtp_code);
			if (!st)
				st = field_str(o->w, rr->smtp_code ? num : "");
			if (!st)
				st = field_str(o->w, result_enhanced_str(rr->enhanced, num));
			if (!st)
				st = field_safe(o->w, results_str(r, rr->reply), tmp);
		}
	}
	return st ? st : csvw_end_row(o->w);
}

/* Write the rows whose bucket is in mask to path. */
static mv_status write_file(const table *t, long email_col, const results *r,
			    const export_opts *o, const char *path, unsigned mask,
			    bool results_cols, bool fixes, bool smtp, size_t *fixed,
			    export_report *rep)
{
	struct out out = { NULL, fixes, results_cols, smtp };
	buf tmp;
	mv_status st = csvw_open(&out.w, path, &o->w);
	if (st) {
		snprintf(rep->failed, sizeof(rep->failed), "%s", path);
		return st;
	}
	buf_init(&tmp, 1u << 20);
	st = write_header(&out, t);
	for (size_t i = 0; i < r->n && !st; i++) {
		if (!(mask & BUCKET_BIT(export_bucket(&r->rows[i]))))
			continue;
		st = write_row(&out, t, email_col, r, i, &tmp);
		if (fixed && fixes && (r->rows[i].flags & F_FIXED))
			(*fixed)++;
	}
	buf_free(&tmp);
	if (st) {
		int saved = errno;
		csvw_abort(out.w);
		errno = saved;
	} else {
		st = csvw_commit(out.w);
	}
	if (st) {
		snprintf(rep->failed, sizeof(rep->failed), "%s", path);
		return st;
	}
	rep->files++;
	return MV_OK;
}

mv_status export_write(const table *t, long email_col, const results *r,
		       const export_opts *o, export_report *rep)
{
	mv_status st = MV_OK;
	bool smtp = false, fixes = false;
	unsigned mask = o->clean;

	memset(rep, 0, sizeof(*rep));
	if (r->n != table_nrows(t) || email_col < 0)
		return MV_USAGE;
	if (!mask)
		mask = o->local_only ? BUCKET_BIT(BUCKET_UNVERIFIED) | BUCKET_BIT(BUCKET_KEPT) :
				       BUCKET_BIT(BUCKET_DELIVERABLE) | BUCKET_BIT(BUCKET_KEPT);
	rep->clean_mask = mask;
	rep->rows = r->n;
	for (size_t i = 0; i < r->n; i++) {
		const row_result *rr = &r->rows[i];
		bucket b = export_bucket(rr);
		rep->bucket[b]++;
		if (mask & BUCKET_BIT(b)) {
			rep->clean++;
			fixes |= (rr->flags & F_FIXED) != 0;
		}
		smtp |= rr->verdict != VERDICT_NONE;
	}
	rep->rejects = o->rejects_path ? r->n - rep->clean : 0;
	rep->unwritten = r->n - rep->clean - rep->rejects;
	if (!o->clean_path) {
		rep->unwritten += rep->clean;
		rep->clean = 0;
	}
	if (o->clean_path)
		st = write_file(t, email_col, r, o, o->clean_path, mask, o->result_columns,
				fixes, smtp, &rep->fixed, rep);
	if (!st && o->rejects_path)
		st = write_file(t, email_col, r, o, o->rejects_path, ~mask, true, false,
				smtp, NULL, rep);
	if (!st && o->split && o->clean_path) {
		size_t pl = strlen(o->clean_path);
		size_t stem = pl > 4 && strcmp(o->clean_path + pl - 4, ".csv") == 0 ? pl - 4 : pl;
		for (int b = 0; b < BUCKET_COUNT && !st; b++) {
			char path[4096];
			if (!rep->bucket[b])
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%.*s.%s.csv", (int)stem,
					     o->clean_path, bucket_name((bucket)b)) >= sizeof(path)) {
				snprintf(rep->failed, sizeof(rep->failed), "%s", o->clean_path);
				return MV_TOOBIG;
			}
			bool in_clean = mask & BUCKET_BIT(b);
			st = write_file(t, email_col, r, o, path, BUCKET_BIT(b),
					in_clean ? o->result_columns : true,
					in_clean && fixes, smtp, NULL, rep);
		}
	}
	return st;
}

/* The longest JSON line written (a row with a huge cell fails MV_TOOBIG). */
#define JSONL_MAX_LINE (64u << 20)

/* ---- JSONL --------------------------------------------------------------- */

static void json_str(buf *b, mv_str s)
{
	buf_append_char(b, '"');
	text_escape_json(b, s.p, s.len);
	buf_append_char(b, '"');
}

static void json_id(buf *b, const results *r, uint32_t id)
{
	if (id)
		json_str(b, results_str(r, id));
	else
		buf_append_str(b, "null");
}

static void json_row(buf *b, const table *t, long email_col, const results *r,
		     size_t i, addr *a)
{
	const row_result *rr = &r->rows[i];
	mv_str cell = table_cell(t, i, (size_t)email_col);
	buf_printf(b, "{\"row\":%zu,\"email\":", i + 1);
	json_str(b, cell);
	buf_append_str(b, ",\"normalized\":");
	if (rr->normalized && (rr->local != LOCAL_INVALID || rr->reason == REASON_RESERVED_DOMAIN))
		json_str(b, results_normalized(r, i));
	else
		buf_append_str(b, "null");
	buf_printf(b, ",\"status\":\"%s\",\"reason\":", local_status_name((local_status)rr->local));
	if (rr->reason)
		buf_printf(b, "\"%s\"", reason_name((mv_reason)rr->reason));
	else
		buf_append_str(b, "null");
	/* the why, in words: parse the cell again (invalid rows only) */
	const char *detail = NULL;
	if (rr->local == LOCAL_INVALID) {
		addr_parse(cell.p, cell.len, NULL, a);
		if ((uint8_t)a->reason == rr->reason && a->detail[0])
			detail = a->detail;
	}
	buf_append_str(b, ",\"detail\":");
	if (detail)
		buf_printf(b, "\"%s\"", detail);
	else
		buf_append_str(b, "null");
	buf_append_str(b, ",\"flags\":[");
	bool first = true;
	for (unsigned bit = 0; bit < FLAG_COUNT; bit++)
		if (rr->flags & (1u << bit)) {
			buf_printf(b, "%s\"%s\"", first ? "" : ",", result_flag_name(bit));
			first = false;
		}
	buf_append_str(b, "],\"suggestion\":");
	json_id(b, r, rr->suggestion);
	buf_append_str(b, ",\"duplicate_of\":");
	if (rr->dup_of)
		buf_printf(b, "%u", rr->dup_of);
	else
		buf_append_str(b, "null");
	if (rr->flags & F_MULTIPLE) {
		mv_str parts[16];
		size_t k = addr_split(cell.p, cell.len, parts, 16);
		buf_append_str(b, ",\"addresses\":[");
		for (size_t j = 0; j < k; j++) {
			size_t n = parts[j].len;
			const char *p = addr_trim(parts[j].p, &n);
			mv_str s = { p, n };
			if (j)
				buf_append_char(b, ',');
			json_str(b, s);
		}
		buf_append_char(b, ']');
	}
	if (rr->verdict != VERDICT_NONE) {
		char enh[16];
		buf_printf(b, ",\"verdict\":\"%s\",\"owner\":\"%s\",\"mx\":",
			   verdict_name((mv_verdict)rr->verdict), owner_name((mv_owner)rr->owner));
		json_id(b, r, rr->mx);
		buf_append_str(b, ",\"smtp_code\":");
		if (rr->smtp_code)
			buf_printf(b, "%u", rr->smtp_code);
		else
			buf_append_str(b, "null");
		buf_append_str(b, ",\"enhanced_code\":");
		if (rr->enhanced)
			buf_printf(b, "\"%s\"", result_enhanced_str(rr->enhanced, enh));
		else
			buf_append_str(b, "null");
		buf_append_str(b, ",\"reply\":");
		json_id(b, r, rr->reply);
		buf_printf(b, ",\"tls\":%s", rr->tls ? "true" : "false");
		if (results_session(r, i)) {
			buf_append_str(b, ",\"transcript\":");
			json_id(b, r, results_session(r, i));
		}
	}
	buf_append_str(b, "}\n");
}

mv_status export_jsonl(const table *t, long email_col, const results *r,
		       const char *path, const csv_wopts *w)
{
	csv_writer *cw;
	buf b;
	addr *a = malloc(sizeof(*a));
	mv_status st;

	if (!a)
		return MV_NOMEM;
	if (r->n != table_nrows(t) || email_col < 0) {
		free(a);
		return MV_USAGE;
	}
	csv_wopts o = { 0 };
	o.protect = w ? w->protect : NULL;
	st = csvw_open(&cw, path, &o);
	if (st) {
		free(a);
		return st;
	}
	buf_init(&b, JSONL_MAX_LINE);
	for (size_t i = 0; i < r->n && !st; i++) {
		/* JSON escaping makes a byte at most 6: room for the row? */
		const row_result *rr = &r->rows[i];
		size_t need = 6 * (table_cell(t, i, (size_t)email_col).len +
				   results_normalized(r, i).len +
				   results_str(r, rr->suggestion).len +
				   results_str(r, rr->reply).len + results_str(r, rr->mx).len) + 4096;
		if (need > b.max - b.len) {
			st = csvw_raw(cw, buf_str(&b), b.len);
			buf_reset(&b);
			if (!st && need > b.max)
				st = MV_TOOBIG;
			if (st)
				break;
		}
		json_row(&b, t, email_col, r, i, a);
		if (b.len >= (1u << 16) || i + 1 == r->n) {
			st = csvw_raw(cw, buf_str(&b), b.len);
			buf_reset(&b);
		}
	}
	buf_free(&b);
	free(a);
	if (st) {
		int saved = errno;
		csvw_abort(cw);
		errno = saved;
		return st;
	}
	return csvw_commit(cw);
}
