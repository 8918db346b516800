/*
 * offline.c: the calfd commands that answer from the routine file alone,
 * with no daemon, no socket and no clock but the one the user passes.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <time.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/routine_file.h"
#include "common/sched.h"
#include "common/timeutil.h"
#include "daemon/offline.h"

#define AGENDA_MAX	100000

/* Loads the routine the daemon would use, printing every error if it fails. */
static struct routine *
offline_load(const char *cli_path)
{
	struct errlist	 errs;
	struct routine	*r;

	errlist_init(&errs);
	if ((r = routine_open(cli_path, &errs)) == NULL)
		errlist_print(&errs, stderr);
	errlist_free(&errs);
	return (r);
}

/* Says which file was read, so a user editing the wrong one notices. */
int
offline_check_config(const char *cli_path)
{
	struct routine	*r;
	struct errlist	 warns;
	const char	*why;
	char		*path, line[1024];

	if ((r = offline_load(cli_path)) == NULL)
		return (EX_CONFIG);
	path = routine_locate(cli_path, &why);
	free(path);
	fprintf(stderr, "calfd: using routine %s (%s)\n", r->source, why);
	errlist_init(&warns);
	routine_warnings(r, &warns);
	errlist_print(&warns, stderr);
	errlist_free(&warns);
	for (size_t i = 0; i < r->nsessions; i++) {
		session_describe(&r->sessions[i], line, sizeof(line));
		fputs(line, stdout);
		putchar('\n');
	}
	routine_free(r);
	return (fflush(stdout) == 0 ? EX_OK : EX_IOERR);
}

/* Reads N strictly: digits only, 1 to AGENDA_MAX, so "10x" is refused. */
static int
count_parse(const char *s, size_t *n)
{
	size_t	 v = 0;

	if (s == NULL || *s == '\0')
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (size_t)(*s - '0');
		if (v > AGENDA_MAX)
			return (-1);
	}
	if (v == 0)
		return (-1);
	*n = v;
	return (0);
}

/* Two digits of v (0 to 99). */
static void
put2(char *p, long v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * instant_format's text for t, from the broken-down time the caller already
 * has: "2026-03-29T07:30:00+02:00", seconds added to an offset that has
 * them. Written digit by digit because an agenda of 10,000 lines spent a
 * third of its time in snprintf. Falls back to instant_format for a year
 * outside 0000-9999.
 */
static const char *
agenda_instant(time_t t, const struct tm *tm, char *buf, size_t len)
{
	long	 y = tm->tm_year + 1900L, off = tm->tm_gmtoff;
	char	*p = buf;

	if (y < 0 || y > 9999 || len < sizeof "0000-00-00T00:00:00+00:00:00")
		return (instant_format(t, buf, len));
	put2(p, y / 100);
	put2(p + 2, y % 100);
	p[4] = '-';
	put2(p + 5, tm->tm_mon + 1);
	p[7] = '-';
	put2(p + 8, tm->tm_mday);
	p[10] = 'T';
	put2(p + 11, tm->tm_hour);
	p[13] = ':';
	put2(p + 14, tm->tm_min);
	p[16] = ':';
	put2(p + 17, tm->tm_sec);
	p[19] = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	if (off / 3600 > 99)
		return (instant_format(t, buf, len));
	put2(p + 20, off / 3600);
	p[22] = ':';
	put2(p + 23, off / 60 % 60);
	p += 25;
	if (off % 60 != 0) {
		p[0] = ':';
		put2(p + 1, off % 60);
		p += 3;
	}
	*p = '\0';
	return (buf);
}

/* Prints what the daemon would do, so a routine can be checked in advance. */
int
offline_agenda(const char *cli_path, const char *count, const char *from)
{
	struct routine	*r;
	struct firing	*out;
	const char	*err;
	char		 buf[INSTANT_BUFSZ];
	size_t		 n;
	ssize_t		 got;
	time_t		 t;

	if (count_parse(count, &n) == -1) {
		fprintf(stderr, "calfd: --agenda %s: expected a number of "
		    "firings from 1 to %d\n", count == NULL ? "" : count,
		    AGENDA_MAX);
		return (EX_USAGE);
	}
	if (from == NULL)
		t = time(NULL);
	else if (instant_parse(from, &t, &err) == -1) {
		fprintf(stderr, "calfd: --from %s: %s\n", from, err);
		return (EX_USAGE);
	}
	if ((r = offline_load(cli_path)) == NULL)
		return (EX_CONFIG);
	if ((out = calloc(n, sizeof(*out))) == NULL ||
	    (got = sched_agenda(r, t, out, n)) == -1) {
		fprintf(stderr, "calfd: --agenda: out of memory\n");
		free(out);
		routine_free(r);
		return (EX_OSERR);
	}
	for (ssize_t i = 0; i < got; i++) {
		struct tm	tm;

		/* The line format has four digits for the year: the agenda
		 * ends with the year 9999. */
		if (localtime_r(&out[i].at, &tm) == NULL ||
		    tm.tm_year + 1900 > 9999)
			break;
		fputs(agenda_instant(out[i].at, &tm, buf, sizeof(buf)),
		    stdout);
		putchar(' ');
		fputs(r->sessions[out[i].session].name, stdout);
		putchar('\n');
	}
	free(out);
	routine_free(r);
	return (fflush(stdout) == 0 ? EX_OK : EX_IOERR);
}
