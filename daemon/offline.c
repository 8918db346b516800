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
		printf("%s\n", line);
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
		printf("%s %s\n", instant_format(out[i].at, buf, sizeof(buf)),
		    r->sessions[out[i].session].name);
	}
	free(out);
	routine_free(r);
	return (fflush(stdout) == 0 ? EX_OK : EX_IOERR);
}
