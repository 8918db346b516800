/*
 * history_cmd.c: the control commands that read and add to the history:
 * history, stats and cramp (doc/PROTOCOL.md). Their arguments are the
 * words calfctl was given ("--days", "7", ...), checked here, so the
 * daemon is the one judge of them.
 */
#include "daemon/history_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errlist.h"
#include "common/history.h"
#include "common/sched.h"
#include "common/timeutil.h"
#include "daemon/history.h"

#define HISTORY_DAYS	7
#define STATS_DAYS	30
#define MAX_DAYS	3660
#define MAX_STATS_DAYS	366	/* the scheduler walks every firing */
#define MAX_NOTE	200
#define US		1000000LL

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US + ts.tv_nsec / 1000;
}

/* "--days N": 1 to max. */
static enum result
parse_days(const char *s, int max, int *days, char **cause)
{
	size_t	len = strlen(s);

	if (len == 0 || len > 4 || strspn(s, "0123456789") != len ||
	    (*days = atoi(s)) < 1 || *days > max) {
		*cause = msgf("--days \"%s\" must be a number from 1 to %d", s,
		    max);
		return RES_USAGE;
	}
	return RES_SUCCESS;
}

/* Words as "--key value" pairs; each key once, from `keys`. */
static enum result
parse_pairs(int argc, const char *const *argv, const char *const *keys,
    const char **vals, char **cause)
{
	for (int i = 0; i < argc; i += 2) {
		size_t	k;

		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(argv[i], keys[k]) == 0)
				break;
		if (keys[k] == NULL) {
			*cause = msgf("unknown option \"%s\"", argv[i]);
			return RES_USAGE;
		}
		if (i + 1 == argc) {
			*cause = msgf("%s needs a value", argv[i]);
			return RES_USAGE;
		}
		if (vals[k] != NULL) {
			*cause = msgf("%s given twice", argv[i]);
			return RES_USAGE;
		}
		vals[k] = argv[i + 1];
	}
	return RES_SUCCESS;
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
	json_object_object_add(data, "folder",
	    json_object_new_string(history_dir()));
	json_object_object_add(data, "device",
	    json_object_new_string(history_device()));
	json_object_object_add(data, "files", json_object_new_int64(files));
	json_object_object_add(data, "skipped_lines",
	    json_object_new_int64((int64_t)info.bad));
	json_object_object_add(data, "newer_lines",
	    json_object_new_int64((int64_t)info.newer));
	return RES_SUCCESS;
}

enum result
cmd_history(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	static const char *const keys[] = { "--days", "--session", NULL };
	const char		*vals[3] = { NULL };
	struct hist_list	 l;
	json_object		*a;
	int			 days = HISTORY_DAYS;
	int64_t			 from;
	enum result		 r;

	(void)ctx;
	if ((r = parse_pairs(argc, argv, keys, vals, cause)) != RES_SUCCESS ||
	    (vals[0] != NULL && (r = parse_days(vals[0], MAX_DAYS, &days,
	    cause)) != RES_SUCCESS))
		return r;
	if ((*data = json_object_new_object()) == NULL)
		return RES_INTERNAL;
	if ((r = read_all(&l, *data, cause)) != RES_SUCCESS)
		return r;
	from = period_start(days);
	hist_filter(&l, from, INT64_MAX, vals[1]);
	json_object_object_add(*data, "from_us", json_object_new_int64(from));
	json_object_object_add(*data, "days", json_object_new_int(days));
	a = json_object_new_array();
	for (size_t i = 0; a != NULL && i < l.n; i++)
		json_object_array_add(a, hist_rec_to_json(&l.v[i]));
	json_object_object_add(*data, "records", a);
	hist_list_free(&l);
	return a != NULL ? RES_SUCCESS : RES_INTERNAL;
}

enum result
cmd_stats(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	static const char *const keys[] = { "--days", NULL };
	const char		*vals[2] = { NULL };
	const struct routine	*rt = history_engine_routine(ctx->engine);
	struct hist_list	 l;
	struct hist_stats	 st;
	json_object		*o, *info;
	int			 days = STATS_DAYS;
	enum result		 r;

	if ((r = parse_pairs(argc, argv, keys, vals, cause)) != RES_SUCCESS ||
	    (vals[0] != NULL && (r = parse_days(vals[0], MAX_STATS_DAYS, &days,
	    cause)) != RES_SUCCESS))
		return r;
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
	json_object_object_foreach(info, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(info);
	*data = o;
	return RES_SUCCESS;
}

/* --at: an instant (ISO 8601, @EPOCH) or HH:MM, the last such local time
 * (so "03:10" logged at breakfast means last night). Never the future. */
static enum result
parse_at(const char *s, int64_t now, int64_t *at, char **cause)
{
	const char	*err;
	time_t		 t;
	int		 sod;
	int64_t		 day;

	if (tod_parse(s, &sod, &err) == 0) {
		day = sched_local_day((time_t)(now / US));
		for (int i = 0; i < 3; i++, day--) {
			if (sched_local_instant(day, sod, &t) == 0 &&
			    (int64_t)t * US <= now) {
				*at = (int64_t)t * US;
				return RES_SUCCESS;
			}
		}
	} else if (instant_parse(s, &t, &err) == 0) {
		*at = (int64_t)t * US;
		if (*at > now + 60 * US) {
			*cause = msgf("--at %s is in the future", s);
			return RES_USAGE;
		}
		return RES_SUCCESS;
	}
	*cause = msgf("--at \"%s\": expected HH:MM or an instant like "
	    "2026-03-29T03:10+02:00", s);
	return RES_USAGE;
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* One cramp: when, which leg, a note. */
static enum result
cramp_log(int argc, const char *const *argv, json_object **data,
    char **cause)
{
	static const char *const keys[] = { "--at", "--leg", "--note", NULL };
	const char	*vals[4] = { NULL };
	struct hist_rec	 r;
	int64_t		 now = now_us();
	enum result	 res;

	if ((res = parse_pairs(argc, argv, keys, vals, cause)) != RES_SUCCESS)
		return res;
	memset(&r, 0, sizeof r);
	r.event = HE_CRAMP;
	r.at_us = now;
	r.duration_s = -1;
	if (vals[0] != NULL &&
	    (res = parse_at(vals[0], now, &r.at_us, cause)) != RES_SUCCESS)
		return res;
	if (vals[1] != NULL && strcmp(vals[1], "left") != 0 &&
	    strcmp(vals[1], "right") != 0 && strcmp(vals[1], "both") != 0) {
		*cause = msgf("--leg \"%s\": expected left, right or both",
		    vals[1]);
		return RES_USAGE;
	}
	if (vals[2] != NULL && (strlen(vals[2]) > MAX_NOTE ||
	    !printable(vals[2]))) {
		*cause = msgf("--note: at most %d characters on one line",
		    MAX_NOTE);
		return RES_USAGE;
	}
	r.leg = (char *)vals[1];
	r.note = (char *)vals[2];
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
	json_object_object_add(*data, "session",
	    json_object_new_string(HIST_CRAMP_SESSION));
	return RES_SUCCESS;
}

/* The test's answer is recorded, and ends the check if it still runs. */
static enum result
cramp_result(struct cmd_ctx *ctx, const char *word, json_object **data,
    char **cause)
{
	const struct routine	*rt = history_engine_routine(ctx->engine);
	const struct session	*s;
	struct hist_rec		 r;
	char			*ignored = NULL;

	memset(&r, 0, sizeof r);
	if (strcmp(word, "relieved") == 0)
		r.relieved = true;
	else if (strcmp(word, "not-relieved") != 0) {
		*cause = msgf("cramp result \"%s\": expected relieved or "
		    "not-relieved", word);
		return RES_USAGE;
	}
	s = rt != NULL ? routine_find(rt, HIST_CRAMP_SESSION) : NULL;
	r.event = HE_CRAMP_TEST;
	r.session = HIST_CRAMP_SESSION;
	r.title = s != NULL ? s->title : NULL;
	r.at_us = now_us();
	r.due_us = history_check_started_us();
	r.duration_s = r.due_us != 0 ? (r.at_us - r.due_us) / US : -1;
	if (history_add(&r, cause) == -1)
		return RES_INTERNAL;
	if ((*data = hist_rec_to_json(&r)) == NULL)
		return RES_INTERNAL;
	/* Not running (it finished, or was never started): nothing to end. */
	if (s != NULL)
		history_engine_done(ctx->engine, HIST_CRAMP_SESSION, &ignored);
	free(ignored);
	return RES_SUCCESS;
}

enum result
cmd_cramp(struct cmd_ctx *ctx, int argc, const char *const *argv,
    json_object **data, char **cause)
{
	if (argc >= 1 && strcmp(argv[0], "test") == 0) {
		if (argc != 1) {
			*cause = msgf("usage: cramp test");
			return RES_USAGE;
		}
		return cramp_test(ctx, data, cause);
	}
	if (argc >= 1 && strcmp(argv[0], "result") == 0) {
		if (argc != 2) {
			*cause = msgf("usage: cramp result relieved|"
			    "not-relieved");
			return RES_USAGE;
		}
		return cramp_result(ctx, argv[1], data, cause);
	}
	return cramp_log(argc, argv, data, cause);
}
