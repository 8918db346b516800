/*
 * run.c: one session's life, the only code that changes a session's state:
 * due, held, announced, reminded, snoozed (on its own timer), started, its
 * cues and minimum, and its end (finished, done, stopped, skipped, missed);
 * one rebind serves both a reload and a restore. Every change is committed
 * first and told after, through run_emit(), the one door events leave by,
 * so a sink that reads the engine sees the session in its new state.
 *
 * The engine (engine.c) owns the calendar and calls in here when a session
 * falls due; the actions (actions.c) choose a session and ask. Nothing here
 * calls back into either.
 */
#include "daemon/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "daemon/events.h"
#include "daemon/log.h"
#include "daemon/say.h"

static void	remind_cb(void *);
static void	window_cb(void *);
static void	snooze_cb(void *);
static void	tick_cb(void *);
static void	run_marks(struct run *, enum event_origin);
static void	arm_tick(struct run *);

/* The wall-clock instant that a CLOCK_BOOTTIME deadline stood for, so an
 * event's due_us says when it was meant to happen on the epoch scale. */
static int64_t
boot_to_wall(int64_t boot_us)
{
	return wall_now().us - (boot_now().us - boot_us);
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

/* Pause and quiet hours hold prompts (the engine's flags, read here). */
static bool
holding(const struct engine *e)
{
	return e->paused || e->quiet || e->away;
}

bool
run_is_pending(const struct run *run)
{
	return run->state == RUN_DUE || run->state == RUN_SNOOZED ||
	    run->state == RUN_HELD;
}

/* Stamps the event, composes its sentence (say.c) and hands it to the
 * sinks; the change it tells of is already committed. */
void
run_emit(struct calf_event *ev)
{
	char	msg[4096];

	if (ev->fired_us == 0)
		ev->fired_us = wall_now().us;
	if (ev->due_us == 0)
		ev->due_us = ev->fired_us;
	say(ev, msg, sizeof msg);
	ev->message = msg;
	events_emit(ev);
	ev->message = NULL;
}

/* The facts of a run as they are now: taken before a change that ends the
 * run, emitted after it. */
static void
facts(struct calf_event *ev, const struct run *run, enum event_kind kind,
    enum event_origin origin)
{
	const struct session	*s = run->s;

	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->origin = origin;
	ev->session = s->name;
	ev->title = session_title(s);
	ev->dur_min_s = s->dur_min;
	ev->dur_max_s = s->dur_max;
	ev->has_temperature = s->has_temperature;
	ev->temperature = s->temperature;
	ev->elapsed_s = -1;
	if (run->state == RUN_RUNNING) {
		ev->dur_min_s = run_dur_min(run);
		ev->dur_max_s = run_dur_max(run);
		ev->started_us = run->start_wall_us;
		ev->elapsed_s = run_elapsed_us(run) / US;
	} else if (run_is_pending(run))
		ev->first_due_us = run->due_us;
}

/* Back to idle: every pending timer of the run goes with its state. */
static void
clear(struct run *run)
{
	timer_clear(&run->remind);
	timer_clear(&run->window);
	timer_clear(&run->snooze);
	timer_clear(&run->tick);
	run->state = RUN_IDLE;
	run->extra_s = run->extra_min_s = 0;
	run->halted = false;
	run->due_us = run->expires_us = run->snooze_until_us = 0;
}

/* Commits the end, then tells it. */
static void
end(struct run *run, struct calf_event *ev)
{
	clear(run);
	run_emit(ev);
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
	timer_init_boot(&run->remind, remind_cb, run);
	timer_init_wall(&run->window, window_cb, run);
	timer_init_boot(&run->snooze, snooze_cb, run);
	timer_init_boot(&run->tick, tick_cb, run);
	return run;
}

void
run_free(struct run *run)
{
	if (run == NULL)
		return;
	timer_clear(&run->remind);
	timer_clear(&run->window);
	timer_clear(&run->snooze);
	timer_clear(&run->tick);
	free(run);
}

/* --- running ----------------------------------------------------------- */

int64_t
run_elapsed_us(const struct run *run)
{
	return (run->halted ? run->halted_at.us : boot_now().us) -
	    run->start_boot.us;
}

/* The clock of the run stops: no tick until it resumes. */
void
run_halt(struct run *run, enum event_origin o)
{
	struct calf_event	ev;

	run->halted = true;
	run->halted_at = boot_now();
	timer_clear(&run->tick);
	facts(&ev, run, EV_PAUSED, o);
	run_emit(&ev);
}

/* The start moves later by the pause, on both clocks, so the elapsed time
 * goes on from where it stopped and every mark moves with it. */
void
run_unhalt(struct run *run, enum event_origin o)
{
	struct calf_event	ev;
	int64_t			d = boot_now().us - run->halted_at.us;

	run->halted = false;
	run->start_boot.us += d;
	run->start_wall_us += d;
	arm_tick(run);
	facts(&ev, run, EV_RESUMED, o);
	run_emit(&ev);
	run_marks(run, o);
}

/* An extension moves the end and the minimum, never the cues: they keep
 * their offsets from the start. */
int64_t
run_dur_max(const struct run *run)
{
	return run->s->dur_max + run->extra_s;
}

int64_t
run_dur_min(const struct run *run)
{
	return run->s->dur_min + run->extra_min_s;
}

/* The first offset (s) after `after` at which something happens to a
 * running session: a cue, the minimum of a range, or the end. */
int64_t
run_next_mark(const struct run *run, int64_t after)
{
	const struct session	*s = run->s;
	int64_t			 best = run_dur_max(run);
	int64_t			 min = run_dur_min(run);

	if (s->dur_min < s->dur_max && min > after && min < best)
		best = min;
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

/* Says what was due at one mark: its cues in file order, then the
 * minimum; stale cues (after a long sleep) are dropped. */
static void
say_mark(struct run *run, int64_t m, int64_t elapsed, enum event_origin o)
{
	const struct session	*s = run->s;
	struct calf_event	 ev;
	int64_t			 due = run->start_wall_us + m * US;

	if (elapsed - m * US <= LATE_CUE_US) {
		for (size_t i = 0; i < s->ncues; i++) {
			const struct cue *c = &s->cues[i];

			if ((c->every > 0 && m % c->every == 0) ||
			    (c->every == 0 && c->at == m)) {
				facts(&ev, run, EV_CUE, o);
				ev.due_us = due;
				ev.text = c->text;
				run_emit(&ev);
			}
		}
	}
	if (m == run_dur_min(run) && s->dur_min < s->dur_max) {
		facts(&ev, run, EV_MINIMUM, o);
		ev.due_us = due;
		run_emit(&ev);
	}
}

/* Handles every mark that has come, in order, then arms the next; the
 * end is never dropped. */
static void
run_marks(struct run *run, enum event_origin o)
{
	const struct session	*s = run->s;
	struct calf_event	 ev;
	int64_t			 elapsed;

	if (run->state != RUN_RUNNING || run->halted)
		return;
	elapsed = boot_now().us - run->start_boot.us;
	while (run->state == RUN_RUNNING && run->mark * US <= elapsed) {
		int64_t	m = run->mark;

		if (m >= run_dur_max(run)) {
			facts(&ev, run, EV_FINISHED, o);
			ev.due_us = run->start_wall_us + m * US;
			ev.text = s->finish;
			end(run, &ev);
			return;
		}
		run->mark = run_next_mark(run, m);
		say_mark(run, m, elapsed, o);
	}
	if (run->state == RUN_RUNNING)
		arm_tick(run);
}

static void
tick_cb(void *arg)
{
	run_marks(arg, ORIGIN_SCHEDULE);
}

void
run_start(struct run *run, enum event_origin o)
{
	struct engine		*e = run->e;
	struct calf_event	 ev;
	int64_t			 due = run_is_pending(run) ? run->due_us : 0;

	timer_clear(&run->remind);
	timer_clear(&run->window);
	timer_clear(&run->snooze);
	run->state = RUN_RUNNING;
	run->start_boot = boot_now();
	run->start_wall_us = wall_now().us;
	run->start_seq = ++e->seq;
	run->extra_s = run->extra_min_s = 0;
	run->halted = false;
	run->mark = run_next_mark(run, 0);
	arm_tick(run);
	facts(&ev, run, EV_STARTED, o);
	/* Started on demand, the event is about the start itself, and says
	 * the prompt, which no due event has said. */
	ev.due_us = due != 0 ? due : run->start_wall_us;
	ev.first_due_us = due;
	if (due == 0)
		ev.text = run->s->prompt;
	run_emit(&ev);
}

/* The end (and minimum) move later; the tick is re-armed for the next
 * mark, which may now be a cue past the old end. The event's until_us is
 * the new end. */
void
run_extend(struct run *run, int64_t secs, enum event_origin o)
{
	struct calf_event	ev;
	int64_t			said = run_elapsed_us(run) / US;

	/* A minimum still ahead moves with the end; one already said stays
	 * said. */
	if (said < run_dur_min(run))
		run->extra_min_s += secs;
	run->extra_s += secs;
	run->mark = run_next_mark(run, run->mark - 1);
	if (!run->halted)
		arm_tick(run);
	facts(&ev, run, EV_EXTENDED, o);
	ev.until_us = run->start_wall_us + run_dur_max(run) * US;
	run_emit(&ev);
}

/* Ends the run with an event of `kind` about instant due_us. */
static void
end_as(struct run *run, enum event_kind kind, enum event_origin o,
    enum event_reason why, int64_t due_us)
{
	struct calf_event	ev;

	facts(&ev, run, kind, o);
	ev.due_us = due_us;
	ev.reason = why;
	end(run, &ev);
}

void
run_done(struct run *run, enum event_origin o)
{
	end_as(run, EV_DONE, o, REASON_NONE, run->state == RUN_RUNNING ?
	    run->start_wall_us : run->due_us);
}

void
run_stop(struct run *run, enum event_origin o, enum event_reason why)
{
	end_as(run, EV_STOPPED, o, why, run->start_wall_us);
}

void
run_skip(struct run *run, enum event_origin o, enum event_reason why)
{
	end_as(run, EV_SKIPPED, o, why, run->due_us);
}

/* An idle session's next firing is skipped, said now so the user sees
 * when. */
void
run_skip_ahead(struct run *run, time_t at, enum event_origin o)
{
	struct calf_event	ev;

	run->skip_next = true;
	run->skip_at = at;
	facts(&ev, run, EV_SKIPPED, o);
	ev.due_us = (int64_t)at * US;
	ev.reason = REASON_AHEAD;
	run_emit(&ev);
}

/* A snooze has its own timer; the prompt comes back at its end with a
 * fresh window. Returns the instant it ends. */
int64_t
run_snooze(struct run *run, int64_t secs, enum event_origin o)
{
	struct calf_event	ev;
	int64_t			now = wall_now().us;

	facts(&ev, run, EV_SNOOZED, o);
	timer_clear(&run->window);
	timer_clear(&run->remind);
	run->state = RUN_SNOOZED;
	run->snooze_until_us = now + secs * US;
	timer_at_boot(&run->snooze, (boot_t){ boot_now().us + secs * US });
	ev.due_us = run->due_us;
	ev.until_us = run->snooze_until_us;
	ev.fired_us = now;
	run_emit(&ev);
	return run->snooze_until_us;
}

/* --- due, reminders, window --------------------------------------------- */

/* The next reminder, `remind` after the last prompt (after a reload that
 * shortened `remind`, possibly at once); none when remind is 0. */
static void
arm_remind(struct run *run)
{
	int64_t	at = run->prompted.us + run->s->remind * US;

	timer_clear(&run->remind);
	if (run->s->remind <= 0)
		return;
	if (at < boot_now().us)
		at = boot_now().us;
	timer_at_boot(&run->remind, (boot_t){ at });
}

static void
arm_window(struct run *run)
{
	timer_at_wall(&run->window, (wall_t){ run->expires_us });
}

/* Says a prompt out loud (or starts an auto session) and arms reminders. */
void
run_announce(struct run *run, enum event_origin o)
{
	struct calf_event	ev;

	run->state = RUN_DUE;
	run->due_seq = ++run->e->seq;
	if (run->s->start != START_AUTO) {
		run->prompted = boot_now();
		arm_remind(run);
	}
	facts(&ev, run, EV_DUE, o);
	ev.due_us = run->due_us;
	ev.text = run->s->prompt;
	run_emit(&ev);
	if (run->s->start == START_AUTO && run->state == RUN_DUE)
		run_start(run, o);
}

/* A firing (or a snooze's end) makes a session due at due_us; when a
 * later firing has come too (next_us, else 0), this one was missed at it. */
static void
make_due(struct run *run, int64_t due_us, int64_t next_us,
    enum event_origin o)
{
	struct engine		*e = run->e;
	struct calf_event	 ev;
	int64_t			 expires = due_us + run->s->window * US;

	if (next_us != 0 && next_us < expires)
		expires = next_us;

	if (run->state == RUN_RUNNING) {
		log_debug("%s: due while running; absorbed", run->s->name);
		return;
	}
	/* The new firing takes the old prompt's place. Unanswered through
	 * its reminders, the old one was missed; snoozed, the person had
	 * answered it ("later"), so it is only replaced. */
	if (run_is_pending(run)) {
		facts(&ev, run, run->state == RUN_SNOOZED ? EV_REPLACED :
		    EV_MISSED, o);
		ev.due_us = due_us;
		ev.count = 1;
		ev.reason = REASON_REPLACED;
		end(run, &ev);
	}
	if (wall_now().us >= expires) {
		/* Counted, and told once for the whole catch-up. */
		if (run->missed_n++ == 0)
			run->missed_first_us = due_us;
		run->missed_end_us = expires;
		return;
	}
	run_flush_missed(run, o);
	run->due_us = due_us;
	run->expires_us = expires;
	arm_window(run);
	if (holding(e)) {
		run->state = RUN_HELD;
		run->due_seq = ++e->seq;
		log_debug("%s: due while %s; held", run->s->name,
		    e->paused ? "paused" : "quiet");
		return;
	}
	run_announce(run, o);
}

void
run_make_due(struct run *run, int64_t due_us, enum event_origin o)
{
	make_due(run, due_us, 0, o);
}

/* After calfd was down or the clock jumped, days of an interval session
 * make one `missed` with the count and the span, not one per firing. */
void
run_flush_missed(struct run *run, enum event_origin o)
{
	struct calf_event	ev;

	if (run->missed_n == 0)
		return;
	facts(&ev, run, EV_MISSED, o);
	ev.due_us = run->missed_end_us;
	ev.first_due_us = run->missed_first_us;
	ev.count = run->missed_n;
	run->missed_n = 0;
	run_emit(&ev);
}

/* A firing of the schedule: handled once, skipped if asked ahead. */
bool
run_fire(struct run *run, time_t at, int64_t next_us, enum event_origin o)
{
	if (at <= run->last_fired)
		return false;	/* handled before a backward step */
	run->last_fired = at;
	if (run->skip_next && run->skip_at == at) {
		run->skip_next = false;
		return true;	/* the skip was announced when asked */
	}
	make_due(run, (int64_t)at * US, next_us, o);
	return true;
}

static void
remind_cb(void *arg)
{
	struct run		*run = arg;
	struct calf_event	 ev;
	int64_t			 deadline = run->remind.deadline_us;

	if (run->state != RUN_DUE)
		return;
	/* On the grid of the first reminder, so lateness does not add up;
	 * after a sleep that swallowed several, the next is a full step on. */
	run->prompted.us = deadline;
	if (run->prompted.us + run->s->remind * US <= boot_now().us)
		run->prompted = boot_now();
	arm_remind(run);
	if (holding(run->e))
		return;
	facts(&ev, run, EV_REMINDER, ORIGIN_SCHEDULE);
	ev.due_us = boot_to_wall(deadline);
	run_emit(&ev);
}

static void
snooze_cb(void *arg)
{
	struct run	*run = arg;
	int64_t		 until = run->snooze_until_us;

	if (run->state != RUN_SNOOZED)
		return;
	clear(run);
	run_make_due(run, until, ORIGIN_SCHEDULE);
	run_flush_missed(run, ORIGIN_SCHEDULE);
}

static void
window_cb(void *arg)
{
	struct run		*run = arg;
	struct calf_event	 ev;

	if (run->state != RUN_DUE && run->state != RUN_HELD)
		return;
	facts(&ev, run, EV_MISSED, ORIGIN_SCHEDULE);
	ev.due_us = run->expires_us;
	ev.count = 1;
	end(run, &ev);
}

void
run_rewindow(struct run *run)
{
	if (run->state == RUN_DUE || run->state == RUN_HELD)
		arm_window(run);
}

/* --- reload and restore -------------------------------------------------- */

void
run_rebind(struct run *run, int64_t said_s)
{
	struct firing	f;

	/* A skip stands while the routine still fires then. */
	if (run->skip_next && (sched_next(run->s, run->idx, run->skip_at - 1,
	    SIZE_MAX, &f) == -1 || f.at != run->skip_at))
		run->skip_next = false;
	if (run->state == RUN_RUNNING) {
		/* Marks of the definition still ahead are said; ones already
		 * behind are not said late. */
		run->mark = run_next_mark(run, said_s);
		if (!run->halted)
			arm_tick(run);
	} else if (run_is_pending(run)) {
		run->expires_us = run->due_us + run->s->window * US;
		if (run->state != RUN_SNOOZED)
			arm_window(run);
		if (run->state == RUN_DUE)
			arm_remind(run);
	}
}

/* A session saved as running keeps its start: its marks come from the
 * start as if calfd had never stopped. CLOCK_BOOTTIME survives a restart
 * of calfd but not a reboot, so the saved boot-clock start is used only
 * on the same boot. */
static void
restore_running(struct run *run, const struct run_snapshot *sr,
    bool same_boot, int64_t saved_us)
{
	int64_t	 now = wall_now().us;
	char	 a[32];

	run->state = RUN_RUNNING;
	run->start_seq = sr->seq;
	run->extra_s = sr->extra_s;
	run->extra_min_s = sr->extra_min_s;
	if (sr->halted_us > 0) {
		/* Paused: the elapsed time it had when paused, and the clock
		 * still stopped; the start is where it would be had it been
		 * paused now. */
		int64_t el = sr->halted_us - sr->started_us;

		if (el < 0)
			el = 0;
		run->halted = true;
		run->halted_at = boot_now();
		run->start_boot.us = run->halted_at.us - el;
		run->start_wall_us = now - el;
		log_info("%s: still running, paused", run->s->name);
		run_rebind(run, el / US);
		return;
	}
	/* A start in the future is from a clock that ran ahead: now. */
	run->start_wall_us = sr->started_us < now ? sr->started_us : now;
	if (same_boot && sr->start_boot_us <= boot_now().us)
		run->start_boot.us = sr->start_boot_us;
	else	/* the boot clock restarted: count from the wall clock */
		run->start_boot.us = boot_now().us -
		    (now - run->start_wall_us);
	dur_format((boot_now().us - run->start_boot.us) / US, a, sizeof a);
	log_info("%s: still running, %s in", run->s->name, a);
	/* Every mark up to the last save was said (a mark said is saved), so
	 * the marks after it are still to say, in the routine as it is now.
	 * Those that passed while calfd was down are said (or dropped, if
	 * stale) now, during the start. */
	run_rebind(run, saved_us > run->start_wall_us ?
	    (saved_us - run->start_wall_us) / US : 0);
	run_marks(run, ORIGIN_RESTORE);
}

/* A prompt saved as due or held: said already (due) or still to say
 * (held: given once nothing holds it); missed if its window closed while
 * calfd was down. */
static void
restore_pending(struct run *run, const struct run_snapshot *sr)
{
	struct calf_event	ev;
	int64_t			now = wall_now().us, ago;

	run->due_seq = sr->seq;
	if (now >= sr->due_us + run->s->window * US) {
		facts(&ev, run, EV_MISSED, ORIGIN_RESTORE);
		ev.due_us = sr->due_us + run->s->window * US;
		ev.first_due_us = sr->due_us;
		ev.count = 1;
		run_emit(&ev);
		return;
	}
	run->state = sr->state;
	run->due_us = sr->due_us;
	if (sr->state == RUN_DUE) {
		ago = now - (sr->prompted_us != 0 ? sr->prompted_us :
		    sr->due_us);
		run->prompted.us = boot_now().us - (ago > 0 ? ago : 0);
	}
	run_rebind(run, 0);
}

/* A snooze goes on for what is left of it, or ends now. */
static void
restore_snoozed(struct run *run, const struct run_snapshot *sr)
{
	int64_t	left = sr->snooze_until_us - wall_now().us;

	run->due_seq = sr->seq;
	if (left <= 0) {
		run_make_due(run, sr->snooze_until_us, ORIGIN_RESTORE);
		return;
	}
	run->state = RUN_SNOOZED;
	run->due_us = sr->due_us;
	run->snooze_until_us = sr->snooze_until_us;
	timer_at_boot(&run->snooze, (boot_t){ boot_now().us + left });
	run_rebind(run, 0);
}

void
run_restore(struct run *run, const struct run_snapshot *sr, bool same_boot,
    int64_t saved_us)
{
	run->skip_next = sr->skip_at != 0;
	run->skip_at = sr->skip_at;
	switch (sr->state) {
	case RUN_RUNNING:
		restore_running(run, sr, same_boot, saved_us);
		break;
	case RUN_SNOOZED:
		restore_snoozed(run, sr);
		break;
	case RUN_DUE:
	case RUN_HELD:
		restore_pending(run, sr);
		break;
	default:
		run_rebind(run, 0);
		break;
	}
}

void
run_snapshot(const struct run *run, struct run_snapshot *sr)
{
	memset(sr, 0, sizeof *sr);
	sr->name = run->s->name;
	sr->state = run->state;
	switch (run->state) {
	case RUN_DUE:
	case RUN_HELD:
	case RUN_SNOOZED:
		sr->due_us = run->due_us;
		sr->seq = run->due_seq;
		sr->snooze_until_us = run->state == RUN_SNOOZED ?
		    run->snooze_until_us : 0;
		/* Reminders go on from the last one, on the wall clock's
		 * scale since the boot clock may not survive. */
		if (run->state == RUN_DUE)
			sr->prompted_us = boot_to_wall(run->prompted.us);
		break;
	case RUN_RUNNING:
		sr->started_us = run->start_wall_us;
		sr->start_boot_us = run->start_boot.us;
		sr->extra_s = run->extra_s;
		sr->extra_min_s = run->extra_min_s;
		sr->halted_us = run->halted ? boot_to_wall(run->halted_at.us) :
		    0;
		sr->seq = run->start_seq;
		break;
	default:
		break;
	}
	if (run->skip_next)
		sr->skip_at = run->skip_at;
}
