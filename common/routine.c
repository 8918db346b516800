/*
 * routine.c: the routine model: lookup, freeing, warnings and one-line
 * descriptions. The format is read in routine_parse.c (with routine_read.c
 * and routine_keys.c); where a routine comes from (the file, the search
 * order, the built-in text) is routine_file.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/routine.h"
#include "common/routine_pool.h"
#include "common/timeutil.h"

/* Frees a routine however far the parser got in filling it. */
void
routine_free(struct routine *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsessions; i++) {
		struct session	*s = &r->sessions[i];

		if (r->pool == NULL) {	/* else they are in the pool */
			free(s->name);
			if (s->title != s->name)
				free(s->title);
			free(s->prompt);
			free(s->finish);
			free(s->times);
			for (size_t j = 0; j < s->ncues; j++)
				free(s->cues[j].text);
		}
		free(s->cues);
	}
	pool_free(r->pool);
	free(r->sessions);
	free(r->byname);
	free(r->source);
	free(r);
}

/* Orders sessions by name, for the index and its binary search. */
static int
byname_cmp(const void *a, const void *b)
{
	const struct session	*const *x = a, *const *y = b;
	int			 c = strcmp((*x)->name, (*y)->name);

	/* Equal names (an error the parser reports) keep file order. */
	if (c == 0)
		return ((*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line);
	return (c);
}

/* Finds a name in the index; the key is a session holding only the name. */
static int
byname_key_cmp(const void *key, const void *elem)
{
	const struct session	*const *y = elem;

	return (strcmp(key, (*y)->name));
}

/* Builds the name index, so that matching thousands of sessions by name (a
 * reload does, once per session) costs O(n log n) rather than O(n^2). */
int
routine_index(struct routine *r)
{
	free(r->byname);
	r->byname = NULL;
	if (r->nsessions == 0)
		return (0);
	if ((r->byname = reallocarray(NULL, r->nsessions,
	    sizeof *r->byname)) == NULL)
		return (-1);
	for (size_t i = 0; i < r->nsessions; i++)
		r->byname[i] = &r->sessions[i];
	qsort(r->byname, r->nsessions, sizeof *r->byname, byname_cmp);
	return (0);
}

/* Sessions are named from the command line, so lookup is by name. */
struct session *
routine_find(const struct routine *r, const char *name)
{
	struct session	**hit;

	if (r->byname != NULL) {
		hit = bsearch(name, r->byname, r->nsessions, sizeof *r->byname,
		    byname_key_cmp);
		return (hit != NULL ? *hit : NULL);
	}
	for (size_t i = 0; i < r->nsessions; i++) {
		if (strcmp(r->sessions[i].name, name) == 0)
			return (&r->sessions[i]);
	}
	return (NULL);
}

/* Seconds from a time of day forward to another, around midnight. */
static int
tod_until(int from, int to)
{
	return ((to - from + SECS_PER_DAY) % SECS_PER_DAY);
}

/*
 * A prompt due inside quiet hours is held until they end and then given if
 * its window is still open. A time whose window closes before the quiet
 * hours end is therefore always missed: the routine is valid, but the user
 * most likely did not mean it.
 */
void
routine_warnings(const struct routine *r, struct errlist *warns)
{
	char	 a[16], b[16], c[16], d[32], need[32];

	if (!r->has_quiet)
		return;
	for (size_t i = 0; i < r->nsessions; i++) {
		const struct session	*s = &r->sessions[i];
		size_t			 lost = 0;
		int			 wait = -1, first = 0;
		char			 when[64];

		for (size_t k = 0; k < s->ntimes; k++) {
			int	 t = s->times[k], left;

			if (tod_until(r->quiet_start, t) >=
			    tod_until(r->quiet_start, r->quiet_end))
				continue;	/* outside quiet hours */
			left = tod_until(t, r->quiet_end);
			if (s->window > left)
				continue;
			lost++;
			if (left > wait) {	/* the earliest in the night */
				first = t;
				wait = left;
			}
		}
		if (lost == 0)
			continue;
		if (lost == 1)
			snprintf(when, sizeof when, "at %s",
			    tod_format(first, a, sizeof a));
		else
			snprintf(when, sizeof when, "%zu times (from %s)",
			    lost, tod_format(first, a, sizeof a));
		errlist_add(warns, "%s:%d: warning: [%s] is due %s in the "
		    "quiet hours %s-%s, and its window of %s closes before "
		    "they end, so %s always missed; move %s out of the quiet "
		    "hours or make `window` longer than %s", r->source,
		    s->times_line, s->name, when,
		    tod_format(r->quiet_start, b, sizeof b),
		    tod_format(r->quiet_end, c, sizeof c),
		    dur_format(s->window, d, sizeof d),
		    lost > 1 ? "those prompts are" : "that prompt is",
		    lost > 1 ? "them" : "it",
		    dur_format(wait, need, sizeof need));
	}
}

/* Days in the words the user would have written them, Monday first. */
void
days_describe(uint8_t days, char *buf, size_t len)
{
	static const char *names[] = { "sun", "mon", "tue", "wed", "thu",
	    "fri", "sat" };
	size_t	 off = 0;

	if (days == DAYS_ALL)
		snprintf(buf, len, "daily");
	else if (days == DAYS_WEEKDAYS)
		snprintf(buf, len, "weekdays");
	else if (days == DAYS_WEEKENDS)
		snprintf(buf, len, "weekends");
	else {
		buf[0] = '\0';
		for (int k = 1; k <= 7 && off < len; k++) {
			int	 d = k % 7;

			if ((days & (1u << d)) == 0)
				continue;
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off == 0 ? "" : ",", names[d]);
		}
	}
}

/* A line built in a fixed buffer; what does not fit is cut. The summary of
 * 10,000 sessions is printed in a blink this way, where a snprintf per
 * piece took as long as parsing them. */
struct line {
	char	*buf;
	size_t	 len, off;
};

static void
put(struct line *l, const char *s)
{
	size_t	 n = strlen(s);

	if (l->off + 1 >= l->len)
		return;
	if (n > l->len - 1 - l->off)
		n = l->len - 1 - l->off;
	memcpy(l->buf + l->off, s, n);
	l->off += n;
	l->buf[l->off] = '\0';
}

/* A time of day as tod_format writes it: HH:MM, or HH:MM:SS. */
static void
put_tod(struct line *l, int sod)
{
	char	 t[9];
	int	 h = sod / 3600, m = sod / 60 % 60, sec = sod % 60;

	if (sod < 0 || sod >= SECS_PER_DAY) {
		put(l, "??:??");
		return;
	}
	t[0] = (char)('0' + h / 10);
	t[1] = (char)('0' + h % 10);
	t[2] = ':';
	t[3] = (char)('0' + m / 10);
	t[4] = (char)('0' + m % 10);
	t[5] = '\0';
	if (sec != 0) {
		t[5] = ':';
		t[6] = (char)('0' + sec / 10);
		t[7] = (char)('0' + sec % 10);
		t[8] = '\0';
	}
	put(l, t);
}

/* The summary --check-config prints, so the user sees what calfd read. */
void
session_describe(const struct session *s, char *buf, size_t len)
{
	struct line	 l = { buf, len, 0 };
	char		 a[32];

	if (len == 0)
		return;
	buf[0] = '\0';
	put(&l, s->name);
	put(&l, "  ");
	if (s->every != 0) {
		put(&l, "every ");
		put(&l, dur_format(s->every, a, sizeof a));
		if (s->between_start != 0 ||
		    s->between_end != SECS_PER_DAY - 1) {
			put(&l, " ");
			put_tod(&l, s->between_start);
			put(&l, "-");
			put_tod(&l, s->between_end);
		}
	} else if (s->ntimes != 0) {
		put(&l, "at");
		for (size_t i = 0; i < s->ntimes; i++) {
			put(&l, " ");
			put_tod(&l, s->times[i]);
		}
	} else
		put(&l, "on demand");
	if (s->ntimes != 0) {
		days_describe(s->days, a, sizeof a);
		put(&l, "  ");
		put(&l, a);
		put(&l, "  ");
	} else
		put(&l, "  -  ");
	put(&l, dur_format(s->dur_min, a, sizeof a));
	if (s->dur_max != s->dur_min) {
		put(&l, "..");
		put(&l, dur_format(s->dur_max, a, sizeof a));
	}
}
