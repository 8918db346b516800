/*
 * state.c: the engine's state kept in STATE_DIR/state.json across
 * restarts and crashes (state.h says what and why).
 *
 * Saving: every event, and every firing handled, marks the state dirty; it
 * is written once after that turn of the loop, when the events have gone
 * out to watchers (loop.h's lowest priority, with a short deadline so busy
 * clients cannot starve it), to a fresh temporary file (O_EXCL, whatever
 * was at its name unlinked first) renamed over the old one, so a crash at
 * any instant leaves either the old state or the new, never half of one.
 * A change is numbered; the control socket holds a client's reply until
 * the save that covers its change, and says so when that save failed.
 * A failed save is tried again on a timer, backing off to a minute.
 * There is no fsync: it would stall the loop, and what it guards against
 * (power lost within seconds of a change) costs at most that change; a
 * file left empty or garbled by such a loss is set aside as state.json.bad
 * and calfd starts without it.
 *
 * The file's format, the engine's snapshot (engine.h) as JSON and back, is
 * state_json.c: the whole file is read and checked into a snapshot before
 * any of it is applied, and engine_restore() applies it (a running session
 * keeps its start, on the boot clock only when the boot id is the same;
 * firings that came while calfd was down are handled as after a clock
 * step). The engine tells this file of changes through its event sinks and
 * engine_on_change().
 */
#include "daemon/state.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/errlist.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/state_json.h"
#include "daemon/timer.h"

#define STATE_MAX	(16 * 1024 * 1024)	/* a bigger file is not ours */
#define SAVE_DEADLINE_MS 20	/* a save waits for clients at most this */
#define RETRY_MIN_S	1	/* a failed save is tried again after this, */
#define RETRY_MAX_S	60	/* doubling up to this */
#define TMP_NAME	".state.json.tmp"

struct state {
	char		*dir;
	char		*path;		/* DIR/state.json */
	char		*tmp;		/* DIR/.state.json.tmp */
	char		 boot_id[40];
	int		 lockfd;
	int		 dirfd;		/* the folder, opened once */
	struct engine	*e;
	struct event	*save_ev;	/* lowest priority: after watchers */
	struct event	*deadline_ev;	/* ... but never starved by clients */
	struct event	*retry_ev;	/* a failed save, tried again */
	int		 retry_s;
	uint64_t	 gen;		/* changes so far */
	uint64_t	 saved_gen;	/* ... of which on disk */
	int64_t		 unsaved_us;	/* when the oldest unsaved change came */
	int		 save_errno;	/* why the last save failed, or 0 */
	bool		 dirty;
	bool		 failing;	/* the last save failed (said once) */
	state_saved_fn	 saved_fn;
	void		*saved_arg;
};

/* The kernel's id of this boot, which tells whether CLOCK_BOOTTIME
 * instants saved by an earlier calfd still mean anything. */
static void
read_boot_id(char *buf, size_t len)
{
	FILE	*fp;

	buf[0] = '\0';
	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL)
		return;
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

/* The lock file holds the owner's pid, so the refusal can name it. */
static int
lock_dir(struct state *st, char **cause)
{
	char	*path, buf[32];
	ssize_t	 n;
	long	 pid;

	if (asprintf(&path, "%s/lock", st->dir) == -1) {
		*cause = msgf("out of memory");
		return -1;
	}
	st->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (st->lockfd == -1) {
		*cause = msgf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			n = pread(st->lockfd, buf, sizeof buf - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			if (sscanf(buf, "%ld", &pid) == 1)
				*cause = msgf("already running (pid %ld): the "
				    "state folder %s is in use", pid, st->dir);
			else
				*cause = msgf("already running: the state "
				    "folder %s is in use", st->dir);
		} else
			*cause = msgf("lock %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(st->lockfd, 0) == -1 ||
	    pwrite(st->lockfd, buf, (size_t)n, 0) != n)
		log_warn("%s", path);
	free(path);
	return 0;
}

/* The folder must be ours and closed to others: a folder another user can
 * write lets them plant links where the state is written. One that is ours
 * but open to others is closed, loudly; one of another user is refused. */
static int
check_dir(struct state *st, char **cause)
{
	struct stat	 sb;

	st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (st->dirfd == -1 || fstat(st->dirfd, &sb) == -1) {
		*cause = msgf("state folder %s: %s", st->dir, strerror(errno));
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		*cause = msgf("state folder %s belongs to uid %u, not to us "
		    "(uid %u); not using it", st->dir, (unsigned)sb.st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		if (fchmod(st->dirfd, sb.st_mode & 0700) == -1) {
			*cause = msgf("state folder %s is writable by others "
			    "(mode %04o) and cannot be closed: %s", st->dir,
			    (unsigned)(sb.st_mode & 07777), strerror(errno));
			return -1;
		}
		log_warnx("state folder %s was writable by others (mode "
		    "%04o); now %04o", st->dir, (unsigned)(sb.st_mode & 07777),
		    (unsigned)(sb.st_mode & 0700));
	}
	return 0;
}

/* A fresh temporary file: whatever is at its name (a stale one, or a link
 * somebody planted) is unlinked, never followed or truncated. */
static int
open_tmp(const struct state *st)
{
	int	fd = -1;

	for (int tries = 0; tries < 3 && fd == -1; tries++) {
		if (unlinkat(st->dirfd, TMP_NAME, 0) == -1 && errno != ENOENT)
			return -1;
		fd = openat(st->dirfd, TMP_NAME, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			return -1;
	}
	return fd;
}

/* Said at the start, so a folder calfd cannot write in is known before
 * the first change is lost to it. */
static void
probe_dir(const struct state *st)
{
	int	fd;

	if ((fd = open_tmp(st)) == -1 || write(fd, "\n", 1) != 1) {
		log_warn("WARNING: cannot write in the state folder %s; "
		    "changes will not survive a restart until it can be "
		    "written", st->dir);
		if (fd != -1)
			close(fd);
		unlinkat(st->dirfd, TMP_NAME, 0);
		return;
	}
	close(fd);
	unlinkat(st->dirfd, TMP_NAME, 0);
}

struct state *
state_open(const char *dir, char **cause)
{
	struct state	*st;

	*cause = NULL;
	if ((st = calloc(1, sizeof *st)) == NULL) {
		*cause = msgf("out of memory");
		return NULL;
	}
	st->lockfd = st->dirfd = -1;
	if ((st->dir = strdup(dir)) == NULL ||
	    asprintf(&st->path, "%s/state.json", dir) == -1 ||
	    asprintf(&st->tmp, "%s/" TMP_NAME, dir) == -1) {
		st->path = st->tmp = NULL;
		*cause = msgf("out of memory");
		state_close(st);
		return NULL;
	}
	if (check_dir(st, cause) == -1 || lock_dir(st, cause) == -1) {
		state_close(st);
		return NULL;
	}
	probe_dir(st);
	read_boot_id(st->boot_id, sizeof st->boot_id);
	return st;
}

/* --- saving ------------------------------------------------------------- */

/* The whole state, from the engine's snapshot. */
static json_object *
state_to_json(const struct state *st)
{
	struct engine_snapshot	 snap;
	json_object		*o;

	if (engine_snapshot(st->e, &snap) == -1)
		return NULL;
	o = state_json_make(&snap, st->boot_id);
	engine_snapshot_free(&snap);
	return o;
}

/* Writes the whole text to a fresh file and renames it into place. */
static int
write_replace(const struct state *st, const char *text)
{
	size_t	 len = strlen(text), off = 0;
	ssize_t	 n;
	int	 fd, saved;

	if ((fd = open_tmp(st)) == -1)
		return -1;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(st->dirfd, TMP_NAME, st->dirfd, "state.json") == -1)
		goto fail;
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(st->dirfd, TMP_NAME, 0);
	errno = saved != 0 ? saved : EIO;
	return -1;
}

/* While saving fails it is tried again, less and less often; any change
 * meanwhile tries at once too (the disk may be back). */
static void
schedule_retry(struct state *st)
{
	struct timeval	tv = { st->retry_s, 0 };

	if (st->retry_ev == NULL || evtimer_pending(st->retry_ev, NULL))
		return;
	evtimer_add(st->retry_ev, &tv);
	st->retry_s = st->retry_s * 2 > RETRY_MAX_S ? RETRY_MAX_S :
	    st->retry_s * 2;
}

/* Writes everything changed so far; a failing disk is said once, and
 * again when it recovers. Those waiting for the save (replies held by the
 * control socket) hear either way. */
static void
state_save(struct state *st)
{
	json_object	*o;
	uint64_t	 gen = st->gen;
	int		 rc = -1;

	st->dirty = false;
	if (st->save_ev != NULL)
		event_del(st->save_ev);
	if (st->deadline_ev != NULL)
		evtimer_del(st->deadline_ev);
	errno = 0;
	if ((o = state_to_json(st)) == NULL)
		errno = ENOMEM;
	else
		rc = write_replace(st, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (rc == 0) {
		st->saved_gen = gen;
		st->save_errno = 0;
		st->unsaved_us = 0;
		st->retry_s = RETRY_MIN_S;
		if (st->retry_ev != NULL)
			evtimer_del(st->retry_ev);
		if (st->failing)
			log_info("state saved to %s again", st->path);
		st->failing = false;
	} else {
		st->save_errno = errno;
		if (!st->failing)
			log_warn("WARNING: cannot save the state to %s (a "
			    "restart now would forget the latest changes); "
			    "trying again", st->path);
		st->failing = true;
		schedule_retry(st);
	}
	if (st->saved_fn != NULL)
		st->saved_fn(st->saved_arg, st->saved_gen, rc == 0);
}

static void
save_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	state_save(arg);
}

/* Coalesced: however many changes a turn makes, one write follows, after
 * the events have gone out to watchers (it runs at the lowest priority),
 * and within SAVE_DEADLINE_MS even while clients keep the loop busy. */
void
state_changed(struct state *st)
{
	const struct timeval	deadline = { 0, SAVE_DEADLINE_MS * 1000 };

	if (st == NULL || st->save_ev == NULL)
		return;
	st->gen++;
	if (st->unsaved_us == 0)
		st->unsaved_us = wall_now().us;
	if (st->dirty)
		return;
	st->dirty = true;
	event_active(st->save_ev, EV_TIMEOUT, 1);
	if (st->deadline_ev != NULL)
		evtimer_add(st->deadline_ev, &deadline);
}

uint64_t
state_generation(const struct state *st)
{
	return st != NULL ? st->gen : 0;
}

void
state_on_save(struct state *st, state_saved_fn fn, void *arg)
{
	st->saved_fn = fn;
	st->saved_arg = arg;
}

void
state_describe(const struct state *st, json_object *o)
{
	bool	saved = st->saved_gen == st->gen && !st->failing;

	json_object_object_add(o, "saved", json_object_new_boolean(saved));
	json_object_object_add(o, "unsaved_since_us",
	    json_object_new_int64(saved ? 0 : st->unsaved_us));
	json_object_object_add(o, "save_error", st->save_errno != 0 ?
	    json_object_new_string(strerror(st->save_errno)) : NULL);
}

const char *
state_error(const struct state *st)
{
	return st->save_errno != 0 ? strerror(st->save_errno) : NULL;
}

/* The events that make a save, and when: created once the engine is
 * there to save. */
static void
save_events_new(struct state *st, struct event_base *base)
{
	st->retry_s = RETRY_MIN_S;
	st->save_ev = event_new(base, -1, 0, save_cb, st);
	st->deadline_ev = evtimer_new(base, save_cb, st);
	st->retry_ev = evtimer_new(base, save_cb, st);
	if (st->save_ev == NULL || st->deadline_ev == NULL ||
	    st->retry_ev == NULL) {
		log_warnx("out of memory: the state will not be saved");
		return;
	}
	loop_prio(st->save_ev, PRIO_SAVE);
	loop_prio(st->deadline_ev, PRIO_TIMER);
	loop_prio(st->retry_ev, PRIO_TIMER);
}

/* The engine's hook for changes no event tells of. */
static void
changed_cb(void *arg)
{
	state_changed(arg);
}

/* Every event is a change of state: the sink only asks for a save. */
static void
state_sink(const struct calf_event *ev, void *arg)
{
	(void)ev;
	state_changed(arg);
}

/* --- restoring ---------------------------------------------------------- */

/* A state file calfd cannot use is kept for a look, not deleted, and not
 * left where the next save would overwrite it. */
static void
set_aside(struct state *st, const char *why)
{
	char	*bad;

	log_warnx("%s: %s; set aside as %s.bad, starting without it",
	    st->path, why, st->path);
	if (asprintf(&bad, "%s.bad", st->path) == -1)
		return;
	if (rename(st->path, bad) == -1)
		log_warn("rename %s", bad);
	free(bad);
}

/* Reads the file whole. Anything but a regular file of ours is not
 * opened for reading at all (a FIFO would block the start). */
static json_object *
load(struct state *st)
{
	struct stat	 sb;
	json_object	*root;
	const char	*why;
	char		*text;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if (lstat(st->path, &sb) == -1) {
		if (errno != ENOENT)
			set_aside(st, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_aside(st, "not a regular file");
		return NULL;
	}
	if (sb.st_size > STATE_MAX) {
		set_aside(st, "too large to be a state file");
		return NULL;
	}
	fd = open(st->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		set_aside(st, strerror(errno));
		return NULL;
	}
	if ((text = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		log_warnx("%s: out of memory; starting without it", st->path);
		return NULL;
	}
	while (len < (size_t)sb.st_size &&
	    (n = read(fd, text + len, (size_t)sb.st_size - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			why = strerror(errno);
			close(fd);
			free(text);
			set_aside(st, why);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	root = state_json_parse(text, len, &why);
	free(text);
	if (root == NULL)
		set_aside(st, why);
	return root;
}

void
state_restore(struct state *st, struct engine *e)
{
	struct engine_snapshot	 snap;
	json_object		*root;
	char			*why = NULL;
	bool			 ok = false;

	st->e = e;
	engine_on_change(e, changed_cb, st);
	save_events_new(st, engine_base(e));
	if (events_add_sink("state", state_sink, st) == -1)
		log_warnx("too many event sinks: the state will not be saved");
	if ((root = load(st)) != NULL) {
		if (state_json_read(root, st->boot_id, &snap, &why) == -1) {
			set_aside(st, why != NULL ? why : "out of memory");
			free(why);
		} else {
			log_info("state restored from %s", st->path);
			ok = true;
		}
	}
	/* Applied (or nothing, which still saves once). */
	engine_restore(e, ok ? &snap : NULL);
	if (ok)
		engine_snapshot_free(&snap);
	json_object_put(root);
	/* Written now, before the loop runs: a calfd that answers has its
	 * state on disk, the instant up to which firings were handled
	 * included, however soon a client asks. */
	if (st->dirty)
		state_save(st);
}

void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	if (st->e != NULL) {
		st->saved_fn = NULL;	/* no one waits for this last one */
		if (st->dirty || st->failing)
			state_save(st);
		events_remove_sink(state_sink, st);
		engine_on_change(st->e, NULL, NULL);
	}
	if (st->save_ev != NULL)
		event_free(st->save_ev);
	if (st->deadline_ev != NULL)
		event_free(st->deadline_ev);
	if (st->retry_ev != NULL)
		event_free(st->retry_ev);
	if (st->lockfd != -1)
		close(st->lockfd);
	if (st->dirfd != -1)
		close(st->dirfd);
	free(st->dir);
	free(st->path);
	free(st->tmp);
	free(st);
}
