/*
 * fsutil — small file-system helpers shared by the modules that write
 * files of their own (the cache, the suppression list).
 */
#ifndef MAILVET_FSUTIL_H
#define MAILVET_FSUTIL_H

#include "mailvet/status.h"

/* Create the directories above path (mode 0700), like mkdir -p of its
 * dirname; existing ones are fine. */
mv_status fs_mkparents(const char *path);

#endif
