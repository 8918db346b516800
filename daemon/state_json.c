/*
 * state_json.c: state.json's format, version 1 (state_json.h): the
 * engine's snapshot written as JSON, and read back with every field
 * checked before anything is applied. Keeping the file, when it is
 * written and what a broken one costs, is state.c's.
 */
#include "daemon/state_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errlist.h"

#define STATE_VERSION	1
#define US_LIMIT	((int64_t)1 << 53)	/* instants in us, year 2255 */
#define US_PER_S	1000000LL

/* --- writing ------------------------------------------------------------ */

static void
put_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* One session, only with the fields its state needs. */
static json_object *
run_to_json(const struct run_snapshot *sr)
{
	json_object	*o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(sr->name));
	json_object_object_add(o, "state",
	    json_object_new_string(run_state_name(sr->state)));
	switch (sr->state) {
	case RUN_DUE:
	case RUN_HELD:
		put_i64(o, "due_us", sr->due_us);
		put_i64(o, "seq", (int64_t)sr->seq);
		if (sr->state == RUN_DUE)
			put_i64(o, "prompted_us", sr->prompted_us);
		break;
	case RUN_SNOOZED:
		put_i64(o, "due_us", sr->due_us);
		put_i64(o, "snooze_until_us", sr->snooze_until_us);
		put_i64(o, "seq", (int64_t)sr->seq);
		break;
	case RUN_RUNNING:
		put_i64(o, "started_us", sr->started_us);
		put_i64(o, "start_boot_us", sr->start_boot_us);
		put_i64(o, "seq", (int64_t)sr->seq);
		if (sr->halted_us > 0)
			put_i64(o, "paused_us", sr->halted_us);
		if (sr->extra_s > 0) {
			put_i64(o, "extended_s", sr->extra_s);
			put_i64(o, "extended_min_s", sr->extra_min_s);
		}
		break;
	default:
		break;
	}
	if (sr->skip_at != 0)
		put_i64(o, "skip_at", (int64_t)sr->skip_at);
	return o;
}

json_object *
state_json_make(const struct engine_snapshot *snap, const char *boot_id)
{
	json_object	*o, *a, *x;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((a = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	put_i64(o, "version", STATE_VERSION);
	json_object_object_add(o, "boot_id", json_object_new_string(boot_id));
	put_i64(o, "saved_us", snap->saved_us);
	for (size_t i = 0; i < snap->nruns; i++) {
		if ((x = run_to_json(&snap->runs[i])) == NULL ||
		    json_object_array_add(a, x) == -1) {
			json_object_put(x);
			json_object_put(a);
			json_object_put(o);
			return NULL;
		}
	}
	put_i64(o, "handled", (int64_t)snap->handled);
	json_object_object_add(o, "paused",
	    json_object_new_boolean(snap->paused));
	put_i64(o, "pause_until_us", snap->pause_until_us);
	json_object_object_add(o, "sessions", a);
	return o;
}

/* --- reading ------------------------------------------------------------ */

/* An integer field in [lo, hi]; anything else is a broken file. */
static int
get_i64(json_object *o, const char *key, int64_t lo, int64_t hi,
    int64_t *v, char **why)
{
	json_object	*x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, json_type_int)) {
		*why = msgf("\"%s\" is missing or not an integer", key);
		return -1;
	}
	*v = json_object_get_int64(x);
	if (*v < lo || *v > hi) {
		*why = msgf("\"%s\" is out of range", key);
		return -1;
	}
	return 0;
}

/* One saved session, read and checked before anything is applied. */
static int
parse_run(json_object *o, struct run_snapshot *sr, char **why)
{
	json_object	*x;
	bool		 pending;
	int64_t		 v;

	memset(sr, 0, sizeof *sr);
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "name", &x) ||
	    !json_object_is_type(x, json_type_string)) {
		*why = msgf("a session without a name");
		return -1;
	}
	sr->name = json_object_get_string(x);
	if (strlen(sr->name) != (size_t)json_object_get_string_len(x)) {
		*why = msgf("a session name with a NUL in it");
		return -1;
	}
	if (!json_object_object_get_ex(o, "state", &x) ||
	    !json_object_is_type(x, json_type_string) ||
	    run_state_parse(json_object_get_string(x), &sr->state) == -1) {
		*why = msgf("session \"%s\" has no known state", sr->name);
		return -1;
	}
	pending = sr->state == RUN_DUE || sr->state == RUN_HELD ||
	    sr->state == RUN_SNOOZED;
	if (sr->state != RUN_IDLE) {
		if (get_i64(o, "seq", 0, INT64_MAX / 2, &v, why) == -1)
			return -1;
		sr->seq = (uint64_t)v;
	}
	if (pending && get_i64(o, "due_us", 0, US_LIMIT, &sr->due_us,
	    why) == -1)
		return -1;
	if (sr->state == RUN_SNOOZED && get_i64(o, "snooze_until_us", 0,
	    US_LIMIT, &sr->snooze_until_us, why) == -1)
		return -1;
	if (sr->state == RUN_DUE && json_object_object_get_ex(o,
	    "prompted_us", NULL) && get_i64(o, "prompted_us", 0, US_LIMIT,
	    &sr->prompted_us, why) == -1)
		return -1;
	if (sr->state == RUN_RUNNING &&
	    (get_i64(o, "started_us", 0, US_LIMIT, &sr->started_us,
	    why) == -1 || get_i64(o, "start_boot_us", -US_LIMIT, US_LIMIT,
	    &sr->start_boot_us, why) == -1))
		return -1;
	if (sr->state == RUN_RUNNING && json_object_object_get_ex(o,
	    "paused_us", NULL) && get_i64(o, "paused_us", 1, US_LIMIT,
	    &sr->halted_us, why) == -1)
		return -1;
	/* Absent in files from before extend: not extended. */
	if (sr->state == RUN_RUNNING && json_object_object_get_ex(o,
	    "extended_s", NULL) && (get_i64(o, "extended_s", 0,
	    US_LIMIT / US_PER_S, &sr->extra_s, why) == -1 ||
	    get_i64(o, "extended_min_s", 0, sr->extra_s, &sr->extra_min_s,
	    why) == -1))
		return -1;
	if (json_object_object_get_ex(o, "skip_at", NULL)) {
		if (get_i64(o, "skip_at", 1, US_LIMIT / US_PER_S, &v,
		    why) == -1)
			return -1;
		sr->skip_at = (time_t)v;
	}
	return 0;
}

int
state_json_read(json_object *root, const char *boot_id,
    struct engine_snapshot *snap, char **why)
{
	json_object		*x, *a, *p;
	int64_t			 v, handled;
	size_t			 n;

	memset(snap, 0, sizeof *snap);
	if (!json_object_is_type(root, json_type_object)) {
		*why = msgf("not a JSON object");
		return -1;
	}
	if (get_i64(root, "version", 0, INT32_MAX, &v, why) == -1)
		return -1;
	if (v != STATE_VERSION) {
		*why = msgf("version %lld, not %d", (long long)v, STATE_VERSION);
		return -1;
	}
	if (get_i64(root, "handled", 0, US_LIMIT / US_PER_S, &handled,
	    why) == -1 ||
	    get_i64(root, "saved_us", 0, US_LIMIT, &snap->saved_us, why) == -1 ||
	    get_i64(root, "pause_until_us", 0, US_LIMIT, &snap->pause_until_us,
	    why) == -1)
		return -1;
	snap->handled = (time_t)handled;
	if (!json_object_object_get_ex(root, "paused", &p) ||
	    !json_object_is_type(p, json_type_boolean)) {
		*why = msgf("\"paused\" is missing or not true or false");
		return -1;
	}
	snap->paused = json_object_get_boolean(p);
	if (!json_object_object_get_ex(root, "sessions", &a) ||
	    !json_object_is_type(a, json_type_array)) {
		*why = msgf("\"sessions\" is missing or not a list");
		return -1;
	}
	n = json_object_array_length(a);
	if ((snap->runs = calloc(n + 1, sizeof *snap->runs)) == NULL) {
		*why = msgf("out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (parse_run(json_object_array_get_idx(a, i), &snap->runs[i],
		    why) == -1) {
			engine_snapshot_free(snap);
			return -1;
		}
	}
	snap->nruns = n;
	snap->same_boot = boot_id[0] != '\0' &&
	    json_object_object_get_ex(root, "boot_id", &x) &&
	    json_object_is_type(x, json_type_string) &&
	    strcmp(json_object_get_string(x), boot_id) == 0;
	return 0;
}

json_object *
state_json_parse(const char *text, size_t len, const char **why)
{
	json_tokener	*tok;
	json_object	*o;
	size_t		 end;

	*why = "not JSON";
	if (memchr(text, '\0', len) != NULL)
		return NULL;
	if ((tok = json_tokener_new()) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success)
		while (end < len && strchr(" \t\r\n", text[end]) != NULL)
			end++;
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    end != len) {
		if (o != NULL)
			*why = "text after the JSON object";
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}
