/*
 * loop.h: the event loop's priorities and per-turn budget. Timers (the
 * timerfds that fire prompts) come first, then watchers' sockets, then
 * other clients, then the state save, so a prompt is never held up by
 * client work, an event reaches watchers (a status bar, calfctl watch)
 * however busy other clients keep calfd, and a watcher gets an event
 * before the state file is rewritten for it.
 */
#ifndef CALF_LOOP_H
#define CALF_LOOP_H

#include <event2/event.h>

enum loop_prio {
	PRIO_TIMER,	/* timerfds, the save's deadline and its retries,
			 * the signals that stop and reload calfd */
	PRIO_WATCH,	/* a watching client's socket: events go out first */
	PRIO_CLIENT,	/* sockets, signals, everything not named here */
	PRIO_SAVE,	/* the state save, once nothing above is ready */
	PRIO_COUNT
};

/* A base with those priorities, which checks for due timers after a few
 * milliseconds of client callbacks. NULL when out of memory. */
struct event_base	*loop_new(void);

/* Sets an event's priority; a base without priorities (a unit test's)
 * keeps its single one. */
void			 loop_prio(struct event *, enum loop_prio);
struct bufferevent;
void			 loop_prio_bev(struct bufferevent *, enum loop_prio);

#endif
