#include "mailvet/fsutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

mv_status fs_mkparents(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n >= sizeof(tmp))
		return MV_TOOBIG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return MV_IO;
		*p = '/';
	}
	return MV_OK;
}
