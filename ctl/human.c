/*
 * human.c: calfctl's output for people. Every field is read defensively:
 * a missing or mistyped one prints as absent, never crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/timeutil.h"
#include "ctl/format.h"
#include "ctl/human.h"

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

/* The string at key, or NULL when absent, null or not a string. */
static const char *
jstr(json_object *obj, const char *key)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return (NULL);
	return (json_object_get_string(v));
}

/* The integer at key into *out; false when absent or not an integer. */
static bool
jint(json_object *obj, const char *key, int64_t *out)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return (false);
	*out = json_object_get_int64(v);
	return (true);
}

static bool
jbool(json_object *obj, const char *key)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return (false);
	return (json_object_get_boolean(v));
}

/* The array at key, or NULL. */
static json_object *
jarr(json_object *obj, const char *key)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return (NULL);
	return (v);
}

static const char *
nz(const char *s, const char *dflt)
{
	return (s != NULL ? s : dflt);
}

/* Seconds now, from the daemon's "now_us" when it gave one, so the output
 * agrees with the daemon even if our clocks differ. */
static int64_t
now_us_of(json_object *data)
{
	int64_t		 now;
	struct timespec	 ts;

	if (jint(data, "now_us", &now))
		return (now);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * US + ts.tv_nsec / 1000);
}

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

/* One running session: title, bar, elapsed over planned, what is left. */
static void
status_running(const struct out *o, json_object *r, int64_t now)
{
	const char	*title = jstr(r, "title"), *name = jstr(r, "session");
	int64_t		 el = 0, min = 0, max = 0, next;
	char		 bar[64], clk[32], a[32], b[32], left[32];

	jint(r, "elapsed_us", &el);
	jint(r, "min_us", &min);
	jint(r, "max_us", &max);
	if (max < min)
		max = min;
	el /= US;
	min /= US;
	max /= US;
	printf("%s%s%s %s%s%s", GREEN(o), o->utf8 ? "▶" : ">", RESET(o),
	    BOLD(o), nz(title, nz(name, "?")), RESET(o));
	if (title != NULL && name != NULL && strcmp(title, name) != 0)
		printf(" %s(%s)%s", DIM(o), name, RESET(o));
	ctl_clock(el, clk, sizeof clk);
	if (max <= 0) {
		printf("  %s elapsed\n", clk);
		return;
	}
	ctl_bar(el, max, CTL_BAR_WIDTH, bar, sizeof bar);
	printf("  %s  %s / %s", bar, clk, dur_format(min, a, sizeof a));
	if (max > min)
		printf("%s%s", o->utf8 ? "–" : "-", dur_format(max, b, sizeof b));
	if (el < min)
		printf(", %s left", ctl_span(min - el, true, left, sizeof left));
	else if (el < max)
		printf(", %syou may finish%s, %s left at most", GREEN(o),
		    RESET(o), ctl_span(max - el, true, left, sizeof left));
	else
		printf(", %sover by %s%s", YELLOW(o),
		    ctl_span(el - max, false, left, sizeof left), RESET(o));
	if (jint(r, "next_cue_us", &next) && next > now)
		printf(", next cue in %s", ctl_span((next - now + US - 1) / US,
		    true, left, sizeof left));
	printf("\n");
}

/* One due, snoozed or held session and since when. */
static void
status_due(const struct out *o, json_object *d, int64_t now)
{
	const char	*title = jstr(d, "title"), *name = jstr(d, "session");
	const char	*state = nz(jstr(d, "state"), "due");
	int64_t		 due = 0, until = 0, expires = 0;

	jint(d, "due_us", &due);
	jint(d, "until_us", &until);
	jint(d, "expires_us", &expires);
	if (strcmp(state, "due") == 0)
		printf("%s%s%s ", YELLOW(o), o->utf8 ? "●" : "*", RESET(o));
	else
		printf("%s%s%s ", DIM(o), o->utf8 ? "◌" : "-", RESET(o));
	printf("%s%s%s", BOLD(o), nz(title, nz(name, "?")), RESET(o));
	if (name != NULL)
		printf(" %s(%s)%s", DIM(o), name, RESET(o));
	if (strcmp(state, "snoozed") == 0 && until > 0) {
		printf("  snoozed until ");
		print_rel(until, now);
	} else {
		printf("  %s%s%s since ", strcmp(state, "due") == 0 ?
		    YELLOW(o) : "", state, strcmp(state, "due") == 0 ?
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
	json_object	*running = jarr(data, "running"), *due = jarr(data, "due");
	json_object	*next = NULL, *saved;
	int64_t		 now = now_us_of(data), at, until = 0;
	size_t		 nr = running ? json_object_array_length(running) : 0;
	size_t		 nd = due ? json_object_array_length(due) : 0;
	const char	*src;

	for (size_t i = 0; i < nr; i++)
		status_running(o, json_object_array_get_idx(running, i), now);
	for (size_t i = 0; i < nd; i++)
		status_due(o, json_object_array_get_idx(due, i), now);
	if (nr == 0 && nd == 0)
		printf("Nothing running, nothing due.\n");

	if (json_object_object_get_ex(data, "next", &next) &&
	    json_object_is_type(next, json_type_object) &&
	    jint(next, "at_us", &at)) {
		const char	*t = jstr(next, "title"), *n = jstr(next, "session");

		printf("Next: %s%s%s", BOLD(o), nz(t, nz(n, "?")), RESET(o));
		if (n != NULL)
			printf(" %s(%s)%s", DIM(o), n, RESET(o));
		printf(" at ");
		print_rel(at, now);
		printf("\n");
	} else
		printf("Next: nothing scheduled\n");

	if (jbool(data, "paused")) {
		jint(data, "paused_until_us", &until);
		printf("%sPaused%s ", YELLOW(o), RESET(o));
		if (until > 0) {
			printf("until ");
			print_rel(until, now);
			printf("\n");
		} else
			printf("indefinitely (calfctl resume ends it)\n");
	}
	if (jbool(data, "quiet"))
		printf("%sQuiet hours%s: prompts are held\n", DIM(o), RESET(o));
	if (json_object_object_get_ex(data, "saved", &saved) &&
	    json_object_is_type(saved, json_type_boolean) &&
	    !json_object_get_boolean(saved))
		printf("%sNot saved%s (%s): calfd keeps trying; a restart now "
		    "would forget the latest changes\n", YELLOW(o), RESET(o),
		    nz(jstr(data, "save_error"), "?"));
	if ((src = jstr(data, "source")) != NULL)
		printf("%sRoutine: %s%s\n", DIM(o), src, RESET(o));
}

/* One line per firing, the day always shown since it spans days. */
void
human_agenda(const struct out *o, json_object *data)
{
	json_object	*list = jarr(data, "agenda");
	size_t		 n = list ? json_object_array_length(list) : 0;
	size_t		 w = 0;

	if (n == 0) {
		printf("Nothing scheduled.\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char	*s = jstr(json_object_array_get_idx(list, i),
		    "session");

		if (s != NULL && strlen(s) > w)
			w = strlen(s);
	}
	for (size_t i = 0; i < n; i++) {
		json_object	*e = json_object_array_get_idx(list, i);
		const char	*s = nz(jstr(e, "session"), "?");
		int64_t		 at = 0;
		char		 date[64];
		json_object	*sk;
		bool		 skipped;

		jint(e, "at_us", &at);
		skipped = json_object_object_get_ex(e, "skipped", &sk) &&
		    json_object_get_boolean(sk);
		printf("%s  %s%-*s%s  %s%s\n",
		    ctl_date(ctl_us_to_time(at), date, sizeof date), CYAN(o),
		    (int)w, s, RESET(o), nz(jstr(e, "title"), ""),
		    skipped ? " (skipped)" : "");
	}
}

/* The session a command acted on, as the daemon named it. */
static const char *
session_of(json_object *data)
{
	return (nz(jstr(data, "session"), "?"));
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
	if (jint(data, "until_us", &until) && until > 0) {
		printf(" until ");
		print_rel(until, now_us_of(NULL));
	}
	printf("\n");
}

void
human_pause(const struct out *o, json_object *data)
{
	int64_t	 until = 0;

	(void)o;
	jint(data, "until_us", &until);
	if (until > 0) {
		printf("paused until ");
		print_rel(until, now_us_of(NULL));
		printf("\n");
	} else
		printf("paused indefinitely (calfctl resume ends it)\n");
}

void
human_resume(const struct out *o, json_object *data)
{
	(void)o;
	(void)data;
	printf("resumed\n");
}

/* "sessions" may be a count or a list of names; say how many either way. */
void
human_reload(const struct out *o, json_object *data)
{
	json_object	*v;
	int64_t		 n = -1;

	(void)o;
	if (json_object_object_get_ex(data, "sessions", &v)) {
		if (json_object_is_type(v, json_type_int))
			n = json_object_get_int64(v);
		else if (json_object_is_type(v, json_type_array))
			n = (int64_t)json_object_array_length(v);
	}
	printf("reloaded %s", nz(jstr(data, "source"), "the routine"));
	if (n >= 0)
		printf(": %lld session%s", (long long)n, n == 1 ? "" : "s");
	printf("\n");
}

void
human_version(const struct out *o, json_object *data)
{
	int64_t	 proto = 0, pid = 0;

	(void)o;
	printf("calfd %s", nz(jstr(data, "version"), "?"));
	if (jint(data, "protocol", &proto))
		printf(" (protocol %lld", (long long)proto);
	else
		printf(" (protocol ?");
	if (jint(data, "pid", &pid))
		printf(", pid %lld", (long long)pid);
	printf(")\n");
}

/* Colour by what the event asks of the user: act, done, or lost. */
static const char *
event_colour(const struct out *o, const char *ev)
{
	static const struct {
		const char	*name;
		const char	*code;
	} tab[] = {
		{ "due", "\033[33m" }, { "reminder", "\033[33m" },
		{ "started", "\033[32m" }, { "minimum", "\033[32m" },
		{ "finished", "\033[32m" }, { "done", "\033[32m" },
		{ "missed", "\033[31m" }, { "stopped", "\033[31m" },
		{ "cue", "\033[36m" },
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(tab[i].name, ev) == 0)
			return (sgr(o, tab[i].code));
	return ("");
}

/* The watch line: local time it fired, the event, the session, the text. */
void
human_event(const struct out *o, json_object *ev)
{
	const char	*kind = nz(jstr(ev, "event"), "?");
	const char	*msg = jstr(ev, "message");
	int64_t		 fired;
	struct tm	 tm;
	time_t		 t;
	char		 clock[16] = "--:--:--";

	if (!jint(ev, "fired_us", &fired))
		fired = now_us_of(NULL);
	t = ctl_us_to_time(fired);
	if (localtime_r(&t, &tm) != NULL)
		strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	if (msg == NULL)
		msg = nz(jstr(ev, "title"), "");
	printf("%s %s%-9s%s %-14s %s\n", clock, event_colour(o, kind), kind,
	    RESET(o), nz(jstr(ev, "session"), "-"), msg);
}
