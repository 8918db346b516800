/*
 * bar.c: status for status bars (bar.h). The state word is what a bar's
 * style keys on: running, due, snoozed, held, paused, quiet, idle, and
 * stopped while calfd is not running.
 */
#include "ctl/bar.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/proto.h"
#include "common/timeutil.h"
#include "ctl/escape.h"
#include "ctl/format.h"
#include "common/jfield.h"

#define US		1000000LL
#define STATE_PAUSED	"paused"	/* the bar's words beyond proto.h's */
#define STATE_QUIET	"quiet"
#define STATE_STOPPED	"stopped"

/* What one bar shows, before it is written in a bar's format. */
struct bar {
	char		 text[256];
	char		 tooltip[2048];
	const char	*state;
	int		 percentage;
};

int
bar_format_parse(const char *s, enum bar_format *f)
{
	if (strcmp(s, "waybar") == 0)
		*f = BAR_WAYBAR;
	else if (strcmp(s, "i3blocks") == 0)
		*f = BAR_I3BLOCKS;
	else
		return (-1);
	return (0);
}

/* The first object of the array at key, or NULL. */
static json_object *
first(json_object *data, const char *key)
{
	json_object	*a = jarr(data, key);

	if (a == NULL || json_object_array_length(a) == 0)
		return (NULL);
	return (json_object_array_get_idx(a, 0));
}

bool
bar_running(json_object *status)
{
	return (first(status, F_RUNNING) != NULL);
}

/* Appends one line to the tooltip. */
static void __attribute__((format(printf, 2, 3)))
tip(struct bar *b, const char *fmt, ...)
{
	size_t	 off = strlen(b->tooltip);
	va_list	 ap;

	if (off > 0 && off + 1 < sizeof b->tooltip)
		b->tooltip[off++] = '\n';
	va_start(ap, fmt);
	vsnprintf(b->tooltip + off, sizeof b->tooltip - off, fmt, ap);
	va_end(ap);
}

static const char *
title_of(json_object *s)
{
	return (nz(jstr(s, F_TITLE), nz(jstr(s, F_SESSION), "?")));
}

/* A running session: what is left (whole minutes: a bar is redrawn once a
 * minute) and how far along it is. */
static void
running(struct bar *b, json_object *r)
{
	int64_t	 el = 0, min = 0, max = 0;
	char	 span[32];

	jint(r, F_ELAPSED_US, &el);
	jint(r, F_MIN_US, &min);
	jint(r, F_MAX_US, &max);
	el /= US;
	min /= US;
	max = max / US > min ? max / US : min;
	if (el < min)
		snprintf(b->text, sizeof b->text, "%s %s left", title_of(r),
		    ctl_span(min - el, true, span, sizeof span));
	else if (el < max)
		snprintf(b->text, sizeof b->text, "%s %s left at most",
		    title_of(r), ctl_span(max - el, true, span, sizeof span));
	else if (max > 0)
		snprintf(b->text, sizeof b->text, "%s over by %s", title_of(r),
		    ctl_span(el - max, false, span, sizeof span));
	else
		snprintf(b->text, sizeof b->text, "%s %s", title_of(r),
		    ctl_clock(el, span, sizeof span));
	b->percentage = max > 0 ? (int)(el >= max ? 100 : el * 100 / max) : 0;
	b->state = STATE_RUNNING;
}

/* Everything in the tooltip; the text says only the most pressing. */
static void
describe(struct bar *b, json_object *st, bool utf8)
{
	json_object	*a, *next;
	int64_t		 now, at = 0, until = 0;
	time_t		 tnow;
	char		 when[64];

	(void)utf8;
	now = jnow_us(st);
	tnow = ctl_us_to_time(now);
	if ((a = jarr(st, F_RUNNING)) != NULL)
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct bar	 one = { .state = NULL };

			running(&one, json_object_array_get_idx(a, i));
			tip(b, "%s", one.text);
		}
	if ((a = jarr(st, F_DUE)) != NULL)
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			json_object	*d = json_object_array_get_idx(a, i);

			at = 0;
			jint(d, F_DUE_US, &at);
			tip(b, "%s: %s since %s", title_of(d),
			    nz(jstr(d, F_STATE), STATE_DUE), ctl_when(
			    ctl_us_to_time(at), tnow, when, sizeof when));
		}
	if (json_object_object_get_ex(st, F_NEXT, &next) &&
	    json_object_is_type(next, json_type_object) &&
	    jint(next, F_AT_US, &at))
		tip(b, "Next: %s at %s", title_of(next), ctl_when(
		    ctl_us_to_time(at), tnow, when, sizeof when));
	if (jbool(st, F_PAUSED)) {
		jint(st, F_PAUSED_UNTIL_US, &until);
		if (until > 0)
			tip(b, "Paused until %s", ctl_when(ctl_us_to_time(until),
			    tnow, when, sizeof when));
		else
			tip(b, "Paused");
	}
	if (jbool(st, F_QUIET))
		tip(b, "Quiet hours: prompts are held");
}

/* The most pressing thing: running, then due, then a pause, quiet hours,
 * else the next firing. */
static void
summarize(struct bar *b, json_object *st, bool utf8)
{
	json_object	*r, *d, *next;
	int64_t		 at = 0, now;
	char		 when[64];

	memset(b, 0, sizeof *b);
	b->state = STATE_IDLE;
	describe(b, st, utf8);
	now = jnow_us(st);
	if ((r = first(st, F_RUNNING)) != NULL)
		running(b, r);
	else if ((d = first(st, F_DUE)) != NULL) {
		b->state = nz(jstr(d, F_STATE), STATE_DUE);
		snprintf(b->text, sizeof b->text, "%s%s%s", title_of(d),
		    strcmp(b->state, STATE_DUE) == 0 ? "" : " ",
		    strcmp(b->state, STATE_DUE) == 0 ? "" : b->state);
	} else if (jbool(st, F_PAUSED)) {
		b->state = STATE_PAUSED;
		snprintf(b->text, sizeof b->text, "paused");
	} else if (jbool(st, F_QUIET)) {
		b->state = STATE_QUIET;
		snprintf(b->text, sizeof b->text, "quiet");
	} else if (json_object_object_get_ex(st, F_NEXT, &next) &&
	    json_object_is_type(next, json_type_object) &&
	    jint(next, F_AT_US, &at))
		snprintf(b->text, sizeof b->text, "%s %s", title_of(next),
		    ctl_when(ctl_us_to_time(at), ctl_us_to_time(now), when,
		    sizeof when));
}

/* Waybar reads Pango markup in text and tooltip. */
static char *
pango(const char *s)
{
	size_t	 n = strlen(s), o = 0;
	char	*out = malloc(n * 5 + 1);

	if (out == NULL)
		return (NULL);
	for (; *s != '\0'; s++) {
		const char	*rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
		    *s == '>' ? "&gt;" : NULL;

		if (rep != NULL) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else
			out[o++] = *s;
	}
	out[o] = '\0';
	return (out);
}

static void
add_markup(json_object *o, const char *key, const char *s)
{
	char	*p = pango(s);

	json_object_object_add(o, key, json_object_new_string(p ? p : ""));
	free(p);
}

static void
print_waybar(const struct bar *b)
{
	json_object	*o = json_object_new_object();

	add_markup(o, "text", b->text);
	json_object_object_add(o, "alt", json_object_new_string(b->state));
	add_markup(o, "tooltip", b->tooltip);
	json_object_object_add(o, "class", json_object_new_string(b->state));
	json_object_object_add(o, "percentage",
	    json_object_new_int(b->percentage));
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* i3blocks: full text, short text, colour; one line per update when it
 * reads a stream (interval=persist). */
static void
print_i3blocks(const struct bar *b, int lines)
{
	const char	*colour = strcmp(b->state, STATE_DUE) == 0 ? "#E5C07B" :
	    strcmp(b->state, STATE_RUNNING) == 0 ? "#98C379" : "";

	printf("%s\n", b->text);
	if (lines >= 3)
		printf("%s\n%s\n", b->text, colour);
}

static void
emit(enum bar_format f, const struct bar *b, int lines)
{
	if (f == BAR_WAYBAR)
		print_waybar(b);
	else
		print_i3blocks(b, lines);
	fflush(stdout);
}

void
bar_print(enum bar_format f, json_object *status, bool utf8, int lines)
{
	struct bar	 b;

	esc_json(status);
	summarize(&b, status, utf8);
	emit(f, &b, lines);
}

void
bar_print_down(enum bar_format f, int lines)
{
	struct bar	 b = { .state = STATE_STOPPED, .percentage = 0 };

	snprintf(b.text, sizeof b.text, "calfd stopped");
	snprintf(b.tooltip, sizeof b.tooltip, "calfd is not running");
	emit(f, &b, lines);
}
