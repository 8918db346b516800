/*
 * listen.c: the listening socket of the control channel: its folder, a
 * stale or live predecessor, and its permissions; or the one systemd
 * passed. Serving clients is control.c's business.
 */
#include "daemon/listen.h"

#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The socket is 0600 from the start (umask around bind); there is no chmod
 * after it, which would follow whatever another user swapped in at the
 * path meanwhile. Its identity comes from lstat, which follows nothing. */
int
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
int
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
int
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
void
listen_watch_drain(int fd)
{
	char	buf[4096];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

int
listen_is_ours(const char *path, dev_t dev, ino_t ino)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	return S_ISSOCK(sb.st_mode) && sb.st_dev == dev && sb.st_ino == ino ?
	    1 : -1;
}
