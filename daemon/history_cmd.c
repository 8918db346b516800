/*
 * history_cmd.c: the control commands that read and add to the history:
 * history, stats and cramp (doc/PROTOCOL.md). Their arguments come
 * parsed by the command table (common/cmdtab.c), like every command's.
 */
#include "daemon/history_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cmdtab.h"
#include "common/errlist.h"
#include "common/history.h"
#include "common/sched.h"
#include "common/timeutil.h"
#include "daemon/history.h"

#define US		1000000LL

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US + ts.tv_nsec / 1000;
}

/* Local midnight `days - 1` days before today, as epoch us. */
static int64_t
period_start(int days)
{
	time_t	t;
	int64_t	day = sched_local_day(time(NULL)) - days + 1;

	if (sched_local_instant(day, 0, &t) == -1)
		t = (time_t)(day * SECS_PER_DAY);
	return (int64_t)t * US;
}

static enum result
read_all(struct hist_list *l, json_object *data, char **cause)
{
	struct hist_load	info;
	unsigned		files;

	hist_list_init(l);
	if (history_dir() == NULL) {
		*cause = msgf("history is off");
		return RES_INTERNAL;
	}
	if (history_read(l, &info, &files) == -1) {
		hist_list_free(l);
		return RES_INTERNAL;
	}
	json_object_object_add(data, F_FOLDER,
	    json_object_new_string(history_dir()));
	json_object_object_add(data, F_DEVICE,
	    json_object_new_string(history_device()));
	json_object_object_add(data, F_FILES, json_object_new_int64(files));
	json_object_object_add(data, F_SKIPPED_LINES,
	    json_object_new_int64((int64_t)info.bad));
	json_object_object_add(data, F_NEWER_LINES,
	    json_object_new_int64((int64_t)info.newer));
	return RES_SUCCESS;
}

enum result
cmd_history(struct cmd_ctx *ctx, const struct cmd_args *args,
    json_object **data, char **cause)
{
	struct hist_list	 l;
	json_object		*a;
	int			 days = args->days;
	int64_t			 from;
	enum result		 r;

	(void)ctx;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	if ((r = read_all(&l, *data, cause)) != RES_SUCCESS)
		return r;
	from = period_start(days);
	hist_filter(&l, from, INT64_MAX, args->name);
	json_object_object_add(*data, F_FROM_US, json_object_new_int64(from));
	json_object_object_add(*data, F_DAYS, json_object_new_int(days));
	a = json_object_new_array();
	for (size_t i = 0; a != NULL && i < l.n; i++)
		json_object_array_add(a, hist_rec_to_json(&l.v[i]));
	json_object_object_add(*data, F_RECORDS, a);
	hist_list_free(&l);
	return a != NULL ? RES_SUCCESS : RES_INTERNAL;
}

enum result
cmd_stats(struct cmd_ctx *ctx, const struct cmd_args *args,
    json_object **data, char **cause)
{
	const struct routine	*rt = history_engine_routine(ctx->engine);
	struct hist_list	 l;
	struct hist_stats	 st;
	json_object		*o, *info;
	int			 days = args->days;
	enum result		 r;

	if (rt == NULL)
		return RES_INTERNAL;
	if ((info = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	if ((r = read_all(&l, info, cause)) != RES_SUCCESS) {
		json_object_put(info);
		return r;
	}
	if (hist_stats(rt, &l, time(NULL), days, &st) == -1) {
		hist_list_free(&l);
		json_object_put(info);
		return RES_INTERNAL;
	}
	o = hist_stats_to_json(&st);
	hist_stats_free(&st);
	hist_list_free(&l);
	if (o == NULL) {
		json_object_put(info);
		return RES_INTERNAL;
	}
	json_object_object_foreach(info, k, v) {
		json_object_object_add(o, k, json_object_get(v));
	}
	json_object_put(info);
	*data = o;
	return RES_SUCCESS;
}

/* --at as the table parsed it: HH:MM is the last such local time (so
 * "03:10" logged at breakfast means last night); an instant must not be
 * in the future. */
static enum result
resolve_at(const struct cmd_args *args, int64_t now, int64_t *at,
    char **cause)
{
	time_t		 t;
	int64_t		 day;

	if (args->at_sod >= 0) {
		day = sched_local_day((time_t)(now / US));
		for (int i = 0; i < 3; i++, day--) {
			if (sched_local_instant(day, args->at_sod, &t) == 0 &&
			    (int64_t)t * US <= now) {
				*at = (int64_t)t * US;
				return RES_SUCCESS;
			}
		}
		*cause = msgf(OPT_AT ": no such local time in the last days");
		return RES_USAGE;
	}
	*at = args->at_s * US;
	if (*at > now + 60 * US) {
		*cause = msgf(OPT_AT " is in the future");
		return RES_USAGE;
	}
	return RES_SUCCESS;
}

/* One cramp: when, which leg, a note. */
static enum result
cramp_log(const struct cmd_args *args, json_object **data, char **cause)
{
	struct hist_rec	 r;
	int64_t		 now = now_us();
	enum result	 res;

	memset(&r, 0, sizeof r);
	r.event = HE_CRAMP;
	r.at_us = now;
	r.duration_s = -1;
	if (args->has_at &&
	    (res = resolve_at(args, now, &r.at_us, cause)) != RES_SUCCESS)
		return res;
	r.leg = (char *)args->leg;
	r.note = (char *)args->note;
	if (history_add(&r, cause) == -1)
		return RES_INTERNAL;
	if ((*data = hist_rec_to_json(&r)) == NULL)
		return RES_INTERNAL;
	return RES_SUCCESS;
}

/* The warm-water check is the cramp-check session of the routine. */
static enum result
cramp_test(struct cmd_ctx *ctx, json_object **data, char **cause)
{
	const struct routine	*rt = history_engine_routine(ctx->engine);
	enum result		 r;

	if (rt == NULL || routine_find(rt, HIST_CRAMP_SESSION) == NULL) {
		*cause = msgf("the routine has no [%s] session; copy it from "
		    "the default routine.ini", HIST_CRAMP_SESSION);
		return RES_UNKNOWN_SESSION;
	}
	r = history_engine_start(ctx->engine, HIST_CRAMP_SESSION, cause);
	if (r != RES_SUCCESS)
		return r;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	json_object_object_add(*data, F_SESSION,
	    json_object_new_string(HIST_CRAMP_SESSION));
	return RES_SUCCESS;
}

/* The test's answer is recorded, and ends the check if it still runs:
 * `calfctl cramp result` and the notification's buttons both come here.
 * The check is the session named HIST_CRAMP_SESSION, whoever started it. */
enum result
history_cramp_result(struct engine *e, enum event_origin origin,
    bool relieved, json_object **data, char **cause)
{
	const struct routine	*rt = history_engine_routine(e);
	const struct session	*s;
	struct hist_rec		 r;
	char			*ignored = NULL;

	memset(&r, 0, sizeof r);
	r.relieved = relieved;
	s = rt != NULL ? routine_find(rt, HIST_CRAMP_SESSION) : NULL;
	r.event = HE_CRAMP_TEST;
	r.session = HIST_CRAMP_SESSION;
	r.title = s != NULL ? s->title : NULL;
	r.at_us = now_us();
	r.due_us = history_check_started_us();
	r.duration_s = r.due_us != 0 ? (r.at_us - r.due_us) / US : -1;
	if (history_add(&r, cause) == -1)
		return RES_INTERNAL;
	if (data != NULL && (*data = hist_rec_to_json(&r)) == NULL)
		return RES_INTERNAL;
	/* Not running (it finished, or was never started): nothing to end. */
	if (s != NULL)
		history_engine_done(e, origin, HIST_CRAMP_SESSION, &ignored);
	free(ignored);
	return RES_SUCCESS;
}

enum result
cmd_cramp(struct cmd_ctx *ctx, const struct cmd_args *args,
    json_object **data, char **cause)
{
	switch (args->cramp) {
	case CRAMP_TEST:
		return cramp_test(ctx, data, cause);
	case CRAMP_RESULT:
		return history_cramp_result(ctx->engine, ORIGIN_CLIENT,
		    args->relieved, data, cause);
	case CRAMP_LOG:
		break;
	}
	return cramp_log(args, data, cause);
}
