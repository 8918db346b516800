/*
 * listen.h: the control socket's listening side (daemon/listen.c): binding
 * it, or taking the one systemd passed, accepting, and binding it again
 * when its file is removed. Serving the clients is daemon/control.c's.
 */
#ifndef CALF_LISTEN_H
#define CALF_LISTEN_H

#include <stdbool.h>

#include <event2/event.h>

/* Called with each accepted connection (non-blocking, close-on-exec). */
typedef void	(*listen_accept_fn)(int fd);

/* Binds and listens on path, 0600: creates its folder 0700 when it is
 * calf's own ($XDG_RUNTIME_DIR/calf or /run/calf), removes a stale socket,
 * and refuses with "already running (pid N)" when a live calfd answers;
 * then watches the folder, so a removed socket file is bound again. fd >= 0:
 * listens on that socket (socket activation) instead, and leaves its file
 * alone. Returns -1 with a malloc'd *cause, having undone everything. */
int	listen_start(struct event_base *, const char *path, int fd,
	    listen_accept_fn, char **cause);
/* Whether the socket was passed by systemd: its file's mode and group then
 * say who may connect, not calfd. */
bool	listen_passed(void);
/* The socket file was removed (the folder's watch, or SIGHUP, asks): bind
 * it again. One that another process put there is left alone. */
void	listen_check(void);
/* A descriptor came free: accept again now if out-of-descriptors had
 * paused accepting. */
void	listen_resume(void);
/* Stops listening; removes the socket file if it is still the one calfd
 * bound, so a successor's socket survives. */
void	listen_stop(void);

#endif
