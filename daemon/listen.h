/*
 * listen.h: binding the control socket (daemon/listen.c), kept apart from
 * serving its clients (daemon/control.c).
 */
#ifndef CALF_LISTEN_H
#define CALF_LISTEN_H

#include <sys/types.h>

/* Binds and listens on path, 0600: creates its folder 0700 when it is
 * calf's own ($XDG_RUNTIME_DIR/calf or /run/calf), removes a stale socket,
 * and refuses with "already running (pid N)" when a live calfd answers.
 * *dev and *ino identify the file, so only ours is unlinked later.
 * Returns the non-blocking listening fd, or -1 with a malloc'd *cause. */
int	listen_path(const char *path, dev_t *dev, ino_t *ino, char **cause);

/* Makes a passed listening fd (socket activation) non-blocking and
 * close-on-exec; returns fd, or -1 with a malloc'd *cause. */
int	listen_adopt(int fd, char **cause);

/* An inotify fd that becomes readable when something in path's folder is
 * removed or renamed, or the folder itself; -1 when it cannot watch. */
int	listen_watch(const char *path);
void	listen_watch_drain(int fd);

/* 1: path is still the socket we bound; 0: nothing is there; -1: something
 * else is (another calfd's socket, a file). */
int	listen_is_ours(const char *path, dev_t dev, ino_t ino);

#endif
