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

static const char *const reason_names[] = {
	[REASON_NONE] = NULL,
	[REASON_REMOVED] = "removed",
	[REASON_REPLACED] = "replaced",
	[REASON_AHEAD] = "ahead",
	[REASON_OFFLINE] = "offline",
};

const char *
event_reason_name(enum event_reason r)
{
	if ((size_t)r >= sizeof reason_names / sizeof reason_names[0])
		return NULL;
	return reason_names[r];
}

static void
add_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* The wire form of an event, as doc/PROTOCOL.md describes it: every
 * structured field is always present, so a client reads facts, not the
 * message. */
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
	add_i64(o, "due_us", ev->due_us);
	add_i64(o, "fired_us", ev->fired_us);
	if (ev->kind == EV_SNOOZED || ev->kind == EV_PAUSED ||
	    ev->kind == EV_EXTENDED)
		add_i64(o, "until_us", ev->until_us);
	add_string(o, "origin", event_origin_name(ev->origin));
	add_i64(o, "started_us", ev->started_us);
	add_i64(o, "elapsed_s", ev->elapsed_s);
	add_i64(o, "dur_min_s", ev->dur_min_s);
	add_i64(o, "dur_max_s", ev->dur_max_s);
	json_object_object_add(o, "temperature", ev->has_temperature ?
	    json_object_new_int(ev->temperature) : NULL);
	add_i64(o, "count", ev->count);
	add_i64(o, "first_due_us", ev->first_due_us);
	add_string(o, "text", ev->text);
	add_string(o, "reason", event_reason_name(ev->reason));
	return o;
}
