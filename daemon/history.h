/*
 * history.h: the history log's writer in calfd. Every outcome the engine
 * reports (and each cramp the user logs) becomes one record appended to
 * DIR/DEVICE.jsonl, where DEVICE is a random id made once and kept in the
 * state folder (common/history.h has the format, doc/history.md the rest).
 *
 * Durable before acknowledged: records are queued in order and a worker
 * thread appends them and fdatasync()s the file (and fsync()s the folder
 * when it made the file). history_pending() says how far the queue goes;
 * control.c holds a reply that queued a record until history_on_written()
 * reports it on disk. The loop never waits for the disk.
 *
 * When the disk refuses (full, read-only, gone), records stay in memory
 * (at most HISTORY_MAX_QUEUED), the waiting replies go out with a warning,
 * the log is told once, and the worker tries again every few seconds.
 */
#ifndef CALF_DAEMON_HISTORY_H
#define CALF_DAEMON_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "common/history.h"
#include "common/proto.h"

#define HISTORY_MAX_QUEUED	10000
#define HISTORY_RETRY_S		2

struct engine;

/* Picks the folder (dir, else STATE_DIR/history) and reads or makes the
 * device id. -1 with a malloc'd *cause only when out of memory. */
int		 history_init(const char *state_dir, const char *dir,
		     char **cause);
/* Registers the event sink and starts the worker. -1 with a malloc'd
 * *cause for what cannot wait (no thread, no eventfd); a folder that
 * cannot be written yet is only logged. */
int		 history_start(struct event_base *, char **cause);
/* Writes what it can (a last try), stops the worker, unhooks the sink. */
void		 history_shutdown(void);

/* Queues a record (its id is filled in here). -1 with a malloc'd *cause
 * when the queue is full or history is off. */
int		 history_add(struct hist_rec *, char **cause);

/* Sequence number of the last record queued; 0 before any. */
uint64_t	 history_pending(void);
/* Called in the loop after each write attempt: every record up to
 * `written` is on disk; ok false: the last attempt failed (err says why)
 * and the records after `written` wait in memory. */
typedef void	(*history_written_fn)(void *arg, uint64_t written, bool ok,
		     const char *err);
void		 history_on_written(history_written_fn, void *arg);

/* Every record of every device file in the folder, and the ones still in
 * memory, merged (by id, in time order). info adds up the files' warnings.
 * -1 on ENOMEM. */
int		 history_read(struct hist_list *, struct hist_load *info,
		     unsigned *files);

const char	*history_dir(void);
const char	*history_device(void);
/* Why the last write failed while it still fails, else NULL: a reply that
 * queued a record then goes out at once, with this as its warning. */
const char	*history_error(void);
/* The start (epoch us) of the last cramp check since calfd started, from
 * its "started" event; 0 when none. */
int64_t		 history_check_started_us(void);

/* The engine calls history's commands need, kept in history.c beside the
 * event sink so one place follows the engine's interface. */
enum result	 history_engine_start(struct engine *, const char *name,
		     char **cause);
enum result	 history_engine_done(struct engine *, enum event_origin,
		     const char *name, char **cause);
const struct routine *history_engine_routine(struct engine *);

#endif
