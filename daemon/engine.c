/*
 * engine.c: the calendar, and the life of a session at a glance.
 *
 *   scheduled -> due -> running -> finished
 *                 |        `-> done early, stopped
 *                 +-> snoozed -> due again after the snooze
 *                 +-> skipped, missed (window passed), held (paused/quiet)
 *
 * This file owns the calendar: the scheduler heap and its wall-clock timer,
 * quiet hours, the pause, clock steps and zone changes. run.c holds one
 * session's lifecycle and is the only code that changes it; actions.c the
 * user actions (start, done, stop, skip, snooze, pause, resume, reload),
 * one function each, which calfctl, signals and notification buttons all
 * call. Every event leaves through run_emit(), after its change. The saver
 * (daemon/state.c) hears of changes through engine_on_change() and the
 * event sinks; nothing here knows it.
 *
 * Policies (doc/daemon.md says the same for users):
 * - Sessions are independent: one may fall due, or be started, while another
 *   runs. A firing of a session that is already running is absorbed; a
 *   firing of a session still due replaces the old prompt, which is missed.
 * - Pause and quiet hours hold prompts (due, reminders, auto starts); a held
 *   prompt is given when the pause or quiet ends if its window is still
 *   open, and is missed otherwise. Running sessions keep their cues.
 * - A snooze brings the prompt back after the snooze with a fresh window.
 * - A firing is handled once: after a backward clock step nothing that was
 *   already prompted is prompted again.
 */
#include "daemon/engine_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "daemon/events.h"
#include "daemon/log.h"

/* --- the calendar ------------------------------------------------------- */

void
engine_changed(struct engine *e)
{
	if (e->changed != NULL)
		e->changed(e->changed_arg);
}

void
engine_on_change(struct engine *e, void (*fn)(void *), void *arg)
{
	e->changed = fn;
	e->changed_arg = arg;
}

/* Handles every firing whose instant has come, in order. */
static void
fire_due(struct engine *e, enum event_origin o)
{
	const struct firing	*f;
	time_t			 now = (time_t)(wall_now().us / US);

	/* A jump nobody reported as a step (a long SIGSTOP, a paused VM)
	 * gets the same bound as a step. */
	if ((f = sched_peek(e->sched)) != NULL && f->at < now - CATCH_UP_S) {
		log_info("the clock jumped: firings more than two days ago "
		    "are not caught up");
		sched_rebase(e->sched, now - CATCH_UP_S);
	}
	while ((f = sched_peek(e->sched)) != NULL && f->at <= now) {
		struct run	*run = e->runs[f->session];
		time_t		 at = f->at;
		struct firing	 nx;
		int64_t		 next_us = 0;

		/* In a catch-up, a firing whose successor has come too is
		 * only counted: one `missed` per session, not one each. */
		if (sched_next(run->s, f->session, at, f->slot, &nx) == 0 &&
		    nx.at <= now)
			next_us = (int64_t)nx.at * US;
		sched_advance(e->sched);
		if (run_fire(run, at, next_us, o))
			engine_changed(e);	/* even when nothing is said */
	}
	for (size_t i = 0; i < e->r->nsessions; i++)
		run_flush_missed(e->runs[i], o);
	engine_arm_next(e);
}

static void
engine_fire(void *arg)
{
	fire_due(arg, ORIGIN_SCHEDULE);
}

void
engine_arm_next(struct engine *e)
{
	const struct firing	*f = sched_peek(e->sched);

	if (f == NULL)
		timer_clear(&e->next);
	else
		timer_at_wall(&e->next, (wall_t){ (int64_t)f->at * US });
}

/* The instant of the next local time of day `sod` after now. */
int64_t
engine_next_tod(int sod)
{
	return (int64_t)sched_next_tod((time_t)(wall_now().us / US), sod) * US;
}

/* Quiet hours start and end at local times: re-evaluated at each edge. */
void
engine_quiet_update(struct engine *e, enum event_origin o)
{
	time_t	now = (time_t)(wall_now().us / US);
	bool	was = e->quiet;
	int64_t	a, b;

	timer_clear(&e->quiet_edge);
	if (!e->r->has_quiet) {
		e->quiet = false;
	} else {
		e->quiet = sched_in_quiet(e->r, now);
		a = engine_next_tod(e->r->quiet_start);
		b = engine_next_tod(e->r->quiet_end);
		timer_at_wall(&e->quiet_edge, (wall_t){ a < b ? a : b });
	}
	if (was && !e->quiet) {
		log_info("quiet hours over");
		engine_release_held(e, o);
	} else if (!was && e->quiet)
		log_info("quiet hours: prompts held");
}

static void
quiet_edge(void *arg)
{
	engine_quiet_update(arg, ORIGIN_SCHEDULE);
}

/* Gives the prompts held during a pause or quiet hours, oldest first. */
void
engine_release_held(struct engine *e, enum event_origin o)
{
	for (;;) {
		struct run	*oldest = NULL;

		if (e->paused || e->quiet)
			return;
		for (size_t i = 0; i < e->r->nsessions; i++) {
			struct run *run = e->runs[i];
			if (run->state == RUN_HELD && (oldest == NULL ||
			    run->due_seq < oldest->due_seq))
				oldest = run;
		}
		if (oldest == NULL)
			return;
		run_announce(oldest, o);
	}
}

/* Away holds prompts like quiet hours; coming back gives the held ones. */
void
engine_set_away(struct engine *e, bool away, const char *why)
{
	if (e->away == away)
		return;
	e->away = away;
	log_info("%s: prompts %s", why, away ? "held" : "given again");
	if (!away)
		engine_release_held(e, ORIGIN_SCHEDULE);
}

/* Holds prompts until until_us (0: until resumed). */
void
engine_pause_set(struct engine *e, enum event_origin o, int64_t until_us)
{
	struct calf_event	ev;

	e->paused = true;
	e->pause_until_us = until_us;
	if (until_us != 0)
		timer_at_wall(&e->pause_timer, (wall_t){ until_us });
	else
		timer_clear(&e->pause_timer);
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_PAUSED;
	ev.origin = o;
	ev.elapsed_s = -1;
	ev.until_us = until_us;
	run_emit(&ev);
}

/* Ends the pause, then gives what it held. */
void
engine_pause_end(struct engine *e, enum event_origin o,
    enum event_reason why)
{
	struct calf_event	ev;

	memset(&ev, 0, sizeof ev);
	/* Ended by its own timer: the event is about the pause's end. */
	if (e->pause_until_us != 0 && e->pause_until_us <= wall_now().us)
		ev.due_us = e->pause_until_us;
	e->paused = false;
	e->pause_until_us = 0;
	timer_clear(&e->pause_timer);
	ev.kind = EV_RESUMED;
	ev.origin = o;
	ev.elapsed_s = -1;
	ev.reason = why;
	run_emit(&ev);
	engine_release_held(e, o);
}

static void
pause_timer_cb(void *arg)
{
	struct engine	*e = arg;

	if (e->paused)
		engine_pause_end(e, ORIGIN_SCHEDULE, REASON_NONE);
}

/* Firings in the last two days not yet handled are handled now (prompted,
 * or missed when past their window); everything else is recomputed. */
void
engine_catch_up(struct engine *e, const char *why, enum event_origin o)
{
	time_t	now = (time_t)(wall_now().us / US);

	log_info("%s: recomputing the schedule", why);
	tzset();
	sched_zone_changed();
	sched_rebase(e->sched, now - CATCH_UP_S);
	for (size_t i = 0; i < e->r->nsessions; i++)
		run_rewindow(e->runs[i]);
	fire_due(e, o);
	engine_quiet_update(e, o);
	if (e->paused && e->pause_until_us != 0)
		timer_at_wall(&e->pause_timer, (wall_t){ e->pause_until_us });
}

/* The clock stepped, the zone changed or the machine resumed. */
void
engine_clock_changed(struct engine *e, const char *why)
{
	engine_catch_up(e, why, ORIGIN_SCHEDULE);
}

static void
step_settled(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	engine_clock_changed(arg, "clock stepped");
}

/* Every wall timer reports the same step: recompute once, right after. */
static void
on_step(void *arg)
{
	struct engine	*e = arg;

	if (!event_pending(e->step_ev, EV_TIMEOUT, NULL))
		event_active(e->step_ev, EV_TIMEOUT, 0);
}

/*
 * The time-zone watch. systemd-timedated replaces the /etc/localtime link
 * (a new link renamed over it); an admin may also copy a zone file over it
 * or remove it. Like systemd's manager, calfd watches the link itself
 * (IN_DONT_FOLLOW), so writes to other files in /etc never wake it; only
 * while /etc/localtime is missing does it watch /etc, for that one name.
 * The watch descriptors are process-wide, like the zone they follow.
 */
#define TZ_PATH		"/etc/localtime"
#define TZ_DIR		"/etc"
#define TZ_FILE_MASK	(IN_DONT_FOLLOW | IN_ATTRIB | IN_CLOSE_WRITE | \
			 IN_DELETE_SELF | IN_MOVE_SELF)
#define TZ_DIR_MASK	(IN_ONLYDIR | IN_CREATE | IN_MOVED_TO)

static int	tz_file_wd = -1, tz_dir_wd = -1;

/* (Re)points the watch at whatever /etc/localtime is now; returns true when
 * the link appeared while only the folder was watched. */
static bool
tz_arm(int fd)
{
	int	 wd;

	for (int tries = 0; tries < 2; tries++) {
		if ((wd = inotify_add_watch(fd, TZ_PATH, TZ_FILE_MASK)) != -1) {
			if (tz_file_wd != -1 && tz_file_wd != wd)
				inotify_rm_watch(fd, tz_file_wd);
			tz_file_wd = wd;
			if (tz_dir_wd != -1) {
				inotify_rm_watch(fd, tz_dir_wd);
				tz_dir_wd = -1;
			}
			return (tries > 0);
		}
		if (tz_file_wd != -1) {
			inotify_rm_watch(fd, tz_file_wd);
			tz_file_wd = -1;
		}
		if (tz_dir_wd == -1 &&
		    (tz_dir_wd = inotify_add_watch(fd, TZ_DIR, TZ_DIR_MASK)) == -1)
			return (false);
		/* The link may have come back before the folder was watched. */
	}
	return (false);
}

/* Any event on the link, or its name arriving in /etc, is a zone change;
 * tzset() (in engine_clock_changed) reads the zone again. */
static void
tz_changed(evutil_socket_t fd, short what, void *arg)
{
	char		buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool		hit = false;
	ssize_t		n;

	(void)what;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ie = (struct inotify_event *)p;

			if (ie->wd == tz_file_wd && tz_file_wd != -1)
				hit = true;
			else if (ie->wd == tz_dir_wd && tz_dir_wd != -1 &&
			    ie->len > 0 && strcmp(ie->name, "localtime") == 0)
				hit = true;
			p += sizeof *ie + ie->len;
		}
	}
	if (!hit)
		return;
	/* A replaced link is a new inode: watch the new one. */
	tz_arm(fd);
	if (getenv("TZ") == NULL)
		engine_clock_changed(arg, "time zone changed");
}

static void
tz_watch_init(struct engine *e)
{
	e->tz_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->tz_fd == -1)
		return;
	tz_file_wd = tz_dir_wd = -1;
	tz_arm(e->tz_fd);
	if (tz_file_wd == -1 && tz_dir_wd == -1) {
		close(e->tz_fd);
		e->tz_fd = -1;
		return;
	}
	e->tz_watch = event_new(e->base, e->tz_fd, EV_READ | EV_PERSIST,
	    tz_changed, e);
	if (e->tz_watch != NULL)
		event_add(e->tz_watch, NULL);
}

/* --- life of the engine ------------------------------------------------- */

static struct run **
runs_new(struct engine *e, struct routine *r, time_t now)
{
	struct run	**runs = calloc(r->nsessions + 1, sizeof *runs);

	if (runs == NULL)
		return NULL;
	for (size_t i = 0; i < r->nsessions; i++) {
		runs[i] = run_new(e, &r->sessions[i], i, now);
		if (runs[i] == NULL) {
			while (i-- > 0)
				run_free(runs[i]);
			free(runs);
			return NULL;
		}
	}
	return runs;
}

struct engine *
engine_new(struct event_base *base, struct routine *r, const char *cli_path)
{
	struct engine	*e = calloc(1, sizeof *e);
	time_t		 now = (time_t)(wall_now().us / US);

	if (e == NULL)
		return NULL;
	e->base = base;
	e->r = r;
	e->tz_fd = -1;
	e->cli_path = cli_path != NULL ? strdup(cli_path) : NULL;
	e->sched = sched_new(r, now);
	e->runs = runs_new(e, r, now);
	if (e->sched == NULL || e->runs == NULL ||
	    timers_init(base, on_step, e) == -1) {
		log_warn("engine");
		return NULL;
	}
	if ((e->step_ev = evtimer_new(base, step_settled, e)) == NULL) {
		log_warn("engine");
		return NULL;
	}
	timer_init_wall(&e->next, engine_fire, e);
	timer_init_wall(&e->pause_timer, pause_timer_cb, e);
	timer_init_wall(&e->quiet_edge, quiet_edge, e);
	tz_watch_init(e);
	engine_quiet_update(e, ORIGIN_SCHEDULE);
	engine_arm_next(e);
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; e->runs != NULL && i < e->r->nsessions; i++)
		run_free(e->runs[i]);
	free(e->runs);
	sched_free(e->sched);
	timer_clear(&e->next);
	timer_clear(&e->pause_timer);
	timer_clear(&e->quiet_edge);
	if (e->tz_watch != NULL)
		event_free(e->tz_watch);
	if (e->step_ev != NULL)
		event_free(e->step_ev);
	if (e->tz_fd != -1)
		close(e->tz_fd);
	timers_shutdown();
	routine_free(e->r);
	free(e->cli_path);
	free(e);
}

const struct routine *
engine_routine(struct engine *e)
{
	return e->r;
}

struct event_base *
engine_base(struct engine *e)
{
	return e->base;
}
