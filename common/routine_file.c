/*
 * routine_file.c: where a routine comes from: the file calfd is told of or
 * finds (the search order of doc/routine.md), opened without ever blocking
 * on something that is not a regular file, or the built-in routine; and
 * reading again what a routine was read from, for a reload.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/routine.h"
#include "common/routine_file.h"

/* A routine file is a few kilobytes; this only stops a runaway read. */
#define ROUTINE_MAX_FILE	(16 * 1024 * 1024)

/* What a file that is not a regular file is, in the words of `ls -l`. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return ("a directory");
	if (S_ISFIFO(m))
		return ("a fifo");
	if (S_ISCHR(m))
		return ("a character device");
	if (S_ISBLK(m))
		return ("a block device");
	if (S_ISSOCK(m))
		return ("a socket");
	if (S_ISLNK(m))
		return ("a symbolic link");
	return ("not a file");
}

/*
 * Opens a routine file without ever blocking: a FIFO, a device or a socket
 * where the routine should be would otherwise hang calfd inside open() or
 * read() with its event loop stopped. Only a regular file is read.
 */
static int
open_file(const char *path, struct errlist *errs)
{
	struct stat	 st;
	int		 fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		saved = errno;
		/* A socket cannot be opened at all (ENXIO): name it. */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			errlist_add(errs, "%s: not a regular file (%s); the "
			    "routine is a text file", path,
			    file_kind(st.st_mode));
		else
			errlist_add(errs, "%s: cannot open: %s", path,
			    strerror(saved));
		return (-1);
	}
	if (fstat(fd, &st) == -1) {
		errlist_add(errs, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		errlist_add(errs, "%s: not a regular file (%s); the routine "
		    "is a text file", path, file_kind(st.st_mode));
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Reads the whole regular file, then parses it from memory. */
struct routine *
routine_load(const char *path, struct errlist *errs)
{
	struct routine	*r;
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0, cap;
	ssize_t		 n;
	int		 fd;

	if (*path == '\0') {
		errlist_add(errs, "the routine's file name is empty; name a "
		    "file, like -c ~/.config/calf/routine.ini");
		return (NULL);
	}
	if ((fd = open_file(path, errs)) == -1)
		return (NULL);
	if (fstat(fd, &st) == -1 || st.st_size > ROUTINE_MAX_FILE) {
		errlist_add(errs, "%s: larger than %d MiB; a routine file is "
		    "a few kilobytes", path, ROUTINE_MAX_FILE / (1024 * 1024));
		goto fail;
	}
	/* One read of the size fstat gave; a file that grows meanwhile is
	 * read up to one byte past that, and refused if it passes the cap. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		errlist_add(errs, "%s: out of memory", path);
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			char	*nbuf;

			if (cap > ROUTINE_MAX_FILE) {
				errlist_add(errs, "%s: larger than %d MiB; a "
				    "routine file is a few kilobytes", path,
				    ROUTINE_MAX_FILE / (1024 * 1024));
				goto fail;
			}
			cap *= 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				errlist_add(errs, "%s: out of memory", path);
				goto fail;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errlist_add(errs, "%s: cannot read: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	r = routine_parse(buf, len, path, errs);
	free(buf);
	return (r);
fail:
	close(fd);
	free(buf);
	return (NULL);
}

/* calfd runs with no file at all by reading the copy compiled into it. */
struct routine *
routine_builtin(struct errlist *errs)
{
	struct routine	*r;

	r = routine_parse(default_routine_ini, default_routine_ini_len,
	    "built-in", errs);
	if (r != NULL)
		r->builtin = true;
	return (r);
}

/* Joins a directory and a relative path; NULL when out of memory. */
static char *
join(const char *dir, const char *rel)
{
	char	*s;

	if (asprintf(&s, "%s/%s", dir, rel) == -1)
		return (NULL);
	return (s);
}

/*
 * A candidate found by searching counts when its name is there, even as a
 * dangling symbolic link: a dotfile link left pointing nowhere is reported,
 * not silently replaced by the next file or the built-in routine.
 */
static char *
existing(char *path)
{
	struct stat	 st;

	if (path != NULL && lstat(path, &st) == 0)
		return (path);
	free(path);
	return (NULL);
}

/*
 * An explicit choice (-c, $CALFD_CONFIG) is used even when missing, so a
 * typo is reported rather than silently replaced by another file.
 */
char *
routine_locate(const char *cli_path, const char **why)
{
	const char	*env, *home;
	char		*path;

	if (cli_path != NULL) {
		*why = "from -c";
		return (strdup(cli_path));
	}
	if ((env = getenv("CALFD_CONFIG")) != NULL && *env != '\0') {
		*why = "from $CALFD_CONFIG";
		return (strdup(env));
	}
	env = getenv("XDG_CONFIG_HOME");
	if (env != NULL && *env == '/') {
		if ((path = existing(join(env, "calf/routine.ini"))) != NULL) {
			*why = "from $XDG_CONFIG_HOME";
			return (path);
		}
	} else if ((home = getenv("HOME")) != NULL && *home == '/') {
		path = existing(join(home, ".config/calf/routine.ini"));
		if (path != NULL) {
			*why = "from ~/.config";
			return (path);
		}
	}
	if ((path = existing(strdup("/etc/calf/routine.ini"))) != NULL) {
		*why = "system-wide";
		return (path);
	}
	*why = "no routine file found";
	return (NULL);
}

/* The one call calfd makes at start and on reload. */
struct routine *
routine_open(const char *cli_path, struct errlist *errs)
{
	struct routine	*r;
	const char	*why;
	char		*path;

	if ((path = routine_locate(cli_path, &why)) == NULL)
		return (routine_builtin(errs));
	r = routine_load(path, errs);
	free(path);
	return (r);
}

/*
 * A reload: the file calfd runs on, never another. The built-in routine is
 * what the search gives when it finds no file (no -c or $CALFD_CONFIG
 * either, or it would not be in use), so a calfd running on it searches
 * again: a routine written since is taken, as `systemctl reload` after
 * writing one expects.
 */
struct routine *
routine_reread(const struct routine *cur, struct errlist *errs)
{
	if (cur->builtin)
		return (routine_open(NULL, errs));
	return (routine_load(cur->source, errs));
}
