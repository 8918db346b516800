/*
 * presence.c: is the person there to see a prompt? Prompts are held (as in
 * quiet hours) while
 *  - their graphical session is locked: logind's LockedHint of the user's
 *    display session (User.Display of GetUser(uid)), else of their first
 *    active session, on the system bus;
 *  - the notification server is in do-not-disturb where it says so on the
 *    bus: dunst's `paused` property (org.dunstproject.cmd0), swaync's dnd
 *    (org.erikreider.swaync.cc GetDnd and its Subscribe signals).
 * Every value is read once and then followed through signals
 * (PropertiesChanged, NameOwnerChanged), never polled. Every call is
 * asynchronous. Without a system bus or logind nothing is held for a lock,
 * and the log says so once.
 */
#include "daemon/presence.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "daemon/bus.h"
#include "daemon/engine.h"
#include "daemon/log.h"

#define L_NAME		"org.freedesktop.login1"
#define L_PATH		"/org/freedesktop/login1"
#define L_MANAGER	"org.freedesktop.login1.Manager"
#define L_USER		"org.freedesktop.login1.User"
#define L_SESSION	"org.freedesktop.login1.Session"
#define PROPS		"org.freedesktop.DBus.Properties"
#define N_NAME		"org.freedesktop.Notifications"
#define N_PATH		"/org/freedesktop/Notifications"
#define DUNST_IFACE	"org.dunstproject.cmd0"
#define SWAYNC_NAME	"org.erikreider.swaync.cc"
#define SWAYNC_PATH	"/org/erikreider/swaync/cc"

static struct {
	struct engine	*e;
	bool		 locked, dunst, swaync;
	char		*user;		/* logind's object for our uid */
	char		*session;	/* the session followed */
	sd_bus_slot	*session_match;
	char		**sessions;	/* candidates while looking for one */
	size_t		 nsessions, at;
} p;

/* One place decides; the engine logs the change with its reason. */
static void
update(const char *why)
{
	engine_set_away(p.e, p.locked || p.dunst || p.swaync, why);
}

static void
set_locked(bool v)
{
	if (p.locked == v)
		return;
	p.locked = v;
	update(v ? "screen locked" : "screen unlocked");
}

static bool
reply_ok(sd_bus_message *m, const char *what)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e == NULL)
		return true;
	log_debug("%s: %s", what, e->message != NULL ? e->message : e->name);
	return false;
}

static int
get_prop(enum bus_kind k, const char *dest, const char *path,
    const char *iface, const char *prop, sd_bus_message_handler_t cb,
    void *arg)
{
	sd_bus	*bus = bus_get(k);
	int	 r;

	if (bus == NULL)
		return -1;
	r = sd_bus_call_method_async(bus, NULL, dest, path, PROPS, "Get", cb,
	    arg, "ss", iface, prop);
	bus_kick(k);
	return r;
}

/* --- logind ------------------------------------------------------------ */

static int
locked_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	int	v;

	(void)arg;
	(void)ret_error;
	if (reply_ok(m, "LockedHint") &&
	    sd_bus_message_read(m, "v", "b", &v) >= 0)
		set_locked(v);
	return 0;
}

/* A session's properties changed; LockedHint may be among them. */
static int
on_session_props(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*iface, *key;
	int		 v;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "s", &iface) < 0 ||
	    strcmp(iface, L_SESSION) != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &key) < 0)
			return 0;
		if (strcmp(key, "LockedHint") == 0) {
			if (sd_bus_message_read(m, "v", "b", &v) >= 0)
				set_locked(v);
		} else if (sd_bus_message_skip(m, "v") < 0)
			return 0;
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	if (sd_bus_message_exit_container(m) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &key) > 0)
		if (strcmp(key, "LockedHint") == 0)
			get_prop(BUS_SYSTEM, L_NAME, p.session, L_SESSION,
			    "LockedHint", locked_reply, NULL);
	return 0;
}

/* Follows one session: the match first, then the value, so no change
 * falls between the two. */
static void
follow_session(const char *path)
{
	sd_bus	*bus = bus_get(BUS_SYSTEM);
	char	*dup;

	if (bus == NULL || (p.session != NULL && strcmp(p.session, path) == 0))
		return;
	if ((dup = strdup(path)) == NULL)
		return;
	p.session_match = sd_bus_slot_unref(p.session_match);
	free(p.session);
	p.session = dup;
	log_debug("following the screen lock of %s", path);
	if (sd_bus_match_signal_async(bus, &p.session_match, L_NAME, path,
	    PROPS, "PropertiesChanged", on_session_props, NULL, NULL) < 0)
		log_warnx("screen lock: cannot follow %s", path);
	get_prop(BUS_SYSTEM, L_NAME, path, L_SESSION, "LockedHint",
	    locked_reply, NULL);
}

static void	try_candidate(void);

static void
candidates_free(void)
{
	for (size_t i = 0; i < p.nsessions; i++)
		free(p.sessions[i]);
	free(p.sessions);
	p.sessions = NULL;
	p.nsessions = p.at = 0;
}

static int
active_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	int	v = 0;

	(void)arg;
	(void)ret_error;
	if (p.at >= p.nsessions)
		return 0;
	if (reply_ok(m, "Session.Active") &&
	    sd_bus_message_read(m, "v", "b", &v) >= 0 && v) {
		follow_session(p.sessions[p.at]);
		candidates_free();
		return 0;
	}
	p.at++;
	try_candidate();
	return 0;
}

/* The user's sessions one by one, until an active one answers. */
static void
try_candidate(void)
{
	if (p.at < p.nsessions) {
		get_prop(BUS_SYSTEM, L_NAME, p.sessions[p.at], L_SESSION,
		    "Active", active_reply, NULL);
		return;
	}
	candidates_free();
	log_debug("screen lock: no active session of ours");
	set_locked(false);
}

static int
sessions_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*id, *path;
	char		**v;

	(void)arg;
	(void)ret_error;
	candidates_free();
	if (!reply_ok(m, "User.Sessions") ||
	    sd_bus_message_enter_container(m, 'v', "a(so)") < 0 ||
	    sd_bus_message_enter_container(m, 'a', "(so)") < 0)
		return 0;
	while (sd_bus_message_read(m, "(so)", &id, &path) > 0) {
		if ((v = reallocarray(p.sessions, p.nsessions + 1,
		    sizeof *v)) == NULL)
			break;
		p.sessions = v;
		if ((v[p.nsessions] = strdup(path)) == NULL)
			break;
		p.nsessions++;
	}
	try_candidate();
	return 0;
}

static int
display_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*id, *path;

	(void)arg;
	(void)ret_error;
	if (!reply_ok(m, "User.Display"))
		return 0;
	if (sd_bus_message_read(m, "v", "(so)", &id, &path) >= 0 &&
	    strcmp(path, "/") != 0) {
		follow_session(path);
		return 0;
	}
	get_prop(BUS_SYSTEM, L_NAME, p.user, L_USER, "Sessions",
	    sessions_reply, NULL);
	return 0;
}

/* Which session to follow: asked again when the user's Display changes. */
static void
find_session(void)
{
	get_prop(BUS_SYSTEM, L_NAME, p.user, L_USER, "Display",
	    display_reply, NULL);
}

static int
on_user_props(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	(void)m;
	(void)arg;
	(void)ret_error;
	find_session();
	return 0;
}

static int
user_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);
	const char		*path;

	(void)arg;
	(void)ret_error;
	if (e != NULL || sd_bus_message_read(m, "o", &path) < 0) {
		log_info("screen lock not followed (logind: %.160s); prompts are "
		    "not held while away", e != NULL && e->message != NULL ?
		    e->message : "no answer");
		return 0;
	}
	if ((p.user = strdup(path)) == NULL)
		return 0;
	if (sd_bus_match_signal_async(bus_get(BUS_SYSTEM), NULL, L_NAME,
	    p.user, PROPS, "PropertiesChanged", on_user_props, NULL,
	    NULL) < 0)
		log_warnx("screen lock: cannot follow %s", p.user);
	find_session();
	return 0;
}

static void
logind_init(void)
{
	sd_bus	*bus = bus_get(BUS_SYSTEM);

	if (bus == NULL || sd_bus_call_method_async(bus, NULL, L_NAME, L_PATH,
	    L_MANAGER, "GetUser", user_reply, NULL, "u",
	    (uint32_t)getuid()) < 0) {
		log_info("screen lock not followed (no system bus); prompts "
		    "are not held while away");
		return;
	}
	bus_kick(BUS_SYSTEM);
}

/* --- do not disturb ------------------------------------------------------ */

static void
set_dnd(bool *which, bool v, const char *server)
{
	char	why[64];

	if (*which == v)
		return;
	*which = v;
	snprintf(why, sizeof why, "%s: do not disturb %s", server,
	    v ? "on" : "off");
	update(why);
}

static int
dunst_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	int	v;

	(void)arg;
	(void)ret_error;
	if (reply_ok(m, "dunst paused") &&
	    sd_bus_message_read(m, "v", "b", &v) >= 0)
		set_dnd(&p.dunst, v, "dunst");
	return 0;
}

static int
on_dunst_props(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*iface, *key;
	int		 v;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "s", &iface) < 0 ||
	    strcmp(iface, DUNST_IFACE) != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &key) < 0)
			return 0;
		if (strcmp(key, "paused") == 0) {
			if (sd_bus_message_read(m, "v", "b", &v) >= 0)
				set_dnd(&p.dunst, v, "dunst");
		} else if (sd_bus_message_skip(m, "v") < 0)
			return 0;
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

static int
swaync_reply(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	int	v;

	(void)arg;
	(void)ret_error;
	if (reply_ok(m, "swaync GetDnd") && sd_bus_message_read(m, "b", &v) >= 0)
		set_dnd(&p.swaync, v, "swaync");
	return 0;
}

/* swaync's Subscribe(count, dnd, cc_open) and SubscribeV2(count, dnd,
 * cc_open, inhibited) both carry the dnd state second. */
static int
on_swaync(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	uint32_t	count;
	int		v;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "ub", &count, &v) >= 0)
		set_dnd(&p.swaync, v, "swaync");
	return 0;
}

/* Asks whichever server is there; the one that is not just errs. */
static void
dnd_probe(void)
{
	sd_bus	*bus = bus_get(BUS_SESSION);

	if (bus == NULL)
		return;
	get_prop(BUS_SESSION, N_NAME, N_PATH, DUNST_IFACE, "paused",
	    dunst_reply, NULL);
	sd_bus_call_method_async(bus, NULL, SWAYNC_NAME, SWAYNC_PATH,
	    SWAYNC_NAME, "GetDnd", swaync_reply, NULL, "");
	bus_kick(BUS_SESSION);
}

/* A server came or went: its do-not-disturb went with the old one. */
static int
on_owner(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*name, *old, *new;

	(void)arg;
	(void)ret_error;
	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
		return 0;
	if (strcmp(name, N_NAME) == 0)
		set_dnd(&p.dunst, false, "notification server changed");
	else if (strcmp(name, SWAYNC_NAME) == 0)
		set_dnd(&p.swaync, false, "swaync changed");
	else
		return 0;
	if (*new != '\0')
		dnd_probe();
	return 0;
}

static void
dnd_init(void)
{
	sd_bus	*bus = bus_get(BUS_SESSION);

	if (bus == NULL)
		return;
	if (sd_bus_add_match_async(bus, NULL, "type='signal',"
	    "sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='" N_NAME "'", on_owner, NULL,
	    NULL) < 0 ||
	    sd_bus_add_match_async(bus, NULL, "type='signal',"
	    "sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='" SWAYNC_NAME "'", on_owner,
	    NULL, NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, N_NAME, N_PATH, PROPS,
	    "PropertiesChanged", on_dunst_props, NULL, NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, SWAYNC_NAME, SWAYNC_PATH,
	    SWAYNC_NAME, "Subscribe", on_swaync, NULL, NULL) < 0 ||
	    sd_bus_match_signal_async(bus, NULL, SWAYNC_NAME, SWAYNC_PATH,
	    SWAYNC_NAME, "SubscribeV2", on_swaync, NULL, NULL) < 0)
		log_warnx("do not disturb: cannot follow the servers");
	dnd_probe();
}

/* --- life ---------------------------------------------------------------- */

void
presence_init(struct engine *e)
{
	p.e = e;
	logind_init();
	dnd_init();
}

void
presence_shutdown(void)
{
	p.session_match = sd_bus_slot_unref(p.session_match);
	candidates_free();
	free(p.user);
	free(p.session);
	p.user = p.session = NULL;
	p.locked = p.dunst = p.swaync = false;
}
