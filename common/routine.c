/*
 * routine.c: the routine model around the parser: finding and reading the
 * file, the built-in routine, lookup, freeing and one-line descriptions.
 * The format itself is read in routine_parse.c (with routine_read.c and
 * routine_keys.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/routine.h"
#include "common/timeutil.h"

/* A routine file is a few kilobytes; this only stops a runaway read. */
#define ROUTINE_MAX_FILE	(16 * 1024 * 1024)

/* Frees a routine however far the parser got in filling it. */
void
routine_free(struct routine *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsessions; i++) {
		struct session	*s = &r->sessions[i];

		free(s->name);
		free(s->title);
		free(s->prompt);
		free(s->finish);
		free(s->times);
		for (size_t j = 0; j < s->ncues; j++)
			free(s->cues[j].text);
		free(s->cues);
	}
	free(r->sessions);
	free(r->source);
	free(r->history);
	free(r);
}

/* Reads the whole file first, so a pipe or /dev/stdin works as well. */
struct routine *
routine_load(const char *path, struct errlist *errs)
{
	struct routine	*r;
	char		*buf = NULL, *nbuf;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd;

	if (*path == '\0') {
		errlist_add(errs, "the routine's file name is empty; name a "
		    "file, like -c ~/.config/calf/routine.ini");
		return (NULL);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errlist_add(errs, "%s: cannot open: %s", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > ROUTINE_MAX_FILE + 1)
				cap = ROUTINE_MAX_FILE + 1;
			if (len == cap) {
				errlist_add(errs, "%s: larger than %d MiB; a "
				    "routine file is a few kilobytes", path,
				    ROUTINE_MAX_FILE / (1024 * 1024));
				goto fail;
			}
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
	r = routine_parse(buf != NULL ? buf : "", len, path, errs);
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
	return (routine_parse(default_routine_ini, default_routine_ini_len,
	    "built-in", errs));
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

/* A candidate found by searching counts only when it is there. */
static char *
existing(char *path)
{
	if (path != NULL && access(path, F_OK) == 0)
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

/* Sessions are named from the command line, so lookup is by name. */
struct session *
routine_find(const struct routine *r, const char *name)
{
	for (size_t i = 0; i < r->nsessions; i++) {
		if (strcmp(r->sessions[i].name, name) == 0)
			return (&r->sessions[i]);
	}
	return (NULL);
}

/* Days in the words the user would have written them, Monday first. */
void
days_describe(uint8_t days, char *buf, size_t len)
{
	static const char *names[] = { "sun", "mon", "tue", "wed", "thu",
	    "fri", "sat" };
	size_t	 off = 0;

	if (days == DAYS_ALL)
		snprintf(buf, len, "daily");
	else if (days == DAYS_WEEKDAYS)
		snprintf(buf, len, "weekdays");
	else if (days == DAYS_WEEKENDS)
		snprintf(buf, len, "weekends");
	else {
		buf[0] = '\0';
		for (int k = 1; k <= 7 && off < len; k++) {
			int	 d = k % 7;

			if ((days & (1u << d)) == 0)
				continue;
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off == 0 ? "" : ",", names[d]);
		}
	}
}

/* Appends to a fixed buffer, stopping quietly when it is full. */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 off = strlen(buf);

	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* The summary --check-config prints, so the user sees what calfd read. */
void
session_describe(const struct session *s, char *buf, size_t len)
{
	char	 a[32], b[32];

	if (len == 0)
		return;
	snprintf(buf, len, "%s  ", s->name);
	if (s->every != 0) {
		append(buf, len, "every %s", dur_format(s->every, a, sizeof a));
		if (s->between_start != 0 ||
		    s->between_end != SECS_PER_DAY - 1)
			append(buf, len, " %s-%s",
			    tod_format(s->between_start, a, sizeof a),
			    tod_format(s->between_end, b, sizeof b));
	} else if (s->ntimes != 0) {
		append(buf, len, "at");
		for (size_t i = 0; i < s->ntimes; i++)
			append(buf, len, " %s",
			    tod_format(s->times[i], a, sizeof a));
	} else
		append(buf, len, "on demand");
	if (s->ntimes != 0) {
		days_describe(s->days, a, sizeof a);
		append(buf, len, "  %s  ", a);
	} else
		append(buf, len, "  -  ");
	append(buf, len, "%s", dur_format(s->dur_min, a, sizeof a));
	if (s->dur_max != s->dur_min)
		append(buf, len, "..%s", dur_format(s->dur_max, b, sizeof b));
}
