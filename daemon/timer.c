/*
 * timer.c: timerfd-backed timers driven by the libevent loop.
 */
#include "daemon/timer.h"

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

static void	(*step_handler)(void *);
static void	*step_arg;

static int64_t
clock_us(clockid_t c)
{
	struct timespec	ts;

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

void
timer_set_step_handler(void (*fn)(void *), void *arg)
{
	step_handler = fn;
	step_arg = arg;
}

static void
arm(struct timer *t, int64_t us)
{
	struct itimerspec	its;
	int			flags = TFD_TIMER_ABSTIME;

	memset(&its, 0, sizeof its);
	if (us <= 0)
		us = 1;		/* 0 would disarm: "already passed" */
	its.it_value.tv_sec = us / 1000000;
	its.it_value.tv_nsec = (us % 1000000) * 1000;
	if (t->wall)
		flags |= TFD_TIMER_CANCEL_ON_SET;
	if (timerfd_settime(t->fd, flags, &its, NULL) == -1) {
		log_warn("timerfd_settime");
		return;
	}
	t->armed = true;
	t->deadline_us = us;
}

/* One read tells expiry from a clock step; a step re-bases everything. */
static void
timer_ready(evutil_socket_t fd, short what, void *arg)
{
	struct timer	*t = arg;
	uint64_t	 n;
	ssize_t		 r;

	(void)what;
	r = read(fd, &n, sizeof n);
	if (r == -1 && errno == ECANCELED) {
		/* The clock was set: re-arm at the same instant, then let the
		 * owner of the schedule recompute every deadline. */
		if (t->armed)
			arm(t, t->deadline_us);
		if (step_handler != NULL)
			step_handler(step_arg);
		return;
	}
	if (r == -1)
		return;		/* EAGAIN: disarmed or re-armed meanwhile */
	t->armed = false;
	if (t->cb != NULL)
		t->cb(t->arg);
}

static int
timer_init(struct timer *t, struct event_base *base, clockid_t c,
    void (*cb)(void *), void *arg)
{
	memset(t, 0, sizeof *t);
	t->fd = timerfd_create(c, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd == -1)
		return -1;
	t->wall = c == CLOCK_REALTIME;
	t->cb = cb;
	t->arg = arg;
	t->ev = event_new(base, t->fd, EV_READ | EV_PERSIST, timer_ready, t);
	if (t->ev == NULL || event_add(t->ev, NULL) == -1) {
		close(t->fd);
		t->fd = -1;
		return -1;
	}
	return 0;
}

int
timer_init_wall(struct timer *t, struct event_base *base, void (*cb)(void *),
    void *arg)
{
	return timer_init(t, base, CLOCK_REALTIME, cb, arg);
}

int
timer_init_boot(struct timer *t, struct event_base *base, void (*cb)(void *),
    void *arg)
{
	return timer_init(t, base, CLOCK_BOOTTIME, cb, arg);
}

int
timer_init_step_watch(struct timer *t, struct event_base *base)
{
	if (timer_init(t, base, CLOCK_REALTIME, NULL, NULL) == -1)
		return -1;
	/* Far enough never to fire, near enough for a 64-bit time_t. */
	arm(t, (int64_t)1 << 52);
	return 0;
}

void
timer_at_wall(struct timer *t, wall_t at)
{
	arm(t, at.us);
}

void
timer_at_boot(struct timer *t, boot_t at)
{
	arm(t, at.us);
}

void
timer_clear(struct timer *t)
{
	struct itimerspec	its;

	if (t->fd == -1 || !t->armed)
		return;
	memset(&its, 0, sizeof its);
	timerfd_settime(t->fd, 0, &its, NULL);
	t->armed = false;
}

void
timer_free(struct timer *t)
{
	if (t->ev != NULL)
		event_free(t->ev);
	if (t->fd != -1)
		close(t->fd);
	t->ev = NULL;
	t->fd = -1;
	t->armed = false;
}
