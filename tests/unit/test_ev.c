/* ev: the event loop — fds, timers, hooks. */
#include "test.h"

#include <fcntl.h>
#include <unistd.h>

#include "mailvet/ev.h"

struct rec {
	int fired[8];
	int order[8];
	int n;
	uint64_t cancel;
	ev_loop *ev;
};

static void tcb(ev_loop *ev, void *arg)
{
	int *slot = arg;
	(*slot)++;
	(void)ev;
}

TEST(ev_empty_loop_returns)
{
	ev_loop *ev = ev_create();
	CHECK(ev != NULL);
	CHECK_INT(ev_run(ev), MV_OK);           /* nothing registered: returns */
	CHECK_INT(ev_fd_set(ev, -1, EV_READ, NULL, NULL), MV_USAGE);
	ev_timer_del(ev, 0);
	ev_timer_del(ev, 12345);
	ev_fd_del(ev, 99);
	ev_destroy(ev);
	ev_destroy(NULL);
}

static struct rec *g;
static void ordered(ev_loop *ev, void *arg)
{
	g->order[g->n++] = (int)(intptr_t)arg;
	(void)ev;
}

TEST(ev_timers_fire_in_order_and_cancel)
{
	ev_loop *ev = ev_create();
	struct rec r = { 0 };
	g = &r;
	ev_timer_add(ev, 30, ordered, (void *)3);
	ev_timer_add(ev, 10, ordered, (void *)1);
	uint64_t c = ev_timer_add(ev, 20, ordered, (void *)99);
	ev_timer_add(ev, 20, ordered, (void *)2);
	CHECK_INT(ev_timer_count(ev), 4);
	ev_timer_del(ev, c);
	ev_timer_del(ev, c);                    /* twice is harmless */
	CHECK_INT(ev_timer_count(ev), 3);
	uint64_t t0 = ev_clock_ms();
	CHECK_INT(ev_run(ev), MV_OK);
	CHECK(ev_clock_ms() - t0 >= 29);
	CHECK_INT(r.n, 3);
	CHECK_INT(r.order[0], 1);
	CHECK_INT(r.order[1], 2);
	CHECK_INT(r.order[2], 3);
	/* a stale id (slot reused) does not cancel the new timer */
	int hits = 0;
	uint64_t a = ev_timer_add(ev, 0, tcb, &hits);
	ev_run(ev);
	uint64_t b = ev_timer_add(ev, 0, tcb, &hits);
	CHECK(a != b);
	ev_timer_del(ev, a);
	ev_run(ev);
	CHECK_INT(hits, 2);
	ev_destroy(ev);
}

TEST(ev_many_timers)
{
	ev_loop *ev = ev_create();
	int hits = 0;
	uint64_t ids[1000];
	for (int i = 0; i < 1000; i++)
		ids[i] = ev_timer_add(ev, (uint64_t)(i % 7), tcb, &hits);
	for (int i = 0; i < 1000; i += 2)
		ev_timer_del(ev, ids[i]);
	ev_run(ev);
	CHECK_INT(hits, 500);
	CHECK_INT(ev_timer_count(ev), 0);
	ev_destroy(ev);
}

struct pipe_rec {
	int reads, writes;
	int rfd, wfd;
	char got[16];
};

static void on_read(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct pipe_rec *p = arg;
	CHECK(evs & EV_READ);
	ssize_t n = read(fd, p->got, sizeof(p->got) - 1);
	if (n > 0)
		p->got[n] = '\0';
	p->reads++;
	ev_fd_del(ev, fd);
}

static void on_write(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct pipe_rec *p = arg;
	CHECK(evs & EV_WRITE);
	CHECK_INT(write(fd, "ping", 4), 4);
	p->writes++;
	ev_fd_set(ev, fd, 0, on_write, arg);    /* idle, still registered */
}

static void stop_cb(ev_loop *ev, void *arg)
{
	(void)arg;
	ev_stop(ev);
}

TEST(ev_fd_events)
{
	ev_loop *ev = ev_create();
	int fds[2];
	CHECK(pipe(fds) == 0);
	struct pipe_rec p = { .rfd = fds[0], .wfd = fds[1] };
	ev_fd_set(ev, fds[0], EV_READ, on_read, &p);
	ev_fd_set(ev, fds[1], EV_WRITE, on_write, &p);
	CHECK_INT(ev_fd_count(ev), 2);
	ev_timer_add(ev, 200, stop_cb, NULL);
	ev_run(ev);
	CHECK_INT(p.writes, 1);
	CHECK_INT(p.reads, 1);
	CHECK_STR(p.got, "ping");
	CHECK_INT(ev_fd_count(ev), 1);
	ev_fd_del(ev, fds[1]);
	CHECK_INT(ev_fd_count(ev), 0);
	close(fds[0]);
	close(fds[1]);
	ev_destroy(ev);
}

static int hook_calls;
static void hook(ev_loop *ev, void *arg)
{
	(void)ev;
	(void)arg;
	hook_calls++;
}

TEST(ev_before_sleep_hook)
{
	ev_loop *ev = ev_create();
	int hits = 0;
	hook_calls = 0;
	ev_set_before_sleep(ev, hook, NULL);
	ev_timer_add(ev, 1, tcb, &hits);
	ev_run(ev);
	CHECK(hook_calls >= 1);
	CHECK_INT(hits, 1);
	uint64_t a = ev_now(ev);
	CHECK(a > 0);
	ev_destroy(ev);
}

/* A busy pass: 40 readable pipes; the first one's callback makes the urgent
 * fd readable (a key arriving mid-pass). It is served within the pass,
 * after at most URGENT_EVERY more callbacks, not after all 40. */
struct busy {
	int served, urgent_at, poke_fd;
};

static void on_busy(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct busy *b = arg;
	char c;
	(void)ev;
	(void)evs;
	if (read(fd, &c, 1) != 1)
		return;
	if (b->served++ == 0 && write(b->poke_fd, "k", 1) != 1)
		b->served = 1000;
}

static void on_urgent(ev_loop *ev, int fd, unsigned evs, void *arg)
{
	struct busy *b = arg;
	char c;
	(void)ev;
	(void)evs;
	if (read(fd, &c, 1) == 1 && !b->urgent_at)
		b->urgent_at = b->served;
}

TEST(ev_urgent_fd_served_mid_pass)
{
	ev_loop *ev = ev_create();
	int up[2], bp[40][2];
	struct busy b = { 0, 0, -1 };
	CHECK(pipe(up) == 0);
	b.poke_fd = up[1];
	for (int i = 0; i < 40; i++) {
		CHECK(pipe(bp[i]) == 0);
		CHECK(write(bp[i][1], "x", 1) == 1);
		ev_fd_set(ev, bp[i][0], EV_READ, on_busy, &b);
	}
	ev_fd_set(ev, up[0], EV_READ, on_urgent, &b);
	ev_set_urgent(ev, up[0]);
	CHECK_INT(ev_run_once(ev, 100), MV_OK);
	CHECK_INT(b.served, 40);
	CHECK(b.urgent_at > 0 && b.urgent_at <= 17);
	for (int i = 0; i < 40; i++) {
		close(bp[i][0]);
		close(bp[i][1]);
	}
	close(up[0]);
	close(up[1]);
	ev_destroy(ev);
}
