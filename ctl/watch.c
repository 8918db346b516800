/*
 * watch.c: calfctl watch: events as they happen, for people or as JSON
 * lines, or a status bar's object on every change (and once a minute
 * while a session runs); with --reconnect it waits for calfd to come back.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/proto.h"
#include "ctl/bar.h"
#include "ctl/client.h"
#include "ctl/escape.h"
#include "ctl/human.h"
#include "ctl/run.h"

#define BAR_TICK_MS	60000	/* a running session's bar, redrawn */
#define RETRY_MS	1000	/* --reconnect: how often to knock */

struct watch {
	const struct ctl_opts	*o;
	bool			 changed;	/* an event since the last bar */
};

/* A reader that went away (calfctl watch | head) ends calfctl quietly. */
static void
flush_or_exit(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		exit(finish(0));
}

/* Prints one event, or notes that the bar must be redrawn. */
static void
watch_event(json_object *ev, const char *line, void *arg)
{
	struct watch	*w = arg;

	(void)line;
	if (w->o->format != BAR_NONE)
		w->changed = true;
	else if (w->o->json)
		print_json(ev);
	else {
		esc_json(ev);
		human_event(&w->o->out, ev);
	}
	flush_or_exit();
}

/* Asks for the status on the watching connection and draws the bar;
 * returns whether a session runs, or -1 when calfd went away. */
static int
draw_bar(struct client *c, struct watch *w)
{
	static const char *const argv[] = { CMD_STATUS };
	json_object	*reply, *data;
	int		 running = 0;

	/* An event while we asked makes this answer stale: ask again. */
	for (;;) {
		w->changed = false;
		if ((reply = client_request(c, argv, 1, false, watch_event,
		    w)) == NULL)
			return (-1);
		if (!w->changed)
			break;
		json_object_put(reply);
	}
	if (reply_ok(reply) && json_object_object_get_ex(reply, F_DATA, &data)) {
		bar_print(w->o->format, data, w->o->out.utf8, 1);
		running = bar_running(data);
	}
	json_object_put(reply);
	flush_or_exit();
	return (running);
}

/* One connection's life: subscribe, then print until it ends. Returns
 * -1 when calfd went away (or never answered), else an exit status. */
static int
watch_once(struct client *c, struct watch *w, bool *said)
{
	static const char *const argv[] = { CMD_WATCH };
	json_object	*reply, *ev;
	const char	*line;
	int		 running = 0;

	if ((reply = client_request(c, argv, 1, false, watch_event, w)) ==
	    NULL)
		return (-1);
	if (!reply_ok(reply)) {
		int	 rc = refused(c, w->o, reply);

		json_object_put(reply);
		return (rc);
	}
	json_object_put(reply);
	*said = false;
	flush_or_exit();
	for (;;) {
		if (w->o->format != BAR_NONE && (running = draw_bar(c, w)) < 0)
			return (-1);
		for (w->changed = false; !w->changed;) {
			line = client_read_line(c, running ? BAR_TICK_MS : -1);
			if (line == NULL && c->fail == CLIENT_TIMEOUT)
				break;
			if (line == NULL)
				return (-1);
			if ((ev = client_parse(line)) == NULL) {
				warnmsg("calfd at %s sent a line that is not "
				    "a JSON object", c->path);
				return (EXIT_NODAEMON);
			}
			if (json_object_object_get_ex(ev, F_EVENT, NULL))
				watch_event(ev, line, w);
			json_object_put(ev);
			if (w->o->format == BAR_NONE)
				w->changed = false;
		}
	}
}

/* Says once that calfd is gone and that we wait for it. */
static void
say_gone(const struct ctl_opts *o, const char *path, bool *said)
{
	if (*said)
		return;
	*said = true;
	if (o->format != BAR_NONE) {
		bar_print_down(o->format, 1);
		flush_or_exit();
	} else
		warnmsg("calfd at %s is not running; waiting for it "
		    "(--reconnect)", path);
}

int
run_watch(const char *path, const struct ctl_opts *o)
{
	struct watch	 w = { .o = o };
	struct client	 c;
	bool		 said = false, ever = false;
	int		 rc;

	for (;;) {
		if (client_open(&c, path, o->timeout_ms) == 0) {
			/* Waiting for ever is fine; the subscription must not. */
			c.timeout_ms = o->timeout_ms;
			rc = watch_once(&c, &w, &said);
			ever = ever || c.answered;
			if (rc >= 0 || !o->reconnect || c.fail == CLIENT_PEER) {
				if (rc < 0 && c.fail == CLIENT_EOF && ever) {
					warnmsg("calfd went away");
					rc = EXIT_NODAEMON;
				} else if (rc < 0)
					rc = run_unreachable(&c);
				client_close(&c);
				return (rc);
			}
			client_close(&c);
		} else if (!o->reconnect || c.fail == CLIENT_PEER)
			return (run_unreachable(&c));
		say_gone(o, path, &said);
		usleep(RETRY_MS * 1000);
	}
}
