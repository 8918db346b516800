/*
 * engine_list.h: every session as `list` shows it, and one session's whole
 * definition and state as `show` does (doc/PROTOCOL.md).
 */
#ifndef CALF_ENGINE_LIST_H
#define CALF_ENGINE_LIST_H

#include <stdint.h>

#include <json-c/json.h>

#include "common/proto.h"

struct engine;

/* {"sessions": [...], "now_us": ...}, or NULL when out of memory. */
json_object	*engine_list(struct engine *);
/* The session called name into *data; RES_UNKNOWN_SESSION with a cause
 * that points to `calfctl list` when there is none. */
enum result	 engine_show(struct engine *, const char *name,
		     json_object **data, char **cause);

/* Why a prompt due at at_us would be held: "paused", "quiet", or NULL
 * when it would be given. */
const char	*engine_held_by(struct engine *, int64_t at_us);

#endif
