/*
 * routine.c: the routine model around the parser: finding and reading the
 * file, the built-in routine, lookup, freeing and one-line descriptions.
 * The format itself is read in routine_parse.c (with routine_read.c and
 * routine_keys.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/routine.h"
#include "common/routine_pool.h"
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

		if (r->pool == NULL) {	/* else they are in the pool */
			free(s->name);
			if (s->title != s->name)
				free(s->title);
			free(s->prompt);
			free(s->finish);
			free(s->times);
			for (size_t j = 0; j < s->ncues; j++)
				free(s->cues[j].text);
		}
		free(s->cues);
	}
	pool_free(r->pool);
	free(r->sessions);
	free(r->byname);
	free(r->source);
	free(r);
}

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

/* Orders sessions by name, for the index and its binary search. */
static int
byname_cmp(const void *a, const void *b)
{
	const struct session	*const *x = a, *const *y = b;
	int			 c = strcmp((*x)->name, (*y)->name);

	/* Equal names (an error the parser reports) keep file order. */
	if (c == 0)
		return ((*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line);
	return (c);
}

/* Finds a name in the index; the key is a session holding only the name. */
static int
byname_key_cmp(const void *key, const void *elem)
{
	const struct session	*const *y = elem;

	return (strcmp(key, (*y)->name));
}

/* Builds the name index, so that matching thousands of sessions by name (a
 * reload does, once per session) costs O(n log n) rather than O(n^2). */
int
routine_index(struct routine *r)
{
	free(r->byname);
	r->byname = NULL;
	if (r->nsessions == 0)
		return (0);
	if ((r->byname = reallocarray(NULL, r->nsessions,
	    sizeof *r->byname)) == NULL)
		return (-1);
	for (size_t i = 0; i < r->nsessions; i++)
		r->byname[i] = &r->sessions[i];
	qsort(r->byname, r->nsessions, sizeof *r->byname, byname_cmp);
	return (0);
}

/* Sessions are named from the command line, so lookup is by name. */
struct session *
routine_find(const struct routine *r, const char *name)
{
	struct session	**hit;

	if (r->byname != NULL) {
		hit = bsearch(name, r->byname, r->nsessions, sizeof *r->byname,
		    byname_key_cmp);
		return (hit != NULL ? *hit : NULL);
	}
	for (size_t i = 0; i < r->nsessions; i++) {
		if (strcmp(r->sessions[i].name, name) == 0)
			return (&r->sessions[i]);
	}
	return (NULL);
}

/* Seconds from a time of day forward to another, around midnight. */
static int
tod_until(int from, int to)
{
	return ((to - from + SECS_PER_DAY) % SECS_PER_DAY);
}

/*
 * A prompt due inside quiet hours is held until they end and then given if
 * its window is still open. A time whose window closes before the quiet
 * hours end is therefore always missed: the routine is valid, but the user
 * most likely did not mean it.
 */
void
routine_warnings(const struct routine *r, struct errlist *warns)
{
	char	 a[16], b[16], c[16], d[32], need[32];

	if (!r->has_quiet)
		return;
	for (size_t i = 0; i < r->nsessions; i++) {
		const struct session	*s = &r->sessions[i];
		size_t			 lost = 0;
		int			 wait = -1, first = 0;
		char			 when[64];

		for (size_t k = 0; k < s->ntimes; k++) {
			int	 t = s->times[k], left;

			if (tod_until(r->quiet_start, t) >=
			    tod_until(r->quiet_start, r->quiet_end))
				continue;	/* outside quiet hours */
			left = tod_until(t, r->quiet_end);
			if (s->window > left)
				continue;
			lost++;
			if (left > wait) {	/* the earliest in the night */
				first = t;
				wait = left;
			}
		}
		if (lost == 0)
			continue;
		if (lost == 1)
			snprintf(when, sizeof when, "at %s",
			    tod_format(first, a, sizeof a));
		else
			snprintf(when, sizeof when, "%zu times (from %s)",
			    lost, tod_format(first, a, sizeof a));
		errlist_add(warns, "%s:%d: warning: [%s] is due %s in the "
		    "quiet hours %s-%s, and its window of %s closes before "
		    "they end, so %s always missed; move %s out of the quiet "
		    "hours or make `window` longer than %s", r->source,
		    s->times_line, s->name, when,
		    tod_format(r->quiet_start, b, sizeof b),
		    tod_format(r->quiet_end, c, sizeof c),
		    dur_format(s->window, d, sizeof d),
		    lost > 1 ? "those prompts are" : "that prompt is",
		    lost > 1 ? "them" : "it",
		    dur_format(wait, need, sizeof need));
	}
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

/* A line built in a fixed buffer; what does not fit is cut. The summary of
 * 10,000 sessions is printed in a blink this way, where a snprintf per
 * piece took as long as parsing them. */
struct line {
	char	*buf;
	size_t	 len, off;
};

static void
put(struct line *l, const char *s)
{
	size_t	 n = strlen(s);

	if (l->off + 1 >= l->len)
		return;
	if (n > l->len - 1 - l->off)
		n = l->len - 1 - l->off;
	memcpy(l->buf + l->off, s, n);
	l->off += n;
	l->buf[l->off] = '\0';
}

/* A time of day as tod_format writes it: HH:MM, or HH:MM:SS. */
static void
put_tod(struct line *l, int sod)
{
	char	 t[9];
	int	 h = sod / 3600, m = sod / 60 % 60, sec = sod % 60;

	if (sod < 0 || sod >= SECS_PER_DAY) {
		put(l, "??:??");
		return;
	}
	t[0] = (char)('0' + h / 10);
	t[1] = (char)('0' + h % 10);
	t[2] = ':';
	t[3] = (char)('0' + m / 10);
	t[4] = (char)('0' + m % 10);
	t[5] = '\0';
	if (sec != 0) {
		t[5] = ':';
		t[6] = (char)('0' + sec / 10);
		t[7] = (char)('0' + sec % 10);
		t[8] = '\0';
	}
	put(l, t);
}

/* The summary --check-config prints, so the user sees what calfd read. */
void
session_describe(const struct session *s, char *buf, size_t len)
{
	struct line	 l = { buf, len, 0 };
	char		 a[32];

	if (len == 0)
		return;
	buf[0] = '\0';
	put(&l, s->name);
	put(&l, "  ");
	if (s->every != 0) {
		put(&l, "every ");
		put(&l, dur_format(s->every, a, sizeof a));
		if (s->between_start != 0 ||
		    s->between_end != SECS_PER_DAY - 1) {
			put(&l, " ");
			put_tod(&l, s->between_start);
			put(&l, "-");
			put_tod(&l, s->between_end);
		}
	} else if (s->ntimes != 0) {
		put(&l, "at");
		for (size_t i = 0; i < s->ntimes; i++) {
			put(&l, " ");
			put_tod(&l, s->times[i]);
		}
	} else
		put(&l, "on demand");
	if (s->ntimes != 0) {
		days_describe(s->days, a, sizeof a);
		put(&l, "  ");
		put(&l, a);
		put(&l, "  ");
	} else
		put(&l, "  -  ");
	put(&l, dur_format(s->dur_min, a, sizeof a));
	if (s->dur_max != s->dur_min) {
		put(&l, "..");
		put(&l, dur_format(s->dur_max, a, sizeof a));
	}
}
