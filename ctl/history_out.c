/*
 * history_out.c: calfctl's output of the history, stats and cramp
 * commands: day-by-day lines, CSV, and the stats table with its calendar
 * (shaded by colour on a terminal, and by its characters always, so it
 * reads the same with NO_COLOR).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/history.h"
#include "common/jfield.h"
#include "common/proto.h"
#include "common/timeutil.h"
#include "ctl/format.h"
#include "ctl/history_out.h"

#define US	1000000LL

static const char *
sgr(const struct out *o, const char *code)
{
	return o->colour ? code : "";
}
#define BOLD(o)		sgr(o, "\033[1m")
#define GREEN(o)	sgr(o, "\033[32m")
#define YELLOW(o)	sgr(o, "\033[33m")
#define RED(o)		sgr(o, "\033[31m")
#define DIM(o)		sgr(o, "\033[2m")
#define RESET(o)	sgr(o, "\033[0m")


/* The local calendar time of an instant on the wire. */
static struct tm
local_tm(int64_t us)
{
	time_t		t = ctl_us_to_time(us);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	return tm;
}
#define local_fmt(us, fmt, buf, len) do {				\
	struct tm	tm_ = local_tm(us);				\
									\
	if (strftime(buf, len, fmt, &tm_) == 0)				\
		snprintf(buf, len, "?");				\
} while (0)

/* "left leg, woke at 3" and the like: what a record adds to its event. */
static void
rec_detail(json_object *r, char *buf, size_t len)
{
	const char	*leg = jstr(r, F_LEG), *note = jstr(r, F_NOTE);
	const char	*result = jstr(r, F_RESULT);
	int64_t		 dur = jint_or(r, F_DURATION_S, -1), due;
	char		 d[32], t[16];
	size_t		 off = 0;

	buf[0] = '\0';
	if (leg != NULL)
		off += (size_t)snprintf(buf + off, len - off, "%s leg%s", leg,
		    strcmp(leg, "both") == 0 ? "s" : "");
	if (result != NULL && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s",
		    strcmp(result, "relieved") == 0 ? "relieved" :
		    "not relieved");
	if (note != NULL && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off > 0 ? ": " : "", note);
	if (jstr(r, F_SESSION) != NULL && jstr(r, F_LEG) == NULL &&
	    result == NULL && off < len) {
		due = jint_or(r, F_DUE_US, 0);
		if (due != 0) {
			local_fmt(due, "%H:%M", t, sizeof t);
			off += (size_t)snprintf(buf + off, len - off, "due %s",
			    t);
		}
		if (dur >= 0 && off < len)
			snprintf(buf + off, len - off, "%s%s",
			    off > 0 ? ", " : "", dur_format(dur, d, sizeof d));
	}
}

void
human_history(const struct out *o, json_object *data)
{
	json_object	*a = jarr(data, F_RECORDS);
	char		 day[32], prev[32] = "", hm[16], detail[512];
	size_t		 n = a != NULL ? json_object_array_length(a) : 0;

	if (n == 0)
		printf("Nothing recorded in the last %lld days.\n",
		    (long long)jint_or(data, F_DAYS, 0));
	for (size_t i = 0; i < n; i++) {
		json_object	*r = json_object_array_get_idx(a, i);
		const char	*ev = jstr(r, F_EVENT);
		const char	*s = jstr(r, F_SESSION);
		int64_t		 at = jint_or(r, F_AT_US, 0);

		local_fmt(at, "%a %d %b %Y", day, sizeof day);
		if (strcmp(day, prev) != 0) {
			printf("%s%s%s\n", BOLD(o), day, RESET(o));
			memcpy(prev, day, sizeof prev);
		}
		local_fmt(at, "%H:%M", hm, sizeof hm);
		rec_detail(r, detail, sizeof detail);
		printf("  %s  %-10s %-16s %s\n", hm, ev != NULL ? ev : "?",
		    s != NULL ? s : "", detail);
	}
	if (jint_or(data, F_SKIPPED_LINES, 0) > 0)
		printf("(%lld unreadable lines skipped)\n",
		    (long long)jint_or(data, F_SKIPPED_LINES, 0));
	if (jint_or(data, F_NEWER_LINES, 0) > 0)
		printf("(%lld lines from a newer calf left out)\n",
		    (long long)jint_or(data, F_NEWER_LINES, 0));
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void
csv_field(const char *s, bool last)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else
		fputs(s, stdout);
	putchar(last ? '\n' : ',');
}

void
csv_history(const struct out *o, json_object *data)
{
	json_object	*a = jarr(data, F_RECORDS);
	size_t		 n = a != NULL ? json_object_array_length(a) : 0;
	char		 at[INSTANT_BUFSZ], due[INSTANT_BUFSZ], dur[24];

	(void)o;
	printf("id,event,session,title,at,due,duration_s,leg,note,result\n");
	for (size_t i = 0; i < n; i++) {
		json_object	*r = json_object_array_get_idx(a, i);
		int64_t		 d = jint_or(r, F_DUE_US, 0);

		instant_format(ctl_us_to_time(jint_or(r, F_AT_US, 0)), at,
		    sizeof at);
		if (d != 0)
			instant_format(ctl_us_to_time(d), due, sizeof due);
		else
			due[0] = '\0';
		if (jint_or(r, F_DURATION_S, -1) >= 0)
			snprintf(dur, sizeof dur, "%lld",
			    (long long)jint_or(r, F_DURATION_S, -1));
		else
			dur[0] = '\0';
		csv_field(jstr(r, F_ID), false);
		csv_field(jstr(r, F_EVENT), false);
		csv_field(jstr(r, F_SESSION), false);
		csv_field(jstr(r, F_TITLE), false);
		csv_field(at, false);
		csv_field(due, false);
		csv_field(dur, false);
		csv_field(jstr(r, F_LEG), false);
		csv_field(jstr(r, F_NOTE), false);
		csv_field(jstr(r, F_RESULT), true);
	}
}

static int64_t
date_days(const char *s)
{
	int	y, m, d;

	if (s == NULL || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return 0;
	return civil_to_days(y, m, d);
}

static void
pct(unsigned kept, unsigned sched, char *buf, size_t len)
{
	if (sched == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%u%%", (unsigned)(kept * 100 / sched));
}

/* One calendar cell: its character says the share kept, so it reads
 * without colour; colour only repeats it. */
static void
cell(const struct out *o, unsigned kept, unsigned sched, bool in)
{
	const char	*c, *col;

	if (!in) {
		printf("    ");
		return;
	}
	if (sched == 0) {
		c = " ";
		col = "";
	} else if (kept == sched) {
		c = o->utf8 ? "█" : "#";
		col = GREEN(o);
	} else if (kept * 2 >= sched) {
		c = o->utf8 ? "▓" : "+";
		col = YELLOW(o);
	} else if (kept > 0) {
		c = o->utf8 ? "░" : "-";
		col = YELLOW(o);
	} else {
		c = o->utf8 ? "·" : ".";
		col = RED(o);
	}
	printf("  %s%s%s ", col, c, RESET(o));
}

static void
calendar(const struct out *o, json_object *cal)
{
	size_t	 n = cal != NULL ? json_object_array_length(cal) : 0;
	int64_t	 first, last, monday;
	char	 label[16];

	if (n == 0)
		return;
	first = date_days(jstr(json_object_array_get_idx(cal, 0), "date"));
	last = first + (int64_t)n - 1;
	monday = first - (days_weekday(first) + 6) % 7;
	printf("\n            Mon Tue Wed Thu Fri Sat Sun\n");
	for (int64_t w = monday; w <= last; w += 7) {
		int64_t	y;
		int	m, d;
		static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr",
		    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

		days_to_civil(w, &y, &m, &d);
		snprintf(label, sizeof label, "%s %02d", mon[m - 1], d);
		printf("  %-9s", label);
		for (int64_t day = w; day < w + 7; day++) {
			json_object	*e = NULL;

			if (day >= first && day <= last)
				e = json_object_array_get_idx(cal,
				    (size_t)(day - first));
			cell(o, (unsigned)jint_or(e, "kept", 0),
			    (unsigned)jint_or(e, "scheduled", 0), e != NULL);
		}
		putchar('\n');
	}
	printf("  %s all kept  %s half or more  %s less than half  "
	    "%s none kept  (blank) nothing due\n",
	    o->utf8 ? "█" : "#", o->utf8 ? "▓" : "+", o->utf8 ? "░" : "-",
	    o->utf8 ? "·" : ".");
}

void
human_stats(const struct out *o, json_object *data)
{
	json_object	*a = jarr(data, "sessions"), *wk = jarr(data, "weeks");
	size_t		 n = a != NULL ? json_object_array_length(a) : 0;
	unsigned	 sched = (unsigned)jint_or(data, "scheduled", 0);
	unsigned	 kept = (unsigned)jint_or(data, "kept", 0);
	char		 p[16], d[32];
	long long	 streak;

	printf("%sThe last %lld days%s (%s to %s).\nA firing is kept when the "
	    "session finished or was done within its window.\n", BOLD(o),
	    (long long)jint_or(data, F_DAYS, 0), RESET(o),
	    jstr(data, "from") ? jstr(data, "from") : "?",
	    jstr(data, "to") ? jstr(data, "to") : "?");
	printf("\n  %-20s %9s %6s %10s %7s %8s\n", "session", "kept", "",
	    "practised", "streak", "longest");
	for (size_t i = 0; i < n; i++) {
		json_object	*s = json_object_array_get_idx(a, i);
		char		 k[32];

		snprintf(k, sizeof k, "%lld/%lld",
		    (long long)jint_or(s, "kept", 0),
		    (long long)jint_or(s, "scheduled", 0));
		pct((unsigned)jint_or(s, "kept", 0),
		    (unsigned)jint_or(s, "scheduled", 0), p, sizeof p);
		printf("  %-20.20s %9s %6s %10s %7lld %8lld\n",
		    jstr(s, F_SESSION) ? jstr(s, F_SESSION) : "?", k, p,
		    dur_format(jint_or(s, "practised_s", 0) / 60 * 60, d,
		    sizeof d), (long long)jint_or(s, "streak", 0),
		    (long long)jint_or(s, "longest_streak", 0));
	}
	pct(kept, sched, p, sizeof p);
	streak = jint_or(data, "streak", 0);
	printf("\nThe whole routine: %u of %u kept (%s).\nEvery firing kept %lld "
	    "day%s in a row, at best %lld.\n", kept, sched, p,
	    (long long)streak, streak == 1 ? "" : "s",
	    (long long)jint_or(data, "longest_streak", 0));
	printf("Toward a month of steady practice: day %lld of %lld.\n",
	    (long long)jint_or(data, "month_day", 0),
	    (long long)jint_or(data, "month_days", HIST_MONTH_DAYS));
	calendar(o, jarr(data, "calendar"));

	printf("\n  %-25s %9s %6s %7s\n", "week", "kept", "", "cramps");
	for (size_t k = 0; wk != NULL && k < json_object_array_length(wk);
	    k++) {
		json_object	*w = json_object_array_get_idx(wk, k);
		char		 range[40], kk[32];

		snprintf(range, sizeof range, "%s to %s",
		    jstr(w, "from") ? jstr(w, "from") : "?",
		    jstr(w, "to") ? jstr(w, "to") : "?");
		snprintf(kk, sizeof kk, "%lld/%lld",
		    (long long)jint_or(w, "kept", 0),
		    (long long)jint_or(w, "scheduled", 0));
		pct((unsigned)jint_or(w, "kept", 0),
		    (unsigned)jint_or(w, "scheduled", 0), p, sizeof p);
		printf("  %-25s %9s %6s %7lld\n", range, kk, p,
		    (long long)jint_or(w, "cramps", 0));
	}
	printf("\nCramps logged: %lld. Warm-water tests: %lld, not relieved: "
	    "%lld.\n", (long long)jint_or(data, "cramps", 0),
	    (long long)jint_or(data, "cramp_tests", 0),
	    (long long)jint_or(data, "cramp_tests_not_relieved", 0));
	if (jbool(data, "frequent_cramps"))
		printf("%sCramps have come %d or more times a week for %d weeks "
		    "running.\nPlease have a doctor look at this.%s\n", RED(o),
		    HIST_CRAMPS_A_WEEK, HIST_CRAMP_WEEKS, RESET(o));
	if (jint_or(data, "cramp_tests_not_relieved", 0) > 0)
		printf("%sA warm-water test did not relieve the cramp. The "
		    "articles behind calf\nsay a doctor should check the blood "
		    "flow in the legs.%s\n", RED(o), RESET(o));
	if (jbool(data, "see_doctor"))
		printf("%scalf keeps a record; it does not diagnose. Show this "
		    "to your doctor.%s\n", DIM(o), RESET(o));
}

void
human_cramp(const struct out *o, json_object *data)
{
	const char	*ev = jstr(data, F_EVENT), *result;
	char		 when[64], detail[512];

	if (ev == NULL) {
		printf("Cramp check started. Put your legs in very warm water; "
		    "when the cue comes, answer\n  calfctl cramp result "
		    "relieved   or   calfctl cramp result not-relieved\n");
		return;
	}
	local_fmt(jint_or(data, F_AT_US, 0), "%a %d %b %H:%M", when, sizeof when);
	if (strcmp(ev, "cramp") == 0) {
		rec_detail(data, detail, sizeof detail);
		printf("Cramp logged for %s%s%s.\n", when,
		    detail[0] ? ": " : "", detail);
		return;
	}
	result = jstr(data, F_RESULT);
	if (result != NULL && strcmp(result, "relieved") == 0)
		printf("Warm-water test recorded: relieved.\n");
	else
		printf("%sWarm-water test recorded: not relieved. The articles "
		    "behind calf say\na doctor should check the blood flow in "
		    "the legs; calf does not diagnose.%s\n", RED(o), RESET(o));
}
