/*
 * history_cmd.h: the history, stats and cramp commands (rows in
 * common/cmdtab.c, handlers in daemon/commands.c's array), in their own
 * file beside the history writer.
 */
#ifndef CALF_HISTORY_CMD_H
#define CALF_HISTORY_CMD_H

#include <json-c/json.h>

#include "common/proto.h"
#include "daemon/commands.h"

struct cmd_args;

enum result	cmd_history(struct cmd_ctx *, const struct cmd_args *,
		    json_object **, char **);
enum result	cmd_stats(struct cmd_ctx *, const struct cmd_args *,
		    json_object **, char **);
enum result	cmd_cramp(struct cmd_ctx *, const struct cmd_args *,
		    json_object **, char **);

#endif
