/*
 * test_protocol.c: request lines as a hostile client might send them, the
 * reply shape, the result and event tables, the command table's checks
 * that come before any engine call, and where the socket lives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/proto.h"
#include "common/sockpath.h"
#include "daemon/commands.h"
#include "daemon/request.h"

/* Parses a C-string line; the result must be r. Returns the cause. */
static char *
parse_expect(const char *line, enum result r, struct request *req)
{
	char		*cause = NULL;
	enum result	 got;

	got = request_parse(line, strlen(line), req, &cause);
	if (got != r)
		fail_msg("%s: got %s (%s), want %s", line, result_code(got),
		    cause != NULL ? cause : "-", result_code(r));
	if (r != RES_SUCCESS)
		assert_non_null(cause);
	else
		assert_null(cause);
	return cause;
}

/* The line is refused with r, and the cause mentions hint. */
static void
bad(const char *line, enum result r, const char *hint)
{
	struct request	 req;
	char		*cause = parse_expect(line, r, &req);

	if (strstr(cause, hint) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", line, cause, hint);
	assert_null(req.root);
	assert_int_equal(req.argc, 0);
	free(cause);
}

static void
test_parse_ok(void **state)
{
	struct request	 req;

	(void)state;
	parse_expect("{\"command\": [\"snooze\", \"foot-soak\", \"10m\"], "
	    "\"request_id\": 7, \"protocol\": 1}", RES_SUCCESS, &req);
	assert_int_equal(req.argc, 3);
	assert_string_equal(req.argv[0], "snooze");
	assert_string_equal(req.argv[1], "foot-soak");
	assert_string_equal(req.argv[2], "10m");
	assert_true(req.has_id);
	assert_int_equal(req.id, 7);
	request_free(&req);

	/* Unknown keys are ignored; blanks and a '\r' around are fine. */
	parse_expect("  {\"command\":[\"status\"],\"extra\":{\"a\":[1]}}\r",
	    RES_SUCCESS, &req);
	assert_int_equal(req.argc, 1);
	assert_false(req.has_id);
	request_free(&req);

	/* The extremes of request_id that json-c can tell apart. */
	parse_expect("{\"command\":[\"status\"],"
	    "\"request_id\":9223372036854775807}", RES_SUCCESS, &req);
	assert_true(req.id == INT64_MAX);
	request_free(&req);
	parse_expect("{\"command\":[\"status\"],"
	    "\"request_id\":-9223372036854775807}", RES_SUCCESS, &req);
	assert_true(req.id == -INT64_MAX);
	request_free(&req);

	/* Eight strings, each up to 1024 bytes, and UTF-8 are allowed. */
	parse_expect("{\"command\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
	    "\"h\"]}", RES_SUCCESS, &req);
	assert_int_equal(req.argc, PROTO_MAX_ARGS);
	request_free(&req);
	parse_expect("{\"command\":[\"start\",\"f\xc3\xbc\xc3\x9f\"]}",
	    RES_SUCCESS, &req);
	request_free(&req);

	/* Nesting up to REQUEST_MAX_DEPTH (8) levels, the object included. */
	parse_expect("{\"a\":[[[[[[[1]]]]]]],\"command\":[\"version\"]}",
	    RES_SUCCESS, &req);
	request_free(&req);
}

static void
test_parse_bad_json(void **state)
{
	struct request	 req;
	char		*cause;

	(void)state;
	bad("", RES_BAD_JSON, "end of line");
	bad("{\"command\": [\"status\"]", RES_BAD_JSON, "end of line");
	bad("nonsense", RES_BAD_JSON, "bad JSON");
	bad("[\"status\"]", RES_BAD_JSON, "not a JSON object");
	bad("\"status\"", RES_BAD_JSON, "not a JSON object");
	bad("42", RES_BAD_JSON, "not a JSON object");
	bad("null", RES_BAD_JSON, "not a JSON object");
	bad("{\"command\":[\"status\"]} x", RES_BAD_JSON, "after the object");
	bad("{\"command\":[\"status\"]}{}", RES_BAD_JSON, "after the object");
	bad("{\"command\":[\"\xff\"]}", RES_BAD_JSON, "utf-8");
	bad("{\"a\":[[[[[[[[[[1]]]]]]]]]]}", RES_BAD_JSON, "too deep");
	bad("{\"a\":[[[[[[[[1]]]]]]]],\"command\":[\"version\"]}", RES_BAD_JSON,
	    "too deep");

	/* A NUL byte inside the line itself. */
	cause = NULL;
	assert_int_equal(request_parse("{\"command\":[\"st\0\"]}", 19, &req,
	    &cause), RES_BAD_JSON);
	assert_non_null(strstr(cause, "NUL"));
	free(cause);
}

static void
test_parse_bad_request(void **state)
{
	char	 line[PROTO_MAX_LINE + 64];
	char	 arg[REQUEST_MAX_ARG + 2];

	(void)state;
	bad("{}", RES_BAD_REQUEST, "no \"command\"");
	bad("{\"command\": \"status\"}", RES_BAD_REQUEST, "array of strings");
	bad("{\"command\": []}", RES_BAD_REQUEST, "empty");
	bad("{\"command\": [1]}", RES_BAD_REQUEST, "item 0");
	bad("{\"command\": [\"start\", null]}", RES_BAD_REQUEST, "item 1");
	bad("{\"command\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	    "\"i\"]}", RES_BAD_REQUEST, "at most 8");
	bad("{\"command\": [\"start\", \"a\\u0000b\"]}", RES_BAD_REQUEST,
	    "NUL");
	bad("{\"command\": [\"status\"], \"request_id\": \"7\"}",
	    RES_BAD_REQUEST, "request_id");
	bad("{\"command\": [\"status\"], \"request_id\": 7.5}",
	    RES_BAD_REQUEST, "request_id");
	bad("{\"command\": [\"status\"], \"request_id\": null}",
	    RES_BAD_REQUEST, "request_id");
	bad("{\"command\": [\"status\"], "
	    "\"request_id\": 9223372036854775808}", RES_BAD_REQUEST,
	    "out of range");
	bad("{\"command\": [\"status\"], "
	    "\"request_id\": -99999999999999999999}", RES_BAD_REQUEST,
	    "out of range");
	bad("{\"command\": [\"status\"], \"protocol\": \"1\"}",
	    RES_BAD_REQUEST, "protocol");

	/* One string over 1024 bytes. */
	memset(arg, 'x', sizeof arg - 1);
	arg[sizeof arg - 1] = '\0';
	snprintf(line, sizeof line, "{\"command\": [\"start\", \"%s\"]}", arg);
	bad(line, RES_BAD_REQUEST, "longer than 1024");

	/* A line over the limit, even if valid JSON. */
	memset(line, ' ', sizeof line);
	memcpy(line, "{\"command\":[\"status\"]}", 22);
	line[sizeof line - 1] = '\0';
	bad(line, RES_TOO_LONG, "4096");
}

static void
test_parse_protocol(void **state)
{
	struct request	 req;
	char		*cause;

	(void)state;
	cause = parse_expect("{\"command\": [\"status\"], \"protocol\": 2, "
	    "\"request_id\": 3}", RES_PROTOCOL, &req);
	assert_string_equal(cause,
	    "protocol mismatch: calfd speaks 1, client speaks 2");
	/* The id was good, so the error reply can echo it. */
	assert_true(req.has_id);
	assert_int_equal(req.id, 3);
	free(cause);

	/* The version is checked before the shape of "command". */
	cause = parse_expect("{\"cmd\": \"status\", \"protocol\": 0}",
	    RES_PROTOCOL, &req);
	free(cause);

	/* A bad request_id is not echoed. */
	cause = parse_expect("{\"command\": [\"status\"], \"request_id\": "
	    "\"x\"}", RES_BAD_REQUEST, &req);
	assert_false(req.has_id);
	free(cause);
}

static void
test_blank(void **state)
{
	(void)state;
	assert_true(request_blank("", 0));
	assert_true(request_blank(" \t\r", 3));
	assert_false(request_blank(" {}", 3));
}

/* Serialises o the way the daemon does, for comparing whole replies. */
static void
json_is(json_object *o, const char *want)
{
	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), want);
	json_object_put(o);
}

static void
test_reply(void **state)
{
	struct request	 req = { .has_id = true, .id = 7 };
	json_object	*data = json_object_new_object();

	(void)state;
	json_object_object_add(data, "x", json_object_new_int(1));
	json_is(reply_new(&req, RES_SUCCESS, "ignored", data),
	    "{\"request_id\":7,\"error\":\"success\",\"code\":\"success\","
	    "\"data\":{\"x\":1}}");
	json_is(reply_new(NULL, RES_UNKNOWN_SESSION,
	    "no session named \"foo\"", NULL),
	    "{\"error\":\"no session named \\\"foo\\\"\","
	    "\"code\":\"unknown-session\"}");
	req.has_id = false;
	json_is(reply_new(&req, RES_TOO_LONG, NULL, NULL),
	    "{\"error\":\"request line too long\",\"code\":\"too-long\"}");
}

static void
test_result_table(void **state)
{
	(void)state;
	for (int r = 0; r < RES__COUNT; r++) {
		assert_non_null(result_code(r));
		assert_non_null(result_message(r));
		assert_int_equal(result_from_code(result_code(r)), r);
		for (int s = 0; s < r; s++)
			assert_string_not_equal(result_code(r),
			    result_code(s));
	}
	assert_string_equal(result_code(RES__COUNT), "internal");
	assert_string_equal(result_code(-1), "internal");
	assert_int_equal(result_from_code("no-such"), RES_INTERNAL);
	assert_int_equal(result_from_code(NULL), RES_INTERNAL);
	assert_string_equal(result_code(RES_BAD_JSON), "bad-json");
	assert_string_equal(result_code(RES_NOT_DUE), "not-due");

	for (int k = 0; k < EV__COUNT; k++)
		assert_non_null(event_kind_name(k));
	assert_null(event_kind_name(EV__COUNT));
	assert_string_equal(event_kind_name(EV_DUE), "due");
	assert_string_equal(event_kind_name(EV_RELOADED), "reloaded");
}

/* Runs a command line through the table with no engine: only requests
 * refused before the engine is called may be used. */
static json_object *
run(const char *line, bool *watch)
{
	struct request	 req;
	struct cmd_ctx	 ctx = { .engine = NULL };
	json_object	*reply;
	char		*cause = NULL;

	assert_int_equal(request_parse(line, strlen(line), &req, &cause),
	    RES_SUCCESS);
	reply = commands_run(&ctx, &req);
	request_free(&req);
	if (watch != NULL)
		*watch = ctx.watch;
	return reply;
}

/* The reply's code is want and its message contains hint. */
static void
run_expect(const char *line, const char *want, const char *hint)
{
	json_object	*reply = run(line, NULL), *o;

	assert_true(json_object_object_get_ex(reply, "code", &o));
	if (strcmp(json_object_get_string(o), want) != 0)
		fail_msg("%s: code %s, want %s", line,
		    json_object_get_string(o), want);
	assert_true(json_object_object_get_ex(reply, "error", &o));
	if (strstr(json_object_get_string(o), hint) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", line,
		    json_object_get_string(o), hint);
	json_object_put(reply);
}

static void
test_commands(void **state)
{
	json_object	*reply, *data, *o;
	bool		 watch;
	char		 want[128];

	(void)state;
	run_expect("{\"command\":[\"fly\"]}", "unknown-command",
	    "unknown command \"fly\" (commands: status, agenda,");
	run_expect("{\"command\":[\"status\",\"x\"]}", "usage",
	    "usage: status");
	/* A bare start is the engine's to choose (tests/unit/test_engine.c). */
	run_expect("{\"command\":[\"start\",\"a\",\"b\"]}", "usage",
	    "usage: start [NAME]");
	run_expect("{\"command\":[\"show\"]}", "usage", "usage: show NAME");
	run_expect("{\"command\":[\"help\"]}", "unknown-command",
	    "unknown command \"help\"");
	run_expect("{\"command\":[\"snooze\",\"a\",\"b\",\"c\"]}", "usage",
	    "usage: snooze [NAME] [DURATION]");
	run_expect("{\"command\":[\"agenda\",\"0\"]}", "usage", "1 to 1000");
	run_expect("{\"command\":[\"agenda\",\"1001\"]}", "usage", "1 to 1000");
	run_expect("{\"command\":[\"agenda\",\"+5\"]}", "usage", "1 to 1000");
	run_expect("{\"command\":[\"agenda\",\"\"]}", "usage", "1 to 1000");
	run_expect("{\"command\":[\"pause\",\"0\"]}", "usage", "more than 0");
	run_expect("{\"command\":[\"pause\",\"1.5h\"]}", "usage",
	    "bad duration");
	run_expect("{\"command\":[\"pause\",\"until\"]}", "usage",
	    "pause until HH:MM");
	run_expect("{\"command\":[\"pause\",\"until\",\"25:00\"]}", "usage",
	    "bad time");
	run_expect("{\"command\":[\"pause\",\"for\",\"10m\"]}", "usage",
	    "expected a duration or until HH:MM, not \"for\"");

	reply = run("{\"command\":[\"version\"],\"request_id\":-4}", &watch);
	assert_false(watch);
	assert_true(json_object_object_get_ex(reply, "request_id", &o));
	assert_int_equal(json_object_get_int64(o), -4);
	assert_true(json_object_object_get_ex(reply, "data", &data));
	snprintf(want, sizeof want, "{\"version\":\"%s\",\"protocol\":%d,"
	    "\"pid\":%ld}", CALF_VERSION, PROTO_VERSION, (long)getpid());
	assert_string_equal(json_object_to_json_string_ext(data,
	    JSON_C_TO_STRING_PLAIN), want);
	json_object_put(reply);

	json_is(run("{\"command\":[\"watch\"],\"request_id\":1}", &watch),
	    "{\"request_id\":1,\"error\":\"success\",\"code\":\"success\","
	    "\"data\":{}}");
	assert_true(watch);
}

/* Sets or clears one variable of the environment. */
static void
env(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* sockpath_default gives want (NULL: refuses). */
static void
sockpath_is(const char *cli, const char *want)
{
	const char	*cause = NULL;
	char		*p = sockpath_default(cli, &cause);

	if (want == NULL) {
		assert_null(p);
		assert_non_null(cause);
		return;
	}
	assert_non_null(p);
	assert_string_equal(p, want);
	free(p);
}

static void
test_sockpath(void **state)
{
	const char	*noxdg = geteuid() == 0 ? "/run/calf/calfd.sock" : NULL;
	char		 longp[200];

	(void)state;
	env("CALFD_SOCKET", NULL);
	env("XDG_RUNTIME_DIR", "/run/user/1000");
	sockpath_is(NULL, "/run/user/1000/calf/calfd.sock");
	sockpath_is("/tmp/x.sock", "/tmp/x.sock");
	sockpath_is("", NULL);

	env("CALFD_SOCKET", "/tmp/env.sock");
	sockpath_is(NULL, "/tmp/env.sock");
	sockpath_is("/tmp/cli.sock", "/tmp/cli.sock");

	env("CALFD_SOCKET", "");
	sockpath_is(NULL, "/run/user/1000/calf/calfd.sock");

	env("CALFD_SOCKET", NULL);
	env("XDG_RUNTIME_DIR", NULL);
	sockpath_is(NULL, noxdg);
	env("XDG_RUNTIME_DIR", "");
	sockpath_is(NULL, noxdg);
	env("XDG_RUNTIME_DIR", "relative/dir");
	sockpath_is(NULL, noxdg);

	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = '\0';
	sockpath_is(longp, NULL);
	env("XDG_RUNTIME_DIR", longp);
	sockpath_is(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad_json),
		cmocka_unit_test(test_parse_bad_request),
		cmocka_unit_test(test_parse_protocol),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_result_table),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_sockpath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
