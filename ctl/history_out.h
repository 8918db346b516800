/*
 * history_out.h: calfctl's printers for history, stats and cramp.
 */
#ifndef CALF_CTL_HISTORY_OUT_H
#define CALF_CTL_HISTORY_OUT_H

#include <json-c/json.h>

#include "ctl/human.h"

void	human_history(const struct out *, json_object *);
/* --csv: one header line, then one line a record (RFC 4180 quoting). */
void	csv_history(const struct out *, json_object *);
void	human_stats(const struct out *, json_object *);
void	human_cramp(const struct out *, json_object *);

#endif
