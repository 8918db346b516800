/*
 * history.c: the history record, its line form, reading a device file with
 * a torn tail, and merging several files. Statistics live in
 * history_stats.c. Nothing here reads the clock.
 */
#include "common/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"

static const char *const event_names[HE__COUNT] = {
	[HE_STARTED] = "started",
	[HE_FINISHED] = "finished",
	[HE_DONE] = "done",
	[HE_STOPPED] = "stopped",
	[HE_SKIPPED] = "skipped",
	[HE_SNOOZED] = "snoozed",
	[HE_MISSED] = "missed",
	[HE_CRAMP] = "cramp",
	[HE_CRAMP_TEST] = "cramp-test",
};

const char *
hist_event_name(enum hist_event e)
{
	if ((unsigned)e >= HE__COUNT)
		return NULL;
	return event_names[e];
}

int
hist_event_parse(const char *s, enum hist_event *e)
{
	for (int i = 0; i < HE__COUNT; i++) {
		if (strcmp(s, event_names[i]) == 0) {
			*e = (enum hist_event)i;
			return 0;
		}
	}
	return -1;
}

void
hist_list_init(struct hist_list *l)
{
	memset(l, 0, sizeof *l);
}

void
hist_rec_free(struct hist_rec *r)
{
	free(r->session);
	free(r->title);
	free(r->leg);
	free(r->note);
	r->session = r->title = r->leg = r->note = NULL;
}

void
hist_list_free(struct hist_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		hist_rec_free(&l->v[i]);
	free(l->v);
	hist_list_init(l);
}

/* strdup that keeps NULL as NULL; *ok turns false on ENOMEM. */
static char *
dup_or_null(const char *s, bool *ok)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

/* Takes ownership of r's strings whatever happens. */
static int
list_take(struct hist_list *l, struct hist_rec *r)
{
	struct hist_rec	*v;
	size_t		 cap;

	if (l->n == l->cap) {
		cap = l->cap != 0 ? l->cap * 2 : 64;
		if ((v = reallocarray(l->v, cap, sizeof *v)) == NULL) {
			hist_rec_free(r);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
	return 0;
}

int
hist_list_add(struct hist_list *l, const struct hist_rec *r)
{
	struct hist_rec	c = *r;
	bool		ok = true;

	c.session = dup_or_null(r->session, &ok);
	c.title = dup_or_null(r->title, &ok);
	c.leg = dup_or_null(r->leg, &ok);
	c.note = dup_or_null(r->note, &ok);
	if (!ok) {
		hist_rec_free(&c);
		return -1;
	}
	return list_take(l, &c);
}

static void
add_str(json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

/* Keys in a fixed order so files diff well; absent values are left out. */
json_object *
hist_rec_to_json(const struct hist_rec *r)
{
	json_object	*o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "v", json_object_new_int(HIST_VERSION));
	add_str(o, F_ID, r->id);
	add_str(o, F_EVENT, hist_event_name(r->event));
	add_str(o, F_SESSION, r->session);
	add_str(o, F_TITLE, r->title);
	json_object_object_add(o, F_DUE_US, json_object_new_int64(r->due_us));
	json_object_object_add(o, F_AT_US, json_object_new_int64(r->at_us));
	if (r->duration_s >= 0)
		json_object_object_add(o, F_DURATION_S,
		    json_object_new_int64(r->duration_s));
	add_str(o, F_LEG, r->leg);
	add_str(o, F_NOTE, r->note);
	if (r->event == HE_CRAMP_TEST)
		add_str(o, F_RESULT, r->relieved ? ARG_RELIEVED :
		    ARG_NOT_RELIEVED);
	return o;
}

char *
hist_rec_line(const struct hist_rec *r)
{
	json_object	*o = hist_rec_to_json(r);
	const char	*s;
	char		*line = NULL;

	if (o == NULL)
		return NULL;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL && asprintf(&line, "%s\n", s) == -1)
		line = NULL;
	json_object_put(o);
	return line;
}

/* A string member, or NULL when absent; -1 when present but not a string
 * (or a null), or too long for a line. */
static int
get_str(json_object *o, const char *key, const char **v)
{
	json_object	*m;

	*v = NULL;
	if (!json_object_object_get_ex(o, key, &m) || m == NULL)
		return 0;
	if (!json_object_is_type(m, json_type_string) ||
	    json_object_get_string_len(m) > HIST_MAX_LINE)
		return -1;
	*v = json_object_get_string(m);
	return 0;
}

/* An integer member; absent gives def. */
static int
get_int(json_object *o, const char *key, int64_t def, int64_t *v)
{
	json_object	*m;

	*v = def;
	if (!json_object_object_get_ex(o, key, &m) || m == NULL)
		return 0;
	if (!json_object_is_type(m, json_type_int))
		return -1;
	errno = 0;
	*v = json_object_get_int64(m);
	return errno == 0 ? 0 : -1;
}

/* A record id: DEVICE-RANDOM in lower-case hex, so it is a file name too. */
static bool
good_id(const char *s)
{
	size_t	len = s != NULL ? strlen(s) : 0;

	if (len != HIST_ID_LEN || s[HIST_DEVICE_LEN] != '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i == HIST_DEVICE_LEN)
			continue;
		if (strchr("0123456789abcdef", s[i]) == NULL || s[i] == '\0')
			return false;
	}
	return true;
}

int
hist_rec_from_json(json_object *o, struct hist_rec *r, const char **err)
{
	const char	*id, *ev, *session, *title, *leg, *note, *result;
	int64_t		 v;
	bool		 ok = true;

	memset(r, 0, sizeof *r);
	if (!json_object_is_type(o, json_type_object))
		return *err = "not a JSON object", -1;
	if (get_int(o, "v", 0, &v) == -1 || v < 1)
		return *err = "no version \"v\"", -1;
	if (v > HIST_VERSION)
		return *err = "a newer version", 1;
	if (get_str(o, F_ID, &id) == -1 || id == NULL || !good_id(id))
		return *err = "bad or missing \"id\"", -1;
	if (get_str(o, F_EVENT, &ev) == -1 || ev == NULL ||
	    hist_event_parse(ev, &r->event) == -1)
		return *err = "bad or missing \"event\"", -1;
	if (get_str(o, F_SESSION, &session) == -1 ||
	    get_str(o, F_TITLE, &title) == -1 ||
	    get_str(o, F_LEG, &leg) == -1 || get_str(o, F_NOTE, &note) == -1 ||
	    get_str(o, F_RESULT, &result) == -1)
		return *err = "a text field that is not text", -1;
	if (get_int(o, F_DUE_US, 0, &r->due_us) == -1 ||
	    get_int(o, F_AT_US, 0, &r->at_us) == -1 ||
	    get_int(o, F_DURATION_S, -1, &r->duration_s) == -1)
		return *err = "a number field that is not a number", -1;
	if (r->duration_s < -1)
		return *err = "a negative duration", -1;
	if (r->event != HE_CRAMP && session == NULL)
		return *err = "no \"session\"", -1;
	if (r->event == HE_CRAMP_TEST) {
		if (result == NULL || (strcmp(result, "relieved") != 0 &&
		    strcmp(result, "not-relieved") != 0))
			return *err = "bad or missing \"result\"", -1;
		r->relieved = strcmp(result, "relieved") == 0;
	}
	memcpy(r->id, id, HIST_ID_LEN + 1);
	r->session = dup_or_null(session, &ok);
	r->title = dup_or_null(title, &ok);
	r->leg = dup_or_null(leg, &ok);
	r->note = dup_or_null(note, &ok);
	if (!ok) {
		hist_rec_free(r);
		return *err = "out of memory", -1;
	}
	return 0;
}

/* One line without its newline: a record, a newer one, or a bad one. */
static int
parse_line(const char *s, size_t len, struct hist_list *l,
    struct hist_load *info)
{
	json_tokener	*tok;
	json_object	*o;
	struct hist_rec	 r;
	const char	*err;
	int		 rc;

	if (len == 0)
		return 0;
	if (len > HIST_MAX_LINE || memchr(s, '\0', len) != NULL) {
		info->bad++;
		return 0;
	}
	if ((tok = json_tokener_new()) == NULL)
		return -1;
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		json_tokener_free(tok);
		info->bad++;
		return 0;
	}
	json_tokener_free(tok);
	rc = hist_rec_from_json(o, &r, &err);
	json_object_put(o);
	if (rc == 1)
		info->newer++;
	else if (rc == -1)
		info->bad++;
	else {
		if (list_take(l, &r) == -1)
			return -1;
		info->records++;
	}
	return 0;
}

int
hist_parse(const char *buf, size_t len, struct hist_list *l,
    struct hist_load *info)
{
	size_t		 off = 0, bad_before;
	const char	*nl;

	memset(info, 0, sizeof *info);
	while (off < len) {
		nl = memchr(buf + off, '\n', len - off);
		if (nl == NULL) {
			/* The last line has no newline: a crash cut it, or
			 * it was cut just before its newline. */
			info->needs_newline = true;
			bad_before = info->bad;
			if (parse_line(buf + off, len - off, l, info) == -1)
				return -1;
			info->torn_tail = info->bad > bad_before;
			break;
		}
		if (parse_line(buf + off, (size_t)(nl - buf) - off, l, info) ==
		    -1)
			return -1;
		off = (size_t)(nl - buf) + 1;
	}
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	const struct hist_rec	*x = a, *y = b;

	return strcmp(x->id, y->id);
}

static int
cmp_time(const void *a, const void *b)
{
	const struct hist_rec	*x = a, *y = b;

	if (x->at_us != y->at_us)
		return x->at_us < y->at_us ? -1 : 1;
	return strcmp(x->id, y->id);
}

void
hist_merge(struct hist_list *l)
{
	size_t	w = 0;

	if (l->n == 0)
		return;
	/* Copies of one id are the same record; any one of them is kept. */
	qsort(l->v, l->n, sizeof l->v[0], cmp_id);
	for (size_t i = 0; i < l->n; i++) {
		if (w > 0 && strcmp(l->v[w - 1].id, l->v[i].id) == 0) {
			hist_rec_free(&l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
	qsort(l->v, l->n, sizeof l->v[0], cmp_time);
}

void
hist_filter(struct hist_list *l, int64_t from_us, int64_t to_us,
    const char *session)
{
	size_t	w = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct hist_rec	*r = &l->v[i];

		if (r->at_us < from_us || r->at_us >= to_us ||
		    (session != NULL && (r->session == NULL ||
		    strcmp(r->session, session) != 0))) {
			hist_rec_free(r);
			continue;
		}
		l->v[w++] = *r;
	}
	l->n = w;
}
