/*
 * proto.h: the wire protocol between calfd and its clients, defined once.
 * calfd and calfctl both use these names; nothing else spells a command,
 * an event kind or a result code. doc/PROTOCOL.md describes it for people.
 *
 * One JSON object per line, in the spirit of mpv's JSON IPC:
 *   -> {"command": ["snooze", "foot-soak", "10m"], "request_id": 7,
 *       "protocol": 1}
 *   <- {"request_id": 7, "error": "success", "code": "success", "data": {...}}
 * After "watch" the connection also receives events:
 *   <- {"event": "due", "session": "foot-soak", ..., "due_us": ..., "fired_us": ...}
 *
 * Bump PROTO_VERSION on any incompatible change to requests, replies or
 * events (renamed or removed fields, changed meaning); adding fields or
 * commands does not need a bump.
 */
#ifndef CALF_PROTO_H
#define CALF_PROTO_H

#include <stddef.h>

#define PROTO_VERSION		1
#define PROTO_MAX_LINE		4096	/* longest request line, bytes */
#define PROTO_MAX_ARGS		8	/* command name included */

/* Commands, each a row in common/cmdtab.c. */
#define CMD_STATUS	"status"
#define CMD_AGENDA	"agenda"
#define CMD_LIST	"list"
#define CMD_SHOW	"show"
#define CMD_START	"start"
#define CMD_DONE	"done"
#define CMD_STOP	"stop"
#define CMD_SKIP	"skip"
#define CMD_SNOOZE	"snooze"
#define CMD_PAUSE	"pause"
#define CMD_RESUME	"resume"
#define CMD_EXTEND	"extend"
#define CMD_RELOAD	"reload"
#define CMD_VERSION	"version"
#define CMD_WATCH	"watch"
#define CMD_HISTORY	"history"
#define CMD_STATS	"stats"
#define CMD_CRAMP	"cramp"
#define CMD_HELP	"help"		/* calfctl's own, never sent */

/* The word before a time of day: pause until HH:MM. */
#define ARG_UNTIL	"until"
/* history, stats and cramp: --word VALUE options and cramp's words. */
#define OPT_DAYS	"--days"
#define OPT_SESSION	"--session"
#define OPT_AT		"--at"
#define OPT_LEG		"--leg"
#define OPT_NOTE	"--note"
#define ARG_TEST	"test"
#define ARG_RESULT	"result"
#define ARG_RELIEVED	"relieved"
#define ARG_NOT_RELIEVED "not-relieved"
#define LEG_LEFT	"left"
#define LEG_RIGHT	"right"
#define LEG_BOTH	"both"

/* Fields of requests, replies and their data, and events. */
#define F_COMMAND	"command"
#define F_REQUEST_ID	"request_id"
#define F_PROTOCOL	"protocol"
#define F_ERROR		"error"
#define F_CODE		"code"
#define F_DATA		"data"
#define F_EVENT		"event"
#define F_SESSION	"session"
#define F_TITLE		"title"
#define F_MESSAGE	"message"
#define F_STATE		"state"
#define F_NOW_US	"now_us"
#define F_SOURCE	"source"
#define F_RUNNING	"running"
#define F_DUE		"due"
#define F_NEXT		"next"
#define F_PAUSED	"paused"
#define F_PAUSED_UNTIL_US "paused_until_us"
#define F_QUIET		"quiet"
#define F_QUIET_UNTIL_US "quiet_until_us"
#define F_STARTED_US	"started_us"
#define F_ELAPSED_US	"elapsed_us"
#define F_MIN_US	"min_us"
#define F_MAX_US	"max_us"
#define F_NEXT_CUE_US	"next_cue_us"
#define F_DUE_US	"due_us"
#define F_FIRED_US	"fired_us"
#define F_UNTIL_US	"until_us"
#define F_EXPIRES_US	"expires_us"
#define F_AT_US		"at_us"
#define F_AT		"at"
#define F_AGENDA	"agenda"
#define F_SKIPPED	"skipped"
#define F_SESSIONS	"sessions"
#define F_ERRORS	"errors"
#define F_VERSION	"version"
#define F_PID		"pid"
/* list and show */
#define F_PROMPT	"prompt"
#define F_FINISH	"finish"
#define F_TIMES		"times"
#define F_EVERY_S	"every_s"
#define F_BETWEEN	"between"
#define F_DAYS		"days"
#define F_DUR_MIN_S	"duration_min_s"
#define F_DUR_MAX_S	"duration_max_s"
#define F_START		"start"
#define F_REMIND_S	"remind_s"
#define F_WINDOW_S	"window_s"
#define F_TEMPERATURE	"temperature"
#define F_CUES		"cues"
#define F_AT_S		"at_s"
#define F_TEXT		"text"
#define F_ON_DEMAND	"on_demand"
#define F_HELD		"held"
#define F_HELD_BY	"held_by"	/* "paused", "quiet" or null */
#define F_SKIP_NEXT_US	"skip_next_us"
#define F_LINE		"line"
/* history, stats and cramp (doc/history.md) */
#define F_RECORDS	"records"
#define F_FOLDER	"folder"
#define F_DEVICE	"device"
#define F_FILES		"files"
#define F_SKIPPED_LINES	"skipped_lines"
#define F_NEWER_LINES	"newer_lines"
#define F_FROM_US	"from_us"
#define F_HISTORY_SAVED	"history_saved"
#define F_SAVED		"saved"		/* a reply to a change (harden) */
#define F_WARNING	"warning"
#define F_ID		"id"
#define F_DURATION_S	"duration_s"
#define F_LEG		"leg"
#define F_NOTE		"note"
#define F_RESULT	"result"

/* A session's state as status, list and show name it. */
#define STATE_IDLE	"idle"
#define STATE_DUE	"due"
#define STATE_SNOOZED	"snoozed"
#define STATE_HELD	"held"
#define STATE_RUNNING	"running"

/* Event kinds, in the order of a session's life. */
enum event_kind {
	EV_DUE,			/* a session is due (or due again after a snooze) */
	EV_REMINDER,		/* still due: the prompt repeated every `remind` */
	EV_STARTED,
	EV_CUE,			/* a cue during a running session */
	EV_MINIMUM,		/* a range duration's minimum reached */
	EV_FINISHED,		/* ran its full duration */
	EV_DONE,		/* marked done by the user */
	EV_STOPPED,		/* abandoned, or removed by a reload */
	EV_SKIPPED,
	EV_SNOOZED,
	EV_MISSED,		/* its window passed without a start */
	EV_REPLACED,		/* a snoozed prompt overtaken by a new firing */
	EV_PAUSED,
	EV_RESUMED,
	EV_RELOADED,
	EV_EXTENDED,		/* a running session's end moved later */
	EV__COUNT
};

/* "due", "reminder", ... ; NULL for an out-of-range kind. */
const char	*event_kind_name(enum event_kind);

/* Who caused an event: the schedule (timers), calfctl, a signal (SIGHUP),
 * the restore of the saved state at start, or a notification's button. */
enum event_origin {
	ORIGIN_SCHEDULE,
	ORIGIN_CLIENT,
	ORIGIN_SIGNAL,
	ORIGIN_RESTORE,
	ORIGIN_BUTTON,
	ORIGIN__COUNT
};

/* "schedule", "calfctl", "signal", "restore", "button"; NULL out of range. */
const char	*event_origin_name(enum event_origin);

/* Result codes of a request, one table of messages (common/proto.c). */
enum result {
	RES_SUCCESS,
	RES_BAD_JSON,		/* not a JSON object on one line */
	RES_TOO_LONG,		/* line over PROTO_MAX_LINE */
	RES_BAD_REQUEST,	/* no "command" array of strings, bad request_id */
	RES_PROTOCOL,		/* protocol version mismatch */
	RES_UNKNOWN_COMMAND,
	RES_USAGE,		/* wrong number or form of arguments */
	RES_UNKNOWN_SESSION,
	RES_NOT_RUNNING,	/* done/stop with nothing (or not that) running */
	RES_NOT_DUE,		/* skip/snooze with nothing (or not that) due */
	RES_ALREADY_RUNNING,
	RES_NOT_PAUSED,
	RES_CONFIG,		/* reload refused: the file has errors */
	RES_INTERNAL,		/* out of memory and the like */
	RES__COUNT
};

/* Stable machine token ("unknown-session") and default human message. */
const char	*result_code(enum result);
const char	*result_message(enum result);
/* The result whose token is `code`, or RES_INTERNAL. */
enum result	 result_from_code(const char *code);

#endif
