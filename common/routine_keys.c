/*
 * routine_keys.c: the keys of routine.ini. keytab[] describes each key once:
 * its section, the form of a right value and the function that reads it.
 * The handler inih calls for each KEY = VALUE looks the key up there, checks
 * it belongs in the section and is not given twice, and hands the value to
 * its parser, which reports what is wrong and what would be right.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/routine.h"
#include "common/routine_int.h"
#include "common/timeutil.h"

#define TEMP_MAX	60

static int	set_quiet(struct parser *, const struct keydef *, const char *);
static int	set_snooze(struct parser *, const struct keydef *, const char *);
static int	set_text(struct parser *, const struct keydef *, const char *);
static int	set_at(struct parser *, const struct keydef *, const char *);
static int	set_every(struct parser *, const struct keydef *, const char *);
static int	set_between(struct parser *, const struct keydef *,
		    const char *);
static int	set_days(struct parser *, const struct keydef *, const char *);
static int	set_duration(struct parser *, const struct keydef *,
		    const char *);
static int	set_cue(struct parser *, const struct keydef *, const char *);
static int	set_start(struct parser *, const struct keydef *, const char *);
static int	set_remind(struct parser *, const struct keydef *, const char *);
static int	set_window(struct parser *, const struct keydef *, const char *);
static int	set_temperature(struct parser *, const struct keydef *,
		    const char *);
static int	set_notify(struct parser *, const struct keydef *, const char *);
static int	set_hook(struct parser *, const struct keydef *, const char *);
static int	set_hook_timeout(struct parser *, const struct keydef *,
		    const char *);
static int	set_history(struct parser *, const struct keydef *, const char *);
static char	*trim(char *);

/* Every key there is; doc/routine.md and config/routine.ini follow it (the
 * unit test checks that they name every key). */
const struct keydef keytab[NKEYS] = {
	[K_QUIET] = { SECT_CALFD, "quiet", "a range like 22:00-07:00",
	    false, set_quiet },
	[K_SNOOZE] = { SECT_CALFD, "snooze", "a duration of at least 1m, "
	    "like 10m", false, set_snooze },
	[K_NOTIFY] = { SECT_CALFD, "notify", "desktop or none", false,
	    set_notify },
	[K_HOOK] = { SECT_CALFD, "hook", "the absolute path of an executable, "
	    "like /home/me/bin/calf-hook", false, set_hook },
	[K_HOOK_TIMEOUT] = { SECT_CALFD, "hook-timeout", "a duration from 1s "
	    "to 1h, like 10s", false, set_hook_timeout },
	[K_HISTORY] = { SECT_CALFD, "history", "the absolute path of a folder, "
	    "like /home/me/Sync/calf-history", false, set_history },
	[K_TITLE] = { SECT_SESSION, "title", "some text", false, set_text },
	[K_PROMPT] = { SECT_SESSION, "prompt", "some text", false, set_text },
	[K_FINISH] = { SECT_SESSION, "finish", "some text", false, set_text },
	[K_AT] = { SECT_SESSION, "at", "times of day like 07:30 21:00",
	    false, set_at },
	[K_EVERY] = { SECT_SESSION, "every", "a duration from 1m to 24h, "
	    "like 2h", false, set_every },
	[K_BETWEEN] = { SECT_SESSION, "between", "a range like 09:00-17:00",
	    false, set_between },
	[K_DAYS] = { SECT_SESSION, "days", "daily, weekdays, weekends or "
	    "days like mon,wed,fri or mon-fri", false, set_days },
	[K_DURATION] = { SECT_SESSION, "duration", "a duration like 15m, or "
	    "a range like 25m..30m", false, set_duration },
	[K_CUE] = { SECT_SESSION, "cue", "\"at 10m TEXT\" or "
	    "\"every 1m TEXT\"", true, set_cue },
	[K_START] = { SECT_SESSION, "start", "manual or auto", false,
	    set_start },
	[K_REMIND] = { SECT_SESSION, "remind", "0 (never) or a duration of at "
	    "least 1m, like 5m", false, set_remind },
	[K_WINDOW] = { SECT_SESSION, "window", "a duration of at least 1m, "
	    "like 1h", false, set_window },
	[K_TEMPERATURE] = { SECT_SESSION, "temperature", "whole degrees "
	    "Celsius from 0 to 60, like 40", false, set_temperature },
};

/* Shared by every duration key: parse, then enforce the key's minimum. */
static int
get_dur(struct parser *p, const struct keydef *k, const char *v,
    int64_t min, bool zero_ok, int64_t *out)
{
	const char	*why;
	int64_t		 d;

	if (dur_parse(v, &d, &why) == -1) {
		perr(p, p->line, "`%s = %s`: %s; `%s` takes %s", k->name, v,
		    why, k->name, k->form);
		return (-1);
	}
	if (d < min && !(zero_ok && d == 0)) {
		perr(p, p->line, "`%s = %s` is too short; `%s` takes %s",
		    k->name, v, k->name, k->form);
		return (-1);
	}
	*out = d;
	return (0);
}

/* Reads "HH:MM-HH:MM" into two times of day; spaces around '-' are fine. */
static int
get_range(struct parser *p, const struct keydef *k, const char *v, int *a,
    int *b)
{
	char		 buf[ROUTINE_MAX_LINE + 1], *dash, *x, *y, *e;
	const char	*why;

	snprintf(buf, sizeof buf, "%s", v);
	if ((dash = strchr(buf, '-')) == NULL) {
		perr(p, p->line, "`%s = %s` is not a range; `%s` takes %s",
		    k->name, v, k->name, k->form);
		return (-1);
	}
	*dash = '\0';
	x = buf;
	for (e = dash; e > x && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	y = dash + 1;
	while (isspace((unsigned char)*y))
		y++;
	if (tod_parse(x, a, &why) == -1 || tod_parse(y, b, &why) == -1) {
		perr(p, p->line, "`%s = %s`: %s; `%s` takes %s", k->name, v,
		    why, k->name, k->form);
		return (-1);
	}
	return (0);
}

/* Quiet hours may run past midnight, but cannot be empty. */
static int
set_quiet(struct parser *p, const struct keydef *k, const char *v)
{
	int	 a, b;

	if (get_range(p, k, v, &a, &b) == -1)
		return (-1);
	if (a == b) {
		perr(p, p->line, "`quiet = %s` starts and ends at the same "
		    "time; give %s", v, k->form);
		return (-1);
	}
	p->r->has_quiet = true;
	p->r->quiet_start = a;
	p->r->quiet_end = b;
	return (0);
}

/* The snooze length calfctl uses when the user gives none. */
static int
set_snooze(struct parser *p, const struct keydef *k, const char *v)
{
	return (get_dur(p, k, v, 60, false, &p->r->snooze));
}

/* Where prompts go besides the log and watchers. */
static int
set_notify(struct parser *p, const struct keydef *k, const char *v)
{
	if (strcmp(v, "desktop") == 0)
		p->r->notify = NOTIFY_DESKTOP;
	else if (strcmp(v, "none") == 0)
		p->r->notify = NOTIFY_NONE;
	else {
		perr(p, p->line, "`notify = %s`: `notify` takes %s", v,
		    k->form);
		return (-1);
	}
	return (0);
}

/* The hook is run directly (never through a shell), so it must be an
 * executable file; checked here so --check-config and a reload say so
 * with the line, instead of every event failing later. */
static int
set_hook(struct parser *p, const struct keydef *k, const char *v)
{
	struct stat	 st;

	if (v[0] != '/') {
		perr(p, p->line, "`hook = %s` is not an absolute path; `hook` "
		    "takes %s", v, k->form);
		return (-1);
	}
	if (stat(v, &st) == -1) {
		perr(p, p->line, "`hook = %s`: %s; `hook` takes %s", v,
		    strerror(errno), k->form);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		perr(p, p->line, "`hook = %s` is not a regular file; `hook` "
		    "takes %s", v, k->form);
		return (-1);
	}
	if (access(v, X_OK) == -1) {
		perr(p, p->line, "`hook = %s` is not executable (chmod +x "
		    "it); `hook` takes %s", v, k->form);
		return (-1);
	}
	if ((p->r->hook = pstrdup(p, v)) == NULL)
		return (-1);
	p->r->hook_line = p->line;
	return (0);
}

/* How long a hook may run before its process group is killed. */
static int
set_hook_timeout(struct parser *p, const struct keydef *k, const char *v)
{
	int64_t	 d;

	if (get_dur(p, k, v, 1, false, &d) == -1)
		return (-1);
	if (d > 3600) {
		perr(p, p->line, "`hook-timeout = %s` is longer than an hour; "
		    "`hook-timeout` takes %s", v, k->form);
		return (-1);
	}
	p->r->hook_timeout = d;
	return (0);
}

/* title, prompt and finish are free text, kept as written. */
static int
set_text(struct parser *p, const struct keydef *k, const char *v)
{
	struct session	*s = cur(p);
	char		**dst;

	if (k == &keytab[K_TITLE])
		dst = &s->title;
	else if (k == &keytab[K_PROMPT])
		dst = &s->prompt;
	else
		dst = &s->finish;
	*dst = pstrdup(p, v);	/* set once: a second is refused earlier */
	return (*dst == NULL ? -1 : 0);
}

/* Sorting lets the scheduler walk a day's times in order. */
static int
int_cmp(const void *a, const void *b)
{
	int	 x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Splits a list value at commas and blanks in place, refusing an empty item
 * (a comma first, last or doubled: "12:00," or "mon,,wed"), which a user
 * would not have meant. Calls fn for each item; returns -1 after the first
 * empty item, else the number of items fn refused.
 */
static int
split_list(struct parser *p, const struct keydef *k, const char *v,
    char *buf, size_t len, bool blanks,
    int (*fn)(struct parser *, const struct keydef *, char *, void *),
    void *arg)
{
	char	*item, *next, *tok, *save;
	int	 bad = 0;

	snprintf(buf, len, "%s", v);
	for (item = buf; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		item = trim(item);
		if (*item == '\0') {
			perr(p, p->line, "`%s = %s` has an empty item; separate "
			    "items with single commas, none at either end; "
			    "`%s` takes %s", k->name, v, k->name, k->form);
			return (-1);
		}
		if (!blanks) {
			bad += fn(p, k, item, arg) == -1;
			continue;
		}
		for (tok = strtok_r(item, " \t", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t", &save))
			bad += fn(p, k, tok, arg) == -1;
	}
	return (bad);
}

/* What `at` collects while its list is read. */
struct at_list {
	int	*times;
	size_t	 n, cap;
	bool	 full;
};

/* One time of an `at` list. */
static int
at_item(struct parser *p, const struct keydef *k, char *tok, void *arg)
{
	struct at_list	*a = arg;
	const char	*why;
	int		 sod;

	(void)k;
	if (tod_parse(tok, &sod, &why) == -1) {
		perr(p, p->line, "`at`: `%s` is not a time; %s", tok, why);
		return (-1);
	}
	if (a->n == a->cap) {
		if (!a->full)
			perr(p, p->line, "`at` has more than %d times; use "
			    "`every` for frequent sessions", ROUTINE_MAX_TIMES);
		a->full = true;
		return (-1);
	}
	a->times[a->n++] = sod;
	return (0);
}

/* `at` takes several times at once, in any order, but each only once. The
 * list is read into a buffer on the stack and kept at the size it needs. */
static int
set_at(struct parser *p, const struct keydef *k, const char *v)
{
	struct session	*s = cur(p);
	char		 buf[ROUTINE_MAX_LINE + 1], tb[16];
	/* A line of ROUTINE_MAX_LINE bytes holds fewer times than this. */
	int		 tmp[ROUTINE_MAX_LINE / 2 + 1 < ROUTINE_MAX_TIMES ?
			     ROUTINE_MAX_LINE / 2 + 1 : ROUTINE_MAX_TIMES];
	struct at_list	 a = { tmp, 0, sizeof tmp / sizeof *tmp, false };
	int		*times, bad;

	bad = split_list(p, k, v, buf, sizeof buf, true, at_item, &a);
	if (bad == -1)
		return (-1);
	if (a.n == 0 && bad == 0)
		perr(p, p->line, "`at` is empty; `at` takes %s", k->form);
	qsort(a.times, a.n, sizeof *a.times, int_cmp);
	for (size_t i = 1; i < a.n; i++) {
		if (a.times[i] == a.times[i - 1]) {
			perr(p, p->line, "`at` lists %s twice; give each time "
			    "once", tod_format(a.times[i], tb, sizeof tb));
			bad = 1;
		}
	}
	if (bad || a.n == 0)
		return (-1);
	if ((times = palloc(p, a.n * sizeof *times)) == NULL)
		return (-1);
	memcpy(times, a.times, a.n * sizeof *times);
	s->times = times;
	s->ntimes = a.n;
	s->times_line = p->line;
	return (0);
}

/* The step of an interval session; the day is cut into that grid. */
static int
set_every(struct parser *p, const struct keydef *k, const char *v)
{
	int64_t	 d;

	if (get_dur(p, k, v, 60, false, &d) == -1)
		return (-1);
	if (d > SECS_PER_DAY) {
		perr(p, p->line, "`every = %s` is longer than a day; `every` "
		    "takes %s (use `at` for a daily time)", v, k->form);
		return (-1);
	}
	cur(p)->every = d;
	return (0);
}

/* The part of the day an interval session covers; it does not wrap. */
static int
set_between(struct parser *p, const struct keydef *k, const char *v)
{
	int	 a, b;

	if (get_range(p, k, v, &a, &b) == -1)
		return (-1);
	if (a > b) {
		perr(p, p->line, "`between = %s` ends before it starts; "
		    "`between` stays within one day, like 09:00-17:00", v);
		return (-1);
	}
	cur(p)->between_start = a;
	cur(p)->between_end = b;
	return (0);
}

/* Reads one day name, short or full, in any case; -1 if it is none. */
static int
day_index(const char *s)
{
	static const char *full[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };

	for (int i = 0; i < 7; i++) {
		if (strcasecmp(s, full[i]) == 0 ||
		    (strlen(s) == 3 && strncasecmp(s, full[i], 3) == 0))
			return (i);
	}
	return (-1);
}

/* Trims blanks at both ends in place. */
static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

/* One item of `days`: a name, a range (which may wrap, like fri-mon) or
 * one of the three words; arg is the mask being built. */
static int
day_item(struct parser *p, const struct keydef *k, char *t, void *arg)
{
	uint8_t	*mask = arg;
	char	*dash;
	int	 a, b;

	if (strcasecmp(t, "daily") == 0) {
		*mask |= DAYS_ALL;
		return (0);
	}
	if (strcasecmp(t, "weekdays") == 0) {
		*mask |= DAYS_WEEKDAYS;
		return (0);
	}
	if (strcasecmp(t, "weekends") == 0) {
		*mask |= DAYS_WEEKENDS;
		return (0);
	}
	if ((dash = strchr(t, '-')) != NULL) {
		*dash = '\0';
		a = day_index(trim(t));
		b = day_index(trim(dash + 1));
		if (a == -1 || b == -1) {
			perr(p, p->line, "`days`: unknown day `%s` in range "
			    "`%s-%s`; `days` takes %s",
			    a == -1 ? trim(t) : trim(dash + 1), trim(t),
			    trim(dash + 1), k->form);
			return (-1);
		}
		for (int i = a;; i = (i + 1) % 7) {
			*mask |= 1u << i;
			if (i == b)
				break;
		}
		return (0);
	}
	if ((a = day_index(t)) == -1) {
		perr(p, p->line, "`days`: unknown day `%s`; `days` takes %s", t,
		    k->form);
		return (-1);
	}
	*mask |= 1u << a;
	return (0);
}

/* Days are a comma-separated list of day_item()s. */
static int
set_days(struct parser *p, const struct keydef *k, const char *v)
{
	char		 buf[ROUTINE_MAX_LINE + 1];
	uint8_t		 mask = 0;

	if (split_list(p, k, v, buf, sizeof buf, false, day_item, &mask) != 0)
		return (-1);
	if (mask == 0) {
		perr(p, p->line, "`days` is empty; `days` takes %s", k->form);
		return (-1);
	}
	cur(p)->days = mask;
	return (0);
}

/* One length, or MIN..MAX: "you may stop" at MIN, the end at MAX. */
static int
set_duration(struct parser *p, const struct keydef *k, const char *v)
{
	char		 buf[ROUTINE_MAX_LINE + 1], *dots;
	int64_t		 a, b;

	snprintf(buf, sizeof buf, "%s", v);
	if ((dots = strstr(buf, "..")) == NULL) {
		if (get_dur(p, k, v, 1, false, &a) == -1)
			return (-1);
		b = a;
	} else {
		const char	*x, *y, *why;

		*dots = '\0';
		x = trim(buf);
		y = trim(dots + 2);
		/* Errors quote the whole value, as the user wrote it. */
		if (*x == '\0' || *y == '\0' || strchr(y, '.') != NULL) {
			perr(p, p->line, "`duration = %s` is not a range; a "
			    "range is MIN..MAX, like 25m..30m", v);
			return (-1);
		}
		if (dur_parse(x, &a, &why) == -1 ||
		    dur_parse(y, &b, &why) == -1) {
			perr(p, p->line, "`duration = %s`: %s; `duration` "
			    "takes %s", v, why, k->form);
			return (-1);
		}
		if (a < 1) {
			perr(p, p->line, "`duration = %s`: the shortest "
			    "length must be more than zero, like 25m..30m", v);
			return (-1);
		}
		if (a == b) {
			perr(p, p->line, "`duration = %s`: both ends are the "
			    "same; write one length (duration = %s) or a "
			    "range whose first end is shorter, like 25m..30m",
			    v, x);
			return (-1);
		}
		if (a > b) {
			perr(p, p->line, "`duration = %s`: the shorter length "
			    "comes first, like 25m..30m", v);
			return (-1);
		}
	}
	cur(p)->dur_min = a;
	cur(p)->dur_max = b;
	return (0);
}

/* A cue is a line said during the session, once or repeatedly. */
static int
set_cue(struct parser *p, const struct keydef *k, const char *v)
{
	struct session	*s = cur(p);
	char		 buf[ROUTINE_MAX_LINE + 1], *word, *dur, *text;
	const char	*why;
	struct cue	*c;
	int64_t		 d;
	size_t		 n;

	snprintf(buf, sizeof buf, "%s", v);
	word = buf;
	n = strcspn(word, " \t");
	if (word[n] == '\0') {
		perr(p, p->line, "`cue = %s` is incomplete; `cue` takes %s",
		    v, k->form);
		return (-1);
	}
	word[n] = '\0';
	dur = word + n + 1;
	while (isspace((unsigned char)*dur))
		dur++;
	n = strcspn(dur, " \t");
	text = dur[n] == '\0' ? dur + n : dur + n + 1;
	dur[n] = '\0';
	text = trim(text);
	if (strcmp(word, "at") != 0 && strcmp(word, "every") != 0) {
		perr(p, p->line, "`cue` starts with `at` or `every`, not "
		    "`%s`; `cue` takes %s", word, k->form);
		return (-1);
	}
	if (dur_parse(dur, &d, &why) == -1) {
		perr(p, p->line, "`cue %s %s`: %s", word, dur, why);
		return (-1);
	}
	if (d == 0) {
		perr(p, p->line, "`cue %s %s` never fires inside the session; "
		    "give a duration after the start, like %s 1m", word, dur,
		    word);
		return (-1);
	}
	if (*text == '\0') {
		perr(p, p->line, "`cue %s %s` has no text; write what to say "
		    "after the duration, like cue = at 10m top up the water",
		    word, dur);
		return (-1);
	}
	c = reallocarray(s->cues, s->ncues + 1, sizeof *c);
	if (c == NULL) {
		p->oom = true;
		return (-1);
	}
	s->cues = c;
	c = &s->cues[s->ncues];
	memset(c, 0, sizeof *c);
	if ((c->text = pstrdup(p, text)) == NULL)
		return (-1);
	if (word[0] == 'a')
		c->at = d;
	else
		c->every = d;
	c->line = p->line;
	s->ncues++;
	return (0);
}

/* Whether the timer starts by itself when due or waits for the user. */
static int
set_start(struct parser *p, const struct keydef *k, const char *v)
{
	if (strcasecmp(v, "manual") == 0)
		cur(p)->start = START_MANUAL;
	else if (strcasecmp(v, "auto") == 0)
		cur(p)->start = START_AUTO;
	else {
		perr(p, p->line, "`start = %s`: `start` takes %s", v, k->form);
		return (-1);
	}
	return (0);
}

/* How often an unanswered prompt is repeated. */
static int
set_remind(struct parser *p, const struct keydef *k, const char *v)
{
	return (get_dur(p, k, v, 60, true, &cur(p)->remind));
}

/* How long after the due time a session still counts as on time. */
static int
set_window(struct parser *p, const struct keydef *k, const char *v)
{
	return (get_dur(p, k, v, 60, false, &cur(p)->window));
}

/* The water or pad temperature, shown to the user and never acted on. */
static int
set_temperature(struct parser *p, const struct keydef *k, const char *v)
{
	char	*end;
	long	 t;

	if (*v < '0' || *v > '9' ||
	    (t = strtol(v, &end, 10), *end != '\0') || t > TEMP_MAX) {
		perr(p, p->line, "`temperature = %s`: `temperature` takes %s",
		    v, k->form);
		return (-1);
	}
	cur(p)->temperature = (int)t;
	cur(p)->has_temperature = true;
	return (0);
}

/* The keys a section kind takes, for "unknown key" messages. */
static void
key_names(enum sect_kind kind, char *buf, size_t len)
{
	size_t	 off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NKEYS && off < len; i++) {
		if (keytab[i].sect != kind)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off == 0 ? "" : ", ", keytab[i].name);
	}
}

/* Called by inih for each KEY = VALUE; the reader knows line and section. */
int
routine_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct parser		*p = user;
	const struct keydef	*k = NULL;
	char			 names[256];
	size_t			 i;

	(void)section;	/* the reader follows headers itself */
	if (p->kind == SECT_SKIP)
		return (1);
	if (p->kind == SECT_NONE) {
		perr(p, p->line, "`%s` comes before any section; put it under "
		    "[calfd] or under a [session-name] header", name);
		return (1);
	}
	p->nkeys++;
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keytab[i].name, name) == 0) {
			k = &keytab[i];
			break;
		}
	}
	if (k == NULL) {
		key_names(p->kind, names, sizeof names);
		perr(p, p->line, "unknown key `%s` in [%s]; %s takes %s",
		    name, p->sname, p->kind == SECT_CALFD ? "[calfd]" :
		    "a session", names);
		return (1);
	}
	if (k->sect != p->kind) {
		if (k->sect == SECT_CALFD) {
			p->ncalfd_keys++;
			perr(p, p->line, "`%s` is a global setting; it goes "
			    "in [calfd], not in [%s]", name, p->sname);
		} else {
			key_names(SECT_CALFD, names, sizeof names);
			perr(p, p->line, "`%s` is a session key; [calfd] takes "
			    "only %s", name, names);
		}
		return (1);
	}
	if (k->sect == SECT_SESSION)
		p->nsession_keys++;
	if (!k->multi && p->keyline[i] != 0) {
		perr(p, p->line, "`%s` already set at line %d; give it once",
		    name, p->keyline[i]);
		return (1);
	}
	p->keyline[i] = p->line;
	if (*value == '\0') {
		perr(p, p->line, "`%s` has no value; `%s` takes %s", name,
		    name, k->form);
		return (1);
	}
	if (k->set(p, k, value) == 0)
		p->keyok[i] = true;
	return (1);
}

/* The history folder; only its form is checked here, since calfd creates
 * it and a synced folder may appear later. */
static int
set_history(struct parser *p, const struct keydef *k, const char *v)
{
	if (v[0] != '/') {
		perr(p, p->line, "`history = %s` is not an absolute path; "
		    "`history` takes %s", v, k->form);
		return (-1);
	}
	if ((p->r->history = pstrdup(p, v)) == NULL)
		return (-1);
	return (0);
}
