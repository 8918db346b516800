/*
 * events.c: the one place every event passes through on its way to the
 * sinks (stderr, watchers, and later journal, desktop, hook, history).
 */
#include "daemon/events.h"

#include <stddef.h>
#include <string.h>

#define MAX_SINKS	16

static struct sink {
	const char	*name;
	event_sink_fn	 fn;
	void		*arg;
} sinks[MAX_SINKS];
static size_t	nsinks;

/* Sinks are registered once at start-up by the module that owns them. */
int
events_add_sink(const char *name, event_sink_fn fn, void *arg)
{
	if (nsinks == MAX_SINKS)
		return -1;
	sinks[nsinks].name = name;
	sinks[nsinks].fn = fn;
	sinks[nsinks].arg = arg;
	nsinks++;
	return 0;
}

/* A sink whose owner goes away (a test, a shutdown) unhooks itself. */
void
events_remove_sink(event_sink_fn fn, void *arg)
{
	for (size_t i = 0; i < nsinks; i++) {
		if (sinks[i].fn == fn && sinks[i].arg == arg) {
			memmove(&sinks[i], &sinks[i + 1],
			    (nsinks - i - 1) * sizeof sinks[0]);
			nsinks--;
			return;
		}
	}
}

/* Every sink sees every event in registration order; sinks must not block. */
void
events_emit(const struct calf_event *ev)
{
	for (size_t i = 0; i < nsinks; i++)
		sinks[i].fn(ev, sinks[i].arg);
}

static void
add_string(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key,
	    value != NULL ? json_object_new_string(value) : NULL);
}

/* The wire form of an event, as doc/PROTOCOL.md describes it. */
json_object *
event_to_json(const struct calf_event *ev)
{
	json_object	*o = json_object_new_object();

	if (o == NULL)
		return NULL;
	add_string(o, "event", event_kind_name(ev->kind));
	add_string(o, "session", ev->session);
	add_string(o, "title", ev->title);
	add_string(o, "message", ev->message);
	json_object_object_add(o, "due_us", json_object_new_int64(ev->due_us));
	json_object_object_add(o, "fired_us",
	    json_object_new_int64(ev->fired_us));
	if (ev->kind == EV_SNOOZED || ev->kind == EV_PAUSED)
		json_object_object_add(o, "until_us",
		    json_object_new_int64(ev->until_us));
	return o;
}
