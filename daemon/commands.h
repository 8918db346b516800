/*
 * commands.h: the control commands, one table row each (daemon/commands.c).
 * control.c parses a request, calls commands_run, and sends the reply; a
 * command never touches the connection itself.
 */
#ifndef CALF_COMMANDS_H
#define CALF_COMMANDS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "common/proto.h"
#include "daemon/request.h"

struct engine;
struct state;

/* What a handler may use and report besides its reply. */
struct cmd_ctx {
	struct engine	*engine;
	struct state	*state;		/* for status: saved or not; may be NULL */
	bool		 watch;		/* out: subscribe this connection */
};

/* Runs a parsed request and returns its reply object ({"request_id",
 * "error", "code", "data"}), or NULL when out of memory. */
json_object	*commands_run(struct cmd_ctx *, const struct request *);

/* Whether calfd has a handler for enum cmd_id id (common/cmdtab.h). */
bool		 commands_handles(int id);

#endif
