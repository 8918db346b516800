/*
 * test_history.c: the history record's line form, reading a file cut at
 * every byte of its last record, merging device files, and the statistics
 * over a generated 60-day history against counts worked out here with
 * plain arithmetic (UTC, no scheduler).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/history.h"
#include "common/routine.h"
#include "common/sched.h"
#include "common/timeutil.h"

#define US	1000000LL

static void
mkrec(struct hist_rec *r, const char *dev, unsigned n, enum hist_event e,
    const char *session, int64_t due_us, int64_t at_us, int64_t dur)
{
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s-%016x", dev, n);
	r->event = e;
	r->session = (char *)session;
	r->title = (char *)session;
	r->due_us = due_us;
	r->at_us = at_us;
	r->duration_s = dur;
}

/* Appends a record's line to a growing buffer. */
static void
append(char **buf, size_t *len, const struct hist_rec *r)
{
	char	*line = hist_rec_line(r);
	size_t	 n;

	assert_non_null(line);
	n = strlen(line);
	*buf = realloc(*buf, *len + n + 1);
	assert_non_null(*buf);
	memcpy(*buf + *len, line, n + 1);
	*len += n;
	free(line);
}

static void
test_round_trip(void **unused)
{
	struct hist_rec		 r, c;
	struct hist_list	 l;
	struct hist_load	 info;
	char			*line;

	(void)unused;
	mkrec(&r, "0123456789abcdef", 7, HE_DONE, "foot-soak", 1000 * US,
	    1900 * US, 900);
	r.title = "Warm \"foot\" soak\nwith a newline";
	line = hist_rec_line(&r);
	assert_non_null(line);
	assert_non_null(strchr(line, '\n'));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);

	hist_list_init(&l);
	assert_int_equal(hist_parse(line, strlen(line), &l, &info), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(info.bad, 0);
	assert_false(info.needs_newline);
	assert_string_equal(l.v[0].id, r.id);
	assert_int_equal(l.v[0].event, HE_DONE);
	assert_string_equal(l.v[0].session, "foot-soak");
	assert_string_equal(l.v[0].title, r.title);
	assert_int_equal(l.v[0].due_us, 1000 * US);
	assert_int_equal(l.v[0].at_us, 1900 * US);
	assert_int_equal(l.v[0].duration_s, 900);
	free(line);

	/* A cramp test with its result, and a cramp with leg and note. */
	mkrec(&c, "0123456789abcdef", 8, HE_CRAMP_TEST, HIST_CRAMP_SESSION, 0,
	    2000 * US, -1);
	c.relieved = false;
	line = hist_rec_line(&c);
	assert_int_equal(hist_parse(line, strlen(line), &l, &info), 0);
	free(line);
	mkrec(&c, "0123456789abcdef", 9, HE_CRAMP, NULL, 0, 3000 * US, -1);
	c.leg = "left";
	c.note = "woke at 3";
	line = hist_rec_line(&c);
	assert_int_equal(hist_parse(line, strlen(line), &l, &info), 0);
	free(line);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[1].event, HE_CRAMP_TEST);
	assert_false(l.v[1].relieved);
	assert_int_equal(l.v[1].duration_s, -1);
	assert_null(l.v[2].session);
	assert_string_equal(l.v[2].leg, "left");
	assert_string_equal(l.v[2].note, "woke at 3");
	hist_list_free(&l);
}

/* Lines of a newer version are counted and kept out; bad lines in the
 * middle are skipped; neither stops the lines after them. */
static void
test_newer_and_bad(void **unused)
{
	const char	*text =
	    "{\"v\":2,\"id\":\"x\",\"event\":\"levitated\"}\n"
	    "not json at all\n"
	    "{\"v\":1,\"id\":\"0123456789abcdef-0000000000000001\","
	    "\"event\":\"missed\",\"session\":\"a\",\"due_us\":1,\"at_us\":2}\n"
	    "{\"v\":1,\"id\":\"bad\",\"event\":\"missed\",\"session\":\"a\"}\n"
	    "{\"v\":1,\"id\":\"0123456789abcdef-0000000000000002\","
	    "\"event\":\"done\",\"session\":\"a\",\"duration_s\":\"5\"}\n"
	    "\n";
	struct hist_list	 l;
	struct hist_load	 info;

	(void)unused;
	hist_list_init(&l);
	assert_int_equal(hist_parse(text, strlen(text), &l, &info), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(info.newer, 1);
	assert_int_equal(info.bad, 3);
	assert_false(info.torn_tail);
	assert_int_equal(l.v[0].event, HE_MISSED);
	assert_int_equal(l.v[0].duration_s, -1);
	hist_list_free(&l);
}

/* Cut anywhere in the last record: every earlier record loads, the cut
 * line is at most one warning, and a record appended the way the daemon
 * appends (a newline first when the file does not end with one) reads
 * back. */
static void
test_torn_tail_every_offset(void **unused)
{
	struct hist_rec		 r;
	struct hist_list	 l;
	struct hist_load	 info;
	char			*buf = NULL, *cut;
	size_t			 len = 0, last_start;

	(void)unused;
	for (unsigned i = 0; i < 5; i++) {
		mkrec(&r, "00000000000000aa", i, HE_FINISHED, "soak",
		    (int64_t)i * 100 * US, (int64_t)i * 100 * US + 5, 60);
		if (i == 4)
			last_start = len;
		append(&buf, &len, &r);
	}
	for (size_t off = last_start; off <= len; off++) {
		size_t	 clen = off;
		char	*after = NULL;
		size_t	 alen;

		cut = malloc(clen + 1);
		memcpy(cut, buf, clen);
		hist_list_init(&l);
		assert_int_equal(hist_parse(cut, clen, &l, &info), 0);
		assert_true(l.n == 4 || l.n == 5);
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(l.v[i].due_us, (int64_t)i * 100 * US);
		/* Whole but for its newline, it still counts. */
		assert_int_equal(l.n == 5, clen >= len - 1);
		assert_true(info.bad <= 1);
		assert_int_equal(info.torn_tail, clen > last_start &&
		    clen < len - 1);
		assert_int_equal(info.needs_newline, clen > last_start &&
		    clen < len);
		hist_list_free(&l);

		alen = clen;
		after = cut;
		if (info.needs_newline) {
			after = realloc(after, alen + 2);
			after[alen++] = '\n';
			after[alen] = '\0';
		}
		mkrec(&r, "00000000000000aa", 99, HE_SKIPPED, "soak", 7 * US,
		    8 * US, -1);
		append(&after, &alen, &r);
		hist_list_init(&l);
		assert_int_equal(hist_parse(after, alen, &l, &info), 0);
		assert_false(info.needs_newline);
		assert_true(info.bad <= 1);
		assert_int_equal(l.n, clen >= len - 1 ? 6 : 5);
		assert_string_equal(l.v[l.n - 1].id,
		    "00000000000000aa-0000000000000063");
		hist_list_free(&l);
		free(after);
	}
	free(buf);
}

/* Two device files, one record copied into both (as a sync conflict copy
 * would): one list in time order, each id once. */
static void
test_merge_two_devices(void **unused)
{
	struct hist_rec		 r;
	struct hist_list	 l;
	struct hist_load	 info;
	char			*a = NULL, *b = NULL;
	size_t			 alen = 0, blen = 0;

	(void)unused;
	for (unsigned i = 0; i < 10; i++) {
		mkrec(&r, "aaaaaaaaaaaaaaaa", i, HE_DONE, "x", 0,
		    (int64_t)(2 * i) * US, -1);
		append(&a, &alen, &r);
		mkrec(&r, "bbbbbbbbbbbbbbbb", i, HE_DONE, "x", 0,
		    (int64_t)(2 * i + 1) * US, -1);
		append(&b, &blen, &r);
	}
	mkrec(&r, "aaaaaaaaaaaaaaaa", 3, HE_DONE, "x", 0, 6 * US, -1);
	append(&b, &blen, &r);

	hist_list_init(&l);
	assert_int_equal(hist_parse(b, blen, &l, &info), 0);
	assert_int_equal(hist_parse(a, alen, &l, &info), 0);
	assert_int_equal(l.n, 21);
	hist_merge(&l);
	assert_int_equal(l.n, 20);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].at_us, (int64_t)i * US);
		assert_int_equal(l.v[i].id[0], i % 2 == 0 ? 'a' : 'b');
	}
	hist_filter(&l, 5 * US, 9 * US, "x");
	assert_int_equal(l.n, 4);
	hist_filter(&l, 0, 100 * US, "y");
	assert_int_equal(l.n, 0);
	hist_list_free(&l);
	free(a);
	free(b);
}

#define NDAYS		60
#define DAY0		20000		/* 2024-10-04, days since the epoch */
#define SOD_AM		(7 * 3600 + 30 * 60)
#define SOD_PM		(21 * 3600)

static const char routine_text[] =
    "[am]\nat = 07:30\nduration = 10m\nwindow = 1h\n"
    "[pm]\nat = 21:00\nduration = 10m\nwindow = 1h\n"
    "[weekend]\nat = 12:00\ndays = sat, sun\nduration = 5m\nwindow = 30m\n"
    "[whenever]\nduration = 5m\n";

/* A small generator so every run builds the same history. */
static unsigned
rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static void
test_stats_60_days(void **unused)
{
	struct routine		*rt;
	struct errlist		 el;
	struct hist_list	 l;
	struct hist_load	 info;
	struct hist_stats	 st;
	struct hist_rec		 r;
	const int		 sods[3] = { SOD_AM, SOD_PM, 12 * 3600 };
	const int64_t		 win[3] = { 3600, 3600, 1800 };
	unsigned		 seed = 42, n = 0;
	unsigned		 esched[3] = { 0 }, ekept[3] = { 0 };
	int64_t			 eprac[3] = { 0 };
	unsigned		 dsch[NDAYS] = { 0 }, dkept[NDAYS] = { 0 };
	unsigned		 dcramp[NDAYS] = { 0 };
	unsigned		 run = 0, best = 0, ecramps = 0;
	char			*buf = NULL;
	size_t			 len = 0;
	time_t			 now;
	const int		 days = 30;

	(void)unused;
	setenv("TZ", "UTC", 1);
	tzset();
	sched_zone_changed();
	errlist_init(&el);
	rt = routine_parse(routine_text, strlen(routine_text), "test", &el);
	if (rt == NULL)
		errlist_print(&el, stderr);
	assert_non_null(rt);
	errlist_free(&el);

	/* 60 days of history; the statistics look at the last 30, which
	 * end at 21:30 of the last day (so its pm firing is still open). */
	now = (time_t)(DAY0 + NDAYS - 1) * SECS_PER_DAY + SOD_PM + 1800;
	for (int d = 0; d < NDAYS; d++) {
		int64_t	day = DAY0 + d;
		bool	weekend = days_weekday(day) == 0 ||
			    days_weekday(day) == 6;
		int	di = d - (NDAYS - days);

		for (int s = 0; s < 3; s++) {
			int64_t		 f = day * SECS_PER_DAY + sods[s];
			unsigned	 how = rnd(&seed) % 6;
			int64_t		 due = f * US;
			bool		 kept = false, closed;

			if (s == 2 && !weekend)
				continue;
			switch (how) {
			case 0:		/* finished on time */
				mkrec(&r, "1111111111111111", n++, HE_FINISHED,
				    rt->sessions[s].name, due, due + 600 * US,
				    600);
				kept = true;
				break;
			case 1:		/* done late in the window */
				mkrec(&r, "1111111111111111", n++, HE_DONE,
				    rt->sessions[s].name,
				    due + (win[s] - 60) * US,
				    due + win[s] * US, 300);
				kept = true;
				break;
			case 2:		/* done after the window closed */
				mkrec(&r, "1111111111111111", n++, HE_DONE,
				    rt->sessions[s].name,
				    due + (win[s] + 60) * US,
				    due + (win[s] + 90) * US, 120);
				break;
			case 3:
				mkrec(&r, "1111111111111111", n++, HE_SKIPPED,
				    rt->sessions[s].name, due, due, -1);
				break;
			case 4:
				mkrec(&r, "1111111111111111", n++, HE_MISSED,
				    rt->sessions[s].name, due,
				    due + win[s] * US, -1);
				break;
			default:	/* calfd was not running */
				r.at_us = -1;
				break;
			}
			if (f > now)
				continue;
			if (r.at_us >= 0) {
				append(&buf, &len, &r);
				/* A second copy of every tenth record, as a
				 * sync tool might leave. */
				if (n % 10 == 0)
					append(&buf, &len, &r);
			}
			if (di < 0)
				continue;
			if (r.at_us >= 0 && (r.event == HE_DONE ||
			    r.event == HE_FINISHED) && r.duration_s > 0 &&
			    r.at_us <= (int64_t)now * US)
				eprac[s] += r.duration_s;
			closed = (f + win[s]) <= now;
			if (!kept && !closed)
				continue;
			esched[s]++;
			dsch[di]++;
			if (kept) {
				ekept[s]++;
				dkept[di]++;
			}
		}
		if (rnd(&seed) % 3 == 0) {
			mkrec(&r, "2222222222222222", n++, HE_CRAMP, NULL, 0,
			    (day * SECS_PER_DAY + 3 * 3600) * US, -1);
			r.leg = "right";
			append(&buf, &len, &r);
			if (di >= 0) {
				dcramp[di]++;
				ecramps++;
			}
		}
	}

	hist_list_init(&l);
	assert_int_equal(hist_parse(buf, len, &l, &info), 0);
	assert_int_equal(info.bad, 0);
	hist_merge(&l);
	assert_int_equal(hist_stats(rt, &l, now, days, &st), 0);

	assert_int_equal(st.nsessions, 3);	/* "whenever" is untimed */
	for (int s = 0; s < 3; s++) {
		assert_string_equal(st.sessions[s].name, rt->sessions[s].name);
		assert_int_equal(st.sessions[s].scheduled, esched[s]);
		assert_int_equal(st.sessions[s].kept, ekept[s]);
		assert_int_equal(st.sessions[s].practised_s, eprac[s]);
	}
	assert_int_equal(st.ndays, days);
	for (int d = 0; d < days; d++) {
		assert_int_equal(st.days[d].day, DAY0 + NDAYS - days + d);
		assert_int_equal(st.days[d].scheduled, dsch[d]);
		assert_int_equal(st.days[d].kept, dkept[d]);
		assert_int_equal(st.days[d].cramps, dcramp[d]);
		if (dsch[d] == 0)
			continue;
		run = dkept[d] == dsch[d] ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	assert_int_equal(st.streak, run);
	assert_int_equal(st.longest, best);
	assert_int_equal(st.cramps, ecramps);
	/* Weeks end on the last day and add up to the period. */
	{
		unsigned	ws = 0, wc = 0;

		for (size_t k = 0; k < st.nweeks; k++) {
			ws += st.weeks[k].scheduled;
			wc += st.weeks[k].cramps;
		}
		assert_int_equal(st.weeks[st.nweeks - 1].first_day,
		    DAY0 + NDAYS - 7);
		assert_int_equal(ws, st.scheduled);
		assert_int_equal(wc, st.cramps);
	}
	hist_stats_free(&st);
	hist_list_free(&l);
	free(buf);
	routine_free(rt);
}

/* The doctor's threshold: three cramps a week two weeks running, or one
 * warm-water test that did not relieve. */
static void
test_doctor_threshold(void **unused)
{
	struct routine		*rt;
	struct errlist		 el;
	struct hist_list	 l;
	struct hist_stats	 st;
	struct hist_rec		 r;
	time_t			 now = (time_t)DAY0 * SECS_PER_DAY + 43200;
	unsigned		 n = 0;

	(void)unused;
	setenv("TZ", "UTC", 1);
	tzset();
	sched_zone_changed();
	errlist_init(&el);
	rt = routine_parse(routine_text, strlen(routine_text), "test", &el);
	assert_non_null(rt);
	errlist_free(&el);
	hist_list_init(&l);
	/* Three cramps in the last week, two in the week before. */
	for (int d = 0; d < 14; d++) {
		if (d % 2 != 0 && d != 13)
			continue;
		mkrec(&r, "3333333333333333", n++, HE_CRAMP, NULL, 0,
		    ((int64_t)(DAY0 - d) * SECS_PER_DAY + 3600) * US, -1);
		hist_list_add(&l, &r);
	}
	hist_merge(&l);
	assert_int_equal(hist_stats(rt, &l, now, 14, &st), 0);
	assert_int_equal(st.weeks[1].cramps, 4);	/* days 0,2,4,6 */
	assert_int_equal(st.weeks[0].cramps, 4);	/* 8,10,12,13 */
	assert_true(st.frequent_cramps);
	assert_true(st.see_doctor);
	hist_stats_free(&st);

	assert_int_equal(hist_stats(rt, &l, now, 7, &st), 0);
	assert_false(st.frequent_cramps);
	assert_false(st.see_doctor);
	hist_stats_free(&st);

	mkrec(&r, "3333333333333333", n++, HE_CRAMP_TEST, HIST_CRAMP_SESSION, 0,
	    ((int64_t)DAY0 * SECS_PER_DAY + 60) * US, -1);
	r.relieved = false;
	hist_list_add(&l, &r);
	hist_merge(&l);
	assert_int_equal(hist_stats(rt, &l, now, 7, &st), 0);
	assert_false(st.frequent_cramps);
	assert_true(st.see_doctor);
	assert_int_equal(st.tests_not_relieved, 1);
	hist_stats_free(&st);
	hist_list_free(&l);
	routine_free(rt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_newer_and_bad),
		cmocka_unit_test(test_torn_tail_every_offset),
		cmocka_unit_test(test_merge_two_devices),
		cmocka_unit_test(test_stats_60_days),
		cmocka_unit_test(test_doctor_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
