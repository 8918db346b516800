/*
 * bus.c: sd-bus on the libevent loop. Each bus has one fd event whose
 * interest follows sd_bus_get_events() and one timer that follows
 * sd_bus_get_timeout() (an absolute CLOCK_MONOTONIC instant, the clock
 * libevent's timers run on); both are re-armed after every
 * sd_bus_process() pass, so replies and signals are handled as they come
 * and nothing ever waits on the bus.
 */
#include "daemon/bus.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "daemon/log.h"

struct busconn {
	const char	*name;		/* "session", "system" for the log */
	sd_bus		*bus;
	bool		 tried;		/* opened, or refused, once */
	struct event	*io;
	short		 io_what;	/* the interest io was made with */
	struct event	*timer;
	struct event	*kick;
};

static struct event_base *bus_base;
static struct busconn	conns[2] = {
	[BUS_SESSION] = { .name = "session" },
	[BUS_SYSTEM] = { .name = "system" },
};

static void	bus_update(struct busconn *);

static void
bus_close(struct busconn *c)
{
	if (c->io != NULL)
		event_free(c->io);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->kick != NULL)
		event_free(c->kick);
	c->io = c->timer = c->kick = NULL;
	c->io_what = 0;
	c->bus = sd_bus_close_unref(c->bus);	/* never waits */
}

/* Drains everything the bus has for us; a broken connection has by then
 * answered every call in flight with an error, so owners free their
 * state, and is closed for good. */
static void
bus_dispatch(struct busconn *c)
{
	int	r;

	while ((r = sd_bus_process(c->bus, NULL)) > 0)
		;
	if (r < 0 || !sd_bus_is_open(c->bus)) {
		log_warnx("the %s bus went away (%s); going on without it",
		    c->name, strerror(r < 0 ? -r : ECONNRESET));
		bus_close(c);
		return;
	}
	bus_update(c);
}

static void
bus_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bus_dispatch(arg);
}

/* Interest and timeout as sd-bus wants them now. */
static void
bus_update(struct busconn *c)
{
	uint64_t	until;
	int		ev, fd;
	short		what = EV_READ | EV_PERSIST;
	struct timespec	ts;

	if ((ev = sd_bus_get_events(c->bus)) < 0 ||
	    (fd = sd_bus_get_fd(c->bus)) < 0) {
		bus_close(c);
		return;
	}
	if (ev & POLLOUT)
		what |= EV_WRITE;
	if (c->io == NULL || c->io_what != what) {
		if (c->io != NULL)
			event_free(c->io);
		c->io = event_new(bus_base, fd, what, bus_io, c);
		c->io_what = what;
		if (c->io == NULL || event_add(c->io, NULL) == -1) {
			log_warnx("the %s bus: cannot watch it", c->name);
			bus_close(c);
			return;
		}
	}
	evtimer_del(c->timer);
	if (sd_bus_get_timeout(c->bus, &until) >= 0 && until != UINT64_MAX) {
		struct timeval	tv = { 0, 0 };
		uint64_t	now;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
		if (until > now) {
			tv.tv_sec = (time_t)((until - now) / 1000000);
			tv.tv_usec = (suseconds_t)((until - now) % 1000000);
		}
		evtimer_add(c->timer, &tv);
	}
}

void
bus_init(struct event_base *base)
{
	bus_base = base;
}

sd_bus *
bus_get(enum bus_kind kind)
{
	struct busconn	*c = &conns[kind];
	int		 r;

	if (c->bus != NULL || c->tried || bus_base == NULL)
		return c->bus;
	c->tried = true;
	r = kind == BUS_SESSION ? sd_bus_open_user(&c->bus) :
	    sd_bus_open_system(&c->bus);
	if (r < 0) {
		c->bus = NULL;
		log_debug("no %s bus (%s)", c->name, strerror(-r));
		return NULL;
	}
	c->timer = evtimer_new(bus_base, bus_io, c);
	c->kick = evtimer_new(bus_base, bus_io, c);
	if (c->timer == NULL || c->kick == NULL) {
		log_warnx("the %s bus: out of memory", c->name);
		bus_close(c);
		return NULL;
	}
	bus_update(c);
	return c->bus;
}

void
bus_kick(enum bus_kind kind)
{
	struct busconn	*c = &conns[kind];

	if (c->kick != NULL && !event_pending(c->kick, EV_TIMEOUT, NULL))
		event_active(c->kick, EV_TIMEOUT, 0);
}

void
bus_shutdown(void)
{
	for (size_t i = 0; i < sizeof conns / sizeof conns[0]; i++) {
		bus_close(&conns[i]);
		conns[i].tried = false;
	}
	bus_base = NULL;
}
