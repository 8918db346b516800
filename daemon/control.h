/*
 * control.h: the control socket. Accepts clients (same uid or root only),
 * frames JSON lines, dispatches requests through daemon/commands.c and
 * fans events out to watching clients. Never blocks the loop.
 */
#ifndef CALF_CONTROL_H
#define CALF_CONTROL_H

#include <sys/types.h>

#include <event2/event.h>

struct engine;
struct state;

/* Listens on path, or on the passed socket fd >= 0 (listen_start in
 * daemon/listen.h); when a live calfd owns path, returns -1 with *cause
 * "already running (pid N)". */
int	control_init(struct event_base *, struct engine *, const char *path,
	    int fd, char **cause);
/* The start is done (the saved state restored, what fell due while calfd
 * was down handled): the events it caused, which no watcher can have heard,
 * are replayed to each watcher that subscribes in the next 10 seconds. */
void	control_started(void);
/* From now on a reply to a request that changed something waits for the
 * save of that change (or its failure, which the reply then says). */
void	control_use_state(struct state *);
/* Closes every client and the listener; removes the socket file if we
 * created it. */
void	control_shutdown(void);

#endif
