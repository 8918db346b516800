/*
 * engine.c: each session's lifecycle and the actions that move it.
 *
 *   scheduled -> due -> running -> finished
 *                 |        `-> done early, stopped
 *                 +-> snoozed -> due again after the snooze
 *                 +-> skipped, missed (window passed), held (paused/quiet)
 *
 * Every action (start, done, stop, skip, snooze, pause, resume, reload) is
 * one function here; calfctl, signals and notification buttons all call it.
 * Every event leaves through events_emit().
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

#define US		1000000LL
#define LATE_CUE_US	(60 * US)	/* cues older than this are dropped */
#define CATCH_UP_S	(2 * SECS_PER_DAY) /* look back this far on a step */

static void	run_tick(void *);
static void	run_remind(void *);
static void	run_window(void *);
static void	engine_fire(void *);
static void	engine_arm_next(struct engine *);
static void	quiet_update(struct engine *);
static void	release_held(struct engine *);

/* A malloc'd message for *cause, the tmux way; cause may be NULL. */
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

static const char *
title_of(const struct session *s)
{
	return s->title != NULL ? s->title : s->name;
}

/* Emits one event about a run, stamped with the time it was fired. */
static void
emit(enum event_kind kind, const struct run *run, int64_t due_us,
    int64_t until_us, const char *fmt, ...)
{
	struct calf_event	 ev;
	char			*msg = NULL;
	va_list			 ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.session = run != NULL ? run->s->name : NULL;
	ev.title = run != NULL ? title_of(run->s) : NULL;
	ev.message = msg != NULL ? msg : "";
	ev.fired_us = wall_now().us;
	ev.due_us = due_us != 0 ? due_us : ev.fired_us;
	ev.until_us = until_us;
	events_emit(&ev);
	free(msg);
}

static void
fmt_dur(int64_t secs, char *buf, size_t len)
{
	dur_format(secs, buf, len);
}

/* "15m" or "25m..30m", and ", water at about 40 °C" when given. */
static void
describe_length(const struct session *s, char *buf, size_t len)
{
	char	a[20], b[20];

	fmt_dur(s->dur_min, a, sizeof a);
	if (s->dur_min != s->dur_max) {
		fmt_dur(s->dur_max, b, sizeof b);
		snprintf(buf, len, "%s..%s", a, b);
	} else
		snprintf(buf, len, "%s", a);
	if (s->has_temperature) {
		size_t	n = strlen(buf);
		snprintf(buf + n, len - n, ", about %d °C", s->temperature);
	}
}

static const char *
hhmm(int64_t us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / US);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%H:%M", &tm);
	return buf;
}

int
engine_local_sod(time_t t)
{
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static bool
holding(const struct engine *e)
{
	return e->paused || e->quiet;
}

/* Back to idle: every pending timer of the run goes with its state. */
static void
run_idle(struct run *run)
{
	timer_clear(&run->remind);
	timer_clear(&run->window);
	timer_clear(&run->tick);
	run->state = RUN_IDLE;
	run->due_us = run->expires_us = run->snooze_until_us = 0;
}

static struct run *
run_new(struct engine *e, struct session *s, size_t idx, time_t now)
{
	struct run	*run = calloc(1, sizeof *run);

	if (run == NULL)
		return NULL;
	run->e = e;
	run->s = s;
	run->idx = idx;
	run->last_fired = now;
	if (timer_init_boot(&run->remind, e->base, run_remind, run) == -1 ||
	    timer_init_wall(&run->window, e->base, run_window, run) == -1 ||
	    timer_init_boot(&run->tick, e->base, run_tick, run) == -1) {
		log_warn("timerfd");
		free(run);
		return NULL;
	}
	return run;
}

static void
run_free(struct run *run)
{
	if (run == NULL)
		return;
	timer_free(&run->remind);
	timer_free(&run->window);
	timer_free(&run->tick);
	free(run);
}

/* --- running ----------------------------------------------------------- */

/* The first offset (s) after `after` at which something happens to a
 * running session: a cue, the minimum of a range, or the end. */
static int64_t
next_mark(const struct session *s, int64_t after)
{
	int64_t	best = s->dur_max;

	if (s->dur_min < s->dur_max && s->dur_min > after && s->dur_min < best)
		best = s->dur_min;
	for (size_t i = 0; i < s->ncues; i++) {
		const struct cue	*c = &s->cues[i];
		int64_t			 o;

		if (c->every > 0)
			o = after < c->every ? c->every :
			    (after / c->every + 1) * c->every;
		else
			o = c->at;
		if (o > after && o < best)
			best = o;
	}
	return best;
}

static void
arm_tick(struct run *run)
{
	timer_at_boot(&run->tick,
	    (boot_t){ run->start_boot.us + run->mark * US });
}

/* Fires what is due at run->mark, in file order, then arms the next mark;
 * after a long sleep stale cues are dropped, the end never is. */
static void
run_tick(void *arg)
{
	struct run		*run = arg;
	const struct session	*s = run->s;
	int64_t			 elapsed, due;
	char			 a[32];

	if (run->state != RUN_RUNNING)
		return;
	elapsed = boot_now().us - run->start_boot.us;
	while (run->state == RUN_RUNNING && run->mark * US <= elapsed) {
		int64_t	m = run->mark;

		due = run->start_wall_us + m * US;
		if (m < s->dur_max && elapsed - m * US <= LATE_CUE_US) {
			for (size_t i = 0; i < s->ncues; i++) {
				const struct cue *c = &s->cues[i];

				if ((c->every > 0 && m % c->every == 0) ||
				    (c->every == 0 && c->at == m))
					emit(EV_CUE, run, due, 0, "%s", c->text);
			}
		}
		if (m == s->dur_min && s->dur_min < s->dur_max) {
			fmt_dur(s->dur_min, a, sizeof a);
			char	b[32];
			fmt_dur(s->dur_max - s->dur_min, b, sizeof b);
			emit(EV_MINIMUM, run, due, 0,
			    "%s: %s done; you may finish now, or go on up to %s "
			    "more", title_of(s), a, b);
		}
		if (m >= s->dur_max) {
			if (s->finish != NULL)
				emit(EV_FINISHED, run, due, 0, "%s", s->finish);
			else
				emit(EV_FINISHED, run, due, 0, "%s finished.",
				    title_of(s));
			run_idle(run);
			return;
		}
		run->mark = next_mark(s, m);
	}
	arm_tick(run);
}

static void
run_start(struct run *run, int64_t due_us)
{
	struct engine	*e = run->e;
	char		 len[96];

	timer_clear(&run->remind);
	timer_clear(&run->window);
	run->state = RUN_RUNNING;
	run->start_boot = boot_now();
	run->start_wall_us = wall_now().us;
	run->start_seq = ++e->seq;
	run->mark = next_mark(run->s, 0);
	describe_length(run->s, len, sizeof len);
	emit(EV_STARTED, run, due_us, 0, "%s started (%s).", title_of(run->s),
	    len);
	arm_tick(run);
}

/* --- due, reminders, snooze, window ------------------------------------- */

/* Says a prompt out loud (or starts an auto session) and arms reminders. */
static void
announce(struct run *run)
{
	const struct session	*s = run->s;
	char			 len[96];

	run->state = RUN_DUE;
	run->due_seq = ++run->e->seq;
	describe_length(s, len, sizeof len);
	if (s->prompt != NULL)
		emit(EV_DUE, run, run->due_us, 0, "%s (%s)", s->prompt, len);
	else
		emit(EV_DUE, run, run->due_us, 0, "Time for %s (%s).",
		    title_of(s), len);
	if (s->start == START_AUTO) {
		run_start(run, run->due_us);
		return;
	}
	if (s->remind > 0)
		timer_at_boot(&run->remind,
		    (boot_t){ boot_now().us + s->remind * US });
}

static void
arm_window(struct run *run)
{
	timer_at_wall(&run->window, (wall_t){ run->expires_us });
}

/* A firing (or a snooze's end) makes a session due at due_us. */
static void
make_due(struct run *run, int64_t due_us)
{
	struct engine	*e = run->e;
	int64_t		 now = wall_now().us;
	char		 t[16];

	if (run->state == RUN_RUNNING) {
		log_debug("%s: due while running; absorbed", run->s->name);
		return;
	}
	if (run->state == RUN_DUE || run->state == RUN_HELD ||
	    run->state == RUN_SNOOZED) {
		emit(EV_MISSED, run, run->due_us, 0,
		    "%s missed (due at %s); due again now.", title_of(run->s),
		    hhmm(run->due_us, t, sizeof t));
		run_idle(run);
	}
	run->due_us = due_us;
	run->expires_us = due_us + run->s->window * US;
	if (now >= run->expires_us) {
		emit(EV_MISSED, run, due_us, 0, "%s missed (due at %s).",
		    title_of(run->s), hhmm(due_us, t, sizeof t));
		return;
	}
	arm_window(run);
	if (holding(e)) {
		run->state = RUN_HELD;
		run->due_seq = ++e->seq;
		log_debug("%s: due while %s; held", run->s->name,
		    e->paused ? "paused" : "quiet");
		return;
	}
	announce(run);
}

/* Reminder while due; end of the snooze while snoozed. */
static void
run_remind(void *arg)
{
	struct run	*run = arg;
	struct engine	*e = run->e;
	char		 t[16];

	if (run->state == RUN_SNOOZED) {
		int64_t	until = run->snooze_until_us;

		run->state = RUN_IDLE;
		make_due(run, until);
		return;
	}
	if (run->state != RUN_DUE)
		return;
	if (!holding(e))
		emit(EV_REMINDER, run, run->due_us, 0,
		    "Still waiting: %s (due at %s).", title_of(run->s),
		    hhmm(run->due_us, t, sizeof t));
	if (run->s->remind > 0)
		timer_at_boot(&run->remind,
		    (boot_t){ boot_now().us + run->s->remind * US });
}

static void
run_window(void *arg)
{
	struct run	*run = arg;
	char		 t[16];

	if (run->state != RUN_DUE && run->state != RUN_HELD)
		return;
	emit(EV_MISSED, run, run->due_us, 0, "%s missed (due at %s).",
	    title_of(run->s), hhmm(run->due_us, t, sizeof t));
	run_idle(run);
}

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
		if (run->skip_next && run->skip_at == at) {
			run->skip_next = false;
			continue;	/* the skip was announced when asked */
		}
		make_due(run, (int64_t)at * US);
	}
	engine_arm_next(e);
}

static void
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
static void
quiet_update(struct engine *e)
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
		release_held(e);
	} else if (!was && e->quiet)
		log_info("quiet hours: prompts held");
}

static void
quiet_edge(void *arg)
{
	quiet_update(arg);
}

/* Gives the prompts held during a pause or quiet hours, oldest first. */
static void
release_held(struct engine *e)
{
	for (;;) {
		struct run	*oldest = NULL;

		if (holding(e))
			return;
		for (size_t i = 0; i < e->r->nsessions; i++) {
			struct run *run = e->runs[i];
			if (run->state == RUN_HELD && (oldest == NULL ||
			    run->due_seq < oldest->due_seq))
				oldest = run;
		}
		if (oldest == NULL)
			return;
		announce(oldest);
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
			arm_window(run);
	}
	engine_fire(e);
	quiet_update(e);
	if (e->paused && e->pause_until_us != 0)
		timer_at_wall(&e->pause_end, (wall_t){ e->pause_until_us });
}

static void
on_step(void *arg)
{
	engine_clock_changed(arg, "clock stepped");
}

/* systemd-timedated replaces the /etc/localtime link; tzset() rereads it. */
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
			if (ie->len > 0 && strcmp(ie->name, "localtime") == 0)
				hit = true;
			p += sizeof *ie + ie->len;
		}
	}
	if (hit && getenv("TZ") == NULL)
		engine_clock_changed(arg, "time zone changed");
}

static void
tz_watch_init(struct engine *e)
{
	e->tz_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->tz_fd == -1)
		return;
	if (inotify_add_watch(e->tz_fd, "/etc", IN_CREATE | IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB) == -1) {
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
	    timer_init_wall(&e->next, base, engine_fire, e) == -1 ||
	    timer_init_wall(&e->pause_end, base, pause_end, e) == -1 ||
	    timer_init_wall(&e->quiet_edge, base, quiet_edge, e) == -1 ||
	    timer_init_step_watch(&e->step_watch, base) == -1) {
		log_warn("engine");
		return NULL;
	}
	timer_set_step_handler(on_step, e);
	tz_watch_init(e);
	quiet_update(e);
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
	timer_free(&e->next);
	timer_free(&e->pause_end);
	timer_free(&e->quiet_edge);
	timer_free(&e->step_watch);
	if (e->tz_watch != NULL)
		event_free(e->tz_watch);
	if (e->tz_fd != -1)
		close(e->tz_fd);
	timer_set_step_handler(NULL, NULL);
	routine_free(e->r);
	free(e->cli_path);
	free(e);
}

const struct routine *
engine_routine(struct engine *e)
{
	return e->r;
}

/* --- actions ------------------------------------------------------------ */

static struct run *
find_run(struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->r->nsessions; i++)
		if (strcmp(e->runs[i]->s->name, name) == 0)
			return e->runs[i];
	return NULL;
}

static enum result
no_such(char **cause, const char *name)
{
	return fail(cause, RES_UNKNOWN_SESSION,
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
engine_start(struct engine *e, const char *name, char **cause)
{
	struct run	*run = find_run(e, name);

	if (run == NULL)
		return no_such(cause, name);
	if (run->state == RUN_RUNNING)
		return fail(cause, RES_ALREADY_RUNNING,
		    "%s is already running", name);
	run_start(run, is_pending(run) ? run->due_us : 0);
	return RES_SUCCESS;
}

static int64_t
elapsed_s(const struct run *run)
{
	return (boot_now().us - run->start_boot.us) / US;
}

enum result
engine_done(struct engine *e, const char *name, char **cause)
{
	struct run	*run;
	char		 a[32];

	if (name != NULL) {
		if ((run = find_run(e, name)) == NULL)
			return no_such(cause, name);
		if (run->state != RUN_RUNNING && !is_pending(run))
			return fail(cause, RES_NOT_RUNNING,
			    "%s is neither running nor due", name);
	} else if ((run = latest_running(e)) == NULL &&
	    (run = latest_pending(e)) == NULL)
		return fail(cause, RES_NOT_RUNNING,
		    "nothing is running or due");
	if (run->state == RUN_RUNNING) {
		fmt_dur(elapsed_s(run), a, sizeof a);
		emit(EV_DONE, run, run->start_wall_us, 0, "%s done after %s.",
		    title_of(run->s), a);
	} else
		emit(EV_DONE, run, run->due_us, 0, "%s marked done.",
		    title_of(run->s));
	run_idle(run);
	return RES_SUCCESS;
}

enum result
engine_stop(struct engine *e, const char *name, char **cause)
{
	struct run	*run;
	char		 a[32];

	if (name != NULL) {
		if ((run = find_run(e, name)) == NULL)
			return no_such(cause, name);
		if (run->state != RUN_RUNNING)
			return fail(cause, RES_NOT_RUNNING,
			    "%s is not running", name);
	} else if ((run = latest_running(e)) == NULL)
		return fail(cause, RES_NOT_RUNNING, "nothing is running");
	fmt_dur(elapsed_s(run), a, sizeof a);
	emit(EV_STOPPED, run, run->start_wall_us, 0, "%s stopped after %s.",
	    title_of(run->s), a);
	run_idle(run);
	return RES_SUCCESS;
}

enum result
engine_skip(struct engine *e, const char *name, char **cause)
{
	struct run	*run;
	struct firing	 f;
	char		 t[INSTANT_BUFSZ];

	if (name == NULL) {
		if ((run = latest_pending(e)) == NULL)
			return fail(cause, RES_NOT_DUE, "nothing is due");
	} else if ((run = find_run(e, name)) == NULL)
		return no_such(cause, name);
	if (run->state == RUN_RUNNING)
		return fail(cause, RES_NOT_DUE,
		    "%s is running; use stop to end it", name);
	if (is_pending(run)) {
		emit(EV_SKIPPED, run, run->due_us, 0, "%s skipped.",
		    title_of(run->s));
		run_idle(run);
		return RES_SUCCESS;
	}
	/* Idle: skip its next firing, said now so the user sees when. */
	if (sched_next(run->s, run->idx, run->last_fired, SIZE_MAX, &f) == -1)
		return fail(cause, RES_NOT_DUE,
		    "%s is not due and has no scheduled time to skip", name);
	if (run->skip_next && run->skip_at == f.at)
		return fail(cause, RES_NOT_DUE,
		    "the next %s is already skipped", name);
	run->skip_next = true;
	run->skip_at = f.at;
	emit(EV_SKIPPED, run, (int64_t)f.at * US, 0, "%s at %s skipped.",
	    title_of(run->s), instant_format(f.at, t, sizeof t));
	return RES_SUCCESS;
}

enum result
engine_snooze(struct engine *e, const char *name, int64_t secs,
    int64_t *until_us, char **cause)
{
	struct run	*run;
	char		 a[32];

	if (name == NULL) {
		if ((run = latest_pending(e)) == NULL)
			return fail(cause, RES_NOT_DUE, "nothing is due");
	} else if ((run = find_run(e, name)) == NULL)
		return no_such(cause, name);
	else if (!is_pending(run))
		return fail(cause, RES_NOT_DUE, "%s is not due", name);
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
	emit(EV_SNOOZED, run, run->due_us, run->snooze_until_us,
	    "%s snoozed for %s.", title_of(run->s), a);
	return RES_SUCCESS;
}

enum result
engine_pause(struct engine *e, int64_t until_us, char **cause)
{
	char	t[16];

	if (until_us != 0 && until_us <= wall_now().us)
		return fail(cause, RES_USAGE, "that time has already passed");
	e->paused = true;
	e->pause_until_us = until_us;
	if (until_us != 0) {
		timer_at_wall(&e->pause_end, (wall_t){ until_us });
		emit(EV_PAUSED, NULL, 0, until_us, "Prompts paused until %s.",
		    hhmm(until_us, t, sizeof t));
	} else {
		timer_clear(&e->pause_end);
		emit(EV_PAUSED, NULL, 0, 0,
		    "Prompts paused until you resume them.");
	}
	return RES_SUCCESS;
}

enum result
engine_resume(struct engine *e, char **cause)
{
	if (!e->paused)
		return fail(cause, RES_NOT_PAUSED, "prompts are not paused");
	e->paused = false;
	e->pause_until_us = 0;
	timer_clear(&e->pause_end);
	emit(EV_RESUMED, NULL, 0, 0, "Prompts resumed.");
	release_held(e);
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
	time_t		  now = (time_t)(wall_now().us / US);

	if ((nr = routine_open(e->cli_path, errs)) == NULL)
		return RES_CONFIG;
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
			emit(EV_STOPPED, run, run->start_wall_us, 0,
			    "%s stopped: it is no longer in the routine.",
			    title_of(run->s));
		else if (is_pending(run))
			log_info("%s: no longer in the routine; prompt dropped",
			    run->s->name);
		run_free(run);
	}
	free(e->runs);
	sched_free(e->sched);
	routine_free(e->r);
	e->r = nr;
	e->runs = nruns;
	e->sched = ns;
	for (size_t i = 0; i < nr->nsessions; i++) {
		struct run *run = nruns[i];

		run->s = &nr->sessions[i];
		run->idx = i;
		if (run->skip_next)
			run->skip_next = false;
		if (run->state == RUN_RUNNING) {
			/* Everything before the pending mark was said. */
			run->mark = next_mark(run->s, run->mark - 1);
			arm_tick(run);
		} else if (is_pending(run)) {
			run->expires_us = run->due_us + run->s->window * US;
			if (run->state != RUN_SNOOZED)
				arm_window(run);
		}
	}
	quiet_update(e);
	engine_arm_next(e);
	emit(EV_RELOADED, NULL, 0, 0, "Routine reloaded from %s: %zu sessions.",
	    nr->source, nr->nsessions);
	return RES_SUCCESS;
}
