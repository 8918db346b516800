/*
 * engine.h: the running routine. It owns the routine, the scheduler heap,
 * each session's lifecycle and every timer. Each user action is one
 * function here: calfctl (through daemon/commands.c), a signal, and later a
 * notification button all call the same one.
 *
 * Results are a proto.h result code; on failure *cause (if cause is not
 * NULL) gets a malloc'd message that says what went wrong precisely. On
 * success *which (if not NULL) names the session acted on, which matters
 * when the caller left the choice to the engine; it stays valid until the
 * next reload.
 */
#ifndef CALF_ENGINE_H
#define CALF_ENGINE_H

#include <stdint.h>

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

enum result	 engine_start(struct engine *, const char *name,
		     const char **which, char **cause);
/* name NULL: the obvious session (doc/PROTOCOL.md). */
enum result	 engine_done(struct engine *, const char *name,
		     const char **which, char **cause);
enum result	 engine_stop(struct engine *, const char *name,
		     const char **which, char **cause);
enum result	 engine_skip(struct engine *, const char *name,
		     const char **which, char **cause);
/* secs 0: the routine's default snooze. *until_us gets the new due instant. */
enum result	 engine_snooze(struct engine *, const char *name, int64_t secs,
		     int64_t *until_us, const char **which, char **cause);
/* until_us 0: indefinitely. */
enum result	 engine_pause(struct engine *, int64_t until_us, char **cause);
enum result	 engine_resume(struct engine *, char **cause);
/* Re-reads the routine (routine_reread: the file it runs on); swaps only on
 * success, otherwise errs holds every message and nothing changes. */
enum result	 engine_reload(struct engine *, struct errlist *errs);

/* The instant (epoch us) of the next local HH:MM, for "pause until". */
int64_t		 engine_next_tod(int sod);

json_object	*engine_status(struct engine *);
json_object	*engine_agenda(struct engine *, size_t n);
const struct routine *engine_routine(struct engine *);

/* The clock stepped, the zone changed or the machine resumed: recompute
 * every calendar deadline. */
void		 engine_clock_changed(struct engine *, const char *why);

#endif
