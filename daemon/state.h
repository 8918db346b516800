/*
 * state.h: what calfd must not forget when it stops, crashes or is
 * restarted: a pause, prompts that are due, snoozed or held, running
 * sessions, skipped firings, and which firings were already handled. It
 * lives in STATE_DIR/state.json, rewritten (write and rename, never in
 * place) after every change, and is read back at start. The folder must
 * belong to us; one open to other users is closed to them at start.
 *
 * The state folder is locked for as long as calfd runs, so two daemons
 * never share one (a second exits "already running (pid N)").
 */
#ifndef CALF_STATE_H
#define CALF_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct engine;
struct state;

/* Told after every save: ok, and the number of the last change on disk. */
typedef void	(*state_saved_fn)(void *arg, uint64_t saved_gen, bool ok);

/* Locks `dir` (which exists) for this process. NULL with a malloc'd
 * *cause when the folder is in use or unusable. */
struct state	*state_open(const char *dir, char **cause);

/* Applies the saved state to a fresh engine, handles what fell due while
 * calfd was not running, and from then on saves after every change. Call
 * once, after the event sinks that should hear about it are registered. */
void		 state_restore(struct state *, struct engine *);

/* Something changed: save at the end of this turn of the loop. */
void		 state_changed(struct state *);

/* The number of the latest change (0 for a NULL state): a change made by
 * a request is on disk once a save reports a number at least this big. */
uint64_t	 state_generation(const struct state *);
/* One listener (the control socket) hears the outcome of every save. */
void		 state_on_save(struct state *, state_saved_fn, void *arg);
/* Adds "saved", "unsaved_since_us" and "save_error" to a status object. */
void		 state_describe(const struct state *, json_object *);
/* Why the last save failed, or NULL when it did not. */
const char	*state_error(const struct state *);

/* Saves what is pending and unlocks; the engine must still be alive. */
void		 state_close(struct state *);

#endif
