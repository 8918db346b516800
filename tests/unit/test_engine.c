/*
 * test_engine.c: a whole day of the default routine (config/routine.ini)
 * through the real engine on a fake clock (timer.h), in milliseconds: due,
 * reminders, snooze, the window and missed, start, cues, minimum, finished,
 * done, a reload in the middle of a running session, a skip, a pause, and
 * a restart restored from the state file. A sink checks that every event
 * is emitted after its change: inside its callback for done, finished,
 * missed and skipped the engine already shows the session idle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/routine_file.h"
#include "daemon/engine_int.h"
#include "daemon/events.h"
#include "daemon/log.h"
#include "daemon/say.h"
#include "daemon/state.h"

#define MIN	(60 * US)
#define HOUR	(60 * MIN)
/* Monday 2 March 2026, 00:00 in Europe/Berlin (CET, UTC+1). */
#define DAY0	(1772406000LL * US)

struct rec {
	enum event_kind		 kind;
	char			 session[ROUTINE_MAX_NAME + 1];
	char			 message[512];
	char			 text[256];
	int64_t			 due_us, fired_us, until_us, first_due_us;
	int64_t			 started_us, elapsed_s, dur_min_s, dur_max_s;
	unsigned		 count;
	enum event_origin	 origin;
	enum event_reason	 reason;
	bool			 checked;	/* the sink looked at the engine */
	bool			 idle;		/* ... and saw the session idle */
};

static struct rec	 recs[4096];
static size_t		 nrecs;
static struct engine	*eng;
static struct event_base *base;
static char		 dir[64], path[96];

/* Local instant of day d (0: 2 March) at hh:mm. */
static int64_t
at(int d, int hh, int mm)
{
	return DAY0 + d * 24 * HOUR + hh * HOUR + mm * MIN;
}

static bool
in_list(json_object *a, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object	*x, *s;

		x = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(x, "session", &s) &&
		    strcmp(json_object_get_string(s), name) == 0)
			return true;
	}
	return false;
}

/* Looks at the engine from inside the callback, as a desktop or history
 * sink would: both the insides and the status a client would read. */
static bool
engine_shows_idle(const char *name)
{
	json_object	*st = engine_status(eng), *running, *due;
	bool		 idle = true;

	for (size_t i = 0; i < eng->r->nsessions; i++)
		if (strcmp(eng->runs[i]->s->name, name) == 0 &&
		    eng->runs[i]->state != RUN_IDLE)
			idle = false;
	json_object_object_get_ex(st, "running", &running);
	json_object_object_get_ex(st, "due", &due);
	if (in_list(running, name) || in_list(due, name))
		idle = false;
	json_object_put(st);
	return idle;
}

static void
sink(const struct calf_event *ev, void *arg)
{
	struct rec	*r;

	(void)arg;
	assert_true(nrecs < sizeof recs / sizeof recs[0]);
	r = &recs[nrecs++];
	memset(r, 0, sizeof *r);
	r->kind = ev->kind;
	snprintf(r->session, sizeof r->session, "%s",
	    ev->session != NULL ? ev->session : "");
	snprintf(r->message, sizeof r->message, "%s", ev->message);
	snprintf(r->text, sizeof r->text, "%s",
	    ev->text != NULL ? ev->text : "");
	r->due_us = ev->due_us;
	r->fired_us = ev->fired_us;
	r->until_us = ev->until_us;
	r->first_due_us = ev->first_due_us;
	r->started_us = ev->started_us;
	r->elapsed_s = ev->elapsed_s;
	r->dur_min_s = ev->dur_min_s;
	r->dur_max_s = ev->dur_max_s;
	r->count = ev->count;
	r->origin = ev->origin;
	r->reason = ev->reason;
	/* The wire form carries every field. */
	{
		json_object	*o = event_to_json(ev), *x;

		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "origin", &x));
		assert_string_equal(json_object_get_string(x),
		    event_origin_name(ev->origin));
		assert_true(json_object_object_get_ex(o, "elapsed_s", NULL));
		assert_true(json_object_object_get_ex(o, "dur_max_s", NULL));
		assert_true(json_object_object_get_ex(o, "count", NULL));
		json_object_put(o);
	}
	if (ev->session != NULL && (ev->kind == EV_DONE ||
	    ev->kind == EV_FINISHED || ev->kind == EV_MISSED ||
	    ev->kind == EV_SKIPPED || ev->kind == EV_STOPPED)) {
		r->checked = true;
		r->idle = engine_shows_idle(ev->session);
	}
}

/* Lets the clock run to instant `to`, and the loop handle what timers
 * queued for it (a clock step, a save). */
static void
run_until(int64_t to)
{
	int64_t	now = wall_now().us;

	assert_true(to >= now);
	timers_advance(to - now);
	event_base_loop(base, EVLOOP_NONBLOCK);
}

/* The events from index `from` on of one kind and session (NULL: any). */
static size_t
count(size_t from, enum event_kind kind, const char *session)
{
	size_t	n = 0;

	for (size_t i = from; i < nrecs; i++)
		if (recs[i].kind == kind && (session == NULL ||
		    strcmp(recs[i].session, session) == 0))
			n++;
	return n;
}

/* The last such event from index `from` on; fails the test if none. */
static const struct rec *
last(size_t from, enum event_kind kind, const char *session)
{
	for (size_t i = nrecs; i-- > from;)
		if (recs[i].kind == kind && (session == NULL ||
		    strcmp(recs[i].session, session) == 0))
			return &recs[i];
	fail_msg("no %s event for %s", event_kind_name(kind),
	    session != NULL ? session : "any session");
	return NULL;
}

static enum run_state
state_of(const char *name)
{
	for (size_t i = 0; i < eng->r->nsessions; i++)
		if (strcmp(eng->runs[i]->s->name, name) == 0)
			return eng->runs[i]->state;
	fail_msg("no session %s", name);
	return RUN_IDLE;
}

static void
write_routine(const char *text, size_t len)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The default routine with `from` replaced by `to` (each once). */
static void
write_edited(const char *from, const char *to)
{
	const char	*p = strstr(default_routine_ini, from);
	char		*buf;
	size_t		 n;

	assert_non_null(p);
	n = default_routine_ini_len - strlen(from) + strlen(to);
	buf = malloc(n + 1);
	assert_non_null(buf);
	snprintf(buf, n + 1, "%.*s%s%s", (int)(p - default_routine_ini),
	    default_routine_ini, to, p + strlen(from));
	write_routine(buf, n);
	free(buf);
}

static void
start_engine(void)
{
	struct errlist	 errs;
	struct routine	*r;

	errlist_init(&errs);
	r = routine_open(path, &errs);
	assert_non_null(r);
	errlist_free(&errs);
	eng = engine_new(base, r, path);
	assert_non_null(eng);
}

static int
setup(void **state)
{
	(void)state;
	nrecs = 0;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	log_init(0);
	snprintf(dir, sizeof dir, "/tmp/calf-engine-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/routine.ini", dir);
	write_routine(default_routine_ini, default_routine_ini_len);
	timers_fake((wall_t){ at(0, 6, 0) }, (boot_t){ 1000 * US });
	base = event_base_new();
	assert_non_null(base);
	assert_int_equal(events_add_sink("test", sink, NULL), 0);
	return 0;
}

static int
teardown(void **state)
{
	char	p[128];

	(void)state;
	events_remove_sink(sink, NULL);
	event_base_free(base);
	snprintf(p, sizeof p, "%s/routine.ini", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/state.json", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/lock", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

/* Morning: quiet hours end, ankle circles fall due, are reminded,
 * snoozed (no reminder while snoozed), due again, started; every cue and
 * the finish come on the minute; calf raises are marked done. */
static void
morning(void)
{
	const struct rec	*r;
	const char		*ac = "ankle-circles";
	size_t			 mark;
	const char		*which = NULL;
	int64_t			 until = 0;

	assert_true(eng->quiet);
	run_until(at(0, 7, 29));
	assert_false(eng->quiet);
	assert_int_equal(nrecs, 0);

	run_until(at(0, 7, 30));
	r = last(0, EV_DUE, ac);
	assert_int_equal(r->due_us, at(0, 7, 30));
	assert_int_equal(r->origin, ORIGIN_SCHEDULE);
	assert_int_equal(r->dur_min_s, 900);
	assert_int_equal(r->dur_max_s, 900);
	assert_non_null(strstr(r->message, "Time for ankle circles."));
	assert_non_null(strstr(r->message, "(15m)"));
	assert_int_equal(state_of(ac), RUN_DUE);

	run_until(at(0, 7, 35));
	assert_int_equal(count(0, EV_REMINDER, ac), 1);
	r = last(0, EV_REMINDER, ac);
	assert_int_equal(r->first_due_us, at(0, 7, 30));
	assert_string_equal(r->message,
	    "Still waiting: Ankle circles (due at 07:30).");

	assert_int_equal(engine_snooze(eng, ORIGIN_CLIENT, NULL, 10 * 60,
	    &until, &which, NULL), RES_SUCCESS);
	assert_string_equal(which, ac);
	assert_int_equal(until, at(0, 7, 45));
	r = last(0, EV_SNOOZED, ac);
	assert_int_equal(r->until_us, at(0, 7, 45));
	assert_int_equal(r->origin, ORIGIN_CLIENT);
	assert_string_equal(r->message, "Ankle circles snoozed for 10m.");
	assert_int_equal(state_of(ac), RUN_SNOOZED);

	mark = nrecs;
	run_until(at(0, 7, 44));
	assert_int_equal(nrecs, mark);	/* no reminder while snoozed */
	run_until(at(0, 7, 45));
	r = last(mark, EV_DUE, ac);
	assert_int_equal(r->due_us, at(0, 7, 45));
	assert_int_equal(count(mark, EV_MISSED, NULL), 0);

	run_until(at(0, 7, 46));
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, ac, &which, NULL),
	    RES_SUCCESS);
	r = last(mark, EV_STARTED, ac);
	assert_int_equal(r->due_us, at(0, 7, 45));
	assert_int_equal(r->started_us, at(0, 7, 46));
	assert_int_equal(r->elapsed_s, 0);
	assert_int_equal(state_of(ac), RUN_RUNNING);
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, ac, NULL, NULL),
	    RES_ALREADY_RUNNING);

	mark = nrecs;
	run_until(at(0, 8, 0));
	/* Minutes 1..14 switch feet, and at 14m one more minute. */
	assert_int_equal(count(mark, EV_CUE, ac), 15);
	r = last(mark, EV_CUE, ac);
	assert_string_equal(r->text, "One more minute.");
	assert_int_equal(r->due_us, at(0, 7, 46) + 14 * MIN);
	assert_int_equal(count(mark, EV_FINISHED, ac), 0);
	run_until(at(0, 8, 1));
	r = last(mark, EV_FINISHED, ac);
	assert_int_equal(r->due_us, at(0, 8, 1));
	assert_int_equal(r->elapsed_s, 900);
	assert_string_equal(r->message, "Done. Shake your legs out gently.");
	assert_true(r->checked && r->idle);
	assert_int_equal(count(mark, EV_REMINDER, NULL), 0);

	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, "calf-raises", NULL,
	    NULL), RES_SUCCESS);
	run_until(at(0, 8, 3) + 20 * US);
	assert_int_equal(engine_done(eng, ORIGIN_CLIENT, NULL, &which, NULL),
	    RES_SUCCESS);
	assert_string_equal(which, "calf-raises");
	r = last(mark, EV_DONE, "calf-raises");
	assert_string_equal(r->message, "Calf raises done after 2m20s.");
	assert_int_equal(r->elapsed_s, 140);
	assert_true(r->checked && r->idle);
	assert_int_equal(engine_done(eng, ORIGIN_CLIENT, NULL, NULL, NULL),
	    RES_NOT_RUNNING);
}

/* Evening: the foot soak runs its range (cues, minimum, finish); ankle
 * circles are left unanswered until their window closes. */
static void
evening(void)
{
	const struct rec	*r;
	const char		*fs = "foot-soak", *ac = "ankle-circles";
	size_t			 mark = nrecs;

	run_until(at(0, 20, 0));
	assert_int_equal(count(mark, EV_DUE, NULL), 1);
	r = last(mark, EV_DUE, fs);
	assert_string_equal(r->text, eng->r->sessions[1].prompt);
	assert_non_null(strstr(r->message, "(25m..30m, about 40 °C)"));
	run_until(at(0, 20, 2));
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, fs, NULL, NULL),
	    RES_SUCCESS);
	run_until(at(0, 20, 27));
	assert_int_equal(count(mark, EV_CUE, fs), 3);
	r = last(mark, EV_MINIMUM, fs);
	assert_int_equal(r->due_us, at(0, 20, 27));
	assert_string_equal(r->message, "Warm foot soak: 25m done; you may "
	    "finish now, or go on up to 5m more");
	assert_int_equal(state_of(fs), RUN_RUNNING);
	run_until(at(0, 20, 32));
	r = last(mark, EV_FINISHED, fs);
	assert_true(r->checked && r->idle);
	assert_int_equal(r->dur_min_s, 1500);
	assert_int_equal(r->dur_max_s, 1800);

	mark = nrecs;
	run_until(at(0, 21, 59));
	assert_int_equal(count(mark, EV_DUE, ac), 1);
	/* Every 5m from 21:05 to 21:55. */
	assert_int_equal(count(mark, EV_REMINDER, ac), 11);
	assert_int_equal(count(mark, EV_MISSED, ac), 0);
	run_until(at(0, 22, 0));
	r = last(mark, EV_MISSED, ac);
	assert_int_equal(r->due_us, at(0, 22, 0));
	assert_int_equal(r->first_due_us, at(0, 21, 0));
	assert_int_equal(r->count, 1);
	assert_string_equal(r->message, "Ankle circles missed (due at 21:00).");
	assert_true(r->checked && r->idle);
}

/* Bedtime heat is reloaded from a file that shortens it while it runs:
 * the marks still ahead come from the new definition, the ones behind are
 * not said again. */
static void
reload_mid_session(void)
{
	const struct rec	*r;
	const char		*bh = "bedtime-heat";
	struct errlist		 errs;
	size_t			 mark;

	run_until(at(0, 22, 30));
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, bh, NULL, NULL),
	    RES_SUCCESS);
	run_until(at(0, 22, 35));
	write_edited("duration = 20m\nprompt = Before bed",
	    "duration = 15m\nprompt = Before bed");
	errlist_init(&errs);
	mark = nrecs;
	assert_int_equal(engine_reload(eng, ORIGIN_SIGNAL, &errs),
	    RES_SUCCESS);
	errlist_free(&errs);
	r = last(mark, EV_RELOADED, NULL);
	assert_int_equal(r->origin, ORIGIN_SIGNAL);
	assert_int_equal(r->count, 7);
	assert_int_equal(state_of(bh), RUN_RUNNING);
	run_until(at(0, 22, 44));
	assert_int_equal(count(mark, EV_CUE, bh), 1);	/* at 10m, once */
	assert_int_equal(count(mark, EV_FINISHED, bh), 0);
	run_until(at(0, 22, 45));
	r = last(mark, EV_FINISHED, bh);
	assert_int_equal(r->dur_max_s, 900);
	assert_int_equal(r->due_us, at(0, 22, 45));
	assert_true(r->checked && r->idle);
	write_routine(default_routine_ini, default_routine_ini_len);
}

/* The state is saved, calfd stops for a while and starts again: a pause
 * survives, a session that ended while calfd was down is finished on
 * restore, and a skip ahead keeps the next morning silent. */
static void
restart_and_restore(void)
{
	struct state		*st;
	const struct rec	*r;
	char			*cause = NULL;
	const char		*wu = "warm-up";
	size_t			 mark;

	st = state_open(dir, &cause);
	assert_non_null(st);
	state_restore(st, eng);		/* no file yet: saved once anyway */
	event_base_loop(base, EVLOOP_NONBLOCK);
	{
		char	p[128];

		snprintf(p, sizeof p, "%s/state.json", dir);
		assert_int_equal(access(p, F_OK), 0);
	}
	run_until(at(0, 23, 0));
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, wu, NULL, NULL),
	    RES_SUCCESS);
	assert_int_equal(engine_pause(eng, ORIGIN_CLIENT, at(0, 23, 20), NULL),
	    RES_SUCCESS);
	r = last(0, EV_PAUSED, NULL);
	assert_string_equal(r->message, "Prompts paused until 23:20.");
	run_until(at(0, 23, 1));
	state_close(st);
	engine_free(eng);
	eng = NULL;

	/* Ten minutes down; the warm-up's end passes meanwhile. */
	timers_advance(10 * MIN);
	mark = nrecs;
	start_engine();
	st = state_open(dir, &cause);
	assert_non_null(st);
	state_restore(st, eng);
	event_base_loop(base, EVLOOP_NONBLOCK);
	r = last(mark, EV_FINISHED, wu);
	assert_int_equal(r->origin, ORIGIN_RESTORE);
	assert_int_equal(r->due_us, at(0, 23, 5));
	assert_true(r->checked && r->idle);
	assert_int_equal(count(mark, EV_CUE, wu), 0);	/* stale: dropped */
	assert_true(eng->paused);
	assert_int_equal(eng->pause_until_us, at(0, 23, 20));

	run_until(at(0, 23, 20));
	r = last(mark, EV_RESUMED, NULL);
	assert_int_equal(r->origin, ORIGIN_SCHEDULE);
	assert_int_equal(r->due_us, at(0, 23, 20));
	assert_false(eng->paused);

	assert_int_equal(engine_skip(eng, ORIGIN_CLIENT, "ankle-circles", NULL,
	    NULL), RES_SUCCESS);
	r = last(mark, EV_SKIPPED, "ankle-circles");
	assert_int_equal(r->reason, REASON_AHEAD);
	assert_int_equal(r->due_us, at(1, 7, 30));
	assert_true(r->checked && r->idle);
	mark = nrecs;
	run_until(at(1, 7, 31));
	assert_int_equal(count(mark, EV_DUE, NULL), 0);
	assert_true(eng->runs[0]->last_fired == at(1, 7, 30) / US);
	state_close(st);
}

static void
test_whole_day(void **state)
{
	(void)state;
	start_engine();
	morning();
	evening();
	reload_mid_session();
	restart_and_restore();
	/* Every event came after its change, whatever its kind. */
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].checked)
			assert_true(recs[i].idle);
	engine_free(eng);
	eng = NULL;
}

static const char every_minute[] =
    "[tick]\nevery = 1m\nduration = 1m\nwindow = 1m\nremind = 0\n";

/* Days away make one `missed` per session, with the count and the span,
 * whether the jump was reported as a clock step or not (a long SIGSTOP, a
 * paused VM), and nothing older than two days is caught up. */
static void
test_catch_up_is_bounded_and_counted(void **state)
{
	const struct rec	*r;
	int64_t			 now;

	(void)state;
	write_routine(every_minute, sizeof every_minute - 1);
	start_engine();
	run_until(at(0, 6, 0) + 30 * US);

	/* A step the kernel reports. */
	timers_step(3 * 24 * HOUR);
	event_base_loop(base, EVLOOP_NONBLOCK);
	timers_advance(0);
	now = wall_now().us;
	assert_int_equal(count(0, EV_MISSED, "tick"), 1);
	r = last(0, EV_MISSED, "tick");
	/* From two days back up to the firing whose window just closed. */
	assert_int_equal(r->first_due_us, now - 30 * US - 2 * 24 * HOUR +
	    60 * US);
	assert_int_equal(r->due_us, now - 30 * US);
	assert_int_equal(r->count, 2 * 24 * 60 - 1);
	assert_true(r->checked && r->idle);	/* told before the new due */
	assert_non_null(strstr(r->message, "missed 2879 times, from "));
	assert_int_equal(count(0, EV_DUE, "tick"), 1);
	assert_true(nrecs < 5);

	/* A jump nobody reports: the next firing's timer is simply late. */
	assert_int_equal(engine_done(eng, ORIGIN_CLIENT, "tick", NULL, NULL),
	    RES_SUCCESS);
	nrecs = 0;
	timers_fake((wall_t){ wall_now().us + 5 * 24 * HOUR },
	    (boot_t){ boot_now().us + 5 * 24 * HOUR });
	timers_advance(0);
	assert_int_equal(count(0, EV_MISSED, "tick"), 1);
	assert_int_equal(last(0, EV_MISSED, "tick")->count, 2 * 24 * 60 - 1);
	assert_int_equal(count(0, EV_DUE, "tick"), 1);
	assert_true(nrecs < 5);
	engine_free(eng);
	eng = NULL;
}

static const char two_every_2m[] =
    "[tick]\nevery = 2m\nduration = 1m\nwindow = 10m\nremind = 0\n"
    "[tock]\nevery = 2m\nduration = 1m\nwindow = 10m\nremind = 0\n"
    "[pad]\ntitle = Heat pad\nduration = 1m\nprompt = Sit down.\n";

/* start with no name takes the one due prompt and refuses to guess among
 * several; a start on demand says the prompt; a snoozed prompt overtaken
 * by the next firing is replaced, not missed. */
static void
test_start_guess_prompt_and_replace(void **state)
{
	const struct rec	*r;
	const char		*which = NULL;
	char			*cause = NULL;
	size_t			 mark;

	(void)state;
	write_routine(two_every_2m, sizeof two_every_2m - 1);
	start_engine();
	run_until(at(0, 6, 2));
	assert_int_equal(count(0, EV_DUE, NULL), 2);
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, NULL, &which,
	    &cause), RES_USAGE);
	assert_non_null(strstr(cause, "tick, tock"));
	free(cause);
	cause = NULL;
	assert_int_equal(engine_skip(eng, ORIGIN_CLIENT, "tock", NULL, NULL),
	    RES_SUCCESS);
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, NULL, &which,
	    &cause), RES_SUCCESS);
	assert_string_equal(which, "tick");
	r = last(0, EV_STARTED, "tick");
	assert_int_equal(r->first_due_us, at(0, 6, 2));
	assert_string_equal(r->message, "tick started (1m).");
	assert_int_equal(engine_start(eng, ORIGIN_CLIENT, NULL, NULL, &cause),
	    RES_NOT_DUE);
	free(cause);

	assert_int_equal(engine_start(eng, ORIGIN_BUTTON, "pad", NULL, NULL),
	    RES_SUCCESS);
	r = last(0, EV_STARTED, "pad");
	assert_int_equal(r->origin, ORIGIN_BUTTON);
	assert_string_equal(r->text, "Sit down.");
	assert_string_equal(r->message, "Heat pad started (1m). Sit down.");

	run_until(at(0, 6, 4));
	assert_int_equal(engine_snooze(eng, ORIGIN_CLIENT, "tock", 5 * 60,
	    NULL, NULL, NULL), RES_SUCCESS);
	mark = nrecs;
	run_until(at(0, 6, 6));
	assert_int_equal(count(mark, EV_MISSED, "tock"), 0);
	r = last(mark, EV_REPLACED, "tock");
	assert_int_equal(r->first_due_us, at(0, 6, 4));
	assert_int_equal(r->reason, REASON_REPLACED);
	assert_string_equal(r->message,
	    "tock (snoozed, due at 06:04) replaced by a new prompt.");
	assert_int_equal(state_of("tock"), RUN_DUE);
	/* Unanswered, a prompt overtaken is missed. */
	mark = nrecs;
	run_until(at(0, 6, 8));
	r = last(mark, EV_MISSED, "tock");
	assert_int_equal(r->reason, REASON_REPLACED);
	assert_string_equal(r->message,
	    "tock missed (due at 06:06); due again now.");
	engine_free(eng);
	eng = NULL;
}

/* A date is said with its year unless it is within a week in this year. */
static void
test_pause_dates(void **state)
{
	const struct rec	*r;
	char			*cause = NULL;

	(void)state;
	write_routine(every_minute, sizeof every_minute - 1);
	start_engine();
	assert_int_equal(engine_pause(eng, ORIGIN_CLIENT, at(0, 5, 0), &cause),
	    RES_USAGE);
	free(cause);
	assert_int_equal(engine_pause(eng, ORIGIN_CLIENT, at(1, 5, 0), NULL),
	    RES_SUCCESS);
	assert_string_equal(last(0, EV_PAUSED, NULL)->message,
	    "Prompts paused until tomorrow 05:00.");
	assert_int_equal(engine_pause(eng, ORIGIN_CLIENT, at(3, 5, 0), NULL),
	    RES_SUCCESS);
	assert_string_equal(last(0, EV_PAUSED, NULL)->message,
	    "Prompts paused until Thu 05 Mar 05:00.");
	assert_int_equal(engine_pause(eng, ORIGIN_CLIENT, at(366, 5, 0), NULL),
	    RES_SUCCESS);
	assert_string_equal(last(0, EV_PAUSED, NULL)->message,
	    "Prompts paused until Wed 03 Mar 2027 05:00.");
	assert_int_equal(engine_pause(eng, ORIGIN_CLIENT, 0, NULL),
	    RES_SUCCESS);
	r = last(0, EV_PAUSED, NULL);
	assert_string_equal(r->message,
	    "Prompts paused until you resume them.");
	assert_int_equal(engine_resume(eng, ORIGIN_CLIENT, NULL), RES_SUCCESS);
	assert_int_equal(engine_resume(eng, ORIGIN_CLIENT, NULL),
	    RES_NOT_PAUSED);
	engine_free(eng);
	eng = NULL;
}

/* The reload sentence counts its sessions in the singular too. */
static void
test_reload_sentence(void **state)
{
	struct calf_event	 ev = { .kind = EV_RELOADED,
	    .text = "/r/routine.ini", .count = 1 };
	char			 buf[256];

	(void)state;
	say(&ev, buf, sizeof buf);
	assert_string_equal(buf,
	    "Routine reloaded from /r/routine.ini: 1 session.");
	ev.count = 2;
	say(&ev, buf, sizeof buf);
	assert_string_equal(buf,
	    "Routine reloaded from /r/routine.ini: 2 sessions.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whole_day, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_catch_up_is_bounded_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_start_guess_prompt_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_dates, setup,
		    teardown),
		cmocka_unit_test(test_reload_sentence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
