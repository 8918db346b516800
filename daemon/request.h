/*
 * request.h: one request line, checked against doc/PROTOCOL.md, and the
 * reply object built around a result. Pure: no sockets, no engine, so the
 * unit tests can feed it anything a client might send.
 */
#ifndef CALF_REQUEST_H
#define CALF_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/proto.h"

#define REQUEST_MAX_DEPTH	8	/* JSON nesting a request may use */
#define REQUEST_MAX_ARG		1024	/* longest command string, bytes */

struct request {
	json_object	*root;		/* owns the strings argv points to */
	const char	*argv[PROTO_MAX_ARGS];	/* argv[0] is the command */
	int		 argc;
	bool		 has_id;	/* echo id in the reply */
	int64_t		 id;
};

/* Parses and checks one line (without its '\n'). On success fills req
 * (release it with request_free). Otherwise returns RES_BAD_JSON,
 * RES_BAD_REQUEST or RES_PROTOCOL with a malloc'd *cause (NULL when out of
 * memory); req->has_id still says whether a valid request_id was seen, so
 * even an error reply can echo it. */
enum result	 request_parse(const char *line, size_t len,
		     struct request *req, char **cause);
void		 request_free(struct request *);

/* True for a line of nothing but blanks, which is ignored, not an error. */
bool		 request_blank(const char *line, size_t len);

/* {"request_id", "error", "code", "data"}: message NULL means
 * result_message(r); data (may be NULL) is taken over. req may be NULL. */
json_object	*reply_new(const struct request *req, enum result r,
		     const char *message, json_object *data);

#endif
