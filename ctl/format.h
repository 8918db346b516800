/*
 * format.h: pure text helpers for calfctl's human output (progress bar,
 * durations as people read them, instants relative to now). Nothing here
 * reads the clock or writes anything; localtime() is the only outside input.
 */
#ifndef CALF_CTL_FORMAT_H
#define CALF_CTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CTL_BAR_WIDTH	20

/* "[#########-----------]": done/total of width cells between brackets;
 * total <= 0 or done >= total gives a full bar. Returns buf. */
char	*ctl_bar(int64_t done, int64_t total, int width, char *buf, size_t len);

/* Elapsed time as a clock: "0:05", "12:03", "1:02:03". Returns buf. */
char	*ctl_clock(int64_t secs, char *buf, size_t len);

/* A span as people say it: "45s", "13m", "2h05m", "1d03h". Spans of a
 * minute or more are whole minutes, rounded up when round_up (time left,
 * "in ..."), down otherwise ("... ago"). Negative spans count as zero. */
char	*ctl_span(int64_t secs, bool round_up, char *buf, size_t len);

/* Time left: "4:12" under ten minutes, else as ctl_span rounding up. */
char	*ctl_left(int64_t secs, char *buf, size_t len);

/* A local instant relative to now: "21:00" today, "tomorrow 07:30",
 * "yesterday 21:00", "Sun 21:00" within the coming week, else
 * "Sun 22 Nov 21:00", with the year ("Sun 22 Nov 2027 21:00") when more
 * than a week away or in another year. Seconds only when not zero. */
char	*ctl_when(time_t t, time_t now, char *buf, size_t len);

/* "Sun 22 Nov 21:00", always with the date, and the year as ctl_when
 * gives it. */
char	*ctl_date(time_t t, time_t now, char *buf, size_t len);

/* Columns a UTF-8 string takes, one per character (calf's own output
 * has no wide or combining characters). */
int	 ctl_width(const char *s);

/* Microseconds since the epoch to whole seconds, rounding toward the past. */
time_t	 ctl_us_to_time(int64_t us);

#endif
