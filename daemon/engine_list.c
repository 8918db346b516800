/*
 * engine_list.c: the routine as calfd reads it and each session's state,
 * for `list` and `show`. It only reads the engine.
 */
#include "daemon/engine_list.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/engine_int.h"

/* An instant, or null when there is none (0). */
static void
put_us(json_object *o, const char *k, int64_t us)
{
	json_object_object_add(o, k, us != 0 ? json_object_new_int64(us) :
	    NULL);
}

static json_object *
tod_json(int sod)
{
	char	 buf[16];

	return json_object_new_string(tod_format(sod, buf, sizeof buf));
}

/* When it fires: "times", or "every_s" with "between", and "days". */
static void
when_json(json_object *o, const struct session *s)
{
	json_object	*a;
	char		 buf[64];

	json_object_object_add(o, F_ON_DEMAND,
	    json_object_new_boolean(s->ntimes == 0));
	if (s->every != 0) {
		put_i64(o, F_EVERY_S, s->every);
		a = json_object_new_array();
		json_object_array_add(a, tod_json(s->between_start));
		json_object_array_add(a, tod_json(s->between_end));
		json_object_object_add(o, F_BETWEEN, a);
	} else {
		a = json_object_new_array();
		for (size_t i = 0; i < s->ntimes; i++)
			json_object_array_add(a, tod_json(s->times[i]));
		json_object_object_add(o, F_TIMES, a);
	}
	if (s->ntimes != 0) {
		days_describe(s->days, buf, sizeof buf);
		put_str(o, F_DAYS, buf);
	} else
		json_object_object_add(o, F_DAYS, NULL);
}

/* The next firing that has not been handled, marked when it is skipped. */
static void
next_json(json_object *o, const struct run *run, time_t now)
{
	struct firing	 f;
	json_object	*n;
	char		 buf[INSTANT_BUFSZ];
	time_t		 from = run->last_fired > now ? run->last_fired : now;

	if (sched_next(run->s, run->idx, from, SIZE_MAX, &f) == -1) {
		json_object_object_add(o, F_NEXT, NULL);
		return;
	}
	n = json_object_new_object();
	put_i64(n, F_AT_US, (int64_t)f.at * US);
	put_str(n, F_AT, instant_format(f.at, buf, sizeof buf));
	json_object_object_add(n, F_SKIPPED, json_object_new_boolean(
	    run->skip_next && run->skip_at == f.at));
	json_object_object_add(o, F_NEXT, n);
}

/* What list shows of one session. */
static json_object *
session_json(const struct run *run, time_t now)
{
	const struct session	*s = run->s;
	json_object		*o = json_object_new_object();

	put_str(o, F_SESSION, s->name);
	put_str(o, F_TITLE, session_title(s));
	when_json(o, s);
	put_i64(o, F_DUR_MIN_S, s->dur_min);
	put_i64(o, F_DUR_MAX_S, s->dur_max);
	put_str(o, F_STATE, run_state_name(run->state));
	json_object_object_add(o, F_HELD,
	    json_object_new_boolean(run->state == RUN_HELD));
	next_json(o, run, now);
	return o;
}

json_object *
engine_list(struct engine *e)
{
	json_object	*o = json_object_new_object();
	json_object	*a = json_object_new_array();
	int64_t		 now = wall_now().us;

	if (o == NULL || a == NULL) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	put_i64(o, F_NOW_US, now);
	put_str(o, F_SOURCE, e->r->source);
	for (size_t i = 0; i < e->r->nsessions; i++)
		json_object_array_add(a, session_json(e->runs[i],
		    (time_t)(now / US)));
	json_object_object_add(o, F_SESSIONS, a);
	return o;
}

/* The rest of the definition: words, cues, start mode and limits. */
static void
definition_json(json_object *o, const struct session *s)
{
	json_object	*cues = json_object_new_array();

	put_str(o, F_PROMPT, s->prompt);
	put_str(o, F_FINISH, s->finish);
	put_str(o, F_START, s->start == START_AUTO ? "auto" : "manual");
	put_i64(o, F_REMIND_S, s->remind);
	put_i64(o, F_WINDOW_S, s->window);
	json_object_object_add(o, F_TEMPERATURE, s->has_temperature ?
	    json_object_new_int(s->temperature) : NULL);
	for (size_t i = 0; i < s->ncues; i++) {
		json_object	*c = json_object_new_object();

		put_i64(c, F_AT_S, s->cues[i].at);
		put_i64(c, F_EVERY_S, s->cues[i].every);
		put_str(c, F_TEXT, s->cues[i].text);
		json_object_array_add(cues, c);
	}
	json_object_object_add(o, F_CUES, cues);
	put_i64(o, F_LINE, s->line);
}

/* Its state now: the instants that matter for that state. */
static void
state_json(json_object *o, const struct run *run)
{
	bool	 pending = run_is_pending(run);

	put_us(o, F_DUE_US, pending ? run->due_us : 0);
	put_us(o, F_UNTIL_US, run->state == RUN_SNOOZED ?
	    run->snooze_until_us : 0);
	put_us(o, F_EXPIRES_US, pending && run->state != RUN_SNOOZED ?
	    run->expires_us : 0);
	put_us(o, F_STARTED_US, run->state == RUN_RUNNING ?
	    run->start_wall_us : 0);
	if (run->state == RUN_RUNNING)
		put_i64(o, F_ELAPSED_US, run_elapsed_us(run));
	else
		json_object_object_add(o, F_ELAPSED_US, NULL);
	put_us(o, F_SKIP_NEXT_US, run->skip_next ?
	    (int64_t)run->skip_at * US : 0);
}

const char *
engine_held_by(struct engine *e, int64_t at_us)
{
	if (e->paused && (e->pause_until_us == 0 ||
	    e->pause_until_us > at_us))
		return F_PAUSED;
	if (sched_in_quiet(e->r, (time_t)(at_us / US)))
		return F_QUIET;
	return NULL;
}

enum result
engine_show(struct engine *e, const char *name, json_object **data,
    char **cause)
{
	int64_t		 now = wall_now().us;
	json_object	*o;

	for (size_t i = 0; i < e->r->nsessions; i++) {
		const struct run	*run = e->runs[i];

		if (strcmp(run->s->name, name) != 0)
			continue;
		if ((o = session_json(run, (time_t)(now / US))) == NULL)
			return RES_INTERNAL;
		put_i64(o, F_NOW_US, now);
		put_str(o, F_SOURCE, e->r->source);
		definition_json(o, run->s);
		state_json(o, run);
		*data = o;
		return RES_SUCCESS;
	}
	return engine_no_such(cause, name);
}
