/*
 * engine_int.h: the engine's insides, shared by engine.c (lifecycle and
 * actions) and engine_json.c (status and agenda as JSON). Nothing else
 * includes this.
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

enum run_state {
	RUN_IDLE,	/* scheduled, or on demand: nothing pending */
	RUN_DUE,	/* prompted, waiting for the user */
	RUN_SNOOZED,	/* due again at snooze_until */
	RUN_HELD,	/* fell due while paused or quiet; prompt held */
	RUN_RUNNING
};

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
	struct timer	 remind;	/* boot: reminder, or the snooze's end */
	boot_t		 prompted;	/* the last prompt or reminder */
	struct timer	 window;	/* wall: the window's end */

	/* Running. */
	boot_t		 start_boot;
	int64_t		 start_wall_us;
	uint64_t	 start_seq;
	int64_t		 mark;		/* the offset (s) the tick is armed for */
	struct timer	 tick;		/* boot: next cue, minimum or end */

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
	struct timer	 pause_end;	/* wall */
	struct timer	 quiet_edge;	/* wall: quiet hours start or end */
	struct event	*step_ev;	/* coalesces the steps timers report */
	struct event	*tz_watch;	/* inotify on /etc/localtime */
	int		 tz_fd;

	struct state	*state;		/* saved across restarts, or NULL */

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
void	engine_quiet_update(struct engine *);
void	engine_release_held(struct engine *);
bool	engine_holding(const struct engine *);
/* Seconds of the local time of day at instant t. */
int	engine_local_sod(time_t t);
/* A malloc'd message for *cause (may be NULL); returns r. */
enum result engine_fail(char **cause, enum result r, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* run.c: one session's lifecycle. */
struct run *run_new(struct engine *, struct session *, size_t idx, time_t now);
void	run_free(struct run *);
void	run_idle(struct run *);
void	run_start(struct run *, int64_t due_us);
void	run_announce(struct run *);
void	run_make_due(struct run *, int64_t due_us);
void	run_arm_window(struct run *);
void	run_arm_remind(struct run *);
void	run_arm_tick(struct run *);
/* Says what is due at the pending mark (and any after it), then arms the
 * next; the tick timer's callback, also called at once after a restore. */
void	run_tick(void *run);
int64_t	run_next_mark(const struct session *, int64_t after);
void	run_emit(enum event_kind, const struct run *, int64_t due_us,
	    int64_t until_us, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* "idle", "due", "snoozed", "held", "running": the names status and the
 * state file use; parse returns -1 for any other. */
const char *run_state_name(enum run_state);
int	run_state_parse(const char *, enum run_state *);

/* Formatting shared by run.c and actions.c. */
const char *session_title(const struct session *);
void	fmt_dur(int64_t secs, char *buf, size_t len);
void	describe_length(const struct session *, char *buf, size_t len);
const char *local_hhmm(int64_t us, char *buf, size_t len);
const char *local_when(int64_t us, char *buf, size_t len);

#endif
