/*
 * run — verification from start to end for the headless front end: an ev
 * loop, the cache, the engine, every candidate row queued, progress on a
 * stream (a bar on a terminal, a line every few seconds otherwise), alerts
 * printed as they come. The workbench drives the engine itself instead.
 */
#ifndef MAILVET_RUN_H
#define MAILVET_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include "mailvet/status.h"
#include "mailvet/verify.h"

struct mv_config;
struct results;

typedef struct run_report {
	verify_stats stats;
	unsigned alerts;
	double seconds;
	char cache_path[512];
} run_report;

/*
 * Verify every row whose local status is candidate. progress may be NULL.
 * transcripts (may be NULL) receives the engine's transcripts: called once
 * per row with one, before the engine goes away.
 */
mv_status run_verification(const struct mv_config *cfg, struct results *res,
			   FILE *progress, run_report *rep,
			   void (*transcript)(void *arg, size_t row, const char *text),
			   void *arg, char *err, size_t errlen);

#endif
