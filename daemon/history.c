/*
 * history.c: calfd's history log (daemon/history.h): the device id, the
 * event sink that turns outcomes into records, and reading every device
 * file back. daemon/history_writer.c puts the records on disk. Records are
 * idempotent by id, so a batch written twice after an error (a write that
 * got through, an fdatasync that did not) reads back once.
 */
#include "daemon/history.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/errlist.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/dirs.h"
#include "daemon/history_writer.h"
#include "daemon/log.h"

#define DEVICE_FILE	"device-id"
#define MAX_FILE	(64 * 1024 * 1024)	/* a device file read back */
#define MAX_RUNNING	64			/* sessions whose start we keep */
#define US		1000000LL

static struct {
	char		*dir;
	char		*path;		/* DIR/DEVICE.jsonl */
	char		 device[HIST_DEVICE_LEN + 1];
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
} h;

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
history_engine_done(struct engine *e, enum event_origin origin,
    const char *name, char **cause)
{
	return engine_done(e, origin, name, NULL, cause);
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
	if ((fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
out:
	free(tmp);
	free(path);
	return 0;
}

/* ---- the loop's side -------------------------------------------------- */

/* The writer's word after each attempt: the log hears of a failure once
 * and of the recovery, then control.c releases the replies waiting. */
static void
written(uint64_t seq, bool ok, const char *err, size_t queued)
{
	if (!ok && !h.failing)
		log_warnx("history: cannot write (%s); %zu records kept in "
		    "memory until it can", err, queued);
	else if (ok && h.failing)
		log_info("history: %s written again", h.path);
	h.failing = !ok;
	if (h.cb != NULL)
		h.cb(h.cb_arg, seq, ok, err);
}

int
history_add(struct hist_rec *r, char **cause)
{
	char		 rnd[HIST_DEVICE_LEN + 1];
	char		*line;
	uint64_t	 seq;

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
	if (writer_add(line, &seq) == -1) {
		*cause = msgf("%d records wait for %s to be writable; this "
		    "one is lost", HISTORY_MAX_QUEUED, h.path);
		return -1;
	}
	return 0;
}

const char *
history_error(void)
{
	static char	err[256];

	if (!h.failing)
		return NULL;
	writer_error(err, sizeof err);
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
	return writer_pending();
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

static int
parse_queued(const char *line, void *arg)
{
	struct hist_load	mem;

	return hist_parse(line, strlen(line), arg, &mem);
}

int
history_read(struct hist_list *l, struct hist_load *info, unsigned *files)
{
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
	if (rc == 0)
		rc = writer_each_queued(parse_queued, l);
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
	if (dirs_make(h.dir) == -1)
		log_warn("history folder %s (records wait in memory)", h.dir);
	check_own_file();
	if (writer_start(base, h.dir, h.path, written, cause) == -1)
		return -1;
	h.on = true;
	sink_register();
	log_info("history: %s", h.path);
	return 0;
}

void
history_shutdown(void)
{
	size_t	lost;

	if (h.on)
		sink_unregister();
	if ((lost = writer_stop()) > 0)
		log_warnx("history: %zu records could not be written to %s "
		    "and are lost", lost, h.path);
	free(h.dir);
	free(h.path);
	memset(&h, 0, sizeof h);
}
