/*
 * loop.c: the event base with priorities (loop.h says why).
 *
 * libevent runs only the most urgent priority that has work in each turn,
 * and with a dispatch interval it polls again after that much client work,
 * so a timerfd that becomes readable in the middle of a burst of requests
 * is served within about LOOP_SLICE_MS.
 */
#include "daemon/loop.h"

#include <stddef.h>

#include <event2/bufferevent.h>

#define LOOP_SLICE_MS	2	/* client work between looks at the timers */
#define LOOP_SLICE_CBS	16	/* ... or this many client callbacks */

struct event_base *
loop_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;
	const struct timeval	 slice = { 0, LOOP_SLICE_MS * 1000 };

	if ((cfg = event_config_new()) == NULL)
		return NULL;
	/* The limit applies to priorities from PRIO_CLIENT down, never to
	 * the timers themselves. */
	event_config_set_max_dispatch_interval(cfg, &slice, LOOP_SLICE_CBS,
	    PRIO_CLIENT);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base != NULL && event_base_priority_init(base, PRIO_COUNT) == -1) {
		event_base_free(base);
		return NULL;
	}
	return base;
}

void
loop_prio(struct event *ev, enum loop_prio prio)
{
	struct event_base	*base = event_get_base(ev);

	if (base != NULL && (int)prio < event_base_get_npriorities(base))
		event_priority_set(ev, (int)prio);
}

void
loop_prio_bev(struct bufferevent *bev, enum loop_prio prio)
{
	struct event_base	*base = bufferevent_get_base(bev);

	if (base != NULL && (int)prio < event_base_get_npriorities(base))
		bufferevent_priority_set(bev, (int)prio);
}
