/*
 * commands.c: the control commands of doc/PROTOCOL.md, one row each.
 * Adding a command is adding a row and a handler; the handler checks the
 * form of its arguments, calls one engine_* function and says what to
 * reply. Argument counts are checked here against the row.
 */
#include "daemon/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/timeutil.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/history_cmd.h"

#define AGENDA_DEFAULT	10
#define AGENDA_MAX	1000

/* argc and argv are the arguments after the command name. */
typedef enum result (*cmd_fn)(struct cmd_ctx *, int argc, const char *const *argv,
    json_object **data, char **cause);

struct cmd_entry {
	const char	*name;
	int		 min_args;
	int		 max_args;
	const char	*usage;
	cmd_fn		 fn;
};

static enum result	cmd_status(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_agenda(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_start(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_done(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_stop(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_skip(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_snooze(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_pause(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_resume(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_reload(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_version(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);
static enum result	cmd_watch(struct cmd_ctx *, int, const char *const *,
			    json_object **, char **);

static const struct cmd_entry cmd_table[] = {
	{ CMD_STATUS, 0, 0, "status", cmd_status },
	{ CMD_AGENDA, 0, 1, "agenda [N]", cmd_agenda },
	{ CMD_START, 1, 1, "start NAME", cmd_start },
	{ CMD_DONE, 0, 1, "done [NAME]", cmd_done },
	{ CMD_STOP, 0, 1, "stop [NAME]", cmd_stop },
	{ CMD_SKIP, 0, 1, "skip [NAME]", cmd_skip },
	{ CMD_SNOOZE, 0, 2, "snooze [NAME] [DURATION]", cmd_snooze },
	{ CMD_PAUSE, 0, 2, "pause [DURATION | until HH:MM]", cmd_pause },
	{ CMD_RESUME, 0, 0, "resume", cmd_resume },
	{ CMD_RELOAD, 0, 0, "reload", cmd_reload },
	{ CMD_VERSION, 0, 0, "version", cmd_version },
	{ CMD_WATCH, 0, 0, "watch", cmd_watch },
	{ CMD_HISTORY, 0, 4, "history [--days N] [--session NAME]",
	    cmd_history },
	{ CMD_STATS, 0, 2, "stats [--days N]", cmd_stats },
	{ CMD_CRAMP, 0, 6, "cramp [--at TIME] [--leg left|right|both] "
	    "[--note TEXT] | cramp test | cramp result relieved|not-relieved",
	    cmd_cramp },
};
#define NCOMMANDS	(sizeof cmd_table / sizeof cmd_table[0])

/* {"session": NAME}: the reply names the session the engine acted on. */
static json_object *
session_data(const char *which)
{
	json_object	*data = json_object_new_object();

	if (data != NULL)
		json_object_object_add(data, "session",
		    which != NULL ? json_object_new_string(which) : NULL);
	return data;
}

/* Instants on the wire are microseconds since the epoch. */
static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A strictly positive duration, or a usage cause naming what is wrong. */
static enum result
positive_duration(const char *s, int64_t *secs, char **cause)
{
	const char	*err;

	if (dur_parse(s, secs, &err) != 0) {
		*cause = msgf("bad duration \"%s\": %s", s, err);
		return RES_USAGE;
	}
	if (*secs <= 0) {
		*cause = msgf("duration \"%s\" must be more than 0", s);
		return RES_USAGE;
	}
	return RES_SUCCESS;
}

/* The whole state in one object; built by the engine. */
static enum result
cmd_status(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	(void)argc;
	(void)argv;
	(void)cause;
	if ((*data = engine_status(ctx->engine)) == NULL)
		return RES_INTERNAL;
	return RES_SUCCESS;
}

/* N is plain decimal, so "1e3" or "+5" are refused rather than guessed. */
static enum result
cmd_agenda(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	json_object	*a, *o;
	size_t		 n = AGENDA_DEFAULT;

	if (argc == 1) {
		const char	*s = argv[0];
		size_t		 len = strlen(s);

		n = 0;
		if (len == 0 || len > 4 || strspn(s, "0123456789") != len ||
		    (n = strtoul(s, NULL, 10)) < 1 || n > AGENDA_MAX) {
			*cause = msgf("agenda count \"%s\" must be a number "
			    "from 1 to %d", s, AGENDA_MAX);
			return RES_USAGE;
		}
	}
	if ((a = engine_agenda(ctx->engine, n)) == NULL)
		return RES_INTERNAL;
	if (json_object_is_type(a, json_type_object)) {
		*data = a;
		return RES_SUCCESS;
	}
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(a);
		return RES_INTERNAL;
	}
	json_object_object_add(o, "agenda", a);
	*data = o;
	return RES_SUCCESS;
}

/* done, stop, skip and start share a shape: one optional name, one engine
 * call, and a reply naming the session it touched. */
static enum result
session_action(struct cmd_ctx *ctx, const char *name,
    enum result (*fn)(struct engine *, enum event_origin, const char *,
    const char **, char **),
    json_object **data, char **cause)
{
	const char	*which = NULL;
	enum result	 r;

	if ((r = fn(ctx->engine, ORIGIN_CLIENT, name, &which, cause)) != RES_SUCCESS)
		return r;
	if ((*data = session_data(which)) == NULL)
		return RES_INTERNAL;
	return RES_SUCCESS;
}

/* start always names its session. */
static enum result
cmd_start(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	(void)argc;
	return session_action(ctx, argv[0], engine_start, data, cause);
}

/* done, stop and skip only differ by their engine call and event. */
static enum result
cmd_done(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	return session_action(ctx, argc > 0 ? argv[0] : NULL, engine_done, data,
	    cause);
}

/* stop abandons; the engine says which session when none is named. */
static enum result
cmd_stop(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	return session_action(ctx, argc > 0 ? argv[0] : NULL, engine_stop, data,
	    cause);
}

/* skip covers a due session and the next firing of a scheduled one. */
static enum result
cmd_skip(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	return session_action(ctx, argc > 0 ? argv[0] : NULL, engine_skip, data,
	    cause);
}

/* One argument is a duration only when it reads as one and no session has
 * that name, so a session called "10m" can still be snoozed by name. */
static enum result
cmd_snooze(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	const struct routine	*rt = engine_routine(ctx->engine);
	const char		*name = NULL, *dur = NULL, *err, *which = NULL;
	int64_t			 secs = 0, until_us = 0;
	enum result		 r;

	if (argc == 2) {
		name = argv[0];
		dur = argv[1];
	} else if (argc == 1) {
		if (dur_parse(argv[0], &secs, &err) == 0 &&
		    (rt == NULL || routine_find(rt, argv[0]) == NULL))
			dur = argv[0];
		else
			name = argv[0];
	}
	if (dur != NULL &&
	    (r = positive_duration(dur, &secs, cause)) != RES_SUCCESS)
		return r;

	r = engine_snooze(ctx->engine, ORIGIN_CLIENT, name, secs, &until_us, &which, cause);
	if (r != RES_SUCCESS)
		return r;
	if ((*data = session_data(which)) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, "until_us",
	    json_object_new_int64(until_us));
	return RES_SUCCESS;
}

/* Nothing: indefinitely; DURATION: from now; "until HH:MM": the next such
 * local time, which the engine computes across DST. */
static enum result
cmd_pause(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	int64_t		 until_us = 0, secs;
	const char	*err;
	int		 sod;
	enum result	 r;

	if (argc == 2) {
		if (strcmp(argv[0], "until") != 0) {
			*cause = msgf("usage: pause [DURATION | until HH:MM]");
			return RES_USAGE;
		}
		if (tod_parse(argv[1], &sod, &err) != 0) {
			*cause = msgf("bad time \"%s\": %s", argv[1], err);
			return RES_USAGE;
		}
		until_us = engine_next_tod(sod);
	} else if (argc == 1) {
		if (strcmp(argv[0], "until") == 0) {
			*cause = msgf("usage: pause until HH:MM");
			return RES_USAGE;
		}
		if ((r = positive_duration(argv[0], &secs, cause)) !=
		    RES_SUCCESS)
			return r;
		until_us = now_us() + secs * 1000000;
	}
	if ((r = engine_pause(ctx->engine, ORIGIN_CLIENT, until_us, cause)) != RES_SUCCESS)
		return r;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, "until_us",
	    json_object_new_int64(until_us));
	return RES_SUCCESS;
}

/* resume has nothing to say but success, so it replies {}. */
static enum result
cmd_resume(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	enum result	r;

	(void)argc;
	(void)argv;
	if ((r = engine_resume(ctx->engine, ORIGIN_CLIENT, cause)) != RES_SUCCESS)
		return r;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	return RES_SUCCESS;
}

/* A refused reload still replies with data: the list of errors is what
 * the user needs to fix the file. */
static enum result
cmd_reload(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	const struct routine	*rt;
	struct errlist		 errs;
	json_object		*a;
	enum result		 r;

	(void)argc;
	(void)argv;
	errlist_init(&errs);
	r = engine_reload(ctx->engine, ORIGIN_CLIENT, &errs);
	if ((*data = json_object_new_object()) == NULL) {
		errlist_free(&errs);
		return RES_INTERNAL;
	}
	if (r == RES_SUCCESS) {
		rt = engine_routine(ctx->engine);
		json_object_object_add(*data, "source", rt != NULL ?
		    json_object_new_string(rt->source) : NULL);
		json_object_object_add(*data, "sessions",
		    json_object_new_int64(rt != NULL ?
		    (int64_t)rt->nsessions : 0));
	} else {
		if ((a = json_object_new_array()) != NULL) {
			for (size_t i = 0; i < errs.n; i++)
				json_object_array_add(a,
				    json_object_new_string(errs.msgs[i]));
		}
		json_object_object_add(*data, "errors", a);
		if (r == RES_CONFIG)
			*cause = msgf("%s", result_message(RES_CONFIG));
		else if (errs.n > 0)
			*cause = msgf("%s", errs.msgs[0]);
	}
	errlist_free(&errs);
	return r;
}

/* The protocol number lets a client check compatibility before it acts. */
static enum result
cmd_version(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	(void)cause;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, "version",
	    json_object_new_string(CALF_VERSION));
	json_object_object_add(*data, "protocol",
	    json_object_new_int(PROTO_VERSION));
	json_object_object_add(*data, "pid", json_object_new_int64(getpid()));
	return RES_SUCCESS;
}

/* The subscription itself is the connection's business (control.c). */
static enum result
cmd_watch(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	(void)argc;
	(void)argv;
	(void)cause;
	ctx->watch = true;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	return RES_SUCCESS;
}

/* "unknown command" lists the right ones, so the reply teaches. */
static char *
unknown_command(const char *name)
{
	char	 list[256];
	size_t	 off = 0;

	list[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS && off < sizeof list; i++)
		off += (size_t)snprintf(list + off, sizeof list - off, "%s%s",
		    i > 0 ? ", " : "", cmd_table[i].name);
	return msgf("unknown command \"%s\" (commands: %s)", name, list);
}

/* One lookup, one count check, one handler: the reply is built here so
 * every command answers in the same shape. */
json_object *
commands_run(struct cmd_ctx *ctx, const struct request *req)
{
	const struct cmd_entry	*ce = NULL;
	json_object		*data = NULL, *reply;
	char			*cause = NULL;
	enum result		 r;
	int			 nargs = req->argc - 1;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(cmd_table[i].name, req->argv[0]) == 0) {
			ce = &cmd_table[i];
			break;
		}
	}
	if (ce == NULL) {
		r = RES_UNKNOWN_COMMAND;
		cause = unknown_command(req->argv[0]);
	} else if (nargs < ce->min_args || nargs > ce->max_args) {
		r = RES_USAGE;
		cause = msgf("usage: %s", ce->usage);
	} else
		r = ce->fn(ctx, nargs, req->argv + 1, &data, &cause);

	reply = reply_new(req, r, cause, data);
	free(cause);
	return reply;
}
