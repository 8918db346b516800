/*
 * state.h: what calfd must not forget when it stops, crashes or is
 * restarted: a pause, prompts that are due, snoozed or held, running
 * sessions, skipped firings, and which firings were already handled. It
 * lives in STATE_DIR/state.json, rewritten (write and rename, never in
 * place) after every change, and is read back at start.
 *
 * The state folder is locked for as long as calfd runs, so two daemons
 * never share one (a second exits "already running (pid N)").
 */
#ifndef CALF_STATE_H
#define CALF_STATE_H

struct engine;
struct state;

/* Locks `dir` (which exists) for this process. NULL with a malloc'd
 * *cause when the folder is in use or unusable. */
struct state	*state_open(const char *dir, char **cause);

/* Applies the saved state to a fresh engine, handles what fell due while
 * calfd was not running, and from then on saves after every change. Call
 * once, after the event sinks that should hear about it are registered. */
void		 state_restore(struct state *, struct engine *);

/* Something changed: save at the end of this turn of the loop. */
void		 state_changed(struct state *);

/* Saves what is pending and unlocks; the engine must still be alive. */
void		 state_close(struct state *);

#endif
