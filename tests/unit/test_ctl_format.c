/*
 * test_ctl_format.c: calfctl's pure text helpers (progress bar, clock,
 * spans, relative instants). The Makefile links unit tests with common/ and
 * daemon/ only, so the file under test is included whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ctl/format.c"

static void
test_bar(void **state)
{
	char	 b[64];

	(void)state;
	assert_string_equal(ctl_bar(0, 100, 10, b, sizeof b), "[----------]");
	assert_string_equal(ctl_bar(50, 100, 10, b, sizeof b), "[#####-----]");
	assert_string_equal(ctl_bar(99, 100, 10, b, sizeof b), "[#########-]");
	assert_string_equal(ctl_bar(100, 100, 10, b, sizeof b), "[##########]");
	assert_string_equal(ctl_bar(500, 100, 10, b, sizeof b), "[##########]");
	assert_string_equal(ctl_bar(-5, 100, 4, b, sizeof b), "[----]");
	assert_string_equal(ctl_bar(5, 0, 4, b, sizeof b), "[####]");
	/* 12:03 of 30m fills 8 of 20 cells. */
	assert_string_equal(ctl_bar(723, 1800, CTL_BAR_WIDTH, b, sizeof b),
	    "[########------------]");
	/* Too small a buffer truncates, never overflows. */
	assert_string_equal(ctl_bar(5, 10, 10, b, 5), "[###");
	assert_string_equal(ctl_bar(5, 10, 10, b, 1), "");
}

static void
test_clock(void **state)
{
	char	 b[32];

	(void)state;
	assert_string_equal(ctl_clock(0, b, sizeof b), "0:00");
	assert_string_equal(ctl_clock(5, b, sizeof b), "0:05");
	assert_string_equal(ctl_clock(723, b, sizeof b), "12:03");
	assert_string_equal(ctl_clock(3599, b, sizeof b), "59:59");
	assert_string_equal(ctl_clock(3723, b, sizeof b), "1:02:03");
	assert_string_equal(ctl_clock(-3, b, sizeof b), "0:00");
}

static void
test_span(void **state)
{
	char	 b[32];

	(void)state;
	assert_string_equal(ctl_span(0, true, b, sizeof b), "0s");
	assert_string_equal(ctl_span(45, true, b, sizeof b), "45s");
	assert_string_equal(ctl_span(60, true, b, sizeof b), "1m");
	assert_string_equal(ctl_span(61, true, b, sizeof b), "2m");
	assert_string_equal(ctl_span(61, false, b, sizeof b), "1m");
	assert_string_equal(ctl_span(777, true, b, sizeof b), "13m");
	assert_string_equal(ctl_span(3599, true, b, sizeof b), "1h00m");
	assert_string_equal(ctl_span(7500, true, b, sizeof b), "2h05m");
	assert_string_equal(ctl_span(7470, true, b, sizeof b), "2h05m");
	assert_string_equal(ctl_span(7470, false, b, sizeof b), "2h04m");
	assert_string_equal(ctl_span(86400 + 3 * 3600, false, b, sizeof b),
	    "1d03h");
	assert_string_equal(ctl_span(-10, true, b, sizeof b), "0s");
	/* Under a day never reads as a day, even rounded up. */
	assert_string_equal(ctl_span(86399, true, b, sizeof b), "24h00m");
	assert_string_equal(ctl_span(86340, true, b, sizeof b), "23h59m");
	assert_string_equal(ctl_span(86400, true, b, sizeof b), "1d00h");
	assert_string_equal(ctl_left(252, b, sizeof b), "4:12");
	assert_string_equal(ctl_left(599, b, sizeof b), "9:59");
	assert_string_equal(ctl_left(600, b, sizeof b), "10m");
	assert_string_equal(ctl_left(-3, b, sizeof b), "0:00");
}

/* 2026-11-22 (a Sunday) at the given local time, in UTC for the test. */
static time_t
at(int mday, int h, int m, int s)
{
	struct tm	 tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = mday,
	    .tm_hour = h, .tm_min = m, .tm_sec = s, .tm_isdst = -1 };

	return (mktime(&tm));
}

static void
test_when(void **state)
{
	time_t	 now = at(22, 20, 0, 0);
	char	 b[64];

	(void)state;
	assert_string_equal(ctl_when(at(22, 21, 0, 0), now, b, sizeof b),
	    "21:00");
	assert_string_equal(ctl_when(at(22, 21, 0, 30), now, b, sizeof b),
	    "21:00:30");
	assert_string_equal(ctl_when(at(23, 7, 30, 0), now, b, sizeof b),
	    "tomorrow 07:30");
	assert_string_equal(ctl_when(at(21, 21, 0, 0), now, b, sizeof b),
	    "yesterday 21:00");
	assert_string_equal(ctl_when(at(25, 9, 0, 0), now, b, sizeof b),
	    "Wed 09:00");
	assert_string_equal(ctl_when(at(29, 9, 0, 0), now, b, sizeof b),
	    "Sun 29 Nov 09:00");
	assert_string_equal(ctl_when(at(15, 9, 0, 0), now, b, sizeof b),
	    "Sun 15 Nov 09:00");
	assert_string_equal(ctl_when(at(30, 9, 0, 0), now, b, sizeof b),
	    "Mon 30 Nov 2026 09:00");
	assert_string_equal(ctl_when(at(14, 9, 0, 0), now, b, sizeof b),
	    "Sat 14 Nov 2026 09:00");
	/* A year ahead never reads as next week's date. */
	assert_string_equal(ctl_when(at(22, 20, 0, 0) + 365 * 86400, now, b,
	    sizeof b), "Mon 22 Nov 2027 20:00");
	assert_string_equal(ctl_date(at(22, 21, 0, 0), now, b, sizeof b),
	    "Sun 22 Nov 21:00");
	assert_string_equal(ctl_date(at(29, 21, 0, 0), now, b, sizeof b),
	    "Sun 29 Nov 21:00");
	assert_string_equal(ctl_date(at(30, 21, 0, 0), now, b, sizeof b),
	    "Mon 30 Nov 2026 21:00");
	/* Next week but next year: the year says so. */
	now = at(22, 20, 0, 0) + 37 * 86400;	/* Tue 29 Dec */
	assert_string_equal(ctl_date(now + 4 * 86400, now, b, sizeof b),
	    "Sat 02 Jan 2027 20:00");
}

/* Across a DST change a day is 23 or 25 hours; "tomorrow" must hold. */
static void
test_when_dst(void **state)
{
	struct tm	 a = { .tm_year = 126, .tm_mon = 2, .tm_mday = 28,
	    .tm_hour = 23, .tm_isdst = -1 };
	struct tm	 b = { .tm_year = 126, .tm_mon = 2, .tm_mday = 29,
	    .tm_hour = 23, .tm_isdst = -1 };
	char		 buf[64];

	(void)state;
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	assert_string_equal(ctl_when(mktime(&b), mktime(&a), buf, sizeof buf),
	    "tomorrow 23:00");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_us_to_time(void **state)
{
	(void)state;
	assert_int_equal(ctl_us_to_time(1999999), 1);
	assert_int_equal(ctl_us_to_time(0), 0);
	assert_int_equal(ctl_us_to_time(-1), -1);
	assert_int_equal(ctl_us_to_time(-1000000), -1);
	assert_int_equal(ctl_us_to_time(-1000001), -2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_when),
		cmocka_unit_test(test_when_dst),
		cmocka_unit_test(test_us_to_time),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
