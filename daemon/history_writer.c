/*
 * history_writer.c: the queue of history lines and the worker thread that
 * appends them to the device file, fdatasync()s it (and fsync()s the folder
 * when it made the file) and tells the loop through an eventfd.
 *
 * Threads: the worker touches only `wq` under wq.lock, and its own file
 * descriptor; the lines of the batch it writes stay in the ring (only the
 * worker removes them), so it reads them unlocked. The file is opened for
 * each batch and closed after it, so the folder can be remounted, moved or
 * replaced by a sync tool while calfd runs.
 */
#include "daemon/dirs.h"
#include "daemon/history_writer.h"

#include <sys/eventfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

struct queued {
	uint64_t	 seq;
	char		*line;
};

static struct {
	const char	*dir, *path;	/* the owner's strings */
	writer_report_fn report;
	struct event	*wake_ev;
	int		 efd;
	uint64_t	 next_seq;	/* loop: the last queued */
	bool		 on;

	/* Shared with the worker, under lock. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	pthread_t	 thread;
	struct queued	*v;		/* a ring of HISTORY_MAX_QUEUED */
	size_t		 head, n;
	uint64_t	 written;
	bool		 ok;
	char		 err[256];
	bool		 stop;
} wq = { .efd = -1 };

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
	if (dirs_make(wq.dir) == -1)
		return -1;
	w->fd = open(wq.path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600);
	if (w->fd != -1) {
		w->made = true;
		w->newline = false;
		return 0;
	}
	if (errno != EEXIST)
		return -1;
	if ((w->fd = open(wq.path, O_RDWR | O_APPEND | O_CLOEXEC)) == -1)
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
		if ((dfd = open(wq.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
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

	if (write(wq.efd, &one, sizeof one) == -1 && errno != EAGAIN)
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
	pthread_mutex_lock(&wq.lock);
	for (;;) {
		while (wq.n == 0 && !wq.stop)
			pthread_cond_wait(&wq.cond, &wq.lock);
		if (wq.n == 0)
			break;
		n = wq.n;
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
			lines[i] = wq.v[(wq.head + i) % HISTORY_MAX_QUEUED].line;
		last = wq.v[(wq.head + n - 1) % HISTORY_MAX_QUEUED].seq;
		pthread_mutex_unlock(&wq.lock);

		/* The lines stay in the ring (only this thread removes
		 * them), so they are safe to use unlocked. */
		rc = n > 0 ? wfile_put(&w, lines, n) : -1;
		if (rc == -1)
			w.newline = true;	/* a part may have got through */

		pthread_mutex_lock(&wq.lock);
		if (rc == 0) {
			for (size_t i = 0; i < n; i++) {
				free(wq.v[wq.head].line);
				wq.v[wq.head].line = NULL;
				wq.head = (wq.head + 1) % HISTORY_MAX_QUEUED;
			}
			wq.n -= n;
			wq.written = last;
			wq.ok = true;
		} else {
			wq.ok = false;
			snprintf(wq.err, sizeof wq.err, "%s: %s", wq.path,
			    n > 0 ? strerror(errno) : "out of memory");
		}
		wake_loop();
		if (rc == -1) {
			if (wq.stop)
				break;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += HISTORY_RETRY_S;
			while (!wq.stop && pthread_cond_timedwait(&wq.cond,
			    &wq.lock, &ts) == 0)
				;
		}
	}
	pthread_mutex_unlock(&wq.lock);
	if (w.fd != -1)
		close(w.fd);
	free(lines);
	return NULL;
}

/* In the loop: the worker wrote a batch or failed to; the owner hears
 * it with the queue's state. */
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
	pthread_mutex_lock(&wq.lock);
	written = wq.written;
	ok = wq.ok;
	queued = wq.n;
	memcpy(err, wq.err, sizeof err);
	pthread_mutex_unlock(&wq.lock);
	if (wq.report != NULL)
		wq.report(written, ok, ok ? NULL : err, queued);
}

int
writer_add(char *line, uint64_t *seq)
{
	int	rc = 0;

	pthread_mutex_lock(&wq.lock);
	if (wq.n == HISTORY_MAX_QUEUED) {
		rc = -1;
		free(line);
	} else {
		struct queued	*q = &wq.v[(wq.head + wq.n) %
				    HISTORY_MAX_QUEUED];

		q->seq = *seq = ++wq.next_seq;
		q->line = line;
		wq.n++;
		pthread_cond_signal(&wq.cond);
	}
	pthread_mutex_unlock(&wq.lock);
	return rc;
}

uint64_t
writer_pending(void)
{
	return wq.next_seq;
}

void
writer_error(char *buf, size_t len)
{
	pthread_mutex_lock(&wq.lock);
	snprintf(buf, len, "%s", wq.err);
	pthread_mutex_unlock(&wq.lock);
}

int
writer_each_queued(int (*fn)(const char *, void *), void *arg)
{
	int	rc = 0;

	if (!wq.on)
		return 0;
	pthread_mutex_lock(&wq.lock);
	for (size_t i = 0; rc == 0 && i < wq.n; i++)
		rc = fn(wq.v[(wq.head + i) % HISTORY_MAX_QUEUED].line, arg);
	pthread_mutex_unlock(&wq.lock);
	return rc;
}

int
writer_start(struct event_base *base, const char *dir, const char *path,
    writer_report_fn report, char **cause)
{
	pthread_condattr_t	ca;

	wq.dir = dir;
	wq.path = path;
	wq.report = report;
	if ((wq.v = calloc(HISTORY_MAX_QUEUED, sizeof *wq.v)) == NULL) {
		*cause = msgf("history: out of memory");
		return -1;
	}
	if ((wq.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (wq.wake_ev = event_new(base, wq.efd, EV_READ | EV_PERSIST,
	    wake_cb, NULL)) == NULL || event_add(wq.wake_ev, NULL) == -1) {
		*cause = msgf("history: eventfd: %s", strerror(errno));
		return -1;
	}
	wq.ok = true;
	pthread_mutex_init(&wq.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wq.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&wq.thread, NULL, worker, NULL) != 0) {
		*cause = msgf("history: cannot start its thread");
		return -1;
	}
	wq.on = true;
	return 0;
}

size_t
writer_stop(void)
{
	size_t	lost = 0;

	if (wq.on) {
		pthread_mutex_lock(&wq.lock);
		wq.stop = true;
		pthread_cond_signal(&wq.cond);
		pthread_mutex_unlock(&wq.lock);
		pthread_join(wq.thread, NULL);
		lost = wq.n;
		pthread_cond_destroy(&wq.cond);
		pthread_mutex_destroy(&wq.lock);
	}
	if (wq.v != NULL)
		for (size_t i = 0; i < HISTORY_MAX_QUEUED; i++)
			free(wq.v[i].line);
	free(wq.v);
	if (wq.wake_ev != NULL)
		event_free(wq.wake_ev);
	if (wq.efd != -1)
		close(wq.efd);
	memset(&wq, 0, sizeof wq);
	wq.efd = -1;
	return lost;
}
