/*
 * run.c: one session's lifecycle: due, reminders, snooze, window, and the
 * marks (cues, minimum, end) of a running session. The engine (engine.c)
 * owns the calendar; the actions (actions.c) move runs between states.
 */
#include "daemon/engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "daemon/events.h"
#include "daemon/log.h"


/* The wall-clock instant that a CLOCK_BOOTTIME deadline stood for, so an
 * event's due_us says when it was meant to happen on the epoch scale. */
static int64_t
boot_to_wall(int64_t boot_us)
{
	return wall_now().us - (boot_now().us - boot_us);
}

static void	run_remind(void *);
static void	run_window(void *);

/* A malloc'd message for *cause, the tmux way; cause may be NULL. */
enum result
engine_fail(char **cause, enum result r, const char *fmt, ...)
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

static const char *const run_state_names[] = {
	[RUN_IDLE] = "idle",
	[RUN_DUE] = "due",
	[RUN_SNOOZED] = "snoozed",
	[RUN_HELD] = "held",
	[RUN_RUNNING] = "running",
};

const char *
run_state_name(enum run_state st)
{
	if ((size_t)st >= sizeof run_state_names / sizeof run_state_names[0])
		return "idle";
	return run_state_names[st];
}

int
run_state_parse(const char *s, enum run_state *st)
{
	for (size_t i = 0; i < sizeof run_state_names /
	    sizeof run_state_names[0]; i++) {
		if (strcmp(s, run_state_names[i]) == 0) {
			*st = (enum run_state)i;
			return 0;
		}
	}
	return -1;
}

const char *
session_title(const struct session *s)
{
	return s->title != NULL ? s->title : s->name;
}

/* Emits one event about a run, stamped with the time it was fired. */
void
run_emit(enum event_kind kind, const struct run *run, int64_t due_us,
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
	ev.title = run != NULL ? session_title(run->s) : NULL;
	ev.message = msg != NULL ? msg : "";
	ev.fired_us = wall_now().us;
	ev.due_us = due_us != 0 ? due_us : ev.fired_us;
	ev.until_us = until_us;
	events_emit(&ev);
	free(msg);
}

void
fmt_dur(int64_t secs, char *buf, size_t len)
{
	dur_format(secs, buf, len);
}

/* "15m" or "25m..30m", and ", water at about 40 °C" when given. */
void
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

const char *
local_hhmm(int64_t us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / US);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%H:%M", &tm);
	return buf;
}

/* "11:50" today, "tomorrow 11:50", or "Mon 30 Nov 11:50" further on, so
 * a pause until a time that has passed today says it means tomorrow. */
const char *
local_when(int64_t us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / US), now = (time_t)(wall_now().us / US);
	struct tm	tm;
	int64_t		days = sched_local_day(t) - sched_local_day(now);

	if (localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else if (days == 0)
		strftime(buf, len, "%H:%M", &tm);
	else if (days == 1)
		strftime(buf, len, "tomorrow %H:%M", &tm);
	else
		strftime(buf, len, "%a %d %b %Y %H:%M", &tm);
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

bool
engine_holding(const struct engine *e)
{
	return e->paused || e->quiet || e->away;
}

/* Back to idle: every pending timer of the run goes with its state. */
void
run_idle(struct run *run)
{
	timer_clear(&run->remind);
	timer_clear(&run->window);
	timer_clear(&run->tick);
	run->state = RUN_IDLE;
	run->due_us = run->expires_us = run->snooze_until_us = 0;
}

struct run *
run_new(struct engine *e, struct session *s, size_t idx, time_t now)
{
	struct run	*run = calloc(1, sizeof *run);

	if (run == NULL)
		return NULL;
	run->e = e;
	run->s = s;
	run->idx = idx;
	run->last_fired = now;
	timer_init_boot(&run->remind, run_remind, run);
	timer_init_wall(&run->window, run_window, run);
	timer_init_boot(&run->tick, run_tick, run);
	return run;
}

void
run_free(struct run *run)
{
	if (run == NULL)
		return;
	timer_clear(&run->remind);
	timer_clear(&run->window);
	timer_clear(&run->tick);
	free(run);
}


/* --- running ----------------------------------------------------------- */

/* The first offset (s) after `after` at which something happens to a
 * running session: a cue, the minimum of a range, or the end. */
int64_t
run_next_mark(const struct session *s, int64_t after)
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

void
run_arm_tick(struct run *run)
{
	timer_at_boot(&run->tick,
	    (boot_t){ run->start_boot.us + run->mark * US });
}

/* Fires what is due at run->mark, in file order, then arms the next mark;
 * after a long sleep stale cues are dropped, the end never is. */
void
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
					run_emit(EV_CUE, run, due, 0, "%s", c->text);
			}
		}
		if (m == s->dur_min && s->dur_min < s->dur_max) {
			fmt_dur(s->dur_min, a, sizeof a);
			char	b[32];
			fmt_dur(s->dur_max - s->dur_min, b, sizeof b);
			run_emit(EV_MINIMUM, run, due, 0,
			    "%s: %s done; you may finish now, or go on up to %s "
			    "more", session_title(s), a, b);
		}
		if (m >= s->dur_max) {
			if (s->finish != NULL)
				run_emit(EV_FINISHED, run, due, 0, "%s", s->finish);
			else
				run_emit(EV_FINISHED, run, due, 0, "%s finished.",
				    session_title(s));
			run_idle(run);
			return;
		}
		run->mark = run_next_mark(s, m);
	}
	run_arm_tick(run);
}

void
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
	run->mark = run_next_mark(run->s, 0);
	describe_length(run->s, len, sizeof len);
	/* Started on demand, the event is about the start itself. */
	run_emit(EV_STARTED, run, due_us != 0 ? due_us : run->start_wall_us, 0,
	    "%s started (%s).", session_title(run->s), len);
	run_arm_tick(run);
}

/* --- due, reminders, snooze, window ------------------------------------- */

/* Says a prompt out loud (or starts an auto session) and arms reminders. */
void
run_announce(struct run *run)
{
	const struct session	*s = run->s;
	char			 len[96];

	run->state = RUN_DUE;
	run->due_seq = ++run->e->seq;
	describe_length(s, len, sizeof len);
	if (s->prompt != NULL)
		run_emit(EV_DUE, run, run->due_us, 0, "%s (%s)", s->prompt, len);
	else
		run_emit(EV_DUE, run, run->due_us, 0, "Time for %s (%s).",
		    session_title(s), len);
	if (s->start == START_AUTO) {
		run_start(run, run->due_us);
		return;
	}
	run->prompted = boot_now();
	run_arm_remind(run);
}

/* The next reminder, `remind` after the last prompt (after a reload that
 * shortened `remind`, possibly at once); none when remind is 0. */
void
run_arm_remind(struct run *run)
{
	int64_t	at = run->prompted.us + run->s->remind * US;

	timer_clear(&run->remind);
	if (run->s->remind <= 0)
		return;
	if (at < boot_now().us)
		at = boot_now().us;
	timer_at_boot(&run->remind, (boot_t){ at });
}

void
run_arm_window(struct run *run)
{
	timer_at_wall(&run->window, (wall_t){ run->expires_us });
}

/* A firing (or a snooze's end) makes a session due at due_us. */
void
run_make_due(struct run *run, int64_t due_us)
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
		run_emit(EV_MISSED, run, due_us, 0,
		    "%s missed (due at %s); due again now.", session_title(run->s),
		    local_hhmm(run->due_us, t, sizeof t));
		run_idle(run);
	}
	run->due_us = due_us;
	run->expires_us = due_us + run->s->window * US;
	if (now >= run->expires_us) {
		run_emit(EV_MISSED, run, run->expires_us, 0,
		    "%s missed (due at %s).",
		    session_title(run->s), local_hhmm(due_us, t, sizeof t));
		return;
	}
	run_arm_window(run);
	if (engine_holding(e)) {
		run->state = RUN_HELD;
		run->due_seq = ++e->seq;
		log_debug("%s: due while %s; held", run->s->name,
		    e->paused ? "paused" : "quiet");
		return;
	}
	run_announce(run);
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
		run_make_due(run, until);
		return;
	}
	if (run->state != RUN_DUE)
		return;
	if (!engine_holding(e))
		run_emit(EV_REMINDER, run, boot_to_wall(run->remind.deadline_us), 0,
		    "Still waiting: %s (due at %s).", session_title(run->s),
		    local_hhmm(run->due_us, t, sizeof t));
	/* On the grid of the first reminder, so lateness does not add up;
	 * after a sleep that swallowed several, the next is a full step on. */
	run->prompted.us = run->remind.deadline_us;
	if (run->prompted.us + run->s->remind * US <= boot_now().us)
		run->prompted = boot_now();
	run_arm_remind(run);
}

static void
run_window(void *arg)
{
	struct run	*run = arg;
	char		 t[16];

	if (run->state != RUN_DUE && run->state != RUN_HELD)
		return;
	run_emit(EV_MISSED, run, run->expires_us, 0, "%s missed (due at %s).",
	    session_title(run->s), local_hhmm(run->due_us, t, sizeof t));
	run_idle(run);
}
