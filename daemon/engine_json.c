/*
 * engine_json.c: the engine's state as JSON, for `status` and `agenda`
 * (doc/PROTOCOL.md describes both shapes).
 */
#include "daemon/engine_int.h"

#include <stdlib.h>

#include "common/timeutil.h"

static void
add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

static void
add_i64(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static json_object *
running_json(const struct run *run, int64_t now_boot)
{
	json_object	*o = json_object_new_object();
	int64_t		 next;

	add_str(o, "session", run->s->name);
	add_str(o, "title", session_title(run->s));
	add_i64(o, "started_us", run->start_wall_us);
	add_i64(o, "elapsed_us", now_boot - run->start_boot.us);
	add_i64(o, "min_us", run->s->dur_min * US);
	add_i64(o, "max_us", run->s->dur_max * US);
	next = run->mark < run->s->dur_max ? run->start_wall_us +
	    run->mark * US : 0;
	if (next != 0)
		add_i64(o, "next_cue_us", next);
	else
		json_object_object_add(o, "next_cue_us", NULL);
	return o;
}

static json_object *
pending_json(const struct run *run)
{
	json_object	*o = json_object_new_object();

	add_str(o, "session", run->s->name);
	add_str(o, "title", session_title(run->s));
	add_str(o, "state", run_state_name(run->state));
	add_i64(o, "due_us", run->due_us);
	add_i64(o, "until_us", run->state == RUN_SNOOZED ?
	    run->snooze_until_us : 0);
	add_i64(o, "expires_us", run->state == RUN_SNOOZED ? 0 :
	    run->expires_us);
	return o;
}

static json_object *
firing_json(const struct routine *r, const struct firing *f)
{
	json_object		*o = json_object_new_object();
	const struct session	*s = &r->sessions[f->session];
	char			 buf[INSTANT_BUFSZ];

	add_str(o, "session", s->name);
	add_str(o, "title", session_title(s));
	add_i64(o, "at_us", (int64_t)f->at * US);
	add_str(o, "at", instant_format(f->at, buf, sizeof buf));
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

	add_i64(o, "now_us", now);
	add_str(o, "source", e->r->source);
	for (size_t i = 0; i < e->r->nsessions; i++) {
		const struct run *run = e->runs[i];
		if (run->state == RUN_RUNNING)
			json_object_array_add(running, running_json(run, nb));
		else if (run->state != RUN_IDLE)
			json_object_array_add(due, pending_json(run));
	}
	json_object_object_add(o, "running", running);
	json_object_object_add(o, "due", due);
	if (next_real(e, (time_t)(now / US), &f) == 0)
		json_object_object_add(o, "next", firing_json(e->r, &f));
	else
		json_object_object_add(o, "next", NULL);
	json_object_object_add(o, "paused", json_object_new_boolean(e->paused));
	add_i64(o, "paused_until_us", e->pause_until_us);
	json_object_object_add(o, "quiet", json_object_new_boolean(e->quiet));
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
		json_object_object_add(fo, "skipped", json_object_new_boolean(
		    fs[i].at <= run->last_fired ||
		    (run->skip_next && run->skip_at == fs[i].at)));
		json_object_array_add(a, fo);
	}
	free(fs);
	json_object_object_add(o, "agenda", a);
	return o;
}
