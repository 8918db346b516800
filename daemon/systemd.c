/*
 * systemd.c: all of calfd's systemd glue. The socket systemd passes, the
 * notify protocol and the journal; each is a no-op when calfd runs
 * without systemd, so nothing else in the daemon has to ask.
 *
 * STATUS= is one line a person reads at a glance in `systemctl status`,
 * rebuilt from engine_status() (the same public view calfctl gets) once
 * per loop turn in which an event happened, and after a reload; never on
 * a timer, so an idle calfd stays asleep.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION	/* this file is not the source */
#include "daemon/systemd.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "common/jfield.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/log.h"

#define US	1000000LL

/* One per event kind, in enum event_kind's order; generated once with
 * `systemd-id128 new` and never to change (doc/daemon.md lists them). */
static const char *const message_ids[EV__COUNT] = {
	[EV_DUE] =	"8c48c662ef8144c98a6f98cb6a1009af",
	[EV_REMINDER] =	"a62f46e39e7d4de78e5ffadc2d500ebc",
	[EV_STARTED] =	"e1a9050107774a748c4b4d0140186b8a",
	[EV_CUE] =	"926a9ce3a10a4b44b2be51dbd6b9bbf7",
	[EV_MINIMUM] =	"4fced1a7781d4d379dc260442142d382",
	[EV_FINISHED] =	"a1e7035749ec402db1e5e99c1846027c",
	[EV_DONE] =	"554f344ab7524f9783b18524cf670580",
	[EV_STOPPED] =	"d15adcab8d7045dbbe3df9e0880dee26",
	[EV_SKIPPED] =	"25f6acda18de433d9cf6103d02568ab9",
	[EV_SNOOZED] =	"485c0a92e8af449a97d29dc22e8e1001",
	[EV_MISSED] =	"6e5df4154a7e46bfba8c1842e23ab074",
	[EV_REPLACED] =	"1679928df1ae41fbbf29e443e239ea3f",
	[EV_PAUSED] =	"120cfe6960da45d1815b1838b1569b58",
	[EV_RESUMED] =	"93f607bbd5424060bcf995d1b3b502ac",
	[EV_RELOADED] =	"86611e6b15d445caa3044743c2b3cc58",
	[EV_EXTENDED] =	"0194ab96cf6a493a815092db204fd40a",
};

static struct {
	struct engine	*engine;
	struct event	*status_ev;	/* deferred STATUS= rebuild */
	struct event	*watchdog_ev;
	char		*status;	/* the last STATUS= sent */
	bool		 notify;	/* $NOTIFY_SOCKET is set */
	bool		 journal;	/* the journal sink is registered */
	int		 stream;	/* -1: not decided yet */
} sd = { .stream = -1 };

const char *
systemd_message_id(enum event_kind k)
{
	return (unsigned)k < EV__COUNT ? message_ids[k] : NULL;
}

/* --- socket activation ---------------------------------------------- */

/* One socket is all calfd listens on; anything else passed is a unit
 * misconfiguration, said plainly rather than half-used. */
int
systemd_listen_fd(char **cause)
{
	int	n = sd_listen_fds(1);

	if (n == 0)
		return -1;
	if (n < 0) {
		*cause = msgf("socket activation: %s", strerror(-n));
		return -2;
	}
	if (n > 1) {
		*cause = msgf("socket activation: %d sockets passed, calfd "
		    "takes one", n);
		return -2;
	}
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL,
	    0) <= 0) {
		*cause = msgf("socket activation: fd %d is not a listening "
		    "Unix stream socket", SD_LISTEN_FDS_START);
		return -2;
	}
	return SD_LISTEN_FDS_START;
}

/* --- the journal ------------------------------------------------------ */

/* sd_journal_send() succeeds even with no journald listening, so the
 * decision rests on $JOURNAL_STREAM ("DEV:INODE" of the stream systemd
 * connected) matching what stderr is now. */
bool
systemd_journal_stderr(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;
	char			 end;

	if (sd.stream == -1)
		sd.stream = js != NULL &&
		    sscanf(js, "%llu:%llu%c", &dev, &ino, &end) == 2 &&
		    fstat(STDERR_FILENO, &st) == 0 &&
		    (unsigned long long)st.st_dev == dev &&
		    (unsigned long long)st.st_ino == ino;
	return sd.stream == 1;
}

void
systemd_journal_log(int pri, const char *msg, const char *err)
{
	if (err != NULL)
		sd_journal_send("MESSAGE=%s: %s", msg, err, "PRIORITY=%d", pri,
		    "SYSLOG_IDENTIFIER=calfd", NULL);
	else
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", pri,
		    "SYSLOG_IDENTIFIER=calfd", NULL);
}

/* A prompt is what the person should notice; the rest is a record. */
static int
event_priority(enum event_kind k)
{
	switch (k) {
	case EV_DUE:
	case EV_REMINDER:
	case EV_MISSED:
		return LOG_NOTICE;
	default:
		return LOG_INFO;
	}
}

#define JOURNAL_FIELDS	24	/* more than journal_sink() ever sends */

/* One structured entry per event, so `journalctl CALF_EVENT=missed` or
 * `journalctl MESSAGE_ID=...` finds them. A fact the event does not have
 * (doc/PROTOCOL.md: 0, -1 or null) is left out rather than sent empty. */
static void
journal_sink(const struct calf_event *ev, void *arg)
{
	struct iovec	 iov[JOURNAL_FIELDS];
	char		*f[JOURNAL_FIELDS];
	int		 n = 0;
	const char	*kind = event_kind_name(ev->kind);
	const char	*origin = event_origin_name(ev->origin);
	const char	*reason = event_reason_name(ev->reason);

	(void)arg;
#define FIELD(...)							\
	do {								\
		if (n < JOURNAL_FIELDS &&				\
		    asprintf(&f[n], __VA_ARGS__) != -1) {		\
			iov[n].iov_base = f[n];				\
			iov[n].iov_len = strlen(f[n]);			\
			n++;						\
		}							\
	} while (0)
	if (ev->session != NULL)
		FIELD("MESSAGE=%s %s: %s", kind, ev->session,
		    ev->message != NULL ? ev->message : "");
	else
		FIELD("MESSAGE=%s: %s", kind,
		    ev->message != NULL ? ev->message : "");
	FIELD("PRIORITY=%d", event_priority(ev->kind));
	FIELD("SYSLOG_IDENTIFIER=calfd");
	if (systemd_message_id(ev->kind) != NULL)
		FIELD("MESSAGE_ID=%s", systemd_message_id(ev->kind));
	FIELD("CALF_EVENT=%s", kind);
	if (ev->session != NULL)
		FIELD("CALF_SESSION=%s", ev->session);
	if (ev->title != NULL)
		FIELD("CALF_TITLE=%s", ev->title);
	if (ev->due_us > 0)
		FIELD("CALF_DUE_USEC=%lld", (long long)ev->due_us);
	if (ev->fired_us > 0)
		FIELD("CALF_FIRED_USEC=%lld", (long long)ev->fired_us);
	if (ev->until_us > 0)
		FIELD("CALF_UNTIL_USEC=%lld", (long long)ev->until_us);
	if (origin != NULL)
		FIELD("CALF_ORIGIN=%s", origin);
	if (ev->started_us > 0)
		FIELD("CALF_STARTED_USEC=%lld", (long long)ev->started_us);
	if (ev->elapsed_s >= 0)
		FIELD("CALF_ELAPSED_SEC=%lld", (long long)ev->elapsed_s);
	if (ev->dur_max_s > 0) {
		FIELD("CALF_DURATION_MIN_SEC=%lld", (long long)ev->dur_min_s);
		FIELD("CALF_DURATION_MAX_SEC=%lld", (long long)ev->dur_max_s);
	}
	if (ev->has_temperature)
		FIELD("CALF_TEMPERATURE=%d", ev->temperature);
	if (ev->count > 0 || ev->kind == EV_RELOADED)
		FIELD("CALF_COUNT=%u", ev->count);
	if (ev->first_due_us > 0)
		FIELD("CALF_FIRST_DUE_USEC=%lld", (long long)ev->first_due_us);
	if (ev->text != NULL)
		FIELD("CALF_TEXT=%s", ev->text);
	if (reason != NULL)
		FIELD("CALF_REASON=%s", reason);
#undef FIELD
	if (n > 0)
		sd_journal_sendv(iov, n);
	while (n > 0)
		free(f[--n]);
}

/* --- STATUS= ------------------------------------------------------------ */

/* Local time as a person reads it, after a preposition: "at 20:00"
 * today, "at 20:00 tomorrow", "at 20:00 on Wed" within a week, "at 20:00
 * on Wed 03 Dec 2027" beyond (and "since", "until" alike). */
static const char *
when(const char *prep, int64_t us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / US), now = time(NULL);
	struct tm	tm, tn, tt, ty;
	char		hm[16], day[48];

	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	tt = ty = tn;
	tt.tm_mday++;
	ty.tm_mday--;
	tt.tm_hour = ty.tm_hour = 12;	/* clear of any DST gap */
	tt.tm_isdst = ty.tm_isdst = -1;
	mktime(&tt);
	mktime(&ty);
	if (strftime(hm, sizeof hm, "%H:%M", &tm) == 0)
		snprintf(hm, sizeof hm, "?");
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		day[0] = '\0';
	else if (tm.tm_year == tt.tm_year && tm.tm_yday == tt.tm_yday)
		snprintf(day, sizeof day, " tomorrow");
	else if (tm.tm_year == ty.tm_year && tm.tm_yday == ty.tm_yday)
		snprintf(day, sizeof day, " yesterday");
	else if (strftime(day, sizeof day,
	    (t > now ? t - now : now - t) < 6 * 86400 ? " on %a" :
	    " on %a %d %b %Y", &tm) == 0)
		day[0] = '\0';
	snprintf(buf, len, "%s %s%s", prep, hm, day);
	return buf;
}

static const char *
jtitle(json_object *o)
{
	const char	*t = jstr(o, "title");

	return t != NULL ? t : jstr(o, "session") != NULL ?
	    jstr(o, "session") : "?";
}

/* " (and N more)" after the first of a list. */
static void
more(FILE *f, json_object *a)
{
	size_t	n = json_object_array_length(a);

	if (n > 1)
		fprintf(f, " (and %zu more)", n - 1);
}

/* What matters most first: a running session, then a prompt waiting for
 * an answer, then the pause, then what comes next. */
static char *
status_line(void)
{
	json_object	*st, *running, *due, *o;
	FILE		*f;
	char		*line = NULL, b1[64], b2[64];
	size_t		 len;
	int		 parts = 0;

	if (sd.engine == NULL || (st = engine_status(sd.engine)) == NULL)
		return NULL;
	if ((f = open_memstream(&line, &len)) == NULL) {
		json_object_put(st);
		return NULL;
	}
	if (json_object_object_get_ex(st, "running", &running) &&
	    json_object_array_length(running) > 0) {
		int64_t	start, lo, hi;

		o = json_object_array_get_idx(running, 0);
		start = jint_or(o, "started_us", 0);
		lo = start + jint_or(o, "min_us", 0);
		hi = start + jint_or(o, "max_us", 0);
		if (lo < hi)
			fprintf(f, "%s running, ends between %s and %s",
			    jtitle(o), when("", lo, b1, sizeof b1) + 1,
			    when("", hi, b2, sizeof b2) + 1);
		else
			fprintf(f, "%s running, ends %s", jtitle(o),
			    when("at", hi, b1, sizeof b1));
		more(f, running);
		parts++;
	}
	if (json_object_object_get_ex(st, "due", &due) &&
	    json_object_array_length(due) > 0) {
		const char	*state;

		o = json_object_array_get_idx(due, 0);
		state = jstr(o, "state");
		fputs(parts++ ? "; " : "", f);
		if (state != NULL && strcmp(state, "snoozed") == 0)
			fprintf(f, "%s snoozed %s", jtitle(o),
			    when("until", jint_or(o, "until_us", 0), b1, sizeof b1));
		else
			fprintf(f, "%s due %s%s", jtitle(o),
			    when("since", jint_or(o, "due_us", 0), b1, sizeof b1),
			    state != NULL && strcmp(state, "held") == 0 ?
			    ", held" : "");
		more(f, due);
	}
	if (json_object_get_boolean(json_object_object_get(st, "paused"))) {
		int64_t	until = jint_or(st, "paused_until_us", 0);

		fputs(parts++ ? "; " : "", f);
		if (until > 0)
			fprintf(f, "paused %s",
			    when("until", until, b1, sizeof b1));
		else
			fputs("paused", f);
	} else if (parts == 0) {
		o = json_object_object_get(st, "next");
		if (json_object_get_boolean(json_object_object_get(st,
		    "quiet")))
			fputs("quiet hours; ", f);
		if (o != NULL)
			fprintf(f, "next: %s %s", jtitle(o),
			    when("at", jint_or(o, "at_us", 0), b1, sizeof b1));
		else
			fputs("nothing scheduled", f);
	}
	json_object_put(st);
	if (fclose(f) != 0) {
		free(line);
		return NULL;
	}
	return line;
}

/* Sends extra (READY=1 and the like, or NULL) with a STATUS= of prefix
 * (or NULL) and the current line; an unchanged line alone is not sent. */
static void
notify_status(const char *extra, const char *prefix)
{
	char	*line = status_line(), *full = NULL;

	if (line != NULL && prefix != NULL) {
		if (asprintf(&full, "%s; %s", prefix, line) == -1)
			full = NULL;
		free(line);
		line = full;
	}
	if (extra == NULL && (line == NULL ||
	    (sd.status != NULL && strcmp(sd.status, line) == 0))) {
		free(line);
		return;
	}
	if (line != NULL && strchr(line, '\n') == NULL)
		sd_notifyf(0, "%s%sSTATUS=%s", extra != NULL ? extra : "",
		    extra != NULL ? "\n" : "", line);
	else if (extra != NULL)
		sd_notify(0, extra);
	free(sd.status);
	sd.status = line;
}

static void
status_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_status(NULL, NULL);
}

/* Events come in bursts (a reload stops and starts several); the line is
 * rebuilt once, after the loop turn, when the engine is settled. */
static void
status_sink(const struct calf_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (sd.status_ev != NULL && !event_pending(sd.status_ev, EV_TIMEOUT,
	    NULL))
		event_active(sd.status_ev, EV_TIMEOUT, 0);
}

/* --- lifecycle ------------------------------------------------------- */

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

bool
systemd_init(struct event_base *base, struct engine *engine)
{
	uint64_t	usec;
	struct timeval	tv;

	sd.engine = engine;
	sd.notify = getenv("NOTIFY_SOCKET") != NULL;
	if (systemd_journal_stderr() &&
	    events_add_sink("journal", journal_sink, NULL) == 0)
		sd.journal = true;
	if (sd.notify) {
		sd.status_ev = event_new(base, -1, 0, status_cb, NULL);
		if (sd.status_ev == NULL ||
		    events_add_sink("status", status_sink, NULL) == -1)
			log_warnx("systemd: STATUS= will not follow events");
	}
	/* Pinged from the loop itself, so a stuck loop is what trips it. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		usec /= 2;
		tv.tv_sec = (time_t)(usec / US);
		tv.tv_usec = (suseconds_t)(usec % US);
		sd.watchdog_ev = event_new(base, -1, EV_PERSIST, watchdog_cb,
		    NULL);
		if (sd.watchdog_ev == NULL ||
		    event_add(sd.watchdog_ev, &tv) == -1)
			log_warnx("systemd: cannot start the watchdog pings");
		else
			log_debug("systemd: watchdog ping every %lld ms",
			    (long long)(usec / 1000));
	}
	return sd.journal;
}

void
systemd_ready(void)
{
	notify_status("READY=1", NULL);
}

enum result
systemd_reload(struct engine *engine, enum event_origin o,
    struct errlist *errs)
{
	struct timespec	 ts;
	enum result	 r;
	char		*why = NULL;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * US +
	    (unsigned long long)ts.tv_nsec / 1000);
	r = engine_reload(engine, o, errs);
	if (r != RES_SUCCESS && asprintf(&why, "reload refused (%s)",
	    errs->n > 0 ? errs->msgs[0] : result_message(r)) == -1)
		why = NULL;
	notify_status("READY=1", r != RES_SUCCESS ?
	    (why != NULL ? why : "reload refused") : NULL);
	free(why);
	return r;
}

void
systemd_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	if (sd.journal)
		events_remove_sink(journal_sink, NULL);
	events_remove_sink(status_sink, NULL);
	if (sd.status_ev != NULL)
		event_free(sd.status_ev);
	if (sd.watchdog_ev != NULL)
		event_free(sd.watchdog_ev);
	sd.status_ev = sd.watchdog_ev = NULL;
	sd.journal = false;
	sd.engine = NULL;
	free(sd.status);
	sd.status = NULL;
}
