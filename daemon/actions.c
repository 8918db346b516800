/*
 * actions.c: every user action is one function here: start, done, stop,
 * skip, snooze, pause, resume, reload. calfctl (through commands.c), signals
 * and notification buttons all call the same ones.
 */
#include "daemon/engine_int.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "daemon/events.h"
#include "daemon/log.h"

/* --- actions ------------------------------------------------------------ */

static struct run *
find_run(struct engine *e, const char *name)
{
	struct session	*s = routine_find(e->r, name);	/* O(log n) */
	struct run	*run;

	if (s == NULL)
		return NULL;
	run = e->runs[s - e->r->sessions];
	/* During a reload, runs already claimed have s == NULL. */
	return run->s != NULL ? run : NULL;
}

static void
set_which(const char **which, const struct run *run)
{
	if (which != NULL)
		*which = run->s->name;
}

static enum result
no_such(char **cause, const char *name)
{
	return engine_fail(cause, RES_UNKNOWN_SESSION,
	    "no session named \"%s\" (calfctl agenda lists them)", name);
}

static bool
is_pending(const struct run *run)
{
	return run->state == RUN_DUE || run->state == RUN_SNOOZED ||
	    run->state == RUN_HELD;
}

/* The most recently started running session. */
static struct run *
latest_running(struct engine *e)
{
	struct run	*best = NULL;

	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];
		if (run->state == RUN_RUNNING && (best == NULL ||
		    run->start_seq > best->start_seq))
			best = run;
	}
	return best;
}

/* The most recently due session (due, snoozed or held). */
static struct run *
latest_pending(struct engine *e)
{
	struct run	*best = NULL;

	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];
		if (is_pending(run) && (best == NULL ||
		    run->due_seq > best->due_seq))
			best = run;
	}
	return best;
}

enum result
engine_start(struct engine *e, const char *name, const char **which,
    char **cause)
{
	struct run	*run = find_run(e, name);

	if (run == NULL)
		return no_such(cause, name);
	if (run->state == RUN_RUNNING)
		return engine_fail(cause, RES_ALREADY_RUNNING,
		    "%s is already running", name);
	run_start(run, is_pending(run) ? run->due_us : 0);
	set_which(which, run);
	return RES_SUCCESS;
}

static int64_t
elapsed_s(const struct run *run)
{
	return (boot_now().us - run->start_boot.us) / US;
}

enum result
engine_done(struct engine *e, const char *name, const char **which,
    char **cause)
{
	struct run	*run;
	char		 a[32];

	if (name != NULL) {
		if ((run = find_run(e, name)) == NULL)
			return no_such(cause, name);
		if (run->state != RUN_RUNNING && !is_pending(run))
			return engine_fail(cause, RES_NOT_RUNNING,
			    "%s is neither running nor due", name);
	} else if ((run = latest_running(e)) == NULL &&
	    (run = latest_pending(e)) == NULL)
		return engine_fail(cause, RES_NOT_RUNNING,
		    "nothing is running or due");
	if (run->state == RUN_RUNNING) {
		fmt_dur(elapsed_s(run), a, sizeof a);
		run_emit(EV_DONE, run, run->start_wall_us, 0, "%s done after %s.",
		    session_title(run->s), a);
	} else
		run_emit(EV_DONE, run, run->due_us, 0, "%s marked done.",
		    session_title(run->s));
	run_idle(run);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_stop(struct engine *e, const char *name, const char **which,
    char **cause)
{
	struct run	*run;
	char		 a[32];

	if (name != NULL) {
		if ((run = find_run(e, name)) == NULL)
			return no_such(cause, name);
		if (run->state != RUN_RUNNING)
			return engine_fail(cause, RES_NOT_RUNNING,
			    "%s is not running", name);
	} else if ((run = latest_running(e)) == NULL)
		return engine_fail(cause, RES_NOT_RUNNING, "nothing is running");
	fmt_dur(elapsed_s(run), a, sizeof a);
	run_emit(EV_STOPPED, run, run->start_wall_us, 0, "%s stopped after %s.",
	    session_title(run->s), a);
	run_idle(run);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_skip(struct engine *e, const char *name, const char **which,
    char **cause)
{
	struct run	*run;
	struct firing	 f;
	char		 t[INSTANT_BUFSZ];

	if (name == NULL) {
		if ((run = latest_pending(e)) == NULL)
			return engine_fail(cause, RES_NOT_DUE, "nothing is due");
	} else if ((run = find_run(e, name)) == NULL)
		return no_such(cause, name);
	if (run->state == RUN_RUNNING)
		return engine_fail(cause, RES_NOT_DUE,
		    "%s is running; use stop to end it", name);
	if (is_pending(run)) {
		run_emit(EV_SKIPPED, run, run->due_us, 0, "%s skipped.",
		    session_title(run->s));
		run_idle(run);
		set_which(which, run);
		return RES_SUCCESS;
	}
	/* Idle: skip its next firing, said now so the user sees when. */
	if (sched_next(run->s, run->idx, run->last_fired, SIZE_MAX, &f) == -1)
		return engine_fail(cause, RES_NOT_DUE,
		    "%s is not due and has no scheduled time to skip", name);
	if (run->skip_next && run->skip_at == f.at)
		return engine_fail(cause, RES_NOT_DUE,
		    "the next %s is already skipped", name);
	run->skip_next = true;
	run->skip_at = f.at;
	run_emit(EV_SKIPPED, run, (int64_t)f.at * US, 0, "%s at %s skipped.",
	    session_title(run->s), instant_format(f.at, t, sizeof t));
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_snooze(struct engine *e, const char *name, int64_t secs,
    int64_t *until_us, const char **which, char **cause)
{
	struct run	*run;
	char		 a[32];

	if (name == NULL) {
		if ((run = latest_pending(e)) == NULL)
			return engine_fail(cause, RES_NOT_DUE, "nothing is due");
	} else if ((run = find_run(e, name)) == NULL)
		return no_such(cause, name);
	else if (!is_pending(run))
		return engine_fail(cause, RES_NOT_DUE, "%s is not due", name);
	if (secs <= 0)
		secs = e->r->snooze > 0 ? e->r->snooze : 600;
	timer_clear(&run->window);
	timer_clear(&run->remind);
	run->state = RUN_SNOOZED;
	run->snooze_until_us = wall_now().us + secs * US;
	timer_at_boot(&run->remind, (boot_t){ boot_now().us + secs * US });
	if (until_us != NULL)
		*until_us = run->snooze_until_us;
	fmt_dur(secs, a, sizeof a);
	run_emit(EV_SNOOZED, run, run->due_us, run->snooze_until_us,
	    "%s snoozed for %s.", session_title(run->s), a);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_pause(struct engine *e, int64_t until_us, char **cause)
{
	char	t[32];

	if (until_us != 0 && until_us <= wall_now().us)
		return engine_fail(cause, RES_USAGE, "that time has already passed");
	e->paused = true;
	e->pause_until_us = until_us;
	if (until_us != 0) {
		timer_at_wall(&e->pause_end, (wall_t){ until_us });
		run_emit(EV_PAUSED, NULL, 0, until_us, "Prompts paused until %s.",
		    local_when(until_us, t, sizeof t));
	} else {
		timer_clear(&e->pause_end);
		run_emit(EV_PAUSED, NULL, 0, 0,
		    "Prompts paused until you resume them.");
	}
	return RES_SUCCESS;
}

enum result
engine_resume(struct engine *e, char **cause)
{
	int64_t	due = 0;

	if (!e->paused)
		return engine_fail(cause, RES_NOT_PAUSED, "prompts are not paused");
	/* Ended by its own timer: the event is about the pause's end. */
	if (e->pause_until_us != 0 && e->pause_until_us <= wall_now().us)
		due = e->pause_until_us;
	e->paused = false;
	e->pause_until_us = 0;
	timer_clear(&e->pause_end);
	run_emit(EV_RESUMED, NULL, due, 0, "Prompts resumed.");
	engine_release_held(e);
	return RES_SUCCESS;
}

/* Parses into a fresh routine and swaps only on success. Sessions keep
 * their state by name; a running session survives with its new definition;
 * one the new routine no longer has ends cleanly. */
enum result
engine_reload(struct engine *e, struct errlist *errs)
{
	struct routine	 *nr;
	struct run	**nruns;
	struct sched	 *ns;
	struct firing	  f;
	time_t		  now = (time_t)(wall_now().us / US);

	if ((nr = routine_reread(e->r, errs)) == NULL) {
		log_warnx("reload refused; the routine in use is unchanged:");
		for (size_t i = 0; i < errs->n; i++)
			log_warnx("%s", errs->msgs[i]);
		return RES_CONFIG;
	}
	nruns = calloc(nr->nsessions + 1, sizeof *nruns);
	ns = sched_new(nr, now);
	if (nruns == NULL || ns == NULL) {
		free(nruns);
		sched_free(ns);
		routine_free(nr);
		errlist_add(errs, "out of memory");
		return RES_INTERNAL;
	}
	/* New sessions first: the only step that can fail. */
	for (size_t i = 0; i < nr->nsessions; i++) {
		if (find_run(e, nr->sessions[i].name) != NULL)
			continue;
		if ((nruns[i] = run_new(e, &nr->sessions[i], i, now)) == NULL) {
			for (size_t j = 0; j < i; j++)
				run_free(nruns[j]);
			free(nruns);
			sched_free(ns);
			routine_free(nr);
			errlist_add(errs, "out of memory");
			return RES_INTERNAL;
		}
	}
	/* Sessions kept by name are claimed (s = NULL marks them). */
	for (size_t i = 0; i < nr->nsessions; i++) {
		struct run *old;

		if (nruns[i] != NULL)
			continue;
		old = find_run(e, nr->sessions[i].name);
		nruns[i] = old;
		old->s = NULL;
	}
	/* Sessions that are gone: a running one ends, the rest go quietly. */
	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];

		if (run->s == NULL)
			continue;
		if (run->state == RUN_RUNNING)
			run_emit(EV_STOPPED, run, run->start_wall_us, 0,
			    "%s stopped: it is no longer in the routine.",
			    session_title(run->s));
		else if (is_pending(run))
			run_emit(EV_SKIPPED, run, run->due_us, 0,
			    "%s dropped: it is no longer in the routine.",
			    session_title(run->s));
		run_free(run);
	}
	free(e->runs);
	sched_free(e->sched);
	routine_free(e->r);
	/* The old routine's pages go back to the system: five reloads of a
	 * large routine must not hold five routines' worth of heap. */
	malloc_trim(0);
	e->r = nr;
	e->runs = nruns;
	e->sched = ns;
	for (size_t i = 0; i < nr->nsessions; i++) {
		struct run *run = nruns[i];

		run->s = &nr->sessions[i];
		run->idx = i;
		/* A skip stands while the new routine still fires then. */
		if (run->skip_next && (sched_next(run->s, i, run->skip_at - 1,
		    SIZE_MAX, &f) == -1 || f.at != run->skip_at))
			run->skip_next = false;
		if (run->state == RUN_RUNNING) {
			/* Marks of the new definition still ahead are said;
			 * ones already behind are not said late. */
			run->mark = run_next_mark(run->s,
			    (boot_now().us - run->start_boot.us) / US);
			run_arm_tick(run);
		} else if (is_pending(run)) {
			run->expires_us = run->due_us + run->s->window * US;
			if (run->state != RUN_SNOOZED)
				run_arm_window(run);
			if (run->state == RUN_DUE)
				run_arm_remind(run);
		}
	}
	engine_quiet_update(e);
	engine_arm_next(e);
	run_emit(EV_RELOADED, NULL, 0, 0, "Routine reloaded from %s: %zu sessions.",
	    nr->source, nr->nsessions);
	return RES_SUCCESS;
}
