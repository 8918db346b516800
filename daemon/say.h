/*
 * say.h: the sentences people read, composed from an event's facts. This
 * is the one home of calfd's wording: the engine fills struct calf_event
 * with what happened, and say() turns it into the `message` the journal,
 * watchers and the desktop show.
 */
#ifndef CALF_SAY_H
#define CALF_SAY_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/events.h"

/* The message for ev, in buf (always terminated, cut if too small). It
 * reads only ev and the local zone, never the clock: "today" is the day
 * of ev->fired_us. */
void	say(const struct calf_event *ev, char *buf, size_t len);

/* "15m" or "25m..30m", and ", about 40 °C" when a temperature is given. */
void	say_length(int64_t min_s, int64_t max_s, bool has_temperature,
	    int temperature, char *buf, size_t len);

#endif
