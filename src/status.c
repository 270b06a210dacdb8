#include "mailvet/status.h"

static const char *const messages[] = {
#define MV_STATUS_MSG(name, msg) msg,
	MV_STATUS_LIST(MV_STATUS_MSG)
#undef MV_STATUS_MSG
};

static const char *const names[] = {
#define MV_STATUS_NAME(name, msg) #name,
	MV_STATUS_LIST(MV_STATUS_NAME)
#undef MV_STATUS_NAME
};

const char *status_message(mv_status st)
{
	if ((unsigned)st >= MV_STATUS_COUNT)
		return "unknown status";
	return messages[st];
}

const char *status_name(mv_status st)
{
	if ((unsigned)st >= MV_STATUS_COUNT)
		return "UNKNOWN";
	return names[st];
}
