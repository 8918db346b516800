/*
 * run.c: carrying out a command once its arguments are checked: one
 * request and its reply printed, watch's stream of events, -V; and how
 * each failure is told and which exit status it gets.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/proto.h"
#include "ctl/client.h"
#include "ctl/escape.h"
#include "common/jfield.h"
#include "ctl/human.h"
#include "ctl/run.h"

#ifndef CALF_VERSION
#define CALF_VERSION "0.0.0"
#endif

/* Messages to stderr always start with our name, like err(3), and are
 * escaped whole: they echo arguments and calfd's words. */
void
vwarnmsg(const char *fmt, va_list ap)
{
	char	 raw[2048], safe[2048 * 4];

	fflush(stdout);
	vsnprintf(raw, sizeof raw, fmt, ap);
	fprintf(stderr, "calfctl: %s\n", esc_str(raw, safe, sizeof safe));
}

void
warnmsg(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vwarnmsg(fmt, ap);
	va_end(ap);
}

/* A reader that went away (calfctl ... | head) is not an error worth a
 * word; any other failure to write stdout is. */
int
finish(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return (status);
		fprintf(stderr, "calfctl: stdout: %s\n", strerror(errno));
		return (status == 0 ? 1 : status);
	}
	return (status);
}

/* Every way of not reaching calfd ends here: one line, then 69. */
int
run_unreachable(const struct client *c)
{
	char	 why[256];

	client_strfail(c, why, sizeof why);
	switch (c->fail) {
	case CLIENT_CONNECT:
		if (c->err == EACCES || c->err == EPERM)
			warnmsg("cannot reach calfd at %s: %s; the socket or "
			    "its folder belongs to another user", c->path, why);
		else
			warnmsg("cannot reach calfd at %s: %s; start it with "
			    "`systemctl --user start calfd` or `calfd &`",
			    c->path, why);
		break;
	case CLIENT_IO:
	case CLIENT_EOF:
		if (!c->answered) {
			warnmsg("calfd at %s hung up without a word (%s); "
			    "calfd serves only its own user and root", c->path,
			    why);
			break;
		}
		warnmsg("calfd at %s: %s", c->path, why);
		break;
	case CLIENT_PEER:
		warnmsg("refusing to talk to %s: %s; that is not your calfd "
		    "(give yours with -s SOCKET)", c->path, why);
		break;
	case CLIENT_TIMEOUT:
		warnmsg("cannot reach calfd at %s: %s (CALFCTL_TIMEOUT); is "
		    "it stuck? `systemctl --user status calfd`", c->path, why);
		break;
	default:
		warnmsg("calfd at %s: %s", c->path, why);
		break;
	}
	return (EXIT_NODAEMON);
}

bool
reply_ok(json_object *reply)
{
	const char	*code = jstr(reply, F_CODE);
	const char	*err = jstr(reply, F_ERROR);

	if (code != NULL)
		return (strcmp(code, result_code(RES_SUCCESS)) == 0);
	return (err != NULL && strcmp(err, result_message(RES_SUCCESS)) == 0);
}

void
print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* On a protocol mismatch, ask calfd its version without claiming one of our
 * own, so the message can name both numbers. */
static void
say_versions(struct client *c, json_object *reply)
{
	static const char *const argv[] = { CMD_VERSION };
	json_object	*r, *data, *v;

	r = client_request(c, argv, 1, true, NULL, NULL);
	if (r != NULL && reply_ok(r) &&
	    json_object_object_get_ex(r, F_DATA, &data) &&
	    json_object_object_get_ex(data, F_PROTOCOL, &v) &&
	    json_object_is_type(v, json_type_int)) {
		const char	*ver = jstr(data, F_VERSION);

		warnmsg("protocol mismatch: calfctl %s speaks protocol %d, "
		    "calfd %s speaks protocol %d; use a calfctl from the same "
		    "release as calfd", CALF_VERSION, PROTO_VERSION,
		    ver != NULL ? ver : "?", json_object_get_int(v));
	} else
		warnmsg("protocol mismatch: calfctl speaks protocol %d, calfd "
		    "said: %s", PROTO_VERSION, jstr(reply, F_ERROR) ?
		    jstr(reply, F_ERROR) : "?");
	json_object_put(r);
}

/* A refusal: the whole reply as JSON if asked, the reason on stderr,
 * every routine error for a failed reload. */
int
refused(struct client *c, const struct ctl_opts *o, json_object *reply)
{
	const char	*code = jstr(reply, F_CODE);
	const char	*err = jstr(reply, F_ERROR);
	json_object	*data, *errs;

	if (o->json)
		print_json(reply);
	if (code != NULL && strcmp(code, result_code(RES_PROTOCOL)) == 0) {
		say_versions(c, reply);
		return (EXIT_REFUSED);
	}
	if (json_object_object_get_ex(reply, F_DATA, &data) &&
	    json_object_object_get_ex(data, F_ERRORS, &errs) &&
	    json_object_is_type(errs, json_type_array)) {
		esc_json(errs);		/* a routine's lines, echoed */
		fflush(stdout);
		for (size_t i = 0; i < json_object_array_length(errs); i++) {
			json_object	*e = json_object_array_get_idx(errs, i);

			if (json_object_is_type(e, json_type_string))
				fprintf(stderr, "%s\n",
				    json_object_get_string(e));
		}
	}
	warnmsg("%s", err != NULL ? err : result_message(
	    result_from_code(code)));
	/* A usage error is the caller's, whichever side noticed it. */
	if (code != NULL && strcmp(code, result_code(RES_USAGE)) == 0)
		return (EXIT_USAGE);
	return (EXIT_REFUSED);
}

/* Success: data as one JSON line, or the command's printer. */
static void
succeeded(const struct ctl_opts *o, printer_fn print, json_object *reply)
{
	json_object	*data = NULL, *empty = NULL;

	if (!json_object_object_get_ex(reply, F_DATA, &data) ||
	    !json_object_is_type(data, json_type_object))
		data = empty = json_object_new_object();
	if (o->format != BAR_NONE)
		bar_print(o->format, data, o->out.utf8, 3);
	else if (o->json)
		print_json(data);
	else if (print != NULL) {
		esc_json(data);
		print(&o->out, data);
	}
	json_object_put(empty);
}

/* Whether a boolean field of the reply says false. */
static bool
said_false(json_object *reply, const char *key)
{
	json_object	*v;

	return (json_object_object_get_ex(reply, key, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    !json_object_get_boolean(v));
}

/* A change calfd made but could not yet put on disk: its state save failed
 * (a restart would forget it, doc/PROTOCOL.md "saved") or its history
 * record waits in memory (doc/history.md). Done, yet the caller must hear
 * it; calfd's warning says which, or both. */
static int
not_saved(json_object *reply)
{
	const char	*w = jstr(reply, F_WARNING);
	bool		 state = said_false(reply, F_SAVED);
	bool		 hist = said_false(reply, F_HISTORY_SAVED);

	if (!state && !hist)
		return (0);
	if (w == NULL)
		w = state ? "the change is not saved to disk" :
		    "not yet in the history log";
	warnmsg("warning: %s", w);
	return (EXIT_NOTSAVED);
}

/* One request, one reply, printed. */
int
run_command(struct client *c, const struct ctl_opts *o, const char *name,
    printer_fn print, int argc, char **argv)
{
	const char	*args[PROTO_MAX_ARGS];
	json_object	*reply;
	int		 rc = 0;

	args[0] = name;
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	if ((reply = client_request(c, args, argc + 1, false, NULL,
	    NULL)) == NULL)
		return (run_unreachable(c));
	if (reply_ok(reply)) {
		succeeded(o, print, reply);
		rc = not_saved(reply);
	} else
		rc = refused(c, o, reply);
	json_object_put(reply);
	return (rc);
}

/* -V: our version always; calfd's when it answers in time. */
int
run_version(const struct ctl_opts *o, const char *path)
{
	static const char *const argv[] = { CMD_VERSION };
	struct client	 c;
	json_object	*reply = NULL, *data = NULL, *all, *me;
	char		 why[256], safe[PATH_MAX * 4];

	if (path != NULL && client_open(&c, path, o->timeout_ms) == 0)
		reply = client_request(&c, argv, 1, false, NULL, NULL);
	if (reply != NULL && !o->json)
		esc_json(reply);
	if (reply != NULL && reply_ok(reply))
		json_object_object_get_ex(reply, F_DATA, &data);
	if (o->json) {
		all = json_object_new_object();
		me = json_object_new_object();
		json_object_object_add(me, F_VERSION,
		    json_object_new_string(CALF_VERSION));
		json_object_object_add(me, F_PROTOCOL,
		    json_object_new_int(PROTO_VERSION));
		json_object_object_add(all, "calfctl", me);
		json_object_object_add(all, "calfd", json_object_get(data));
		print_json(all);
		json_object_put(all);
	} else {
		printf("calfctl %s (protocol %d)\n", CALF_VERSION,
		    PROTO_VERSION);
		if (path != NULL)
			esc_str(path, safe, sizeof safe);
		if (data != NULL)
			human_version(&o->out, data);
		else if (path != NULL && reply == NULL)
			printf("calfd not reachable at %s: %s\n", safe,
			    client_strfail(&c, why, sizeof why));
		else if (reply != NULL)
			printf("calfd at %s: %s\n", safe,
			    nz(jstr(reply, F_ERROR), "?"));
	}
	json_object_put(reply);
	if (path != NULL)
		client_close(&c);
	return (0);
}
