/*
 * notify_text.c: the words and buttons of a desktop notification. The
 * engine hands out facts (an event); this is the edge where they become
 * what a person reads on the desktop, so notify.c only moves bubbles.
 */
#include "daemon/notify_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/history.h"
#include "common/timeutil.h"

/* Which bubble an event calls for; NT_NONE: the session was handled. */
enum nt_kind
nt_kind_of(enum event_kind k)
{
	switch (k) {
	case EV_DUE:
	case EV_REMINDER:
		return NT_PROMPT;
	case EV_STARTED:
	case EV_CUE:
	case EV_MINIMUM:
		return NT_RUNNING;
	case EV_FINISHED:
		return NT_END;
	default:
		return NT_NONE;
	}
}

static int
dup_into(char **dst, const char *src)
{
	char	*c = strdup(src != NULL ? src : "");

	if (c == NULL)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

int
nt_item_set(struct nt_item *it, enum nt_kind k, const struct calf_event *ev)
{
	if (dup_into(&it->name, ev->session) == -1 ||
	    dup_into(&it->title, ev->title != NULL ? ev->title :
	    ev->session) == -1 ||
	    dup_into(&it->message, ev->message) == -1)
		return -1;
	it->kind = k;
	it->ev = ev->kind;
	it->left_s = -1;
	return 0;
}

void
nt_item_clear(struct nt_item *it)
{
	free(it->name);
	free(it->title);
	free(it->message);
	memset(it, 0, sizeof *it);
}

void
nt_caps_add(struct nt_caps *c, const char *cap)
{
	if (strcmp(cap, "actions") == 0)
		c->actions = true;
	else if (strcmp(cap, "body") == 0)
		c->body = true;
	else if (strcmp(cap, "body-markup") == 0)
		c->markup = true;
}

/* A growing string; on out of memory it stays NULL and appends stop. */
struct text {
	char	*s;
	size_t	 len;
	bool	 oom;
};

static void
text_add(struct text *t, const char *p, size_t n)
{
	char	*s;

	if (t->oom)
		return;
	if ((s = realloc(t->s, t->len + n + 1)) == NULL) {
		t->oom = true;
		return;
	}
	memcpy(s + t->len, p, n);
	t->len += n;
	s[t->len] = '\0';
	t->s = s;
}

/* Text from the routine or a client, escaped where the body is markup. */
static void
text_plain(struct text *t, const char *p, bool markup)
{
	for (; *p != '\0'; p++) {
		if (markup && *p == '<')
			text_add(t, "&lt;", 4);
		else if (markup && *p == '>')
			text_add(t, "&gt;", 4);
		else if (markup && *p == '&')
			text_add(t, "&amp;", 5);
		else
			text_add(t, p, 1);
	}
}

static void
text_fmt(struct text *t, bool markup, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
text_fmt(struct text *t, bool markup, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1)
		p = NULL;
	va_end(ap);
	if (p == NULL) {
		t->oom = true;
		return;
	}
	text_plain(t, p, markup);
	free(p);
}

/* The cramp check (the session named HIST_CRAMP_SESSION, as for `calfctl
 * cramp result`) asks for its answer from its cue on, and at its end. */
static bool
asks_cramp_result(const struct nt_item *it)
{
	if (strcmp(it->name, HIST_CRAMP_SESSION) != 0)
		return false;
	return it->kind == NT_END || (it->kind == NT_RUNNING &&
	    (it->ev == EV_CUE || it->ev == EV_MINIMUM));
}

/* The body of a one-session bubble: the prompt or cue, the time left,
 * and, where there are no buttons, the command that answers. */
static void
body_one(struct text *t, const struct nt_item *it, const struct nt_caps *c)
{
	char	d[32];

	text_plain(t, it->message, c->markup);
	if (it->kind == NT_RUNNING && it->left_s > 0)
		text_fmt(t, c->markup, "\n%s left.",
		    dur_format(it->left_s, d, sizeof d));
	if (c->actions)
		return;
	if (asks_cramp_result(it))
		text_fmt(t, c->markup, "\nAnswer with: calfctl cramp result "
		    "relieved (or not-relieved).");
	else if (it->kind == NT_PROMPT)
		text_fmt(t, c->markup, "\nAnswer with: calfctl start %s "
		    "(or snooze, skip).", it->name);
	else if (it->kind == NT_RUNNING)
		text_fmt(t, c->markup, "\nEnd it with: calfctl done %s "
		    "(or stop).", it->name);
}

static void
body_list(struct text *t, const struct nt_item *const *it, size_t n,
    const struct nt_caps *c)
{
	for (size_t i = 0; i < n; i++)
		text_fmt(t, c->markup, "%s%s: %s", i > 0 ? "\n" : "",
		    it[i]->title, it[i]->message);
	if (c->actions)
		return;
	text_fmt(t, c->markup, "\nAnswer with calfctl start, snooze or skip "
	    "and the name:");
	for (size_t i = 0; i < n; i++)
		text_fmt(t, c->markup, "%s %s", i > 0 ? "," : "", it[i]->name);
	text_plain(t, ".", c->markup);
}

/* The buttons as pairs of key and label; NULL-terminated. */
static const char *const *
buttons(const struct nt_item *const *it, size_t n, const struct nt_caps *c)
{
	static const char *const none[] = { NULL };
	static const char *const prompt[] = { "default", "Start",
	    "start", "Start", "snooze", "Snooze", "skip", "Skip", NULL };
	static const char *const running[] = { "done", "Done", "stop",
	    "Stop", NULL };
	static const char *const list[] = { "snooze", "Snooze all",
	    "skip", "Skip all", NULL };
	static const char *const cramp_running[] = { NT_KEY_RELIEVED,
	    "Relieved", NT_KEY_NOT_RELIEVED, "Not relieved", "stop", "Stop",
	    NULL };
	static const char *const cramp_end[] = { NT_KEY_RELIEVED,
	    "Relieved", NT_KEY_NOT_RELIEVED, "Not relieved", NULL };

	if (!c->actions)
		return none;
	if (n > 1)
		return list;
	if (asks_cramp_result(it[0]))
		return it[0]->kind == NT_END ? cramp_end : cramp_running;
	if (it[0]->kind == NT_PROMPT)
		return prompt;
	if (it[0]->kind == NT_RUNNING)
		return running;
	return none;
}

bool
nt_offers(const struct nt_item *const *it, size_t n, const struct nt_caps *c,
    const char *key)
{
	const char *const *b;

	if (n == 0)
		return false;
	for (b = buttons(it, n, c); *b != NULL; b += 2)
		if (strcmp(*b, key) == 0)
			return true;
	return false;
}

static int
hint_s(sd_bus_message *m, const char *k, const char *v)
{
	return sd_bus_message_append(m, "{sv}", k, "s", v);
}

int
nt_append(sd_bus_message *m, const struct nt_item *const *it, size_t n,
    const struct nt_caps *c)
{
	struct text		 sum = { 0 }, body = { 0 };
	const struct nt_item	*one = it[0];
	const char *const	*b;
	const char		*sound = NULL;
	char			 cat[32];
	uint8_t			 urgency = 1;	/* normal */
	int32_t			 expire = 0;	/* until answered */
	int			 r;

	if (n > 1) {
		text_fmt(&sum, false, "%zu sessions due", n);
		body_list(&body, it, n, c);
		snprintf(cat, sizeof cat, "x-calf.due");
		sound = "alarm-clock-elapsed";
	} else {
		text_plain(&sum, one->title, false);
		body_one(&body, one, c);
		snprintf(cat, sizeof cat, "x-calf.%s", event_kind_name(one->ev));
		if (one->kind == NT_PROMPT)
			sound = "alarm-clock-elapsed";
		else if (one->kind == NT_END) {
			sound = "complete";
			urgency = 2;	/* critical: the soak is over */
			expire = -1;
		} else if (one->ev != EV_STARTED)
			sound = "bell";
	}
	if (sum.oom || body.oom) {
		free(sum.s);
		free(body.s);
		return -ENOMEM;
	}
	r = sd_bus_message_append(m, "sss", "", sum.s != NULL ? sum.s : "",
	    body.s != NULL ? body.s : "");
	free(sum.s);
	free(body.s);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "s");
	for (b = buttons(it, n, c); r >= 0 && *b != NULL; b++)
		r = sd_bus_message_append(m, "s", *b);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0)
		r = hint_s(m, "category", cat);
	if (r >= 0)
		r = hint_s(m, "desktop-entry", "calf");
	if (r >= 0)
		r = sd_bus_message_append(m, "{sv}", "resident", "b", 1);
	if (r >= 0)
		r = sd_bus_message_append(m, "{sv}", "urgency", "y", urgency);
	if (r >= 0 && sound != NULL)
		r = hint_s(m, "sound-name", sound);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "i", expire);
	return r;
}
