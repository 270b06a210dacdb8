#include "mailvet/ev.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Callbacks between two looks at the urgent fd within one pass. */
#define URGENT_EVERY 16

struct fdw {
	ev_fd_cb *cb;
	void *arg;
	unsigned events;
	bool used;
};

struct timer {
	uint64_t when;
	uint32_t gen;      /* bumped on reuse: stale ids miss */
	uint32_t heap;     /* position in the heap, UINT32_MAX when not queued */
	ev_timer_cb *cb;
	void *arg;
};

struct ev_loop {
	struct fdw *fds;           /* indexed by fd */
	int nfds_cap;
	unsigned nused;
	struct pollfd *pfd;        /* scratch for poll */
	int *pfd_fd;
	size_t pfd_cap;

	struct timer *timers;      /* slots */
	uint32_t ntimers_cap;
	uint32_t *free_slots;
	uint32_t nfree;
	uint32_t *heap;            /* slot indices, min-heap on when */
	uint32_t nheap;

	ev_hook_cb *before_sleep;
	void *before_arg;
	int urgent;                /* fd looked at between callbacks, or -1 */
	uint64_t now;
	bool stop;
};

uint64_t ev_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

ev_loop *ev_create(void)
{
	ev_loop *ev = calloc(1, sizeof(*ev));
	if (ev) {
		ev->now = ev_clock_ms();
		ev->urgent = -1;
	}
	return ev;
}

void ev_destroy(ev_loop *ev)
{
	if (!ev)
		return;
	free(ev->fds);
	free(ev->pfd);
	free(ev->pfd_fd);
	free(ev->timers);
	free(ev->free_slots);
	free(ev->heap);
	free(ev);
}

mv_status ev_fd_set(ev_loop *ev, int fd, unsigned events, ev_fd_cb *cb, void *arg)
{
	if (fd < 0)
		return MV_USAGE;
	if (fd >= ev->nfds_cap) {
		int cap = ev->nfds_cap ? ev->nfds_cap : 64;
		while (cap <= fd)
			cap *= 2;
		struct fdw *n = realloc(ev->fds, (size_t)cap * sizeof(*n));
		if (!n)
			return MV_NOMEM;
		memset(n + ev->nfds_cap, 0, (size_t)(cap - ev->nfds_cap) * sizeof(*n));
		ev->fds = n;
		ev->nfds_cap = cap;
	}
	struct fdw *w = &ev->fds[fd];
	if (!w->used)
		ev->nused++;
	w->used = true;
	w->cb = cb;
	w->arg = arg;
	w->events = events & (EV_READ | EV_WRITE);
	return MV_OK;
}

void ev_fd_del(ev_loop *ev, int fd)
{
	if (fd < 0 || fd >= ev->nfds_cap || !ev->fds[fd].used)
		return;
	memset(&ev->fds[fd], 0, sizeof(ev->fds[fd]));
	ev->nused--;
}

unsigned ev_fd_count(const ev_loop *ev)
{
	return ev->nused;
}

/* ---- timers: a binary heap of slots -------------------------------------- */

static bool before(const ev_loop *ev, uint32_t a, uint32_t b)
{
	return ev->timers[a].when < ev->timers[b].when;
}

static void heap_swap(ev_loop *ev, uint32_t i, uint32_t j)
{
	uint32_t t = ev->heap[i];
	ev->heap[i] = ev->heap[j];
	ev->heap[j] = t;
	ev->timers[ev->heap[i]].heap = i;
	ev->timers[ev->heap[j]].heap = j;
}

static void heap_up(ev_loop *ev, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(ev, ev->heap[i], ev->heap[p]))
			break;
		heap_swap(ev, i, p);
		i = p;
	}
}

static void heap_down(ev_loop *ev, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < ev->nheap && before(ev, ev->heap[l], ev->heap[m]))
			m = l;
		if (r < ev->nheap && before(ev, ev->heap[r], ev->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(ev, i, m);
		i = m;
	}
}

static void heap_remove(ev_loop *ev, uint32_t pos)
{
	uint32_t last = --ev->nheap;
	ev->timers[ev->heap[pos]].heap = UINT32_MAX;
	if (pos != last) {
		ev->heap[pos] = ev->heap[last];
		ev->timers[ev->heap[pos]].heap = pos;
		heap_down(ev, pos);
		heap_up(ev, pos);
	}
}

uint64_t ev_timer_add(ev_loop *ev, uint64_t ms, ev_timer_cb *cb, void *arg)
{
	uint32_t slot;
	if (ev->nfree) {
		slot = ev->free_slots[--ev->nfree];
	} else {
		if (ev->ntimers_cap >= UINT32_MAX / 2)
			return 0;
		uint32_t cap = ev->ntimers_cap ? ev->ntimers_cap * 2 : 64;
		struct timer *t = realloc(ev->timers, cap * sizeof(*t));
		if (!t)
			return 0;
		ev->timers = t;
		uint32_t *f = realloc(ev->free_slots, cap * sizeof(*f));
		if (!f)
			return 0;
		ev->free_slots = f;
		uint32_t *h = realloc(ev->heap, cap * sizeof(*h));
		if (!h)
			return 0;
		ev->heap = h;
		for (uint32_t i = ev->ntimers_cap; i < cap; i++) {
			ev->timers[i].gen = 0;
			ev->timers[i].heap = UINT32_MAX;
		}
		/* hand out the new slots lowest first */
		for (uint32_t i = cap; i > ev->ntimers_cap + 1; i--)
			ev->free_slots[ev->nfree++] = i - 1;
		slot = ev->ntimers_cap;
		ev->ntimers_cap = cap;
	}
	struct timer *t = &ev->timers[slot];
	t->gen++;
	t->when = ev->now + ms;
	t->cb = cb;
	t->arg = arg;
	t->heap = ev->nheap;
	ev->heap[ev->nheap++] = slot;
	heap_up(ev, t->heap);
	return (uint64_t)t->gen << 32 | (uint64_t)(slot + 1);
}

static struct timer *timer_of(ev_loop *ev, uint64_t id, uint32_t *slot)
{
	uint32_t s = (uint32_t)(id & 0xffffffffu);
	if (!s || s > ev->ntimers_cap)
		return NULL;
	struct timer *t = &ev->timers[s - 1];
	if (t->gen != (uint32_t)(id >> 32) || t->heap == UINT32_MAX)
		return NULL;
	*slot = s - 1;
	return t;
}

void ev_timer_del(ev_loop *ev, uint64_t id)
{
	uint32_t slot;
	struct timer *t = timer_of(ev, id, &slot);
	if (!t)
		return;
	heap_remove(ev, t->heap);
	ev->free_slots[ev->nfree++] = slot;
}

unsigned ev_timer_count(const ev_loop *ev)
{
	return ev->nheap;
}

void ev_set_urgent(ev_loop *ev, int fd)
{
	ev->urgent = fd;
}

/* Serve the urgent fd now if it is readable (between other callbacks). */
static void serve_urgent(ev_loop *ev)
{
	int fd = ev->urgent;
	if (fd < 0 || fd >= ev->nfds_cap || !ev->fds[fd].used || !(ev->fds[fd].events & EV_READ))
		return;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP))) {
		ev->now = ev_clock_ms();
		ev->fds[fd].cb(ev, fd, EV_READ, ev->fds[fd].arg);
	}
}

void ev_set_before_sleep(ev_loop *ev, ev_hook_cb *cb, void *arg)
{
	ev->before_sleep = cb;
	ev->before_arg = arg;
}

uint64_t ev_now(ev_loop *ev)
{
	return ev->now;
}

static void run_timers(ev_loop *ev)
{
	/* Fire what is due now; timers added by callbacks wait a pass. */
	uint64_t now = ev->now;
	unsigned budget = ev->nheap;
	while (ev->nheap && budget--) {
		uint32_t slot = ev->heap[0];
		struct timer *t = &ev->timers[slot];
		if (t->when > now)
			break;
		ev_timer_cb *cb = t->cb;
		void *arg = t->arg;
		heap_remove(ev, 0);
		ev->free_slots[ev->nfree++] = slot;
		cb(ev, arg);
	}
}

mv_status ev_run_once(ev_loop *ev, int max_wait_ms)
{
	if (ev->before_sleep)
		ev->before_sleep(ev, ev->before_arg);

	size_t n = 0;
	if (ev->pfd_cap < (size_t)ev->nfds_cap) {
		struct pollfd *p = realloc(ev->pfd, (size_t)ev->nfds_cap * sizeof(*p));
		if (!p)
			return MV_NOMEM;
		ev->pfd = p;
		int *f = realloc(ev->pfd_fd, (size_t)ev->nfds_cap * sizeof(*f));
		if (!f)
			return MV_NOMEM;
		ev->pfd_fd = f;
		ev->pfd_cap = (size_t)ev->nfds_cap;
	}
	for (int fd = 0; fd < ev->nfds_cap; fd++) {
		struct fdw *w = &ev->fds[fd];
		if (!w->used || !w->events)
			continue;
		ev->pfd[n].fd = fd;
		ev->pfd[n].events = (short)(((w->events & EV_READ) ? POLLIN : 0) |
					    ((w->events & EV_WRITE) ? POLLOUT : 0));
		ev->pfd[n].revents = 0;
		n++;
	}
	int wait = max_wait_ms;
	ev->now = ev_clock_ms();
	if (ev->nheap) {
		uint64_t when = ev->timers[ev->heap[0]].when;
		int until = when <= ev->now ? 0 : (int)(when - ev->now > 60000 ? 60000 : when - ev->now);
		if (wait < 0 || until < wait)
			wait = until;
	}
	int r = poll(ev->pfd, (nfds_t)n, wait);
	unsigned served = 0;
	ev->now = ev_clock_ms();
	if (r < 0 && errno != EINTR)
		return MV_IO;
	for (size_t i = 0; r > 0 && i < n; i++) {
		short re = ev->pfd[i].revents;
		if (!re)
			continue;
		int fd = ev->pfd[i].fd;
		struct fdw *w = &ev->fds[fd];
		/* a callback earlier in this pass may have removed or changed it */
		if (!w->used || !w->events)
			continue;
		unsigned evs = 0;
		if (re & (POLLIN | POLLHUP))
			evs |= EV_READ;
		if (re & POLLOUT)
			evs |= EV_WRITE;
		if (re & (POLLERR | POLLNVAL))
			evs |= EV_ERROR | (w->events & (EV_READ | EV_WRITE));
		evs &= w->events | EV_ERROR;
		if (evs)
			w->cb(ev, fd, evs, w->arg);
		if (++served % URGENT_EVERY == 0 && fd != ev->urgent)
			serve_urgent(ev);
	}
	run_timers(ev);
	return MV_OK;
}

mv_status ev_run(ev_loop *ev)
{
	ev->stop = false;
	while (!ev->stop && (ev->nused || ev->nheap)) {
		mv_status st = ev_run_once(ev, -1);
		if (st)
			return st;
	}
	return MV_OK;
}

void ev_stop(ev_loop *ev)
{
	ev->stop = true;
}
