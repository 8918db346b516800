/*
 * notify_bus.c: the conversation with the notification server
 * (org.freedesktop.Notifications): GetCapabilities, Notify and
 * CloseNotification, all asynchronous, and the signals that come back:
 * ActionInvoked (a button), NotificationClosed (gone from the screen, not
 * an answer) and NameOwnerChanged (a server left, appeared or replaced the
 * last one). The model it shows lives in notify.c, above this file:
 * what happens here is reported up through the notify_up hooks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "daemon/bus.h"
#include "daemon/log.h"
#include "daemon/notify_int.h"

#define N_NAME		"org.freedesktop.Notifications"
#define N_PATH		"/org/freedesktop/Notifications"
#define N_IFACE		"org.freedesktop.Notifications"

static struct {
	const struct notify_up	*up;
	enum server		 srv;
	bool			 told_absent;	/* said once per absence */
	bool			 watching;	/* the matches are added */
	struct nt_caps		 caps;
} nb;

/* The server went away or refused: said once until one answers again. */
static void
server_lost(const char *why)
{
	nb.srv = SRV_ABSENT;
	nb.up->forget_ids();
	if (!nb.told_absent)
		log_info("no desktop notification server (%s); prompts go to "
		    "the log and to watchers until one appears", why);
	nb.told_absent = true;
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

void
notify_send_close(uint32_t id)
{
	sd_bus	*bus = bus_get(BUS_SESSION);

	if (id == 0 || bus == NULL || nb.srv != SRV_PRESENT)
		return;
	log_debug("notify: close %u", id);
	if (sd_bus_call_method_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "CloseNotification", NULL, NULL, "u", id) < 0)
		log_debug("CloseNotification %u: cannot queue", id);
	bus_kick(BUS_SESSION);
}

static int	notify_reply(sd_bus_message *, void *, sd_bus_error *);

void
notify_bubble_send(struct bubble *b, const struct nt_item **items, size_t k)
{
	sd_bus			*bus = bus_get(BUS_SESSION);
	sd_bus_message		*m = NULL;
	int			 r;

	if (nb.srv != SRV_PRESENT || bus == NULL)
		return;		/* shown when a server appears */
	if (b->call != NULL) {
		b->again = true;
		return;
	}
	if (k == 0)
		return;
	r = sd_bus_message_new_method_call(bus, &m, N_NAME, N_PATH, N_IFACE,
	    "Notify");
	if (r >= 0)
		r = sd_bus_message_append(m, "su", "calf", b->id);
	if (r >= 0)
		r = nt_append(m, items, k, &nb.caps);
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
	nb.up->answered(b);
	return 0;
}

static int
caps_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e;
	const char		*cap;

	(void)arg;
	(void)ret_error;
	if (nb.srv == SRV_NONE)
		return 0;
	if ((e = sd_bus_message_get_error(m)) != NULL) {
		server_lost(e->message != NULL ? e->message : e->name);
		return 0;
	}
	memset(&nb.caps, 0, sizeof nb.caps);
	if (sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &cap) > 0)
		nt_caps_add(&nb.caps, cap);
	nb.srv = SRV_PRESENT;
	if (nb.told_absent)
		log_info("desktop notification server back");
	nb.told_absent = false;
	log_debug("notification server: actions %s, body %s",
	    nb.caps.actions ? "yes" : "no", nb.caps.body ? "yes" : "no");
	nb.up->appeared();
	return 0;
}

void
notify_ask_caps(void)
{
	sd_bus	*bus = bus_get(BUS_SESSION);

	if (bus == NULL || nb.srv == SRV_ASKING)
		return;
	nb.srv = SRV_ASKING;
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

	(void)arg;
	(void)ret_error;
	if (nb.srv == SRV_NONE || sd_bus_message_read(m, "sss", &name, &old,
	    &new) < 0 || strcmp(name, N_NAME) != 0)
		return 0;
	nb.up->forget_ids();	/* the new server knows none of them */
	if (*new == '\0') {
		server_lost("it left the bus");
		return 0;
	}
	nb.srv = SRV_ABSENT;
	notify_ask_caps();
	return 0;
}

/* A button: the model checks it against what the bubble offers now. */
static int
on_action(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*k;
	uint32_t	 id;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "us", &id, &k) >= 0 && id != 0)
		nb.up->button(id, k);
	return 0;
}

/* Dismissed, expired or closed: not an answer; the reminders go on and
 * the next one makes a new bubble. */
static int
on_closed(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	uint32_t	 id, reason;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "uu", &id, &reason) >= 0 && id != 0) {
		log_debug("notification %u closed (reason %u)", id, reason);
		nb.up->closed(id);
	}
	return 0;
}

/* The signals calfd follows, added once for the life of the bus. */
static int
watch(sd_bus *bus)
{
	if (sd_bus_add_match_async(bus, NULL, "type='signal',"
	    "sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='" N_NAME "'", on_owner, NULL,
	    NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "ActionInvoked", on_action, NULL, NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, N_NAME, N_PATH, N_IFACE,
	    "NotificationClosed", on_closed, NULL, NULL) < 0)
		return -1;
	return 0;
}

int
notify_bus_start(sd_bus *bus, const struct notify_up *up)
{
	nb.up = up;
	if (!nb.watching && watch(bus) < 0)
		return -1;
	nb.watching = true;	/* once: the matches stay for good */
	nb.srv = SRV_ABSENT;
	notify_ask_caps();
	return 0;
}

void
notify_bus_stop(void)
{
	nb.srv = SRV_NONE;
}

enum server
notify_server(void)
{
	return nb.srv;
}

const struct nt_caps *
notify_caps(void)
{
	return &nb.caps;
}
