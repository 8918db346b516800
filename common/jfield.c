/*
 * jfield.c: reading calfd's replies field by field, defensively: a
 * missing or mistyped field reads as absent, never crashes.
 */
#include "common/jfield.h"

#include <time.h>

#include "common/proto.h"

/* The string at key, or NULL when absent, null or not a string. */
const char *
jstr(json_object *obj, const char *key)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return (NULL);
	return (json_object_get_string(v));
}

/* The integer at key into *out; false when absent or not an integer. */
bool
jint(json_object *obj, const char *key, int64_t *out)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return (false);
	*out = json_object_get_int64(v);
	return (true);
}

/* For sums and comparisons where an absent field counts as dflt. */
int64_t
jint_or(json_object *obj, const char *key, int64_t dflt)
{
	int64_t	v;

	return (jint(obj, key, &v) ? v : dflt);
}

bool
jbool(json_object *obj, const char *key)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return (false);
	return (json_object_get_boolean(v));
}

/* The array at key, or NULL. */
json_object *
jarr(json_object *obj, const char *key)
{
	json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return (NULL);
	return (v);
}

const char *
nz(const char *s, const char *dflt)
{
	return (s != NULL ? s : dflt);
}


/* The daemon's "now_us" when it gave one, so the output agrees with the
 * daemon even if our clocks differ; else our clock. */
int64_t
jnow_us(json_object *data)
{
	int64_t		 now;
	struct timespec	 ts;

	if (data != NULL && jint(data, F_NOW_US, &now))
		return (now);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}
