/*
 * fuzz_parsers.c: the value parsers on any text: durations, times of day,
 * instants, and a `days` value inside a minimal session. What parses must
 * format back to text that parses to the same value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/timeutil.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_duration(const char *s)
{
	const char	*err;
	int64_t		 v, w;
	char		 buf[64];

	if (dur_parse(s, &v, &err) != 0)
		return;
	if (dur_parse(dur_format(v, buf, sizeof buf), &w, &err) != 0 || v != w)
		abort();
}

static void
check_tod(const char *s)
{
	const char	*err;
	int		 v, w;
	char		 buf[32];

	if (tod_parse(s, &v, &err) != 0)
		return;
	if (v < 0 || v >= 86400 ||
	    tod_parse(tod_format(v, buf, sizeof buf), &w, &err) != 0 || v != w)
		abort();
}

static void
check_instant(const char *s)
{
	const char	*err;
	time_t		 v, w;
	char		 buf[INSTANT_BUFSZ];

	if (instant_parse(s, &v, &err) != 0)
		return;
	if (v < INSTANT_MIN || v > INSTANT_MAX)
		abort();
	if (instant_parse(instant_format(v, buf, sizeof buf), &w, &err) != 0 ||
	    v != w)
		abort();
}

static void
check_days(const char *s)
{
	struct errlist	 errs;
	struct routine	*r;
	char		*text;
	int		 n;

	n = asprintf(&text, "[s]\nat = 09:00\nduration = 1m\ndays = %s\n", s);
	if (n == -1)
		return;
	errlist_init(&errs);
	r = routine_parse(text, (size_t)n, "fuzz.ini", &errs);
	errlist_free(&errs);
	routine_free(r);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size > 256 || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (strlen(s) == size && strchr(s, '\n') == NULL) {
		check_duration(s);
		check_tod(s);
		check_instant(s);
		check_days(s);
	}
	free(s);
	return 0;
}
