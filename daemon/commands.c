/*
 * commands.c: the control commands of doc/PROTOCOL.md, one row each.
 * The rows (names, argument grammar, usage) are common/cmdtab.c, shared
 * with calfctl; the arguments arrive parsed, and each handler calls one
 * engine_* function and says what to reply.
 */
#include "daemon/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cmdtab.h"
#include "common/errlist.h"
#include "common/routine.h"
#include "daemon/engine.h"
#include "daemon/engine_list.h"
#include "daemon/events.h"
#include "daemon/history_cmd.h"
#include "daemon/state.h"
#include "daemon/systemd.h"

/* One handler per command, reading arguments cmdtab_parse has checked. */
typedef enum result (*cmd_fn)(struct cmd_ctx *, const struct cmd_args *,
    json_object **data, char **cause);

#define HANDLER(fn) static enum result fn(struct cmd_ctx *, \
    const struct cmd_args *, json_object **, char **)
HANDLER(cmd_status);
HANDLER(cmd_agenda);
HANDLER(cmd_list);
HANDLER(cmd_show);
HANDLER(cmd_start);
HANDLER(cmd_done);
HANDLER(cmd_stop);
HANDLER(cmd_skip);
HANDLER(cmd_snooze);
HANDLER(cmd_extend);
HANDLER(cmd_pause);
HANDLER(cmd_resume);
HANDLER(cmd_reload);
HANDLER(cmd_version);
HANDLER(cmd_watch);

/* The rows themselves are common/cmdtab.c; a command calfd answers has a
 * handler here (tests/unit/test_protocol.c checks that each one does). */
static const cmd_fn handlers[CMD_ID__COUNT] = {
	[CMD_ID_STATUS] = cmd_status,
	[CMD_ID_AGENDA] = cmd_agenda,
	[CMD_ID_LIST] = cmd_list,
	[CMD_ID_SHOW] = cmd_show,
	[CMD_ID_START] = cmd_start,
	[CMD_ID_DONE] = cmd_done,
	[CMD_ID_STOP] = cmd_stop,
	[CMD_ID_SKIP] = cmd_skip,
	[CMD_ID_SNOOZE] = cmd_snooze,
	[CMD_ID_EXTEND] = cmd_extend,
	[CMD_ID_PAUSE] = cmd_pause,
	[CMD_ID_RESUME] = cmd_resume,
	[CMD_ID_RELOAD] = cmd_reload,
	[CMD_ID_VERSION] = cmd_version,
	[CMD_ID_WATCH] = cmd_watch,
	[CMD_ID_HISTORY] = cmd_history,
	[CMD_ID_STATS] = cmd_stats,
	[CMD_ID_CRAMP] = cmd_cramp,
};

/* {"session": NAME}: the reply names the session the engine acted on. */
static json_object *
session_data(const char *which)
{
	json_object	*data = json_object_new_object();

	if (data != NULL)
		json_object_object_add(data, F_SESSION,
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

/* A handler whose engine call builds the whole reply's data. */
static enum result
built(json_object *o, json_object **data)
{
	if ((*data = o) == NULL)
		return RES_INTERNAL;
	return RES_SUCCESS;
}

/* The whole state in one object, built by the engine; quiet hours also
 * say when they end, and the next firing whether it will be held, so a
 * person knows what to expect. */
static enum result
cmd_status(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	const struct routine	*rt = engine_routine(ctx->engine);
	json_object		*q, *next, *at;
	const char		*held;

	(void)a;
	(void)cause;
	if ((*data = engine_status(ctx->engine)) == NULL)
		return RES_INTERNAL;
	if (rt != NULL && rt->has_quiet &&
	    json_object_object_get_ex(*data, F_QUIET, &q) &&
	    json_object_get_boolean(q))
		json_object_object_add(*data, F_QUIET_UNTIL_US,
		    json_object_new_int64(engine_next_tod(rt->quiet_end)));
	if (json_object_object_get_ex(*data, F_NEXT, &next) &&
	    json_object_is_type(next, json_type_object) &&
	    json_object_object_get_ex(next, F_AT_US, &at)) {
		held = engine_held_by(ctx->engine, json_object_get_int64(at));
		json_object_object_add(next, F_HELD_BY, held != NULL ?
		    json_object_new_string(held) : NULL);
	}
	if (ctx->state != NULL)
		state_describe(ctx->state, *data);
	return RES_SUCCESS;
}

/* The count was checked by the table's parser. */
static enum result
cmd_agenda(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	(void)cause;
	return built(engine_agenda(ctx->engine, a->count), data);
}

/* Every session, timed and on demand (daemon/engine_list.c). */
static enum result
cmd_list(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	(void)a;
	(void)cause;
	return built(engine_list(ctx->engine), data);
}

/* One session's definition and state, or why there is none. */
static enum result
cmd_show(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	return engine_show(ctx->engine, a->name, data, cause);
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

	if ((r = fn(ctx->engine, ORIGIN_CLIENT, name, &which, cause)) !=
	    RES_SUCCESS)
		return r;
	return built(session_data(which), data);
}

/* Without a name the engine starts the one due prompt, or refuses naming
 * them when several are due. */
static enum result
cmd_start(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	return session_action(ctx, a->name, engine_start, data, cause);
}

/* done, stop and skip only differ by their engine call and event. */
static enum result
cmd_done(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	return session_action(ctx, a->name, engine_done, data, cause);
}

/* stop abandons; the engine says which session when none is named. */
static enum result
cmd_stop(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	return session_action(ctx, a->name, engine_stop, data, cause);
}

/* skip covers a due session and the next firing of a scheduled one. */
static enum result
cmd_skip(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	return session_action(ctx, a->name, engine_skip, data, cause);
}

/* After an action that succeeded (r), a reply naming the session and the
 * instant it set (a snooze's end, a running session's new end). */
static enum result
session_until(enum result r, const char *which, int64_t until_us,
    json_object **data)
{
	if (r != RES_SUCCESS)
		return r;
	if ((*data = session_data(which)) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, F_UNTIL_US,
	    json_object_new_int64(until_us));
	return RES_SUCCESS;
}

/* dur_s 0 asks for the routine's default snooze. */
static enum result
cmd_snooze(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	const char	*which = NULL;
	int64_t		 until_us = 0;
	enum result	 r;

	r = engine_snooze(ctx->engine, ORIGIN_CLIENT, a->name, a->dur_s,
	    &until_us, &which, cause);
	return session_until(r, which, until_us, data);
}

/* The reply names the session and its new end. */
static enum result
cmd_extend(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	const char	*which = NULL;
	int64_t		 end_us = 0;
	enum result	 r;

	r = engine_extend(ctx->engine, ORIGIN_CLIENT, a->name, a->dur_s,
	    &end_us, &which, cause);
	return session_until(r, which, end_us, data);
}

/* Nothing: indefinitely; DURATION: from now; "until HH:MM": the next such
 * local time, which the engine computes across DST. */
static enum result
cmd_pause(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	int64_t		 until_us = 0;
	enum result	 r;

	if (a->name != NULL)
		return session_action(ctx, a->name, engine_pause_run, data,
		    cause);
	if (a->until)
		until_us = engine_next_tod(a->until_sod);
	else if (a->dur_s > 0)
		until_us = now_us() + a->dur_s * 1000000;
	if ((r = engine_pause(ctx->engine, ORIGIN_CLIENT, until_us, cause)) !=
	    RES_SUCCESS)
		return r;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, F_UNTIL_US,
	    json_object_new_int64(until_us));
	return RES_SUCCESS;
}

/* resume of prompts has nothing to say but success, so it replies {};
 * resume NAME names the session. */
static enum result
cmd_resume(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	enum result	r;

	if (a->name != NULL)
		return session_action(ctx, a->name, engine_resume_run, data,
		    cause);
	if ((r = engine_resume(ctx->engine, ORIGIN_CLIENT, cause)) !=
	    RES_SUCCESS)
		return r;
	return built(json_object_new_object(), data);
}

/* A refused reload still replies with data: the list of errors is what
 * the user needs to fix the file. */
static enum result
cmd_reload(struct cmd_ctx *ctx, const struct cmd_args *args,
    json_object **data, char **cause)
{
	const struct routine	*rt;
	struct errlist		 errs;
	json_object		*a;
	enum result		 r;

	(void)args;
	errlist_init(&errs);
	r = systemd_reload(ctx->engine, ORIGIN_CLIENT, &errs); /* and systemd */
	if ((*data = json_object_new_object()) == NULL) {
		errlist_free(&errs);
		return RES_INTERNAL;
	}
	if (r == RES_SUCCESS) {
		rt = engine_routine(ctx->engine);
		json_object_object_add(*data, F_SOURCE, rt != NULL ?
		    json_object_new_string(rt->source) : NULL);
		json_object_object_add(*data, F_SESSIONS,
		    json_object_new_int64(rt != NULL ?
		    (int64_t)rt->nsessions : 0));
	} else {
		if ((a = json_object_new_array()) != NULL) {
			for (size_t i = 0; i < errs.n; i++)
				json_object_array_add(a,
				    json_object_new_string(errs.msgs[i]));
		}
		json_object_object_add(*data, F_ERRORS, a);
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
cmd_version(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	(void)ctx;
	(void)a;
	(void)cause;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, F_VERSION,
	    json_object_new_string(CALF_VERSION));
	json_object_object_add(*data, F_PROTOCOL,
	    json_object_new_int(PROTO_VERSION));
	json_object_object_add(*data, F_PID, json_object_new_int64(getpid()));
	return RES_SUCCESS;
}

/* The subscription itself is the connection's business (control.c). */
static enum result
cmd_watch(struct cmd_ctx *ctx, const struct cmd_args *a, json_object **data,
    char **cause)
{
	(void)a;
	(void)cause;
	ctx->watch = true;
	return built(json_object_new_object(), data);
}

/* A word is a session name when the routine running has it. */
static bool
is_session(const char *name, void *arg)
{
	const struct routine	*rt = engine_routine(arg);

	return rt != NULL && routine_find(rt, name) != NULL;
}

/* Whether calfd answers the command id (for the table's tests). */
bool
commands_handles(int id)
{
	return (unsigned)id < CMD_ID__COUNT && handlers[id] != NULL;
}

/* One lookup, one parse, one handler: the reply is built here so every
 * command answers in the same shape. */
json_object *
commands_run(struct cmd_ctx *ctx, const struct request *req)
{
	const struct cmd_def	*d = cmdtab_find(req->argv[0]);
	struct cmd_args		 args;
	json_object		*data = NULL, *reply;
	char			*cause = NULL, names[256];
	enum result		 r;

	if (d == NULL || handlers[d->id] == NULL) {
		r = RES_UNKNOWN_COMMAND;
		cmdtab_names(true, names, sizeof names);
		cause = msgf("unknown command \"%s\" (commands: %s)",
		    req->argv[0], names);
	} else if ((r = cmdtab_parse(d, req->argc - 1, req->argv + 1,
	    ctx->engine != NULL ? is_session : NULL, ctx->engine, &args,
	    &cause)) == RES_SUCCESS)
		r = handlers[d->id](ctx, &args, &data, &cause);

	reply = reply_new(req, r, cause, data);
	free(cause);
	return reply;
}
