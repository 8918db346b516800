/*
 * history_cmd.h: the history, stats and cramp commands (rows in
 * daemon/commands.c), in their own file beside the history writer.
 */
#ifndef CALF_HISTORY_CMD_H
#define CALF_HISTORY_CMD_H

#include <json-c/json.h>

#include "common/proto.h"
#include "daemon/commands.h"

enum result	cmd_history(struct cmd_ctx *, int, const char *const *,
		    json_object **, char **);
enum result	cmd_stats(struct cmd_ctx *, int, const char *const *,
		    json_object **, char **);
enum result	cmd_cramp(struct cmd_ctx *, int, const char *const *,
		    json_object **, char **);

#endif
