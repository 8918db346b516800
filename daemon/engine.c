/*
 * engine.c: each session's lifecycle and the actions that move it.
 *
 *   scheduled -> due -> running -> finished
 *                 |        `-> done early, stopped
 *                 +-> snoozed -> due again after the snooze
 *                 +-> skipped, missed (window passed), held (paused/quiet)
 *
 * This file owns the calendar: the scheduler heap and its wall-clock timer,
 * quiet hours, pause expiry, clock steps and zone changes. run.c holds one
 * session's lifecycle; actions.c the user actions (start, done, stop, skip,
 * snooze, pause, resume, reload), one function each, which calfctl, signals
 * and notification buttons all call. Every event leaves through
 * events_emit().
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
#include "daemon/state.h"

/* --- the calendar ------------------------------------------------------- */

/* Handles every firing whose instant has come, in order. */
static void
engine_fire(void *arg)
{
	struct engine		*e = arg;
	const struct firing	*f;
	time_t			 now = (time_t)(wall_now().us / US);

	while ((f = sched_peek(e->sched)) != NULL && f->at <= now) {
		struct run	*run = e->runs[f->session];
		time_t		 at = f->at;

		sched_advance(e->sched);
		if (at <= run->last_fired)
			continue;	/* handled before a backward step */
		run->last_fired = at;
		state_changed(e->state);	/* even when nothing is said */
		if (run->skip_next && run->skip_at == at) {
			run->skip_next = false;
			continue;	/* the skip was announced when asked */
		}
		run_make_due(run, (int64_t)at * US);
	}
	engine_arm_next(e);
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
	time_t	now = (time_t)(wall_now().us / US), t;
	int64_t	day = sched_local_day(now);

	for (int i = 0; i < 4; i++, day++)
		if (sched_local_instant(day, sod, &t) == 0 && t > now)
			return (int64_t)t * US;
	return ((int64_t)now + SECS_PER_DAY) * US;
}

static bool
in_quiet(const struct routine *r, time_t now)
{
	int	sod;

	if (!r->has_quiet)
		return false;
	sod = engine_local_sod(now);
	if (r->quiet_start <= r->quiet_end)
		return sod >= r->quiet_start && sod < r->quiet_end;
	return sod >= r->quiet_start || sod < r->quiet_end;
}

/* Quiet hours start and end at local times: re-evaluated at each edge. */
void
engine_quiet_update(struct engine *e)
{
	time_t	now = (time_t)(wall_now().us / US);
	bool	was = e->quiet;
	int64_t	a, b;

	timer_clear(&e->quiet_edge);
	if (!e->r->has_quiet) {
		e->quiet = false;
	} else {
		e->quiet = in_quiet(e->r, now);
		a = engine_next_tod(e->r->quiet_start);
		b = engine_next_tod(e->r->quiet_end);
		timer_at_wall(&e->quiet_edge, (wall_t){ a < b ? a : b });
	}
	if (was && !e->quiet) {
		log_info("quiet hours over");
		engine_release_held(e);
	} else if (!was && e->quiet)
		log_info("quiet hours: prompts held");
}

static void
quiet_edge(void *arg)
{
	engine_quiet_update(arg);
}

/* Gives the prompts held during a pause or quiet hours, oldest first. */
void
engine_release_held(struct engine *e)
{
	for (;;) {
		struct run	*oldest = NULL;

		if (engine_holding(e))
			return;
		for (size_t i = 0; i < e->r->nsessions; i++) {
			struct run *run = e->runs[i];
			if (run->state == RUN_HELD && (oldest == NULL ||
			    run->due_seq < oldest->due_seq))
				oldest = run;
		}
		if (oldest == NULL)
			return;
		run_announce(oldest);
	}
}

static void
pause_end(void *arg)
{
	struct engine	*e = arg;

	if (e->paused)
		engine_resume(e, NULL);
}

/* The clock stepped, the zone changed or the machine resumed. Firings in
 * the last two days not yet handled are handled now (prompted, or missed
 * when past their window); everything else is recomputed. */
void
engine_clock_changed(struct engine *e, const char *why)
{
	time_t	now = (time_t)(wall_now().us / US);

	log_info("%s: recomputing the schedule", why);
	tzset();
	sched_zone_changed();
	sched_rebase(e->sched, now - CATCH_UP_S);
	for (size_t i = 0; i < e->r->nsessions; i++) {
		struct run *run = e->runs[i];
		if (run->state == RUN_DUE || run->state == RUN_HELD)
			run_arm_window(run);
	}
	engine_fire(e);
	engine_quiet_update(e);
	if (e->paused && e->pause_until_us != 0)
		timer_at_wall(&e->pause_end, (wall_t){ e->pause_until_us });
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
	timer_init_wall(&e->pause_end, pause_end, e);
	timer_init_wall(&e->quiet_edge, quiet_edge, e);
	tz_watch_init(e);
	engine_quiet_update(e);
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
	timer_clear(&e->pause_end);
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
