/*
 * history_stats.c: adherence, practice, streaks and the cramp log over a
 * period, from merged records and the firings the scheduler gives for the
 * routine as it is now (so a day calfd did not run counts as not kept).
 * The rules are stated in common/history.h and doc/history.md.
 */
#include "common/history.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sched.h"
#include "common/timeutil.h"

#define US	1000000LL

int64_t
hist_kept_window(const struct session *s)
{
	return s->window > 0 ? s->window : SECS_PER_DAY;
}

static bool
is_timed(const struct session *s)
{
	return s->ntimes > 0;
}

/* A record that keeps a firing: the session ran to its end or was marked
 * done. */
static bool
keeps(const struct hist_rec *r)
{
	return r->event == HE_FINISHED || r->event == HE_DONE;
}

static int
cmp_due(const void *a, const void *b)
{
	const struct hist_rec	*x = *(const struct hist_rec *const *)a;
	const struct hist_rec	*y = *(const struct hist_rec *const *)b;

	if (x->due_us != y->due_us)
		return x->due_us < y->due_us ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* A run of days with every closed firing kept; a day with none is
 * neutral. */
static void
streaks(const unsigned *sched, const unsigned *kept, size_t ndays,
    unsigned *current, unsigned *longest)
{
	unsigned	run = 0, best = 0;

	for (size_t d = 0; d < ndays; d++) {
		if (sched[d] == 0)
			continue;
		run = kept[d] == sched[d] ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	*current = run;
	*longest = best;
}

/* The first instant of local day `day`, or of the first day after it that
 * has one. */
static time_t
day_start(int64_t day)
{
	time_t	t;

	for (int i = 0; i < 3; i++)
		if (sched_local_instant(day + i, 0, &t) == 0)
			return t;
	return (time_t)(day * SECS_PER_DAY);
}

/* One session's firings over the period, matched greedily in time order
 * against its keeping records sorted by due_us. */
static int
session_stats(const struct session *s, size_t idx,
    const struct hist_list *l, time_t t0, time_t now, struct hist_stats *st,
    unsigned *dsched, unsigned *dkept, struct hist_session_stats *ss)
{
	const struct hist_rec	**c;
	struct firing		 f;
	size_t			 nc = 0, next = 0;
	int64_t			 w = hist_kept_window(s) * US;
	int64_t			 now_us = (int64_t)now * US;
	time_t			 t = t0 - 1;
	size_t			 slot = SIZE_MAX;

	if ((c = calloc(l->n + 1, sizeof *c)) == NULL)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		const struct hist_rec	*r = &l->v[i];

		if (r->session == NULL || strcmp(r->session, s->name) != 0)
			continue;
		if (keeps(r)) {
			c[nc++] = r;
			if (r->duration_s > 0 &&
			    r->at_us >= (int64_t)t0 * US && r->at_us <= now_us)
				ss->practised_s += r->duration_s;
		}
	}
	qsort(c, nc, sizeof *c, cmp_due);

	while (sched_next(s, idx, t, slot, &f) == 0 && f.at <= now) {
		int64_t	 due = (int64_t)f.at * US;
		size_t	 d;
		bool	 kept = false;

		t = f.at;
		slot = f.slot;
		if (f.day < st->first_day || f.day > st->last_day)
			continue;
		d = (size_t)(f.day - st->first_day);
		while (next < nc && c[next]->due_us < due)
			next++;
		if (next < nc && c[next]->due_us <= due + w) {
			kept = true;
			next++;
		}
		if (!kept && due + w > now_us)
			continue;	/* pending: its window is open */
		ss->scheduled++;
		dsched[d]++;
		st->days[d].scheduled++;
		if (kept) {
			ss->kept++;
			dkept[d]++;
			st->days[d].kept++;
		}
	}
	free(c);
	streaks(dsched, dkept, st->ndays, &ss->streak, &ss->longest);
	return 0;
}

/* Cramps and warm-water tests by day and week; the doctor's threshold. */
static void
cramp_stats(const struct hist_list *l, struct hist_stats *st)
{
	unsigned	run = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct hist_rec	*r = &l->v[i];
		int64_t			 day;

		if (r->event != HE_CRAMP && r->event != HE_CRAMP_TEST)
			continue;
		day = sched_local_day((time_t)(r->at_us / US));
		if (day < st->first_day || day > st->last_day)
			continue;
		if (r->event == HE_CRAMP) {
			st->cramps++;
			st->days[day - st->first_day].cramps++;
		} else {
			st->tests++;
			if (!r->relieved)
				st->tests_not_relieved++;
		}
	}
	for (size_t k = 0; k < st->nweeks; k++) {
		struct hist_week	*wk = &st->weeks[k];

		for (int64_t d = wk->first_day; d < wk->first_day + 7; d++) {
			if (d < st->first_day || d > st->last_day)
				continue;
			wk->scheduled += st->days[d - st->first_day].scheduled;
			wk->kept += st->days[d - st->first_day].kept;
			wk->cramps += st->days[d - st->first_day].cramps;
		}
		run = wk->cramps >= HIST_CRAMPS_A_WEEK ? run + 1 : 0;
		if (run >= HIST_CRAMP_WEEKS)
			st->frequent_cramps = true;
	}
	st->see_doctor = st->frequent_cramps || st->tests_not_relieved > 0;
}

int
hist_stats(const struct routine *rt, const struct hist_list *l, time_t now,
    int days, struct hist_stats *st)
{
	unsigned	*dsched = NULL, *dkept = NULL, *asched, *akept;
	time_t		 t0;
	size_t		 k;
	int		 rc = -1;

	memset(st, 0, sizeof *st);
	if (days < 1)
		return -1;
	st->last_day = sched_local_day(now);
	st->first_day = st->last_day - days + 1;
	st->ndays = (size_t)days;
	st->nweeks = ((size_t)days + 6) / 7;
	t0 = day_start(st->first_day);
	st->days = calloc(st->ndays, sizeof *st->days);
	st->weeks = calloc(st->nweeks, sizeof *st->weeks);
	st->sessions = calloc(rt->nsessions + 1, sizeof *st->sessions);
	dsched = calloc(st->ndays * 4, sizeof *dsched);
	if (st->days == NULL || st->weeks == NULL || st->sessions == NULL ||
	    dsched == NULL)
		goto out;
	dkept = dsched + st->ndays;
	asched = dkept + st->ndays;
	akept = asched + st->ndays;
	for (size_t d = 0; d < st->ndays; d++)
		st->days[d].day = st->first_day + (int64_t)d;
	for (k = 0; k < st->nweeks; k++)
		st->weeks[st->nweeks - 1 - k].first_day = st->last_day -
		    7 * (int64_t)k - 6;

	for (size_t i = 0; i < rt->nsessions; i++) {
		const struct session		*s = &rt->sessions[i];
		struct hist_session_stats	*ss;

		if (!is_timed(s))
			continue;
		ss = &st->sessions[st->nsessions++];
		ss->name = s->name;
		ss->title = s->title != NULL ? s->title : s->name;
		memset(dsched, 0, st->ndays * 2 * sizeof *dsched);
		if (session_stats(s, i, l, t0, now, st, dsched, dkept, ss) ==
		    -1)
			goto out;
		st->scheduled += ss->scheduled;
		st->kept += ss->kept;
	}
	for (size_t d = 0; d < st->ndays; d++) {
		asched[d] = st->days[d].scheduled;
		akept[d] = st->days[d].kept;
	}
	streaks(asched, akept, st->ndays, &st->streak, &st->longest);
	cramp_stats(l, st);
	rc = 0;
out:
	free(dsched);
	if (rc == -1)
		hist_stats_free(st);
	return rc;
}

void
hist_stats_free(struct hist_stats *st)
{
	free(st->days);
	free(st->weeks);
	free(st->sessions);
	memset(st, 0, sizeof *st);
}

/* "YYYY-MM-DD" of a local day number. */
static json_object *
date_json(int64_t day)
{
	char	buf[32];
	int64_t	y;
	int	m, d;

	days_to_civil(day, &y, &m, &d);
	snprintf(buf, sizeof buf, "%04lld-%02d-%02d", (long long)y, m, d);
	return json_object_new_string(buf);
}

static void
add_uint(json_object *o, const char *key, unsigned v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

json_object *
hist_stats_to_json(const struct hist_stats *st)
{
	json_object	*o, *a, *e;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "from", date_json(st->first_day));
	json_object_object_add(o, "to", date_json(st->last_day));
	add_uint(o, "days", (unsigned)st->ndays);
	add_uint(o, "scheduled", st->scheduled);
	add_uint(o, "kept", st->kept);
	add_uint(o, "streak", st->streak);
	add_uint(o, "longest_streak", st->longest);
	add_uint(o, "month_day", st->streak < HIST_MONTH_DAYS ? st->streak :
	    HIST_MONTH_DAYS);
	add_uint(o, "month_days", HIST_MONTH_DAYS);
	add_uint(o, "cramps", st->cramps);
	add_uint(o, "cramp_tests", st->tests);
	add_uint(o, "cramp_tests_not_relieved", st->tests_not_relieved);
	json_object_object_add(o, "frequent_cramps",
	    json_object_new_boolean(st->frequent_cramps));
	json_object_object_add(o, "see_doctor",
	    json_object_new_boolean(st->see_doctor));

	a = json_object_new_array();
	for (size_t i = 0; a != NULL && i < st->nsessions; i++) {
		const struct hist_session_stats	*ss = &st->sessions[i];

		if ((e = json_object_new_object()) == NULL)
			break;
		json_object_object_add(e, "session",
		    json_object_new_string(ss->name));
		json_object_object_add(e, "title",
		    json_object_new_string(ss->title));
		add_uint(e, "scheduled", ss->scheduled);
		add_uint(e, "kept", ss->kept);
		json_object_object_add(e, "practised_s",
		    json_object_new_int64(ss->practised_s));
		add_uint(e, "streak", ss->streak);
		add_uint(e, "longest_streak", ss->longest);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "sessions", a);

	a = json_object_new_array();
	for (size_t d = 0; a != NULL && d < st->ndays; d++) {
		if ((e = json_object_new_object()) == NULL)
			break;
		json_object_object_add(e, "date", date_json(st->days[d].day));
		add_uint(e, "scheduled", st->days[d].scheduled);
		add_uint(e, "kept", st->days[d].kept);
		add_uint(e, "cramps", st->days[d].cramps);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "calendar", a);

	a = json_object_new_array();
	for (size_t k = 0; a != NULL && k < st->nweeks; k++) {
		const struct hist_week	*wk = &st->weeks[k];

		if ((e = json_object_new_object()) == NULL)
			break;
		json_object_object_add(e, "from", date_json(wk->first_day));
		json_object_object_add(e, "to", date_json(wk->first_day + 6));
		add_uint(e, "scheduled", wk->scheduled);
		add_uint(e, "kept", wk->kept);
		add_uint(e, "cramps", wk->cramps);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "weeks", a);
	return o;
}
