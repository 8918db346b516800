/*
 * test_cmdtab.c: the command table shared by calfd and calfctl, and the
 * parsing of arguments into a typed result; calfctl's escaping of what it
 * prints (included whole, as the Makefile links only common/ and daemon/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cmdtab.h"
#include "daemon/commands.h"
#include "ctl/escape.c"

/* Parses a command line given as words; returns the result, *cause kept
 * for the caller to check (freed here when hint is NULL). */
static enum result
parse(const char *const *words, int n, cmd_is_session_fn fn,
    struct cmd_args *a, const char *hint)
{
	const struct cmd_def	*d = cmdtab_find(words[0]);
	char			*cause = NULL;
	enum result		 r;

	assert_non_null(d);
	r = cmdtab_parse(d, n - 1, words + 1, fn, NULL, a, &cause);
	if (r == RES_SUCCESS)
		assert_null(cause);
	else {
		assert_non_null(cause);
		if (hint != NULL && strstr(cause, hint) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", words[0], cause,
			    hint);
	}
	free(cause);
	return r;
}

#define W(...)	((const char *const[]){ __VA_ARGS__ })
#define N(...)	((int)(sizeof(const char *[]){ __VA_ARGS__ } / sizeof(char *)))
#define OK(fn, a, ...)	assert_int_equal(parse(W(__VA_ARGS__), \
	N(__VA_ARGS__), fn, a, NULL), RES_SUCCESS)
#define BAD(hint, ...)	assert_int_equal(parse(W(__VA_ARGS__), \
	N(__VA_ARGS__), NULL, &a, hint), RES_USAGE)

/* Every row is findable by its name, has help, and every command calfd is
 * sent has a handler there (and local ones have none). */
static void
test_table(void **state)
{
	char	 names[256];

	(void)state;
	for (int i = 0; i < CMD_ID__COUNT; i++) {
		const struct cmd_def	*d = cmdtab_get(i);

		assert_non_null(d);
		assert_int_equal(d->id, i);
		assert_ptr_equal(cmdtab_find(d->name), d);
		assert_true(strlen(d->about) > 10);
		assert_true(cmdtab_min_args(d) <= cmdtab_max_args(d));
		assert_true(cmdtab_max_args(d) < PROTO_MAX_ARGS);
		assert_int_equal(commands_handles(i),
		    (d->flags & CMDF_LOCAL) == 0);
	}
	assert_null(cmdtab_get(CMD_ID__COUNT));
	assert_null(cmdtab_find("fly"));
	assert_null(cmdtab_find(NULL));
	assert_string_equal(cmdtab_args(cmdtab_find("snooze")),
	    "[NAME] [DURATION]");
	cmdtab_names(true, names, sizeof names);
	assert_non_null(strstr(names, "status, agenda, list, show, start"));
	assert_null(strstr(names, "help"));
	cmdtab_names(false, names, sizeof names);
	assert_non_null(strstr(names, ", help"));
	cmdtab_names(false, names, 8);
	assert_int_equal(strlen(names), 7);
}

static void
test_counts(void **state)
{
	struct cmd_args	 a;

	(void)state;
	OK(NULL, &a, "agenda");
	assert_int_equal(a.count, CMD_COUNT_DEFAULT);
	OK(NULL, &a, "agenda", "1000");
	assert_int_equal(a.count, 1000);
	OK(NULL, &a, "agenda", "0007");
	assert_int_equal(a.count, 7);
	BAD("from 1 to 1000", "agenda", "0");
	BAD("from 1 to 1000", "agenda", "1001");
	BAD("from 1 to 1000", "agenda", "+5");
	BAD("from 1 to 1000", "agenda", "1e3");
	BAD("from 1 to 1000", "agenda", "");
	BAD("from 1 to 1000", "agenda", "99999999999999999999");
	BAD("usage: agenda [N]", "agenda", "1", "2");
	BAD("usage: status", "status", "x");
}

/* A session that exists is called "10m"; nothing else does. */
static bool
has_10m(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "10m") == 0;
}

static bool
none(const char *name, void *arg)
{
	(void)name;
	(void)arg;
	return false;
}

static void
test_snooze(void **state)
{
	struct cmd_args	 a;

	(void)state;
	OK(none, &a, "snooze");
	assert_null(a.name);
	assert_int_equal(a.dur_s, 0);
	OK(none, &a, "snooze", "10m");
	assert_null(a.name);
	assert_int_equal(a.dur_s, 600);
	OK(has_10m, &a, "snooze", "10m");
	assert_string_equal(a.name, "10m");
	assert_int_equal(a.dur_s, 0);
	OK(none, &a, "snooze", "foot-soak");
	assert_string_equal(a.name, "foot-soak");
	OK(none, &a, "snooze", "foot-soak", "1h30m");
	assert_string_equal(a.name, "foot-soak");
	assert_int_equal(a.dur_s, 5400);
	/* Without the routine (calfctl) a well-formed word may be a name. */
	OK(NULL, &a, "snooze", "99999999h");
	assert_string_equal(a.name, "99999999h");
	/* Words that cannot be names get the duration's error. */
	BAD("bad duration \"1.5h\"", "snooze", "1.5h");
	BAD("bad duration \"10M\"", "snooze", "10M");
	BAD("bad duration", "snooze", "Foot");
	BAD("more than 0", "snooze", "a", "0m");
	BAD("bad duration \"5q\"", "snooze", "a", "5q");
	BAD("usage: snooze [NAME] [DURATION]", "snooze", "a", "b", "c");
	/* With the routine: a word that reads as a duration gone wrong. */
	assert_int_equal(parse(W("snooze", "99999999h"), 2, none, &a,
	    "bad duration \"99999999h\""), RES_USAGE);
	assert_int_equal(parse(W("snooze", "0"), 2, none, &a, "more than 0"),
	    RES_USAGE);
	OK(none, &a, "snooze", "1x");
	assert_string_equal(a.name, "1x");
	assert_true(cmd_looks_like_duration("12h30m"));
	assert_false(cmd_looks_like_duration("h1"));
	assert_false(cmd_looks_like_duration(""));
}

static void
test_pause(void **state)
{
	struct cmd_args	 a;

	(void)state;
	OK(NULL, &a, "pause");
	assert_false(a.until);
	assert_int_equal(a.dur_s, 0);
	OK(NULL, &a, "pause", "2h");
	assert_int_equal(a.dur_s, 7200);
	OK(NULL, &a, "pause", "until", "21:30");
	assert_true(a.until);
	assert_int_equal(a.until_sod, 21 * 3600 + 30 * 60);
	BAD("pause until HH:MM", "pause", "until");
	BAD("bad time \"25:00\"", "pause", "until", "25:00");
	BAD("not \"for\"", "pause", "for", "10m");
	/* A word that is not a duration names a running session. */
	OK(NULL, &a, "pause", "soon");
	assert_string_equal(a.name, "soon");
	assert_int_equal(a.dur_s, 0);
	BAD("bad duration \"1.5h\"", "pause", "1.5h");
	BAD("bad duration \"99999999h\"", "pause", "99999999h");
	BAD("more than 0", "pause", "0s");
	OK(NULL, &a, "resume", "soak");
	assert_string_equal(a.name, "soak");
	OK(NULL, &a, "extend", "5m");
	assert_null(a.name);
	assert_int_equal(a.dur_s, 300);
	OK(NULL, &a, "extend", "soak", "5m");
	assert_string_equal(a.name, "soak");
	BAD("usage: extend [NAME] DURATION", "extend");
	BAD("bad duration \"soak\"", "extend", "soak");
}

static void
test_names(void **state)
{
	struct cmd_args	 a;

	(void)state;
	OK(NULL, &a, "start");
	assert_null(a.name);
	OK(NULL, &a, "start", "foot-soak");
	assert_string_equal(a.name, "foot-soak");
	OK(NULL, &a, "show", "x");
	assert_string_equal(a.name, "x");
	BAD("usage: show NAME", "show");
	BAD("usage: done [NAME]", "done", "a", "b");
	OK(NULL, &a, "help", "snooze");
	assert_string_equal(a.name, "snooze");
}

static void
test_escape(void **state)
{
	char	 b[128];

	(void)state;
	assert_true(utf8_valid("Fußbad 42 °C"));
	assert_false(utf8_valid("\xff"));
	assert_false(utf8_valid("\xc0\xaf"));		/* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80"));	/* a surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80"));	/* past U+10FFFF */
	assert_false(utf8_valid("\xe2\x82"));		/* cut short */
	assert_string_equal(esc_str("a\033]0;pwned\007b", b, sizeof b),
	    "a\\x1b]0;pwned\\x07b");
	assert_string_equal(esc_str("line\nnext\ttab\x7f", b, sizeof b),
	    "line\\nnext\\ttab\\x7f");
	assert_string_equal(esc_str("\xc2\x9b" "31m", b, sizeof b),
	    "\\u009b31m");
	assert_string_equal(esc_str("\xe2\x80\xae" "abc\xe2\x80\xa8", b,
	    sizeof b), "\\u202eabc\\u2028");
	assert_string_equal(esc_str("bad\xff", b, sizeof b), "bad\\xff");
	assert_string_equal(esc_str("°C", b, sizeof b), "°C");
	/* Cut at a whole character or escape, never in the middle. */
	assert_string_equal(esc_str("ab\033", b, 4), "ab");
	assert_string_equal(esc_str("a°", b, 3), "a");
}

static void
test_escape_json(void **state)
{
	json_object	*o;

	(void)state;
	o = json_tokener_parse("{\"a\":\"x\\u001b[2J\",\"b\":[\"ok\","
	    "{\"c\":\"\\u202e\"}],\"n\":5}");
	assert_non_null(o);
	esc_json(o);
	assert_string_equal(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"a\":\"x\\\\x1b[2J\",\"b\":[\"ok\","
	    "{\"c\":\"\\\\u202e\"}],\"n\":5}");
	json_object_put(o);
}

/* history and stats: --days N and --session NAME, each once, in any
 * order; the defaults when absent; bounds per command. */
static void
test_history_options(void **state)
{
	struct cmd_args	 a;

	(void)state;
	OK(NULL, &a, "history");
	assert_int_equal(a.days, CMD_HISTORY_DAYS);
	assert_null(a.name);
	OK(NULL, &a, "history", "--session", "foot-soak", "--days", "3660");
	assert_int_equal(a.days, 3660);
	assert_string_equal(a.name, "foot-soak");
	OK(NULL, &a, "stats");
	assert_int_equal(a.days, CMD_STATS_DAYS);
	OK(NULL, &a, "stats", "--days", "366");
	assert_int_equal(a.days, 366);
	BAD("from 1 to 366", "stats", "--days", "367");
	BAD("from 1 to 3660", "history", "--days", "0");
	BAD("from 1 to 3660", "history", "--days", "1e3");
	BAD("unknown option \"--session\"", "stats", "--session", "x");
	BAD("unknown option \"--weeks\"", "stats", "--weeks", "2");
	BAD("--days needs a value", "history", "--days");
	BAD("--days given twice", "history", "--days", "1", "--days", "2");
	BAD("cannot be a session name", "history", "--session", "a b");
	BAD("usage: stats [--days N]", "stats", "--days", "1", "x", "y");
	assert_true(cmdtab_has_option(cmdtab_find("history"), "--session"));
	assert_false(cmdtab_has_option(cmdtab_find("stats"), "--session"));
	assert_false(cmdtab_has_option(cmdtab_find("snooze"), "--days"));
	assert_true(cmdtab_has_option(cmdtab_find("cramp"), "--note"));
}

/* cramp: options logging one, or test, or result and its word. */
static void
test_cramp(void **state)
{
	struct cmd_args	 a;

	(void)state;
	OK(NULL, &a, "cramp");
	assert_int_equal(a.cramp, CRAMP_LOG);
	assert_false(a.has_at);
	assert_null(a.leg);
	assert_null(a.note);
	OK(NULL, &a, "cramp", "--leg", "both", "--note", "-5 and cold",
	    "--at", "03:10");
	assert_string_equal(a.leg, "both");
	assert_string_equal(a.note, "-5 and cold");
	assert_true(a.has_at);
	assert_int_equal(a.at_sod, 3 * 3600 + 10 * 60);
	OK(NULL, &a, "cramp", "--at", "@1700000000");
	assert_true(a.has_at);
	assert_int_equal(a.at_sod, -1);
	assert_int_equal(a.at_s, 1700000000);
	OK(NULL, &a, "cramp", "test");
	assert_int_equal(a.cramp, CRAMP_TEST);
	OK(NULL, &a, "cramp", "result", "relieved");
	assert_int_equal(a.cramp, CRAMP_RESULT);
	assert_true(a.relieved);
	OK(NULL, &a, "cramp", "result", "not-relieved");
	assert_false(a.relieved);
	BAD("expected relieved or not-relieved", "cramp", "result", "maybe");
	BAD("usage: cramp result", "cramp", "result");
	BAD("usage: cramp test", "cramp", "test", "now");
	BAD("expected left, right or both", "cramp", "--leg", "middle");
	BAD("expected HH:MM or an instant", "cramp", "--at", "25:00");
	BAD("--note needs a value", "cramp", "--note");
	BAD("on one line", "cramp", "--note", "two\nlines");
	BAD("unknown option \"--days\"", "cramp", "--days", "2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_snooze),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_history_options),
		cmocka_unit_test(test_cramp),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
