/*
 * notify.h: desktop notifications (org.freedesktop.Notifications on the
 * session bus), an event sink. One bubble per session, with the buttons
 * its state allows; a button runs the same engine action as calfctl. Off
 * with `notify = none`, or when there is no session bus.
 */
#ifndef CALF_NOTIFY_H
#define CALF_NOTIFY_H

#include <event2/event.h>

struct engine;

/* Registers the sink; the bus is opened when `notify = desktop`. */
void	notify_init(struct event_base *, struct engine *);
void	notify_shutdown(void);

#endif
