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
	struct timer	 step_watch;	/* wall: reports clock steps only */
	struct event	*tz_watch;	/* inotify on /etc/localtime */
	int		 tz_fd;

	bool		 paused;
	int64_t		 pause_until_us;	/* 0: indefinitely */
	bool		 quiet;
};

/* Seconds of the local time of day at instant t. */
int	engine_local_sod(time_t t);

#endif
