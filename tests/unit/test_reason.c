/* reason: the shared vocabulary round-trips. */
#include "test.h"

#include "mailvet/reason.h"

TEST(reason_names_roundtrip)
{
	CHECK_STR(verdict_name(VERDICT_RISKY), "risky");
	CHECK_STR(owner_name(OWNER_SENDER), "sender");
	CHECK_STR(reason_name(REASON_USER_UNKNOWN), "user_unknown");
	CHECK_STR(reason_name(REASON_COUNT), "?");
	CHECK_STR(verdict_name((mv_verdict)99), "?");
	for (int r = 0; r < REASON_COUNT; r++)
		CHECK_INT(reason_from_name(reason_name((mv_reason)r)), r);
	for (int v = 0; v < VERDICT_COUNT; v++)
		CHECK_INT(verdict_from_name(verdict_name((mv_verdict)v)), v);
	CHECK_INT(owner_from_name("recipient"), OWNER_RECIPIENT);
	CHECK_INT(reason_from_name("nope"), -1);
}
