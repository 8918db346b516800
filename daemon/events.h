/*
 * events.h: every event passes through events_emit(), which fans it out to
 * the registered sinks (stderr log, control-socket watchers; later the
 * journal, desktop notifications, the hook and the history). A sink never
 * blocks the loop.
 */
#ifndef CALF_EVENTS_H
#define CALF_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/proto.h"

/* Why an end or a resume happened, where the kind alone does not say. */
enum event_reason {
	REASON_NONE,
	REASON_REMOVED,		/* stopped, skipped: a reload removed it */
	REASON_REPLACED,	/* missed: a new firing replaced the prompt */
	REASON_AHEAD,		/* skipped: a firing still to come */
	REASON_OFFLINE		/* resumed: the pause ended while calfd was
				   not running */
};

/* The facts of one change, committed before the event is emitted. The
 * message is composed from the other fields by daemon/say.c. */
struct calf_event {
	enum event_kind	 kind;
	const char	*session;	/* NULL for paused, resumed, reloaded */
	const char	*title;		/* session title, or NULL */
	const char	*message;	/* what the user is told */
	int64_t		 due_us;	/* when it was meant to happen (epoch us) */
	int64_t		 fired_us;	/* when it was emitted (epoch us) */
	int64_t		 until_us;	/* snoozed/paused: until when, 0: none */

	enum event_origin origin;	/* who caused it */
	int64_t		 started_us;	/* the run's start; 0: not a run */
	int64_t		 elapsed_s;	/* how long it ran; -1: none */
	int64_t		 dur_min_s;	/* the planned duration; 0: no session */
	int64_t		 dur_max_s;
	bool		 has_temperature;
	int		 temperature;	/* degrees Celsius */
	unsigned	 count;		/* missed: firings it stands for (>= 1);
					   reloaded: sessions in the routine */
	int64_t		 first_due_us;	/* an event about a prompt (reminder,
					   missed, replaced, snoozed, ...):
					   its (first) due instant; 0: none */
	const char	*text;		/* cue: its text; due, and started on
					   demand: the prompt; finished: the
					   finish text; reloaded: the source;
					   or NULL (doc/PROTOCOL.md) */
	enum event_reason reason;
};

typedef void	(*event_sink_fn)(const struct calf_event *, void *arg);

/* Registers a sink; returns -1 when the table is full. */
int		 events_add_sink(const char *name, event_sink_fn, void *arg);
void		 events_remove_sink(event_sink_fn, void *arg);
void		 events_emit(const struct calf_event *);

/* "removed", "replaced", "ahead", "offline"; NULL for REASON_NONE. */
const char	*event_reason_name(enum event_reason);

/* The event as a JSON object for the wire (doc/PROTOCOL.md). */
json_object	*event_to_json(const struct calf_event *);

#endif
