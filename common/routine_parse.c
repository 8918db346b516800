/*
 * routine_parse.c: routine.ini text into a struct routine, or into a list of
 * every error found, each "FILE:LINE: what is wrong; what would be right".
 *
 * libinih does the INI splitting, but reads through our own line reader. The
 * reader numbers the lines, refuses lines inih would cut or misread (too
 * long, NUL bytes, ':' separators, broken headers), strips leading blanks so
 * inih never sees a continuation line, and follows the [section] headers
 * itself. The keys are described once, in keytab[] below.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "common/routine.h"
#include "common/timeutil.h"

#define DEFAULT_REMIND	(5 * 60)
#define DEFAULT_WINDOW	(60 * 60)
#define DEFAULT_SNOOZE	(10 * 60)
#define TEMP_MAX	60

enum sect_kind {
	SECT_NONE,		/* before the first header */
	SECT_CALFD,		/* [calfd], the global settings */
	SECT_SESSION,		/* any other name */
	SECT_SKIP		/* a broken header or too many sessions */
};

struct parser;

/* One key of the format: where it goes, what it takes, who checks it. */
struct keydef {
	enum sect_kind	 sect;
	const char	*name;
	const char	*form;		/* what a right value looks like */
	bool		 multi;		/* may be given more than once */
	int		(*set)(struct parser *, const struct keydef *,
			    const char *);
};

/* An error waiting to be sorted into line order. */
struct perror {
	int		 line;
	size_t		 seq;
	char		*msg;
};

/* A header seen, kept for finding sections given twice. */
struct header {
	char		*name;
	int		 line;
};

#define NKEYS	15

struct parser {
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 line;		/* lines handed to inih so far */
	const char	*source;
	struct routine	*r;

	struct perror	*errs;
	size_t		 nerrs, caperrs;
	bool		 oom;

	struct header	*hdrs;
	size_t		 nhdrs, caphdrs;
	size_t		 capsessions;

	/* The section being read. */
	enum sect_kind	 kind;
	const char	*sname;
	int		 sline;
	size_t		 sidx;		/* index into r->sessions */
	int		 keyline[NKEYS];
	bool		 keyok[NKEYS];
	int		 nkeys;		/* key lines of any sort */
	int		 nsession_keys;
	int		 ncalfd_keys;
	bool		 refused;	/* a line here was refused */
	bool		 too_many;	/* already said so */
};

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

enum {
	K_QUIET, K_SNOOZE, K_TITLE, K_PROMPT, K_FINISH, K_AT, K_EVERY,
	K_BETWEEN, K_DAYS, K_DURATION, K_CUE, K_START, K_REMIND, K_WINDOW,
	K_TEMPERATURE
};

/* Every key there is; doc/routine.md and config/routine.ini follow it. */
static const struct keydef keytab[NKEYS] = {
	[K_QUIET] = { SECT_CALFD, "quiet", "a range like 22:00-07:00",
	    false, set_quiet },
	[K_SNOOZE] = { SECT_CALFD, "snooze", "a duration of at least 1m, "
	    "like 10m", false, set_snooze },
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

/* Records one error; the list is sorted by line before the caller sees it. */
static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list		 ap;
	char		*msg;
	struct perror	*e;
	size_t		 cap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		p->oom = true;
		return;
	}
	if (p->nerrs == p->caperrs) {
		cap = p->caperrs == 0 ? 8 : p->caperrs * 2;
		e = reallocarray(p->errs, cap, sizeof *e);
		if (e == NULL) {
			free(msg);
			p->oom = true;
			return;
		}
		p->errs = e;
		p->caperrs = cap;
	}
	e = &p->errs[p->nerrs];
	e->line = line;
	e->seq = p->nerrs;
	e->msg = msg;
	p->nerrs++;
}

/* Errors print in file order, whichever check found them first. */
static int
perror_cmp(const void *a, const void *b)
{
	const struct perror	*x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* The session the current section fills. */
static struct session *
cur(struct parser *p)
{
	return (&p->r->sessions[p->sidx]);
}

/* strdup that turns failure into a reported error. */
static char *
pstrdup(struct parser *p, const char *s)
{
	char	*t;

	if ((t = strdup(s)) == NULL)
		p->oom = true;
	return (t);
}

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
	free(*dst);
	*dst = pstrdup(p, v);
	return (*dst == NULL ? -1 : 0);
}

/* Sorting lets the scheduler walk a day's times in order. */
static int
int_cmp(const void *a, const void *b)
{
	int	 x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

/* `at` takes several times at once, in any order, but each only once. */
static int
set_at(struct parser *p, const struct keydef *k, const char *v)
{
	struct session	*s = cur(p);
	char		 buf[ROUTINE_MAX_LINE + 1], *tok, *save, tb[16];
	const char	*why;
	int		*times, sod, bad = 0;
	size_t		 n = 0;

	times = calloc(ROUTINE_MAX_TIMES, sizeof *times);
	if (times == NULL) {
		p->oom = true;
		return (-1);
	}
	snprintf(buf, sizeof buf, "%s", v);
	for (tok = strtok_r(buf, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		if (tod_parse(tok, &sod, &why) == -1) {
			perr(p, p->line, "`at`: `%s` is not a time; %s", tok,
			    why);
			bad = 1;
			continue;
		}
		if (n == ROUTINE_MAX_TIMES) {
			perr(p, p->line, "`at` has more than %d times; use "
			    "`every` for frequent sessions", ROUTINE_MAX_TIMES);
			bad = 1;
			break;
		}
		times[n++] = sod;
	}
	if (n == 0 && !bad)
		perr(p, p->line, "`at` is empty; `at` takes %s", k->form);
	qsort(times, n, sizeof *times, int_cmp);
	for (size_t i = 1; i < n; i++) {
		if (times[i] == times[i - 1]) {
			perr(p, p->line, "`at` lists %s twice; give each time "
			    "once", tod_format(times[i], tb, sizeof tb));
			bad = 1;
		}
	}
	if (bad || n == 0) {
		free(times);
		return (-1);
	}
	free(s->times);
	s->times = times;
	s->ntimes = n;
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

/* Days are names, ranges (which may wrap, like fri-mon) or the three words. */
static int
set_days(struct parser *p, const struct keydef *k, const char *v)
{
	char		 buf[ROUTINE_MAX_LINE + 1], *tok, *save, *dash, *t;
	uint8_t		 mask = 0;
	int		 a, b, bad = 0;

	snprintf(buf, sizeof buf, "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		t = trim(tok);
		if (*t == '\0')
			continue;
		if (strcasecmp(t, "daily") == 0) {
			mask |= DAYS_ALL;
			continue;
		}
		if (strcasecmp(t, "weekdays") == 0) {
			mask |= DAYS_WEEKDAYS;
			continue;
		}
		if (strcasecmp(t, "weekends") == 0) {
			mask |= DAYS_WEEKENDS;
			continue;
		}
		if ((dash = strchr(t, '-')) != NULL) {
			*dash = '\0';
			a = day_index(trim(t));
			b = day_index(trim(dash + 1));
			if (a == -1 || b == -1) {
				perr(p, p->line, "`days`: unknown day `%s` in "
				    "range `%s-%s`; `days` takes %s",
				    a == -1 ? trim(t) : trim(dash + 1),
				    trim(t), trim(dash + 1), k->form);
				bad = 1;
				continue;
			}
			for (int i = a;; i = (i + 1) % 7) {
				mask |= 1u << i;
				if (i == b)
					break;
			}
			continue;
		}
		if ((a = day_index(t)) == -1) {
			perr(p, p->line, "`days`: unknown day `%s`; `days` "
			    "takes %s", t, k->form);
			bad = 1;
			continue;
		}
		mask |= 1u << a;
	}
	if (bad)
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
		*dots = '\0';
		if (get_dur(p, k, trim(buf), 1, false, &a) == -1 ||
		    get_dur(p, k, trim(dots + 2), 1, false, &b) == -1)
			return (-1);
		if (a >= b) {
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
		perr(p, p->line, "`cue %s 0` never fires inside the session; "
		    "give a duration after the start, like %s 1m", word, word);
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
static int
handler(void *user, const char *section, const char *name, const char *value)
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

/* Turns every/between into the day's firing times. */
static void
expand_every(struct parser *p, struct session *s)
{
	size_t	 n = 0;
	int	*t;

	for (int64_t x = s->between_start; x <= s->between_end; x += s->every)
		n++;
	if (n > ROUTINE_MAX_TIMES) {
		perr(p, p->keyline[K_EVERY], "`every` gives %zu times a day, "
		    "more than %d; use a longer step", n, ROUTINE_MAX_TIMES);
		return;
	}
	if ((t = calloc(n, sizeof *t)) == NULL) {
		p->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = (int)(s->between_start + (int64_t)i * s->every);
	free(s->times);
	s->times = t;
	s->ntimes = n;
}

/* The checks that need the whole section: required and conflicting keys. */
static void
end_session(struct parser *p)
{
	struct session	*s = cur(p);
	char		 b1[32], b2[32];
	int		 la = p->keyline[K_AT], le = p->keyline[K_EVERY];

	if (p->nkeys == 0 && !p->refused) {
		perr(p, p->sline, "[%s] is empty; a session needs at least "
		    "`duration`, and `at` or `every` to be timed", p->sname);
		return;
	}
	if (p->nsession_keys == 0 && p->ncalfd_keys > 0) {
		perr(p, p->sline, "unknown section [%s]; global settings go "
		    "in [calfd]", p->sname);
		return;
	}
	/* A refused line may have held the duration; do not guess. */
	if (p->keyline[K_DURATION] == 0 && !p->refused)
		perr(p, p->sline, "[%s] has no `duration`; every session "
		    "needs one, like duration = 15m", p->sname);
	if (la != 0 && le != 0)
		perr(p, la > le ? la : le, "`at` and `every` cannot both be "
		    "set (`%s` is at line %d); use `at` for fixed times or "
		    "`every` for an interval", la > le ? "every" : "at",
		    la > le ? le : la);
	else if (p->keyline[K_BETWEEN] != 0 && le == 0)
		perr(p, p->keyline[K_BETWEEN], "`between` needs `every`; add "
		    "a step like every = 2h, or use `at` for fixed times");
	else if (le != 0 && p->keyok[K_EVERY] &&
	    (p->keyline[K_BETWEEN] == 0 || p->keyok[K_BETWEEN]))
		expand_every(p, s);
	if (p->keyok[K_DURATION]) {
		for (size_t i = 0; i < s->ncues; i++) {
			struct cue	*c = &s->cues[i];
			int64_t		 d = c->every ? c->every : c->at;

			if (d < s->dur_max)
				continue;
			perr(p, c->line, "cue %s %s is beyond the session's %s "
			    "duration; cues fall inside the session",
			    c->every ? "every" : "at",
			    dur_format(d, b1, sizeof b1),
			    dur_format(s->dur_max, b2, sizeof b2));
		}
	}
	if (s->title == NULL)
		s->title = pstrdup(p, s->name);
}

/* Closes the section being read before the next header or at the end. */
static void
end_section(struct parser *p)
{
	if (p->kind == SECT_SESSION)
		end_session(p);
	p->kind = SECT_SKIP;
}

/* A session name is safe in a socket message and a file name. */
static bool
valid_name(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > ROUTINE_MAX_NAME)
		return (false);
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return (false);
	for (size_t i = 0; i < n; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return (false);
	}
	return (true);
}

/* Opens a new section: [calfd] or a session, which gets its defaults here. */
static void
begin_section(struct parser *p, const char *name)
{
	struct header	*h;
	struct session	*s;
	size_t		 cap;

	end_section(p);
	memset(p->keyline, 0, sizeof p->keyline);
	memset(p->keyok, 0, sizeof p->keyok);
	p->nkeys = p->nsession_keys = p->ncalfd_keys = 0;
	p->refused = false;
	p->sline = p->line;

	if (p->nhdrs == p->caphdrs) {
		cap = p->caphdrs == 0 ? 16 : p->caphdrs * 2;
		if ((h = reallocarray(p->hdrs, cap, sizeof *h)) == NULL) {
			p->oom = true;
			return;
		}
		p->hdrs = h;
		p->caphdrs = cap;
	}
	h = &p->hdrs[p->nhdrs];
	if ((h->name = pstrdup(p, name)) == NULL)
		return;
	h->line = p->line;
	p->nhdrs++;
	p->sname = h->name;

	if (strcmp(name, "calfd") == 0) {
		p->kind = SECT_CALFD;
		return;
	}
	if (!valid_name(name))
		perr(p, p->line, "[%s] is not a valid session name; use 1 to "
		    "%d of a-z, 0-9, _ and -, starting with a letter or digit",
		    name, ROUTINE_MAX_NAME);
	if (p->r->nsessions == ROUTINE_MAX_SESSIONS) {
		if (!p->too_many)
			perr(p, p->line, "more than %d sessions; the rest of "
			    "the file is not checked", ROUTINE_MAX_SESSIONS);
		p->too_many = true;
		return;
	}
	if (p->r->nsessions == p->capsessions) {
		cap = p->capsessions == 0 ? 16 : p->capsessions * 2;
		if ((s = reallocarray(p->r->sessions, cap, sizeof *s)) == NULL) {
			p->oom = true;
			return;
		}
		p->r->sessions = s;
		p->capsessions = cap;
	}
	p->sidx = p->r->nsessions++;
	s = cur(p);
	memset(s, 0, sizeof *s);
	s->line = p->line;
	s->between_end = SECS_PER_DAY - 1;
	s->days = DAYS_ALL;
	s->start = START_MANUAL;
	s->remind = DEFAULT_REMIND;
	s->window = DEFAULT_WINDOW;
	if ((s->name = pstrdup(p, name)) == NULL)
		return;
	p->kind = SECT_SESSION;
}

/* Checks that a line is text: no NUL, no control bytes, valid UTF-8. */
static bool
check_text(struct parser *p, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char	 c = s[i];
		size_t		 more;
		uint32_t	 cp;

		if (c == '\0') {
			perr(p, p->line, "line contains a NUL byte; a routine "
			    "file is plain UTF-8 text");
			return (false);
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			perr(p, p->line, "line contains control character "
			    "0x%02x; only text and tabs are accepted", c);
			return (false);
		}
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
		} else
			goto bad;
		if (i + more >= n)
			goto bad;
		for (size_t j = 1; j <= more; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((more == 2 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (more == 3 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			goto bad;
		i += more;
	}
	return (true);
bad:
	perr(p, p->line, "line is not valid UTF-8; save the file as UTF-8");
	return (false);
}

/*
 * Checks a blank-stripped, comment-free line the way inih would read it and
 * reports what inih would accept wrongly or reject without saying why.
 * Returns true to hand the line to inih.
 */
static bool
check_line(struct parser *p, char *s)
{
	char	*end, *rest;
	size_t	 n;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			perr(p, p->line, "section header has no closing ']'; "
			    "write it like [foot-soak]");
			end_section(p);
			return (false);
		}
		*end = '\0';
		rest = end + 1;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest != '\0' && *rest != ';' && *rest != '#')
			perr(p, p->line, "unexpected `%s` after [%s]; only a "
			    "comment may follow a section header", rest, s + 1);
		begin_section(p, s + 1);
		return (false);
	}
	/* inih splits at the first '=' or ':' before an inline comment. */
	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] == '=' || s[n] == ':')
			break;
		if (s[n] == ';' && n > 0 && isspace((unsigned char)s[n - 1])) {
			n = strlen(s);
			break;
		}
	}
	if (s[n] == ':') {
		perr(p, p->line, "expected KEY = VALUE; use '=' (not ':') "
		    "between key and value");
		return (false);
	}
	if (s[n] != '=') {
		perr(p, p->line, "expected KEY = VALUE, a [section] header or "
		    "a comment starting with ';' or '#'");
		return (false);
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0) {
		perr(p, p->line, "no key before '='; expected KEY = VALUE");
		return (false);
	}
	return (true);
}

/*
 * inih's reader: hands out one line of the buffer per call. Lines with
 * errors, headers and comments go out empty, so inih only ever sees
 * KEY = VALUE lines that passed the checks.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct parser	*p = stream;
	const char	*start, *nl;
	size_t		 n, max;
	char		 line[ROUTINE_MAX_LINE + 2], *s;

	if (p->off >= p->len || num < 2)
		return (NULL);
	start = p->buf + p->off;
	nl = memchr(start, '\n', p->len - p->off);
	n = nl != NULL ? (size_t)(nl - start) : p->len - p->off;
	p->off += n + (nl != NULL);
	p->line++;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	if (p->line == 1 && n >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0) {
		start += 3;
		n -= 3;
	}
	str[0] = '\n';
	str[1] = '\0';

	max = ROUTINE_MAX_LINE;
	if (max > (size_t)num - 2)
		max = (size_t)num - 2;
	if (n > max || !check_text(p, (const unsigned char *)start, n)) {
		if (n > max)
			perr(p, p->line, "line is %zu bytes long; the longest "
			    "accepted is %zu", n, max);
		/* Keys after a refused header belong to no section. */
		for (s = (char *)start; s < start + n && isblank((unsigned char)*s); s++)
			;
		if (s < start + n && *s == '[')
			end_section(p);
		p->refused = true;
		return (str);
	}
	memcpy(line, start, n);
	line[n] = '\0';
	s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return (str);
	if (check_line(p, s))
		snprintf(str, (size_t)num, "%s\n", s);
	else if (*s != '[')
		p->refused = true;
	return (str);
}

/* Reports every section name given twice, at the later header. */
static int
header_cmp(const void *a, const void *b)
{
	const struct header	*x = a, *y = b;
	int			 c = strcmp(x->name, y->name);

	if (c != 0)
		return (c);
	return (x->line < y->line ? -1 : x->line > y->line);
}

/* Sections given twice would make session names ambiguous. */
static void
check_duplicates(struct parser *p)
{
	size_t	 first = 0;

	if (p->nhdrs < 2)
		return;
	qsort(p->hdrs, p->nhdrs, sizeof *p->hdrs, header_cmp);
	for (size_t i = 1; i < p->nhdrs; i++) {
		if (strcmp(p->hdrs[i].name, p->hdrs[first].name) != 0) {
			first = i;
			continue;
		}
		perr(p, p->hdrs[i].line, "[%s] already appears at line %d; "
		    "give each section once", p->hdrs[i].name,
		    p->hdrs[first].line);
	}
}

/* The parser's entry point: bytes in, a routine or every error out. */
struct routine *
routine_parse(const char *buf, size_t len, const char *source,
    struct errlist *errs)
{
	struct parser	 p;
	struct routine	*r;
	int		 rc;

	memset(&p, 0, sizeof p);
	p.buf = buf;
	p.len = len;
	p.source = source;
	p.kind = SECT_NONE;
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->source = strdup(source)) == NULL) {
		free(r);
		errlist_add(errs, "%s: out of memory", source);
		return (NULL);
	}
	r->snooze = DEFAULT_SNOOZE;
	p.r = r;

	rc = ini_parse_stream(reader, &p, handler, &p);
	end_section(&p);
	check_duplicates(&p);
	if (rc != 0 && p.nerrs == 0)
		perr(&p, rc > 0 ? rc : 0, "the INI parser failed (%d)", rc);

	if (p.nerrs > 1)
		qsort(p.errs, p.nerrs, sizeof *p.errs, perror_cmp);
	for (size_t i = 0; i < p.nerrs; i++) {
		errlist_add(errs, "%s:%d: %s", source, p.errs[i].line,
		    p.errs[i].msg);
		free(p.errs[i].msg);
	}
	if (p.oom)
		errlist_add(errs, "%s: out of memory", source);
	free(p.errs);
	for (size_t i = 0; i < p.nhdrs; i++)
		free(p.hdrs[i].name);
	free(p.hdrs);
	if (p.nerrs != 0 || p.oom) {
		routine_free(r);
		return (NULL);
	}
	return (r);
}
