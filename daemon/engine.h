/*
 * engine.h: the running routine. It owns the routine, the scheduler heap,
 * each session's lifecycle and every timer. Each user action is one
 * function here: calfctl (through daemon/commands.c), a signal, and later a
 * notification button all call the same one, saying who asked (`origin`,
 * which every event the action causes carries).
 *
 * Results are a proto.h result code; on failure *cause (if cause is not
 * NULL) gets a malloc'd message that says what went wrong precisely. On
 * success *which (if not NULL) names the session acted on, which matters
 * when the caller left the choice to the engine; it stays valid until the
 * next reload.
 */
#ifndef CALF_ENGINE_H
#define CALF_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "common/errlist.h"
#include "common/proto.h"
#include "common/routine.h"

struct engine;

/* Takes ownership of the routine; cli_path is kept for reloads. */
struct engine	*engine_new(struct event_base *, struct routine *,
		     const char *cli_path);
void		 engine_free(struct engine *);

/* Moves a running session's end (and a minimum still ahead) later by
 * secs; without name, the one running. *end_us: the new end. */
enum result	 engine_extend(struct engine *, enum event_origin,
		    const char *name, int64_t secs, int64_t *end_us,
		    const char **which, char **cause);
/* name NULL: the one due (or snoozed, or held) session; with several,
 * RES_USAGE and a cause naming them. */
enum result	 engine_start(struct engine *, enum event_origin,
		     const char *name, const char **which, char **cause);
/* name NULL: the obvious session (doc/PROTOCOL.md). */
enum result	 engine_done(struct engine *, enum event_origin,
		     const char *name, const char **which, char **cause);
enum result	 engine_stop(struct engine *, enum event_origin,
		     const char *name, const char **which, char **cause);
enum result	 engine_skip(struct engine *, enum event_origin,
		     const char *name, const char **which, char **cause);
/* secs 0: the routine's default snooze. *until_us gets the new due instant. */
enum result	 engine_snooze(struct engine *, enum event_origin,
		     const char *name, int64_t secs, int64_t *until_us,
		     const char **which, char **cause);
/* until_us 0: indefinitely. */
enum result	 engine_pause(struct engine *, enum event_origin,
		     int64_t until_us, char **cause);
enum result	 engine_resume(struct engine *, enum event_origin,
		     char **cause);
/* One running session's clock stops, and goes on: its cues and end move
 * later by the time it was paused. */
enum result	 engine_pause_run(struct engine *, enum event_origin,
		     const char *name, const char **which, char **cause);
enum result	 engine_resume_run(struct engine *, enum event_origin,
		     const char *name, const char **which, char **cause);
/* Re-reads the routine (routine_reread: the file it runs on); swaps only on
 * success, otherwise errs holds every message and nothing changes. */
enum result	 engine_reload(struct engine *, enum event_origin,
		     struct errlist *errs);

/* The instant (epoch us) of the next local HH:MM, for "pause until". */
int64_t		 engine_next_tod(int sod);

json_object	*engine_status(struct engine *);
json_object	*engine_agenda(struct engine *, size_t n);
const struct routine *engine_routine(struct engine *);
/* The loop the engine runs on, for modules that live beside it. */
struct event_base *engine_base(struct engine *);

/* The person is away (screen locked, do not disturb) or back: while away,
 * new prompts and reminders are held as in quiet hours; `why` is logged. */
void		 engine_set_away(struct engine *, bool away, const char *why);

/* The clock stepped, the zone changed or the machine resumed: recompute
 * every calendar deadline. */
void		 engine_clock_changed(struct engine *, const char *why);

/* fn(arg) is called after every change worth saving, including the ones no
 * event tells of (a firing handled silently, the start itself). */
void		 engine_on_change(struct engine *, void (*fn)(void *),
		     void *arg);

/* --- snapshots: what a restart must not lose (daemon/state.c saves them) */

enum run_state {
	RUN_IDLE,	/* scheduled, or on demand: nothing pending */
	RUN_DUE,	/* prompted, waiting for the user */
	RUN_SNOOZED,	/* due again at snooze_until */
	RUN_HELD,	/* fell due while paused or quiet; prompt held */
	RUN_RUNNING
};

/* "idle", "due", "snoozed", "held", "running": the names status and the
 * state file use; parse returns -1 for any other. */
const char	*run_state_name(enum run_state);
int		 run_state_parse(const char *, enum run_state *);

/* One session, with the fields its state needs (the others are 0). */
struct run_snapshot {
	const char	*name;
	enum run_state	 state;
	uint64_t	 seq;		/* the order it fell due or started */
	int64_t		 due_us;	/* due, held, snoozed */
	int64_t		 snooze_until_us; /* snoozed */
	int64_t		 prompted_us;	/* due: the last prompt, wall clock;
					   0: at the due instant */
	int64_t		 started_us;	/* running: wall clock */
	int64_t		 start_boot_us;	/* running: CLOCK_BOOTTIME */
	int64_t		 extra_s;	/* running: extended by (s) ... */
	int64_t		 extra_min_s;	/* ... and its minimum by */
	int64_t		 halted_us;	/* running, paused: when, wall clock;
					   0: not paused */
	time_t		 skip_at;	/* the firing skipped ahead; 0: none */
};

struct engine_snapshot {
	int64_t		 saved_us;	/* when it was taken */
	time_t		 handled;	/* firings up to this were handled */
	bool		 paused;
	int64_t		 pause_until_us; /* 0: indefinitely */
	bool		 same_boot;	/* restore: boot clocks still mean it */
	struct run_snapshot *runs;	/* only sessions with something to
					   keep (not idle, or a skip) */
	size_t		 nruns;
};

/* Fills *snap (runs malloc'd, names borrowed until the next reload);
 * -1 when out of memory. */
int		 engine_snapshot(struct engine *, struct engine_snapshot *);
void		 engine_snapshot_free(struct engine_snapshot *);
/* Applies a saved state (NULL: none) to a fresh engine, handles what fell
 * due while calfd was not running, and reports a change so the saver
 * writes the state once at the start, whatever was read. */
void		 engine_restore(struct engine *, const struct engine_snapshot *);

#endif
