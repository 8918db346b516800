/*
 * history_writer.h: the history log's queue and the worker thread that puts
 * it on disk; used by daemon/history.c only (daemon/history.h says what the
 * rest of calfd sees).
 */
#ifndef CALF_HISTORY_WRITER_H
#define CALF_HISTORY_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "common/errlist.h"
#include "daemon/history.h"

/* In the loop, after each write attempt: every line up to `written` is on
 * disk; ok false: the attempt failed (err says why), `queued` lines wait. */
typedef void	(*writer_report_fn)(uint64_t written, bool ok, const char *err,
		     size_t queued);

/* Starts the worker for the file `path` in folder `dir` (both kept, not
 * copied). -1 with a malloc'd *cause when it cannot. */
int		 writer_start(struct event_base *, const char *dir,
		     const char *path, writer_report_fn, char **cause);
/* A last try, then the worker ends; returns how many lines were lost. */
size_t		 writer_stop(void);
/* Queues a malloc'd line (taken, even on failure) and gives its sequence
 * number; -1 when HISTORY_MAX_QUEUED lines already wait. */
int		 writer_add(char *line, uint64_t *seq);
/* The last sequence number given; 0 before any. */
uint64_t	 writer_pending(void);
/* Why the last attempt failed. */
void		 writer_error(char *buf, size_t len);
/* fn on each line still waiting, in order, until it returns non-zero. */
int		 writer_each_queued(int (*fn)(const char *, void *), void *arg);

#endif
