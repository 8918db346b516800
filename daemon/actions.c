/*
 * actions.c: every user action is one function here: start, done, stop,
 * skip, snooze, pause, resume, reload. calfctl (through commands.c), signals
 * and notification buttons all call the same ones, saying who asked. An
 * action chooses the session and checks that the action applies; the
 * change itself is run.c's (a session) or engine.c's (the pause).
 */
#include "daemon/engine_int.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "common/routine_file.h"
#include "daemon/events.h"
#include "daemon/log.h"

/* A malloc'd message for *cause, the tmux way; cause may be NULL. */
static enum result
fail(char **cause, enum result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum result
fail(char **cause, enum result r, const char *fmt, ...)
{
	va_list	ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		if (vasprintf(cause, fmt, ap) == -1)
			*cause = NULL;
		va_end(ap);
	}
	return r;
}

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

enum result
engine_no_such(char **cause, const char *name)
{
	return fail(cause, RES_UNKNOWN_SESSION,
	    "no session named \"%s\" (calfctl list shows them)", name);
}

/* The most recently due session (due, snoozed or held). */
static struct run *
latest_pending(struct engine *e)
{
	struct run	*best = NULL;

	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];
		if (run_is_pending(run) && (best == NULL ||
		    run->due_seq > best->due_seq))
			best = run;
	}
	return best;
}

/* The one pending prompt, for a start that names none: with several it
 * refuses and names them, rather than guess. */
static enum result
only_pending(struct engine *e, struct run **out, char **cause)
{
	struct run	*found = NULL;
	char		*names = NULL, *n;
	size_t		 count = 0;

	*out = NULL;
	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];

		if (!run_is_pending(run))
			continue;
		found = run;
		count++;
		if (asprintf(&n, "%s%s%s", names != NULL ? names : "",
		    names != NULL ? ", " : "", run->s->name) == -1)
			n = NULL;
		free(names);
		names = n;
	}
	if (count == 1) {
		free(names);
		*out = found;
		return RES_SUCCESS;
	}
	if (count == 0) {
		free(names);
		return fail(cause, RES_NOT_DUE, "nothing is due; name the "
		    "session to start");
	}
	fail(cause, RES_USAGE, "%zu sessions are due (%s); name the one to "
	    "start", count, names != NULL ? names : "out of memory");
	free(names);
	return RES_USAGE;
}

/* The names of the sessions that match, "a, b"; count set. */
static char *
names_of(struct engine *e, bool (*match)(const struct run *),
    struct run **last, size_t *count)
{
	char	*names = NULL, *n;

	*count = 0;
	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];

		if (!match(run))
			continue;
		*last = run;
		(*count)++;
		if (asprintf(&n, "%s%s%s", names != NULL ? names : "",
		    names != NULL ? ", " : "", run->s->name) == -1)
			n = NULL;
		free(names);
		names = n;
	}
	return names;
}

static bool
is_running(const struct run *run)
{
	return run->state == RUN_RUNNING;
}

static bool
is_pending(const struct run *run)
{
	return run_is_pending(run);
}

static bool
is_running_or_pending(const struct run *run)
{
	return is_running(run) || run_is_pending(run);
}

/* The one session a command that names none can mean: with none it
 * answers none_r and none_msg; with several it refuses and names them
 * ("2 sessions could be meant (a, b); name the one to stop"), rather than
 * guess. */
static enum result
only_one(struct engine *e, bool (*match)(const struct run *),
    const char *verb, enum result none_r, const char *none_msg,
    struct run **out, char **cause)
{
	struct run	*found = NULL;
	size_t		 count;
	char		*names = names_of(e, match, &found, &count);

	*out = NULL;
	if (count == 1) {
		free(names);
		*out = found;
		return RES_SUCCESS;
	}
	if (count == 0) {
		free(names);
		return fail(cause, none_r, "%s", none_msg);
	}
	fail(cause, RES_USAGE, "%zu sessions could be meant (%s); name the "
	    "one to %s", count, names != NULL ? names : "out of memory", verb);
	free(names);
	return RES_USAGE;
}

enum result
engine_extend(struct engine *e, enum event_origin o, const char *name,
    int64_t secs, int64_t *end_us, const char **which, char **cause)
{
	struct run	*run = NULL;
	enum result	 r;

	if (name == NULL) {
		if ((r = only_one(e, is_running, "extend", RES_NOT_RUNNING,
		    "nothing is running", &run, cause)) != RES_SUCCESS)
			return r;
	} else if ((run = find_run(e, name)) == NULL)
		return engine_no_such(cause, name);
	else if (run->state != RUN_RUNNING)
		return fail(cause, RES_NOT_RUNNING, "%s is not running", name);
	if (secs <= 0 || secs > 24 * 3600 ||
	    run_dur_max(run) + secs > 7 * 24 * 3600)
		return fail(cause, RES_USAGE, "extend by more than 0 and at "
		    "most 24h, to at most 7d in all");
	run_extend(run, secs, o);
	if (end_us != NULL)
		*end_us = run->start_wall_us + run_dur_max(run) * US;
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_start(struct engine *e, enum event_origin o, const char *name,
    const char **which, char **cause)
{
	struct run	*run = NULL;
	enum result	 r;

	if (name == NULL) {
		if ((r = only_pending(e, &run, cause)) != RES_SUCCESS)
			return r;
	} else if ((run = find_run(e, name)) == NULL)
		return engine_no_such(cause, name);
	if (run->state == RUN_RUNNING)
		return fail(cause, RES_ALREADY_RUNNING,
		    "%s is already running", run->s->name);
	run_start(run, o);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_done(struct engine *e, enum event_origin o, const char *name,
    const char **which, char **cause)
{
	struct run	*run;
	enum result	 r;

	if (name != NULL) {
		if ((run = find_run(e, name)) == NULL)
			return engine_no_such(cause, name);
		if (run->state != RUN_RUNNING && !run_is_pending(run))
			return fail(cause, RES_NOT_RUNNING,
			    "%s is neither running nor due", name);
	} else if ((r = only_one(e, is_running_or_pending, "mark done",
	    RES_NOT_RUNNING, "nothing is running or due", &run, cause)) !=
	    RES_SUCCESS)
		return r;
	run_done(run, o);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_stop(struct engine *e, enum event_origin o, const char *name,
    const char **which, char **cause)
{
	struct run	*run;
	enum result	 r;

	if (name != NULL) {
		if ((run = find_run(e, name)) == NULL)
			return engine_no_such(cause, name);
		if (run->state != RUN_RUNNING)
			return fail(cause, RES_NOT_RUNNING,
			    "%s is not running", name);
	} else if ((r = only_one(e, is_running, "stop", RES_NOT_RUNNING,
	    "nothing is running", &run, cause)) != RES_SUCCESS)
		return r;
	run_stop(run, o, REASON_NONE);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_skip(struct engine *e, enum event_origin o, const char *name,
    const char **which, char **cause)
{
	struct run	*run;
	struct firing	 f;
	enum result	 r;

	if (name == NULL) {
		if ((r = only_one(e, is_pending, "skip", RES_NOT_DUE,
		    "nothing is due", &run, cause)) != RES_SUCCESS)
			return r;
	} else if ((run = find_run(e, name)) == NULL)
		return engine_no_such(cause, name);
	if (run->state == RUN_RUNNING)
		return fail(cause, RES_NOT_DUE,
		    "%s is running; use stop to end it", name);
	if (run_is_pending(run)) {
		run_skip(run, o, REASON_NONE);
		set_which(which, run);
		return RES_SUCCESS;
	}
	/* Idle: skip its next firing, said now so the user sees when. */
	if (sched_next(run->s, run->idx, run->last_fired, SIZE_MAX, &f) == -1)
		return fail(cause, RES_NOT_DUE,
		    "%s is not due and has no scheduled time to skip", name);
	if (run->skip_next && run->skip_at == f.at)
		return fail(cause, RES_NOT_DUE,
		    "the next %s is already skipped", name);
	run_skip_ahead(run, f.at, o);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_snooze(struct engine *e, enum event_origin o, const char *name,
    int64_t secs, int64_t *until_us, const char **which, char **cause)
{
	struct run	*run;
	int64_t		 until;

	if (name == NULL) {
		if ((run = latest_pending(e)) == NULL)
			return fail(cause, RES_NOT_DUE, "nothing is due");
	} else if ((run = find_run(e, name)) == NULL)
		return engine_no_such(cause, name);
	else if (!run_is_pending(run))
		return fail(cause, RES_NOT_DUE, "%s is not due", name);
	if (secs <= 0)
		secs = e->r->snooze > 0 ? e->r->snooze : 600;
	until = run_snooze(run, secs, o);
	if (until_us != NULL)
		*until_us = until;
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_pause(struct engine *e, enum event_origin o, int64_t until_us,
    char **cause)
{
	if (until_us != 0 && until_us <= wall_now().us)
		return fail(cause, RES_USAGE, "that time has already passed");
	engine_pause_set(e, o, until_us);
	return RES_SUCCESS;
}

/* A running session named: its clock stops until resume NAME. */
enum result
engine_pause_run(struct engine *e, enum event_origin o, const char *name,
    const char **which, char **cause)
{
	struct run	*run;

	if ((run = find_run(e, name)) == NULL)
		return engine_no_such(cause, name);
	if (run->state != RUN_RUNNING)
		return fail(cause, RES_NOT_RUNNING, "%s is not running (pause "
		    "without a name holds prompts)", name);
	if (run->halted)
		return fail(cause, RES_USAGE, "%s is already paused", name);
	run_halt(run, o);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_resume_run(struct engine *e, enum event_origin o, const char *name,
    const char **which, char **cause)
{
	struct run	*run;

	if ((run = find_run(e, name)) == NULL)
		return engine_no_such(cause, name);
	if (run->state != RUN_RUNNING || !run->halted)
		return fail(cause, RES_NOT_PAUSED, "%s is not paused", name);
	run_unhalt(run, o);
	set_which(which, run);
	return RES_SUCCESS;
}

enum result
engine_resume(struct engine *e, enum event_origin o, char **cause)
{
	if (!e->paused)
		return fail(cause, RES_NOT_PAUSED, "prompts are not paused");
	engine_pause_end(e, o, REASON_NONE);
	return RES_SUCCESS;
}

/* Parses into a fresh routine and swaps only on success. Sessions keep
 * their state by name; a running session survives with its new definition;
 * one the new routine no longer has ends cleanly. */
enum result
engine_reload(struct engine *e, enum event_origin o, struct errlist *errs)
{
	struct routine	 *nr;
	struct run	**nruns;
	struct sched	 *ns;
	struct calf_event ev;
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
	/* Sessions that are gone end now, while the engine is whole, so a
	 * sink that looks sees them ended: a running one is stopped, a
	 * pending prompt dropped, the rest go quietly. */
	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];

		if (routine_find(nr, run->s->name) != NULL)
			continue;
		if (run->state == RUN_RUNNING)
			run_stop(run, o, REASON_REMOVED);
		else if (run_is_pending(run))
			run_skip(run, o, REASON_REMOVED);
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
	/* The unclaimed ones are gone. */
	for (size_t i = 0; i < e->r->nsessions; i++)
		if (e->runs[i]->s != NULL)
			run_free(e->runs[i]);
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
		run_rebind(run, run->state == RUN_RUNNING ?
		    run_elapsed_us(run) / US : 0);
	}
	engine_quiet_update(e, o);
	engine_arm_next(e);
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_RELOADED;
	ev.origin = o;
	ev.elapsed_s = -1;
	ev.text = nr->source;
	ev.count = (unsigned)nr->nsessions;
	run_emit(&ev);
	return RES_SUCCESS;
}
