/*
 * human.c: calfctl's output for people. Every field is read defensively:
 * a missing or mistyped one prints as absent, never crashes.
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

/* Colour is decided once in main; these keep escape codes in one place. */
static const char *
sgr(const struct out *o, const char *code)
{
	return (o->colour ? code : "");
}
#define BOLD(o)		sgr(o, "\033[1m")
#define DIM(o)		sgr(o, "\033[2m")
#define GREEN(o)	sgr(o, "\033[32m")
#define YELLOW(o)	sgr(o, "\033[33m")
#define RED(o)		sgr(o, "\033[31m")
#define CYAN(o)		sgr(o, "\033[36m")
#define RESET(o)	sgr(o, "\033[0m")

/* "22:30 (in 1h25m)" or "21:00 (5m ago)". */
static void
print_rel(int64_t at_us, int64_t now_us)
{
	char	 when[64], span[32];
	time_t	 at = ctl_us_to_time(at_us), now = ctl_us_to_time(now_us);

	ctl_when(at, now, when, sizeof when);
	if (at_us >= now_us)
		printf("%s (in %s)", when,
		    ctl_span((at_us - now_us + US - 1) / US, true, span,
		    sizeof span));
	else
		printf("%s (%s ago)", when,
		    ctl_span((now_us - at_us) / US, false, span, sizeof span));
}

/* Every line names a session the same way: its title, then its name
 * (what calfctl commands take) when the two differ. */
static void
print_name(const struct out *o, const char *title, const char *name)
{
	printf("%s%s%s", BOLD(o), nz(title, nz(name, "?")), RESET(o));
	if (title != NULL && name != NULL && strcmp(title, name) != 0)
		printf(" %s(%s)%s", DIM(o), name, RESET(o));
}

/*
 * One running session: title and bar, then under it elapsed over planned
 * and what is left, so both lines fit 80 columns with a long title.
 */
static void
status_running(const struct out *o, json_object *r, int64_t now)
{
	const char	*title = jstr(r, F_TITLE), *name = jstr(r, F_SESSION);
	int64_t		 el = 0, min = 0, max = 0, next;
	char		 bar[64], clk[32], a[32], b[32], left[32];

	jint(r, F_ELAPSED_US, &el);
	jint(r, F_MIN_US, &min);
	jint(r, F_MAX_US, &max);
	if (max < min)
		max = min;
	el /= US;
	min /= US;
	max /= US;
	printf("%s%s%s ", GREEN(o), o->utf8 ? "▶" : ">", RESET(o));
	print_name(o, title, name);
	ctl_clock(el, clk, sizeof clk);
	if (max <= 0) {
		printf("  %s elapsed\n", clk);
		return;
	}
	ctl_bar(el, max, CTL_BAR_WIDTH, bar, sizeof bar);
	printf("  %s\n  %s / %s", bar, clk, dur_format(min, a, sizeof a));
	if (max > min)
		printf("%s%s", o->utf8 ? "–" : "-", dur_format(max, b, sizeof b));
	if (el < min)
		printf(", %s left", ctl_left(min - el, left, sizeof left));
	else if (el < max)
		printf(", %syou may finish%s, %s left at most", GREEN(o),
		    RESET(o), ctl_left(max - el, left, sizeof left));
	else
		printf(", %sover by %s%s", YELLOW(o),
		    ctl_span(el - max, false, left, sizeof left), RESET(o));
	if (jint(r, F_NEXT_CUE_US, &next) && next > now)
		printf(", next cue in %s", ctl_span((next - now + US - 1) / US,
		    true, left, sizeof left));
	if (jbool(r, F_PAUSED))
		printf(", %spaused%s (calfctl resume %s)", YELLOW(o), RESET(o),
		    name != NULL ? name : "");
	printf("\n");
}

/* One due, snoozed or held session and since when. */
static void
status_due(const struct out *o, json_object *d, int64_t now)
{
	const char	*title = jstr(d, F_TITLE), *name = jstr(d, F_SESSION);
	const char	*state = nz(jstr(d, F_STATE), STATE_DUE);
	int64_t		 due = 0, until = 0, expires = 0;

	jint(d, F_DUE_US, &due);
	jint(d, F_UNTIL_US, &until);
	jint(d, F_EXPIRES_US, &expires);
	if (strcmp(state, STATE_DUE) == 0)
		printf("%s%s%s ", YELLOW(o), o->utf8 ? "●" : "*", RESET(o));
	else
		printf("%s%s%s ", DIM(o), o->utf8 ? "◌" : "-", RESET(o));
	print_name(o, title, name);
	if (strcmp(state, STATE_SNOOZED) == 0 && until > 0) {
		printf("  snoozed until ");
		print_rel(until, now);
	} else {
		printf("  %s%s%s since ", strcmp(state, STATE_DUE) == 0 ?
		    YELLOW(o) : "", state, strcmp(state, STATE_DUE) == 0 ?
		    RESET(o) : "");
		print_rel(due, now);
	}
	if (expires > 0) {
		char	 when[64];

		printf(", missed after %s", ctl_when(ctl_us_to_time(expires),
		    ctl_us_to_time(now), when, sizeof when));
	}
	printf("\n");
}

/* The whole picture in a few lines: running, due, next, pause, source. */
void
human_status(const struct out *o, json_object *data)
{
	json_object	*running = jarr(data, F_RUNNING), *due = jarr(data, F_DUE);
	json_object	*next = NULL, *saved;
	int64_t		 now = jnow_us(data), at, until = 0;
	size_t		 nr = running ? json_object_array_length(running) : 0;
	size_t		 nd = due ? json_object_array_length(due) : 0;
	const char	*src;

	for (size_t i = 0; i < nr; i++)
		status_running(o, json_object_array_get_idx(running, i), now);
	for (size_t i = 0; i < nd; i++)
		status_due(o, json_object_array_get_idx(due, i), now);
	if (nr == 0 && nd == 0)
		printf("Nothing running, nothing due.\n");

	if (json_object_object_get_ex(data, F_NEXT, &next) &&
	    json_object_is_type(next, json_type_object) &&
	    jint(next, F_AT_US, &at)) {
		const char	*t = jstr(next, F_TITLE), *n = jstr(next, F_SESSION);
		const char	*held = jstr(next, F_HELD_BY);

		printf("Next: ");
		print_name(o, t, n);
		printf(" at ");
		print_rel(at, now);
		if (held != NULL)
			printf(", %swill be held (%s)%s", DIM(o),
			    strcmp(held, F_QUIET) == 0 ? "quiet hours" : held,
			    RESET(o));
		printf("\n");
	} else
		printf("Next: nothing scheduled\n");

	if (jbool(data, F_PAUSED)) {
		jint(data, F_PAUSED_UNTIL_US, &until);
		printf("%sPaused%s ", YELLOW(o), RESET(o));
		if (until > 0) {
			printf("until ");
			print_rel(until, now);
			printf("\n");
		} else
			printf("indefinitely (calfctl resume ends it)\n");
	}
	if (jbool(data, F_QUIET)) {
		printf("%sQuiet hours%s: prompts are held", DIM(o), RESET(o));
		if (jint(data, F_QUIET_UNTIL_US, &until) && until > 0) {
			printf(" until ");
			print_rel(until, now);
		}
		printf("\n");
	}
	if (json_object_object_get_ex(data, "saved", &saved) &&
	    json_object_is_type(saved, json_type_boolean) &&
	    !json_object_get_boolean(saved))
		printf("%sNot saved%s (%s): calfd keeps trying; a restart now "
		    "would forget the latest changes\n", YELLOW(o), RESET(o),
		    nz(jstr(data, "save_error"), "?"));
	if ((src = jstr(data, F_SOURCE)) != NULL)
		printf("%sRoutine: %s%s\n", DIM(o), src, RESET(o));
}

/* One line per firing, the day always shown since it spans days; the
 * columns line up whether or not a date carries its year. */
void
human_agenda(const struct out *o, json_object *data)
{
	json_object	*list = jarr(data, F_AGENDA);
	size_t		 n = list ? json_object_array_length(list) : 0;
	int		 wd = 0, ws = 0;
	time_t		 now = ctl_us_to_time(jnow_us(data));
	char		 date[64];
	int64_t		 at;

	if (n == 0) {
		printf("Nothing scheduled.\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object	*e = json_object_array_get_idx(list, i);

		at = 0;
		jint(e, F_AT_US, &at);
		ctl_date(ctl_us_to_time(at), now, date, sizeof date);
		wd = ctl_width(date) > wd ? ctl_width(date) : wd;
		ws = ctl_width(nz(jstr(e, F_SESSION), "?")) > ws ?
		    ctl_width(nz(jstr(e, F_SESSION), "?")) : ws;
	}
	for (size_t i = 0; i < n; i++) {
		json_object	*e = json_object_array_get_idx(list, i);
		const char	*s = nz(jstr(e, F_SESSION), "?");

		at = 0;
		jint(e, F_AT_US, &at);
		ctl_date(ctl_us_to_time(at), now, date, sizeof date);
		printf("%-*s  %s%s%*s%s  %s%s\n", wd, date, CYAN(o), s,
		    ws - ctl_width(s), "", RESET(o), nz(jstr(e, F_TITLE), ""),
		    jbool(e, F_SKIPPED) ? " (skipped)" : "");
	}
}

/* The session a command acted on, as the daemon named it. */
static const char *
session_of(json_object *data)
{
	return (nz(jstr(data, F_SESSION), "?"));
}

void
human_start(const struct out *o, json_object *data)
{
	printf("%s%s%s started %s\n", GREEN(o), o->utf8 ? "▶" : ">",
	    RESET(o), session_of(data));
}

void
human_done(const struct out *o, json_object *data)
{
	printf("%s%s%s %s done\n", GREEN(o), o->utf8 ? "✓" : "*", RESET(o),
	    session_of(data));
}

void
human_stop(const struct out *o, json_object *data)
{
	(void)o;
	printf("stopped %s\n", session_of(data));
}

void
human_skip(const struct out *o, json_object *data)
{
	(void)o;
	printf("skipped %s\n", session_of(data));
}

void
human_snooze(const struct out *o, json_object *data)
{
	int64_t	 until;

	(void)o;
	printf("snoozed %s", session_of(data));
	if (jint(data, F_UNTIL_US, &until) && until > 0) {
		printf(" until ");
		print_rel(until, jnow_us(NULL));
	}
	printf("\n");
}

void
human_extend(const struct out *o, json_object *data)
{
	int64_t	 end;

	(void)o;
	printf("extended %s", session_of(data));
	if (jint(data, F_UNTIL_US, &end) && end > 0) {
		printf(": it now ends ");
		print_rel(end, jnow_us(NULL));
	}
	printf("\n");
}

void
human_pause(const struct out *o, json_object *data)
{
	int64_t	 until = 0;

	(void)o;
	if (jstr(data, F_SESSION) != NULL) {
		printf("paused %s: its clock waits for calfctl resume %s\n",
		    session_of(data), session_of(data));
		return;
	}
	jint(data, F_UNTIL_US, &until);
	if (until > 0) {
		printf("paused until ");
		print_rel(until, jnow_us(NULL));
		printf("\n");
	} else
		printf("paused indefinitely (calfctl resume ends it)\n");
}

void
human_resume(const struct out *o, json_object *data)
{
	(void)o;
	if (jstr(data, F_SESSION) != NULL)
		printf("resumed %s\n", session_of(data));
	else
		printf("resumed\n");
}

/* "sessions" may be a count or a list of names; say how many either way. */
void
human_reload(const struct out *o, json_object *data)
{
	json_object	*v;
	int64_t		 n = -1;

	(void)o;
	if (json_object_object_get_ex(data, F_SESSIONS, &v)) {
		if (json_object_is_type(v, json_type_int))
			n = json_object_get_int64(v);
		else if (json_object_is_type(v, json_type_array))
			n = (int64_t)json_object_array_length(v);
	}
	printf("reloaded %s", nz(jstr(data, F_SOURCE), "the routine"));
	if (n >= 0)
		printf(": %lld session%s", (long long)n, n == 1 ? "" : "s");
	printf("\n");
}

void
human_version(const struct out *o, json_object *data)
{
	int64_t	 proto = 0, pid = 0;

	(void)o;
	printf("calfd %s", nz(jstr(data, F_VERSION), "?"));
	if (jint(data, F_PROTOCOL, &proto))
		printf(" (protocol %lld", (long long)proto);
	else
		printf(" (protocol ?");
	if (jint(data, F_PID, &pid))
		printf(", pid %lld", (long long)pid);
	printf(")\n");
}

/* Colour by what the event asks of the user: act, done, or lost (a
 * snoozed prompt replaced by the next firing is lost; the new one's `due`
 * follows it). */
static const char *
event_colour(const struct out *o, const char *ev)
{
	static const struct {
		enum event_kind	 kind;
		const char	*code;
	} tab[] = {
		{ EV_DUE, "\033[33m" }, { EV_REMINDER, "\033[33m" },
		{ EV_STARTED, "\033[32m" }, { EV_MINIMUM, "\033[32m" },
		{ EV_FINISHED, "\033[32m" }, { EV_DONE, "\033[32m" },
		{ EV_MISSED, "\033[31m" }, { EV_REPLACED, "\033[31m" },
		{ EV_STOPPED, "\033[31m" },
		{ EV_CUE, "\033[36m" },
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(event_kind_name(tab[i].kind), ev) == 0)
			return (sgr(o, tab[i].code));
	return ("");
}

/* The watch line: local time it fired, the event, the session, the text. */
void
human_event(const struct out *o, json_object *ev)
{
	const char	*kind = nz(jstr(ev, F_EVENT), "?");
	const char	*msg = jstr(ev, F_MESSAGE);
	int64_t		 fired;
	struct tm	 tm;
	time_t		 t;
	char		 clock[16] = "--:--:--";

	if (!jint(ev, F_FIRED_US, &fired))
		fired = jnow_us(NULL);
	t = ctl_us_to_time(fired);
	if (localtime_r(&t, &tm) != NULL)
		strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	if (msg == NULL)
		msg = nz(jstr(ev, F_TITLE), "");
	printf("%s %s%-9s%s %-14s %s\n", clock, event_colour(o, kind), kind,
	    RESET(o), nz(jstr(ev, F_SESSION), "-"), msg);
}
