/*
 * proto.c: the names and messages behind proto.h.
 */
#include "common/proto.h"

#include <string.h>

static const char *const event_names[EV__COUNT] = {
	[EV_DUE] = "due",
	[EV_REMINDER] = "reminder",
	[EV_STARTED] = "started",
	[EV_CUE] = "cue",
	[EV_MINIMUM] = "minimum",
	[EV_FINISHED] = "finished",
	[EV_DONE] = "done",
	[EV_STOPPED] = "stopped",
	[EV_SKIPPED] = "skipped",
	[EV_SNOOZED] = "snoozed",
	[EV_MISSED] = "missed",
	[EV_REPLACED] = "replaced",
	[EV_PAUSED] = "paused",
	[EV_RESUMED] = "resumed",
	[EV_RELOADED] = "reloaded",
	[EV_EXTENDED] = "extended",
};

static const char *const origin_names[ORIGIN__COUNT] = {
	[ORIGIN_SCHEDULE] = "schedule",
	[ORIGIN_CLIENT] = "calfctl",
	[ORIGIN_SIGNAL] = "signal",
	[ORIGIN_RESTORE] = "restore",
	[ORIGIN_BUTTON] = "button",
};

static const struct {
	const char	*code;
	const char	*message;
} results[RES__COUNT] = {
	[RES_SUCCESS] = { "success", "success" },
	[RES_BAD_JSON] = { "bad-json", "request is not a JSON object" },
	[RES_TOO_LONG] = { "too-long", "request line too long" },
	[RES_BAD_REQUEST] = { "bad-request",
	    "request needs \"command\": an array of strings" },
	[RES_PROTOCOL] = { "protocol", "protocol version mismatch" },
	[RES_UNKNOWN_COMMAND] = { "unknown-command", "unknown command" },
	[RES_USAGE] = { "usage", "wrong arguments" },
	[RES_UNKNOWN_SESSION] = { "unknown-session", "no such session" },
	[RES_NOT_RUNNING] = { "not-running", "nothing is running" },
	[RES_NOT_DUE] = { "not-due", "nothing is due" },
	[RES_ALREADY_RUNNING] = { "already-running",
	    "session is already running" },
	[RES_NOT_PAUSED] = { "not-paused", "not paused" },
	[RES_CONFIG] = { "config", "routine has errors; nothing changed" },
	[RES_INTERNAL] = { "internal", "internal error" },
};

/* Events travel by name on the wire; the table keeps names in one place. */
const char *
event_kind_name(enum event_kind k)
{
	if ((unsigned)k >= EV__COUNT)
		return NULL;
	return event_names[k];
}

/* Origins travel by name on the wire too. */
const char *
event_origin_name(enum event_origin o)
{
	if ((unsigned)o >= ORIGIN__COUNT)
		return NULL;
	return origin_names[o];
}

/* Clients match on the token, people read the message. */
const char *
result_code(enum result r)
{
	if ((unsigned)r >= RES__COUNT)
		r = RES_INTERNAL;
	return results[r].code;
}

const char *
result_message(enum result r)
{
	if ((unsigned)r >= RES__COUNT)
		r = RES_INTERNAL;
	return results[r].message;
}

/* calfctl maps a reply's token back to decide its exit status. */
enum result
result_from_code(const char *code)
{
	for (int r = 0; r < RES__COUNT; r++)
		if (code != NULL && strcmp(results[r].code, code) == 0)
			return r;
	return RES_INTERNAL;
}
