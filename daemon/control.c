/*
 * control.c: the control socket's clients. daemon/listen.c listens and
 * hands over each connection; here same-uid clients are admitted, their
 * JSON lines framed, each request handed to daemon/commands.c, and replies
 * and, to watchers, events written.
 *
 * Nothing here blocks the loop: input is bounded by a read watermark and
 * processed a few dozen lines, or about a millisecond, per turn, output is
 * bounded (a client that stops reading is paused, and a watcher that stops
 * reading is dropped), and a client is freed only from the top of a
 * callback.
 *
 * A reply to a request that changed something waits until the change is on
 * disk: the state save that covers it (state.h) and, when it added to the
 * history log, its history record (history.h). Each failure gives its own
 * mark, "saved": false or "history_saved": false, with a "warning" saying
 * why. The client's later lines wait behind a held reply, so replies keep
 * their order.
 */
#include "daemon/control.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "common/errlist.h"
#include "common/proto.h"
#include "daemon/commands.h"
#include "daemon/events.h"
#include "daemon/history.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/request.h"
#include "daemon/state.h"

#define MAX_CLIENTS	256
#define LINES_PER_TURN	64		/* then yield to timers and I/O */
#define SLICE_NS	1000000		/* ... or after this much work */
#define INPUT_HIGH	(4 * PROTO_MAX_LINE)	/* read no more than this */
#define OUTPUT_PAUSE	(256 * 1024)	/* stop reading requests */
#define OUTPUT_MAX	(1024 * 1024)	/* queued this long: not reading */
#define OUTPUT_STALL	3		/* ... with nothing taken for so many s */
#define OUTPUT_HARD	(64 * 1024 * 1024)	/* drop whatever the reason */
#define CLOSE_TIMEOUT	5		/* seconds to flush a last reply */
#define REPLAY_SECONDS	10		/* the start's events, kept this long */
#define REPLAY_MAX	256		/* ... and at most this many */
#define IDLE_MIN	2		/* idle this long: may make room */

struct client {
	TAILQ_ENTRY(client)	 entry;
	struct bufferevent	*bev;
	struct event		*work;	/* yield, or free from the top */
	unsigned		 id;
	pid_t			 pid;
	json_object		*held;	/* the reply waiting for the disk */
	uint64_t		 held_gen;	/* ... for the save of this change */
	uint64_t		 hist_seq;	/* ... and for this history record */
	bool			 wait_save;	/* held_gen not yet saved */
	bool			 wait_hist;	/* hist_seq not yet written */
	int64_t			 progress_s;	/* output last taken (loop time) */
	int64_t			 active_s;	/* last request (loop time) */
	bool			 watching;
	bool			 blocked;	/* output full: not reading */
	bool			 eof;		/* peer shut its side */
	bool			 closing;	/* flush, then free */
	bool			 dead;		/* free at the next turn */
};

static struct {
	struct event_base	*base;
	struct engine		*engine;
	struct state		*state;	/* NULL: replies are not held */
	TAILQ_HEAD(, client)	 clients;
	unsigned		 nclients;
	unsigned		 ndying;	/* killed, freed next turn */
	unsigned		 next_id;
	bool			 sink;

	/* Events of calfd's start, before the loop runs (prompts that fell
	 * due while it was down, a pause that ended...), which no watcher
	 * can have heard: replayed to each one that subscribes within
	 * REPLAY_SECONDS of the start. */
	char			*replay[REPLAY_MAX];
	size_t			 nreplay;
	bool			 capturing;
	struct event		*replay_ev;
} ctl;

static void	client_process(struct client *);

/* Adds a warning to a reply; a second one (the state save and the
 * history record can both fail) is joined to the first, so each is said. */
static void
add_warning(json_object *reply, const char *w)
{
	json_object	*prev;
	char		*both = NULL;

	if (json_object_object_get_ex(reply, F_WARNING, &prev) &&
	    json_object_is_type(prev, json_type_string))
		both = msgf("%s; and %s", json_object_get_string(prev), w);
	json_object_object_add(reply, F_WARNING, both != NULL ?
	    json_object_new_string(both) : w != NULL ?
	    json_object_new_string(w) : NULL);
	free(both);
}

/* A reply whose record is not on disk says so; calfctl prints it. */
static void
history_warn(json_object *reply, const char *err)
{
	char	*w = msgf("done, but not yet in the history log (%s); calfd "
		    "keeps the record in memory and writes it when it can", err);

	json_object_object_add(reply, F_HISTORY_SAVED,
	    json_object_new_boolean(false));
	add_warning(reply, w);
	free(w);
}

/* Frees a client at once; only ever called from the top of a callback
 * about this client, so nothing below on the stack still uses it. */
static void
client_free(struct client *c)
{
	log_debug("client %u: gone", c->id);
	TAILQ_REMOVE(&ctl.clients, c, entry);
	ctl.nclients--;
	if (c->dead)
		ctl.ndying--;
	json_object_put(c->held);
	event_free(c->work);
	bufferevent_free(c->bev);
	free(c);

	/* A descriptor just came free: no need to wait out the backoff. */
	listen_resume();
}

/* Marks a client for freeing at the next turn: it may be deep in its own
 * request (an event to itself) or in the middle of a fan-out. */
static void
client_kill(struct client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	ctl.ndying++;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	event_active(c->work, EV_TIMEOUT, 0);
}

/* Lets the loop run timers and other clients before more of this one. */
static void
client_yield(struct client *c)
{
	const struct timeval	zero = { 0, 0 };

	evtimer_add(c->work, &zero);
}

/* The loop's time of this turn, in seconds: the same for everything done
 * in one turn, however long the turn takes. */
static int64_t
loop_seconds(void)
{
	struct timeval	tv;

	if (event_base_gettimeofday_cached(ctl.base, &tv) == -1)
		return 0;
	return (int64_t)tv.tv_sec;
}

/* Bytes left for the socket: the client is reading. */
static void
client_out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct client	*c = arg;

	(void)buf;
	if (info->n_deleted > 0)
		c->progress_s = loop_seconds();
}

/* One line out. A client is "not reading", and goes rather than growing
 * calfd, when over 1 MiB has been queued and none of it taken for
 * OUTPUT_STALL seconds; a burst made in one turn (a catch-up of thousands
 * of events) is never judged, since the clock starts with the turn. */
static int
client_write(struct client *c, const char *s)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	size_t		 len = evbuffer_get_length(out);

	if (c->dead || c->closing)
		return -1;
	if (len == 0)
		c->progress_s = loop_seconds();
	if ((len > OUTPUT_MAX && loop_seconds() - c->progress_s >
	    OUTPUT_STALL) || len > OUTPUT_HARD) {
		log_warnx("client %u (pid %ld): not reading, %zu bytes "
		    "queued; dropping it", c->id, (long)c->pid, len);
		client_kill(c);
		return -1;
	}
	if (evbuffer_add(out, s, strlen(s)) == -1 ||
	    evbuffer_add(out, "\n", 1) == -1) {
		log_warnx("client %u: out of memory; dropping it", c->id);
		client_kill(c);
		return -1;
	}
	return 0;
}

/* Serialises one reply (or event) the same way everywhere. */
static int
client_send(struct client *c, json_object *o)
{
	int	rc;

	if (o == NULL)
		return client_write(c, "{\"error\": \"internal error\", "
		    "\"code\": \"internal\"}");
	rc = client_write(c, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc;
}

/* After a fatal framing error nothing more is read; the reply is flushed
 * (for at most CLOSE_TIMEOUT) and the connection closed. */
static void
client_close_after_flush(struct client *c)
{
	const struct timeval	tv = { CLOSE_TIMEOUT, 0 };
	struct evbuffer		*in = bufferevent_get_input(c->bev);

	if (c->dead || c->closing)
		return;
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_set_timeouts(c->bev, NULL, &tv);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_kill(c);
}

/* A line over the limit ends the connection: what follows it cannot be
 * framed reliably. */
static void
client_too_long(struct client *c)
{
	char	*cause;

	log_warnx("client %u (pid %ld): request line over %d bytes; closing",
	    c->id, (long)c->pid, PROTO_MAX_LINE);
	cause = msgf("request line longer than %d bytes", PROTO_MAX_LINE);
	client_send(c, reply_new(NULL, RES_TOO_LONG, cause, NULL));
	free(cause);
	client_close_after_flush(c);
}

/* One request line: parse, dispatch, reply. A watch takes effect after
 * its reply, so "{}" comes before the first event. */
static void
client_line(struct client *c, const char *line, size_t len)
{
	struct request	 req;
	struct cmd_ctx	 ctx = { .engine = ctl.engine };
	json_object	*reply;
	char		*cause;
	enum result	 r;
	uint64_t	 gen, hseq = history_pending();
	const char	*herr;

	if (request_blank(line, len))
		return;
	r = request_parse(line, len, &req, &cause);
	if (r != RES_SUCCESS) {
		log_debug("client %u: %s", c->id,
		    cause != NULL ? cause : result_message(r));
		client_send(c, reply_new(&req, r, cause, NULL));
		free(cause);
		if (r == RES_TOO_LONG)
			client_close_after_flush(c);
		return;
	}
	log_debug("client %u: %s", c->id, req.argv[0]);
	c->active_s = loop_seconds();
	gen = state_generation(ctl.state);
	ctx.state = ctl.state;
	reply = commands_run(&ctx, &req);
	request_free(&req);
	if (reply != NULL && history_pending() != hseq &&
	    (herr = history_error()) != NULL) {
		/* The disk refuses already: no use waiting for it. */
		history_warn(reply, herr);
		hseq = history_pending();
	}
	if (reply != NULL && (state_generation(ctl.state) != gen ||
	    history_pending() != hseq)) {
		/* A change: said once it is on disk (control_saved,
		 * history_written). */
		c->held = reply;
		c->held_gen = state_generation(ctl.state);
		c->wait_save = c->held_gen != gen;
		c->hist_seq = history_pending();
		c->wait_hist = c->hist_seq != hseq;
		return;
	}
	if (client_send(c, reply) == 0 && ctx.watch && !c->watching) {
		c->watching = true;
		/* Events to watchers go out before more client work. */
		loop_prio_bev(c->bev, PRIO_WATCH);
		for (size_t i = 0; i < ctl.nreplay; i++)
			client_write(c, ctl.replay[i]);
	}
}

/* Nanoseconds on the monotonic clock, for the budget of a turn. */
static int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Takes complete lines off the input, at most LINES_PER_TURN or SLICE_NS
 * worth per turn, and none while a reply waits for a save; checks the
 * length before reading so an endless line never costs more than the read
 * watermark. */
static void
client_process(struct client *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer_ptr	 eol;
	char			 line[PROTO_MAX_LINE + 1];
	size_t			 eol_len, len;
	int64_t			 t0 = mono_ns();

	for (int n = 0; !c->dead && !c->closing && c->held == NULL; n++) {
		if (evbuffer_get_length(out) > OUTPUT_PAUSE) {
			/* Resumed by client_write_cb once it drains. */
			c->blocked = true;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		if (n == LINES_PER_TURN || (n > 0 && mono_ns() - t0 > SLICE_NS)) {
			client_yield(c);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			len = evbuffer_get_length(in);
			if (len > PROTO_MAX_LINE)
				client_too_long(c);
			else if (c->eof && len > 0) {
				/* A last line without its '\n'. */
				evbuffer_remove(in, line, len);
				client_line(c, line, len);
				continue;
			} else if (c->eof)
				client_close_after_flush(c);
			return;
		}
		if ((size_t)eol.pos > PROTO_MAX_LINE) {
			client_too_long(c);
			return;
		}
		len = (size_t)eol.pos;
		evbuffer_remove(in, line, len);
		evbuffer_drain(in, eol_len);
		client_line(c, line, len);
	}
}

/* New bytes: take what complete lines there are. */
static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_process(arg);
}

/* Output drained: finish a close, or start reading again. */
static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client	*c = arg;

	(void)bev;
	if (c->dead)
		return;
	if (c->closing) {
		client_free(c);
		return;
	}
	if (c->blocked) {
		c->blocked = false;
		if (!c->eof)
			bufferevent_enable(c->bev, EV_READ);
		client_yield(c);
	}
}

/* A half-closed client (printf ... | socat) still gets its replies; an
 * error or a flush timeout ends it at once. */
static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*c = arg;

	(void)bev;
	if (c->dead)
		return;
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    !c->closing) {
		c->eof = true;
		if (!c->blocked)
			client_process(c);
		return;
	}
	client_free(c);
}

/* The deferred half of client_kill and client_yield. */
static void
client_work_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;

	(void)fd;
	(void)what;
	if (c->dead)
		client_free(c);
	else if (!c->blocked)
		client_process(c);
}

/* With every slot taken, the client idle the longest (no watch, no
 * request under way, nothing to send, for IDLE_MIN seconds) makes room
 * for a new one, so idle connections cannot lock calfctl out. False when
 * none is idle. */
static bool
evict_idle(void)
{
	struct client	*c, *oldest = NULL;

	TAILQ_FOREACH(c, &ctl.clients, entry) {
		if (c->watching || c->dead || c->closing || c->held != NULL ||
		    evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 ||
		    evbuffer_get_length(bufferevent_get_output(c->bev)) > 0 ||
		    loop_seconds() - c->active_s < IDLE_MIN)
			continue;
		if (oldest == NULL || c->active_s < oldest->active_s)
			oldest = c;
	}
	if (oldest == NULL)
		return false;
	log_info("client %u (pid %ld): closed, idle, to make room for a new "
	    "one", oldest->id, (long)oldest->pid);
	client_kill(oldest);
	return true;
}

/* Only our own uid or root may talk to us; SO_PEERCRED is the kernel's
 * word, not the client's. A socket systemd passed is guarded by the mode
 * and group its unit gave the file (the system socket's group calf). */
static void
client_accept(int fd)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	struct client	*c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("SO_PEERCRED");
		close(fd);
		return;
	}
	if (!listen_passed() && cred.uid != geteuid() && cred.uid != 0) {
		log_warnx("refused a client of uid %u (pid %ld)",
		    (unsigned)cred.uid, (long)cred.pid);
		close(fd);
		return;
	}
	if (ctl.nclients - ctl.ndying >= MAX_CLIENTS && !evict_idle()) {
		log_warnx("refused a client (pid %ld): %d clients already",
		    (long)cred.pid, MAX_CLIENTS);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof *c)) == NULL) {
		log_warn("calloc");
		close(fd);
		return;
	}
	c->bev = bufferevent_socket_new(ctl.base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->work = evtimer_new(ctl.base, client_work_cb, c);
	if (c->bev == NULL || c->work == NULL) {
		log_warnx("out of memory for a client");
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->work != NULL)
			event_free(c->work);
		free(c);
		return;
	}
	c->id = ++ctl.next_id;
	c->pid = cred.pid;
	c->active_s = loop_seconds();
	bufferevent_setcb(c->bev, client_read_cb, client_write_cb,
	    client_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, INPUT_HIGH);
	evbuffer_add_cb(bufferevent_get_output(c->bev), client_out_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&ctl.clients, c, entry);
	ctl.nclients++;
	log_debug("client %u: connected (pid %ld)", c->id, (long)cred.pid);
}

/* A held reply goes out once nothing it waits for is left; the client's
 * next lines follow. */
static void
client_release(struct client *c)
{
	json_object	*reply = c->held;

	if (c->wait_save || c->wait_hist)
		return;
	c->held = NULL;
	client_send(c, reply);
	if (!c->dead && !c->closing)
		client_yield(c);
}

/* The state module's word after a save: replies whose change it covers
 * learn whether it is on disk; after a failure every one waiting does. */
static void
control_saved(void *arg, uint64_t saved_gen, bool ok)
{
	struct client	*c;
	const char	*why;
	char		*w;

	(void)arg;
	TAILQ_FOREACH(c, &ctl.clients, entry) {
		if (c->held == NULL || !c->wait_save ||
		    (ok && c->held_gen > saved_gen))
			continue;
		c->wait_save = false;
		json_object_object_add(c->held, F_SAVED,
		    json_object_new_boolean(ok));
		if (!ok) {
			why = state_error(ctl.state);
			w = msgf("the change is not saved to disk (%s); calfd "
			    "keeps trying, but a restart before it succeeds "
			    "would forget it", why != NULL ? why :
			    "unknown error");
			add_warning(c->held, w);
			free(w);
		}
		client_release(c);
	}
}

/* The history's word after a write: replies whose records it covers are
 * done waiting for it; after a failure every one waiting goes on with the
 * warning. */
static void
history_written(void *arg, uint64_t written, bool ok, const char *err)
{
	struct client	*c;

	(void)arg;
	TAILQ_FOREACH(c, &ctl.clients, entry) {
		if (c->held == NULL || !c->wait_hist ||
		    (ok && c->hist_seq > written))
			continue;
		c->wait_hist = false;
		if (!ok)
			history_warn(c->held, err);
		client_release(c);
	}
}

void
control_use_state(struct state *st)
{
	ctl.state = st;
	if (st != NULL)
		state_on_save(st, control_saved, NULL);
}

/* The one events sink for the socket: each event is serialised once and
 * queued to every watcher. */
static void
control_sink(const struct calf_event *ev, void *arg)
{
	struct client	*c;
	json_object	*o;
	const char	*s;

	(void)arg;
	if ((o = event_to_json(ev)) == NULL)
		return;
	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	TAILQ_FOREACH(c, &ctl.clients, entry) {
		if (c->watching && !c->dead && !c->closing)
			client_write(c, s);
	}
	if (ctl.capturing && ctl.nreplay < REPLAY_MAX &&
	    (ctl.replay[ctl.nreplay] = strdup(s)) != NULL)
		ctl.nreplay++;
	json_object_put(o);
}

/* The start is over: later watchers ask `status` for the state. */
static void
replay_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	for (size_t i = 0; i < ctl.nreplay; i++)
		free(ctl.replay[i]);
	ctl.nreplay = 0;
	ctl.capturing = false;
}

void
control_started(void)
{
	const struct timeval	tv = { REPLAY_SECONDS, 0 };

	ctl.capturing = false;
	if (ctl.nreplay > 0 && (ctl.replay_ev == NULL ||
	    evtimer_add(ctl.replay_ev, &tv) == -1))
		replay_end(-1, 0, NULL);
}

/* Listening comes last, after the engine, so the first client already
 * sees a running routine; a failure leaves nothing behind. */
int
control_init(struct event_base *base, struct engine *engine,
    const char *path, int fd, char **cause)
{
	*cause = NULL;
	ctl.base = base;
	ctl.engine = engine;
	TAILQ_INIT(&ctl.clients);

	/* A client that hangs up must cost an EPIPE, not the daemon. */
	signal(SIGPIPE, SIG_IGN);

	if (listen_start(base, path, fd, client_accept, cause) == -1)
		goto fail;
	if (events_add_sink("control", control_sink, NULL) == -1) {
		*cause = msgf("too many event sinks");
		goto fail;
	}
	ctl.sink = true;
	history_on_written(history_written, NULL);
	ctl.replay_ev = evtimer_new(base, replay_end, NULL);
	ctl.capturing = true;
	return 0;

fail:
	if (*cause == NULL)
		*cause = msgf("out of memory");
	control_shutdown();
	return -1;
}

/* Closes every client, then the listener (listen_stop). */
void
control_shutdown(void)
{
	struct client	*c;

	while ((c = TAILQ_FIRST(&ctl.clients)) != NULL)
		client_free(c);
	ctl.state = NULL;	/* closed before us: state_close unhooks itself */
	replay_end(-1, 0, NULL);
	if (ctl.replay_ev != NULL)
		event_free(ctl.replay_ev);
	ctl.replay_ev = NULL;
	history_on_written(NULL, NULL);
	if (ctl.sink) {
		events_remove_sink(control_sink, NULL);
		ctl.sink = false;
	}
	listen_stop();
}
