#include "mailvet/result.h"

#include <stdio.h>
#include <stdlib.h>

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
	intern_destroy(r->pool);
	free(r);
}

mv_str results_str(const results *r, uint32_t id)
{
	return intern_get(r->pool, id);
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
