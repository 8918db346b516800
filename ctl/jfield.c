/*
 * jfield.c: reading calfd's replies field by field, defensively: a
 * missing or mistyped field reads as absent, never crashes.
 */
#include "ctl/jfield.h"

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

