/*
 * test_routine.c: the routine parser, its errors, the default routine, and
 * the key table against the docs. Run it from the top of the tree (as
 * `make check-unit` does): it reads doc/routine.md and config/routine.ini.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/routine.h"
#include "common/routine_file.h"
#include "common/routine_pool.h"
#include "common/routine_int.h"
#include "common/timeutil.h"

#define SRC	"test.ini"

/* Parses text that must be valid. */
static struct routine *
parse_ok(const char *text)
{
	struct errlist	 el;
	struct routine	*r;

	errlist_init(&el);
	r = routine_parse(text, strlen(text), SRC, &el);
	if (r == NULL || el.n != 0) {
		errlist_print(&el, stderr);
		fail_msg("routine did not parse");
	}
	errlist_free(&el);
	return (r);
}

/* Parses text (with its length, for NUL bytes) that must fail; the caller
 * frees the list. */
static void
parse_bad_len(const char *text, size_t len, struct errlist *el)
{
	struct routine	*r;

	errlist_init(el);
	r = routine_parse(text, len, SRC, el);
	if (r != NULL) {
		routine_free(r);
		fail_msg("routine parsed but should not have");
	}
	assert_true(el->n > 0);
}

/* True when some message is "test.ini:LINE: ..." and contains `what`. */
static int
has_error(const struct errlist *el, int line, const char *what)
{
	char	 prefix[64];

	snprintf(prefix, sizeof prefix, SRC ":%d: ", line);
	for (size_t i = 0; i < el->n; i++) {
		if (strncmp(el->msgs[i], prefix, strlen(prefix)) == 0 &&
		    strstr(el->msgs[i], what) != NULL)
			return (1);
	}
	return (0);
}

/* Checks text fails with exactly one error, at `line`, saying `what`. */
static void
one_error(const char *text, int line, const char *what)
{
	struct errlist	 el;

	parse_bad_len(text, strlen(text), &el);
	if (el.n != 1 || !has_error(&el, line, what)) {
		errlist_print(&el, stderr);
		fail_msg("wanted one error at line %d with \"%s\"", line, what);
	}
	errlist_free(&el);
}

static void
test_good_session(void **state)
{
	struct routine	*r;
	struct session	*s;

	(void)state;
	r = parse_ok(
	    "; comment\n"
	    "# another\n"
	    "[calfd]\n"
	    "quiet = 22:00-07:00\n"
	    "snooze = 15m\n"
	    "\n"
	    "[foot-soak]\n"
	    "title = Foot soak: warm\n"
	    "prompt = Fill the basin ; a comment\n"
	    "finish = Dry;keep warm\n"
	    "at = 21:00, 07:30:15 6:45\n"
	    "days = Monday-wed, FRI\n"
	    "duration = 25m..30m\n"
	    "cue = every 1m Switch feet.\n"
	    "cue = at 10m   Top up.  \n"
	    "start = auto\n"
	    "remind = 0\n"
	    "window = 2h\n"
	    "temperature = 40\n");
	assert_string_equal(r->source, SRC);
	assert_true(r->has_quiet);
	assert_int_equal(r->quiet_start, 22 * 3600);
	assert_int_equal(r->quiet_end, 7 * 3600);
	assert_int_equal(r->snooze, 900);
	assert_int_equal(r->nsessions, 1);
	s = routine_find(r, "foot-soak");
	assert_non_null(s);
	assert_null(routine_find(r, "foot"));
	assert_int_equal(s->line, 7);
	assert_string_equal(s->title, "Foot soak: warm");
	assert_string_equal(s->prompt, "Fill the basin");
	assert_string_equal(s->finish, "Dry;keep warm");
	assert_int_equal(s->ntimes, 3);
	assert_int_equal(s->times[0], 6 * 3600 + 45 * 60);
	assert_int_equal(s->times[1], 7 * 3600 + 30 * 60 + 15);
	assert_int_equal(s->times[2], 21 * 3600);
	assert_int_equal(s->every, 0);
	assert_int_equal(s->days, 0x2e);	/* mon tue wed fri */
	assert_int_equal(s->dur_min, 25 * 60);
	assert_int_equal(s->dur_max, 30 * 60);
	assert_int_equal(s->ncues, 2);
	assert_int_equal(s->cues[0].every, 60);
	assert_int_equal(s->cues[0].at, 0);
	assert_string_equal(s->cues[0].text, "Switch feet.");
	assert_int_equal(s->cues[0].line, 14);
	assert_int_equal(s->cues[1].at, 600);
	assert_int_equal(s->cues[1].every, 0);
	assert_string_equal(s->cues[1].text, "Top up.");
	assert_int_equal(s->start, START_AUTO);
	assert_int_equal(s->remind, 0);
	assert_int_equal(s->window, 7200);
	assert_true(s->has_temperature);
	assert_int_equal(s->temperature, 40);
	routine_free(r);
}

static void
test_defaults(void **state)
{
	struct routine	*r;
	struct session	*s;

	(void)state;
	r = parse_ok("[stretch]\nduration = 5m\n");
	assert_false(r->has_quiet);
	assert_int_equal(r->snooze, 600);
	s = &r->sessions[0];
	assert_string_equal(s->name, "stretch");
	assert_string_equal(s->title, "stretch");
	assert_null(s->prompt);
	assert_null(s->finish);
	assert_int_equal(s->ntimes, 0);
	assert_int_equal(s->days, DAYS_ALL);
	assert_int_equal(s->dur_min, 300);
	assert_int_equal(s->dur_max, 300);
	assert_int_equal(s->ncues, 0);
	assert_int_equal(s->start, START_MANUAL);
	assert_int_equal(s->remind, 300);
	assert_int_equal(s->window, 3600);
	assert_false(s->has_temperature);
	routine_free(r);
}

static void
test_days(void **state)
{
	static const struct {
		const char	*days;
		uint8_t		 mask;
	} cases[] = {
		{ "daily", DAYS_ALL },
		{ "weekdays", DAYS_WEEKDAYS },
		{ "WEEKENDS", DAYS_WEEKENDS },
		{ "mon-fri", DAYS_WEEKDAYS },
		{ "sat,sun", DAYS_WEEKENDS },
		{ "sun", 0x01 },
		{ "saturday", 0x40 },
		{ "mon, wed ,fri", 0x2a },
		{ "fri-mon", 0x63 },
		{ "sun-sat", DAYS_ALL },
		{ "thu-thu", 0x10 },
		{ "tue - thursday", 0x1c },
		{ "weekends, wed", 0x49 },
	};
	char	 buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct routine	*r;

		snprintf(buf, sizeof buf, "[x]\nat = 08:00\ndays = %s\n"
		    "duration = 1m\n", cases[i].days);
		r = parse_ok(buf);
		if (r->sessions[0].days != cases[i].mask)
			fail_msg("days = %s gave 0x%02x, not 0x%02x",
			    cases[i].days, r->sessions[0].days, cases[i].mask);
		routine_free(r);
	}
}

static void
test_interval(void **state)
{
	struct routine	*r;
	struct session	*s;

	(void)state;
	r = parse_ok("[water]\nevery = 2h\nbetween = 09:00-17:00\n"
	    "days = weekdays\nduration = 1m\n"
	    "[all-day]\nevery = 7h\nduration = 1m\n"
	    "[minute]\nevery = 1m\nduration = 30s\n"
	    "[odd]\nevery = 50m\nbetween = 10:00 - 11:45\nduration = 1m\n");
	s = routine_find(r, "water");
	assert_int_equal(s->every, 7200);
	assert_int_equal(s->between_start, 9 * 3600);
	assert_int_equal(s->between_end, 17 * 3600);
	assert_int_equal(s->ntimes, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(s->times[i], (int)(9 + 2 * i) * 3600);
	s = routine_find(r, "all-day");
	assert_int_equal(s->between_start, 0);
	assert_int_equal(s->between_end, 86399);
	assert_int_equal(s->ntimes, 4);
	assert_int_equal(s->times[3], 21 * 3600);
	s = routine_find(r, "minute");
	assert_int_equal(s->ntimes, ROUTINE_MAX_TIMES);
	assert_int_equal(s->times[ROUTINE_MAX_TIMES - 1], 86400 - 60);
	s = routine_find(r, "odd");
	assert_int_equal(s->ntimes, 3);
	assert_int_equal(s->times[2], 10 * 3600 + 100 * 60);
	routine_free(r);
}

static void
test_describe(void **state)
{
	struct routine	*r;
	char		 buf[256];

	(void)state;
	r = parse_ok("[ankle-circles]\nat = 21:00 07:30\nduration = 15m\n"
	    "[foot-soak]\nat = 20:00\nduration = 25m..30m\n"
	    "[calf-raises]\nduration = 5m\n"
	    "[water]\nevery = 2h\nbetween = 09:00-17:00\ndays = mon-fri\n"
	    "duration = 1m\n"
	    "[tick]\nevery = 90s\nduration = 1m\n"
	    "[odd]\nat = 06:00:30\ndays = sun,mon,sat\nduration = 90s\n");
	session_describe(&r->sessions[0], buf, sizeof buf);
	assert_string_equal(buf, "ankle-circles  at 07:30 21:00  daily  15m");
	session_describe(&r->sessions[1], buf, sizeof buf);
	assert_string_equal(buf, "foot-soak  at 20:00  daily  25m..30m");
	session_describe(&r->sessions[2], buf, sizeof buf);
	assert_string_equal(buf, "calf-raises  on demand  -  5m");
	session_describe(&r->sessions[3], buf, sizeof buf);
	assert_string_equal(buf,
	    "water  every 2h 09:00-17:00  weekdays  1m");
	session_describe(&r->sessions[4], buf, sizeof buf);
	assert_string_equal(buf, "tick  every 1m30s  daily  1m");
	session_describe(&r->sessions[5], buf, sizeof buf);
	assert_string_equal(buf, "odd  at 06:00:30  mon,sat,sun  1m30s");
	/* A small buffer is cut, never overrun. */
	session_describe(&r->sessions[0], buf, 10);
	assert_string_equal(buf, "ankle-cir");
	routine_free(r);
}

/* One broken file per error class, each with its line and its words. */
static void
test_error_classes(void **state)
{
	static const struct {
		const char	*text;
		int		 line;
		const char	*what;
	} cases[] = {
		{ "at = 07:30\n[s]\nduration = 1m\n", 1, "before any section" },
		{ "[s]\nduration = 1m\ncolour = red\n", 3,
		    "unknown key `colour` in [s]; a session takes title" },
		{ "[calfd]\nvolume = 3\n", 2, "[calfd] takes quiet, snooze" },
		{ "[calfd]\nat = 07:30\n", 2, "is a session key" },
		{ "[s]\n[t]\nduration = 1m\n", 1, "[s] is empty" },
		{ "[s]\nat = 07:30\n", 1, "has no `duration`" },
		{ "[Soak]\nduration = 1m\n", 1, "not a valid session name" },
		{ "[-soak]\nduration = 1m\n", 1, "not a valid session name" },
		{ "[]\nduration = 1m\n", 1, "not a valid session name" },
		{ "[s]\nduration = 1m\n[s]\nduration = 2m\n", 3,
		    "[s] already appears at line 1" },
		{ "[calfd]\n[calfd]\n", 2, "[calfd] already appears at line 1" },
		{ "[s]\nat = 07:30\nduration = 1m\nat = 08:00\n", 4,
		    "`at` already set at line 2" },
		{ "[s]\nat = 07:30\nduration = 1m\nevery = 1h\n", 4,
		    "`at` and `every` cannot both be set" },
		{ "[s]\nevery = 1h\nat = 07:30\nduration = 1m\n", 3,
		    "`at` and `every` cannot both be set (`every` is at line 2)" },
		{ "[s]\nduration = 1m\nbetween = 09:00-10:00\n", 3,
		    "`between` needs `every`" },
		{ "[s]\nduration = 1m\nevery = 1h\nbetween = 10:00-09:00\n", 4,
		    "ends before it starts" },
		{ "[s]\nduration = 1m\nevery = 1h\nbetween = 10:00\n", 4,
		    "not a range" },
		{ "[s]\nduration = 1m\nevery = 59s\n", 3, "too short" },
		{ "[s]\nduration = 1m\nevery = 1d1s\n", 3, "longer than a day" },
		{ "[s]\nat = 7:30pm\nduration = 1m\n", 2, "`7:30pm` is not a time" },
		{ "[s]\nat = 07:30 21:00 7:30\nduration = 1m\n", 2,
		    "lists 07:30 twice" },
		{ "[s]\nat = ,\nduration = 1m\n", 2, "has an empty item" },
		{ "[s]\nat = 12:00,\nduration = 1m\n", 2,
		    "`at = 12:00,` has an empty item" },
		{ "[s]\nat = 12:00,,13:00\nduration = 1m\n", 2,
		    "has an empty item" },
		{ "[s]\nat = 07:30\ndays = ,mon\nduration = 1m\n", 3,
		    "`days = ,mon` has an empty item" },
		{ "[s]\nat = 07:30\ndays = mon,funday\nduration = 1m\n", 3,
		    "unknown day `funday`" },
		{ "[s]\nat = 07:30\ndays = mon-xyz\nduration = 1m\n", 3,
		    "unknown day `xyz`" },
		{ "[s]\nat = 07:30\ndays = ,\nduration = 1m\n", 3,
		    "has an empty item" },
		{ "[s]\nduration = 15\n", 2, "needs a unit" },
		{ "[s]\nduration = 0\n", 2, "too short" },
		{ "[s]\nduration = 30m..25m\n", 2, "shorter length comes first" },
		{ "[s]\nduration = 30m..30m\n", 2, "both ends are the same" },
		{ "[s]\nduration = 25m...30m\n", 2,
		  "`duration = 25m...30m` is not a range" },
		{ "[s]\nduration = ..30m\n", 2, "`duration = ..30m` is not a range" },
		{ "[s]\nduration = 0..30m\n", 2, "more than zero" },
		{ "[s]\nduration = 5x..30m\n", 2, "`duration = 5x..30m`:" },
		{ "[s]\nduration = 5m\ncue = every 0m x\n", 3,
		  "`cue every 0m` never fires" },
		{ "[s]\nduration = 25m..\n", 2, "is not a range" },
		{ "[s]\nduration = 15m\ncue = at 16m late\n", 3,
		    "cue at 16m is beyond the session's 15m duration" },
		{ "[s]\ncue = every 15m x\nduration = 15m\n", 2,
		    "cue every 15m is beyond the session's 15m duration" },
		{ "[s]\nduration = 15m\ncue = at 0 x\n", 3, "never fires" },
		{ "[s]\nduration = 15m\ncue = at 5m\n", 3, "has no text" },
		{ "[s]\nduration = 15m\ncue = at\n", 3, "incomplete" },
		{ "[s]\nduration = 15m\ncue = after 5m hi\n", 3,
		    "starts with `at` or `every`, not `after`" },
		{ "[s]\nduration = 15m\ncue = at 5 hi\n", 3, "needs a unit" },
		{ "[s]\nduration = 15m\nstart = later\n", 3, "manual or auto" },
		{ "[s]\nduration = 15m\nremind = 30s\n", 3, "too short" },
		{ "[s]\nduration = 15m\nwindow = 0\n", 3, "too short" },
		{ "[s]\nduration = 15m\ntemperature = 61\n", 3, "0 to 60" },
		{ "[s]\nduration = 15m\ntemperature = -1\n", 3, "0 to 60" },
		{ "[s]\nduration = 15m\ntemperature = 40C\n", 3, "0 to 60" },
		{ "[calfd]\nquiet = 22:00-22:00\n", 2, "same time" },
		{ "[calfd]\nquiet = 22:00-25:00\n", 2, "time of day" },
		{ "[calfd]\nsnooze = 30s\n", 2, "too short" },
		{ "[s]\nduration: 15m\n", 2, "use '=' (not ':')" },
		{ "[s]\nduration = 15m\njust words\n", 3, "expected KEY = VALUE" },
		{ "[s]\nduration = 15m\nfoo ; = bar\n", 3, "expected KEY = VALUE" },
		{ "[s]\nduration = 15m\n= bar\n", 3, "no key before '='" },
		{ "[s]\nduration = 15m\ntitle =\n", 3, "`title` has no value" },
		{ "[s]\nduration = 15m\ntitle = ; only a comment\n", 3,
		    "has no value" },
		{ "[s\nduration = 15m\n", 1, "no closing ']'" },
		{ "[s] junk\nduration = 15m\n", 1, "unexpected `junk` after [s]" },
		{ "[s]\nduration = 15m\nprompt = a\n  continued\n", 4,
		    "expected KEY = VALUE" },
		{ "[s]\nduration = 15m\ntitle = a\x1b[1m\n", 3,
		    "control character 0x1b" },
		{ "[s]\nduration = 15m\ntitle = a\rb\n", 3,
		    "control character 0x0d" },
		{ "[s]\nduration = 15m\ntitle = caf\xe9\n", 3, "not valid UTF-8" },
		{ "[s]\nduration = 15m\ntitle = \xc0\xaf\n", 3, "not valid UTF-8" },
		{ "[s]\nduration = 15m\ntitle = \xed\xa0\x80\n", 3,
		    "not valid UTF-8" },
		{ "[s]\nduration = 15m\ntitle = \xe2\x82\n", 3, "not valid UTF-8" },
		{ "[global]\nquiet = 22:00-07:00\n", 1,
		    "unknown section [global]; global settings go in [calfd]" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct errlist	 el;

		parse_bad_len(cases[i].text, strlen(cases[i].text), &el);
		if (!has_error(&el, cases[i].line, cases[i].what)) {
			errlist_print(&el, stderr);
			fail_msg("case %zu: no \"%s\" at line %d", i,
			    cases[i].what, cases[i].line);
		}
		errlist_free(&el);
	}
}

static void
test_exactly_one_error(void **state)
{
	(void)state;
	/* Refused lines do not cascade into "no duration" or "empty". */
	one_error("[s]\nduration: 15m\n", 2, "use '='");
	one_error("[s\nduration = 15m\nat = 07:30\n", 1, "no closing");
	one_error("[s]\nat = 07:30\nduration = 15m\nat = 08:00\n", 4,
	    "already set");
	one_error("[s]\nduration = 5m\ncue = at 10m x\ncue = at 1m y\n", 3,
	    "beyond");
	/* [global] with quiet: the header, and the key, nothing else. */
	{
		struct errlist	 el;
		const char	*t = "[global]\nquiet = 22:00-07:00\n";

		parse_bad_len(t, strlen(t), &el);
		assert_int_equal(el.n, 2);
		assert_true(has_error(&el, 1, "unknown section [global]"));
		assert_true(has_error(&el, 2, "goes in [calfd]"));
		errlist_free(&el);
	}
}

static void
test_many_errors_in_order(void **state)
{
	struct errlist	 el;
	const char	*t =
	    "[soak]\n"			/* 1: no duration */
	    "at = 25:00\n"		/* 2 */
	    "days = someday\n"		/* 3 */
	    "colour = red\n"		/* 4 */
	    "[walk]\n"			/* 5: no duration */
	    "every = 1s\n"		/* 6 */
	    "[Bad]\n"			/* 7 */
	    "duration = 5m\n"
	    "[empty]\n";		/* 9 */
	static const int lines[] = { 1, 2, 3, 4, 5, 6, 7, 9 };
	char		 prefix[32];

	(void)state;
	parse_bad_len(t, strlen(t), &el);
	assert_int_equal(el.n, sizeof lines / sizeof lines[0]);
	for (size_t i = 0; i < el.n; i++) {
		snprintf(prefix, sizeof prefix, SRC ":%d: ", lines[i]);
		if (strncmp(el.msgs[i], prefix, strlen(prefix)) != 0)
			fail_msg("error %zu is \"%s\", wanted line %d", i,
			    el.msgs[i], lines[i]);
	}
	errlist_free(&el);
}

static void
test_long_lines(void **state)
{
	char		 buf[512];
	struct routine	*r;
	struct errlist	 el;
	int		 n;

	(void)state;
	/* Exactly 190 bytes is accepted, and kept whole. */
	n = snprintf(buf, sizeof buf, "[s]\nduration = 1m\ntitle = %0*d\n",
	    190 - 8, 0);
	r = parse_ok(buf);
	assert_int_equal(strlen(r->sessions[0].title), 182);
	routine_free(r);
	/* And with CRLF, the CR does not count. */
	snprintf(buf, sizeof buf, "[s]\r\nduration = 1m\r\ntitle = %0*d\r\n",
	    190 - 8, 0);
	r = parse_ok(buf);
	assert_int_equal(strlen(r->sessions[0].title), 182);
	routine_free(r);

	/* 191 bytes is refused, not cut. */
	n = snprintf(buf, sizeof buf, "[s]\nduration = 1m\ntitle = %0*d\n",
	    191 - 8, 0);
	parse_bad_len(buf, (size_t)n, &el);
	assert_int_equal(el.n, 1);
	assert_true(has_error(&el, 3,
	    "line is 191 bytes long; the longest accepted is 190"));
	errlist_free(&el);

	/* Far past inih's own 200-byte buffer, on the last line, no newline. */
	n = snprintf(buf, sizeof buf, "[s]\nduration = 1m\ntitle = %0*d",
	    400, 0);
	parse_bad_len(buf, (size_t)n, &el);
	assert_int_equal(el.n, 1);
	assert_true(has_error(&el, 3, "line is 408 bytes long"));
	errlist_free(&el);

	/* A long header is refused and its keys belong to no session. */
	n = snprintf(buf, sizeof buf, "[a]\nduration = 1m\n[%0*d]\n"
	    "duration = 2m\n", 200, 0);
	parse_bad_len(buf, (size_t)n, &el);
	assert_int_equal(el.n, 1);
	assert_true(has_error(&el, 3, "202 bytes long"));
	errlist_free(&el);
}

static void
test_nul_byte(void **state)
{
	static const char t[] = "[s]\nduration = 1m\ntitle = a\0b\n";
	struct errlist	 el;

	(void)state;
	parse_bad_len(t, sizeof t - 1, &el);
	assert_int_equal(el.n, 1);
	assert_true(has_error(&el, 3, "NUL byte"));
	errlist_free(&el);
}

static void
test_bom_crlf(void **state)
{
	struct routine	*r;
	struct errlist	 el;
	const char	*t;

	(void)state;
	r = parse_ok("\xef\xbb\xbf[s]\r\nat = 07:30\r\nduration = 15m\r\n"
	    "title = Soak\r\n");
	assert_string_equal(r->sessions[0].name, "s");
	assert_string_equal(r->sessions[0].title, "Soak");
	assert_int_equal(r->sessions[0].times[0], 27000);
	routine_free(r);
	/* No final newline. */
	r = parse_ok("[s]\nduration = 15m");
	assert_int_equal(r->sessions[0].dur_max, 900);
	routine_free(r);
	/* An empty (or cut-off) file must not silently mean no prompts. */
	parse_bad_len("", 0, &el);
	assert_true(has_error(&el, 1, "the routine has no sessions"));
	errlist_free(&el);
	t = "; only comments\n[calfd]\nsnooze = 5m\n";
	parse_bad_len(t, strlen(t), &el);
	assert_true(has_error(&el, 3, "the routine has no sessions"));
	errlist_free(&el);
	/* Line numbers stay right after a BOM and CRLF. */
	t = "\xef\xbb\xbf; c\r\n[s]\r\nduration = 1m\r\nbogus = 1\r\n";
	parse_bad_len(t, strlen(t), &el);
	assert_true(has_error(&el, 4, "unknown key `bogus`"));
	errlist_free(&el);
	/* A BOM anywhere else is just bytes, and "\xef\xbb\xbf[s]" is junk. */
	t = "[s]\nduration = 1m\n\xef\xbb\xbf[t]\nduration = 1m\n";
	parse_bad_len(t, strlen(t), &el);
	assert_true(has_error(&el, 3, "expected KEY = VALUE"));
	errlist_free(&el);
}

static void
test_source_name(void **state)
{
	struct errlist	 el;
	struct routine	*r;

	(void)state;
	errlist_init(&el);
	r = routine_parse("[s]\n", 4, "built-in", &el);
	assert_null(r);
	assert_int_equal(el.n, 1);
	assert_string_equal(el.msgs[0], "built-in:1: [s] is empty; a session "
	    "needs at least `duration`, and `at` or `every` to be timed");
	errlist_free(&el);
}

static void
test_builtin(void **state)
{
	struct errlist	 el;
	struct routine	*r;
	struct session	*s;

	(void)state;
	errlist_init(&el);
	r = routine_builtin(&el);
	errlist_print(&el, stderr);
	assert_non_null(r);
	assert_int_equal(el.n, 0);
	assert_string_equal(r->source, "built-in");
	s = routine_find(r, "ankle-circles");
	assert_non_null(s);
	assert_int_equal(s->ntimes, 2);
	assert_int_equal(s->dur_max, 15 * 60);
	s = routine_find(r, "foot-soak");
	assert_non_null(s);
	assert_int_equal(s->dur_min, 25 * 60);
	assert_int_equal(s->dur_max, 30 * 60);
	assert_int_equal(s->temperature, 40);
	assert_non_null(routine_find(r, "bedtime-heat"));
	assert_non_null(routine_find(r, "warm-up"));
	assert_non_null(routine_find(r, "calf-raises"));
	assert_non_null(routine_find(r, "stretching"));
	s = routine_find(r, "cramp-check");
	assert_non_null(s);
	assert_int_equal(s->ntimes, 0);
	routine_free(r);
	errlist_free(&el);
}

static void
test_locate(void **state)
{
	char		 dir[] = "/tmp/calf-test-XXXXXX", path[256];
	const char	*why;
	char		*p;
	FILE		*fp;
	struct errlist	 el;
	struct routine	*r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	unsetenv("CALFD_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", dir, 1);

	p = routine_locate("/x/given.ini", &why);
	assert_string_equal(p, "/x/given.ini");
	assert_string_equal(why, "from -c");
	free(p);

	setenv("CALFD_CONFIG", "/x/missing.ini", 1);
	p = routine_locate(NULL, &why);
	assert_string_equal(p, "/x/missing.ini");
	assert_string_equal(why, "from $CALFD_CONFIG");
	free(p);
	errlist_init(&el);
	assert_null(routine_open(NULL, &el));
	assert_int_equal(el.n, 1);
	assert_string_equal(el.msgs[0],
	    "/x/missing.ini: cannot open: No such file or directory");
	errlist_free(&el);
	unsetenv("CALFD_CONFIG");

	/* ~/.config/calf/routine.ini, only when it exists. */
	p = routine_locate(NULL, &why);
	if (p != NULL)	/* only /etc/calf/routine.ini could be found */
		assert_string_equal(why, "system-wide");
	else
		assert_string_equal(why, "no routine file found");
	free(p);
	snprintf(path, sizeof path, "%s/.config", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/.config/calf", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/.config/calf/routine.ini", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[home]\nduration = 1m\n", fp);
	fclose(fp);
	p = routine_locate(NULL, &why);
	assert_string_equal(p, path);
	assert_string_equal(why, "from ~/.config");
	free(p);
	errlist_init(&el);
	r = routine_open(NULL, &el);
	assert_non_null(r);
	assert_string_equal(r->source, path);
	assert_non_null(routine_find(r, "home"));
	routine_free(r);
	errlist_free(&el);

	/* $XDG_CONFIG_HOME replaces ~/.config. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	p = routine_locate(NULL, &why);
	assert_true(p == NULL || strcmp(why, "system-wide") == 0);
	free(p);
	snprintf(path, sizeof path, "%s/calf", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/calf/routine.ini", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[xdg]\nduration = 1m\n", fp);
	fclose(fp);
	p = routine_locate(NULL, &why);
	assert_string_equal(p, path);
	assert_string_equal(why, "from $XDG_CONFIG_HOME");
	free(p);

	/* A directory cannot be read as a routine. */
	errlist_init(&el);
	assert_null(routine_load(dir, &el));
	assert_int_equal(el.n, 1);
	assert_non_null(strstr(el.msgs[0], "not a regular file (a directory)"));
	errlist_free(&el);

	unlink(path);
	snprintf(path, sizeof path, "%s/calf", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/.config/calf/routine.ini", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/.config/calf", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/.config", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
}

static void
test_errlist(void **state)
{
	struct errlist	 el;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp;

	(void)state;
	errlist_init(&el);
	for (int i = 0; i < 100; i++)
		errlist_add(&el, "f:%d: error %d", i, i);
	assert_int_equal(el.n, 100);
	assert_string_equal(el.msgs[99], "f:99: error 99");
	assert_non_null(fp = open_memstream(&buf, &len));
	errlist_print(&el, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "f:0: error 0\nf:1: error 1\n"));
	free(buf);
	errlist_free(&el);
	assert_int_equal(el.n, 0);
	errlist_free(&el);
}

/* The pool: aligned blocks, packed strings, an allocation larger than a
 * block, and everything given back at once (ASan/valgrind see no leak). */
static void
test_pool(void **state)
{
	struct pool	*p;
	char		*s, *big;
	int		*v;

	(void)state;
	assert_non_null(p = pool_new());
	for (int i = 0; i < 100000; i++) {
		assert_non_null(s = pool_strdup(p, "ankle-circles"));
		assert_string_equal(s, "ankle-circles");
		assert_non_null(v = pool_alloc(p, 3 * sizeof *v));
		assert_int_equal((uintptr_t)v % _Alignof(max_align_t), 0);
		v[0] = v[1] = v[2] = i;
	}
	assert_non_null(big = pool_alloc(p, 3 * 1024 * 1024));
	memset(big, 1, 3 * 1024 * 1024);
	assert_non_null(s = pool_strdup(p, ""));
	assert_string_equal(s, "");
	pool_free(p);
	pool_free(NULL);
}

/* routine_find through the name index: every session of a file written in
 * no particular order, and names that are not there. */
static void
test_find_indexed(void **state)
{
	char		*buf, name[32];
	size_t		 cap = 600 * 40, off = 0;
	struct errlist	 el;
	struct routine	*r;

	(void)state;
	assert_non_null(buf = malloc(cap));
	for (int i = 0; i < 600; i++)
		off += (size_t)snprintf(buf + off, cap - off,
		    "[n%d]\nduration = 1m\n", (i * 337) % 600);
	errlist_init(&el);
	assert_non_null(r = routine_parse(buf, off, "test.ini", &el));
	assert_non_null(r->byname);
	for (int i = 0; i < 600; i++) {
		const struct session	*s;

		snprintf(name, sizeof name, "n%d", i);
		assert_non_null(s = routine_find(r, name));
		assert_string_equal(s->name, name);
		assert_ptr_equal(s, &r->sessions[(size_t)((i * 73) % 600)]);
	}
	assert_null(routine_find(r, "n600"));
	assert_null(routine_find(r, ""));
	assert_null(routine_find(r, "n"));
	routine_free(r);
	errlist_free(&el);
	free(buf);
}

static void
test_limits(void **state)
{
	char		*buf, *p;
	size_t		 cap = (ROUTINE_MAX_SESSIONS + 1) * 48;
	struct errlist	 el;
	struct routine	*r;

	(void)state;
	assert_non_null(buf = malloc(cap));
	p = buf;
	for (int i = 0; i < ROUTINE_MAX_SESSIONS; i++)
		p += sprintf(p, "[s%d]\nat = 08:00\nduration = 1m\n", i);
	errlist_init(&el);
	r = routine_parse(buf, (size_t)(p - buf), SRC, &el);
	assert_non_null(r);
	assert_int_equal(r->nsessions, ROUTINE_MAX_SESSIONS);
	routine_free(r);
	p += sprintf(p, "[one-more]\nduration = 1m\n");
	r = routine_parse(buf, (size_t)(p - buf), SRC, &el);
	assert_null(r);
	assert_int_equal(el.n, 1);
	assert_true(has_error(&el, 3 * ROUTINE_MAX_SESSIONS + 1,
	    "more than 10000 sessions"));
	errlist_free(&el);

	/* Something that is not a routine at all stops after 100 errors
	 * instead of costing a message per line. */
	p = buf + sprintf(buf, "[s]\nduration = 1m\n");
	for (int i = 0; i < 50000; i++)
		p += sprintf(p, "x\n");
	r = routine_parse(buf, (size_t)(p - buf), SRC, &el);
	assert_null(r);
	assert_int_equal(el.n, ROUTINE_MAX_ERRORS + 1);
	assert_true(has_error(&el, 3, "expected KEY = VALUE"));
	assert_true(has_error(&el, ROUTINE_MAX_ERRORS + 2,
	    "100 errors by this line; the rest of the file was not checked"));
	errlist_free(&el);
	free(buf);

	/* Section names go up to 64 bytes. */
	r = parse_ok("[a123456789012345678901234567890123456789012345678901"
	    "234567890123]\nduration = 1m\n");
	assert_int_equal(strlen(r->sessions[0].name), 64);
	routine_free(r);
	one_error("[a1234567890123456789012345678901234567890123456789012"
	    "345678901234]\nduration = 1m\n", 1, "not a valid session name");
}

/* The index of a key in keytab[], or -1. */
static int
key_index(const char *name)
{
	for (int i = 0; i < NKEYS; i++) {
		if (strcmp(keytab[i].name, name) == 0)
			return (i);
	}
	return (-1);
}

/*
 * The key table drives the parser, so a file describing the format must name
 * exactly its keys. match() picks the lines that name a key, copying it into
 * key[64]; it may set *sect (kept across lines) to check the key's section.
 */
static void
check_keys_named(const char *path,
    bool (*match)(const char *line, char *key, enum sect_kind *sect))
{
	FILE		*fp;
	char		*line = NULL, key[64];
	size_t		 cap = 0;
	bool		 seen[NKEYS] = { false };
	enum sect_kind	 sect = SECT_NONE;
	int		 i;

	/* The tests run from the top of the tree, as make check-unit does. */
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s: %s (run the unit tests from the top of the tree)",
		    path, strerror(errno));
	while (getline(&line, &cap, fp) != -1) {
		if (!match(line, key, &sect))
			continue;
		if ((i = key_index(key)) == -1)
			fail_msg("%s names `%s`, which the parser does not "
			    "know", path, key);
		if (sect != SECT_NONE && keytab[i].sect != sect)
			fail_msg("%s names `%s` in the wrong section", path,
			    key);
		seen[i] = true;
	}
	free(line);
	fclose(fp);
	for (i = 0; i < NKEYS; i++) {
		if (!seen[i])
			fail_msg("%s does not name `%s`", path, keytab[i].name);
	}
}

/* doc/routine.md lists keys as rows "| `KEY` | value | default |" of one
 * table per section. */
static bool
doc_key_row(const char *line, char *key, enum sect_kind *sect)
{
	if (strncmp(line, "## ", 3) == 0) {
		if (strcmp(line, "## [calfd] keys\n") == 0)
			*sect = SECT_CALFD;
		else if (strcmp(line, "## Session keys\n") == 0)
			*sect = SECT_SESSION;
		else
			*sect = SECT_NONE;
		return (false);
	}
	return (*sect != SECT_NONE &&
	    sscanf(line, "| `%63[a-z_-]` |", key) == 1);
}

/* config/routine.ini describes each key in a comment "; KEY = ...". */
static bool
ini_key_comment(const char *line, char *key, enum sect_kind *sect)
{
	int	 end = -1;

	(void)sect;
	return (line[0] == ';' &&
	    sscanf(line, "; %63[a-z_-] =%n", key, &end) == 1 && end != -1);
}

/* The reference lists every key, each in its section's table. */
static void
test_keys_in_doc(void **state)
{
	(void)state;
	check_keys_named("doc/routine.md", doc_key_row);
}

/* The default routine is where users learn the format. */
static void
test_keys_in_ini(void **state)
{
	(void)state;
	check_keys_named("config/routine.ini", ini_key_comment);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_session),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_error_classes),
		cmocka_unit_test(test_exactly_one_error),
		cmocka_unit_test(test_many_errors_in_order),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_source_name),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_errlist),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_find_indexed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_keys_in_doc),
		cmocka_unit_test(test_keys_in_ini),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
