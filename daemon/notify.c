/*
 * notify.c: prompts as desktop notifications, with buttons that act.
 *
 * The sink only updates a model, one slot per session that has something
 * to show, each pointing at a bubble; the bus work happens once per loop
 * turn (flush), so several prompts that fall due together (after a sleep,
 * a pause or a reload) become one bubble that lists them instead of a
 * burst, and each bubble is sent once with its final content. A bubble is
 * replaced in place (replaces_id) while its session goes on, and closed
 * (CloseNotification) when the session is handled by any means.
 *
 * Every call is asynchronous. The server may be missing, die or be
 * replaced: prompts still reach the log and watchers (other sinks), the
 * loss is logged once, and when a server appears (NameOwnerChanged) the
 * bubbles still wanted are shown there.
 */
#include "daemon/notify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <systemd/sd-bus.h>

#include "common/routine.h"
#include "common/timeutil.h"
#include "daemon/bus.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/log.h"
#include "daemon/notify_text.h"

#define N_NAME		"org.freedesktop.Notifications"
#define N_PATH		"/org/freedesktop/Notifications"
#define N_IFACE		"org.freedesktop.Notifications"

struct bubble {
	TAILQ_ENTRY(bubble) entry;
	uint32_t	 id;		/* the server's id; 0: not shown */
	sd_bus_slot	*call;		/* Notify in flight */
	bool		 again;		/* changed while in flight */
	bool		 dirty;		/* to send (or close) at the flush */
	int		 refs;		/* slots showing here */
};

struct slot {
	TAILQ_ENTRY(slot) entry;
	struct nt_item	 it;		/* what it says (notify_text.h) */
	struct bubble	*b;
	bool		 fresh;		/* a new prompt this turn */
	bool		 gone;		/* handled: goes at the flush */
};

enum server {
	SRV_NONE,	/* no bus, or notify = none */
	SRV_ASKING,	/* GetCapabilities in flight */
	SRV_ABSENT,
	SRV_PRESENT
};

static struct {
	struct engine	*e;
	struct event	*flush;
	bool		 enabled;	/* notify = desktop and a session bus */
	bool		 watching;	/* the signal matches are added */
	enum server	 srv;
	bool		 told_absent;	/* said once per absence */
	struct nt_caps	 caps;
	TAILQ_HEAD(, bubble) bubbles;
	TAILQ_HEAD(, slot) slots;
} n = {
	.bubbles = TAILQ_HEAD_INITIALIZER(n.bubbles),
	.slots = TAILQ_HEAD_INITIALIZER(n.slots),
};

static void	ask_caps(void);
static void	schedule_flush(void);

/* --- the one way into the engine -------------------------------------- */

/* A button does exactly what the calfctl command of the same name does;
 * every engine call of this file goes through here. */
static void
notify_act(const char *key, const char *name)
{
	const char	*which = NULL;
	char		*cause = NULL;
	enum result	 r;

	log_debug("notification button %s for %s", key, name);
	if (strcmp(key, "start") == 0 || strcmp(key, "default") == 0)
		r = engine_start(n.e, ORIGIN_BUTTON, name, &which, &cause);
	else if (strcmp(key, "snooze") == 0)
		r = engine_snooze(n.e, ORIGIN_BUTTON, name, 0, NULL, &which, &cause);
	else if (strcmp(key, "skip") == 0)
		r = engine_skip(n.e, ORIGIN_BUTTON, name, &which, &cause);
	else if (strcmp(key, "done") == 0)
		r = engine_done(n.e, ORIGIN_BUTTON, name, &which, &cause);
	else if (strcmp(key, "stop") == 0)
		r = engine_stop(n.e, ORIGIN_BUTTON, name, &which, &cause);
	else {
		log_info("notification button \"%s\" for %s: no such action",
		    key, name);
		return;
	}
	if (r != RES_SUCCESS)
		log_info("notification button %s for %s: %s", key, name,
		    cause != NULL ? cause : result_message(r));
	free(cause);
}

/* --- the model --------------------------------------------------------- */

static struct slot *
slot_find(const char *name)
{
	struct slot	*s;

	TAILQ_FOREACH(s, &n.slots, entry)
		if (strcmp(s->it.name, name) == 0)
			return s;
	return NULL;
}

static struct bubble *
bubble_new(void)
{
	struct bubble	*b = calloc(1, sizeof *b);

	if (b != NULL)
		TAILQ_INSERT_TAIL(&n.bubbles, b, entry);
	return b;
}

static void
bubble_free(struct bubble *b)
{
	TAILQ_REMOVE(&n.bubbles, b, entry);
	sd_bus_slot_unref(b->call);
	free(b);
}

/* Moves a slot onto bubble b (NULL: off every bubble). */
static void
slot_attach(struct slot *s, struct bubble *b)
{
	if (s->b != NULL) {
		s->b->refs--;
		s->b->dirty = true;
	}
	s->b = b;
	if (b != NULL) {
		b->refs++;
		b->dirty = true;
	}
}

/* The slot's own bubble: its current one unless it shares it. */
static void
slot_own_bubble(struct slot *s)
{
	struct bubble	*b;

	if (s->b != NULL && s->b->refs == 1) {
		s->b->dirty = true;
		return;
	}
	if ((b = bubble_new()) != NULL)
		slot_attach(s, b);
}

static void
slot_free(struct slot *s)
{
	slot_attach(s, NULL);
	TAILQ_REMOVE(&n.slots, s, entry);
	nt_item_clear(&s->it);
	free(s);
}

/* A running session's time left, from the event's facts. */
static int64_t
running_left(const struct calf_event *ev)
{
	if (ev->started_us == 0 || ev->dur_max_s <= 0)
		return -1;
	return (ev->started_us + ev->dur_max_s * 1000000 - ev->fired_us +
	    999999) / 1000000;
}

/* What the person is shown follows each event of a session. */
static void
notify_sink(const struct calf_event *ev, void *arg)
{
	struct slot	*s;
	enum nt_kind	 k;

	(void)arg;
	if (ev->kind == EV_RELOADED) {
		schedule_flush();	/* `notify` may have changed */
		return;
	}
	if (!n.enabled || ev->session == NULL || ev->reason == REASON_AHEAD)
		return;	/* a skip of a firing still to come shows nothing */
	k = nt_kind_of(ev->kind);
	s = slot_find(ev->session);
	if (k == NT_NONE) {
		/* Handled (done, stopped, skipped, snoozed, missed). */
		if (s != NULL) {
			s->gone = true;
			s->fresh = false;
			schedule_flush();
		}
		return;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof *s)) == NULL)
			return;
		TAILQ_INSERT_TAIL(&n.slots, s, entry);
	}
	if (nt_item_set(&s->it, k, ev) == -1) {
		slot_free(s);
		return;
	}
	if (k == NT_RUNNING)
		s->it.left_s = running_left(ev);
	s->gone = false;
	s->fresh = k == NT_PROMPT;
	if (k == NT_PROMPT && s->b != NULL)
		s->b->dirty = true;	/* a list it is on stays a list */
	else
		slot_own_bubble(s);
	schedule_flush();
}

/* --- talking to the server --------------------------------------------- */

/* The server went away or refused: said once until one answers again. */
static void
server_lost(const char *why)
{
	struct bubble	*b;

	n.srv = SRV_ABSENT;
	TAILQ_FOREACH(b, &n.bubbles, entry)
		b->id = 0;
	if (!n.told_absent)
		log_info("no desktop notification server (%s); prompts go to "
		    "the log and to watchers until one appears", why);
	n.told_absent = true;
}

/* Errors that mean nobody is there to answer, as opposed to a refusal. */
static bool
server_gone(const sd_bus_error *e)
{
	static const char *const gone[] = {
		SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
		SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_DISCONNECTED,
		SD_BUS_ERROR_TIMEOUT, SD_BUS_ERROR_UNKNOWN_OBJECT,
		SD_BUS_ERROR_UNKNOWN_METHOD,
	};

	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
		if (sd_bus_error_has_name(e, gone[i]))
			return true;
	return false;
}

static void
send_close(uint32_t id)
{
	sd_bus	*bus = bus_get(BUS_SESSION);

	if (id == 0 || bus == NULL || n.srv != SRV_PRESENT)
		return;
	log_debug("notify: close %u", id);
	if (sd_bus_call_method_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "CloseNotification", NULL, NULL, "u", id) < 0)
		log_debug("CloseNotification %u: cannot queue", id);
	bus_kick(BUS_SESSION);
}

static int	notify_reply(sd_bus_message *, void *, sd_bus_error *);

/* The slots a bubble shows, in the order they came. */
static size_t
bubble_items(const struct bubble *b, const struct nt_item **items,
    size_t max)
{
	const struct slot	*s;
	size_t			 k = 0;

	TAILQ_FOREACH(s, &n.slots, entry)
		if (s->b == b && k < max)
			items[k++] = &s->it;
	return k;
}

static void
bubble_send(struct bubble *b)
{
	const struct nt_item	*items[NT_MAX_LIST];
	sd_bus			*bus = bus_get(BUS_SESSION);
	sd_bus_message		*m = NULL;
	size_t			 k;
	int			 r;

	if (n.srv != SRV_PRESENT || bus == NULL)
		return;		/* shown when a server appears */
	if (b->call != NULL) {
		b->again = true;
		return;
	}
	if ((k = bubble_items(b, items, NT_MAX_LIST)) == 0)
		return;
	r = sd_bus_message_new_method_call(bus, &m, N_NAME, N_PATH, N_IFACE,
	    "Notify");
	if (r >= 0)
		r = sd_bus_message_append(m, "su", "calf", b->id);
	if (r >= 0)
		r = nt_append(m, items, k, &n.caps);
	if (r >= 0)
		r = sd_bus_call_async(bus, &b->call, m, notify_reply, b, 0);
	sd_bus_message_unref(m);
	if (r < 0)
		log_warnx("desktop notification: %s", strerror(-r));
	else
		log_debug("notify: %s (replaces %u)", items[0]->name, b->id);
	bus_kick(BUS_SESSION);
}

static int
notify_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct bubble		*b = arg;
	const sd_bus_error	*e;
	uint32_t		 id;

	(void)ret_error;
	b->call = sd_bus_slot_unref(b->call);
	if ((e = sd_bus_message_get_error(m)) != NULL) {
		if (server_gone(e))
			server_lost(e->message != NULL ? e->message : e->name);
		else
			log_warnx("the notification server refused a bubble: "
			    "%.160s", e->message != NULL ? e->message : e->name);
		b->id = 0;
	} else if (sd_bus_message_read(m, "u", &id) >= 0)
		b->id = id;
	log_debug("notify: id %u, %d sessions", b->id, b->refs);
	if (b->refs == 0) {
		send_close(b->id);
		bubble_free(b);
		return 0;
	}
	if (b->again) {
		b->again = false;
		bubble_send(b);
	}
	return 0;
}

/* Every bubble still wanted goes to a server that has just appeared. */
static void
resend_all(void)
{
	struct bubble	*b;

	TAILQ_FOREACH(b, &n.bubbles, entry)
		if (b->refs > 0)
			b->dirty = true;
	schedule_flush();
}

static int
caps_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e;
	const char		*cap;

	(void)arg;
	(void)ret_error;
	if (n.srv == SRV_NONE)
		return 0;
	if ((e = sd_bus_message_get_error(m)) != NULL) {
		server_lost(e->message != NULL ? e->message : e->name);
		return 0;
	}
	memset(&n.caps, 0, sizeof n.caps);
	if (sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &cap) > 0)
		nt_caps_add(&n.caps, cap);
	n.srv = SRV_PRESENT;
	if (n.told_absent)
		log_info("desktop notification server back");
	n.told_absent = false;
	log_debug("notification server: actions %s, body %s",
	    n.caps.actions ? "yes" : "no", n.caps.body ? "yes" : "no");
	resend_all();
	return 0;
}

static void
ask_caps(void)
{
	sd_bus	*bus = bus_get(BUS_SESSION);

	if (bus == NULL || n.srv == SRV_ASKING)
		return;
	n.srv = SRV_ASKING;
	if (sd_bus_call_method_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "GetCapabilities", caps_reply, NULL, "") < 0)
		server_lost("cannot ask it");
	bus_kick(BUS_SESSION);
}

/* A server appeared, was replaced or left. */
static int
on_owner(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*name, *old, *new;
	struct bubble	*b;

	(void)arg;
	(void)ret_error;
	if (n.srv == SRV_NONE || sd_bus_message_read(m, "sss", &name, &old,
	    &new) < 0 || strcmp(name, N_NAME) != 0)
		return 0;
	TAILQ_FOREACH(b, &n.bubbles, entry)
		b->id = 0;	/* the new server knows none of them */
	if (*new == '\0') {
		server_lost("it left the bus");
		return 0;
	}
	n.srv = SRV_ABSENT;
	ask_caps();
	return 0;
}

static struct bubble *
bubble_by_id(uint32_t id)
{
	struct bubble	*b;

	TAILQ_FOREACH(b, &n.bubbles, entry)
		if (id != 0 && b->id == id)
			return b;
	return NULL;
}

/* A button: the key is checked against what the bubble offers now. */
static int
on_action(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const struct nt_item	*items[NT_MAX_LIST];
	char			 names[NT_MAX_LIST][ROUTINE_MAX_NAME + 1];
	char			 key[16];
	const char		*k;
	struct bubble		*b;
	uint32_t		 id;
	size_t			 cnt;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "us", &id, &k) < 0 ||
	    (b = bubble_by_id(id)) == NULL)
		return 0;
	cnt = bubble_items(b, items, NT_MAX_LIST);
	if (!nt_offers(items, cnt, &n.caps, k)) {
		log_info("notification button \"%.32s\": not offered there",
		    k);
		return 0;
	}
	/* The actions change the slots: copy what is needed first. */
	snprintf(key, sizeof key, "%s", k);
	for (size_t i = 0; i < cnt; i++)
		snprintf(names[i], sizeof names[i], "%s", items[i]->name);
	for (size_t i = 0; i < cnt; i++)
		notify_act(key, names[i]);
	return 0;
}

/* Dismissed, expired or closed: not an answer; the reminders go on and
 * the next one makes a new bubble. */
static int
on_closed(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct bubble	*b;
	uint32_t	 id, reason;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "uu", &id, &reason) >= 0 &&
	    (b = bubble_by_id(id)) != NULL) {
		log_debug("notification %u closed (reason %u)", id, reason);
		b->id = 0;
	}
	return 0;
}

/* --- per loop turn ---------------------------------------------------- */

/* Whether every slot on bubble b is a fresh prompt. */
static bool
all_fresh(const struct bubble *b)
{
	const struct slot	*s;

	TAILQ_FOREACH(s, &n.slots, entry)
		if (s->b == b && (!s->fresh || s->gone))
			return false;
	return true;
}

/* Prompts and reminders of one turn share one bubble when there are
 * several: a bubble that holds only them already, else a new one. */
static void
group_fresh(void)
{
	struct slot	*s;
	struct bubble	*g = NULL;
	int		 fresh = 0;

	TAILQ_FOREACH(s, &n.slots, entry) {
		if (!s->fresh || s->gone)
			continue;
		fresh++;
		if (g == NULL && s->b != NULL && all_fresh(s->b))
			g = s->b;
	}
	if (fresh >= 2 && (g != NULL || (g = bubble_new()) != NULL)) {
		TAILQ_FOREACH(s, &n.slots, entry)
			if (s->fresh && !s->gone && s->b != g)
				slot_attach(s, g);
	}
	TAILQ_FOREACH(s, &n.slots, entry)
		s->fresh = false;
}

/* Applies `notify =` from the routine in use; true when enabled. */
static bool
apply_mode(void)
{
	bool	want = engine_routine(n.e)->notify == NOTIFY_DESKTOP;
	sd_bus	*bus;

	if (want == n.enabled)
		return want;
	if (!want) {
		struct slot *s;

		TAILQ_FOREACH(s, &n.slots, entry)
			s->gone = true;
		n.enabled = false;
		log_info("desktop notifications off (notify = none)");
		return false;
	}
	if ((bus = bus_get(BUS_SESSION)) == NULL) {
		static bool said;

		if (!said)
			log_info("desktop notifications off: no session bus "
			    "(prompts go to the journal and to watchers)");
		said = true;
		return false;
	}
	if (!n.watching && (sd_bus_add_match_async(bus, NULL, "type='signal',"
	    "sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='" N_NAME "'", on_owner, NULL,
	    NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "ActionInvoked", on_action, NULL, NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "NotificationClosed", on_closed, NULL, NULL) < 0)) {
		log_warnx("desktop notifications off: cannot watch the bus");
		return false;
	}
	n.watching = true;	/* once: the matches stay for good */
	n.enabled = true;
	n.srv = SRV_ABSENT;
	ask_caps();
	return true;
}

static void
flush(evutil_socket_t fd, short what, void *arg)
{
	struct slot	*s, *st;
	struct bubble	*b, *bt;
	bool		 news = false;

	(void)fd;
	(void)what;
	(void)arg;
	apply_mode();
	group_fresh();
	for (s = TAILQ_FIRST(&n.slots); s != NULL; s = st) {
		st = TAILQ_NEXT(s, entry);
		if (s->gone)
			slot_free(s);
	}
	for (b = TAILQ_FIRST(&n.bubbles); b != NULL; b = bt) {
		bt = TAILQ_NEXT(b, entry);
		if (!b->dirty)
			continue;
		b->dirty = false;
		if (b->refs == 0) {
			if (b->call == NULL) {
				send_close(b->id);
				bubble_free(b);
			}	/* else closed when Notify answers */
			continue;
		}
		news = true;
		bubble_send(b);
	}
	/* A server may be started on demand (D-Bus activation). */
	if (news && n.srv == SRV_ABSENT)
		ask_caps();
}

static void
schedule_flush(void)
{
	if (n.flush != NULL && !event_pending(n.flush, EV_TIMEOUT, NULL))
		event_active(n.flush, EV_TIMEOUT, 0);
}

/* --- life ------------------------------------------------------------- */

void
notify_init(struct event_base *base, struct engine *e)
{
	n.e = e;
	n.srv = SRV_NONE;
	if ((n.flush = evtimer_new(base, flush, NULL)) == NULL) {
		log_warnx("desktop notifications off: out of memory");
		return;
	}
	events_add_sink("desktop", notify_sink, NULL);
	apply_mode();
}

void
notify_shutdown(void)
{
	struct slot	*s;
	struct bubble	*b;

	events_remove_sink(notify_sink, NULL);
	while ((s = TAILQ_FIRST(&n.slots)) != NULL)
		slot_free(s);
	while ((b = TAILQ_FIRST(&n.bubbles)) != NULL)
		bubble_free(b);
	if (n.flush != NULL)
		event_free(n.flush);
	n.flush = NULL;
	n.enabled = false;
	n.srv = SRV_NONE;
}
