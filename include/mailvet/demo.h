/*
 * demo — the demo network: mailvet's own fake DNS and SMTP servers started
 * on loopback (high ports, no root), serving the sample list's domains with
 * every scenario (deliverable, unknown user, catch-all, mailbox full,
 * greylisting, a sender block, null MX, implicit MX, a dead primary MX, a
 * slow greeting), so a new user sees the whole flow offline.
 *
 * demo_start points the configuration at it (DNS server, SMTP port,
 * private MX allowed, a demo sender, short greylist retries, a cache of its
 * own) and demo_stop ends the servers and removes their files.
 */
#ifndef MAILVET_DEMO_H
#define MAILVET_DEMO_H

#include <stddef.h>

struct mv_config;
typedef struct demo_net demo_net;

demo_net *demo_start(struct mv_config *cfg, char *err, size_t errlen);
void demo_stop(demo_net *d);   /* NULL is fine */

#endif
