/*
 * history.c: calfd's history writer (daemon/history.h): the device id, the
 * event sink that turns outcomes into records, the queue a worker thread
 * drains to the device file with fdatasync, and reading every device file
 * back.
 *
 * Threads: the loop owns everything but `q`; the worker touches only `q`
 * (under q.lock) and its own file descriptor, and tells the loop through
 * an eventfd. Records are idempotent by id, so a batch written twice after
 * an error (a write that got through, an fdatasync that did not) reads back
 * once.
 */
#include "daemon/history.h"

#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/errlist.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/log.h"

#define DEVICE_FILE	"device-id"
#define MAX_FILE	(64 * 1024 * 1024)	/* a device file read back */
#define MAX_RUNNING	64			/* sessions whose start we keep */
#define US		1000000LL

struct queued {
	uint64_t	 seq;
	char		*line;
};

static struct {
	struct event_base *base;
	char		*dir;
	char		*path;		/* DIR/DEVICE.jsonl */
	char		 device[HIST_DEVICE_LEN + 1];
	uint64_t	 next_seq;	/* loop: the last queued */
	struct event	*wake_ev;
	int		 efd;
	history_written_fn cb;
	void		*cb_arg;
	bool		 failing;	/* loop: the log has been told */
	bool		 on;

	/* The firing each running session was started for, from its
	 * "started" event, so its finish or done names the firing it kept. */
	struct started {
		char	 name[ROUTINE_MAX_NAME + 1];
		int64_t	 at_us, due_us;
	} running[MAX_RUNNING];
	int64_t		 check_us;	/* the last cramp check's start */

	/* Shared with the worker, under lock. */
	struct {
		pthread_mutex_t	 lock;
		pthread_cond_t	 cond;
		pthread_t	 thread;
		struct queued	*v;	/* a ring of HISTORY_MAX_QUEUED */
		size_t		 head, n;
		uint64_t	 written;
		bool		 ok;
		char		 err[256];
		bool		 stop;
	} q;
} h = { .efd = -1 };

/* ---- the engine and its events: every call into them is here ---------- */

/* Outcomes become records; prompts, cues and pauses do not. Reads the
 * event's kind, session, title, due_us, fired_us, started_us, elapsed_s and
 * first_due_us (daemon/events.h). */
static void	history_sink(const struct calf_event *, void *);

static void
sink_register(void)
{
	events_add_sink("history", history_sink, NULL);
}

static void
sink_unregister(void)
{
	events_remove_sink(history_sink, NULL);
}

enum result
history_engine_start(struct engine *e, const char *name, char **cause)
{
	return engine_start(e, ORIGIN_CLIENT, name, NULL, cause);
}

enum result
history_engine_done(struct engine *e, const char *name, char **cause)
{
	return engine_done(e, ORIGIN_CLIENT, name, NULL, cause);
}

const struct routine *
history_engine_routine(struct engine *e)
{
	return engine_routine(e);
}

static struct started *
running_find(const char *name, bool make)
{
	struct started	*free_slot = NULL;

	for (size_t i = 0; i < MAX_RUNNING; i++) {
		if (strcmp(h.running[i].name, name) == 0)
			return &h.running[i];
		if (free_slot == NULL && h.running[i].name[0] == '\0')
			free_slot = &h.running[i];
	}
	if (make && free_slot != NULL)
		snprintf(free_slot->name, sizeof free_slot->name, "%s", name);
	return make ? free_slot : NULL;
}

/* The firing an end belongs to: the due instant its start was for, kept
 * from the "started" event; after a restart, the start itself. */
static int64_t
end_due(const struct calf_event *ev)
{
	struct started	*st = running_find(ev->session, false);
	int64_t		 due = ev->started_us;

	if (st != NULL && st->at_us == ev->started_us)
		due = st->due_us;
	if (st != NULL)
		st->name[0] = '\0';
	if (due == 0)	/* done before a start: the prompt's instant */
		due = ev->first_due_us != 0 ? ev->first_due_us : ev->due_us;
	return due;
}

static void
history_sink(const struct calf_event *ev, void *arg)
{
	struct hist_rec	 r;
	struct started	*st;
	char		*cause = NULL;

	(void)arg;
	if (ev->session == NULL)
		return;
	memset(&r, 0, sizeof r);
	r.duration_s = -1;
	r.session = (char *)ev->session;
	r.title = (char *)ev->title;
	r.due_us = ev->first_due_us != 0 ? ev->first_due_us : ev->due_us;
	r.at_us = ev->fired_us;
	switch (ev->kind) {
	case EV_STARTED:
		r.event = HE_STARTED;
		if ((st = running_find(ev->session, true)) != NULL) {
			st->at_us = ev->started_us;
			st->due_us = r.due_us;
		}
		if (strcmp(ev->session, HIST_CRAMP_SESSION) == 0)
			h.check_us = ev->started_us;
		break;
	case EV_FINISHED:
	case EV_DONE:
	case EV_STOPPED:
		r.event = ev->kind == EV_FINISHED ? HE_FINISHED :
		    ev->kind == EV_DONE ? HE_DONE : HE_STOPPED;
		r.due_us = end_due(ev);
		r.duration_s = ev->elapsed_s >= 0 ? ev->elapsed_s : -1;
		break;
	case EV_SKIPPED:
		r.event = HE_SKIPPED;
		break;
	case EV_SNOOZED:
		r.event = HE_SNOOZED;
		break;
	case EV_MISSED:
	case EV_REPLACED:	/* a snoozed prompt a new firing took over */
		r.event = HE_MISSED;
		break;
	default:
		return;
	}
	if (history_add(&r, &cause) == -1) {
		log_warnx("history: %s", cause != NULL ? cause :
		    "out of memory");
		free(cause);
	}
}

/* ---- the device id ---------------------------------------------------- */

static void
random_hex(char *out, size_t nhex)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[32];
	size_t			 got = 0;

	while (got < (nhex + 1) / 2) {
		ssize_t	n = getrandom(b + got, (nhex + 1) / 2 - got, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fatal("getrandom");
		got += (size_t)n;
	}
	for (size_t i = 0; i < nhex; i++)
		out[i] = hex[(b[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[nhex] = '\0';
}

static bool
good_device(const char *s)
{
	return strlen(s) == HIST_DEVICE_LEN &&
	    strspn(s, "0123456789abcdef") == HIST_DEVICE_LEN;
}

/* STATE_DIR/device-id, made once (written, synced and renamed into place)
 * so a restart keeps writing the same file. */
static int
device_id(const char *state_dir, char *out)
{
	char	*path = NULL, *tmp = NULL, buf[64];
	FILE	*f;
	int	 fd, rc = -1;

	/* A run without a kept id still has one for its own records. */

	if (asprintf(&path, "%s/%s", state_dir, DEVICE_FILE) == -1)
		return -1;
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(buf, sizeof buf, f) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			if (good_device(buf)) {
				memcpy(out, buf, HIST_DEVICE_LEN + 1);
				rc = 0;
			}
		}
		fclose(f);
		if (rc == 0)
			goto out;
		log_warnx("%s: not a device id; making a new one", path);
	}
	random_hex(out, HIST_DEVICE_LEN);
	if (asprintf(&tmp, "%s.tmp", path) == -1)
		goto out;
	snprintf(buf, sizeof buf, "%s\n", out);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1 || write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf) ||
	    fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
		log_warn("%s", path);
		goto out;	/* this run still has an id; the next makes one */
	}
	rc = 0;
	if ((fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
out:
	free(tmp);
	free(path);
	return 0;
}

/* ---- the worker ------------------------------------------------------- */

/* Creates the folder and its parents (0700), as far as it can. */
static int
make_dir(const char *dir)
{
	char	*p = strdup(dir);

	if (p == NULL)
		return -1;
	for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Whether a file that exists ends mid-line (a crash cut its last record):
 * then the next record must start on a fresh line. */
static bool
ends_mid_line(int fd)
{
	struct stat	st;
	char		c;

	if (fstat(fd, &st) == -1 || st.st_size == 0)
		return false;
	return pread(fd, &c, 1, st.st_size - 1) != 1 || c != '\n';
}

/* The worker's file: opened (or made, then the folder synced) on first
 * need and after every failure. */
struct wfile {
	int	 fd;
	bool	 newline;	/* write '\n' before the next record */
	bool	 made;		/* created: the folder needs an fsync */
};

static int
wfile_open(struct wfile *w)
{
	if (w->fd != -1)
		return 0;
	if (make_dir(h.dir) == -1)
		return -1;
	w->fd = open(h.path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600);
	if (w->fd != -1) {
		w->made = true;
		w->newline = false;
		return 0;
	}
	if (errno != EEXIST)
		return -1;
	if ((w->fd = open(h.path, O_RDWR | O_APPEND | O_CLOEXEC)) == -1)
		return -1;
	w->newline = ends_mid_line(w->fd);
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t	n = write(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One batch to disk: the lines, one fdatasync, and the folder's fsync
 * when the file is new. */
static int
wfile_put(struct wfile *w, char **lines, size_t n)
{
	int	dfd;

	if (wfile_open(w) == -1)
		return -1;
	if (w->newline && write_all(w->fd, "\n", 1) == -1)
		goto fail;
	w->newline = false;
	for (size_t i = 0; i < n; i++)
		if (write_all(w->fd, lines[i], strlen(lines[i])) == -1)
			goto fail;
	if (fdatasync(w->fd) == -1)
		goto fail;
	/* Closed after every batch: a folder can then be remounted, moved
	 * or replaced by a sync tool without calfd holding the old file. */
	if (close(w->fd) == -1) {
		w->fd = -1;
		goto fail;
	}
	w->fd = -1;
	if (w->made) {
		if ((dfd = open(h.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
		    -1)
			goto fail;
		if (fsync(dfd) == -1) {
			close(dfd);
			goto fail;
		}
		close(dfd);
		w->made = false;
	}
	return 0;
fail:
	if (w->fd != -1) {
		int	e = errno;

		close(w->fd);
		w->fd = -1;
		errno = e;
	}
	return -1;
}

static void
wake_loop(void)
{
	uint64_t	one = 1;

	if (write(h.efd, &one, sizeof one) == -1 && errno != EAGAIN)
		log_warn("history: eventfd");
}

static void *
worker(void *arg)
{
	struct wfile	 w = { .fd = -1 };
	char		**lines = NULL;
	size_t		 n, cap = 0;
	uint64_t	 last;
	struct timespec	 ts;
	int		 rc;

	(void)arg;
	pthread_mutex_lock(&h.q.lock);
	for (;;) {
		while (h.q.n == 0 && !h.q.stop)
			pthread_cond_wait(&h.q.cond, &h.q.lock);
		if (h.q.n == 0)
			break;
		n = h.q.n;
		if (n > cap) {
			char	**nl = reallocarray(lines, n, sizeof *lines);

			if (nl == NULL)
				n = cap;
			else {
				lines = nl;
				cap = n;
			}
		}
		for (size_t i = 0; i < n; i++)
			lines[i] = h.q.v[(h.q.head + i) % HISTORY_MAX_QUEUED].line;
		last = h.q.v[(h.q.head + n - 1) % HISTORY_MAX_QUEUED].seq;
		pthread_mutex_unlock(&h.q.lock);

		/* The lines stay in the ring (only this thread removes
		 * them), so they are safe to use unlocked. */
		rc = n > 0 ? wfile_put(&w, lines, n) : -1;
		if (rc == -1)
			w.newline = true;	/* a part may have got through */

		pthread_mutex_lock(&h.q.lock);
		if (rc == 0) {
			for (size_t i = 0; i < n; i++) {
				free(h.q.v[h.q.head].line);
				h.q.v[h.q.head].line = NULL;
				h.q.head = (h.q.head + 1) % HISTORY_MAX_QUEUED;
			}
			h.q.n -= n;
			h.q.written = last;
			h.q.ok = true;
		} else {
			h.q.ok = false;
			snprintf(h.q.err, sizeof h.q.err, "%s: %s", h.path,
			    n > 0 ? strerror(errno) : "out of memory");
		}
		wake_loop();
		if (rc == -1) {
			if (h.q.stop)
				break;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += HISTORY_RETRY_S;
			while (!h.q.stop && pthread_cond_timedwait(&h.q.cond,
			    &h.q.lock, &ts) == 0)
				;
		}
	}
	pthread_mutex_unlock(&h.q.lock);
	if (w.fd != -1)
		close(w.fd);
	free(lines);
	return NULL;
}

/* In the loop: the worker wrote a batch or failed to. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	 v, written;
	bool		 ok;
	char		 err[256];
	size_t		 queued;

	(void)what;
	(void)arg;
	if (read(fd, &v, sizeof v) == -1)
		return;
	pthread_mutex_lock(&h.q.lock);
	written = h.q.written;
	ok = h.q.ok;
	queued = h.q.n;
	memcpy(err, h.q.err, sizeof err);
	pthread_mutex_unlock(&h.q.lock);
	if (!ok && !h.failing)
		log_warnx("history: cannot write (%s); %zu records kept in "
		    "memory until it can", err, queued);
	else if (ok && h.failing)
		log_info("history: %s written again", h.path);
	h.failing = !ok;
	if (h.cb != NULL)
		h.cb(h.cb_arg, written, ok, ok ? NULL : err);
}

/* ---- the loop's side -------------------------------------------------- */

int
history_add(struct hist_rec *r, char **cause)
{
	char	 rnd[HIST_DEVICE_LEN + 1];
	char	*line;
	int	 rc = 0;

	if (!h.on) {
		*cause = msgf("history is off");
		return -1;
	}
	random_hex(rnd, HIST_DEVICE_LEN);
	snprintf(r->id, sizeof r->id, "%s-%s", h.device, rnd);
	if ((line = hist_rec_line(r)) == NULL) {
		*cause = msgf("out of memory");
		return -1;
	}
	pthread_mutex_lock(&h.q.lock);
	if (h.q.n == HISTORY_MAX_QUEUED) {
		rc = -1;
		free(line);
	} else {
		struct queued	*q = &h.q.v[(h.q.head + h.q.n) %
				    HISTORY_MAX_QUEUED];

		q->seq = ++h.next_seq;
		q->line = line;
		h.q.n++;
		pthread_cond_signal(&h.q.cond);
	}
	pthread_mutex_unlock(&h.q.lock);
	if (rc == -1)
		*cause = msgf("%d records wait for %s to be writable; this "
		    "one is lost", HISTORY_MAX_QUEUED, h.path);
	return rc;
}

const char *
history_error(void)
{
	static char	err[256];

	if (!h.failing)
		return NULL;
	pthread_mutex_lock(&h.q.lock);
	memcpy(err, h.q.err, sizeof err);
	pthread_mutex_unlock(&h.q.lock);
	return err;
}

int64_t
history_check_started_us(void)
{
	return h.check_us;
}

uint64_t
history_pending(void)
{
	return h.next_seq;
}

void
history_on_written(history_written_fn fn, void *arg)
{
	h.cb = fn;
	h.cb_arg = arg;
}

const char *
history_dir(void)
{
	return h.dir;
}

const char *
history_device(void)
{
	return h.device;
}

/* One file, whole, into the list. */
static int
read_file(const char *path, struct hist_list *l, struct hist_load *sum)
{
	struct hist_load	 info;
	struct stat		 st;
	char			*buf;
	ssize_t			 n;
	size_t			 got = 0;
	int			 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > MAX_FILE) {
		if (st.st_size > MAX_FILE)
			log_warnx("%s: over %d bytes; not read", path,
			    MAX_FILE);
		close(fd);
		return 0;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	rc = hist_parse(buf, got, l, &info);
	free(buf);
	sum->records += info.records;
	sum->bad += info.bad;
	sum->newer += info.newer;
	sum->torn_tail |= info.torn_tail;
	return rc;
}

/* A device file's name: 16 hex digits and ".jsonl". */
static bool
device_file(const char *name)
{
	size_t	len = strlen(name);

	return len == HIST_DEVICE_LEN + 6 &&
	    strcmp(name + HIST_DEVICE_LEN, ".jsonl") == 0 &&
	    strspn(name, "0123456789abcdef") == HIST_DEVICE_LEN;
}

int
history_read(struct hist_list *l, struct hist_load *info, unsigned *files)
{
	struct hist_load	 mem;
	DIR			*d;
	struct dirent		*de;
	char			*path;
	int			 rc = 0;

	memset(info, 0, sizeof *info);
	*files = 0;
	if (!h.on)
		return 0;
	if ((d = opendir(h.dir)) != NULL) {
		while (rc == 0 && (de = readdir(d)) != NULL) {
			if (!device_file(de->d_name))
				continue;
			if (asprintf(&path, "%s/%s", h.dir, de->d_name) == -1)
				rc = -1;
			else {
				rc = read_file(path, l, info);
				free(path);
				(*files)++;
			}
		}
		closedir(d);
	}
	/* And what waits in memory (the worker may be writing it now:
	 * the merge keeps one copy). */
	pthread_mutex_lock(&h.q.lock);
	for (size_t i = 0; rc == 0 && i < h.q.n; i++) {
		const char	*line = h.q.v[(h.q.head + i) %
				    HISTORY_MAX_QUEUED].line;

		rc = hist_parse(line, strlen(line), l, &mem);
	}
	pthread_mutex_unlock(&h.q.lock);
	if (rc == 0)
		hist_merge(l);
	return rc;
}

/* Reads our own file once at start, to say whether a crash cut its last
 * record (the worker starts the next one on a fresh line). */
static void
check_own_file(void)
{
	struct hist_list	l;
	struct hist_load	info;

	hist_list_init(&l);
	memset(&info, 0, sizeof info);
	if (read_file(h.path, &l, &info) == 0 && info.torn_tail)
		log_warnx("%s: the last record was cut short (calfd stopped "
		    "while writing it); skipped", h.path);
	else if (info.bad > 0)
		log_warnx("%s: %zu unreadable lines skipped", h.path,
		    info.bad);
	hist_list_free(&l);
}

int
history_init(const char *state_dir, const char *dir, char **cause)
{
	if (dir != NULL)
		h.dir = strdup(dir);
	else if (asprintf(&h.dir, "%s/history", state_dir) == -1)
		h.dir = NULL;
	if (h.dir == NULL || device_id(state_dir, h.device) == -1 ||
	    asprintf(&h.path, "%s/%s.jsonl", h.dir, h.device) == -1) {
		*cause = msgf("history: out of memory");
		return -1;
	}
	return 0;
}

int
history_start(struct event_base *base, char **cause)
{
	pthread_condattr_t	ca;

	h.base = base;
	if ((h.q.v = calloc(HISTORY_MAX_QUEUED, sizeof *h.q.v)) == NULL) {
		*cause = msgf("history: out of memory");
		return -1;
	}
	if ((h.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (h.wake_ev = event_new(base, h.efd, EV_READ | EV_PERSIST,
	    wake_cb, NULL)) == NULL || event_add(h.wake_ev, NULL) == -1) {
		*cause = msgf("history: eventfd: %s", strerror(errno));
		return -1;
	}
	h.q.ok = true;
	pthread_mutex_init(&h.q.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h.q.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (make_dir(h.dir) == -1)
		log_warn("history folder %s (records wait in memory)", h.dir);
	check_own_file();
	if (pthread_create(&h.q.thread, NULL, worker, NULL) != 0) {
		*cause = msgf("history: cannot start its thread");
		return -1;
	}
	h.on = true;
	sink_register();
	log_info("history: %s", h.path);
	return 0;
}

void
history_shutdown(void)
{
	if (!h.on) {
		free(h.dir);
		free(h.path);
		h.dir = h.path = NULL;
		return;
	}
	sink_unregister();
	pthread_mutex_lock(&h.q.lock);
	h.q.stop = true;
	pthread_cond_signal(&h.q.cond);
	pthread_mutex_unlock(&h.q.lock);
	pthread_join(h.q.thread, NULL);
	if (h.q.n > 0)
		log_warnx("history: %zu records could not be written to %s "
		    "and are lost", h.q.n, h.path);
	for (size_t i = 0; i < HISTORY_MAX_QUEUED; i++)
		free(h.q.v[i].line);
	free(h.q.v);
	event_free(h.wake_ev);
	close(h.efd);
	pthread_cond_destroy(&h.q.cond);
	pthread_mutex_destroy(&h.q.lock);
	free(h.dir);
	free(h.path);
	memset(&h, 0, sizeof h);
	h.efd = -1;
}
