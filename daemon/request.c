/*
 * request.c: checks one request line against doc/PROTOCOL.md and builds
 * replies. Every byte here comes from a client, so nothing is assumed.
 */
#include "daemon/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errlist.h"

/* JSON allows these between tokens; a CRLF client leaves a '\r'. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Someone typing into socat may press Enter twice. */
bool
request_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(line[i]))
			return false;
	return true;
}

/* The keys of each object on the line, counted from its text in the order
 * the objects open; json-c keeps one value per key (the last), so a key
 * given twice shows as a count the parsed object does not have. Called
 * on a line json-c has accepted, so strings and nesting are well formed.
 * Returns how many objects were counted (at most max are stored). */
static size_t
text_key_counts(const char *line, size_t len, size_t *counts, size_t max)
{
	size_t	 stack[REQUEST_MAX_DEPTH + 2], nobj = 0;
	bool	 in_obj[REQUEST_MAX_DEPTH + 2], want_key = false;
	int	 depth = 0;

	for (size_t i = 0; i < len; i++) {
		char	 c = line[i];

		if (c == '"') {
			if (want_key && depth > 0 && in_obj[depth - 1] &&
			    stack[depth - 1] < max)
				counts[stack[depth - 1]]++;
			want_key = false;
			for (i++; i < len && line[i] != '"'; i++)
				if (line[i] == '\\')
					i++;
		} else if ((c == '{' || c == '[') &&
		    depth < REQUEST_MAX_DEPTH + 2) {
			in_obj[depth] = c == '{';
			stack[depth] = nobj;
			if (c == '{' && nobj++ < max)
				counts[nobj - 1] = 0;
			depth++;
			want_key = c == '{';
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
			want_key = false;
		} else if (c == ',')
			want_key = depth > 0 && in_obj[depth - 1];
	}
	return nobj;
}

/* The same count from the parsed objects, in the same order. */
static void
tree_key_counts(json_object *o, size_t *counts, size_t max, size_t *n)
{
	if (json_object_is_type(o, json_type_object)) {
		if (*n < max)
			counts[*n] = (size_t)json_object_object_length(o);
		(*n)++;
		json_object_object_foreach(o, k, v) {
			(void)k;
			tree_key_counts(v, counts, max, n);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			tree_key_counts(json_object_array_get_idx(o, i), counts,
			    max, n);
	}
}

/* A key given twice would be silently last-wins; it is refused instead
 * (doc/PROTOCOL.md). */
static bool
has_duplicate_key(const char *line, size_t len, json_object *root)
{
	size_t	 text[PROTO_MAX_LINE / 4], tree[PROTO_MAX_LINE / 4];
	size_t	 max = sizeof text / sizeof text[0], nt, nr = 0;

	nt = text_key_counts(line, len, text, max);
	tree_key_counts(root, tree, max, &nr);
	if (nt != nr)
		return true;
	for (size_t i = 0; i < nt && i < max; i++)
		if (text[i] != tree[i])
			return true;
	return false;
}

/* The line must be exactly one JSON object: no NUL, no second value, no
 * trailing junk, nesting bounded so a hostile line cannot recurse deep. */
static enum result
parse_object(const char *line, size_t len, json_object **out, char **cause)
{
	json_tokener		*tok;
	json_object		*o;
	enum json_tokener_error	 e;
	size_t			 end;

	*out = NULL;
	if (memchr(line, '\0', len) != NULL) {
		*cause = msgf("request contains a NUL byte");
		return RES_BAD_JSON;
	}
	if (len > PROTO_MAX_LINE) {
		*cause = msgf("request line longer than %d bytes",
		    PROTO_MAX_LINE);
		return RES_TOO_LONG;
	}
	/* json-c counts one level more than the nesting it allows. */
	if ((tok = json_tokener_new_ex(REQUEST_MAX_DEPTH + 1)) == NULL) {
		*cause = NULL;
		return RES_INTERNAL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL && e == json_tokener_continue) {
		/* A bare number ends only at a terminator: give it one. */
		o = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) != json_tokener_success)
			e = json_tokener_continue;
		else
			e = json_tokener_success;
	}
	json_tokener_free(tok);

	if (e != json_tokener_success) {
		if (e == json_tokener_continue)
			*cause = msgf("bad JSON: unexpected end of line");
		else
			*cause = msgf("bad JSON: %s at byte %zu",
			    json_tokener_error_desc(e), end);
		json_object_put(o);
		return RES_BAD_JSON;
	}
	for (size_t i = end; i < len; i++) {
		if (!is_blank(line[i])) {
			*cause = msgf("bad JSON: unexpected text after the "
			    "object at byte %zu", i);
			json_object_put(o);
			return RES_BAD_JSON;
		}
	}
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		/* o NULL: the line was JSON null. */
		*cause = msgf("request is not a JSON object");
		json_object_put(o);
		return RES_BAD_JSON;
	}
	if (has_duplicate_key(line, len, o)) {
		*cause = msgf("request has a key given twice in one object; "
		    "each key may appear once");
		json_object_put(o);
		return RES_BAD_REQUEST;
	}
	*out = o;
	return RES_SUCCESS;
}

/* json-c saturates integers that do not fit: a positive overflow shows in
 * the unsigned view, a negative one is indistinguishable from INT64_MIN,
 * which is therefore refused too. */
static bool
int64_exact(json_object *o, int64_t *v)
{
	if (!json_object_is_type(o, json_type_int))
		return false;
	*v = json_object_get_int64(o);
	if (*v == INT64_MIN)
		return false;
	if (*v == INT64_MAX &&
	    json_object_get_uint64(o) != (uint64_t)INT64_MAX)
		return false;
	return true;
}

/* "command" is the whole request for dispatch; each string is bounded and
 * must be a C string, since json-c lets "\u0000" through. */
static enum result
parse_command(json_object *root, struct request *req, char **cause)
{
	json_object	*cmd, *arg;
	size_t		 n;

	if (!json_object_object_get_ex(root, "command", &cmd)) {
		*cause = msgf("request has no \"command\"");
		return RES_BAD_REQUEST;
	}
	if (!json_object_is_type(cmd, json_type_array)) {
		*cause = msgf("\"command\" must be an array of strings");
		return RES_BAD_REQUEST;
	}
	n = json_object_array_length(cmd);
	if (n == 0) {
		*cause = msgf("\"command\" is empty");
		return RES_BAD_REQUEST;
	}
	if (n > PROTO_MAX_ARGS) {
		*cause = msgf("\"command\" has %zu strings, at most %d allowed",
		    n, PROTO_MAX_ARGS);
		return RES_BAD_REQUEST;
	}
	for (size_t i = 0; i < n; i++) {
		const char	*s;
		int		 slen;

		arg = json_object_array_get_idx(cmd, i);
		if (!json_object_is_type(arg, json_type_string)) {
			*cause = msgf("\"command\" must be an array of "
			    "strings (item %zu is not)", i);
			return RES_BAD_REQUEST;
		}
		s = json_object_get_string(arg);
		slen = json_object_get_string_len(arg);
		if (slen < 0 || strlen(s) != (size_t)slen) {
			*cause = msgf("\"command\" item %zu contains a NUL", i);
			return RES_BAD_REQUEST;
		}
		if (slen > REQUEST_MAX_ARG) {
			*cause = msgf("\"command\" item %zu is longer than %d "
			    "bytes", i, REQUEST_MAX_ARG);
			return RES_BAD_REQUEST;
		}
		req->argv[i] = s;
	}
	req->argc = (int)n;
	return RES_SUCCESS;
}

/* The order matters: request_id first so every later error can echo it,
 * then the version, since another version may shape "command" otherwise. */
enum result
request_parse(const char *line, size_t len, struct request *req,
    char **cause)
{
	json_object	*root, *o;
	enum result	 r;
	int64_t		 proto;

	memset(req, 0, sizeof *req);
	*cause = NULL;
	if ((r = parse_object(line, len, &root, cause)) != RES_SUCCESS)
		return r;

	if (json_object_object_get_ex(root, "request_id", &o)) {
		if (!json_object_is_type(o, json_type_int)) {
			*cause = msgf("\"request_id\" must be an integer");
			r = RES_BAD_REQUEST;
			goto fail;
		}
		if (!int64_exact(o, &req->id)) {
			*cause = msgf("\"request_id\" is out of range");
			r = RES_BAD_REQUEST;
			goto fail;
		}
		req->has_id = true;
	}
	if (json_object_object_get_ex(root, "protocol", &o)) {
		if (!int64_exact(o, &proto)) {
			*cause = msgf("\"protocol\" must be an integer");
			r = RES_BAD_REQUEST;
			goto fail;
		}
		if (proto != PROTO_VERSION) {
			*cause = msgf("protocol mismatch: calfd speaks %d, "
			    "client speaks %lld", PROTO_VERSION,
			    (long long)proto);
			r = RES_PROTOCOL;
			goto fail;
		}
	}
	if ((r = parse_command(root, req, cause)) != RES_SUCCESS)
		goto fail;
	req->root = root;
	return RES_SUCCESS;

fail:
	req->argc = 0;
	json_object_put(root);
	return r;
}

/* The strings in argv live as long as the parsed object. */
void
request_free(struct request *req)
{
	json_object_put(req->root);
	req->root = NULL;
	req->argc = 0;
}

/* Every reply has the same shape, so clients parse one thing. */
json_object *
reply_new(const struct request *req, enum result r, const char *message,
    json_object *data)
{
	json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(data);
		return NULL;
	}
	if (req != NULL && req->has_id)
		json_object_object_add(o, "request_id",
		    json_object_new_int64(req->id));
	if (r == RES_SUCCESS || message == NULL)
		message = result_message(r);
	json_object_object_add(o, "error", json_object_new_string(message));
	json_object_object_add(o, "code",
	    json_object_new_string(result_code(r)));
	if (data != NULL)
		json_object_object_add(o, "data", data);
	return o;
}
