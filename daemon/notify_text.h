/*
 * notify_text.h: what a desktop notification says and offers, composed
 * from an event's facts in one place: summary, body, buttons, hints and
 * expiry, following what the server can show (GetCapabilities).
 */
#ifndef CALF_NOTIFY_TEXT_H
#define CALF_NOTIFY_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "daemon/events.h"

#define NT_MAX_LIST	8	/* sessions named in one bubble, at most */

/* The warm-water check's answers, on its cue and end bubbles. */
#define NT_KEY_RELIEVED		"cramp-relieved"
#define NT_KEY_NOT_RELIEVED	"cramp-not-relieved"

/* What a session's bubble is about. */
enum nt_kind {
	NT_NONE,	/* nothing: the session was handled */
	NT_PROMPT,	/* due: start, snooze, skip */
	NT_RUNNING,	/* running: done, stop */
	NT_END		/* it ended by itself */
};

struct nt_item {
	char		*name;
	char		*title;
	char		*message;
	enum nt_kind	 kind;
	enum event_kind	 ev;		/* the event it shows */
	int64_t		 left_s;	/* running: time left, -1: unknown */
};

/* What the server said it can do. */
struct nt_caps {
	bool	actions;
	bool	body;
	bool	markup;		/* body-markup: the body is markup */
};

enum nt_kind	nt_kind_of(enum event_kind);
/* Copies the event's facts into the item; -1 when out of memory. */
int		nt_item_set(struct nt_item *, enum nt_kind,
		    const struct calf_event *);
void		nt_item_clear(struct nt_item *);
void		nt_caps_add(struct nt_caps *, const char *cap);

/* Appends Notify's arguments after app_name and replaces_id: icon,
 * summary, body, actions, hints, expire_timeout. One item: its bubble;
 * several (all prompts): one bubble that lists them. */
int		nt_append(sd_bus_message *, const struct nt_item *const *,
		    size_t n, const struct nt_caps *);
/* Whether the bubble of these items offers the button `key`. */
bool		nt_offers(const struct nt_item *const *, size_t n,
		    const struct nt_caps *, const char *key);

#endif
