/*
 * state_json.h: state.json's format (daemon/state_json.c): an engine
 * snapshot (engine.h) to JSON and back. doc/daemon.md says what the file
 * keeps; state.h keeps the file.
 */
#ifndef CALF_STATE_JSON_H
#define CALF_STATE_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "daemon/engine.h"

/* The whole state as one JSON object, stamped with this boot's id; NULL
 * when out of memory. */
json_object	*state_json_make(const struct engine_snapshot *,
		    const char *boot_id);

/* The text of a file as one JSON object, with nothing but white space
 * after it; NULL with a static *why ("not JSON", ...) otherwise. */
json_object	*state_json_parse(const char *text, size_t len,
		    const char **why);

/* Checks the whole object into a snapshot before any of it is applied: a
 * file broken halfway must not leave half a state behind. The snapshot's
 * names point into root; same_boot says whether it was written in this
 * boot (boot_id, "" when unknown). -1 with a malloc'd *why. */
int		 state_json_read(json_object *root, const char *boot_id,
		    struct engine_snapshot *, char **why);

#endif
