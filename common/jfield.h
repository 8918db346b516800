/*
 * jfield.h: one field of a JSON object from the other side (a reply from
 * calfd, or calfd's own status), read defensively: absent, null or of
 * another type all read as absent. calfctl and calfd both use it.
 */
#ifndef CALF_JFIELD_H
#define CALF_JFIELD_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

/* The string at key, or NULL. */
const char	*jstr(json_object *, const char *key);
/* The integer at key into *out; false when there is none. */
bool		 jint(json_object *, const char *key, int64_t *out);
/* The integer at key, or dflt when there is none. */
int64_t		 jint_or(json_object *, const char *key, int64_t dflt);
/* The boolean at key; false when there is none. */
bool		 jbool(json_object *, const char *key);
/* The array at key, or NULL. */
json_object	*jarr(json_object *, const char *key);
/* Microseconds since the epoch: data's "now_us" (may be NULL), else ours. */
int64_t		 jnow_us(json_object *data);
/* s, or dflt when s is NULL. */
const char	*nz(const char *s, const char *dflt);

#endif
