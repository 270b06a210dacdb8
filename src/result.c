#include "mailvet/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailvet/mem.h"

_Static_assert(FLAG_COUNT <= 16, "the flags fit row_result.flags");
_Static_assert(REASON_COUNT <= 256 && VERDICT_COUNT <= 256 && OWNER_COUNT <= 256,
	       "the vocabularies fit their fields");
_Static_assert(LOCAL_SUPPRESSED < 8 && DECIDE_DROP < 4, "local and decision fit");
_Static_assert(sizeof(row_result) == 40, "row_result stays 40 bytes");

static const char *const flag_names[] = {
#define MV_X(name, str) str,
	MV_FLAG_LIST(MV_X)
#undef MV_X
};

const char *result_flag_name(unsigned bit)
{
	return bit < FLAG_COUNT ? flag_names[bit] : "?";
}

const char *local_status_name(local_status s)
{
	switch (s) {
	case LOCAL_PENDING: return "pending";
	case LOCAL_CANDIDATE: return "candidate";
	case LOCAL_INVALID: return "invalid";
	case LOCAL_DUPLICATE: return "duplicate";
	case LOCAL_SUPPRESSED: return "suppressed";
	}
	return "?";
}

results *results_create(size_t nrows)
{
	results *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->rows = calloc(nrows ? nrows : 1, sizeof(row_result));
	if (r->rows)
		mem_advise_huge(r->rows, nrows * sizeof(row_result));
	r->pool = intern_create();
	r->n = nrows;
	if (!r->rows || !r->pool) {
		results_destroy(r);
		return NULL;
	}
	return r;
}

void results_destroy(results *r)
{
	if (!r)
		return;
	free(r->rows);
	free(r->session);
	intern_destroy(r->pool);
	free(r);
}

mv_str results_str(const results *r, uint32_t id)
{
	return intern_get(r->pool, id);
}

mv_status results_set_session(results *r, size_t row, const char *text, size_t n)
{
	if (row >= r->n)
		return MV_USAGE;
	if (!r->session && !(r->session = calloc(r->n, sizeof(uint32_t))))
		return MV_NOMEM;
	uint32_t id = intern_put(r->pool, text, n, NULL);
	if (!id)
		return MV_NOMEM;
	r->session[row] = id;
	return MV_OK;
}

uint32_t results_session(const results *r, size_t row)
{
	return r->session && row < r->n ? r->session[row] : 0;
}

mv_str results_normalized(const results *r, size_t row)
{
	mv_str s = { "", 0 };
	if (row >= r->n)
		return s;
	uint32_t v = r->rows[row].normalized;
	if (!(v & RESULT_NORM_CELL))
		return results_str(r, v);
	if (!r->cells)
		return s;
	mv_str c = table_cell(r->cells, row, r->email_col);
	size_t off = (v & ~RESULT_NORM_CELL) >> 8, n = v & 0xff;
	if (off + n > c.len)
		return s;
	s.p = c.p + off;
	s.len = n;
	return s;
}

const char *results_normalized_cstr(const results *r, size_t row, char *buf)
{
	mv_str s = results_normalized(r, row);
	size_t n = s.len < RESULT_ADDR_CAP ? s.len : RESULT_ADDR_CAP - 1;
	memcpy(buf, s.p, n);
	buf[n] = '\0';
	return buf;
}

mv_status results_set_normalized(results *r, size_t row, const char *p, size_t n)
{
	uint32_t id = 0;
	if (row >= r->n)
		return MV_USAGE;
	if (n && !(id = intern_put(r->pool, p, n, NULL)))
		return MV_NOMEM;
	r->rows[row].normalized = id;
	return MV_OK;
}

bool results_set_normalized_cell(results *r, size_t row, size_t off, size_t n)
{
	if (!r->cells || row >= r->n || !n || n > 0xff || off > RESULT_NORM_OFF_MAX)
		return false;
	r->rows[row].normalized = RESULT_NORM_CELL | (uint32_t)off << 8 | (uint32_t)n;
	return true;
}

uint32_t result_enhanced_pack(unsigned cls, unsigned subject, unsigned detail)
{
	if (cls > 9 || subject > 999 || detail > 999)
		return 0;
	return (uint32_t)cls << 20 | (uint32_t)subject << 10 | detail;
}

const char *result_enhanced_str(uint32_t e, char out[16])
{
	if (!e) {
		out[0] = '\0';
		return out;
	}
	snprintf(out, 16, "%u.%u.%u", e >> 20, (e >> 10) & 0x3ff, e & 0x3ff);
	return out;
}
