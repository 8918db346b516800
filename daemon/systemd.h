/*
 * systemd.h: everything calfd says to or takes from systemd, in one place
 * (daemon/systemd.c): the socket it passes, the notify protocol (READY,
 * STATUS, RELOADING, STOPPING, WATCHDOG) and the journal with structured
 * fields. Without systemd each of these quietly does nothing, and calfd
 * binds its own socket and logs plain lines to stderr.
 */
#ifndef CALF_SYSTEMD_H
#define CALF_SYSTEMD_H

#include <stdbool.h>

#include <event2/event.h>

#include "common/errlist.h"
#include "common/proto.h"

struct engine;

/* The listening socket systemd passed (socket activation): its fd, -1
 * when none was passed, or -2 with a malloc'd *cause when what was passed
 * is not one listening Unix stream socket. */
int		 systemd_listen_fd(char **cause);

/* True when stderr is a journal stream: $JOURNAL_STREAM names stderr's
 * device and inode. Decided once, from the environment only. */
bool		 systemd_journal_stderr(void);
/* One log line as a journal entry (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER). */
void		 systemd_journal_log(int pri, const char *msg, const char *err);

/* Registers the journal sink (when stderr is the journal) and the STATUS=
 * sink (when a notify socket is set), and starts the watchdog pings when
 * the service manager asked for them. Returns true when the journal sink
 * took over the events, so the plain stderr sink is not needed. */
bool		 systemd_init(struct event_base *, struct engine *);
/* READY=1 with the first STATUS=: the routine is loaded, the state
 * restored and the socket answers. */
void		 systemd_ready(void);
/* Reloads the routine (SIGHUP and `calfctl reload` both come here):
 * RELOADING=1 with MONOTONIC_USEC= before, READY=1 and a fresh STATUS=
 * after, also when the reload is refused. Returns engine_reload()'s
 * result; errs gets its messages. */
enum result	 systemd_reload(struct engine *, enum event_origin,
		     struct errlist *errs);
/* STOPPING=1; unhooks the sinks and the watchdog. */
void		 systemd_stopping(void);

/* The fixed MESSAGE_ID of an event kind's journal entries (32 hex digits,
 * listed in doc/daemon.md), or NULL. */
const char	*systemd_message_id(enum event_kind);

#endif
