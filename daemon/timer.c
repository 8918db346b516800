/*
 * timer.c: two timerfds (CLOCK_REALTIME and CLOCK_BOOTTIME) driven by the
 * libevent loop, each serving a min-heap of timers.
 *
 * A timerfd is set only when its clock's earliest deadline differs from
 * what the timerfd already holds, and never in the middle of a dispatch:
 * while due timers run (and their callbacks clear and arm others), the
 * heaps change freely and each timerfd is synced once at the end.
 */
#include "daemon/timer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/loop.h"

#define END_OF_TIME_US	((int64_t)1 << 52)	/* year 2112 */
#define MAX_PER_WAKE	4096	/* callbacks run before the loop breathes */

struct timer_clock {
	clockid_t	  id;
	int		  fd;
	struct event	 *ev;
	struct timer	**heap;
	size_t		  n;
	size_t		  cap;
	int64_t		  armed_us;	/* what the timerfd holds: 0 disarmed,
					 * ARMED_UNKNOWN after a step or error */
};

#define ARMED_UNKNOWN	INT64_MIN

static struct timer_clock	wall_clock = { CLOCK_REALTIME, -1, NULL, NULL,
				    0, 0, 0 };
static struct timer_clock	boot_clock = { CLOCK_BOOTTIME, -1, NULL, NULL,
				    0, 0, 0 };
static int			dispatching;	/* > 0: defer timerfd syncs */
static void			(*step_fn)(void *);
static void			*step_arg;

/* The fake clock of timers_fake(): both instants, moved only by a test. */
static bool			fake;
static int64_t			fake_wall_us, fake_boot_us;

static int64_t
clock_us(clockid_t c)
{
	struct timespec	ts;

	if (fake)
		return c == CLOCK_REALTIME ? fake_wall_us : fake_boot_us;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

wall_t
wall_now(void)
{
	return (wall_t){ clock_us(CLOCK_REALTIME) };
}

boot_t
boot_now(void)
{
	return (boot_t){ clock_us(CLOCK_BOOTTIME) };
}

/* --- the heap ----------------------------------------------------------- */

static void
heap_set(struct timer_clock *c, size_t i, struct timer *t)
{
	c->heap[i] = t;
	t->slot = i;
}

static void
sift_up(struct timer_clock *c, size_t i)
{
	struct timer	*t = c->heap[i];

	while (i > 0) {
		size_t	p = (i - 1) / 2;
		if (c->heap[p]->deadline_us <= t->deadline_us)
			break;
		heap_set(c, i, c->heap[p]);
		i = p;
	}
	heap_set(c, i, t);
}

static void
sift_down(struct timer_clock *c, size_t i)
{
	struct timer	*t = c->heap[i];

	for (;;) {
		size_t	l = 2 * i + 1, m = i;
		int64_t	best = t->deadline_us;

		if (l < c->n && c->heap[l]->deadline_us < best)
			m = l, best = c->heap[l]->deadline_us;
		if (l + 1 < c->n && c->heap[l + 1]->deadline_us < best)
			m = l + 1;
		if (m == i)
			break;
		heap_set(c, i, c->heap[m]);
		i = m;
	}
	heap_set(c, i, t);
}

static void
heap_remove(struct timer_clock *c, struct timer *t)
{
	size_t	i = t->slot;

	t->slot = SIZE_MAX;
	if (--c->n == i)
		return;
	heap_set(c, i, c->heap[c->n]);
	sift_down(c, i);
	sift_up(c, c->heap[i]->slot);
}

/* --- the timerfds -------------------------------------------------------- */

/* What the clock's timerfd should hold: its earliest deadline, or 0 to
 * disarm; the wall one always stays armed (with CANCEL_ON_SET) so that a
 * clock step is reported even when nothing is due. */
static int64_t
clock_want(const struct timer_clock *c)
{
	if (c->n > 0)
		return c->heap[0]->deadline_us > 0 ? c->heap[0]->deadline_us : 1;
	return c->id == CLOCK_REALTIME ? END_OF_TIME_US : 0;
}

/* Sets the clock's timerfd to clock_want(), unless it holds that already. */
static void
clock_sync(struct timer_clock *c)
{
	struct itimerspec	its;
	int64_t			us = clock_want(c);
	int			flags = TFD_TIMER_ABSTIME;

	if (c->fd == -1 || us == c->armed_us)
		return;
	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = us / 1000000;
	its.it_value.tv_nsec = (us % 1000000) * 1000;
	if (c->id == CLOCK_REALTIME)
		flags |= TFD_TIMER_CANCEL_ON_SET;
	if (timerfd_settime(c->fd, flags, &its, NULL) == -1) {
		log_warn("timerfd_settime");
		c->armed_us = ARMED_UNKNOWN;	/* try again next time */
		return;
	}
	c->armed_us = us;
}

/* A heap changed: sync its timerfd now, or at the end of the dispatch. */
static void
clock_changed(struct timer_clock *c)
{
	if (dispatching == 0)
		clock_sync(c);
}

/* The end of a dispatch: a callback may have armed timers on either
 * clock, so both are synced (each only when its deadline moved). */
static void
dispatch_end(void)
{
	if (--dispatching > 0)
		return;
	clock_sync(&wall_clock);
	clock_sync(&boot_clock);
}

/* Runs every timer whose deadline has come, earliest first. */
static void
clock_ready(evutil_socket_t fd, short what, void *arg)
{
	struct timer_clock	*c = arg;
	uint64_t		 n;
	ssize_t			 r;
	int64_t			 now;

	(void)what;
	r = read(fd, &n, sizeof n);
	dispatching++;
	if (r == -1 && errno == ECANCELED) {
		/* The wall clock was stepped: re-arm (CANCEL_ON_SET included)
		 * even if the deadline comes out the same. */
		c->armed_us = ARMED_UNKNOWN;
		if (step_fn != NULL)
			step_fn(step_arg);
		dispatch_end();
		return;
	}
	if (r == (ssize_t)sizeof n)
		c->armed_us = 0;	/* a one-shot timerfd that expired */
	now = clock_us(c->id);
	for (int i = 0; i < MAX_PER_WAKE && c->n > 0 &&
	    c->heap[0]->deadline_us <= now; i++) {
		struct timer	*t = c->heap[0];

		heap_remove(c, t);
		t->cb(t->arg);
	}
	dispatch_end();
}

static int
clock_init(struct timer_clock *c, struct event_base *base)
{
	if (fake)
		return 0;	/* timers_advance() runs the heaps */
	c->fd = timerfd_create(c->id, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->fd == -1)
		return -1;
	c->ev = event_new(base, c->fd, EV_READ | EV_PERSIST, clock_ready, c);
	if (c->ev != NULL)
		loop_prio(c->ev, PRIO_TIMER);	/* prompts before clients */
	if (c->ev == NULL || event_add(c->ev, NULL) == -1)
		return -1;
	c->armed_us = 0;	/* a new timerfd is disarmed */
	clock_sync(c);
	return 0;
}

static void
clock_shutdown(struct timer_clock *c)
{
	for (size_t i = 0; i < c->n; i++)
		c->heap[i]->slot = SIZE_MAX;
	free(c->heap);
	c->heap = NULL;
	c->n = c->cap = 0;
	if (c->ev != NULL)
		event_free(c->ev);
	c->ev = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->armed_us = 0;
}

int
timers_init(struct event_base *base, void (*fn)(void *), void *arg)
{
	step_fn = fn;
	step_arg = arg;
	if (clock_init(&wall_clock, base) == -1 ||
	    clock_init(&boot_clock, base) == -1) {
		timers_shutdown();
		return -1;
	}
	return 0;
}

void
timers_shutdown(void)
{
	clock_shutdown(&wall_clock);
	clock_shutdown(&boot_clock);
	step_fn = NULL;
	step_arg = NULL;
}

/* --- timers -------------------------------------------------------------- */

static void
timer_init(struct timer *t, struct timer_clock *c, void (*cb)(void *),
    void *arg)
{
	memset(t, 0, sizeof *t);
	t->clk = c;
	t->slot = SIZE_MAX;
	t->cb = cb;
	t->arg = arg;
}

void
timer_init_wall(struct timer *t, void (*cb)(void *), void *arg)
{
	timer_init(t, &wall_clock, cb, arg);
}

void
timer_init_boot(struct timer *t, void (*cb)(void *), void *arg)
{
	timer_init(t, &boot_clock, cb, arg);
}

static void
timer_at(struct timer *t, int64_t us)
{
	struct timer_clock	*c = t->clk;

	if (t->slot != SIZE_MAX)
		heap_remove(c, t);
	if (c->n == c->cap) {
		size_t		 ncap = c->cap ? c->cap * 2 : 64;
		struct timer	**nh = realloc(c->heap, ncap * sizeof *nh);

		if (nh == NULL)
			fatal("timer heap");
		c->heap = nh;
		c->cap = ncap;
	}
	t->deadline_us = us;
	heap_set(c, c->n++, t);
	sift_up(c, t->slot);
	clock_changed(c);
}

void
timer_at_wall(struct timer *t, wall_t at)
{
	timer_at(t, at.us);
}

void
timer_at_boot(struct timer *t, boot_t at)
{
	timer_at(t, at.us);
}

bool
timer_armed(const struct timer *t)
{
	return t->slot != SIZE_MAX;
}

void
timer_clear(struct timer *t)
{
	struct timer_clock	*c = t->clk;

	if (c == NULL || t->slot == SIZE_MAX)
		return;
	heap_remove(c, t);
	clock_changed(c);
}

/* --- the fake clock ------------------------------------------------------- */

void
timers_fake(wall_t wall, boot_t boot)
{
	fake = true;
	fake_wall_us = wall.us;
	fake_boot_us = boot.us;
}

/* How far ahead of now the clock's earliest timer is (0 when overdue),
 * or INT64_MAX when it has none. */
static int64_t
first_in(const struct timer_clock *c, int64_t now)
{
	int64_t	d;

	if (c->n == 0)
		return INT64_MAX;
	d = c->heap[0]->deadline_us - now;
	return d > 0 ? d : 0;
}

/* Awake, both clocks move together; each timer runs at its own instant,
 * in deadline order (the wall timer first when two fall together). */
void
timers_advance(int64_t us)
{
	int64_t	left = us;

	for (;;) {
		int64_t			 dw = first_in(&wall_clock, fake_wall_us);
		int64_t			 db = first_in(&boot_clock, fake_boot_us);
		struct timer_clock	*c = dw <= db ? &wall_clock : &boot_clock;
		int64_t			 d = dw <= db ? dw : db;
		struct timer		*t;

		if (d == INT64_MAX || d > left)
			break;
		fake_wall_us += d;
		fake_boot_us += d;
		left -= d;
		t = c->heap[0];
		heap_remove(c, t);
		t->cb(t->arg);
	}
	fake_wall_us += left;
	fake_boot_us += left;
}

/* The wall clock alone jumps, as settimeofday makes it; the step is
 * reported as the wall timerfd's ECANCELED would. */
void
timers_step(int64_t us)
{
	fake_wall_us += us;
	if (step_fn != NULL)
		step_fn(step_arg);
}
