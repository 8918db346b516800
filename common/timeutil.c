/*
 * timeutil.c: durations, times of day and calendar instants as text.
 * Nothing here reads the clock; instant_format reads only the zone.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/timeutil.h"

#define DUR_MAX		(366 * (int64_t)SECS_PER_DAY)

static const char dur_expected[] =
    "expected a duration like 90s, 15m or 1h30m";
static const char tod_expected[] =
    "expected a time of day like 07:30 or 21:15:30 (00:00 to 23:59:59)";
static const char instant_expected[] =
    "expected an instant like 2026-03-29T07:30:00+01:00, 2026-03-29T06:30Z "
    "or @1774769400";

/* Reads exactly n digits, so fixed-width fields cannot swallow separators. */
static bool
digits(const char *s, int n, int *out)
{
	int	 v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (false);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (true);
}

/* Durations are written as the user says them: largest unit first. */
int
dur_parse(const char *s, int64_t *secs, const char **err)
{
	static const char	 units[] = "dhms";
	static const int64_t	 scale[] = { SECS_PER_DAY, 3600, 60, 1 };
	const char		*p = s;
	int64_t			 total = 0;
	int			 next = 0;	/* first unit still allowed */

	if (s == NULL || *s == '\0') {
		*err = dur_expected;
		return (-1);
	}
	if (strcmp(s, "0") == 0) {
		*secs = 0;
		return (0);
	}
	while (*p != '\0') {
		int64_t		 n = 0;
		const char	*u;
		int		 k;

		if (*p < '0' || *p > '9') {
			*err = dur_expected;
			return (-1);
		}
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p++ - '0');
			if (n > DUR_MAX) {
				*err = "a duration is at most 366d";
				return (-1);
			}
		}
		if (*p == '\0') {
			*err = "a duration needs a unit after each number "
			    "(d, h, m or s), like 90s, 15m or 1h30m";
			return (-1);
		}
		if ((u = strchr(units, *p)) == NULL) {
			*err = "unknown unit; a duration uses d, h, m and s, "
			    "like 90s, 15m or 1h30m";
			return (-1);
		}
		k = (int)(u - units);
		if (k < next) {
			*err = "units go largest first, each once "
			    "(d, h, m, s), like 1h30m";
			return (-1);
		}
		next = k + 1;
		p++;
		total += n * scale[k];
		if (total > DUR_MAX) {
			*err = "a duration is at most 366d";
			return (-1);
		}
	}
	*secs = total;
	return (0);
}

/* The inverse of dur_parse, so messages show durations as users type them. */
char *
dur_format(int64_t secs, char *buf, size_t len)
{
	static const char	 units[] = "dhms";
	static const uint64_t	 scale[] = { SECS_PER_DAY, 3600, 60, 1 };
	uint64_t		 v;
	size_t			 off = 0;

	if (len == 0)
		return (buf);
	buf[0] = '\0';
	if (secs == 0) {
		snprintf(buf, len, "0s");
		return (buf);
	}
	if (secs < 0) {
		v = (uint64_t)-(secs + 1) + 1;
		off = (size_t)snprintf(buf, len, "-");
	} else
		v = (uint64_t)secs;
	for (int k = 0; k < 4 && off < len; k++) {
		uint64_t	 n = v / scale[k];
		int		 w;

		if (n == 0)
			continue;
		v %= scale[k];
		w = snprintf(buf + off, len - off, "%llu%c",
		    (unsigned long long)n, units[k]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return (buf);
}

/* Times of day accept a one-digit hour, since people write 7:30. */
int
tod_parse(const char *s, int *sod, const char **err)
{
	int	 h, m, sec = 0;
	size_t	 hl;

	*err = tod_expected;
	if (s == NULL)
		return (-1);
	hl = strspn(s, "0123456789");
	if (hl < 1 || hl > 2 || s[hl] != ':')
		return (-1);
	if (!digits(s, (int)hl, &h) || !digits(s + hl + 1, 2, &m))
		return (-1);
	s += hl + 3;
	if (*s == ':') {
		if (!digits(s + 1, 2, &sec))
			return (-1);
		s += 3;
	}
	if (*s != '\0' || h > 23 || m > 59 || sec > 59)
		return (-1);
	*sod = h * 3600 + m * 60 + sec;
	return (0);
}

/* Shows seconds only when there are some, the way the user wrote the time. */
char *
tod_format(int sod, char *buf, size_t len)
{
	int	 h, m, s;

	if (sod < 0 || sod >= SECS_PER_DAY) {
		snprintf(buf, len, "??:??");
		return (buf);
	}
	h = sod / 3600;
	m = sod / 60 % 60;
	s = sod % 60;
	if (s != 0)
		snprintf(buf, len, "%02d:%02d:%02d", h, m, s);
	else
		snprintf(buf, len, "%02d:%02d", h, m);
	return (buf);
}

/* Reads "@EPOCH", checking for overflow of time_t. */
static int
epoch_parse(const char *s, time_t *t, const char **err)
{
	bool	 neg = false;
	int64_t	 v = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0') {
		*err = instant_expected;
		return (-1);
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			*err = instant_expected;
			return (-1);
		}
		if (v > (INT64_MAX - (*s - '0')) / 10) {
			*err = "the epoch number is too large";
			return (-1);
		}
		v = v * 10 + (*s - '0');
	}
	if (sizeof(time_t) < sizeof(int64_t) &&
	    (v > (int64_t)INT32_MAX)) {
		*err = "the epoch number is too large";
		return (-1);
	}
	if (neg)
		v = -v;
	if (v < INSTANT_MIN || v > INSTANT_MAX) {
		*err = "the instant must fall in the years 0000 to 9999 (UTC)";
		return (-1);
	}
	*t = (time_t)v;
	return (0);
}

/* Reads the zone designator: Z, or a sign and HH, HHMM, HH:MM or
 * HH:MM:SS. */
static int
offset_parse(const char *s, int *off)
{
	int	 sign, h, m = 0, sec = 0;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*off = 0;
		return (0);
	}
	if (s[0] != '+' && s[0] != '-')
		return (-1);
	sign = s[0] == '-' ? -1 : 1;
	if (!digits(s + 1, 2, &h))
		return (-1);
	s += 3;
	if (*s == ':')
		s++;
	if (*s != '\0') {
		if (!digits(s, 2, &m))
			return (-1);
		s += 2;
	}
	/* Seconds, as instant_format prints for local mean time. */
	if (s[0] == ':' && s[1] != '\0') {
		if (!digits(s + 1, 2, &sec) || sec > 59)
			return (-1);
		s += 3;
	}
	if (*s != '\0' || h > 23 || m > 59)
		return (-1);
	*off = sign * (h * 3600 + m * 60 + sec);
	return (0);
}

/* Instants always carry their offset, so reading one never consults a zone. */
int
instant_parse(const char *s, time_t *t, const char **err)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 y, mo, d, h, mi, sec = 0, off, ml;
	int64_t	 v;

	if (s == NULL) {
		*err = instant_expected;
		return (-1);
	}
	if (s[0] == '@')
		return (epoch_parse(s + 1, t, err));
	*err = instant_expected;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi))
		return (-1);
	s += 16;
	if (*s == ':') {
		if (!digits(s + 1, 2, &sec))
			return (-1);
		s += 3;
		/* A fraction is dropped: firings fall on whole seconds, so
		 * "after 07:30:00.5" and "after 07:30:00" name the same ones. */
		if ((*s == '.' || *s == ',') && s[1] >= '0' && s[1] <= '9')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
	}
	if (offset_parse(s, &off) == -1) {
		*err = "expected a zone after the time: Z, +HH:MM or -HH:MM "
		    "(like 2026-03-29T07:30:00+01:00)";
		return (-1);
	}
	if (mo < 1 || mo > 12) {
		*err = "the month must be 01 to 12";
		return (-1);
	}
	ml = mdays[mo - 1];
	if (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		ml = 29;
	if (d < 1 || d > ml) {
		*err = "no such day in that month";
		return (-1);
	}
	if (h > 23 || mi > 59 || sec > 59) {
		*err = "the time must be 00:00:00 to 23:59:59";
		return (-1);
	}
	v = civil_to_days(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 +
	    sec - off;
	if (v < INSTANT_MIN || v > INSTANT_MAX) {
		*err = "the instant must fall in the years 0000 to 9999 (UTC)";
		return (-1);
	}
	if (sizeof(time_t) < sizeof(int64_t) &&
	    (v > (int64_t)INT32_MAX || v < (int64_t)INT32_MIN)) {
		*err = "that instant does not fit this system's time_t";
		return (-1);
	}
	*t = (time_t)v;
	return (0);
}

/* Prints the instant as the local wall clock plus the offset in force then;
 * an offset with seconds (local mean time, Monrovia until 1972) keeps them,
 * so the text always names the exact instant. */
char *
instant_format(time_t t, char *buf, size_t len)
{
	struct tm	 tm;
	long		 off;
	char		 sign = '+';
	int		 n;

	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "@%lld", (long long)t);
		return (buf);
	}
	off = tm.tm_gmtoff;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	n = snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
	    off / 60 % 60);
	if (off % 60 != 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ":%02ld", off % 60);
	return (buf);
}

/*
 * Day counting in 400-year eras (the Gregorian cycle), so any year works
 * without tables or the C library's zone-dependent functions.
 */
int64_t
civil_to_days(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The inverse of civil_to_days, for turning local dates back into text. */
void
days_to_civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t	 z, era, doe, yoe, doy, mp;

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 1970-01-01 was a Thursday; the remainder is kept non-negative. */
int
days_weekday(int64_t days)
{
	int64_t	 w = (days + 4) % 7;

	return ((int)(w < 0 ? w + 7 : w));
}
