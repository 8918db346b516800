/*
 * listen.c: the listening socket of the control channel: its folder, a
 * stale or live predecessor, and its permissions; or the one systemd
 * passed. Then the listener in the loop: a few accepts a turn, a second's
 * pause when out of descriptors, and, for a socket calfd bound itself, a
 * watch on its folder that binds it again when the file is removed. Each
 * accepted connection goes to control.c, whose business serving it is.
 */
#include "daemon/listen.h"

#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/errlist.h"
#include "daemon/log.h"

/* Only the folder calf owns is created or tightened; a folder named with
 * -s or $CALFD_SOCKET is the user's business. */
static int
prepare_dir(const char *path, char **cause)
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	const char	*slash = strrchr(path, '/');
	char		*dir, *ours = NULL;
	struct stat	 sb;
	int		 rc = -1, managed;

	if (slash == NULL || slash == path)
		return 0;
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL) {
		*cause = msgf("out of memory");
		return -1;
	}
	managed = strcmp(dir, "/run/calf") == 0;
	if (!managed && xdg != NULL && *xdg == '/' &&
	    asprintf(&ours, "%s/calf", xdg) != -1)
		managed = strcmp(dir, ours) == 0;
	free(ours);
	if (!managed) {
		free(dir);
		return 0;
	}

	if (mkdir(dir, 0700) == 0) {
		log_debug("created %s", dir);
		rc = 0;
	} else if (errno != EEXIST)
		*cause = msgf("mkdir %s: %s", dir, strerror(errno));
	else if (lstat(dir, &sb) == -1)
		*cause = msgf("%s: %s", dir, strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		*cause = msgf("%s is not a folder", dir);
	else if (sb.st_uid != geteuid())
		*cause = msgf("%s belongs to uid %u, not to us", dir,
		    (unsigned)sb.st_uid);
	else if ((sb.st_mode & 077) != 0 && chmod(dir, 0700) == -1)
		*cause = msgf("chmod %s: %s", dir, strerror(errno));
	else {
		if ((sb.st_mode & 077) != 0)
			log_warnx("%s was open to others; made it 0700", dir);
		rc = 0;
	}
	free(dir);
	return rc;
}

/* A socket file that answers belongs to a live calfd, which we name; one
 * that refuses is left over from a crash and goes. */
static int
probe_existing(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct ucred		 cred;
	socklen_t		 len = sizeof cred;
	struct stat		 sb;
	int			 fd, rc = -1;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		*cause = msgf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		*cause = msgf("%s exists and is not a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*cause = msgf("socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);	/* length checked by the caller */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			*cause = msgf("already running (pid %ld)",
			    (long)cred.pid);
		else
			*cause = msgf("already running");
	} else if (errno == EAGAIN)
		*cause = msgf("already running (its backlog is full)");
	else if (errno == ECONNREFUSED) {
		if (unlink(path) == -1 && errno != ENOENT)
			*cause = msgf("remove stale %s: %s", path,
			    strerror(errno));
		else {
			log_info("removed stale socket %s", path);
			rc = 0;
		}
	} else if (errno == ENOENT)
		rc = 0;
	else
		*cause = msgf("connect %s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* Binds and listens on path, 0600 (see listen_start); *dev and *ino
 * identify the file, so only ours is unlinked later. Returns the
 * non-blocking listening fd, or -1 with a malloc'd *cause.
 * The socket is 0600 from the start (umask around bind); there is no chmod
 * after it, which would follow whatever another user swapped in at the
 * path meanwhile. Its identity comes from lstat, which follows nothing. */
static int
listen_path(const char *path, dev_t *dev, ino_t *ino, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 mask;
	int			 fd, rc, saved;

	if (strlen(path) >= sizeof sun.sun_path) {
		*cause = msgf("socket path too long: %s", path);
		return -1;
	}
	if (prepare_dir(path, cause) != 0 || probe_existing(path, cause) != 0)
		return -1;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*cause = msgf("socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	saved = errno;
	umask(mask);
	if (rc == -1) {
		if (saved == EADDRINUSE)
			*cause = msgf("already running (%s is in use)", path);
		else
			*cause = msgf("bind %s: %s", path, strerror(saved));
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1 || lstat(path, &sb) == -1) {
		*cause = msgf("%s: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		*cause = msgf("%s was replaced while it was bound", path);
		close(fd);
		return -1;
	}
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	return fd;
}

/* A listening fd from systemd is used as it is, except that accept must
 * never block. */
static int
listen_adopt(int fd, char **cause)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		*cause = msgf("listening fd %d: %s", fd, strerror(errno));
		return -1;
	}
	return fd;
}

/* Removals and renames in the socket's folder, or of the folder itself,
 * wake calfd, so a socket file deleted under it is noticed (and nothing
 * else there costs a wake-up: creations and writes are not watched). */
static int
listen_watch(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir;
	int		 fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd != -1 && inotify_add_watch(fd, dir, IN_DELETE | IN_MOVED_FROM |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) == -1) {
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

/* What the watch said does not matter, only that it said something. */
static void
listen_watch_drain(int fd)
{
	char	buf[4096];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* 1: path is still the socket we bound; 0: nothing is there; -1: something
 * else is (another calfd's socket, a file). */
static int
listen_is_ours(const char *path, dev_t dev, ino_t ino)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	return S_ISSOCK(sb.st_mode) && sb.st_dev == dev && sb.st_ino == ino ?
	    1 : -1;
}

/* --- the listener ------------------------------------------------------- */

#define ACCEPT_PER_TURN	16
#define ACCEPT_BACKOFF	1		/* seconds without accept on EMFILE */

static struct {
	struct event_base	*base;
	listen_accept_fn	 accept_fn;
	int			 fd;
	struct event		*accept_ev;
	struct event		*backoff_ev;
	char			*path;	/* the file we bound, to unlink */
	dev_t			 dev;
	ino_t			 ino;
	int			 watch_fd;	/* its folder (inotify) */
	struct event		*watch_ev;
	bool			 lost;	/* taken by another: said once */
	bool			 passed;	/* by systemd: its mode guards it */
} lsn = { .fd = -1, .watch_fd = -1 };

/* Out of descriptors the listener would be readable forever; stop
 * listening for a second instead of spinning (tmux does the same). */
static void
accept_backoff(void)
{
	const struct timeval	tv = { ACCEPT_BACKOFF, 0 };

	event_del(lsn.accept_ev);
	evtimer_add(lsn.backoff_ev, &tv);
}

/* The second is up: try accepting again. */
static void
backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_add(lsn.accept_ev, NULL);
}

void
listen_resume(void)
{
	if (lsn.backoff_ev != NULL && evtimer_pending(lsn.backoff_ev, NULL)) {
		evtimer_del(lsn.backoff_ev);
		event_add(lsn.accept_ev, NULL);
	}
}

/* A few accepts per wake-up, so a connect storm shares the loop too. */
static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	int	fd;

	(void)what;
	(void)arg;
	for (int i = 0; i < ACCEPT_PER_TURN; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd != -1) {
			lsn.accept_fn(fd);
			continue;
		}
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
			continue;
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			return;
		default:
			/* EMFILE, ENFILE, ENOBUFS and anything odd. */
			log_warn("accept");
			accept_backoff();
			return;
		}
	}
}

/* The listener on a fresh fd: accepting goes on there. */
static int
listener_swap(int fd)
{
	struct event	*ev;

	ev = event_new(lsn.base, fd, EV_READ | EV_PERSIST, accept_cb, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1) {
		if (ev != NULL)
			event_free(ev);
		return -1;
	}
	if (lsn.accept_ev != NULL)
		event_free(lsn.accept_ev);
	evtimer_del(lsn.backoff_ev);
	close(lsn.fd);
	lsn.accept_ev = ev;
	lsn.fd = fd;
	return 0;
}

static void	watch_cb(evutil_socket_t, short, void *);

/* (Re)starts watching the socket's folder, which may itself be new. */
static void
watch_start(void)
{
	if (lsn.watch_ev != NULL)
		event_free(lsn.watch_ev);
	if (lsn.watch_fd != -1)
		close(lsn.watch_fd);
	lsn.watch_ev = NULL;
	if ((lsn.watch_fd = listen_watch(lsn.path)) == -1) {
		log_warn("cannot watch the folder of %s; a removed socket "
		    "is noticed only on SIGHUP", lsn.path);
		return;
	}
	lsn.watch_ev = event_new(lsn.base, lsn.watch_fd, EV_READ | EV_PERSIST,
	    watch_cb, NULL);
	if (lsn.watch_ev == NULL || event_add(lsn.watch_ev, NULL) == -1)
		log_warnx("cannot watch the folder of %s", lsn.path);
}

void
listen_check(void)
{
	char	*cause = NULL;
	dev_t	 dev;
	ino_t	 ino;
	int	 fd;

	if (lsn.path == NULL)
		return;
	switch (listen_is_ours(lsn.path, lsn.dev, lsn.ino)) {
	case 1:
		return;
	case -1:
		if (!lsn.lost)
			log_warnx("%s is no longer our socket; not taking it "
			    "back (clients still connected are served)",
			    lsn.path);
		lsn.lost = true;
		return;
	default:
		break;
	}
	if ((fd = listen_path(lsn.path, &dev, &ino, &cause)) == -1 ||
	    listener_swap(fd) == -1) {
		log_warnx("%s was removed and cannot be made again: %s",
		    lsn.path, cause != NULL ? cause : "out of memory");
		if (fd != -1) {
			unlink(lsn.path);
			close(fd);
		}
		free(cause);
		return;
	}
	lsn.dev = dev;
	lsn.ino = ino;
	lsn.lost = false;
	log_warnx("%s was removed; listening there again", lsn.path);
	watch_start();
}

/* Something left the socket's folder: perhaps the socket. */
static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	(void)arg;
	listen_watch_drain(fd);
	listen_check();
}

int
listen_start(struct event_base *base, const char *path, int fd,
    listen_accept_fn fn, char **cause)
{
	*cause = NULL;
	lsn.base = base;
	lsn.accept_fn = fn;
	if (fd >= 0) {
		lsn.fd = listen_adopt(fd, cause);
		lsn.passed = true;
	} else if (path == NULL)
		*cause = msgf("no socket path");
	else if ((lsn.fd = listen_path(path, &lsn.dev, &lsn.ino,
	    cause)) != -1 &&
	    (lsn.path = strdup(path)) == NULL)
		*cause = msgf("out of memory");
	if (*cause != NULL)
		goto fail;

	lsn.accept_ev = event_new(base, lsn.fd, EV_READ | EV_PERSIST,
	    accept_cb, NULL);
	lsn.backoff_ev = evtimer_new(base, backoff_cb, NULL);
	if (lsn.accept_ev == NULL || lsn.backoff_ev == NULL ||
	    event_add(lsn.accept_ev, NULL) == -1) {
		*cause = msgf("cannot watch the control socket");
		goto fail;
	}
	if (lsn.path != NULL)
		watch_start();
	return 0;

fail:
	if (*cause == NULL)
		*cause = msgf("out of memory");
	listen_stop();
	return -1;
}

bool
listen_passed(void)
{
	return lsn.passed;
}

/* Unlinks the socket only while it is still the one we bound, so a
 * successor's socket survives our exit. */
void
listen_stop(void)
{
	struct stat	 sb;

	if (lsn.watch_ev != NULL)
		event_free(lsn.watch_ev);
	if (lsn.watch_fd != -1)
		close(lsn.watch_fd);
	lsn.watch_ev = NULL;
	lsn.watch_fd = -1;
	if (lsn.accept_ev != NULL)
		event_free(lsn.accept_ev);
	if (lsn.backoff_ev != NULL)
		event_free(lsn.backoff_ev);
	lsn.accept_ev = lsn.backoff_ev = NULL;
	if (lsn.fd != -1)
		close(lsn.fd);
	lsn.fd = -1;
	lsn.passed = false;
	if (lsn.path != NULL) {
		if (lstat(lsn.path, &sb) == 0 && sb.st_dev == lsn.dev &&
		    sb.st_ino == lsn.ino)
			unlink(lsn.path);
		free(lsn.path);
		lsn.path = NULL;
	}
}
