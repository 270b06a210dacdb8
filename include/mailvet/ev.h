/*
 * ev — the one event loop (after redis ae.c): poll() behind a tiny
 * interface, file events, timers and a before-sleep hook. Every socket of
 * mailvet (c-ares, SMTP, the terminal) is served here; nothing blocks.
 *
 * Callbacks may add and delete file events and timers, including their
 * own, at any time. Times are milliseconds on the monotonic clock, cached
 * once per loop pass (ev_now). The loop owns no file descriptor: callers
 * close their own after ev_fd_del.
 */
#ifndef MAILVET_EV_H
#define MAILVET_EV_H

#include <stdint.h>
#include "mailvet/status.h"

typedef struct ev_loop ev_loop;

enum { EV_READ = 1u, EV_WRITE = 2u, EV_ERROR = 4u /* reported only */ };

typedef void ev_fd_cb(ev_loop *ev, int fd, unsigned events, void *arg);
typedef void ev_timer_cb(ev_loop *ev, void *arg);
typedef void ev_hook_cb(ev_loop *ev, void *arg);

ev_loop *ev_create(void);
void ev_destroy(ev_loop *ev);

/* Watch fd for events (EV_READ|EV_WRITE; 0 = registered but idle). */
mv_status ev_fd_set(ev_loop *ev, int fd, unsigned events, ev_fd_cb *cb, void *arg);
void ev_fd_del(ev_loop *ev, int fd);
/* How many fds are registered (for limits and tests). */
unsigned ev_fd_count(const ev_loop *ev);

/* Call cb once, ms from now; returns an id (never 0) or 0 on failure. */
uint64_t ev_timer_add(ev_loop *ev, uint64_t ms, ev_timer_cb *cb, void *arg);
/* Cancel a pending timer; harmless for an id already fired or 0. */
void ev_timer_del(ev_loop *ev, uint64_t id);
unsigned ev_timer_count(const ev_loop *ev);

/*
 * An fd (the terminal) whose reads must not wait for a whole pass of other
 * callbacks: every few callbacks the loop looks at it (a poll with no
 * wait) and serves it if readable. -1: none (the default).
 */
void ev_set_urgent(ev_loop *ev, int fd);

/* Called before each poll (c-ares timeouts, redraws). */
void ev_set_before_sleep(ev_loop *ev, ev_hook_cb *cb, void *arg);

uint64_t ev_now(ev_loop *ev);          /* cached monotonic ms */
uint64_t ev_clock_ms(void);            /* fresh monotonic ms */

/* One pass: poll (at most max_wait_ms; -1 = until an event or timer),
 * dispatch. Returns MV_OK, or MV_IO if poll failed. */
mv_status ev_run_once(ev_loop *ev, int max_wait_ms);
/* Loop until ev_stop, or until nothing is registered and no timer waits. */
mv_status ev_run(ev_loop *ev);
void ev_stop(ev_loop *ev);

#endif
