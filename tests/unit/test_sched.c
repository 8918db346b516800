/*
 * test_sched.c: the scheduler's rule in real zones around their transitions,
 * sched_next's ordering, the heap and the agenda.
 *
 * Expected instants were worked out by hand from the zone rules and checked
 * against Python's zoneinfo; they are epoch seconds so a mistake in
 * formatting cannot hide one in the scheduler.
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

#include "common/routine.h"
#include "common/sched.h"
#include "common/timeutil.h"

#define HM(h, m)	((h) * 3600 + (m) * 60)

/* Every test states its zone, so order between tests does not matter. */
static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
	sched_zone_changed();
}

/* Dates in tests are written as the calendar shows them. */
static int64_t
day(int y, int m, int d)
{
	return (civil_to_days(y, m, d));
}

/* The rule for one date and time, or -1 for "no firing". */
static long long
fire(int y, int m, int d, int sod)
{
	time_t	 t;

	if (sched_local_instant(day(y, m, d), sod, &t) == -1)
		return (-1);
	return ((long long)t);
}

/* Sessions are built by hand so these tests need no parser. */
static void
mksession(struct session *s, const char *name, const int *times, size_t n,
    uint8_t days)
{
	memset(s, 0, sizeof(*s));
	s->name = (char *)name;
	s->title = (char *)name;
	s->ntimes = n;
	if (n > 0) {
		s->times = calloc(n, sizeof(*s->times));
		assert_non_null(s->times);
		memcpy(s->times, times, n * sizeof(*times));
	}
	s->days = days;
}

/* Frees what mksession allocated for a whole array. */
static void
freesessions(struct session *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].times);
}

/* A zone with no transitions is plain arithmetic. */
static void
test_utc_and_kolkata(void **state)
{
	(void)state;
	zone("UTC");
	assert_int_equal(fire(2026, 3, 29, HM(2, 30)), 1774751400LL);
	assert_int_equal(fire(1970, 1, 1, 0), 0);
	assert_int_equal(fire(1969, 12, 31, 86399), -1);
	zone("Asia/Kolkata");
	/* 2026-03-29T02:30+05:30 = 2026-03-28T21:00Z. */
	assert_int_equal(fire(2026, 3, 29, HM(2, 30)), 1774731600LL);
	assert_int_equal(fire(2026, 3, 29, 0), 1774722600LL);
}

/* Berlin: the gap 02:00-03:00 fires at 03:00, the repeat once, first. */
static void
test_berlin(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* Spring 2026-03-29 01:00Z: 02:00, 02:30 and 03:00 all at 03:00+02. */
	assert_int_equal(fire(2026, 3, 29, HM(2, 0)), 1774746000LL);
	assert_int_equal(fire(2026, 3, 29, HM(2, 30)), 1774746000LL);
	assert_int_equal(fire(2026, 3, 29, HM(2, 59) + 59), 1774746000LL);
	assert_int_equal(fire(2026, 3, 29, HM(3, 0)), 1774746000LL);
	assert_int_equal(fire(2026, 3, 29, HM(1, 59) + 59), 1774745999LL);
	assert_int_equal(fire(2026, 3, 29, HM(3, 1)), 1774746060LL);
	/* Fall 2026-10-25 01:00Z: 02:30 at 02:30+02 (00:30Z), not +01. */
	assert_int_equal(fire(2026, 10, 25, HM(2, 30)), 1792888200LL);
	assert_int_equal(fire(2026, 10, 25, HM(2, 0)), 1792886400LL);
	assert_int_equal(fire(2026, 10, 25, HM(3, 0)), 1792893600LL);
	/* 1996 (old rules, fall on the last Sunday of October too). */
	assert_int_equal(fire(1996, 10, 27, HM(2, 30)), 846376200LL);
}

/* New York: the same shape at 02:00 local, five hours west. */
static void
test_new_york(void **state)
{
	(void)state;
	zone("America/New_York");
	/* 2026-03-08 02:30 -> 03:00-04:00 = 07:00Z. */
	assert_int_equal(fire(2026, 3, 8, HM(2, 30)), 1772953200LL);
	/* 2026-11-01 01:30 first, EDT: 05:30Z. */
	assert_int_equal(fire(2026, 11, 1, HM(1, 30)), 1793511000LL);
	assert_int_equal(fire(2026, 11, 1, HM(2, 0)), 1793516400LL);
}

/* Lord Howe shifts by half an hour, so the gap and the repeat are 30 min. */
static void
test_lord_howe(void **state)
{
	(void)state;
	zone("Australia/Lord_Howe");
	/* 2026-10-04 02:00+10:30 -> 02:30+11: 02:15 fires at 15:30Z. */
	assert_int_equal(fire(2026, 10, 4, HM(2, 15)), 1791041400LL);
	assert_int_equal(fire(2026, 10, 4, HM(2, 30)), 1791041400LL);
	/* 2026-04-05 02:00+11 -> 01:30+10:30: 01:45 first, at +11. */
	assert_int_equal(fire(2026, 4, 5, HM(1, 45)), 1775313900LL);
}

/* Zones that change at midnight: the day starts late, or a day repeats. */
static void
test_midnight(void **state)
{
	(void)state;
	zone("America/Santiago");
	/* 2026-09-06 starts at 01:00-03: 00:00 and 00:30 fire then. */
	assert_int_equal(fire(2026, 9, 6, 0), 1788667200LL);
	assert_int_equal(fire(2026, 9, 6, HM(0, 30)), 1788667200LL);
	/* 2026-04-04 23:00-24:00 happens twice; 23:30 fires the first time. */
	assert_int_equal(fire(2026, 4, 4, HM(23, 30)), 1775356200LL);
	assert_int_equal(fire(2026, 4, 5, 0), 1775361600LL);

	zone("America/Havana");
	assert_int_equal(fire(2026, 3, 8, HM(0, 30)), 1772946000LL);
	assert_int_equal(fire(2026, 11, 1, HM(0, 30)), 1793507400LL);

	zone("Asia/Beirut");
	/* 2026-03-29 starts at 01:00+03 (22:00Z the day before). */
	assert_int_equal(fire(2026, 3, 29, HM(0, 15)), 1774735200LL);
	/* 2026-10-24 ends twice: 23:30 fires at +03; the 25th at 22:00Z. */
	assert_int_equal(fire(2026, 10, 24, HM(23, 30)), 1792873800LL);
	assert_int_equal(fire(2026, 10, 25, 0), 1792879200LL);

	zone("America/Sao_Paulo");
	assert_int_equal(fire(2018, 11, 4, 0), 1541300400LL);
	assert_int_equal(fire(2018, 2, 17, HM(23, 30)), 1518917400LL);
}

/* Samoa skipped 2011-12-30 entirely: nothing fires that date. */
static void
test_apia_skipped_day(void **state)
{
	struct session	 s;
	struct routine	 r;
	struct firing	 out[4];
	int		 noon = HM(12, 0);
	time_t		 from = 1325023200;	/* 2011-12-27T12:00-10:00 */

	(void)state;
	zone("Pacific/Apia");
	assert_int_equal(fire(2011, 12, 30, 0), -1);
	assert_int_equal(fire(2011, 12, 30, noon), -1);
	assert_int_equal(fire(2011, 12, 29, HM(23, 30)), 1325237400LL);
	assert_int_equal(fire(2011, 12, 31, 0), 1325239200LL);
	assert_int_equal(sched_local_day(1325239199), day(2011, 12, 29));
	assert_int_equal(sched_local_day(1325239200), day(2011, 12, 31));

	mksession(&s, "feed", &noon, 1, DAYS_ALL);
	memset(&r, 0, sizeof(r));
	r.sessions = &s;
	r.nsessions = 1;
	assert_int_equal(sched_agenda(&r, from, out, 4), 4);
	assert_int_equal(out[0].day, day(2011, 12, 28));
	assert_int_equal(out[1].day, day(2011, 12, 29));
	assert_int_equal(out[2].day, day(2011, 12, 31));
	assert_int_equal(out[3].day, day(2012, 1, 1));
	/* Two calendar days apart, but the day jumped: 24 hours apart. */
	assert_int_equal(out[2].at - out[1].at, 86400);
	freesessions(&s, 1);
}

/* A gap from 23:00 to 00:00 leaves 23:30 no instant on its own date. */
static void
test_gap_over_midnight(void **state)
{
	(void)state;
	zone("America/Nuuk");
	assert_int_equal(fire(2026, 3, 28, HM(23, 30)), -1);
	assert_int_equal(fire(2026, 3, 28, HM(22, 59)), 1774745940LL);
	assert_int_equal(fire(2026, 3, 29, 0), 1774746000LL);
	zone("Asia/Pyongyang");
	/* 2018-05-04 23:30+08:30 became 00:00+09 on the 5th. */
	assert_int_equal(fire(2018, 5, 4, HM(23, 45)), -1);
	assert_int_equal(fire(2018, 5, 4, HM(23, 29)), 1525445940LL);
}

/* The local date follows the zone, not UTC. */
static void
test_local_day(void **state)
{
	(void)state;
	zone("America/New_York");
	assert_int_equal(sched_local_day(1772953199), day(2026, 3, 8));
	assert_int_equal(sched_local_day(0), day(1969, 12, 31));
	zone("UTC");
	assert_int_equal(sched_local_day(-1), -1);
	assert_int_equal(sched_local_day(0), 0);
	assert_int_equal(sched_local_day(86399), 0);
}

/* Two slots in one gap fire together, ordered by slot, then tomorrow. */
static void
test_next_slot_ties(void **state)
{
	struct session	 s;
	struct firing	 f;
	int		 times[] = { HM(2, 0), HM(2, 30), HM(4, 0) };
	time_t		 gap_end = 1774746000;

	(void)state;
	zone("Europe/Berlin");
	mksession(&s, "calf", times, 3, DAYS_ALL);
	assert_int_equal(sched_next(&s, 7, gap_end - 1, SIZE_MAX, &f), 0);
	assert_int_equal(f.at, gap_end);
	assert_int_equal(f.slot, 0);
	assert_int_equal(f.session, 7);
	assert_int_equal(f.day, day(2026, 3, 29));
	assert_int_equal(sched_next(&s, 7, f.at, f.slot, &f), 0);
	assert_int_equal(f.at, gap_end);
	assert_int_equal(f.slot, 1);
	assert_int_equal(sched_next(&s, 7, f.at, f.slot, &f), 0);
	assert_int_equal(f.at, gap_end + 3600);
	assert_int_equal(f.slot, 2);
	/* Strictly after the gap's end skips both tied slots. */
	assert_int_equal(sched_next(&s, 7, gap_end, SIZE_MAX, &f), 0);
	assert_int_equal(f.slot, 2);
	assert_int_equal(sched_next(&s, 7, f.at, f.slot, &f), 0);
	assert_int_equal(f.day, day(2026, 3, 30));
	assert_int_equal(f.slot, 0);
	assert_int_equal(f.at, 1774828800);	/* 2026-03-30T02:00+02 */
	freesessions(&s, 1);
}

/* From inside Beirut's repeated hour the earlier date is already done. */
static void
test_next_repeat_over_midnight(void **state)
{
	struct session	 s;
	struct firing	 f;
	int		 t = HM(23, 45);

	(void)state;
	zone("Asia/Beirut");
	mksession(&s, "late", &t, 1, DAYS_ALL);
	/* 21:30Z is 23:30+02 on the 24th, the second time round. */
	assert_int_equal(sched_next(&s, 0, 1792877400, SIZE_MAX, &f), 0);
	assert_int_equal(f.day, day(2026, 10, 25));
	assert_int_equal(f.at, 1792964700);	/* 2026-10-25T23:45+02 */
	/* From before the first 23:45 the 24th still fires, at +03. */
	assert_int_equal(sched_next(&s, 0, 1792873800, SIZE_MAX, &f), 0);
	assert_int_equal(f.day, day(2026, 10, 24));
	assert_int_equal(f.at, 1792874700);
	freesessions(&s, 1);
}

/* Sessions due at the same instant come out in file order. */
static void
test_agenda_file_order(void **state)
{
	struct session	 s[3];
	struct routine	 r;
	struct firing	 out[9];
	int		 a[] = { HM(7, 0), HM(19, 0) };
	int		 b[] = { HM(7, 0) };
	int		 c[] = { HM(6, 0), HM(7, 0), HM(19, 0) };
	time_t		 from = 1767225600;	/* 2026-01-01T00:00Z */

	(void)state;
	zone("UTC");
	mksession(&s[0], "a", a, 2, DAYS_ALL);
	mksession(&s[1], "b", b, 1, DAYS_ALL);
	mksession(&s[2], "c", c, 3, DAYS_ALL);
	memset(&r, 0, sizeof(r));
	r.sessions = s;
	r.nsessions = 3;
	assert_int_equal(sched_agenda(&r, from, out, 9), 9);
	assert_int_equal(out[0].session, 2);	/* 06:00 c */
	assert_int_equal(out[1].session, 0);	/* 07:00 a, b, c */
	assert_int_equal(out[2].session, 1);
	assert_int_equal(out[3].session, 2);
	assert_int_equal(out[3].slot, 1);
	assert_int_equal(out[4].session, 0);	/* 19:00 a, c */
	assert_int_equal(out[5].session, 2);
	assert_int_equal(out[6].session, 2);	/* next day 06:00 */
	assert_int_equal(out[6].at, from + 86400 + HM(6, 0));
	for (int i = 1; i < 9; i++)
		assert_true(out[i - 1].at <= out[i].at);
	/* Strictly after: an agenda from 07:00 starts at 19:00. */
	assert_int_equal(sched_agenda(&r, from + HM(7, 0), out, 1), 1);
	assert_int_equal(out[0].at, from + HM(19, 0));
	freesessions(s, 3);
}

/* Day masks use the weekday of the local date, not of the UTC instant. */
static void
test_days_masks(void **state)
{
	struct session	 s[3];
	struct routine	 r;
	struct firing	 out[20];
	int		 t = HM(0, 30);
	ssize_t		 n;
	/* 2026-01-05 is a Monday; Kolkata's 00:30 is the day before in UTC. */
	time_t		 from = 1767551400 - 86400 * 7;

	(void)state;
	zone("Asia/Kolkata");
	mksession(&s[0], "weekdays", &t, 1, DAYS_WEEKDAYS);
	mksession(&s[1], "weekends", &t, 1, DAYS_WEEKENDS);
	mksession(&s[2], "wednesday", &t, 1, 1 << 3);
	memset(&r, 0, sizeof(r));
	r.sessions = s;
	r.nsessions = 3;
	n = sched_agenda(&r, from, out, 20);
	assert_int_equal(n, 20);
	for (ssize_t i = 0; i < n; i++) {
		int	 wd = days_weekday(out[i].day);

		assert_true(s[out[i].session].days & (1 << wd));
		assert_int_equal(sched_local_day(out[i].at), out[i].day);
		if (i > 0)
			assert_true(out[i - 1].at <= out[i].at);
	}
	/* A week holds 5 + 2 + 1 firings. */
	{
		int	 cnt[3] = { 0, 0, 0 };

		for (ssize_t i = 0; i < 16; i++)
			cnt[out[i].session]++;
		assert_int_equal(cnt[0], 10);
		assert_int_equal(cnt[1], 4);
		assert_int_equal(cnt[2], 2);
	}
	freesessions(s, 3);
}

/* An interval session is its grid of times; gaps hit some of them. */
static void
test_interval_slots(void **state)
{
	struct session	 s;
	struct routine	 r;
	struct firing	 out[13];
	int		 grid[13];
	time_t		 from = 1772928000;	/* 2026-03-08T00:00Z */

	(void)state;
	zone("America/New_York");
	/* every = 30m, between = 00:00-06:00 */
	for (int i = 0; i < 13; i++)
		grid[i] = i * 1800;
	mksession(&s, "check", grid, 13, DAYS_ALL);
	s.every = 1800;
	s.between_start = 0;
	s.between_end = HM(6, 0);
	memset(&r, 0, sizeof(r));
	r.sessions = &s;
	r.nsessions = 1;
	/* From 2026-03-07T19:00-05:00: the 8th's grid. */
	assert_int_equal(sched_agenda(&r, from, out, 13), 13);
	assert_int_equal(out[0].at, from + 5 * 3600);	/* 00:00-05 */
	assert_int_equal(out[4].at, from + 7 * 3600);	/* 02:00 -> 03:00-04 */
	assert_int_equal(out[5].at, from + 7 * 3600);	/* 02:30 -> 03:00-04 */
	assert_int_equal(out[6].at, from + 7 * 3600);	/* 03:00-04 */
	assert_int_equal(out[4].slot, 4);
	assert_int_equal(out[5].slot, 5);
	assert_int_equal(out[6].slot, 6);
	assert_int_equal(out[12].at, from + 10 * 3600);	/* 06:00-04 */
	freesessions(&s, 1);
}

/* Sessions without times never fire and never fill the heap. */
static void
test_on_demand(void **state)
{
	struct session	 s[2];
	struct routine	 r;
	struct firing	 out[4];
	struct sched	*sc;
	int		 t = HM(8, 0);

	(void)state;
	zone("UTC");
	mksession(&s[0], "walk", NULL, 0, DAYS_ALL);
	mksession(&s[1], "none", &t, 1, 0);
	memset(&r, 0, sizeof(r));
	r.sessions = s;
	r.nsessions = 2;
	assert_int_equal(sched_agenda(&r, 0, out, 4), 0);
	assert_non_null(sc = sched_new(&r, 0));
	assert_null(sched_peek(sc));
	sched_advance(sc);
	sched_free(sc);
	r.nsessions = 0;
	assert_int_equal(sched_agenda(&r, 0, out, 4), 0);
	freesessions(s, 2);
}

/* The heap agrees with every session's own sched_next, merged by hand. */
static void
test_heap_5000(void **state)
{
	enum { NS = 5000, NF = 20000 };
	struct session	*s;
	struct routine	 r;
	struct firing	*out, f, last;
	struct sched	*sc;
	size_t		*seen;
	time_t		 from = 1774656000;	/* 2026-03-28T00:00Z */

	(void)state;
	zone("Europe/Berlin");
	assert_non_null(s = calloc(NS, sizeof(*s)));
	assert_non_null(out = calloc(NF, sizeof(*out)));
	assert_non_null(seen = calloc(NS, sizeof(*seen)));
	for (int i = 0; i < NS; i++) {
		int	 t[2] = { (i * 37) % 86400, (i * 37) % 86400 + 60 };

		if (t[1] >= 86400)
			t[1] = t[0] - 60;
		if (t[1] < t[0]) {
			int x = t[0];
			t[0] = t[1];
			t[1] = x;
		}
		mksession(&s[i], "s", t, 1 + (i % 3 != 0), (uint8_t)(i % 2 ?
		    DAYS_ALL : DAYS_WEEKDAYS));
	}
	memset(&r, 0, sizeof(r));
	r.sessions = s;
	r.nsessions = NS;
	assert_int_equal(sched_agenda(&r, from, out, NF), NF);
	for (size_t i = 1; i < NF; i++) {
		const struct firing *p = &out[i - 1], *q = &out[i];

		assert_true(p->at < q->at || (p->at == q->at &&
		    (p->session < q->session || (p->session == q->session &&
		    p->slot < q->slot))));
	}
	/* Each session's firings are its own sched_next chain. */
	for (size_t i = 0; i < NS; i++)
		seen[i] = SIZE_MAX;
	for (size_t i = 0; i < NF; i++) {
		size_t	 k = out[i].session;
		time_t	 t = seen[k] == SIZE_MAX ? from : out[seen[k]].at;
		size_t	 sl = seen[k] == SIZE_MAX ? SIZE_MAX : out[seen[k]].slot;

		assert_int_equal(sched_next(&s[k], k, t, sl, &f), 0);
		assert_int_equal(f.at, out[i].at);
		assert_int_equal(f.slot, out[i].slot);
		assert_int_equal(f.day, out[i].day);
		seen[k] = i;
	}
	/* Walking the heap by hand gives the same list; rebase restarts it. */
	assert_non_null(sc = sched_new(&r, from));
	for (size_t i = 0; i < 100; i++) {
		assert_memory_equal(sched_peek(sc), &out[i], sizeof(f));
		sched_advance(sc);
	}
	last = *sched_peek(sc);
	sched_rebase(sc, from);
	assert_memory_equal(sched_peek(sc), &out[0], sizeof(f));
	sched_rebase(sc, out[99].at);
	/* out[100] may tie with out[99]; strictly after skips ties. */
	assert_true(sched_peek(sc)->at > out[99].at);
	assert_true(sched_peek(sc)->at >= last.at);
	sched_free(sc);
	freesessions(s, NS);
	free(s);
	free(out);
	free(seen);
}

/* A zone change after building the cache must be seen. */
static void
test_zone_change(void **state)
{
	(void)state;
	zone("UTC");
	assert_int_equal(fire(2026, 3, 29, HM(2, 30)), 1774751400LL);
	zone("Europe/Berlin");
	assert_int_equal(fire(2026, 3, 29, HM(2, 30)), 1774746000LL);
}

/* Elapsed seconds on the monotonic clock, for the figures below. */
static double
elapsed(const struct timespec *a)
{
	struct timespec	 b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((double)(b.tv_sec - a->tv_sec) +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e9);
}

/* Not a pass/fail test: prints what a 10000-firing agenda costs. */
static void
test_benchmark(void **state)
{
	enum { NF = 10000 };
	struct session	 s[6];
	struct routine	 r;
	struct firing	*out;
	struct timespec	 t0;
	int		 feed[] = { HM(6, 0), HM(12, 0), HM(18, 0) };
	int		 night[] = { HM(2, 30) };
	int		 grid[5] = { HM(9, 0), HM(11, 0), HM(13, 0), HM(15, 0),
			     HM(17, 0) };
	int		 wk[] = { HM(10, 0) };
	time_t		 from = 1767225600;
	double		 cold, warm;

	(void)state;
	assert_non_null(out = calloc(NF, sizeof(*out)));
	mksession(&s[0], "feed", feed, 3, DAYS_ALL);
	mksession(&s[1], "night", night, 1, DAYS_ALL);
	mksession(&s[2], "check", grid, 5, DAYS_WEEKDAYS);
	mksession(&s[3], "weigh", wk, 1, 1 << 1);
	mksession(&s[4], "walk", NULL, 0, DAYS_ALL);
	mksession(&s[5], "clean", feed + 1, 1, DAYS_WEEKENDS);
	memset(&r, 0, sizeof(r));
	r.sessions = s;
	r.nsessions = 6;
	zone("Europe/Berlin");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sched_agenda(&r, from, out, NF), NF);
	cold = elapsed(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sched_agenda(&r, from, out, NF), NF);
	warm = elapsed(&t0);
	/* The agenda spans more dates than the cache holds: both runs are cold. */
	print_message("sched_agenda: %d firings over %lld days in "
	    "Europe/Berlin: %.1f ms, %.1f ms again\n", NF,
	    (long long)(out[NF - 1].day - out[0].day), cold * 1e3, warm * 1e3);
	freesessions(s, 6);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc_and_kolkata),
		cmocka_unit_test(test_berlin),
		cmocka_unit_test(test_new_york),
		cmocka_unit_test(test_lord_howe),
		cmocka_unit_test(test_midnight),
		cmocka_unit_test(test_apia_skipped_day),
		cmocka_unit_test(test_gap_over_midnight),
		cmocka_unit_test(test_local_day),
		cmocka_unit_test(test_next_slot_ties),
		cmocka_unit_test(test_next_repeat_over_midnight),
		cmocka_unit_test(test_agenda_file_order),
		cmocka_unit_test(test_days_masks),
		cmocka_unit_test(test_interval_slots),
		cmocka_unit_test(test_on_demand),
		cmocka_unit_test(test_heap_5000),
		cmocka_unit_test(test_zone_change),
		cmocka_unit_test(test_benchmark),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
