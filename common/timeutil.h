/*
 * timeutil.h: parsing and formatting of durations, times of day and
 * calendar instants. Pure functions: nothing here reads the clock.
 *
 * Units: durations and times of day are whole seconds (int64_t / int);
 * calendar instants are seconds since the epoch (time_t).
 * Every parser returns 0 on success, or -1 and points *err at a static
 * message that says what would be right.
 */
#ifndef CALF_TIMEUTIL_H
#define CALF_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SECS_PER_DAY 86400

/* "90s", "15m", "1h30m", "2h", "1d", "1h30m15s"; units d h m s in
 * decreasing order, each at most once; the result fits in 366 days. "0"
 * and "0s" are zero. */
int	dur_parse(const char *s, int64_t *secs, const char **err);

/* Shortest of the forms dur_parse reads: 90 -> "1m30s", 5400 -> "1h30m",
 * 0 -> "0s". Returns buf. */
char   *dur_format(int64_t secs, char *buf, size_t len);

/* "HH:MM" or "HH:MM:SS", 00:00 to 23:59:59, into seconds after midnight. */
int	tod_parse(const char *s, int *sod, const char **err);

/* "HH:MM" (or "HH:MM:SS" when the seconds are not zero). Returns buf. */
char   *tod_format(int sod, char *buf, size_t len);

/* ISO 8601 with an offset or Z ("2026-03-29T01:30:00+01:00",
 * "2026-03-29T00:30Z", seconds optional and a fraction of them dropped,
 * 'T' or one space), or "@EPOCH" (integer seconds, may be negative); in
 * the years 0000 to 9999 (UTC), INSTANT_MIN to INSTANT_MAX. */
#define INSTANT_MIN	(-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define INSTANT_MAX	253402300799LL		/* 9999-12-31T23:59:59Z */
int	instant_parse(const char *s, time_t *t, const char **err);

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" in the process's local zone, with that
 * instant's offset ("+00:00" for UTC; "+HH:MM:SS" for an offset with
 * seconds, as local mean time has, so the text is always exact).
 * buf needs INSTANT_BUFSZ bytes. Returns buf. */
#define INSTANT_BUFSZ 48
char   *instant_format(time_t t, char *buf, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian civil date, and back;
 * weekday 0 = Sunday like tm_wday. Pure arithmetic, no zone. */
int64_t	civil_to_days(int64_t y, int m, int d);
void	days_to_civil(int64_t days, int64_t *y, int *m, int *d);
int	days_weekday(int64_t days);

#endif
