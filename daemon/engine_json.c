/*
 * engine_json.c: the engine's state as JSON, for `status` and `agenda`
 * (doc/PROTOCOL.md describes both shapes), and the put_* helpers that
 * engine_list.c's `list` and `show` build with too.
 */
#include "daemon/engine_int.h"

#include <stdlib.h>

#include "common/timeutil.h"

void
put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

void
put_i64(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static json_object *
running_json(const struct run *run, int64_t now_boot)
{
	json_object	*o = json_object_new_object();
	int64_t		 next;

	put_str(o, F_SESSION, run->s->name);
	put_str(o, F_TITLE, session_title(run->s));
	put_i64(o, F_STARTED_US, run->start_wall_us);
	(void)now_boot;
	put_i64(o, F_ELAPSED_US, run_elapsed_us(run));
	json_object_object_add(o, F_PAUSED,
	    json_object_new_boolean(run->halted));
	put_i64(o, F_MIN_US, run_dur_min(run) * US);
	put_i64(o, F_MAX_US, run_dur_max(run) * US);
	next = !run->halted && run->mark < run_dur_max(run) ? run->start_wall_us +
	    run->mark * US : 0;
	if (next != 0)
		put_i64(o, F_NEXT_CUE_US, next);
	else
		json_object_object_add(o, F_NEXT_CUE_US, NULL);
	return o;
}

static json_object *
pending_json(const struct run *run)
{
	json_object	*o = json_object_new_object();

	put_str(o, F_SESSION, run->s->name);
	put_str(o, F_TITLE, session_title(run->s));
	put_str(o, F_STATE, run_state_name(run->state));
	put_i64(o, F_DUE_US, run->due_us);
	put_i64(o, F_UNTIL_US, run->state == RUN_SNOOZED ?
	    run->snooze_until_us : 0);
	put_i64(o, F_EXPIRES_US, run->state == RUN_SNOOZED ? 0 :
	    run->expires_us);
	return o;
}

static json_object *
firing_json(const struct routine *r, const struct firing *f)
{
	json_object		*o = json_object_new_object();
	const struct session	*s = &r->sessions[f->session];
	char			 buf[INSTANT_BUFSZ];

	put_str(o, F_SESSION, s->name);
	put_str(o, F_TITLE, session_title(s));
	put_i64(o, F_AT_US, (int64_t)f->at * US);
	put_str(o, F_AT, instant_format(f->at, buf, sizeof buf));
	return o;
}

/* The next firing that will really prompt: skipped ones are left out. */
static int
next_real(struct engine *e, time_t now, struct firing *out)
{
	struct firing	 fs[64];
	ssize_t		 n = sched_agenda(e->r, now, fs, 64);

	for (ssize_t i = 0; i < n; i++) {
		const struct run *run = e->runs[fs[i].session];
		if (fs[i].at <= run->last_fired)
			continue;
		if (run->skip_next && run->skip_at == fs[i].at)
			continue;
		*out = fs[i];
		return 0;
	}
	return -1;
}

json_object *
engine_status(struct engine *e)
{
	json_object	*o = json_object_new_object();
	json_object	*running = json_object_new_array();
	json_object	*due = json_object_new_array();
	int64_t		 now = wall_now().us, nb = boot_now().us;
	struct firing	 f;

	put_i64(o, F_NOW_US, now);
	put_str(o, F_SOURCE, e->r->source);
	for (size_t i = 0; i < e->r->nsessions; i++) {
		const struct run *run = e->runs[i];
		if (run->state == RUN_RUNNING)
			json_object_array_add(running, running_json(run, nb));
		else if (run->state != RUN_IDLE)
			json_object_array_add(due, pending_json(run));
	}
	json_object_object_add(o, F_RUNNING, running);
	json_object_object_add(o, F_DUE, due);
	if (next_real(e, (time_t)(now / US), &f) == 0)
		json_object_object_add(o, F_NEXT, firing_json(e->r, &f));
	else
		json_object_object_add(o, F_NEXT, NULL);
	json_object_object_add(o, F_PAUSED, json_object_new_boolean(e->paused));
	put_i64(o, F_PAUSED_UNTIL_US, e->pause_until_us);
	json_object_object_add(o, F_QUIET, json_object_new_boolean(e->quiet));
	return o;
}

json_object *
engine_agenda(struct engine *e, size_t n)
{
	json_object	*o = json_object_new_object();
	json_object	*a = json_object_new_array();
	struct firing	*fs = calloc(n + 1, sizeof *fs);
	time_t		 now = (time_t)(wall_now().us / US);
	ssize_t		 got;

	if (fs == NULL)
		return NULL;
	got = sched_agenda(e->r, now, fs, n);
	for (ssize_t i = 0; i < got; i++) {
		const struct run	*run = e->runs[fs[i].session];
		json_object		*fo = firing_json(e->r, &fs[i]);

		/* Said already (a backward step) or skipped: shown, marked. */
		json_object_object_add(fo, F_SKIPPED, json_object_new_boolean(
		    fs[i].at <= run->last_fired ||
		    (run->skip_next && run->skip_at == fs[i].at)));
		json_object_array_add(a, fo);
	}
	free(fs);
	json_object_object_add(o, F_AGENDA, a);
	return o;
}
