/*
 * human_list.c: `list` and `show` for people: the routine as calfd reads
 * it, one session a line, or one session whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/proto.h"
#include "common/timeutil.h"
#include "ctl/format.h"
#include "ctl/human.h"
#include "common/jfield.h"

#define US	1000000LL
#define MAX_INT(a, b)	((a) > (b) ? (a) : (b))

/* "at 07:30 21:00", "every 1h 08:00-20:00" or "on demand". */
static void
when_text(json_object *s, char *buf, size_t len)
{
	json_object	*a;
	int64_t		 every;
	size_t		 off;
	char		 d[32];

	if (jbool(s, F_ON_DEMAND)) {
		snprintf(buf, len, "on demand");
		return;
	}
	if (jint(s, F_EVERY_S, &every) && (a = jarr(s, F_BETWEEN)) != NULL &&
	    json_object_array_length(a) == 2) {
		snprintf(buf, len, "every %s %s-%s", dur_format(every, d,
		    sizeof d), json_object_get_string(
		    json_object_array_get_idx(a, 0)), json_object_get_string(
		    json_object_array_get_idx(a, 1)));
		return;
	}
	off = (size_t)snprintf(buf, len, "at");
	a = jarr(s, F_TIMES);
	for (size_t i = 0; a != NULL && i < json_object_array_length(a) &&
	    off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, " %s",
		    json_object_get_string(json_object_array_get_idx(a, i)));
}

/* "15m", or "10m-15m" for a range. */
static void
length_text(json_object *s, bool utf8, char *buf, size_t len)
{
	int64_t	 min = 0, max = 0;
	char	 a[32], b[32];

	jint(s, F_DUR_MIN_S, &min);
	jint(s, F_DUR_MAX_S, &max);
	if (max > min)
		snprintf(buf, len, "%s%s%s", dur_format(min, a, sizeof a),
		    utf8 ? "–" : "-", dur_format(max, b, sizeof b));
	else
		snprintf(buf, len, "%s", dur_format(min, a, sizeof a));
}

/* The next firing relative to now, "(skipped)" when it will be, or "-". */
static void
next_text(json_object *s, int64_t now, char *buf, size_t len)
{
	json_object	*n;
	int64_t		 at;
	char		 when[64];

	if (!json_object_object_get_ex(s, F_NEXT, &n) ||
	    !json_object_is_type(n, json_type_object) || !jint(n, F_AT_US, &at)) {
		snprintf(buf, len, "-");
		return;
	}
	ctl_when(ctl_us_to_time(at), ctl_us_to_time(now), when, sizeof when);
	snprintf(buf, len, "%s%s", when, jbool(n, F_SKIPPED) ?
	    " (skipped)" : "");
}

/* What a session is doing now, when it is doing anything. */
static const char *
state_text(json_object *s)
{
	const char	*st = jstr(s, F_STATE);

	if (st == NULL || strcmp(st, STATE_IDLE) == 0)
		return ("");
	return (st);
}

/* A table whose columns are as wide as their widest cell. */
void
human_list(const struct out *o, json_object *data)
{
	json_object	*list = jarr(data, F_SESSIONS);
	size_t		 n = list ? json_object_array_length(list) : 0;
	int64_t		 now = jnow_us(data);
	int		 wn = 7, ww = 4, wd = 4, wl = 8;
	char		 when[256], len[64], next[96];

	if (n == 0) {
		printf("No sessions.\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object	*s = json_object_array_get_idx(list, i);

		when_text(s, when, sizeof when);
		length_text(s, o->utf8, len, sizeof len);
		wn = MAX_INT(wn, (int)strlen(nz(jstr(s, F_SESSION), "?")));
		ww = MAX_INT(ww, (int)strlen(when));
		wd = MAX_INT(wd, (int)strlen(nz(jstr(s, F_DAYS), "-")));
		wl = MAX_INT(wl, ctl_width(len));
	}
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", wn, "SESSION", ww, "WHEN", wd,
	    "DAYS", wl, "DURATION", "NEXT");
	for (size_t i = 0; i < n; i++) {
		json_object	*s = json_object_array_get_idx(list, i);
		const char	*st = state_text(s);

		when_text(s, when, sizeof when);
		length_text(s, o->utf8, len, sizeof len);
		next_text(s, now, next, sizeof next);
		printf("%-*s  %-*s  %-*s  %s%*s  %s%s%s\n", wn,
		    nz(jstr(s, F_SESSION), "?"), ww, when, wd,
		    nz(jstr(s, F_DAYS), "-"), len, wl - ctl_width(len), "",
		    next, *st ? ", " : "", st);
	}
}

/* One "  key  value" line of show. */
static void
field(const char *key, const char *value)
{
	printf("  %-12s %s\n", key, value);
}

/* A cue as the routine wrote it: "at 5m: text" or "every 1m: text". */
static void
show_cues(json_object *s)
{
	json_object	*cues = jarr(s, F_CUES);
	char		 a[32], line[512];

	for (size_t i = 0; cues != NULL && i < json_object_array_length(cues);
	    i++) {
		json_object	*c = json_object_array_get_idx(cues, i);
		int64_t		 at = 0, every = 0;

		jint(c, F_AT_S, &at);
		jint(c, F_EVERY_S, &every);
		snprintf(line, sizeof line, "%s %s: %s", every > 0 ? "every" :
		    "at", dur_format(every > 0 ? every : at, a, sizeof a),
		    nz(jstr(c, F_TEXT), ""));
		field(i == 0 ? "cues" : "", line);
	}
}

/* The state now and the instants that go with it. */
static void
show_state(json_object *s, int64_t now)
{
	const char	*st = nz(jstr(s, F_STATE), "?");
	int64_t		 at;
	char		 line[256], when[64], span[32];
	time_t		 tnow = ctl_us_to_time(now);

	if (strcmp(st, STATE_RUNNING) == 0 && jint(s, F_ELAPSED_US, &at))
		snprintf(line, sizeof line, "running for %s", ctl_clock(at / US,
		    span, sizeof span));
	else if (strcmp(st, STATE_SNOOZED) == 0 && jint(s, F_UNTIL_US, &at))
		snprintf(line, sizeof line, "snoozed until %s", ctl_when(
		    ctl_us_to_time(at), tnow, when, sizeof when));
	else if (strcmp(st, STATE_IDLE) != 0 && jint(s, F_DUE_US, &at))
		snprintf(line, sizeof line, "%s since %s", st, ctl_when(
		    ctl_us_to_time(at), tnow, when, sizeof when));
	else
		snprintf(line, sizeof line, "%s", st);
	field("state", line);
	next_text(s, now, line, sizeof line);
	field("next", line);
}

/* Everything calfd knows of one session, in the routine file's words. */
void
human_show(const struct out *o, json_object *s)
{
	int64_t		 v, line = 0, now = jnow_us(s);
	char		 buf[512], a[32];
	const char	*p;

	printf("%s", nz(jstr(s, F_SESSION), "?"));
	if ((p = jstr(s, F_TITLE)) != NULL)
		printf(": %s", p);
	printf("\n");
	jint(s, F_LINE, &line);
	snprintf(buf, sizeof buf, "%s:%lld", nz(jstr(s, F_SOURCE), "?"),
	    (long long)line);
	field("defined at", buf);
	when_text(s, buf, sizeof buf);
	field("when", buf);
	if ((p = jstr(s, F_DAYS)) != NULL)
		field("days", p);
	length_text(s, o->utf8, buf, sizeof buf);
	field("duration", buf);
	field("start", nz(jstr(s, F_START), "manual"));
	if (jint(s, F_REMIND_S, &v) && v > 0)
		field("remind", strcat(strcpy(buf, "every "), dur_format(v, a,
		    sizeof a)));
	if (jint(s, F_WINDOW_S, &v) && v > 0)
		field("window", dur_format(v, a, sizeof a));
	if (jint(s, F_TEMPERATURE, &v)) {
		snprintf(buf, sizeof buf, "%lld %s", (long long)v, o->utf8 ?
		    "°C" : "C");
		field("temperature", buf);
	}
	if ((p = jstr(s, F_PROMPT)) != NULL)
		field("prompt", p);
	if ((p = jstr(s, F_FINISH)) != NULL)
		field("finish", p);
	show_cues(s);
	show_state(s, now);
}
