#include "mailvet/reason.h"

#include <string.h>

#define MV_X(name, str) str,
static const char *const verdicts[] = { MV_VERDICT_LIST(MV_X) };
static const char *const owners[] = { MV_OWNER_LIST(MV_X) };
static const char *const reasons[] = { MV_REASON_LIST(MV_X) };
#undef MV_X

const char *verdict_name(mv_verdict v)
{
	return (unsigned)v < VERDICT_COUNT ? verdicts[v] : "?";
}

const char *owner_name(mv_owner o)
{
	return (unsigned)o < OWNER_COUNT ? owners[o] : "?";
}

const char *reason_name(mv_reason r)
{
	return (unsigned)r < REASON_COUNT ? reasons[r] : "?";
}

static int find(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int verdict_from_name(const char *s) { return find(verdicts, VERDICT_COUNT, s); }
int owner_from_name(const char *s) { return find(owners, OWNER_COUNT, s); }
int reason_from_name(const char *s) { return find(reasons, REASON_COUNT, s); }
