/*
 * format.c: pure text helpers for calfctl's human output.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/format.h"

/* The bar fills by whole cells so it never claims more than is done. */
char *
ctl_bar(int64_t done, int64_t total, int width, char *buf, size_t len)
{
	int64_t	 fill;
	size_t	 o = 0;

	if (len == 0)
		return (buf);
	if (width < 1)
		width = 1;
	if (total <= 0 || done >= total)
		fill = width;
	else if (done <= 0)
		fill = 0;
	else
		fill = done * width / total;
	if (o + 1 < len)
		buf[o++] = '[';
	for (int i = 0; i < width && o + 1 < len; i++)
		buf[o++] = i < fill ? '#' : '-';
	if (o + 1 < len)
		buf[o++] = ']';
	buf[o] = '\0';
	return (buf);
}

/* A stopwatch reading is what a person glances at during a session. */
char *
ctl_clock(int64_t secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 3600)
		snprintf(buf, len, "%lld:%02d:%02d", (long long)(secs / 3600),
		    (int)(secs / 60 % 60), (int)(secs % 60));
	else
		snprintf(buf, len, "%d:%02d", (int)(secs / 60),
		    (int)(secs % 60));
	return (buf);
}

/* Rounding up for what is left means "1m left" never shows while 50 s remain
 * unsaid; rounding down for what is past keeps "5m ago" honest. */
char *
ctl_span(int64_t secs, bool round_up, char *buf, size_t len)
{
	int64_t	 m;

	if (secs < 0)
		secs = 0;
	if (secs < 60) {
		snprintf(buf, len, "%llds", (long long)secs);
		return (buf);
	}
	m = round_up ? (secs + 59) / 60 : secs / 60;
	if (m < 60)
		snprintf(buf, len, "%lldm", (long long)m);
	else if (secs < 24 * 3600)	/* 23h59m30s is "24h00m", not "1d00h" */
		snprintf(buf, len, "%lldh%02dm", (long long)(m / 60),
		    (int)(m % 60));
	else
		snprintf(buf, len, "%lldd%02dh", (long long)(m / (24 * 60)),
		    (int)(m / 60 % 24));
	return (buf);
}

/* Under ten minutes a glance wants the seconds too: "4:12"; longer
 * spans as ctl_span rounds them up. */
char *
ctl_left(int64_t secs, char *buf, size_t len)
{
	if (secs < 600)
		return (ctl_clock(secs, buf, len));
	return (ctl_span(secs, true, buf, len));
}

/* Days since the epoch of a broken-down local date, for day differences
 * that DST cannot skew. */
static long long
tm_days(const struct tm *tm)
{
	long long	 y = tm->tm_year + 1900LL, m = tm->tm_mon + 1;
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* "21:00" or "21:00:30". */
static void
hm(const struct tm *tm, char *buf, size_t len)
{
	if (tm->tm_sec != 0)
		snprintf(buf, len, "%02d:%02d:%02d", tm->tm_hour, tm->tm_min,
		    tm->tm_sec);
	else
		snprintf(buf, len, "%02d:%02d", tm->tm_hour, tm->tm_min);
}

/* "Sun 22 Nov", with the year when the date is more than a week from
 * now or in another year (as ls -l does), so a date a year off never
 * reads as next week's. */
static void
day_text(const struct tm *tt, const struct tm *tn, long long diff, char *buf,
    size_t len)
{
	if (diff > 7 || diff < -7 || tt->tm_year != tn->tm_year)
		strftime(buf, len, "%a %d %b %Y", tt);
	else
		strftime(buf, len, "%a %d %b", tt);
}

/* Near instants read best as a time of day; far ones need the date. */
char *
ctl_when(time_t t, time_t now, char *buf, size_t len)
{
	struct tm	 tt, tn;
	char		 clock[16], day[32];
	long long	 diff;

	if (localtime_r(&t, &tt) == NULL || localtime_r(&now, &tn) == NULL) {
		snprintf(buf, len, "@%lld", (long long)t);
		return (buf);
	}
	hm(&tt, clock, sizeof clock);
	diff = tm_days(&tt) - tm_days(&tn);
	if (diff == 0)
		snprintf(buf, len, "%s", clock);
	else if (diff == 1)
		snprintf(buf, len, "tomorrow %s", clock);
	else if (diff == -1)
		snprintf(buf, len, "yesterday %s", clock);
	else if (diff > 1 && diff < 7) {
		strftime(day, sizeof day, "%a", &tt);
		snprintf(buf, len, "%s %s", day, clock);
	} else {
		day_text(&tt, &tn, diff, day, sizeof day);
		snprintf(buf, len, "%s %s", day, clock);
	}
	return (buf);
}

/* The agenda lists days ahead, so every line names its day. */
char *
ctl_date(time_t t, time_t now, char *buf, size_t len)
{
	struct tm	 tt, tn;
	char		 day[32], clock[16];

	if (localtime_r(&t, &tt) == NULL || localtime_r(&now, &tn) == NULL) {
		snprintf(buf, len, "@%lld", (long long)t);
		return (buf);
	}
	day_text(&tt, &tn, tm_days(&tt) - tm_days(&tn), day, sizeof day);
	hm(&tt, clock, sizeof clock);
	snprintf(buf, len, "%s %s", day, clock);
	return (buf);
}

/* Floor division keeps instants before 1970 on the right second. */
time_t
ctl_us_to_time(int64_t us)
{
	int64_t	 s = us / 1000000;

	if (us % 1000000 < 0)
		s--;
	return ((time_t)s);
}

/* Continuation bytes take no column of their own. */
int
ctl_width(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
}
