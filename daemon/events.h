/*
 * events.h: every event passes through events_emit(), which fans it out to
 * the registered sinks (stderr log, control-socket watchers; later the
 * journal, desktop notifications, the hook and the history). A sink never
 * blocks the loop.
 */
#ifndef CALF_EVENTS_H
#define CALF_EVENTS_H

#include <stdint.h>

#include <json-c/json.h>

#include "common/proto.h"

struct calf_event {
	enum event_kind	 kind;
	const char	*session;	/* NULL for paused, resumed, reloaded */
	const char	*title;		/* session title, or NULL */
	const char	*message;	/* what the user is told */
	int64_t		 due_us;	/* when it was meant to happen (epoch us) */
	int64_t		 fired_us;	/* when it was emitted (epoch us) */
	int64_t		 until_us;	/* snoozed/paused: until when, 0: none */
};

typedef void	(*event_sink_fn)(const struct calf_event *, void *arg);

/* Registers a sink; returns -1 when the table is full. */
int		 events_add_sink(const char *name, event_sink_fn, void *arg);
void		 events_remove_sink(event_sink_fn, void *arg);
void		 events_emit(const struct calf_event *);

/* The event as a JSON object for the wire (doc/PROTOCOL.md). */
json_object	*event_to_json(const struct calf_event *);

#endif
