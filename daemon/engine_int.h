/*
 * engine_int.h: the engine's insides, shared by the files that make the
 * engine and nothing else:
 *   engine.c      the calendar: scheduler heap, quiet hours, pause, steps
 *   run.c         one session's life: the only code that changes its state
 *                 and the one door its events leave by
 *   actions.c     the user actions: choose a session, check, ask run.c
 *   snapshot.c    the state as snapshots and back (for daemon/state.c)
 *   engine_json.c status and agenda as JSON
 *   engine_list.c list and show as JSON (reads only)
 * Calls go one way: actions.c and snapshot.c call engine.c and run.c,
 * engine.c calls run.c, and run.c calls neither.
 */
#ifndef CALF_ENGINE_INT_H
#define CALF_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/routine.h"
#include "common/timeutil.h"
#include "common/proto.h"
#include "daemon/events.h"
#include "common/sched.h"
#include "daemon/engine.h"
#include "daemon/timer.h"

/* The runtime of one session. Allocated on its own so the timers' callback
 * pointers survive a reload that reorders sessions. */
struct run {
	struct engine	*e;
	struct session	*s;
	size_t		 idx;
	enum run_state	 state;

	/* Due, snoozed or held. */
	int64_t		 due_us;	/* the instant it was meant for */
	int64_t		 expires_us;	/* missed at this instant */
	int64_t		 snooze_until_us;
	uint64_t	 due_seq;
	struct timer	 remind;	/* boot: the next reminder */
	boot_t		 prompted;	/* the last prompt or reminder */
	struct timer	 window;	/* wall: the window's end */
	struct timer	 snooze;	/* boot: the snooze's end */

	/* Running. */
	boot_t		 start_boot;
	int64_t		 start_wall_us;
	uint64_t	 start_seq;
	int64_t		 mark;		/* the offset (s) the tick is armed for */
	int64_t		 extra_s;	/* extend: the end moved by */
	int64_t		 extra_min_s;	/* ... and the minimum */
	bool		 halted;	/* paused by name: the clock stopped */
	boot_t		 halted_at;	/* ... at this instant */
	struct timer	 tick;		/* boot: next cue, minimum or end */

	/* Firings whose window had closed before they were handled, told as
	 * one `missed` (run_flush_missed). */
	unsigned	 missed_n;
	int64_t		 missed_first_us;	/* the first one's due instant */
	int64_t		 missed_end_us;		/* the last one's window end */

	/* Scheduling. */
	time_t		 last_fired;	/* last firing handled: never again */
	bool		 skip_next;
	time_t		 skip_at;	/* skip the firing at this instant */
};

struct engine {
	struct event_base *base;
	struct routine	*r;
	char		*cli_path;
	struct sched	*sched;
	struct run	**runs;		/* parallel to r->sessions */
	uint64_t	 seq;

	struct timer	 next;		/* wall: the heap's next firing */
	struct timer	 pause_timer;	/* wall: the pause's end */
	struct timer	 quiet_edge;	/* wall: quiet hours start or end */
	struct event	*step_ev;	/* coalesces the steps timers report */
	struct event	*tz_watch;	/* inotify on /etc/localtime */
	int		 tz_fd;

	void		(*changed)(void *);	/* engine_on_change */
	void		*changed_arg;

	bool		 paused;
	int64_t		 pause_until_us;	/* 0: indefinitely */
	bool		 quiet;
	bool		 away;		/* engine_set_away: held like quiet */
};

#define US		1000000LL
#define LATE_CUE_US	(60 * US)	/* cues older than this are dropped */
#define CATCH_UP_S	(2 * SECS_PER_DAY) /* look back this far on a step */

/* engine.c: the calendar. */
void	engine_arm_next(struct engine *);
void	engine_quiet_update(struct engine *, enum event_origin);
void	engine_release_held(struct engine *, enum event_origin);
/* Handles firings not yet handled from CATCH_UP_S ago up to now. */
void	engine_catch_up(struct engine *, const char *why, enum event_origin);
void	engine_pause_set(struct engine *, enum event_origin, int64_t until_us);
void	engine_pause_end(struct engine *, enum event_origin, enum event_reason);
void	engine_changed(struct engine *);

/* run.c: one session's life. Every function here that changes a run's
 * state commits the change first and emits its event after. */
struct run *run_new(struct engine *, struct session *, size_t idx, time_t now);
void	run_free(struct run *);
bool	run_is_pending(const struct run *);
/* A firing of the schedule at `at`; false when it was handled before.
 * next_us: the session's following firing when that has come too (a
 * catch-up), else 0; such a firing is counted as missed, never said. */
bool	run_fire(struct run *, time_t at, int64_t next_us, enum event_origin);
void	run_make_due(struct run *, int64_t due_us, enum event_origin);
/* Tells the firings counted as missed since the last call, as one event. */
void	run_flush_missed(struct run *, enum event_origin);
void	run_announce(struct run *, enum event_origin);
void	run_start(struct run *, enum event_origin);
void	run_done(struct run *, enum event_origin);
void	run_stop(struct run *, enum event_origin, enum event_reason);
void	run_skip(struct run *, enum event_origin, enum event_reason);
void	run_skip_ahead(struct run *, time_t at, enum event_origin);
int64_t	run_snooze(struct run *, int64_t secs, enum event_origin);
/* After a reload gave the run a new definition, or a restore its saved
 * fields: timers re-armed, a skip kept only if the routine still fires
 * then. Marks up to said_s into a running session are not said again. */
void	run_rebind(struct run *, int64_t said_s);
void	run_restore(struct run *, const struct run_snapshot *, bool same_boot,
	    int64_t saved_us);
void	run_snapshot(const struct run *, struct run_snapshot *);
/* Re-arms the window of a due or held run after a clock step. */
void	run_rewindow(struct run *);
int64_t	run_next_mark(const struct run *, int64_t after);
/* The end and the minimum (s after the start), extensions counted. */
int64_t	run_dur_max(const struct run *);
int64_t	run_dur_min(const struct run *);
/* A running session's elapsed time (us), stopped while it is paused. */
int64_t	run_elapsed_us(const struct run *);
/* Pauses a running session (its clock stops) and resumes it: the start,
 * and so its cues and end, move later by the time it was paused. */
void	run_halt(struct run *, enum event_origin);
void	run_unhalt(struct run *, enum event_origin);
/* Moves a running session's end (and minimum) later by secs. */
void	run_extend(struct run *, int64_t secs, enum event_origin);
/* The one door every event leaves by, once its change is committed. */
void	run_emit(struct calf_event *);

const char *session_title(const struct session *);

/* actions.c: RES_UNKNOWN_SESSION, with a cause saying how to find names. */
enum result engine_no_such(char **cause, const char *name);

/* engine_json.c: members for the JSON replies; a NULL string is null. */
void	put_str(json_object *, const char *k, const char *v);
void	put_i64(json_object *, const char *k, int64_t v);

#endif
