/*
 * test_timeutil.c: durations, times of day, instants and civil dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/timeutil.h"

/* Parses s as a duration that must be valid. */
static int64_t
dur_ok(const char *s)
{
	const char	*err = NULL;
	int64_t		 v = -1;

	if (dur_parse(s, &v, &err) != 0)
		fail_msg("dur_parse(\"%s\") failed: %s", s, err);
	return (v);
}

/* Checks s is refused with a message that mentions `hint`. */
static void
dur_bad(const char *s, const char *hint)
{
	const char	*err = NULL;
	int64_t		 v = 12345;

	if (dur_parse(s, &v, &err) != -1)
		fail_msg("dur_parse(\"%s\") accepted %lld", s, (long long)v);
	assert_non_null(err);
	if (strstr(err, hint) == NULL)
		fail_msg("dur_parse(\"%s\"): \"%s\" lacks \"%s\"", s, err, hint);
	assert_int_equal(v, 12345);
}

static void
test_dur_parse(void **state)
{
	(void)state;
	assert_int_equal(dur_ok("0"), 0);
	assert_int_equal(dur_ok("0s"), 0);
	assert_int_equal(dur_ok("90s"), 90);
	assert_int_equal(dur_ok("15m"), 900);
	assert_int_equal(dur_ok("1h30m"), 5400);
	assert_int_equal(dur_ok("2h"), 7200);
	assert_int_equal(dur_ok("1d"), 86400);
	assert_int_equal(dur_ok("1h30m15s"), 5415);
	assert_int_equal(dur_ok("1d2h3m4s"), 93784);
	assert_int_equal(dur_ok("366d"), 366 * 86400);
	assert_int_equal(dur_ok("8784h"), 366 * 86400);
	assert_int_equal(dur_ok("007m"), 420);

	dur_bad("", "like 90s");
	dur_bad("90", "unit");
	dur_bad("1h30", "unit");
	dur_bad("30m1h", "largest first");
	dur_bad("1m1m", "each once");
	dur_bad("1x", "unit");
	dur_bad("1H", "unit");
	dur_bad("-5m", "like 90s");
	dur_bad(" 5m", "like 90s");
	dur_bad("5m ", "like 90s");
	dur_bad("367d", "366d");
	dur_bad("366d1s", "366d");
	dur_bad("99999999999999999999999s", "366d");
	dur_bad("m", "like 90s");
}

static void
test_dur_format(void **state)
{
	char	 b[32];

	(void)state;
	assert_string_equal(dur_format(0, b, sizeof b), "0s");
	assert_string_equal(dur_format(90, b, sizeof b), "1m30s");
	assert_string_equal(dur_format(5400, b, sizeof b), "1h30m");
	assert_string_equal(dur_format(900, b, sizeof b), "15m");
	assert_string_equal(dur_format(86400, b, sizeof b), "1d");
	assert_string_equal(dur_format(93784, b, sizeof b), "1d2h3m4s");
	assert_string_equal(dur_format(-90, b, sizeof b), "-1m30s");
	assert_string_equal(dur_format(INT64_MIN, b, sizeof b),
	    "-106751991167300d15h30m8s");
	/* A short buffer is cut, never overrun. */
	assert_string_equal(dur_format(5415, b, 4), "1h3");
	/* Every formatted duration parses back to itself. */
	for (int64_t s = 0; s <= 366 * 86400; s += 3607) {
		const char	*err;
		int64_t		 v;

		dur_format(s, b, sizeof b);
		assert_int_equal(dur_parse(b, &v, &err), 0);
		assert_int_equal(v, s);
	}
}

static void
test_tod(void **state)
{
	const char	*err;
	char		 b[16];
	int		 v;

	(void)state;
	assert_int_equal(tod_parse("00:00", &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tod_parse("07:30", &v, &err), 0);
	assert_int_equal(v, 7 * 3600 + 30 * 60);
	assert_int_equal(tod_parse("7:30", &v, &err), 0);
	assert_int_equal(v, 7 * 3600 + 30 * 60);
	assert_int_equal(tod_parse("23:59:59", &v, &err), 0);
	assert_int_equal(v, 86399);
	assert_int_equal(tod_parse("21:15:30", &v, &err), 0);
	assert_int_equal(v, 21 * 3600 + 15 * 60 + 30);

	v = -7;
	assert_int_equal(tod_parse("24:00", &v, &err), -1);
	assert_non_null(strstr(err, "07:30"));
	assert_int_equal(tod_parse("12:60", &v, &err), -1);
	assert_int_equal(tod_parse("12:00:60", &v, &err), -1);
	assert_int_equal(tod_parse("12:0", &v, &err), -1);
	assert_int_equal(tod_parse("123:00", &v, &err), -1);
	assert_int_equal(tod_parse("12:00:", &v, &err), -1);
	assert_int_equal(tod_parse("12:00x", &v, &err), -1);
	assert_int_equal(tod_parse(":30", &v, &err), -1);
	assert_int_equal(tod_parse("", &v, &err), -1);
	assert_int_equal(tod_parse("12-00", &v, &err), -1);
	assert_int_equal(v, -7);

	assert_string_equal(tod_format(0, b, sizeof b), "00:00");
	assert_string_equal(tod_format(27000, b, sizeof b), "07:30");
	assert_string_equal(tod_format(86399, b, sizeof b), "23:59:59");
	assert_string_equal(tod_format(-1, b, sizeof b), "??:??");
	assert_string_equal(tod_format(86400, b, sizeof b), "??:??");
	for (int s = 0; s < 86400; s += 7) {
		tod_format(s, b, sizeof b);
		assert_int_equal(tod_parse(b, &v, &err), 0);
		assert_int_equal(v, s);
	}
}

/* Parses an instant that must be valid. */
static time_t
inst_ok(const char *s)
{
	const char	*err = NULL;
	time_t		 t = 0;

	if (instant_parse(s, &t, &err) != 0)
		fail_msg("instant_parse(\"%s\") failed: %s", s, err);
	return (t);
}

static void
test_instant_parse(void **state)
{
	const char	*err;
	time_t		 t;

	(void)state;
	assert_int_equal(inst_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(inst_ok("1970-01-01T00:00Z"), 0);
	assert_int_equal(inst_ok("1970-01-01 01:00+01:00"), 0);
	assert_int_equal(inst_ok("1970-01-01t01:00+0100"), 0);
	assert_int_equal(inst_ok("1970-01-01T01:00+01"), 0);
	assert_int_equal(inst_ok("1969-12-31T20:30-03:30"), 0);
	assert_int_equal(inst_ok("1970-01-01T00:00:00z"), 0);
	assert_int_equal(inst_ok("2026-03-29T01:30:00+01:00"), 1774744200);
	assert_int_equal(inst_ok("2026-03-29T00:30Z"), 1774744200);
	assert_int_equal(inst_ok("2024-02-29T12:00:00Z"), 1709208000);
	assert_int_equal(inst_ok("2000-02-29T00:00:00+05:30"),
	    951782400 - 19800);
	assert_int_equal(inst_ok("@0"), 0);
	assert_int_equal(inst_ok("@1774744200"), 1774744200);
	assert_int_equal(inst_ok("@-86400"), -86400);

	t = 42;
	assert_int_equal(instant_parse("2026-03-29T01:30:00", &t, &err), -1);
	assert_non_null(strstr(err, "zone"));
	assert_int_equal(instant_parse("2026-03-29T01:30:00+01:00x", &t,
	    &err), -1);
	assert_int_equal(instant_parse("2026-03-29T01:30:00Z ", &t, &err), -1);
	assert_int_equal(instant_parse("2026-13-01T00:00Z", &t, &err), -1);
	assert_non_null(strstr(err, "month"));
	assert_int_equal(instant_parse("2026-00-01T00:00Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-02-29T00:00Z", &t, &err), -1);
	assert_non_null(strstr(err, "day"));
	assert_int_equal(instant_parse("1900-02-29T00:00Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-31T00:00Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-00T00:00Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01T24:00Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01T23:60Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01T23:59:60Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01T23:59+24:00", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01T23:59+01:60", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01T23:59+1", &t, &err), -1);
	assert_int_equal(instant_parse("2026-04-01  23:59Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-4-01T23:59Z", &t, &err), -1);
	assert_int_equal(instant_parse("26-04-01T23:59Z", &t, &err), -1);
	assert_int_equal(instant_parse("", &t, &err), -1);
	assert_int_equal(instant_parse("@", &t, &err), -1);
	assert_int_equal(instant_parse("@-", &t, &err), -1);
	assert_int_equal(instant_parse("@12x", &t, &err), -1);
	assert_int_equal(instant_parse("@+12", &t, &err), -1);
	assert_int_equal(instant_parse("@99999999999999999999", &t, &err), -1);
	/* Instants outside the years 0000 to 9999 are refused, not printed
	 * with a fifth digit or a sign. */
	assert_int_equal(instant_parse("@253402300800", &t, &err), -1);
	assert_int_equal(instant_parse("@-62167219201", &t, &err), -1);
	assert_int_equal(instant_parse("@9223372036854775807", &t, &err), -1);
	assert_int_equal(inst_ok("@253402300799"), 253402300799LL);
	assert_int_equal(inst_ok("0000-01-01T00:00:00Z"), -62167219200LL);
	assert_int_equal(instant_parse("0000-01-01T00:00:00+00:01", &t, &err),
	    -1);
	/* A fraction of a second is dropped; an offset may carry seconds. */
	assert_int_equal(inst_ok("2026-03-29T00:30:00.5Z"), 1774744200);
	assert_int_equal(inst_ok("2026-03-29T00:30:00,999999+00:00"),
	    1774744200);
	assert_int_equal(instant_parse("2026-03-29T00:30:00.Z", &t, &err), -1);
	assert_int_equal(instant_parse("2026-03-29T00:30.5Z", &t, &err), -1);
	assert_int_equal(inst_ok("1971-01-01T07:00:00-00:44:30"), 31563870);
	assert_int_equal(instant_parse("2026-03-29T00:30:00+01:00:", &t, &err),
	    -1);
	assert_int_equal(instant_parse("2026-03-29T00:30:00+01:00:60", &t,
	    &err), -1);
	assert_int_equal(t, 42);
}

/* Sets the process zone for instant_format. */
static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_instant_format(void **state)
{
	char	 b[INSTANT_BUFSZ];

	(void)state;
	set_tz("UTC");
	assert_string_equal(instant_format(0, b, sizeof b),
	    "1970-01-01T00:00:00+00:00");
	assert_string_equal(instant_format(1774744200, b, sizeof b),
	    "2026-03-29T00:30:00+00:00");

	set_tz("Asia/Kolkata");
	assert_string_equal(instant_format(1774744200, b, sizeof b),
	    "2026-03-29T06:00:00+05:30");

	/* Newfoundland: -03:30 in winter, -02:30 in summer. */
	set_tz("America/St_Johns");
	assert_string_equal(instant_format(1767225600, b, sizeof b),
	    "2025-12-31T20:30:00-03:30");
	assert_string_equal(instant_format(1782864000, b, sizeof b),
	    "2026-06-30T21:30:00-02:30");

	/* Offsets with seconds (LMT) keep them, so the text is exact. */
	set_tz("Europe/Amsterdam");
	assert_string_equal(instant_format(-2208988800, b, sizeof b),
	    "1900-01-01T00:19:32+00:19:32");
	set_tz("Africa/Monrovia");
	assert_string_equal(instant_format(31563870, b, sizeof b),
	    "1971-01-01T07:00:00-00:44:30");

	/* What instant_format prints, instant_parse reads back. */
	set_tz("America/St_Johns");
	for (time_t t = 1700000000; t < 1800000000; t += 999983) {
		const char	*err;
		time_t		 u;

		instant_format(t, b, sizeof b);
		assert_int_equal(instant_parse(b, &u, &err), 0);
		assert_int_equal(u, t);
	}
	set_tz("Africa/Monrovia");
	for (time_t t = -2000000000; t < 100000000; t += 99999989) {
		const char	*err;
		time_t		 u;

		instant_format(t, b, sizeof b);
		assert_int_equal(instant_parse(b, &u, &err), 0);
		assert_int_equal(u, t);
	}
	set_tz("UTC");
}

static void
test_civil(void **state)
{
	int64_t	 y;
	int	 m, d;

	(void)state;
	assert_int_equal(civil_to_days(1970, 1, 1), 0);
	assert_int_equal(civil_to_days(1969, 12, 31), -1);
	assert_int_equal(civil_to_days(2000, 3, 1), 11017);
	assert_int_equal(civil_to_days(2026, 3, 29), 20541);
	assert_int_equal(days_weekday(0), 4);		/* Thursday */
	assert_int_equal(days_weekday(-1), 3);
	assert_int_equal(days_weekday(-7), 4);
	assert_int_equal(days_weekday(20541), 0);	/* a Sunday */
	days_to_civil(-719468, &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);

	/* Every day from 1600 to 2400 round-trips, in step with timegm. */
	int64_t	 prev = civil_to_days(1599, 12, 31);
	int	 wprev = days_weekday(prev);

	set_tz("UTC");
	for (int64_t days = civil_to_days(1600, 1, 1);
	    days <= civil_to_days(2400, 12, 31); days++) {
		struct tm	 tm;
		time_t		 t = (time_t)(days * 86400);

		days_to_civil(days, &y, &m, &d);
		assert_int_equal(civil_to_days(y, m, d), days);
		assert_int_equal(days, prev + 1);
		assert_int_equal(days_weekday(days), (wprev + 1) % 7);
		prev = days;
		wprev = days_weekday(days);
		if (days % 97 == 0) {
			assert_non_null(gmtime_r(&t, &tm));
			assert_int_equal(tm.tm_year + 1900, y);
			assert_int_equal(tm.tm_mon + 1, m);
			assert_int_equal(tm.tm_mday, d);
			assert_int_equal(tm.tm_wday, days_weekday(days));
		}
	}
	/* Far years work too. */
	days_to_civil(civil_to_days(-4713, 11, 24), &y, &m, &d);
	assert_int_equal(y, -4713);
	assert_int_equal(m, 11);
	assert_int_equal(d, 24);
	days_to_civil(civil_to_days(292277026, 12, 31), &y, &m, &d);
	assert_int_equal(y, 292277026);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dur_parse),
		cmocka_unit_test(test_dur_format),
		cmocka_unit_test(test_tod),
		cmocka_unit_test(test_instant_parse),
		cmocka_unit_test(test_instant_format),
		cmocka_unit_test(test_civil),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
