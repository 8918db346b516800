/*
 * bus.h: the session and system D-Bus connections, driven from the libevent
 * loop (sd_bus_get_fd, sd_bus_get_events, sd_bus_get_timeout,
 * sd_bus_process), so no bus traffic can block a prompt. Callers only ever
 * make asynchronous calls; after queueing one they call bus_kick() so the
 * loop picks up the new write interest and reply timeout.
 *
 * A bus that cannot be opened, or that goes away, is said once in the log
 * and is NULL from then on: calfd goes on without it.
 */
#ifndef CALF_BUS_H
#define CALF_BUS_H

#include <event2/event.h>
#include <systemd/sd-bus.h>

enum bus_kind {
	BUS_SESSION,
	BUS_SYSTEM
};

void	 bus_init(struct event_base *);
/* The connection, opened on first use; NULL when there is none. */
sd_bus	*bus_get(enum bus_kind);
/* Runs pending bus work on the next loop turn (after new calls). */
void	 bus_kick(enum bus_kind);
void	 bus_shutdown(void);

#endif
