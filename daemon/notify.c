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
 * bubbles still wanted are shown there. notify_bus.c holds that
 * conversation, below this file (notify_int.h says how they talk);
 * notify_text.c composes what a bubble says.
 */
#include "daemon/notify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/history.h"
#include "common/routine.h"
#include "common/timeutil.h"
#include "daemon/bus.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/history_cmd.h"
#include "daemon/log.h"
#include "daemon/notify_int.h"

static struct {
	struct engine	*e;
	struct event	*flush;
	bool		 enabled;	/* notify = desktop and a session bus */
	TAILQ_HEAD(, bubble) bubbles;
	TAILQ_HEAD(, slot) slots;
} ns = {
	.bubbles = TAILQ_HEAD_INITIALIZER(ns.bubbles),
	.slots = TAILQ_HEAD_INITIALIZER(ns.slots),
};

static void	schedule_flush(void);

/* --- the one way into the engine -------------------------------------- */

static struct slot	*slot_find(const char *name);

/* The cramp check's answer: what `calfctl cramp result` does. Its end
 * bubble (the check no longer runs) goes once answered. */
static enum result
cramp_answer(const char *name, bool relieved, char **cause)
{
	struct slot	*s;
	enum result	 r;

	r = history_cramp_result(ns.e, ORIGIN_BUTTON, relieved, NULL, cause);
	if (r == RES_SUCCESS && (s = slot_find(name)) != NULL) {
		s->gone = true;
		schedule_flush();
	}
	return r;
}

/* A button does exactly what the calfctl command of the same name does;
 * every engine call of the desktop notifications goes through here. */
static void
notify_act(const char *key, const char *name)
{
	const char	*which = NULL;
	char		*cause = NULL;
	enum result	 r;

	log_debug("notification button %s for %s", key, name);
	if (strcmp(key, NT_KEY_RELIEVED) == 0 ||
	    strcmp(key, NT_KEY_NOT_RELIEVED) == 0) {
		if (strcmp(name, HIST_CRAMP_SESSION) != 0)
			return;	/* offered only on the check's bubble */
		r = cramp_answer(name, strcmp(key, NT_KEY_RELIEVED) == 0,
		    &cause);
	} else if (strcmp(key, "start") == 0 || strcmp(key, "default") == 0)
		r = engine_start(ns.e, ORIGIN_BUTTON, name, &which, &cause);
	else if (strcmp(key, "snooze") == 0)
		r = engine_snooze(ns.e, ORIGIN_BUTTON, name, 0, NULL, &which,
		    &cause);
	else if (strcmp(key, "skip") == 0)
		r = engine_skip(ns.e, ORIGIN_BUTTON, name, &which, &cause);
	else if (strcmp(key, "done") == 0)
		r = engine_done(ns.e, ORIGIN_BUTTON, name, &which, &cause);
	else if (strcmp(key, "stop") == 0)
		r = engine_stop(ns.e, ORIGIN_BUTTON, name, &which, &cause);
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

	TAILQ_FOREACH(s, &ns.slots, entry)
		if (strcmp(s->it.name, name) == 0)
			return s;
	return NULL;
}

static struct bubble *
bubble_new(void)
{
	struct bubble	*b = calloc(1, sizeof *b);

	if (b != NULL)
		TAILQ_INSERT_TAIL(&ns.bubbles, b, entry);
	return b;
}

static void
bubble_free(struct bubble *b)
{
	TAILQ_REMOVE(&ns.bubbles, b, entry);
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
	TAILQ_REMOVE(&ns.slots, s, entry);
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
	if (!ns.enabled || ev->session == NULL || ev->reason == REASON_AHEAD)
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
		TAILQ_INSERT_TAIL(&ns.slots, s, entry);
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

/* The slots a bubble shows, in the order they came. */
static size_t
bubble_items(const struct bubble *b, const struct nt_item **items,
    size_t max)
{
	const struct slot	*s;
	size_t			 k = 0;

	TAILQ_FOREACH(s, &ns.slots, entry)
		if (s->b == b && k < max)
			items[k++] = &s->it;
	return k;
}

static void
bubble_send(struct bubble *b)
{
	const struct nt_item	*items[NT_MAX_LIST];

	notify_bubble_send(b, items, bubble_items(b, items, NT_MAX_LIST));
}

static struct bubble *
bubble_by_id(uint32_t id)
{
	struct bubble	*b;

	TAILQ_FOREACH(b, &ns.bubbles, entry)
		if (id != 0 && b->id == id)
			return b;
	return NULL;
}

/* --- what the server side reports (notify_up) --------------------------- */

static void
up_forget_ids(void)
{
	struct bubble	*b;

	TAILQ_FOREACH(b, &ns.bubbles, entry)
		b->id = 0;
}

/* Every bubble still wanted goes to a server that has just appeared. */
static void
up_appeared(void)
{
	struct bubble	*b;

	TAILQ_FOREACH(b, &ns.bubbles, entry)
		if (b->refs > 0)
			b->dirty = true;
	schedule_flush();
}

/* A bubble nobody wants any more was closed when Notify came back. */
static void
up_answered(struct bubble *b)
{
	log_debug("notify: id %u, %d sessions", b->id, b->refs);
	if (b->refs == 0) {
		notify_send_close(b->id);
		bubble_free(b);
		return;
	}
	if (b->again) {
		b->again = false;
		bubble_send(b);
	}
}

/* A button: the key is checked against what the bubble offers now. */
static void
up_button(uint32_t id, const char *k)
{
	const struct nt_item	*items[NT_MAX_LIST];
	char			 names[NT_MAX_LIST][ROUTINE_MAX_NAME + 1];
	char			 key[32];	/* the longest key offered fits */
	struct bubble		*b;
	size_t			 cnt;

	if ((b = bubble_by_id(id)) == NULL)
		return;
	cnt = bubble_items(b, items, NT_MAX_LIST);
	if (!nt_offers(items, cnt, notify_caps(), k)) {
		log_info("notification button \"%.32s\": not offered there",
		    k);
		return;
	}
	/* The actions change the slots: copy what is needed first. */
	snprintf(key, sizeof key, "%s", k);
	for (size_t i = 0; i < cnt; i++)
		snprintf(names[i], sizeof names[i], "%s", items[i]->name);
	for (size_t i = 0; i < cnt; i++)
		notify_act(key, names[i]);
}

static void
up_closed(uint32_t id)
{
	struct bubble	*b;

	if ((b = bubble_by_id(id)) != NULL)
		b->id = 0;
}

static const struct notify_up up = {
	.forget_ids = up_forget_ids,
	.appeared = up_appeared,
	.answered = up_answered,
	.button = up_button,
	.closed = up_closed,
};

/* --- per loop turn ---------------------------------------------------- */

/* Whether every slot on bubble b is a fresh prompt. */
static bool
all_fresh(const struct bubble *b)
{
	const struct slot	*s;

	TAILQ_FOREACH(s, &ns.slots, entry)
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

	TAILQ_FOREACH(s, &ns.slots, entry) {
		if (!s->fresh || s->gone)
			continue;
		fresh++;
		if (g == NULL && s->b != NULL && all_fresh(s->b))
			g = s->b;
	}
	if (fresh >= 2 && (g != NULL || (g = bubble_new()) != NULL)) {
		TAILQ_FOREACH(s, &ns.slots, entry)
			if (s->fresh && !s->gone && s->b != g)
				slot_attach(s, g);
	}
	TAILQ_FOREACH(s, &ns.slots, entry)
		s->fresh = false;
}

/* Applies `notify =` from the routine in use; true when enabled. */
static bool
apply_mode(void)
{
	bool	want = engine_routine(ns.e)->notify == NOTIFY_DESKTOP;
	sd_bus	*bus;

	if (want == ns.enabled)
		return want;
	if (!want) {
		struct slot *s;

		TAILQ_FOREACH(s, &ns.slots, entry)
			s->gone = true;
		ns.enabled = false;
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
	if (notify_bus_start(bus, &up) < 0) {
		log_warnx("desktop notifications off: cannot watch the bus");
		return false;
	}
	ns.enabled = true;
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
	for (s = TAILQ_FIRST(&ns.slots); s != NULL; s = st) {
		st = TAILQ_NEXT(s, entry);
		if (s->gone)
			slot_free(s);
	}
	for (b = TAILQ_FIRST(&ns.bubbles); b != NULL; b = bt) {
		bt = TAILQ_NEXT(b, entry);
		if (!b->dirty)
			continue;
		b->dirty = false;
		if (b->refs == 0) {
			if (b->call == NULL) {
				notify_send_close(b->id);
				bubble_free(b);
			}	/* else closed when Notify answers */
			continue;
		}
		news = true;
		bubble_send(b);
	}
	/* A server may be started on demand (D-Bus activation). */
	if (news && notify_server() == SRV_ABSENT)
		notify_ask_caps();
}

static void
schedule_flush(void)
{
	if (ns.flush != NULL && !event_pending(ns.flush, EV_TIMEOUT, NULL))
		event_active(ns.flush, EV_TIMEOUT, 0);
}

/* --- life ------------------------------------------------------------- */

void
notify_init(struct event_base *base, struct engine *e)
{
	ns.e = e;
	if ((ns.flush = evtimer_new(base, flush, NULL)) == NULL) {
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
	while ((s = TAILQ_FIRST(&ns.slots)) != NULL)
		slot_free(s);
	while ((b = TAILQ_FIRST(&ns.bubbles)) != NULL)
		bubble_free(b);
	if (ns.flush != NULL)
		event_free(ns.flush);
	ns.flush = NULL;
	ns.enabled = false;
	notify_bus_stop();
}
