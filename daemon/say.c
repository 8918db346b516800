/*
 * say.c: every sentence calfd says about an event, built from the event's
 * fields (say.h). A new event kind or a new reason gets its words here.
 */
#include "daemon/say.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/sched.h"
#include "common/timeutil.h"

#define US	1000000LL

static const char *
dur(int64_t secs, char *buf, size_t len)
{
	dur_format(secs, buf, len);
	return buf;
}

void
say_length(int64_t min_s, int64_t max_s, bool has_temperature,
    int temperature, char *buf, size_t len)
{
	char	a[20], b[20];
	size_t	n;

	if (min_s != max_s)
		snprintf(buf, len, "%s..%s", dur(min_s, a, sizeof a),
		    dur(max_s, b, sizeof b));
	else
		snprintf(buf, len, "%s", dur(min_s, a, sizeof a));
	if (has_temperature) {
		n = strlen(buf);
		snprintf(buf + n, len - n, ", about %d °C", temperature);
	}
}

/* Local "HH:MM" of an instant. */
static const char *
hhmm(int64_t us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / US);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%H:%M", &tm);
	return buf;
}

/* "11:50" on the day of `now`, "tomorrow 11:50", "yesterday 11:50", "Thu
 * 03 Dec 11:50" within a week of it in the same year, else with the year
 * ("Thu 02 Dec 2027 11:50"), so a pause until a time that has passed today
 * says it means tomorrow, and a date a year away is not read as this week. */
static const char *
when(int64_t us, int64_t now_us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / US), now = (time_t)(now_us / US);
	struct tm	tm, tn;
	int64_t		days = sched_local_day(t) - sched_local_day(now);

	if (localtime_r(&t, &tm) == NULL || localtime_r(&now, &tn) == NULL)
		snprintf(buf, len, "?");
	else if (days == 0)
		strftime(buf, len, "%H:%M", &tm);
	else if (days == 1)
		strftime(buf, len, "tomorrow %H:%M", &tm);
	else if (days == -1)
		strftime(buf, len, "yesterday %H:%M", &tm);
	else if (days > -7 && days < 7 && tm.tm_year == tn.tm_year)
		strftime(buf, len, "%a %d %b %H:%M", &tm);
	else
		strftime(buf, len, "%a %d %b %Y %H:%M", &tm);
	return buf;
}

static void
say_missed(const struct calf_event *ev, char *buf, size_t len)
{
	char	t[48], f[48];

	if (ev->count > 1)
		snprintf(buf, len, "%s missed %u times, from %s to %s.",
		    ev->title, ev->count,
		    when(ev->first_due_us, ev->fired_us, f, sizeof f),
		    when(ev->due_us, ev->fired_us, t, sizeof t));
	else if (ev->reason == REASON_REPLACED)
		snprintf(buf, len, "%s missed (due at %s); due again now.",
		    ev->title, hhmm(ev->first_due_us, t, sizeof t));
	else
		snprintf(buf, len, "%s missed (due at %s).", ev->title,
		    hhmm(ev->first_due_us, t, sizeof t));
}

/* Events about one session (they all have a title). */
static void
say_session(const struct calf_event *ev, char *buf, size_t len)
{
	char	a[96], b[32];

	switch (ev->kind) {
	case EV_DUE:
		say_length(ev->dur_min_s, ev->dur_max_s, ev->has_temperature,
		    ev->temperature, a, sizeof a);
		if (ev->text != NULL)
			snprintf(buf, len, "%s (%s)", ev->text, a);
		else
			snprintf(buf, len, "Time for %s (%s).", ev->title, a);
		break;
	case EV_REMINDER:
		snprintf(buf, len, "Still waiting: %s (due at %s).", ev->title,
		    hhmm(ev->first_due_us, a, sizeof a));
		break;
	case EV_STARTED:
		say_length(ev->dur_min_s, ev->dur_max_s, ev->has_temperature,
		    ev->temperature, a, sizeof a);
		if (ev->text != NULL)
			snprintf(buf, len, "%s started (%s). %s", ev->title, a,
			    ev->text);
		else
			snprintf(buf, len, "%s started (%s).", ev->title, a);
		break;
	case EV_CUE:
		snprintf(buf, len, "%s", ev->text != NULL ? ev->text : "");
		break;
	case EV_MINIMUM:
		snprintf(buf, len, "%s: %s done; you may finish now, or go on "
		    "up to %s more", ev->title, dur(ev->dur_min_s, a, sizeof a),
		    dur(ev->dur_max_s - ev->dur_min_s, b, sizeof b));
		break;
	case EV_FINISHED:
		if (ev->text != NULL)
			snprintf(buf, len, "%s", ev->text);
		else
			snprintf(buf, len, "%s finished.", ev->title);
		break;
	case EV_DONE:
		if (ev->elapsed_s >= 0)
			snprintf(buf, len, "%s done after %s.", ev->title,
			    dur(ev->elapsed_s, a, sizeof a));
		else
			snprintf(buf, len, "%s marked done.", ev->title);
		break;
	case EV_STOPPED:
		if (ev->reason == REASON_REMOVED)
			snprintf(buf, len, "%s stopped: it is no longer in the "
			    "routine.", ev->title);
		else
			snprintf(buf, len, "%s stopped after %s.", ev->title,
			    dur(ev->elapsed_s >= 0 ? ev->elapsed_s : 0, a,
			    sizeof a));
		break;
	case EV_SKIPPED:
		if (ev->reason == REASON_REMOVED)
			snprintf(buf, len, "%s dropped: it is no longer in the "
			    "routine.", ev->title);
		else if (ev->reason == REASON_AHEAD)
			snprintf(buf, len, "%s at %s skipped.", ev->title,
			    instant_format((time_t)(ev->due_us / US), a,
			    sizeof a));
		else
			snprintf(buf, len, "%s skipped.", ev->title);
		break;
	case EV_SNOOZED:
		snprintf(buf, len, "%s snoozed for %s.", ev->title,
		    dur((ev->until_us - ev->fired_us) / US, a, sizeof a));
		break;
	case EV_MISSED:
		say_missed(ev, buf, len);
		break;
	case EV_PAUSED:
		snprintf(buf, len, "%s paused after %s; its clock waits for "
		    "resume.", ev->title, dur(ev->elapsed_s, a, sizeof a));
		break;
	case EV_RESUMED:
		snprintf(buf, len, "%s resumed at %s; it now ends at %s.",
		    ev->title, dur(ev->elapsed_s, a, sizeof a),
		    hhmm(ev->started_us + ev->dur_max_s * US, b, sizeof b));
		break;
	case EV_EXTENDED:
		snprintf(buf, len, "%s extended: it now ends at %s (%s in all).",
		    ev->title, hhmm(ev->until_us, a, sizeof a),
		    dur(ev->dur_max_s, b, sizeof b));
		break;
	case EV_REPLACED:
		snprintf(buf, len, "%s (snoozed, due at %s) replaced by a new "
		    "prompt.", ev->title, hhmm(ev->first_due_us, a, sizeof a));
		break;
	default:
		snprintf(buf, len, "%s", ev->title);
		break;
	}
}

void
say(const struct calf_event *ev, char *buf, size_t len)
{
	char	t[48];

	/* A running session paused or resumed by name: its clock, not the
	 * prompts. */
	if (ev->session != NULL && (ev->kind == EV_PAUSED ||
	    ev->kind == EV_RESUMED)) {
		say_session(ev, buf, len);
		return;
	}
	switch (ev->kind) {
	case EV_PAUSED:
		if (ev->until_us != 0)
			snprintf(buf, len, "Prompts paused until %s.",
			    when(ev->until_us, ev->fired_us, t, sizeof t));
		else
			snprintf(buf, len, "Prompts paused until you resume "
			    "them.");
		break;
	case EV_RESUMED:
		if (ev->reason == REASON_OFFLINE)
			snprintf(buf, len, "Prompts resumed: the pause ended "
			    "while calfd was not running.");
		else
			snprintf(buf, len, "Prompts resumed.");
		break;
	case EV_RELOADED:
		snprintf(buf, len, "Routine reloaded from %s: %u session%s.",
		    ev->text != NULL ? ev->text : "?", ev->count,
		    ev->count == 1 ? "" : "s");
		break;
	default:
		if (ev->title != NULL)
			say_session(ev, buf, len);
		else
			snprintf(buf, len, "%s", event_kind_name(ev->kind));
		break;
	}
}
