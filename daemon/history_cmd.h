/*
 * history_cmd.h: the history, stats and cramp commands (rows in
 * common/cmdtab.c, handlers in daemon/commands.c's array), in their own
 * file beside the history writer.
 */
#ifndef CALF_HISTORY_CMD_H
#define CALF_HISTORY_CMD_H

#include <stdbool.h>

#include <json-c/json.h>

#include "common/proto.h"
#include "daemon/commands.h"

struct cmd_args;
struct engine;

enum result	cmd_history(struct cmd_ctx *, const struct cmd_args *,
		    json_object **, char **);
enum result	cmd_stats(struct cmd_ctx *, const struct cmd_args *,
		    json_object **, char **);
enum result	cmd_cramp(struct cmd_ctx *, const struct cmd_args *,
		    json_object **, char **);

/* The warm-water check's answer (`calfctl cramp result`, or a button of
 * its notification): one record, and the check ends if it still runs.
 * data may be NULL when nobody waits for the record. */
enum result	history_cramp_result(struct engine *, enum event_origin,
		    bool relieved, json_object **data, char **cause);

#endif
